// What the other clients see while a script runs (Redis's "busy script"): a script
// holds every shard for its whole run, so a command of another I/O thread would block
// that thread on the script's locks, taking all of its clients with it.
//
// Instead each I/O thread marks itself working around every command it runs (and its
// own shard work, such as active expiry), and checks the gate first: while a script
// runs, the command waits, parked as under CLIENT PAUSE, with no lock held and the
// thread free for its other clients; once the script ran past busy-reply-threshold,
// the parked and new commands get -BUSY, except those Redis lets through (SCRIPT KILL,
// FUNCTION KILL, FUNCTION STATS, SHUTDOWN NOSAVE, AUTH, MULTI...). The script starts
// only once no other thread is working (each either finished its command or saw the
// gate closed): a Dekker handshake, one store, fence and load per command.
//
// The script's own Lua hook (every 100,000 instructions) tells the gate the time, so it
// can declare the script timed out, and learns whether SCRIPT KILL / FUNCTION KILL asked
// for it to stop. A script that wrote cannot be stopped (-UNKILLABLE): only SHUTDOWN
// NOSAVE ends it.
//
// The clients of the script's own I/O thread are served from the same hook once the
// script is busy (server/net/serve_while_busy.cc). Not covered: a script inside EXEC
// runs under the transaction's locks without going through the gate (it cannot be
// killed).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minired {

class ScriptGate {
 public:
  explicit ScriptGate(size_t threads);

  // --- I/O threads, around each command ---
  // Marks `thread` working; false (and not marked) while a script runs.
  bool TryEnter(int thread) {
    Slot& s = slots_[static_cast<size_t>(thread)];
    s.working.store(true, std::memory_order_seq_cst);
    if (!running_.load(std::memory_order_seq_cst)) return true;
    s.working.store(false, std::memory_order_release);
    return false;
  }
  void Leave(int thread) { slots_[static_cast<size_t>(thread)].working.store(false, std::memory_order_release); }

  // --- the script's thread ---
  // The running script, as views into its run and its command: the gate holds them
  // until End (which comes before the command's arguments go), and copies them out for
  // FUNCTION STATS under its lock, so a script costs no copy of its arguments.
  struct RunInfo {
    bool eval = true;                           // EVAL & co. (SCRIPT KILL), or a function (FUNCTION KILL)
    std::string_view name;                      // the script's SHA1 or the function's name
    std::span<const std::string_view> command;  // what the caller sent
  };
  // The clock the gate times scripts with (microseconds, monotonic).
  static int64_t NowUs();
  // Closes the gate for the script `info` run by `thread`, which is marked working:
  // waits for the other threads' commands to finish. One script at a time.
  void Begin(int thread, RunInfo info);
  // Opens the gate again and resumes the parked clients; `thread` is left marked as it
  // was before Begin.
  void End(int thread);
  // A script run under its declared keys' shards that has run past busy-reply-threshold:
  // closes the gate as busy at once, without waiting for the other threads (their
  // commands on other shards may run meanwhile), so clients get -BUSY and may kill it.
  // False when another script holds the gate. End(thread) opens it again.
  bool TryAnnounceBusy(int thread, RunInfo info);
  // From the script's hook: whether a kill was asked; once the script has run past
  // `threshold_ms` (0: never) the gate answers -BUSY, and the parked clients retry.
  bool Poll(int64_t threshold_ms);
  // The script ran a write command: it can no longer be killed.
  void MarkWrote() { wrote_.store(true, std::memory_order_relaxed); }

  // --- anyone ---
  bool running() const { return running_.load(std::memory_order_acquire); }
  // The running script is past busy-reply-threshold: commands get -BUSY.
  bool busy() const { return busy_.load(std::memory_order_acquire); }
  // The -BUSY text for the running script's kind.
  std::string BusyError() const;
  enum class Kill { kNotBusy, kKilled, kUnkillable, kOtherKind };
  // SCRIPT KILL (`eval`) or FUNCTION KILL.
  Kill RequestKill(bool eval);
  // The running script (FUNCTION STATS), copied; false when none.
  struct Running {
    bool eval = true;
    std::string name;
    std::vector<std::string> command;
    int64_t duration_ms = 0;
  };
  bool Describe(Running* out) const;
  // Parks client `id` until the script ends or turns busy; `resume` runs once.
  void Park(uint64_t id, std::function<void()> resume);
  void Forget(uint64_t id);

 private:
  // Begin and TryAnnounceBusy: the script `info` starts now, not killed, not written.
  // REQUIRES: run_mu_ held.
  void Install(RunInfo info);
  void ResumeParked();

  struct alignas(64) Slot {
    std::atomic<bool> working{false};
  };
  std::unique_ptr<Slot[]> slots_;
  size_t threads_;
  std::mutex run_mu_;  // one script at a time (held from Begin to End)
  std::atomic<bool> running_{false};
  std::atomic<bool> busy_{false};
  std::atomic<bool> wrote_{false};
  std::atomic<bool> kill_{false};
  std::atomic<int64_t> started_us_{0};
  bool was_working_ = false;  // the script thread's mark before Begin (guarded by run_mu_)
  mutable std::mutex info_mu_;
  RunInfo info_;               // guarded by info_mu_
  bool info_valid_ = false;    // guarded by info_mu_: info_'s views are alive (Begin to End)
  std::mutex park_mu_;
  std::vector<std::pair<uint64_t, std::function<void()>>> parked_;  // guarded by park_mu_
};

}  // namespace minired
