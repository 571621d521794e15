#include "catalog/catalog_service.h"

#include <nlohmann/json.hpp>

#include <charconv>

#include "catalog/cache.h"
#include "catalog/metrics.h"

namespace minired::catalog {

using nlohmann::json;

ApiResult JsonError(int status, const std::string& field, const std::string& message) {
  json body{{"error", field.empty() ? message : field + " " + message}};
  if (!field.empty()) body["field"] = field;
  return ApiResult{status, body.dump()};
}

CatalogService::CatalogService(Database* db, Cache* cache, Metrics* metrics)
    : db_(db), cache_(cache), metrics_(metrics) {}

std::set<std::string> CatalogService::ScopesOf(const Product* old, const Product* now) {
  std::set<std::string> scopes{"all"};
  const Product* any = now ? now : old;
  scopes.insert("p:" + std::to_string(any->id));
  if (old) scopes.insert(CategoryScope(old->category));
  if (now) scopes.insert(CategoryScope(now->category));
  // Counts per category change when a product comes, goes or moves.
  if (!old || !now || old->category != now->category) scopes.insert("categories");
  return scopes;
}

std::optional<std::string> CatalogService::Cached(const std::string& kind, const std::string& scope,
                                                  const std::string& field, bool with_count, const Loader& load) {
  if (cache_ == nullptr) {
    int64_t unused;
    return load(std::nullopt, &unused);
  }
  std::vector<std::string> fields{field};
  if (with_count) fields.push_back("count");
  std::optional<Cache::Found> found = cache_->Lookup(scope, fields);
  if (found && found->values[0]) {
    metrics_->CacheRead(kind, CacheOutcome::kHit);
    return std::move(*found->values[0]);
  }
  metrics_->CacheRead(kind, found ? CacheOutcome::kMiss : CacheOutcome::kError);
  std::optional<int64_t> count;
  if (found && with_count && found->values[1]) {
    int64_t n = 0;
    const std::string& s = *found->values[1];
    if (std::from_chars(s.data(), s.data() + s.size(), n).ec == std::errc()) count = n;
  }
  if (with_count) metrics_->CacheRead("count", count ? CacheOutcome::kHit : found ? CacheOutcome::kMiss
                                                                                   : CacheOutcome::kError);
  // Only requests that saw the same state share a load: one that arrives after a
  // write (a new generation, or a new local write epoch when the cache is failing)
  // must not take the result of a load that began before it.
  const std::string flight = scope + "\n" + field + "\n" + (found ? found->generation : "?") + "\n" +
                             std::to_string(write_epoch_.load(std::memory_order_acquire));
  bool waited = false;
  std::optional<std::string> body = flights_.Do(
      flight,
      [&]() -> std::optional<std::string> {
        int64_t total = -1;
        std::optional<std::string> loaded = load(count, &total);
        if (found && loaded) {
          std::vector<std::pair<std::string, std::string>> fill{{field, *loaded}};
          if (with_count && !count && total >= 0) fill.emplace_back("count", std::to_string(total));
          cache_->Fill(scope, found->generation, fill);
        }
        return loaded;
      },
      &waited);
  if (waited) metrics_->StampedeWaited();
  return body;
}

ApiResult CatalogService::List(const ListQuery& q) {
  const std::string scope = CategoryScope(q.category);
  const std::string sort(SortName(q.sort));
  const std::string field = q.after ? "k:" + sort + ":" + std::to_string(q.size) + ":" + q.after->Encode()
                                    : "o:" + sort + ":" + std::to_string(q.size) + ":" + std::to_string(q.page);
  auto body = Cached("page", scope, field, true, [&](std::optional<int64_t> count, int64_t* total_out) {
    int64_t total = count ? *count : db_->Count(q.category);
    *total_out = total;
    std::vector<Product> items = q.after ? db_->PageAfter(q.category, q.sort, q.size, *q.after)
                                         : db_->Page(q.category, q.sort, q.size, (q.page - 1) * q.size);
    json doc{{"items", json::array()}, {"size", q.size}, {"total", total}, {"sort", sort}};
    if (!q.category.empty()) doc["category"] = q.category;
    for (const Product& p : items) doc["items"].push_back(ToJson(p));
    if (!q.after) {
      doc["page"] = q.page;
      doc["total_pages"] = (total + q.size - 1) / q.size;
    }
    // The cursor of the page after this one (keyset pagination stays fast when deep).
    doc["next_cursor"] = static_cast<int64_t>(items.size()) == q.size ? json(Cursor::After(items.back(), q.sort).Encode())
                                                                      : json(nullptr);
    return std::optional<std::string>(doc.dump());
  });
  return ApiResult{200, std::move(*body)};
}

std::optional<std::string> CatalogService::ProductBody(int64_t id) {
  return Cached("product", "p:" + std::to_string(id), "doc", false, [&](std::optional<int64_t>, int64_t*) {
    std::optional<Product> p = db_->Get(id);
    return p ? std::optional<std::string>(ToJson(*p).dump()) : std::nullopt;
  });
}

std::optional<json> CatalogService::Find(int64_t id) {
  std::optional<std::string> body = ProductBody(id);
  if (!body) return std::nullopt;
  json doc = json::parse(*body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

ApiResult CatalogService::Get(int64_t id) {
  std::optional<std::string> body = ProductBody(id);
  if (!body) return JsonError(404, "", "product " + std::to_string(id) + " not found");
  return ApiResult{200, std::move(*body)};
}

ApiResult CatalogService::Categories() {
  auto body = Cached("categories", "categories", "all", false, [&](std::optional<int64_t>, int64_t*) {
    json doc{{"items", json::array()}};
    for (const CategoryCount& c : db_->Categories()) doc["items"].push_back({{"name", c.name}, {"products", c.products}});
    return std::optional<std::string>(doc.dump());
  });
  return ApiResult{200, std::move(*body)};
}

ApiResult CatalogService::Create(std::string_view body) { return Write(std::nullopt, body, false); }
ApiResult CatalogService::Replace(int64_t id, std::string_view body) { return Write(id, body, false); }
ApiResult CatalogService::Patch(int64_t id, std::string_view body) { return Write(id, body, true); }

ApiResult CatalogService::Write(std::optional<int64_t> id, std::string_view body, bool partial) {
  ProductFields fields;
  if (auto err = ParseProductFields(body, partial ? FieldsMode::kSome : FieldsMode::kAll, &fields)) {
    return JsonError(400, err->field, err->message);
  }
  std::set<std::string> stale;
  Product p;
  {
    std::lock_guard<std::mutex> l(write_mu_);
    std::optional<Product> old;
    if (id) {
      old = db_->Get(*id);
      if (!old) return JsonError(404, "", "product " + std::to_string(*id) + " not found");
      p = *old;
    }
    fields.ApplyTo(&p);
    WriteStatus st = id ? db_->Update(&p) : db_->Insert(&p);
    if (st == WriteStatus::kConflict) return JsonError(409, "sku", "is already used by another product");
    if (st == WriteStatus::kNotFound) return JsonError(404, "", "product " + std::to_string(*id) + " not found");
    stale = ScopesOf(old ? &*old : nullptr, &p);
    write_epoch_.fetch_add(1, std::memory_order_release);
  }
  // After the commit, before the reply: a client that reads after this answer reads
  // the new rows (see cache.h for why a concurrent reader cannot refill old ones).
  if (cache_) cache_->Invalidate(stale);
  return ApiResult{id ? 200 : 201, ToJson(p).dump()};
}

ApiResult CatalogService::Remove(int64_t id) {
  std::optional<Product> old;
  {
    std::lock_guard<std::mutex> l(write_mu_);
    old = db_->Delete(id);
    write_epoch_.fetch_add(1, std::memory_order_release);
  }
  if (!old) return JsonError(404, "", "product " + std::to_string(id) + " not found");
  if (cache_) {
    cache_->Invalidate(ScopesOf(&*old, nullptr));
    (void)cache_->Run(client::Command("ZREM", "catalog:rank:{" + old->category + "}", id));
  }
  return ApiResult{204, ""};
}

}  // namespace minired::catalog
