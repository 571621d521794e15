// When a collection leaves its compact encoding (Redis's *-max-listpack-* options). The
// configuration owns the values (CONFIG SET changes them live); the encodings read them.
#pragma once

#include <atomic>
#include <cstdint>

namespace minired {

struct EncodingLimits {
  std::atomic<int64_t> hash_max_listpack_entries{128};
  std::atomic<int64_t> hash_max_listpack_value{64};
  std::atomic<int64_t> zset_max_listpack_entries{128};
  std::atomic<int64_t> zset_max_listpack_value{64};
  std::atomic<int64_t> set_max_intset_entries{512};
  // > 0: elements per list before it becomes a quicklist; < 0: -1..-5 = 4..64 KB.
  std::atomic<int64_t> list_max_listpack_size{-2};
  // A stream node is closed past these (0: no limit).
  std::atomic<int64_t> stream_node_max_bytes{4096};
  std::atomic<int64_t> stream_node_max_entries{100};
  // A sparse HyperLogLog that would grow past this many bytes turns dense.
  std::atomic<int64_t> hll_sparse_max_bytes{3000};
};

}  // namespace minired
