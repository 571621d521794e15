#include "replication/replica_feed.h"

namespace minired {

void ReplicaFeed::Wake() {
  if (!wake_posted_.exchange(true) && wake_) wake_();
}

void ReplicaFeed::Push(std::string_view bytes) {
  {
    std::lock_guard l(mu_);
    if (dropped_) return;
    pending_.append(bytes);
    if (held_) return;
  }
  Wake();
}

void ReplicaFeed::PushPreamble(std::string_view bytes) {
  {
    std::lock_guard l(mu_);
    preamble_.append(bytes);
  }
  Wake();
}

void ReplicaFeed::SetPayload(std::shared_ptr<const std::string> payload) {
  {
    std::lock_guard l(mu_);
    payload_ = std::move(payload);
    payload_framed_ = true;
  }
  state = State::kSendSnapshot;
  Wake();
}

void ReplicaFeed::SetCatchUp(std::shared_ptr<const std::string> bytes) {
  {
    std::lock_guard l(mu_);
    payload_ = std::move(bytes);
    payload_framed_ = false;
  }
  Wake();
}

void ReplicaFeed::Drop(std::string reason) {
  {
    std::lock_guard l(mu_);
    if (dropped_) return;
    dropped_ = true;
    drop_reason_ = std::move(reason);
    pending_.clear();
    std::string().swap(pending_);
  }
  Wake();
}

std::shared_ptr<const std::string> ReplicaFeed::Take(std::string* out) {
  wake_posted_.store(false);
  std::lock_guard l(mu_);
  out->append(preamble_);
  preamble_.clear();
  if (payload_) {
    if (payload_framed_) out->append("$" + std::to_string(payload_->size()) + "\r\n");
    held_ = false;
    return std::move(payload_);
  }
  if (!held_) {
    if (out->empty()) {
      out->swap(pending_);
    } else {
      out->append(pending_);
      pending_.clear();
    }
  }
  return nullptr;
}

size_t ReplicaFeed::pending_bytes() const {
  std::lock_guard l(mu_);
  return pending_.size();
}

bool ReplicaFeed::dropped(std::string* reason) const {
  std::lock_guard l(mu_);
  if (dropped_ && reason) *reason = drop_reason_;
  return dropped_;
}

}  // namespace minired
