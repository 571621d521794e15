// One child process a test starts (a server, the catalog, twemproxy) and the temporary
// directory it works in: spawned with its output appended to a log, stopped (a signal,
// then SIGKILL after a timeout) and its directory removed when the owner goes away.
// TestProcess, CatalogProcess and NutcrackerProcess each hold one.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace minired::testing {

class ChildProcess {
 public:
  ChildProcess() = default;
  // Creates a fresh directory /tmp/<prefix>-XXXXXX for the child (dir()).
  explicit ChildProcess(const std::string& dir_prefix);
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ~ChildProcess();  // Stop(SIGTERM, 5 s), SIGKILL if need be, then removes dir()

  // Starts `binary args...`, stdout and stderr appended to `log_path`. REQUIRES: none
  // is running.
  void Spawn(const std::string& binary, const std::vector<std::string>& args, const std::string& log_path);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }
  // Whether it has exited (reaped, without waiting); *status: its wait status.
  bool Exited(int* status = nullptr);
  // Sends `sig` and waits up to `timeout_ms` for it to end: its wait status, or -1 when
  // it is still running (or none was).
  int Stop(int sig, int timeout_ms);
  // Waits for it to end by itself: its wait status (-1 when none was running).
  int Wait();
  // SIGKILL, and waits for it.
  void Kill9();

 private:
  pid_t pid_ = -1;
  std::string dir_;
};

}  // namespace minired::testing
