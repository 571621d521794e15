// Product views and the per-category rankings built from them.
//
// With a cache: a view is INCR catalog:views:{id} (views not yet in the database),
// SADD catalog:views:dirty id, and ZADD catalog:rank:{category} XX INCR 1 id (the
// ranking holds each product's total). Flush() moves the pending counts into the
// database in one transaction per batch (SPOP the dirty ids, GETDEL their counters).
// A ranking missing from the cache is rebuilt from the database plus the pending
// counts, under the same lock as Flush so no view is counted twice or missed.
//
// Without a cache, or while it fails, a view is one UPDATE in the database.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog_service.h"

namespace minired::catalog {

// The sorted set of a category's products by views.
std::string RankingKey(const std::string& category);

class Views {
 public:
  Views(Database* db, Cache* cache, CatalogService* products, Metrics* metrics);

  ApiResult Record(int64_t id);
  ApiResult Ranking(const std::string& category, int64_t limit);
  // Writes pending views to the database; returns how many. Safe to call any time.
  int64_t Flush();

 private:
  // Builds the category's ranking in the cache when absent; false if the cache failed.
  bool EnsureRanking(const std::string& category);
  ApiResult RankingFromDatabase(const std::string& category, int64_t limit);
  // The response: each (id, views) with its product's document, in the order given.
  ApiResult RankingBody(const std::string& category, const std::vector<std::pair<int64_t, int64_t>>& top);

  Database* const db_;
  Cache* const cache_;
  CatalogService* const products_;
  Metrics* const metrics_;
  std::mutex flush_mu_;  // Flush and ranking rebuilds
  SingleFlight<bool> builds_;
};

}  // namespace minired::catalog
