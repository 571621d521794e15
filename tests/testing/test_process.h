// Starts a server binary (minired-server or redis-server) on a free loopback port for
// an integration test, and stops it (SIGTERM, then SIGKILL) when destroyed. Each
// instance gets its own temporary directory, removed afterwards.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "tests/testing/child_process.h"

namespace minired::testing {

// Path of the minired-server built with these tests.
std::string MiniredServerPath();
// Path of redis-server from Debian's package, or "" when it is not installed.
std::string RedisServerPath();
// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();
// A whole file ("" when it cannot be read).
std::string ReadFileText(const std::string& path);
// Runs `cmd` in a shell; its stdout and stderr together. *status: its wait status.
std::string RunShell(const std::string& cmd, int* status = nullptr);

class TestProcess {
 public:
  // Starts `binary` with `args` plus the port arguments; waits until it answers PING.
  // On failure, ok() is false and error() says why.
  static TestProcess StartMinired(std::vector<std::string> extra_args = {});
  // The same, started from `config_file` (the first argument, as an operator starts it):
  // the port, bind address, directory and threads given here override the file's.
  static TestProcess StartMiniredWithConfig(const std::string& config_file, std::vector<std::string> extra_args = {});
  static TestProcess StartRedis(std::vector<std::string> extra_args = {});
  // A minired replica of the server on `master_port`, persisting nothing.
  static TestProcess StartReplicaOf(int master_port);

  bool ok() const { return child_.running(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  pid_t pid() const { return child_.pid(); }
  const std::string& dir() const { return child_.dir(); }
  const std::string& log_path() const { return log_; }
  std::string ReadLog() const;

  // Starts the same binary again with the same arguments, port and directory (after
  // Stop or Kill9): a server restart as its clients see it.
  bool Restart();
  // The same, with `more_args` added from now on (a setting changed across a restart).
  bool Restart(std::vector<std::string> more_args);

  // Sends `sig`; returns the exit status once the process ended (or -1 on timeout).
  int Stop(int sig = 15, int timeout_ms = 10000);
  void Kill9();

 private:
  static TestProcess Start(const std::string& binary, std::vector<std::string> args, int port);
  bool Launch();
  ChildProcess child_;  // stopped and its directory removed when the TestProcess goes
  std::string binary_;
  std::vector<std::string> args_;
  int port_ = 0;
  std::string log_;
  std::string error_;
};

}  // namespace minired::testing
