#include "server/acl.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <sstream>

#include "protocol/numbers.h"
#include "server/command.h"
#include "server/command_stats.h"
#include "server/command_table.h"
#include "server/families/families.h"
#include "server/security.h"
#include "storage/glob.h"

namespace minired {
namespace {

bool IsLowerHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Drops earlier rules about the same command, so the list stays as short as its effect.
void RecordCommandRule(AclUser* u, std::string rule) {
  std::string_view target = std::string_view(rule).substr(1);
  std::erase_if(u->command_rules, [&](const std::string& r) { return std::string_view(r).substr(1) == target; });
  u->command_rules.push_back(std::move(rule));
}

Status Fail(std::string_view rule, std::string_view why) {
  return Status::InvalidArgument(fmt::format("Error in ACL SETUSER modifier '{}': {}", rule, why));
}

constexpr const char* kUnknown = "Unknown command or category name in ACL";

Status ApplyCommandRule(AclUser* u, std::string_view rule) {
  const CommandTable& table = BuiltinCommands();
  bool allow = rule[0] == '+';
  std::string body(rule.substr(1));
  ToLowerInPlace(body);
  if (body == "@all") {
    u->allowed.assign(table.all().size(), allow);
    u->allowed_subcommands.clear();
    u->denied_subcommands.clear();
    u->command_rules.clear();
    u->all_commands_base = allow;
    return Status::Ok();
  }
  if (body[0] == '@') {
    std::string_view cat = std::string_view(body).substr(1);
    if (std::find(AclCategories().begin(), AclCategories().end(), cat) == AclCategories().end()) {
      return Fail(rule, kUnknown);
    }
    for (const auto& spec : table.all()) {
      // A container's subcommands have categories of their own (CLIENT KILL is @admin,
      // CLIENT ID is not): the rule reaches each one that is in the category.
      for (const CommandSpec& sub : spec->subs) {
        if (!InAclCategory(sub, cat)) continue;
        (allow ? u->allowed_subcommands : u->denied_subcommands).insert(sub.name);
        (allow ? u->denied_subcommands : u->allowed_subcommands).erase(sub.name);
      }
      if (!InAclCategory(*spec, cat)) continue;
      u->allowed[static_cast<size_t>(spec->index)] = allow;
      std::erase_if(u->allowed_subcommands, [&](const std::string& s) { return s.starts_with(spec->name + "|"); });
      std::erase_if(u->denied_subcommands, [&](const std::string& s) { return s.starts_with(spec->name + "|"); });
    }
    u->command_rules.push_back(std::string(1, rule[0]) + body);
    return Status::Ok();
  }
  size_t bar = body.find('|');
  const CommandSpec* spec = table.Find(std::string_view(body).substr(0, bar));
  if (spec == nullptr) return Fail(rule, kUnknown);
  if (bar == std::string::npos) {
    u->allowed[static_cast<size_t>(spec->index)] = allow;
    std::erase_if(u->allowed_subcommands, [&](const std::string& s) { return s.starts_with(spec->name + "|"); });
    std::erase_if(u->denied_subcommands, [&](const std::string& s) { return s.starts_with(spec->name + "|"); });
    RecordCommandRule(u, std::string(1, rule[0]) + body);
    return Status::Ok();
  }
  std::string sub = body.substr(bar + 1);
  if (std::find(spec->subcommands.begin(), spec->subcommands.end(), sub) == spec->subcommands.end()) {
    return Fail(rule, kUnknown);
  }
  (allow ? u->allowed_subcommands : u->denied_subcommands).insert(body);
  (allow ? u->denied_subcommands : u->allowed_subcommands).erase(body);
  RecordCommandRule(u, std::string(1, rule[0]) + body);
  return Status::Ok();
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

bool InAclCategory(const CommandSpec& spec, std::string_view category) {
  for (const auto& c : spec.acl_categories) {
    if (EqualsIgnoreCase(std::string_view(c).substr(1), category)) return true;
  }
  return false;
}

const std::vector<std::string>& AclCategories() {
  static const std::vector<std::string> kCategories = {
      "keyspace", "read",   "write",     "set",     "sortedset", "list",       "hash",
      "string",   "bitmap", "hyperloglog", "geo",   "stream",    "pubsub",     "admin",
      "fast",     "slow",   "blocking",  "dangerous", "connection", "transaction", "scripting"};
  return kCategories;
}

void FinalizeAclUser(AclUser* u) {
  bool all_commands = std::all_of(u->allowed.begin(), u->allowed.end(), [](bool b) { return b; }) &&
                      u->denied_subcommands.empty();
  u->unrestricted = all_commands && u->all_keys && u->all_channels;
}

Status ApplyAclRule(AclUser* u, std::string_view rule) {
  // A new user has no command bits yet: none allowed.
  if (u->allowed.size() != BuiltinCommands().all().size()) u->allowed.assign(BuiltinCommands().all().size(), false);
  if (rule.empty()) return Fail(rule, "Syntax error");
  if (EqualsIgnoreCase(rule, "on")) {
    u->enabled = true;
  } else if (EqualsIgnoreCase(rule, "off")) {
    u->enabled = false;
  } else if (EqualsIgnoreCase(rule, "nopass")) {
    u->nopass = true;
    u->password_hashes.clear();
  } else if (EqualsIgnoreCase(rule, "resetpass")) {
    u->nopass = false;
    u->password_hashes.clear();
  } else if (rule[0] == '>' || rule[0] == '#' || rule[0] == '<' || rule[0] == '!') {
    // >pw and <pw name a password, #hash and !hash its SHA-256; > and # add, < and ! remove.
    bool hashed = rule[0] == '#' || rule[0] == '!';
    std::string hash = hashed ? std::string(rule.substr(1)) : Sha256Hex(rule.substr(1));
    if (hashed && !IsLowerHex64(hash)) {
      return Fail(rule, "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
                        "characters");
    }
    auto it = std::find(u->password_hashes.begin(), u->password_hashes.end(), hash);
    if (rule[0] == '>' || rule[0] == '#') {
      if (it == u->password_hashes.end()) u->password_hashes.push_back(hash);
      u->nopass = false;
    } else {
      if (it == u->password_hashes.end()) {
        return Fail(rule, "The password you are trying to remove from the user does not exist");
      }
      u->password_hashes.erase(it);
    }
  } else if (EqualsIgnoreCase(rule, "allkeys") || rule == "~*") {
    u->all_keys = true;
    u->key_patterns.clear();
  } else if (EqualsIgnoreCase(rule, "resetkeys")) {
    u->all_keys = false;
    u->key_patterns.clear();
  } else if (rule[0] == '~' || rule[0] == '%') {
    AclKeyPattern p;
    std::string_view pattern = rule.substr(1);
    if (rule[0] == '%') {
      size_t tilde = rule.find('~');
      if (tilde == std::string_view::npos || tilde == 1) return Fail(rule, "Syntax error");
      p.read = p.write = false;
      for (char c : rule.substr(1, tilde - 1)) {
        if (c == 'R' || c == 'r') p.read = true;
        else if (c == 'W' || c == 'w') p.write = true;
        else return Fail(rule, "Syntax error");
      }
      pattern = rule.substr(tilde + 1);
    }
    if (u->all_keys && p.read && p.write) return Status::Ok();  // already covered
    p.pattern = std::string(pattern);
    u->key_patterns.push_back(std::move(p));
  } else if (EqualsIgnoreCase(rule, "allchannels") || rule == "&*") {
    u->all_channels = true;
    u->channel_patterns.clear();
  } else if (EqualsIgnoreCase(rule, "resetchannels")) {
    u->all_channels = false;
    u->channel_patterns.clear();
  } else if (rule[0] == '&') {
    if (!u->all_channels) u->channel_patterns.emplace_back(rule.substr(1));
  } else if (EqualsIgnoreCase(rule, "allcommands")) {
    return ApplyCommandRule(u, "+@all");
  } else if (EqualsIgnoreCase(rule, "nocommands")) {
    return ApplyCommandRule(u, "-@all");
  } else if ((rule[0] == '+' || rule[0] == '-') && rule.size() > 1) {
    return ApplyCommandRule(u, rule);
  } else if (EqualsIgnoreCase(rule, "reset")) {
    for (const char* r : {"resetpass", "resetkeys", "resetchannels", "off", "-@all"}) {
      Status s = ApplyAclRule(u, r);
      if (!s.ok()) return s;
    }
  } else {
    return Fail(rule, "Syntax error");
  }
  return Status::Ok();
}

std::string DescribeAclKeys(const AclUser& u) {
  if (u.all_keys) return "~*";
  std::string out;
  for (const auto& p : u.key_patterns) {
    if (!out.empty()) out += ' ';
    if (p.read && p.write) out += "~";
    else out += p.read ? "%R~" : "%W~";
    out += p.pattern;
  }
  return out;
}

std::string DescribeAclChannels(const AclUser& u) {
  if (u.all_channels) return "&*";
  std::string out;
  for (const auto& c : u.channel_patterns) out += (out.empty() ? "&" : " &") + c;
  return out;
}

std::string DescribeAclCommands(const AclUser& u) {
  std::string out = u.all_commands_base ? "+@all" : "-@all";
  for (const auto& r : u.command_rules) out += " " + r;
  return out;
}

std::string DescribeAclUser(const AclUser& u) {
  std::string out = "user " + u.name + (u.enabled ? " on" : " off");
  if (u.nopass) out += " nopass";
  for (const auto& h : u.password_hashes) out += " #" + h;
  std::string keys = DescribeAclKeys(u);
  if (!keys.empty()) out += " " + keys;
  if (!u.all_channels) out += " resetchannels";
  std::string channels = DescribeAclChannels(u);
  if (!channels.empty()) out += " " + channels;
  out += " " + DescribeAclCommands(u);
  return out;
}

std::string AclDenialMessage(AclDenial d, const std::string& what) {
  switch (d) {
    case AclDenial::kCommand:
      return "NOPERM this user has no permissions to run the '" + what + "' command";
    case AclDenial::kKey:
      return "NOPERM this user has no permissions to access one of the keys used as arguments";
    case AclDenial::kChannel:
      return "NOPERM this user has no permissions to access one of the channels used as arguments";
    case AclDenial::kNone:
      break;
  }
  return {};
}

bool AclKeyAllowed(const AclUser& u, std::string_view key, bool write) {
  if (u.all_keys) return true;
  for (const auto& p : u.key_patterns) {
    if ((write ? p.write : p.read) && GlobMatch(p.pattern, key)) return true;
  }
  return false;
}

namespace {

bool KeyAllowed(const AclUser& u, std::string_view key, bool write) { return AclKeyAllowed(u, key, write); }

bool ChannelAllowed(const AclUser& u, std::string_view channel, bool is_pattern) {
  if (u.all_channels) return true;
  for (const auto& p : u.channel_patterns) {
    // A pattern subscription must be one of the allowed patterns literally (as Redis).
    if (is_pattern ? p == channel : GlobMatch(p, channel)) return true;
  }
  return false;
}

}  // namespace

AclDenial CheckAcl(const AclUser& u, const CommandSpec& spec, std::span<const std::string_view> args,
                   std::string* what) {
  if (u.unrestricted) return AclDenial::kNone;
  bool ok = u.allowed[static_cast<size_t>(spec.index)];
  std::string sub_name;
  if (!spec.subcommands.empty() && args.size() > 1) {
    std::string sub = SubcommandOfCall(spec, args);
    if (!sub.empty()) {
      sub_name = spec.name + "|" + sub;
      if (u.denied_subcommands.count(sub_name)) ok = false;
      if (u.allowed_subcommands.count(sub_name)) ok = true;
    }
  }
  if (!ok) {
    *what = sub_name.empty() ? spec.name : sub_name;
    return AclDenial::kCommand;
  }
  if (spec.first_key > 0 && !u.all_keys) {
    bool write = spec.flags & kCmdWrite;
    int argc = static_cast<int>(args.size());
    int last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
    int step = std::max(1, spec.key_step);
    for (int i = spec.first_key; i <= last && i < argc; i += step) {
      if (!KeyAllowed(u, args[static_cast<size_t>(i)], write)) return AclDenial::kKey;
    }
  }
  if (spec.written_keys != nullptr && !u.all_keys) {
    std::vector<size_t> written;
    spec.written_keys(args, &written);  // patterns were checked by the command itself
    for (size_t i : written) {
      if (!KeyAllowed(u, args[i], true)) return AclDenial::kKey;
    }
  }
  // ZUNIONSTORE dst 2 a b, SINTERCARD 2 a b: the keys numkeys counts are read; LMPOP's
  // are written.
  if (spec.numkeys_arg > 0 && !u.all_keys && args.size() > static_cast<size_t>(spec.numkeys_arg)) {
    auto n = ParseInt64(args[static_cast<size_t>(spec.numkeys_arg)]);
    size_t first = static_cast<size_t>(spec.numkeys_arg) + 1;
    for (size_t i = first; n && *n > 0 && i < args.size() && i < first + static_cast<uint64_t>(*n); ++i) {
      if (!KeyAllowed(u, args[i], spec.numkeys_written)) return AclDenial::kKey;
    }
  }
  if ((spec.flags & kCmdPubSub) && !u.all_channels) {
    bool publish = spec.name == "publish" || spec.name == "spublish";
    bool pattern = spec.name == "psubscribe";
    bool subscribe = spec.name == "subscribe" || spec.name == "ssubscribe" || pattern;
    size_t end = publish ? std::min<size_t>(2, args.size()) : (subscribe ? args.size() : 1);
    for (size_t i = 1; i < end; ++i) {
      if (!ChannelAllowed(u, args[i], pattern)) return AclDenial::kChannel;
    }
  }
  return AclDenial::kNone;
}

AclRegistry::AclRegistry() {
  AclUser d;
  d.name = "default";
  for (const char* r : {"on", "nopass", "~*", "&*", "+@all"}) ApplyAclRule(&d, r);
  FinalizeAclUser(&d);
  users_["default"] = std::make_shared<const AclUser>(std::move(d));
}

std::shared_ptr<const AclUser> AclRegistry::Get(std::string_view name) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::shared_ptr<const AclUser> AclRegistry::Authenticate(std::string_view name, std::string_view password) const {
  std::shared_ptr<const AclUser> u = Get(name);
  if (!u || !u->enabled) return nullptr;
  if (u->nopass) return u;
  std::string hash = Sha256Hex(password);
  bool match = false;
  // Every stored hash is compared, in constant time, whichever matches.
  for (const auto& h : u->password_hashes) match |= ConstantTimeEquals(hash, h);
  return match ? u : nullptr;
}

Status AclRegistry::SetUser(std::string_view name, const std::vector<std::string>& rules) {
  std::lock_guard<std::mutex> l(mu_);
  AclUser u;
  auto it = users_.find(name);
  if (it != users_.end()) {
    u = *it->second;
  } else {
    u.name = std::string(name);
  }
  for (const auto& r : rules) {
    Status s = ApplyAclRule(&u, r);
    if (!s.ok()) return s;
  }
  FinalizeAclUser(&u);
  std::string key = u.name;  // read before the move (the right side is evaluated first)
  users_[key] = std::make_shared<const AclUser>(std::move(u));
  PublishLocked();
  return Status::Ok();
}

size_t AclRegistry::DeleteUsers(const std::vector<std::string>& names) {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = 0;
  for (const auto& name : names) {
    if (name != "default") n += users_.erase(name);
  }
  PublishLocked();
  return n;
}

std::vector<std::shared_ptr<const AclUser>> AclRegistry::Users() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::shared_ptr<const AclUser>> out;
  for (const auto& [name, u] : users_) out.push_back(u);
  return out;
}

void AclRegistry::ReplaceAll(std::vector<AclUser> users) {
  std::lock_guard<std::mutex> l(mu_);
  std::shared_ptr<const AclUser> old_default = users_["default"];
  users_.clear();
  for (auto& u : users) {
    FinalizeAclUser(&u);
    std::string name = u.name;
    users_[name] = std::make_shared<const AclUser>(std::move(u));
  }
  if (!users_.count("default")) users_["default"] = old_default;
  PublishLocked();
}

void AclRegistry::SetDefaultPassword(std::string_view password) {
  std::lock_guard<std::mutex> l(mu_);
  AclUser d = *users_["default"];
  ApplyAclRule(&d, "resetpass");
  ApplyAclRule(&d, password.empty() ? std::string("nopass") : ">" + std::string(password));
  FinalizeAclUser(&d);
  users_["default"] = std::make_shared<const AclUser>(std::move(d));
  PublishLocked();
}

void AclRegistry::PublishLocked() {
  const AclUser& d = *users_["default"];
  default_needs_auth_.store(!(d.enabled && d.nopass), std::memory_order_release);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

Status ParseAclFile(const std::string& text, const std::string& path, std::vector<AclUser>* users) {
  std::istringstream in(text);
  std::string line;
  int number = 0;
  std::set<std::string> seen;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.empty() || w[0][0] == '#') continue;
    auto fail = [&](const std::string& why) {
      return Status::InvalidArgument(fmt::format("{}:{}: {}", path, number, why));
    };
    if (w[0] != "user" || w.size() < 2) return fail("should start with user keyword");
    if (!seen.insert(w[1]).second) return fail(fmt::format("Duplicate user '{}' found", w[1]));
    AclUser u;
    u.name = w[1];
    for (size_t i = 2; i < w.size(); ++i) {
      Status s = ApplyAclRule(&u, w[i]);
      if (!s.ok()) return fail(s.message());
    }
    users->push_back(std::move(u));
  }
  return Status::Ok();
}

std::string FormatAclFile(const std::vector<std::shared_ptr<const AclUser>>& users) {
  std::string out;
  for (const auto& u : users) out += DescribeAclUser(*u) + "\n";
  return out;
}

}  // namespace minired
