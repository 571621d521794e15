// A data set of every type minired holds, with sizes on both sides of every encoding
// threshold (Redis's and minired's), integers at the edges of each RDB integer form,
// binary and compressible strings, sorted-set scores of every kind, streams with
// deleted entries, several nodes, consumer groups and pending entries, and expiries:
// the corpus the RDB tests (DUMP/RESTORE, import, mixed replication) carry across.
#pragma once

#include <string>
#include <vector>

namespace minired {

inline std::vector<std::vector<std::string>> RdbCorpus() {
  std::vector<std::vector<std::string>> c;
  auto cmd = [&](std::vector<std::string> args) { c.push_back(std::move(args)); };
  // Strings: the integer forms (8/16/32-bit, text beyond), non-canonical numbers, binary.
  const char* numbers[] = {"0", "-1", "127", "128", "-128", "-129", "32767", "32768", "-32769", "2147483647",
                           "2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
                           "007", "-0", " 1", "1.5", "12345678901"};
  int i = 0;
  for (const char* n : numbers) cmd({"SET", "str:num:" + std::to_string(i++), n});
  cmd({"SET", "str:empty", ""});
  cmd({"SET", "str:binary", std::string("\x00\xff\r\n\x01", 5)});
  cmd({"SET", "str:20", std::string(20, 'a')});
  cmd({"SET", "str:21", std::string(21, 'a')});
  cmd({"SET", "str:compressible", std::string(5000, 'x') + "tail"});
  std::string noise;
  for (int k = 0; k < 3000; ++k) noise.push_back(static_cast<char>((k * 7919 + k / 13) & 0xff));
  cmd({"SET", "str:noise", noise});
  cmd({"SET", "str:expiring", "v", "PXAT", "4102444800000"});
  cmd({"PFADD", "str:hll", "a", "b", "c"});
  // Lists: small, at and past the listpack sizes, long, big elements, integers.
  for (int n : {1, 10, 128, 129, 1000}) {
    std::vector<std::string> a = {"RPUSH", "list:" + std::to_string(n)};
    for (int k = 0; k < n; ++k) a.push_back(k % 3 == 0 ? std::to_string(k * 1000) : "e" + std::to_string(k));
    cmd(a);
  }
  cmd({"RPUSH", "list:wide", std::string(64, 'w'), std::string(65, 'w'), std::string(10000, 'w'), "-5"});
  cmd({"RPUSH", "list:expiring", "a"});
  cmd({"PEXPIREAT", "list:expiring", "4102444800000"});
  // Sets: intsets up to and past 512, negative and 64-bit members, strings.
  for (int n : {1, 512, 513}) {
    std::vector<std::string> a = {"SADD", "set:int:" + std::to_string(n)};
    for (int k = 0; k < n; ++k) a.push_back(std::to_string(k * 37 - 1000));
    cmd(a);
  }
  cmd({"SADD", "set:wide-ints", "9223372036854775807", "-9223372036854775808", "70000", "-3"});
  cmd({"SADD", "set:mixed", "1", "two", "3"});
  {
    std::vector<std::string> a = {"SADD", "set:big"};
    for (int k = 0; k < 1000; ++k) a.push_back("member:" + std::to_string(k));
    cmd(a);
  }
  // Sorted sets: every kind of score; sizes around 128; members around 64 bytes.
  cmd({"ZADD", "zset:scores", "0", "zero", "1.5", "a", "-2.25", "b", "inf", "c", "-inf", "d", "1e300", "e",
       "0.1", "f", "3", "g", "-0", "h", "123456789012", "i"});
  for (int n : {1, 128, 129, 500}) {
    std::vector<std::string> a = {"ZADD", "zset:" + std::to_string(n)};
    for (int k = 0; k < n; ++k) {
      a.push_back(std::to_string(k % 17) + "." + std::to_string(k % 5));
      a.push_back("m" + std::to_string(k));
    }
    cmd(a);
  }
  cmd({"ZADD", "zset:wide", "1", std::string(64, 'm'), "2", std::string(65, 'm')});
  // Hashes: sizes around 128 and 512, values around 64 bytes, integer values.
  for (int n : {1, 128, 129, 600}) {
    std::vector<std::string> a = {"HSET", "hash:" + std::to_string(n)};
    for (int k = 0; k < n; ++k) {
      a.push_back("field:" + std::to_string(k));
      a.push_back(k % 2 ? std::to_string(k) : "value:" + std::to_string(k));
    }
    cmd(a);
  }
  cmd({"HSET", "hash:wide", "f64", std::string(64, 'v'), "f65", std::string(65, 'v'), "empty", ""});
  cmd({"HSET", "hash:expiring", "f", "v"});
  cmd({"PEXPIREAT", "hash:expiring", "4102444800000"});
  // Streams: same and different fields, many nodes, deletions, groups, PELs.
  for (int k = 1; k <= 250; ++k) {
    if (k % 50 == 0) {
      cmd({"XADD", "stream:long", std::to_string(k) + "-1", "other", std::to_string(k)});
    } else {
      cmd({"XADD", "stream:long", std::to_string(k) + "-1", "name", "item" + std::to_string(k), "price",
           std::to_string(k * 3)});
    }
  }
  cmd({"XDEL", "stream:long", "3-1", "100-1", "250-1"});
  cmd({"XGROUP", "CREATE", "stream:long", "g1", "0"});
  cmd({"XGROUP", "CREATE", "stream:long", "g2", "$"});
  cmd({"XGROUP", "CREATECONSUMER", "stream:long", "g2", "idle"});
  cmd({"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "stream:long", ">"});
  cmd({"XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "stream:long", ">"});
  cmd({"XACK", "stream:long", "g1", "1-1"});
  cmd({"XADD", "stream:small", "1-1", "f", "v"});
  cmd({"XADD", "stream:emptied", "5-5", "f", "v"});
  cmd({"XDEL", "stream:emptied", "5-5"});
  cmd({"XSETID", "stream:emptied", "9-9", "ENTRIESADDED", "7", "MAXDELETEDID", "5-5"});
  return c;
}

}  // namespace minired
