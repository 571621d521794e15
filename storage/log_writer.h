// The append-only log's writer: receives journal entries from every thread (out of
// order), puts them back in sequence order, and appends contiguous runs to the log's
// segment files (log_segments.h) in one record per wake-up, on its own thread.
//
// Durability by appendfsync: `always` syncs each batch before the entries count as
// durable (all writers waiting at that moment share the one sync: group commit);
// `everysec` syncs once a second; `no` leaves it to the OS. A client of `always` gets
// its reply only after WaitDurable for its entry fired (server/net/connection.cc). Under
// `always` the I/O thread whose clients wait appends and syncs their entries itself
// (FlushNow) at the end of its turn, as redis-server does before it replies: no hand-off
// to the writer thread and back, and one sync for every client served in that turn.
//
// A failed append is retried every second; until it succeeds, ok() is false (the
// server answers writes with -MISCONF) and nothing after the failed entry counts as
// durable, so nothing is acknowledged that is not stored.
//
// With nothing to store (appendonly no), the thread that submits the next entry in
// sequence hands the contiguous run to the listener itself: replicas get a write
// without two thread hand-offs, as redis-server feeds them from its one thread. One
// thread delivers at a time (the writer thread included), so order is kept.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/journal.h"
#include "storage/latency_hook.h"
#include "storage/rocks_store.h"

namespace minired {

enum class FsyncPolicy { kAlways, kEverySec, kNo };

// Free space the log keeps in reserve: RocksDB, which holds the snapshots and their
// metadata, must never meet a full disk mid-write (its write-ahead log cannot continue
// after a failed write), so appends stop, and writes are refused, while less than this
// is free. Room for a memtable flush and a new WAL.
inline constexpr uint64_t kDiskReserveBytes = 48ULL << 20;

class LogWriter : public JournalSink {
 public:
  // `store` null or !enabled: entries are not stored (appendonly no), and writes are
  // not even recorded as entries until the stream is wanted (set_stream_wanted).
  // `latency` hears of slow appends and fsyncs: aof-write, aof-fsync-always,
  // aof-fsync-everysec.
  LogWriter(RocksStore* store, bool enabled, FsyncPolicy policy, LatencyHook latency = {});
  ~LogWriter() override;

  // A thread that appends what it submits itself, at the end of its turn (an I/O thread,
  // which posts a FlushNow): Submit on it calls `request` instead of leaving the entry
  // to the writer thread. Set per thread; a default-constructed one clears it.
  struct ThreadFlusher {
    void (*request)(void* arg, LogWriter& log) = nullptr;
    void* arg = nullptr;
  };
  static void SetThreadFlusher(ThreadFlusher flusher);

  void Submit(JournalEntry entry) override;
  // Appends the entries ready now on the calling thread (synced under `always`) and
  // delivers them: an I/O thread calls it at the end of its turn, once for everything
  // its clients wrote, as redis-server writes its AOF once per turn of its event loop
  // before it replies. No wake-up of the writer thread per batch, and under `always`
  // one sync for every client served in that turn. When another thread is appending,
  // that one hands what is left to the writer thread.
  void FlushNow();
  // FlushNow's work without a posted flush: a thread about to wait for its own entries
  // to be delivered (SAVE and SHUTDOWN wait for the snapshot, which maps its sequence
  // number to a replication offset) appends them first, since the flush it posted
  // cannot run while it waits, and the writer thread leaves them to that flush.
  void AppendReadyNow();
  // A FlushNow call is on its way (posted on an I/O thread): the writer thread leaves
  // the entries to it rather than split its batch.
  void ExpectFlush() { flushes_expected_.fetch_add(1, std::memory_order_relaxed); }
  // Calls `done` (on the thread that appended: the writer thread, or an I/O thread in
  // FlushNow) once every entry <= seq is durable under the current policy; at once if it
  // already is.
  void WaitDurable(uint64_t seq, std::function<void()> done);
  // Entries in sequence order, after they were appended (replication will subscribe).
  void SetListener(std::function<void(std::span<const JournalEntry>)> listener);

  void set_policy(FsyncPolicy p) { policy_.store(p); }
  // Eager: hand each entry on as soon as it can be appended instead of collecting for
  // a millisecond (replicas are attached: their lag is that millisecond). Entries that
  // arrive while the writer is busy still go together, so a busy master keeps batching.
  void set_eager(bool on) {
    if (eager_.exchange(on) != on && on) cv_.notify_one();
  }
  bool eager() const { return eager_.load(std::memory_order_relaxed); }
  // Has the writer thread collect its allocator heap (Server::GiveMemoryBack): what it
  // allocated for batches and freed stays committed in it otherwise, since an idle
  // thread never collects.
  void RequestPurge() {
    purge_requested_.store(true);
    cv_.notify_one();
  }
  FsyncPolicy policy() const { return policy_.load(); }
  // The log stores entries from now on (appendonly yes), or not; writes are recorded
  // while it stores them or the stream is wanted (JournalSink::recording).
  void set_enabled(bool on);
  bool enabled() const { return enabled_.load(); }
  bool ok() const { return ok_.load(); }
  std::string last_error() const;
  uint64_t durable_seq() const { return durable_.load(); }
  // Appends (log records written) so far: entries / appends is the group-commit batch size.
  uint64_t appends() const { return appends_.load(); }
  uint64_t append_micros() const { return append_micros_.load(); }
  uint64_t written_seq() const { return written_.load(); }
  // Makes the next expected sequence number `seq + 1` (after recovery).
  void ResetSequence(uint64_t seq);
  // Writes and syncs everything submitted so far, then stops the thread.
  void Stop();

 private:
  void Run();
  // Written entries await the everysec fsync (appendfsync everysec, log enabled).
  bool EverySecSyncOwed() const;
  void NotifyDurable(uint64_t seq);
  // Moves the waiters for entries <= seq to *out; called under mu_.
  void TakeDurableWaitersLocked(uint64_t seq, std::vector<std::function<void()>>* out);
  // The log is on (appendonly yes): entries are appended before they are delivered.
  bool Storing() const { return store_ != nullptr && enabled_.load(); }
  // Moves the contiguous run at the front of pending_ to *out; called under mu_.
  void TakeReadyLocked(std::vector<JournalEntry>* out);
  // Delivers the ready entries on the calling thread; called holding the delivery
  // token (delivering_), which it gives back.
  void DeliverInline(std::unique_lock<std::mutex>& lock);
  // The listener, then (durable_now) the durability waiters, for a run of entries in
  // sequence order.
  void Deliver(const std::vector<JournalEntry>& batch, bool durable_now);
  // Encodes the batch into *encoded (unless a failed try left it there) and appends it;
  // on failure records the error (ok() false). Called holding the delivery token.
  Status Append(const std::vector<JournalEntry>& batch, bool sync, std::string* encoded);
  // Puts a taken batch back at the front of pending_; called under mu_.
  void Requeue(std::vector<JournalEntry>* batch);

  RocksStore* store_;
  std::atomic<bool> enabled_;
  std::atomic<FsyncPolicy> policy_;
  std::atomic<bool> eager_{false};
  std::atomic<bool> purge_requested_{false};
  std::atomic<bool> ok_{true};
  std::atomic<uint64_t> durable_{0};
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> appends_{0};
  std::atomic<uint64_t> append_micros_{0};
  std::atomic<int> flushes_expected_{0};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Entries not yet appended: pending_[i] is entry next_ + i (empty until it arrives).
  std::deque<std::optional<JournalEntry>> pending_;  // guarded by mu_
  uint64_t next_ = 1;                                // guarded by mu_: next seq to append
  bool writer_waiting_ = false;                      // guarded by mu_
  bool writer_idle_ = false;  // asleep until an entry comes; guarded by mu_
  // The sleeping writer will wake for the everysec sync of what is written; guarded by mu_.
  bool sync_timed_ = false;
  // Held by the one thread taking entries out of pending_ until it has delivered them
  // (the writer thread, or a submitter while nothing is stored); guarded by mu_.
  bool delivering_ = false;
  std::vector<JournalEntry> inline_batch_;  // used by the submitter holding the token
  std::vector<JournalEntry> flush_batch_;   // used by the FlushNow caller holding the token
  std::string flush_encoded_;               // its encoded batch, kept for the next one
  // The writer thread takes what is ready without collecting first; guarded by mu_.
  bool handed_over_ = false;
  // Free disk bytes, as last measured less what was appended since; used by the token holder.
  uint64_t free_bytes_ = 0;
  std::chrono::steady_clock::time_point free_checked_at_;
  std::multimap<uint64_t, std::function<void()>> waiters_;  // guarded by mu_
  std::atomic<size_t> waiter_count_{0};  // waiters_.size(), for NotifyDurable's fast path
  // Written under mu_ while nobody holds the delivery token; read by the token holder.
  std::function<void(std::span<const JournalEntry>)> listener_;
  const LatencyHook latency_hook_;
  std::string last_error_;                                  // guarded by mu_
  bool stop_ = false;                                       // guarded by mu_
  std::thread thread_;
};

}  // namespace minired
