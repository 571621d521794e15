// minired-check against the data directories of real servers: what it reports, that it
// changes nothing unasked, the problems it finds (a torn log tail, damage before the end)
// with the option that accepts each, and --fix.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

namespace fs = std::filesystem;

struct CheckRun {
  std::string out;
  int exit_code = -1;
};

CheckRun Check(const std::string& args) {
  int status = 0;
  CheckRun r;
  r.out = RunShell(std::string(MINIRED_CHECK_PATH) + " " + args, &status);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Every file of a directory with its contents: equal before and after means untouched.
std::map<std::string, std::string> Contents(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& f : fs::recursive_directory_iterator(dir)) {
    if (f.is_regular_file()) files[f.path().string()] = ReadFileText(f.path().string());
  }
  return files;
}

// The log segment the server appended to (storage/log_segments.h).
std::string NewestLog(const std::string& store) {
  std::string newest;
  for (const auto& f : fs::directory_iterator(store + "/appendonly")) {
    if (f.path().extension() == ".mlog" && f.path().string() > newest) newest = f.path().string();
  }
  return newest;
}

// A server's directory with a snapshot and log entries after it, left by a kill -9.
TestProcess ServerWithData() {
  TestProcess server = TestProcess::StartMinired({"--appendfsync", "always"});
  RespClient c;
  EXPECT_TRUE(c.Connect(server.port()));
  c.Call({"MSET", "a", "1", "b", "2"});
  c.Call({"HSET", "product:1", "name", "lamp", "price", "12"});
  c.Call({"SET", "session", "x", "EX", "1000"});
  c.Call({"ZADD", "rank", "1", "m"});
  c.Call({"SELECT", "3"});
  c.Call({"RPUSH", "queue", "job"});
  c.Call({"SELECT", "0"});
  EXPECT_EQ(c.Call({"SAVE"}).raw, "+OK\r\n");
  c.Call({"SADD", "tags", "red"});
  c.Call({"SET", "last write", "v"});
  server.Kill9();
  return server;
}

TEST(CheckTool, ReportsWhatADataDirectoryHoldsWithoutChangingIt) {
  TestProcess server = ServerWithData();
  auto before = Contents(server.dir());
  CheckRun r = Check(server.dir());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("6 keys"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("by type: 3 string, 1 list, 1 zset, 1 hash"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("by database: db0 5, db3 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("with a TTL: 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("log after the snapshot: 2 entries"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("last: SET \"last write\" v"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("problems: none"), std::string::npos) << r.out;
  EXPECT_TRUE(Contents(server.dir()) == before) << "minired-check changed the directory";
  // The RocksDB directory itself is accepted too; nothing to read is an error.
  EXPECT_EQ(Check(server.dir() + "/minired.rocksdb").exit_code, 0);
  CheckRun none = Check(server.dir() + "/nowhere");
  EXPECT_EQ(none.exit_code, 2) << none.out;
  EXPECT_EQ(Check("").exit_code, 2);
}

TEST(CheckTool, ATornTailIsReportedAndFixedAfterABackup) {
  TestProcess server = ServerWithData();
  const std::string store = server.dir() + "/minired.rocksdb";
  {
    // Part of a record header: an append a crash cut short.
    std::ofstream log(NewestLog(store), std::ios::app | std::ios::binary);
    log.write("\x40\x00\x00\x00\x09\x00\x00" "abc", 10);
  }
  auto before = Contents(server.dir());
  CheckRun r = Check(server.dir());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("torn: 10 bytes at the end of"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("aof-load-truncated yes"), std::string::npos) << r.out;
  EXPECT_TRUE(Contents(server.dir()) == before) << "reporting changed the directory";

  CheckRun fixed = Check("--fix " + server.dir());
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out;
  EXPECT_NE(fixed.out.find("copied the directory to " + store + ".backup-"), std::string::npos) << fixed.out;
  int backups = 0;
  for (const auto& f : fs::directory_iterator(server.dir())) backups += f.path().string().find(".backup-") != std::string::npos;
  EXPECT_EQ(backups, 1);
  // Even the strict setting starts now, with every acknowledged write.
  ASSERT_TRUE(server.Restart({"--aof-load-truncated", "no"})) << server.ReadLog();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  EXPECT_EQ(c.Call({"GET", "last write"}).raw, "$1\r\nv\r\n");
  EXPECT_EQ(c.Call({"DBSIZE"}).raw, ":7\r\n");  // 5 in the snapshot, 2 from the log
}

TEST(CheckTool, DamageBeforeTheEndNamesTheOptionThatAcceptsTheLoss) {
  TestProcess server = ServerWithData();
  const std::string log = NewestLog(server.dir() + "/minired.rocksdb");
  {
    std::fstream f(log, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\xff');
  }
  CheckRun r = Check(server.dir());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("damaged before its end"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("'aof-load-corrupt yes'"), std::string::npos) << r.out;
  // --fix never cuts into the middle of a log.
  CheckRun fix = Check("--fix " + server.dir());
  EXPECT_EQ(fix.exit_code, 1) << fix.out;
  EXPECT_EQ(fix.out.find("copied the directory"), std::string::npos) << fix.out;
  // What the report says the server does: it refuses, until the loss is accepted.
  EXPECT_FALSE(server.Restart());
  ASSERT_TRUE(server.Restart({"--aof-load-corrupt", "yes"})) << server.ReadLog();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  EXPECT_EQ(c.Call({"HGET", "product:1", "name"}).raw, "$4\r\nlamp\r\n");  // the snapshot's data
}

}  // namespace
}  // namespace minired::testing
