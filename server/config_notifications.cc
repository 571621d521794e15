// notify-keyspace-events (the classes of keyspace notifications) and
// tracking-table-max-keys (the bound on the client-tracking table). Both are live: the
// server re-reads them after every CONFIG SET (Server::ConfigChanged).
#include "server/config.h"
#include "server/keyspace_events.h"

namespace minired {

void AddNotificationOptions(std::vector<ConfigOption>* opts) {
  ConfigOption events;
  events.name = "notify-keyspace-events";
  events.mutable_at_runtime = true;
  events.get = [](const ServerConfig& c) {
    return FormatKeyspaceEvents(c.notifications.keyspace_events.load(std::memory_order_relaxed));
  };
  events.set = [](ServerConfig& c, const std::vector<std::string>& values) {
    std::optional<uint32_t> flags = ParseKeyspaceEvents(values.empty() ? "" : values[0]);
    if (!flags) return Status::InvalidArgument("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    c.notifications.keyspace_events.store(*flags);
    return Status::Ok();
  };
  opts->push_back(std::move(events));
  opts->push_back(IntOption(
      "tracking-table-max-keys", true, 0, INT64_MAX,
      [](const ServerConfig& c) { return c.notifications.tracking_table_max_keys.load(); },
      [](ServerConfig& c, int64_t v) { c.notifications.tracking_table_max_keys = v; }));
}

}  // namespace minired
