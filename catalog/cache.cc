#include "catalog/cache.h"

#include <asio/use_future.hpp>

#include <algorithm>

#include "catalog/metrics.h"
#include "minired/connection.h"
#include "minired/options.h"
#include "minired/pool.h"
#include "minired/sync_client.h"

namespace minired::catalog {
namespace {

std::string DataKey(const std::string& scope) { return "catalog:{" + scope + "}"; }
std::string GenKey(const std::string& scope) { return "catalog:gen:{" + scope + "}"; }
// The page bodies (scope TAB field) that include a product's document.
std::string HoldersKey(const std::string& product_scope) { return "catalog:in:{" + product_scope + "}"; }

// A generation as read: absent (never invalidated, or expired) reads as "".
std::string Generation(const client::Reply& r) {
  return r.type == client::Reply::Type::kBulkString ? r.str : std::string();
}

}  // namespace

Cache::Cache(const ServeOptions& o, Metrics* metrics) : metrics_(metrics), ttl_s_(o.cache_ttl_s) {
  client::Options base;
  base.command_timeout = o.cache_timeout;
  base.connect_timeout = o.cache_timeout;
  base.client_name = "minired-catalog";
  base.reconnect_max = std::chrono::milliseconds(1000);
  auto parsed = client::ParseOptions(o.cache_url, base);
  if (!parsed) throw std::invalid_argument("bad cache URL " + o.cache_url + ": " + parsed.error().ToString());
  io_ = std::make_unique<client::IoThread>(1);
  conn_ = client::Connection::Create(io_->executor(), *parsed);
  conn_->WaitReady([](client::Result<client::Ok>) {});  // connect now; failures reconnect
  client::PoolOptions po;
  po.size = 8;
  po.acquire_timeout = o.cache_timeout;
  fill_pool_ = client::Pool::Create(io_->executor(), *parsed, po);
}

Cache::~Cache() {
  fill_pool_->Close();
  conn_->Close();
  // Their timers and sockets belong to io_'s context: they go first (what handlers
  // still hold goes when the context is destroyed), then the context and its thread.
  fill_pool_.reset();
  conn_.reset();
  io_.reset();
}

client::Result<client::Reply> Cache::Run(const client::Command& c) {
  return conn_->async_command(c, asio::use_future).get();
}

client::Result<std::vector<client::Reply>> Cache::RunPipeline(const client::Pipeline& p) {
  return conn_->async_pipeline(p, asio::use_future).get();
}

std::string ProductScope(int64_t id) { return "p:" + std::to_string(id); }
bool IsProductScope(std::string_view scope) { return scope.substr(0, 2) == "p:"; }

bool Cache::Suspect(const std::string& scope) {
  if (!has_unflushed_.load(std::memory_order_acquire)) return false;  // nearly always
  std::lock_guard<std::mutex> l(mu_);
  return unflushed_.count(scope) > 0;
}

bool Cache::BodiesSuspect() {
  if (!has_unflushed_.load(std::memory_order_acquire)) return false;
  std::lock_guard<std::mutex> l(mu_);
  return std::any_of(unflushed_.begin(), unflushed_.end(), [](const std::string& s) { return IsProductScope(s); });
}

namespace {

std::optional<std::string> Bulk(client::Reply& v) {
  if (v.type == client::Reply::Type::kBulkString) return std::move(v.str);
  return std::nullopt;
}

}  // namespace

std::vector<std::optional<Cache::Found>> Cache::LookupMany(const std::vector<ScopeFields>& wanted) {
  std::vector<std::optional<Found>> out(wanted.size());
  client::Pipeline p;
  for (const auto& [scope, fields] : wanted) {
    client::Command hmget("HMGET", DataKey(scope));
    for (const std::string& f : fields) hmget << f;
    p.add(hmget);
    p.add("GET", GenKey(scope));
  }
  auto r = RunPipeline(p);
  if (!r || r->size() != 2 * wanted.size()) return out;
  for (size_t i = 0; i < wanted.size(); ++i) {
    client::Reply& values = (*r)[2 * i];
    client::Reply& gen = (*r)[2 * i + 1];
    if (Suspect(wanted[i].first) || values.type != client::Reply::Type::kArray ||
        values.elems.size() != wanted[i].second.size() || gen.is_error()) {
      continue;
    }
    Found found;
    for (client::Reply& v : values.elems) found.values.push_back(Bulk(v));
    found.generation = Generation(gen);
    out[i] = std::move(found);
  }
  return out;
}

std::optional<Cache::Found> Cache::Lookup(const std::string& scope, const std::vector<std::string>& fields) {
  return std::move(LookupMany({{scope, fields}})[0]);
}

std::optional<std::vector<Cache::Doc>> Cache::LookupDocs(const std::vector<std::string>& scopes) {
  client::Command docs("MGET"), gens("MGET");
  for (const std::string& s : scopes) {
    docs << DataKey(s);
    gens << GenKey(s);
  }
  client::Pipeline p;
  p.add(docs);
  p.add(gens);
  auto r = RunPipeline(p);
  if (!r || r->size() != 2 || !(*r)[0].is_array() || !(*r)[1].is_array() || (*r)[0].elems.size() != scopes.size() ||
      (*r)[1].elems.size() != scopes.size()) {
    return std::nullopt;
  }
  std::vector<Doc> out(scopes.size());
  for (size_t i = 0; i < scopes.size(); ++i) {
    out[i].generation = Generation((*r)[1].elems[i]);
    if (!Suspect(scopes[i])) out[i].value = Bulk((*r)[0].elems[i]);
  }
  return out;
}

void Cache::TransactIfUnchanged(const std::vector<std::pair<std::string, std::string>>& expected,
                                const std::function<void(const std::vector<bool>&, client::Pipeline*)>& build) {
  auto lease = fill_pool_->async_acquire(asio::use_future).get();
  if (!lease) {
    metrics_->CacheWriteFailed();
    return;
  }
  client::Connection& c = **lease;
  client::Command watch("WATCH"), gens("MGET");
  for (const auto& [scope, generation] : expected) {
    watch << GenKey(scope);
    gens << GenKey(scope);
  }
  client::Pipeline first;
  first.add(watch);
  first.add(gens);
  auto seen = c.async_pipeline(first, asio::use_future).get();
  if (!seen || seen->size() != 2 || !(*seen)[1].is_array() || (*seen)[1].elems.size() != expected.size()) {
    metrics_->CacheWriteFailed();
    return;
  }
  std::vector<bool> unchanged(expected.size());
  for (size_t i = 0; i < expected.size(); ++i) unchanged[i] = Generation((*seen)[1].elems[i]) == expected[i].second;
  client::Pipeline tx;
  build(unchanged, &tx);
  if (tx.empty()) {
    (void)c.async_command(client::Command("UNWATCH"), asio::use_future).get();
    return;
  }
  if (!c.async_transaction(tx, asio::use_future).get()) metrics_->CacheWriteFailed();
}

void Cache::Fill(const std::string& scope, const std::string& generation,
                 const std::vector<std::pair<std::string, std::string>>& fields) {
  if (fields.empty() || Suspect(scope)) return;
  TransactIfUnchanged({{scope, generation}}, [&](const std::vector<bool>& unchanged, client::Pipeline* tx) {
    if (!unchanged[0]) return;  // invalidated while the database was read: the rows may be old
    client::Command hset("HSET", DataKey(scope));
    for (const auto& [f, v] : fields) hset << f << v;
    tx->add(hset);
    tx->add("EXPIRE", DataKey(scope), ttl_s_, "NX");
  });
}

void Cache::FillDocs(const std::vector<DocFill>& fills) {
  std::vector<const DocFill*> wanted;
  std::vector<std::pair<std::string, std::string>> expected;
  for (const DocFill& f : fills) {
    if (Suspect(f.scope)) continue;
    wanted.push_back(&f);
    expected.emplace_back(f.scope, f.generation);
  }
  if (wanted.empty()) return;
  TransactIfUnchanged(expected, [&](const std::vector<bool>& unchanged, client::Pipeline* tx) {
    // Documents whose product was written since their generation was read stay out:
    // the rows may be older than the write.
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (unchanged[i]) tx->add("SET", DataKey(wanted[i]->scope), wanted[i]->doc, "EX", ttl_s_);
    }
  });
}

void Cache::FillBody(const std::string& scope, const std::string& generation, const std::string& field,
                     const std::string& body, const std::vector<std::pair<std::string, std::string>>& docs) {
  if (Suspect(scope) || BodiesSuspect()) return;
  std::vector<std::pair<std::string, std::string>> expected{{scope, generation}};
  expected.insert(expected.end(), docs.begin(), docs.end());
  TransactIfUnchanged(expected, [&](const std::vector<bool>& unchanged, client::Pipeline* tx) {
    if (std::find(unchanged.begin(), unchanged.end(), false) != unchanged.end()) return;  // the ordering or a product changed
    tx->add("HSET", DataKey(scope), field, body);
    tx->add("EXPIRE", DataKey(scope), ttl_s_, "NX");
    for (const auto& [doc_scope, gen] : docs) {
      tx->add("SADD", HoldersKey(doc_scope), scope + "\t" + field);
      tx->add("EXPIRE", HoldersKey(doc_scope), ttl_s_ + 60);
    }
  });
}

bool Cache::SendInvalidation(const std::set<std::string>& scopes) {
  client::Pipeline tx;
  client::Pipeline holders;  // which page bodies hold the changed products
  for (const std::string& s : scopes) {
    tx.add("INCR", GenKey(s));
    // Longer than any fill can take; an expired counter reads as "" and a reader
    // that noted a number then drops its fill, which is safe.
    tx.add("EXPIRE", GenKey(s), ttl_s_ * 2 + 60);
    tx.add("DEL", DataKey(s));
    if (IsProductScope(s)) holders.add("SMEMBERS", HoldersKey(s));
  }
  auto r = conn_->async_transaction(tx, asio::use_future).get();
  if (!r || !r->has_value()) return false;
  if (holders.empty()) return true;
  // After the generations moved: a body filled before that is listed now; one filled
  // after it saw a new generation and was dropped (FillBody).
  auto listed = RunPipeline(holders);
  if (!listed || listed->size() != holders.size()) return false;
  client::Pipeline drop;
  size_t i = 0;
  for (const std::string& s : scopes) {
    if (!IsProductScope(s)) continue;
    for (const client::Reply& m : (*listed)[i++].elems) {
      size_t tab = m.str.find('\t');
      if (tab != std::string::npos) drop.add("HDEL", DataKey(m.str.substr(0, tab)), m.str.substr(tab + 1));
    }
    drop.add("DEL", HoldersKey(s));
  }
  auto d = RunPipeline(drop);
  return d && d->size() == drop.size();
}

void Cache::Invalidate(const std::set<std::string>& scopes) {
  if (scopes.empty()) return;
  {
    // Suspect before sending: a read racing with a failure must not fill old rows.
    std::lock_guard<std::mutex> l(mu_);
    if (!unflushed_.empty()) {
      unflushed_.insert(scopes.begin(), scopes.end());
      return;  // RetryInvalidations sends everything pending, in one go
    }
  }
  if (SendInvalidation(scopes)) return;
  metrics_->CacheWriteFailed();
  std::lock_guard<std::mutex> l(mu_);
  unflushed_.insert(scopes.begin(), scopes.end());
  has_unflushed_.store(true, std::memory_order_release);
}

void Cache::RetryInvalidations() {
  std::set<std::string> pending;
  {
    std::lock_guard<std::mutex> l(mu_);
    pending = unflushed_;
  }
  if (pending.empty() || !SendInvalidation(pending)) return;
  std::lock_guard<std::mutex> l(mu_);
  for (const std::string& s : pending) unflushed_.erase(s);
  has_unflushed_.store(!unflushed_.empty(), std::memory_order_release);
}

}  // namespace minired::catalog
