// ACL users (Redis 7's ACL, its single-selector subset): who may authenticate (on/off,
// passwords stored as SHA-256, nopass), which commands they may run (+@category,
// -@category, +command, -command, +command|subcommand), which keys (~pattern,
// %R~ / %W~ / %RW~pattern, allkeys) and channels (&pattern, allchannels).
//
// The registry publishes each user as an immutable snapshot (shared_ptr<const AclUser>)
// and bumps a version on every change; a session keeps its user's snapshot and looks it
// up again only when the version moved, so checking a command takes no lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/status.h"

namespace minired {

struct CommandSpec;
class CommandTable;

struct AclKeyPattern {
  std::string pattern;
  bool read = true;
  bool write = true;
};

struct AclUser {
  std::string name;
  bool enabled = false;
  bool nopass = false;
  std::vector<std::string> password_hashes;  // lower-case hex SHA-256
  bool all_keys = false;
  std::vector<AclKeyPattern> key_patterns;
  bool all_channels = false;
  std::vector<std::string> channel_patterns;
  // Commands: allowed[spec->index]; subcommand exceptions both ways ("config|get").
  std::vector<bool> allowed;
  std::set<std::string> allowed_subcommands;
  std::set<std::string> denied_subcommands;
  bool all_commands_base = false;          // the rules start from +@all (else -@all)
  std::vector<std::string> command_rules;  // after the base, as given (ACL LIST)

  // Everything allowed, so the check can be skipped: computed when the user is published.
  bool unrestricted = false;
};

// Computes the fields derived from the rules (unrestricted).
void FinalizeAclUser(AclUser* user);

// Applies one ACL SETUSER rule; the error is the reason Redis gives for that rule.
Status ApplyAclRule(AclUser* user, std::string_view rule);
// The ACL LIST line: "user alice on #<sha256> ~cached:* resetchannels -@all +@read".
std::string DescribeAclUser(const AclUser& user);
// "~a %R~b" / "&a &b" / "+@all -@dangerous": GETUSER's keys, channels and commands.
std::string DescribeAclKeys(const AclUser& user);
std::string DescribeAclChannels(const AclUser& user);
std::string DescribeAclCommands(const AclUser& user);
std::string Sha256Hex(std::string_view data);

// Whether `user`'s key patterns let it read (or write) `key`.
bool AclKeyAllowed(const AclUser& user, std::string_view key, bool write);

enum class AclDenial { kNone, kCommand, kKey, kChannel };
// Whether `user` may run `spec` with `args`; for a command denial `*what` is the name
// Redis quotes ("get", "config|get").
AclDenial CheckAcl(const AclUser& user, const CommandSpec& spec, std::span<const std::string_view> args,
                   std::string* what);
std::string AclDenialMessage(AclDenial d, const std::string& what);

// The categories Redis 7 defines, without '@'.
const std::vector<std::string>& AclCategories();
// Whether `spec` is in `category` (without '@', any case): ACL rules, ACL CAT and
// COMMAND LIST FILTERBY ACLCAT all ask this.
bool InAclCategory(const CommandSpec& spec, std::string_view category);

class AclRegistry {
 public:
  AclRegistry();

  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  std::shared_ptr<const AclUser> Get(std::string_view name) const;
  // The user if `password` authenticates it (enabled; nopass or a matching hash).
  std::shared_ptr<const AclUser> Authenticate(std::string_view name, std::string_view password) const;
  // ACL SETUSER: applies the rules to a copy (creating the user, off and -@all, if new);
  // nothing changes when one fails.
  Status SetUser(std::string_view name, const std::vector<std::string>& rules);
  // Returns how many existed; "default" cannot be removed (checked by the caller).
  size_t DeleteUsers(const std::vector<std::string>& names);
  std::vector<std::shared_ptr<const AclUser>> Users() const;
  // Replaces every user at once (ACL LOAD, the aclfile at start-up); a file without a
  // default user keeps the current one.
  void ReplaceAll(std::vector<AclUser> users);
  // requirepass: the default user's only password ("" makes it nopass).
  void SetDefaultPassword(std::string_view password);
  // Whether new connections must authenticate (the default user is off or has a password).
  bool DefaultNeedsAuth() const { return default_needs_auth_.load(std::memory_order_acquire); }

 private:
  void PublishLocked();
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const AclUser>, std::less<>> users_;  // guarded by mu_
  std::atomic<uint64_t> version_{1};
  std::atomic<bool> default_needs_auth_{false};
};

// Parses an ACL file ("user <name> <rule>..." per line, # comments); errors name the line.
Status ParseAclFile(const std::string& text, const std::string& path, std::vector<AclUser>* users);
// The ACL file text for `users` (ACL SAVE).
std::string FormatAclFile(const std::vector<std::shared_ptr<const AclUser>>& users);

}  // namespace minired
