// What eviction knows about each key: the 24 bits every Entry keeps (Entry::lru()),
// read as Redis reads its robj->lru field.
//
//  * LRU policies: the last access time, seconds, wrapping at 2^24 (~194 days).
//  * LFU policies: the high 16 bits are the minute of the last decrement (wrapping at
//    2^16 minutes, ~45 days), the low 8 bits a logarithmic access counter: it grows
//    with probability 1 / ((counter - 5) * lfu-log-factor + 1) per access and loses one
//    per lfu-decay-time minutes without access. New keys start at 5 so they are not the
//    first evicted.
//
// The field is written on every key access, so the policy lives in atomics read
// without locks; switching policy at run time reinterprets old fields (as Redis does,
// they adjust as keys are touched).
#pragma once

#include <atomic>
#include <cstdint>

#include "storage/entry.h"

namespace minired {

struct AccessPolicy {
  std::atomic<bool> lfu{false};
  std::atomic<int> lfu_log_factor{10};
  std::atomic<int> lfu_decay_minutes{1};
};

inline constexpr uint32_t kLruClockMax = (1u << 24) - 1;
inline constexpr uint8_t kLfuInitCounter = 5;

inline uint32_t LruClock(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 1000) & kLruClockMax; }
// Seconds between two LRU clock values, across one wrap.
inline uint32_t LruIdleSeconds(uint32_t then, uint32_t now) {
  return now >= then ? now - then : now + (kLruClockMax - then);
}

inline uint32_t LfuMinutes(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 60000) & 0xffff; }
inline uint32_t LfuField(uint32_t minutes, uint8_t counter) { return (minutes << 8) | counter; }
inline uint8_t LfuCounter(uint32_t field) { return static_cast<uint8_t>(field & 0xff); }
// The counter after the decay owed since the field was last written.
uint8_t LfuDecayedCounter(uint32_t field, int64_t now_ms, int decay_minutes);
// One access: decay, then the logarithmic increment; `coin` is uniform in [0, 1).
uint32_t LfuAccess(uint32_t field, int64_t now_ms, int log_factor, int decay_minutes, double coin);

// Eviction's view of a key: the larger, the better a candidate. LRU: the older its last
// access (in seconds, independent of when it is asked); LFU: 255 - decayed counter.
uint64_t IdleScore(const Entry* e, int64_t now_ms, const AccessPolicy& policy);

// Sets the field of a key just created. now_ms 0 (a replayed or replicated write,
// which runs timeless) uses the wall clock.
void InitAccess(Entry* e, int64_t now_ms, const AccessPolicy& policy);
// Records an access by a client.
void TouchAccess(Entry* e, int64_t now_ms, const AccessPolicy& policy);

}  // namespace minired
