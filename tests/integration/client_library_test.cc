// The C++ client library against a real minired-server and a real redis-server: every
// test runs against both, and both must pass.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <future>
#include <thread>

#include "minired/commands.h"
#include "minired/near_cache.h"
#include "minired/pool.h"
#include "minired/subscriber.h"
#include "minired/sync_client.h"
#include "tests/testing/test_process.h"

namespace minired::client {
namespace {

using testing::TestProcess;
using namespace std::chrono_literals;

class ClientLibraryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = GetParam() == "minired" ? TestProcess::StartMinired()
                                      : TestProcess::StartRedis({"--enable-debug-command", "local"});
    if (!server_.ok() && GetParam() == "redis" && testing::RedisServerPath().empty()) {
      GTEST_SKIP() << server_.error();
    }
    ASSERT_TRUE(server_.ok()) << server_.error();
  }

  Options Opts(int resp = 2) const {
    Options o;
    o.port = static_cast<uint16_t>(server_.port());
    o.resp = resp;
    return o;
  }

  std::unique_ptr<SyncClient> Connect(Options o) {
    auto c = SyncClient::Connect(std::move(o));
    EXPECT_TRUE(c.ok()) << c.error().ToString();
    return c ? std::move(c).value() : nullptr;
  }

  TestProcess server_;
};

TEST_P(ClientLibraryTest, RoundTripsEveryReplyTypeInBothProtocols) {
  for (int resp : {2, 3}) {
    auto c = Connect(Opts(resp));
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->exec(cmd::flushdb()).ok());
    EXPECT_EQ(c->command("PING")->str, "PONG");                        // simple string
    EXPECT_EQ(c->command("ECHO", "a\r\nb")->str, "a\r\nb");            // bulk, binary-safe
    EXPECT_EQ(c->command("INCRBY", "n", -7)->integer, -7);             // integer
    EXPECT_TRUE(c->command("GET", "missing")->is_null());              // null
    auto err = c->command("LPUSH", "n", "x");                          // error
    ASSERT_FALSE(err.ok());
    EXPECT_TRUE(err.error().is_server());
    EXPECT_EQ(err.error().code(), "WRONGTYPE");
    ASSERT_TRUE(c->exec(cmd::hset("h", {{"f1", "v1"}, {"f2", "v2"}})).ok());
    auto map = c->command("HGETALL", "h");
    ASSERT_TRUE(map.ok());
    EXPECT_EQ(map->type, resp == 3 ? Reply::Type::kMap : Reply::Type::kArray);
    ASSERT_TRUE(c->command("SADD", "s", "a").ok());
    EXPECT_EQ(c->command("SMEMBERS", "s")->type, resp == 3 ? Reply::Type::kSet : Reply::Type::kArray);
    ASSERT_TRUE(c->exec(cmd::zadd("z", 1.5, "m")).ok());
    auto score = c->command("ZSCORE", "z", "m");
    EXPECT_EQ(score->type, resp == 3 ? Reply::Type::kDouble : Reply::Type::kBulkString);
    auto nested = c->command("ZRANGE", "z", 0, -1, "WITHSCORES");       // nested in RESP3
    ASSERT_TRUE(nested.ok());
    EXPECT_EQ(nested->elems.size(), resp == 3 ? 1u : 2u);
    EXPECT_TRUE(c->command("LRANGE", "nolist", 0, -1)->elems.empty());  // empty array

    // Typed helpers accept both protocols' shapes.
    EXPECT_EQ(*c->exec(cmd::zscore("z", "m")), std::optional<double>(1.5));
    auto pairs = c->exec(cmd::hgetall("h"));
    ASSERT_TRUE(pairs.ok());
    EXPECT_EQ(pairs->size(), 2u);
    auto with_scores = c->exec(cmd::zrange_withscores("z", 0, -1));
    ASSERT_TRUE(with_scores.ok());
    EXPECT_EQ(*with_scores, (cmd::ScoredMembers{{"m", 1.5}}));
  }
}

TEST_P(ClientLibraryTest, TypedHelpersForTheCatalogCommands) {
  auto c = Connect(Opts());
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->exec(cmd::set("k", "v")).ok());
  EXPECT_EQ(*c->exec(cmd::get("k")), std::optional<std::string>("v"));
  EXPECT_FALSE(*c->exec(cmd::set("k", "w", {.nx = true})));
  EXPECT_TRUE(*c->exec(cmd::set("t", "x", {.ttl = 10s, .nx = true})));
  int64_t pttl = *c->exec(cmd::pttl("t"));
  EXPECT_GT(pttl, 9000);
  EXPECT_LE(pttl, 10000);
  EXPECT_EQ(*c->exec(cmd::incr("n")), 1);
  EXPECT_EQ(*c->exec(cmd::incrby("n", 41)), 42);
  EXPECT_EQ(*c->exec(cmd::decr("n")), 41);
  EXPECT_DOUBLE_EQ(*c->exec(cmd::incrbyfloat("f", 2.5)), 2.5);
  EXPECT_TRUE(c->exec(cmd::mset({{"a", "1"}, {"b", "2"}})).ok());
  std::vector<std::string> keys = {"a", "missing", "b"};
  EXPECT_EQ(*c->exec(cmd::mget(keys)),
            (std::vector<std::optional<std::string>>{"1", std::nullopt, "2"}));
  EXPECT_EQ(*c->exec(cmd::hset("p:1", {{"name", "Mug"}, {"price", "9.5"}})), 2);
  EXPECT_EQ(*c->exec(cmd::hget("p:1", "name")), std::optional<std::string>("Mug"));
  EXPECT_EQ(*c->exec(cmd::hincrby("p:1", "stock", 3)), 3);
  EXPECT_TRUE(*c->exec(cmd::hexists("p:1", "stock")));
  EXPECT_EQ(*c->exec(cmd::hlen("p:1")), 3);
  EXPECT_EQ(*c->exec(cmd::zadd("rank", {{"a", 3}, {"b", 1}, {"c", 2}})), 3);
  EXPECT_EQ(*c->exec(cmd::zrange("rank", 0, -1)), (std::vector<std::string>{"b", "c", "a"}));
  EXPECT_EQ(*c->exec(cmd::zrange("rank", 0, 0, /*rev=*/true)), (std::vector<std::string>{"a"}));
  EXPECT_EQ(*c->exec(cmd::zrangebyscore("rank", 2, 3)), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(*c->exec(cmd::zrank("rank", "c")), std::optional<int64_t>(1));
  EXPECT_EQ(*c->exec(cmd::zrank("rank", "zz")), std::nullopt);
  EXPECT_DOUBLE_EQ(*c->exec(cmd::zincrby("rank", 10, "b")), 11);
  EXPECT_EQ(*c->exec(cmd::zcard("rank")), 3);
  std::vector<std::string> del = {"a", "b", "k"};
  EXPECT_EQ(*c->exec(cmd::del(del)), 3);
  EXPECT_TRUE(*c->exec(cmd::expire("p:1", 100s)));
  // A typed helper on a key of the wrong type is a server error, not a crash.
  auto wrong = c->exec(cmd::hgetall("rank"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), "WRONGTYPE");
}

// A Script runs by its SHA1; the body goes to the server only when it answers NOSCRIPT
// (first use, after SCRIPT FLUSH), in the sync and the async API alike.
TEST_P(ClientLibraryTest, ScriptsRunByShaAndSendTheirBodyOnlyWhenTheServerLacksIt) {
  auto c = Connect(Opts());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->command("SCRIPT", "FLUSH").ok());
  const Script incr("return redis.call('incrby', KEYS[1], ARGV[1])");
  EXPECT_EQ(incr.sha(), "65b45e1e1b8b36c8c3e885080b88ae484e64fde6");
  const std::vector<std::string> keys = {"n"}, five = {"5"};
  auto first = c->eval(incr, keys, five);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->integer, 5);
  EXPECT_EQ(c->command("SCRIPT", "EXISTS", incr.sha())->elems.at(0).integer, 1);  // EVAL cached it
  EXPECT_EQ(c->eval(incr, keys, five)->integer, 10);
  ASSERT_TRUE(c->command("SCRIPT", "FLUSH").ok());
  EXPECT_EQ(c->eval(incr, keys, five)->integer, 15);
  auto evals = c->command("INFO", "commandstats");
  ASSERT_TRUE(evals.ok());
  EXPECT_NE(evals->str.find("cmdstat_eval:calls=2,"), std::string::npos) << evals->str;
  EXPECT_NE(evals->str.find("cmdstat_evalsha:calls=3,"), std::string::npos) << evals->str;
  auto bad = c->eval(Script("return redis.call('nosuch')"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), "ERR");
  EXPECT_EQ(bad.error().message.rfind("ERR Unknown Redis command called from script", 0), 0u) << bad.error().message;
  // The same through the async API, on the client's own connection.
  auto done = c->connection().async_eval(incr, keys, five, asio::use_future).get();
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->integer, 20);
}

TEST_P(ClientLibraryTest, TenThousandCommandPipelineKeepsOrder) {
  auto c = Connect(Opts());
  ASSERT_TRUE(c);
  Pipeline p;
  for (int i = 0; i < 10000; ++i) {
    if (i % 2 == 0) p.add("INCR", "ctr");
    else p.add("GET", "ctr");
  }
  auto replies = c->pipeline(p);
  ASSERT_TRUE(replies.ok()) << replies.error().ToString();
  ASSERT_EQ(replies->size(), 10000u);
  for (int i = 0; i < 10000; i += 2) {
    ASSERT_EQ((*replies)[i].integer, i / 2 + 1);
    ASSERT_EQ((*replies)[i + 1].str, std::to_string(i / 2 + 1));
  }
  EXPECT_TRUE(c->pipeline(Pipeline())->empty());  // nothing to send, nothing to wait for
}

TEST_P(ClientLibraryTest, ConcurrentCallsAreBatchedAndMatchedInOrder) {
  IoThread io(2);
  auto conn = Connection::Create(io.executor(), Opts());
  ASSERT_TRUE(conn->async_connect(asio::use_future).get().ok());
  constexpr int kThreads = 8, kPerThread = 2000;
  std::atomic<int> wrong{0}, done{0};
  std::promise<void> all_done;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string value = std::to_string(t) + ":" + std::to_string(i);
        conn->async_command(Command("ECHO", value), [&, value](Result<Reply> r) {
          if (!r.ok() || r->str != value) wrong++;
          if (++done == kThreads * kPerThread) all_done.set_value();
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(all_done.get_future().wait_for(30s), std::future_status::ready);
  EXPECT_EQ(wrong.load(), 0);
  conn->Close();
}

TEST_P(ClientLibraryTest, TransactionsRunAtomicallyAndReportWatchAndQueueErrors) {
  IoThread io;
  auto pool = Pool::Create(io.executor(), Opts(), {.size = 2});
  auto lease = pool->async_acquire(asio::use_future).get();
  ASSERT_TRUE(lease.ok());
  Connection& conn = **lease;
  Pipeline tx;
  tx.add("INCR", "a").add("INCR", "a").add("GET", "a");
  auto r = conn.async_transaction(tx, asio::use_future).get();
  ASSERT_TRUE(r.ok() && r->has_value());
  EXPECT_EQ((**r)[2].str, "2");

  // WATCH on the leased connection; a write from elsewhere aborts EXEC with nil.
  ASSERT_TRUE(conn.async_command(Command("WATCH", "a"), asio::use_future).get().ok());
  auto other = Connect(Opts());
  ASSERT_TRUE(other->exec(cmd::incr("a")).ok());
  auto aborted = conn.async_transaction(tx, asio::use_future).get();
  ASSERT_TRUE(aborted.ok());
  EXPECT_FALSE(aborted->has_value());

  Pipeline bad;
  bad.add("INCR", "a").add("NOSUCHCOMMAND");
  auto execabort = conn.async_transaction(bad, asio::use_future).get();
  ASSERT_FALSE(execabort.ok());
  EXPECT_EQ(execabort.error().code(), "EXECABORT");
  EXPECT_EQ(*other->exec(cmd::get("a")), std::optional<std::string>("3"));
  pool->Close();
}

TEST_P(ClientLibraryTest, PoolHandsOutFairlyUnderContentionWithinItsLimit) {
  IoThread io(2);
  auto pool = Pool::Create(io.executor(), Opts(), {.size = 4, .acquire_timeout = 20s});
  constexpr int kThreads = 32, kRounds = 100;
  std::atomic<int> failures{0}, in_use{0}, max_in_use{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        auto lease = pool->async_acquire(asio::use_future).get();
        if (!lease.ok()) {
          failures++;
          continue;
        }
        int now = ++in_use;
        int seen = max_in_use.load();
        while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {}
        if (!(*lease)->async_exec(cmd::incr("counter"), asio::use_future).get().ok()) failures++;
        --in_use;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(max_in_use.load(), 4);
  auto stats = pool->stats();
  EXPECT_LE(stats.open, 4u);
  EXPECT_EQ(stats.leases, static_cast<uint64_t>(kThreads * kRounds));
  auto c = Connect(Opts());
  EXPECT_EQ(*c->exec(cmd::get("counter")), std::optional<std::string>(std::to_string(kThreads * kRounds)));

  // With every connection leased, the next caller waits, then times out cleanly.
  auto small = Pool::Create(io.executor(), Opts(), {.size = 1, .acquire_timeout = 100ms});
  auto held = small->async_acquire(asio::use_future).get();
  ASSERT_TRUE(held.ok());
  auto waited = small->async_acquire(asio::use_future).get();
  ASSERT_FALSE(waited.ok());
  EXPECT_TRUE(waited.error().is_timeout());
  held->release();
  EXPECT_TRUE(small->async_acquire(asio::use_future).get().ok());
  EXPECT_EQ(small->stats().timeouts, 1u);
  small->Close();
  pool->Close();
}

TEST_P(ClientLibraryTest, ServerRestartFailsInFlightCallsAndReconnects) {
  auto c = Connect(Opts());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->exec(cmd::set("k", "v")).ok());
  // A call in flight when the server dies fails with a connection error.
  auto in_flight = c->connection().async_command(Command("DEBUG", "SLEEP", "2"), asio::use_future);
  std::this_thread::sleep_for(100ms);
  server_.Kill9();
  ASSERT_EQ(in_flight.wait_for(10s), std::future_status::ready);
  auto lost = in_flight.get();
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(lost.error().is_connection()) << lost.error().ToString();

  // While the server is down, calls fail promptly with a connection error, never hang.
  for (int i = 0; i < 5; ++i) {
    auto f = c->connection().async_exec(cmd::ping(), asio::use_future);
    ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
    auto r = f.get();
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().is_connection()) << r.error().ToString();
    std::this_thread::sleep_for(50ms);
  }

  ASSERT_TRUE(server_.Restart()) << server_.error();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  Result<std::string> pong = Error{};
  while (std::chrono::steady_clock::now() < deadline) {
    pong = c->exec(cmd::ping());
    if (pong.ok()) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(pong.ok()) << pong.error().ToString();
  EXPECT_EQ(*pong, "PONG");
  EXPECT_GE(c->connection().connects(), 2u);
}

TEST_P(ClientLibraryTest, CommandTimeoutIsReportedAndTheLateReplyDiscarded) {
  Options o = Opts();
  o.command_timeout = 200ms;
  auto c = Connect(o);
  ASSERT_TRUE(c);
  auto slow = c->command("DEBUG", "SLEEP", "0.6");
  ASSERT_FALSE(slow.ok());
  EXPECT_TRUE(slow.error().is_timeout()) << slow.error().ToString();
  std::this_thread::sleep_for(600ms);  // the +OK of DEBUG SLEEP arrives and is dropped
  auto echo = c->command("ECHO", "after");
  ASSERT_TRUE(echo.ok()) << echo.error().ToString();
  EXPECT_EQ(echo->str, "after");
}

TEST_P(ClientLibraryTest, ConnectErrorsAreDistinguishable) {
  Options down = Opts();
  down.port = static_cast<uint16_t>(testing::FreePort());
  down.reconnect = false;
  auto refused = SyncClient::Connect(down);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().is_connection()) << refused.error().ToString();

  // AUTH against a server without a password fails the handshake with its reason.
  Options auth = Opts();
  auth.password = "secret";
  auth.reconnect = false;
  auto denied = SyncClient::Connect(auth);
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.error().message.find("AUTH"), std::string::npos) << denied.error().message;

  EXPECT_FALSE(SyncClient::Connect("redis://host:notaport").ok());
}

TEST_P(ClientLibraryTest, UrlSelectsDatabaseAndHelloSetsNameAndProtocol) {
  auto c1 = SyncClient::Connect("redis://127.0.0.1:" + std::to_string(server_.port()) + "/3");
  ASSERT_TRUE(c1.ok()) << c1.error().ToString();
  ASSERT_TRUE((*c1)->exec(cmd::set("in3", "yes")).ok());
  Options o = Opts(3);
  o.client_name = "catalog-1";
  auto c2 = Connect(o);
  EXPECT_TRUE(c2->exec(cmd::get("in3"))->value_or("") == "");
  ASSERT_TRUE(c2->exec(cmd::select(3)).ok());
  EXPECT_EQ(*c2->exec(cmd::get("in3")), std::optional<std::string>("yes"));
  EXPECT_EQ(c2->command("CLIENT", "GETNAME")->str, "catalog-1");
}

TEST_P(ClientLibraryTest, CoroutinesAndCallbacksUseTheSameCalls) {
  IoThread io;
  auto conn = Connection::Create(io.executor(), Opts());
  std::promise<std::string> result;
  asio::co_spawn(
      io.executor(),
      [&]() -> asio::awaitable<void> {
        auto set = co_await conn->async_exec(cmd::set("co", "routine"), asio::use_awaitable);
        auto got = co_await conn->async_exec(cmd::get("co"), asio::use_awaitable);
        result.set_value(set.ok() && got.ok() && *got ? **got : "error");
      },
      asio::detached);
  auto f = result.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(f.get(), "routine");
  conn->Close();
}

TEST_P(ClientLibraryTest, SubscriberReceivesMessagesAndResubscribesAfterRestart) {
  IoThread io;
  std::mutex mu;
  std::vector<Message> got;
  std::condition_variable cv;
  auto sub = Subscriber::Create(io.executor(), Opts(), [&](const Message& m) {
    std::lock_guard lock(mu);
    got.push_back(m);
    cv.notify_all();
  });
  ASSERT_TRUE(sub->async_subscribe({"news", "alerts"}, asio::use_future).get().ok());
  ASSERT_TRUE(sub->async_psubscribe({"product:*"}, asio::use_future).get().ok());
  auto wait_for = [&](size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] { return got.size() >= n; });
  };
  auto pub = Connect(Opts());
  EXPECT_EQ(*pub->exec(cmd::publish("news", "hello")), 1);
  EXPECT_EQ(*pub->exec(cmd::publish("product:7", "changed")), 1);
  ASSERT_TRUE(wait_for(2));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(got[0].channel, "news");
    EXPECT_EQ(got[0].payload, "hello");
    EXPECT_EQ(got[1].channel, "product:7");
    EXPECT_EQ(got[1].pattern, "product:*");
  }
  ASSERT_TRUE(sub->async_unsubscribe({"news"}, asio::use_future).get().ok());
  EXPECT_EQ(*pub->exec(cmd::publish("news", "ignored")), 0);

  server_.Kill9();
  ASSERT_TRUE(server_.Restart()) << server_.error();
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto n = pub->exec(cmd::publish("alerts", "back"));
    if (n.ok() && *n == 1) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(wait_for(3));
  std::lock_guard lock(mu);
  EXPECT_EQ(got[2].channel, "alerts");
  EXPECT_EQ(got[2].payload, "back");
  sub->Close();
}

// Keyspace notifications through the subscriber: each message parsed into db, key and
// event.
TEST_P(ClientLibraryTest, SubscriberDeliversKeyspaceEvents) {
  IoThread io;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<KeyspaceEvent> got;
  auto sub = Subscriber::Create(io.executor(), Opts(), [&](const Message& m) {
    auto e = ParseKeyspaceEvent(m);
    ASSERT_TRUE(e.has_value()) << m.channel;
    std::lock_guard lock(mu);
    got.push_back(*e);
    cv.notify_all();
  });
  auto c = Connect(Opts());
  ASSERT_TRUE(c->command("CONFIG", "SET", "notify-keyspace-events", "KEA").ok());
  ASSERT_TRUE(sub->async_psubscribe({"__keyspace@0__:user:*", "__keyevent@0__:expired"}, asio::use_future).get().ok());
  ASSERT_TRUE(c->exec(cmd::set("user:1", "ann")).ok());
  ASSERT_TRUE(c->command("SET", "tmp", "x", "PX", "1").ok());
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(c->command("GET", "tmp").ok());  // deletes it: "expired"
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return got.size() >= 2; }));
  EXPECT_EQ(got[0].key, "user:1");
  EXPECT_EQ(got[0].event, "set");
  EXPECT_EQ(got[1].key, "tmp");
  EXPECT_EQ(got[1].event, "expired");
  EXPECT_EQ(got[1].db, 0);
  EXPECT_FALSE(ParseKeyspaceEvent(Message{"news", "x", ""}).has_value());
  lock.unlock();
  EXPECT_TRUE(c->command("CONFIG", "SET", "notify-keyspace-events", "").ok());
  sub->Close();
}

// The near cache answers repeated reads from memory, drops a key the moment another
// client changes it (never serving the old value after that write was acknowledged),
// drops everything on FLUSHALL, and stays within its bound.
TEST_P(ClientLibraryTest, NearCacheServesHitsAndNeverAStaleValue) {
  IoThread io;
  NearCache::Settings settings;
  settings.max_bytes = 64 * 1024;
  auto near = NearCache::Create(io.executor(), Opts(), settings);
  auto c = Connect(Opts());
  ASSERT_TRUE(c->exec(cmd::set("a", "1")).ok());
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!near->tracking() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(near->tracking());
  auto get = [&](std::vector<std::string> keys) {
    auto r = near->async_mget(std::move(keys), asio::use_future).get();
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return r.ok() ? *r : NearCache::Values{};
  };
  EXPECT_EQ(get({"a", "none"}), (NearCache::Values{"1", std::nullopt}));
  EXPECT_EQ(get({"a", "none"}), (NearCache::Values{"1", std::nullopt}));
  EXPECT_EQ(near->stats().hits, 2u);
  EXPECT_EQ(near->stats().misses, 2u);
  // Every write, acknowledged, is seen by the very next read: the barrier waits for the
  // invalidation.
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(c->exec(cmd::set("a", std::to_string(i))).ok());
    ASSERT_EQ(get({"a"}), (NearCache::Values{std::to_string(i)})) << i;
    ASSERT_EQ(get({"a"}), (NearCache::Values{std::to_string(i)})) << i;
  }
  EXPECT_GE(near->stats().invalidations, 199u);
  ASSERT_TRUE(c->exec(cmd::set("none", "now")).ok());
  EXPECT_EQ(get({"none"}), (NearCache::Values{"now"}));
  ASSERT_TRUE(c->command("FLUSHALL").ok());
  EXPECT_EQ(get({"a", "none"}), (NearCache::Values{std::nullopt, std::nullopt}));
  EXPECT_GE(near->stats().flushes, 1u);
  // Bounded: 200 values of 1 KB do not fit in 64 KB.
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(c->exec(cmd::set("big" + std::to_string(i), std::string(1024, 'x'))).ok());
  for (int i = 0; i < 200; ++i) get({"big" + std::to_string(i)});
  EXPECT_LE(near->stats().bytes, settings.max_bytes);
  EXPECT_GT(near->stats().entries, 10u);
  near->Close();
}

// A lost tracking connection drops everything; until tracking is on again reads go to
// the server, and what was written meanwhile is never served from before.
TEST_P(ClientLibraryTest, NearCacheDropsEverythingWhenItsConnectionIsLost) {
  IoThread io;
  auto near = NearCache::Create(io.executor(), Opts(), {});
  auto c = Connect(Opts());
  ASSERT_TRUE(c->exec(cmd::set("k", "before")).ok());
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!near->tracking() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  auto get = [&] { return near->async_mget({"k"}, asio::use_future).get(); };
  ASSERT_EQ(*get(), (NearCache::Values{"before"}));
  ASSERT_EQ(*get(), (NearCache::Values{"before"}));
  server_.Kill9();
  ASSERT_TRUE(server_.Restart()) << server_.error();
  // The restarted server holds what it persisted (minired) or nothing (redis, no save):
  // whatever it is, the near cache must not answer "before" from memory once written.
  Result<Ok> w = Error{};
  deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline && !(w = c->exec(cmd::set("k", "after"))).ok()) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(w.ok());
  deadline = std::chrono::steady_clock::now() + 10s;
  Result<NearCache::Values> r = Error{};
  while (std::chrono::steady_clock::now() < deadline) {
    r = get();
    if (r.ok()) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(*r, (NearCache::Values{"after"}));
  EXPECT_GE(near->stats().flushes, 1u);
  near->Close();
}

INSTANTIATE_TEST_SUITE_P(BothServers, ClientLibraryTest, ::testing::Values("minired", "redis"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace minired::client
