// Command line of minired-bench. Parsing is separate from running so it is tested.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace minired::bench {

struct BenchFlags {
  std::string host = "127.0.0.1";
  int port = 6379;
  int threads = 1;          // event-loop threads, each driving clients/threads connections
  int clients = 50;         // connections in total
  int pipeline = 1;         // commands sent together per connection, as redis-benchmark -P
  uint64_t requests = 100000;
  double duration_s = 0;    // > 0: run for this long instead of a request count
  uint64_t keyspace = 100000;
  int value_size = 3;       // bytes per SET value, as redis-benchmark -d
  uint64_t set_ratio = 1;   // SET:GET
  uint64_t get_ratio = 10;
  double zipf = 0;          // 0: uniform keys; > 0: Zipf exponent
  bool read_through = false;  // cache pattern: GET, and SET the key after a miss
  bool quiet = false;       // no per-second progress on stderr
  bool help = false;
};

// Parses argv (without argv[0]); "" on success, else a message naming the bad flag.
std::string ParseBenchFlags(const std::vector<std::string>& args, BenchFlags* flags);
const char* BenchUsage();

}  // namespace minired::bench
