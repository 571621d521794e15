// Client-side caching (CLIENT TRACKING), differential: several connections to each
// server play the same scenario (readers that track, writers, redirect targets); after
// every step each connection's input is drained up to the reply of a PING sent behind
// it, and what every connection received (replies and invalidation pushes) is compared
// byte for byte. The PING marker relies on the ordering minired promises (an
// invalidation queued before a command is sent before that command's reply).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocol/numbers.h"
#include "tests/integration/differential.h"

namespace minired {
namespace {

class Tracking : public Differential {
 protected:
  struct Conn {
    RespClient r, m;
    std::string rid, mid;  // CLIENT ID on each server
    bool in_multi = false;  // a PING would only be queued: not drained meanwhile
  };

  void TearDown() override {
    for (RespClient* c : {&r_, &m_}) {
      c->Call({"CONFIG", "SET", "tracking-table-max-keys", "1000000"});
      c->Call({"FLUSHALL"});
    }
  }

  Conn& C(int i) {
    auto& slot = conns_[i];
    if (!slot) {
      slot = std::make_unique<Conn>();
      EXPECT_TRUE(slot->r.Connect(redis_->port()));
      EXPECT_TRUE(slot->m.Connect(minired_->port()));
      slot->rid = std::to_string(slot->r.Call({"CLIENT", "ID"}).value.integer);
      slot->mid = std::to_string(slot->m.Call({"CLIENT", "ID"}).value.integer);
    }
    return *slot;
  }

  // HELLO 3 on connection i (its reply holds the client id: not compared).
  void Resp3(int i) {
    C(i).r.Call({"HELLO", "3"});
    C(i).m.Call({"HELLO", "3"});
  }

  // Everything `c` received up to the reply of a PING sent now.
  static std::vector<std::string> Drain(RespClient& c) {
    std::vector<std::string> got;
    if (!c.Send({"PING", "drained"})) return {"(connection closed)"};
    Reply x;
    while (c.Read(&x, std::chrono::seconds(5))) {
      got.push_back(x.raw);
      const RespValue& v = x.value;
      const bool pong = v.str == "drained" || (v.elems.size() == 2 && v.elems[1].str == "drained");
      if (pong) return got;
    }
    got.push_back("(timed out)");
    return got;
  }

  // Client ids in what was received (tracking-redir-broken, CLIENT GETREDIR and
  // TRACKINGINFO's redirect) as "$ID<n>"; other integers are left alone.
  std::vector<std::string> Masked(std::vector<std::string> got, bool minired, bool redirect_reply) {
    for (std::string& raw : got) {
      if (!redirect_reply && raw.find("redir") == std::string::npos) continue;
      for (const auto* all : {&conns_, &gone_}) {
        for (const auto& [n, conn] : *all) {
          const std::string id = ":" + (minired ? conn->mid : conn->rid) + "\r\n";
          for (size_t at; (at = raw.find(id)) != std::string::npos;) {
            raw.replace(at, id.size(), ":$ID" + std::to_string(n) + "\r\n");
          }
        }
      }
    }
    return got;
  }

  // Runs `words` on connection i of both servers ("$ID<n>" stands for connection n's
  // client id on that server), then compares what every connection received.
  void Step(int i, const std::string& line) {
    std::vector<std::string> rcmd = Words(line), mcmd = rcmd;
    for (size_t k = 0; k < rcmd.size(); ++k) {
      if (rcmd[k].rfind("$ID", 0) == 0) {
        int n = std::stoi(rcmd[k].substr(3));
        rcmd[k] = C(n).rid;
        mcmd[k] = C(n).mid;
      }
    }
    Conn& c = C(i);
    ASSERT_TRUE(c.r.Send(rcmd));
    ASSERT_TRUE(c.m.Send(mcmd));
    // The stepping connection first: its command has run once its reply is in, and only
    // then are the others asked what it caused them.
    const std::string verb = rcmd.empty() ? "" : rcmd[0];
    if (EqualsIgnoreCase(verb, "MULTI")) c.in_multi = true;
    if (EqualsIgnoreCase(verb, "EXEC") || EqualsIgnoreCase(verb, "DISCARD")) c.in_multi = false;
    auto compare = [&](int n, Conn& conn) {
      const bool redirect_reply = n == i && line.find("GETREDIR") != std::string::npos;
      EXPECT_EQ(Masked(Drain(conn.m), true, redirect_reply), Masked(Drain(conn.r), false, redirect_reply))
          << "connection " << n << " after " << i << ": " << line;
    };
    if (c.in_multi) {
      // Inside MULTI a PING would only be queued: the command's own reply is compared.
      Reply want, got;
      ASSERT_TRUE(c.r.Read(&want));
      ASSERT_TRUE(c.m.Read(&got));
      EXPECT_EQ(got.raw, want.raw) << line;
    } else {
      // Its reply first (and the pushes before it), so the PING is a command of its own:
      // Redis sends BCAST invalidations once per event loop, after every command it read.
      auto own = [](RespClient& conn) {
        std::vector<std::string> got;
        Reply x;
        while (conn.Read(&x, std::chrono::seconds(5))) {
          got.push_back(x.raw);
          if (x.value.type != RespValue::Type::kPush) break;
        }
        return got;
      };
      std::vector<std::string> want = own(c.r), got = own(c.m);
      const bool redirect_reply = line.find("GETREDIR") != std::string::npos;
      EXPECT_EQ(Masked(got, true, redirect_reply), Masked(want, false, redirect_reply)) << line;
      compare(i, c);
    }
    for (auto& [n, conn] : conns_) {
      if (n != i && !conn->in_multi) compare(n, *conn);
    }
  }

  void Steps(std::initializer_list<std::pair<int, const char*>> steps) {
    for (const auto& [i, line] : steps) Step(i, line);
  }

  std::map<int, std::unique_ptr<Conn>> conns_;
  std::map<int, std::unique_ptr<Conn>> gone_;
};

// Default mode in RESP3: reads register keys, a write by anyone invalidates them once,
// a client's own write is invalidated after its reply, NOLOOP spares it, FLUSHDB and
// FLUSHALL send a null.
TEST_F(Tracking, DefaultModeResp3) {
  Resp3(1);
  Steps({{1, "CLIENT TRACKING on"}, {1, "GET a"}, {1, "MGET b c"}, {2, "SET a 1"}, {2, "MSET b 1 c 2"},
         {2, "SET a 2"}, {1, "GET a"}, {1, "GET a"}, {1, "SET a 2"}, {1, "CLIENT TRACKING on noloop"},
         {1, "GET a"}, {1, "SET a 3"}, {2, "SET a 4"}, {1, "HGETALL h"}, {2, "HSET h f v"}, {1, "EXISTS x y"},
         {2, "DEL y"}, {2, "SET y 1"}, {1, "GET a"}, {2, "FLUSHDB"}, {1, "GET a"}, {2, "FLUSHALL"}, {1, "GET b"},
         {2, "SET b 1 PX 1"}, {1, "CLIENT TRACKINGINFO"}, {1, "CLIENT GETREDIR"}, {1, "CLIENT TRACKING off"},
         {1, "CLIENT TRACKINGINFO"}, {2, "SET a 5"}});
}

// Expiry and eviction invalidate too; so do commands inside MULTI/EXEC and scripts
// (their reads count for the client that runs them).
TEST_F(Tracking, ExpiryTransactionsAndScripts) {
  Resp3(1);
  Steps({{1, "CLIENT TRACKING on"}, {2, "SET e v PX 400"}, {1, "GET e"}});
  usleep(1200 * 1000);  // the active cycle deletes it
  Steps({{2, "PING"}, {1, "GET z"}, {1, "MULTI"}, {1, "GET z2"}, {1, "SET z 1"}, {1, "EXEC"}, {2, "SET z2 1"},
         {1, "EVAL_RO return(redis.call('get',KEYS[1])) 1 s1"}, {2, "SET s1 x"},
         {1, "EVAL return(redis.call('get',KEYS[1])) 1 s2"}, {2, "SET s2 x"},
         {2, "EVAL redis.call('set',KEYS[1],'y') 1 s1"}, {1, "GET s1"}, {2, "EVAL redis.call('set',KEYS[1],'y') 1 s1"}});
}

// BCAST: every change under a prefix, batched per command, sorted; NOLOOP leaves out
// the client's own changes; prefixes must not overlap.
TEST_F(Tracking, BroadcastWithPrefixes) {
  Resp3(3);
  Steps({{3, "CLIENT TRACKING on bcast prefix a prefix b"}, {2, "SET a 1"}, {2, "SET b 1"},
         {2, "MSET a 2 b 3 c 4 ab 5 ba 6"}, {3, "SET ab 1"}, {3, "CLIENT TRACKING on bcast prefix ab"},
         {3, "CLIENT TRACKING on bcast prefix c"}, {3, "CLIENT TRACKINGINFO"}, {3, "CLIENT TRACKING on bcast noloop"},
         {3, "SET ab 2"}, {2, "SET ab 3"}, {2, "DEL a b c ab ba"}, {2, "FLUSHALL"}, {3, "CLIENT TRACKING on"},
         {3, "CLIENT TRACKING off"}, {2, "SET a 1"}});
}

// OPTIN tracks only after CLIENT CACHING yes, OPTOUT all but after CLIENT CACHING no;
// the answer holds for one command (or a whole transaction).
TEST_F(Tracking, OptinAndOptout) {
  Resp3(4);
  Steps({{4, "CLIENT TRACKING on optin"}, {4, "GET x"}, {2, "SET x 1"}, {4, "CLIENT CACHING yes"}, {4, "GET x"},
         {2, "SET x 2"}, {4, "CLIENT CACHING yes"}, {4, "CLIENT TRACKINGINFO"}, {4, "GET w"}, {4, "GET x"},
         {2, "MSET w 1 x 3"}, {4, "CLIENT CACHING yes"}, {4, "MULTI"}, {4, "GET m1"}, {4, "GET m2"}, {4, "EXEC"},
         {2, "MSET m1 1 m2 2"}, {4, "CLIENT CACHING no"}, {4, "CLIENT TRACKING on optout"},
         {4, "CLIENT TRACKING off"}, {4, "CLIENT TRACKING on optout"}, {4, "GET y"}, {2, "SET y 1"},
         {4, "CLIENT CACHING no"}, {4, "GET y"}, {2, "SET y 2"}, {4, "CLIENT CACHING yes"}});
}

// REDIRECT: to a RESP2 client subscribed to __redis__:invalidate (messages), to a RESP3
// client (pushes; a RESP2 tracker's flush null stays "$-1"), and to a client that went
// away (tracking-redir-broken to a RESP3 tracker, the broken_redirect flag).
TEST_F(Tracking, Redirect) {
  Resp3(7);
  Resp3(9);
  Steps({{5, "SUBSCRIBE __redis__:invalidate"}, {6, "CLIENT TRACKING on redirect $ID5"}, {6, "GET r"},
         {2, "SET r 1"}, {6, "GET r"}, {2, "DEL r"}, {6, "CLIENT GETREDIR"}, {8, "CLIENT TRACKING on redirect $ID7"},
         {8, "GET q"}, {2, "SET q 1"}, {8, "GET q"}, {2, "FLUSHALL"}, {10, "CLIENT TRACKING on redirect $ID11"},
         {9, "CLIENT TRACKING on redirect $ID10"}, {9, "GET w"}});
  gone_[10] = std::move(conns_[10]);  // the redirect target leaves (its ids stay known)
  gone_[10]->r.Close();
  gone_[10]->m.Close();
  conns_.erase(10);
  usleep(100 * 1000);
  Steps({{2, "SET w 1"}, {9, "CLIENT TRACKINGINFO"}, {9, "GET w"}, {2, "SET w 2"}});
}

// Option errors, in Redis's order and words.
TEST_F(Tracking, OptionErrors) {
  Steps({{1, "CLIENT TRACKING maybe"}, {1, "CLIENT TRACKING on foo"}, {1, "CLIENT TRACKING on redirect"},
         {1, "CLIENT TRACKING on redirect abc"}, {1, "CLIENT TRACKING on redirect 99999"},
         {1, "CLIENT TRACKING on redirect 0"}, {1, "CLIENT TRACKING on prefix a"},
         {1, "CLIENT TRACKING on bcast optin"}, {1, "CLIENT TRACKING on optin optout"},
         {1, "CLIENT TRACKING on bcast prefix a prefix ab"}, {1, "CLIENT TRACKING on bcast prefix"},
         {1, "CLIENT CACHING yes"}, {1, "CLIENT CACHING maybe"}, {1, "CLIENT GETREDIR"}, {1, "CLIENT TRACKINGINFO"},
         {1, "CLIENT TRACKING on bcast prefix a"}, {1, "CLIENT TRACKING on bcast prefix b prefix a"},
         {1, "CLIENT TRACKING on"}, {1, "CLIENT TRACKING off"}, {1, "CLIENT TRACKING on optin"},
         {1, "CLIENT TRACKING on optout"}, {1, "CLIENT CACHING no"}, {1, "CLIENT CACHING maybe"},
         {1, "CLIENT TRACKING on redirect $ID2 redirect $ID2"}, {1, "CLIENT TRACKING off foo"},
         {1, "CLIENT TRACKING off prefix x"}, {1, "CLIENT TRACKING"}});
}

// tracking-table-max-keys: past it, remembered keys are forgotten and invalidated as
// if changed; INFO counts clients, keys, items and prefixes.
TEST_F(Tracking, TableLimitAndInfo) {
  Resp3(1);
  Resp3(3);
  Steps({{1, "CLIENT TRACKING on"}, {3, "CLIENT TRACKING on bcast prefix p"}, {1, "MGET k1 k2 k3"}});
  for (const char* f : {"tracking_total_keys", "tracking_total_items", "tracking_total_prefixes"}) {
    EXPECT_EQ(testing::InfoField(m_, "stats", f), testing::InfoField(r_, "stats", f)) << f;
  }
  EXPECT_EQ(testing::InfoField(m_, "clients", "tracking_clients"), testing::InfoField(r_, "clients", "tracking_clients"));
  EXPECT_EQ(testing::InfoField(m_, "stats", "tracking_total_keys"), 3);
  // Over the limit: the next command forgets keys until one is left (which ones is
  // random, so only the count of invalidations and the table's size are compared).
  for (RespClient* c : {&C(2).r, &C(2).m}) c->Call({"CONFIG", "SET", "tracking-table-max-keys", "1"});
  int invalidated_r = 0, invalidated_m = 0;
  for (const std::string& raw : Drain(C(1).r)) invalidated_r += raw.rfind(">2\r\n$10\r\ninvalidate", 0) == 0;
  for (const std::string& raw : Drain(C(1).m)) invalidated_m += raw.rfind(">2\r\n$10\r\ninvalidate", 0) == 0;
  EXPECT_EQ(invalidated_m, invalidated_r);
  EXPECT_EQ(invalidated_m, 2);
  EXPECT_EQ(testing::InfoField(m_, "stats", "tracking_total_keys"), testing::InfoField(r_, "stats", "tracking_total_keys"));
}

}  // namespace
}  // namespace minired
