#include "tests/testing/test_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/testing/resp_client.h"

namespace minired::testing {

// MINIRED_SERVER runs the tests against another build of the server (scripts/test.sh:
// the ThreadSanitizer one).
std::string MiniredServerPath() {
  const char* other = std::getenv("MINIRED_SERVER");
  return other != nullptr && *other != '\0' ? other : MINIRED_SERVER_PATH;
}

std::string RedisServerPath() {
  for (const char* p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

std::string RunShell(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  if (status != nullptr) *status = st;
  return out;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

TestProcess TestProcess::StartMinired(std::vector<std::string> extra) { return StartMiniredWithConfig("", std::move(extra)); }

TestProcess TestProcess::StartMiniredWithConfig(const std::string& config_file, std::vector<std::string> extra) {
  int port = FreePort();
  std::vector<std::string> args;
  if (!config_file.empty()) args.push_back(config_file);
  args.insert(args.end(), {"--port", std::to_string(port), "--bind", "127.0.0.1"});
  // Two I/O threads unless the test asks otherwise: the default (cores less one) is 1 on
  // a 2-core machine, and the tests must drive commands from several threads at once
  // wherever they run.
  if (std::find(extra.begin(), extra.end(), "--threads") == extra.end()) {
    args.insert(args.end(), {"--threads", "2"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  return Start(MiniredServerPath(), args, port);
}

TestProcess TestProcess::StartReplicaOf(int master_port) {
  return StartMinired({"--appendonly", "no", "--save", "", "--replicaof", "127.0.0.1", std::to_string(master_port)});
}

TestProcess TestProcess::StartRedis(std::vector<std::string> extra) {
  int port = FreePort();
  std::vector<std::string> args = {"--port", std::to_string(port), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string path = RedisServerPath();
  if (path.empty()) {
    TestProcess p;
    p.error_ = "redis-server is not installed (apt-get install redis-server)";
    return p;
  }
  return Start(path, args, port);
}

TestProcess TestProcess::Start(const std::string& binary, std::vector<std::string> args, int port) {
  TestProcess p;
  p.port_ = port;
  p.child_ = ChildProcess("minired-test");
  p.log_ = p.child_.dir() + "/server.log";
  args.push_back("--dir");
  args.push_back(p.child_.dir());
  p.binary_ = binary;
  p.args_ = std::move(args);
  p.Launch();
  return p;
}

bool TestProcess::Restart(std::vector<std::string> more_args) {
  args_.insert(args_.end(), more_args.begin(), more_args.end());
  return Restart();
}

bool TestProcess::Restart() {
  if (child_.running()) return false;
  return Launch();
}

std::string ReadFileText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool TestProcess::Launch() {
  child_.Spawn(binary_, args_, log_);
  RespClient c;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (child_.Exited()) {
      error_ = "server exited during start-up: " + ReadLog();
      return false;
    }
    if (c.Connect(port_, std::chrono::milliseconds(100))) {
      Reply r = c.Call({"PING"});
      if (r.value.type == RespValue::Type::kSimpleString) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "server did not answer PING in 15 s: " + ReadLog();
  Kill9();
  return false;
}

std::string TestProcess::ReadLog() const { return ReadFileText(log_); }

int TestProcess::Stop(int sig, int timeout_ms) { return child_.Stop(sig, timeout_ms); }

void TestProcess::Kill9() { child_.Kill9(); }

}  // namespace minired::testing
