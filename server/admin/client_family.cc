// CLIENT ID | SETNAME | GETNAME | SETINFO | LIST | KILL | INFO | NO-EVICT | REPLY | PAUSE |
// UNPAUSE | UNBLOCK | HELP (TRACKING, CACHING, GETREDIR, TRACKINGINFO: client_tracking_family.cc)
#include <fmt/format.h>

#include "server/command.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "server/admin/client_tracking_family.h"
#include "server/server.h"

namespace minired {
namespace {

bool ValidName(std::string_view s) {
  for (char c : s) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

// TYPE's argument as ClientInfo::type() names it ("master": the link to our master,
// which is not a client connection here, so it matches none).
bool ClientType(std::string_view name, std::string* out) {
  if (EqualsIgnoreCase(name, "normal")) *out = "normal";
  else if (EqualsIgnoreCase(name, "replica") || EqualsIgnoreCase(name, "slave")) *out = "replica";
  else if (EqualsIgnoreCase(name, "pubsub")) *out = "pubsub";
  else if (EqualsIgnoreCase(name, "master")) *out = "master";
  else return false;
  return true;
}

// CLIENT LIST's flags, in Redis's order: O monitor, S replica, P pub/sub, x in MULTI,
// b blocked, t tracking, R its redirect broken, B broadcasting, e no-evict; N when none.
std::string ClientFlags(const ClientInfo& c) {
  std::string f;
  if (c.monitor.load()) f += 'O';
  else if (c.replica.load()) f += 'S';
  if (c.sub.load() + c.psub.load() > 0) f += 'P';
  if (c.multi.load() >= 0) f += 'x';
  if (c.blocked.load() || c.paused.load()) f += 'b';
  const uint32_t tracking = c.tracking.load();
  if (tracking & kTrackingOn) f += 't';
  if (tracking & kTrackingBrokenRedirect) f += 'R';
  if (tracking & kTrackingBcast) f += 'B';
  if (c.no_evict.load()) f += 'e';
  return f.empty() ? "N" : f;
}

// What the client running CLIENT LIST / CLIENT INFO holds while it runs: the command in
// its query buffer (as RESP: Redis counts the bytes not yet trimmed) and its arguments
// (argv-mem). Other clients are idle between reads, as in Redis.
struct RunningCommand {
  size_t query_bytes = 0;
  size_t argv_bytes = 0;
};

RunningCommand Running(CommandContext& ctx) {
  RunningCommand r;
  r.query_bytes = 1 + std::to_string(ctx.argc()).size() + 2;  // *N\r\n
  for (std::string_view a : ctx.args()) {
    r.argv_bytes += a.size();
    r.query_bytes += 1 + std::to_string(a.size()).size() + 2 + a.size() + 2;  // $len\r\n arg \r\n
  }
  return r;
}

// One line of CLIENT LIST / CLIENT INFO, with Redis 7's field names.
std::string DescribeClient(const ClientInfo& c, int64_t now_ms, const RunningCommand& running = {}) {
  const CommandSpec* cmd = c.last_cmd.load(std::memory_order_relaxed);
  int64_t age = (now_ms - c.created_ms) / 1000;
  int64_t idle = (now_ms - c.last_interaction_ms.load(std::memory_order_relaxed)) / 1000;
  size_t qbuf = c.query_buffer.load() + running.query_bytes, qfree = c.query_buffer_free.load();
  // omem, as Redis's reply list, is memory held for output still to send; the capacity
  // an idle connection keeps for its next replies (Redis's static buffer) is in tot-mem.
  size_t obl = c.output_buffer.load(), kept = c.output_memory.load(), omem = obl > 0 ? kept : 0;
  return fmt::format(
      "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub=0 "
      "multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem=0 rbs={} rbp=0 obl={} oll=0 omem={} "
      "tot-mem={} events={} cmd={} user={} redir=-1 resp={} lib-name={} lib-ver={}",
      c.id, c.addr, c.laddr, c.fd, c.name(), std::max<int64_t>(age, 0), std::max<int64_t>(idle, 0), ClientFlags(c),
      c.db.load(), c.sub.load(), c.psub.load(), c.multi.load(), qbuf, qfree, running.argv_bytes, qbuf + qfree, obl, omem,
      qbuf + qfree + kept, obl > 0 ? "rw" : "r", cmd ? cmd->name : "NULL", c.user(), c.resp.load(), c.lib_name(), c.lib_ver());
}

void ReplyText(CommandContext& ctx, const std::string& text) { ctx.reply().Verbatim(text); }

void ClientList(CommandContext& ctx) {
  std::vector<uint64_t> ids;
  bool filter_ids = false;
  std::string type_filter;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "TYPE") && i + 1 < ctx.argc()) {
      std::string_view type = ctx.arg(++i);
      if (!ClientType(type, &type_filter)) {
        return ctx.reply().Error("ERR Unknown client type '" + std::string(type) + "'");
      }
    } else if (EqualsIgnoreCase(ctx.arg(i), "ID") && i + 1 < ctx.argc()) {
      filter_ids = true;
      for (++i; i < ctx.argc(); ++i) {
        auto id = ParseInt64(ctx.arg(i));
        if (!id || *id <= 0) return ctx.reply().Error("ERR Invalid client ID");
        ids.push_back(static_cast<uint64_t>(*id));
      }
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  std::string out;
  for (const auto& c : ctx.server().clients().Snapshot()) {
    if (filter_ids && std::find(ids.begin(), ids.end(), c->id) == ids.end()) continue;
    if (!type_filter.empty() && type_filter != c->type()) continue;
    bool self = c->id == ctx.session().info->id;
    out += DescribeClient(*c, ctx.now_ms(), self ? Running(ctx) : RunningCommand{});
    out += '\n';
  }
  ReplyText(ctx, out);
}

void ClientKill(CommandContext& ctx) {
  auto clients = ctx.server().clients().Snapshot();
  uint64_t self = ctx.session().info->id;
  auto kill = [&](const std::shared_ptr<ClientInfo>& c) {
    if (c->id == self) {
      ctx.session().close_after_reply = true;
    } else if (c->close) {
      c->close();
    }
  };
  if (ctx.argc() == 3) {  // old form: CLIENT KILL addr:port
    for (const auto& c : clients) {
      if (c->addr == ctx.arg(2)) {
        kill(c);
        return ctx.reply().Ok();
      }
    }
    return ctx.reply().Error("ERR No such client");
  }
  if (ctx.argc() % 2 != 0) return ctx.reply().Error(errors::kSyntax);
  int64_t id = 0, max_age = 0;
  std::string_view addr, laddr, user;
  bool skipme = true;
  std::string type_filter;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i), val = ctx.arg(i + 1);
    if (EqualsIgnoreCase(opt, "ID")) {
      auto v = ParseInt64(val);
      if (!v || *v <= 0) return ctx.reply().Error("ERR client-id should be greater than 0");
      id = *v;
    } else if (EqualsIgnoreCase(opt, "TYPE")) {
      if (!ClientType(val, &type_filter)) {
        return ctx.reply().Error("ERR Unknown client type '" + std::string(val) + "'");
      }
    } else if (EqualsIgnoreCase(opt, "ADDR")) {
      addr = val;
    } else if (EqualsIgnoreCase(opt, "LADDR")) {
      laddr = val;
    } else if (EqualsIgnoreCase(opt, "USER")) {
      user = val;
      if (val != "default") return ctx.reply().Error("ERR No such user '" + std::string(val) + "'");
    } else if (EqualsIgnoreCase(opt, "SKIPME")) {
      if (EqualsIgnoreCase(val, "yes")) skipme = true;
      else if (EqualsIgnoreCase(val, "no")) skipme = false;
      else return ctx.reply().Error(errors::kSyntax);
    } else if (EqualsIgnoreCase(opt, "MAXAGE")) {
      auto v = ParseInt64(val);
      if (!v) return ctx.reply().Error(errors::kSyntax);
      max_age = *v;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  int64_t killed = 0;
  for (const auto& c : clients) {
    if (!type_filter.empty() && type_filter != c->type()) continue;
    if (id && c->id != static_cast<uint64_t>(id)) continue;
    if (!addr.empty() && c->addr != addr) continue;
    if (!laddr.empty() && c->laddr != laddr) continue;
    if (skipme && c->id == self) continue;
    if (max_age && (ctx.now_ms() - c->created_ms) / 1000 < max_age) continue;
    kill(c);
    ++killed;
  }
  ctx.reply().Integer(killed);
}

// CLIENT REPLY ON | OFF | SKIP: only ON has a reply (the connection drops the others').
void ClientReply(CommandContext& ctx) {
  Session& s = ctx.session();
  std::string_view mode = ctx.arg(2);
  if (EqualsIgnoreCase(mode, "ON")) {
    s.reply_mode.off = false;
    s.reply_mode.skip_next = false;
    ctx.reply().Ok();
  } else if (EqualsIgnoreCase(mode, "OFF")) {
    s.reply_mode.off = true;
  } else if (EqualsIgnoreCase(mode, "SKIP")) {
    if (!s.reply_mode.off) s.reply_mode.skip_next = true;
  } else {
    ctx.reply().Error(errors::kSyntax);
  }
}

// CLIENT PAUSE timeout [WRITE | ALL]
void ClientPauseCmd(CommandContext& ctx) {
  auto ms = BlockTimeoutArg(ctx, ctx.arg(2), TimeoutUnit::kMilliseconds);
  if (!ms) return;
  ClientPause::Mode mode = ClientPause::Mode::kAll;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "WRITE")) {
      mode = ClientPause::Mode::kWrite;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "ALL")) {
      return ctx.reply().Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  } else if (ctx.argc() > 4) {
    return ctx.reply().Error(errors::SubcommandSyntax(ctx.arg(1), "CLIENT"));
  }
  ctx.server().PauseClients(mode, *ms);
  ctx.reply().Ok();
}

// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]: 1 if that client waited in a blocking
// command (which answers as if it timed out, or -UNBLOCKED), else 0.
void ClientUnblock(CommandContext& ctx) {
  auto id = IntArg(ctx, ctx.arg(2));
  if (!id) return;
  bool error = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "ERROR")) {
      error = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "TIMEOUT")) {
      return ctx.reply().Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  } else if (ctx.argc() > 4) {
    return ctx.reply().Error(errors::SubcommandSyntax(ctx.arg(1), "CLIENT"));
  }
  for (const auto& c : ctx.server().clients().Snapshot()) {
    if (c->id == static_cast<uint64_t>(*id)) return ctx.reply().Integer(c->unblock && c->unblock(error) ? 1 : 0);
  }
  ctx.reply().Integer(0);
}

void ClientHelp(CommandContext& ctx) {
  static const char* kHelp[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CACHING (YES|NO)",
      "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
      "GETREDIR",
      "    Return the client ID we are redirecting to when tracking is enabled.",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "    * ID <client-id>",
      "      Kill connections by client id.",
      "    * MAXAGE <maxage>",
      "      Kill connections older than the specified age.",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "    * ID <client-id> [<client-id> ...]",
      "      Return clients of specified IDs only.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
      "         [OPTIN] [OPTOUT] [NOLOOP]",
      "    Control server assisted client side caching.",
      "TRACKINGINFO",
      "    Report tracking status for the current connection.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "HELP",
      "    Print this help.",
  };
  ReplyHelp(ctx, kHelp);
}

// CLIENT <subcommand> ...
void CmdClient(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  ClientInfo& me = *ctx.session().info;
  if (EqualsIgnoreCase(sub, "ID")) {
    ctx.reply().Integer(static_cast<int64_t>(me.id));
  } else if (EqualsIgnoreCase(sub, "SETNAME")) {
    if (!ValidName(ctx.arg(2))) {
      return ctx.reply().Error("ERR Client names cannot contain spaces, newlines or special characters.");
    }
    me.set_name(std::string(ctx.arg(2)));
    ctx.reply().Ok();
  } else if (EqualsIgnoreCase(sub, "GETNAME")) {
    std::string name = me.name();
    if (name.empty()) return ctx.reply().Null();
    ctx.reply().Bulk(name);
  } else if (EqualsIgnoreCase(sub, "SETINFO")) {
    std::string_view attr = ctx.arg(2), val = ctx.arg(3);
    bool is_name = EqualsIgnoreCase(attr, "LIB-NAME"), is_ver = EqualsIgnoreCase(attr, "LIB-VER");
    if (!is_name && !is_ver) return ctx.reply().Error("ERR Unrecognized option '" + std::string(attr) + "'");
    if (!ValidName(val)) {
      return ctx.reply().Error(std::string(is_name ? "ERR lib-name" : "ERR lib-ver") +
                               " cannot contain spaces, newlines or special characters.");
    }
    me.set_lib(std::string(val), std::string(val), is_name, is_ver);
    ctx.reply().Ok();
  } else if (EqualsIgnoreCase(sub, "LIST")) {
    ClientList(ctx);
  } else if (EqualsIgnoreCase(sub, "INFO")) {
    ReplyText(ctx, DescribeClient(me, ctx.now_ms(), Running(ctx)) + "\n");
  } else if (EqualsIgnoreCase(sub, "KILL")) {
    ClientKill(ctx);
  } else if (EqualsIgnoreCase(sub, "NO-EVICT")) {
    if (EqualsIgnoreCase(ctx.arg(2), "ON")) me.no_evict = true;
    else if (EqualsIgnoreCase(ctx.arg(2), "OFF")) me.no_evict = false;
    else return ctx.reply().Error(errors::kSyntax);
    ctx.reply().Ok();
  } else if (EqualsIgnoreCase(sub, "REPLY")) {
    ClientReply(ctx);
  } else if (EqualsIgnoreCase(sub, "PAUSE")) {
    ClientPauseCmd(ctx);
  } else if (EqualsIgnoreCase(sub, "UNPAUSE")) {
    ctx.server().pause().Unpause();
    ctx.reply().Ok();
  } else if (EqualsIgnoreCase(sub, "UNBLOCK")) {
    ClientUnblock(ctx);
  } else if (EqualsIgnoreCase(sub, "HELP")) {
    ClientHelp(ctx);
  } else if (RunClientTrackingSubcommand(ctx, sub)) {
  } else {
    ctx.reply().Error(errors::UnknownSubcommand(sub, "CLIENT"));
  }
}

}  // namespace

void RegisterClientFamily(CommandTable* t) {
  t->Register(MakeContainer("connection", "client", "A container for client connection commands.", "2.4.0", CmdClient, {
      MakeSub("id", 2, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("setname", 3, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("getname", 2, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("setinfo", 4, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("list", -2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@connection", "@dangerous", "@slow"}),
      MakeSub("info", 2, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("kill", -3, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@connection", "@dangerous", "@slow"}),
      MakeSub("reply", 3, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("pause", -3, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@connection", "@dangerous", "@slow"}),
      MakeSub("unpause", 2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@connection", "@dangerous", "@slow"}),
      MakeSub("unblock", -3, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@connection", "@dangerous", "@slow"}),
      MakeSub("no-evict", 3, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@connection", "@dangerous", "@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("tracking", -3, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("caching", 3, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("getredir", 2, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
      MakeSub("trackinginfo", 2, kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@connection", "@slow"}),
  }));
}

}  // namespace minired
