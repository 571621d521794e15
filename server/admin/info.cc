#include "server/admin/info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "server/evictor.h"
#include "server/admin/memory_report.h"
#include "server/persistence.h"
#include "server/replication.h"
#include "server/scripting/lua_engine.h"
#include "server/server.h"
#include "storage/memory.h"

namespace minired {

extern const char kRedisCompatVersion[];

std::string BytesToHuman(int64_t n) {
  double d = static_cast<double>(n);
  if (n < 1024) return fmt::format("{}B", n);
  if (n < 1024LL * 1024) return fmt::format("{:.2f}K", d / 1024);
  if (n < 1024LL * 1024 * 1024) return fmt::format("{:.2f}M", d / (1024 * 1024));
  if (n < 1024LL * 1024 * 1024 * 1024) return fmt::format("{:.2f}G", d / (1024.0 * 1024 * 1024));
  return fmt::format("{:.2f}T", d / (1024.0 * 1024 * 1024 * 1024));
}

namespace {

std::string ServerSection(Server& s) {
  struct utsname u;
  uname(&u);
  int64_t now = s.clock().NowMs();
  int64_t uptime = (now - s.start_time_ms()) / 1000;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  exe[n > 0 ? n : 0] = '\0';
  return fmt::format(
      "redis_version:{}\r\nminired_version:0.1.0\r\nredis_git_sha1:00000000\r\n"
      "redis_git_dirty:0\r\nredis_build_id:0\r\nredis_mode:standalone\r\nos:{} {} {}\r\n"
      "arch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n"
      "gcc_version:{}.{}.{}\r\nprocess_id:{}\r\nprocess_supervised:{}\r\nrun_id:{}\r\n"
      "tcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\n"
      "hz:{}\r\nconfigured_hz:{}\r\nlru_clock:{}\r\nexecutable:{}\r\nconfig_file:{}\r\n"
      "io_threads_active:{}\r\nthreads:{}\r\nshards:{}\r\n",
      kRedisCompatVersion, u.sysname, u.release, u.machine, __GNUC__, __GNUC_MINOR__,
      __GNUC_PATCHLEVEL__, getpid(), SupervisedModeName(s.supervision().mode()), s.run_id(), s.listening_port(), s.clock().NowUs(), uptime,
      uptime / 86400, s.config().hz.load(), s.config().hz.load(), (now / 1000) & 0xffffff, exe,
      s.config().config_file, s.thread_count() > 1 ? 1 : 0, s.thread_count(), s.shards().size());
}

std::string ClientsSection(Server& s) {
  size_t max_in = 0, max_out = 0;
  for (const auto& c : s.clients().Snapshot()) {
    max_in = std::max(max_in, c->query_buffer.load() + c->query_buffer_free.load());
    max_out = std::max(max_out, c->output_buffer.load());
  }
  return fmt::format(
      "connected_clients:{}\r\ncluster_connections:0\r\nclient_recent_max_input_buffer:{}\r\n"
      "client_recent_max_output_buffer:{}\r\nblocked_clients:{}\r\ntracking_clients:{}\r\n"
      "clients_in_timeout_table:{}\r\n",
      s.clients().size(), max_in, max_out, s.blocking().blocked_clients(), s.tracking().tracking_clients(),
      s.blocking().blocked_clients());
}

// Scripts: every I/O thread's two Lua VMs (EVAL's, functions'), the cached bodies and
// the function libraries' code.
std::string ScriptMemoryFields(Server& s) {
  const int64_t vm = LuaEngine::AllVmBytes();
  const int64_t vm_functions = LuaEngine::AllFunctionVmBytes();
  const int64_t bodies = static_cast<int64_t>(s.scripts().body_bytes());
  const auto functions = s.functions().state();
  const int64_t libraries = static_cast<int64_t>(s.functions().code_bytes());
  return fmt::format(
      "used_memory_lua:{}\r\nused_memory_vm_eval:{}\r\nused_memory_lua_human:{}\r\nused_memory_scripts_eval:{}\r\n"
      "number_of_cached_scripts:{}\r\nnumber_of_functions:{}\r\nnumber_of_libraries:{}\r\n"
      "used_memory_vm_functions:{}\r\nused_memory_vm_total:{}\r\nused_memory_vm_total_human:{}\r\n"
      "used_memory_functions:{}\r\nused_memory_scripts:{}\r\nused_memory_scripts_human:{}\r\n",
      vm, vm, BytesToHuman(vm), bodies, s.scripts().size(), functions->function_count(), functions->libraries.size(),
      vm_functions, vm + vm_functions, BytesToHuman(vm + vm_functions), libraries, bodies + libraries,
      BytesToHuman(bodies + libraries));
}

// In Redis 7.0's order, with used_memory_tables (the key tables) added. The allocator
// figures are mimalloc's (storage/memory.h): allocator_frag is what its pages hold
// beyond the blocks handed out, allocator_rss what of those pages is not resident,
// rss_overhead what the process holds outside them (code, stacks, the C library's heap).
std::string MemorySection(Server& s) {
  MemoryReport r = CollectMemoryReport(s);
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  int64_t total = static_cast<int64_t>(pages) * page;
  const EvictionConfig& ev = s.config().eviction;
  int64_t maxmemory = ev.maxmemory.load();
  int64_t overhead = r.overhead(), dataset = r.dataset();
  int64_t net = r.used - r.startup;
  const AllocatorFigures& a = r.allocator;
  std::string out = fmt::format(
      "used_memory:{}\r\nused_memory_human:{}\r\nused_memory_rss:{}\r\nused_memory_rss_human:{}\r\n"
      "used_memory_peak:{}\r\nused_memory_peak_human:{}\r\nused_memory_peak_perc:{:.2f}%\r\n"
      "used_memory_overhead:{}\r\nused_memory_startup:{}\r\nused_memory_dataset:{}\r\n"
      "used_memory_dataset_perc:{:.2f}%\r\nused_memory_tables:{}\r\n"
      "allocator_allocated:{}\r\nallocator_active:{}\r\nallocator_resident:{}\r\n"
      "total_system_memory:{}\r\ntotal_system_memory_human:{}\r\n{}"
      "maxmemory:{}\r\nmaxmemory_human:{}\r\nmaxmemory_policy:{}\r\n",
      r.used, BytesToHuman(r.used), r.rss, BytesToHuman(r.rss), r.peak, BytesToHuman(r.peak),
      r.peak > 0 ? 100.0 * static_cast<double>(r.used) / static_cast<double>(r.peak) : 0.0, overhead, r.startup,
      dataset, net > 0 ? 100.0 * static_cast<double>(dataset) / static_cast<double>(net) : 0.0, r.tables(),
      a.allocated, a.active, a.resident, total, BytesToHuman(total), ScriptMemoryFields(s), maxmemory,
      BytesToHuman(maxmemory), EvictionPolicyName(ev.policy.load()));
  out += fmt::format(
      "allocator_frag_ratio:{:.2f}\r\nallocator_frag_bytes:{}\r\nallocator_rss_ratio:{:.2f}\r\n"
      "allocator_rss_bytes:{}\r\nrss_overhead_ratio:{:.2f}\r\nrss_overhead_bytes:{}\r\n"
      "mem_fragmentation_ratio:{:.2f}\r\nmem_fragmentation_bytes:{}\r\nmem_not_counted_for_evict:{}\r\n"
      "mem_replication_backlog:{}\r\nmem_total_replication_buffers:{}\r\nmem_clients_slaves:{}\r\n"
      "mem_clients_normal:{}\r\nmem_cluster_links:0\r\nmem_aof_buffer:{}\r\nmem_allocator:{}\r\n"
      "active_defrag_running:0\r\nlazyfree_pending_objects:{}\r\nlazyfreed_objects:{}\r\n",
      r.allocator_frag().ratio, r.allocator_frag().bytes, r.allocator_rss().ratio, r.allocator_rss().bytes,
      r.rss_overhead().ratio, r.rss_overhead().bytes, r.fragmentation().ratio, r.fragmentation().bytes,
      r.not_counted_for_evict,
      r.backlog, r.backlog + r.clients_replicas, r.clients_replicas, r.clients_normal, r.log_buffer,
      AllocatorName(), r.lazyfree_pending, s.lazy_freer().completed());
  return out;
}

std::string StatsSection(Server& s) {
  StatsTotals t = s.Totals();
  std::string out = fmt::format(
      "total_connections_received:{}\r\ntotal_commands_processed:{}\r\n"
      "instantaneous_ops_per_sec:{}\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\n"
      "rejected_connections:{}\r\nexpired_keys:{}\r\nexpired_stale_perc:0.00\r\n"
      "expired_time_cap_reached_count:0\r\nexpire_cycle_cpu_milliseconds:{}\r\nevicted_keys:{}\r\n"
      "evicted_clients:0\r\ntotal_eviction_exceeded_time:{}\r\ncurrent_eviction_exceeded_time:{}\r\n"
      "keyspace_hits:{}\r\nkeyspace_misses:{}\r\npubsub_channels:{}\r\npubsub_patterns:{}\r\n"
      "tracking_total_keys:{}\r\ntracking_total_items:{}\r\ntracking_total_prefixes:{}\r\n"
      "total_error_replies:{}\r\ntotal_reads_processed:{}\r\ntotal_writes_processed:{}\r\n",
      t.connections_received, t.commands, s.instantaneous_ops_per_sec(), t.net_input_bytes,
      t.net_output_bytes, t.rejected_connections, t.expired_keys, t.expire_cycle_us / 1000, t.evicted_keys,
      s.evictor().total_exceeded_ms(), s.evictor().current_exceeded_ms(), t.keyspace_hits, t.keyspace_misses, s.pubsub().Channels("", true).size(), s.pubsub().NumPat(),
      s.tracking().total_keys(), s.tracking().total_items(), s.tracking().total_prefixes(), t.error_replies, t.reads, t.writes);
  s.replication().AppendStats(&out);
  return out;
}

std::string ReplicationSection(Server& s) {
  std::string out;
  s.replication().AppendInfo(&out);
  return out;
}

std::string CpuSection() {
  struct rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return fmt::format(
      "used_cpu_sys:{:.6f}\r\nused_cpu_user:{:.6f}\r\nused_cpu_sys_children:{:.6f}\r\n"
      "used_cpu_user_children:{:.6f}\r\n",
      secs(self.ru_stime), secs(self.ru_utime), secs(children.ru_stime), secs(children.ru_utime));
}

std::string PersistenceSection(Server& s) {
  std::string out;
  if (s.persistence()) {
    s.persistence()->AppendInfo(&out);
  } else {
    out = "loading:0\r\nasync_loading:0\r\nrdb_changes_since_last_save:0\r\nrdb_bgsave_in_progress:0\r\n"
          "rdb_last_save_time:0\r\nrdb_last_bgsave_status:ok\r\naof_enabled:0\r\n"
          "aof_rewrite_in_progress:0\r\naof_last_write_status:ok\r\n";
  }
  return out;
}

std::string KeyspaceSection(Server& s) {
  std::string out;
  ShardSet& shards = s.shards();
  for (int d = 0; d < shards.databases(); ++d) {
    int64_t keys = 0, expires = 0, ttl_sum = 0, ttl_n = 0;
    for (size_t i = 0; i < shards.size(); ++i) {
      Shard& sh = shards.shard(i);
      std::lock_guard<ShardMutex> l(sh.mu());
      Db& db = sh.db(d);
      keys += static_cast<int64_t>(db.size());
      expires += static_cast<int64_t>(db.volatile_size());
      if (db.avg_ttl_ms() > 0) {
        ttl_sum += db.avg_ttl_ms();
        ++ttl_n;
      }
    }
    if (keys == 0) continue;
    out += fmt::format("db{}:keys={},expires={},avg_ttl={}\r\n", d, keys, expires,
                       ttl_n ? ttl_sum / ttl_n : 0);
  }
  return out;
}

}  // namespace

std::string BuildInfo(Server& server, const std::vector<std::string>& requested) {
  struct Section {
    const char* name;
    const char* title;
    bool in_default;
  };
  static const Section kSections[] = {
      {"server", "Server", true},           {"clients", "Clients", true},
      {"memory", "Memory", true},           {"persistence", "Persistence", true},
      {"stats", "Stats", true},
      {"replication", "Replication", true}, {"cpu", "CPU", true},
      {"commandstats", "Commandstats", false}, {"errorstats", "Errorstats", true},
      {"latencystats", "Latencystats", false}, {"keyspace", "Keyspace", true},
  };
  auto asked = [&](const char* name) {
    return std::find(requested.begin(), requested.end(), name) != requested.end();
  };
  bool all = asked("all") || asked("everything");
  bool defaults = requested.empty() || asked("default");
  std::string out;
  for (const Section& sec : kSections) {
    bool wanted = all || (defaults && sec.in_default) || asked(sec.name);
    if (!wanted) continue;
    if (!out.empty()) out += "\r\n";
    out += fmt::format("# {}\r\n", sec.title);
    std::string_view n = sec.name;
    if (n == "server") out += ServerSection(server);
    else if (n == "clients") out += ClientsSection(server);
    else if (n == "memory") out += MemorySection(server);
    else if (n == "persistence") out += PersistenceSection(server);
    else if (n == "stats") out += StatsSection(server);
    else if (n == "replication") out += ReplicationSection(server);
    else if (n == "cpu") out += CpuSection();
    else if (n == "keyspace") out += KeyspaceSection(server);
    else if (n == "commandstats") out += CommandStatsSection(server);
    else if (n == "errorstats") out += ErrorStatsSection(server);
    else if (n == "latencystats") out += LatencyStatsSection(server);
  }
  return out;
}

}  // namespace minired
