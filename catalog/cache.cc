#include "catalog/cache.h"

#include <asio/use_future.hpp>

#include <algorithm>
#include <future>
#include <random>
#include <thread>

#include "catalog/metrics.h"
#include "minired/commands.h"
#include "minired/connection.h"
#include "minired/near_cache.h"
#include "minired/options.h"
#include "minired/sync_client.h"

namespace minired::catalog {
namespace {

std::string EntryKey(const std::string& scope, const std::string& field) { return "catalog:" + scope + "/" + field; }
std::string GenKey(const std::string& scope) { return "catalog:gen:" + scope; }
// The body scopes that hold a product's document.
std::string HoldersKey(const std::string& product_scope) { return "catalog:in:" + product_scope; }

// A fresh generation: 16 hex digits from a per-thread generator seeded by the OS.
std::string NewGeneration() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[i] = kHex[v & 15];
  return s;
}

// An entry as stored: its generation, a newline, the value.
std::string Tagged(const std::string& generation, const std::string& value) { return generation + "\n" + value; }

// The value of a stored entry if it carries `generation`; nullopt when missing or stale.
std::optional<std::string> Untag(client::Reply& r, const std::string& generation) {
  if (r.type != client::Reply::Type::kBulkString || r.str.size() <= generation.size() ||
      r.str.compare(0, generation.size(), generation) != 0 || r.str[generation.size()] != '\n') {
    return std::nullopt;
  }
  r.str.erase(0, generation.size() + 1);  // in place: a page body is tens of kilobytes
  return std::move(r.str);
}

bool AllOk(const client::Result<std::vector<client::Reply>>& r, size_t n) {
  if (!r || r->size() != n) return false;
  return std::none_of(r->begin(), r->end(), [](const client::Reply& x) { return x.is_error(); });
}

}  // namespace

std::string ProductScope(int64_t id) { return "p:" + std::to_string(id); }
bool IsProductScope(std::string_view scope) { return scope.substr(0, 2) == "p:"; }

Cache::Cache(const ServeOptions& o, Metrics* metrics)
    : metrics_(metrics),
      ttl_s_(o.cache_ttl_s),
      read_own_writes_(o.read_own_writes),
      invalidation_wait_(o.invalidation_wait),
      scripts_(o.cache_scripts) {
  client::Options base;
  base.command_timeout = o.cache_timeout;
  base.connect_timeout = o.cache_timeout;
  base.reconnect_max = std::chrono::milliseconds(1000);
  // No client name: CLIENT SETNAME is a command twemproxy refuses (it closes the link).
  io_ = std::make_unique<client::IoThread>(1);
  auto connect = [&](const std::string& url) {
    auto parsed = client::ParseOptions(url, base);
    if (!parsed) throw std::invalid_argument("bad cache URL " + url + ": " + parsed.error().ToString());
    auto c = client::Connection::Create(io_->executor(), *parsed);
    c->WaitReady([](client::Result<client::Ok>) {});  // connect now; failures reconnect
    return c;
  };
  conn_ = connect(o.cache_url);
  for (const std::string& url : o.cache_read_urls) replicas_.push_back(connect(url));
  if (o.near_cache_mb > 0) {
    client::NearCache::Settings near;
    near.max_bytes = static_cast<size_t>(o.near_cache_mb) << 20;
    near_ = client::NearCache::Create(io_->executor(), *client::ParseOptions(o.cache_url, base), near);
  }
}

Cache::~Cache() {
  if (near_) near_->Close();
  conn_->Close();
  for (auto& r : replicas_) r->Close();
  // Their timers and sockets belong to io_'s context: they go first (what handlers
  // still hold goes when the context is destroyed), then the context and its thread.
  conn_.reset();
  near_.reset();
  replicas_.clear();
  io_.reset();
}

client::Result<client::Reply> Cache::Run(const client::Command& c) {
  return conn_->async_command(c, asio::use_future).get();
}

client::Result<std::vector<client::Reply>> Cache::RunPipeline(const client::Pipeline& p) {
  return conn_->async_pipeline(p, asio::use_future).get();
}

bool Cache::Suspect(const std::string& scope) {
  if (!has_unflushed_.load(std::memory_order_acquire)) return false;  // nearly always
  std::lock_guard<std::mutex> l(mu_);
  return unflushed_.count(scope) > 0;
}

client::Connection& Cache::ReadConnection(const std::vector<ScopeFields>& wanted) {
  if (replicas_.empty()) return *conn_;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!written_.empty()) {
      const auto now = Clock::now();
      for (const auto& sf : wanted) {
        auto it = written_.find(sf.first);
        if (it != written_.end() && it->second > now) return *conn_;
      }
    }
  }
  return *replicas_[next_replica_.fetch_add(1, std::memory_order_relaxed) % replicas_.size()];
}

std::optional<std::vector<std::string>> Cache::CreateGenerations(const std::vector<std::string>& scopes) {
  client::Pipeline p;
  client::Command read("MGET");
  for (const std::string& s : scopes) {
    p.add("SET", GenKey(s), NewGeneration(), "NX", "EX", ttl_s_ * 2 + 60);
    read << GenKey(s);
  }
  p.add(read);  // what won: ours, or one another reader set first
  auto r = RunPipeline(p);
  if (!AllOk(r, scopes.size() + 1) || r->back().elems.size() != scopes.size()) return std::nullopt;
  std::vector<std::string> out;
  for (client::Reply& g : r->back().elems) {
    if (g.type != client::Reply::Type::kBulkString) return std::nullopt;
    out.push_back(std::move(g.str));
  }
  return out;
}

client::Pipeline Cache::LookupPipeline(const std::vector<ScopeFields>& wanted) {
  client::Command entries("MGET"), gens("MGET");
  for (const auto& [scope, fields] : wanted) {
    gens << GenKey(scope);
    for (const std::string& f : fields) entries << EntryKey(scope, f);
  }
  client::Pipeline p;
  p.add(entries);
  p.add(gens);
  return p;
}

namespace {

// The replies of LookupPipeline, checked: both MGETs answered in full.
bool LookupOk(const client::Result<std::vector<client::Reply>>& r, const std::vector<Cache::ScopeFields>& wanted) {
  size_t n_entries = 0;
  for (const auto& sf : wanted) n_entries += sf.second.size();
  return AllOk(r, 2) && (*r)[0].elems.size() == n_entries && (*r)[1].elems.size() == wanted.size();
}

// Each scope's generation as read; empty for a scope that has none yet.
std::vector<std::string> ReadGenerations(std::vector<client::Reply>& replies) {
  std::vector<std::string> generation;
  for (client::Reply& g : replies[1].elems) {
    generation.push_back(g.type == client::Reply::Type::kBulkString ? std::move(g.str) : std::string());
  }
  return generation;
}

}  // namespace

Cache::FoundAll Cache::Decode(const std::vector<ScopeFields>& wanted, std::vector<client::Reply>& replies,
                              std::vector<std::string>& generation) {
  FoundAll out(wanted.size());
  size_t at = 0;
  for (size_t i = 0; i < wanted.size(); ++i) {
    Found found;
    for (size_t f = 0; f < wanted[i].second.size(); ++f) found.values.push_back(Untag(replies[0].elems[at++], generation[i]));
    found.generation = std::move(generation[i]);
    if (!Suspect(wanted[i].first)) out[i] = std::move(found);
  }
  return out;
}

bool Cache::UseNear() const { return near_ && near_->tracking(); }

void Cache::NearLookup(const std::vector<ScopeFields>& wanted,
                       std::function<void(client::Result<std::vector<client::Reply>>)> done) {
  std::vector<std::string> keys;
  size_t n_entries = 0;
  for (const auto& [scope, fields] : wanted) {
    for (const std::string& f : fields) keys.push_back(EntryKey(scope, f));
    n_entries += fields.size();
  }
  for (const auto& sf : wanted) keys.push_back(GenKey(sf.first));
  near_->async_mget(std::move(keys), [n_entries, done = std::move(done)](client::Result<client::NearCache::Values> r) {
    if (!r.ok()) return done(r.error());
    // The two MGET replies LookupPipeline would have got.
    std::vector<client::Reply> replies(2);
    for (size_t i = 0; i < r->size(); ++i) {
      client::Reply v;
      if ((*r)[i]) {
        v.type = client::Reply::Type::kBulkString;
        v.str = std::move(*(*r)[i]);
      } else {
        v.type = client::Reply::Type::kNull;
      }
      replies[i < n_entries ? 0 : 1].elems.push_back(std::move(v));
    }
    replies[0].type = replies[1].type = client::Reply::Type::kArray;
    done(std::move(replies));
  });
}

std::vector<std::optional<Cache::Found>> Cache::LookupMany(const std::vector<ScopeFields>& wanted) {
  std::vector<std::optional<Found>> out(wanted.size());
  if (std::all_of(wanted.begin(), wanted.end(), [](const ScopeFields& sf) { return sf.second.empty(); })) return out;
  client::Result<std::vector<client::Reply>> r = client::Error{};
  if (UseNear()) {
    std::promise<client::Result<std::vector<client::Reply>>> got;
    auto f = got.get_future();
    NearLookup(wanted, [&got](client::Result<std::vector<client::Reply>> x) { got.set_value(std::move(x)); });
    r = f.get();
  } else {
    client::Pipeline p = LookupPipeline(wanted);
    client::Connection& c = ReadConnection(wanted);
    r = c.async_pipeline(p, asio::use_future).get();
    if (!AllOk(r, 2) && &c != conn_.get()) r = RunPipeline(p);  // a replica failed: the master answers
  }
  if (!LookupOk(r, wanted)) return out;

  std::vector<std::string> generation = ReadGenerations(*r);
  std::vector<std::string> absent;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (generation[i].empty()) absent.push_back(wanted[i].first);
  }
  if (!absent.empty()) {
    // A scope with no generation has no valid entries; its readers need one to fill.
    auto created = CreateGenerations(absent);
    if (!created) return out;
    for (size_t i = 0, k = 0; i < wanted.size(); ++i) {
      if (generation[i].empty()) generation[i] = std::move((*created)[k++]);
    }
  }
  return Decode(wanted, *r, generation);
}

void Cache::LookupManyAsync(std::vector<ScopeFields> wanted, std::function<void(std::optional<FoundAll>)> done) {
  auto decode = [this](const std::vector<ScopeFields>& wanted, client::Result<std::vector<client::Reply>>& r,
                       std::function<void(std::optional<FoundAll>)>& done) {
    if (!LookupOk(r, wanted)) return done(std::nullopt);
    std::vector<std::string> generation = ReadGenerations(*r);
    if (std::any_of(generation.begin(), generation.end(), [](const std::string& g) { return g.empty(); })) {
      return done(std::nullopt);
    }
    done(Decode(wanted, *r, generation));
  };
  if (UseNear()) {
    auto shared = std::make_shared<std::vector<ScopeFields>>(std::move(wanted));
    NearLookup(*shared, [shared, decode, done = std::move(done)](client::Result<std::vector<client::Reply>> r) mutable {
      decode(*shared, r, done);
    });
    return;
  }
  client::Pipeline p = LookupPipeline(wanted);
  client::Connection& c = ReadConnection(wanted);
  c.async_pipeline(p, [wanted = std::move(wanted), decode, done = std::move(done)](
                          client::Result<std::vector<client::Reply>> r) mutable { decode(wanted, r, done); });
}

std::optional<Cache::Found> Cache::Lookup(const std::string& scope, const std::vector<std::string>& fields) {
  return std::move(LookupMany({{scope, fields}})[0]);
}

void Cache::Fill(const std::vector<Entry>& entries) {
  client::Pipeline p;
  std::set<std::string> scopes;
  for (const Entry& e : entries) {
    if (Suspect(e.scope)) continue;
    p.add("SET", EntryKey(e.scope, e.field), Tagged(e.generation, e.value), "EX", ttl_s_);
    scopes.insert(e.scope);
  }
  // A scope in use keeps its generation (otherwise its entries would die with it).
  for (const std::string& s : scopes) p.add("EXPIRE", GenKey(s), ttl_s_ * 2 + 60);
  if (p.empty()) return;
  if (!AllOk(RunPipeline(p), p.size())) metrics_->CacheWriteFailed();
}

bool Cache::BodiesSuspect() {
  if (!has_unflushed_.load(std::memory_order_acquire)) return false;
  std::lock_guard<std::mutex> l(mu_);
  return std::any_of(unflushed_.begin(), unflushed_.end(), [](const std::string& s) { return IsProductScope(s); });
}

bool Cache::Hold(const std::vector<std::string>& product_scopes, const std::string& body_scope,
                 const std::string& body_generation) {
  if (BodiesSuspect()) return false;
  // One member per fill (scope TAB generation): a writer removes only the members it
  // read, never the registration of a fill that began after it.
  const std::string member = body_scope + "\t" + body_generation;
  client::Pipeline p;
  for (const std::string& s : product_scopes) {
    p.add("SADD", HoldersKey(s), member);
    p.add("EXPIRE", HoldersKey(s), ttl_s_ + 60);  // outlives every body registered in it
  }
  return !p.empty() && AllOk(RunPipeline(p), p.size());
}

bool Cache::NewGenerations(const std::set<std::string>& scopes) {
  client::Pipeline p;
  for (const std::string& s : scopes) {
    p.add("SET", GenKey(s), NewGeneration(), "EX", ttl_s_ * 2 + 60);
    // Only memory: the new generation already hides it (other scopes' entry keys are
    // not known here and expire on their own).
    if (IsProductScope(s)) p.add("DEL", EntryKey(s, kDocField));
  }
  return AllOk(RunPipeline(p), p.size());
}

// One round trip for what SendInvalidation does in three (new generations, the
// holders read, the bodies' new generations and the holders forgotten), and atomic: no
// body can register between the read of its holders set and their removal. KEYS: per
// scope its generation key, then for a product its document and holders keys; ARGV:
// the generations' TTL, a fresh random token, then per scope 'p' (a product) or '-'.
// The bodies' generation keys are named inside (minired runs it holding every shard).
const char kInvalidateScript[] = R"lua(
local ttl, token = ARGV[1], ARGV[2]
local k, bodies, nbodies = 1, {}, 0
for i = 3, #ARGV do
  redis.call('SET', KEYS[k], token .. string.format('%x', i), 'EX', ttl)
  k = k + 1
  if ARGV[i] == 'p' then
    redis.call('DEL', KEYS[k])
    local holders = KEYS[k + 1]
    k = k + 2
    local members = redis.call('SMEMBERS', holders)
    for j = 1, #members do
      local body = string.match(members[j], '^[^	]*')
      if not bodies[body] then bodies[body] = true nbodies = nbodies + 1 end
    end
    for j = 1, #members, 1000 do
      redis.call('SREM', holders, unpack(members, j, math.min(j + 999, #members)))
    end
  end
end
local n = 0
for body in pairs(bodies) do
  n = n + 1
  redis.call('SET', 'catalog:gen:' .. body, token .. 'b' .. n, 'EX', ttl)
end
return nbodies
)lua";

bool Cache::SendInvalidationScript(const std::set<std::string>& scopes) {
  static const client::Script script(kInvalidateScript);
  std::vector<std::string> keys, args{std::to_string(ttl_s_ * 2 + 60), NewGeneration()};
  for (const std::string& s : scopes) {
    keys.push_back(GenKey(s));
    const bool product = IsProductScope(s);
    if (product) {
      keys.push_back(EntryKey(s, kDocField));
      keys.push_back(HoldersKey(s));
    }
    args.push_back(product ? "p" : "-");
  }
  auto r = conn_->async_eval(script, keys, args, asio::use_future).get();
  return r && !r->is_error();
}

bool Cache::SendInvalidation(const std::set<std::string>& scopes) {
  if (scripts_) return SendInvalidationScript(scopes);
  if (!NewGenerations(scopes)) return false;
  // Then, in this order (through a proxy, one pipeline's commands to different servers
  // are not ordered): the bodies registered with the changed products.
  client::Pipeline list;
  std::vector<std::string> products;
  for (const std::string& s : scopes) {
    if (!IsProductScope(s)) continue;
    products.push_back(s);
    list.add("SMEMBERS", HoldersKey(s));
  }
  if (products.empty()) return true;
  auto held = RunPipeline(list);
  if (!AllOk(held, products.size())) return false;
  std::set<std::string> bodies;
  for (const client::Reply& r : *held) {
    for (const client::Reply& m : r.elems) bodies.insert(m.str.substr(0, m.str.find('\t')));
  }
  if (bodies.empty()) return true;
  if (!NewGenerations(bodies)) return false;
  // Only what was read: a body registered since (by a reader that saw the new document
  // generation) stays registered for the next write.
  client::Pipeline forget;
  for (size_t i = 0; i < products.size(); ++i) {
    if ((*held)[i].elems.empty()) continue;
    client::Command srem("SREM", HoldersKey(products[i]));
    for (const client::Reply& m : (*held)[i].elems) srem << m.str;
    forget.add(srem);
  }
  return AllOk(RunPipeline(forget), forget.size());
}

void Cache::Invalidate(const std::set<std::string>& scopes) {
  if (scopes.empty()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!replicas_.empty() && read_own_writes_.count() > 0) {
      // Before the new generations exist: from now on, these scopes are read from the
      // master until replicas have surely caught up.
      const auto now = Clock::now();
      if (written_.size() > 4096) std::erase_if(written_, [&](const auto& w) { return w.second <= now; });
      for (const std::string& s : scopes) written_[s] = now + read_own_writes_;
    }
    // Suspect before sending: a read racing with a failure must not fill old rows.
    unflushed_.insert(scopes.begin(), scopes.end());
    has_unflushed_.store(true, std::memory_order_release);
  }
  // Everything owed goes with this write's scopes, and the write is acknowledged only
  // once they are sent: other catalog processes read the cache, not this process's owed
  // list, so an entry this write made stale must be dead before anyone can learn of the
  // write. A cache that stays unreachable for --invalidation-wait-ms is given up on:
  // the write is acknowledged with its invalidation owed (RetryInvalidations).
  auto owed = [&] {
    std::lock_guard<std::mutex> l(mu_);
    return std::any_of(scopes.begin(), scopes.end(), [&](const std::string& s) { return unflushed_.count(s) > 0; });
  };
  const auto deadline = Clock::now() + invalidation_wait_;
  RetryInvalidations();
  while (owed() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    RetryInvalidations();
  }
  if (owed()) metrics_->CacheWriteFailed();
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
