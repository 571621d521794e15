// The keyspace's listener (storage/db.h): what Db reports under a key's shard lock goes
// to the subsystems that react to it. A removed stream answers its blocked group
// readers; a new, expired or missed key is a keyspace notification; any change to a key
// is a client-tracking invalidation. It asks Db only for the events somebody wants
// (Refresh), so with notifications and tracking off a write pays one relaxed load.
#pragma once

#include "storage/db.h"

namespace minired {

class BlockingRegistry;
class KeyspaceNotifier;
class ClientTracking;

class KeyspaceSignals : public KeyspaceListener {
 public:
  KeyspaceSignals(BlockingRegistry& blocking, KeyspaceNotifier& notifier, ClientTracking& tracking)
      : blocking_(blocking), notifier_(notifier), tracking_(tracking) {}

  void StreamRemoved(int db, std::string_view key) override;
  void KeyEvent(Event event, int db, std::string_view key) override;
  // Asks for the events that notify-keyspace-events and client tracking need now: after
  // a CONFIG SET, and when tracking turns on or off.
  void Refresh();

 private:
  BlockingRegistry& blocking_;
  KeyspaceNotifier& notifier_;
  ClientTracking& tracking_;
};

}  // namespace minired
