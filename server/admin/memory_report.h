// Where the memory goes: the figures INFO memory, MEMORY STATS and MEMORY DOCTOR share.
// All of it comes from the allocator's count (storage/memory.h), so the parts add up to
// used_memory; `dataset` is what is left after the overheads.
#pragma once

#include <cstdint>
#include <vector>

#include "storage/memory.h"

namespace minired {

class Server;

struct MemoryReport {
  int64_t used = 0;          // used_memory
  int64_t peak = 0;
  int64_t startup = 0;       // used when the server started serving
  int64_t rss = 0;
  AllocatorFigures allocator;  // allocator_allocated/active/resident
  int64_t backlog = 0;       // replication backlog
  int64_t clients_replicas = 0;  // output buffers of replicas
  int64_t clients_normal = 0;    // query and output buffers of everyone else
  int64_t normal_clients = 0;    // how many clients that is
  int64_t log_buffer = 0;    // RocksDB memtables (Redis's aof.buffer)
  int64_t script_caches = 0;    // EVAL's cached script bodies (Redis's lua.caches)
  int64_t function_caches = 0;  // the function libraries' code (functions.caches)
  int64_t not_counted_for_evict = 0;
  int64_t lazyfree_pending = 0;
  struct DbOverhead {
    int db;
    int64_t keys;
    int64_t expires;
    int64_t main_table;     // the key table
    int64_t expires_table;  // the index of keys with an expiry
  };
  std::vector<DbOverhead> dbs;  // non-empty databases
  int64_t keys = 0;

  // A figure over another and their difference, as INFO memory and MEMORY STATS print
  // them (ratio 0 when the divisor is).
  struct Gap {
    double ratio;
    int64_t bytes;
  };
  static Gap GapOf(int64_t over, int64_t under) {
    return {under > 0 ? static_cast<double>(over) / static_cast<double>(under) : 0.0, over - under};
  }
  Gap allocator_frag() const { return GapOf(allocator.active, allocator.allocated); }
  Gap allocator_rss() const { return GapOf(allocator.resident, allocator.active); }
  Gap rss_overhead() const { return GapOf(rss, allocator.resident); }  // outside the allocator
  Gap fragmentation() const { return GapOf(rss, used); }              // mem_fragmentation_*

  int64_t tables() const;  // key tables and expiry indexes of every database
  int64_t overhead() const;
  int64_t dataset() const { return used - overhead(); }
};

// Takes every shard's lock briefly (one at a time) to read table sizes.
MemoryReport CollectMemoryReport(Server& server);

}  // namespace minired
