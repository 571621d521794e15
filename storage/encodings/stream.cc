#include "storage/encodings/stream.h"

#include <algorithm>
#include <optional>

#include "protocol/numbers.h"
#include "storage/varint.h"

namespace minired {

namespace {

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

void AppendString(std::string* out, std::string_view s) {
  AppendVarint(out, s.size());
  out->append(s);
}

size_t ReadString(const std::string& data, size_t offset, std::string_view* s) {
  uint64_t len;
  offset += GetVarint(Bytes(data) + offset, &len);
  *s = std::string_view(data.data() + offset, len);
  return offset + len;
}

// An entry's first varint: its ID's milliseconds past the node's first, shifted past
// the flags. A delta too large to shift is escaped and follows in a varint of its own.
constexpr uint64_t kEscapedDelta = uint64_t{1} << 60;

// A value that reads as a 64-bit integer and prints back the same (string2ll's strict
// form) is kept as one, as a listpack keeps it: "120" takes 2 bytes instead of 4.
void AppendValue(std::string* out, std::string_view v) {
  if (v.size() <= kMaxInt64Chars) {
    if (std::optional<int64_t> n = ParseInt64(v)) {
      char buf[kMaxInt64Chars];
      if (std::string_view(buf, FormatInt64(*n, buf)) == v) {
        const uint64_t zigzag = (static_cast<uint64_t>(*n) << 1) ^ static_cast<uint64_t>(*n >> 63);
        if (zigzag < (uint64_t{1} << 63)) {
          AppendVarint(out, (zigzag << 1) | 1);
          return;
        }
      }
    }
  }
  AppendVarint(out, v.size() << 1);
  out->append(v);
}

// A value as AppendValue wrote it; integers are printed into `scratch`, which the
// caller sized so that it does not move.
size_t ReadValue(const std::string& data, size_t offset, std::string_view* v, std::string* scratch) {
  uint64_t tag;
  offset += GetVarint(Bytes(data) + offset, &tag);
  if (tag & 1) {
    if (v != nullptr) {
      const uint64_t zigzag = tag >> 1;
      const auto n = static_cast<int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
      char buf[kMaxInt64Chars];
      const size_t len = FormatInt64(n, buf);
      const size_t at = scratch->size();
      scratch->append(buf, len);
      *v = std::string_view(scratch->data() + at, len);
    }
    return offset;
  }
  const size_t len = static_cast<size_t>(tag >> 1);
  if (v != nullptr) *v = std::string_view(data.data() + offset, len);
  return offset + len;
}

}  // namespace

bool Stream::SameAsMaster(const Node& node, std::span<const StreamField> fields) const {
  if (fields.size() != node.master_count) return false;
  size_t offset = VarintSize(node.master_count);
  for (const StreamField& f : fields) {
    std::string_view master;
    offset = ReadString(node.data, offset, &master);
    if (master != f.first) return false;
  }
  return true;
}

void Stream::Append(StreamId id, std::span<const StreamField> fields, const StreamNodeLimits& limits) {
  bool fresh = nodes_.empty();
  if (!fresh) {
    const Node& tail = nodes_.back();
    fresh = (limits.max_entries > 0 && tail.count >= limits.max_entries) ||
            (limits.max_bytes > 0 && tail.data.size() >= limits.max_bytes);
  }
  if (fresh) {
    // The full node will not grow again: its blob gives back what it reserved.
    if (!nodes_.empty()) nodes_.back().data.shrink_to_fit();
    Node n;
    n.first = id;
    AppendVarint(&n.data, fields.size());
    for (const StreamField& f : fields) AppendString(&n.data, f.first);
    n.master_count = fields.size();
    n.entries_at = n.data.size();
    nodes_.push_back(std::move(n));
  }
  Node& node = nodes_.back();
  const bool same = SameAsMaster(node, fields);
  const uint64_t ms_delta = id.ms - node.first.ms;
  const uint64_t seq = ms_delta == 0 ? id.seq - node.first.seq : id.seq;
  const uint64_t flags = (same ? kSameFields : 0) | (seq == 0 ? kSeqZero : 0);
  if (ms_delta < kEscapedDelta) {
    AppendVarint(&node.data, (ms_delta << kFlagBits) | flags);
  } else {
    AppendVarint(&node.data, (kEscapedDelta << kFlagBits) | flags);
    AppendVarint(&node.data, ms_delta);
  }
  if (seq != 0) AppendVarint(&node.data, seq);
  if (same) {
    for (const StreamField& f : fields) AppendValue(&node.data, f.second);
  } else {
    AppendVarint(&node.data, fields.size());
    for (const StreamField& f : fields) {
      AppendString(&node.data, f.first);
      AppendValue(&node.data, f.second);
    }
  }
  node.last = id;
  ++node.count;
  ++node.live;
  ++length_;
}

size_t Stream::DecodeHeader(const Node& node, size_t offset, uint8_t* flags, StreamId* id) {
  const std::string& d = node.data;
  uint64_t head, ms_delta, seq = 0;
  offset += GetVarint(Bytes(d) + offset, &head);
  *flags = static_cast<uint8_t>(head & ((1u << kFlagBits) - 1));
  ms_delta = head >> kFlagBits;
  if (ms_delta == kEscapedDelta) offset += GetVarint(Bytes(d) + offset, &ms_delta);
  if (!(*flags & kSeqZero)) offset += GetVarint(Bytes(d) + offset, &seq);
  id->ms = node.first.ms + ms_delta;
  id->seq = ms_delta == 0 ? node.first.seq + seq : seq;
  return offset;
}

size_t Stream::DecodeFields(const Node& node, size_t offset, uint8_t flags, std::vector<StreamField>* fields,
                            std::string* scratch) {
  const std::string& d = node.data;
  if (flags & kSameFields) {
    if (fields != nullptr) {
      scratch->clear();
      scratch->reserve(node.master_count * kMaxInt64Chars);
    }
    size_t master = VarintSize(node.master_count);
    for (size_t i = 0; i < node.master_count; ++i) {
      StreamField f;
      if (fields != nullptr) master = ReadString(d, master, &f.first);
      offset = ReadValue(d, offset, fields != nullptr ? &f.second : nullptr, scratch);
      if (fields != nullptr) fields->push_back(f);
    }
    return offset;
  }
  uint64_t pairs;
  offset += GetVarint(Bytes(d) + offset, &pairs);
  if (fields != nullptr) {
    scratch->clear();
    scratch->reserve(static_cast<size_t>(pairs) * kMaxInt64Chars);
  }
  for (uint64_t i = 0; i < pairs; ++i) {
    StreamField f;
    offset = ReadString(d, offset, &f.first);
    offset = ReadValue(d, offset, fields != nullptr ? &f.second : nullptr, scratch);
    if (fields != nullptr) fields->push_back(f);
  }
  return offset;
}

size_t Stream::Skip(const Node& node, size_t offset, uint8_t* flags, StreamId* id) {
  offset = DecodeHeader(node, offset, flags, id);
  return DecodeFields(node, offset, *flags, nullptr, nullptr);
}

size_t Stream::NodeFor(StreamId id) const {
  // The first node whose first ID is > id, then one back.
  auto it = std::upper_bound(nodes_.begin(), nodes_.end(), id,
                             [](StreamId v, const Node& n) { return v < n.first; });
  if (it == nodes_.begin()) return nodes_.size();
  return static_cast<size_t>(it - nodes_.begin()) - 1;
}

bool Stream::Delete(StreamId id) {
  size_t n = NodeFor(id);
  if (n == nodes_.size() || id > nodes_[n].last) return false;
  Node& node = nodes_[n];
  size_t offset = node.entries_at;
  for (uint32_t i = 0; i < node.count; ++i) {
    uint8_t flags;
    StreamId at;
    size_t next = Skip(node, offset, &flags, &at);
    if (at == id) {
      if (flags & kDeleted) return false;
      node.data[offset] = static_cast<char>(node.data[offset] | kDeleted);
      --node.live;
      --length_;
      if (node.live == 0) nodes_.erase(nodes_.begin() + static_cast<std::ptrdiff_t>(n));
      return true;
    }
    if (at > id) return false;
    offset = next;
  }
  return false;
}

StreamId Stream::FirstId() const {
  Cursor c(*this, StreamId::Min(), StreamId::Max(), false);
  return c.Next() ? c.id() : StreamId::Min();
}

StreamId Stream::LastEntryId() const {
  Cursor c(*this, StreamId::Max(), StreamId::Min(), true);
  return c.Next() ? c.id() : StreamId::Min();
}

template <typename More>
size_t Stream::DeleteFromFront(More more, bool approx, size_t limit) {
  size_t removed = 0;
  while (!nodes_.empty()) {
    Node& node = nodes_.front();
    // A whole node goes when everything in it is to go.
    if (more(node.live, node.last)) {
      if (limit > 0 && removed + node.live > limit) break;
      removed += node.live;
      length_ -= node.live;
      nodes_.pop_front();
      continue;
    }
    // Part of it: only an exact trim flags entries one by one (as Redis).
    if (approx) break;
    size_t offset = node.entries_at;
    for (uint32_t i = 0; i < node.count && node.live > 0; ++i) {
      uint8_t flags;
      StreamId id;
      size_t next = Skip(node, offset, &flags, &id);
      if (!(flags & kDeleted)) {
        if (!more(1, id) || (limit > 0 && removed >= limit)) return removed;
        node.data[offset] = static_cast<char>(node.data[offset] | kDeleted);
        --node.live;
        --length_;
        ++removed;
      }
      offset = next;
    }
    if (node.live == 0) nodes_.pop_front();
    break;
  }
  return removed;
}

size_t Stream::TrimToLength(size_t max_len, bool approx, size_t limit) {
  // `n` more entries may go while the stream stays at least max_len long.
  return DeleteFromFront([&](size_t n, StreamId) { return length_ >= max_len + n; }, approx, limit);
}

size_t Stream::TrimBelow(StreamId min_id, bool approx, size_t limit) {
  // Entries up to `last` may go when it is below min_id.
  return DeleteFromFront([&](size_t, StreamId last) { return last < min_id; }, approx, limit);
}

size_t Stream::MemoryBytes() const {
  size_t bytes = sizeof(Stream);
  for (const Node& n : nodes_) bytes += sizeof(Node) + n.data.capacity();
  return bytes;
}

// --- Cursor ---

Stream::Cursor::Cursor(const Stream& stream, StreamId start, StreamId end, bool reverse)
    : stream_(stream), start_(start), end_(end), reverse_(reverse) {
  const size_t count = stream.nodes_.size();
  if (count == 0 || (!reverse && start > end) || (reverse && start < end)) {
    done_ = true;
    return;
  }
  node_ = stream.NodeFor(start);
  if (node_ == count) {
    // start is below every node: forward begins at the first; reverse has nothing.
    if (reverse) {
      done_ = true;
      return;
    }
    node_ = 0;
  }
  LoadNode(node_);
}

void Stream::Cursor::LoadNode(size_t node) {
  const Node& n = stream_.nodes_[node];
  left_ = n.count;
  offset_ = n.entries_at;
  if (!reverse_) return;
  // Backwards: the entries' offsets first (a node holds at most a few hundred).
  offsets_.clear();
  size_t offset = n.entries_at;
  for (uint32_t i = 0; i < n.count; ++i) {
    offsets_.push_back(offset);
    uint8_t flags;
    StreamId id;
    offset = Skip(n, offset, &flags, &id);
  }
}

bool Stream::Cursor::Advance(bool decode) {
  while (!done_) {
    if (left_ == 0) {
      // The next node, unless the range ends before it.
      if (reverse_) {
        if (node_ == 0 || stream_.nodes_[node_ - 1].last < end_) return done_ = true, false;
        LoadNode(--node_);
      } else {
        if (node_ + 1 >= stream_.nodes_.size() || stream_.nodes_[node_ + 1].first > end_) {
          return done_ = true, false;
        }
        LoadNode(++node_);
      }
      continue;
    }
    const Node& n = stream_.nodes_[node_];
    --left_;
    const size_t at = reverse_ ? offsets_[left_] : offset_;
    uint8_t flags;
    const size_t fields_at = DecodeHeader(n, at, &flags, &id_);
    const bool wanted = !(flags & kDeleted) && (reverse_ ? id_ <= start_ : id_ >= start_);
    if (reverse_ ? id_ < end_ : id_ > end_) return done_ = true, false;
    if (!wanted || !decode) {
      if (!reverse_) offset_ = DecodeFields(n, fields_at, flags, nullptr, nullptr);
      if (!wanted) continue;
      return true;
    }
    fields_.clear();
    const size_t next = DecodeFields(n, fields_at, flags, &fields_, &scratch_);
    if (!reverse_) offset_ = next;
    return true;
  }
  return false;
}

}  // namespace minired
