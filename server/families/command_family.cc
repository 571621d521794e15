// COMMAND [COUNT | INFO | DOCS | LIST | HELP]: what redis-cli and client libraries read
// to learn arities, key positions and hints.
#include <algorithm>
#include "server/acl.h"
#include "server/command_docs.h"
#include "server/key_specs.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "storage/glob.h"

namespace minired {
namespace {

// In Redis 7.0's order (addReplyCommandFlags), so replies compare byte for byte.
void ReplyFlags(ReplyWriter& w, const CommandSpec& c) {
  static const std::pair<uint32_t, const char*> kNames[] = {
      {kCmdWrite, "write"},           {kCmdReadOnly, "readonly"},
      {kCmdDenyOom, "denyoom"},       {kCmdAdmin, "admin"},
      {kCmdPubSub, "pubsub"},         {kCmdNoScript, "noscript"},
      {kCmdBlocking, "blocking"},     {kCmdLoading, "loading"},
      {kCmdStale, "stale"},           {kCmdSkipMonitor, "skip_monitor"},
      {kCmdSkipSlowlog, "skip_slowlog"}, {kCmdAsking, "asking"}, {kCmdFast, "fast"},
      {kCmdNoAuth, "no_auth"},        {kCmdNoMandatoryKeys, "no_mandatory_keys"},
      {kCmdNoAsyncLoading, "no_async_loading"}, {kCmdNoMulti, "no_multi"},
      {kCmdMovableKeys, "movablekeys"}, {kCmdAllowBusy, "allow_busy"},
  };
  const uint32_t flags = c.flags | (c.movable_keys() ? uint32_t{kCmdMovableKeys} : 0u);
  size_t n = 0;
  for (const auto& [bit, name] : kNames) n += (flags & bit) ? 1 : 0;
  w.SetHeader(n);
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) w.SimpleString(name);
  }
}

// One key spec as Redis 7.0 prints it: a map of notes (when any), flags, begin_search
// and find_keys.
void ReplyKeySpec(ReplyWriter& w, const KeySpec& k) {
  w.MapHeader(k.notes.empty() ? 3 : 4);
  if (!k.notes.empty()) {
    w.Bulk("notes");
    w.Bulk(k.notes);
  }
  w.Bulk("flags");
  w.SetHeader(k.flags.size());
  for (const auto& f : k.flags) w.SimpleString(f);
  w.Bulk("begin_search");
  w.MapHeader(2);
  w.Bulk("type");
  if (k.find == KeySpec::Find::kUnknown) {
    // SORT's BY/GET and STORE: keys no fixed position finds.
    w.Bulk("unknown");
    w.Bulk("spec");
    w.MapHeader(0);
    w.Bulk("find_keys");
    w.MapHeader(2);
    w.Bulk("type");
    w.Bulk("unknown");
    w.Bulk("spec");
    w.MapHeader(0);
    return;
  }
  if (k.keyword.empty()) {
    w.Bulk("index");
    w.Bulk("spec");
    w.MapHeader(1);
    w.Bulk("index");
    w.Integer(k.begin_index);
  } else {
    w.Bulk("keyword");
    w.Bulk("spec");
    w.MapHeader(2);
    w.Bulk("keyword");
    w.Bulk(k.keyword);
    w.Bulk("startfrom");
    w.Integer(k.begin_index);
  }
  w.Bulk("find_keys");
  w.MapHeader(2);
  w.Bulk("type");
  bool range = k.find == KeySpec::Find::kRange;
  w.Bulk(range ? "range" : "keynum");
  w.Bulk("spec");
  w.MapHeader(3);
  w.Bulk(range ? "lastkey" : "keynumidx");
  w.Integer(range ? k.lastkey : k.keynumidx);
  if (!range) {
    w.Bulk("firstkey");
    w.Integer(k.firstkey);
  }
  w.Bulk("keystep");
  w.Integer(k.keystep);
  if (range) {
    w.Bulk("limit");
    w.Integer(k.limit);
  }
}

// COMMAND GETKEYS | GETKEYSANDFLAGS command [arg ...]: the keys a call would touch, as
// Redis finds them (its key specs; SET's flags depend on GET, as Redis's setGetKeys).
void ReplyGetKeys(CommandContext& ctx, bool with_flags) {
  std::span<const std::string_view> call = ctx.args().subspan(2);
  const CommandSpec* cmd = ctx.commands().FindCall(call);
  ReplyWriter& w = ctx.reply();
  if (cmd == nullptr) return w.Error("ERR Invalid command specified");
  const std::vector<KeySpec>& specs = cmd->key_info->specs;
  if (specs.empty()) return w.Error("ERR The command has no key arguments");
  if (!cmd->ArityOk(call.size())) return w.Error("ERR Invalid number of arguments specified for command");
  std::vector<FoundKey> keys;
  const bool unknown = std::any_of(specs.begin(), specs.end(),
                                   [](const KeySpec& k) { return k.find == KeySpec::Find::kUnknown; });
  const bool incomplete = std::any_of(specs.begin(), specs.end(), [](const KeySpec& k) {
    return std::find(k.flags.begin(), k.flags.end(), "incomplete") != k.flags.end();
  });
  if (incomplete && !unknown && cmd->written_keys != nullptr) {
    // Specs that may miss or invent keys (MIGRATE's "" key before KEYS): the command's
    // own finder alone, as Redis uses getkeys_proc then.
    std::vector<size_t> found;
    cmd->written_keys(call, &found);
    for (size_t pos : found) keys.push_back(FoundKey{pos, specs.front().flags});
  } else if (unknown && cmd->written_keys != nullptr) {
    // Specs that cannot place every key (SORT): the command's own finder, as Redis's
    // getkeys_proc: its first key, read, and the keys it writes.
    keys.push_back(FoundKey{static_cast<size_t>(cmd->first_key), {"RO", "access"}});
    std::vector<size_t> written;
    cmd->written_keys(call, &written);
    for (size_t pos : written) keys.push_back(FoundKey{pos, {"OW", "update"}});
  } else if (!FindKeys(specs, call, &keys)) {
    if (cmd->flags & kCmdNoMandatoryKeys) return w.ArrayHeader(0);
    return w.Error("ERR Invalid arguments specified for command");
  }
  if (cmd->name == "set" && !keys.empty()) {
    bool get = false;
    for (size_t i = 3; i < call.size(); ++i) get |= EqualsIgnoreCase(call[i], "GET");
    keys[0].flags = get ? std::vector<std::string>{"RW", "access", "update"} : std::vector<std::string>{"OW", "update"};
  }
  if (cmd->name == "bitfield" && !keys.empty()) {
    // Redis's bitfieldGetKeys: read-only while every operation is a GET (or OVERFLOW);
    // anything else, a syntax error included, may write.
    bool read_only = true;
    for (size_t i = 2; i < call.size() && read_only; ++i) {
      const size_t left = call.size() - i - 1;
      if (EqualsIgnoreCase(call[i], "GET") && left >= 2) {
        i += 2;
      } else if (EqualsIgnoreCase(call[i], "OVERFLOW") && left >= 1) {
        i += 1;
      } else {
        read_only = false;
      }
    }
    keys[0].flags = read_only ? std::vector<std::string>{"RO", "access"} : std::vector<std::string>{"RW", "access", "update"};
  }
  w.ArrayHeader(keys.size());
  for (const FoundKey& k : keys) {
    if (with_flags) w.ArrayHeader(2);
    w.Bulk(call[k.pos]);
    if (!with_flags) continue;
    w.SetHeader(k.flags.size());
    for (const auto& f : k.flags) w.SimpleString(f);
  }
}

void ReplyInfo(ReplyWriter& w, const CommandSpec& c) {
  w.ArrayHeader(10);
  w.Bulk(c.name);
  w.Integer(c.arity);
  ReplyFlags(w, c);
  w.Integer(c.first_key);
  w.Integer(c.last_key);
  w.Integer(c.key_step);
  // Categories in ACL CAT's order, as Redis lists them.
  w.SetHeader(c.acl_categories.size());
  for (const auto& cat : AclCategories()) {
    for (const auto& a : c.acl_categories) {
      if (std::string_view(a).substr(1) == cat) w.SimpleString(a);
    }
  }
  const CommandKeyInfo& keys = *c.key_info;
  w.SetHeader(keys.tips.size());
  for (const auto& tip : keys.tips) w.Bulk(tip);
  w.SetHeader(keys.specs.size());
  for (const KeySpec& k : keys.specs) ReplyKeySpec(w, k);
  // Redis answers an empty set for a command without subcommands, an array otherwise.
  if (c.subs.empty()) {
    w.SetHeader(0);
  } else {
    w.ArrayHeader(c.subs.size());
  }
  for (const CommandSpec& sub : c.subs) ReplyInfo(w, sub);
}


// A COMMAND DOCS map: summary, since, group, arguments when there are any, and room for
// `extra` more fields that the caller writes next.
void WriteDocMap(ReplyWriter& w, std::string_view summary, const CommandSpec& c,
                 const std::vector<ArgDoc>& args, size_t extra) {
  w.MapHeader(3 + (args.empty() ? 0 : 1) + extra);
  w.Bulk("summary");
  w.Bulk(summary);
  w.Bulk("since");
  w.Bulk(c.since);
  w.Bulk("group");
  w.Bulk(c.group);
  if (!args.empty()) {
    w.Bulk("arguments");
    WriteArgDocs(w, args);
  }
}

// One command's COMMAND DOCS entry and, for containers (CLIENT, CONFIG...), its
// subcommands'.
void ReplyDocs(ReplyWriter& w, const CommandSpec& c) {
  std::vector<std::string_view> subs = DocumentedSubcommands(c.name);
  w.Bulk(c.name);
  WriteDocMap(w, c.summary, c, ParseArgumentGrammar(ArgumentGrammar(c.name)), subs.empty() ? 0 : 1);
  if (subs.empty()) return;
  w.Bulk("subcommands");
  w.MapHeader(subs.size());
  for (std::string_view sub : subs) {
    std::string full = c.name + "|" + std::string(sub);
    w.Bulk(full);
    WriteDocMap(w, SubcommandSummary(full), c, ParseArgumentGrammar(ArgumentGrammar(full)), 0);
  }
}

void CmdCommand(CommandContext& ctx) {
  const CommandTable& table = ctx.commands();
  ReplyWriter& w = ctx.reply();
  auto reply_all_info = [&] {
    w.ArrayHeader(table.all().size());
    for (const auto& c : table.all()) ReplyInfo(w, *c);
  };
  if (ctx.argc() == 1) return reply_all_info();  // COMMAND
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "COUNT") && ctx.argc() == 2) {
    return w.Integer(static_cast<int64_t>(table.all().size()));
  }
  if (EqualsIgnoreCase(sub, "INFO")) {
    if (ctx.argc() == 2) return reply_all_info();
    w.ArrayHeader(ctx.argc() - 2);
    for (size_t i = 2; i < ctx.argc(); ++i) {
      const CommandSpec* c = table.FindFull(ctx.arg(i));
      if (c) {
        ReplyInfo(w, *c);
      } else {
        w.Null();
      }
    }
    return;
  }
  if (EqualsIgnoreCase(sub, "DOCS")) {
    std::vector<const CommandSpec*> list;
    if (ctx.argc() == 2) {
      for (const auto& c : table.all()) list.push_back(c.get());
    } else {
      for (size_t i = 2; i < ctx.argc(); ++i) {
        if (const CommandSpec* c = table.Find(ctx.arg(i))) list.push_back(c);
      }
    }
    w.MapHeader(list.size());
    for (const CommandSpec* c : list) ReplyDocs(w, *c);
    return;
  }
  if (EqualsIgnoreCase(sub, "LIST")) {
    std::string_view kind, value;
    if (ctx.argc() == 5 && EqualsIgnoreCase(ctx.arg(2), "FILTERBY")) {
      kind = ctx.arg(3);
      value = ctx.arg(4);
      if (!EqualsIgnoreCase(kind, "MODULE") && !EqualsIgnoreCase(kind, "ACLCAT") &&
          !EqualsIgnoreCase(kind, "PATTERN")) {
        return w.Error(errors::kSyntax);
      }
    } else if (ctx.argc() != 2) {
      return w.Error(errors::kSyntax);
    }
    // Subcommands are listed by their full names ("client|kill"), as Redis lists them.
    std::vector<const CommandSpec*> list;
    auto consider = [&](const CommandSpec& c) {
      if (EqualsIgnoreCase(kind, "MODULE")) return;  // no modules
      if (EqualsIgnoreCase(kind, "PATTERN") && !GlobMatch(value, c.name, true)) return;
      if (EqualsIgnoreCase(kind, "ACLCAT") && !InAclCategory(c, value)) return;
      list.push_back(&c);
    };
    for (const auto& c : table.all()) {
      consider(*c);
      for (const CommandSpec& sub : c->subs) consider(sub);
    }
    w.ArrayHeader(list.size());
    for (const CommandSpec* c : list) w.Bulk(c->name);
    return;
  }
  if (EqualsIgnoreCase(sub, "GETKEYS") || EqualsIgnoreCase(sub, "GETKEYSANDFLAGS")) {
    return ReplyGetKeys(ctx, EqualsIgnoreCase(sub, "GETKEYSANDFLAGS"));
  }
  if (EqualsIgnoreCase(sub, "HELP") && ctx.argc() == 2) {
    static const char* kHelp[] = {
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    };
    return ReplyHelp(ctx, kHelp);
  }
  w.Error(errors::UnknownSubcommand(sub, "COMMAND"));
}

}  // namespace

void RegisterCommandFamily(CommandTable* t) {
  // COMMAND alone is a command too (every command's info), so unlike other containers
  // it has an arity of -1 and flags of its own.
  CommandSpec command = MakeSpec("server", "command", -1, kCmdLoading | kCmdStale, 0, 0, 0,
                                 "Returns detailed information about all commands.", "2.8.13", CmdCommand,
                                 {"@slow", "@connection"});
  command.subs = {
      MakeSub("count", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("getkeys", -4, kCmdLoading | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("getkeysandflags", -4, kCmdLoading | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("info", -2, kCmdLoading | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("docs", -2, kCmdLoading | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("list", -2, kCmdLoading | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
  };
  t->Register(std::move(command));
}

}  // namespace minired
