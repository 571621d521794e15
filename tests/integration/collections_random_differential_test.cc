// Random runs against redis-server: thousands of random commands over hashes, sets,
// small and big sorted sets and their algebra, strings and lists, every reply compared
// byte for byte (multisets where Redis leaves the order unspecified), much of it in
// RESP3 too. Each test's seed is fixed, so a failure replays. The scripted cases of the
// same types are in collections_differential_test.cc.
#include "tests/integration/differential.h"

namespace minired {
namespace {

using CollectionsAtRandom = Differential;

// A big sorted set (past the listpack limit: the B+ tree) under a few thousand random
// commands of every kind that reads or changes its order: ties on the score, moves,
// ranks from both ends, score and lex ranges, range removals and pops.
TEST_F(CollectionsAtRandom, SortedSetRandomOperationsOnABigSet) {
  RandomArgs rng(20261207);
  auto score = [&] { return std::to_string(static_cast<int>(rng() % 80) - 20) + (rng() % 2 ? ".5" : ""); };
  auto member = [&] { return "m" + rng.Num(0, 900); };
  Script s;
  for (int i = 0; i < 700; ++i) s.push_back({"ZADD", "rz", score(), "m" + std::to_string(i)});
  for (int i = 0; i < 300; ++i) s.push_back({"ZADD", "lz", "0", "w" + std::to_string(i * 7919 % 1000)});
  for (int step = 0; step < 3000; ++step) {
    switch (rng() % 16) {
      case 0: s.push_back({"ZADD", "rz", score(), member()}); break;
      case 1: s.push_back({"ZADD", "rz", rng() % 2 ? "GT" : "LT", "CH", score(), member()}); break;
      case 2: s.push_back({"ZINCRBY", "rz", score(), member()}); break;
      case 3: s.push_back({"ZREM", "rz", member(), member()}); break;
      case 4: s.push_back({"ZRANK", "rz", member()}); break;
      case 5: s.push_back({"ZREVRANK", "rz", member()}); break;
      case 6: s.push_back({"ZRANGE", "rz", rng.Num(-700, 700), rng.Num(-700, 700), "WITHSCORES"}); break;
      case 7: s.push_back({"ZRANGEBYSCORE", "rz", "(" + score(), score(), "LIMIT", rng.Num(0, 5), rng.Num(1, 20)}); break;
      case 8: s.push_back({"ZREVRANGEBYSCORE", "rz", score(), "-inf", "WITHSCORES", "LIMIT", "0", rng.Num(1, 10)}); break;
      case 9: s.push_back({"ZCOUNT", "rz", score(), "(" + score()}); break;
      case 10: s.push_back({"ZREMRANGEBYRANK", "rz", rng.Num(0, 600), rng.Num(0, 600)}); break;
      case 11: s.push_back({rng() % 2 ? "ZPOPMIN" : "ZPOPMAX", "rz", rng.Num(1, 3)}); break;
      case 12: s.push_back({"ZSCORE", "rz", member()}); break;
      case 13: s.push_back({"ZADD", "lz", "0", "w" + rng.Num(0, 999)}); break;
      case 14:
        s.push_back({"ZRANGEBYLEX", "lz", "[w" + rng.Num(0, 999), "(w" + rng.Num(0, 999), "LIMIT", "0", rng.Num(1, 10)});
        break;
      default: s.push_back({"ZLEXCOUNT", "lz", "(w" + rng.Num(0, 999), "+"}); break;
    }
  }
  s.push_back({"ZCARD", "rz"});
  s.push_back({"ZRANGE", "rz", "0", "-1", "WITHSCORES"});
  s.push_back({"ZREMRANGEBYLEX", "lz", "[w3", "[w6"});
  s.push_back({"ZRANGE", "lz", "0", "-1"});
  Compare(s);
}

// Random operations on a few hashes of every size (listpack, past both servers' limits,
// long values), with counters, floats and deletions: every ordered reply byte for
// byte, the field lists as multisets (the two servers' listpack limits differ).
TEST_F(CollectionsAtRandom, HashRandomOperations) {
  RandomArgs rng(3301);
  auto key = [&] { return "h" + rng.Num(0, 3); };
  auto field = [&] { return rng() % 8 == 0 ? "f" + rng.Num(0, 700) : "f" + rng.Num(0, 40); };
  auto value = [&]() -> std::string {
    switch (rng() % 6) {
      case 0: return rng.Num(-100, 100);
      case 1: return rng.Num(0, 9) + "." + rng.Num(0, 99);
      case 2: return std::string(static_cast<size_t>(60 + rng() % 100), 'v');
      case 3: return "0" + rng.Num(0, 9);
      case 4: return "9223372036854775807";
      default: return "v" + rng.Num(0, 99);
    }
  };
  for (int step = 0; step < 2500; ++step) {
    if (step == 1250) SwitchToResp3();  // the second half: maps, sets, doubles, nulls
    const std::string k = key();
    switch (rng() % 14) {
      case 0: case 1: Compare({{"HSET", k, field(), value(), field(), value()}}); break;
      case 2: Compare({{"HSETNX", k, field(), value()}}); break;
      case 3: Compare({{"HDEL", k, field(), field()}}); break;
      case 4: Compare({{"HGET", k, field()}}); break;
      case 5: Compare({{"HMGET", k, field(), field(), field()}}); break;
      case 6: Compare({{"HINCRBY", k, field(), rng.Num(-50, 50)}}); break;
      case 7: Compare({{"HINCRBYFLOAT", k, field(), rng.Num(-5, 5) + "." + rng.Num(0, 9)}}); break;
      case 8: Compare({{"HEXISTS", k, field()}, {"HSTRLEN", k, field()}, {"HLEN", k}}); break;
      case 9: CompareUnordered({"HGETALL", k}); break;
      case 10: CompareUnordered({rng() % 2 ? "HKEYS" : "HVALS", k}); break;
      case 11: Compare({{"HRANDFIELD", k, "0"}, {"TYPE", k}, {"EXISTS", k}}); break;
      case 12: Compare({{"HINCRBY", k, field(), "9223372036854775807"}}); break;
      default:
        for (int i = 0, n = static_cast<int>(rng() % 200); i < n; ++i) {
          Compare({{"HSET", k, "bulk" + rng.Num(0, 400), value()}});
        }
        break;
    }
  }
}

// Random operations on sets of integers (intsets until a non-integer or too many
// members arrive) and of strings, and the algebra between them.
TEST_F(CollectionsAtRandom, SetRandomOperations) {
  RandomArgs rng(3302);
  auto key = [&] { return "s" + rng.Num(0, 3); };
  auto member = [&]() -> std::string {
    switch (rng() % 8) {
      case 0: return "m" + rng.Num(0, 50);
      case 1: return "-" + rng.Num(1, 60);
      case 2: return "0" + rng.Num(0, 9);  // not an integer's canonical text
      case 3: return "9223372036854775808";
      case 4: return rng.Num(0, 3000);
      default: return rng.Num(0, 60);
    }
  };
  for (int step = 0; step < 2500; ++step) {
    if (step == 1250) SwitchToResp3();  // the second half: maps, sets, doubles, nulls
    const std::string k = key();
    switch (rng() % 13) {
      case 0: case 1: Compare({{"SADD", k, member(), member(), member()}}); break;
      case 2: Compare({{"SREM", k, member(), member()}}); break;
      case 3: Compare({{"SISMEMBER", k, member()}, {"SCARD", k}}); break;
      case 4: Compare({{"SMISMEMBER", k, member(), member(), member()}}); break;
      case 5: CompareUnordered({"SMEMBERS", k}); break;
      case 6: CompareUnordered({"SINTER", k, key()}); break;
      case 7: CompareUnordered({"SUNION", k, key(), key()}); break;
      case 8: CompareUnordered({"SDIFF", k, key()}); break;
      case 9: Compare({{"SINTERCARD", "2", k, key(), "LIMIT", rng.Num(0, 5)}}); break;
      case 10: Compare({{"SMOVE", k, key(), member()}}); break;
      case 11: Compare({{rng() % 2 ? "SUNIONSTORE" : "SDIFFSTORE", "dst" + rng.Num(0, 1), k, key()}}); break;
      default:
        for (int i = 0, n = static_cast<int>(rng() % 300); i < n; ++i) Compare({{"SADD", k, rng.Num(0, 5000)}});
        break;
    }
  }
  for (const char* k : {"s0", "s1", "s2", "s3", "dst0", "dst1"}) CompareUnordered({"SMEMBERS", k});
}

// Random operations on small sorted sets (the compact form, whose whole-number scores
// are stored as integers): scores of every kind, the update flags, ranges by rank,
// score and name, and the removals.
TEST_F(CollectionsAtRandom, SmallSortedSetRandomOperations) {
  RandomArgs rng(3303);
  auto key = [&] { return "z" + rng.Num(0, 2); };
  auto member = [&] { return "m" + rng.Num(0, 30); };
  auto score = [&]() -> std::string {
    switch (rng() % 9) {
      case 0: return rng.Num(-5, 5) + ".25";
      case 1: return rng() % 2 ? "inf" : "-inf";
      case 2: return "-0";
      case 3: return "281474976710655";  // 2^48 - 1: the largest compact integer
      case 4: return "281474976710656";
      case 5: return "1e17";
      default: return rng.Num(-1000, 1000);
    }
  };
  auto bound = [&] { return (rng() % 3 == 0 ? "(" : "") + score(); };
  for (int step = 0; step < 2500; ++step) {
    if (step == 1250) SwitchToResp3();  // the second half: maps, sets, doubles, nulls
    const std::string k = key();
    switch (rng() % 16) {
      case 0: case 1: Compare({{"ZADD", k, score(), member(), score(), member()}}); break;
      case 2: {
        const char* flag = rng() % 4 == 0 ? "NX" : rng() % 3 == 0 ? "XX" : rng() % 2 ? "GT" : "LT";
        Compare({{"ZADD", k, flag, "CH", score(), member()}});
        break;
      }
      case 3: Compare({{"ZADD", k, "INCR", score(), member()}}); break;
      case 4: Compare({{"ZINCRBY", k, score(), member()}}); break;
      case 5: Compare({{"ZREM", k, member(), member()}}); break;
      case 6: Compare({{"ZSCORE", k, member()}, {"ZMSCORE", k, member(), member()}}); break;
      case 7: Compare({{rng() % 2 ? "ZRANK" : "ZREVRANK", k, member()}, {"ZCARD", k}}); break;
      case 8: Compare({{"ZRANGE", k, rng.Num(-20, 20), rng.Num(-20, 20), "WITHSCORES"}}); break;
      case 9: Compare({{"ZRANGE", k, bound(), bound(), "BYSCORE", "LIMIT", rng.Num(0, 3), rng.Num(-1, 5), "WITHSCORES"}}); break;
      case 10: {
        // Lex ranges over members of mixed scores: unspecified in Redis, yet a small
        // set answers as its listpack walk does (a big one by its skiplist's levels).
        const std::string lo = (rng() % 2 ? "[m" : "(m") + rng.Num(0, 30), hi = (rng() % 2 ? "[m" : "(m") + rng.Num(0, 30);
        Compare({{"ZRANGE", k, "+", lo, "BYLEX", "REV", "LIMIT", rng.Num(0, 2), rng.Num(-1, 4)},
                 {"ZRANGE", k, lo, hi, "BYLEX"},
                 {"ZRANGE", k, "-", hi, "BYLEX", "LIMIT", rng.Num(0, 2), rng.Num(1, 4)},
                 {"ZLEXCOUNT", k, lo, "+"},
                 {"ZLEXCOUNT", k, "-", hi}});
        if (rng() % 8 == 0) Compare({{"ZREMRANGEBYLEX", k, lo, hi}});
        break;
      }
      case 11: Compare({{"ZCOUNT", k, bound(), bound()}}); break;
      case 12: Compare({{rng() % 2 ? "ZPOPMIN" : "ZPOPMAX", k, rng.Num(1, 3)}}); break;
      case 13: Compare({{"ZREMRANGEBYSCORE", k, bound(), bound()}}); break;
      case 14: Compare({{"ZRANGESTORE", "dst", k, "0", rng.Num(-1, 10)}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}}); break;
      default: Compare({{"ZUNIONSTORE", "dst", "2", k, key(), "WEIGHTS", rng.Num(-2, 2), "1"},
                        {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}});
        break;
    }
  }
}

// Random string operations on a few keys: ranges, appends, counters of every kind
// (integers, near-integers, floats, overflows), SET's options and the getters.
TEST_F(CollectionsAtRandom, StringRandomOperations) {
  RandomArgs rng(3304);
  auto key = [&] { return "k" + rng.Num(0, 3); };
  auto value = [&]() -> std::string {
    switch (rng() % 7) {
      case 0: return rng.Num(-1000, 1000);
      case 1: return "0" + rng.Num(0, 99);
      case 2: return rng.Num(0, 99) + ".5";
      case 3: return "9223372036854775806";
      case 4: return std::string(static_cast<size_t>(rng() % 50), 'x');
      case 5: return " 12";
      default: return "v" + rng.Num(0, 99);
    }
  };
  for (int step = 0; step < 2500; ++step) {
    if (step == 1250) SwitchToResp3();  // the second half: maps, sets, doubles, nulls
    const std::string k = key();
    switch (rng() % 16) {
      case 0: case 1: Compare({{"SET", k, value()}}); break;
      case 2: {
        const char* option = rng() % 3 == 0 ? "NX" : rng() % 2 ? "XX" : "GET";
        Compare({{"SET", k, value(), option}});
        break;
      }
      case 3: Compare({{"APPEND", k, value()}}); break;
      case 4: Compare({{"SETRANGE", k, rng.Num(0, 40), value()}}); break;
      case 5: Compare({{"GETRANGE", k, rng.Num(-30, 30), rng.Num(-30, 30)}}); break;
      case 6: Compare({{"INCR", k}}); break;
      case 7: Compare({{"DECRBY", k, rng.Num(-100, 100)}}); break;
      case 8: Compare({{"INCRBY", k, "9223372036854775807"}}); break;
      case 9: Compare({{"INCRBYFLOAT", k, rng.Num(-9, 9) + "." + rng.Num(0, 9)}}); break;
      case 10: Compare({{"STRLEN", k}, {"GET", k}}); break;
      case 11: Compare({{"GETSET", k, value()}}); break;
      case 12: Compare({{"GETDEL", k}}); break;
      case 13: Compare({{"MSETNX", k, value(), key(), value()}}); break;
      case 14: Compare({{"SETNX", k, value()}, {"MGET", "k0", "k1", "k2", "k3"}}); break;
      default: Compare({{"LCS", k, key(), "LEN"}}); break;
    }
  }
}

// Two big lists (packed nodes of 4 KB in minired, Redis's quicklist) under a few
// thousand random commands that push, pop, index, set, insert, remove, trim and move,
// with elements from empty to bigger than a node, numbers among them, so that nodes fill, split, drain and
// are rebuilt; every reply compared, then both lists whole.
TEST_F(CollectionsAtRandom, ListRandomOperationsOnBigLists) {
  RandomArgs rng(20261208);
  auto element = [&] {
    const int kind = static_cast<int>(rng() % 100);
    if (kind < 45) return "e" + rng.Num(0, 40);  // repeats, for LREM, LPOS and LINSERT pivots
    if (kind < 65) return rng.Num(0, 40);        // numbers (stored as numbers in minired's nodes)
    if (kind < 70) return "0" + rng.Num(0, 9);   // text that only looks like a number
    if (kind < 97) return std::string(static_cast<size_t>(rng() % 300), static_cast<char>('a' + rng() % 3));
    return std::string(4000 + rng() % 2000, 'x');  // bigger than a node
  };
  auto key = [&] { return rng() % 4 == 0 ? std::string("l2") : std::string("l1"); };
  Script s;
  for (int i = 0; i < 400; ++i) s.push_back({"RPUSH", "l1", element(), element()});
  for (int i = 0; i < 200; ++i) s.push_back({"LPUSH", "l2", element()});
  for (int step = 0; step < 3000; ++step) {
    switch (rng() % 14) {
      case 0: s.push_back({"LPUSH", key(), element(), element(), element()}); break;
      case 1: s.push_back({"RPUSH", key(), element(), element()}); break;
      case 2: s.push_back({"LPOP", key(), rng.Num(1, 4)}); break;
      case 3: s.push_back({"RPOP", key()}); break;
      case 4: s.push_back({"LINDEX", key(), rng.Num(-900, 900)}); break;
      case 5: s.push_back({"LSET", key(), rng.Num(-600, 600), element()}); break;
      case 6: s.push_back({"LINSERT", key(), rng() % 2 ? "BEFORE" : "AFTER", element(), element()}); break;
      case 7: s.push_back({"LREM", key(), rng.Num(-3, 3), element()}); break;
      case 8: s.push_back({"LTRIM", key(), rng.Num(0, 2), rng.Num(-3, -1)}); break;
      case 9: s.push_back({"LRANGE", key(), rng.Num(-900, 900), rng.Num(-900, 900)}); break;
      case 10: s.push_back({"LPOS", key(), element(), "RANK", rng() % 2 ? "-1" : "2", "COUNT", rng.Num(0, 3)}); break;
      case 11:
        s.push_back({"LMOVE", key(), key(), rng() % 2 ? "LEFT" : "RIGHT", rng() % 2 ? "LEFT" : "RIGHT"});
        break;
      case 12: s.push_back({"LLEN", key()}); break;
      default: s.push_back({"RPOPLPUSH", key(), key()}); break;
    }
  }
  for (const char* k : {"l1", "l2"}) {
    s.push_back({"LLEN", k});
    s.push_back({"LRANGE", k, "0", "-1"});
  }
  Compare(s);
}

// The sorted set algebra at random over small and big sets and plain sets: every
// aggregate, weights of every sign with infinite scores among the inputs (inf * 0 and
// inf + -inf are 0 in Redis), the stores, ZINTERCARD's limit, and ZMPOP.
TEST_F(CollectionsAtRandom, SortedSetAlgebraAtRandom) {
  RandomArgs rng(3310);
  auto score = [&]() -> std::string {
    const int kind = static_cast<int>(rng() % 10);
    if (kind == 0) return rng() % 2 ? "inf" : "-inf";
    if (kind == 1) return rng.Num(-9, 9) + ".5";
    return rng.Num(-50, 50);
  };
  auto key = [&] { return "a" + rng.Num(0, 4); };  // a4 is a plain set
  for (int i = 0; i < 300; ++i) Compare({{"ZADD", "a3", score(), "m" + std::to_string(i)}});
  for (int step = 0; step < 1500; ++step) {
    if (step == 750) SwitchToResp3();
    const std::string k = key();
    std::vector<std::string> weights = {"WEIGHTS", rng() % 4 ? rng.Num(-2, 3) : "0", rng() % 5 ? rng.Num(-1, 2) : "inf"};
    const char* agg = rng() % 3 == 0 ? "SUM" : rng() % 2 ? "MIN" : "MAX";
    switch (rng() % 10) {
      case 0: case 1:
        if (k == "a4") {
          Compare({{"SADD", k, "m" + rng.Num(0, 40)}});
        } else {
          Compare({{"ZADD", k, score(), "m" + rng.Num(0, 40)}});
        }
        break;
      case 2: {
        std::vector<std::string> cmd = {"ZUNION", "2", k, key()};
        cmd.insert(cmd.end(), weights.begin(), weights.end());
        cmd.insert(cmd.end(), {"AGGREGATE", agg, "WITHSCORES"});
        CompareUnordered(cmd);  // members of equal score in hash order in Redis
        break;
      }
      case 3: {
        std::vector<std::string> cmd = {"ZINTERSTORE", "dst", "2", k, key()};
        cmd.insert(cmd.end(), weights.begin(), weights.end());
        cmd.insert(cmd.end(), {"AGGREGATE", agg});
        Compare({cmd, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}});
        break;
      }
      case 4: {
        std::vector<std::string> cmd = {"ZUNIONSTORE", "dst", "2", k, key()};
        cmd.insert(cmd.end(), weights.begin(), weights.end());
        cmd.insert(cmd.end(), {"AGGREGATE", agg});
        Compare({cmd, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}});
        break;
      }
      case 5: Compare({{"ZDIFFSTORE", "dst", "2", k, key()}, {"ZRANGE", "dst", "0", "-1", "WITHSCORES"}}); break;
      case 6: Compare({{"ZINTERCARD", "2", k, key(), "LIMIT", rng.Num(0, 5)}}); break;
      case 7: Compare({{"ZMPOP", "2", k, key(), rng() % 2 ? "MIN" : "MAX", "COUNT", rng.Num(1, 3)}}); break;
      case 8: Compare({{"ZREM", k, "m" + rng.Num(0, 40)}, {"ZCARD", k}}); break;
      default: Compare({{"ZRANGE", k, "0", "5", "WITHSCORES"}}); break;
    }
  }
}

// Encodings at random: both servers given the same small listpack and intset limits,
// then hashes, sets and sorted sets grown, shrunk and stored past them, with OBJECT
// ENCODING compared after each command (lists aside: minired names a small one
// listpack, as Redis 7.2).
TEST_F(CollectionsAtRandom, EncodingsFollowRedisAtRandom) {
  RandomArgs rng(3313);
  // Each server's own values come back at the end (the servers serve the whole suite).
  const std::vector<std::string> limits = {"hash-max-listpack-entries", "zset-max-listpack-entries",
                                           "set-max-intset-entries", "hash-max-listpack-value",
                                           "zset-max-listpack-value"};
  std::vector<std::string> redis_values, minired_values;
  for (const std::string& limit : limits) {
    redis_values.push_back(r_.Call({"CONFIG", "GET", limit}).value.elems.at(1).str);
    minired_values.push_back(m_.Call({"CONFIG", "GET", limit}).value.elems.at(1).str);
    Compare({{"CONFIG", "SET", limit, limit.find("value") != std::string::npos ? "16" : "8"}});
  }
  auto element = [&] { return rng() % 8 == 0 ? std::string(20, 'L') : rng() % 2 ? rng.Num(0, 30) : "m" + rng.Num(0, 30); };
  for (int step = 0; step < 2000; ++step) {
    const std::string h = "h" + rng.Num(0, 1), z = "z" + rng.Num(0, 1), st = "s" + rng.Num(0, 1);
    switch (rng() % 12) {
      case 0: Compare({{"HSET", h, element(), element()}, {"OBJECT", "ENCODING", h}}); break;
      case 1: Compare({{"HDEL", h, element(), element()}, {"OBJECT", "ENCODING", h}}); break;
      case 2: Compare({{"ZADD", z, rng.Num(0, 9), element()}, {"OBJECT", "ENCODING", z}}); break;
      case 3: Compare({{"ZREM", z, element(), element()}, {"OBJECT", "ENCODING", z}}); break;
      case 4: Compare({{"SADD", st, element()}, {"OBJECT", "ENCODING", st}}); break;
      case 5: Compare({{"SREM", st, element(), element()}, {"OBJECT", "ENCODING", st}}); break;
      case 6: Compare({{"ZUNIONSTORE", "zd", "2", z, "z" + rng.Num(0, 1)}, {"OBJECT", "ENCODING", "zd"}}); break;
      case 7: Compare({{"ZRANGESTORE", "zd", z, "0", rng.Num(0, 12)}, {"OBJECT", "ENCODING", "zd"}}); break;
      case 8: Compare({{"SINTERSTORE", "sd", st, "s" + rng.Num(0, 1)}, {"OBJECT", "ENCODING", "sd"}}); break;
      case 9: Compare({{"SUNIONSTORE", "sd", st, "s" + rng.Num(0, 1)}, {"OBJECT", "ENCODING", "sd"}}); break;
      case 10: Compare({{"COPY", h, "hd", "REPLACE"}, {"OBJECT", "ENCODING", "hd"}}); break;
      default: Compare({{"ZPOPMIN", z, rng.Num(1, 4)}, {"OBJECT", "ENCODING", z}}); break;
    }
  }
  for (size_t i = 0; i < limits.size(); ++i) {
    r_.Call({"CONFIG", "SET", limits[i], redis_values[i]});
    m_.Call({"CONFIG", "SET", limits[i], minired_values[i]});
  }
}

// Every list command at random on small lists (listpacks in minired, edited in their
// blob or decoded), with numbers, near-numbers and text, three keys emptied and made
// again; the second half in RESP3.
TEST_F(CollectionsAtRandom, ListRandomOperationsOnSmallLists) {
  RandomArgs rng(3309);
  auto element = [&]() -> std::string {
    switch (rng() % 6) {
      case 0: return rng.Num(-20, 20);
      case 1: return "0" + rng.Num(0, 9);
      case 2: return "-0";
      case 3: return std::string(static_cast<size_t>(rng() % 90), 'a');
      default: return "e" + rng.Num(0, 9);
    }
  };
  auto key = [&] { return "sl" + rng.Num(0, 2); };
  for (int step = 0; step < 3000; ++step) {
    if (step == 1500) SwitchToResp3();
    const std::string k = key();
    switch (rng() % 17) {
      case 0: case 1: Compare({{rng() % 2 ? "LPUSH" : "RPUSH", k, element(), element()}}); break;
      case 2: Compare({{rng() % 2 ? "LPUSHX" : "RPUSHX", k, element()}}); break;
      case 3: Compare({{rng() % 2 ? "LPOP" : "RPOP", k, rng.Num(0, 3)}}); break;
      case 4: Compare({{"LINDEX", k, rng.Num(-12, 12)}}); break;
      case 5: Compare({{"LSET", k, rng.Num(-10, 10), element()}}); break;
      case 6: Compare({{"LINSERT", k, rng() % 2 ? "BEFORE" : "AFTER", element(), element()}}); break;
      case 7: Compare({{"LREM", k, rng.Num(-2, 2), element()}}); break;
      case 8: Compare({{"LTRIM", k, rng.Num(-8, 3), rng.Num(-3, 12)}}); break;
      case 9: Compare({{"LRANGE", k, rng.Num(-12, 12), rng.Num(-12, 12)}}); break;
      case 10:
        Compare({{"LPOS", k, element(), "RANK", rng() % 2 ? "-1" : "1", "COUNT", rng.Num(0, 3), "MAXLEN", rng.Num(0, 10)}});
        break;
      case 11: Compare({{"LMOVE", k, key(), rng() % 2 ? "LEFT" : "RIGHT", rng() % 2 ? "LEFT" : "RIGHT"}}); break;
      case 12: Compare({{"LMPOP", "2", k, key(), rng() % 2 ? "LEFT" : "RIGHT", "COUNT", rng.Num(1, 4)}}); break;
      case 13: Compare({{"RPOPLPUSH", k, key()}}); break;
      case 14: Compare({{"LLEN", k}, {"TYPE", k}}); break;
      case 15: Compare({{"SORT", k, "ALPHA", "LIMIT", "0", rng.Num(1, 5)}}); break;
      default: Compare({{"LRANGE", k, "0", "-1"}}); break;
    }
  }
}

// Small lists (listpacks: a pop cuts the blob's bytes, a push adds to them) under random
// pushes, pops of every count from both ends and moves between them, with elements
// whose headers take one byte and two (64 bytes and more), emptied and created again.
TEST_F(CollectionsAtRandom, ListPushesAndPopsOnSmallLists) {
  RandomArgs rng(20261209);
  auto element = [&] { return rng() % 4 == 0 ? std::string(60 + rng() % 20, 'w') : "v" + rng.Num(0, 99); };
  auto key = [&] { return "s" + rng.Num(0, 2); };
  Script s;
  for (int step = 0; step < 1500; ++step) {
    switch (rng() % 10) {
      case 8: s.push_back({"LMOVE", key(), key(), rng() % 2 ? "LEFT" : "RIGHT", rng() % 2 ? "LEFT" : "RIGHT"}); break;
      case 9: s.push_back({"RPOPLPUSH", key(), key()}); break;
      case 0: s.push_back({"LPUSH", key(), element(), element()}); break;
      case 1: s.push_back({"RPUSH", key(), element()}); break;
      case 2: s.push_back({"LPOP", key()}); break;
      case 3: s.push_back({"RPOP", key(), rng.Num(1, 4)}); break;
      case 4: s.push_back({"LPOP", key(), rng.Num(1, 3)}); break;
      case 5: s.push_back({"LMPOP", "2", key(), key(), rng() % 2 ? "LEFT" : "RIGHT", "COUNT", rng.Num(1, 3)}); break;
      case 6: s.push_back({"LRANGE", key(), "0", "-1"}); break;
      default: s.push_back({"LLEN", key()}); break;
    }
  }
  Compare(s);
}

}  // namespace
}  // namespace minired
