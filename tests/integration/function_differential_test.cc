// Functions against redis-server 7.0, byte for byte: FUNCTION LOAD and its metadata,
// registration and load-time errors, the sandbox a library loads in and the one its
// functions run in, FCALL and FCALL_RO with their flags, FUNCTION LIST, STATS, DELETE,
// FLUSH and RESTORE, and DUMP payloads restored across the two servers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/differential.h"

namespace minired {
namespace {

class Functions : public Differential {
 protected:
  void SetUp() override {
    Differential::SetUp();
    Compare({{"FUNCTION", "FLUSH"}});
  }
  // FUNCTION LOAD of `body` as the library `name`.
  void Load(const std::string& name, const std::string& body) {
    Compare({{"FUNCTION", "LOAD", "#!lua name=" + name + "\n" + body}});
  }
};

TEST_F(Functions, LoadChecksTheMetadataAndTheName) {
  Compare({
      {"FUNCTION", "LOAD", "return 1"},
      {"FUNCTION", "LOAD", "#!lua name=a"},
      {"FUNCTION", "LOAD", "#!lua\nreturn 1"},
      {"FUNCTION", "LOAD", "#!lua name=a b=c\nreturn 1"},
      {"FUNCTION", "LOAD", "#!lua name=a name=b\nreturn 1"},
      {"FUNCTION", "LOAD", "#!foo name=a\nreturn 1"},
      {"FUNCTION", "LOAD", "#!lua name=a-b\nreturn 1"},
      {"FUNCTION", "LOAD", "#!lua name=\nreturn 1"},
      {"FUNCTION", "LOAD", "#!LUA  NAME=\"q1\" \nredis.register_function('q1', function() return 1 end)"},
      {"FUNCTION", "LOAD", "bogus", "x"},
      {"FUNCTION", "LOAD", "replace"},
      {"FUNCTION", "LOAD"},
      {"FCALL", "q1", "0"},
  });
}

TEST_F(Functions, RegistrationAndItsErrors) {
  for (const char* body : {
           "local x = 1",
           "x = 1",
           "local n = string.len('x')",
           "redis.call('set','x',1)",
           "redis.setresp(3)",
           "error('boom')",
           "syntax error here",
           "redis.register_function('a-b', function() return 1 end)",
           "redis.register_function('', function() return 1 end)",
           "redis.register_function('g3')",
           "redis.register_function(1, 2)",
           "redis.register_function()",
           "redis.register_function('a', function() end, 3)",
           "redis.register_function('g', function() end) redis.register_function('g', function() end)",
           "redis.register_function{callback=function() return 1 end}",
           "redis.register_function{function_name='x'}",
           "redis.register_function{function_name='x', callback=5}",
           "redis.register_function{function_name='x', callback=function() end, foo=1}",
           "redis.register_function{function_name='x', callback=function() end, flags='no-writes'}",
           "redis.register_function{function_name='x', callback=function() end, flags={'bogus'}}",
           "redis.register_function{function_name='x', callback=function() end, description=5}",
           "redis.register_function{[1]='x', callback=function() end}",
           "while true do end",
       }) {
    Load("lib", body);
  }
}

TEST_F(Functions, CallingFunctions) {
  Load("lib1",
       "local v = redis.REDIS_VERSION_NUM\n"
       "redis.log(redis.LOG_WARNING, 'loading lib1')\n"
       "redis.register_function('echo', function(keys, args) return {keys[1], args[1], #keys, #args} end)\n"
       "redis.register_function('setk', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n"
       "redis.register_function{function_name='getk', callback=function(keys) return redis.call('get', keys[1]) end,"
       " flags={'no-writes'}, description='reads a key'}\n"
       "redis.register_function{function_name='sneaky', callback=function(keys) return redis.call('set', keys[1], 'x') end,"
       " flags={'no-writes'}}\n"
       "redis.register_function('fails', function() error('boom') end)\n"
       "redis.register_function('myerr', function() return redis.error_reply('MY err') end)\n"
       "redis.register_function('globals', function() return KEYS end)\n"
       "redis.register_function('reg', function() return redis.register_function('z', function() end) end)\n"
       "redis.register_function('api', function() local t = {} for n in pairs(redis) do t[#t+1] = n end "
       "table.sort(t) return t end)\n"
       "redis.register_function('version', function() return v end)\n"
       "redis.register_function('resp3', function() redis.setresp(3) return redis.call('hgetall', 'nohash') end)\n");
  ForBothProtocols([&] {
    Compare({
        {"FCALL", "echo", "1", "k", "a"},
        {"FCALL", "ECHO", "0"},
        {"FCALL", "setk", "1", "k", "v"},
        {"FCALL", "getk", "1", "k"},
        {"FCALL_RO", "getk", "1", "k"},
        {"FCALL_RO", "setk", "1", "k", "v"},
        {"FCALL", "sneaky", "1", "k"},
        {"FCALL", "fails", "0"},
        {"FCALL", "myerr", "0"},
        {"FCALL", "globals", "0"},
        {"FCALL", "reg", "0"},
        {"FCALL", "api", "0"},
        {"FCALL", "version", "0"},
        {"FCALL", "resp3", "0"},
        {"FCALL", "nope", "0"},
        {"FCALL", "echo", "x"},
        {"FCALL", "echo", "3", "a"},
        {"FCALL", "echo", "-1"},
        {"FCALL", "echo"},
    });
  });
}

TEST_F(Functions, LibrariesAreListedReplacedAndDeleted) {
  Load("l5",
       "redis.register_function{function_name='g', callback=function() return 2 end,"
       " flags={'no-writes','allow-oom','allow-stale','no-cluster','allow-cross-slot-keys'}, description='desc'}");
  // (Redis lists a library's functions, and libraries, in its hash tables' order: each
  // library listed here has one function, and the lists name one library.)
  Load("m6", "redis.register_function('h', function() return 3 end)");
  Load("l6", "redis.register_function('G', function() return 1 end)");
  Load("l5", "redis.register_function('other', function() return 1 end)");
  ForBothProtocols([&] {
    Compare({
        {"FUNCTION", "LIST", "LIBRARYNAME", "l5"},
        {"FUNCTION", "LIST", "libraryname", "m*", "WITHCODE"},
        {"FUNCTION", "LIST", "withcode", "libraryname"},
        {"FUNCTION", "LIST", "bogus"},
        {"FUNCTION", "LIST", "LIBRARYNAME", "none*"},
        {"FUNCTION", "STATS"},
    });
  });
  Compare({
      {"FUNCTION", "LOAD", "REPLACE", "#!lua name=l5\nredis.register_function('z1', function() return 1 end)"},
      {"FCALL", "g", "0"},
      {"FCALL", "z1", "0"},
      {"FUNCTION", "LOAD", "REPLACE", "#!lua name=l7\nredis.register_function('z1', function() return 1 end)"},
      {"FUNCTION", "DELETE", "nope"},
      {"FUNCTION", "DELETE", "l5"},
      {"FCALL", "z1", "0"},
      {"FUNCTION", "DELETE"},
      {"FUNCTION", "FLUSH", "bogus"},
      {"FUNCTION", "FLUSH", "a", "b"},
      {"FUNCTION", "FLUSH", "ASYNC"},
      {"FUNCTION", "LIST"},
      {"FUNCTION", "STATS", "x"},
      {"FUNCTION", "KILL"},
      {"SCRIPT", "KILL"},
      {"FUNCTION", "HELP"},
      {"FUNCTION", "NOPE"},
  });
}

// A DUMP payload of either server restores on the other, whichever compression wrote it.
TEST_F(Functions, DumpPayloadsRestoreAcrossServers) {
  Load("alpha", "redis.register_function('fa', function() return 'a' .. string.rep('x', 200) end)");
  Load("beta", "redis.register_function('fb', function() return 'b' end)");
  const std::string from_redis = r_.Call({"FUNCTION", "DUMP"}).value.str;
  const std::string from_minired = m_.Call({"FUNCTION", "DUMP"}).value.str;
  Compare({{"FUNCTION", "FLUSH"}});
  auto restore = [&](RespClient& c, const std::string& payload, const char* policy) {
    return c.Call({"FUNCTION", "RESTORE", payload, policy}).raw;
  };
  EXPECT_EQ(restore(r_, from_minired, "APPEND"), restore(m_, from_redis, "APPEND"));
  Compare({{"FCALL", "fa", "0"}, {"FCALL", "fb", "0"}, {"FUNCTION", "LIST", "LIBRARYNAME", "alpha", "WITHCODE"}});
  Compare({{"FUNCTION", "DELETE", "alpha"}});
  EXPECT_EQ(restore(r_, from_minired, "APPEND"), restore(m_, from_redis, "APPEND"));  // beta is there
  EXPECT_EQ(restore(r_, from_minired, "REPLACE"), restore(m_, from_redis, "REPLACE"));
  EXPECT_EQ(restore(r_, from_minired, "FLUSH"), restore(m_, from_redis, "FLUSH"));
  EXPECT_EQ(restore(r_, from_minired, "BAD"), restore(m_, from_redis, "BAD"));
  std::string damaged = from_redis;
  damaged[3] ^= 0x20;
  EXPECT_EQ(restore(r_, damaged, "APPEND"), restore(m_, damaged, "APPEND"));
  Compare({
      {"FUNCTION", "RESTORE", "short"},
      {"FUNCTION", "RESTORE", "0123456789abcdef"},
      {"FUNCTION", "RESTORE", "x", "FLUSH", "extra"},
      {"FUNCTION", "STATS"},
  });
}

TEST_F(Functions, FunctionsInsideTransactionsAndScripts) {
  Load("tx", "redis.register_function('incr2', function(keys) redis.call('incr', keys[1]) "
             "return redis.call('incr', keys[1]) end)");
  Compare({
      {"MULTI"},
      {"FCALL", "incr2", "1", "c"},
      {"FUNCTION", "LOAD", "#!lua name=inmulti\nredis.register_function('m', function() return 1 end)"},
      {"EXEC"},
      {"FCALL", "m", "0"},
      {"EVAL", "return redis.call('fcall', 'incr2', '1', 'c')", "0"},
      {"EVAL", "return redis.call('function', 'list')", "0"},
      {"GET", "c"},
  });
}

}  // namespace
}  // namespace minired
