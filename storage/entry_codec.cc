#include "storage/entry_codec.h"

#include <cstring>

#include "storage/encodings/list_object.h"
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
      for (const ZNode* n = z->first(); n != nullptr; n = n->next()) {
        PutBytes(out, n->member());
        PutDouble(out, n->score());
      }
      break;
    }
    case Encoding::kQuicklist: {
      const ListObject* l = e->object<ListObject>();
      AppendVarint(out, l->size());
      for (const std::string& s : *l) PutBytes(out, s);
      break;
    }
  }
}

Status DecodeEntry(std::string_view* in, Entry** out) {
  Reader r(*in);
  uint8_t type_b, enc_b, flags;
  if (!r.U8(&type_b) || !r.U8(&enc_b) || !r.U8(&flags)) return Corrupt("truncated header");
  if (type_b > static_cast<uint8_t>(ValueType::kHash)) return Corrupt("unknown type " + std::to_string(type_b));
  if (enc_b > static_cast<uint8_t>(Encoding::kQuicklist)) {
    return Corrupt("unknown encoding " + std::to_string(enc_b));
  }
  auto type = static_cast<ValueType>(type_b);
  auto enc = static_cast<Encoding>(enc_b);
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
    case Encoding::kListpack:
    case Encoding::kIntset: {
      std::string_view blob;
      if (!r.Bytes(&blob)) return Corrupt("truncated compact value");
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
        z->Upsert(m, score);
      }
      e = Entry::NewObject(key, type, enc, z, exp);
      break;
    }
    case Encoding::kQuicklist: {
      uint64_t n;
      if (!r.Varint(&n)) return Corrupt("truncated count");
      auto* l = new ListObject();
      for (uint64_t i = 0; i < n; ++i) {
        std::string_view v;
        if (!r.Bytes(&v)) {
          delete l;
          return Corrupt("truncated list element");
        }
        l->emplace_back(v);
      }
      e = Entry::NewObject(key, type, enc, l, exp);
      break;
    }
  }
  *in = r.rest();
  *out = e;
  return Status::Ok();
}

}  // namespace minired
