// The dispatcher: the one path every command takes, whoever asks for it (a client's
// connection, the log replayed at start-up, the master's stream on a replica, EXEC for
// its queued commands, and scripts once they land).
//
// Server::Execute resolves the command (and its subcommand), then runs the checks below
// in Redis's order (processCommand); the first that refuses answers and nothing runs.
// A command that passes is queued (inside MULTI) or called: its context is built, its
// handler runs inside the journal scope of the top-level command, and its call is
// recorded (commandstats, slow log, latency, MONITOR).
//
// Nesting is explicit: a command run by another (EXEC, a script) passes the caller's
// CallFrame. Only a top-level command submits its journal entry, serves the clients
// blocked on keys it made ready and takes the snapshot it asked for, once all it ran is
// done and its locks are released. Errors are filed in errorstats by the command whose
// reply holds them: the top-level one, or a call replying elsewhere (a script's).
#include <optional>

#include "server/command_context.h"
#include "server/acl.h"
#include "server/errors.h"
#include "server/blocking.h"
#include "server/evictor.h"
#include "server/families/families.h"
#include "server/key_specs.h"
#include "server/logger.h"
#include "server/persistence.h"
#include "server/replication.h"
#include "server/scripting/script_flags.h"
#include "server/scripting/script_run.h"
#include "server/scripting/script_scope.h"
#include "server/server.h"
#include "protocol/command_encoder.h"
#include "protocol/numbers.h"

namespace minired {
namespace {

std::string UnknownCommandError(std::span<const std::string_view> args) {
  std::string list;
  for (size_t i = 1; i < args.size() && list.size() < 128; ++i) {
    list += "'" + std::string(args[i].substr(0, 128 - list.size())) + "' ";
  }
  return "ERR unknown command '" + std::string(args[0].substr(0, 128)) +
         "', with args beginning with: " + list;
}

// Commands a MULTI runs at once rather than queuing.
bool RunsInsideMulti(std::string_view name) {
  return name == "exec" || name == "discard" || name == "multi" || name == "watch" || name == "quit" ||
         name == "reset";
}

// What a RESP2 client in subscribed mode may still send.
bool AllowedWhileSubscribed(std::string_view name) {
  return name == "subscribe" || name == "unsubscribe" || name == "psubscribe" || name == "punsubscribe" ||
         name == "ping" || name == "quit" || name == "reset" || name == "ssubscribe" || name == "sunsubscribe";
}

// A check's refusal: the error replied, and whether it fails the transaction being
// queued (Redis's rejectCommand does; the subscribed-mode and LOADING errors do not).
struct Refusal {
  std::string error;
  bool fails_transaction = true;
};
using Verdict = std::optional<Refusal>;
struct Call;
using Check = Verdict (*)(const Call&);

// What every check looks at: the call as resolved, and who asked for it.
struct Call {
  Server& server;
  Session& session;
  std::span<const std::string_view> args;
  const CommandSpec& base;  // the command (CLIENT): statistics and ACL bits
  const CommandSpec& spec;  // what runs (CLIENT KILL): arity and flags
  // spec's flags, or for EVAL, FCALL and their kin those the script declares (Redis's
  // getCommandFlags): a script with `no-writes` is no write, one without may write.
  uint32_t flags;
  int thread;
  bool top_level;
  bool writes() const { return flags & kCmdWrite; }
};

Verdict CheckArity(const Call& c) {
  if (c.spec.ArityOk(c.args.size())) return {};
  return Refusal{errors::WrongArity(c.spec.name)};
}

Verdict CheckAuthenticated(const Call& c) {
  if (c.session.authenticated || (c.spec.flags & kCmdNoAuth) || c.session.checked_at_source()) return {};
  if (!c.server.config().security.password_required()) return {};
  return Refusal{"NOAUTH Authentication required."};
}

Verdict CheckAllowedInMulti(const Call& c) {
  if (!c.session.tx.active || !(c.spec.flags & kCmdNoMulti)) return {};
  return Refusal{"ERR Command not allowed inside a transaction"};
}

Verdict CheckAcl(const Call& c) {
  if (!c.session.user || (c.spec.flags & kCmdNoAuth)) return {};
  // The default user as shipped (+@all ~* &*), unchanged since the session looked.
  if (c.session.user->unrestricted && c.session.acl_version == c.server.config().security.acl.version()) return {};
  std::string denied = c.server.AclDenied(c.session, c.base, c.args);
  if (denied.empty()) return {};
  return Refusal{std::move(denied)};
}

Verdict CheckSubscribedMode(const Call& c) {
  if (c.session.resp != 2 || c.session.subs.count() == 0 || AllowedWhileSubscribed(c.base.name)) return {};
  return Refusal{"ERR Can't execute '" + c.spec.name +
                     "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                 false};
}

// -OOM for a command that would grow memory while nothing can be evicted. Only a
// client's top-level command is checked: EXEC was checked as a whole.
Verdict CheckMemory(const Call& c) {
  Server& server = c.server;
  if (server.config().eviction.maxmemory.load(std::memory_order_relaxed) == 0) return {};
  if (c.session.checked_at_source() || !c.top_level) return {};
  // Nothing is evicted while a script holds the keyspace (Redis neither, while busy):
  // the commands that get here meanwhile are the few a busy script lets through.
  if (server.script_gate().running()) return {};
  const Evictor::Result room = server.evictor().MakeRoom(c.thread);
  // Group readers blocked on an evicted stream are answered now, whether or not this
  // command then runs (a refused one serves no ready keys of its own); BCAST clients
  // hear of the evicted keys.
  server.AfterKeyspaceChanges();
  if (room != Evictor::Result::kFail) return {};
  bool reject = c.flags & kCmdDenyOom;
  if (c.spec.name == "exec") {
    // EXEC is refused for what it would run; outside MULTI it only answers its error.
    reject = reject || server.QueuedCommandHas(c.session, kCmdDenyOom);
    if (!reject || !c.session.tx.active) return {};
    return Refusal{std::string(errors::kOom)};
  }
  // Queuing in MULTI takes memory too (Redis refuses all but EXEC/DISCARD/QUIT/RESET).
  if (c.session.tx.active && !RunsInsideMulti(c.spec.name)) reject = true;
  if (!reject) return {};
  return Refusal{std::string(errors::kOom)};
}

Verdict CheckReadOnlyReplica(const Call& c) {
  if (!c.writes() || c.session.checked_at_source() || !c.server.replication().is_replica()) return {};
  if (!c.server.config().replication.read_only.load(std::memory_order_relaxed)) return {};
  return Refusal{"READONLY You can't write against a read only replica."};
}

Verdict CheckLoading(const Call& c) {
  if (!c.server.loading() || c.session.origin == Origin::kLogReplay || (c.spec.flags & kCmdLoading)) return {};
  return Refusal{"LOADING minired is loading the dataset in memory", false};
}

// MISCONF and its kin: a write while the last snapshot or log write failed.
Verdict CheckDiskErrors(const Call& c) {
  Persistence* persistence = c.server.persistence();
  if (!c.writes() || c.session.checked_at_source() || persistence == nullptr) return {};
  std::string why;
  if (persistence->WritesAllowed(&why)) return {};
  return Refusal{std::move(why)};
}

// A script has run past busy-reply-threshold: a client gets -BUSY, except for the
// commands Redis lets through (server/script_gate.h), which must touch no shard: WATCH
// always does, and UNWATCH, DISCARD and RESET do when keys are watched (the shards
// hold the watches), so these get -BUSY here.
Verdict CheckBusyScript(const Call& c) {
  ScriptGate& gate = c.server.script_gate();
  if (!c.top_level || c.session.origin != Origin::kClient || !gate.busy()) return {};
  const std::string& name = c.base.name;
  const bool touches_watches =
      name == "watch" || (!c.session.tx.watched.empty() && (name == "unwatch" || name == "discard" || name == "reset"));
  if ((c.spec.flags & kCmdAllowBusy) && !touches_watches) return {};
  return Refusal{gate.BusyError()};
}

// The first refusal of `kList`, run in order. Direct calls, which the compiler inlines:
// every request passes all ten, and a loop over pointers to them cost 3 % of a
// pipelined INCR's samples.
template <Check kFirst, Check... kRest>
Verdict FirstRefusal(const Call& c) {
  if (Verdict v = kFirst(c)) return v;
  if constexpr (sizeof...(kRest) > 0) {
    return FirstRefusal<kRest...>(c);
  } else {
    return {};
  }
}

// In Redis's order (processCommand).
constexpr auto kChecks = FirstRefusal<CheckArity, CheckAuthenticated, CheckAllowedInMulti, CheckAcl,
                                      CheckSubscribedMode, CheckMemory, CheckReadOnlyReplica, CheckLoading,
                                      CheckBusyScript, CheckDiskErrors>;

// A script's calls (Origin::kScript), checked as Redis's scriptCall checks them, with
// its texts; the script reports them as raised by redis.call.
Verdict CheckScriptArity(const Call& c) {
  if (c.spec.ArityOk(c.args.size())) return {};
  return Refusal{"ERR Wrong number of args calling Redis command from script"};
}

Verdict CheckAllowedInScript(const Call& c) {
  if (!(c.spec.flags & kCmdNoScript)) return {};
  return Refusal{"ERR This Redis command is not allowed from script"};
}

Verdict CheckScriptAcl(const Call& c) {
  if (!c.session.user) return {};
  std::string what;
  switch (CheckAcl(*c.session.user, c.base, c.args, &what)) {
    case AclDenial::kNone:
      return {};
    case AclDenial::kCommand:
      return Refusal{"ERR The user executing the script can't run this command or subcommand"};
    case AclDenial::kKey:
      return Refusal{"ERR The user executing the script can't access at least one of the keys mentioned in the "
                     "command arguments"};
    case AclDenial::kChannel:
      return Refusal{"ERR The user executing the script can't publish to the channel mentioned in the command"};
  }
  return {};
}

// Memory was full when the script started and it has not written yet: a command that
// takes memory is refused (Redis's scriptVerifyOOM).
Verdict CheckScriptMemory(const Call& c) {
  if (!c.session.deny_oom || !(c.flags & kCmdDenyOom)) return {};
  return Refusal{std::string(errors::kOom)};
}

Verdict CheckScriptWrite(const Call& c) {
  if (!c.writes()) return {};
  if (c.session.no_writes) return Refusal{"ERR Write commands are not allowed from read-only scripts."};
  if (Verdict v = CheckReadOnlyReplica(c)) return v;
  return CheckDiskErrors(c);
}

constexpr auto kScriptChecks =
    FirstRefusal<CheckScriptArity, CheckAllowedInScript, CheckScriptAcl, CheckScriptWrite, CheckScriptMemory>;

// Commands whose calls the journal records as one transaction (MULTI ... EXEC) when
// there are several: EXEC's queued commands, a script's redis.call writes.
bool RecordsCallsAsOne(const CommandSpec& spec) {
  return spec.name == "exec" || (spec.flags & kCmdScriptRunner);
}

}  // namespace

void Server::Execute(Session& session, std::span<const std::string_view> args, ReplyWriter& reply, int thread,
                     CallFrame* caller) {
  const uint64_t errors_before = reply.errors_written();
  // The container (CLIENT) keeps the statistics and ACL bits; the subcommand (CLIENT
  // KILL) is what runs: its arity and flags are the ones checked.
  const CommandSpec* base = commands_.Find(args[0]);
  const CommandSpec* spec = base ? base->Resolve(args) : nullptr;
  // A refused command: inside MULTI it fails the transaction; a refused EXEC answers
  // EXECABORT (in or out of MULTI) and discards it, as Redis's rejectCommand.
  auto refuse = [&](const Refusal& r) {
    if (spec && spec->name == "exec" && r.fails_transaction) {
      reply.Error("EXECABORT Transaction discarded because of: " + r.error);
      if (session.tx.active) DiscardTransaction(session);
      return;
    }
    reply.Error(r.error);
    if (session.tx.active && r.fails_transaction) session.tx.failed = true;
  };
  const bool from_script = session.origin == Origin::kScript;
  if (from_script && (base == nullptr || spec == nullptr)) {
    refuse({"ERR Unknown Redis command called from script"});
  } else if (base == nullptr) {
    refuse({UnknownCommandError(args)});  // Redis counts no call for it, only the error
  } else if (spec == nullptr) {
    std::string container = base->name;
    ToUpperInPlace(container);
    refuse({errors::UnknownSubcommand(args[1].substr(0, 128), container)});
    RecordRejected(*base, args, thread);  // a rejected call of the container, as Redis
  } else {
    const Call call{*this, session, args, *base, *spec, CallFlags(*spec, args), thread, caller == nullptr};
    const Verdict verdict = from_script ? kScriptChecks(call) : kChecks(call);
    if (verdict) {
      refuse(*verdict);
      RecordRejected(*spec, args, thread);
    } else if (from_script && session.scope != nullptr &&
               !session.scope->Admit(*spec, args, session.db, call.writes())) {
      // Beyond the script's declared keys: its attempt stops, is rolled back and runs
      // again holding every shard; nothing to reply or count (script_scope.h).
    } else if (session.tx.active && !RunsInsideMulti(spec->name)) {
      session.tx.queued.emplace_back(args.begin(), args.end());
      if (session.info) session.info->multi.store(static_cast<int>(session.tx.queued.size()), std::memory_order_relaxed);
      reply.SimpleString("QUEUED");
    } else {
      Run(session, *spec, args, reply, thread, caller);
      // A script that wrote may go on writing whatever memory holds (scriptVerifyOOM),
      // and can no longer be killed.
      if (from_script && call.writes()) {
        session.deny_oom = false;
        script_gate_->MarkWrote();
      }
    }
  }
  // CLIENT CACHING answers for the next command (or transaction) only, as Redis's
  // resetClient: anything but a CLIENT command, outside MULTI, consumes it.
  if (caller == nullptr && session.info && session.info->tracking_caching.load(std::memory_order_relaxed) &&
      !session.tx.active && (base == nullptr || base->name != "client")) {
    session.info->tracking_caching.store(false, std::memory_order_relaxed);
  }
  if (caller != nullptr && &reply == caller->reply) {
    // Written into the caller's reply (EXEC's): the caller tells them from its own, and
    // its top-level command files them in errorstats.
    caller->errors_in_calls += reply.errors_written() - errors_before;
  } else {
    // A top-level command, or a call replying elsewhere (a script's redis.call, whose
    // reply the script reads): its errors are filed now.
    CountErrors(reply, thread);
  }
}

void Server::Run(Session& session, const CommandSpec& spec, std::span<const std::string_view> args,
                 ReplyWriter& reply, int thread, CallFrame* caller) {
  const bool top_level = caller == nullptr;
  const uint64_t errors_before = reply.errors_written();
  // CLIENT LIST's cmd= is the client's own command, not the calls its script makes.
  if (session.info && session.origin != Origin::kScript) session.info->last_cmd.store(&spec, std::memory_order_relaxed);
  // The log replayed and the master's stream run at time 0: nothing expires by this
  // server's clock while they apply (the log's entries carry absolute expiry times; the
  // master's DEL arrives instead), as Redis does not expire keys while loading.
  const bool timeless = session.checked_at_source();
  // One counter read serves the clock and the command's duration (which so includes
  // the few nanoseconds of setting up its context and journal scope).
  const uint64_t t0 = CycleClock::Now();
  CallFrame frame{caller, &reply};
  CommandContext ctx(*this, session, args, reply, timeless ? 0 : command_clock_.NowMs(t0), thread, &frame);
  // A replica's clients never see an expired key, but only the master removes it; a
  // paused server (CLIENT PAUSE) removes none either, as Redis.
  if (top_level) {
    Db::SetKeepExpired(!timeless && !(spec.flags & kCmdWrite) && (replication_->is_replica() || pause_.active()));
    // NOLOOP and BCAST tell the writer by this (a script's calls and EXEC's commands are
    // their caller's).
    ClientTracking::SetCurrentClient(session.info ? session.info->id : 0);
  }
  // A tracking client's read registers its keys before it reads them (client_tracking.h).
  if (session.info && (session.info->tracking.load(std::memory_order_relaxed) & kTrackingOn)) {
    RememberReadKeys(session, spec, args);
  }
  {
    // The journal entry of a top-level command (with EXEC's commands and the clients
    // it unblocks) is submitted when this scope closes; nested scopes join it.
    JournalScope journal(session.origin == Origin::kLogReplay ? nullptr : journal_sink());
    Journal* j = Journal::Active();
    uint64_t touches = j ? j->touches() : 0;
    size_t first_record = j ? j->commands().size() : 0;
    int db = session.db;
    spec.handler(ctx);
    const uint64_t ns = CycleClock::ToNanos(CycleClock::Now() - t0);
    if (j) {
      RecordWrite(*j, spec, db, args, touches, first_record, session.repl_targets, top_level);
      j->EndCommand((spec.flags & kCmdWrite) && j->touches() != touches);
    }
    const uint64_t own_errors = reply.errors_written() - errors_before - frame.errors_in_calls;
    RecordCall(session, spec, args, thread, ns, own_errors > 0);
    threads_[static_cast<size_t>(thread)]->stats().commands.Add();
    // Clients blocked on keys this command pushed to are served now that its locks are
    // released (after the whole transaction for EXEC), and BCAST clients hear of what it
    // changed.
    if (top_level) AfterKeyspaceChanges();
  }
  if (!top_level) return;
  if (journal_sink()) session.last_write_seq = Journal::LastSubmitted();
  if (session.save_after_command) SaveAfterCommand(session);
}

// Redis's trackingRememberKeys: the keys of a read-only command a client in default
// tracking mode runs (in OPTIN mode only after CLIENT CACHING yes, in OPTOUT mode not
// after CLIENT CACHING no). A script's commands count for the client that runs it.
void Server::RememberReadKeys(const Session& session, const CommandSpec& spec, std::span<const std::string_view> args) {
  const ClientInfo& info = *session.info;
  const uint32_t tracking = info.tracking.load(std::memory_order_relaxed);
  if (tracking & kTrackingBcast) return;
  if (!(spec.flags & kCmdReadOnly) || (spec.flags & (kCmdScriptRunner | kCmdPubSub))) return;
  const bool caching = info.tracking_caching.load(std::memory_order_relaxed);
  if (((tracking & kTrackingOptin) && !caching) || ((tracking & kTrackingOptout) && caching)) return;
  if (spec.key_info == nullptr || spec.key_info->specs.empty()) return;
  std::vector<FoundKey> found;
  if (!FindKeys(spec.key_info->specs, args, &found) || found.empty()) return;
  std::vector<std::string_view> keys;
  keys.reserve(found.size());
  for (const FoundKey& k : found) keys.push_back(args[k.pos]);
  tracking_.Remember(info.id, keys);
}

uint32_t Server::CallFlags(const CommandSpec& spec, std::span<const std::string_view> args) const {
  if (!(spec.flags & kCmdScriptRunner) || !spec.ArityOk(args.size())) return spec.flags;
  return CommandFlagsForScript(spec.flags, DeclaredScriptFlags(scripts_, functions_, spec.name, args));
}

bool Server::QueuedCommandHas(const Session& session, uint32_t flags) const {
  for (const auto& q : session.tx.queued) {
    std::vector<std::string_view> args(q.begin(), q.end());
    const CommandSpec* spec = commands_.FindCall(args);
    if (spec && (CallFlags(*spec, args) & flags)) return true;
  }
  return false;
}

// What the journal records for a command that ran: its argv (or what its handler
// substituted) when it wrote; EXEC's commands wrapped in MULTI/EXEC.
void Server::RecordWrite(Journal& j, const CommandSpec& spec, int db, std::span<const std::string_view> args,
                         uint64_t touches_before, size_t first_record, uint8_t targets, bool top_level) {
  std::vector<std::vector<std::string>> substitute;
  bool substituted = j.TakeSubstitute(&substitute);
  if (!j.wrote()) return;  // nothing recorded (yet): nothing to add
  if (RecordsCallsAsOne(spec)) {
    auto& recs = j.commands();
    if (recs.size() > first_record + 1) {
      // The wrapper goes wherever one of the commands it wraps goes (redis.set_repl).
      uint8_t wrapped = 0;
      for (size_t i = first_record; i < recs.size(); ++i) wrapped |= recs[i].targets;
      JournalCommand multi{db, EncodeCommand({"MULTI"}), wrapped};
      recs.insert(recs.begin() + static_cast<ptrdiff_t>(first_record), std::move(multi));
      recs.push_back(JournalCommand{db, EncodeCommand({"EXEC"}), wrapped});
    }
    return;
  }
  // A read-only command records only what its handler substitutes for it (PFCOUNT
  // that refreshed an HLL's cached count records itself, as Redis propagates it).
  if ((!(spec.flags & kCmdWrite) && !substituted) || j.touches() == touches_before) {
    j.FlushExpiries(targets);
    return;
  }
  if (substituted) {
    // Inside EXEC or a script the caller's own MULTI/EXEC wraps them already.
    const bool wrap = top_level && substitute.size() > 1;
    if (wrap) j.AddCommand(db, std::span<const std::string>(std::vector<std::string>{"MULTI"}), targets);
    for (const auto& command : substitute) j.AddCommand(db, std::span<const std::string>(command), targets);
    if (wrap) j.AddCommand(db, std::span<const std::string>(std::vector<std::string>{"EXEC"}), targets);
  } else {
    j.AddCommand(db, args, targets);
  }
}

// The snapshot a command asked for, once its entry was submitted (FLUSHALL with save
// rules). Waited for, as Redis saves before it replies; when one is already running,
// the save rules take another after it.
void Server::SaveAfterCommand(Session& session) {
  session.save_after_command = false;
  if (persistence() == nullptr) return;
  Status s = persistence()->SaveNow();
  if (!s.ok()) Log(LogLevel::kNotice, "No snapshot after the flush: {}", s.message());
}

}  // namespace minired
