// Reading values in RDB form (rdb_value.h): every form a Redis 7.0 server loads, built
// into minired's own encodings.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/numbers.h"
#include "storage/encodings/compact.h"
#include "storage/encodings/list_object.h"
#include "storage/encodings/stream_value.h"
#include "storage/encodings/string_map.h"
#include "storage/encodings/zset.h"
#include "storage/rdb/packed_blobs.h"
#include "storage/rdb/rdb_value.h"

namespace minired::rdb {
namespace {

struct Fail {
  std::string* error;
  ValueResult operator()(std::string what) const {
    *error = std::move(what);
    return ValueResult::kError;
  }
};

bool FitsHashListpack(const std::vector<std::string_view>& pairs, const EncodingLimits& limits) {
  if (pairs.size() / 2 > static_cast<size_t>(limits.hash_max_listpack_entries.load(std::memory_order_relaxed))) {
    return false;
  }
  const auto max_value = static_cast<size_t>(limits.hash_max_listpack_value.load(std::memory_order_relaxed));
  return std::all_of(pairs.begin(), pairs.end(), [&](std::string_view s) { return s.size() <= max_value; });
}

// Whether two of the views at `first`, `first + step`, ... are equal: an open-addressing
// table of their indexes, sized to twice their number (cheaper than sorting them, and
// than a hash table of strings, for the few hundred a compact value holds).
bool HasDuplicate(const std::vector<std::string_view>& views, size_t first = 0, size_t step = 1) {
  const size_t n = views.size() > first ? (views.size() - first + step - 1) / step : 0;
  if (n < 2) return false;
  size_t cap = 4;
  while (cap < 2 * n) cap <<= 1;
  std::vector<uint32_t> table(cap, 0);  // index + 1; 0 is empty
  for (size_t i = first; i < views.size(); i += step) {
    size_t slot = HashKey(views[i]) & (cap - 1);
    while (table[slot] != 0) {
      if (views[table[slot] - 1] == views[i]) return true;
      slot = (slot + 1) & (cap - 1);
    }
    table[slot] = static_cast<uint32_t>(i + 1);
  }
  return false;
}

ValueResult BuildHash(std::string_view key, int64_t expire, const std::vector<std::string_view>& pairs,
                      const EncodingLimits& limits, Entry** out, Fail fail) {
  if (pairs.size() % 2 != 0) return fail("hash with a field and no value");
  if (pairs.empty()) return ValueResult::kEmpty;
  if (FitsHashListpack(pairs, limits)) {
    if (HasDuplicate(pairs, 0, 2)) return fail("duplicate hash field");
    *out = Entry::NewCompact(key, ValueType::kHash, Encoding::kListpack, EncodeHashListpack(pairs), expire);
    return ValueResult::kOk;
  }
  auto map = std::make_unique<StringMap>();
  map->Reserve(pairs.size() / 2);
  for (size_t i = 0; i < pairs.size(); i += 2) {
    if (!map->Add(pairs[i], pairs[i + 1])) return fail("duplicate hash field");
  }
  *out = Entry::NewObject(key, ValueType::kHash, Encoding::kHashtable, map.release(), expire);
  return ValueResult::kOk;
}

ValueResult BuildSet(std::string_view key, int64_t expire, const std::vector<std::string_view>& members,
                     const EncodingLimits& limits, Entry** out, Fail fail) {
  if (members.empty()) return ValueResult::kEmpty;
  const auto max_ints = static_cast<size_t>(limits.set_max_intset_entries.load(std::memory_order_relaxed));
  if (members.size() <= max_ints) {
    std::vector<int64_t> ints;
    ints.reserve(members.size());
    bool all_ints = true;
    for (std::string_view m : members) {
      std::optional<int64_t> v = ParseInt64(m);
      if (!v) {
        all_ints = false;
        break;
      }
      ints.push_back(*v);
    }
    if (all_ints) {
      std::sort(ints.begin(), ints.end());
      if (std::adjacent_find(ints.begin(), ints.end()) != ints.end()) return fail("duplicate set member");
      *out = Entry::NewCompact(key, ValueType::kSet, Encoding::kIntset, EncodeIntset(ints), expire);
      return ValueResult::kOk;
    }
  }
  auto map = std::make_unique<StringMap>();
  map->Reserve(members.size());
  for (std::string_view m : members) {
    if (!map->Add(m, {})) return fail("duplicate set member");
  }
  *out = Entry::NewObject(key, ValueType::kSet, Encoding::kHashtable, map.release(), expire);
  return ValueResult::kOk;
}

ValueResult BuildZSet(std::string_view key, int64_t expire, std::vector<std::pair<std::string_view, double>>& items,
                      const EncodingLimits& limits, Entry** out, Fail fail) {
  if (items.empty()) return ValueResult::kEmpty;
  for (const auto& [m, score] : items) {
    if (std::isnan(score)) return fail("sorted set score is not a number");
  }
  const auto max_entries = static_cast<size_t>(limits.zset_max_listpack_entries.load(std::memory_order_relaxed));
  const auto max_value = static_cast<size_t>(limits.zset_max_listpack_value.load(std::memory_order_relaxed));
  bool compact = items.size() <= max_entries;
  for (size_t i = 0; compact && i < items.size(); ++i) compact = items[i].first.size() <= max_value;
  if (compact) {
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second < b.second : a.first < b.first;
    });
    std::vector<std::string_view> elements;
    elements.reserve(items.size() * 2);
    std::vector<ScoreCode> scores;
    scores.reserve(items.size());  // never reallocated: `elements` points into it
    for (const auto& [m, score] : items) {
      elements.push_back(m);
      elements.push_back(scores.emplace_back(score).bytes());
    }
    if (HasDuplicate(elements, 0, 2)) return fail("duplicate sorted set member");
    *out = Entry::NewCompact(key, ValueType::kZSet, Encoding::kListpack, EncodeListpack(elements), expire);
    return ValueResult::kOk;
  }
  auto z = std::make_unique<ZSet>();
  for (const auto& [m, score] : items) {
    if (!z->Upsert(m, score)) return fail("duplicate sorted set member");
  }
  *out = Entry::NewObject(key, ValueType::kZSet, Encoding::kSkiplist, z.release(), expire);
  return ValueResult::kOk;
}

bool FitsListListpack(const std::vector<std::string_view>& elements, const EncodingLimits& limits) {
  const int64_t limit = limits.list_max_listpack_size.load(std::memory_order_relaxed);
  if (limit > 0) return elements.size() <= static_cast<size_t>(limit);
  static const size_t kBytes[] = {4096, 8192, 16384, 32768, 65536};
  const size_t budget = kBytes[std::min<int64_t>(std::max<int64_t>(-limit, 1), 5) - 1];
  size_t bytes = 1;
  for (std::string_view e : elements) {
    bytes += e.size() + 2;
    if (bytes > budget) return false;
  }
  return true;
}

ValueResult BuildList(std::string_view key, int64_t expire, const std::vector<std::string_view>& elements,
                      const EncodingLimits& limits, Entry** out) {
  if (elements.empty()) return ValueResult::kEmpty;
  if (FitsListListpack(elements, limits)) {
    *out = Entry::NewCompact(key, ValueType::kList, Encoding::kListpack, EncodeListpack(elements), expire);
  } else {
    auto list = std::make_unique<ListObject>(elements.begin(), elements.end());
    *out = Entry::NewObject(key, ValueType::kList, Encoding::kQuicklist, list.release(), expire);
  }
  return ValueResult::kOk;
}

// A score of the old ZSET type: a length byte, then that many bytes of text; 253, 254
// and 255 stand for nan, +inf and -inf.
bool ReadTextScore(Reader& r, double* score) {
  uint8_t len;
  if (!r.ReadByte(&len)) return false;
  if (len == 253) return false;  // nan is no score
  if (len == 254 || len == 255) {
    *score = len == 254 ? INFINITY : -INFINITY;
    return true;
  }
  std::string_view text;
  if (!r.ReadRaw(len, &text)) return false;
  std::optional<double> d = ParseDouble(text);
  if (!d) return false;
  *score = *d;
  return true;
}

bool ReadBinaryDouble(Reader& r, double* d) {
  uint64_t v;
  if (!r.ReadLe(8, &v)) return false;
  memcpy(d, &v, 8);
  return true;
}

// Sorted-set pairs from a listpack or ziplist (member, score as text or integer).
bool PairsToZItems(const std::vector<std::string_view>& flat, std::vector<std::pair<std::string_view, double>>* items) {
  if (flat.size() % 2 != 0) return false;
  for (size_t i = 0; i < flat.size(); i += 2) {
    std::optional<double> d = ParseDouble(flat[i + 1]);
    if (!d) return false;
    items->emplace_back(flat[i], *d);
  }
  return true;
}

bool ReadIdBigEndian(std::string_view raw, StreamId* id) {
  if (raw.size() != 16) return false;
  id->ms = id->seq = 0;
  for (int i = 0; i < 8; ++i) id->ms = (id->ms << 8) | static_cast<uint8_t>(raw[i]);
  for (int i = 8; i < 16; ++i) id->seq = (id->seq << 8) | static_cast<uint8_t>(raw[i]);
  return true;
}

bool ReadId(Reader& r, StreamId* id) {
  std::string_view raw;
  return r.ReadRaw(16, &raw) && ReadIdBigEndian(raw, id);
}

// One node's entries, appended to the stream in order (deleted ones skipped).
bool ReadStreamNode(StreamId master, std::string_view lp_blob, const StreamNodeLimits& limits, Stream* s,
                    StreamId* last_seen) {
  std::vector<std::string> el;
  if (!ReadListpackElements(lp_blob, &el)) return false;
  size_t i = 0;
  auto next_int = [&](int64_t* v) {
    if (i >= el.size()) return false;
    std::optional<int64_t> x = ParseInt64(el[i++]);
    if (!x) return false;
    *v = *x;
    return true;
  };
  int64_t live, deleted, master_count;
  if (!next_int(&live) || !next_int(&deleted) || !next_int(&master_count) || master_count <= 0 ||
      static_cast<size_t>(master_count) > el.size()) {
    return false;
  }
  const size_t master_at = i;
  i += static_cast<size_t>(master_count);
  int64_t terminator;
  if (!next_int(&terminator) || terminator != 0) return false;
  std::vector<StreamField> fields;
  int64_t seen_live = 0, seen_deleted = 0;
  while (i < el.size()) {
    int64_t flags, ms_diff, seq_diff;
    if (!next_int(&flags) || !next_int(&ms_diff) || !next_int(&seq_diff)) return false;
    StreamId id{master.ms + static_cast<uint64_t>(ms_diff), master.seq + static_cast<uint64_t>(seq_diff)};
    fields.clear();
    if (flags & 2) {
      if (i + static_cast<size_t>(master_count) > el.size()) return false;
      for (int64_t f = 0; f < master_count; ++f) fields.emplace_back(el[master_at + f], el[i++]);
    } else {
      int64_t n;
      if (!next_int(&n) || n <= 0 || static_cast<size_t>(n) > (el.size() - i) / 2) return false;
      for (int64_t f = 0; f < n; ++f, i += 2) fields.emplace_back(el[i], el[i + 1]);
    }
    int64_t lp_count;
    if (!next_int(&lp_count)) return false;
    if (flags & 1) {
      ++seen_deleted;
      continue;
    }
    if (id <= *last_seen) return false;  // IDs ascend across nodes; 0-0 is no entry's
    s->Append(id, fields, limits);
    *last_seen = id;
    ++seen_live;
  }
  return seen_live == live && seen_deleted == deleted;
}

ValueResult ReadStream(Reader& r, uint8_t type, std::string_view key, int64_t expire, const EncodingLimits& limits,
                       Entry** out, Fail fail) {
  const StreamNodeLimits node_limits{
      static_cast<size_t>(limits.stream_node_max_bytes.load(std::memory_order_relaxed)),
      static_cast<size_t>(limits.stream_node_max_entries.load(std::memory_order_relaxed))};
  auto v = std::make_unique<StreamValue>();
  Stream& s = v->stream;
  uint64_t node_count;
  if (!r.ReadLength(&node_count)) return fail("truncated stream");
  std::string scratch_key, scratch_lp;
  StreamId last_seen = StreamId::Min();
  for (uint64_t n = 0; n < node_count; ++n) {
    std::string_view node_key, lp;
    if (!r.ReadStringView(&node_key, &scratch_key)) return fail("truncated stream node key");
    StreamId master;
    if (!ReadIdBigEndian(node_key, &master)) return fail("stream node key is not an ID");
    if (!r.ReadStringView(&lp, &scratch_lp)) return fail("truncated stream node");
    if (!ReadStreamNode(master, lp, node_limits, &s, &last_seen)) return fail("corrupt stream node");
  }
  uint64_t length, last_ms, last_seq;
  if (!r.ReadLength(&length) || !r.ReadLength(&last_ms) || !r.ReadLength(&last_seq)) {
    return fail("truncated stream metadata");
  }
  if (length != s.length()) return fail("stream length does not match its entries");
  s.last_id = {last_ms, last_seq};
  if (s.length() > 0 && s.LastEntryId() > s.last_id) return fail("stream entry past the stream's last ID");
  const bool v2 = type >= kTypeStreamListpacks2;
  if (v2) {
    uint64_t first_ms, first_seq, del_ms, del_seq, added;
    if (!r.ReadLength(&first_ms) || !r.ReadLength(&first_seq) || !r.ReadLength(&del_ms) ||
        !r.ReadLength(&del_seq) || !r.ReadLength(&added)) {
      return fail("truncated stream metadata");
    }
    s.max_deleted_id = {del_ms, del_seq};
    s.entries_added = added;
  } else {
    s.entries_added = s.length();
  }
  uint64_t groups;
  if (!r.ReadLength(&groups)) return fail("truncated stream groups");
  for (uint64_t gi = 0; gi < groups; ++gi) {
    std::string name;
    uint64_t gms, gseq;
    if (!r.ReadString(&name) || !r.ReadLength(&gms) || !r.ReadLength(&gseq)) return fail("truncated stream group");
    const StreamId glast{gms, gseq};
    int64_t entries_read;
    if (v2) {
      uint64_t er;
      if (!r.ReadLength(&er)) return fail("truncated stream group");
      entries_read = static_cast<int64_t>(er);
    } else {
      entries_read = v->EstimateEntriesRead(glast);
    }
    StreamGroup* g = v->CreateGroup(name, glast, entries_read);
    if (g == nullptr) return fail("duplicate stream group");
    uint64_t pel_size;
    if (!r.ReadLength(&pel_size)) return fail("truncated stream PEL");
    if (pel_size > r.remaining()) return fail("stream PEL larger than the data");
    std::map<StreamId, std::pair<int64_t, uint64_t>> pel;
    for (uint64_t pi = 0; pi < pel_size; ++pi) {
      StreamId id;
      uint64_t at, count;
      if (!ReadId(r, &id) || !r.ReadLe(8, &at) || !r.ReadLength(&count)) return fail("truncated stream PEL");
      if (!pel.emplace(id, std::make_pair(static_cast<int64_t>(at), count)).second) {
        return fail("duplicate stream PEL entry");
      }
    }
    uint64_t consumers;
    if (!r.ReadLength(&consumers)) return fail("truncated stream consumers");
    if (consumers > r.remaining()) return fail("stream consumers larger than the data");
    for (uint64_t ci = 0; ci < consumers; ++ci) {
      std::string cname;
      uint64_t seen, active = 0, pending;
      if (!r.ReadString(&cname) || !r.ReadLe(8, &seen)) return fail("truncated stream consumer");
      if (type == kTypeStreamListpacks3 && !r.ReadLe(8, &active)) return fail("truncated stream consumer");
      StreamConsumer* c = g->CreateConsumer(cname, static_cast<int64_t>(seen));
      if (c == nullptr) return fail("duplicate stream consumer");
      if (!r.ReadLength(&pending)) return fail("truncated stream consumer PEL");
      if (pending > r.remaining()) return fail("stream consumer PEL larger than the data");
      for (uint64_t pi = 0; pi < pending; ++pi) {
        StreamId id;
        if (!ReadId(r, &id)) return fail("truncated stream consumer PEL");
        auto it = pel.find(id);
        if (it == pel.end()) return fail("consumer's pending entry not in the group's PEL");
        g->Deliver(id, c, it->second.first, it->second.second);
        pel.erase(it);
      }
    }
    if (!pel.empty()) return fail("stream PEL entry without a consumer");
  }
  *out = Entry::NewObject(key, ValueType::kStream, Encoding::kStream, v.release(), expire);
  return ValueResult::kOk;
}

}  // namespace

bool IsValueType(uint8_t type) {
  return type <= kTypeZSet2 || (type >= kTypeHashZipmap && type <= kTypeStreamListpacks3) || type == kTypeModule2 ||
         type == kTypeModule;
}

ValueResult ReadValue(Reader& r, uint8_t type, std::string_view key, int64_t expire, const EncodingLimits& limits,
                      Entry** out, std::string* error) {
  Fail fail{error};
  *out = nullptr;
  std::string blob;
  std::vector<std::string> flat;      // elements that needed a copy (decoded, decompressed)
  std::vector<std::string_view> views;  // the elements the value is built from
  auto view_all = [&] { views.assign(flat.begin(), flat.end()); };
  switch (type) {
    case kTypeString: {
      std::string_view v;
      if (!r.ReadStringView(&v, &blob)) return fail("truncated string value");
      *out = Entry::NewString(key, v, expire);
      return ValueResult::kOk;
    }
    case kTypeList:
    case kTypeSet:
    case kTypeHash: {
      uint64_t n;
      if (!r.ReadLength(&n)) return fail("truncated collection length");
      const uint64_t strings = type == kTypeHash ? n * 2 : n;
      if (strings > r.remaining() || (type == kTypeHash && n > r.remaining())) {
        return fail("collection length larger than the data");
      }
      flat.reserve(strings);
      for (uint64_t i = 0; i < strings; ++i) {
        std::string s;
        if (!r.ReadString(&s)) return fail("truncated collection element");
        flat.push_back(std::move(s));
      }
      view_all();
      if (type == kTypeList) return BuildList(key, expire, views, limits, out);
      if (type == kTypeSet) return BuildSet(key, expire, views, limits, out, fail);
      return BuildHash(key, expire, views, limits, out, fail);
    }
    case kTypeZSet:
    case kTypeZSet2: {
      uint64_t n;
      if (!r.ReadLength(&n)) return fail("truncated sorted set length");
      if (n > r.remaining()) return fail("sorted set length larger than the data");
      flat.reserve(n);
      std::vector<double> scores;
      scores.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        std::string m;
        double score;
        if (!r.ReadString(&m)) return fail("truncated sorted set member");
        if (!(type == kTypeZSet2 ? ReadBinaryDouble(r, &score) : ReadTextScore(r, &score))) {
          return fail("bad sorted set score");
        }
        flat.push_back(std::move(m));
        scores.push_back(score);
      }
      std::vector<std::pair<std::string_view, double>> items;
      items.reserve(n);
      for (size_t i = 0; i < flat.size(); ++i) items.emplace_back(flat[i], scores[i]);
      return BuildZSet(key, expire, items, limits, out, fail);
    }
    case kTypeHashZipmap:
    case kTypeListZiplist:
    case kTypeSetIntset:
    case kTypeZSetZiplist:
    case kTypeHashZiplist:
    case kTypeHashListpack:
    case kTypeZSetListpack:
    case kTypeSetListpack: {
      std::string_view packed;
      if (!r.ReadStringView(&packed, &blob)) return fail("truncated packed value");
      std::string arena;
      bool ok;
      if (type == kTypeSetIntset) {
        std::vector<int64_t> ints;
        if (!ReadIntset(packed, &ints)) return fail("corrupt intset");
        for (int64_t v : ints) flat.push_back(std::to_string(v));
        view_all();
        return BuildSet(key, expire, views, limits, out, fail);
      }
      if (type == kTypeHashListpack || type == kTypeZSetListpack || type == kTypeSetListpack) {
        ok = ReadListpackViews(packed, &views, &arena);  // no copies: the common case
      } else {
        ok = type == kTypeHashZipmap ? ReadZipmapElements(packed, &flat) : ReadZiplistElements(packed, &flat);
        view_all();
      }
      if (!ok) return fail("corrupt packed value");
      if (type == kTypeListZiplist) return BuildList(key, expire, views, limits, out);
      if (type == kTypeSetListpack) return BuildSet(key, expire, views, limits, out, fail);
      if (type == kTypeZSetZiplist || type == kTypeZSetListpack) {
        std::vector<std::pair<std::string_view, double>> items;
        if (!PairsToZItems(views, &items)) return fail("corrupt sorted set");
        return BuildZSet(key, expire, items, limits, out, fail);
      }
      return BuildHash(key, expire, views, limits, out, fail);
    }
    case kTypeListQuicklist:
    case kTypeListQuicklist2: {
      uint64_t nodes;
      if (!r.ReadLength(&nodes)) return fail("truncated quicklist");
      if (nodes > r.remaining()) return fail("quicklist length larger than the data");
      for (uint64_t i = 0; i < nodes; ++i) {
        uint64_t container = 2;
        if (type == kTypeListQuicklist2 && !r.ReadLength(&container)) return fail("truncated quicklist node");
        if (!r.ReadString(&blob)) return fail("truncated quicklist node");
        if (container == 1) {  // PLAIN: one element as it is
          flat.push_back(blob);
          continue;
        }
        if (container != 2) return fail("unknown quicklist container");
        const size_t before = flat.size();
        bool ok = type == kTypeListQuicklist ? ReadZiplistElements(blob, &flat) : ReadListpackElements(blob, &flat);
        if (!ok) return fail("corrupt quicklist node");
        if (flat.size() == before) return fail("empty quicklist node");
      }
      view_all();
      return BuildList(key, expire, views, limits, out);
    }
    case kTypeStreamListpacks:
    case kTypeStreamListpacks2:
    case kTypeStreamListpacks3: return ReadStream(r, type, key, expire, limits, out, fail);
    case kTypeModule:
    case kTypeModule2: return fail("module value type " + std::to_string(type) + " (modules are not supported)");
    default: return fail("unknown value type " + std::to_string(type));
  }
}

}  // namespace minired::rdb
