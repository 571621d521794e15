// The catalog's view of minired (or any Redis; directly, or through twemproxy):
// cache-aside storage by "scope".
//
// A scope is what one write invalidates together: a product's document ("p:42"), a
// list's orderings ("l:shoes:price": which ids each page holds), one page's body (its
// documents' JSON, ready to send), a list's count ("n:shoes"), the category list. Each entry is a string key of its own, catalog:<scope>/<field>,
// stored with SET EX ttl, so a sharding proxy spreads entries over its masters; beside
// them, catalog:gen:<scope> holds the scope's generation, a random 64-bit token.
//
// Race-free without transactions (twemproxy forwards no MULTI or WATCH): an entry is
// stored tagged with the generation its reader noted before reading the database, and
// is valid only while that is still the scope's generation. A writer first commits to
// the database, then gives every scope it changed a new random generation. So a reader
// that loaded rows older than a write stores them under a generation that was already
// replaced, and nobody serves them. Random tokens (not counters) mean a generation that
// was evicted or expired never comes back as a value old entries carry.
//
// Page bodies: a body depends on documents, so before a reader reads the documents of
// a body it will store, it registers the body in each product's holder set
// (catalog:in:p:ID, Hold). A writer, after replacing the product's generation, reads
// the holder set and replaces the generation of every body listed. Either the writer
// saw the registration (and the body's generation dies), or it read the set before the
// registration, and then its new document generation came before the reader's
// document read, which therefore was fresh.
//
// Replicas (--cache-read-url): lookups go to them round-robin; fills, invalidations
// and generation creation go to the master. A replica's copy lags, but its entries
// and generations lag together, so what it serves was once current (staleness is
// bounded by the replication lag). For a window after this process changed a scope,
// that scope is read from the master, so a client reads its own write.
//
// Invalidation runs as one script (--cache-scripts on, the default with a cache server
// reached directly): one round trip instead of three, and atomic, so no body registers
// between the holders read and their removal. Behind twemproxy (which runs a script on
// one server only) it is off and the pipelines below do the same in three steps.
//
// Near cache (--near-cache-mb, client/include/minired/near_cache.h): lookups go through
// an in-process cache of the keys they read (entries and generations alike), kept on a
// connection with CLIENT TRACKING on. A writer's new generation reaches every catalog
// process's near cache as an invalidation before that write is acknowledged to anyone
// who could then read, and a hit waits for a PING that follows every invalidation
// owed, so the near cache never answers with a generation a write has replaced: the
// validation above stays exact. While its connection is down, lookups go as before.
//
// Failure: every call is bounded by the cache timeout; a failed read is a miss served
// by the database (counted as an error), a failed invalidation is retried by
// RetryInvalidations() and, until it succeeds, the scope is read from the database.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/options.h"
#include "minired/command.h"
#include "minired/error.h"
#include "minired/reply.h"

namespace minired::client {
class Connection;
class IoThread;
class NearCache;
}  // namespace minired::client

namespace minired::catalog {

class Metrics;

// A product's scope ("p:42"): its document.
std::string ProductScope(int64_t id);
bool IsProductScope(std::string_view scope);
// The field a product's document is stored under in its scope.
inline constexpr const char* kDocField = "doc";

class Cache {
 public:
  // Connects in the background (reconnecting by itself); a cache that is down at start
  // is not an error: the database answers until it comes up.
  Cache(const ServeOptions& options, Metrics* metrics);
  ~Cache();

  // What a lookup found: each field's value (nullopt: missing or stale) and the
  // generation to hand to Fill. Nullopt when the cache failed or the scope awaits
  // invalidation.
  struct Found {
    std::vector<std::optional<std::string>> values;
    std::string generation;
  };
  using ScopeFields = std::pair<std::string, std::vector<std::string>>;
  // Any number of scopes in one round trip (two commands); each nullopt when it failed.
  std::vector<std::optional<Found>> LookupMany(const std::vector<ScopeFields>& wanted);
  // LookupMany without blocking a thread: `done` runs on the cache's I/O thread with
  // what was found, or with nullopt when the answer needs more than that one round trip
  // (a scope without a generation yet, a replica that failed) or the cache failed; the
  // caller then goes the blocking way. A cached hit is answered with no thread waiting.
  using FoundAll = std::vector<std::optional<Found>>;
  void LookupManyAsync(std::vector<ScopeFields> wanted, std::function<void(std::optional<FoundAll>)> done);
  std::optional<Found> Lookup(const std::string& scope, const std::vector<std::string>& fields);

  // Stores entries, each under the generation its reader noted (from Found) before it
  // read the database; one round trip.
  struct Entry {
    std::string scope, generation, field, value;
  };
  void Fill(const std::vector<Entry>& entries);
  // Registers `body_scope` with each product of `product_scopes` (see above); to be
  // called, and to have succeeded, before their documents are read for the body.
  bool Hold(const std::vector<std::string>& product_scopes, const std::string& body_scope,
            const std::string& body_generation);
  // True while an invalidation of a product failed: bodies may hold it, so none is
  // served or stored until RetryInvalidations succeeds.
  bool BodiesSuspect();

  // Gives every scope a new generation (one round trip); on failure they are
  // remembered and read from the database until RetryInvalidations succeeds.
  void Invalidate(const std::set<std::string>& scopes);
  void RetryInvalidations();

  // Plain commands on the master (views and rankings), bounded by the cache timeout.
  client::Result<client::Reply> Run(const client::Command& c);
  client::Result<std::vector<client::Reply>> RunPipeline(const client::Pipeline& p);

  int ttl_seconds() const { return ttl_s_; }
  // The near cache's counters (hits, misses, invalidations, size) for /metrics; null
  // without one.
  const client::NearCache* near_cache() const { return near_.get(); }

 private:
  using Clock = std::chrono::steady_clock;
  bool Suspect(const std::string& scope);
  bool SendInvalidation(const std::set<std::string>& scopes);
  // The same in one script (--cache-scripts on): one round trip, atomic.
  bool SendInvalidationScript(const std::set<std::string>& scopes);
  // Replaces the generations of `scopes` (one round trip).
  bool NewGenerations(const std::set<std::string>& scopes);
  // Where lookups of `wanted` go: a replica, unless one of them was written lately.
  client::Connection& ReadConnection(const std::vector<ScopeFields>& wanted);
  // Creates the generations of `scopes` that have none (on the master) and returns each
  // scope's generation; nullopt if the cache failed.
  std::optional<std::vector<std::string>> CreateGenerations(const std::vector<std::string>& scopes);
  // A lookup's two commands: every entry (MGET), every scope's generation (MGET).
  static client::Pipeline LookupPipeline(const std::vector<ScopeFields>& wanted);
  // The same keys through the near cache, answered as the pipeline's two replies.
  void NearLookup(const std::vector<ScopeFields>& wanted,
                  std::function<void(client::Result<std::vector<client::Reply>>)> done);
  bool UseNear() const;
  // What a lookup's replies say, given each scope's generation (read or created).
  FoundAll Decode(const std::vector<ScopeFields>& wanted, std::vector<client::Reply>& replies,
                  std::vector<std::string>& generation);

  Metrics* const metrics_;
  const int ttl_s_;
  const Clock::duration read_own_writes_;
  const Clock::duration invalidation_wait_;
  const bool scripts_;
  std::unique_ptr<client::IoThread> io_;
  std::shared_ptr<client::Connection> conn_;  // the master, shared by all workers, pipelined
  std::vector<std::shared_ptr<client::Connection>> replicas_;
  std::shared_ptr<client::NearCache> near_;  // null with --near-cache-mb 0
  std::atomic<size_t> next_replica_{0};
  std::mutex mu_;
  std::set<std::string> unflushed_;  // guarded by mu_: invalidations that failed
  std::atomic<bool> has_unflushed_{false};  // !unflushed_.empty(), read without mu_
  std::map<std::string, Clock::time_point> written_;  // guarded by mu_: scope -> read from the master until
};

}  // namespace minired::catalog
