#include "storage/entry_codec.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "storage/encodings/compact.h"
#include "storage/encodings/list_object.h"
#include "storage/encodings/stream_value.h"
#include "storage/encodings/string_map.h"
#include "storage/varint.h"
#include "storage/encodings/zset.h"

namespace minired {

namespace {

void PutU64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(b, 8);
}

void PutBytes(std::string* out, std::string_view s) {
  AppendVarint(out, s.size());
  out->append(s);
}

void PutDouble(std::string* out, double d) {
  uint64_t v;
  memcpy(&v, &d, 8);
  PutU64(out, v);
}

// Reads from a string_view, failing (instead of running off the end) on truncation.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.empty()) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U64(uint64_t* v) {
    if (in_.size() < 8) return false;
    *v = 0;
    for (int i = 0; i < 8; ++i) *v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    in_.remove_prefix(8);
    return true;
  }
  bool Varint(uint64_t* v) { return ConsumeVarint(&in_, v); }
  bool Bytes(std::string_view* s) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size()) return false;
    *s = in_.substr(0, static_cast<size_t>(n));
    in_.remove_prefix(static_cast<size_t>(n));
    return true;
  }
  bool Double(double* d) {
    uint64_t v;
    if (!U64(&v)) return false;
    memcpy(d, &v, 8);
    return true;
  }
  std::string_view rest() const { return in_; }

 private:
  std::string_view in_;
};

Status Corrupt(std::string what) { return Status::Corruption("snapshot entry: " + what); }

// The encodings each type may have: a value of one type in another's encoding would
// be handed to the wrong code (a set read as a sorted set's skip list).
bool EncodingFitsType(ValueType type, Encoding enc) {
  switch (type) {
    case ValueType::kString: return enc == Encoding::kInt || enc == Encoding::kEmbStr || enc == Encoding::kRaw;
    case ValueType::kList: return enc == Encoding::kListpack || enc == Encoding::kQuicklist;
    case ValueType::kSet: return enc == Encoding::kIntset || enc == Encoding::kListpack || enc == Encoding::kHashtable;
    case ValueType::kZSet: return enc == Encoding::kListpack || enc == Encoding::kSkiplist;
    case ValueType::kHash: return enc == Encoding::kListpack || enc == Encoding::kHashtable;
    case ValueType::kStream: return enc == Encoding::kStream;
  }
  return false;
}

void PutId(std::string* out, StreamId id) {
  AppendVarint(out, id.ms);
  AppendVarint(out, id.seq);
}

bool ReadId(Reader& r, StreamId* id) { return r.Varint(&id->ms) && r.Varint(&id->seq); }

void EncodeStream(const StreamValue& v, std::string* out) {
  PutId(out, v.stream.last_id);
  AppendVarint(out, v.stream.entries_added);
  PutId(out, v.stream.max_deleted_id);
  AppendVarint(out, v.stream.length());
  Stream::Cursor c(v.stream, StreamId::Min(), StreamId::Max(), false);
  while (c.Next()) {
    PutId(out, c.id());
    AppendVarint(out, c.fields().size());
    for (const StreamField& f : c.fields()) {
      PutBytes(out, f.first);
      PutBytes(out, f.second);
    }
  }
  AppendVarint(out, v.groups().size());
  for (const auto& [name, g] : v.groups()) {
    PutBytes(out, name);
    PutId(out, g->last_id);
    AppendVarint(out, static_cast<uint64_t>(g->entries_read + 1));
    AppendVarint(out, g->consumers().size());
    std::map<const StreamConsumer*, uint64_t> index;
    for (const auto& [cname, consumer] : g->consumers()) {
      index[consumer.get()] = index.size();
      PutBytes(out, cname);
      PutU64(out, static_cast<uint64_t>(consumer->seen_ms));
    }
    AppendVarint(out, g->pel.size());
    for (const auto& [id, p] : g->pel) {
      PutId(out, id);
      PutU64(out, static_cast<uint64_t>(p.delivery_ms));
      AppendVarint(out, p.delivery_count);
      AppendVarint(out, index[p.consumer]);
    }
  }
}

// A stream as EncodeStream wrote it, checked as it is read: IDs ascending and within
// the stream's last ID, every entry with fields, every pending entry's consumer known.
Status DecodeStream(Reader& r, std::unique_ptr<StreamValue>* out) {
  auto v = std::make_unique<StreamValue>();
  Stream& s = v->stream;
  uint64_t count;
  if (!ReadId(r, &s.last_id) || !r.Varint(&s.entries_added) || !ReadId(r, &s.max_deleted_id) ||
      !r.Varint(&count)) {
    return Corrupt("truncated stream header");
  }
  if (count > r.rest().size()) return Corrupt("stream length larger than the data");
  std::vector<StreamField> fields;
  StreamId prev = StreamId::Min();
  for (uint64_t i = 0; i < count; ++i) {
    StreamId id;
    uint64_t pairs;
    if (!ReadId(r, &id) || !r.Varint(&pairs)) return Corrupt("truncated stream entry");
    if (id <= prev || id > s.last_id) return Corrupt("stream entry IDs out of order");
    if (pairs == 0 || pairs > r.rest().size()) return Corrupt("bad stream entry field count");
    fields.clear();
    for (uint64_t f = 0; f < pairs; ++f) {
      StreamField field;
      if (!r.Bytes(&field.first) || !r.Bytes(&field.second)) return Corrupt("truncated stream entry field");
      fields.push_back(field);
    }
    s.Append(id, fields, StreamNodeLimits{});
    prev = id;
  }
  uint64_t groups;
  if (!r.Varint(&groups)) return Corrupt("truncated stream groups");
  for (uint64_t gi = 0; gi < groups; ++gi) {
    std::string_view name;
    StreamId last;
    uint64_t read_plus_one, consumers;
    if (!r.Bytes(&name) || !ReadId(r, &last) || !r.Varint(&read_plus_one) || !r.Varint(&consumers)) {
      return Corrupt("truncated stream group");
    }
    // entries-read + 1 (0: unknown); past INT64_MAX it is no count a stream can reach.
    if (read_plus_one > static_cast<uint64_t>(INT64_MAX)) return Corrupt("bad stream group entries-read");
    StreamGroup* g = v->CreateGroup(name, last, static_cast<int64_t>(read_plus_one) - 1);
    if (g == nullptr) return Corrupt("duplicate stream group");
    if (consumers > r.rest().size()) return Corrupt("consumer count larger than the data");
    std::vector<StreamConsumer*> by_index;
    for (uint64_t ci = 0; ci < consumers; ++ci) {
      std::string_view cname;
      uint64_t seen;
      if (!r.Bytes(&cname) || !r.U64(&seen)) return Corrupt("truncated stream consumer");
      StreamConsumer* c = g->CreateConsumer(cname, static_cast<int64_t>(seen));
      if (c == nullptr) return Corrupt("duplicate stream consumer");
      by_index.push_back(c);
    }
    uint64_t pending;
    if (!r.Varint(&pending)) return Corrupt("truncated stream PEL");
    if (pending > r.rest().size()) return Corrupt("PEL size larger than the data");
    StreamId prev_pending = StreamId::Min();
    for (uint64_t pi = 0; pi < pending; ++pi) {
      StreamId id;
      uint64_t at, deliveries, consumer;
      if (!ReadId(r, &id) || !r.U64(&at) || !r.Varint(&deliveries) || !r.Varint(&consumer)) {
        return Corrupt("truncated stream pending entry");
      }
      if (pi > 0 && id <= prev_pending) return Corrupt("stream PEL out of order");
      if (consumer >= by_index.size()) return Corrupt("pending entry of an unknown consumer");
      g->Deliver(id, by_index[consumer], static_cast<int64_t>(at), deliveries);
      prev_pending = id;
    }
  }
  *out = std::move(v);
  return Status::Ok();
}

}  // namespace

void EncodeEntry(const Entry* e, std::string* out) {
  out->push_back(static_cast<char>(e->type()));
  out->push_back(static_cast<char>(e->encoding()));
  out->push_back(static_cast<char>(e->has_expire() ? 1 : 0));
  if (e->has_expire()) PutU64(out, static_cast<uint64_t>(e->expire_ms()));
  PutBytes(out, e->key());
  switch (e->encoding()) {
    case Encoding::kInt: PutU64(out, static_cast<uint64_t>(e->int_value())); break;
    case Encoding::kEmbStr:
    case Encoding::kRaw: PutBytes(out, e->str_value()); break;
    case Encoding::kListpack:
      PutBytes(out, e->type() == ValueType::kZSet ? PortableZSetListpack(e->compact_blob())
                                                  : PortableListpack(e->compact_blob()));
      break;
    case Encoding::kIntset: PutBytes(out, e->compact_blob()); break;
    case Encoding::kHashtable: {
      const StringMap* m = e->object<StringMap>();
      AppendVarint(out, m->size());
      m->ForEach([&](const PackedPair* p) {
        PutBytes(out, p->field());
        PutBytes(out, p->value());
      });
      break;
    }
    case Encoding::kSkiplist: {
      const ZSet* z = e->object<ZSet>();
      AppendVarint(out, z->size());
      for (ZSet::Cursor c = z->First(); c; c.Next()) {
        PutBytes(out, c.member());
        PutDouble(out, c.score());
      }
      break;
    }
    case Encoding::kQuicklist: {
      const ListObject* l = e->object<ListObject>();
      AppendVarint(out, l->size());
      l->ForEach([&](std::string_view s) { PutBytes(out, s); });
      break;
    }
    case Encoding::kStream: EncodeStream(*e->object<StreamValue>(), out); break;
  }
}

Status DecodeEntry(std::string_view* in, Entry** out) {
  Reader r(*in);
  uint8_t type_b, enc_b, flags;
  if (!r.U8(&type_b) || !r.U8(&enc_b) || !r.U8(&flags)) return Corrupt("truncated header");
  if (type_b > static_cast<uint8_t>(ValueType::kStream)) return Corrupt("unknown type " + std::to_string(type_b));
  if (enc_b > static_cast<uint8_t>(Encoding::kStream)) {
    return Corrupt("unknown encoding " + std::to_string(enc_b));
  }
  auto type = static_cast<ValueType>(type_b);
  auto enc = static_cast<Encoding>(enc_b);
  if (!EncodingFitsType(type, enc)) {
    return Corrupt("encoding " + std::to_string(enc_b) + " for type " + std::to_string(type_b));
  }
  uint64_t expire = 0;
  if ((flags & 1) && !r.U64(&expire)) return Corrupt("truncated expiry");
  std::string_view key;
  if (!r.Bytes(&key)) return Corrupt("truncated key");
  auto exp = static_cast<int64_t>(expire);
  Entry* e = nullptr;
  switch (enc) {
    case Encoding::kInt: {
      uint64_t v;
      if (!r.U64(&v)) return Corrupt("truncated integer");
      e = Entry::NewInt(key, static_cast<int64_t>(v), exp);
      break;
    }
    case Encoding::kEmbStr:
    case Encoding::kRaw: {
      std::string_view v;
      if (!r.Bytes(&v)) return Corrupt("truncated string");
      e = Entry::NewString(key, v, exp, enc == Encoding::kRaw ? Entry::StringForm::kRaw : Entry::StringForm::kText);
      break;
    }
    case Encoding::kListpack: {
      std::string_view blob;
      if (!r.Bytes(&blob)) return Corrupt("truncated compact value");
      std::vector<std::string_view> elements;
      if (!ParsePortableListpack(blob, &elements) || elements.empty()) return Corrupt("malformed listpack");
      const bool pairs = type == ValueType::kHash || type == ValueType::kZSet;
      if (pairs && elements.size() % 2 != 0) return Corrupt("listpack of pairs with an odd element count");
      std::vector<ScoreCode> scores;
      if (type == ValueType::kZSet && !CompactZSetScores(&elements, &scores)) {
        return Corrupt("sorted set listpack with a malformed score");
      }
      const std::string packed = type == ValueType::kHash ? EncodeHashListpack(elements) : EncodeListpack(elements);
      e = Entry::NewCompact(key, type, enc, packed, exp);
      break;
    }
    case Encoding::kIntset: {
      std::string_view blob;
      if (!r.Bytes(&blob)) return Corrupt("truncated compact value");
      if (blob.empty() || blob.size() % 8 != 0) return Corrupt("malformed intset");
      e = Entry::NewCompact(key, type, enc, blob, exp);
      break;
    }
    case Encoding::kHashtable: {
      uint64_t n;
      if (!r.Varint(&n)) return Corrupt("truncated count");
      if (n > r.rest().size()) return Corrupt("hash table count larger than the data");
      auto* m = new StringMap();
      m->Reserve(static_cast<size_t>(n));
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view f, v;
        if (!r.Bytes(&f) || !r.Bytes(&v)) {
          delete m;
          return Corrupt("truncated hash table element");
        }
        m->Set(f, v);
      }
      e = Entry::NewObject(key, type, enc, m, exp);
      break;
    }
    case Encoding::kSkiplist: {
      uint64_t n;
      if (!r.Varint(&n)) return Corrupt("truncated count");
      auto* z = new ZSet();
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view m;
        double score;
        if (!r.Bytes(&m) || !r.Double(&score)) {
          delete z;
          return Corrupt("truncated sorted set member");
        }
        if (std::isnan(score)) {
          delete z;
          return Corrupt("sorted set score is not a number");
        }
        z->Upsert(m, score);
      }
      e = Entry::NewObject(key, type, enc, z, exp);
      break;
    }
    case Encoding::kQuicklist: {
      uint64_t n;
      if (!r.Varint(&n)) return Corrupt("truncated count");
      std::vector<std::string_view> elements;
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view v;
        if (!r.Bytes(&v)) return Corrupt("truncated list element");
        elements.push_back(v);
      }
      auto* l = new ListObject(elements.begin(), elements.end());
      e = Entry::NewObject(key, type, enc, l, exp);
      break;
    }
    case Encoding::kStream: {
      if (type != ValueType::kStream) return Corrupt("stream encoding for another type");
      std::unique_ptr<StreamValue> v;
      if (Status st = DecodeStream(r, &v); !st.ok()) return st;
      e = Entry::NewObject(key, type, enc, v.release(), exp);
      break;
    }
  }
  *in = r.rest();
  *out = e;
  return Status::Ok();
}

}  // namespace minired
