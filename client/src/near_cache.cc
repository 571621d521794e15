#include "minired/near_cache.h"

namespace minired::client {
namespace {

// What an entry costs besides its key and value: the map node, the LRU node, the
// optional (an estimate, for the bound).
constexpr size_t kEntryOverhead = 96;

}  // namespace

std::shared_ptr<NearCache> NearCache::Create(asio::any_io_executor ex, Options options, Settings settings) {
  std::shared_ptr<NearCache> c(new NearCache(std::move(ex), std::move(options), std::move(settings)));
  std::weak_ptr<NearCache> weak = c;
  c->conn_->SetPushHandler([weak](Reply&& r) {
    if (auto self = weak.lock()) self->OnPush(std::move(r));
  });
  c->conn_->SetLinkHandler([weak](bool up) {
    if (auto self = weak.lock()) self->OnLink(up);
  });
  c->conn_->WaitReady([](Result<Ok>) {});  // connect now; a failure reconnects
  return c;
}

NearCache::NearCache(asio::any_io_executor ex, Options options, Settings settings) : settings_(std::move(settings)) {
  options.resp = 3;  // invalidations arrive as pushes on this very connection
  conn_ = Connection::Create(std::move(ex), std::move(options));
}

NearCache::~NearCache() { conn_->Close(); }

void NearCache::Close() { conn_->Close(); }

NearCache::Stats NearCache::stats() const {
  Stats s;
  s.hits = hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  s.invalidations = invalidations_.load(std::memory_order_relaxed);
  s.flushes = flushes_.load(std::memory_order_relaxed);
  s.entries = entries_.load(std::memory_order_relaxed);
  s.bytes = size_.load(std::memory_order_relaxed);
  return s;
}

void NearCache::OnLink(bool up) {
  ++link_epoch_;
  tracking_.store(false, std::memory_order_release);
  // Whatever was cached may have changed while no invalidation could reach us.
  DropAll();
  if (up) EnableTracking();
}

void NearCache::EnableTracking() {
  Command c("CLIENT");
  c << "TRACKING" << "ON";
  if (!settings_.bcast_prefixes.empty()) {
    c << "BCAST";
    for (const auto& p : settings_.bcast_prefixes) c << "PREFIX" << p;
  }
  const uint64_t epoch = link_epoch_;
  conn_->Submit(c.bytes(), 1, [weak = weak_from_this(), epoch](Result<Reply> r) {
    auto self = weak.lock();
    if (!self || self->link_epoch_ != epoch) return;
    if (r.ok() && !r.value().is_error()) {
      self->tracking_.store(true, std::memory_order_release);
    }
    // Refused (a server or proxy without CLIENT TRACKING): reads go to the server.
  });
}

void NearCache::OnPush(Reply&& r) {
  // >2 invalidate [keys] | >2 invalidate _ (every key: a flush)
  if (r.type != Reply::Type::kPush || r.elems.size() != 2 || r.elems[0].str != "invalidate") return;
  Reply& what = r.elems[1];
  if (what.type == Reply::Type::kNull) {
    DropAll();
    return;
  }
  for (const Reply& k : what.elems) {
    if (map_.count(k.str)) invalidations_.fetch_add(1, std::memory_order_relaxed);
    Drop(k.str);
  }
}

void NearCache::MGet(std::vector<std::string> keys, Done done) {
  asio::dispatch(conn_->get_executor(), [self = shared_from_this(), keys = std::move(keys), done = std::move(done)]() mutable {
    if (!self->tracking_.load(std::memory_order_relaxed)) return self->Fetch(std::move(keys), std::move(done));
    bool all = true;
    for (const auto& k : keys) all = all && self->map_.count(k);
    if (!all) return self->Fetch(std::move(keys), std::move(done));
    if (!self->settings_.read_barrier) {
      if (!self->Answer(keys, done)) self->Fetch(std::move(keys), std::move(done));
      return;
    }
    // A PING sent after now answers for every invalidation owed before now.
    (self->barrier_out_ ? self->next_waiters_ : self->barrier_waiters_).push_back(Waiter{std::move(keys), std::move(done)});
    if (!self->barrier_out_) self->StartBarrier();
  });
}

bool NearCache::Answer(const std::vector<std::string>& keys, Done& done) {
  Values out;
  out.reserve(keys.size());
  for (const auto& k : keys) {
    auto it = map_.find(k);
    if (it == map_.end()) return false;
    out.push_back(it->second.value);
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  }
  hits_.fetch_add(keys.size(), std::memory_order_relaxed);
  done(std::move(out));
  return true;
}

void NearCache::StartBarrier() {
  barrier_out_ = true;
  const uint64_t epoch = link_epoch_;
  conn_->Submit(Command("PING").bytes(), 1, [weak = weak_from_this(), epoch](Result<Reply> r) {
    auto self = weak.lock();
    if (!self) return;
    self->barrier_out_ = false;
    auto waiters = std::move(self->barrier_waiters_);
    self->barrier_waiters_ = std::move(self->next_waiters_);
    self->next_waiters_.clear();
    const bool fresh = r.ok() && self->link_epoch_ == epoch && self->tracking_.load(std::memory_order_relaxed);
    for (Waiter& w : waiters) {
      // Still there after every invalidation owed before the hit: current. Otherwise
      // (dropped meanwhile, or the link changed) it is read from the server.
      if (!fresh || !self->Answer(w.keys, w.done)) self->Fetch(std::move(w.keys), std::move(w.done));
    }
    if (!self->barrier_waiters_.empty()) self->StartBarrier();
  });
}

void NearCache::Fetch(std::vector<std::string> keys, Done done) {
  Command c("MGET");
  for (const auto& k : keys) c << k;
  misses_.fetch_add(keys.size(), std::memory_order_relaxed);
  const uint64_t epoch = link_epoch_;
  const bool store = tracking_.load(std::memory_order_relaxed);
  conn_->Submit(c.bytes(), 1,
                [weak = weak_from_this(), epoch, store, keys = std::move(keys), done = std::move(done)](Result<Reply> r) mutable {
                  auto self = weak.lock();
                  if (!r.ok()) return done(r.error());
                  if (r.value().is_error()) return done(Error{Error::Kind::kServer, r.value().str});
                  Values out;
                  out.reserve(r.value().elems.size());
                  for (Reply& v : r.value().elems) {
                    if (v.type == Reply::Type::kBulkString) {
                      out.emplace_back(std::move(v.str));
                    } else {
                      out.emplace_back();
                    }
                  }
                  // Stored only when read on the connection whose tracking is on now: any
                  // change after this read reaches us as a push after this reply.
                  if (self && store && self->link_epoch_ == epoch && out.size() == keys.size()) {
                    for (size_t i = 0; i < keys.size(); ++i) self->Store(keys[i], out[i]);
                  }
                  done(std::move(out));
                });
}

void NearCache::Store(const std::string& key, std::optional<std::string> value) {
  const size_t bytes = key.size() + (value ? value->size() : 0) + kEntryOverhead;
  if (bytes > settings_.max_bytes) return;
  Drop(key);
  lru_.push_front(key);
  map_.emplace(key, Slot{std::move(value), lru_.begin(), bytes});
  bytes_ += bytes;
  while (bytes_ > settings_.max_bytes && !lru_.empty()) {
    const std::string victim = lru_.back();
    Drop(victim);
  }
  entries_.store(map_.size(), std::memory_order_relaxed);
  size_.store(bytes_, std::memory_order_relaxed);
}

void NearCache::Drop(const std::string& key) {
  auto it = map_.find(key);
  if (it == map_.end()) return;
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru);
  map_.erase(it);
  entries_.store(map_.size(), std::memory_order_relaxed);
  size_.store(bytes_, std::memory_order_relaxed);
}

void NearCache::DropAll() {
  if (!map_.empty()) flushes_.fetch_add(1, std::memory_order_relaxed);
  map_.clear();
  lru_.clear();
  bytes_ = 0;
  entries_.store(0, std::memory_order_relaxed);
  size_.store(0, std::memory_order_relaxed);
}

}  // namespace minired::client
