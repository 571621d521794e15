#include "tests/testing/resp_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "protocol/command_encoder.h"

namespace minired::testing {

RespClient::~RespClient() { Close(); }

void RespClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  parser_.Reset();
  stream_.clear();
  consumed_ = 0;
}

bool RespClient::Connect(int port, std::chrono::milliseconds timeout) {
  Close();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      fd_ = fd;
      return true;
    }
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool RespClient::SendRaw(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool RespClient::Send(const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  std::string wire;
  EncodeCommand(views, &wire);
  return SendRaw(wire);
}

bool RespClient::Read(Reply* out, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    RespValue v;
    auto r = parser_.Next(&v);
    if (r == ReplyParser::Result::kOk) {
      size_t end = stream_.size() - parser_.buffered();
      out->raw = stream_.substr(consumed_, end - consumed_);
      out->value = std::move(v);
      consumed_ = end;
      return true;
    }
    if (r == ReplyParser::Result::kError) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    stream_.append(buf, static_cast<size_t>(n));
    parser_.Feed(std::string_view(buf, static_cast<size_t>(n)));
  }
}

Reply RespClient::Call(const std::vector<std::string>& args) {
  Reply r;
  if (!Send(args) || !Read(&r)) return Reply{};
  return r;
}

bool RespClient::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) > 0) {
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return true;
    }
  }
  return false;
}

int64_t InfoField(RespClient& c, const std::string& section, const std::string& field) {
  std::string info = c.Call({"INFO", section}).value.str;
  size_t at = info.find("\n" + field + ":");
  if (at == std::string::npos) return -1;
  return std::stoll(info.substr(at + field.size() + 2));
}

std::string InfoString(RespClient& c, const std::string& section, const std::string& field) {
  std::string text = c.Call({"INFO", section}).value.str;
  size_t at = text.find("\n" + field + ":");
  if (at == std::string::npos) at = text.find(field + ":") == 0 ? 0 : std::string::npos;
  if (at == std::string::npos) return "";
  at = text.find(':', at) + 1;
  return text.substr(at, text.find('\r', at) - at);
}

void ExpectOnlyThisClientConnected(RespClient& c) {
  EXPECT_EQ(InfoField(c, "clients", "connected_clients"), 1);
  std::string list = c.Call({"CLIENT", "LIST"}).value.str;
  EXPECT_EQ(std::count(list.begin(), list.end(), '\n'), 1) << list;
}

}  // namespace minired::testing
