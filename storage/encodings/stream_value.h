// A stream key's value: its entries (stream.h) and its consumer groups.
//
// A group keeps what Redis's streamCG keeps: the last ID delivered to it, its logical
// read counter (entries_read, -1 while unknown), the pending entries list (PEL: every
// entry delivered and not acknowledged, with its consumer, last delivery time and
// delivery count) and its consumers, each with the IDs of its own pending entries and
// the time it was last seen. Groups and consumers are kept sorted by name, PELs by ID,
// as Redis's radix trees keep them, so every reply lists them in Redis's order.
//
// Nothing here knows the server; the commands (server/families/stream_*) keep the
// invariants: every PEL entry's consumer is in the group and lists that ID, and no
// consumer lists an ID the group's PEL lacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "storage/encodings/stream.h"

namespace minired {

struct StreamConsumer {
  std::string name;
  int64_t seen_ms = 0;          // last time it read or claimed (XINFO's idle / seen-time)
  std::set<StreamId> pending;   // its entries in the group's PEL
};

// One pending entry (Redis's streamNACK).
struct StreamPending {
  int64_t delivery_ms = 0;     // last delivery
  uint64_t delivery_count = 0;
  StreamConsumer* consumer = nullptr;
};

class StreamGroup {
 public:
  static constexpr int64_t kUnknownEntriesRead = -1;

  StreamId last_id;
  int64_t entries_read = kUnknownEntriesRead;
  std::map<StreamId, StreamPending> pel;

  using Consumers = std::map<std::string, std::unique_ptr<StreamConsumer>, std::less<>>;
  const Consumers& consumers() const { return consumers_; }
  StreamConsumer* FindConsumer(std::string_view name) const;
  // Adds a consumer seen at `now_ms`; null when one of that name exists.
  StreamConsumer* CreateConsumer(std::string_view name, int64_t now_ms);
  // Removes the consumer and its pending entries (from the PEL too); returns how many
  // were pending.
  size_t DeleteConsumer(StreamConsumer* consumer);

  // Records a delivery of `id` to `consumer` at `now_ms`, `count` deliveries in all: a
  // new PEL entry, or an existing one moved to `consumer`.
  StreamPending& Deliver(StreamId id, StreamConsumer* consumer, int64_t now_ms, uint64_t count);
  // Removes `id` from the PEL and its consumer's list; false when it was not pending.
  bool Acknowledge(StreamId id);

  // An independent copy (COPY): its PEL entries point at its own consumers.
  std::unique_ptr<StreamGroup> Clone() const;
  size_t MemoryBytes() const;

 private:
  Consumers consumers_;
};

class StreamValue {
 public:
  Stream stream;

  using Groups = std::map<std::string, std::unique_ptr<StreamGroup>, std::less<>>;
  const Groups& groups() const { return groups_; }
  StreamGroup* FindGroup(std::string_view name) const;
  // Null when a group of that name exists.
  StreamGroup* CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read);
  bool DestroyGroup(std::string_view name);

  // The logical read counter of `id` (Redis's streamEstimateDistanceFromFirstEverEntry):
  // how many entries were ever added up to it, or -1 when that cannot be known (an ID
  // between the first and last entries, past the last, or behind a deleted entry).
  int64_t EstimateEntriesRead(StreamId id) const;
  // Whether an entry between `start` and `end` may have been deleted (XDEL).
  bool RangeHasTombstones(StreamId start, StreamId end) const;
  // The group's lag (entries added it has not read yet); -1 when unknown.
  int64_t Lag(const StreamGroup& group) const;

  std::unique_ptr<StreamValue> Clone() const;
  size_t MemoryBytes() const;

 private:
  Groups groups_;
};

}  // namespace minired
