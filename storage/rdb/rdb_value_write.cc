// Writing values in RDB form (rdb_value.h): each type as Redis 7.0 writes it.
#include <cmath>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "protocol/numbers.h"
#include "storage/encodings/compact.h"
#include "storage/encodings/list_object.h"
#include "storage/encodings/stream_value.h"
#include "storage/encodings/string_map.h"
#include "storage/encodings/zset.h"
#include "storage/rdb/listpack.h"
#include "storage/rdb/packed_blobs.h"
#include "storage/rdb/rdb_value.h"

namespace minired::rdb {
namespace {

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutDouble(std::string* out, double d) {
  uint64_t v;
  memcpy(&v, &d, 8);
  PutLe(out, v, 8);
}

// A stream ID as a radix-tree key or PEL entry: 16 bytes, big-endian.
void PutIdBigEndian(std::string* out, StreamId id) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((id.ms >> shift) & 0xff));
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((id.seq >> shift) & 0xff));
}

// A score as a zset listpack holds it (zzlInsertAt: d2string, then lpAppend, which keeps
// integral scores as integers).
void AddScore(ListpackWriter& lp, double score) {
  if (std::isfinite(score) && score == std::floor(score) && std::fabs(score) < 9007199254740992.0 &&
      !(score == 0 && std::signbit(score))) {
    lp.AddInt(static_cast<int64_t>(score));
  } else if (score == 0) {
    lp.Add("-0");
  } else {
    lp.Add(FormatDouble(score));
  }
}

// Lists go out as Redis 7.0's quicklist: nodes of listpacks of about 8 KB (its default
// list-max-listpack-size -2), each a PACKED container.
void AppendList(const Entry* e, bool compress, std::string* out) {
  std::vector<std::string> nodes;
  ListpackWriter lp;
  auto add = [&](std::string_view s) {
    lp.Add(s);
    if (lp.bytes() >= 8192) nodes.push_back(lp.Finish());
  };
  if (e->encoding() == Encoding::kQuicklist) {
    e->object<ListObject>()->ForEach(add);
  } else {
    CompactReader r(e->compact_blob());
    std::string_view s;
    while (r.Next(&s)) add(s);
  }
  if (lp.count() > 0) nodes.push_back(lp.Finish());
  out->push_back(static_cast<char>(kTypeListQuicklist2));
  AppendLength(out, nodes.size());
  for (const std::string& n : nodes) {
    AppendLength(out, 2);  // QUICKLIST_NODE_CONTAINER_PACKED
    AppendEncodedString(out, n, compress);
  }
}

void AppendSet(const Entry* e, bool compress, std::string* out) {
  if (e->encoding() == Encoding::kIntset) {
    out->push_back(static_cast<char>(kTypeSetIntset));
    AppendEncodedString(out, WriteIntset(DecodeIntset(e->compact_blob())), compress);
    return;
  }
  out->push_back(static_cast<char>(kTypeSet));
  if (e->encoding() == Encoding::kHashtable) {
    const StringMap* m = e->object<StringMap>();
    AppendLength(out, m->size());
    m->ForEach([&](const PackedPair* p) { AppendEncodedString(out, p->field(), compress); });
    return;
  }
  std::vector<std::string_view> members = DecodeListpack(e->compact_blob());
  AppendLength(out, members.size());
  for (std::string_view m : members) AppendEncodedString(out, m, compress);
}

void AppendZSet(const Entry* e, bool compress, std::string* out) {
  if (e->encoding() == Encoding::kSkiplist) {
    // Highest score first, as Redis writes them (its loader then inserts at the head).
    const ZSet* z = e->object<ZSet>();
    out->push_back(static_cast<char>(kTypeZSet2));
    AppendLength(out, z->size());
    for (ZSet::Cursor c = z->Last(); c; c.Prev()) {
      AppendEncodedString(out, c.member(), compress);
      PutDouble(out, c.score());
    }
    return;
  }
  ListpackWriter lp;
  CompactReader r(e->compact_blob());
  std::string_view member, score;
  while (r.Next(&member) && r.Next(&score)) {
    lp.Add(member);
    AddScore(lp, ScoreFromBytes(score));
  }
  out->push_back(static_cast<char>(kTypeZSetListpack));
  AppendEncodedString(out, lp.Finish(), compress);
}

void AppendHash(const Entry* e, bool compress, std::string* out) {
  if (e->encoding() == Encoding::kHashtable) {
    const StringMap* m = e->object<StringMap>();
    out->push_back(static_cast<char>(kTypeHash));
    AppendLength(out, m->size());
    m->ForEach([&](const PackedPair* p) {
      AppendEncodedString(out, p->field(), compress);
      AppendEncodedString(out, p->value(), compress);
    });
    return;
  }
  ListpackWriter lp;
  lp.Reserve(e->compact_blob().size() + e->compact_blob().size() / 4);
  CompactReader r(e->compact_blob());
  std::string_view s;
  while (r.Next(&s)) lp.Add(s);
  out->push_back(static_cast<char>(kTypeHashListpack));
  AppendEncodedString(out, lp.Finish(), compress);
}

// Streams: Redis's radix tree of listpack nodes (t_stream.c streamAppendItem): each node
// keyed by its first ID, opening with a "master entry" (live count, deleted count, the
// first entry's field names, a 0 terminator); then each entry's flags, ID deltas against
// the node's key, its values alone when its fields are the master's (SAMEFIELDS) or its
// field count and pairs, and its element count for walking backwards.
class StreamNodeWriter {
 public:
  static constexpr size_t kMaxEntries = 100;
  static constexpr size_t kMaxBytes = 4096;

  void Add(StreamId id, std::span<const StreamField> fields, std::vector<std::pair<std::string, std::string>>* nodes) {
    if (count_ > 0 && (count_ >= kMaxEntries || entries_.bytes() >= kMaxBytes)) Flush(nodes);
    if (count_ == 0) {
      master_id_ = id;
      master_fields_.clear();
      for (const StreamField& f : fields) master_fields_.emplace_back(f.first);
    }
    bool same = fields.size() == master_fields_.size();
    for (size_t i = 0; same && i < fields.size(); ++i) same = fields[i].first == master_fields_[i];
    entries_.AddInt(same ? 2 : 0);  // STREAM_ITEM_FLAG_SAMEFIELDS
    entries_.AddInt(static_cast<int64_t>(id.ms - master_id_.ms));
    entries_.AddInt(static_cast<int64_t>(id.seq - master_id_.seq));
    if (same) {
      for (const StreamField& f : fields) entries_.Add(f.second);
    } else {
      entries_.AddInt(static_cast<int64_t>(fields.size()));
      for (const StreamField& f : fields) {
        entries_.Add(f.first);
        entries_.Add(f.second);
      }
    }
    const size_t n = fields.size();
    entries_.AddInt(static_cast<int64_t>(same ? n + 3 : 2 * n + 4));
    ++count_;
  }

  void Flush(std::vector<std::pair<std::string, std::string>>* nodes) {
    if (count_ == 0) return;
    // The master entry goes first: rebuild the node with it in front of the entries.
    ListpackWriter node;
    node.AddInt(static_cast<int64_t>(count_));
    node.AddInt(0);
    node.AddInt(static_cast<int64_t>(master_fields_.size()));
    for (const std::string& f : master_fields_) node.Add(f);
    node.AddInt(0);
    std::string body = entries_.Finish();
    std::string head = node.Finish();
    // Splice: head's elements (without its end marker) then body's elements.
    const size_t total_count = node_count_of(head) + node_count_of(body);
    std::string lp;
    lp.append(head, 0, head.size() - 1);
    lp.append(body, 6, body.size() - 6);
    for (int i = 0; i < 4; ++i) lp[i] = static_cast<char>((lp.size() >> (8 * i)) & 0xff);
    const uint16_t c = total_count < 65535 ? static_cast<uint16_t>(total_count) : 65535;
    lp[4] = static_cast<char>(c & 0xff);
    lp[5] = static_cast<char>(c >> 8);
    std::string key;
    PutIdBigEndian(&key, master_id_);
    nodes->emplace_back(std::move(key), std::move(lp));
    count_ = 0;
  }

 private:
  static size_t node_count_of(const std::string& lp) {
    return static_cast<uint8_t>(lp[4]) | (static_cast<uint8_t>(lp[5]) << 8);
  }
  StreamId master_id_;
  std::vector<std::string> master_fields_;
  ListpackWriter entries_;
  size_t count_ = 0;
};

void AppendStream(const Entry* e, bool compress, std::string* out) {
  const StreamValue& v = *e->object<StreamValue>();
  const Stream& s = v.stream;
  std::vector<std::pair<std::string, std::string>> nodes;
  StreamNodeWriter writer;
  Stream::Cursor c(s, StreamId::Min(), StreamId::Max(), false);
  while (c.Next()) writer.Add(c.id(), c.fields(), &nodes);
  writer.Flush(&nodes);
  out->push_back(static_cast<char>(kTypeStreamListpacks2));
  AppendLength(out, nodes.size());
  for (const auto& [key, lp] : nodes) {
    AppendString(out, key);
    AppendEncodedString(out, lp, compress);
  }
  AppendLength(out, s.length());
  AppendLength(out, s.last_id.ms);
  AppendLength(out, s.last_id.seq);
  const StreamId first = s.FirstId();
  AppendLength(out, first.ms);
  AppendLength(out, first.seq);
  AppendLength(out, s.max_deleted_id.ms);
  AppendLength(out, s.max_deleted_id.seq);
  AppendLength(out, s.entries_added);
  AppendLength(out, v.groups().size());
  for (const auto& [name, g] : v.groups()) {
    AppendString(out, name);
    AppendLength(out, g->last_id.ms);
    AppendLength(out, g->last_id.seq);
    AppendLength(out, static_cast<uint64_t>(g->entries_read));
    AppendLength(out, g->pel.size());
    for (const auto& [id, p] : g->pel) {
      PutIdBigEndian(out, id);
      PutLe(out, static_cast<uint64_t>(p.delivery_ms), 8);
      AppendLength(out, p.delivery_count);
    }
    AppendLength(out, g->consumers().size());
    for (const auto& [cname, consumer] : g->consumers()) {
      AppendString(out, cname);
      PutLe(out, static_cast<uint64_t>(consumer->seen_ms), 8);
      AppendLength(out, consumer->pending.size());
      for (StreamId id : consumer->pending) PutIdBigEndian(out, id);
    }
  }
}

}  // namespace

void AppendValue(const Entry* e, bool compress, std::string* out) {
  switch (e->type()) {
    case ValueType::kString:
      out->push_back(static_cast<char>(kTypeString));
      if (e->is_int()) {
        AppendIntegerString(out, e->int_value());
      } else {
        AppendEncodedString(out, e->str_value(), compress);
      }
      return;
    case ValueType::kList: return AppendList(e, compress, out);
    case ValueType::kSet: return AppendSet(e, compress, out);
    case ValueType::kZSet: return AppendZSet(e, compress, out);
    case ValueType::kHash: return AppendHash(e, compress, out);
    case ValueType::kStream: return AppendStream(e, compress, out);
  }
}

}  // namespace minired::rdb
