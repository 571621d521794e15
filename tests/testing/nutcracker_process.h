// Starts twemproxy (nutcracker, from Debian's package) for a test: redis mode, ketama
// over murmur, the given named servers, on a free loopback port; stops it and removes
// its directory when destroyed.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace minired::testing {

// Path of nutcracker, or "" when it is not installed.
std::string NutcrackerPath();

class NutcrackerProcess {
 public:
  struct Backend {
    std::string name;  // what ketama hashes: keeps a slice in place when the address changes
    int port;
  };
  static NutcrackerProcess Start(const std::vector<Backend>& backends);

  NutcrackerProcess() = default;
  NutcrackerProcess(NutcrackerProcess&& o) noexcept;
  NutcrackerProcess& operator=(NutcrackerProcess&& o) noexcept;
  ~NutcrackerProcess();

  bool ok() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  // Stops it, writes the configuration for `backends` and starts it again on the same
  // port (twemproxy has no live reload): what an operator does after a failover.
  bool Restart(const std::vector<Backend>& backends);

 private:
  bool Launch(const std::vector<Backend>& backends);
  void Stop();
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_, error_;
};

}  // namespace minired::testing
