// The example configuration shipped with minired (minired.conf, installed to
// /etc/minired/): the server starts from it unchanged, every directive it sets reads back
// through CONFIG GET as written, every default it documents in a comment is the real
// default, and every parameter of CONFIG GET * is in it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

const std::string kShippedConfig = std::string(MINIRED_SOURCE_DIR) + "/minired.conf";

// A line's words as the server splits them: double quotes group, "" is empty.
std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string w;
    if (line[i] == '"') {
      size_t end = line.find('"', i + 1);
      w = line.substr(i + 1, end - i - 1);
      i = end + 1;
    } else {
      size_t end = line.find_first_of(" \t", i);
      if (end == std::string::npos) end = line.size();
      w = line.substr(i, end - i);
      i = end;
    }
    out.push_back(w);
  }
  return out;
}

// A memory value as CONFIG GET prints it (bytes); anything else unchanged.
std::string Normalized(const std::string& v) {
  static const std::regex kMemory("(-?[0-9]+)(k|kb|m|mb|g|gb)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(v, m, kMemory)) return v;
  std::string unit = m[2];
  for (auto& c : unit) c = static_cast<char>(tolower(c));
  int64_t mul = unit == "k" ? 1000 : unit == "kb" ? 1024 : unit == "m" ? 1000000 : unit == "mb" ? 1 << 20
              : unit == "g" ? 1000000000LL : 1LL << 30;
  return std::to_string(std::stoll(m[1]) * mul);
}

std::string Joined(const std::vector<std::string>& words, size_t from) {
  std::string s;
  for (size_t i = from; i < words.size(); ++i) s += (i > from ? " " : "") + Normalized(words[i]);
  return s;
}

struct ShippedConfig {
  std::map<std::string, std::string> set;         // active lines: name -> value
  // "# name value" lines: commented directives, and prose that looks like them.
  std::map<std::string, std::string> documented;
};

ShippedConfig ReadShippedConfig() {
  ShippedConfig c;
  std::istringstream in(ReadFileText(kShippedConfig));
  static const std::regex kCommented("# ([a-z][a-z0-9_-]*) (.*)");
  std::string line;
  std::string buffer_limits;
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.empty()) continue;
    if (line[0] != '#') {
      std::vector<std::string> w = Words(line);
      if (w[0] == "client-output-buffer-limit") {
        // One line per class; CONFIG GET prints the three together, replica as "slave".
        buffer_limits += (buffer_limits.empty() ? "" : " ") + (w[1] == "replica" ? "slave" : w[1]) + " " + Joined(w, 2);
        c.set[w[0]] = buffer_limits;
      } else {
        c.set[w[0]] = Joined(w, 1);
      }
    } else if (std::regex_match(line, m, kCommented)) {
      std::string value = m[2];
      if (value.find('<') != std::string::npos || value.find('/') != std::string::npos) continue;  // a placeholder
      c.documented[m[1]] = Joined(Words(value), 0);
    }
  }
  return c;
}

std::string ConfigGet(RespClient& c, const std::string& name) {
  Reply r = c.Call({"CONFIG", "GET", name});
  if (r.value.elems.size() != 2) return "<missing>";
  return r.value.elems[1].str;
}

TEST(ConfigFile, TheShippedFileStartsTheServerAndReadsBackAsWritten) {
  ShippedConfig file = ReadShippedConfig();
  ASSERT_GT(file.set.size(), 40u);
  // The test's own port, loopback address, directory and threads on the command line.
  TestProcess server = TestProcess::StartMiniredWithConfig(kShippedConfig);
  ASSERT_TRUE(server.ok()) << server.error() << server.ReadLog();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  const std::set<std::string> overridden = {"port", "bind", "dir", "threads"};
  for (const auto& [name, value] : file.set) {
    if (overridden.count(name)) continue;
    EXPECT_EQ(ConfigGet(c, name), value) << name;
  }
  for (const auto& [name, value] : file.documented) {
    std::string actual = ConfigGet(c, name);
    if (overridden.count(name) || actual == "<missing>") continue;  // the comments' prose
    EXPECT_EQ(actual, value) << "# " << name << ": the file documents a default that is not";
  }
  EXPECT_NE(InfoString(c, "server", "config_file").find("/minired.conf"), std::string::npos);

  // The file's values are the defaults: a server started without it has the same.
  TestProcess plain = TestProcess::StartMinired();
  ASSERT_TRUE(plain.ok()) << plain.error();
  RespClient p;
  ASSERT_TRUE(p.Connect(plain.port()));
  for (const auto& [name, value] : file.set) {
    if (overridden.count(name)) continue;
    EXPECT_EQ(ConfigGet(p, name), value) << name << ": the file sets another value than the default";
  }
}

TEST(ConfigFile, EveryParameterIsInTheShippedFile) {
  ShippedConfig file = ReadShippedConfig();
  TestProcess server = TestProcess::StartMinired();
  ASSERT_TRUE(server.ok()) << server.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  Reply all = c.Call({"CONFIG", "GET", "*"});
  ASSERT_GT(all.value.elems.size(), 300u);
  // Redis's old names for the same parameters: the file uses the current ones.
  static const std::regex kAlias("slave.*|.*-slave-.*|min-slaves-.*|repl-ping-slave-period|.*-ziplist-.*|io-threads|lua-time-limit");
  for (size_t i = 0; i < all.value.elems.size(); i += 2) {
    const std::string& name = all.value.elems[i].str;
    if (std::regex_match(name, kAlias)) continue;
    EXPECT_TRUE(file.set.count(name) || file.documented.count(name) || name == "replicaof" || name == "aclfile")
        << name << " is not in minired.conf";
  }
}

// The shipped file rewritten by CONFIG REWRITE: every comment stays where it was, a
// changed directive is rewritten on its own line, and a restart from the file has the
// changed configuration.
TEST(ConfigFile, RewriteKeepsTheShippedFilesCommentsAndSurvivesARestart) {
  TestProcess server = TestProcess::StartMinired();  // only for a temporary directory
  ASSERT_TRUE(server.ok());
  const std::string path = server.dir() + "/minired.conf";
  const std::string original = ReadFileText(kShippedConfig);
  {
    std::ofstream out(path);
    out << original;
  }
  TestProcess from_file = TestProcess::StartMiniredWithConfig(path);
  ASSERT_TRUE(from_file.ok()) << from_file.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(from_file.port()));
  ASSERT_EQ(c.Call({"CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy", "allkeys-lru", "save", "60 100"}).raw,
            "+OK\r\n");
  ASSERT_EQ(c.Call({"ACL", "SETUSER", "worker", "on", ">secret", "~jobs:*", "+@list"}).raw, "+OK\r\n");
  ASSERT_EQ(c.Call({"CONFIG", "REWRITE"}).raw, "+OK\r\n");
  const std::string rewritten = ReadFileText(path);

  std::istringstream before(original), after(rewritten);
  std::vector<std::string> old_lines, new_lines;
  for (std::string l; std::getline(before, l);) old_lines.push_back(l);
  for (std::string l; std::getline(after, l);) new_lines.push_back(l);
  // Comments and blank lines, in order: the same.
  auto comments = [](const std::vector<std::string>& lines) {
    std::vector<std::string> out;
    for (const auto& l : lines) {
      if (l.empty() || l[0] == '#') out.push_back(l);
    }
    return out;
  };
  std::vector<std::string> old_comments = comments(old_lines), new_comments = comments(new_lines);
  ASSERT_GE(new_comments.size(), old_comments.size());
  EXPECT_TRUE(std::equal(old_comments.begin(), old_comments.end(), new_comments.begin()))
      << "CONFIG REWRITE lost or moved a comment";
  // Changed values replace their own lines.
  auto index_of = [](const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) - lines.begin();
  };
  EXPECT_EQ(index_of(new_lines, "maxmemory 1gb"), index_of(old_lines, "maxmemory 0"));
  EXPECT_EQ(index_of(new_lines, "maxmemory-policy allkeys-lru"), index_of(old_lines, "maxmemory-policy noeviction"));
  EXPECT_EQ(index_of(new_lines, "save 60 100"), index_of(old_lines, "save \"3600 1 300 100 60 10000\""));
  EXPECT_NE(rewritten.find("\n# Generated by CONFIG REWRITE\n"), std::string::npos);
  EXPECT_NE(rewritten.find("\nuser worker on #"), std::string::npos);

  ASSERT_EQ(from_file.Stop(), 0);
  ASSERT_TRUE(from_file.Restart()) << from_file.ReadLog();
  RespClient again;
  ASSERT_TRUE(again.Connect(from_file.port()));
  EXPECT_EQ(ConfigGet(again, "maxmemory"), "1073741824");
  EXPECT_EQ(ConfigGet(again, "maxmemory-policy"), "allkeys-lru");
  EXPECT_EQ(ConfigGet(again, "save"), "60 100");
  RespClient worker;
  ASSERT_TRUE(worker.Connect(from_file.port()));
  EXPECT_EQ(worker.Call({"AUTH", "worker", "secret"}).raw, "+OK\r\n");
  // Rewriting an unchanged configuration changes nothing.
  ASSERT_EQ(again.Call({"CONFIG", "REWRITE"}).raw, "+OK\r\n");
  EXPECT_EQ(ReadFileText(path), rewritten);
}

TEST(ConfigFile, RewriteErrorsAreRedissOwn) {
  TestProcess redis = TestProcess::StartRedis();
  ASSERT_TRUE(redis.ok()) << redis.error();
  TestProcess mini = TestProcess::StartMinired();
  ASSERT_TRUE(mini.ok()) << mini.error();
  RespClient r, m;
  ASSERT_TRUE(r.Connect(redis.port()) && m.Connect(mini.port()));
  // Started without a config file.
  EXPECT_EQ(m.Call({"CONFIG", "REWRITE"}).raw, r.Call({"CONFIG", "REWRITE"}).raw);
  EXPECT_EQ(m.Call({"CONFIG", "REWRITE", "now"}).raw, r.Call({"CONFIG", "REWRITE", "now"}).raw);
  // The same in RESP3.
  ASSERT_EQ(m.Call({"HELLO", "3"}).value.is_error(), false);
  ASSERT_EQ(r.Call({"HELLO", "3"}).value.is_error(), false);
  EXPECT_EQ(m.Call({"CONFIG", "REWRITE"}).raw, r.Call({"CONFIG", "REWRITE"}).raw);
  EXPECT_EQ(m.Call({"CONFIG", "REWRITE", "now"}).raw, r.Call({"CONFIG", "REWRITE", "now"}).raw);

  // The file's directory gone: the error the system gave.
  std::filesystem::path dir = std::filesystem::path(mini.dir()) / "etc";
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "minired.conf");
    out << "# mine\nhz 10\n";
  }
  TestProcess from_file = TestProcess::StartMiniredWithConfig((dir / "minired.conf").string());
  ASSERT_TRUE(from_file.ok()) << from_file.error();
  std::filesystem::remove_all(dir);
  RespClient c;
  ASSERT_TRUE(c.Connect(from_file.port()));
  EXPECT_EQ(c.Call({"CONFIG", "REWRITE"}).raw, "-ERR Rewriting config file: No such file or directory\r\n");
  EXPECT_EQ(c.Call({"PING"}).raw, "+PONG\r\n");
}

}  // namespace
}  // namespace minired::testing
