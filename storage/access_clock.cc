#include "storage/access_clock.h"

#include <chrono>

namespace minired {
namespace {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A per-thread xorshift: the LFU coin is flipped on every access, under a shard lock.
double Coin() {
  thread_local uint64_t state = 0x9e3779b97f4a7c15ULL ^ reinterpret_cast<uint64_t>(&state);
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return static_cast<double>(state >> 11) * 0x1.0p-53;
}

}  // namespace

uint8_t LfuDecayedCounter(uint32_t field, int64_t now_ms, int decay_minutes) {
  uint8_t counter = LfuCounter(field);
  if (decay_minutes <= 0) return counter;
  uint32_t then = field >> 8, now = LfuMinutes(now_ms);
  uint32_t elapsed = now >= then ? now - then : 65535 - then + now;
  uint32_t periods = elapsed / static_cast<uint32_t>(decay_minutes);
  return periods >= counter ? 0 : static_cast<uint8_t>(counter - periods);
}

uint32_t LfuAccess(uint32_t field, int64_t now_ms, int log_factor, int decay_minutes, double coin) {
  uint8_t counter = LfuDecayedCounter(field, now_ms, decay_minutes);
  if (counter < 255) {
    double base = counter > kLfuInitCounter ? counter - kLfuInitCounter : 0;
    if (coin < 1.0 / (base * log_factor + 1)) ++counter;
  }
  return LfuField(LfuMinutes(now_ms), counter);
}

uint64_t IdleScore(const Entry* e, int64_t now_ms, const AccessPolicy& policy) {
  if (policy.lfu.load(std::memory_order_relaxed)) {
    return 255 - LfuDecayedCounter(e->lru(), now_ms, policy.lfu_decay_minutes.load(std::memory_order_relaxed));
  }
  // The second of the last access, negated: a key sampled twice scores the same both
  // times, so candidates pooled at different moments compare fairly (an idle time
  // would rise with the clock and make an old sample look as good as a cold key).
  constexpr int64_t kBase = int64_t{1} << 40;
  int64_t last_access_s = now_ms / 1000 - LruIdleSeconds(e->lru(), LruClock(now_ms));
  return static_cast<uint64_t>(kBase - last_access_s);
}

void InitAccess(Entry* e, int64_t now_ms, const AccessPolicy& policy) {
  if (now_ms == 0) now_ms = WallMs();
  e->set_lru(policy.lfu.load(std::memory_order_relaxed) ? LfuField(LfuMinutes(now_ms), kLfuInitCounter)
                                                         : LruClock(now_ms));
}

void TouchAccess(Entry* e, int64_t now_ms, const AccessPolicy& policy) {
  if (now_ms == 0) return;  // the master's stream and log replay are not client accesses
  if (policy.lfu.load(std::memory_order_relaxed)) {
    e->set_lru(LfuAccess(e->lru(), now_ms, policy.lfu_log_factor.load(std::memory_order_relaxed),
                         policy.lfu_decay_minutes.load(std::memory_order_relaxed), Coin()));
  } else {
    e->set_lru(LruClock(now_ms));
  }
}

}  // namespace minired
