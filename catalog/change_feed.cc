#include "catalog/change_feed.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "catalog/cache.h"
#include "catalog/metrics.h"

namespace minired::catalog {

namespace {
// Changes sent in one pipeline.
constexpr size_t kBatch = 256;
}  // namespace

ChangeFeed::ChangeFeed(Cache* cache, int64_t max_len, Metrics* metrics)
    : cache_(cache), max_len_(max_len), metrics_(metrics) {}

void ChangeFeed::Record(std::string_view op, const Product& p) {
  std::lock_guard<std::mutex> l(queue_mu_);
  if (static_cast<int64_t>(queue_.size()) >= max_len_) {
    queue_.pop_front();  // the stream would have trimmed it anyway
    metrics_->ChangesDropped(1);
  }
  const auto at = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  queue_.push_back(Change{std::string(op), std::to_string(p.id), p.sku, p.category, std::to_string(at)});
}

void ChangeFeed::FlushAfterWrite() {
  if (!failing_.load(std::memory_order_relaxed)) Flush();
}

bool ChangeFeed::Flush() {
  std::lock_guard<std::mutex> sending(send_mu_);
  while (true) {
    std::vector<Change> batch;
    {
      std::lock_guard<std::mutex> l(queue_mu_);
      const size_t n = std::min(kBatch, queue_.size());
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (batch.empty()) return true;
    client::Pipeline p;
    for (const Change& c : batch) {
      p.add("XADD", std::string(kChangesStream), "MAXLEN", "~", max_len_, "*", "op", c.op, "id", c.id, "sku", c.sku,
            "category", c.category, "at", c.at);
    }
    auto replies = cache_->RunPipeline(p);
    bool ok = replies && replies->size() == batch.size();
    if (ok) {
      for (const client::Reply& r : *replies) ok = ok && !r.is_error();
    }
    failing_.store(!ok, std::memory_order_relaxed);
    if (!ok) {
      metrics_->CacheWriteFailed();
      return false;
    }
    metrics_->ChangesPublished(batch.size());
    std::lock_guard<std::mutex> l(queue_mu_);
    // Only this sender removes from the front; Record may have dropped some meanwhile.
    const size_t sent = std::min(batch.size(), queue_.size());
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(sent));
  }
}

}  // namespace minired::catalog
