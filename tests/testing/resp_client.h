// A small blocking RESP client for tests: sends commands (multibulk or raw bytes) and
// reads replies both as raw bytes (for byte-for-byte comparison with redis-server)
// and parsed. Not for production use: the real client library lives in client/.
#pragma once

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/reply_parser.h"
#include "protocol/resp_value.h"

namespace minired::testing {

struct Reply {
  std::string raw;   // the exact bytes of this reply
  RespValue value;
};

class RespClient {
 public:
  RespClient() = default;
  ~RespClient();
  RespClient(const RespClient&) = delete;
  RespClient& operator=(const RespClient&) = delete;

  // Connects to 127.0.0.1:port; returns false on failure.
  bool Connect(int port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void Close();
  bool connected() const { return fd_ >= 0; }

  bool SendRaw(std::string_view bytes);
  bool Send(const std::vector<std::string>& args);
  // Reads one reply; on timeout or a closed connection returns false.
  bool Read(Reply* out, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Send + Read; an empty Reply (raw == "") means the connection failed.
  Reply Call(const std::vector<std::string>& args);
  // True once the server closed the connection (reads return EOF).
  bool WaitClosed(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  int fd_ = -1;
  ReplyParser parser_;
  std::string stream_;   // every byte received, for slicing raw replies
  size_t consumed_ = 0;  // bytes of stream_ already returned as replies
};

// A numeric field of INFO <section>; -1 when absent.
int64_t InfoField(RespClient& c, const std::string& section, const std::string& field);
// A field of INFO <section> as text; "" when absent.
std::string InfoString(RespClient& c, const std::string& section, const std::string& field);
// Expects the server to count one client, `c` itself, in INFO's connected_clients and in
// CLIENT LIST: a connection that ended elsewhere left nothing behind (a leftover would
// count against maxclients).
void ExpectOnlyThisClientConnected(RespClient& c);

}  // namespace minired::testing
