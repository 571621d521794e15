#include "catalog/views.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "catalog/cache.h"
#include "catalog/metrics.h"

namespace minired::catalog {

using nlohmann::json;
using client::Command;
using client::Pipeline;
using client::Reply;

namespace {

constexpr const char* kDirty = "catalog:views:dirty";
std::string CounterKey(std::string_view id) { return "catalog:views:" + std::string(id); }
std::string CounterKey(int64_t id) { return CounterKey(std::to_string(id)); }

int64_t ToInt(const Reply& r) {
  if (r.type == Reply::Type::kInteger) return r.integer;
  int64_t n = 0;
  if (r.type == Reply::Type::kBulkString) std::from_chars(r.str.data(), r.str.data() + r.str.size(), n);
  return n;
}

double ToDouble(const Reply& r) {
  if (r.type == Reply::Type::kDouble) return r.dbl;
  return r.type == Reply::Type::kBulkString ? std::strtod(r.str.c_str(), nullptr) : 0;
}

}  // namespace

std::string RankingKey(const std::string& category) { return "catalog:rank:{" + category + "}"; }

Views::Views(Database* db, Cache* cache, CatalogService* products, Metrics* metrics)
    : db_(db), cache_(cache), products_(products), metrics_(metrics) {}

ApiResult Views::Record(int64_t id) {
  std::optional<json> doc = products_->Find(id);
  if (!doc) return JsonError(404, "", "product " + std::to_string(id) + " not found");
  const std::string category = doc->value("category", "");
  if (cache_) {
    Pipeline pl;
    pl.add("INCR", CounterKey(id));
    pl.add("SADD", kDirty, id);
    pl.add("ZADD", RankingKey(category), "XX", "INCR", 1, id);
    auto r = cache_->RunPipeline(pl);
    if (r && r->size() == 3 && !(*r)[0].is_error() && !(*r)[1].is_error()) {
      int64_t views = -1;
      if (!(*r)[2].is_null() && !(*r)[2].is_error()) views = std::llround(ToDouble((*r)[2]));
      else if (EnsureRanking(category)) {
        auto score = cache_->Run(Command("ZSCORE", RankingKey(category), id));
        if (score && !score->is_null()) views = std::llround(ToDouble(*score));
      }
      json body{{"id", id}};
      body["views"] = views >= 0 ? json(views) : json(nullptr);
      return ApiResult{200, body.dump()};
    }
    metrics_->CacheRead("views", CacheOutcome::kError);
    // INCR may have counted before the failure: the database gets this view directly
    // only when nothing reached the cache.
    if (r && r->size() == 3 && !(*r)[0].is_error()) return ApiResult{200, json{{"id", id}, {"views", nullptr}}.dump()};
  }
  db_->AddViews({{id, 1}});
  int64_t views = db_->Views(id);
  if (views < 0) return JsonError(404, "", "product " + std::to_string(id) + " not found");
  return ApiResult{200, json{{"id", id}, {"views", views}}.dump()};
}

int64_t Views::Flush() {
  if (cache_ == nullptr) return 0;
  std::lock_guard<std::mutex> l(flush_mu_);
  int64_t total = 0;
  for (;;) {
    auto ids = cache_->Run(Command("SPOP", kDirty, 1000));
    if (!ids || !ids->is_array() || ids->elems.empty()) break;
    Pipeline take;
    for (const Reply& id : ids->elems) take.add("GETDEL", CounterKey(id.str));
    auto counts = cache_->RunPipeline(take);
    if (!counts || counts->size() != ids->elems.size()) {
      // Nothing was taken (or we cannot tell): the ids go back for the next flush.
      Command back("SADD", kDirty);
      for (const Reply& id : ids->elems) back << id.str;
      (void)cache_->Run(back);
      break;
    }
    std::vector<std::pair<int64_t, int64_t>> batch;
    for (size_t i = 0; i < counts->size(); ++i) {
      int64_t n = ToInt((*counts)[i]);
      if (n > 0) batch.emplace_back(ToInt(ids->elems[i]), n);
    }
    try {
      db_->AddViews(batch);
    } catch (const DbError&) {
      // Give the counts back so a later flush writes them.
      Pipeline undo;
      for (const auto& [id, n] : batch) {
        undo.add("INCRBY", CounterKey(id), n);
        undo.add("SADD", kDirty, id);
      }
      (void)cache_->RunPipeline(undo);
      throw;
    }
    int64_t views = 0;
    for (const auto& [id, n] : batch) views += n;
    metrics_->ViewsFlushed(views);
    total += views;
  }
  return total;
}

bool Views::EnsureRanking(const std::string& category) {
  bool waited = false;
  return builds_.Do(
      category,
      [&] {
        auto exists = cache_->Run(Command("EXISTS", RankingKey(category)));
        if (!exists || exists->is_error()) return false;
        if (exists->integer == 1) return true;
        std::lock_guard<std::mutex> l(flush_mu_);
        auto rows = db_->CategoryViews(category);
        for (size_t start = 0; start < rows.size(); start += 1000) {
          size_t end = std::min(rows.size(), start + 1000);
          Command mget("MGET");
          for (size_t i = start; i < end; ++i) mget << CounterKey(rows[i].first);
          auto pending = cache_->Run(mget);
          if (!pending || !pending->is_array()) return false;
          Command zadd("ZADD", RankingKey(category));
          for (size_t i = start; i < end; ++i) {
            zadd << rows[i].second + ToInt(pending->elems[i - start]) << rows[i].first;
          }
          if (auto r = cache_->Run(zadd); !r || r->is_error()) return false;
        }
        (void)cache_->Run(Command("EXPIRE", RankingKey(category), cache_->ttl_seconds()));
        return true;
      },
      &waited);
}

ApiResult Views::RankingBody(const std::string& category, const std::vector<std::pair<int64_t, int64_t>>& top) {
  json doc{{"category", category}, {"items", json::array()}};
  for (const auto& [id, views] : top) {
    std::optional<json> p = products_->Find(id);
    if (p) doc["items"].push_back({{"views", views}, {"product", std::move(*p)}});
  }
  return ApiResult{200, doc.dump()};
}

ApiResult Views::RankingFromDatabase(const std::string& category, int64_t limit) {
  auto rows = db_->CategoryViews(category);
  size_t n = std::min<size_t>(rows.size(), static_cast<size_t>(limit));
  std::partial_sort(rows.begin(), rows.begin() + n, rows.end(),
                    [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  rows.resize(n);
  return RankingBody(category, rows);
}

ApiResult Views::Ranking(const std::string& category, int64_t limit) {
  if (cache_ == nullptr || !EnsureRanking(category)) {
    if (cache_) metrics_->CacheRead("ranking", CacheOutcome::kError);
    return RankingFromDatabase(category, limit);
  }
  auto top = cache_->Run(Command("ZRANGE", RankingKey(category), 0, limit - 1, "REV", "WITHSCORES"));
  if (!top || !top->is_array()) {
    metrics_->CacheRead("ranking", CacheOutcome::kError);
    return RankingFromDatabase(category, limit);
  }
  metrics_->CacheRead("ranking", CacheOutcome::kHit);
  std::vector<std::pair<int64_t, int64_t>> rows;
  for (size_t i = 0; i + 1 < top->elems.size(); i += 2) {
    rows.emplace_back(ToInt(top->elems[i]), std::llround(ToDouble(top->elems[i + 1])));
  }
  return RankingBody(category, rows);
}

}  // namespace minired::catalog
