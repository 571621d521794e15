// Connection commands: PING ECHO QUIT HELLO RESET AUTH.
#include "server/command_table.h"
#include "server/config.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/spec.h"

namespace minired {

// The Redis version whose behaviour minired follows; clients read it from HELLO/INFO.
extern const char kRedisCompatVersion[] = "7.0.15";

namespace {

// PING [message]
void CmdPing(CommandContext& ctx) {
  if (ctx.argc() > 2) return ctx.reply().Error(errors::WrongArity("ping"));
  if (ctx.session().resp == 2 && ctx.session().subs.count() > 0) {
    // Subscribed RESP2 clients get PING's answer in the shape of a message.
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk("pong");
    ctx.reply().Bulk(ctx.argc() == 2 ? ctx.arg(1) : "");
    return;
  }
  if (ctx.argc() == 2) return ctx.reply().Bulk(ctx.arg(1));
  ctx.reply().SimpleString("PONG");
}

// ECHO message
void CmdEcho(CommandContext& ctx) { ctx.reply().Bulk(ctx.arg(1)); }

// QUIT: replies OK, then the connection closes once the reply is written.
void CmdQuit(CommandContext& ctx) {
  ctx.session().close_after_reply = true;
  ctx.reply().Ok();
}

const SecurityConfig& Security(CommandContext& ctx) { return ctx.config().security; }

// AUTH [username] password: an ACL user (server/acl.h); "default" when no name is given.
void CmdAuth(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply().Error(errors::kSyntax);
  if (ctx.argc() == 2 && !Security(ctx).password_required()) {
    return ctx.reply().Error(errors::kAuthNoPassword);
  }
  std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : std::string_view("default");
  auto u = Security(ctx).Authenticates(user, ctx.arg(ctx.argc() - 1));
  if (!u) return ctx.reply().Error(errors::kWrongPass);
  ctx.LogIn(std::move(u));
  ctx.reply().Ok();
}

void ReplyHello(CommandContext& ctx) {
  ReplyWriter& w = ctx.reply();
  w.MapHeader(7);
  w.Bulk("server");
  w.Bulk("redis");
  w.Bulk("version");
  w.Bulk(kRedisCompatVersion);
  w.Bulk("proto");
  w.Integer(ctx.session().resp);
  w.Bulk("id");
  w.Integer(static_cast<int64_t>(ctx.session().info->id));
  w.Bulk("mode");
  w.Bulk("standalone");
  w.Bulk("role");
  w.Bulk("master");
  w.Bulk("modules");
  w.ArrayHeader(0);
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void CmdHello(CommandContext& ctx) {
  int ver = ctx.session().resp;
  size_t i = 1;
  if (ctx.argc() >= 2) {
    auto v = ParseInt64(ctx.arg(1));
    if (!v) return ctx.reply().Error("ERR Protocol version is not an integer or out of range");
    if (*v < 2 || *v > 3) return ctx.reply().Error(errors::kNoProto);
    ver = static_cast<int>(*v);
    i = 2;
  }
  // Options take effect as they are read, as in Redis (a name is set even when the
  // authentication check below then fails).
  for (; i < ctx.argc(); ++i) {
    bool more = ctx.argc() - i - 1;
    if (EqualsIgnoreCase(ctx.arg(i), "AUTH") && ctx.argc() - i - 1 >= 2) {
      auto u = Security(ctx).Authenticates(ctx.arg(i + 1), ctx.arg(i + 2));
      if (!u) return ctx.reply().Error(errors::kWrongPass);
      ctx.LogIn(std::move(u));
      i += 2;
    } else if (EqualsIgnoreCase(ctx.arg(i), "SETNAME") && more) {
      std::string_view name = ctx.arg(++i);
      for (char c : name) {
        if (c < '!' || c > '~') {
          return ctx.reply().Error(
              "ERR Client names cannot contain spaces, newlines or special characters.");
        }
      }
      ctx.session().info->set_name(std::string(name));
    } else {
      return ctx.reply().Error("ERR Syntax error in HELLO option '" + std::string(ctx.arg(i)) + "'");
    }
  }
  if (!ctx.session().authenticated && Security(ctx).password_required()) {
    return ctx.reply().Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> "
        "option can be used to authenticate the client and select the RESP protocol version at "
        "the same time");
  }
  ctx.session().resp = ver;
  ctx.session().info->resp.store(ver, std::memory_order_relaxed);
  ctx.reply().set_protocol(ver);
  ReplyHello(ctx);
}

// RESET: back to a fresh connection's state.
void CmdReset(CommandContext& ctx) {
  Session& s = ctx.session();
  ctx.ResetSession();
  s.db = 0;
  s.resp = 2;
  s.info->db.store(0);
  s.info->resp.store(2);
  s.info->set_name("");
  s.info->no_evict.store(false);
  ctx.reply().set_protocol(2);
  ctx.reply().SimpleString("RESET");
}

}  // namespace

void RegisterConnectionFamily(CommandTable* t) {
  const char* g = "connection";
  const uint32_t f = kCmdLoading | kCmdStale | kCmdFast;
  t->Register(MakeSpec(g, "ping", -1, kCmdFast, 0, 0, 0, "Returns the server's liveliness response.", "1.0.0", CmdPing, {"@fast", "@connection"}));
  t->Register(MakeSpec(g, "echo", 2, kCmdFast | kCmdLoading | kCmdStale, 0, 0, 0, "Returns the given string.", "1.0.0", CmdEcho, {"@fast", "@connection"}));
  t->Register(MakeSpec(g, "quit", -1, f | kCmdNoAuth | kCmdNoScript | kCmdAllowBusy, 0, 0, 0, "Closes the connection.", "1.0.0", CmdQuit, {"@fast", "@connection"}));
  t->Register(MakeSpec(g, "auth", -2, f | kCmdNoAuth | kCmdNoScript | kCmdAllowBusy, 0, 0, 0, "Authenticates the connection.", "1.0.0", CmdAuth, {"@fast", "@connection"}));
  t->Register(MakeSpec(g, "hello", -1, f | kCmdNoAuth | kCmdNoScript | kCmdAllowBusy, 0, 0, 0, "Handshakes with the Redis server.", "6.0.0", CmdHello, {"@fast", "@connection"}));
  t->Register(MakeSpec(g, "reset", 1, f | kCmdNoAuth | kCmdNoScript | kCmdAllowBusy, 0, 0, 0, "Resets the connection.", "6.2.0", CmdReset, {"@fast", "@connection"}));
}

}  // namespace minired
