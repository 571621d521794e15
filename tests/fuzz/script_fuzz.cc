// libFuzzer target for scripts: random Lua source and arguments run by EVAL_RO (and
// SCRIPT LOAD + EVALSHA_RO) through the dispatcher of an in-memory server, in RESP2 and
// RESP3. Whatever the script does (syntax errors, runtime errors, deep tables, cyclic
// tables, huge strings bounded by the VM's memory limit, calls with odd arguments,
// cjson/cmsgpack/struct/bit on garbage), its reply must be well-formed RESP and the
// server must survive it (AddressSanitizer, UndefinedBehaviorSanitizer).
//
// Scripts may loop forever: they run read-only (so they can always be killed) and a
// watchdog thread sends SCRIPT KILL's request once one has run for 100 ms
// (busy-reply-threshold is 20 ms here, so the script's hook is listening). Each VM may
// hold 64 MB here instead of 1 GB, so memory bombs fail fast under the sanitizers.
//
// The input: the script's source, then its arguments, separated by NUL bytes; the
// first argument byte's low two bits say how many of the arguments are keys.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "protocol/reply_parser.h"
#include "protocol/reply_writer.h"
#include "server/config.h"
#include "server/script_gate.h"
#include "server/scripting/lua_engine.h"
#include "server/server.h"
#include "server/session.h"
#include "storage/clock.h"
#include "storage/lazy_free.h"

namespace {

using namespace minired;

struct Harness {
  ServerConfig config;
  ManualClock clock;
  std::unique_ptr<Server> server;
  std::thread watchdog;
  std::atomic<bool> stop{false};

  Harness() {
    config.threads = 1;
    config.shards = 4;
    config.databases = 2;
    config.limits.busy_reply_threshold_ms = 20;
    LuaEngine::SetVmMemoryLimit(int64_t{64} << 20);
    server = std::make_unique<Server>(config, &clock);
    watchdog = std::thread([this] {
      auto since = std::chrono::steady_clock::now();
      bool was_running = false;
      while (!stop.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        const bool running = server->script_gate().running();
        if (!running || !was_running) since = std::chrono::steady_clock::now();
        was_running = running;
        if (running && std::chrono::steady_clock::now() - since > std::chrono::milliseconds(100)) {
          server->script_gate().RequestKill(true);
        }
      }
    });
  }
  ~Harness() {
    stop = true;
    watchdog.join();
  }
};

Harness& Get() {
  static Harness* h = new Harness();  // lives for the process, as its watchdog does
  return *h;
}

[[noreturn]] void BadReply(std::string_view body, const std::string& out) {
  std::fprintf(stderr, "malformed reply to a script of %zu bytes: '%.*s'\n", body.size(),
               static_cast<int>(std::min<size_t>(out.size(), 512)), out.data());
  std::abort();
}

void Run(Server& server, Session& session, const std::vector<std::string_view>& args, std::string_view body) {
  std::string out;
  ReplyWriter reply(&out, session.resp);
  server.Execute(session, args, reply);
  ReplyParser parser;
  parser.Feed(out);
  RespValue v;
  while (parser.buffered() > 0) {
    if (parser.Next(&v) != ReplyParser::Result::kOk) BadReply(body, out);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Harness& h = Get();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  while (true) {
    const size_t nul = input.find('\0');
    parts.push_back(input.substr(0, nul));
    if (nul == std::string_view::npos || parts.size() == 16) break;
    input.remove_prefix(nul + 1);
  }
  const std::string_view body = parts[0];
  std::vector<std::string_view> params(parts.begin() + 1, parts.end());
  const size_t numkeys = params.empty() || params[0].empty() ? 0 : std::min<size_t>(params[0][0] & 3, params.size());
  const std::string numkeys_text = std::to_string(numkeys);

  ClientInfo info;
  Session session;
  session.info = &info;
  for (int resp : {2, 3}) {
    session.resp = resp;
    std::vector<std::string_view> eval = {"EVAL_RO", body, numkeys_text};
    eval.insert(eval.end(), params.begin(), params.end());
    Run(*h.server, session, eval, body);
  }
  std::string out;
  ReplyWriter load_reply(&out, 2);
  const std::vector<std::string_view> load = {"SCRIPT", "LOAD", body};
  h.server->Execute(session, load, load_reply);
  if (out.size() > 45 && out[0] == '$') {
    const std::string sha = out.substr(5, 40);
    std::vector<std::string_view> evalsha = {"EVALSHA_RO", sha, numkeys_text};
    evalsha.insert(evalsha.end(), params.begin(), params.end());
    Run(*h.server, session, evalsha, body);
  }
  h.server->ResetSessionState(session);
  while (minired::LazyFreer::Global().pending() > 0) std::this_thread::yield();
  return 0;
}
