// The catalog's view of minired (or any Redis): cache-aside storage by "scope".
//
// A scope is what one write invalidates together: a product's document ("p:42", a
// string), the orderings of a list ("l:shoes:price": which ids each page holds), a
// list's count ("n:shoes"), the category list. Other than documents, a scope's
// entries are fields of one hash, catalog:{scope}, which expires as a whole `ttl`
// after its first fill; beside it, catalog:gen:{scope} counts its invalidations.
//
// Page bodies (the JSON of a page's documents) are cached beside the page's ordering
// and are also deleted when any product on them changes (see FillBody).
//
// Race-free fills: a reader notes the generation when it misses and fills only if the
// generation is unchanged (WATCH/MULTI on a pooled connection of its own). A writer
// first commits to the database, then bumps the generation and deletes the hash in
// one transaction. So a reader that loaded old rows before a write either sees the
// generation move and drops its fill, or fills before the delete that removes it.
//
// Failure: every call is bounded by the cache timeout; a failed read is a miss served
// by the database (counted as an error), a failed invalidation is retried by
// RetryInvalidations() and, until it succeeds, the scope is read from the database.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
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
class Pool;
}  // namespace minired::client

namespace minired::catalog {

class Metrics;

// A product's scope ("p:42"): its document, and the page bodies that hold it.
std::string ProductScope(int64_t id);
bool IsProductScope(std::string_view scope);

class Cache {
 public:
  // Connects in the background (reconnecting by itself); a cache that is down at start
  // is not an error: the database answers until it comes up.
  Cache(const ServeOptions& options, Metrics* metrics);
  ~Cache();

  // What a lookup found: each field's value (nullopt: missing) and the generation to
  // hand to Fill. Nullopt when the cache failed or the scope awaits invalidation.
  struct Found {
    std::vector<std::optional<std::string>> values;
    std::string generation;
  };
  std::optional<Found> Lookup(const std::string& scope, const std::vector<std::string>& fields);
  // Several scopes in one round trip; each nullopt when it failed.
  using ScopeFields = std::pair<std::string, std::vector<std::string>>;
  std::vector<std::optional<Found>> LookupMany(const std::vector<ScopeFields>& wanted);

  // Documents: one string per scope (a product), read together in one round trip
  // with their generations; nullopt when the cache failed.
  struct Doc {
    std::optional<std::string> value;
    std::string generation;
  };
  std::optional<std::vector<Doc>> LookupDocs(const std::vector<std::string>& scopes);
  struct DocFill {
    std::string scope, generation, doc;
  };
  // Stores each document whose scope's generation is still the one given.
  void FillDocs(const std::vector<DocFill>& fills);
  // Stores a page body built from documents (scope, generation read with each): only
  // if neither the page's scope nor any of the documents changed since, and records
  // in each product's catalog:in:{p:ID} set that this body holds it, so a write to
  // the product deletes the body (Invalidate).
  void FillBody(const std::string& scope, const std::string& generation, const std::string& field,
                const std::string& body, const std::vector<std::pair<std::string, std::string>>& docs);
  // True while an invalidation of a product failed: page bodies may hold it, so none
  // is served or stored until RetryInvalidations succeeds.
  bool BodiesSuspect();

  // Stores fields unless the scope was invalidated since `generation` was read.
  void Fill(const std::string& scope, const std::string& generation,
            const std::vector<std::pair<std::string, std::string>>& fields);

  // Invalidates every scope in one transaction; on failure they are remembered and
  // read from the database until RetryInvalidations succeeds.
  void Invalidate(const std::set<std::string>& scopes);
  void RetryInvalidations();

  // Plain commands (views and rankings), bounded by the cache timeout.
  client::Result<client::Reply> Run(const client::Command& c);
  client::Result<std::vector<client::Reply>> RunPipeline(const client::Pipeline& p);

  int ttl_seconds() const { return ttl_s_; }

 private:
  bool Suspect(const std::string& scope);
  bool SendInvalidation(const std::set<std::string>& scopes);
  // On a leased connection: WATCHes the generations of `expected` (scope, generation
  // read before the database was), tells `build` which are unchanged, and runs the
  // commands it adds as one transaction (none: nothing is stored). Every fill goes
  // through here, which is what makes fills race-free.
  void TransactIfUnchanged(const std::vector<std::pair<std::string, std::string>>& expected,
                           const std::function<void(const std::vector<bool>&, client::Pipeline*)>& build);

  Metrics* const metrics_;
  const int ttl_s_;
  std::unique_ptr<client::IoThread> io_;
  std::shared_ptr<client::Connection> conn_;  // shared by all workers, pipelined
  std::shared_ptr<client::Pool> fill_pool_;   // WATCH needs a connection of its own
  std::mutex mu_;
  std::set<std::string> unflushed_;  // guarded by mu_: invalidations that failed
  std::atomic<bool> has_unflushed_{false};  // !unflushed_.empty(), read without mu_
};

}  // namespace minired::catalog
