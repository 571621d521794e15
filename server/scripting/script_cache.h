// The scripts EVAL and SCRIPT LOAD have seen, by the SHA1 of their body, shared by every
// I/O thread: EVALSHA on any connection finds a script another connection loaded. Each
// thread's Lua VM (lua_engine.h) compiles a script the first time it runs it there.
// SCRIPT FLUSH empties the cache and moves its generation, which makes every VM start
// afresh at its next script, as Redis resets its one VM.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocol/sha1.h"

namespace minired {

class ScriptCache {
 public:
  // Remembers `body`, whose SHA1 is `sha`.
  void Add(const std::string& sha, std::string_view body);
  // The body of the script `sha` (40 hex digits, either case).
  std::optional<std::string> Get(std::string_view sha) const;
  bool Exists(std::string_view sha) const { return Get(sha).has_value(); }
  // Forgets every script (SCRIPT FLUSH).
  void Flush();
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  size_t size() const;
  size_t body_bytes() const;  // INFO's used_memory_scripts_eval (bodies only)

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> scripts_;  // guarded by mu_
  size_t bytes_ = 0;                                      // guarded by mu_
  std::atomic<uint64_t> generation_{0};
};

}  // namespace minired
