// Connection against a scripted in-process server: replies split at every byte,
// garbage, silence. (Real servers are in tests/integration/client_library_test.cc.)
#include "minired/connection.h"

#include <gtest/gtest.h>

#include <asio/read.hpp>
#include <asio/use_future.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <functional>
#include <thread>

#include "minired/sync_client.h"
#include "protocol/reply_parser.h"
#include "tests/testing/reply_samples.h"

namespace minired::client {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

// Accepts one connection and runs `script` on its socket, on its own thread. Only that
// thread touches the acceptor once it runs (closing it from the test's thread while
// accept reads it was a data race ThreadSanitizer reported): the destructor ends an
// accept no client satisfied by connecting to it, then joins.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::function<void(tcp::socket&)> script)
      : acceptor_(ctx_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        port_(acceptor_.local_endpoint().port()) {
    thread_ = std::thread([this, script = std::move(script)] {
      tcp::socket s(ctx_);
      std::error_code ec, ignored;
      acceptor_.accept(s, ec);
      accepted_.store(true);
      acceptor_.close(ignored);
      if (!ec) script(s);
    });
  }
  ~ScriptedServer() {
    if (!accepted_.load()) {
      asio::io_context poke_ctx;
      tcp::socket poke(poke_ctx);
      std::error_code ec;
      poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    }
    thread_.join();
  }
  Options options() const {
    Options o;
    o.port = port_;
    o.reconnect = false;
    return o;
  }

 private:
  asio::io_context ctx_;
  tcp::acceptor acceptor_;
  const uint16_t port_;
  std::atomic<bool> accepted_{false};
  std::thread thread_;
};

TEST(Connection, RepliesSplitAtEveryByteArriveWhole) {
  const std::string wire = testing::EveryReplyTypeWire();
  std::vector<RespValue> expected;
  {
    ReplyParser p;
    p.Feed(wire);
    RespValue v;
    while (p.Next(&v) == ReplyParser::Result::kOk) expected.push_back(v);
  }
  const size_t n = expected.size();
  Pipeline pipeline;
  for (size_t i = 0; i < n; ++i) pipeline.add("PING");

  ScriptedServer server([&](tcp::socket& s) {
    std::string request(pipeline.bytes().size(), '\0');
    for (size_t cut = 0; cut <= wire.size(); ++cut) {
      std::error_code ec;
      asio::read(s, asio::buffer(request), ec);
      if (ec) return;
      asio::write(s, asio::buffer(wire.data(), cut), ec);
      std::this_thread::sleep_for(1ms);  // let the client read the first piece alone
      asio::write(s, asio::buffer(wire.data() + cut, wire.size() - cut), ec);
    }
  });
  auto c = SyncClient::Connect(server.options());
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    auto replies = (*c)->pipeline(pipeline);
    ASSERT_TRUE(replies.ok()) << "cut " << cut << ": " << replies.error().ToString();
    ASSERT_EQ(*replies, expected) << "cut " << cut;
  }
}

TEST(Connection, GarbageFromTheServerIsAProtocolError) {
  ScriptedServer server([](tcp::socket& s) {
    char buf[64];
    std::error_code ec;
    s.read_some(asio::buffer(buf), ec);
    asio::write(s, asio::buffer(std::string("?what\r\n")), ec);
    std::this_thread::sleep_for(100ms);
  });
  auto c = SyncClient::Connect(server.options());
  ASSERT_TRUE(c.ok());
  auto r = (*c)->command("PING");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kProtocol) << r.error().ToString();
}

TEST(Connection, SilentServerTimesOutAndUnexpectedRepliesAreRejected) {
  ScriptedServer server([](tcp::socket& s) {
    char buf[64];
    std::error_code ec;
    s.read_some(asio::buffer(buf), ec);   // the PING: never answered in time
    std::this_thread::sleep_for(300ms);
    asio::write(s, asio::buffer(std::string("+PONG\r\n+EXTRA\r\n")), ec);
    std::this_thread::sleep_for(200ms);
  });
  Options o = server.options();
  o.command_timeout = 100ms;
  auto c = SyncClient::Connect(o);
  ASSERT_TRUE(c.ok());
  auto r = (*c)->command("PING");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kTimeout);
  // The late +PONG is dropped; +EXTRA answers nothing, so the connection is dropped.
  std::this_thread::sleep_for(350ms);
  EXPECT_NE((*c)->connection().state(), Connection::State::kReady);
}

TEST(Connection, ClosedConnectionFailsCallsWithClosed) {
  ScriptedServer server([](tcp::socket& s) { std::this_thread::sleep_for(100ms); });
  auto c = SyncClient::Connect(server.options());
  ASSERT_TRUE(c.ok());
  (*c)->connection().Close();
  auto r = (*c)->command("PING");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::kClosed);
}

}  // namespace
}  // namespace minired::client
