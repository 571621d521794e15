// ACL SETUSER | DELUSER | GETUSER | LIST | USERS | WHOAMI | CAT | GENPASS | LOAD | SAVE |
// HELP (server/acl.h holds the rules).
#include <fmt/format.h>

#include <fstream>

#include "server/acl.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "server/server.h"

namespace minired {
namespace {

constexpr const char* kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER "
    "command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store "
    "users in the Redis configuration.";

SecurityConfig& Security(CommandContext& ctx) { return ctx.server().config().security; }

void AclSetUser(CommandContext& ctx) {
  std::vector<std::string> rules;
  for (size_t i = 3; i < ctx.argc(); ++i) rules.emplace_back(ctx.arg(i));
  Status s = Security(ctx).acl.SetUser(ctx.arg(2), rules);
  if (!s.ok()) return ctx.reply().Error("ERR " + s.message());
  ctx.reply().Ok();
}

void AclDelUser(CommandContext& ctx) {
  std::vector<std::string> names;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (ctx.arg(i) == "default") return ctx.reply().Error("ERR The 'default' user cannot be removed");
    names.emplace_back(ctx.arg(i));
  }
  size_t n = Security(ctx).acl.DeleteUsers(names);
  ctx.server().DisconnectUsers(names);  // their clients go, as in Redis
  ctx.reply().Integer(static_cast<int64_t>(n));
}

void AclGetUser(CommandContext& ctx) {
  auto u = Security(ctx).acl.Get(ctx.arg(2));
  ReplyWriter& r = ctx.reply();
  if (!u) return r.Null();
  r.MapHeader(6);
  r.Bulk("flags");
  r.SetHeader(u->nopass ? 2 : 1);
  r.Bulk(u->enabled ? "on" : "off");
  if (u->nopass) r.Bulk("nopass");
  r.Bulk("passwords");
  r.ArrayHeader(u->password_hashes.size());
  for (const auto& h : u->password_hashes) r.Bulk(h);
  r.Bulk("commands");
  r.Bulk(DescribeAclCommands(*u));
  r.Bulk("keys");
  r.Bulk(DescribeAclKeys(*u));
  r.Bulk("channels");
  r.Bulk(DescribeAclChannels(*u));
  r.Bulk("selectors");
  r.ArrayHeader(0);
}

void AclCat(CommandContext& ctx) {
  ReplyWriter& r = ctx.reply();
  if (ctx.argc() == 2) {
    r.ArrayHeader(AclCategories().size());
    for (const auto& c : AclCategories()) r.Bulk(c);
    return;
  }
  std::string cat(ctx.arg(2));
  ToLowerInPlace(cat);
  if (std::find(AclCategories().begin(), AclCategories().end(), cat) == AclCategories().end()) {
    return r.Error("ERR Unknown category '" + std::string(ctx.arg(2)) + "'");
  }
  std::vector<std::string_view> names;
  auto consider = [&](const CommandSpec& spec) {
    if (InAclCategory(spec, cat)) names.push_back(spec.name);
  };
  for (const auto& spec : ctx.server().commands().all()) {
    consider(*spec);
    for (const CommandSpec& sub : spec->subs) consider(sub);
  }
  r.ArrayHeader(names.size());
  for (auto n : names) r.Bulk(n);
}

void AclGenPass(CommandContext& ctx) {
  int64_t bits = 256;
  if (ctx.argc() == 3) {
    auto n = ParseInt64(ctx.arg(2));
    if (!n || *n <= 0 || *n > 4096) {
      return ctx.reply().Error(
          "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to "
          "4096");
    }
    bits = *n;
  }
  size_t chars = static_cast<size_t>((bits + 3) / 4);
  std::string bytes((chars + 1) / 2, '\0');
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  urandom.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!urandom) return ctx.reply().Error("ERR Unable to read random bytes for ACL GENPASS");
  std::string hex;
  for (char c : bytes) hex += fmt::format("{:02x}", static_cast<unsigned char>(c));
  hex.resize(chars);
  ctx.reply().Bulk(hex);
}

void AclLoad(CommandContext& ctx) {
  SecurityConfig& sec = Security(ctx);
  if (sec.aclfile.empty()) return ctx.reply().Error(kNoAclFile);
  std::vector<std::string> before;
  for (const auto& u : sec.acl.Users()) before.push_back(u->name);
  Status s = LoadAclFile(sec);
  if (!s.ok()) return ctx.reply().Error("ERR " + s.message());
  // Users that are gone lose their clients; the others run by their new rules at once.
  std::vector<std::string> gone;
  for (const auto& name : before) {
    if (!sec.acl.Get(name)) gone.push_back(name);
  }
  ctx.server().DisconnectUsers(gone);
  ctx.reply().Ok();
}

void AclSave(CommandContext& ctx) {
  SecurityConfig& sec = Security(ctx);
  if (sec.aclfile.empty()) return ctx.reply().Error(kNoAclFile);
  Status s = SaveAclFile(sec);
  if (!s.ok()) return ctx.reply().Error("ERR " + s.message());
  ctx.reply().Ok();
}

void CmdAcl(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  auto arity = [&](bool ok) { return CheckSubcommandArity(ctx, "acl", sub, ok); };
  ReplyWriter& r = ctx.reply();
  if (EqualsIgnoreCase(sub, "HELP") && ctx.argc() == 2) {
    static const char* kHelp[] = {
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.",
    };
    return ReplyHelp(ctx, kHelp);
  }
  if (EqualsIgnoreCase(sub, "SETUSER")) {
    if (arity(ctx.argc() >= 3)) AclSetUser(ctx);
  } else if (EqualsIgnoreCase(sub, "DELUSER")) {
    if (arity(ctx.argc() >= 3)) AclDelUser(ctx);
  } else if (EqualsIgnoreCase(sub, "GETUSER")) {
    if (arity(ctx.argc() == 3)) AclGetUser(ctx);
  } else if (EqualsIgnoreCase(sub, "LIST")) {
    if (!arity(ctx.argc() == 2)) return;
    auto users = Security(ctx).acl.Users();
    r.ArrayHeader(users.size());
    for (const auto& u : users) r.Bulk(DescribeAclUser(*u));
  } else if (EqualsIgnoreCase(sub, "USERS")) {
    if (!arity(ctx.argc() == 2)) return;
    auto users = Security(ctx).acl.Users();
    r.ArrayHeader(users.size());
    for (const auto& u : users) r.Bulk(u->name);
  } else if (EqualsIgnoreCase(sub, "WHOAMI")) {
    if (arity(ctx.argc() == 2)) r.Bulk(ctx.session().user ? ctx.session().user->name : "default");
  } else if (EqualsIgnoreCase(sub, "CAT")) {
    if (arity(ctx.argc() <= 3)) AclCat(ctx);
  } else if (EqualsIgnoreCase(sub, "GENPASS")) {
    if (arity(ctx.argc() <= 3)) AclGenPass(ctx);
  } else if (EqualsIgnoreCase(sub, "LOAD")) {
    if (arity(ctx.argc() == 2)) AclLoad(ctx);
  } else if (EqualsIgnoreCase(sub, "SAVE")) {
    if (arity(ctx.argc() == 2)) AclSave(ctx);
  } else {
    r.Error(errors::UnknownSubcommand(sub, "ACL"));
  }
}

}  // namespace

void RegisterAclFamily(CommandTable* t) {
  t->Register(MakeContainer("server", "acl", "A container for Access List Control commands.", "6.0.0", CmdAcl, {
      MakeSub("setuser", -3, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("deluser", -3, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("getuser", 3, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("list", 2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("users", 2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("whoami", 2, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@slow"}),
      MakeSub("cat", -2, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@slow"}),
      MakeSub("genpass", -2, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@slow"}),
      MakeSub("load", 2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("save", 2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@slow"}),
  }));
}

}  // namespace minired
