// SLOWLOG GET | LEN | RESET | HELP; LATENCY LATEST | HISTORY | RESET | GRAPH | DOCTOR |
// HISTOGRAM | HELP; MONITOR.
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "server/server.h"

namespace minired {
namespace {

int64_t NowSeconds(CommandContext& ctx) { return ctx.now_ms() / 1000; }

void SlowlogGet(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() == 3) {
    auto n = ParseInt64(ctx.arg(2));
    if (!n || *n < -1) return ctx.reply().Error("ERR count should be greater than or equal to -1");
    count = *n;
  }
  std::vector<SlowLogEntry> entries = ctx.server().slowlog().Newest(count);
  ReplyWriter& r = ctx.reply();
  r.ArrayHeader(entries.size());
  for (const SlowLogEntry& e : entries) {
    r.ArrayHeader(6);
    r.Integer(e.id);
    r.Integer(e.time_s);
    r.Integer(e.duration_us);
    r.ArrayHeader(e.args.size());
    for (const std::string& a : e.args) r.Bulk(a);
    r.Bulk(e.addr);
    r.Bulk(e.name);
  }
}

void CmdSlowlog(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "HELP") && ctx.argc() == 2) {
    static const char* kHelp[] = {
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help.",
    };
    return ReplyHelp(ctx, kHelp);
  }
  if (EqualsIgnoreCase(sub, "GET")) {
    if (CheckSubcommandArity(ctx, "slowlog", sub, ctx.argc() <= 3)) SlowlogGet(ctx);
  } else if (EqualsIgnoreCase(sub, "LEN")) {
    ctx.reply().Integer(static_cast<int64_t>(ctx.server().slowlog().size()));
  } else if (EqualsIgnoreCase(sub, "RESET")) {
    ctx.server().slowlog().Reset();
    ctx.reply().Ok();
  } else {
    ctx.reply().Error(errors::UnknownSubcommand(sub, "SLOWLOG"));
  }
}

void LatencyLatest(CommandContext& ctx) {
  auto events = ctx.server().latency().Snapshot();
  ReplyWriter& r = ctx.reply();
  size_t n = 0;
  for (const auto& [name, series] : events) n += series.Latest() != nullptr;
  r.ArrayHeader(n);
  for (const auto& [name, series] : events) {
    const LatencySample* last = series.Latest();
    if (!last) continue;
    r.ArrayHeader(4);
    r.Bulk(name);
    r.Integer(last->time_s);
    r.Integer(last->ms);
    r.Integer(series.max_ms);
  }
}

void LatencyHistory(CommandContext& ctx) {
  auto events = ctx.server().latency().Snapshot();
  auto it = events.find(std::string(ctx.arg(2)));
  std::vector<LatencySample> h;
  if (it != events.end()) h = it->second.History();
  ctx.reply().ArrayHeader(h.size());
  for (const LatencySample& s : h) {
    ctx.reply().ArrayHeader(2);
    ctx.reply().Integer(s.time_s);
    ctx.reply().Integer(s.ms);
  }
}

void LatencyGraphCmd(CommandContext& ctx) {
  auto events = ctx.server().latency().Snapshot();
  auto it = events.find(std::string(ctx.arg(2)));
  if (it == events.end() || it->second.History().empty()) {
    return ctx.reply().Error("ERR No samples available for event '" + std::string(ctx.arg(2)) + "'");
  }
  ctx.reply().Verbatim(LatencyGraph(ctx.arg(2), it->second, NowSeconds(ctx)));
}

// LATENCY HISTOGRAM: for each command, its calls and the cumulative count of calls at or
// below 1, 2, 4, 8... microseconds (Redis's buckets: 1024 ns doubling, in whole
// microseconds), only where the count grows.
void LatencyHistogramCmd(CommandContext& ctx) {
  std::map<std::string, CommandTotals> all = SumCommandStats(ctx.server().command_stats());
  std::vector<std::pair<const std::string*, const CommandTotals*>> chosen;
  if (ctx.argc() == 2) {
    for (const auto& [name, t] : all) {
      if (t.samples > 0) chosen.emplace_back(&name, &t);
    }
  } else {
    for (size_t i = 2; i < ctx.argc(); ++i) {
      std::string name(ctx.arg(i));
      ToLowerInPlace(name);
      auto it = all.find(name);
      if (it == all.end() || it->second.samples == 0) continue;
      if (std::none_of(chosen.begin(), chosen.end(), [&](const auto& c) { return *c.first == name; })) {
        chosen.emplace_back(&it->first, &it->second);
      }
    }
  }
  ReplyWriter& r = ctx.reply();
  r.MapHeader(chosen.size());
  for (const auto& [name, t] : chosen) {
    r.Bulk(*name);
    r.MapHeader(2);
    r.Bulk("calls");
    r.Integer(static_cast<int64_t>(t->samples));
    r.Bulk("histogram_usec");
    std::vector<std::pair<int64_t, uint64_t>> points;
    uint64_t cumulative = 0, previous = 0;
    size_t bucket = 0;
    for (uint64_t bound = 1024; previous < t->samples; bound *= 2) {
      while (bucket < t->histogram.size() && LatencyHistogram::BucketHighest(bucket) < bound) {
        cumulative += t->histogram[bucket++];
      }
      if (bucket >= t->histogram.size()) cumulative = t->samples;
      if (cumulative > previous) points.emplace_back(static_cast<int64_t>(bound / 1000), cumulative);
      previous = cumulative;
    }
    r.MapHeader(points.size());
    for (const auto& [us, n] : points) {
      r.Integer(us);
      r.Integer(static_cast<int64_t>(n));
    }
  }
}

void CmdLatency(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  Server& server = ctx.server();
  if (EqualsIgnoreCase(sub, "HELP") && ctx.argc() == 2) {
    static const char* kHelp[] = {
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help.",
    };
    return ReplyHelp(ctx, kHelp);
  }
  if (EqualsIgnoreCase(sub, "LATEST")) {
    LatencyLatest(ctx);
  } else if (EqualsIgnoreCase(sub, "HISTORY")) {
    LatencyHistory(ctx);
  } else if (EqualsIgnoreCase(sub, "GRAPH")) {
    LatencyGraphCmd(ctx);
  } else if (EqualsIgnoreCase(sub, "DOCTOR")) {
    ctx.reply().Verbatim(LatencyDoctor(server.latency().Snapshot(), server.latency().threshold_ms()));
  } else if (EqualsIgnoreCase(sub, "RESET")) {
    std::vector<std::string> events;
    for (size_t i = 2; i < ctx.argc(); ++i) events.emplace_back(ctx.arg(i));
    ctx.reply().Integer(static_cast<int64_t>(server.latency().Reset(events)));
  } else if (EqualsIgnoreCase(sub, "HISTOGRAM")) {
    LatencyHistogramCmd(ctx);
  } else {
    ctx.reply().Error(errors::UnknownSubcommand(sub, "LATENCY"));
  }
}

void CmdMonitor(CommandContext& ctx) {
  ClientHooks* hooks = ctx.session().hooks;
  if (hooks == nullptr || !hooks->StartMonitor()) {
    return ctx.reply().Error("ERR MONITOR isn't allowed for this client");
  }
  ctx.reply().Ok();
}

}  // namespace

void RegisterObservabilityFamily(CommandTable* t) {
  const char* g = "server";
  const uint32_t f = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  t->Register(MakeContainer(g, "slowlog", "A container for slow log commands.", "2.2.12", CmdSlowlog, {
      MakeSub("get", -2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("len", 2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("reset", 2, kCmdAdmin | kCmdLoading | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@slow"}),
  }));
  t->Register(MakeContainer(g, "latency", "A container for latency diagnostics commands.", "2.8.13", CmdLatency, {
      MakeSub("latest", 2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("history", 3, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("reset", -2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("graph", 3, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("doctor", 2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("histogram", -2, kCmdAdmin | kCmdLoading | kCmdNoScript | kCmdStale, 0, 0, 0, {"@admin", "@dangerous", "@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@slow"}),
  }));
  t->Register(MakeSpec(g, "monitor", 1, f, 0, 0, 0, "Listens for all requests received by the server in real-time.",
                       "1.0.0", CmdMonitor, {"@admin", "@slow", "@dangerous"}));
}

}  // namespace minired
