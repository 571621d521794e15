// One replica attached to this server, as the master side sees it: the bytes waiting
// to go to it and what it reported back. The replication source pushes stream bytes
// from whatever thread feeds the stream; the replica's connection (on its I/O thread)
// takes them when woken. Thread-safe.
//
// A replica in full sync is "held": stream bytes collect here until the snapshot
// payload was handed to the connection, so they reach the replica after the snapshot,
// in order (docs/replication.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace minired {

class ReplicaFeed {
 public:
  enum class State { kWaitSnapshot, kSendSnapshot, kOnline };

  ReplicaFeed(uint64_t client_id, std::string ip) : client_id_(client_id), ip_(std::move(ip)) {}

  // --- producers ---
  // Stream bytes (held while a full sync has not handed out its payload).
  void Push(std::string_view bytes);
  // Bytes that go out before the payload and the stream (+FULLRESYNC, keep-alives).
  void PushPreamble(std::string_view bytes);
  // The full sync's payload: sent next (framed as a bulk), then the held stream.
  void SetPayload(std::shared_ptr<const std::string> payload);
  // A partial resync's catch-up, the backlog from the replica's offset on: sent after the
  // preamble as it is, then the stream. Like a full sync's payload it is not counted
  // against the replica output-buffer limit (it is bounded by repl-backlog-size): a limit
  // below the gap would otherwise drop the replica mid-catch-up, again and again.
  void SetCatchUp(std::shared_ptr<const std::string> bytes);
  // Makes the connection close (output limit, role change, failed full sync).
  void Drop(std::string reason);

  // --- the connection ---
  // Called (from any thread) when there is something to take; set once, before the feed
  // is attached. Wakes are coalesced until the next Take.
  void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }
  // Appends what may be sent now to *out and returns the payload to send right after
  // it, once (null otherwise).
  std::shared_ptr<const std::string> Take(std::string* out);
  // Lets the next push wake the connection again without taking anything (it is busy
  // writing but must keep checking its limit).
  void Rearm() { wake_posted_.store(false); }
  // Stream bytes not yet taken (counted against the replica output-buffer limit).
  size_t pending_bytes() const;
  bool dropped(std::string* reason) const;

  // --- what the replica reported (REPLCONF) ---
  uint64_t client_id() const { return client_id_; }
  const std::string& ip() const { return ip_; }
  std::atomic<int> listening_port{0};
  std::atomic<uint64_t> ack_offset{0};
  std::atomic<int64_t> ack_time_ms{0};
  std::atomic<State> state{State::kOnline};
  // SYNC rather than PSYNC: the payload comes without a +FULLRESYNC line.
  std::atomic<bool> plain_sync{false};
  // The form of its full sync (replication/payload.h): an RDB file unless the replica
  // announced it reads minired's payload (REPLCONF capa minired) or asked for the
  // functions alone (REPLCONF rdb-filter-only functions). Set before it is attached.
  int format = 1;  // SyncFormat

 private:
  void Wake();

  const uint64_t client_id_;
  const std::string ip_;
  std::function<void()> wake_;
  std::atomic<bool> wake_posted_{false};

  mutable std::mutex mu_;
  std::string preamble_;                          // guarded by mu_
  std::string pending_;                           // guarded by mu_
  std::shared_ptr<const std::string> payload_;    // guarded by mu_
  bool payload_framed_ = true;                    // guarded by mu_
  bool held_ = false;                             // guarded by mu_
  bool dropped_ = false;                          // guarded by mu_
  std::string drop_reason_;                       // guarded by mu_

  friend class ReplicationSource;
  void Hold() {
    std::lock_guard l(mu_);
    held_ = true;
  }
};

}  // namespace minired
