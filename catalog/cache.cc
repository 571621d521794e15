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

std::optional<Cache::Found> Cache::Lookup(const std::string& scope, const std::vector<std::string>& fields) {
  if (Suspect(scope)) return std::nullopt;
  client::Pipeline p;
  client::Command hmget("HMGET", DataKey(scope));
  for (const std::string& f : fields) hmget << f;
  p.add(hmget);
  p.add("GET", GenKey(scope));
  auto r = RunPipeline(p);
  if (!r || r->size() != 2 || r->at(0).type != client::Reply::Type::kArray || r->at(0).elems.size() != fields.size()) {
    return std::nullopt;
  }
  Found found;
  for (client::Reply& v : r->at(0).elems) {
    if (v.type == client::Reply::Type::kBulkString) found.values.emplace_back(std::move(v.str));
    else found.values.emplace_back(std::nullopt);
  }
  const client::Reply& gen = r->at(1);
  if (gen.type == client::Reply::Type::kError) return std::nullopt;
  found.generation = gen.type == client::Reply::Type::kBulkString ? gen.str : "";
  return found;
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
  for (const std::string& s : scopes) {
    tx.add("INCR", GenKey(s));
    // Longer than any fill can take; an expired counter reads as "" and a reader
    // that noted a number then drops its fill, which is safe.
    tx.add("EXPIRE", GenKey(s), ttl_s_ * 2 + 60);
    tx.add("DEL", DataKey(s));
  }
  auto r = conn_->async_transaction(tx, asio::use_future).get();
  return r && r->has_value();
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
