#include "tests/testing/test_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
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

TestProcess TestProcess::StartMinired(std::vector<std::string> extra) {
  int port = FreePort();
  std::vector<std::string> args = {"--port", std::to_string(port), "--bind", "127.0.0.1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return Start(MiniredServerPath(), args, port);
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
  char tmpl[] = "/tmp/minired-test-XXXXXX";
  p.dir_ = mkdtemp(tmpl);
  p.log_ = p.dir_ + "/server.log";
  args.push_back("--dir");
  args.push_back(p.dir_);
  p.binary_ = binary;
  p.args_ = std::move(args);
  p.Launch();
  return p;
}

bool TestProcess::Restart() {
  if (pid_ > 0) return false;
  return Launch();
}

pid_t SpawnLogged(const std::string& binary, const std::vector<std::string>& args, const std::string& log_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

std::string ReadFileText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool TestProcess::Launch() {
  pid_t pid = SpawnLogged(binary_, args_, log_);
  pid_ = pid;
  RespClient c;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid_ = -1;
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

TestProcess::TestProcess(TestProcess&& o) noexcept { *this = std::move(o); }

TestProcess& TestProcess::operator=(TestProcess&& o) noexcept {
  std::swap(pid_, o.pid_);
  std::swap(port_, o.port_);
  std::swap(dir_, o.dir_);
  std::swap(log_, o.log_);
  std::swap(error_, o.error_);
  std::swap(binary_, o.binary_);
  std::swap(args_, o.args_);
  return *this;
}

TestProcess::~TestProcess() {
  if (pid_ > 0) Stop(SIGTERM, 5000);
  if (pid_ > 0) Kill9();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string TestProcess::ReadLog() const { return ReadFileText(log_); }

int TestProcess::Stop(int sig, int timeout_ms) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

void TestProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace minired::testing
