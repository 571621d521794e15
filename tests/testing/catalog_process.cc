#include "tests/testing/catalog_process.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "tests/testing/http_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
std::string CatalogPath() { return MINIRED_CATALOG_PATH; }

int RunCatalog(const std::vector<std::string>& args, std::string* output) {
  ChildProcess run("minired-catalog-run");
  const std::string log = run.dir() + "/output.log";
  run.Spawn(CatalogPath(), args, log);
  int status = run.Wait();
  if (output) *output = ReadFileText(log);
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

CatalogProcess CatalogProcess::Start(int64_t products, std::vector<std::string> args) {
  CatalogProcess p;
  p.child_ = ChildProcess("minired-catalog-test");
  p.db_ = p.child_.dir() + "/catalog.sqlite";
  p.log_ = p.child_.dir() + "/catalog.log";
  if (products > 0) {
    std::string out;
    if (RunCatalog({"seed", "--db", p.db_, "--products", std::to_string(products), "--no-progress"}, &out) != 0) {
      p.error_ = "seed failed: " + out;
      return p;
    }
  }
  p.port_ = FreePort();
  if (std::find(args.begin(), args.end(), "--db") == args.end()) args.insert(args.end(), {"--db", p.db_});
  args.insert(args.end(), {"--port", std::to_string(p.port_)});
  p.child_.Spawn(CatalogPath(), args, p.log_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (p.child_.Exited()) {
      p.error_ = "minired-catalog exited during start-up: " + p.ReadLog();
      return p;
    }
    HttpClient c(p.port_);
    if (c.Get("/healthz").status == 200) return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  p.error_ = "minired-catalog did not answer /healthz in 15 s: " + p.ReadLog();
  p.child_.Kill9();
  return p;
}

std::string CatalogProcess::ReadLog() const { return ReadFileText(log_); }

int CatalogProcess::Stop() {
  int status = child_.Stop(SIGTERM, 10000);
  child_.Kill9();
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace minired::testing
