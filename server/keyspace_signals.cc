#include "server/keyspace_signals.h"

#include "server/blocking.h"
#include "server/client_tracking.h"
#include "server/keyspace_notifier.h"

namespace minired {

void KeyspaceSignals::StreamRemoved(int db, std::string_view key) {
  if (blocking_.HasWaiters(db, key)) MarkKeyReady(db, key);
}

void KeyspaceSignals::KeyEvent(Event event, int db, std::string_view key) {
  switch (event) {
    case kKeyAdded:
      notifier_.Notify(kEventNew, "new", key, db);
      return;
    case kKeyExpired:
      notifier_.Notify(kEventExpired, "expired", key, db);
      return;
    case kKeyMissed:
      notifier_.Notify(kEventKeyMiss, "keymiss", key, db);
      return;
    case kKeyModified:
      tracking_.KeyModified(key);
      return;
  }
}

void KeyspaceSignals::Refresh() {
  uint32_t wanted = 0;
  if (notifier_.Wants(kEventNew)) wanted |= kKeyAdded;
  if (notifier_.Wants(kEventExpired)) wanted |= kKeyExpired;
  if (notifier_.Wants(kEventKeyMiss)) wanted |= kKeyMissed;
  if (tracking_.active()) wanted |= kKeyModified;
  set_wanted(wanted);
}

}  // namespace minired
