#include "server/admin/memory_report.h"

#include <algorithm>

#include "server/evictor.h"
#include "server/persistence.h"
#include "server/replication.h"
#include "server/server.h"
#include "storage/memory.h"

namespace minired {

int64_t MemoryReport::tables() const {
  int64_t total = 0;
  for (const auto& d : dbs) total += d.main_table + d.expires_table;
  return total;
}

int64_t MemoryReport::overhead() const {
  return startup + backlog + clients_replicas + clients_normal + log_buffer + script_caches + function_caches +
         tables();
}

MemoryReport CollectMemoryReport(Server& server) {
  MemoryReport r;
  r.rss = ProcessRss();
  r.allocator = ReadAllocatorFigures(r.rss);
  r.used = r.allocator.allocated;
  r.peak = std::max(server.peak_memory(), r.used);
  r.startup = server.startup_memory();
  r.backlog = static_cast<int64_t>(server.replication().source().position().backlog_allocated);
  for (const auto& c : server.clients().Snapshot()) {
    int64_t out = static_cast<int64_t>(std::max(c->output_buffer.load(), c->output_memory.load()));
    if (c->replica.load(std::memory_order_relaxed)) {
      r.clients_replicas += out;
    } else {
      r.clients_normal += out + static_cast<int64_t>(c->query_buffer.load() + c->query_buffer_free.load());
      ++r.normal_clients;
    }
  }
  r.script_caches = static_cast<int64_t>(server.scripts().body_bytes());
  r.function_caches = static_cast<int64_t>(server.functions().code_bytes());
  r.log_buffer = server.persistence() ? static_cast<int64_t>(server.persistence()->MemTableBytes()) : 0;
  r.not_counted_for_evict = server.MemoryNotCountedForEviction();
  r.lazyfree_pending = static_cast<int64_t>(server.lazy_freer().pending());
  ShardSet& shards = server.shards();
  std::vector<MemoryReport::DbOverhead> dbs(static_cast<size_t>(shards.databases()));
  for (size_t i = 0; i < shards.size(); ++i) {
    Shard& sh = shards.shard(i);
    std::lock_guard<ShardMutex> l(sh.mu());
    for (int d = 0; d < sh.databases(); ++d) {
      const Db& db = sh.db(d);
      auto& o = dbs[static_cast<size_t>(d)];
      o.keys += static_cast<int64_t>(db.size());
      o.expires += static_cast<int64_t>(db.volatile_size());
      o.main_table += static_cast<int64_t>(db.KeyTableBytes());
      o.expires_table += static_cast<int64_t>(db.VolatileTableBytes());
    }
  }
  for (int d = 0; d < shards.databases(); ++d) {
    auto& o = dbs[static_cast<size_t>(d)];
    o.db = d;
    r.keys += o.keys;
    if (o.keys > 0) r.dbs.push_back(o);
  }
  return r;
}

}  // namespace minired
