// Keyspace notifications (notify-keyspace-events): what a command, an expiry or an
// eviction did to a key, published as Redis 7.0 publishes it, on
// `__keyspace@<db>__:<key>` (message: the event) and `__keyevent@<db>__:<event>`
// (message: the key).
//
// Events are published where the change happens, under the key's shard lock, so two
// changes to one key reach every subscriber in the order they happened, whichever I/O
// threads made them (PubSub posts each message to the subscriber's own thread in the
// order it was published). With notifications off, Wants() is one relaxed load.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "server/keyspace_events.h"

namespace minired {

class PubSub;

class KeyspaceNotifier {
 public:
  // `classes`: notify-keyspace-events as configured (ServerConfig::notifications).
  KeyspaceNotifier(const std::atomic<uint32_t>& classes, PubSub& pubsub) : classes_(classes), pubsub_(pubsub) {}

  // Whether an event of class `cls` is published at all (its class is on, and K or E).
  bool Wants(uint32_t cls) const {
    const uint32_t on = classes_.load(std::memory_order_relaxed);
    return (on & cls) && (on & (kEventKeyspace | kEventKeyevent));
  }
  // Publishes `event` for `key` of database `db` when its class is on.
  void Notify(uint32_t cls, std::string_view event, std::string_view key, int db) {
    if (Wants(cls)) Publish(event, key, db);
  }

 private:
  void Publish(std::string_view event, std::string_view key, int db);

  const std::atomic<uint32_t>& classes_;
  PubSub& pubsub_;
};

}  // namespace minired
