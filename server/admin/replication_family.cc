// Replication commands: REPLICAOF (SLAVEOF), ROLE, REPLCONF, PSYNC, SYNC, WAIT.
// See server/replication.h and docs/replication.md.
#include "protocol/numbers.h"
#include "protocol/request_parser.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/errors.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "server/replication.h"
#include "server/server.h"

namespace minired {
namespace {

// REPLICAOF <host> <port> | REPLICAOF NO ONE
void CmdReplicaOf(CommandContext& ctx) {
  if (ctx.session().tx.executing) return ctx.reply().Error("ERR Command not allowed inside a transaction");
  if (ctx.session().replica.feed) return ctx.reply().Error("ERR Command is not valid when client is a replica.");
  Replication& r = ctx.server().replication();
  if (EqualsIgnoreCase(ctx.arg(1), "no") && EqualsIgnoreCase(ctx.arg(2), "one")) {
    r.NoOne();
    return ctx.reply().Ok();
  }
  auto port = ParseInt64(ctx.arg(2));
  if (!port || *port < 0 || *port > 65535) return ctx.reply().Error("ERR Invalid master port");
  std::string host(ctx.arg(1));
  if (r.is_replica()) {
    const ReplicationConfig& rc = ctx.server().config().replication;
    std::lock_guard l(rc.mu);
    if (rc.master_host == host && rc.master_port == *port) {
      return ctx.reply().SimpleString("OK Already connected to specified master");
    }
  }
  r.ReplicaOf(host, static_cast<int>(*port));
  ctx.reply().Ok();
}

void CmdRole(CommandContext& ctx) { ctx.server().replication().Role(ctx.reply()); }

// REPLCONF <option> <value> [<option> <value> ...]
void CmdReplConf(CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) return ctx.reply().Error(errors::kSyntax);
  Session& s = ctx.session();
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i), value = ctx.arg(i + 1);
    if (EqualsIgnoreCase(opt, "listening-port")) {
      auto port = ParseInt64(value);
      if (!port || *port < 0 || *port > 65535) return ctx.reply().Error("ERR value is not an integer or out of range");
      s.replica.listening_port = static_cast<int>(*port);
    } else if (EqualsIgnoreCase(opt, "ack")) {
      // Sent by our replicas every second; never answered.
      auto off = ParseInt64(value);
      if (off && *off >= 0) ctx.server().replication().Ack(s, static_cast<uint64_t>(*off));
      return;
    } else if (EqualsIgnoreCase(opt, "getack")) {
      return;  // only a master asks its replica (server/master_link.cc answers it)
    } else if (EqualsIgnoreCase(opt, "capa")) {
      // "minired": the replica loads minired's own full-sync payload (faster to build and
      // load); everyone else gets an RDB file. "eof", "psync2": this master always sends
      // a $<length> payload, which every replica reads.
      if (EqualsIgnoreCase(value, "minired")) s.replica.minired_payload = true;
    } else if (EqualsIgnoreCase(opt, "rdb-filter-only")) {
      // What the RDB of a full sync includes: "functions" alone, or "" for everything.
      bool functions = false;
      std::vector<std::string> filters;
      if (!SplitInlineArgs(value, &filters)) return ctx.reply().Error("ERR Missing rdb-filter-only values");
      for (const std::string& f : filters) {
        if (!EqualsIgnoreCase(f, "functions")) {
          return ctx.reply().Error("ERR Unsupported rdb-filter-only option: " + f);
        }
        functions = true;
      }
      s.replica.functions_only = functions;
    } else if (EqualsIgnoreCase(opt, "rdb-only")) {
      // The client closes the connection after the file (redis-cli does); accepted.
      auto v = ParseInt64(value);
      if (!v) return ctx.reply().Error("ERR value is not an integer or out of range");
      if (*v < 0 || *v > 1) return ctx.reply().Error("ERR value is out of range, value must between 0 and 1");
    } else if (EqualsIgnoreCase(opt, "ip-address")) {
    } else {
      return ctx.reply().Error("ERR Unrecognized REPLCONF option: " + std::string(opt));
    }
  }
  ctx.reply().Ok();
}

void CmdPsync(CommandContext& ctx) { ctx.server().replication().Psync(ctx, ctx.arg(1), ctx.arg(2), false); }

void CmdSync(CommandContext& ctx) { ctx.server().replication().Psync(ctx, "?", "-1", true); }

// WAIT numreplicas timeout
void CmdWait(CommandContext& ctx) {
  auto n = ParseInt64(ctx.arg(1));
  if (!n) return ctx.reply().Error(errors::kNotInteger);
  auto timeout = BlockTimeoutArg(ctx, ctx.arg(2), TimeoutUnit::kMilliseconds);
  if (!timeout) return;
  ctx.server().replication().Wait(ctx, *n, *timeout);
}

}  // namespace

void RegisterReplicationFamily(CommandTable* t) {
  const char* g = "server";
  const uint32_t admin = kCmdAdmin | kCmdNoScript | kCmdStale;
  t->Register(MakeSpec(g, "replicaof", 3, admin | kCmdNoAsyncLoading, 0, 0, 0, "Configures a server as replica of another, or promotes it to a master.", "5.0.0", CmdReplicaOf, {"@admin", "@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "slaveof", 3, admin | kCmdNoAsyncLoading, 0, 0, 0, "Sets a Redis server as a replica of another, or promotes it to being a master.", "1.0.0", CmdReplicaOf, {"@admin", "@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "role", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast, 0, 0, 0, "Returns the replication role.", "2.8.12", CmdRole, {"@admin", "@fast", "@dangerous"}));
  t->Register(MakeSpec(g, "replconf", -1, admin | kCmdLoading | kCmdAllowBusy, 0, 0, 0, "An internal command for configuring the replication stream.", "3.0.0", CmdReplConf, {"@admin", "@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "psync", -3, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdNoMulti, 0, 0, 0, "An internal command used in replication.", "2.8.0", CmdPsync, {"@admin", "@slow", "@dangerous"}));
  t->Register(MakeSpec(g, "sync", 1, kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdNoMulti, 0, 0, 0, "An internal command used in replication.", "1.0.0", CmdSync, {"@admin", "@slow", "@dangerous"}));
  t->Register(MakeSpec("generic", "wait", 3, kCmdNoScript, 0, 0, 0, "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.", "3.0.0", CmdWait, {"@slow", "@connection"}));
}

}  // namespace minired
