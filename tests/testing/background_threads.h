// Threads a test runs beside its body (writers, readers) until told to stop. They are
// stopped and joined when this goes out of scope, so a failed ASSERT in the body ends
// the test instead of ending the whole test process (a joinable std::thread destroyed
// calls std::terminate).
#pragma once

#include <atomic>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

namespace minired::testing {

class BackgroundThreads {
 public:
  BackgroundThreads() = default;
  ~BackgroundThreads() { StopAndJoin(); }
  BackgroundThreads(const BackgroundThreads&) = delete;
  BackgroundThreads& operator=(const BackgroundThreads&) = delete;

  // Runs `body` on a new thread; it should return soon after stopping() turns true.
  void Run(std::function<void()> body) { threads_.emplace_back(std::move(body)); }
  bool stopping() const { return stop_.load(); }
  void StopAndJoin() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace minired::testing
