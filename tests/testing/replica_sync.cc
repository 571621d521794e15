#include "tests/testing/replica_sync.h"

#include <gtest/gtest.h>

#include <thread>

namespace minired::testing {

using namespace std::chrono_literals;

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

bool CaughtUp(RespClient& master, RespClient& replica) {
  int64_t target = InfoField(master, "replication", "master_repl_offset");
  while (true) {
    std::this_thread::sleep_for(50ms);
    int64_t now = InfoField(master, "replication", "master_repl_offset");
    if (now == target) break;
    target = now;
  }
  bool ok = WaitFor([&] {
    return InfoString(replica, "replication", "master_link_status") == "up" &&
           InfoField(replica, "replication", "slave_repl_offset") >= target;
  });
  if (!ok) {
    ADD_FAILURE() << "master offset " << target << "; replica:\n" << replica.Call({"INFO", "replication"}).value.str;
  }
  return ok;
}

}  // namespace minired::testing
