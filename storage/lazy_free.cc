#include "storage/lazy_free.h"

namespace minired {

LazyFreer& LazyFreer::Global() {
  static LazyFreer freer;
  return freer;
}

LazyFreer::LazyFreer() : worker_([this] { Run(); }) {}

LazyFreer::~LazyFreer() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void LazyFreer::Submit(std::function<void()> job) {
  pending_.fetch_add(1);
  {
    std::lock_guard<std::mutex> l(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void LazyFreer::Run() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    cv_.wait(l, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stop_ and nothing left
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    l.unlock();
    job();
    job = nullptr;
    l.lock();
    pending_.fetch_sub(1);
    completed_.fetch_add(1);
  }
}

}  // namespace minired
