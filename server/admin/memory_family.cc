// MEMORY USAGE | STATS | DOCTOR | MALLOC-STATS | PURGE | HELP.
#include <fmt/format.h>

#include <climits>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/admin/info.h"
#include "server/admin/memory_report.h"
#include "server/families/spec.h"
#include "server/server.h"
#include "storage/memory.h"

namespace minired {
namespace {

double Percent(int64_t part, int64_t whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// MEMORY USAGE key [SAMPLES count]: the entry, its collection (elements estimated from
// `count` of them, 5 by default, 0 for all) and its share of the key tables.
void MemoryUsage(CommandContext& ctx) {
  int64_t samples = 5;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "SAMPLES") && i + 1 < ctx.argc()) {
      auto n = IntArg(ctx, ctx.arg(i + 1));
      if (!n) return;
      if (*n < 0) return ctx.reply().Error(errors::kSyntax);
      samples = *n;
      ++i;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  std::string_view key = ctx.arg(2);
  uint64_t hash = HashKey(key);
  Shard& shard = ctx.shards().ShardFor(hash);
  std::lock_guard<ShardMutex> l(shard.mu());
  Db& db = shard.db(ctx.db());
  // As Redis's dbFind: no expiry check and no access recorded.
  Db::Slot s = db.Find(key, hash, 0);
  if (!s) return ctx.reply().Null();
  size_t bytes = s.entry->AllocatedSize(static_cast<size_t>(samples)) + db.TableBytesPerKey(s.entry->has_expire());
  ctx.reply().Integer(static_cast<int64_t>(bytes));
}

// In Redis 7.0's order; the allocator figures as in INFO memory (info.cc).
void MemoryStats(CommandContext& ctx) {
  MemoryReport r = CollectMemoryReport(ctx.server());
  const AllocatorFigures& a = r.allocator;
  const int64_t net = r.used - r.startup;
  ReplyWriter& w = ctx.reply();
  w.MapHeader(27 + r.dbs.size());
  auto integer = [&](const char* name, int64_t v) {
    w.Bulk(name);
    w.Integer(v);
  };
  auto real = [&](const char* name, double v) {
    w.Bulk(name);
    w.Double(v);
  };
  integer("peak.allocated", r.peak);
  integer("total.allocated", r.used);
  integer("startup.allocated", r.startup);
  integer("replication.backlog", r.backlog);
  integer("clients.slaves", r.clients_replicas);
  integer("clients.normal", r.clients_normal);
  integer("cluster.links", 0);
  integer("aof.buffer", r.log_buffer);
  integer("lua.caches", r.script_caches);
  integer("functions.caches", r.function_caches);
  for (const auto& d : r.dbs) {
    w.Bulk(fmt::format("db.{}", d.db));
    w.MapHeader(2);
    integer("overhead.hashtable.main", d.main_table);
    integer("overhead.hashtable.expires", d.expires_table);
  }
  integer("overhead.total", r.overhead());
  integer("keys.count", r.keys);
  integer("keys.bytes-per-key", r.keys > 0 ? net / r.keys : 0);
  integer("dataset.bytes", r.dataset());
  real("dataset.percentage", Percent(r.dataset(), net));
  real("peak.percentage", Percent(r.used, r.peak));
  integer("allocator.allocated", a.allocated);
  integer("allocator.active", a.active);
  integer("allocator.resident", a.resident);
  real("allocator-fragmentation.ratio", r.allocator_frag().ratio);
  integer("allocator-fragmentation.bytes", r.allocator_frag().bytes);
  real("allocator-rss.ratio", r.allocator_rss().ratio);
  integer("allocator-rss.bytes", r.allocator_rss().bytes);
  real("rss-overhead.ratio", r.rss_overhead().ratio);
  integer("rss-overhead.bytes", r.rss_overhead().bytes);
  real("fragmentation", r.fragmentation().ratio);
  integer("fragmentation.bytes", r.fragmentation().bytes);
}

// MEMORY DOCTOR: the conditions an operator should act on, in plain words.
void MemoryDoctor(CommandContext& ctx) {
  MemoryReport r = CollectMemoryReport(ctx.server());
  constexpr int64_t kMb = 1 << 20;
  if (r.used < 5 * kMb) {
    return ctx.reply().Verbatim(
        "This instance is empty or uses very little memory (under 5 MB); there is nothing to diagnose yet.\n");
  }
  std::string out;
  if (r.peak > r.used * 3 / 2) {
    out += fmt::format(
        " * Peak memory: this instance once used {} (over 150% of the {} it uses now). The allocator may "
        "keep that memory in RSS; MEMORY PURGE returns free pages to the system.\n",
        BytesToHuman(r.peak), BytesToHuman(r.used));
  }
  const MemoryReport::Gap frag = r.fragmentation();
  if (frag.ratio > 1.4 && frag.bytes > 10 * kMb) {
    out += fmt::format(
        " * High RSS overhead: the process holds {:.2f} times the memory it uses ({} in RSS for {} used), "
        "typically after many deletions or evictions. MEMORY PURGE may help.\n",
        frag.ratio, BytesToHuman(r.rss), BytesToHuman(r.used));
  }
  if (r.normal_clients > 0 && r.clients_normal / r.normal_clients > 200 * 1024) {
    out += fmt::format(
        " * Big client buffers: clients hold {} of query and output buffers ({} clients); look for clients "
        "that read slowly or send huge pipelines (CLIENT LIST omem/qbuf).\n",
        BytesToHuman(r.clients_normal), r.normal_clients);
  }
  if (r.clients_replicas > 10 * kMb) {
    out += fmt::format(
        " * Big replica buffers: {} waits to be sent to replicas; a replica may be slow or its link "
        "saturated.\n",
        BytesToHuman(r.clients_replicas));
  }
  ctx.reply().Verbatim(out.empty() ? "No memory issue found in this instance.\n"
                                   : "Memory issues found in this instance:\n\n" + out);
}

void CmdMemory(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "HELP") && ctx.argc() == 2) {
    static const char* kHelp[] = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.",
    };
    ReplyHelp(ctx, kHelp);
    return;
  }
  if (EqualsIgnoreCase(sub, "USAGE")) {
    MemoryUsage(ctx);
  } else if (EqualsIgnoreCase(sub, "STATS")) {
    MemoryStats(ctx);
  } else if (EqualsIgnoreCase(sub, "DOCTOR")) {
    MemoryDoctor(ctx);
  } else if (EqualsIgnoreCase(sub, "MALLOC-STATS")) {
    ctx.reply().Verbatim(AllocatorStats());
  } else if (EqualsIgnoreCase(sub, "PURGE")) {
    ctx.server().GiveMemoryBack();  // every I/O thread's heap, as jemalloc's purge is process-wide
    ctx.reply().Ok();
  } else {
    ctx.reply().Error(errors::UnknownSubcommand(sub, "MEMORY"));
  }
}

}  // namespace

void RegisterMemoryFamily(CommandTable* t) {
  t->Register(MakeContainer("server", "memory", "A container for memory diagnostics commands.", "4.0.0", CmdMemory, {
      MakeSub("usage", -3, kCmdReadOnly, 2, 2, 1, {"@read", "@slow"}),
      MakeSub("stats", 2, 0, 0, 0, 0, {"@slow"}),
      MakeSub("doctor", 2, 0, 0, 0, 0, {"@slow"}),
      MakeSub("malloc-stats", 2, 0, 0, 0, 0, {"@slow"}),
      MakeSub("purge", 2, 0, 0, 0, 0, {"@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@slow"}),
  }));
}

}  // namespace minired
