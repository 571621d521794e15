// Streams against redis-server 7.0, byte for byte in RESP2 and RESP3: every command,
// option and error text, the bad IDs (0-0, decreasing, past the largest), consumer
// groups and their pending entries, claims, XINFO, and blocking reads woken by XADD,
// key deletion and group destruction. Fields that hold times (idle, seen-time,
// delivery times) and radix-tree-nodes (an internal figure of Redis's radix tree) are
// masked before comparing.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/differential.h"

namespace minired {
namespace {

// Zeroes what depends on the clock or on Redis's radix tree: the value after a field
// named like a time, integers that are epoch milliseconds, and XPENDING's idle column.
void MaskTimes(RespValue* v, bool pending_rows) {
  static const char* kMasked[] = {"idle", "seen-time", "radix-tree-nodes"};
  for (size_t i = 0; i < v->elems.size(); ++i) {
    RespValue& e = v->elems[i];
    if (e.type == RespValue::Type::kInteger && e.integer > 1000000000000) e.integer = 0;
    if (e.type == RespValue::Type::kBulkString && i + 1 < v->elems.size()) {
      for (const char* name : kMasked) {
        if (e.str == name) v->elems[i + 1].integer = 0;
      }
    }
    if (pending_rows && e.is_array() && e.elems.size() == 4) e.elems[2].integer = 0;
    MaskTimes(&e, pending_rows);
  }
}

class Streams : public Differential {
 protected:
  void Run(std::initializer_list<const char*> lines) { Compare(Lines(lines)); }

  // Compares after MaskTimes.
  void CompareMasked(const std::string& line) {
    std::vector<std::string> cmd = Words(line);
    Reply want = r_.Call(cmd), got = m_.Call(cmd);
    const bool pending_rows = cmd[0] == "XPENDING";
    MaskTimes(&want.value, pending_rows);
    MaskTimes(&got.value, pending_rows);
    EXPECT_EQ(got.value, want.value) << line << "\n  minired: " << got.value.DebugString()
                                     << "\n  redis:   " << want.value.DebugString();
  }

  // Connections of their own, for clients that block.
  void ConnectPair(RespClient* r, RespClient* m) {
    ASSERT_TRUE(r->Connect(redis_->port()));
    ASSERT_TRUE(m->Connect(minired_->port()));
  }
};

TEST_F(Streams, AddRangeDeleteAndTheirErrors) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Run({"XADD s 1-1 a 1 b 2", "XADD s 1-1 a 1", "XADD s 1 a 1", "XADD s 2 a 1", "XADD s 2-* a 1",
         "XADD s 0-0 a 1", "XADD s 0 a 1", "XADD s - a 1", "XADD s + a 1", "XADD s 3-1 a", "XADD s 3-1",
         "XADD s NOMKSTREAM 3-1 a 1", "XADD nokey NOMKSTREAM * a 1", "EXISTS nokey", "XADD s MAXLEN -1 * a 1",
         "XADD s MAXLEN abc * a 1", "XADD s MAXLEN 5 MINID 3 * a 1", "XADD s LIMIT 5 * a 1",
         "XADD s MAXLEN 5 LIMIT 5 * a 1", "XADD s MAXLEN ~ 5 LIMIT -1 * a 1", "XADD s MINID bad * a 1",
         "XADD s 3-x a 1", "XADD s 3-1-1 a 1", "XADD s 1a a 1", "XADD s -1 a 1",
         "XADD s 18446744073709551615-18446744073709551614 a 1", "XADD s 18446744073709551615-* a 1",
         "XADD s 18446744073709551615-* a 1", "XADD s 18446744073709551616-0 a 1", "XADD s * a 1",
         "XLEN s", "XLEN nokey", "XRANGE s - +", "XREVRANGE s + -", "XRANGE s - + COUNT 2", "XRANGE s - + COUNT 0",
         "XRANGE s - + COUNT -1", "XRANGE s (1-1 +", "XRANGE s - (2-0",
         "XRANGE s (18446744073709551615-18446744073709551615 +", "XRANGE s - (0-0", "XRANGE s 2 2",
         "XRANGE s 1 1", "XRANGE s - + foo", "XRANGE s - + COUNT", "XRANGE s - + COUNT x", "XRANGE s ( +",
         "XRANGE s (- +", "XRANGE nokey - +", "XRANGE nokey - + COUNT 0", "XREVRANGE s (2-1 -",
         "XREVRANGE s + (2 COUNT 1", "XDEL s 2-0 bad", "XDEL s 2-0 2-1 9-9", "XDEL nokey bad", "XLEN s",
         "SET str x", "XADD str * a 1", "XLEN str", "XRANGE str - +", "XDEL str 1-1", "XTRIM str MAXLEN 0",
         "TYPE s", "OBJECT ENCODING s", "XADD t 5-* f v", "XADD t 5-* f v", "XADD t 5 f v", "XRANGE t - +"});
  });
}

TEST_F(Streams, TrimByLengthAndMinimumId) {
  Run({"XTRIM s", "XTRIM s foo 1", "XTRIM s MAXLEN", "XTRIM nokey MAXLEN 0", "XTRIM s MAXLEN 1 LIMIT 1",
       "XTRIM s MAXLEN = 1 LIMIT 1", "XTRIM s MINID"});
  std::vector<std::string> add = {"XADD", "big", "", "f", "v"};
  for (int i = 1; i <= 350; ++i) {
    add[2] = std::to_string(i) + "-1";
    Compare({add});
  }
  Run({"XTRIM big MAXLEN ~ 300", "XLEN big", "XTRIM big MAXLEN ~ 10 LIMIT 100", "XLEN big",
       "XTRIM big MAXLEN ~ 10 LIMIT 0", "XLEN big", "XTRIM big MAXLEN = 90", "XLEN big", "XRANGE big - + COUNT 2",
       "XTRIM big MINID 295", "XLEN big", "XRANGE big - + COUNT 1", "XTRIM big MINID ~ 330", "XLEN big",
       "XTRIM big MINID 18446744073709551615-0", "XLEN big", "XADD big MAXLEN 2 400-* f v", "XLEN big",
       "XADD big MAXLEN = 0 999-1 f v", "XLEN big", "XTRIM big MAXLEN 0", "XLEN big", "EXISTS big"});
}

// Random operations on two streams with explicit IDs (time IDs would differ): adds
// with every trimming form (approximate trims cut whole nodes, so the node layout must
// be Redis's), deletions, ranges, and two consumer groups reading, acknowledging and
// claiming. Times are masked as above.
TEST_F(Streams, RandomOperationsAsRedis) {
  RandomArgs rng(3306);
  uint64_t next_ms[2] = {1, 1};
  Run({"XGROUP CREATE s0 g0 $ MKSTREAM", "XGROUP CREATE s1 g0 0 MKSTREAM", "XGROUP CREATE s0 g1 0"});
  for (int step = 0; step < 3000; ++step) {
    const int which = static_cast<int>(rng() % 2);
    const std::string s = "s" + std::to_string(which), g = "g" + rng.Num(0, 1), c = "c" + rng.Num(0, 2);
    auto id = [&] {
      next_ms[which] += rng() % 3;
      return std::to_string(next_ms[which]) + "-" + rng.Num(0, 3);
    };
    auto some_id = [&] { return rng.Num(0, static_cast<int>(next_ms[which]) + 2) + "-" + rng.Num(0, 3); };
    switch (rng() % 16) {
      case 0: case 1: case 2: {
        std::vector<std::string> cmd = {"XADD", s};
        if (rng() % 6 == 0) {
          const bool approx = rng() % 2;
          cmd.insert(cmd.end(), {rng() % 2 ? "MAXLEN" : "MINID", approx ? "~" : "="});
          cmd.push_back(cmd[2] == "MAXLEN" ? rng.Num(0, 300) : some_id());
          if (approx && rng() % 2) cmd.insert(cmd.end(), {"LIMIT", rng.Num(0, 150)});
        }
        cmd.push_back(rng() % 8 == 0 ? some_id() : id());
        for (int f = 0, n = 1 + static_cast<int>(rng() % 3); f < n; ++f) {
          cmd.push_back(rng() % 2 ? "price" : "f" + rng.Num(0, 5));
          cmd.push_back(rng() % 4 ? rng.Num(0, 99999) : std::string(static_cast<size_t>(rng() % 200), 'v'));
        }
        Compare({cmd});
        break;
      }
      case 3: Compare({{"XDEL", s, some_id(), some_id()}}); break;
      case 4: Compare({{"XRANGE", s, rng() % 2 ? "-" : some_id(), rng() % 2 ? "+" : some_id(), "COUNT", rng.Num(0, 5)}}); break;
      case 5: Compare({{"XREVRANGE", s, "+", "(" + some_id(), "COUNT", rng.Num(1, 4)}}); break;
      case 6: Compare({{"XLEN", s}}); break;
      case 7: Compare({{"XTRIM", s, rng() % 2 ? "MAXLEN" : "MINID", rng() % 2 ? "~" : "=",
                        rng() % 2 ? rng.Num(0, 400) : some_id()}});
        break;
      case 8: case 9:
        CompareMasked("XREADGROUP GROUP " + g + " " + c + " COUNT " + rng.Num(1, 4) + " STREAMS " + s + " " +
                      (rng() % 5 == 0 ? "0" : ">"));
        break;
      case 10: Compare({{"XACK", s, g, some_id(), some_id()}}); break;
      case 11: CompareMasked("XPENDING " + s + " " + g); break;
      case 12: CompareMasked("XPENDING " + s + " " + g + " - + " + rng.Num(1, 5)); break;
      case 13: CompareMasked("XAUTOCLAIM " + s + " " + g + " " + c + " 0 " + some_id() + " COUNT " + rng.Num(1, 3)); break;
      case 14: CompareMasked("XINFO GROUPS " + s); break;
      default: CompareMasked("XCLAIM " + s + " " + g + " " + c + " 0 " + some_id() + " " + some_id()); break;
    }
  }
  CompareMasked("XINFO STREAM s0 FULL");
}

TEST_F(Streams, SetIdAndTheCountersOfRedis70) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Run({"XADD s 1-1 a 1", "XADD s 2-1 a 1", "XDEL s 2-1", "XSETID s 1-5 ENTRIESADDED 0", "XSETID s 1-5",
         "XSETID s 0-1", "XSETID s 3-0 ENTRIESADDED 0", "XSETID s 18446744073709551615-18446744073709551615",
         "XSETID s 5-5 ENTRIESADDED -1", "XSETID s 5-5 ENTRIESADDED x", "XSETID s 5-5 MAXDELETEDID 6-6",
         "XSETID s 5-5 MAXDELETEDID 4-4 ENTRIESADDED 9", "XSETID s 5-5 foo", "XSETID s 5-5 ENTRIESADDED",
         "XSETID nokey 5-5", "SET str x", "XSETID str 5-5", "XSETID s bad", "XINFO STREAM s",
         "XADD e 5-5 a 1", "XDEL e 5-5", "XSETID e 1-1", "XINFO STREAM e", "XADD e 1-1 a 1", "XADD e 1-2 a 1",
         "XINFO STREAM e"});
  });
}

TEST_F(Streams, ConsumerGroupsReadAcknowledgeAndPending) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Run({"XADD s 1-1 a 1", "XADD s 1-2 b 2 c 3", "XADD s 1-3 a 4", "XGROUP CREATE s g 0", "XGROUP CREATE s g 0",
         "XGROUP CREATE s g2 $", "XGROUP CREATE s g3 bad", "XGROUP CREATE s g3 -",
         "XGROUP CREATE s g3 0 MKSTREAM ENTRIESREAD -2", "XGROUP CREATE s g3 0 foo",
         "XGROUP CREATE s g3 0 ENTRIESREAD", "XGROUP CREATE s g3 0 ENTRIESREAD 1 MKSTREAM", "XGROUP CREATE nos g 0",
         "XGROUP DESTROY nos g", "XGROUP SETID nos g 0", "SET str x", "XGROUP CREATE str g 0",
         "XGROUP SETID s nog 0", "XGROUP SETID s g 0 ENTRIESREAD", "XGROUP SETID s g 0 foo 5",
         "XGROUP SETID s g + ENTRIESREAD 3", "XGROUP SETID s g 0 ENTRIESREAD -1", "XGROUP HELP", "XGROUP HELP x",
         "XGROUP foo", "XGROUP", "XGROUP CREATE s", "XGROUP CREATE s g4 0 MKSTREAM a b c", "XINFO GROUPS s",
         "XREADGROUP GROUP g alice COUNT 1 STREAMS s >", "XREADGROUP GROUP g alice STREAMS s >",
         "XREADGROUP GROUP g alice STREAMS s >", "XREADGROUP GROUP g bob STREAMS s 0",
         "XREADGROUP GROUP g alice STREAMS s 0", "XREADGROUP GROUP g alice COUNT 1 STREAMS s 1-1", "XPENDING s g",
         "XPENDING s g - + -1", "XPENDING s g - + x", "XPENDING s g IDLE x - + 10", "XPENDING s g IDLE 0 - +",
         "XPENDING s g - +", "XPENDING s g - + 10 a b c", "XPENDING s nog", "XPENDING nokey g", "XPENDING str g",
         "XPENDING s g - + 10 nobody", "XACK s g 1-1 bad", "XACK s g 1-1 9-9", "XACK s nog bad",
         "XACK nokey g bad", "XACK str g 1-1", "XPENDING s g", "XGROUP CREATECONSUMER s g carol",
         "XGROUP CREATECONSUMER s g carol", "XGROUP DELCONSUMER s g zed", "XINFO GROUPS s", "XDEL s 1-2",
         "XREADGROUP GROUP g alice STREAMS s 0", "XINFO GROUPS s", "XGROUP DELCONSUMER s g alice", "XPENDING s g",
         "XGROUP DESTROY s g2", "XGROUP DESTROY s g2", "XINFO GROUPS s", "XADD s 2-1 x y",
         "XREADGROUP GROUP g3 dave NOACK STREAMS s >", "XPENDING s g3", "XINFO GROUPS s",
         "XREADGROUP GROUP g dave STREAMS s $", "XREADGROUP GROUP nog dave STREAMS s >",
         "XREADGROUP GROUP g dave STREAMS nokey >", "XREADGROUP GROUP g dave STREAMS str >",
         "XREADGROUP GROUP g dave STREAMS s bad", "XREADGROUP GROUP g dave COUNT x STREAMS s >",
         "XREADGROUP GROUP g dave STREAMS s", "XREADGROUP STREAMS s >", "XREADGROUP GROUP g dave STREAMS s > s",
         "XINFO GROUPS s"});
    for (const char* line : {"XPENDING s g - + 10", "XPENDING s g (1-1 + 10", "XPENDING s g IDLE 0 - + 10",
                             "XPENDING s g - + 10 bob", "XINFO CONSUMERS s g"}) {
      CompareMasked(line);
    }
  });
}

TEST_F(Streams, ReadsWithoutAGroup) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Run({"XADD s 1-1 a 1", "XADD s 1-2 b 2", "XADD t 5-5 z 9", "XREAD STREAMS s 0", "XREAD COUNT 1 STREAMS s 0",
         "XREAD STREAMS s $", "XREAD STREAMS s >", "XREAD STREAMS nokey 0 s 1-1", "XREAD STREAMS s 0 s 1-1",
         "XREAD STREAMS s t 0 0", "XREAD COUNT 1 STREAMS s t 1-1 0", "SET str x", "XREAD STREAMS str 0",
         "XREAD STREAMS nokey str 0 0", "XREAD GROUP g c STREAMS s 0", "XREAD NOACK STREAMS s 0",
         "XREAD STREAMS s bad", "XREAD foo STREAMS s 0", "XREAD STREAMS", "XREAD STREAMS s 0 t",
         "XREAD BLOCK 1 COUNT 1 STREAMS", "XREAD BLOCK -1 STREAMS s 0", "XREAD BLOCK x STREAMS s 0",
         "XREAD COUNT x STREAMS s 0", "XREAD COUNT -5 STREAMS s 0", "XREAD STREAMS s 1-2",
         "XREAD STREAMS s 18446744073709551615-18446744073709551615", "XREAD BLOCK 0 STREAMS s 0",
         "XDEL s 1-2", "XREAD STREAMS s 1-1"});
  });
}

// A key named twice is read twice, the second time after what the first delivered.
TEST_F(Streams, AStreamNamedTwiceIsReadInTurn) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Run({"XADD s 1-1 a 1", "XADD s 1-2 a 2", "XADD s 1-3 a 3", "XGROUP CREATE s g 0",
         "XREADGROUP GROUP g c COUNT 1 STREAMS s s > >", "XREADGROUP GROUP g c STREAMS s s > >",
         "XGROUP SETID s g 0", "XREADGROUP GROUP g c STREAMS s s > 0", "XREADGROUP GROUP g c COUNT 1 STREAMS s s 0 >",
         "XREAD COUNT 1 STREAMS s s 0 1-1", "XREAD STREAMS s t s 1-2 0 0", "XPENDING s g"});
  });
}

TEST_F(Streams, ClaimsMoveAndDropPendingEntries) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Run({"XADD s 1-1 a 1", "XADD s 1-2 b 2", "XADD s 1-3 c 3", "XADD s 1-4 d 4", "XGROUP CREATE s g 0",
         "XREADGROUP GROUP g alice STREAMS s >", "XCLAIM s g bob 0 1-1", "XCLAIM s g bob 0 1-1 JUSTID",
         "XCLAIM s g bob 1000000 1-2", "XCLAIM s g bob 0 1-2 1-3 RETRYCOUNT 7 JUSTID", "XCLAIM s g bob x 1-1",
         "XCLAIM s g bob 0 1-1 IDLE x", "XCLAIM s g bob 0 1-1 TIME x", "XCLAIM s g bob 0 1-1 RETRYCOUNT x",
         "XCLAIM s g bob 0 1-1 LASTID x", "XCLAIM s g bob 0 1-1 foo", "XCLAIM s g bob 0 1-1 IDLE",
         "XCLAIM s nog bob 0 1-1", "XCLAIM nokey g bob 0 1-1", "SET str x", "XCLAIM str g bob 0 1-1",
         "XCLAIM s g carol 0 9-9", "XCLAIM s g carol 0 9-9 FORCE", "XCLAIM s g carol 0 1-4 FORCE JUSTID",
         "XCLAIM s g carol 0 1-1 LASTID 5-5 JUSTID", "XINFO GROUPS s", "XCLAIM s g carol 0 LASTID 6-6",
         "XINFO GROUPS s", "XDEL s 1-2", "XCLAIM s g carol 0 1-2 JUSTID", "XCLAIM s g carol 0 1-1 IDLE 5000 JUSTID",
         "XCLAIM s g carol 0 1-1 TIME 99999999999999 JUSTID", "XPENDING s g", "XAUTOCLAIM s g dan 0 0 COUNT 1",
         "XAUTOCLAIM s g dan 0 0 COUNT 1 JUSTID", "XAUTOCLAIM s g dan 0 0 JUSTID", "XAUTOCLAIM s g dan 0 (1-3 JUSTID",
         "XAUTOCLAIM s g dan 0 - COUNT 0", "XAUTOCLAIM s g dan 0 - COUNT x", "XAUTOCLAIM s g dan 0 - foo",
         "XAUTOCLAIM s g dan x -", "XAUTOCLAIM s g dan 0 bad",
         "XAUTOCLAIM s g dan 0 (18446744073709551615-18446744073709551615", "XAUTOCLAIM s nog dan 0 0",
         "XAUTOCLAIM nokey g dan 0 0", "XAUTOCLAIM str g dan 0 0", "XAUTOCLAIM s g dan 1000000 0", "XDEL s 1-3",
         "XAUTOCLAIM s g ed 0 0 COUNT 10", "XAUTOCLAIM s g ed 0 0 COUNT 1000000000000000000", "XPENDING s g",
         "XINFO CONSUMERS s nog", "XINFO CONSUMERS nokey g", "XINFO GROUPS nokey", "XINFO GROUPS str",
         "XINFO STREAM str", "XINFO STREAM s foo", "XINFO STREAM s FULL COUNT", "XINFO STREAM s FULL COUNT x",
         "XINFO STREAM s FULL foo 1", "XINFO HELP", "XINFO foo", "XINFO"});
    for (const char* line : {"XPENDING s g - + 10", "XINFO CONSUMERS s g", "XINFO STREAM s FULL",
                             "XINFO STREAM s FULL COUNT 1", "XINFO STREAM s FULL COUNT 0"}) {
      CompareMasked(line);
    }
  });
}

TEST_F(Streams, InfoReportsRedis70Fields) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Run({"XGROUP CREATE e g $ MKSTREAM", "XINFO STREAM e", "XINFO GROUPS e"});
    CompareMasked("XINFO STREAM e FULL");
    std::vector<std::string> add = {"XADD", "s", "", "f", "v", "g", ""};
    for (int i = 1; i <= 25; ++i) {
      add[2] = std::to_string(i) + "-0";
      add[6] = std::to_string(i * 7);
      Compare({add});
    }
    Run({"XGROUP CREATE s g 0", "XGROUP CREATE s h 10-0", "XREADGROUP GROUP g c1 COUNT 12 STREAMS s >",
         "XREADGROUP GROUP h c2 COUNT 3 STREAMS s >", "XINFO GROUPS s", "XDEL s 3-0", "XINFO GROUPS s", "XDEL s 20-0",
         "XINFO GROUPS s", "XGROUP SETID s h 0", "XINFO GROUPS s", "XGROUP SETID s h $", "XINFO GROUPS s",
         "XTRIM s MAXLEN 5", "XINFO GROUPS s", "XGROUP SETID s g 1-0 ENTRIESREAD 0", "XINFO GROUPS s"});
    for (const char* line : {"XINFO STREAM s", "XINFO STREAM s FULL", "XINFO STREAM s FULL COUNT 2",
                             "XINFO STREAM s FULL COUNT -1", "XINFO CONSUMERS s g"}) {
      CompareMasked(line);
    }
  });
}

TEST_F(Streams, TypeScanRenameCopyAndMove) {
  Run({"XADD s 1-1 a 1", "XGROUP CREATE s g 0", "XREADGROUP GROUP g c STREAMS s >", "TYPE s", "OBJECT ENCODING s",
       "SCAN 0 TYPE stream", "COPY s s2", "XINFO GROUPS s2", "XPENDING s2 g", "XADD s2 2-1 b 2", "XLEN s", "XLEN s2",
       "RENAME s2 s3", "EXISTS s2", "XRANGE s3 - +", "MOVE s3 1", "SELECT 1", "XLEN s3", "XPENDING s3 g",
       "SELECT 0", "DEL s", "EXISTS s", "XADD s 9-9 a 1", "UNLINK s"});
}

// A blocked read is served by the XADD that makes an entry past its ID, in the order
// the clients blocked; a group read by the group's next entries.
TEST_F(Streams, BlockedReadsAreServedByXadd) {
  for (const char* resp : {"2", "3"}) {
    SCOPED_TRACE(std::string("RESP") + resp);
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Run({"XGROUP CREATE s g $ MKSTREAM"});
    RespClient r1, m1, r2, m2, r3, m3;
    ConnectPair(&r1, &m1);
    ConnectPair(&r2, &m2);
    ConnectPair(&r3, &m3);
    for (RespClient* c : {&r1, &m1, &r2, &m2, &r3, &m3}) c->Call({"HELLO", resp});
    const std::vector<std::string> plain = {"XREAD", "BLOCK", "5000", "STREAMS", "s", "other", "$", "$"};
    const std::vector<std::string> group = {"XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">"};
    const std::vector<std::string> future = {"XREAD", "BLOCK", "300", "STREAMS", "s", "9-0"};
    for (RespClient* c : {&r1, &m1}) c->Send(plain);
    for (RespClient* c : {&r2, &m2}) c->Send(group);
    for (RespClient* c : {&r3, &m3}) c->Send(future);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    Run({"XADD s 1-1 f v"});
    Reply w1, g1, w2, g2, w3, g3;
    ASSERT_TRUE(r1.Read(&w1) && m1.Read(&g1));
    ASSERT_TRUE(r2.Read(&w2) && m2.Read(&g2));
    EXPECT_EQ(g1.raw, w1.raw);
    EXPECT_EQ(g2.raw, w2.raw);
    // The read past 9-0 is not served by 1-1: it times out.
    ASSERT_TRUE(r3.Read(&w3) && m3.Read(&g3));
    EXPECT_EQ(g3.raw, w3.raw);
    Run({"XPENDING s g", "XINFO GROUPS s"});
  }
}

// Deleting the stream ends a blocked group read with UNBLOCKED; destroying the group
// with NOGROUP; a plain read goes on waiting through both.
TEST_F(Streams, BlockedGroupReadsEndWithTheirStreamOrGroup) {
  Run({"XGROUP CREATE s g $ MKSTREAM", "XGROUP CREATE s h $"});
  RespClient r1, m1, r2, m2;
  ConnectPair(&r1, &m1);
  ConnectPair(&r2, &m2);
  const std::vector<std::string> by_g = {"XREADGROUP", "GROUP", "g", "c", "BLOCK", "5000", "STREAMS", "s", ">"};
  for (RespClient* c : {&r1, &m1}) c->Send(by_g);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  Run({"XGROUP DESTROY s g"});
  Reply want, got;
  ASSERT_TRUE(r1.Read(&want) && m1.Read(&got));
  EXPECT_EQ(got.raw, want.raw);
  const std::vector<std::string> by_h = {"XREADGROUP", "GROUP", "h", "c", "BLOCK", "5000", "STREAMS", "s", ">"};
  const std::vector<std::string> plain = {"XREAD", "BLOCK", "400", "STREAMS", "s", "$"};
  for (RespClient* c : {&r1, &m1}) c->Send(by_h);
  for (RespClient* c : {&r2, &m2}) c->Send(plain);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  Run({"DEL s"});
  ASSERT_TRUE(r1.Read(&want) && m1.Read(&got));
  EXPECT_EQ(got.raw, want.raw);
  ASSERT_TRUE(r2.Read(&want) && m2.Read(&got));  // timed out
  EXPECT_EQ(got.raw, want.raw);
}

// Every way a stream leaves its key ends a blocked group read with UNBLOCKED, as in
// Redis 7.0: overwritten by SET, expired (lazily on access, or by the active cycle),
// FLUSHALL, FLUSHDB, SWAPDB with a database that has no stream there.
TEST_F(Streams, BlockedGroupReadsEndWhenTheStreamIsRemovedAnyWay) {
  const std::vector<std::string> by_g = {"XREADGROUP", "GROUP", "g", "c", "BLOCK", "3000", "STREAMS", "s", ">"};
  const std::vector<std::vector<std::string>> removals = {
      {"SET", "s", "x"}, {"PEXPIRE", "s", "100"}, {"FLUSHALL"}, {"FLUSHDB"}, {"SWAPDB", "0", "1"}};
  for (const auto& removal : removals) {
    SCOPED_TRACE(removal[0]);
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Run({"XGROUP CREATE s g $ MKSTREAM"});
    RespClient r1, m1;
    ConnectPair(&r1, &m1);
    for (RespClient* c : {&r1, &m1}) c->Send(by_g);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    Compare({removal});
    Reply want, got;
    ASSERT_TRUE(r1.Read(&want) && m1.Read(&got));
    EXPECT_EQ(got.raw, want.raw);
    EXPECT_EQ(got.raw, "-UNBLOCKED the stream key no longer exists\r\n");
  }
  r_.Call({"FLUSHALL"});
  m_.Call({"FLUSHALL"});
}

// Inside MULTI a blocking read answers at once; a script may not ask to block.
TEST_F(Streams, NoBlockingInsideTransactionsOrScripts) {
  ForBothProtocols([&] {
    Run({"MULTI", "XREAD BLOCK 0 STREAMS nokey $", "XGROUP CREATE s g $ MKSTREAM",
         "XREADGROUP GROUP g c BLOCK 0 STREAMS s >", "EXEC", "DEL s"});
    Compare({{"EVAL", "return redis.call('XREAD', 'BLOCK', '0', 'STREAMS', 'k', '0')", "0"},
             {"EVAL", "return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'k', '>')", "0"},
             {"EVAL", "return redis.call('XADD', KEYS[1], '1-1', 'f', 'v')", "1", "k"},
             {"EVAL", "return redis.call('XRANGE', KEYS[1], '-', '+')", "1", "k"}});
  });
}

// Timeouts: no earlier than asked, and well before forever.
TEST_F(Streams, ShortBlockingTimeoutsExpireAsAsked) {
  for (const char* ms : {"1", "10", "100"}) {
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{"XREAD", "BLOCK", ms, "STREAMS", "nokey", "$"},
          std::vector<std::string>{"XREAD", "COUNT", "1", "BLOCK", ms, "STREAMS", "a", "b", "0", "0"}}) {
      auto start = std::chrono::steady_clock::now();
      Reply got = m_.Call(cmd);
      auto took = std::chrono::steady_clock::now() - start;
      EXPECT_EQ(got.raw, r_.Call(cmd).raw) << ms;
      EXPECT_GE(took, std::chrono::milliseconds(std::stoi(ms)));
      EXPECT_LT(took, std::chrono::seconds(2));
    }
  }
}

TEST_F(Streams, NodeSizesAreConfigurable) {
  Run({"CONFIG SET stream-node-max-entries -1", "CONFIG SET stream-node-max-bytes 1kb",
       "CONFIG GET stream-node-max-bytes", "CONFIG SET stream-node-max-entries 5",
       "CONFIG GET stream-node-max-entries"});
  std::vector<std::string> add = {"XADD", "s", "", "f", "v"};
  for (int i = 1; i <= 23; ++i) {
    add[2] = std::to_string(i) + "-0";
    Compare({add});
  }
  // Whole nodes of 5 go with ~.
  Run({"XTRIM s MAXLEN ~ 12", "XLEN s", "CONFIG SET stream-node-max-entries 100",
       "CONFIG SET stream-node-max-bytes 4096"});
}

}  // namespace
}  // namespace minired
