// The queued read on asio's reactor (server/net/queued_read.h): when the reader's attempt
// runs, what a completion carries, and what closing the socket does to a queued read.
#include "server/net/queued_read.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace minired {
namespace {

using Attempt = QueuedRead::Attempt;
using namespace std::chrono_literals;

// A connected pair on loopback: `server` is the ClientSocket under test, `peer` writes.
struct SocketPair {
  asio::io_context ctx{1};
  asio::ip::tcp::socket peer{ctx};
  std::unique_ptr<ClientSocket> server;

  SocketPair() {
    asio::ip::tcp::acceptor acceptor(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    peer.connect(acceptor.local_endpoint());
    server = std::make_unique<ClientSocket>(acceptor.accept(ctx));
    server->non_blocking(true);
  }
  void Send(const std::string& bytes) { asio::write(peer, asio::buffer(bytes)); }
  // Runs handlers (and the reactor) for a while.
  void Run(std::chrono::milliseconds d = 50ms) {
    ctx.restart();
    ctx.run_for(d);
  }
};

// A reader that reads into a small buffer, counting attempts and completions.
struct Reader : std::enable_shared_from_this<Reader> {
  SocketPair& pair;
  size_t space;
  std::string got;
  int attempts = 0;
  int completions = 0;
  std::error_code last_ec;
  QueuedRead op{[this](std::error_code& ec) { return Try(ec); },
                [this](const std::error_code& ec) {
                  ++completions;
                  last_ec = ec;
                  if (on_done) on_done(ec);
                }};
  std::function<void(const std::error_code&)> on_done;

  Reader(SocketPair& p, size_t s) : pair(p), space(s) {}
  Attempt Try(std::error_code& ec) {
    ++attempts;
    std::string buf(space, '\0');
    size_t n = pair.server->read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block) {
      ec.clear();
      return Attempt::kNothing;
    }
    if (ec) return Attempt::kDrained;
    got.append(buf, 0, n);
    return n == space ? Attempt::kMaybeMore : Attempt::kDrained;
  }
  void Queue() { pair.server->QueueRead(op, shared_from_this()); }
};

TEST(QueuedRead, WaitsForBytesThenCompletesWithThem) {
  SocketPair pair;
  auto reader = std::make_shared<Reader>(pair, 1024);
  reader->Queue();  // nothing there yet: one attempt finds nothing
  pair.Run(20ms);
  EXPECT_EQ(reader->completions, 0);
  pair.Send("PING\r\n");
  pair.Run();
  EXPECT_EQ(reader->completions, 1);
  EXPECT_FALSE(reader->last_ec);
  EXPECT_EQ(reader->got, "PING\r\n");
}

TEST(QueuedRead, AfterADrainingReadTheNextWaitsForEpollWithoutAnAttempt) {
  SocketPair pair;
  auto reader = std::make_shared<Reader>(pair, 1024);
  pair.Send("GET a\r\n");
  pair.Run(20ms);  // the bytes are there before the read is queued
  reader->Queue();
  pair.Run();
  ASSERT_EQ(reader->completions, 1);
  int attempts = reader->attempts;
  // The short read drained the socket: queuing again costs no attempt (no recv)...
  reader->Queue();
  EXPECT_EQ(reader->attempts, attempts);
  pair.Run(20ms);
  EXPECT_EQ(reader->attempts, attempts);
  EXPECT_EQ(reader->completions, 1);
  // ...and new bytes are still seen, through the edge epoll reports.
  pair.Send("GET b\r\n");
  pair.Run();
  EXPECT_EQ(reader->completions, 2);
  EXPECT_EQ(reader->got, "GET a\r\nGET b\r\n");
}

TEST(QueuedRead, AFullReadLeavesTheNextToTryAtOnce) {
  SocketPair pair;
  auto reader = std::make_shared<Reader>(pair, 4);
  pair.Send("0123456789");
  pair.Run(20ms);
  reader->Queue();
  pair.Run();
  ASSERT_EQ(reader->completions, 1);
  EXPECT_EQ(reader->got, "0123");
  // Bytes may remain and no new edge will come: the next queued read must try now.
  reader->Queue();
  pair.Run();
  reader->Queue();
  pair.Run();
  EXPECT_EQ(reader->got, "0123456789");
  EXPECT_EQ(reader->completions, 3);
}

TEST(QueuedRead, EndOfStreamCompletesWithEof) {
  SocketPair pair;
  auto reader = std::make_shared<Reader>(pair, 1024);
  reader->Queue();
  pair.Run(20ms);
  pair.peer.close();
  pair.Run();
  EXPECT_EQ(reader->completions, 1);
  EXPECT_EQ(reader->last_ec, asio::error::eof);
}

TEST(QueuedRead, ClosingTheSocketAbortsTheQueuedReadAndReleasesItsOwner) {
  SocketPair pair;
  auto reader = std::make_shared<Reader>(pair, 1024);
  std::weak_ptr<Reader> weak = reader;
  auto aborted = std::make_shared<bool>(false);
  reader->on_done = [aborted](const std::error_code& ec) { *aborted = ec == asio::error::operation_aborted; };
  reader->Queue();
  pair.Run(20ms);
  reader.reset();  // only the queued read holds it now
  ASSERT_FALSE(weak.expired());
  pair.server->close();
  pair.Run();
  EXPECT_TRUE(*aborted);
  EXPECT_TRUE(weak.expired());
}

TEST(QueuedRead, DestroyingTheContextWithAReadQueuedReleasesItsOwner) {
  std::weak_ptr<Reader> weak;
  {
    SocketPair pair;
    auto reader = std::make_shared<Reader>(pair, 1024);
    weak = reader;
    reader->Queue();
    pair.Run(20ms);
    reader.reset();
    pair.server.reset();  // the socket closes; the abort is posted but never run
    ASSERT_FALSE(weak.expired());
  }
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace minired
