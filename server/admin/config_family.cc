// CONFIG GET | SET | REWRITE | RESETSTAT | HELP
#include <set>

#include "server/command_table.h"
#include "server/config_rewrite.h"
#include "server/logger.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "server/server.h"
#include "storage/glob.h"

namespace minired {
namespace {

// CONFIG GET parameter [parameter ...]: glob patterns, matched case-insensitively.
void ConfigGet(CommandContext& ctx) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  ServerConfig& cfg = ctx.server().config();
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view pattern = ctx.arg(i);
    // A pattern that matches both names of an aliased parameter (io-threads and
    // threads, '*') reports both, as Redis does; hidden ones only answer their name.
    const bool glob = pattern.find_first_of("*?[") != std::string_view::npos;
    for (const ConfigOption& o : ConfigOptions()) {
      if (o.hidden && glob) continue;
      for (const std::string& name : {o.name, o.alias}) {
        if (name.empty() || !GlobMatch(pattern, name, true)) continue;
        if (seen.insert(name).second) out.emplace_back(name, o.get(cfg));
      }
    }
  }
  ctx.reply().MapHeader(out.size());
  for (const auto& [k, v] : out) {
    ctx.reply().Bulk(k);
    ctx.reply().Bulk(v);
  }
}

// enable-protected-configs: no (default), yes, or local (clients on loopback only).
bool ProtectedConfigAllowed(CommandContext& ctx) {
  std::string mode = ctx.server().config().accepted_only.Get("enable-protected-configs");
  if (mode == "yes") return true;
  if (mode != "local" || ctx.session().info == nullptr) return false;
  const std::string& addr = ctx.session().info->addr;
  return addr.starts_with("127.") || addr.starts_with("::1") || addr.starts_with("[::1]");
}

// CONFIG SET parameter value [parameter value ...]: all or nothing.
void ConfigSet(CommandContext& ctx) {
  if (!CheckSubcommandArity(ctx, "config", "set", ctx.argc() >= 4 && ctx.argc() % 2 == 0)) return;
  ServerConfig& cfg = ctx.server().config();
  std::vector<const ConfigOption*> opts;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    const ConfigOption* o = FindConfigOption(ctx.arg(i));
    if (o == nullptr) {
      return ctx.reply().Error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                               std::string(ctx.arg(i)) + "'");
    }
    auto fail = [&](const std::string& why) {
      ctx.reply().Error("ERR CONFIG SET failed (possibly related to argument '" +
                        std::string(ctx.arg(i)) + "') - " + why);
    };
    if (o->protected_config && !ProtectedConfigAllowed(ctx)) return fail("can't set protected config");
    if (!o->mutable_at_runtime) return fail("can't set immutable config");
    // A name given twice is refused; a parameter and its alias (lua-time-limit and
    // busy-reply-threshold) are not, and the later value wins, as in Redis.
    for (size_t k = 2; k < i; k += 2) {
      if (EqualsIgnoreCase(ctx.arg(k), ctx.arg(i))) return fail("duplicate parameter");
    }
    opts.push_back(o);
  }
  std::vector<std::string> previous;
  for (const ConfigOption* o : opts) previous.push_back(o->get(cfg));
  for (size_t j = 0; j < opts.size(); ++j) {
    size_t arg = 2 + j * 2;
    Status s = opts[j]->set(cfg, {std::string(ctx.arg(arg + 1))});
    if (!s.ok()) {
      for (size_t k = 0; k < j; ++k) opts[k]->set(cfg, {previous[k]});  // roll back
      return ctx.reply().Error("ERR CONFIG SET failed (possibly related to argument '" +
                               std::string(ctx.arg(arg)) + "') - " + s.message());
    }
  }
  ctx.server().ConfigChanged();
  ctx.reply().Ok();
}

void ConfigHelp(CommandContext& ctx) {
  static const char* kHelp[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help.",
  };
  ReplyHelp(ctx, kHelp);
}

// CONFIG <subcommand> ...
void CmdConfig(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "GET")) {
    ConfigGet(ctx);
  } else if (EqualsIgnoreCase(sub, "SET")) {
    ConfigSet(ctx);
  } else if (EqualsIgnoreCase(sub, "REWRITE")) {
    Status s = RewriteConfigFile(ctx.server().config());
    if (!s.ok()) return ctx.reply().Error("ERR " + s.message());
    Log(LogLevel::kNotice, "CONFIG REWRITE executed with success.");
    ctx.reply().Ok();
  } else if (EqualsIgnoreCase(sub, "RESETSTAT")) {
    ctx.server().ResetStats();
    ctx.reply().Ok();
  } else if (EqualsIgnoreCase(sub, "HELP") && ctx.argc() == 2) {
    ConfigHelp(ctx);
  } else {
    ctx.reply().Error(errors::UnknownSubcommand(sub, "CONFIG"));
  }
}

}  // namespace

void RegisterConfigFamily(CommandTable* t) {
  t->Register(MakeContainer("server", "config", "A container for server configuration commands.", "2.0.0", CmdConfig, {
      MakeSub("get", -3, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("set", -4, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("rewrite", 2, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("resetstat", 2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@slow"}),
  }));
}

}  // namespace minired
