#include "server/security.h"

#include "server/config.h"

namespace minired {

void SecurityConfig::set_requirepass(std::string password) {
  std::lock_guard<std::mutex> l(mu_);
  requirepass_ = std::move(password);
  password_required.store(!requirepass_.empty(), std::memory_order_release);
}

std::string SecurityConfig::requirepass() const {
  std::lock_guard<std::mutex> l(mu_);
  return requirepass_;
}

bool SecurityConfig::Authenticates(std::string_view user, std::string_view password) const {
  if (user != "default") return false;
  std::lock_guard<std::mutex> l(mu_);
  if (requirepass_.empty()) return true;
  return ConstantTimeEquals(password, requirepass_);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of the longer string is visited, whatever matches; the length difference
  // is folded in, so equal prefixes of unequal strings do not answer early.
  size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() != b.size();
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

void AddSecurityOptions(std::vector<ConfigOption>* opts) {
  ConfigOption o;
  o.name = "requirepass";
  o.mutable_at_runtime = true;
  o.get = [](const ServerConfig& c) { return c.security.requirepass(); };
  o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
    c.security.set_requirepass(v[0]);
    return Status::Ok();
  };
  opts->push_back(std::move(o));
}

}  // namespace minired
