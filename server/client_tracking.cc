#include "server/client_tracking.h"

#include <algorithm>
#include <random>

#include "server/client_registry.h"
#include "storage/db.h"

namespace minired {
namespace {

constexpr size_t kStripes = 64;

thread_local uint64_t t_current_client = 0;
// BCAST: prefix -> key -> the client that changed it last (0: none), gathered by this
// thread's command and sent by FlushBroadcasts.
using PendingBroadcasts = std::map<std::string, std::map<std::string, uint64_t>>;
thread_local bool t_has_pending = false;
PendingBroadcasts& Pending() {
  static thread_local PendingBroadcasts pending;
  return pending;
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace

void PushInbox::Add(TrackingPush push) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> l(mu_);
    was_empty = items_.empty();
    items_.push_back(std::move(push));
    pending_.store(true, std::memory_order_release);
  }
  if (was_empty && wake) wake();
}

std::vector<TrackingPush> PushInbox::Take() {
  std::lock_guard<std::mutex> l(mu_);
  pending_.store(false, std::memory_order_relaxed);
  return std::move(items_);
}

struct ClientTracking::Stripe {
  std::mutex mu;
  std::unordered_map<std::string, std::vector<uint64_t>, StringHash, std::equal_to<>> keys;  // guarded by mu
};

struct ClientTracking::Tracker {
  std::shared_ptr<ClientInfo> info;
  std::vector<std::string> prefixes;  // BCAST; sorted
};

ClientTracking::ClientTracking(ClientRegistry& clients)
    : registry_(clients), stripes_(std::make_unique<Stripe[]>(kStripes)) {}

ClientTracking::~ClientTracking() = default;

void ClientTracking::SetCurrentClient(uint64_t id) { t_current_client = id; }

ClientTracking::Stripe& ClientTracking::StripeOf(std::string_view key) {
  return stripes_[HashKey(key) % kStripes];
}

std::shared_ptr<ClientTracking::Tracker> ClientTracking::FindTracker(uint64_t id) const {
  std::lock_guard<std::mutex> l(trackers_mu_);
  auto it = trackers_.find(id);
  return it == trackers_.end() ? nullptr : it->second;
}

std::vector<std::string> ClientTracking::Prefixes(uint64_t client) const {
  std::shared_ptr<Tracker> t = FindTracker(client);
  if (!t) return {};
  std::lock_guard<std::mutex> l(prefix_mu_);
  return t->prefixes;
}

size_t ClientTracking::total_prefixes() const {
  std::lock_guard<std::mutex> l(prefix_mu_);
  return prefixes_.size();
}

std::string ClientTracking::Enable(ClientInfo& client, uint64_t redirect, uint32_t options,
                                   const std::vector<std::string>& prefixes) {
  std::shared_ptr<ClientInfo> info = registry_.Find(client.id);
  if (!info) return "ERR client is not registered";
  std::shared_ptr<Tracker> tracker = FindTracker(client.id);
  // Prefixes of one client must not overlap (each key is sent once): the new ones with
  // those it has, and with each other (Redis's checkPrefixCollisionsOrReply).
  auto overlap = [](std::string_view a, std::string_view b) {
    return a.substr(0, std::min(a.size(), b.size())) == b.substr(0, std::min(a.size(), b.size()));
  };
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (tracker) {
      for (const auto& have : tracker->prefixes) {
        if (overlap(have, prefixes[i])) {
          return "ERR Prefix '" + prefixes[i] + "' overlaps with an existing prefix '" + have +
                 "'. Prefixes for a single client must not overlap.";
        }
      }
    }
    for (size_t j = i + 1; j < prefixes.size(); ++j) {
      if (overlap(prefixes[i], prefixes[j])) {
        return "ERR Prefix '" + prefixes[i] + "' overlaps with another provided prefix '" + prefixes[j] +
               "'. Prefixes for a single client must not overlap.";
      }
    }
  }
  const bool was_on = tracker != nullptr;
  if (!tracker) {
    tracker = std::make_shared<Tracker>();
    tracker->info = info;  // set before other threads can find it, never changed after
  }
  client.tracking_redirect.store(redirect);
  client.tracking.store(kTrackingOn | (options & (kTrackingBcast | kTrackingOptin | kTrackingOptout | kTrackingNoloop)));
  if (options & kTrackingBcast) {
    std::vector<std::string> add = prefixes;
    if (add.empty()) add.emplace_back();  // BCAST alone: every key (the empty prefix)
    std::lock_guard<std::mutex> l(prefix_mu_);
    for (auto& p : add) {
      if (std::find(tracker->prefixes.begin(), tracker->prefixes.end(), p) != tracker->prefixes.end()) continue;
      prefixes_[p].push_back(client.id);
      tracker->prefixes.push_back(std::move(p));
    }
    std::sort(tracker->prefixes.begin(), tracker->prefixes.end());
    if (!was_on) bcast_clients_.fetch_add(1);
  }
  if (!was_on) {
    std::lock_guard<std::mutex> l(trackers_mu_);
    trackers_[client.id] = tracker;
    clients_count_.fetch_add(1);
  }
  UpdateActive();
  return {};
}

void ClientTracking::Disable(ClientInfo& client) {
  std::shared_ptr<Tracker> tracker;
  {
    std::lock_guard<std::mutex> l(trackers_mu_);
    auto it = trackers_.find(client.id);
    if (it == trackers_.end()) return;
    tracker = std::move(it->second);
    trackers_.erase(it);
  }
  if (client.tracking.load() & kTrackingBcast) {
    std::lock_guard<std::mutex> l(prefix_mu_);
    for (const auto& p : tracker->prefixes) {
      auto it = prefixes_.find(p);
      if (it == prefixes_.end()) continue;
      std::erase(it->second, client.id);
      if (it->second.empty()) prefixes_.erase(it);
    }
    bcast_clients_.fetch_sub(1);
  }
  client.tracking.store(0);
  client.tracking_redirect.store(0);
  client.tracking_caching.store(false);
  if (clients_count_.fetch_sub(1) == 1) {
    // Nobody tracks any more: every id left in the table is dead.
    for (size_t i = 0; i < kStripes; ++i) {
      std::lock_guard<std::mutex> l(stripes_[i].mu);
      stripes_[i].keys.clear();
    }
    total_keys_.store(0);
    total_items_.store(0);
  }
  UpdateActive();
}

void ClientTracking::UpdateActive() {
  const bool on = clients_count_.load() > 0;
  if (active_.exchange(on) != on && on_active_changed) on_active_changed();
}

void ClientTracking::Remember(uint64_t client, std::span<const std::string_view> keys) {
  for (std::string_view key : keys) {
    Stripe& s = StripeOf(key);
    std::lock_guard<std::mutex> l(s.mu);
    auto it = s.keys.find(key);
    if (it == s.keys.end()) {
      it = s.keys.emplace(std::string(key), std::vector<uint64_t>()).first;
      total_keys_.fetch_add(1, std::memory_order_relaxed);
    }
    auto& ids = it->second;
    if (std::find(ids.begin(), ids.end(), client) != ids.end()) continue;
    ids.push_back(client);
    total_items_.fetch_add(1, std::memory_order_relaxed);
  }
}

void ClientTracking::KeyModified(std::string_view key) {
  const uint64_t writer = t_current_client;
  if (bcast_clients_.load(std::memory_order_relaxed) > 0) {
    std::lock_guard<std::mutex> l(prefix_mu_);
    for (const auto& [prefix, ids] : prefixes_) {
      if (!key.starts_with(prefix)) continue;
      Pending()[prefix].insert_or_assign(std::string(key), writer);
      t_has_pending = true;
    }
  }
  if (total_keys_.load(std::memory_order_relaxed) == 0) return;
  Stripe& s = StripeOf(key);
  std::lock_guard<std::mutex> l(s.mu);
  InvalidateLocked(s, key, writer);
}

void ClientTracking::InvalidateLocked(Stripe& stripe, std::string_view key, uint64_t writer) {
  auto it = stripe.keys.find(key);
  if (it == stripe.keys.end()) return;
  std::vector<uint64_t> ids = std::move(it->second);
  stripe.keys.erase(it);
  total_keys_.fetch_sub(1, std::memory_order_relaxed);
  total_items_.fetch_sub(ids.size(), std::memory_order_relaxed);
  for (uint64_t id : ids) {
    std::shared_ptr<Tracker> t = FindTracker(id);
    if (!t) continue;
    const uint32_t flags = t->info->tracking.load(std::memory_order_relaxed);
    // A client that switched to BCAST since it read the key hears of it that way only.
    if (!(flags & kTrackingOn) || (flags & kTrackingBcast)) continue;
    if ((flags & kTrackingNoloop) && id == writer) continue;
    Deliver(*t, false, {std::string(key)});
  }
}

void ClientTracking::Deliver(const Tracker& t, bool all, std::vector<std::string> keys) {
  ClientInfo& client = *t.info;
  const uint64_t redirect = client.tracking_redirect.load(std::memory_order_relaxed);
  TrackingPush push;
  push.all = all;
  push.null_resp = client.resp.load(std::memory_order_relaxed);
  push.keys = std::move(keys);
  if (redirect != 0) {
    std::shared_ptr<ClientInfo> target = registry_.Find(redirect);
    if (!target) {
      // The client it redirected to is gone: it is told so itself (RESP3 only).
      client.tracking.fetch_or(kTrackingBrokenRedirect, std::memory_order_relaxed);
      TrackingPush broken;
      broken.kind = TrackingPush::Kind::kRedirectBroken;
      broken.redirect_id = redirect;
      if (client.inbox) client.inbox->Add(std::move(broken));
      return;
    }
    push.via_redirect = true;
    if (target->inbox) target->inbox->Add(std::move(push));
    return;
  }
  if (client.inbox) client.inbox->Add(std::move(push));
}

void ClientTracking::InvalidateAll() {
  std::vector<std::shared_ptr<Tracker>> all;
  {
    std::lock_guard<std::mutex> l(trackers_mu_);
    for (const auto& [id, t] : trackers_) all.push_back(t);
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a->info->id < b->info->id; });
  for (const auto& t : all) {
    if (t->info->tracking.load(std::memory_order_relaxed) & kTrackingOn) Deliver(*t, true, {});
  }
  for (size_t i = 0; i < kStripes; ++i) {
    std::lock_guard<std::mutex> l(stripes_[i].mu);
    total_keys_.fetch_sub(stripes_[i].keys.size(), std::memory_order_relaxed);
    for (const auto& [key, ids] : stripes_[i].keys) total_items_.fetch_sub(ids.size(), std::memory_order_relaxed);
    stripes_[i].keys.clear();
  }
}

void ClientTracking::FlushBroadcasts() {
  if (!t_has_pending) return;
  t_has_pending = false;
  PendingBroadcasts pending;
  pending.swap(Pending());
  for (const auto& [prefix, keys] : pending) {
    std::vector<uint64_t> ids;
    {
      std::lock_guard<std::mutex> l(prefix_mu_);
      auto it = prefixes_.find(prefix);
      if (it == prefixes_.end()) continue;
      ids = it->second;
    }
    for (uint64_t id : ids) {
      std::shared_ptr<Tracker> t = FindTracker(id);
      if (!t) continue;
      const uint32_t flags = t->info->tracking.load(std::memory_order_relaxed);
      if (!(flags & kTrackingBcast)) continue;
      std::vector<std::string> list;
      for (const auto& [key, writer] : keys) {
        if ((flags & kTrackingNoloop) && writer == id) continue;  // its own change
        list.push_back(key);
      }
      if (!list.empty()) Deliver(*t, false, std::move(list));
    }
  }
}

void ClientTracking::LimitTable(int64_t max_keys) {
  if (max_keys <= 0 || total_keys_.load(std::memory_order_relaxed) <= static_cast<size_t>(max_keys)) {
    limit_rounds_.store(0, std::memory_order_relaxed);
    return;
  }
  // Random keys are forgotten (and invalidated, as if changed) until the table fits,
  // with an effort that grows while it does not (Redis's trackingLimitUsedSlots).
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int effort = 100 * static_cast<int>(limit_rounds_.load(std::memory_order_relaxed) + 1);
  while (effort-- > 0) {
    // A random key: the first non-empty stripe from a random one, a random bucket in it.
    const size_t first = rng() % kStripes;
    Stripe* found = nullptr;
    for (size_t k = 0; k < kStripes && found == nullptr; ++k) {
      Stripe& candidate = stripes_[(first + k) % kStripes];
      std::lock_guard<std::mutex> l(candidate.mu);
      if (!candidate.keys.empty()) found = &candidate;
    }
    if (found == nullptr) break;
    Stripe& s = *found;
    std::lock_guard<std::mutex> l(s.mu);
    if (s.keys.empty()) continue;
    size_t b = rng() % s.keys.bucket_count();
    while (s.keys.bucket_size(b) == 0) b = (b + 1) % s.keys.bucket_count();
    std::string key = s.keys.begin(b)->first;
    InvalidateLocked(s, key, 0);
    if (total_keys_.load(std::memory_order_relaxed) <= static_cast<size_t>(max_keys)) {
      limit_rounds_.store(0, std::memory_order_relaxed);
      return;
    }
  }
  limit_rounds_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace minired
