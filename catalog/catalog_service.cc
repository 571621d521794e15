#include "catalog/catalog_service.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <span>

#include "catalog/cache.h"
#include "catalog/metrics.h"
#include "catalog/views.h"

namespace minired::catalog {

using nlohmann::json;

ApiResult JsonError(int status, const std::string& field, const std::string& message) {
  json body{{"error", field.empty() ? message : field + " " + message}};
  if (!field.empty()) body["field"] = field;
  return ApiResult{status, body.dump()};
}

CatalogService::CatalogService(Database* db, Cache* cache, Metrics* metrics, ChangeFeed* changes)
    : db_(db), cache_(cache), metrics_(metrics), changes_(changes) {}

namespace {

constexpr SortOrder kSorts[] = {SortOrder::kRank, SortOrder::kPrice, SortOrder::kNewest};

std::string ListName(const std::string& category) { return category.empty() ? "*" : category; }
std::string OrderScope(const std::string& category, SortOrder sort) {
  return "l:" + ListName(category) + ":" + std::string(SortName(sort));
}
std::string CountScope(const std::string& category) { return "n:" + ListName(category); }
// One page's body: stale when its ordering changes (the body carries the ordering's
// generation too) or a product on it changes (Cache::Hold).
std::string BodyScope(const std::string& order_scope, const std::string& field) { return "b:" + order_scope + "|" + field; }

// An ordering as cached: the next cursor, a newline, the ids of the page.
std::string EncodeOrdering(const std::string& next_cursor, const std::vector<int64_t>& ids) {
  std::string s = next_cursor + "\n";
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
  return s;
}

// Cached page entries (an ordering, a body) start with the next cursor and a newline.
bool SplitCursor(std::string_view s, std::string* next_cursor, std::string_view* rest) {
  size_t nl = s.find('\n');
  if (nl == std::string_view::npos) return false;
  *next_cursor = std::string(s.substr(0, nl));
  *rest = s.substr(nl + 1);
  return true;
}

bool DecodeOrdering(std::string_view s, std::string* next_cursor, std::vector<int64_t>* ids) {
  std::string_view rest;
  if (!SplitCursor(s, next_cursor, &rest)) return false;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    int64_t id = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
    if (ec != std::errc() || p != part.data() + part.size()) return false;
    ids->push_back(id);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return true;
}

// A cached page body: the next cursor, a newline, the documents joined by commas.
// `items` views into `s`: a cached page is copied once, into its response.
bool DecodeBody(std::string_view s, std::string* next_cursor, std::string_view* items) {
  return SplitCursor(s, next_cursor, items);
}

// The documents are JSON that ToJson wrote (cached or fresh); they are spliced into
// the items array as they are instead of being parsed and written again.
std::string JoinDocs(const std::vector<std::string>& docs) {
  std::string out;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i) out += ',';
    out += docs[i];
  }
  return out;
}

std::optional<int64_t> ParseCount(const std::optional<std::string>& s) {
  int64_t n = 0;
  if (!s || std::from_chars(s->data(), s->data() + s->size(), n).ec != std::errc()) return std::nullopt;
  return n;
}

}  // namespace

std::set<std::string> CatalogService::ScopesOf(const Product* old, const Product* now) {
  std::set<std::string> scopes;
  const Product* any = now ? now : old;
  scopes.insert(ProductScope(any->id));
  auto orderings = [&](const std::string& category, std::span<const SortOrder> sorts) {
    for (SortOrder s : sorts) scopes.insert(OrderScope(category, s));
  };
  if (!old || !now || old->category != now->category) {
    // Membership changed: every ordering and count of the categories concerned, the
    // category list, and the unfiltered lists when a product came or went.
    for (const Product* p : {old, now}) {
      if (p == nullptr) continue;
      orderings(p->category, kSorts);
      scopes.insert(CountScope(p->category));
    }
    if (!old || !now) {
      orderings("", kSorts);
      scopes.insert(CountScope(""));
    }
    scopes.insert("categories");
    return scopes;
  }
  // Same members: only the orderings by a key that changed (the documents carry the
  // rest, and the document was invalidated above).
  for (SortOrder sort : kSorts) {
    if (Cursor::After(*old, sort).value != Cursor::After(*now, sort).value) {
      scopes.insert(OrderScope(now->category, sort));
      scopes.insert(OrderScope("", sort));
    }
  }
  return scopes;
}

std::optional<std::string> CatalogService::FlightKey(const std::string& scope, const std::string& field,
                                                     const std::optional<Cache::Found>& found) {
  // Only requests that saw the same state share a load: one that arrives after a
  // write (a new generation) must not take the result of a load that began before it.
  // A request whose lookup failed (the cache is down, or the scope awaits an owed
  // invalidation) cannot tell which writes came before it, in this process or another
  // one sharing the database: it shares no load. (A write of this process replaces the
  // generations it changes before it is acknowledged, or leaves them suspect.)
  if (!found) return std::nullopt;
  return scope + "\n" + field + "\n" + found->generation;
}

std::optional<std::string> CatalogService::Cached(const std::string& kind, const std::string& scope,
                                                  const std::string& field, const Loader& load) {
  if (cache_ == nullptr) return load();
  return CachedAfterLookup(kind, scope, field, cache_->Lookup(scope, {field}), load);
}

std::optional<std::string> CatalogService::CachedAfterLookup(const std::string& kind, const std::string& scope,
                                                             const std::string& field,
                                                             std::optional<Cache::Found> found, const Loader& load) {
  if (cache_ == nullptr) return load();
  if (found && found->values[0]) {
    metrics_->CacheRead(kind, CacheOutcome::kHit);
    return std::move(*found->values[0]);
  }
  metrics_->CacheRead(kind, found ? CacheOutcome::kMiss : CacheOutcome::kError);
  return Shared(flights_, FlightKey(scope, field, found), [&]() -> std::optional<std::string> {
        // A request that missed just before another load filled the entry finds it
        // now, instead of running the query again.
        if (found) {
          std::optional<Cache::Found> again = cache_->Lookup(scope, {field});
          if (again && again->values[0]) return std::move(again->values[0]);
        }
        std::optional<std::string> loaded = load();
        if (found && loaded) cache_->Fill({{scope, found->generation, field, *loaded}});
        return loaded;
  });
}

std::vector<std::string> CatalogService::Docs(const std::vector<int64_t>& ids) {
  std::vector<std::optional<std::string>> docs(ids.size());
  // Per id, what the cache said (all nullopt: it failed or is off).
  std::vector<std::optional<Cache::Found>> found(ids.size());
  if (cache_ && !ids.empty()) {
    std::vector<Cache::ScopeFields> wanted;
    for (int64_t id : ids) wanted.push_back({ProductScope(id), {kDocField}});
    found = cache_->LookupMany(wanted);
  }
  std::vector<int64_t> missing;
  size_t failed = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (found[i] && found[i]->values[0]) docs[i] = std::move(found[i]->values[0]);
    else missing.push_back(ids[i]);
    failed += cache_ && !found[i];
  }
  if (failed) metrics_->CacheRead("product", CacheOutcome::kError, failed);
  if (cache_) {
    metrics_->CacheRead("product", CacheOutcome::kHit, ids.size() - missing.size());
    metrics_->CacheRead("product", CacheOutcome::kMiss, missing.size() - failed);
  }
  if (!missing.empty()) {
    auto load = [&] {
      std::map<int64_t, std::string> loaded;
      for (const Product& p : db_->GetMany(missing)) loaded[p.id] = ToJson(p).dump();
      return loaded;
    };
    std::map<int64_t, std::string> loaded;
    if (missing.size() == 1) {
      // One product (GET /api/products/{id}): concurrent misses share one query.
      size_t at = std::find(ids.begin(), ids.end(), missing[0]) - ids.begin();
      std::optional<std::string> one =
          Shared(flights_, FlightKey(ProductScope(missing[0]), kDocField, found[at]), [&]() -> std::optional<std::string> {
            auto m = load();
            return m.empty() ? std::nullopt : std::optional<std::string>(m.begin()->second);
          });
      if (one) loaded[missing[0]] = std::move(*one);
    } else {
      loaded = load();
    }
    std::vector<Cache::Entry> fills;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (docs[i]) continue;
      auto it = loaded.find(ids[i]);
      if (it == loaded.end()) continue;
      if (found[i]) fills.push_back(Cache::Entry{ProductScope(ids[i]), found[i]->generation, kDocField, it->second});
      docs[i] = it->second;
    }
    if (!fills.empty()) cache_->Fill(fills);
  }
  std::vector<std::string> out;
  for (auto& d : docs) {
    if (d) out.push_back(std::move(*d));
  }
  return out;
}

CatalogService::PageData CatalogService::LoadPage(const ListQuery& q) {
  std::vector<Product> rows = q.after ? db_->PageAfter(q.category, q.sort, q.size, *q.after)
                                      : db_->Page(q.category, q.sort, q.size, (q.page - 1) * q.size);
  PageData page;
  for (const Product& p : rows) {
    page.ids.push_back(p.id);
    page.docs.push_back(ToJson(p).dump());
  }
  if (static_cast<int64_t>(rows.size()) == q.size) page.next_cursor = Cursor::After(rows.back(), q.sort).Encode();
  return page;
}

namespace {

// A list page's entry in its ordering's scope: by page number or after a cursor.
std::string PageField(const ListQuery& q) {
  return q.after ? "k:" + std::to_string(q.size) + ":" + q.after->Encode()
                 : "o:" + std::to_string(q.size) + ":" + std::to_string(q.page);
}

// A body is valid under its own generation and its ordering's, both as one lookup read
// them: "<ordering generation>\n<next cursor>\n<documents>". Empty when not valid.
std::string_view ValidBody(const std::optional<Cache::Found>& order, const std::optional<Cache::Found>& body) {
  if (!order || !body || !body->values[0]) return {};
  std::string_view b = *body->values[0];
  if (b.size() > order->generation.size() && b.compare(0, order->generation.size(), order->generation) == 0 &&
      b[order->generation.size()] == '\n') {
    return b.substr(order->generation.size() + 1);
  }
  return {};
}

ApiResult PageResult(const ListQuery& q, std::string_view items, const std::string& next_cursor, int64_t total) {
  json meta{{"size", q.size}, {"total", total}, {"sort", std::string(SortName(q.sort))}};
  if (!q.category.empty()) meta["category"] = q.category;
  if (!q.after) {
    meta["page"] = q.page;
    meta["total_pages"] = (total + q.size - 1) / q.size;
  }
  meta["next_cursor"] = next_cursor.empty() ? json(nullptr) : json(next_cursor);
  const std::string meta_text = meta.dump();
  constexpr std::string_view kOpen = "{\"items\":[";
  std::string body;
  body.reserve(kOpen.size() + items.size() + 2 + meta_text.size());
  body.append(kOpen).append(items).append("],").append(std::string_view(meta_text).substr(1));
  return ApiResult{200, std::move(body)};
}

}  // namespace

std::vector<Cache::ScopeFields> CatalogService::ListLookups(const ListQuery& q) {
  const std::string order_scope = OrderScope(q.category, q.sort), field = PageField(q);
  return {{order_scope, {field}}, {BodyScope(order_scope, field), {"body"}}, {CountScope(q.category), {"n"}}};
}

std::optional<ApiResult> CatalogService::ListFromCache(const ListQuery& q, const Cache::FoundAll& found) {
  std::string_view body_text = ValidBody(found[0], found[1]);
  const std::optional<Cache::Found>& count = found[2];
  if (body_text.empty() || !count || !count->values[0] || cache_->BodiesSuspect()) return std::nullopt;
  std::optional<int64_t> total = ParseCount(count->values[0]);
  std::string next_cursor;
  std::string_view items;
  if (!total || !DecodeBody(body_text, &next_cursor, &items)) return std::nullopt;
  metrics_->CacheRead("page", CacheOutcome::kHit);
  metrics_->CacheRead("count", CacheOutcome::kHit);
  return PageResult(q, items, next_cursor, *total);
}

void CatalogService::ListCachedAsync(const ListQuery& q, std::function<void(std::optional<ApiResult>)> done) {
  if (cache_ == nullptr) return done(std::nullopt);
  cache_->LookupManyAsync(ListLookups(q), [this, q, done = std::move(done)](std::optional<Cache::FoundAll> found) {
    done(found ? ListFromCache(q, *found) : std::nullopt);
  });
}

ApiResult CatalogService::List(const ListQuery& q) {
  const std::string order_scope = OrderScope(q.category, q.sort), count_scope = CountScope(q.category);
  const std::string field = PageField(q);
  const std::string body_scope = BodyScope(order_scope, field);
  std::optional<Cache::Found> order, cached_body, count;
  if (cache_) {
    auto found = cache_->LookupMany(ListLookups(q));
    order = std::move(found[0]);
    cached_body = std::move(found[1]);
    count = std::move(found[2]);
  }
  std::string_view body_text = ValidBody(order, cached_body);

  // The page: its body from the cache; or its ordering from the cache and the
  // documents by id (then the body is stored); or one load of the rows for all
  // concurrent misses (then the ordering is stored).
  std::string next_cursor, joined;
  std::string_view items;  // in the cached body, or in `joined`
  std::vector<int64_t> ids;
  if (!body_text.empty() && !cache_->BodiesSuspect() && DecodeBody(body_text, &next_cursor, &items)) {
    metrics_->CacheRead("page", CacheOutcome::kHit);
  } else if (order && order->values[0] && DecodeOrdering(*order->values[0], &next_cursor, &ids)) {
    metrics_->CacheRead("page", CacheOutcome::kHit);
    metrics_->CacheRead("page_body", CacheOutcome::kMiss);
    std::vector<std::string> products;
    for (int64_t id : ids) products.push_back(ProductScope(id));
    // Registered before the documents are read, or not stored at all (cache.h).
    bool held = cached_body && cache_->Hold(products, body_scope, cached_body->generation);
    std::vector<std::string> docs = Docs(ids);
    joined = JoinDocs(docs);
    items = joined;
    if (held && docs.size() == ids.size()) {
      cache_->Fill({{body_scope, cached_body->generation, "body", order->generation + "\n" + next_cursor + "\n" + joined}});
    }
  } else {
    if (cache_) metrics_->CacheRead("page", order ? CacheOutcome::kMiss : CacheOutcome::kError);
    PageData page = Shared(page_flights_, FlightKey(order_scope, field, order), [&] {
          if (order) {  // filled by a load that ended just before this one began?
            std::optional<Cache::Found> again = cache_->Lookup(order_scope, {field});
            PageData cached;
            if (again && again->values[0] && DecodeOrdering(*again->values[0], &cached.next_cursor, &cached.ids)) {
              cached.docs = Docs(cached.ids);
              return cached;
            }
          }
          PageData loaded = LoadPage(q);
          // Only the ordering: the body is stored by the next read, after registering
          // itself with its products (which cannot be done before knowing them).
          if (order) cache_->Fill({{order_scope, order->generation, field, EncodeOrdering(loaded.next_cursor, loaded.ids)}});
          return loaded;
    });
    next_cursor = page.next_cursor;
    joined = JoinDocs(page.docs);
    items = joined;
  }
  // The count, cached apart: it costs a query of its own and changes only with
  // membership.
  std::optional<std::string> total_text = CachedAfterLookup(
      "count", count_scope, "n", count, [&] { return std::optional<std::string>(std::to_string(db_->Count(q.category))); });
  return PageResult(q, items, next_cursor, ParseCount(total_text).value_or(0));
}

std::optional<std::string> CatalogService::ProductBody(int64_t id) {
  std::vector<std::string> docs = Docs({id});
  if (docs.empty()) return std::nullopt;
  return std::move(docs[0]);
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
  auto body = Cached("categories", "categories", "all", [&] {
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
    if (changes_) changes_->Record(id ? "updated" : "created", p);  // in commit order
  }
  // After the commit, before the reply: a client that reads after this answer reads
  // the new rows (see cache.h for why a concurrent reader cannot refill old ones).
  if (cache_) cache_->Invalidate(stale);
  if (changes_) changes_->FlushAfterWrite();  // a failure is retried by the background thread
  return ApiResult{id ? 200 : 201, ToJson(p).dump()};
}

ApiResult CatalogService::Remove(int64_t id) {
  std::optional<Product> old;
  {
    std::lock_guard<std::mutex> l(write_mu_);
    old = db_->Delete(id);
    if (old && changes_) changes_->Record("deleted", *old);
  }
  if (!old) return JsonError(404, "", "product " + std::to_string(id) + " not found");
  if (changes_) changes_->FlushAfterWrite();
  if (cache_) {
    cache_->Invalidate(ScopesOf(&*old, nullptr));
    (void)cache_->Run(client::Command("ZREM", RankingKey(old->category), id));
  }
  return ApiResult{204, ""};
}

}  // namespace minired::catalog
