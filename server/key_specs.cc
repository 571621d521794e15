#include "server/key_specs.h"

#include <map>

#include "protocol/numbers.h"

namespace minired {
namespace {

KeySpec Spec(const char* flags, int begin, KeySpec spec, const char* notes = "") {
  spec.begin_index = begin;
  spec.notes = notes;
  std::string word;
  for (const char* p = flags;; ++p) {
    if (*p == ' ' || *p == '\0') {
      if (!word.empty()) spec.flags.push_back(word);
      word.clear();
      if (*p == '\0') break;
    } else {
      word += *p;
    }
  }
  return spec;
}

KeySpec Range(int lastkey, int keystep, int limit) {
  KeySpec s;
  s.find = KeySpec::Find::kRange;
  s.lastkey = lastkey;
  s.keystep = keystep;
  s.limit = limit;
  return s;
}

KeySpec Unknown() {
  KeySpec s;
  s.find = KeySpec::Find::kUnknown;
  return s;
}

KeySpec Keynum(int keynumidx, int firstkey, int keystep) {
  KeySpec s;
  s.find = KeySpec::Find::kKeynum;
  s.keynumidx = keynumidx;
  s.firstkey = firstkey;
  s.keystep = keystep;
  return s;
}


// Redis 7.0's tips and key specs of every command minired has that has either (read
// from redis-server 7.0's COMMAND INFO; tests/integration/command_table_differential_test.cc
// keeps them equal).
std::map<std::string, CommandKeyInfo, std::less<>> BuildTable() {
  struct Def {
    const char* flags;
    int begin;
    KeySpec find;
    const char* notes = "";
    const char* keyword = "";  // begin_search by keyword, `begin` its startfrom
  };
  struct Entry {
    const char* name;
    std::vector<std::string> tips;
    std::vector<Def> specs;
  };
  const std::vector<Entry> entries = {
    {"append", {}, {{"RW insert", 1, Range(0, 1, 0)}}},
    {"bitcount", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"bitfield", {}, {{"RW access update variable_flags", 1, Range(0, 1, 0), "This command allows both access and modification of the key"}}},
    {"bitfield_ro", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"bitop", {}, {{"OW update", 2, Range(0, 1, 0)}, {"RO access", 3, Range(-1, 1, 0)}}},
    {"geoadd", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"geodist", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"geohash", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"geopos", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"georadius", {}, {{"RO access", 1, Range(0, 1, 0)}, {"OW update", 6, Range(0, 1, 0), "", "STORE"}, {"OW update", 6, Range(0, 1, 0), "", "STOREDIST"}}},
    {"georadius_ro", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"georadiusbymember", {}, {{"RO access", 1, Range(0, 1, 0)}, {"OW update", 5, Range(0, 1, 0), "", "STORE"}, {"OW update", 5, Range(0, 1, 0), "", "STOREDIST"}}},
    {"georadiusbymember_ro", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"geosearch", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"geosearchstore", {}, {{"OW update", 1, Range(0, 1, 0)}, {"RO access", 2, Range(0, 1, 0)}}},
    {"lcs", {}, {{"RO access", 1, Range(1, 1, 0)}}},
    {"pfadd", {}, {{"RW insert", 1, Range(0, 1, 0)}}},
    {"pfcount", {}, {{"RW access", 1, Range(-1, 1, 0), "RW because it may change the internal representation of the key, and propagate to replicas"}}},
    {"pfdebug", {}, {{"RW access", 2, Range(0, 1, 0)}}},
    {"pfmerge", {}, {{"RW access insert", 1, Range(0, 1, 0)}, {"RO access", 2, Range(-1, 1, 0)}}},
    {"sort", {}, {{"RO access", 1, Range(0, 1, 0)},
                  {"RO access", 0, Unknown(), "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"},
                  {"OW update", 0, Unknown(), "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"}}},
    {"sort_ro", {}, {{"RO access", 1, Range(0, 1, 0)},
                     {"RO access", 0, Unknown(), "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"}}},
    {"bitpos", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"blmove", {}, {{"RW access delete", 1, Range(0, 1, 0)}, {"RW insert", 2, Range(0, 1, 0)}}},
    {"blmpop", {}, {{"RW access delete", 2, Keynum(0, 1, 1)}}},
    {"blpop", {}, {{"RW access delete", 1, Range(-2, 1, 0)}}},
    {"brpop", {}, {{"RW access delete", 1, Range(-2, 1, 0)}}},
    {"brpoplpush", {}, {{"RW access delete", 1, Range(0, 1, 0)}, {"RW insert", 2, Range(0, 1, 0)}}},
    {"bzmpop", {}, {{"RW access delete", 2, Keynum(0, 1, 1)}}},
    {"bzpopmax", {}, {{"RW access delete", 1, Range(-2, 1, 0)}}},
    {"bzpopmin", {}, {{"RW access delete", 1, Range(-2, 1, 0)}}},
    {"client|info", {"nondeterministic_output"}, {}},
    {"client|list", {"nondeterministic_output"}, {}},
    {"command", {"nondeterministic_output_order"}, {}},
    {"command|docs", {"nondeterministic_output_order"}, {}},
    {"command|info", {"nondeterministic_output_order"}, {}},
    {"command|list", {"nondeterministic_output_order"}, {}},
    {"config|set", {"request_policy:all_nodes", "response_policy:all_succeeded"}, {}},
    {"dump", {"nondeterministic_output"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"restore", {}, {{"OW update", 1, Range(0, 1, 0)}}},
    {"migrate", {"nondeterministic_output"}, {{"RW access delete", 3, Range(0, 1, 0)}, {"RW access delete incomplete", -2, Range(-1, 1, 0), "", "KEYS"}}},
    {"restore-asking", {}, {{"OW update", 1, Range(0, 1, 0)}}},
    {"copy", {}, {{"RO access", 1, Range(0, 1, 0)}, {"OW update", 2, Range(0, 1, 0)}}},
    {"dbsize", {"request_policy:all_shards", "response_policy:agg_sum"}, {}},
    {"decr", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"decrby", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"del", {"request_policy:multi_shard", "response_policy:agg_sum"}, {{"RM delete", 1, Range(-1, 1, 0)}}},
    {"exists", {"request_policy:multi_shard", "response_policy:agg_sum"}, {{"RO", 1, Range(-1, 1, 0)}}},
    {"expire", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"expireat", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"expiretime", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"flushall", {"request_policy:all_shards", "response_policy:all_succeeded"}, {}},
    {"flushdb", {"request_policy:all_shards", "response_policy:all_succeeded"}, {}},
    {"get", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"getbit", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"getdel", {}, {{"RW access delete", 1, Range(0, 1, 0)}}},
    {"getex", {}, {{"RW access update", 1, Range(0, 1, 0), "RW and UPDATE because it changes the TTL"}}},
    {"getrange", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"getset", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"hdel", {}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"hexists", {}, {{"RO", 1, Range(0, 1, 0)}}},
    {"hget", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"hgetall", {"nondeterministic_output_order"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"hincrby", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"hincrbyfloat", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"hkeys", {"nondeterministic_output_order"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"hlen", {}, {{"RO", 1, Range(0, 1, 0)}}},
    {"hmget", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"hmset", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"hrandfield", {"nondeterministic_output"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"hscan", {"nondeterministic_output"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"hset", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"hsetnx", {}, {{"RW insert", 1, Range(0, 1, 0)}}},
    {"hstrlen", {}, {{"RO", 1, Range(0, 1, 0)}}},
    {"hvals", {"nondeterministic_output_order"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"incr", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"incrby", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"incrbyfloat", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"info", {"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}, {}},
    {"keys", {"request_policy:all_shards", "nondeterministic_output_order"}, {}},
    {"lastsave", {"nondeterministic_output"}, {}},
    {"latency|doctor", {"nondeterministic_output", "request_policy:all_nodes", "response_policy:special"}, {}},
    {"latency|graph", {"nondeterministic_output", "request_policy:all_nodes", "response_policy:special"}, {}},
    {"latency|histogram", {"nondeterministic_output", "request_policy:all_nodes", "response_policy:special"}, {}},
    {"latency|history", {"nondeterministic_output", "request_policy:all_nodes", "response_policy:special"}, {}},
    {"latency|latest", {"nondeterministic_output", "request_policy:all_nodes", "response_policy:special"}, {}},
    {"latency|reset", {"request_policy:all_nodes", "response_policy:all_succeeded"}, {}},
    {"lindex", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"linsert", {}, {{"RW insert", 1, Range(0, 1, 0)}}},
    {"llen", {}, {{"RO", 1, Range(0, 1, 0)}}},
    {"lmove", {}, {{"RW access delete", 1, Range(0, 1, 0)}, {"RW insert", 2, Range(0, 1, 0)}}},
    {"lmpop", {}, {{"RW access delete", 1, Keynum(0, 1, 1)}}},
    {"eval", {}, {{"RW access update", 2, Keynum(0, 1, 1), "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"}}},
    {"evalsha", {}, {{"RW access update", 2, Keynum(0, 1, 1)}}},
    {"eval_ro", {}, {{"RO access", 2, Keynum(0, 1, 1), "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"}}},
    {"evalsha_ro", {}, {{"RO access", 2, Keynum(0, 1, 1)}}},
    {"script|exists", {"request_policy:all_shards", "response_policy:agg_logical_and"}, {}},
    {"script|load", {"request_policy:all_nodes", "response_policy:all_succeeded"}, {}},
    {"script|flush", {"request_policy:all_nodes", "response_policy:all_succeeded"}, {}},
    {"script|kill", {"request_policy:all_shards", "response_policy:one_succeeded"}, {}},
    {"fcall", {}, {{"RW access update", 2, Keynum(0, 1, 1), "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"}}},
    {"fcall_ro", {}, {{"RO access", 2, Keynum(0, 1, 1), "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"}}},
    {"function|load", {"request_policy:all_shards", "response_policy:all_succeeded"}, {}},
    {"function|flush", {"request_policy:all_shards", "response_policy:all_succeeded"}, {}},
    {"function|stats", {"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}, {}},
    {"function|delete", {"request_policy:all_shards", "response_policy:all_succeeded"}, {}},
    {"function|list", {"nondeterministic_output_order"}, {}},
    {"function|kill", {"request_policy:all_shards", "response_policy:one_succeeded"}, {}},
    {"function|restore", {"request_policy:all_shards", "response_policy:all_succeeded"}, {}},
    {"lpop", {}, {{"RW access delete", 1, Range(0, 1, 0)}}},
    {"lpos", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"lpush", {}, {{"RW insert", 1, Range(0, 1, 0)}}},
    {"lpushx", {}, {{"RW insert", 1, Range(0, 1, 0)}}},
    {"lrange", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"lrem", {}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"lset", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"ltrim", {}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"memory|doctor", {"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}, {}},
    {"memory|malloc-stats", {"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}, {}},
    {"memory|purge", {"request_policy:all_shards", "response_policy:all_succeeded"}, {}},
    {"memory|stats", {"nondeterministic_output", "request_policy:all_shards", "response_policy:special"}, {}},
    {"memory|usage", {}, {{"RO", 2, Range(0, 1, 0)}}},
    {"mget", {"request_policy:multi_shard"}, {{"RO access", 1, Range(-1, 1, 0)}}},
    {"move", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"mset", {"request_policy:multi_shard", "response_policy:all_succeeded"}, {{"OW update", 1, Range(-1, 2, 0)}}},
    {"msetnx", {"request_policy:multi_shard", "response_policy:agg_min"}, {{"OW insert", 1, Range(-1, 2, 0)}}},
    {"object|encoding", {"nondeterministic_output"}, {{"RO", 2, Range(0, 1, 0)}}},
    {"object|freq", {"nondeterministic_output"}, {{"RO", 2, Range(0, 1, 0)}}},
    {"object|idletime", {"nondeterministic_output"}, {{"RO", 2, Range(0, 1, 0)}}},
    {"object|refcount", {"nondeterministic_output"}, {{"RO", 2, Range(0, 1, 0)}}},
    {"persist", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"pexpire", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"pexpireat", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"pexpiretime", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"ping", {"request_policy:all_shards", "response_policy:all_succeeded"}, {}},
    {"psetex", {}, {{"OW update", 1, Range(0, 1, 0)}}},
    {"pttl", {"nondeterministic_output"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"randomkey", {"request_policy:all_shards", "nondeterministic_output"}, {}},
    {"rename", {}, {{"RW access delete", 1, Range(0, 1, 0)}, {"OW update", 2, Range(0, 1, 0)}}},
    {"renamenx", {}, {{"RW access delete", 1, Range(0, 1, 0)}, {"OW insert", 2, Range(0, 1, 0)}}},
    {"rpop", {}, {{"RW access delete", 1, Range(0, 1, 0)}}},
    {"rpoplpush", {}, {{"RW access delete", 1, Range(0, 1, 0)}, {"RW insert", 2, Range(0, 1, 0)}}},
    {"rpush", {}, {{"RW insert", 1, Range(0, 1, 0)}}},
    {"rpushx", {}, {{"RW insert", 1, Range(0, 1, 0)}}},
    {"sadd", {}, {{"RW insert", 1, Range(0, 1, 0)}}},
    {"scan", {"nondeterministic_output", "request_policy:special"}, {}},
    {"scard", {}, {{"RO", 1, Range(0, 1, 0)}}},
    {"sdiff", {"nondeterministic_output_order"}, {{"RO access", 1, Range(-1, 1, 0)}}},
    {"sdiffstore", {}, {{"OW update", 1, Range(0, 1, 0)}, {"RO access", 2, Range(-1, 1, 0)}}},
    {"set", {}, {{"RW access update variable_flags", 1, Range(0, 1, 0), "RW and ACCESS due to the optional `GET` argument"}}},
    {"setbit", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"setex", {}, {{"OW update", 1, Range(0, 1, 0)}}},
    {"setnx", {}, {{"OW insert", 1, Range(0, 1, 0)}}},
    {"setrange", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"sinter", {"nondeterministic_output_order"}, {{"RO access", 1, Range(-1, 1, 0)}}},
    {"sintercard", {}, {{"RO access", 1, Keynum(0, 1, 1)}}},
    {"sinterstore", {}, {{"RW update", 1, Range(0, 1, 0)}, {"RO access", 2, Range(-1, 1, 0)}}},
    {"sismember", {}, {{"RO", 1, Range(0, 1, 0)}}},
    {"slowlog|get", {"request_policy:all_nodes", "nondeterministic_output"}, {}},
    {"slowlog|len", {"request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"}, {}},
    {"slowlog|reset", {"request_policy:all_nodes", "response_policy:all_succeeded"}, {}},
    {"smembers", {"nondeterministic_output_order"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"smismember", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"smove", {}, {{"RW access delete", 1, Range(0, 1, 0)}, {"RW insert", 2, Range(0, 1, 0)}}},
    {"spop", {"nondeterministic_output"}, {{"RW access delete", 1, Range(0, 1, 0)}}},
    {"srandmember", {"nondeterministic_output"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"srem", {}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"sscan", {"nondeterministic_output"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"strlen", {}, {{"RO", 1, Range(0, 1, 0)}}},
    {"substr", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"sunion", {"nondeterministic_output_order"}, {{"RO access", 1, Range(-1, 1, 0)}}},
    {"sunionstore", {}, {{"OW update", 1, Range(0, 1, 0)}, {"RO access", 2, Range(-1, 1, 0)}}},
    {"time", {"nondeterministic_output"}, {}},
    {"touch", {"request_policy:multi_shard", "response_policy:agg_sum"}, {{"RO", 1, Range(-1, 1, 0)}}},
    {"ttl", {"nondeterministic_output"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"type", {}, {{"RO", 1, Range(0, 1, 0)}}},
    {"unlink", {"request_policy:multi_shard", "response_policy:agg_sum"}, {{"RM delete", 1, Range(-1, 1, 0)}}},
    {"wait", {"request_policy:all_shards", "response_policy:agg_min"}, {}},
    {"watch", {}, {{"RO", 1, Range(-1, 1, 0)}}},
    {"xack", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"xadd", {"nondeterministic_output"}, {{"RW update", 1, Range(0, 1, 0), "UPDATE instead of INSERT because of the optional trimming feature"}}},
    {"xautoclaim", {"nondeterministic_output"}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"xclaim", {"nondeterministic_output"}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"xdel", {}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"xgroup|create", {}, {{"RW insert", 2, Range(0, 1, 0)}}},
    {"xgroup|createconsumer", {}, {{"RW insert", 2, Range(0, 1, 0)}}},
    {"xgroup|delconsumer", {}, {{"RW delete", 2, Range(0, 1, 0)}}},
    {"xgroup|destroy", {}, {{"RW delete", 2, Range(0, 1, 0)}}},
    {"xgroup|setid", {}, {{"RW update", 2, Range(0, 1, 0)}}},
    {"xinfo|consumers", {"nondeterministic_output"}, {{"RO access", 2, Range(0, 1, 0)}}},
    {"xinfo|groups", {}, {{"RO access", 2, Range(0, 1, 0)}}},
    {"xinfo|stream", {}, {{"RO access", 2, Range(0, 1, 0)}}},
    {"xlen", {}, {{"RO", 1, Range(0, 1, 0)}}},
    {"xpending", {"nondeterministic_output"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"xrange", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"xread", {}, {{"RO access", 1, Range(-1, 1, 2), "", "STREAMS"}}},
    {"xreadgroup", {}, {{"RO access", 4, Range(-1, 1, 2), "", "STREAMS"}}},
    {"xrevrange", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"xsetid", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"xtrim", {"nondeterministic_output"}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"zadd", {}, {{"RW update", 1, Range(0, 1, 0)}}},
    {"zcard", {}, {{"RO", 1, Range(0, 1, 0)}}},
    {"zcount", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zdiff", {}, {{"RO access", 1, Keynum(0, 1, 1)}}},
    {"zdiffstore", {}, {{"OW update", 1, Range(0, 1, 0)}, {"RO access", 2, Keynum(0, 1, 1)}}},
    {"zincrby", {}, {{"RW access update", 1, Range(0, 1, 0)}}},
    {"zinter", {}, {{"RO access", 1, Keynum(0, 1, 1)}}},
    {"zintercard", {}, {{"RO access", 1, Keynum(0, 1, 1)}}},
    {"zinterstore", {}, {{"OW update", 1, Range(0, 1, 0)}, {"RO access", 2, Keynum(0, 1, 1)}}},
    {"zlexcount", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zmpop", {}, {{"RW access delete", 1, Keynum(0, 1, 1)}}},
    {"zmscore", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zpopmax", {}, {{"RW access delete", 1, Range(0, 1, 0)}}},
    {"zpopmin", {}, {{"RW access delete", 1, Range(0, 1, 0)}}},
    {"zrandmember", {"nondeterministic_output"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zrange", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zrangebylex", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zrangebyscore", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zrangestore", {}, {{"OW update", 1, Range(0, 1, 0)}, {"RO access", 2, Range(0, 1, 0)}}},
    {"zrank", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zrem", {}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"zremrangebylex", {}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"zremrangebyrank", {}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"zremrangebyscore", {}, {{"RW delete", 1, Range(0, 1, 0)}}},
    {"zrevrange", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zrevrangebylex", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zrevrangebyscore", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zrevrank", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zscan", {"nondeterministic_output"}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zscore", {}, {{"RO access", 1, Range(0, 1, 0)}}},
    {"zunion", {}, {{"RO access", 1, Keynum(0, 1, 1)}}},
    {"zunionstore", {}, {{"OW update", 1, Range(0, 1, 0)}, {"RO access", 2, Keynum(0, 1, 1)}}},
  };
  std::map<std::string, CommandKeyInfo, std::less<>> out;
  for (const Entry& e : entries) {
    CommandKeyInfo& info = out[e.name];
    info.tips = e.tips;
    for (const Def& d : e.specs) {
      info.specs.push_back(Spec(d.flags, d.begin, d.find, d.notes));
      info.specs.back().keyword = d.keyword;
    }
  }
  return out;
}

}  // namespace

const CommandKeyInfo& KeyInfoFor(std::string_view full_name) {
  static const auto* table = new std::map<std::string, CommandKeyInfo, std::less<>>(BuildTable());
  static const CommandKeyInfo kNone;
  auto it = table->find(full_name);
  return it == table->end() ? kNone : it->second;
}

bool FindKeys(const std::vector<KeySpec>& specs, std::span<const std::string_view> args, std::vector<FoundKey>* out) {
  const int argc = static_cast<int>(args.size());
  for (const KeySpec& spec : specs) {
    int first = spec.begin_index, last = 0, step = spec.keystep;
    if (!spec.keyword.empty()) {
      // As Redis's: search from startfrom (from the end when negative) for the keyword;
      // the keys begin after it, and a spec whose keyword is absent finds none.
      const int from = spec.begin_index > 0 ? spec.begin_index : argc + spec.begin_index;
      const int to = spec.begin_index > 0 ? argc - 1 : 0;
      first = 0;
      for (int i = from; i != to; i = from <= to ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (EqualsIgnoreCase(args[static_cast<size_t>(i)], spec.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first == 0) continue;
    }
    if (spec.find == KeySpec::Find::kUnknown) continue;
    if (first >= argc) return false;
    if (spec.find == KeySpec::Find::kRange) {
      if (spec.lastkey >= 0) {
        last = first + spec.lastkey;
      } else if (spec.limit == 0) {
        last = argc + spec.lastkey;
      } else {
        last = first + ((argc - first) / spec.limit + spec.lastkey);
      }
    } else {
      if (spec.keynumidx >= argc - first) return false;
      auto numkeys = ParseInt64(args[static_cast<size_t>(first + spec.keynumidx)]);
      if (!numkeys || *numkeys < 0 || *numkeys > argc) return false;
      first += spec.firstkey;
      last = first + static_cast<int>(*numkeys) - 1;
    }
    if (last >= argc || last < first || first >= argc) return false;
    for (int i = first; i <= last; i += step) out->push_back(FoundKey{static_cast<size_t>(i), spec.flags});
  }
  return true;
}

}  // namespace minired
