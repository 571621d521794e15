#include "server/pubsub.h"

#include <algorithm>

#include "storage/glob.h"

namespace minired {
namespace {

template <typename Map>
void Remove(Map& map, std::string_view name, const Subscriber* s) {
  auto it = map.find(std::string(name));
  if (it == map.end()) return;
  std::erase_if(it->second, [s](const PubSub::SubscriberPtr& p) { return p.get() == s; });
  if (it->second.empty()) map.erase(it);
}

}  // namespace

void PubSub::Subscribe(const SubscriberPtr& s, std::string_view channel) {
  std::lock_guard<std::mutex> l(mu_);
  channels_[std::string(channel)].push_back(s);
}

void PubSub::Unsubscribe(const Subscriber* s, std::string_view channel) {
  std::lock_guard<std::mutex> l(mu_);
  Remove(channels_, channel, s);
}

void PubSub::PSubscribe(const SubscriberPtr& s, std::string_view pattern) {
  std::lock_guard<std::mutex> l(mu_);
  patterns_[std::string(pattern)].push_back(s);
}

void PubSub::PUnsubscribe(const Subscriber* s, std::string_view pattern) {
  std::lock_guard<std::mutex> l(mu_);
  Remove(patterns_, pattern, s);
}

size_t PubSub::Publish(std::string_view channel, std::string_view message) {
  std::vector<std::pair<SubscriberPtr, std::shared_ptr<const PubSubMessage>>> out;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = channels_.find(std::string(channel));
    if (it != channels_.end()) {
      auto m = std::make_shared<const PubSubMessage>(PubSubMessage{"", std::string(channel), std::string(message)});
      for (const auto& s : it->second) out.emplace_back(s, m);
    }
    for (const auto& [pattern, subs] : patterns_) {
      if (!GlobMatch(pattern, channel)) continue;
      auto m = std::make_shared<const PubSubMessage>(PubSubMessage{pattern, std::string(channel), std::string(message)});
      for (const auto& s : subs) out.emplace_back(s, m);
    }
  }
  // Hand-offs happen outside the lock: a slow receiver never blocks other publishers.
  for (auto& [s, m] : out) {
    if (s->deliver) s->deliver(m);
  }
  return out.size();
}

std::vector<std::string> PubSub::Channels(std::string_view pattern, bool all) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  for (const auto& [name, subs] : channels_) {
    if (all || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

size_t PubSub::NumSub(std::string_view channel) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = channels_.find(std::string(channel));
  return it == channels_.end() ? 0 : it->second.size();
}

size_t PubSub::NumPat() const {
  std::lock_guard<std::mutex> l(mu_);
  return patterns_.size();
}

}  // namespace minired
