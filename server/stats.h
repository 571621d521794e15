// Server counters. Each I/O thread owns one ThreadStats and is its only writer, so an
// increment is a relaxed load+store (no locked instruction); INFO sums them from any
// thread. CONFIG RESETSTAT records a baseline instead of writing other threads' data.
#pragma once

#include <atomic>
#include <cstdint>

namespace minired {

class Counter {
 public:
  void Add(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t Get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

struct alignas(64) ThreadStats {
  Counter commands;
  Counter net_input_bytes;
  Counter net_output_bytes;
  Counter connections_received;
  Counter rejected_connections;
  Counter error_replies;
  Counter reads;
  Counter writes;
  Counter expire_cycle_us;
  Counter evicted_keys;
};

// A plain copy of the summed counters.
struct StatsTotals {
  uint64_t commands = 0, net_input_bytes = 0, net_output_bytes = 0, connections_received = 0,
           rejected_connections = 0, error_replies = 0, reads = 0, writes = 0,
           expire_cycle_us = 0, expired_keys = 0, keyspace_hits = 0, keyspace_misses = 0, evicted_keys = 0;

  StatsTotals operator-(const StatsTotals& b) const {
    StatsTotals r;
    r.commands = commands - b.commands;
    r.net_input_bytes = net_input_bytes - b.net_input_bytes;
    r.net_output_bytes = net_output_bytes - b.net_output_bytes;
    r.connections_received = connections_received - b.connections_received;
    r.rejected_connections = rejected_connections - b.rejected_connections;
    r.error_replies = error_replies - b.error_replies;
    r.reads = reads - b.reads;
    r.writes = writes - b.writes;
    r.expire_cycle_us = expire_cycle_us - b.expire_cycle_us;
    r.expired_keys = expired_keys - b.expired_keys;
    r.keyspace_hits = keyspace_hits - b.keyspace_hits;
    r.keyspace_misses = keyspace_misses - b.keyspace_misses;
    r.evicted_keys = evicted_keys - b.evicted_keys;
    return r;
  }
};

}  // namespace minired
