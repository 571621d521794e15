#include "minired/commands.h"

#include "protocol/sha1.h"

namespace minired::client::cmd {

namespace {
Command WithKeys(std::string_view name, std::span<const std::string> keys) {
  Command c(name);
  for (const auto& k : keys) c << k;
  return c;
}
}  // namespace

Typed<int64_t> del(std::span<const std::string> keys) { return {WithKeys("DEL", keys)}; }
Typed<int64_t> unlink(std::span<const std::string> keys) { return {WithKeys("UNLINK", keys)}; }

Typed<bool> set(std::string_view key, std::string_view value, const SetOptions& opts) {
  Command c("SET", key, value);
  if (opts.ttl.count() > 0) c << "PX" << static_cast<int64_t>(opts.ttl.count());
  if (opts.keep_ttl) c << "KEEPTTL";
  if (opts.nx) c << "NX";
  if (opts.xx) c << "XX";
  return {std::move(c)};
}

Typed<std::vector<std::optional<std::string>>> mget(std::span<const std::string> keys) {
  return {WithKeys("MGET", keys)};
}

Typed<Ok> mset(const FieldValues& key_values) {
  Command c("MSET");
  for (const auto& [k, v] : key_values) c << k << v;
  return {std::move(c)};
}

Typed<int64_t> hset(std::string_view key, const FieldValues& fields) {
  Command c("HSET", key);
  for (const auto& [f, v] : fields) c << f << v;
  return {std::move(c)};
}

Typed<std::vector<std::optional<std::string>>> hmget(std::string_view key,
                                                     std::span<const std::string> fields) {
  Command c("HMGET", key);
  for (const auto& f : fields) c << f;
  return {std::move(c)};
}

Typed<int64_t> hdel(std::string_view key, std::span<const std::string> fields) {
  Command c("HDEL", key);
  for (const auto& f : fields) c << f;
  return {std::move(c)};
}

Typed<int64_t> zadd(std::string_view key, const ScoredMembers& members) {
  Command c("ZADD", key);
  for (const auto& [m, s] : members) c << s << m;
  return {std::move(c)};
}

Typed<int64_t> zrem(std::string_view key, std::span<const std::string> members) {
  Command c("ZREM", key);
  for (const auto& m : members) c << m;
  return {std::move(c)};
}

Typed<std::vector<std::string>> zrange(std::string_view key, int64_t start, int64_t stop, bool rev) {
  Command c("ZRANGE", key, start, stop);
  if (rev) c << "REV";
  return {std::move(c)};
}

Typed<ScoredMembers> zrange_withscores(std::string_view key, int64_t start, int64_t stop, bool rev) {
  Command c("ZRANGE", key, start, stop);
  if (rev) c << "REV";
  c << "WITHSCORES";
  return {std::move(c)};
}

Typed<std::vector<std::string>> zrangebyscore(std::string_view key, double min, double max,
                                              int64_t offset, int64_t count) {
  Command c("ZRANGEBYSCORE", key, min, max);
  if (count >= 0 || offset > 0) c << "LIMIT" << offset << count;
  return {std::move(c)};
}

}  // namespace minired::client::cmd

namespace minired::client {
namespace {

Command ScriptCommand(std::string_view name, std::string_view script_or_sha, std::span<const std::string> keys,
                      std::span<const std::string> args) {
  Command c(name, script_or_sha, static_cast<int64_t>(keys.size()));
  for (const std::string& k : keys) c << k;
  for (const std::string& a : args) c << a;
  return c;
}

}  // namespace

Script::Script(std::string body) : body_(std::move(body)), sha_(Sha1Hex(body_)) {}

Command Script::EvalSha(std::span<const std::string> keys, std::span<const std::string> args) const {
  return ScriptCommand("EVALSHA", sha_, keys, args);
}

Command Script::Eval(std::span<const std::string> keys, std::span<const std::string> args) const {
  return ScriptCommand("EVAL", body_, keys, args);
}

}  // namespace minired::client
