// Starts minired-catalog for a test on a free port with its own temporary database
// (seeded first when asked), waits until /healthz answers, and stops it (SIGTERM,
// then SIGKILL) when destroyed.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "tests/testing/child_process.h"

namespace minired::testing {

std::string CatalogPath();

class CatalogProcess {
 public:
  // Seeds `products` products (0: none), then serves with `args` (--db and --port are
  // added). On failure ok() is false and error() says why.
  static CatalogProcess Start(int64_t products, std::vector<std::string> args);

  bool ok() const { return child_.running(); }
  const std::string& error() const { return error_; }
  int port() const { return port_; }
  const std::string& db_path() const { return db_; }
  std::string ReadLog() const;
  // SIGTERM and wait; the exit status, or -1 after a timeout.
  int Stop();

 private:
  ChildProcess child_;  // stopped and its directory removed when the CatalogProcess goes
  int port_ = 0;
  std::string db_, log_, error_;
};

// Runs minired-catalog with `args` to completion; its exit status and output.
int RunCatalog(const std::vector<std::string>& args, std::string* output);

}  // namespace minired::testing
