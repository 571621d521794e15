// libFuzzer target for the command layer: random argv into the dispatcher of an
// in-memory server (no sockets, no files, a manual clock).
//
// The input is a RESP/inline command stream (so the seed corpus is readable, and the
// parser's quirks are not in the way); each command runs through Server::Execute as a
// connection would run it. Whatever a command does, its reply must be well-formed RESP
// in the protocol the session speaks, and nothing may crash, leak or read out of bounds
// (AddressSanitizer, UndefinedBehaviorSanitizer).
//
// The pseudo-command `FUZZ.ADVANCE <ms>` moves the clock, so expiry paths are reached.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "protocol/numbers.h"
#include "protocol/reply_parser.h"
#include "protocol/reply_writer.h"
#include "protocol/request_parser.h"
#include "server/config.h"
#include "server/server.h"
#include "server/session.h"
#include "storage/clock.h"
#include "storage/lazy_free.h"

namespace {

using namespace minired;

constexpr size_t kMaxCommands = 256;

bool Is(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

// A script that may not end: Lua can loop (while, repeat, for, recursion) and build
// code (loadstring), and nothing interrupts a script yet (docs/scripting.md), so the
// harness leaves such scripts out rather than report them as hangs.
bool MayLoop(std::string_view body) {
  for (std::string_view word : {"while", "repeat", "for", "function", "loadstring", "load", "rep", "gsub", "pcall"}) {
    if (body.find(word) != std::string_view::npos) return true;
  }
  return false;
}

// What the harness must not run in-process: commands that end or stall the process,
// reach the network, or write outside memory. Everything else runs.
bool Excluded(const std::vector<std::string_view>& args) {
  std::string_view cmd = args[0];
  if (Is(cmd, "SHUTDOWN") || Is(cmd, "REPLICAOF") || Is(cmd, "SLAVEOF") || Is(cmd, "MONITOR")) return true;
  if ((Is(cmd, "EVAL") || Is(cmd, "EVAL_RO")) && args.size() >= 2 && MayLoop(args[1])) return true;
  if (Is(cmd, "SCRIPT") && args.size() >= 3 && MayLoop(args[2])) return true;
  if (args.size() < 2) return false;
  std::string_view sub = args[1];
  if (Is(cmd, "DEBUG") && Is(sub, "SLEEP")) return true;
  if (Is(cmd, "CONFIG") && Is(sub, "REWRITE")) return true;
  if (Is(cmd, "CONFIG") && Is(sub, "SET")) {
    for (size_t i = 2; i < args.size(); i += 2) {
      std::string_view opt = args[i];
      if (Is(opt, "dir") || Is(opt, "logfile") || Is(opt, "pidfile") || Is(opt, "aclfile") ||
          Is(opt, "dbfilename") || Is(opt, "appendfilename")) {
        return true;
      }
    }
  }
  return false;
}

[[noreturn]] void BadReply(const std::vector<std::string_view>& args, const std::string& out) {
  std::fprintf(stderr, "malformed reply to '%.*s' (%zu args): '%.*s'\n", static_cast<int>(args[0].size()),
               args[0].data(), args.size(), static_cast<int>(std::min<size_t>(out.size(), 512)), out.data());
  std::abort();
}

// Every byte a command wrote must belong to complete replies.
void CheckReplies(const std::vector<std::string_view>& args, const std::string& out) {
  ReplyParser parser;
  parser.Feed(out);
  RespValue v;
  while (parser.buffered() > 0) {
    if (parser.Next(&v) != ReplyParser::Result::kOk) BadReply(args, out);
  }
}

}  // namespace

namespace {

void RunCommands(std::string_view input) {
  ServerConfig config;
  config.threads = 1;
  config.shards = 4;
  config.databases = 4;
  ManualClock clock;
  Server server(config, &clock);
  ClientInfo info;
  Session session;
  session.info = &info;

  RequestParser parser;
  size_t commands = 0;
  while (!input.empty() && commands < kMaxCommands) {
    size_t consumed = 0;
    if (parser.Parse(input, &consumed) != RequestParser::Result::kOk) break;
    std::vector<std::string_view> args = parser.args();
    input.remove_prefix(consumed);
    if (args.empty()) continue;
    ++commands;
    if (Is(args[0], "FUZZ.ADVANCE") && args.size() == 2) {
      if (auto ms = ParseInt64(args[1]); ms && *ms >= 0 && *ms < (int64_t{1} << 40)) clock.AdvanceMs(*ms);
      continue;
    }
    if (Excluded(args)) continue;
    std::string out;
    ReplyWriter reply(&out, session.resp);
    server.Execute(session, args, reply);
    CheckReplies(args, out);
    if (session.close_after_reply) break;  // QUIT, CLIENT KILL of itself: the connection is gone
  }
  server.ResetSessionState(session);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RunCommands(std::string_view(reinterpret_cast<const char*>(data), size));
  // FLUSHALL ASYNC, UNLINK...: what the lazy-free thread still holds belongs to this
  // input (its entries are reached only through tagged table slots, which the leak
  // checker that runs after each input cannot follow).
  while (minired::LazyFreer::Global().pending() > 0) std::this_thread::yield();
  return 0;
}
