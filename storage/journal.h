// The one propagation point. Every write that changes the keyspace becomes a canonical,
// deterministic journal entry: the RESP commands that reproduce it, tagged with their
// database, under one sequence number per command. The append-only log stores these
// entries and the replication stream will send the same bytes, so both are fed from
// here and nowhere else.
//
// How an entry is formed (see docs/persistence.md):
//  * A sequence number is taken the first time the running command writes, under the
//    shard lock of what it writes. A command holds the locks of all its keys for its
//    whole run, so two commands touching a common key are numbered in the order they
//    ran: replaying by sequence number reproduces every key's history.
//  * Keys deleted because their expiry passed become `DEL key` (before the command).
//  * The command's own record is its argv, or what the handler substituted for
//    something non-deterministic (SPOP becomes SREM of the members it popped).
//  * Every key that got an expiry becomes `PEXPIREAT key <absolute ms>` after it, so a
//    relative TTL (EX, PX, EXPIRE ...) replays to the same instant.
//
// Threading: one Journal per thread (thread_local), active inside a JournalScope. Db
// calls the static hooks under its shard lock; they do nothing outside a scope or when
// no sink is attached, so they cost a branch.
//
// Changes: the journal also counts what Redis counts in `server.dirty` (save rules,
// rdb_changes_since_last_save): a write command counts what its handler reports with
// CountChanges (HSET of three fields: 3, DEL of two keys: 2), or 1 if it reports
// nothing. Expired or evicted keys and clients served from a blocking pop count 0, as
// in Redis 7.0.
//
// Recording: while nothing consumes entries (appendonly no, and no replica ever asked
// for the stream) the sink says so and a write takes no sequence number and builds no
// entry; it only counts as a change (save rules). The sink is asked under the shard
// lock of each write, so when recording is switched on before a snapshot locks every
// shard to take its position, every unrecorded write is inside that snapshot and every
// write it misses is recorded after it.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/per_thread_counter.h"

namespace minired {

// Where a journal command goes (a script chooses with redis.set_repl).
enum JournalTarget : uint8_t {
  kReplToLog = 1,
  kReplToReplicas = 2,
};

// One command of a journal entry.
struct JournalCommand {
  int db = 0;
  std::string resp;  // one RESP multibulk
  uint8_t targets = kReplToLog | kReplToReplicas;
  // A key expired or evicted on the way (DEL): stays even when a script's attempt is
  // rolled back (its other records are dropped), since the key stays deleted.
  bool deletion = false;
};

// A sequence-numbered entry: everything one top-level command (or one expiry step)
// changed. An entry with no commands still carries its number, so consumers that wait
// for a contiguous sequence never stall.
struct JournalEntry {
  uint64_t seq = 0;
  std::vector<JournalCommand> commands;
};

// Receives finished entries, possibly out of order across threads.
class JournalSink {
 public:
  virtual ~JournalSink() = default;
  virtual void Submit(JournalEntry entry) = 0;
  // Numbers entries; the first is 1. Recovery sets it past what the log holds.
  std::atomic<uint64_t>& next_seq() { return next_seq_; }
  // Whether writes become entries (see "Recording" above): while the log stores them or
  // replicas may ask for the stream. Either switch must turn on before the snapshot that
  // its consumer starts from takes its position.
  bool recording() const {
    return for_log_.load(std::memory_order_relaxed) || for_stream_.load(std::memory_order_relaxed);
  }
  // Replicas may ask for the replication stream (one did, this node is a replica, or it
  // restarted into a stream replicas knew): writes are recorded from now on even with
  // the log off. Never switched back: the stream's offsets must go on counting.
  void set_stream_wanted() { for_stream_.store(true); }
  // Changes (see "Changes" above) since the counter was last reset, recorded or not.
  uint64_t changes() const { return static_cast<uint64_t>(std::max<int64_t>(changes_.Sum(), 0)); }
  // Every write command counts (JournalScope): a line of the calling thread's own.
  void CountChanges(uint64_t n) { changes_.Add(static_cast<int64_t>(n)); }
  void SubtractChanges(uint64_t n) { changes_.Add(-static_cast<int64_t>(std::min(n, changes()))); }

 protected:
  // The log stores entries (a sink that is not a log records by default).
  void set_recording_for_log(bool on) { for_log_.store(on); }

 private:
  std::atomic<uint64_t> next_seq_{1};
  std::atomic<bool> for_log_{true};
  std::atomic<bool> for_stream_{false};
  PerThreadCounter changes_;
};

class Journal {
 public:
  // --- hooks called by Db under the shard lock ---
  static void Touch() {
    if (Journal* j = t_active_) {
      j->EnsureSeq();
      ++j->touches_;
    }
  }
  static void ExpiredKey(int db, std::string_view key) { DeletedKey(db, key); }
  static void EvictedKey(int db, std::string_view key) { DeletedKey(db, key); }
  static void ExpirySet(int db, std::string_view key, int64_t at_ms);

  // --- used by command handlers ---
  // The running command changed `n` things (see "Changes" above); the last report wins.
  static void CountChanges(uint64_t n) {
    if (Journal* j = t_active_) {
      j->reported_changes_ = n;
      j->has_reported_ = true;
    }
  }

  // --- used by the command layer ---
  // Ends one command's run (nested ones too): adds what it reported, or 1 if it wrote
  // and reported nothing.
  void EndCommand(bool wrote_keys) {
    changes_ += has_reported_ ? reported_changes_ : (wrote_keys ? 1 : 0);
    has_reported_ = false;
  }
  // The journal of this thread while a scope is open; null otherwise.
  static Journal* Active() { return t_active_; }
  // Whether a record made now would be kept (a scope is open and its sink records):
  // commands that build records of their own skip the work when it would not.
  static bool Recording() { return t_active_ != nullptr && t_active_->sink_->recording(); }
  // The sequence number of the last entry this thread submitted (0: none yet).
  static uint64_t LastSubmitted();
  // Writes noted so far in this scope: a command wrote if this grew while it ran.
  uint64_t touches() const { return touches_; }
  // A recorded write happened in this scope: its entry has a number.
  bool wrote() const { return seq_ != 0; }
  // Appends a command record (nothing unless wrote(): a write made while the sink was
  // not recording is in the consumer's starting snapshot); flushes the expiries noted
  // so far after it.
  // `targets`: where it goes (JournalTarget; a script's redis.set_repl narrows it).
  void AddCommand(int db, std::span<const std::string_view> args, uint8_t targets = kReplToLog | kReplToReplicas);
  void AddCommand(int db, std::span<const std::string> args, uint8_t targets = kReplToLog | kReplToReplicas);
  // Replaces what the running command will record (call from its handler).
  void Substitute(std::vector<std::string> args) {
    substitute_.clear();
    AddSubstitute(std::move(args));
  }
  // Adds one more command to what the running command records instead of its argv (a
  // consumer-group read records the XCLAIMs and XGROUP SETID that reproduce it): more
  // than one are wrapped in MULTI/EXEC, so a replica applies them as one step.
  void AddSubstitute(std::vector<std::string> args) {
    substitute_.push_back(std::move(args));
    has_substitute_ = true;
  }
  // The running command records nothing of its own: it decided, under its keys' locks,
  // that nothing records (Recording() was false), so its change is inside the snapshot
  // that switches recording on, even if that happens before its first write.
  void SubstituteNothing() {
    substitute_.clear();
    has_substitute_ = true;
  }
  bool TakeSubstitute(std::vector<std::vector<std::string>>* out);
  // Records gathered so far (EXEC wraps them in MULTI/EXEC).
  std::vector<JournalCommand>& commands() { return commands_; }
  void FlushExpiries(uint8_t targets = kReplToLog | kReplToReplicas);

 private:
  friend class JournalScope;
  friend class JournalSuspension;
  // Records `DEL key`: a key that expired or was evicted.
  static void DeletedKey(int db, std::string_view key);
  // Numbers the entry on its first recorded write; returns false when the sink is not
  // recording.
  bool EnsureSeq() {
    if (!sink_->recording()) return false;
    if (seq_ == 0) seq_ = sink_->next_seq().fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  JournalSink* sink_ = nullptr;
  uint64_t seq_ = 0;
  uint64_t touches_ = 0;
  uint64_t changes_ = 0;  // counted by EndCommand in this scope
  uint64_t reported_changes_ = 0;
  bool has_reported_ = false;
  std::vector<JournalCommand> commands_;
  std::vector<std::pair<int, std::string>> expiring_keys_;  // noted by ExpirySet
  std::vector<int64_t> expiring_at_;
  std::vector<std::vector<std::string>> substitute_;
  bool has_substitute_ = false;
  // Defined here, constant-initialized: other files read it directly, without first
  // checking for a thread_local init function (as for every out-of-line thread_local).
  static inline thread_local Journal* t_active_ = nullptr;
};

// Opens this thread's journal for one command (nested scopes join the outer one) and
// submits its entry to the sink when the outermost scope closes. A null sink disables
// journaling for the scope.
class JournalScope {
 public:
  explicit JournalScope(JournalSink* sink);
  ~JournalScope();
  JournalScope(const JournalScope&) = delete;
  JournalScope& operator=(const JournalScope&) = delete;

 private:
  bool outer_ = false;
};

// While alive, this thread journals nothing and a JournalScope opened meanwhile joins
// no entry: the clients a busy script's thread serves from the script's hook (they run
// only commands that write nothing) must not add to, or submit, the script's entry.
class JournalSuspension {
 public:
  JournalSuspension();
  ~JournalSuspension();
  JournalSuspension(const JournalSuspension&) = delete;
  JournalSuspension& operator=(const JournalSuspension&) = delete;

 private:
  Journal* active_;
  int depth_;
};

// "PEXPIREAT key ms" etc.: encodes argv as RESP into `out`.
void EncodeArgs(std::span<const std::string_view> args, std::string* out);

}  // namespace minired
