#include "tests/testing/catalog_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "tests/testing/http_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
std::string CatalogPath() { return MINIRED_CATALOG_PATH; }

int RunCatalog(const std::vector<std::string>& args, std::string* output) {
  char tmpl[] = "/tmp/minired-catalog-run-XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  pid_t pid = SpawnLogged(CatalogPath(), args, tmpl);
  int status = 0;
  waitpid(pid, &status, 0);
  if (output) *output = ReadFileText(tmpl);
  unlink(tmpl);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

CatalogProcess CatalogProcess::Start(int64_t products, std::vector<std::string> args) {
  CatalogProcess p;
  char tmpl[] = "/tmp/minired-catalog-test-XXXXXX";
  p.dir_ = mkdtemp(tmpl);
  p.db_ = p.dir_ + "/catalog.sqlite";
  p.log_ = p.dir_ + "/catalog.log";
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
  p.pid_ = SpawnLogged(CatalogPath(), args, p.log_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    if (waitpid(p.pid_, &status, WNOHANG) == p.pid_) {
      p.pid_ = -1;
      p.error_ = "minired-catalog exited during start-up: " + p.ReadLog();
      return p;
    }
    HttpClient c(p.port_);
    if (c.Get("/healthz").status == 200) return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  p.error_ = "minired-catalog did not answer /healthz in 15 s: " + p.ReadLog();
  kill(p.pid_, SIGKILL);
  waitpid(p.pid_, nullptr, 0);
  p.pid_ = -1;
  return p;
}

CatalogProcess::CatalogProcess(CatalogProcess&& o) noexcept { *this = std::move(o); }

CatalogProcess& CatalogProcess::operator=(CatalogProcess&& o) noexcept {
  std::swap(pid_, o.pid_);
  std::swap(port_, o.port_);
  std::swap(dir_, o.dir_);
  std::swap(db_, o.db_);
  std::swap(log_, o.log_);
  std::swap(error_, o.error_);
  return *this;
}

CatalogProcess::~CatalogProcess() {
  Stop();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

std::string CatalogProcess::ReadLog() const { return ReadFileText(log_); }

int CatalogProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return -1;
}

}  // namespace minired::testing
