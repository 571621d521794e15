// The pub/sub registry: channel and pattern subscriptions of every client, shared by all
// I/O threads under one mutex. PUBLISH finds the receivers under the lock and hands each
// the same immutable message; the receiver's connection queues what it is handed and
// delivers it on its own thread in that order, so a message handed over after another
// (by any thread) reaches the subscriber after it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minired {

struct PubSubMessage {
  std::string pattern;  // empty for a channel subscription ("message")
  std::string channel;
  std::string payload;
};

// One client's delivery endpoint; `deliver` runs on the publisher's thread and must
// only hand the message over (the connection posts it to its own thread).
struct Subscriber {
  std::function<void(std::shared_ptr<const PubSubMessage>)> deliver;
};

class PubSub {
 public:
  using SubscriberPtr = std::shared_ptr<Subscriber>;

  void Subscribe(const SubscriberPtr& s, std::string_view channel);
  void Unsubscribe(const Subscriber* s, std::string_view channel);
  void PSubscribe(const SubscriberPtr& s, std::string_view pattern);
  void PUnsubscribe(const Subscriber* s, std::string_view pattern);
  // Returns the number of receivers (channel subscribers plus matching patterns).
  size_t Publish(std::string_view channel, std::string_view message);

  std::vector<std::string> Channels(std::string_view pattern, bool all) const;
  size_t NumSub(std::string_view channel) const;
  size_t NumPat() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::vector<SubscriberPtr>> channels_;  // guarded by mu_
  std::map<std::string, std::vector<SubscriberPtr>> patterns_;            // guarded by mu_
};

}  // namespace minired
