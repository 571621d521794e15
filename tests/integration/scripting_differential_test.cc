// Scripts against redis-server 7.0, byte for byte: the conversions both ways (RESP2 and
// RESP3), every error form, the sandbox, the script cache, read-only scripts, ACL
// inside scripts, and scripts inside transactions.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/differential.h"

namespace minired {
namespace {

class Scripting : public Differential {
 protected:
  // EVAL `body` with no keys on both servers.
  void Eval(const std::string& body) { Compare({{"EVAL", body, "0"}}); }
};

TEST_F(Scripting, LuaValuesBecomeRedisReplies) {
  ForBothProtocols([&] {
    for (const char* body : {
             "return 1", "return 1.9", "return -3.7", "return 3.99999", "return 1e300", "return -1e300", "return 0/0", "return 'hi'",
             "return ''", "return true", "return false", "return nil", "return {}", "return {1,2,nil,4}",
             "return {1,{2,'x'},'y'}", "return {1, nil, 3}", "return {'a', {ok='x'}, {err='y'}}",
             "return {err='My Error'}", "return {ok='FINE'}", "return {ok='a\\r\\nb'}",
             "return redis.error_reply('BAD thing')", "return redis.error_reply('nospace')",
             "return redis.error_reply('-DASH x')", "return redis.error_reply(1)",
             "return redis.status_reply('DONE')", "return redis.status_reply('a\\r\\nb')", "return {double=3.5}",
             "local t = {} ; t[1]='a'; t[3]='c'; return t", "return 'x' .. 1.5", "return tostring(1e20)",
             "return {true, false, 1}", "return _VERSION", "return redis.REDIS_VERSION",
             "return redis.REDIS_VERSION_NUM", "return redis.sha1hex('')", "return redis.sha1hex('abc')",
             "return {big_number='1234567890123456789012'}", "return {big_number='1\\r\\n2'}",
             "return {big_number=12}", "return {verbatim_string={format='txt', string='hi'}}",
             "return {verbatim_string={format='mkd', string='# x'}}", "return {verbatim_string={format='txt'}}",
             "return {verbatim_string='x'}", "return {{double=1.5}, {big_number='7'}, {map={a=1}}}",
         }) {
      Eval(body);
    }
  });
}

TEST_F(Scripting, RedisRepliesBecomeLuaValues) {
  Compare({{"SET", "s", "v"}, {"RPUSH", "l", "a", "b"}, {"HSET", "h", "f", "1"}, {"ZADD", "z", "1.5", "m"}});
  ForBothProtocols([&] {
    for (const char* body : {
             "return redis.call('get','s')", "return redis.call('get','missing')",
             "return redis.call('set','s','v')", "return redis.call('incr','n')", "return redis.call('lrange','l',0,-1)",
             "return redis.call('hgetall','h')", "return redis.call('hgetall','missing')",
             "return redis.call('zrange','z',0,-1,'withscores')", "return redis.call('ping')",
             "return redis.call('PING')", "return redis.call('exists', unpack({'s','l'}))",
             "return type(redis.call('get','missing'))", "return type(redis.call('set','s','v'))",
             "return redis.call('set','num',3.5)", "return redis.call('get','num')",
             "return redis.call('set','num',1e20)", "return redis.call('get','num')",
             "return redis.call('set','num',12345678901234567)", "return redis.call('get','num')",
             "redis.setresp(3); return redis.call('hgetall','h')", "redis.setresp(3); return redis.call('get','missing')",
             "redis.setresp(3); return {redis.call('get','missing') == nil}",
             "redis.setresp(3); return redis.call('zscore','z','m')",
             "redis.setresp(3); local d = redis.call('zscore','z','m'); return d['double'] * 2",
             "redis.setresp(3); return redis.call('smembers','missing')",
             "local r = redis.pcall('incr','s'); return r['err']",
         }) {
      Eval(body);
    }
  });
}

// Numbers passed to redis.call take Redis's "%.17g" text, integers included; every
// reply type reaches the script as Redis converts it, nested and RESP3's among them.
TEST_F(Scripting, CallArgumentsAndEveryReplyTypeConvertAsRedis) {
  Compare({{"SADD", "set", "a", "b"}, {"HSET", "h", "f", "1", "g", "2"}, {"ZADD", "z", "1.5", "m", "-2", "n"}});
  ForBothProtocols([&] {
    for (const char* body : {
             "redis.call('set','n',-42); return redis.call('get','n')",
             "redis.call('set','n',-0.0); return redis.call('get','n')",
             "redis.call('set','n',0); return redis.call('get','n')",
             "redis.call('set','n',0.1); return redis.call('get','n')",
             "redis.call('set','n',999999999999999); return redis.call('get','n')",
             "redis.call('set','n',1e15); return redis.call('get','n')",
             "redis.call('set','n',-1e16); return redis.call('get','n')",
             "redis.call('set','n',2^53); return redis.call('get','n')",
             "redis.call('set','n',1/0); return redis.call('get','n')",
             "return redis.call('lpop','missing',2)", "return {redis.call('lpop','missing',2)}",
             "redis.setresp(3); return redis.call('lpop','missing',2)",
             "redis.setresp(3); return redis.call('zrange','z',0,-1,'withscores')",
             "redis.setresp(3); local t = redis.call('smembers','set'); return {t['set']['a'], t['set']['b']}",
             "redis.setresp(3); local t = redis.call('hgetall','h'); return {t['map']['f'], t['map']['g']}",
             "redis.setresp(3); return string.sub(redis.call('info','server'),1,8)",
             "redis.setresp(3); return type(redis.call('client','info'))",
             "return redis.call('zrange','z',0,-1,'withscores')",
             "local r = redis.pcall('hget','set','f'); return {type(r), r['err']}",
             "local r = redis.pcall('lpush'); return r['err']",
             "return {redis.call('mget','a','b','n'), redis.call('exists','n','z'), redis.call('echo','x')}",
         }) {
      Eval(body);
    }
  });
}

// Random scripts: a few redis.pcall/redis.call of random commands on the declared keys,
// their results returned in one table (errors, nils and nested replies among them, so
// both conversions run on every kind of reply), in RESP2 and after redis.setresp(3),
// to a client speaking RESP2 and then RESP3.
TEST_F(Scripting, RandomScriptsReturnWhatRedisReturns) {
  RandomArgs rng(3311);
  const std::vector<std::string> calls = {
      "'set', KEYS[1], ARGV[1]", "'get', KEYS[1]", "'incr', KEYS[2]", "'incrbyfloat', KEYS[2], '1.5'",
      "'hset', KEYS[3], 'f', ARGV[1]", "'hgetall', KEYS[3]", "'hincrby', KEYS[3], 'n', 2",
      "'rpush', KEYS[2], ARGV[1], 'x'", "'lrange', KEYS[2], 0, -1", "'lpop', KEYS[2], 2",
      "'zadd', KEYS[1], ARGV[1], 'm'", "'zrange', KEYS[1], 0, -1, 'WITHSCORES'", "'zscore', KEYS[1], 'm'",
      "'sadd', KEYS[3], ARGV[1]", "'scard', KEYS[3]", "'del', KEYS[1], KEYS[2]", "'exists', KEYS[1], KEYS[3]",
      "'type', KEYS[2]", "'ttl', KEYS[1]", "'expire', KEYS[1], 100", "'pfadd', KEYS[2], ARGV[1]",
      "'xadd', KEYS[3], '1-' .. ARGV[1], 'f', 'v'", "'xrange', KEYS[3], '-', '+'", "'getrange', KEYS[1], 0, 2",
      "'mget', KEYS[1], KEYS[2], KEYS[3]", "'echo', ARGV[1]", "'ping'", "'nosuchcommand'", "'get'"};
  for (int round = 0; round < 300; ++round) {
    if (round == 150) SwitchToResp3();  // the replies to the client in RESP3 too
    std::string body = round % 2 ? "redis.setresp(3); local r = {} " : "local r = {} ";
    for (int i = 0, n = 1 + static_cast<int>(rng() % 5); i < n; ++i) {
      const std::string& call = calls[rng() % calls.size()];
      body += std::string("r[#r+1] = redis.") + (rng() % 4 ? "pcall(" : "call(") + call + ") ";
    }
    body += rng() % 5 == 0 ? "return r[1]" : "return r";
    Compare({{"EVAL", body, "3", "k" + rng.Num(0, 2), "k" + rng.Num(3, 4), "k" + rng.Num(5, 6), rng.Num(1, 9)}});
  }
}

TEST_F(Scripting, ErrorsReadAsRedisWritesThem) {
  Compare({{"SET", "k", "text"}});
  for (const char* body : {
           "return redis.call('incr','k')", "return redis.pcall('incr','k')", "return redis.call('nosuchcmd')",
           "return redis.call('client','nosuch')", "return redis.call('get')", "return redis.call('object')",
           "return redis.call('config','get')", "return redis.call('eval','return 1','0')",
           "return redis.call('blpop','l','0')", "return redis.call('multi')", "return redis.call('subscribe','x')",
           "return redis.call()", "return redis.call({})", "return redis.call('get', nil)",
           "return redis.pcall('nosuch')", "return 1 +", "error('boom')", "error({err='X custom'})",
           "error()", "local x = nil; return x.y", "return redis.setresp(4)", "return redis.log()",
           "return redis.log('x', 'y')", "return redis.log(10, 'y')",
           "local ok, err = pcall(function() redis.call('incr','k') end); return {tostring(ok), err}",
           "local ok, err = pcall(error, 'x'); return {tostring(ok), err}",
           "return redis.call('get', 'k', 'extra')",
       }) {
    Eval(body);
  }
}

TEST_F(Scripting, TheSandboxIsRedis70s) {
  for (const char* body : {
           "x = 1", "return y", "return _G.x", "return os", "return io", "return loadfile", "return dofile",
           "return print", "return require", "return package", "return debug", "string.foo = 1",
           "redis.call = nil", "rawset(_G, 'a', 1)", "return rawget(_G, 'redis') == nil",
           "setmetatable(_G, nil)", "return type(cjson)..type(bit)..type(math)..type(table)..type(string)",
           "return cjson.encode({1,2,{a=1}})", "return cjson.decode('[1,2,3]')", "return bit.band(7,3)",
           "return bit.tohex(255)", "return string.format('%d-%s', 5, 'x')", "return table.getn({1,2})",
           "return loadstring('return 1')()", "return coroutine ~= nil",
           "local t = setmetatable({}, {__index=function() return 5 end}); return t.x",
           "return redis.replicate_commands()", "return redis.breakpoint()", "return redis.debug('x')", "math.randomseed(0); return tostring(math.random())",
           "math.randomseed(7); return {math.random(10), math.random(5, 8)}",
           "local t = {} for n in pairs(_G) do t[#t+1] = n end table.sort(t) return t",
           "local t = {} for n in pairs(redis) do t[#t+1] = n end table.sort(t) return t",
           "local t = {} for n in pairs(string) do t[#t+1] = n end table.sort(t) return t",
           "local t = {} for n in pairs(math) do t[#t+1] = n end table.sort(t) return t",
           "local t = {} for n in pairs(table) do t[#t+1] = n end table.sort(t) return t",
           "local t = {} for n in pairs(coroutine) do t[#t+1] = n end table.sort(t) return t",
           "local t = {} for n, v in pairs(cjson) do t[#t+1] = n .. ':' .. type(v) end table.sort(t) return t",
           "local t = {} for n in pairs(bit) do t[#t+1] = n end table.sort(t) return t",
           "local n = 0 for k, v in next, string do n = n + 1 end return n",
           "return {type(getfenv), type(setfenv), type(newproxy)}",
           "return rawget(string, 'len') ~= nil",
           "cmsgpack.pack = nil", "struct.x = 1",
       }) {
    Eval(body);
  }
}

// Our cmsgpack and struct libraries against Redis's: bytes packed, values unpacked,
// and every error.
TEST_F(Scripting, CmsgpackAndStructPackAsRedis) {
  for (const char* body : {
           "return cmsgpack.pack(1, -1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -32, -33, -128, "
           "-129, -32768, -32769, -2147483648, -2147483649, 1e18, -1e18)",
           "return cmsgpack.pack(1.5, 0.1, -0.25, 1/0, -1/0, 2^63, 2^70)",
           "return cmsgpack.pack('', 'x', string.rep('a', 31), string.rep('b', 32), string.rep('c', 255), "
           "string.rep('d', 256), string.rep('e', 65535), string.rep('f', 65536))",
           "return cmsgpack.pack(true, false, nil)",
           "return cmsgpack.pack({}, {1, 2, 3}, {a = 1}, {1, 2, nil, 4}, {[1] = 'a', [3] = 'c'}, {[0] = 'z'})",
           "return cmsgpack.pack({1.5}, {[1.5] = 1}, {[-1] = 1})",
           "local t = {} for i = 1, 20 do t[i] = i end return cmsgpack.pack(t)",
           "local t = {} for i = 1, 70000 do t[i] = i % 7 end return #cmsgpack.pack(t)",
           "local t = {} t.self = t return cmsgpack.pack(t)",
           "local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return cmsgpack.pack(t)",
           "return cmsgpack.pack(print)",
           "return cmsgpack.pack()",
           "return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1, 2}, {a = 1}, true, 2.5, -7, 300, -300, 70000))}",
           "local v = cmsgpack.unpack(cmsgpack.pack({x = {y = {z = 'deep'}}})) return v.x.y.z",
           "return {cmsgpack.unpack_one(cmsgpack.pack(5, 6))}",
           "return {cmsgpack.unpack_one(cmsgpack.pack(5, 6), 1)}",
           "return {cmsgpack.unpack_one(cmsgpack.pack(5, 6), 2)}",
           "return {cmsgpack.unpack_limit(cmsgpack.pack(5, 6, 7), 2)}",
           "return {cmsgpack.unpack_limit(cmsgpack.pack(5, 6, 7), 2, 1)}",
           "return {cmsgpack.unpack_limit(cmsgpack.pack(5, 6, 7), -1)}",
           "return {cmsgpack.unpack_one(cmsgpack.pack(5), 9)}",
           "return cmsgpack.unpack(string.char(0xc1))",
           "return cmsgpack.unpack(string.char(0xcd, 1))",
           "return cmsgpack.unpack(string.char(0x92, 1))",
           "return cmsgpack.unpack(string.char(0xd9, 5, 65))",
           "return {cmsgpack.unpack(string.char(0xd0, 0xff, 0xd1, 0xff, 0xfe, 0xd2, 0x80, 0, 0, 0, 0xcf, 0, 0, 0, 1, 0, 0, 0, 0))}",
           "return {cmsgpack.unpack(string.char(0xca, 0x3f, 0xc0, 0, 0, 0xcb, 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18))}",
           "return cmsgpack.unpack({})",
           "return cmsgpack.unpack('')",
           "return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}",
           "return struct.pack('>I2', 258)",
           "return struct.pack('<i4 >i4 !4 b B h H l L T', -5, -5, -1, 255, -2, 65535, -3, 7, 9)",
           "return struct.pack('i16', -1)",
           "return struct.pack('I3', 70000)",
           "return struct.pack('f d >f >d', 1.5, 0.1, 1.5, 0.1)",
           "return struct.pack('c3 c0 s', 'abcdef', 'xyz', 'zero')",
           "return struct.pack('c5', 'ab')",
           "return struct.pack('!8 b d', 1, 2)",
           "return struct.pack('!3 i', 1)",
           "return struct.pack('i33', 1)",
           "return struct.pack('bad', 1)",
           "return struct.pack('i', 'x')",
           "return struct.pack('i')",
           "return {struct.unpack('<i4', struct.pack('<i4', -5))}",
           "return {struct.unpack('>I2 >h', string.char(1, 2, 0xff, 0xfe))}",
           "return {struct.unpack('B c0 s', string.char(3) .. 'abc' .. 'zz' .. string.char(0))}",
           "return {struct.unpack('c0', 'abc')}",
           "return {struct.unpack('s', 'abc')}",
           "return {struct.unpack('i4', 'ab')}",
           "return {struct.unpack('b', 'abc', 2)}",
           "return {struct.unpack('b', 'abc', 5)}",
           "return {struct.unpack('>d', struct.pack('>d', 3.25))}",
           "return {struct.unpack('!4 b i', struct.pack('!4 b i', 1, 2))}",
           "return struct.size('i4i8')",
           "return struct.size('!8 b d')",
           "return struct.size('s')",
           "return struct.size('c0')",
           "return struct.size('bad')",
       }) {
    Eval(body);
  }
}

// Under maxmemory, as Redis: a script declaring it may write is refused before it
// runs; one without a shebang runs, and its first write is refused inside it; a
// no-writes or allow-oom script runs. The same for functions.
TEST_F(Scripting, ScriptsUnderMaxmemory) {
  Compare({{"FUNCTION", "FLUSH"},
           {"FUNCTION", "LOAD",
            "#!lua name=oom\nredis.register_function('w', function() return redis.call('set', 'a', 'b') end)\n"
            "redis.register_function{function_name='ro', callback=function() return redis.call('get', 'a') end, "
            "flags={'no-writes'}}\n"
            "redis.register_function{function_name='ok', callback=function() return redis.call('set', 'a', 'c') end, "
            "flags={'allow-oom'}}"},
           {"CONFIG", "SET", "maxmemory", "1"}});
  Compare({
      {"EVAL", "#!lua\nreturn redis.call('set','a','b')", "0"},
      {"EVAL", "return redis.call('set','a','b')", "0"},
      {"EVAL", "return redis.call('get','a')", "0"},
      {"EVAL", "#!lua flags=no-writes\nreturn redis.call('get','a')", "0"},
      {"EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','a','b')", "0"},
      {"FCALL", "w", "0"},
      {"FCALL", "ro", "0"},
      {"FCALL", "ok", "0"},
      {"MULTI"},
      {"EVAL", "#!lua\nreturn 1", "0"},
      {"EXEC"},
  });
  Compare({{"CONFIG", "SET", "maxmemory", "0"}, {"FUNCTION", "FLUSH"}});
}

// MONITOR shows a script's command, then the calls it makes as "[0 lua]"; CLIENT LIST
// shows the client's own command (EVAL), not the script's last call.
TEST_F(Scripting, MonitorShowsScriptCallsAsLua) {
  RespClient rmon, mmon;
  ASSERT_TRUE(rmon.Connect(redis_->port()));
  ASSERT_TRUE(mmon.Connect(minired_->port()));
  ASSERT_EQ(rmon.Call({"MONITOR"}).raw, "+OK\r\n");
  ASSERT_EQ(mmon.Call({"MONITOR"}).raw, "+OK\r\n");
  Compare({{"EVAL", "redis.call('set', KEYS[1], 'v') return redis.call('get', KEYS[1])", "1", "k"},
           {"EVAL_RO", "return redis.pcall('get', 'k')", "0"},
           {"GET", "k"}});
  auto lines = [](RespClient& monitor) {
    std::vector<std::string> out;
    for (int i = 0; i < 6; ++i) {
      Reply r;
      if (!monitor.Read(&r, std::chrono::seconds(5))) break;
      std::string s = std::regex_replace(r.value.str, std::regex(R"(^\d+\.\d{6} )"), "");
      out.push_back(std::regex_replace(s, std::regex(R"(127\.0\.0\.1:\d+)"), "127.0.0.1:"));
    }
    return out;
  };
  const auto want = lines(rmon);
  ASSERT_EQ(want.size(), 6u);
  EXPECT_EQ(lines(mmon), want);
  const std::string id = std::to_string(m_.Call({"CLIENT", "ID"}).value.integer);
  m_.Call({"EVAL", "return redis.call('ping')", "0"});
  RespClient other;
  ASSERT_TRUE(other.Connect(minired_->port()));
  const std::string list = other.Call({"CLIENT", "LIST"}).value.str;
  const size_t at = list.find("id=" + id + " ");
  ASSERT_NE(at, std::string::npos) << list;
  const std::string line = list.substr(at, list.find('\n', at) - at);
  EXPECT_NE(line.find(" cmd=eval "), std::string::npos) << line;
}

TEST_F(Scripting, TheScriptCache) {
  Compare({
      {"SCRIPT", "FLUSH"},
      {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
      {"EVAL", "return 1", "0"},
      {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
      {"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"},
      {"EVALSHA", "abc", "0"},
      {"SCRIPT", "LOAD", "return KEYS[1] .. ARGV[1]"},
      {"EVALSHA", "a42059b356c875f0717db19a51f6aaca9ae659ea", "1", "k", "v"},
      {"SCRIPT", "EXISTS", "a42059b356c875f0717db19a51f6aaca9ae659ea", "ffffffffffffffffffffffffffffffffffffffff"},
      {"SCRIPT", "LOAD", "return +"},
      {"SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 1"},
      {"SCRIPT", "LOAD", "#!python\nreturn 1"},
      {"EVAL", "return +", "0"},
      {"SCRIPT", "EXISTS", "1fd5091818ea327c4e55ed84125fdc6179ae44cf"},
      {"SCRIPT", "FLUSH", "ASYNC"},
      {"SCRIPT", "EXISTS", "a42059b356c875f0717db19a51f6aaca9ae659ea"},
      {"SCRIPT", "FLUSH", "SYNC"},
      {"SCRIPT", "FLUSH", "BAD"},
      {"SCRIPT", "FLUSH", "SYNC", "X"},
      {"SCRIPT", "EXISTS"},
      {"SCRIPT", "NOPE"},
      {"SCRIPT"},
      {"EVAL"},
      {"EVAL", "return 1"},
      {"EVAL", "return 1", "-1"},
      {"EVAL", "return 1", "2", "a"},
      {"EVAL", "return 1", "x"},
      {"EVAL", "return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}", "2", "a", "b", "c"},
  });
}

TEST_F(Scripting, ReadOnlyScriptsAndShebangs) {
  Compare({
      {"EVAL_RO", "return redis.call('set','k','v')", "0"},
      {"EVAL_RO", "return redis.call('get','k')", "0"},
      {"EVAL", "#!lua flags=no-writes\nreturn redis.call('set','k','v')", "0"},
      {"EVAL", "#!lua flags=no-writes,allow-oom\nreturn redis.call('get','k')", "0"},
      {"EVAL", "#!lua\nreturn 1", "0"},
      {"EVAL", "#!lua\nerror('line two')", "0"},
      {"EVAL", "#!lua flags=bad\nreturn 1", "0"},
      {"EVAL", "#!python\nreturn 1", "0"},
      {"EVAL", "#!lua name=x\nreturn 1", "0"},
      {"SCRIPT", "LOAD", "return redis.call('get', KEYS[1])"},
      {"EVALSHA_RO", "4e6d8fc8bb01276962cce5371fa795a7763657ae", "1", "k"},
      {"EVALSHA_RO", "ffffffffffffffffffffffffffffffffffffffff", "0"},
  });
}

// A command a script calls counts its error once, where it fails; the script that
// passes the error on fails too, without a second errorstats count (Redis's
// ERR_REPLY_FLAG_NO_STATS_UPDATE). Errors the script raises itself count as any.
TEST_F(Scripting, ErrorsAreCountedOnceInTheStatistics) {
  Compare({{"SET", "k", "text"}, {"CONFIG", "RESETSTAT"}});
  for (const char* body : {"redis.pcall('incr','k') return 1", "return redis.pcall('incr','k')",
                           "return redis.call('incr','k')", "return redis.call('nosuch')", "error('own')",
                           "return {err='MINE x'}", "return redis.call()"}) {
    Eval(body);
  }
  Compare({{"INFO", "errorstats"}});
  for (const char* stat : {"cmdstat_eval", "cmdstat_incr"}) {
    auto counts = [&](RespClient& c) {
      std::string info = c.Call({"INFO", "commandstats"}).value.str;
      size_t at = info.find(std::string(stat) + ":");
      if (at == std::string::npos) return std::string("absent");
      std::string line = info.substr(at, info.find('\r', at) - at);
      return line.substr(0, line.find(',')) + line.substr(line.find(",rejected_calls"));
    };
    EXPECT_EQ(counts(m_), counts(r_)) << stat;
  }
}

TEST_F(Scripting, ScriptsRunAsTheCallingUser) {
  Compare({{"ACL", "SETUSER", "scripter", "on", ">pw", "~a*", "&ch", "+@all", "-set"}});
  RespClient r, m;
  ASSERT_TRUE(r.Connect(redis_->port()));
  ASSERT_TRUE(m.Connect(minired_->port()));
  CompareOn(r, m,
            {
                {"AUTH", "scripter", "pw"},
                {"EVAL", "return redis.call('set','a','1')", "0"},
                {"EVAL", "return redis.call('get','b')", "0"},
                {"EVAL", "return redis.pcall('get','b')", "0"},
                {"EVAL", "return redis.call('get','a1')", "0"},
                {"EVAL", "return redis.call('publish','other','x')", "0"},
                {"EVAL", "return redis.call('publish','ch','x')", "0"},
                {"EVAL", "return {redis.acl_check_cmd('get','a1'), redis.acl_check_cmd('set','a1','1')}", "0"},
                {"EVAL", "return redis.acl_check_cmd('get','b')", "0"},
                {"EVAL", "return redis.acl_check_cmd('client','kill')", "0"},
                {"EVAL", "return redis.acl_check_cmd('client','nosub')", "0"},
                {"EVAL", "return redis.acl_check_cmd('nosuch')", "0"},
                {"EVAL", "return redis.acl_check_cmd()", "0"},
            });
  Compare({{"ACL", "DELUSER", "scripter"}});
}

TEST_F(Scripting, ScriptsInsideTransactions) {
  Compare({
      {"MULTI"},
      {"EVAL", "return redis.call('incr', KEYS[1])", "1", "c"},
      {"EVAL", "return redis.call('incr', KEYS[1])", "1", "c"},
      {"EVAL", "return redis.call('nosuch')", "0"},
      {"EXEC"},
      {"WATCH", "w"},
      {"EVAL", "return redis.call('set', KEYS[1], 'changed')", "1", "w"},
      {"MULTI"},
      {"GET", "w"},
      {"EXEC"},
      {"EVAL", "return redis.call('blmpop', '0', '1', 'nolist', 'LEFT')", "0"},
      {"EVAL", "return redis.call('select', '1')", "0"},
      {"GET", "w"},
  });
}

}  // namespace
}  // namespace minired
