// The shards' mutex: a futex mutex that spins before it sleeps.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace minired {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// A mutex that spins before it sleeps. A shard is held for one command or one script,
// a few microseconds, and with every client on the same few keys (hot keys, a script
// reading the same 5 keys on every call) a futex sleep and wake-up per acquisition cost
// more than the wait itself: perf showed a fifth of the server's time in futex calls.
// Spinning up to 2,000 pauses (tens of microseconds) before sleeping served 1.3x-1.6x
// the EVALSHA calls over 5 hot keys and 1.1x-1.4x over 5 random keys (pipeline 16, 50
// clients, 2 and 4 I/O threads on 2 cores; bench/results/scripting-vs-redis.md), with
// GET and SET unchanged within noise.
//
// Its own futex word rather than a pthread mutex: every command takes and releases at
// least one shard, and glibc's calls (through the PLT, dispatching on the mutex's type)
// were 3-6 % of a pipelined SET's samples; here the uncontended paths are one atomic
// instruction each, inline. The states are Drepper's ("Futexes Are Tricky", mutex 3):
// 0 free, 1 held, 2 held and someone may be asleep, so that unlock makes a system call
// only when a thread may be waiting.
class SpinningMutex {
 public:
  SpinningMutex() = default;
  SpinningMutex(const SpinningMutex&) = delete;
  SpinningMutex& operator=(const SpinningMutex&) = delete;
  void lock() {
    uint32_t expected = kFree;
    if (state_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire, std::memory_order_relaxed)) return;
    LockContended();
  }
  bool try_lock() {
    uint32_t expected = kFree;
    return state_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire, std::memory_order_relaxed);
  }
  void unlock() {
    if (state_.exchange(kFree, std::memory_order_release) == kHeldWithSleepers) Wake();
  }

 private:
  static constexpr uint32_t kFree = 0, kHeld = 1, kHeldWithSleepers = 2;
  static constexpr int kSpins = 2000;

  void LockContended() {
    for (int i = 0; i < kSpins; ++i) {
      CpuRelax();
      // Read, not try: a compare-and-swap per turn would take the line from the holder.
      if (state_.load(std::memory_order_relaxed) == kFree && try_lock()) return;
    }
    // Marking the word "held with sleepers" before sleeping makes the holder's unlock
    // wake us; whoever takes it this way keeps the mark (it cannot know whether others
    // sleep too), which costs at most one needless wake-up.
    while (state_.exchange(kHeldWithSleepers, std::memory_order_acquire) != kFree) {
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAIT_PRIVATE, kHeldWithSleepers, nullptr, nullptr, 0);
    }
  }
  void Wake() {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }

  std::atomic<uint32_t> state_{kFree};
};

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) && std::atomic<uint32_t>::is_always_lock_free);

}  // namespace minired
