// Stampede protection: when many requests miss the same cache entry at once, the first
// runs the (database) load and the others wait for its result instead of running it
// too. In-process: each catalog instance loads a missing entry once.
#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace minired::catalog {

template <typename T>
class SingleFlight {
 public:
  // Runs load() unless a load of `key` is under way, then shares its result (or its
  // exception). *waited tells whether this caller shared another's result.
  T Do(const std::string& key, const std::function<T()>& load, bool* waited) {
    std::shared_ptr<Flight> f;
    bool leader = false;
    {
      std::lock_guard<std::mutex> l(mu_);
      auto& slot = flights_[key];
      if (!slot) {
        slot = std::make_shared<Flight>();
        leader = true;
      }
      f = slot;
    }
    *waited = !leader;
    if (leader) {
      try {
        f->value = load();
      } catch (...) {
        f->error = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        flights_.erase(key);
        f->done = true;
      }
      cv_.notify_all();
    } else {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return f->done; });
    }
    if (f->error) std::rethrow_exception(f->error);
    return f->value;
  }

 private:
  struct Flight {
    bool done = false;  // guarded by mu_
    T value{};
    std::exception_ptr error;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;  // guarded by mu_
};

}  // namespace minired::catalog
