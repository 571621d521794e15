// What the API does, apart from HTTP: product lists, products and their writes, with
// cache-aside reads (when a cache is configured), invalidation on write and stampede
// protection. Each call returns the status and JSON body to send. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/cache.h"
#include "catalog/change_feed.h"
#include "catalog/database.h"
#include "catalog/metrics.h"
#include "catalog/single_flight.h"

namespace minired::catalog {


struct ApiResult {
  int status = 200;
  std::string body;  // JSON
};

ApiResult JsonError(int status, const std::string& field, const std::string& message);

struct ListQuery {
  std::string category;  // empty: every category
  SortOrder sort = SortOrder::kRank;
  int64_t page = 1;
  int64_t size = 80;
  std::optional<Cursor> after;  // keyset pagination instead of page numbers
};

class CatalogService {
 public:
  static constexpr int64_t kDefaultPageSize = 80;
  static constexpr int64_t kMaxPageSize = 200;

  // cache may be null (--cache off): every read goes to the database. changes may be
  // null (no cache, or --changes-maxlen 0): writes are published nowhere.
  CatalogService(Database* db, Cache* cache, Metrics* metrics, ChangeFeed* changes = nullptr);

  ApiResult List(const ListQuery& q);
  // A list page answered from the cache alone, without blocking a thread: `done` runs
  // on the cache's I/O thread with the page when its body and count were hits, else
  // with nullopt (then call List, on a thread that may block).
  void ListCachedAsync(const ListQuery& q, std::function<void(std::optional<ApiResult>)> done);
  ApiResult Get(int64_t id);
  // The product's JSON document (through the cache), for views and rankings.
  std::optional<nlohmann::json> Find(int64_t id);
  ApiResult Create(std::string_view body);
  ApiResult Replace(int64_t id, std::string_view body);
  ApiResult Patch(int64_t id, std::string_view body);
  ApiResult Remove(int64_t id);
  ApiResult Categories();

  // The scopes a change of product p (before: `old`, after: `now`) makes stale: its
  // document; the page bodies of its categories; the orderings whose membership or
  // sort key changed; counts and the category list when membership changed.
  static std::set<std::string> ScopesOf(const Product* old, const Product* now);

 private:
  // A list page as loaded: its products' documents, their ids and the next cursor.
  struct PageData {
    std::vector<std::string> docs;
    std::vector<int64_t> ids;
    std::string next_cursor;  // empty: the last page
  };

  // A cached entry of `scope`: the cache's copy, or load() run once for all the
  // concurrent misses that saw the same state, stored under the generation seen.
  using Loader = std::function<std::optional<std::string>()>;
  std::optional<std::string> Cached(const std::string& kind, const std::string& scope, const std::string& field,
                                    const Loader& load);
  // The same with the lookup already done (nullopt: the cache failed or is off).
  std::optional<std::string> CachedAfterLookup(const std::string& kind, const std::string& scope,
                                               const std::string& field, std::optional<Cache::Found> found,
                                               const Loader& load);
  // flights.Do, counting the callers that waited for another's load; a load with no
  // key (see FlightKey) is shared with nobody.
  template <typename T, typename Load>
  T Shared(SingleFlight<T>& flights, const std::optional<std::string>& key, Load&& load) {
    if (!key) return load();
    bool waited = false;
    T value = flights.Do(*key, std::forward<Load>(load), &waited);
    if (waited) metrics_->StampedeWaited();
    return value;
  }
  // Which load a request may share; nullopt: none.
  static std::optional<std::string> FlightKey(const std::string& scope, const std::string& field,
                                              const std::optional<Cache::Found>& found);
  // Documents of `ids` in that order, from the cache and (what it lacks) the database;
  // products that no longer exist are left out.
  std::vector<std::string> Docs(const std::vector<int64_t>& ids);
  PageData LoadPage(const ListQuery& q);
  // A list page's lookups: its ordering's entry, its body, its category's count.
  static std::vector<Cache::ScopeFields> ListLookups(const ListQuery& q);
  // The page, when what one lookup found holds a valid body and the count.
  std::optional<ApiResult> ListFromCache(const ListQuery& q, const Cache::FoundAll& found);
  ApiResult Write(std::optional<int64_t> id, std::string_view body, bool partial);
  std::optional<std::string> ProductBody(int64_t id);

  Database* const db_;
  Cache* const cache_;
  Metrics* const metrics_;
  ChangeFeed* const changes_;
  SingleFlight<std::optional<std::string>> flights_;
  SingleFlight<PageData> page_flights_;
  // Read-modify-write of one product (PATCH) must not interleave with another write.
  std::mutex write_mu_;
};

}  // namespace minired::catalog
