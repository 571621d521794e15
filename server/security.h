// Who may connect and run commands: ACL users (server/acl.h) and requirepass, the
// checks AUTH and HELLO ... AUTH make, protected mode, maxclients.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/status.h"
#include "server/acl.h"

namespace minired {

struct ConfigOption;

struct SecurityConfig {
  AclRegistry acl;
  std::string aclfile;  // fixed after start-up; "" when users live in the config file
  bool users_in_config = false;  // `user` directives were given (they exclude aclfile)
  // True while the default user has a password or is off: clients must authenticate
  // before other commands.
  bool password_required() const { return acl.DefaultNeedsAuth(); }
  // With no password, only clients from 127.0.0.1 or ::1 are served (Redis's rule).
  std::atomic<bool> protected_mode{true};
  std::atomic<int64_t> maxclients{10000};

  void set_requirepass(std::string password);
  std::string requirepass() const;
  // The user `user`/`password` authenticate, or null. A nopass user (the default user
  // while no requirepass is set) takes any password, as in Redis.
  std::shared_ptr<const AclUser> Authenticates(std::string_view user, std::string_view password) const {
    return acl.Authenticate(user, password);
  }

 private:
  mutable std::mutex mu_;
  std::string requirepass_;  // guarded by mu_
};

// Loads `aclfile` (start-up, ACL LOAD): every user is replaced, or nothing changes and
// the error names the file, line and problem.
Status LoadAclFile(SecurityConfig& security);
// Writes every user to `aclfile` (ACL SAVE), atomically (a temporary file renamed).
Status SaveAclFile(SecurityConfig& security);

// Redis's reply to a client refused by protected mode.
extern const char kProtectedModeDenied[];
// True when `ip` ("127.0.0.1", "::1", ...) is what protected mode serves.
bool IsLoopbackForProtectedMode(std::string_view ip);

// Compares in time that depends only on the lengths, never on where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// The security options (requirepass), appended to `opts`.
void AddSecurityOptions(std::vector<ConfigOption>* opts);

}  // namespace minired
