// How storage reports an operation that may have kept clients waiting (an fsync, a
// snapshot holding a shard's lock) to the server's latency monitor (LATENCY LATEST),
// without depending on the server. Unset, nothing is reported.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

namespace minired {

using LatencyHook = std::function<void(std::string_view event, std::chrono::steady_clock::duration took)>;

// Reports the time since it was made when it goes out of scope.
class LatencyTimer {
 public:
  LatencyTimer(const LatencyHook& hook, std::string_view event) : hook_(hook), event_(event) {}
  ~LatencyTimer() {
    if (hook_) hook_(event_, std::chrono::steady_clock::now() - start_);
  }
  LatencyTimer(const LatencyTimer&) = delete;
  LatencyTimer& operator=(const LatencyTimer&) = delete;

 private:
  const LatencyHook& hook_;
  std::string_view event_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace minired
