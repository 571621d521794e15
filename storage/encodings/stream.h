// A stream's entries: a sequence of nodes, each a compact blob of up to
// stream-node-max-entries entries (and about stream-node-max-bytes), in ID order.
//
// Like Redis's radix tree of listpacks, a node stores its first entry's fields once (the
// "master" fields) and each entry's ID as deltas against the node's first ID, so a stream
// whose entries share their field names costs little more than the values. The nodes sit
// in a deque ordered by first ID: appending is O(1), finding where a range starts is a
// binary search over the nodes and then a scan of one node, trimming from the front drops
// whole nodes in O(1). A deleted entry is flagged in place (as Redis does); a node whose
// entries are all deleted goes away.
//
// Node layout (bytes; varints are LEB128, storage/varint.h):
//   master fields:  count, then per field: length, bytes
//   entries:        (ms - first.ms) << 3 | flags (kDeleted, kSameFields, kSeqZero) in
//                   one varint (a delta past 2^60 is escaped and follows on its own),
//                   then unless kSeqZero: seq - first.seq when the ms are equal, else
//                   seq itself; kSameFields: one value per master field, otherwise:
//                   pair count, then field (length, bytes) and value each
//   values:         an integer in string2ll's form as (zigzag << 1 | 1), anything
//                   else as (length << 1) and its bytes, as a listpack keeps numbers
// Deleting flips kDeleted in the entry's first byte, in place.
//
// Nothing here knows the server, and the consumer groups are kept apart: the commands
// check IDs against last_id and keep entries_added and max_deleted_id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/encodings/stream_id.h"

namespace minired {

using StreamField = std::pair<std::string_view, std::string_view>;

struct StreamNodeLimits {
  size_t max_bytes = 4096;   // stream-node-max-bytes (0: no limit)
  size_t max_entries = 100;  // stream-node-max-entries (0: no limit)
};

class Stream {
 public:
  // --- Entries ---
  // Appends an entry. REQUIRES: id > last_id(), fields not empty.
  void Append(StreamId id, std::span<const StreamField> fields, const StreamNodeLimits& limits);
  // Flags the entry deleted; false when there is no such (live) entry.
  bool Delete(StreamId id);
  size_t length() const { return length_; }
  // The first and last live entries' IDs (0-0 when empty).
  StreamId FirstId() const;
  StreamId LastEntryId() const;
  // The first ID the nodes hold, deleted entries included (Max when there are none):
  // where a MINID trim stopped, as Redis rewrites XADD/XTRIM ... MINID ~ for replicas.
  StreamId FirstNodeId() const { return nodes_.empty() ? StreamId::Max() : nodes_.front().first; }
  // The nodes (Redis's radix-tree-keys in XINFO STREAM).
  size_t node_count() const { return nodes_.size(); }

  // Trimming, as XADD/XTRIM's MAXLEN and MINID: removes entries from the front while
  // the stream is longer than `max_len` / while they are below `min_id`. `approx` (~)
  // removes whole nodes only; `limit` caps the entries removed (0: none). Returns how
  // many were removed.
  size_t TrimToLength(size_t max_len, bool approx, size_t limit);
  size_t TrimBelow(StreamId min_id, bool approx, size_t limit);

  // --- Stream metadata, kept by the commands (XADD, XDEL, XSETID) ---
  StreamId last_id;         // the greatest ID ever added (or set by XSETID)
  uint64_t entries_added = 0;
  StreamId max_deleted_id;  // the greatest ID deleted by XDEL (Redis 7.0)

  // Bytes held (the nodes' blobs and bookkeeping), for MEMORY USAGE and used_memory.
  size_t MemoryBytes() const;

  // Walks entries in ID order (or reverse), from the first >= start (reverse: the first
  // <= start) up to end (reverse: down to end), both inclusive.
  class Cursor {
   public:
    Cursor(const Stream& stream, StreamId start, StreamId end, bool reverse);
    // Moves to the next live entry in range; false when none is left.
    bool Next() { return Advance(true); }
    // The same, reading only the ID (fields() is not filled): for counting a range.
    bool NextId() { return Advance(false); }
    StreamId id() const { return id_; }
    // The entry's field/value pairs: views into the stream (and the cursor), valid until
    // the stream changes or Next is called again.
    std::span<const StreamField> fields() const { return fields_; }

   private:
    bool Advance(bool decode);
    void LoadNode(size_t node);
    const Stream& stream_;
    StreamId start_, end_;
    bool reverse_;
    bool done_ = false;
    size_t node_ = 0;              // the node being walked
    uint32_t left_ = 0;            // its entries not visited yet
    size_t offset_ = 0;            // forward: the next entry's offset
    std::vector<size_t> offsets_;  // reverse: every entry's offset
    StreamId id_;
    std::vector<StreamField> fields_;
    std::string scratch_;  // integer values, printed
  };

 private:
  struct Node {
    StreamId first;      // ID of the node's first entry (deleted or not)
    StreamId last;       // ID of its last entry
    uint32_t count = 0;  // entries written, deleted ones included
    uint32_t live = 0;   // entries not deleted
    size_t master_count = 0;
    size_t entries_at = 0;  // offset of the first entry
    std::string data;
  };
  enum : uint8_t { kDeleted = 1, kSameFields = 2, kSeqZero = 4 };
  static constexpr int kFlagBits = 3;

  // The entry at `offset` of `node`: its flags and ID (returns where its fields start),
  // its fields (appended to `fields` unless null; returns the offset past the entry).
  static size_t DecodeHeader(const Node& node, size_t offset, uint8_t* flags, StreamId* id);
  // Integer values are printed into `scratch`; null `fields` skips the entry.
  static size_t DecodeFields(const Node& node, size_t offset, uint8_t flags, std::vector<StreamField>* fields,
                             std::string* scratch);
  static size_t Skip(const Node& node, size_t offset, uint8_t* flags, StreamId* id);
  // The first node that may hold `id` (the last whose first ID <= id); nodes_.size()
  // when none.
  size_t NodeFor(StreamId id) const;
  bool SameAsMaster(const Node& node, std::span<const StreamField> fields) const;
  // Flags entries deleted from the front of node 0 while `more` says so.
  template <typename More>
  size_t DeleteFromFront(More more, bool approx, size_t limit);

  std::deque<Node> nodes_;
  size_t length_ = 0;
};

}  // namespace minired
