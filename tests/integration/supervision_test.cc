// Running under a service manager: `supervised systemd` tells systemd through
// $NOTIFY_SOCKET that the server is ready once it listens and has loaded its data set,
// and that it is stopping; without systemd, `daemonize` and `pidfile` still work. The
// test plays systemd's part with a datagram socket of its own.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

using namespace std::chrono_literals;

// The notify socket as systemd opens it for a unit of Type=notify, set in the
// environment the next server started inherits.
class FakeSystemd {
 public:
  FakeSystemd() {
    dir_ = std::filesystem::temp_directory_path() / ("minired-notify-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "notify").string();
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~FakeSystemd() {
    unsetenv("NOTIFY_SOCKET");
    close(fd_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  bool bound() const { return bound_; }
  // The next message, "" after `timeout` without one.
  std::string Next(std::chrono::milliseconds timeout = 20s) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

 private:
  std::filesystem::path dir_;
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST(Supervision, SystemdHearsReadyThenStopping) {
  FakeSystemd systemd;
  ASSERT_TRUE(systemd.bound());
  TestProcess server = TestProcess::StartMinired({"--supervised", "systemd"});
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_EQ(systemd.Next(), "STATUS=Ready to accept connections\n");
  EXPECT_EQ(systemd.Next(), "READY=1\n");
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  EXPECT_EQ(InfoString(c, "server", "process_supervised"), "systemd");
  EXPECT_EQ(c.Call({"CONFIG", "GET", "supervised"}).raw, "*2\r\n$10\r\nsupervised\r\n$7\r\nsystemd\r\n");
  c.Send({"SHUTDOWN", "NOSAVE"});
  EXPECT_EQ(systemd.Next(), "STOPPING=1\n");
  EXPECT_EQ(systemd.Next(200ms), "");  // nothing more
}

TEST(Supervision, ReadyComesOnlyOnceTheDataSetIsLoaded) {
  // The listeners open before loading (clients get -LOADING meanwhile): READY=1 must wait
  // for the data, or `systemctl start` would return while the server refuses commands.
  // `auto`: unsupervised at first (no socket yet), under systemd after the restart.
  TestProcess server = TestProcess::StartMinired({"--supervised", "auto"});
  ASSERT_TRUE(server.ok()) << server.error();
  {
    RespClient c;
    ASSERT_TRUE(c.Connect(server.port()));
    // 500,000 keys of 100 bytes: loading them takes a while, even on a fast machine.
    const std::string value(100, 'v');
    for (int batch = 0; batch < 50; ++batch) {
      for (int m = 0; m < 100; ++m) {
        std::vector<std::string> mset = {"MSET"};
        for (int k = 0; k < 100; ++k) {
          mset.push_back("key:" + std::to_string((batch * 100 + m) * 100 + k));
          mset.push_back(value);
        }
        c.Send(mset);
      }
      Reply r;
      for (int m = 0; m < 100; ++m) ASSERT_TRUE(c.Read(&r));
    }
    ASSERT_EQ(c.Call({"SAVE"}).raw, "+OK\r\n");
  }
  ASSERT_EQ(server.Stop(), 0);
  FakeSystemd systemd;
  ASSERT_TRUE(systemd.bound());
  std::thread restart([&] { server.Restart(); });
  std::string status = systemd.Next(60s);
  std::string ready = systemd.Next(60s);
  RespClient c;
  bool connected = c.Connect(server.port());
  std::string loading = connected ? InfoString(c, "persistence", "loading") : "";
  std::string keys = connected ? c.Call({"DBSIZE"}).raw : "";
  restart.join();
  EXPECT_EQ(status, "STATUS=Ready to accept connections\n");
  EXPECT_EQ(ready, "READY=1\n");
  EXPECT_EQ(loading, "0");
  EXPECT_EQ(keys, ":500000\r\n");
}

// The packaged unit's ExecStart line, run as systemd would run it (where the test machine
// has no systemd): its binary and config file mapped to this build and this checkout.
TEST(Supervision, ThePackagedUnitsExecStartReportsReady) {
  std::string unit = ReadFileText(std::string(MINIRED_SOURCE_DIR) + "/packaging/minired.service");
  ASSERT_NE(unit.find("Type=notify"), std::string::npos);
  size_t at = unit.find("\nExecStart=");
  ASSERT_NE(at, std::string::npos);
  std::string line = unit.substr(at + 11, unit.find('\n', at + 1) - at - 11);
  std::vector<std::string> argv;
  for (size_t i = 0; i < line.size();) {
    size_t end = line.find(' ', i);
    if (end == std::string::npos) end = line.size();
    if (end > i) argv.push_back(line.substr(i, end - i));
    i = end + 1;
  }
  ASSERT_GE(argv.size(), 3u);
  EXPECT_EQ(argv[0], "/usr/bin/minired-server");
  EXPECT_EQ(argv[1], "/etc/minired/minired.conf");
  FakeSystemd systemd;
  ASSERT_TRUE(systemd.bound());
  TestProcess server = TestProcess::StartMiniredWithConfig(std::string(MINIRED_SOURCE_DIR) + "/minired.conf",
                                                           std::vector<std::string>(argv.begin() + 2, argv.end()));
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_EQ(systemd.Next(), "STATUS=Ready to accept connections\n");
  EXPECT_EQ(systemd.Next(), "READY=1\n");
}

TEST(Supervision, AReplicaSaysItWaitsForItsMaster) {
  TestProcess master = TestProcess::StartMinired();
  ASSERT_TRUE(master.ok()) << master.error();
  FakeSystemd systemd;
  ASSERT_TRUE(systemd.bound());
  TestProcess replica =
      TestProcess::StartMinired({"--supervised", "auto", "--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(replica.ok()) << replica.error();
  EXPECT_EQ(systemd.Next(),
            "STATUS=Ready to accept connections in read-only mode. Waiting for MASTER <-> REPLICA sync\n");
  EXPECT_EQ(systemd.Next(), "READY=1\n");
}

TEST(Supervision, WithoutANotifySocketNothingIsSupervised) {
  unsetenv("NOTIFY_SOCKET");
  TestProcess server = TestProcess::StartMinired({"--supervised", "auto"});
  ASSERT_TRUE(server.ok()) << server.error();
  RespClient c;
  ASSERT_TRUE(c.Connect(server.port()));
  EXPECT_EQ(InfoString(c, "server", "process_supervised"), "no");
  TestProcess asked = TestProcess::StartMinired({"--supervised", "systemd"});
  ASSERT_TRUE(asked.ok()) << asked.error();
  EXPECT_NE(asked.ReadLog().find("systemd supervision requested or auto-detected, but no socket specified"),
            std::string::npos);
  EXPECT_EQ(c.Call({"CONFIG", "SET", "supervised", "systemd"}).raw,
            "-ERR CONFIG SET failed (possibly related to argument 'supervised') - can't set immutable config\r\n");
  int status = 0;
  std::string out = RunShell(MiniredServerPath() + " --supervised sometimes --port 0", &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("argument(s) must be one of the following: upstart, systemd, auto, no"), std::string::npos)
      << out;
}

TEST(Supervision, DaemonizeWritesThePidFileAndRemovesItOnExit) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("minired-daemon-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string pidfile = (dir / "minired.pid").string();
  const int port = FreePort();
  int status = 0;
  RunShell(MiniredServerPath() + " --daemonize yes --port " + std::to_string(port) + " --dir " + dir.string() +
               " --pidfile " + pidfile + " --logfile " + (dir / "minired.log").string() + " --appendonly no",
           &status);
  EXPECT_EQ(status, 0);  // the parent returns at once, the daemon goes on
  RespClient c;
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    up = c.Connect(port, 100ms) && c.Call({"PING"}).raw == "+PONG\r\n";
    if (!up) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(up);
  std::string pid_text = ReadFileText(pidfile);
  pid_t pid = pid_text.empty() ? 0 : static_cast<pid_t>(std::stol(pid_text));
  EXPECT_GT(pid, 0);
  EXPECT_EQ(InfoField(c, "server", "process_id"), pid);
  if (pid > 0) kill(pid, SIGTERM);
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = !std::filesystem::exists(pidfile) && kill(pid, 0) != 0;
    if (!gone) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(gone);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace minired::testing
