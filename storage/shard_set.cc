#include "storage/shard_set.h"

#include <cassert>

namespace minired {

void ShardMutex::DumpPending() {
  ShardDumper* d = dumper_.exchange(nullptr, std::memory_order_acq_rel);
  if (d != nullptr) d->DumpShard(*owner_);
}

ShardSet::ShardSet(size_t shards, int databases, const AccessPolicy* access)
    : mask_(shards - 1), databases_(databases) {
  static const AccessPolicy kLru;
  if (access == nullptr) access = &kLru;
  assert(shards > 0 && (shards & (shards - 1)) == 0 && shards <= 4096);
  shards_.reserve(shards);
  for (size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>(databases, access));
}

ShardSet::Lock ShardSet::LockKeys(std::span<const std::string_view> keys) {
  std::vector<size_t> ids;
  ids.reserve(keys.size());
  for (std::string_view k : keys) ids.push_back(ShardOf(HashKey(k)));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  Lock lock;
  lock.held_.reserve(ids.size());
  for (size_t id : ids) {
    shards_[id]->mu().lock();
    lock.held_.push_back(&shards_[id]->mu());
  }
  return lock;
}

ShardSet::Lock ShardSet::LockAll() {
  Lock lock;
  lock.held_.reserve(shards_.size());
  for (auto& s : shards_) {
    s->mu().lock();
    lock.held_.push_back(&s->mu());
  }
  return lock;
}

void ShardSet::SwapContents(ShardSet& other) {
  Lock all = LockAll();
  for (size_t i = 0; i < shards_.size(); ++i) {
    for (int d = 0; d < databases_; ++d) shards_[i]->SwapDbWith(*other.shards_[i], d);
  }
}

}  // namespace minired
