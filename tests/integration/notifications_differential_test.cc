// Keyspace notifications, differential: every command of the corpus runs on both
// servers while a client of each subscribes to every __keyspace@*__ and __keyevent@*__
// channel; the replies and the messages each command caused are compared byte for
// byte (after a marker published on both, so "no event" is compared too).
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "protocol/numbers.h"
#include "tests/integration/differential.h"

namespace minired {
namespace {

class Notifications : public Differential {
 protected:
  void SetUp() override {
    Differential::SetUp();
    ASSERT_TRUE(rs_.Connect(redis_->port()));
    ASSERT_TRUE(ms_.Connect(minired_->port()));
    for (RespClient* s : {&rs_, &ms_}) {
      s->Call({"PSUBSCRIBE", "__key*__:*"});
      s->Call({"SUBSCRIBE", "mark"});
    }
  }
  void TearDown() override {
    r_.Call({"CONFIG", "SET", "notify-keyspace-events", ""});
    m_.Call({"CONFIG", "SET", "notify-keyspace-events", ""});
  }

  void SetClasses(const std::string& classes) {
    Compare({{"CONFIG", "SET", "notify-keyspace-events", classes}, {"CONFIG", "GET", "notify-keyspace-events"}});
  }

  // The messages `sub` got up to the marker `n` published by `cmd`'s connection.
  static std::vector<std::string> Events(RespClient& cmd, RespClient& sub, int n) {
    cmd.Call({"PUBLISH", "mark", std::to_string(n)});
    std::vector<std::string> out;
    Reply m;
    while (sub.Read(&m, std::chrono::seconds(5))) {
      const auto& e = m.value.elems;
      if (e.size() == 3 && e[1].str == "mark") {
        if (e[2].str == std::to_string(n)) return out;
        continue;
      }
      out.push_back(m.raw);
    }
    out.push_back("(timed out waiting for the marker)");
    return out;
  }

  // Runs `lines` (one command each, words separated by spaces; a leading '!' compares
  // only the events, for replies that are random; "sleep N" waits N ms; "" is an empty
// argument) and compares.
  void CompareEvents(const std::vector<std::string>& lines) {
    for (const std::string& raw : lines) {
      std::string line = raw;
      if (line.rfind("sleep ", 0) == 0) {
        usleep(static_cast<useconds_t>(std::stoi(line.substr(6)) * 1000));
        continue;
      }
      const bool reply_random = !line.empty() && line[0] == '!';
      if (reply_random) line = line.substr(1);
      std::vector<std::string> cmd = Words(line);
      for (auto& w : cmd) {
        if (w == "\"\"") w.clear();  // an empty argument
      }
      Reply want = r_.Call(cmd), got = m_.Call(cmd);
      if (!reply_random) {
        EXPECT_EQ(got.raw, want.raw) << "reply to: " << line;
      }
      // Inside MULTI the marker's PUBLISH would only be queued: the queued commands'
      // events are compared after EXEC.
      if (EqualsIgnoreCase(cmd[0], "MULTI")) in_multi_ = true;
      if (EqualsIgnoreCase(cmd[0], "EXEC") || EqualsIgnoreCase(cmd[0], "DISCARD")) in_multi_ = false;
      if (in_multi_) continue;
      ++marker_;
      EXPECT_EQ(Events(m_, ms_, marker_), Events(r_, rs_, marker_)) << "events of: " << line;
    }
  }

  RespClient rs_, ms_;  // the subscribers
  int marker_ = 0;
  bool in_multi_ = false;
};

// Strings, counters, bits: every event name, and the commands that change nothing.
TEST_F(Notifications, StringEvents) {
  SetClasses("KEA");
  // Keys set with a past expiry must wait for the lookup that deletes them.
  Compare({{"DEBUG", "SET-ACTIVE-EXPIRE", "0"}});
  CompareEvents({"set s1 v", "set s1 v2 NX", "set s1 v3 XX GET", "set s1 v4 EX 100", "set s1 v5 KEEPTTL",
                 "set s2 x XX", "setnx s1 z", "setnx s3 z", "setex s4 100 v", "psetex s5 100000 v",
                 "mset m1 a m2 b", "msetnx m1 a m3 b", "msetnx m4 a m5 b", "append s1 more", "append newapp x",
                 "setrange s1 2 zz", "setrange s1 0 \"\"", "setrange sr2 3 x", "incr n1", "incrby n1 5", "decr n1",
                 "decrby n1 2", "incrbyfloat n1 1.5", "incrbyfloat s1 1", "getset s1 new", "getdel s1", "getdel s1",
                 "getex s3 EX 100", "getex s3 PERSIST", "getex s3 PX 1000", "getex s3", "getex s3 PXAT 1",
                 "setbit bits 7 1", "setbit bits 7 1", "bitop AND dst m1 m2", "bitop OR dst nope1 nope2",
                 "bitop OR dst nope1 nope2", "bitfield bf SET u8 0 255", "bitfield bf GET u8 0",
                 "bitfield bf INCRBY u8 0 10 OVERFLOW FAIL INCRBY u8 0 300", "set a v PXAT 1", "set a v",
                 "set a v EXAT 1 GET", "pfadd hll a b c", "pfadd hll a", "pfadd hll2", "pfcount hll",
                 "pfmerge hll3 hll hll2", "pfmerge hll3"});
  Compare({{"DEBUG", "SET-ACTIVE-EXPIRE", "1"}});
}

// DEL, EXPIRE and kin, RENAME, COPY, MOVE, and the keys they miss.
TEST_F(Notifications, GenericEvents) {
  SetClasses("KEA");
  CompareEvents({"mset m1 a m2 b m4 c m5 d", "expire m1 100", "expire m1 0", "pexpire m2 100000",
                 "expireat m4 99999999999", "expireat m4 1", "pexpireat m5 1", "set p1 v EX 100", "persist p1",
                 "persist p1", "set r1 v", "rename r1 r2", "rename r2 r2", "renamenx r2 m3", "set r3 x",
                 "renamenx r3 m3", "rename nothing x", "copy m3 r4", "copy m3 r4", "copy m3 r4 REPLACE",
                 "copy m3 r5 DB 1", "move r4 1", "move r4 1", "del r3 nothing r4", "unlink m3", "set e v",
                 "expire e -1", "lpush e7 a", "expire e7 0", "swapdb 0 1", "swapdb 0 1", "flushdb", "flushall"});
}

TEST_F(Notifications, ListSetHashEvents) {
  SetClasses("KEA");
  CompareEvents({"lpush l1 a b c", "rpush l1 d", "lpushx l1 e", "rpushx nolist e", "linsert l1 BEFORE a x",
                 "linsert l1 BEFORE zz x", "lset l1 0 y", "lrem l1 1 y", "lrem l1 1 notthere", "ltrim l1 0 2",
                 "ltrim l1 0 100", "lpop l1", "rpop l1 1", "lpop nolist", "lmove l1 l2 LEFT RIGHT",
                 "rpoplpush l2 l1", "lmove l1 l1 LEFT LEFT", "lmpop 2 nolist l1 LEFT COUNT 5", "lmpop 1 nolist LEFT",
                 "rpush l3 a", "ltrim l3 1 0", "rpush l4 a b", "blpop l4 0", "brpoplpush l4 l5 0",
                 "sadd st a b c", "sadd st a", "srem st a", "srem st zz", "smove st st2 b", "smove st st2 c",
                 "smove st2 st2 c", "!spop st2", "sadd st3 a b c d", "!spop st3 2", "!spop st3 5", "spop st3 0",
                 "sadd sa 1 2 3", "sadd sb 2 3 4", "sinterstore sdst sa sb", "sunionstore sdst sa sb",
                 "sdiffstore sdst sa sb", "sdiffstore sdst sa sa", "sinterstore sdst nothing sa",
                 "hset h f 1 g 2", "hset h f 3", "hsetnx h f 9", "hsetnx h z 9", "hmset h a 1", "hincrby h n 5",
                 "hincrbyfloat h n 1.5", "hdel h f g", "hdel h nope", "hdel h a z n", "hget nothing f"});
}

TEST_F(Notifications, SortedSetGeoSortEvents) {
  SetClasses("KEA");
  CompareEvents({"zadd z 1 a 2 b", "zadd z XX 5 a", "zadd z NX 5 a", "zadd z INCR 1 a", "zadd z CH 9 a 1 q",
                 "zadd z GT 1 a", "zincrby z 2 b", "zrem z q", "zrem z nothing", "zremrangebyscore z 0 0",
                 "zadd z 1 a 2 b 3 c 4 d", "zremrangebyscore z 0 1", "zremrangebyrank z 0 0",
                 "zremrangebylex z - (c", "zpopmin z", "zpopmax z 2", "zpopmin nothingz", "zadd za 1 a 2 b",
                 "zadd zb 2 b 3 c", "zunionstore zdst 2 za zb", "zinterstore zdst 2 za zb", "zdiffstore zdst 2 za zb",
                 "zdiffstore zdst 2 za za", "zrangestore zdst za 0 -1", "zrangestore zdst za 5 10", "zmpop 1 za MIN",
                 "zmpop 2 nothingz zb MAX COUNT 9", "zadd zc 1 x", "bzpopmin zc 0",
                 "geoadd g 13.36 38.11 Palermo 15.08 37.50 Catania", "geoadd g 13.36 38.11 Palermo",
                 "geosearchstore gdst g FROMLONLAT 15 37 BYRADIUS 200 km",
                 "geosearchstore gdst g FROMLONLAT 15 37 BYRADIUS 200 km",
                 "geosearchstore gdst g FROMLONLAT 15 37 BYRADIUS 1 m", "georadius g 15 37 200 km STORE gdst2",
                 "georadius g 15 37 200 km STOREDIST gdst3", "georadiusbymember g Palermo 300 km STORE gdst3",
                 "rpush sl 3 1 2", "sort sl STORE sorted", "sort sl STORE sorted", "sort nothing STORE sorted",
                 "sort sl"});
}

TEST_F(Notifications, StreamEvents) {
  SetClasses("KEA");
  CompareEvents({"xadd x 1-0 a 1", "xadd x 2-0 a 2", "xadd x 3-0 a 3", "xgroup create x g 0",
                 "xreadgroup GROUP g c1 COUNT 1 STREAMS x >", "xreadgroup GROUP g c1 COUNT 1 STREAMS x >",
                 "xreadgroup GROUP g c2 COUNT 1 STREAMS x 0", "xclaim x g c3 0 1-0", "xclaim x g c3 0 1-0",
                 "xautoclaim x g c4 0 0", "xack x g 1-0", "xtrim x MAXLEN 10", "xtrim x MAXLEN 1", "xdel x 3-0",
                 "xdel x 3-0", "xsetid x 3-0", "xgroup setid x g $", "xgroup delconsumer x g nobody",
                 "xgroup createconsumer x g c9", "xgroup createconsumer x g c9", "xgroup delconsumer x g c9",
                 "xgroup destroy x g", "xgroup destroy x g", "xadd y NOMKSTREAM 1-0 a b", "xgroup create y g $ MKSTREAM",
                 "xadd z 1-0 a 1", "xgroup create z g $", "xreadgroup GROUP g c2 COUNT 1 STREAMS z >",
                 "xinfo consumers z g", "xadd z 2-0 a 1 MAXLEN 1", "del x y z"});
}

// Transactions and scripts notify each command's events as it runs.
TEST_F(Notifications, TransactionsAndScripts) {
  SetClasses("KEA");
  CompareEvents({"multi", "set t 1", "incr t", "del t", "exec",
                 "eval redis.call('set',KEYS[1],'1');redis.call('lpush',KEYS[2],'x') 2 sk sl"});
}

// Only the classes asked for: each class letter alone with K or E, and n and m, which
// A leaves out.
TEST_F(Notifications, ClassesFilterEvents) {
  const std::vector<std::string> corpus = {"set a 1", "incr c", "get nothing", "lpush l x", "sadd s x",
                                           "hset h f v", "zadd z 1 m", "xadd x 1-0 f v", "expire a 100",
                                           "del a l s h z x c", "set e v PX 1", "sleep 20", "get e"};
  // Active expiry off: "e" is to expire at the GET on both servers, not in a cycle of
  // one of them that ran first on a loaded machine (ExpiredEventsLazilyAndActively).
  Compare({{"DEBUG", "SET-ACTIVE-EXPIRE", "0"}});
  for (const char* classes : {"K$", "Eg", "Kl", "Es", "KEh", "Kz", "Ex", "Kt", "Kn", "Em", "KA", "Am", "An",
                              "KEAnm", "A", ""}) {
    SCOPED_TRACE(classes);
    SetClasses(classes);
    CompareEvents(corpus);
    Compare({{"FLUSHALL"}});
  }
  Compare({{"DEBUG", "SET-ACTIVE-EXPIRE", "1"}});
}

// A key whose expiry passes is announced when it is really deleted: by a lookup, or by
// the active expiry cycle without anybody touching it.
TEST_F(Notifications, ExpiredEventsLazilyAndActively) {
  SetClasses("Ex");
  // Active expiry off for the lazy half: a cycle of either server that ran between the
  // SET and its marker (the 1 ms TTL is up by then on a loaded machine) would announce
  // the key early on that server alone.
  Compare({{"DEBUG", "SET-ACTIVE-EXPIRE", "0"}});
  CompareEvents({"set lazy v PX 1", "sleep 20", "exists lazy"});
  Compare({{"DEBUG", "SET-ACTIVE-EXPIRE", "1"}, {"SET", "active", "v", "PX", "1"}});
  usleep(400 * 1000);  // several active-expiry cycles (hz 10)
  ++marker_;
  EXPECT_EQ(Events(m_, ms_, marker_), Events(r_, rs_, marker_));
  Compare({{"EXISTS", "active"}});
}

// Eviction announces each evicted key ("evicted"). Which keys go depends on each
// server's memory accounting, so the events are compared in form and by count only.
TEST_F(Notifications, EvictedEvents) {
  SetClasses("Ee");
  for (RespClient* c : {&r_, &m_}) {
    std::string big(2000, 'x');
    for (int i = 0; i < 300; ++i) c->Call({"SET", "k" + std::to_string(i), big});
    // What eviction counts: used memory less replica and log buffers.
    int64_t now = testing::InfoField(*c, "memory", "used_memory") -
                  testing::InfoField(*c, "memory", "mem_not_counted_for_evict");
    c->Call({"CONFIG", "SET", "maxmemory-policy", "allkeys-random"});
    c->Call({"CONFIG", "SET", "maxmemory", std::to_string(now - 100 * 2000)});
    // More writes past the limit: each makes room first.
    for (int i = 0; i < 200; ++i) c->Call({"SET", "more" + std::to_string(i), big});
  }
  ++marker_;
  std::vector<std::string> want = Events(r_, rs_, marker_), got = Events(m_, ms_, marker_);
  for (RespClient* c : {&r_, &m_}) {
    c->Call({"CONFIG", "SET", "maxmemory", "0"});
    c->Call({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  }
  ASSERT_FALSE(want.empty());
  ASSERT_FALSE(got.empty());
  for (const std::string& e : got) {
    EXPECT_EQ(e.rfind("*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$22\r\n__keyevent@0__:evicted\r\n", 0), 0u) << e;
  }
}

TEST_F(Notifications, ConfigValues) {
  for (const char* v : {"KEA", "AKE", "gK", "Ag$lshzxeKEtmdn", "n", "Kx", "KEA$", "Z", "KEm", ""}) {
    Compare({{"CONFIG", "SET", "notify-keyspace-events", v}, {"CONFIG", "GET", "notify-keyspace-events"}});
  }
}

}  // namespace
}  // namespace minired
