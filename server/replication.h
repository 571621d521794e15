// Replication, the server side (docs/replication.md): this node's role, the link to
// its master when it is a replica (server/master_link.h), full syncs of the replicas
// attached to it, WAIT, and what INFO and ROLE report. The stream itself, its backlog
// and the per-replica feeds are replication/source.h.
//
// Threads: commands call in from any I/O thread; the journal listener feeds the source
// from the log writer's thread; full-sync payloads are built on the snapshot thread.
// Role changes are serialized by role_mu_.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "replication/payload.h"
#include "replication/source.h"
#include "storage/rocks_store.h"

namespace minired {

class Server;
class CommandContext;
class MasterLink;
class ReplyWriter;
class BlockedClient;
struct Session;

class Replication {
 public:
  explicit Replication(Server& server);
  ~Replication();

  // Subscribes the source to the journal and snapshots to the replication position.
  // Call once persistence is open, before the server starts.
  void Attach();
  // After the data set was loaded: the master's position from its snapshot when the
  // log after it was empty (a clean restart), so its replicas continue partially.
  void OnLoaded(const SnapshotMeta& meta, uint64_t replayed_entries, uint64_t last_seq);
  // Stops the link and disconnects the replicas (shutdown).
  void Shutdown();

  ReplicationSource& source() { return source_; }
  // Whether this node's data follows a known stream position (it synced with a master,
  // or was one): the link then asks to continue from it, else "PSYNC ? -1".
  bool position_known() const { return position_known_.load(); }
  void set_position_known() { position_known_ = true; }
  bool is_replica() const { return replica_.load(std::memory_order_relaxed); }

  // REPLICAOF <host> <port>: drops this node's replicas, keeps serving its data until
  // the master's arrives. REPLICAOF NO ONE: a master with a new replication id that
  // still honours the old one.
  void ReplicaOf(const std::string& host, int port);
  void NoOne();

  // --- master side ---
  // PSYNC <replid> <offset> (`sync`: a plain SYNC, always a full sync).
  void Psync(CommandContext& ctx, std::string_view replid, std::string_view offset, bool sync);
  void Ack(Session& session, uint64_t offset);
  void Wait(CommandContext& ctx, int64_t numreplicas, int64_t timeout_ms);
  // The replicas whose acknowledged offset reached `offset`.
  int CountAcked(uint64_t offset) const;

  // Snapshotter hook: the stream offset of a snapshot's sequence number (masters only).
  void ResolvePosition(SnapshotMeta* meta);
  void Cron(int64_t now_ms);
  // Called when this replica finished loading a full sync (from the link's thread).
  void OnFullSyncLoaded();

  void AppendInfo(std::string* out);
  void AppendStats(std::string* out) const;
  void Role(ReplyWriter& w);

 private:
  // Replicas may ask for the stream from now on: the backlog keeps it, and every write
  // is recorded as a journal entry (before a full sync's snapshot takes its position).
  void WantStream();
  void StartFullSyncs();
  // `pin`: a replica's snapshot, started on its link's thread between two commands of
  // the master's stream, so the stream position at that instant is the snapshot's.
  void StartFullSyncsNow(bool pin);
  void CheckWaiters();
  // WAIT's target: the stream offset just after a client's last write (journal entry
  // `seq`, 0 for none); nullopt while that entry has not reached the stream.
  std::optional<uint64_t> WriteOffset(uint64_t seq);
  void StopLinkLocked();

  class ReplicaAckWaiter;
  struct Waiter {
    std::shared_ptr<BlockedClient> client;
    uint64_t seq;          // the client's last write
    uint64_t offset = 0;   // its stream offset, once known
    int64_t numreplicas;
  };

  Server& server_;
  ReplicationSource source_;
  std::atomic<bool> replica_{false};
  std::atomic<bool> position_known_{false};

  std::mutex role_mu_;
  std::shared_ptr<MasterLink> link_;  // guarded by role_mu_; set while a replica

  std::mutex sync_mu_;
  std::vector<std::shared_ptr<ReplicaFeed>> waiting_full_;  // guarded by sync_mu_
  std::vector<std::shared_ptr<ReplicaFeed>> job_feeds_;     // guarded by sync_mu_
  bool job_running_ = false;                                // guarded by sync_mu_
  bool job_positioned_ = false;                             // guarded by sync_mu_
  PayloadFormats job_formats_;                              // guarded by sync_mu_: what the job builds
  std::mutex pin_mu_;
  std::optional<SnapshotMeta> pinned_;  // guarded by pin_mu_: position of the next snapshot

  mutable std::mutex wait_mu_;
  std::vector<Waiter> waiters_;  // guarded by wait_mu_

  std::atomic<uint64_t> sync_full_{0};
  std::atomic<uint64_t> sync_partial_ok_{0};
  std::atomic<uint64_t> sync_partial_err_{0};
  std::atomic<bool> snapshot_after_sync_{false};
  int64_t last_ping_ms_ = 0;      // cron thread only
  int64_t last_keepalive_ms_ = 0;  // cron thread only
};

}  // namespace minired
