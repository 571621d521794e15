// Function libraries are data (Redis 7.0): they survive a kill -9 (the log) and a
// restart from a snapshot, reach replicas by full sync and by the stream, and a
// function's writes are replicated as their effects.
#include <gtest/gtest.h>

#include <string>

#include "tests/testing/keyspace_dump.h"
#include "tests/testing/replica_sync.h"
#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

const char kCounterLib[] =
    "#!lua name=counters\n"
    "redis.register_function('bump', function(keys, args) "
    "redis.call('incrby', keys[1], args[1]) return redis.call('get', keys[1]) end)\n"
    "redis.register_function{function_name='peek', callback=function(keys) return redis.call('get', keys[1]) end, "
    "flags={'no-writes'}}";
const char kRandomLib[] =
    "#!lua name=rnd\n"
    "redis.register_function('roll', function(keys) return redis.call('set', keys[1], tostring(math.random())) end)";

TEST(FunctionPersistence, LibrariesSurviveAKill9AndASnapshot) {
  TestProcess server = TestProcess::StartMinired({"--appendonly", "yes", "--appendfsync", "always"});
  ASSERT_TRUE(server.ok()) << server.error();
  {
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    ASSERT_EQ(c.Call({"FUNCTION", "LOAD", kCounterLib}).value.str, "counters");
    ASSERT_EQ(c.Call({"FCALL", "bump", "1", "n", "5"}).value.str, "5");
  }
  server.Kill9();  // the log holds the library
  ASSERT_TRUE(server.Restart()) << server.error();
  {
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    EXPECT_EQ(c.Call({"FCALL", "bump", "1", "n", "1"}).value.str, "6");
    ASSERT_EQ(c.Call({"SAVE"}).raw, "+OK\r\n");
    ASSERT_EQ(c.Call({"FUNCTION", "LOAD", kRandomLib}).value.str, "rnd");  // after the snapshot: in the log
    ASSERT_EQ(c.Call({"FUNCTION", "DELETE", "counters"}).raw, "+OK\r\n");
    ASSERT_EQ(c.Call({"FUNCTION", "LOAD", kCounterLib}).value.str, "counters");
  }
  server.Kill9();
  ASSERT_TRUE(server.Restart()) << server.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  EXPECT_EQ(c.Call({"FCALL_RO", "peek", "1", "n"}).value.str, "6");
  EXPECT_EQ(c.Call({"FCALL", "roll", "1", "r"}).raw, "+OK\r\n");
  EXPECT_EQ(c.Call({"FUNCTION", "STATS"}).value.elems[3].elems[1].elems[1].integer, 2);
  // FLUSHALL leaves the libraries; FUNCTION FLUSH removes them, for good.
  c.Call({"FLUSHALL"});
  EXPECT_EQ(c.Call({"FCALL", "bump", "1", "n", "1"}).value.str, "1");
  EXPECT_EQ(c.Call({"FUNCTION", "FLUSH"}).raw, "+OK\r\n");
  server.Kill9();
  ASSERT_TRUE(server.Restart()) << server.error();
  RespClient after;
  ASSERT_TRUE(after.Connect(server.port()));
  EXPECT_EQ(after.Call({"FCALL", "bump", "1", "n", "1"}).raw, "-ERR Function not found\r\n");
}

TEST(FunctionReplication, ReplicasGetTheLibrariesAndTheEffects) {
  TestProcess master = TestProcess::StartMinired({"--appendonly", "no", "--save", ""});
  ASSERT_TRUE(master.ok()) << master.error();
  RespClient m;
  ASSERT_TRUE(m.Connect(master.port()));
  ASSERT_EQ(m.Call({"FUNCTION", "LOAD", kCounterLib}).value.str, "counters");  // before: by full sync
  TestProcess replica = TestProcess::StartReplicaOf(master.port());
  ASSERT_TRUE(replica.ok()) << replica.error();
  RespClient r;
  ASSERT_TRUE(r.Connect(replica.port()));
  ASSERT_EQ(m.Call({"FUNCTION", "LOAD", kRandomLib}).value.str, "rnd");  // after: by the stream
  for (int i = 0; i < 2000; ++i) {
    m.Send({"FCALL", i % 2 ? "roll" : "bump", "1", "k" + std::to_string(i % 50), "3"});
  }
  Reply reply;
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(m.Read(&reply));
    ASSERT_FALSE(reply.value.is_error()) << reply.raw;
  }
  ASSERT_TRUE(CaughtUp(m, r));
  EXPECT_TRUE(DumpKeyspace(m, 0) == DumpKeyspace(r, 0)) << "the replica differs from its master";
  EXPECT_EQ(r.Call({"FUNCTION", "LIST", "WITHCODE"}).raw, m.Call({"FUNCTION", "LIST", "WITHCODE"}).raw);
  EXPECT_EQ(r.Call({"FCALL_RO", "peek", "1", "k0"}).raw, m.Call({"GET", "k0"}).raw);
  EXPECT_EQ(r.Call({"FCALL", "bump", "1", "k0", "1"}).raw, "-READONLY You can't write against a read only replica.\r\n");
  EXPECT_EQ(m.Call({"FUNCTION", "DELETE", "rnd"}).raw, "+OK\r\n");
  ASSERT_TRUE(CaughtUp(m, r));
  EXPECT_EQ(r.Call({"FCALL", "roll", "1", "x"}).raw, "-ERR Function not found\r\n");
}

}  // namespace
}  // namespace minired::testing
