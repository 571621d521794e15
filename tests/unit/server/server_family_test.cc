#include <gtest/gtest.h>

#include "tests/testing/server_fixture.h"

namespace minired {
namespace {

using ServerFamily = testing::ServerFixture;

TEST_F(ServerFamily, PingEchoTime) {
  EXPECT_EQ(RunRaw({"PING"}), "+PONG\r\n");
  EXPECT_EQ(RunRaw({"PING", "hi"}), "$2\r\nhi\r\n");
  EXPECT_EQ(Err({"PING", "a", "b"}), "ERR wrong number of arguments for 'ping' command");
  EXPECT_EQ(Str({"ECHO", "x"}), "x");
  EXPECT_EQ(Run({"TIME"}).elems.size(), 2u);
}

TEST_F(ServerFamily, HelloSwitchesProtocol) {
  RespValue v = Run({"HELLO", "3"});
  ASSERT_EQ(v.type, RespValue::Type::kMap);
  EXPECT_EQ(v.elems[0].str, "server");
  EXPECT_EQ(session_.resp, 3);
  EXPECT_EQ(RunRaw({"GET", "missing"}), "_\r\n");
  EXPECT_EQ(Err({"HELLO", "4"}), "NOPROTO unsupported protocol version");
  EXPECT_EQ(Err({"HELLO", "x"}), "ERR Protocol version is not an integer or out of range");
  Run({"HELLO", "2", "SETNAME", "app"});
  EXPECT_EQ(RunRaw({"GET", "missing"}), "$-1\r\n");
  EXPECT_EQ(Str({"CLIENT", "GETNAME"}), "app");
  EXPECT_EQ(Err({"HELLO", "3", "AUTH", "bob", "pw"}),
            "WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(Run({"HELLO", "3", "AUTH", "default", "anything"}).type, RespValue::Type::kMap);
  EXPECT_EQ(Str({"RESET"}), "RESET");
  EXPECT_EQ(session_.resp, 2);
}

TEST_F(ServerFamily, ClientSubcommands) {
  EXPECT_EQ(Str({"CLIENT", "SETNAME", "worker-1"}), "OK");
  EXPECT_EQ(Str({"CLIENT", "GETNAME"}), "worker-1");
  EXPECT_EQ(Err({"CLIENT", "SETNAME", "bad name"}),
            "ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(Str({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}), "OK");
  EXPECT_EQ(Err({"CLIENT", "SETINFO", "FOO", "x"}), "ERR Unrecognized option 'FOO'");
  EXPECT_EQ(Str({"CLIENT", "NO-EVICT", "on"}), "OK");
  EXPECT_EQ(Err({"CLIENT", "NO-EVICT", "maybe"}), "ERR syntax error");
  EXPECT_EQ(Err({"CLIENT", "BOGUS"}), "ERR unknown subcommand 'BOGUS'. Try CLIENT HELP.");
  EXPECT_EQ(Err({"CLIENT", "SETNAME"}), "ERR wrong number of arguments for 'client|setname' command");
  EXPECT_EQ(Err({"CLIENT", "KILL", "1.2.3.4:5"}), "ERR No such client");
  EXPECT_EQ(Int({"CLIENT", "KILL", "ID", "999"}), 0);
}

TEST_F(ServerFamily, ConfigGetSet) {
  RespValue v = Run({"CONFIG", "GET", "hz"});
  ASSERT_EQ(v.elems.size(), 2u);
  EXPECT_EQ(v.elems[1].str, "10");
  EXPECT_EQ(Str({"CONFIG", "SET", "hz", "50"}), "OK");
  EXPECT_EQ(config_.hz.load(), 50);
  EXPECT_EQ(Err({"CONFIG", "SET", "port", "1"}),
            "ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config");
  EXPECT_EQ(Err({"CONFIG", "SET", "nope", "1"}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'nope'");
  EXPECT_EQ(Err({"CONFIG", "SET", "hz", "x"}),
            "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer");
  // All or nothing: a bad second value leaves the first unchanged.
  EXPECT_TRUE(Run({"CONFIG", "SET", "hz", "20", "loglevel", "loud"}).is_error());
  EXPECT_EQ(config_.hz.load(), 50);
  EXPECT_EQ(Run({"CONFIG", "GET", "proto-max*"}).elems.size(), 2u);
  // listpack-entries, listpack-value and their ziplist aliases, each with its value.
  EXPECT_EQ(Run({"CONFIG", "GET", "hash-max-*"}).elems.size(), 8u);
  EXPECT_EQ(Str({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 10"}), "OK");
  EXPECT_TRUE(Run({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb"}).is_error());
  EXPECT_TRUE(Run({"CONFIG", "SET", "client-output-buffer-limit", "bogus 1mb 512kb 1"}).is_error());
  EXPECT_EQ(config_.output_limit_pubsub.hard.load(), 1 << 20);
  EXPECT_EQ(Run({"CONFIG", "GET", "nothing-matches"}).elems.size(), 0u);
  EXPECT_EQ(Str({"CONFIG", "RESETSTAT"}), "OK");
}

TEST_F(ServerFamily, InfoHasRedisFieldNames) {
  Str({"SET", "k", "v", "EX", "100"});
  Str({"GET", "k"});
  Str({"GET", "missing"});
  std::string info = Str({"INFO"});
  for (const char* field : {"# Server", "redis_version:", "tcp_port:", "# Clients", "connected_clients:",
                            "# Memory", "used_memory:", "used_memory_human:", "maxmemory_policy:",
                            "# Stats", "total_commands_processed:", "keyspace_hits:1",
                            "keyspace_misses:1", "expired_keys:0", "# Keyspace",
                            "db0:keys=1,expires=1,avg_ttl="}) {
    EXPECT_NE(info.find(field), std::string::npos) << field;
  }
  std::string mem = Str({"INFO", "memory"});
  EXPECT_EQ(mem.find("# Server"), std::string::npos);
  EXPECT_NE(mem.find("# Memory"), std::string::npos);
}

TEST_F(ServerFamily, CommandIntrospection) {
  EXPECT_GE(Int({"COMMAND", "COUNT"}), 60);
  RespValue info = Run({"COMMAND", "INFO", "get", "nosuch"});
  ASSERT_EQ(info.elems.size(), 2u);
  EXPECT_EQ(info.elems[0].elems[0].str, "get");
  EXPECT_EQ(info.elems[0].elems[1].integer, 2);
  EXPECT_TRUE(info.elems[1].is_null());
  RespValue docs = Run({"COMMAND", "DOCS", "set"});
  ASSERT_EQ(docs.elems.size(), 2u);
  EXPECT_EQ(docs.elems[0].str, "set");
  RespValue list = Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "*expire*"});
  EXPECT_EQ(list.elems.size(), 6u);
  EXPECT_EQ(Err({"DEBUG", "NOPE"}), "ERR unknown subcommand 'NOPE'. Try DEBUG HELP.");
  EXPECT_EQ(Str({"DEBUG", "SLEEP", "0"}), "OK");
}

}  // namespace
}  // namespace minired
