#include "server/keyspace_notifier.h"

#include <string>

#include "server/pubsub.h"

namespace minired {

void KeyspaceNotifier::Publish(std::string_view event, std::string_view key, int db) {
  const uint32_t on = classes_.load(std::memory_order_relaxed);
  const std::string prefix = "__key";
  const std::string at = "@" + std::to_string(db) + "__:";
  if (on & kEventKeyspace) {
    std::string channel = prefix + "space" + at;
    channel.append(key);
    pubsub_.Publish(channel, event);
  }
  if (on & kEventKeyevent) {
    std::string channel = prefix + "event" + at;
    channel.append(event);
    pubsub_.Publish(channel, key);
  }
}

}  // namespace minired
