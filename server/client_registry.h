// Every connected client, for CLIENT LIST/KILL and INFO clients. Connections register
// on accept and unregister on close, from their own threads; the mutex guards the map.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "server/session.h"

namespace minired {

class ClientRegistry {
 public:
  uint64_t NextId() { return next_id_.fetch_add(1, std::memory_order_relaxed); }
  void Add(std::shared_ptr<ClientInfo> info) {
    std::lock_guard<std::mutex> l(mu_);
    clients_[info->id] = std::move(info);
  }
  void Remove(uint64_t id) {
    std::lock_guard<std::mutex> l(mu_);
    clients_.erase(id);
  }
  // The client with `id`, or null when it is not connected.
  std::shared_ptr<ClientInfo> Find(uint64_t id) const {
    std::lock_guard<std::mutex> l(mu_);
    auto it = clients_.find(id);
    return it == clients_.end() ? nullptr : it->second;
  }
  // A copy of the list, in id order, so callers format it without holding the lock.
  std::vector<std::shared_ptr<ClientInfo>> Snapshot() const {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<std::shared_ptr<ClientInfo>> out;
    out.reserve(clients_.size());
    for (const auto& [id, c] : clients_) out.push_back(c);
    return out;
  }
  size_t size() const {
    std::lock_guard<std::mutex> l(mu_);
    return clients_.size();
  }

 private:
  std::atomic<uint64_t> next_id_{1};
  mutable std::mutex mu_;
  std::map<uint64_t, std::shared_ptr<ClientInfo>> clients_;  // guarded by mu_
};

}  // namespace minired
