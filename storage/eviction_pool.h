// The best eviction candidates seen so far, as Redis's EVPOOL: sampling a few keys per
// round and keeping the 16 best across rounds approximates true LRU/LFU/TTL order
// closely without a global list on the hot path. Keys are copied in: a candidate may be
// deleted or rewritten before it is popped, so the evictor looks it up again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace minired {

struct EvictionCandidate {
  uint64_t score = 0;  // larger: evict sooner
  int db = 0;
  std::string key;
};

class EvictionPool {
 public:
  static constexpr size_t kCapacity = 16;

  // Keeps the key if the pool has room or it beats the worst candidate held; a key
  // already held gets the new score.
  void Offer(uint64_t score, int db, std::string_view key);
  // Takes out the best candidate; false when empty.
  bool PopBest(EvictionCandidate* out);
  size_t size() const { return candidates_.size(); }
  void Clear() { candidates_.clear(); }

 private:
  std::vector<EvictionCandidate> candidates_;  // ascending score: the best is last
};

}  // namespace minired
