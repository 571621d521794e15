#include "server/replication.h"

#include <fmt/format.h>

#include "protocol/command_encoder.h"
#include "protocol/numbers.h"
#include "protocol/reply_writer.h"
#include "replication/payload.h"
#include "server/blocking.h"
#include "server/command_context.h"
#include "server/logger.h"
#include "server/master_link.h"
#include "server/persistence.h"
#include "server/server.h"

namespace minired {

extern const char kRedisCompatVersion[];
namespace {

std::string IpOf(const std::string& addr) {
  size_t colon = addr.rfind(':');
  return colon == std::string::npos ? addr : addr.substr(0, colon);
}

const char* FeedStateName(ReplicaFeed::State s) {
  switch (s) {
    case ReplicaFeed::State::kWaitSnapshot: return "wait_bgsave";
    case ReplicaFeed::State::kSendSnapshot: return "send_bulk";
    case ReplicaFeed::State::kOnline: return "online";
  }
  return "online";
}

// ROLE's words for the link's state, as Redis's.
const char* LinkStateName(MasterLink::State s) {
  switch (s) {
    case MasterLink::State::kConnect: return "connect";
    case MasterLink::State::kConnecting: return "connecting";
    case MasterLink::State::kHandshake: return "handshake";
    case MasterLink::State::kTransfer:
    case MasterLink::State::kLoading: return "sync";
    case MasterLink::State::kConnected: return "connected";
  }
  return "connect";
}

constexpr auto kPositionWait = std::chrono::seconds(10);

}  // namespace

Replication::Replication(Server& server)
    : server_(server), source_(static_cast<size_t>(server.config().replication.backlog_size.load())) {}

Replication::~Replication() { Shutdown(); }

void Replication::Attach() {
  Persistence* p = server_.persistence();
  if (p == nullptr) return;
  p->log().SetListener([this](std::span<const JournalEntry> batch) { source_.FeedEntries(batch); });
  p->snapshotter().set_position_resolver([this](SnapshotMeta* m) { ResolvePosition(m); });
  std::string host;
  int port;
  {
    const ReplicationConfig& rc = server_.config().replication;
    std::lock_guard l(rc.mu);
    host = rc.master_host;
    port = rc.master_port;
  }
  if (!host.empty()) {
    ReplicaOf(host, port);
    position_known_ = false;  // started as a replica: nothing synced yet
  }
}

void Replication::OnLoaded(const SnapshotMeta& meta, uint64_t replayed_entries, uint64_t last_seq) {
  if (is_replica()) return;
  if (meta.id != 0 && !meta.replid.empty() && replayed_entries == 0) {
    // A clean restart: the stream continues exactly where the snapshot was taken.
    source_.Restore(meta.replid, meta.repl_offset, meta.seq);
    // Replicas of the last run may continue from here: every write counts in the stream.
    if (Persistence* p = server_.persistence()) p->log().set_stream_wanted();
    Log(LogLevel::kNotice, "Restored the replication id {} and offset {} from the snapshot", meta.replid,
        meta.repl_offset);
  } else {
    source_.FeedFromJournal(last_seq);
  }
}

void Replication::WantStream() {
  source_.ActivateBacklog();
  if (Persistence* p = server_.persistence()) p->log().set_stream_wanted();
}

void Replication::Shutdown() {
  std::lock_guard l(role_mu_);
  if (link_) {
    link_->Stop(false);
    link_.reset();
  }
  source_.DropAll("shutdown");
}

void Replication::StopLinkLocked() {
  if (!link_) return;
  link_->Stop(true);
  link_.reset();
}

void Replication::ReplicaOf(const std::string& host, int port) {
  std::lock_guard l(role_mu_);
  if (!replica_) position_known_ = true;  // a master's own history: the new master may share it
  StopLinkLocked();
  {
    ReplicationConfig& rc = server_.config().replication;
    std::lock_guard cl(rc.mu);
    rc.master_host = host;
    rc.master_port = port;
  }
  replica_ = true;
  WantStream();  // for its own replicas, and its siblings after a promotion
  source_.StopJournalFeed();
  source_.DropAll("this server became a replica");
  {
    std::lock_guard sl(sync_mu_);
    for (auto& f : waiting_full_) f->Drop("this server became a replica");
    waiting_full_.clear();
  }
  IoThread& io = server_.io_thread(server_.thread_count() - 1);
  link_ = std::make_shared<MasterLink>(server_, *this, io, host, port);
  link_->Start();
  Log(LogLevel::kNotice, "REPLICAOF {}:{} enabled", host, port);
}

void Replication::NoOne() {
  std::lock_guard l(role_mu_);
  if (!replica_) return;
  StopLinkLocked();
  // Entries the old master's commands produced are already in the stream as its bytes.
  JournalSink* sink = server_.journal_sink();
  uint64_t last_seq = sink ? sink->next_seq().load() - 1 : 0;
  source_.ShiftReplid(NewReplicationId());
  source_.FeedFromJournal(last_seq);
  source_.DropAll("this server was promoted");  // they reconnect and continue with the new id
  {
    ReplicationConfig& rc = server_.config().replication;
    std::lock_guard cl(rc.mu);
    rc.master_host.clear();
    rc.master_port = 0;
  }
  replica_ = false;
  position_known_ = true;
  ReplicationSource::Position pos = source_.position();
  Log(LogLevel::kNotice, "MASTER MODE enabled; new replication id {}, the old one {} is valid up to offset {}",
      pos.replid, pos.replid2, pos.second_offset);
}

void Replication::Psync(CommandContext& ctx, std::string_view replid, std::string_view offset, bool sync) {
  Session& s = ctx.session();
  if (s.replica.feed) return;  // already a replica: Redis ignores it
  if (s.hooks == nullptr || s.info == nullptr) return ctx.reply().Error("ERR PSYNC needs a client connection");
  if (s.tx.executing) return ctx.reply().Error("ERR Command not allowed inside a transaction");
  if (is_replica()) {
    std::lock_guard l(role_mu_);
    if (!link_ || link_->state() != MasterLink::State::kConnected) {
      return ctx.reply().Error("NOMASTERLINK Can't SYNC while not connected with my master");
    }
  }
  if (server_.persistence() == nullptr) return ctx.reply().Error("ERR replication needs the journal (persistence)");
  WantStream();  // before the snapshot's position is taken: the stream must hold what follows
  auto feed = std::make_shared<ReplicaFeed>(s.info->id, IpOf(s.info->addr));
  feed->listening_port = s.replica.listening_port;
  feed->plain_sync = sync;
  feed->format = static_cast<int>(s.replica.functions_only   ? SyncFormat::kRdbFunctionsOnly
                                  : s.replica.minired_payload ? SyncFormat::kMinired
                                                              : SyncFormat::kRdb);
  feed->ack_time_ms = server_.clock().NowMs();
  s.replica.feed = feed;
  s.hooks->AttachReplicaFeed(feed);
  server_.persistence()->log().set_eager(true);  // the cron turns it off when the last one leaves
  if (!sync) {
    auto off = ParseInt64(offset);
    if (off && *off >= 0 && source_.TryContinue(replid, static_cast<uint64_t>(*off), feed)) {
      sync_partial_ok_.fetch_add(1);
      Log(LogLevel::kNotice, "Replica {} asks for synchronization: partial resynchronization accepted from offset {}",
          s.info->addr, *off);
      return;
    }
    if (replid != "?") sync_partial_err_.fetch_add(1);
    Log(LogLevel::kNotice, "Replica {} asks for synchronization: full resync ({} {} is not in this history)",
        s.info->addr, replid, offset);
  }
  feed->state = ReplicaFeed::State::kWaitSnapshot;
  sync_full_.fetch_add(1);
  {
    std::lock_guard l(sync_mu_);
    waiting_full_.push_back(feed);
  }
  StartFullSyncs();
}

// Starts a snapshot for the replicas waiting for a full sync, or adds them to the one
// about to start; while another snapshot runs they wait for the next (cron retries).
void Replication::StartFullSyncs() {
  if (is_replica()) {
    {
      std::lock_guard l(sync_mu_);
      if (waiting_full_.empty() || job_running_) return;
    }
    std::lock_guard l(role_mu_);
    if (link_) link_->Post([this] { StartFullSyncsNow(true); });
    return;
  }
  StartFullSyncsNow(false);
}

void Replication::StartFullSyncsNow(bool pin) {
  std::lock_guard l(sync_mu_);
  std::erase_if(waiting_full_, [](const auto& f) { return f->dropped(nullptr); });
  if (waiting_full_.empty()) return;
  if (job_running_) {
    if (!job_positioned_) {
      // Only those whose format the job builds; the others wait for the next one.
      std::erase_if(waiting_full_, [this](auto& f) {
        if (!job_formats_.wanted[f->format]) return false;
        job_feeds_.push_back(std::move(f));
        return true;
      });
    }
    return;
  }
  Persistence* p = server_.persistence();
  if (p == nullptr || server_.loading()) return;
  if (pin) {
    if (!is_replica()) return;  // promoted meanwhile: the next cron starts it as a master
    ReplicationSource::Position pos = source_.position();
    std::lock_guard pl(pin_mu_);
    pinned_.emplace();
    pinned_->replid = pos.replid;
    pinned_->repl_offset = pos.offset;
    pinned_->repl_db = pos.db;
  }
  auto started = [this](const SnapshotMeta& m) -> Status {
    std::lock_guard lock(sync_mu_);
    job_positioned_ = true;
    if (m.replid.empty()) return Status::IOError("the snapshot's replication offset could not be determined");
    for (auto& f : job_feeds_) {
      if (!source_.AttachFullSync(m.replid, m.repl_offset, f)) f->Drop("the backlog no longer holds the snapshot's offset");
    }
    Log(LogLevel::kNotice, "Full sync snapshot for {} replica(s) started at offset {} (journal entry {})",
        job_feeds_.size(), m.repl_offset, m.seq);
    return Status::Ok();
  };
  auto done = [this](const Status& s, SyncPayloads payloads) {
    std::lock_guard lock(sync_mu_);
    for (auto& f : job_feeds_) {
      if (s.ok()) {
        f->SetPayload(payloads.by_format[f->format]);
      } else {
        source_.Detach(f.get());
        f->Drop("full sync failed: " + s.message());
      }
    }
    if (s.ok()) {
      auto size = [&](SyncFormat f) { return payloads.of(f) ? payloads.of(f)->size() : 0; };
      Log(LogLevel::kNotice, "Full sync payload ready for {} replica(s): {} bytes in minired's format, {} as RDB, {} as an RDB of the functions",
          job_feeds_.size(), size(SyncFormat::kMinired), size(SyncFormat::kRdb), size(SyncFormat::kRdbFunctionsOnly));
    }
    job_feeds_.clear();
    job_running_ = false;
  };
  job_feeds_ = std::move(waiting_full_);
  waiting_full_.clear();
  job_running_ = true;
  job_positioned_ = false;
  // Feeds that join before the position is fixed get what this job builds: a job that
  // starts for minired replicas builds the RDB too only if one asked for it.
  PayloadFormats formats;
  formats.wanted[0] = false;
  for (const auto& f : job_feeds_) formats.wanted[f->format] = true;
  formats.redis_version = kRedisCompatVersion;
  job_formats_ = formats;
  if (!p->StartSnapshotInto(std::make_unique<PayloadSink>(started, done, formats), [](const Status&, const SnapshotMeta&) {})) {
    waiting_full_ = std::move(job_feeds_);  // a BGSAVE is running: next cron
    job_feeds_.clear();
    job_running_ = false;
  }
}

void Replication::ResolvePosition(SnapshotMeta* meta) {
  {
    std::lock_guard l(pin_mu_);
    if (pinned_) {
      meta->replid = pinned_->replid;
      meta->repl_offset = pinned_->repl_offset;
      meta->repl_db = pinned_->repl_db;
      pinned_.reset();
      return;
    }
  }
  // Writes went unrecorded then (no replica had asked yet): no stream position holds
  // them, and a restart from this snapshot starts a new history.
  if (!meta->recorded || !source_.feeding_from_journal()) return;
  std::string replid = source_.position().replid;
  auto point = source_.OffsetAfterSeq(meta->seq, kPositionWait, /*with_control=*/true);
  if (!point) {
    Log(LogLevel::kWarning, "Could not map journal entry {} to a replication offset", meta->seq);
    return;
  }
  meta->replid = std::move(replid);
  meta->repl_offset = point->offset;
  meta->repl_db = point->db;
}

void Replication::Ack(Session& session, uint64_t offset) {
  if (!session.replica.feed) return;
  ReplicaFeed& f = *session.replica.feed;
  f.ack_offset = offset;
  f.ack_time_ms = server_.clock().NowMs();
  f.state = ReplicaFeed::State::kOnline;
  CheckWaiters();
}

int Replication::CountAcked(uint64_t offset) const {
  int n = 0;
  for (const auto& f : source_.feeds()) {
    if (f->state.load() == ReplicaFeed::State::kOnline && f->ack_offset.load() >= offset) ++n;
  }
  return n;
}

std::optional<uint64_t> Replication::WriteOffset(uint64_t seq) {
  if (seq == 0) return 0;  // the client never wrote: every replica has it
  auto point = source_.OffsetAfterSeq(seq, {});
  if (!point) return std::nullopt;
  return point->offset;
}

// A client in WAIT: it waits on no key but on replica acknowledgements (CheckWaiters
// serves it); its timeout answers how many replicas have acknowledged so far.
class Replication::ReplicaAckWaiter : public BlockedClient {
 public:
  ReplicaAckWaiter(Replication& replication, uint64_t seq) : replication_(replication), seq_(seq) {}
  Served Serve(CommandContext&, std::string_view) override { return Served::kEmpty; }  // has no keys
  void ReplyTimeout(ReplyWriter& w) override {
    auto off = replication_.WriteOffset(seq_);
    w.Integer(off ? replication_.CountAcked(*off) : 0);
  }

 private:
  Replication& replication_;
  uint64_t seq_;
};

void Replication::Wait(CommandContext& ctx, int64_t numreplicas, int64_t timeout_ms) {
  if (is_replica()) {
    return ctx.reply().Error("ERR WAIT cannot be used with replica instances. Please also note that writes to "
                             "replicas are just local and are not propagated.");
  }
  Session& s = ctx.session();
  uint64_t seq = s.last_write_seq;
  std::optional<uint64_t> offset = WriteOffset(seq);
  int acked = offset ? CountAcked(*offset) : 0;
  if (acked >= numreplicas || s.hooks == nullptr || s.tx.executing) return ctx.reply().Integer(acked);
  auto client = std::make_shared<ReplicaAckWaiter>(*this, seq);
  s.hooks->Block(client, timeout_ms);
  {
    std::lock_guard l(wait_mu_);
    waiters_.push_back(Waiter{client, seq, offset.value_or(0), numreplicas});
  }
  source_.RequestAckAfter(seq);
  CheckWaiters();
}

void Replication::CheckWaiters() {
  std::lock_guard l(wait_mu_);
  std::erase_if(waiters_, [this](Waiter& w) {
    if (w.client->state.load() != BlockedClient::kWaiting) return true;  // timed out or gone
    if (w.offset == 0 && w.seq != 0) {
      auto off = WriteOffset(w.seq);
      if (!off) return false;
      w.offset = *off;
    }
    int n = CountAcked(w.offset);
    if (n < w.numreplicas || !w.client->Claim(BlockedClient::kDone)) return false;
    std::string reply;
    ReplyWriter(&reply, 2).Integer(n);
    w.client->deliver(std::move(reply));
    return true;
  });
}

void Replication::OnFullSyncLoaded() { snapshot_after_sync_ = true; }

void Replication::Cron(int64_t now_ms) {
  const ReplicationConfig& rc = server_.config().replication;
  source_.set_backlog_size(static_cast<size_t>(rc.backlog_size.load()));
  auto feeds = source_.feeds();
  if (Persistence* p = server_.persistence()) p->log().set_eager(!feeds.empty());
  if (!is_replica() && !feeds.empty() && now_ms - last_ping_ms_ >= rc.ping_period_s.load() * 1000) {
    source_.FeedControl(EncodeCommand({"PING"}));  // lets replicas tell a silent master from a dead one
    last_ping_ms_ = now_ms;
  }
  if (now_ms - last_keepalive_ms_ >= 1000) {
    last_keepalive_ms_ = now_ms;
    for (auto& f : feeds) {
      if (f->state.load() == ReplicaFeed::State::kWaitSnapshot) f->PushPreamble("\n");
    }
  }
  StartFullSyncs();
  CheckWaiters();
  {
    std::lock_guard l(role_mu_);
    if (link_) link_->CheckTimeout(now_ms, rc.timeout_s.load() * 1000);
  }
  if (snapshot_after_sync_.load()) {
    // The log does not hold the data set a full sync brought: a snapshot does.
    std::string busy;
    Persistence* p = server_.persistence();
    if (p == nullptr || p->StartSnapshot(&busy)) snapshot_after_sync_ = false;
  }
}

void Replication::AppendInfo(std::string* out) {
  int64_t now = server_.clock().NowMs();
  ReplicationSource::Position pos = source_.position();
  if (is_replica()) {
    std::lock_guard l(role_mu_);
    if (link_) {
      MasterLink::State st = link_->state();
      bool up = st == MasterLink::State::kConnected;
      bool syncing = st == MasterLink::State::kTransfer || st == MasterLink::State::kLoading;
      *out += fmt::format(
          "role:slave\r\nmaster_host:{}\r\nmaster_port:{}\r\nmaster_link_status:{}\r\n"
          "master_last_io_seconds_ago:{}\r\nmaster_sync_in_progress:{}\r\nslave_read_repl_offset:{}\r\n"
          "slave_repl_offset:{}\r\n",
          link_->host(), link_->port(), up ? "up" : "down", up ? (now - link_->last_io_ms()) / 1000 : -1,
          syncing ? 1 : 0, link_->offset(), link_->offset());
      if (syncing) {
        uint64_t total = link_->transfer_total(), read = link_->transfer_read();
        *out += fmt::format(
            "master_sync_total_bytes:{}\r\nmaster_sync_read_bytes:{}\r\nmaster_sync_left_bytes:{}\r\n"
            "master_sync_perc:{:.2f}\r\nmaster_sync_loaded_keys:{}\r\nmaster_sync_last_io_seconds_ago:{}\r\n",
            total, read, total - read, total ? 100.0 * static_cast<double>(read) / static_cast<double>(total) : 0.0,
            link_->loaded_keys(), (now - link_->last_io_ms()) / 1000);
      }
      if (!up) *out += fmt::format("master_link_down_since_seconds:{}\r\n", (now - link_->down_since_ms()) / 1000);
      if (std::string halted = link_->halt_reason(); !halted.empty()) {
        *out += fmt::format("master_link_halted:{}\r\n", halted);
      }
      *out += fmt::format("slave_priority:100\r\nslave_read_only:{}\r\nreplica_announced:1\r\n",
                          server_.config().replication.read_only.load() ? 1 : 0);
    }
  } else {
    *out += "role:master\r\n";
  }
  auto feeds = source_.feeds();
  *out += fmt::format("connected_slaves:{}\r\n", feeds.size());
  for (size_t i = 0; i < feeds.size(); ++i) {
    const ReplicaFeed& f = *feeds[i];
    *out += fmt::format("slave{}:ip={},port={},state={},offset={},lag={}\r\n", i, f.ip(), f.listening_port.load(),
                        FeedStateName(f.state.load()), f.ack_offset.load(), (now - f.ack_time_ms.load()) / 1000);
  }
  *out += fmt::format(
      "master_failover_state:no-failover\r\nmaster_replid:{}\r\nmaster_replid2:{}\r\nmaster_repl_offset:{}\r\n"
      "second_repl_offset:{}\r\nrepl_backlog_active:{}\r\nrepl_backlog_size:{}\r\n"
      "repl_backlog_first_byte_offset:{}\r\nrepl_backlog_histlen:{}\r\n",
      pos.replid, pos.replid2, pos.offset, pos.second_offset, pos.backlog_active ? 1 : 0, pos.backlog_size,
      pos.backlog_first_byte,
      pos.backlog_histlen);
}

void Replication::AppendStats(std::string* out) const {
  *out += fmt::format("sync_full:{}\r\nsync_partial_ok:{}\r\nsync_partial_err:{}\r\n", sync_full_.load(),
                      sync_partial_ok_.load(), sync_partial_err_.load());
}

void Replication::Role(ReplyWriter& w) {
  if (is_replica()) {
    std::lock_guard l(role_mu_);
    if (link_) {
      w.ArrayHeader(5);
      w.Bulk("slave");
      w.Bulk(link_->host());
      w.Integer(link_->port());
      w.Bulk(LinkStateName(link_->state()));
      w.Integer(static_cast<int64_t>(link_->offset()));
      return;
    }
  }
  auto feeds = source_.feeds();
  w.ArrayHeader(3);
  w.Bulk("master");
  w.Integer(static_cast<int64_t>(source_.position().offset));
  w.ArrayHeader(feeds.size());
  for (const auto& f : feeds) {
    w.ArrayHeader(3);
    w.Bulk(f->ip());
    w.Bulk(std::to_string(f->listening_port.load()));
    w.Bulk(std::to_string(f->ack_offset.load()));
  }
}

}  // namespace minired
