#include "storage/eviction_pool.h"

#include <algorithm>

namespace minired {

void EvictionPool::Offer(uint64_t score, int db, std::string_view key) {
  auto same = std::find_if(candidates_.begin(), candidates_.end(),
                           [&](const EvictionCandidate& c) { return c.db == db && c.key == key; });
  if (same != candidates_.end()) candidates_.erase(same);
  if (candidates_.size() == kCapacity) {
    if (score <= candidates_.front().score) return;
    candidates_.erase(candidates_.begin());
  }
  auto at = std::upper_bound(candidates_.begin(), candidates_.end(), score,
                             [](uint64_t s, const EvictionCandidate& c) { return s < c.score; });
  candidates_.insert(at, EvictionCandidate{score, db, std::string(key)});
}

bool EvictionPool::PopBest(EvictionCandidate* out) {
  if (candidates_.empty()) return false;
  *out = std::move(candidates_.back());
  candidates_.pop_back();
  return true;
}

}  // namespace minired
