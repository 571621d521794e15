// Serving the clients of a busy script's own I/O thread.
//
// A script past busy-reply-threshold occupies the I/O thread that runs it: the clients
// of the other threads get -BUSY (script_gate.h), but this thread's clients would wait
// for the script to end, which for a script in an endless loop is never, and SCRIPT
// KILL sent on such a connection could not stop it. So the script's hook calls
// ServeThreadWhileBusy, as redis-server's hook processes events while blocked: it
// starts the clients accepted for this thread meanwhile (the listeners have a thread of
// their own), then one poll(2) over the thread's idle connections, and each readable one
// is read and its commands run as any command runs while the script is busy: -BUSY, or
// one of the few commands Redis lets through, none of which touches a shard or writes
// a key.
//
// What keeps this re-entry safe:
// - only connections idle on a queued read are served (reading directly does not
//   disturb the reactor: its edge-triggered read later finds nothing and stays queued),
//   never the script's own client, a replica, a TLS client, or one blocked, paused or
//   waiting for the log;
// - a client that hung up is left to the reactor, which sees the end once the script is
//   over; only QUIT or a protocol error closes a connection here;
// - the thread's per-command state is set aside meanwhile: the script's journal entry
//   (JournalSuspension), the keys its pushes made ready (their waiters are served when
//   the script's command ends, not by a client's command in the middle of it) and the
//   keep-expired mark its command set.
#include <poll.h>

#include <memory>
#include <vector>

#include "server/blocking.h"
#include "server/net/connection.h"
#include "server/server.h"
#include "storage/db.h"
#include "storage/journal.h"

namespace minired {

bool Connection::WaitsForInput() const {
  return reading_ && !closed_ && !closing_ && !tls_ && !replica_feed_ && !blocked_ && !paused_ &&
         !awaiting_durable_;
}

void Connection::ServeThreadWhileBusy() {
  // The clients accepted for this thread meanwhile (the listeners have their own thread).
  thread_.StartAdopted();

  std::vector<std::shared_ptr<Connection>> idle;
  std::vector<pollfd> fds;
  for (const auto& [raw, weak] : thread_.connections()) {
    if (raw == this) continue;
    std::shared_ptr<Connection> c = weak.lock();
    if (!c || !c->WaitsForInput()) continue;
    fds.push_back(pollfd{c->socket_.native_handle(), POLLIN, 0});
    idle.push_back(std::move(c));
  }
  if (fds.empty() || poll(fds.data(), fds.size(), 0) <= 0) return;

  JournalSuspension no_journal;
  IoThread::RepliesNow replies_now(thread_);  // the turn lasts as long as the script
  auto ready_keys = SetReadyKeysAside();
  const bool keep_expired = Db::KeepExpired();
  for (size_t i = 0; i < fds.size(); ++i) {
    if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) idle[i]->ServeWhileBusy();
  }
  Db::SetKeepExpired(keep_expired);
  RestoreReadyKeys(std::move(ready_keys));
}

void Connection::ServeWhileBusy() {
  // Until the socket has nothing more (or the connection stops taking input).
  while (WaitsForInput()) {
    std::error_code ec;
    size_t n = ReadIntoBuffer(ec);
    if (ec) {
      // Nothing more now (its queued read stays), or a hang-up: the reactor reports
      // that once the script is over.
      ReturnIdleReadBuffer();
      return;
    }
    // The query-buffer limit and the commands, as for any read; ReadMore finds the
    // queued read still pending and queues nothing.
    OnInput(n);
    if (!maybe_more_input_) return;
  }
}

}  // namespace minired
