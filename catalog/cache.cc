#include "catalog/cache.h"

#include <asio/use_future.hpp>

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

client::Error ParseError(const std::string& url) {
  return client::Error{client::Error::Kind::kProtocol, "bad cache URL " + url};
}

}  // namespace

Cache::Cache(const ServeOptions& o, Metrics* metrics) : metrics_(metrics), ttl_s_(o.cache_ttl_s) {
  client::Options base;
  base.command_timeout = o.cache_timeout;
  base.connect_timeout = o.cache_timeout;
  base.client_name = "minired-catalog";
  base.reconnect_max = std::chrono::milliseconds(1000);
  auto parsed = client::ParseOptions(o.cache_url, base);
  if (!parsed) throw std::invalid_argument(ParseError(o.cache_url).message + ": " + parsed.error().ToString());
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

bool Cache::Suspect(const std::string& scope) {
  std::lock_guard<std::mutex> l(mu_);
  return unflushed_.count(scope) > 0;
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
    found.generation = gen.type == client::Reply::Type::kBulkString ? gen.str : "";
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
    out[i].generation = (*r)[1].elems[i].type == client::Reply::Type::kBulkString ? (*r)[1].elems[i].str : "";
    if (!Suspect(scopes[i])) out[i].value = Bulk((*r)[0].elems[i]);
  }
  return out;
}

void Cache::FillDocs(const std::vector<DocFill>& fills) {
  std::vector<const DocFill*> wanted;
  for (const DocFill& f : fills) {
    if (!Suspect(f.scope)) wanted.push_back(&f);
  }
  if (wanted.empty()) return;
  auto lease = fill_pool_->async_acquire(asio::use_future).get();
  if (!lease) {
    metrics_->CacheWriteFailed();
    return;
  }
  client::Connection& c = **lease;
  client::Command watch("WATCH"), gens("MGET");
  for (const DocFill* f : wanted) {
    watch << GenKey(f->scope);
    gens << GenKey(f->scope);
  }
  client::Pipeline first;
  first.add(watch);
  first.add(gens);
  auto seen = c.async_pipeline(first, asio::use_future).get();
  if (!seen || seen->size() != 2 || !(*seen)[1].is_array() || (*seen)[1].elems.size() != wanted.size()) {
    metrics_->CacheWriteFailed();
    return;
  }
  // Documents whose product was written since their generation was read stay out:
  // the rows may be older than the write.
  client::Pipeline tx;
  for (size_t i = 0; i < wanted.size(); ++i) {
    const client::Reply& g = (*seen)[1].elems[i];
    std::string current = g.type == client::Reply::Type::kBulkString ? g.str : "";
    if (current == wanted[i]->generation) tx.add("SET", DataKey(wanted[i]->scope), wanted[i]->doc, "EX", ttl_s_);
  }
  if (tx.empty()) {
    (void)c.async_command(client::Command("UNWATCH"), asio::use_future).get();
    return;
  }
  if (!c.async_transaction(tx, asio::use_future).get()) metrics_->CacheWriteFailed();
}

void Cache::Fill(const std::string& scope, const std::string& generation,
                 const std::vector<std::pair<std::string, std::string>>& fields) {
  if (fields.empty() || Suspect(scope)) return;
  auto lease = fill_pool_->async_acquire(asio::use_future).get();
  if (!lease) {
    metrics_->CacheWriteFailed();
    return;
  }
  client::Connection& c = **lease;
  const std::string gen_key = GenKey(scope);
  client::Pipeline watch;
  watch.add("WATCH", gen_key);
  watch.add("GET", gen_key);
  auto seen = c.async_pipeline(watch, asio::use_future).get();
  if (!seen || seen->size() != 2) {
    metrics_->CacheWriteFailed();
    return;
  }
  const client::Reply& now = seen->at(1);
  std::string current = now.type == client::Reply::Type::kBulkString ? now.str : "";
  if (current != generation) {
    (void)c.async_command(client::Command("UNWATCH"), asio::use_future).get();
    return;  // invalidated while the database was read: the rows may be old
  }
  client::Command hset("HSET", DataKey(scope));
  for (const auto& [f, v] : fields) hset << f << v;
  client::Pipeline tx;
  tx.add(hset);
  tx.add("EXPIRE", DataKey(scope), ttl_s_, "NX");
  auto done = c.async_transaction(tx, asio::use_future).get();
  if (!done) metrics_->CacheWriteFailed();
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
    if (s.rfind("p:", 0) == 0) holders.add("SMEMBERS", HoldersKey(s));
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
    if (s.rfind("p:", 0) != 0) continue;
    for (const client::Reply& m : (*listed)[i++].elems) {
      size_t tab = m.str.find('\t');
      if (tab != std::string::npos) drop.add("HDEL", DataKey(m.str.substr(0, tab)), m.str.substr(tab + 1));
    }
    drop.add("DEL", HoldersKey(s));
  }
  auto d = RunPipeline(drop);
  return d && d->size() == drop.size();
}

bool Cache::BodiesSuspect() {
  std::lock_guard<std::mutex> l(mu_);
  for (const std::string& s : unflushed_) {
    if (s.rfind("p:", 0) == 0) return true;
  }
  return false;
}

void Cache::FillBody(const std::string& scope, const std::string& generation, const std::string& field,
                     const std::string& body, const std::vector<std::pair<std::string, std::string>>& docs) {
  if (Suspect(scope) || BodiesSuspect()) return;
  auto lease = fill_pool_->async_acquire(asio::use_future).get();
  if (!lease) {
    metrics_->CacheWriteFailed();
    return;
  }
  client::Connection& c = **lease;
  client::Command watch("WATCH", GenKey(scope)), gens("MGET", GenKey(scope));
  for (const auto& [doc_scope, gen] : docs) {
    watch << GenKey(doc_scope);
    gens << GenKey(doc_scope);
  }
  client::Pipeline first;
  first.add(watch);
  first.add(gens);
  auto seen = c.async_pipeline(first, asio::use_future).get();
  if (!seen || seen->size() != 2 || !(*seen)[1].is_array() || (*seen)[1].elems.size() != docs.size() + 1) {
    metrics_->CacheWriteFailed();
    return;
  }
  auto current = [&](size_t i) {
    const client::Reply& g = (*seen)[1].elems[i];
    return g.type == client::Reply::Type::kBulkString ? g.str : std::string();
  };
  bool unchanged = current(0) == generation;
  for (size_t i = 0; unchanged && i < docs.size(); ++i) unchanged = current(i + 1) == docs[i].second;
  if (!unchanged) {
    (void)c.async_command(client::Command("UNWATCH"), asio::use_future).get();
    return;  // the ordering or a product changed since they were read
  }
  client::Pipeline tx;
  tx.add("HSET", DataKey(scope), field, body);
  tx.add("EXPIRE", DataKey(scope), ttl_s_, "NX");
  for (const auto& [doc_scope, gen] : docs) {
    tx.add("SADD", HoldersKey(doc_scope), scope + "\t" + field);
    tx.add("EXPIRE", HoldersKey(doc_scope), ttl_s_ + 60);
  }
  if (!c.async_transaction(tx, asio::use_future).get()) metrics_->CacheWriteFailed();
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
}

}  // namespace minired::catalog
