#include "server/script_gate.h"

#include <chrono>
#include <thread>

#include "server/logger.h"

namespace minired {
int64_t ScriptGate::NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

ScriptGate::ScriptGate(size_t threads) : slots_(new Slot[threads == 0 ? 1 : threads]), threads_(threads == 0 ? 1 : threads) {}

void ScriptGate::Begin(int thread, RunInfo info) {
  // Waiting for another script must not count as working, or that script would wait
  // for this thread in turn.
  const bool was_working = slots_[static_cast<size_t>(thread)].working.load(std::memory_order_relaxed);
  Leave(thread);
  run_mu_.lock();
  was_working_ = was_working;
  slots_[static_cast<size_t>(thread)].working.store(true, std::memory_order_seq_cst);
  Install(info);
  busy_ = false;
  running_.store(true, std::memory_order_seq_cst);
  for (size_t t = 0; t < threads_; ++t) {
    if (t == static_cast<size_t>(thread)) continue;
    while (slots_[t].working.load(std::memory_order_seq_cst)) std::this_thread::yield();
  }
}

void ScriptGate::Install(RunInfo info) {
  {
    std::lock_guard lock(info_mu_);
    info_ = info;
    info_valid_ = true;
  }
  wrote_ = false;
  kill_ = false;
  started_us_ = NowUs();
}

bool ScriptGate::TryAnnounceBusy(int thread, RunInfo info) {
  if (!run_mu_.try_lock()) return false;
  was_working_ = slots_[static_cast<size_t>(thread)].working.load(std::memory_order_relaxed);
  Install(info);
  running_.store(true, std::memory_order_seq_cst);
  busy_.store(true, std::memory_order_release);
  ResumeParked();
  return true;
}

void ScriptGate::End(int thread) {
  {
    std::lock_guard lock(info_mu_);  // the views die with the command: nobody copies them after
    info_valid_ = false;
  }
  running_.store(false, std::memory_order_seq_cst);
  busy_.store(false, std::memory_order_release);
  slots_[static_cast<size_t>(thread)].working.store(was_working_, std::memory_order_release);
  run_mu_.unlock();
  ResumeParked();
}

bool ScriptGate::Poll(int64_t threshold_ms) {
  if (!busy_.load(std::memory_order_relaxed) && threshold_ms > 0) {
    const int64_t elapsed_ms = (NowUs() - started_us_.load(std::memory_order_relaxed)) / 1000;
    if (elapsed_ms >= threshold_ms) {
      bool eval;
      {
        std::lock_guard lock(info_mu_);
        eval = info_.eval;
      }
      Log(LogLevel::kWarning,
          "Slow script detected: still in execution after {} milliseconds. You can try killing the script using the "
          "{} command.",
          elapsed_ms, eval ? "SCRIPT KILL" : "FUNCTION KILL");
      busy_.store(true, std::memory_order_release);
      ResumeParked();  // they retry, and get -BUSY
    }
  }
  return kill_.load(std::memory_order_acquire);
}

std::string ScriptGate::BusyError() const {
  bool eval;
  {
    std::lock_guard lock(info_mu_);
    eval = info_.eval;
  }
  return std::string("BUSY Redis is busy running a script. You can only call ") +
         (eval ? "SCRIPT KILL" : "FUNCTION KILL") + " or SHUTDOWN NOSAVE.";
}

ScriptGate::Kill ScriptGate::RequestKill(bool eval) {
  if (!running_.load(std::memory_order_acquire)) return Kill::kNotBusy;
  if (wrote_.load(std::memory_order_relaxed)) return Kill::kUnkillable;
  {
    std::lock_guard lock(info_mu_);
    if (info_.eval != eval) return Kill::kOtherKind;
  }
  kill_.store(true, std::memory_order_release);
  return Kill::kKilled;
}

bool ScriptGate::Describe(Running* out) const {
  std::lock_guard lock(info_mu_);
  if (!info_valid_) return false;
  out->eval = info_.eval;
  out->name = info_.name;
  out->command.assign(info_.command.begin(), info_.command.end());
  out->duration_ms = (NowUs() - started_us_.load(std::memory_order_relaxed)) / 1000;
  return true;
}

void ScriptGate::Park(uint64_t id, std::function<void()> resume) {
  {
    std::lock_guard lock(park_mu_);
    // Ended or turned busy meanwhile: retry at once (after the lock, outside it).
    if (running_.load(std::memory_order_acquire) && !busy_.load(std::memory_order_acquire)) {
      parked_.emplace_back(id, std::move(resume));
      return;
    }
  }
  resume();
}

void ScriptGate::Forget(uint64_t id) {
  std::lock_guard lock(park_mu_);
  std::erase_if(parked_, [id](const auto& p) { return p.first == id; });
}

void ScriptGate::ResumeParked() {
  std::vector<std::pair<uint64_t, std::function<void()>>> parked;
  {
    std::lock_guard lock(park_mu_);
    parked.swap(parked_);
  }
  for (auto& [id, resume] : parked) resume();
}

}  // namespace minired
