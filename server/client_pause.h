// CLIENT PAUSE: holds clients' commands back until a deadline or CLIENT UNPAUSE.
//
// Under WRITE, commands that may change data (flagged write, or EXEC of a transaction
// holding one) wait and reads go on; under ALL every command of a normal client waits.
// Replicas are never paused. While any pause holds, keys are neither expired nor
// evicted (as Redis: a paused server must not produce writes of its own), so a
// failover can take a consistent offset.
//
// A connection whose next command must wait parks itself here with a function that
// resumes it (posted to its own thread); Unpause (or the deadline) runs them all.
// Thread-safe: the state is atomics, the parked clients guarded by mu_.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace minired {

class ClientPause {
 public:
  enum class Mode { kNone = 0, kWrite = 1, kAll = 2 };

  // From now until `until_ms` (a later CLIENT PAUSE replaces an earlier one).
  void Pause(Mode mode, int64_t until_ms);
  // Ends the pause and resumes every parked client.
  void Unpause();
  // Unpauses when the deadline has passed; true if it did. REQUIRES: now_ms is the
  // server's clock.
  bool ExpireIfDue(int64_t now_ms);

  // Whether a command of a normal client must wait now: any command under ALL, one
  // that may write under WRITE. One relaxed load when nothing is paused.
  bool Holds(bool may_write) const {
    Mode m = mode_.load(std::memory_order_acquire);
    return m == Mode::kAll || (m == Mode::kWrite && may_write);
  }
  // Whether expiry and eviction must hold off.
  bool active() const { return mode_.load(std::memory_order_acquire) != Mode::kNone; }
  int64_t until_ms() const { return until_ms_.load(std::memory_order_relaxed); }

  // Parks client `id` until the pause ends; `resume` is called once, from the thread
  // that ends it. If the pause ended meanwhile, it is called at once.
  void Park(uint64_t id, std::function<void()> resume);
  // A parked client that went away.
  void Forget(uint64_t id);

 private:
  std::atomic<Mode> mode_{Mode::kNone};
  std::atomic<int64_t> until_ms_{0};
  std::mutex mu_;
  std::vector<std::pair<uint64_t, std::function<void()>>> parked_;  // guarded by mu_
};

}  // namespace minired
