#include "server/blocking.h"

#include <algorithm>

#include "protocol/reply_writer.h"
#include "server/families/collection_util.h"
#include "server/families/list_value.h"
#include "server/families/zset_family.h"
#include "server/server.h"
#include "storage/journal.h"

namespace minired {
namespace {

thread_local std::vector<std::pair<int, std::string>> t_ready;

enum class Served { kServed, kEmpty, kOtherType };

// Pops (or moves) for `c` under fresh locks and writes its reply.
Served ServeOne(Server& server, BlockedClient& c, std::string_view key, std::string* reply_bytes) {
  Session session;
  session.db = c.db;
  session.resp = c.resp;
  ReplyWriter reply(reply_bytes, c.resp);
  std::string_view args[] = {key};
  CommandContext ctx(server, session, args, reply, server.clock().NowMs());
  const PopRequest& req = c.pop;
  {
    KeyAccess k(ctx, key);
    Db::Slot s = k.FindWrite();
    if (!s) return Served::kEmpty;
    if (s.entry->type() != (req.zset ? ValueType::kZSet : ValueType::kList)) return Served::kOtherType;
    if (!c.move) {
      size_t n = PopAndReply(ctx, k.db(), s, key, req);
      if (Journal* j = Journal::Active()) {
        std::string count = std::to_string(n);
        std::string_view rec[] = {req.zset ? (req.max ? "ZPOPMAX" : "ZPOPMIN") : (req.from == ListEnd::kLeft ? "LPOP" : "RPOP"),
                                  key, count};
        j->AddCommand(c.db, rec);
      }
      return Served::kServed;
    }
  }
  auto moved = MoveElement(ctx, key, c.dst, req.from, c.to);  // takes both keys' locks
  if (moved && !moved->has_value()) return Served::kEmpty;
  if (moved) reply.Bulk(**moved);  // else MoveElement replied the error
  if (Journal* j = Journal::Active(); j && moved) {
    std::string_view rec[] = {"LMOVE", key, c.dst, req.from == ListEnd::kLeft ? "LEFT" : "RIGHT",
                              c.to == ListEnd::kLeft ? "LEFT" : "RIGHT"};
    j->AddCommand(c.db, rec);
  }
  return Served::kServed;
}

}  // namespace

size_t PopAndReply(CommandContext& ctx, Db& db, Db::Slot s, std::string_view key, const PopRequest& req) {
  const uint64_t h = HashKey(key);
  if (req.zset) {
    ZSetValue z(db, s, key, h, Limits(ctx));
    auto popped = PopItems(ctx, z, req.max, req.count);
    ReplyPopped(ctx, key, popped, req.mpop);
    return popped.size();
  }
  ListEdit l(db, s, key, h, Limits(ctx));
  std::vector<std::string> popped = PopElements(l.list(), req.from, static_cast<size_t>(req.count));
  l.Commit(ctx.now_ms());
  ReplyPopped(ctx, key, popped, req.mpop);
  return popped.size();
}

bool PopFromFirst(CommandContext& ctx, MultiKeyAccess& m, std::span<const std::string_view> keys, const PopRequest& req) {
  for (std::string_view key : keys) {
    Db::Slot s = m.FindWrite(key);
    if (IsWrongType(ctx, s, req.zset ? ValueType::kZSet : ValueType::kList)) return true;
    if (!s) continue;
    Journal::CountChanges(PopAndReply(ctx, m.DbOf(HashKey(key)), s, key, req));
    return true;
  }
  return false;
}

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
      Served served = ServeOne(server, *c, key, &reply);
      if (served != Served::kServed) {
        c->state.store(BlockedClient::kWaiting);
        if (served == Served::kEmpty) break;
        continue;  // it waits for another type than the key holds now
      }
      registry.Remove(c.get());
      c->state.store(BlockedClient::kDone);
      c->deliver(std::move(reply));
    }
  }
}

}  // namespace minired
