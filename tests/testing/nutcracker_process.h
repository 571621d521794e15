// Starts twemproxy (nutcracker, from Debian's package) for a test: redis mode, ketama
// over murmur, the given named servers, on a free loopback port; stops it and removes
// its directory when destroyed.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "tests/testing/child_process.h"

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

  bool ok() const { return child_.running(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  // Stops it, writes the configuration for `backends` and starts it again on the same
  // port (twemproxy has no live reload): what an operator does after a failover.
  bool Restart(const std::vector<Backend>& backends);

 private:
  bool Launch(const std::vector<Backend>& backends);
  void Stop();
  ChildProcess child_;  // stopped and its directory removed when the NutcrackerProcess goes
  int port_ = 0;
  std::string error_;
};

}  // namespace minired::testing
