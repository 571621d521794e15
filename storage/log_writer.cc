#include "storage/log_writer.h"

#include "storage/log_format.h"
#include "storage/memory.h"

namespace minired {

using Clock = std::chrono::steady_clock;

namespace {
thread_local LogWriter::ThreadFlusher t_flusher;
// Empties an encoded batch's buffer, which stays for the next append unless a burst made
// it big: it is counted in used_memory (a pipelined turn of 50 clients takes about 32 KB).
void ClearBatchBuffer(std::string* encoded) {
  constexpr size_t kKeptBatchBytes = 64 << 10;
  if (encoded->capacity() > kKeptBatchBytes) {
    std::string().swap(*encoded);
  } else {
    encoded->clear();
  }
}
}  // namespace

void LogWriter::SetThreadFlusher(ThreadFlusher flusher) { t_flusher = flusher; }

LogWriter::LogWriter(RocksStore* store, bool enabled, FsyncPolicy policy, LatencyHook latency)
    : store_(store), enabled_(enabled), policy_(policy), latency_hook_(std::move(latency)) {
  set_recording_for_log(Storing());
  thread_ = std::thread([this] { Run(); });
}

void LogWriter::set_enabled(bool on) {
  enabled_.store(on);
  set_recording_for_log(Storing());
}

LogWriter::~LogWriter() { Stop(); }

void LogWriter::Submit(JournalEntry entry) {
  bool wake;
  const bool own_flush = t_flusher.request != nullptr && Storing();
  {
    std::unique_lock lock(mu_);
    uint64_t seq = entry.seq;
    if (seq < next_) return;  // numbered before a ResetSequence: nothing to append
    size_t i = static_cast<size_t>(seq - next_);
    if (pending_.size() <= i) pending_.resize(i + 1);
    pending_[i] = std::move(entry);
    if (i == 0 && !delivering_ && !stop_ && !Storing()) {
      delivering_ = true;
      DeliverInline(lock);
      return;
    }
    // An I/O thread appends its entries itself at the end of its turn. For the rest:
    // with replicas attached they wait for this entry, so wake the writer now; otherwise
    // a busy writer collects entries for a millisecond, which saves a wake-up per
    // command, and an idle one sleeps until woken here.
    wake = !own_flush && writer_waiting_ && i == 0 &&
           (writer_idle_ || eager_.load(std::memory_order_relaxed) || pending_.size() > 4096);
  }
  if (own_flush) {
    t_flusher.request(t_flusher.arg, *this);
  } else if (wake) {
    cv_.notify_one();
  }
}

void LogWriter::TakeReadyLocked(std::vector<JournalEntry>* out) {
  while (!pending_.empty() && pending_.front().has_value()) {
    out->push_back(std::move(*pending_.front()));
    pending_.pop_front();
    ++next_;
  }
}

void LogWriter::FlushNow() {
  flushes_expected_.fetch_sub(1, std::memory_order_relaxed);
  AppendReadyNow();
}

void LogWriter::AppendReadyNow() {
  constexpr int kMaxRounds = 4;
  bool hand_over = false;
  bool wake_for_sync = false;
  {
    std::unique_lock lock(mu_);
    if (stop_ || !Storing()) return;
    if (delivering_) {
      // The holder may have taken its run before our entries came: it hands the writer
      // thread what is ready once done, without the writer's millisecond of collecting.
      handed_over_ = true;
      return;
    }
    delivering_ = true;
    std::string& encoded = flush_encoded_;
    for (int round = 0;; ++round) {
      TakeReadyLocked(&flush_batch_);
      if (flush_batch_.empty()) break;
      if (round == kMaxRounds) {
        // Other threads keep adding: leave the rest to the writer thread rather than hold
        // this thread's own clients back.
        Requeue(&flush_batch_);
        hand_over = true;
        break;
      }
      lock.unlock();
      const FsyncPolicy policy = policy_.load();
      Status s = Append(flush_batch_, policy == FsyncPolicy::kAlways, &encoded);
      if (s.ok()) Deliver(flush_batch_, policy != FsyncPolicy::kEverySec);
      lock.lock();
      // everysec: the sleeping writer thread owes a sync a second from now.
      if (s.ok() && policy == FsyncPolicy::kEverySec && writer_idle_ && !sync_timed_) wake_for_sync = true;
      if (!s.ok()) {
        // The writer thread retries every second (encoding the batch again); writes are
        // refused meanwhile (ok()).
        Requeue(&flush_batch_);
        ClearBatchBuffer(&encoded);
        hand_over = true;
        break;
      }
      flush_batch_.clear();
    }
    delivering_ = false;
    // Also what another flusher left while this one held the token.
    if (hand_over) handed_over_ = true;
    hand_over = handed_over_;
  }
  if (hand_over || wake_for_sync) cv_.notify_one();
}

void LogWriter::Requeue(std::vector<JournalEntry>* batch) {
  for (auto it = batch->rbegin(); it != batch->rend(); ++it) pending_.emplace_front(std::move(*it));
  next_ -= batch->size();
  batch->clear();
}

void LogWriter::DeliverInline(std::unique_lock<std::mutex>& lock) {
  while (true) {
    TakeReadyLocked(&inline_batch_);
    if (inline_batch_.empty()) break;
    lock.unlock();
    Deliver(inline_batch_, true);  // nothing stored: as durable as it will be
    inline_batch_.clear();
    lock.lock();
  }
  delivering_ = false;
}

void LogWriter::Deliver(const std::vector<JournalEntry>& batch, bool durable_now) {
  const uint64_t last = batch.back().seq;
  written_ = last;
  // Read without mu_: only the token holder calls Deliver, and SetListener waits until
  // nobody holds the token.
  if (listener_) listener_(batch);
  if (durable_now) NotifyDurable(last);
}

void LogWriter::WaitDurable(uint64_t seq, std::function<void()> done) {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mu_);
    if (seq <= durable_.load()) {
      ready.push_back(std::move(done));
    } else {
      waiters_.emplace(seq, std::move(done));
      // Published before durable_ is read again (both seq_cst): either NotifyDurable's
      // fast path sees a waiter and collects it, or this sees its new durable_ and
      // collects it here, under mu_ either way, so it is called exactly once.
      waiter_count_.store(waiters_.size());
      TakeDurableWaitersLocked(durable_.load(), &ready);
    }
  }
  for (auto& f : ready) f();
}

void LogWriter::TakeDurableWaitersLocked(uint64_t seq, std::vector<std::function<void()>>* out) {
  auto end = waiters_.upper_bound(seq);
  if (end == waiters_.begin()) return;
  for (auto it = waiters_.begin(); it != end; ++it) out->push_back(std::move(it->second));
  waiters_.erase(waiters_.begin(), end);
  waiter_count_.store(waiters_.size());
}

void LogWriter::SetListener(std::function<void(std::span<const JournalEntry>)> listener) {
  std::unique_lock lock(mu_);
  // Deliver reads the listener without mu_, holding the delivery token: wait for it.
  while (delivering_) {
    lock.unlock();
    std::this_thread::yield();
    lock.lock();
  }
  listener_ = std::move(listener);
}

std::string LogWriter::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

void LogWriter::ResetSequence(uint64_t seq) {
  std::lock_guard lock(mu_);
  pending_.clear();
  next_ = seq + 1;
  next_seq().store(seq + 1);
  written_ = durable_ = seq;
}

void LogWriter::NotifyDurable(uint64_t seq) {
  uint64_t was = durable_.load();
  while (was < seq && !durable_.compare_exchange_weak(was, seq)) {
  }
  if (was >= seq) return;  // another thread got further
  // Most writes have nobody waiting (every policy but `always`): no lock for them.
  if (waiter_count_.load() == 0) return;
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mu_);
    TakeDurableWaitersLocked(durable_.load(), &ready);
  }
  for (auto& f : ready) f();
}

bool LogWriter::EverySecSyncOwed() const {
  return Storing() && policy_.load() == FsyncPolicy::kEverySec && durable_.load() < written_.load();
}

Status LogWriter::Append(const std::vector<JournalEntry>& batch, bool sync, std::string* encoded) {
  if (encoded->empty()) EncodeLogBatch(batch, encoded);
  auto t0 = Clock::now();
  // statvfs costs a system call: look again every 100 ms, or at once when close.
  if (t0 - free_checked_at_ >= std::chrono::milliseconds(100) || free_bytes_ < 2 * kDiskReserveBytes) {
    free_bytes_ = store_->FreeBytes();
    free_checked_at_ = t0;
  }
  free_bytes_ = free_bytes_ > encoded->size() ? free_bytes_ - encoded->size() : 0;
  Status s = free_bytes_ < kDiskReserveBytes
                 ? Status::IOError("No space left on device (" + std::to_string(free_bytes_ >> 20) +
                                   " MB free, the log keeps " + std::to_string(kDiskReserveBytes >> 20) +
                                   " MB in reserve)")
                 : store_->AppendLog(batch.front().seq, batch.back().seq, *encoded, sync);
  if (!s.ok()) {
    std::lock_guard lock(mu_);
    last_error_ = s.message();
    ok_ = false;
    return s;
  }
  auto took = Clock::now() - t0;
  appends_.fetch_add(1, std::memory_order_relaxed);
  append_micros_.fetch_add(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
  if (latency_hook_) latency_hook_(sync ? "aof-fsync-always" : "aof-write", took);
  if (!ok_.load()) {
    std::lock_guard lock(mu_);
    last_error_.clear();
  }
  ok_ = true;
  ClearBatchBuffer(encoded);
  return s;
}

void LogWriter::Run() {
  auto last_sync = Clock::now();
  std::vector<JournalEntry> batch;
  std::string encoded;  // the batch's value, kept for a retry after a failed append
  uint64_t failed_through = 0;  // a failed batch is retried before anything newer
  while (true) {
    {
      std::unique_lock lock(mu_);
      // Entries the writer may take: none while a submitter delivers them (its token).
      auto ready = [&] { return !delivering_ && !pending_.empty() && pending_.front().has_value(); };
      writer_waiting_ = true;
      bool take = true;
      if (failed_through) {
        cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stop_; });
      } else if (eager_.load()) {
        cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stop_ || ready() || purge_requested_.load(); });
      } else {
        // The I/O threads append what they submit (FlushNow, posted): the writer takes
        // the rest (expiry, replicated writes), what a flusher hands over, and entries
        // ready while no flush is on its way.
        auto taken_over = [&] { return stop_ || handed_over_; };
        auto mine = [&] {
          return taken_over() || (ready() && flushes_expected_.load(std::memory_order_relaxed) == 0);
        };
        take = mine();
        if (!take) {
          // Sleep until an entry of ours comes or the everysec sync of what was written
          // is due, rather than waking every millisecond.
          sync_timed_ = EverySecSyncOwed();
          auto until = sync_timed_ ? last_sync + std::chrono::seconds(1) : Clock::now() + std::chrono::hours(1);
          writer_idle_ = true;
          cv_.wait_until(lock, until, [&] {
            return mine() || (!sync_timed_ && EverySecSyncOwed()) || purge_requested_.load();
          });
          writer_idle_ = false;
          take = mine();
        }
        // Collect what else comes within a millisecond into the same append.
        if (take && !taken_over()) cv_.wait_for(lock, std::chrono::milliseconds(1), taken_over);
        // A flush was posted meanwhile: leave the entries to it.
        if (take && !taken_over() && flushes_expected_.load(std::memory_order_relaxed) > 0) take = false;
      }
      handed_over_ = false;
      writer_waiting_ = false;
      if (stop_ && failed_through) break;  // shutting down on a failing disk: give up
      if (!failed_through && take && ready()) {
        delivering_ = true;  // until this batch is delivered (kept through failed appends)
        TakeReadyLocked(&batch);
      }
      if (stop_ && batch.empty() && !ready()) break;
    }
    if (purge_requested_.exchange(false)) AllocatorPurge();
    FsyncPolicy policy = policy_.load();
    bool store = Storing();
    if (!batch.empty()) {
      uint64_t last = batch.back().seq;
      if (store) {
        Status s = Append(batch, policy == FsyncPolicy::kAlways, &encoded);
        if (!s.ok()) {
          failed_through = last;
          continue;  // keep the batch; retry in a second
        }
        failed_through = 0;
      }
      ClearBatchBuffer(&encoded);
      Deliver(batch, !store || policy != FsyncPolicy::kEverySec);
      batch.clear();
      std::lock_guard lock(mu_);
      delivering_ = false;
    }
    if (EverySecSyncOwed() && Clock::now() - last_sync >= std::chrono::seconds(1)) {
      auto t0 = Clock::now();
      bool synced = store_->SyncLog().ok();
      if (latency_hook_) latency_hook_("aof-fsync-everysec", Clock::now() - t0);
      if (synced) NotifyDurable(written_.load());
      last_sync = Clock::now();
    }
  }
  if (Storing() && durable_.load() < written_.load() && store_->SyncLog().ok()) {
    NotifyDurable(written_.load());
  }
}

void LogWriter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

}  // namespace minired
