#include "tests/testing/nutcracker_process.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {

std::string NutcrackerPath() {
  for (const char* p : {"/usr/sbin/nutcracker", "/usr/bin/nutcracker", "/usr/local/sbin/nutcracker"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

NutcrackerProcess NutcrackerProcess::Start(const std::vector<Backend>& backends) {
  NutcrackerProcess p;
  if (NutcrackerPath().empty()) {
    p.error_ = "nutcracker is not installed (apt-get install nutcracker)";
    return p;
  }
  p.child_ = ChildProcess("minired-nutcracker");
  p.port_ = FreePort();
  p.Launch(backends);
  return p;
}

bool NutcrackerProcess::Launch(const std::vector<Backend>& backends) {
  const std::string config = child_.dir() + "/nutcracker.yml";
  {
    std::ofstream f(config);
    f << "test:\n  listen: 127.0.0.1:" << port_
      << "\n  hash: murmur\n  distribution: ketama\n  redis: true\n  auto_eject_hosts: false\n"
         "  timeout: 400\n  server_connections: 1\n  servers:\n";
    for (const Backend& b : backends) f << "    - 127.0.0.1:" << b.port << ":1 " << b.name << "\n";
  }
  const std::string log = child_.dir() + "/nutcracker.log";
  child_.Spawn(NutcrackerPath(), {"-c", config, "-s", std::to_string(FreePort()), "-o", log}, log);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (child_.Exited()) {
      error_ = "nutcracker exited during start-up: " + ReadFileText(log);
      return false;
    }
    RespClient c;  // twemproxy answers PING itself once it listens
    if (c.Connect(port_, std::chrono::milliseconds(100)) && c.Call({"PING"}).raw == "+PONG\r\n") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "nutcracker did not answer PING in 10 s: " + ReadFileText(log);
  Stop();
  return false;
}

bool NutcrackerProcess::Restart(const std::vector<Backend>& backends) {
  Stop();
  return Launch(backends);
}

void NutcrackerProcess::Stop() {
  if (child_.Stop(SIGTERM, 10000) < 0) child_.Kill9();
}

}  // namespace minired::testing
