#include "storage/encodings/stream_value.h"

namespace minired {

StreamConsumer* StreamGroup::FindConsumer(std::string_view name) const {
  auto it = consumers_.find(name);
  return it == consumers_.end() ? nullptr : it->second.get();
}

StreamConsumer* StreamGroup::CreateConsumer(std::string_view name, int64_t now_ms) {
  auto [it, inserted] = consumers_.try_emplace(std::string(name));
  if (!inserted) return nullptr;
  it->second = std::make_unique<StreamConsumer>();
  it->second->name = it->first;
  it->second->seen_ms = now_ms;
  return it->second.get();
}

size_t StreamGroup::DeleteConsumer(StreamConsumer* consumer) {
  size_t pending = consumer->pending.size();
  for (StreamId id : consumer->pending) pel.erase(id);
  consumers_.erase(consumer->name);
  return pending;
}

StreamPending& StreamGroup::Deliver(StreamId id, StreamConsumer* consumer, int64_t now_ms, uint64_t count) {
  auto [it, inserted] = pel.try_emplace(id);
  StreamPending& p = it->second;
  if (!inserted && p.consumer != consumer) p.consumer->pending.erase(id);
  p.consumer = consumer;
  consumer->pending.insert(id);
  p.delivery_ms = now_ms;
  p.delivery_count = count;
  return p;
}

bool StreamGroup::Acknowledge(StreamId id) {
  auto it = pel.find(id);
  if (it == pel.end()) return false;
  it->second.consumer->pending.erase(id);
  pel.erase(it);
  return true;
}

std::unique_ptr<StreamGroup> StreamGroup::Clone() const {
  auto copy = std::make_unique<StreamGroup>();
  copy->last_id = last_id;
  copy->entries_read = entries_read;
  for (const auto& [name, c] : consumers_) {
    StreamConsumer* cc = copy->CreateConsumer(name, c->seen_ms);
    cc->pending = c->pending;
  }
  for (const auto& [id, p] : pel) {
    StreamPending& q = copy->pel[id];
    q = p;
    q.consumer = copy->FindConsumer(p.consumer->name);
  }
  return copy;
}

size_t StreamGroup::MemoryBytes() const {
  // std::map / std::set nodes: three pointers and a colour word beside the value.
  constexpr size_t kTreeNode = 4 * sizeof(void*);
  size_t bytes = sizeof(StreamGroup) + pel.size() * (kTreeNode + sizeof(StreamId) + sizeof(StreamPending));
  for (const auto& [name, c] : consumers_) {
    bytes += kTreeNode + sizeof(std::string) + sizeof(void*) + sizeof(StreamConsumer) +
             c->pending.size() * (kTreeNode + sizeof(StreamId));
    if (name.size() > 15) bytes += 2 * (name.size() + 1);  // the key's and the consumer's copies
  }
  return bytes;
}

StreamGroup* StreamValue::FindGroup(std::string_view name) const {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

StreamGroup* StreamValue::CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read) {
  auto [it, inserted] = groups_.try_emplace(std::string(name));
  if (!inserted) return nullptr;
  it->second = std::make_unique<StreamGroup>();
  it->second->last_id = last_id;
  it->second->entries_read = entries_read;
  return it->second.get();
}

bool StreamValue::DestroyGroup(std::string_view name) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return false;
  groups_.erase(it);
  return true;
}

bool StreamValue::RangeHasTombstones(StreamId start, StreamId end) const {
  if (stream.length() == 0 || stream.max_deleted_id == StreamId::Min()) return false;
  if (stream.FirstId() > stream.max_deleted_id) return false;  // the last deletion is behind the first entry
  return start <= stream.max_deleted_id && stream.max_deleted_id <= end;
}

int64_t StreamValue::EstimateEntriesRead(StreamId id) const {
  const auto added = static_cast<int64_t>(stream.entries_added);
  if (added == 0) return 0;  // nothing was ever added: every ID counts 0
  if (stream.length() == 0 && id <= stream.last_id) return added;
  if (id == stream.last_id) return added;
  if (id > stream.last_id) return StreamGroup::kUnknownEntriesRead;  // the future
  const StreamId first = stream.FirstId();
  if (stream.max_deleted_id == StreamId::Min() || stream.max_deleted_id < first) {
    // Nothing deleted ahead of the first entry: the count below it is exact.
    const int64_t before_first = added - static_cast<int64_t>(stream.length());
    if (id < first) return before_first;
    if (id == first) return before_first + 1;
  }
  return StreamGroup::kUnknownEntriesRead;
}

int64_t StreamValue::Lag(const StreamGroup& group) const {
  const auto added = static_cast<int64_t>(stream.entries_added);
  if (added == 0) return 0;
  if (group.entries_read != StreamGroup::kUnknownEntriesRead &&
      !RangeHasTombstones(group.last_id, StreamId::Max())) {
    return added - group.entries_read;
  }
  const int64_t read = EstimateEntriesRead(group.last_id);
  return read == StreamGroup::kUnknownEntriesRead ? -1 : added - read;
}

std::unique_ptr<StreamValue> StreamValue::Clone() const {
  auto copy = std::make_unique<StreamValue>();
  copy->stream = stream;
  for (const auto& [name, g] : groups_) copy->groups_.emplace(name, g->Clone());
  return copy;
}

size_t StreamValue::MemoryBytes() const {
  size_t bytes = sizeof(StreamValue) - sizeof(Stream) + stream.MemoryBytes();
  for (const auto& [name, g] : groups_) bytes += 4 * sizeof(void*) + sizeof(std::string) + g->MemoryBytes();
  return bytes;
}

}  // namespace minired
