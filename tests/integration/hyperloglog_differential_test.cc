// HyperLogLog against redis-server 7.0, byte for byte in RESP2 and RESP3: the strings
// PFADD builds (GET shows them: header, sparse opcodes, the sparse -> dense promotion,
// the cached count and its invalidation), counts of one key and of unions, PFMERGE,
// PFDEBUG; values carried from one server to the other by GET/SET count the same; and
// strings that are not HLLs, or corrupt ones, get Redis's errors.
#include <random>
#include <string>

#include "tests/integration/differential.h"

namespace minired {
namespace {

using HyperLogLogs = Differential;

std::vector<std::string> Pfadd(const std::string& key, int from, int to) {
  std::vector<std::string> cmd = {"PFADD", key};
  for (int i = from; i < to; ++i) cmd.push_back("e" + std::to_string(i));
  return cmd;
}

TEST_F(HyperLogLogs, RepresentationCountsAndDebugAsRedis) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Compare(Lines({"PFADD h a b c d e f g", "GET h", "PFCOUNT h", "GET h", "PFADD h a", "PFADD h", "PFADD new",
                   "GET new", "PFCOUNT new", "PFDEBUG ENCODING h", "PFDEBUG DECODE h", "OBJECT ENCODING h"}));
    // Growth through the sparse encoding into the dense one, every string compared.
    for (int i = 0; i < 3000; i += 50) {
      Compare({Pfadd("big", i, i + 50), {"GET", "big"}, {"PFDEBUG", "ENCODING", "big"}});
      if (i % 500 == 0) Compare({{"PFCOUNT", "big"}, {"GET", "big"}});
    }
    Compare(Lines({"PFCOUNT big", "PFCOUNT h big", "PFCOUNT h big nokey", "PFMERGE m h big", "GET m", "PFCOUNT m",
                   "PFMERGE m2 h new", "GET m2", "PFDEBUG ENCODING m2", "PFMERGE m3", "GET m3", "PFDEBUG TODENSE h",
                   "PFDEBUG TODENSE h", "GET h", "PFDEBUG GETREG m2", "PFDEBUG ENCODING m2", "PFDEBUG DECODE big",
                   "PFDEBUG NOSUCH h", "PFDEBUG ENCODING nokey", "PFSELFTEST", "PFCOUNT", "PFSELFTEST x"}));
  });
}

TEST_F(HyperLogLogs, SparseLimitIsLive) {
  Compare({{"CONFIG", "SET", "hll-sparse-max-bytes", "100"}, Pfadd("small", 0, 40), {"PFDEBUG", "ENCODING", "small"},
           {"GET", "small"}, {"CONFIG", "GET", "hll-sparse-max-bytes"}, {"CONFIG", "SET", "hll-sparse-max-bytes", "-1"},
           {"CONFIG", "SET", "hll-sparse-max-bytes", "3000"}});
}

TEST_F(HyperLogLogs, OtherValuesAreNotHyperLogLogs) {
  Compare(Lines({"PFADD h a", "SET s hello", "PFADD s a", "PFCOUNT s", "PFCOUNT h s", "PFMERGE s h", "PFMERGE h s",
                 "PFDEBUG ENCODING s", "SET i 123", "PFADD i a", "PFCOUNT i", "LPUSH l a", "PFADD l a", "PFCOUNT l",
                 "PFCOUNT h l", "PFMERGE l h", "PFMERGE d l", "SET fake HYLLxxxxxxxxxxxxxxxxxx", "PFCOUNT fake",
                 "PFADD fake a", "SET dense HYLL", "PFCOUNT dense"}));
  std::string wrong_size = r_.Call({"GET", "h"}).value.str;
  wrong_size[4] = '\0';  // claims dense, but has a sparse string's length
  Compare({{"SET", "ws", wrong_size}, {"PFCOUNT", "ws"}, {"PFADD", "ws", "x"}});
}

// The same elements make the same bytes in both servers; values built by one server
// count the same in the other, both ways, and keep being updated identically there.
TEST_F(HyperLogLogs, ValuesMoveBetweenServersByGetAndSet) {
  for (int n : {1, 10, 200, 5000}) {
    const std::string key = "k" + std::to_string(n);
    r_.Call(Pfadd(key, 0, n));
    m_.Call(Pfadd(key, 0, n));
    const std::string from_redis = r_.Call({"GET", key}).value.str;
    const std::string from_minired = m_.Call({"GET", key}).value.str;
    EXPECT_EQ(from_minired, from_redis) << n;
    // Each server counts the other's value as its own.
    const std::string redis_count = r_.Call({"PFCOUNT", key}).raw;
    const std::string minired_count = m_.Call({"PFCOUNT", key}).raw;
    EXPECT_EQ(minired_count, redis_count);
    r_.Call({"SET", "carried", m_.Call({"GET", key}).value.str});
    m_.Call({"SET", "carried", r_.Call({"GET", key}).value.str});
    EXPECT_EQ(r_.Call({"PFCOUNT", "carried"}).raw, minired_count);
    EXPECT_EQ(m_.Call({"PFCOUNT", "carried"}).raw, redis_count);
    Compare({{"SET", "a", from_redis}, {"SET", "b", from_minired}, Pfadd("b", n, 2 * n), {"PFCOUNT", "a", "b"},
             Pfadd("a", 2 * n, 3 * n), {"GET", "a"}, {"PFMERGE", "b", "a"}, {"GET", "b"}, {"PFCOUNT", "b"}});
  }
}

// Random and mutated HLL strings: each server answers the same error or count, and
// minired keeps serving.
TEST_F(HyperLogLogs, CorruptStringsGetErrorsNeverCrashes) {
  Compare({Pfadd("sparse", 0, 100), Pfadd("dense", 0, 5000)});
  const std::string sparse = r_.Call({"GET", "sparse"}).value.str;
  const std::string dense = r_.Call({"GET", "dense"}).value.str;
  std::mt19937_64 rng(1);
  for (int round = 0; round < 300; ++round) {
    std::string v = round % 3 == 0 ? dense : sparse;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = 16 + rng() % (v.size() - 16);  // leave the header: it is checked first
      v[at] = static_cast<char>(rng());
    }
    if (round % 5 == 1) v.resize(16 + rng() % (v.size() - 16));
    if (v[4] == '\0' && v.size() != dense.size()) v[4] = '\1';
    Compare({{"SET", "c", v}, {"PFCOUNT", "c"}, {"SET", "c", v}, {"PFADD", "c", "x", "y", "z"}, {"SET", "c", v},
             {"PFCOUNT", "c", "sparse"}, {"SET", "c", v}, {"PFMERGE", "out", "c"}, {"SET", "c", v},
             {"PFDEBUG", "DECODE", "c"}});
  }
  Compare({{"PING"}});
}

}  // namespace
}  // namespace minired
