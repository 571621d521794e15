#include "server/scripting/script_cache.h"

#include "protocol/numbers.h"

#include <cctype>

namespace minired {

void ScriptCache::Add(const std::string& sha, std::string_view body) {
  std::lock_guard l(mu_);
  auto [it, added] = scripts_.try_emplace(sha, body);
  if (added) bytes_ += body.size();
}

std::optional<std::string> ScriptCache::Get(std::string_view sha) const {
  if (sha.size() != 40) return std::nullopt;
  std::string key(sha);
  ToLowerInPlace(key);
  std::lock_guard l(mu_);
  auto it = scripts_.find(key);
  if (it == scripts_.end()) return std::nullopt;
  return it->second;
}

void ScriptCache::Flush() {
  std::lock_guard l(mu_);
  scripts_.clear();
  bytes_ = 0;
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

size_t ScriptCache::size() const {
  std::lock_guard l(mu_);
  return scripts_.size();
}

size_t ScriptCache::body_bytes() const {
  std::lock_guard l(mu_);
  return bytes_;
}

}  // namespace minired
