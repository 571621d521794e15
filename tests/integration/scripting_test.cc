// Scripts against the real server: one atomic step for every client on every I/O
// thread, and their effects (not the scripts) in the log, so a kill -9 keeps exactly
// what was acknowledged even for scripts whose result is random.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/testing/background_threads.h"
#include "tests/testing/keyspace_dump.h"
#include "tests/testing/replica_sync.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

std::vector<std::string> TenKeys() {
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i) keys.push_back("counter:" + std::to_string(i));
  return keys;
}

// Writers increment ten keys (on different shards) in one script each; readers, on both
// I/O threads, check in a script and with MGET that the ten are always equal.
TEST(ScriptingAtomicity, EveryClientSeesAScriptWhole) {
  TestProcess server = TestProcess::StartMinired({"--threads", "2", "--appendonly", "no", "--save", ""});
  ASSERT_TRUE(server.ok()) << server.error();
  const std::vector<std::string> keys = TenKeys();
  const std::string incr_all = "for i = 1, #KEYS do redis.call('incr', KEYS[i]) end return 1";
  const std::string all_equal =
      "local v = redis.call('get', KEYS[1]) "
      "for i = 2, #KEYS do if redis.call('get', KEYS[i]) ~= v then return 0 end end return 1";
  constexpr int kWriters = 8, kScriptsEach = 300;
  std::atomic<int> torn{0}, reads{0}, failures{0};
  {
    BackgroundThreads readers;
    for (int r = 0; r < 4; ++r) {
      readers.Run([&, r] {
        RespClient c;
        if (!c.Connect(server.port())) return failures.fetch_add(1), void();
        std::vector<std::string> cmd;
        if (r % 2 == 0) {
          cmd = {"EVAL", all_equal, "10"};
          cmd.insert(cmd.end(), keys.begin(), keys.end());
        } else {
          cmd = {"MGET"};
          cmd.insert(cmd.end(), keys.begin(), keys.end());
        }
        while (!readers.stopping()) {
          Reply reply = c.Call(cmd);
          if (r % 2 == 0) {
            if (reply.raw != ":1\r\n") torn.fetch_add(1);
          } else {
            for (const RespValue& v : reply.value.elems) {
              if (v.str != reply.value.elems[0].str || v.type != reply.value.elems[0].type) torn.fetch_add(1);
            }
          }
          reads.fetch_add(1);
        }
      });
    }
    BackgroundThreads writers;
    std::atomic<int> done{0};
    for (int w = 0; w < kWriters; ++w) {
      writers.Run([&] {
        RespClient c;
        if (!c.Connect(server.port())) return failures.fetch_add(1), void();
        std::vector<std::string> cmd = {"EVAL", incr_all, "10"};
        cmd.insert(cmd.end(), keys.begin(), keys.end());
        for (int i = 0; i < kScriptsEach; ++i) {
          if (c.Call(cmd).raw != ":1\r\n") failures.fetch_add(1);
        }
        done.fetch_add(1);
      });
    }
    writers.StopAndJoin();
    readers.StopAndJoin();
    EXPECT_EQ(done.load(), kWriters);
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_GT(reads.load(), 0);
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  for (const std::string& key : keys) EXPECT_EQ(c.Call({"GET", key}).value.str, std::to_string(kWriters * kScriptsEach));
}

// Each script sets a key to a random number and counts itself; the log holds the SET of
// the number the script chose, so the restarted server has exactly the acknowledged
// values (a replayed script would choose others).
TEST(ScriptingPersistence, AKill9KeepsEveryAcknowledgedEffect) {
  TestProcess server = TestProcess::StartMinired({"--appendonly", "yes", "--appendfsync", "always"});
  ASSERT_TRUE(server.ok()) << server.error();
  const std::string script =
      "redis.call('set', KEYS[1], tostring(math.random())) redis.call('incr', 'scripts') "
      "return redis.call('get', KEYS[1])";
  std::map<std::string, std::string> acknowledged;
  {
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    for (int i = 0; i < 200; ++i) {
      std::string key = "random:" + std::to_string(i % 20);
      Reply r = c.Call({"EVAL", script, "1", key});
      ASSERT_EQ(r.value.type, RespValue::Type::kBulkString) << r.raw;
      acknowledged[key] = r.value.str;
    }
  }
  server.Kill9();
  ASSERT_TRUE(server.Restart()) << server.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  for (const auto& [key, value] : acknowledged) EXPECT_EQ(c.Call({"GET", key}).value.str, value) << key;
  EXPECT_EQ(c.Call({"GET", "scripts"}).value.str, "200");
}

// 100,000 calls of a random and a time-dependent script: the replica applies what each
// call wrote, so it ends equal to its master; on the replica, a read-only script runs and
// a script's write is refused as any client's.
TEST(ScriptingReplication, AReplicaEqualsItsMasterAfterRandomAndTimeDependentScripts) {
  TestProcess master = TestProcess::StartMinired({"--appendonly", "no", "--save", ""});
  ASSERT_TRUE(master.ok()) << master.error();
  TestProcess replica = TestProcess::StartReplicaOf(master.port());
  ASSERT_TRUE(replica.ok()) << replica.error();
  RespClient m, r;
  ASSERT_TRUE(m.Connect(master.port()));
  ASSERT_TRUE(r.Connect(replica.port()));
  const std::string random_script =
      "local n = math.random(1000) redis.call('hset', KEYS[1], 'n' .. n, math.random()) "
      "if n % 7 == 0 then redis.call('del', KEYS[1]) end return n";
  const std::string time_script =
      "local t = redis.call('time') redis.call('zadd', KEYS[1], t[2], ARGV[1]) "
      "redis.call('pexpire', KEYS[1], 100000 + tonumber(t[2]) % 1000) return 1";
  const std::string random_sha = m.Call({"SCRIPT", "LOAD", random_script}).value.str;
  constexpr int kCalls = 100000, kBatch = 1000;
  for (int sent = 0; sent < kCalls; sent += kBatch) {
    for (int i = 0; i < kBatch; ++i) {
      int n = sent + i;
      if (n % 2 == 0) {
        m.Send({"EVALSHA", random_sha, "1", "h:" + std::to_string(n % 500)});
      } else {
        m.Send({"EVAL", time_script, "1", "z:" + std::to_string(n % 300), "m" + std::to_string(n)});
      }
    }
    Reply reply;
    for (int i = 0; i < kBatch; ++i) {
      ASSERT_TRUE(m.Read(&reply));
      ASSERT_FALSE(reply.value.is_error()) << reply.raw;
    }
  }
  ASSERT_TRUE(CaughtUp(m, r));
  auto a = DumpKeyspace(m, 0);
  auto b = DumpKeyspace(r, 0);
  EXPECT_GT(a.size(), 300u);  // 300 sorted sets, and the hashes not just deleted
  EXPECT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b) << "the replica differs from its master";
  EXPECT_EQ(r.Call({"EVAL_RO", "return redis.call('exists', KEYS[1])", "1", "h:1"}).raw,
            m.Call({"EXISTS", "h:1"}).raw);
  EXPECT_EQ(r.Call({"EVAL", "return redis.call('set', 'x', 1)", "0"}).value.str.rfind(
                "READONLY You can't write against a read only replica. script: ", 0),
            0u);
}

// redis.set_repl: writes after REPL_NONE reach neither the log nor the replica, after
// REPL_AOF only the log, after REPL_REPLICA only the replica, after REPL_ALL both.
TEST(ScriptingReplication, SetReplChoosesWhereWritesGo) {
  TestProcess master = TestProcess::StartMinired({"--appendonly", "yes", "--appendfsync", "always", "--save", ""});
  ASSERT_TRUE(master.ok()) << master.error();
  TestProcess replica = TestProcess::StartReplicaOf(master.port());
  ASSERT_TRUE(replica.ok()) << replica.error();
  RespClient m, r;
  ASSERT_TRUE(m.Connect(master.port()));
  ASSERT_TRUE(r.Connect(replica.port()));
  ASSERT_TRUE(CaughtUp(m, r));  // linked: the writes below go by the stream, not a full sync
  const std::string script =
      "redis.set_repl(redis.REPL_NONE) redis.call('set', 'none', 1) "
      "redis.set_repl(redis.REPL_AOF) redis.call('set', 'aof', 1) "
      "redis.set_repl(redis.REPL_REPLICA) redis.call('set', 'replica', 1) "
      "redis.set_repl(redis.REPL_ALL) redis.call('set', 'all', 1) return 1";
  ASSERT_EQ(m.Call({"EVAL", script, "0"}).raw, ":1\r\n");
  EXPECT_EQ(m.Call({"EVAL", "return redis.set_repl(7)", "0"}).value.str.rfind("ERR Invalid replication flags", 0), 0u);
  ASSERT_TRUE(CaughtUp(m, r));
  auto exists = [](RespClient& c) {
    return c.Call({"EXISTS", "none"}).raw + c.Call({"EXISTS", "aof"}).raw + c.Call({"EXISTS", "replica"}).raw +
           c.Call({"EXISTS", "all"}).raw;
  };
  EXPECT_EQ(exists(m), ":1\r\n:1\r\n:1\r\n:1\r\n");
  EXPECT_EQ(exists(r), ":0\r\n:0\r\n:1\r\n:1\r\n");
  master.Kill9();
  ASSERT_TRUE(master.Restart()) << master.error();
  RespClient after;
  ASSERT_TRUE(after.Connect(master.port()));
  EXPECT_EQ(exists(after), ":0\r\n:1\r\n:0\r\n:1\r\n");
}

// Scripts that try to take the server's memory get a clean error, and the server goes
// on serving everyone (escapes from the sandbox are compared with redis-server in
// scripting_differential_test.cc).
TEST(ScriptingLimits, MemoryBombsGetCleanErrors) {
  TestProcess server = TestProcess::StartMinired({"--appendonly", "no", "--save", ""});
  ASSERT_TRUE(server.ok()) << server.error();
  RespClient c, other;
  ASSERT_TRUE(c.Connect(server.port()));
  ASSERT_TRUE(other.Connect(server.port()));
  // Refused at once rather than built for seconds up to the limit.
  Reply rep = c.Call({"EVAL", "return #string.rep('x', 2^40)", "0"});
  EXPECT_TRUE(rep.value.is_error()) << rep.raw;
  EXPECT_NE(rep.raw.find("not enough memory"), std::string::npos) << rep.raw;
  // A table that grows without end stops at the VM's 1 GB.
  // (100 MB strings: a dozen steps to the limit: seconds, but over a minute under
  // ThreadSanitizer, which shadows every byte copied; the wait below only bounds a hang.)
  c.Send({"EVAL", "local t = {} while true do t[#t + 1] = string.rep('y', 100000000) .. #t end", "0"});
  Reply grow;
  ASSERT_TRUE(c.Read(&grow, std::chrono::seconds(300)));
  EXPECT_TRUE(grow.value.is_error()) << grow.raw;
  EXPECT_NE(grow.raw.find("not enough memory"), std::string::npos) << grow.raw;
  EXPECT_EQ(other.Call({"PING"}).raw, "+PONG\r\n");
  EXPECT_EQ(c.Call({"EVAL", "return #string.rep('z', 1000)", "0"}).raw, ":1000\r\n");
  EXPECT_EQ(c.Call({"SET", "k", "v"}).raw, "+OK\r\n");
}

}  // namespace
}  // namespace minired::testing
