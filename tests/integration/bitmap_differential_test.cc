// Differential tests for bitmaps (GETBIT SETBIT BITCOUNT BITPOS BITOP): replies and
// change counts compared with redis-server's, with range sweeps over bytes whose bits
// change at every position the edge masks care about.
#include <string>

#include "tests/integration/differential.h"

namespace minired {
namespace {

using Bitmaps = Differential;

TEST_F(Bitmaps, SetAndGetBits) {
  Compare({{"SETBIT", "b", "7", "1"}, {"SETBIT", "b", "7", "1"}, {"SETBIT", "b", "7", "0"},
           {"SETBIT", "b", "100", "0"}, {"STRLEN", "b"}, {"GETBIT", "b", "100"}, {"GETBIT", "b", "1000"},
           {"SETBIT", "b", "0", "1"}, {"GET", "b"}, {"SETBIT", "b", "x", "1"}, {"SETBIT", "b", "-1", "1"},
           {"SETBIT", "b", "4294967296", "1"}, {"SETBIT", "b", "1", "2"}, {"SETBIT", "b", "1", "x"},
           {"SETBIT", "b", "1", "-1"}, {"GETBIT", "b", "x"}, {"GETBIT", "nokey", "5"}, {"SET", "n", "12"},
           {"SETBIT", "n", "0", "1"}, {"GET", "n"}, {"OBJECT", "ENCODING", "n"}, {"GETBIT", "n", "2"},
           {"SET", "n2", "12"}, {"GETBIT", "n2", "2"}, {"GETBIT", "n2", "15"}, {"SET", "t", "v", "EX", "100"},
           {"SETBIT", "t", "200", "1"}, {"TTL", "t"}, {"LPUSH", "l", "a"}, {"SETBIT", "l", "1", "1"},
           {"GETBIT", "l", "1"}, {"SETBIT"}, {"GETBIT", "b"}});
}

TEST_F(Bitmaps, CountAndPositionOverEveryRange) {
  const std::string value("\xff\xf0\x00\x0f\x55\x00\xff", 7);
  Compare({{"SET", "v", value}, {"SET", "ones", "\xff\xff"}, {"SET", "zeros", std::string(2, '\0')},
           {"SET", "e", ""}, {"SET", "n", "1234"}});
  Script s;
  for (const char* key : {"v", "ones", "zeros", "e", "n"}) {
    s.push_back({"BITCOUNT", key});
    s.push_back({"BITPOS", key, "0"});
    s.push_back({"BITPOS", key, "1"});
    for (int start : {-60, -9, -3, -1, 0, 1, 2, 5, 7, 9, 13, 40}) {
      s.push_back({"BITPOS", key, "0", std::to_string(start)});
      s.push_back({"BITPOS", key, "1", std::to_string(start)});
      for (int end : {-70, -8, -2, -1, 0, 3, 6, 8, 15, 22, 55, 100}) {
        const std::string a = std::to_string(start), b = std::to_string(end);
        for (const char* unit : {"BYTE", "BIT"}) {
          s.push_back({"BITCOUNT", key, a, b, unit});
          s.push_back({"BITPOS", key, "0", a, b, unit});
          s.push_back({"BITPOS", key, "1", a, b, unit});
        }
        s.push_back({"BITCOUNT", key, a, b});
        s.push_back({"BITPOS", key, "1", a, b});
      }
    }
  }
  Compare(s);
  Compare({{"BITCOUNT", "nokey", "1"}, {"BITCOUNT", "v", "1"}, {"BITCOUNT", "v", "0", "-1", "FOO"},
           {"BITCOUNT", "v", "x", "1"}, {"BITCOUNT", "v", "0", "x"}, {"BITCOUNT", "v", "0", "1", "BIT", "x"},
           {"BITPOS", "nokey", "1"}, {"BITPOS", "nokey", "0"}, {"BITPOS", "nokey", "0", "5", "9", "BIT"},
           {"BITPOS", "v", "2"}, {"BITPOS", "v", "x"}, {"BITPOS", "v", "1", "x"}, {"BITPOS", "v", "1", "0", "x"},
           {"BITPOS", "v", "1", "0", "1", "FOO"}, {"BITPOS", "v", "1", "0", "1", "BIT", "x"},
           {"LPUSH", "l", "a"}, {"BITCOUNT", "l"}, {"BITPOS", "l", "1"}, {"BITCOUNT"}, {"BITPOS", "v"},
           {"BITCOUNT", "v", "1152921504606846976", "-1"}, {"BITCOUNT", "v", "9223372036854775807", "-1"},
           {"BITCOUNT", "v", "-9223372036854775808", "9223372036854775807"},
           {"BITCOUNT", "v", "0", "9223372036854775807", "BIT"}, {"BITPOS", "v", "1", "1152921504606846976"},
           {"BITPOS", "v", "0", "9223372036854775807", "-1"}, {"BITPOS", "v", "0", "-9223372036854775808"},
           {"BITPOS", "v", "1", "2305843009213693952", "-1", "BYTE"}});
}

// Random bit operations over a few keys that also take string edits: SETBIT far and
// near, counts and positions over byte and bit ranges, BITOP of every kind (destination
// among the sources), BITFIELD of every width and overflow mode, and the string view
// of the same bytes.
TEST_F(Bitmaps, RandomOperationsAsRedis) {
  RandomArgs rng(3307);
  auto key = [&] { return "b" + rng.Num(0, 3); };
  auto type = [&] { return std::string(rng() % 2 ? "i" : "u") + rng.Num(1, rng() % 2 ? 63 : 16); };
  for (int step = 0; step < 2500; ++step) {
    const std::string k = key();
    switch (rng() % 14) {
      case 0: case 1: Compare({{"SETBIT", k, rng() % 10 ? rng.Num(0, 300) : rng.Num(0, 5000), rng.Num(0, 1)}}); break;
      case 2: Compare({{"GETBIT", k, rng.Num(0, 400)}}); break;
      case 3: Compare({{"BITCOUNT", k, rng.Num(-40, 40), rng.Num(-40, 40), rng() % 2 ? "BYTE" : "BIT"}}); break;
      case 4: Compare({{"BITPOS", k, rng.Num(0, 1), rng.Num(-40, 40), rng.Num(-40, 40), rng() % 2 ? "BYTE" : "BIT"}}); break;
      case 5: Compare({{"BITPOS", k, rng.Num(0, 1), rng.Num(-10, 10)}}); break;
      case 6: {
        const char* op = rng() % 4 == 0 ? "AND" : rng() % 3 == 0 ? "OR" : rng() % 2 ? "XOR" : "NOT";
        std::vector<std::string> cmd = {"BITOP", op, key(), k};
        if (std::string(op) != "NOT") cmd.push_back(key());
        Compare({cmd});
        break;
      }
      case 7: {
        std::vector<std::string> cmd = {"BITFIELD", k};
        for (int i = 0, n = 1 + static_cast<int>(rng() % 4); i < n; ++i) {
          const std::string offset = rng() % 3 == 0 ? "#" + rng.Num(0, 20) : rng.Num(0, 200);
          switch (rng() % 4) {
            case 0: cmd.insert(cmd.end(), {"GET", type(), offset}); break;
            case 1: cmd.insert(cmd.end(), {"SET", type(), offset, rng.Num(-300, 300)}); break;
            case 2: cmd.insert(cmd.end(), {"INCRBY", type(), offset, rng.Num(-200, 200)}); break;
            default: cmd.insert(cmd.end(), {"OVERFLOW", rng() % 3 == 0 ? "WRAP" : rng() % 2 ? "SAT" : "FAIL"}); break;
          }
        }
        Compare({cmd});
        break;
      }
      case 8: Compare({{"BITFIELD_RO", k, "GET", type(), rng.Num(0, 300)}}); break;
      case 9: Compare({{"SETRANGE", k, rng.Num(0, 50), rng() % 2 ? "\xff" : "ab"}}); break;
      case 10: Compare({{"APPEND", k, rng.Num(0, 9)}}); break;
      case 11: Compare({{"GETRANGE", k, rng.Num(-60, 60), rng.Num(-60, 60)}, {"STRLEN", k}}); break;
      case 12: Compare({{"BITCOUNT", k}, {"BITPOS", k, "1"}}); break;
      default: Compare({{"GET", k}}); break;
    }
  }
}

TEST_F(Bitmaps, BitOp) {
  Compare({{"SET", "a", "foobar"}, {"SET", "b", "abcdef"}, {"SET", "n", "12"}, {"SET", "short", "\x0f"},
           {"BITOP", "AND", "d", "a", "b"}, {"GET", "d"}, {"BITOP", "or", "d", "a", "b", "short"}, {"GET", "d"},
           {"BITOP", "XOR", "d", "a", "short", "nokey"}, {"GET", "d"}, {"BITOP", "NOT", "d", "a"}, {"GET", "d"},
           {"BITOP", "NOT", "d", "n"}, {"GET", "d"}, {"BITOP", "AND", "d", "nokey", "a"}, {"GET", "d"},
           {"BITOP", "OR", "d", "nokey", "nokey2"}, {"EXISTS", "d"}, {"SET", "t", "abc", "EX", "100"},
           {"BITOP", "OR", "t", "t"}, {"TTL", "t"}, {"BITOP", "FOO", "d", "a"}, {"BITOP", "NOT", "d", "a", "b"},
           {"BITOP", "AND", "d"}, {"LPUSH", "l", "x"}, {"BITOP", "AND", "d", "a", "l"}, {"BITOP", "AND", "l", "a"},
           {"TYPE", "l"}});
}

}  // namespace
}  // namespace minired
