// The shards' mutex: a futex mutex that spins before it sleeps.
#pragma once

#include <pthread.h>

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
class SpinningMutex {
 public:
  SpinningMutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&mu_, &attr);
    pthread_mutexattr_destroy(&attr);
  }
  ~SpinningMutex() { pthread_mutex_destroy(&mu_); }
  SpinningMutex(const SpinningMutex&) = delete;
  SpinningMutex& operator=(const SpinningMutex&) = delete;
  void lock() {
    if (pthread_mutex_trylock(&mu_) == 0) return;
    for (int i = 0; i < kSpins; ++i) {
      CpuRelax();
      // Read, not try: a compare-and-swap per turn would take the line from the holder.
      if (__atomic_load_n(&mu_.__data.__lock, __ATOMIC_RELAXED) == 0 && pthread_mutex_trylock(&mu_) == 0) return;
    }
    pthread_mutex_lock(&mu_);
  }
  bool try_lock() { return pthread_mutex_trylock(&mu_) == 0; }
  void unlock() { pthread_mutex_unlock(&mu_); }

 private:
  static constexpr int kSpins = 2000;
  pthread_mutex_t mu_;
};

}  // namespace minired
