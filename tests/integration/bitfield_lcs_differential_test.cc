// BITFIELD, BITFIELD_RO and LCS against redis-server 7.0, byte for byte in RESP2 and
// RESP3: every sub-operation and overflow mode at the widths' edges (i64, u63, i1),
// '#' offsets, growth of the string, integer-encoded values, and each error in the
// order Redis reports it; LCS's reply shapes with its options, and its errors.
#include <string>

#include "tests/integration/differential.h"

namespace minired {
namespace {

using BitFieldsAndLcs = Differential;

TEST_F(BitFieldsAndLcs, BitFieldOperationsOverflowsAndErrors) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Compare(Lines({
       "HSET h f v",
       "SET n 12345",
       "SET m 2345",
       "BITFIELD bf SET i8 0 100 GET i8 0 INCRBY i8 0 100",
       "BITFIELD bf OVERFLOW SAT INCRBY i8 0 100 OVERFLOW FAIL INCRBY i8 0 100 OVERFLOW WRAP INCRBY u4 #3 17",
       "BITFIELD bf GET u63 0 GET i64 3 GET u1 1000000",
       "BITFIELD bf SET u8 100 255 GET u8 100",
       "GET bf",
       "STRLEN bf",
       "BITFIELD bf SET i64 0 -1 GET i64 0 INCRBY i64 0 -9223372036854775807 OVERFLOW SAT INCRBY i64 0 -9223372036854775807",
       "BITFIELD bf OVERFLOW FAIL SET u2 0 5 SET i3 0 -5 SET i3 0 3",
       "BITFIELD bf SET u64 0 1",
       "BITFIELD bf SET i65 0 1",
       "BITFIELD bf SET I8 0 1",
       "BITFIELD bf GET i8 -1",
       "BITFIELD bf GET i8 #-1",
       "BITFIELD bf GET i8 4294967296",
       "BITFIELD bf GET i8 4294967295",
       "BITFIELD bf SET i8 0",
       "BITFIELD bf FOO",
       "BITFIELD bf OVERFLOW bar",
       "BITFIELD bf INCRBY i8 0 x",
       "BITFIELD_RO bf GET i8 0 GET u4 7",
       "BITFIELD_RO bf SET i8 0 1",
       "BITFIELD_RO bf OVERFLOW SAT",
       "BITFIELD h GET i8 0",
       "BITFIELD h SET i8 0 1",
       "BITFIELD nokey GET i8 0",
       "BITFIELD nokey OVERFLOW FAIL INCRBY u2 0 10",
       "EXISTS nokey",
       "STRLEN nokey",
       "SET num 123",
       "BITFIELD num GET u8 0 SET u8 0 65",
       "GET num",
       "BITFIELD bf",
       "BITFIELD_RO bf",
       "BITFIELD bf GET i8 #9223372036854775807"}));
  });
}

// Every width, signed and unsigned, set and incremented across its limits at offsets
// that straddle byte boundaries.
TEST_F(BitFieldsAndLcs, EveryWidthWrapsAndSaturatesAsRedis) {
  Script s;
  for (int bits = 1; bits <= 64; ++bits) {
    for (const char* sign : {"i", "u"}) {
      if (bits == 64 && sign[0] == 'u') continue;
      const std::string type = sign + std::to_string(bits);
      for (const char* offset : {"0", "3", "13"}) {
        for (const char* value : {"-9223372036854775808", "-1", "0", "1", "127", "9223372036854775807"}) {
          for (const char* how : {"WRAP", "SAT", "FAIL"}) {
            s.push_back({"BITFIELD", "w", "OVERFLOW", how, "SET", type, offset, value, "INCRBY", type, offset, value,
                         "GET", type, offset});
          }
        }
      }
    }
  }
  s.push_back({"GET", "w"});
  Compare(s);
}

TEST_F(BitFieldsAndLcs, LcsRepliesInEveryShape) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Compare(Lines({
       "SET a ohmytext",
       "SET b mynewtext",
       "LCS a b",
       "LCS a b LEN",
       "LCS a b IDX",
       "LCS a b IDX MINMATCHLEN 4",
       "LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN",
       "LCS a b IDX WITHMATCHLEN",
       "LCS a b LEN IDX",
       "LCS a b FOO",
       "LCS a b MINMATCHLEN",
       "LCS a b MINMATCHLEN x",
       "LCS a nokey",
       "LCS nokey nokey2 IDX",
       "HSET h f v",
       "LCS a h",
       "SET n 12345",
       "SET m 2345",
       "LCS n m IDX WITHMATCHLEN",
       "LCS a b IDX MINMATCHLEN 2 WITHMATCHLEN",
       "SET num 123"}));
    Compare({{"SET", "x", "ACGTTGCAAGGTTACG"}, {"SET", "y", "TTACGGCATTGACGGA"}, {"LCS", "x", "y"},
             {"LCS", "x", "y", "IDX", "WITHMATCHLEN"}, {"LCS", "x", "y", "IDX", "MINMATCHLEN", "-5"},
             {"LCS", "x", "x", "IDX"}, {"SET", "e", ""}, {"LCS", "e", "x", "IDX"}, {"LCS", "x"}});
  });
}

// The transient table is held to proto-max-bulk-len, as Redis's guard.
TEST_F(BitFieldsAndLcs, LcsRefusesTablesPastTheBulkLimit) {
  const std::string big(20000, 'a');
  Compare({{"CONFIG", "SET", "proto-max-bulk-len", "1mb"}, {"SET", "p", big}, {"SET", "q", big},
           {"LCS", "p", "q", "LEN"}, {"CONFIG", "SET", "proto-max-bulk-len", "512mb"}});
}

}  // namespace
}  // namespace minired
