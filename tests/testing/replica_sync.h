// Waiting in multi-process tests: for a condition, and for a replica to have applied
// everything its master sent.
#pragma once

#include <chrono>
#include <functional>

#include "tests/testing/resp_client.h"

namespace minired::testing {

// Polls `cond` every 20 ms until it holds or `timeout` passes; its last result.
bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The replica's link is up and it has applied everything the master has sent so far
// (the master's offset settles first: a write reaches the stream a moment after its
// reply). Adds a test failure showing the replica's INFO replication when it times out.
bool CaughtUp(RespClient& master, RespClient& replica);

}  // namespace minired::testing
