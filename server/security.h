// Who may connect and run commands: requirepass and the checks AUTH and HELLO ... AUTH
// make, protected mode, maxclients. (ACL users and TLS are issue #9's other parts.)
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace minired {

struct ConfigOption;

struct SecurityConfig {
  // True while requirepass is set: clients must authenticate before other commands.
  std::atomic<bool> password_required{false};
  // With no password, only clients from 127.0.0.1 or ::1 are served (Redis's rule).
  std::atomic<bool> protected_mode{true};
  std::atomic<int64_t> maxclients{10000};

  void set_requirepass(std::string password);
  std::string requirepass() const;
  // Whether `user`/`password` authenticate (user "default", the only one). With no
  // requirepass the default user takes any password, as Redis's "nopass" user does.
  bool Authenticates(std::string_view user, std::string_view password) const;

 private:
  mutable std::mutex mu_;
  std::string requirepass_;  // guarded by mu_
};

// Redis's reply to a client refused by protected mode.
extern const char kProtectedModeDenied[];
// True when `ip` ("127.0.0.1", "::1", ...) is what protected mode serves.
bool IsLoopbackForProtectedMode(std::string_view ip);

// Compares in time that depends only on the lengths, never on where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// The security options (requirepass), appended to `opts`.
void AddSecurityOptions(std::vector<ConfigOption>* opts);

}  // namespace minired
