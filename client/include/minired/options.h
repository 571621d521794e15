// Where and how a client connects. Parsed from "host:port" or a redis:// URL.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "minired/error.h"

namespace minired::client {

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string user;       // empty: the default user (AUTH <password>)
  std::string password;   // empty: no AUTH
  int db = 0;             // SELECT on connect when not 0
  int resp = 2;           // 2 or 3; 3 sends HELLO 3 on connect
  std::string client_name;

  std::chrono::milliseconds connect_timeout{2000};
  // Per command, from when it is queued on a connected socket to its reply; 0
  // disables. (Waiting for a connect is bounded by connect_timeout.) A command that times out
  // completes with kTimeout and its late reply is discarded.
  std::chrono::milliseconds command_timeout{5000};
  // Reconnect after a lost connection, waiting reconnect_min, doubling up to
  // reconnect_max between attempts. Calls made while disconnected fail at once.
  bool reconnect = true;
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{2000};
  // Largest bulk reply accepted, a guard against a broken or hostile server.
  size_t max_bulk_len = 512u << 20;

  std::string address() const;  // "host:port"
};

// "host:port", "host", ":port", or "redis://[[user]:password@]host[:port][/db]"
// (also "rediss" is refused: TLS is not built in). Missing parts keep `base`'s values.
Result<Options> ParseOptions(std::string_view spec, Options base = {});

}  // namespace minired::client
