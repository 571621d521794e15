// Client-side caching (CLIENT TRACKING), as Redis 7.0 implements it: the server
// remembers which keys each tracking client read and, when one changes, pushes an
// invalidation to that client (or to the client it redirects to); BCAST clients hear of
// every change to keys under their prefixes instead.
//
// Sharded keyspace, several I/O threads (docs/ARCHITECTURE.md, "Client tracking"):
//  * A read registers its keys *before* the command reads them (the dispatcher calls
//    Remember); a write looks the key up *after* changing it, under its shard lock (Db
//    calls KeyModified through the keyspace listener). Whichever order the two take
//    the shard lock in, either the read sees the new value or the write sees the
//    registration: a client is never left holding a value nobody will invalidate.
//  * An invalidation is queued in the target client's PushInbox before the writer's
//    command returns (so before its reply is sent), and the target's connection writes
//    what its inbox holds before the reply of any command it runs after that. So a
//    tracking client never reads the new value before the invalidation of its old one,
//    and a reply it gets after the write's acknowledgement (even PING's) comes after the
//    invalidation: the catalog's near cache relies on that.
//  * The key table is split in stripes by key hash, each under its own mutex, taken
//    after shard locks and never before one.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minired {

class ClientRegistry;
struct ClientInfo;

// ClientInfo::tracking bits (CLIENT TRACKINGINFO flags, CLIENT LIST's t/B/R).
enum TrackingFlag : uint32_t {
  kTrackingOn = 1 << 0,
  kTrackingBcast = 1 << 1,
  kTrackingOptin = 1 << 2,
  kTrackingOptout = 1 << 3,
  kTrackingNoloop = 1 << 4,
  kTrackingBrokenRedirect = 1 << 5,
};

// One message for a client's connection to write.
struct TrackingPush {
  enum class Kind : uint8_t {
    kInvalidate,      // "invalidate" with `keys`, or null (every key) when `all`
    kRedirectBroken,  // "tracking-redir-broken" <redirect_id> (RESP3 only)
  };
  Kind kind = Kind::kInvalidate;
  bool via_redirect = false;  // sent for another client: a RESP2 subscriber may take it
  bool all = false;
  // The null of an `all` is the tracking client's (a RESP2 client redirecting to a RESP3
  // one sends "$-1", as Redis does).
  int null_resp = 3;
  std::vector<std::string> keys;
  uint64_t redirect_id = 0;
};

// A client's queue of pushes: filled by any thread, drained by the client's own
// connection before it runs its next command (and on the wake it posts).
class PushInbox {
 public:
  // Called (on the adding thread, under no lock of ours) when the inbox turns non-empty.
  std::function<void()> wake;
  void Add(TrackingPush push);
  bool pending() const { return pending_.load(std::memory_order_acquire); }
  std::vector<TrackingPush> Take();

 private:
  std::mutex mu_;
  std::vector<TrackingPush> items_;  // guarded by mu_
  std::atomic<bool> pending_{false};
};

class ClientTracking {
 public:
  explicit ClientTracking(ClientRegistry& clients);
  ~ClientTracking();

  // CLIENT TRACKING ON for `client` with `options` (kTrackingBcast/Optin/Optout/Noloop),
  // on its own thread; the caller checked the options. Empty, or the error to reply.
  std::string Enable(ClientInfo& client, uint64_t redirect, uint32_t options, const std::vector<std::string>& prefixes);
  // CLIENT TRACKING OFF, or the client closed. Its ids stay in the key table and are
  // skipped when met, as in Redis (dropping them eagerly would cost a scan).
  void Disable(ClientInfo& client);

  // A read by `client` of `keys` (before the command reads them; see above).
  void Remember(uint64_t client, std::span<const std::string_view> keys);
  // `key` changed (under its shard lock): its readers' invalidations are queued, and the
  // key noted for the BCAST prefixes it falls under.
  void KeyModified(std::string_view key);
  // FLUSHALL / FLUSHDB: every tracking client is told every key is invalid (a null), and
  // the key table is emptied.
  void InvalidateAll();
  // Sends the BCAST invalidations the commands of this thread gathered (one message per
  // prefix, as Redis sends once per event loop): after each top-level command and each
  // active-expiry step.
  void FlushBroadcasts();
  // Over tracking-table-max-keys: forgets random keys, invalidating them (Redis's
  // trackingLimitUsedSlots; run before each command while tracking is on).
  void LimitTable(int64_t max_keys);

  // The client whose command runs on this thread (0: none, e.g. active expiry): NOLOOP
  // spares it, and BCAST remembers who changed a key.
  static void SetCurrentClient(uint64_t id);

  // Whether writes must be looked up at all (a client tracks, or keys are remembered).
  bool active() const { return active_.load(std::memory_order_relaxed); }
  // Called when active() may have changed.
  std::function<void()> on_active_changed;

  // A BCAST client's prefixes, sorted (CLIENT TRACKINGINFO).
  std::vector<std::string> Prefixes(uint64_t client) const;

  // INFO.
  size_t tracking_clients() const { return clients_count_.load(std::memory_order_relaxed); }
  size_t total_keys() const { return total_keys_.load(std::memory_order_relaxed); }
  size_t total_items() const { return total_items_.load(std::memory_order_relaxed); }
  size_t total_prefixes() const;

 private:
  struct Stripe;
  struct Tracker;
  Stripe& StripeOf(std::string_view key);
  // Queues the invalidation of `keys` (or all) for tracking client `t`: to its redirect
  // target, or a broken-redirect notice to itself.
  void Deliver(const Tracker& t, bool all, std::vector<std::string> keys);
  std::shared_ptr<Tracker> FindTracker(uint64_t id) const;
  void UpdateActive();
  // Removes `key`'s entry from `stripe` (locked), queueing its invalidations.
  void InvalidateLocked(Stripe& stripe, std::string_view key, uint64_t writer);

  ClientRegistry& registry_;
  std::unique_ptr<Stripe[]> stripes_;
  mutable std::mutex trackers_mu_;
  std::unordered_map<uint64_t, std::shared_ptr<Tracker>> trackers_;  // guarded by trackers_mu_
  mutable std::mutex prefix_mu_;
  std::map<std::string, std::vector<uint64_t>> prefixes_;  // guarded by prefix_mu_
  std::atomic<size_t> bcast_clients_{0};
  std::atomic<size_t> clients_count_{0};
  std::atomic<size_t> total_keys_{0};
  std::atomic<size_t> total_items_{0};
  std::atomic<bool> active_{false};
  std::atomic<unsigned> limit_rounds_{0};  // Redis's timeout_counter: an effort hint
};

}  // namespace minired
