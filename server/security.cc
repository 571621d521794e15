#include "server/security.h"

#include <algorithm>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

#include "protocol/numbers.h"
#include "server/replace_file.h"
#include "server/config.h"
#include "server/logger.h"

namespace minired {

void SecurityConfig::set_requirepass(std::string password) {
  std::lock_guard<std::mutex> l(mu_);
  acl.SetDefaultPassword(password);
  requirepass_ = std::move(password);
}

std::string SecurityConfig::requirepass() const {
  std::lock_guard<std::mutex> l(mu_);
  return requirepass_;
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

const char kProtectedModeDenied[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for "
    "the default user. In this mode connections are only accepted from the loopback interface. If you want to "
    "connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable "
    "protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by "
    "connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly "
    "accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you started the server "
    "manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an "
    "authentication password for the default user. NOTE: You only need to do one of the above things in "
    "order for the server to start accepting connections from the outside.\r\n";

bool IsLoopbackForProtectedMode(std::string_view ip) { return ip == "127.0.0.1" || ip == "::1"; }

Status LoadAclFile(SecurityConfig& security) {
  std::ifstream in(security.aclfile);
  if (!in) {
    return Status::IOError(fmt::format("Error loading ACLs, opening file '{}': {}", security.aclfile, strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::vector<AclUser> users;
  Status s = ParseAclFile(text.str(), security.aclfile, &users);
  if (!s.ok()) return s;
  security.acl.ReplaceAll(std::move(users));
  return Status::Ok();
}

Status SaveAclFile(SecurityConfig& security) {
  std::string failed;
  if (int error = ReplaceFile(security.aclfile, FormatAclFile(security.acl.Users()), &failed); error != 0) {
    Log(LogLevel::kWarning, "Saving the ACL file {}: {}", failed, strerror(error));
    return Status::IOError("There was an error trying to save the ACLs. Please check the server logs for more "
                           "information");
  }
  return Status::Ok();
}

void AddSecurityOptions(std::vector<ConfigOption>* opts) {
  {
    ConfigOption o;
    o.name = "aclfile";
    o.get = [](const ServerConfig& c) { return c.security.aclfile; };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      c.security.aclfile = v[0];
      return Status::Ok();
    };
    opts->push_back(std::move(o));
  }
  opts->push_back(IntOption(
      "maxclients", true, 1, UINT32_MAX, [](const ServerConfig& c) { return c.security.maxclients.load(); },
      [](ServerConfig& c, int64_t v) { c.security.maxclients = v; }));
  opts->push_back(YesNoOption(
      "protected-mode", true, [](const ServerConfig& c) { return c.security.protected_mode.load(); },
      [](ServerConfig& c, bool v) { c.security.protected_mode = v; }));
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
