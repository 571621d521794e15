// Typed helpers for the commands the catalog and the tools use. Each builds a
// Typed<T>: the encoded command plus the C++ type its reply becomes, usable with
// Connection::async_exec (any completion token) and SyncClient::exec:
//
//   Result<std::optional<std::string>> v = client.exec(cmd::get("product:1"));
//   co_await conn->async_exec(cmd::hset("product:1", {{"name", "Mug"}}), asio::use_awaitable);
//
// For anything else, Command(name, args...) with async_command / SyncClient::command.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "minired/command.h"
#include "minired/reply.h"

namespace minired::client {

// A Lua script named by its SHA1, as the server names it. Connection::async_eval and
// SyncClient::eval send EVALSHA, and the body (EVAL, which also caches it on the
// server) only when the server answers NOSCRIPT: on first use, after a restart or
// SCRIPT FLUSH. Build it once (it hashes the body) and keep it.
class Script {
 public:
  explicit Script(std::string body);
  const std::string& body() const { return body_; }
  const std::string& sha() const { return sha_; }
  Command EvalSha(std::span<const std::string> keys, std::span<const std::string> args) const;
  Command Eval(std::span<const std::string> keys, std::span<const std::string> args) const;

 private:
  std::string body_;
  std::string sha_;
};

}  // namespace minired::client

namespace minired::client::cmd {

using FieldValues = std::vector<std::pair<std::string, std::string>>;
using ScoredMembers = std::vector<std::pair<std::string, double>>;

// --- connection and keys ---
inline Typed<std::string> ping() { return {Command("PING")}; }
inline Typed<Ok> select(int db) { return {Command("SELECT", db)}; }
inline Typed<Ok> flushdb() { return {Command("FLUSHDB")}; }
Typed<int64_t> del(std::span<const std::string> keys);
inline Typed<int64_t> del(std::string_view key) { return {Command("DEL", key)}; }
Typed<int64_t> unlink(std::span<const std::string> keys);
inline Typed<int64_t> exists(std::string_view key) { return {Command("EXISTS", key)}; }
inline Typed<bool> expire(std::string_view key, std::chrono::seconds ttl) {
  return {Command("EXPIRE", key, static_cast<int64_t>(ttl.count()))};
}
inline Typed<bool> pexpire(std::string_view key, std::chrono::milliseconds ttl) {
  return {Command("PEXPIRE", key, static_cast<int64_t>(ttl.count()))};
}
inline Typed<int64_t> ttl(std::string_view key) { return {Command("TTL", key)}; }
inline Typed<int64_t> pttl(std::string_view key) { return {Command("PTTL", key)}; }
inline Typed<int64_t> publish(std::string_view channel, std::string_view message) {
  return {Command("PUBLISH", channel, message)};
}

// --- strings ---
inline Typed<std::optional<std::string>> get(std::string_view key) { return {Command("GET", key)}; }
inline Typed<Ok> set(std::string_view key, std::string_view value) {
  return {Command("SET", key, value)};
}
// SET with options; true when the value was set (false: NX/XX condition not met).
struct SetOptions {
  std::chrono::milliseconds ttl{0};  // 0: no expiry
  bool nx = false;                   // only if absent
  bool xx = false;                   // only if present
  bool keep_ttl = false;
};
Typed<bool> set(std::string_view key, std::string_view value, const SetOptions& opts);
inline Typed<Ok> setex(std::string_view key, std::chrono::seconds ttl, std::string_view value) {
  return {Command("SETEX", key, static_cast<int64_t>(ttl.count()), value)};
}
Typed<std::vector<std::optional<std::string>>> mget(std::span<const std::string> keys);
Typed<Ok> mset(const FieldValues& key_values);

// --- counters ---
inline Typed<int64_t> incr(std::string_view key) { return {Command("INCR", key)}; }
inline Typed<int64_t> incrby(std::string_view key, int64_t by) { return {Command("INCRBY", key, by)}; }
inline Typed<int64_t> decr(std::string_view key) { return {Command("DECR", key)}; }
inline Typed<int64_t> decrby(std::string_view key, int64_t by) { return {Command("DECRBY", key, by)}; }
inline Typed<double> incrbyfloat(std::string_view key, double by) {
  return {Command("INCRBYFLOAT", key, by)};
}

// --- hashes ---
Typed<int64_t> hset(std::string_view key, const FieldValues& fields);
inline Typed<std::optional<std::string>> hget(std::string_view key, std::string_view field) {
  return {Command("HGET", key, field)};
}
Typed<std::vector<std::optional<std::string>>> hmget(std::string_view key,
                                                     std::span<const std::string> fields);
inline Typed<FieldValues> hgetall(std::string_view key) { return {Command("HGETALL", key)}; }
Typed<int64_t> hdel(std::string_view key, std::span<const std::string> fields);
inline Typed<bool> hexists(std::string_view key, std::string_view field) {
  return {Command("HEXISTS", key, field)};
}
inline Typed<int64_t> hlen(std::string_view key) { return {Command("HLEN", key)}; }
inline Typed<int64_t> hincrby(std::string_view key, std::string_view field, int64_t by) {
  return {Command("HINCRBY", key, field, by)};
}

// --- sorted sets ---
inline Typed<int64_t> zadd(std::string_view key, double score, std::string_view member) {
  return {Command("ZADD", key, score, member)};
}
Typed<int64_t> zadd(std::string_view key, const ScoredMembers& members);
inline Typed<double> zincrby(std::string_view key, double by, std::string_view member) {
  return {Command("ZINCRBY", key, by, member)};
}
inline Typed<std::optional<double>> zscore(std::string_view key, std::string_view member) {
  return {Command("ZSCORE", key, member)};
}
inline Typed<std::optional<int64_t>> zrank(std::string_view key, std::string_view member) {
  return {Command("ZRANK", key, member)};
}
inline Typed<std::optional<int64_t>> zrevrank(std::string_view key, std::string_view member) {
  return {Command("ZREVRANK", key, member)};
}
inline Typed<int64_t> zcard(std::string_view key) { return {Command("ZCARD", key)}; }
Typed<int64_t> zrem(std::string_view key, std::span<const std::string> members);
// Members by rank, lowest score first (rev: highest first).
Typed<std::vector<std::string>> zrange(std::string_view key, int64_t start, int64_t stop,
                                       bool rev = false);
Typed<ScoredMembers> zrange_withscores(std::string_view key, int64_t start, int64_t stop,
                                       bool rev = false);
// Members with min <= score <= max, at most `count` from `offset` (count < 0: all).
Typed<std::vector<std::string>> zrangebyscore(std::string_view key, double min, double max,
                                              int64_t offset = 0, int64_t count = -1);

}  // namespace minired::client::cmd
