// Frees big things off the I/O threads (DEL, UNLINK and expiry of collections with more
// than kLazyFreeThreshold elements, (FLUSHALL ASYNC, UNLINK of large values), as
// Redis's lazyfree thread does: the caller detaches the data under its lock in O(1) and
// hands the destruction to this worker, so no client waits for the memory to be freed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace minired {

// Redis's LAZYFREE_THRESHOLD: freeing fewer elements inline is cheaper than a handoff.
inline constexpr size_t kLazyFreeThreshold = 64;

class LazyFreer {
 public:
  // The process's freer: the keyspace hands it big collections from any shard.
  static LazyFreer& Global();

  LazyFreer();
  ~LazyFreer();  // finishes the queued work, then stops the worker

  // Runs `job` on the worker thread, soon.
  void Submit(std::function<void()> job);
  // Jobs queued or running (INFO memory's lazyfree_pending_objects).
  size_t pending() const { return pending_.load(); }
  // Jobs finished since start (INFO memory's lazyfreed_objects).
  uint64_t completed() const { return completed_.load(); }

 private:
  void Run();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
  std::atomic<size_t> pending_{0};
  std::atomic<uint64_t> completed_{0};
  std::thread worker_;
};

}  // namespace minired
