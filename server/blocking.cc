#include "server/blocking.h"

#include <algorithm>
#include <utility>

#include "protocol/reply_writer.h"
#include "server/command_context.h"
#include "server/server.h"

namespace minired {
namespace {

thread_local std::vector<std::pair<int, std::string>> t_ready;

// Serves `c` from `key` in its own database and protocol, its reply into `reply_bytes`.
BlockedClient::Served ServeOne(Server& server, BlockedClient& c, std::string_view key, std::string* reply_bytes) {
  Session session;
  session.db = c.db;
  session.resp = c.resp;
  ReplyWriter reply(reply_bytes, c.resp);
  std::string_view args[] = {key};
  CommandContext ctx(server, session, args, reply, server.clock().NowMs());
  return c.Serve(ctx, key);
}

}  // namespace

void BlockingRegistry::Add(const std::shared_ptr<BlockedClient>& c) {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& key : c->keys) waiting_[{c->db, key}].push_back(c);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void BlockingRegistry::Remove(const BlockedClient* c) {
  std::lock_guard<std::mutex> l(mu_);
  bool found = false;
  for (const auto& key : c->keys) {
    auto it = waiting_.find({c->db, key});
    if (it == waiting_.end()) continue;
    auto& q = it->second;
    auto pos = std::find_if(q.begin(), q.end(), [c](const auto& p) { return p.get() == c; });
    if (pos != q.end()) {
      q.erase(pos);
      found = true;
    }
    if (q.empty()) waiting_.erase(it);
  }
  if (found) count_.fetch_sub(1, std::memory_order_relaxed);
}

std::vector<std::shared_ptr<BlockedClient>> BlockingRegistry::Waiters(int db, std::string_view key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = waiting_.find({db, std::string(key)});
  if (it == waiting_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

bool BlockingRegistry::HasWaiters(int db, std::string_view key) {
  if (count_.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard<std::mutex> l(mu_);
  return waiting_.count({db, std::string(key)}) > 0;
}

std::vector<std::string> BlockingRegistry::WaitedKeys(int db) {
  std::vector<std::string> keys;
  if (count_.load(std::memory_order_relaxed) == 0) return keys;
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = waiting_.lower_bound({db, std::string()}); it != waiting_.end() && it->first.first == db; ++it) {
    keys.push_back(it->first.second);
  }
  return keys;
}

void MarkKeyReady(int db, std::string_view key) {
  for (const auto& r : t_ready) {
    if (r.first == db && r.second == key) return;
  }
  t_ready.emplace_back(db, std::string(key));
}

std::vector<std::pair<int, std::string>> SetReadyKeysAside() { return std::exchange(t_ready, {}); }

void RestoreReadyKeys(std::vector<std::pair<int, std::string>> keys) { t_ready = std::move(keys); }

void ServeReadyKeys(Server& server) {
  BlockingRegistry& registry = server.blocking();
  // Serving BLMOVE pushes to its destination, which may make more keys ready.
  while (!t_ready.empty()) {
    auto [db, key] = std::move(t_ready.front());
    t_ready.erase(t_ready.begin());
    for (const auto& c : registry.Waiters(db, key)) {
      if (c->state.load() == BlockedClient::kDone) {
        registry.Remove(c.get());  // timed out or disconnected meanwhile
        continue;
      }
      // Another thread is serving this key's queue right now: it carries on.
      if (!c->Claim(BlockedClient::kServing)) break;
      std::string reply;
      BlockedClient::Served served = ServeOne(server, *c, key, &reply);
      if (served != BlockedClient::Served::kServed) {
        c->state.store(BlockedClient::kWaiting);
        if (served == BlockedClient::Served::kEmpty) break;
        continue;  // it waits for another type than the key holds now
      }
      registry.Remove(c.get());
      c->state.store(BlockedClient::kDone);
      c->deliver(std::move(reply));
    }
  }
}

}  // namespace minired
