// Scaling the catalog's cache past one node (issue #10): three masters behind twemproxy
// with a failover, and lookups on replicas with reads of one's own writes.
#include <chrono>
#include <iostream>
#include <thread>

#include "tests/catalog/catalog_fixture.h"
#include "tests/testing/nutcracker_process.h"
#include "tests/testing/resp_client.h"

namespace minired::testing {
namespace {

using nlohmann::json;
constexpr int64_t kProducts = 2000;

int64_t Integer(int port, const std::vector<std::string>& cmd) {
  RespClient c;
  if (!c.Connect(port)) return -1;
  return c.Call(cmd).value.integer;
}

std::string Bulk(int port, const std::vector<std::string>& cmd) {
  RespClient c;
  if (!c.Connect(port)) return "";
  return c.Call(cmd).value.str;
}

// Waits until `replica` holds as many keys as `master` (replication caught up).
bool CaughtUp(int master, int replica) {
  for (int i = 0; i < 500; ++i) {
    int64_t want = Integer(master, {"DBSIZE"});
    if (want > 0 && Integer(replica, {"DBSIZE"}) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string Page(HttpClient& c, int page) { return c.Get("/api/products?sort=rank&page=" + std::to_string(page)).body; }

constexpr const char* kPageHits = "catalog_cache_reads_total{kind=\"page\",result=\"hit\"}";
constexpr const char* kPageErrors = "catalog_cache_reads_total{kind=\"page\",result=\"error\"}";

TEST(CatalogScaling, ThreeMastersBehindTwemproxySurviveAFailover) {
  std::vector<TestProcess> masters, replicas;
  std::vector<NutcrackerProcess::Backend> backends;
  for (int i = 0; i < 3; ++i) {
    masters.push_back(TestProcess::StartMinired({"--appendonly", "no", "--save", ""}));
    ASSERT_TRUE(masters[i].ok()) << masters[i].error();
    replicas.push_back(TestProcess::StartMinired(
        {"--appendonly", "no", "--save", "", "--replicaof", "127.0.0.1", std::to_string(masters[i].port())}));
    ASSERT_TRUE(replicas[i].ok()) << replicas[i].error();
    backends.push_back({"m" + std::to_string(i + 1), masters[i].port()});
  }
  NutcrackerProcess proxy = NutcrackerProcess::Start(backends);
  ASSERT_TRUE(proxy.ok()) << proxy.error();
  CatalogProcess catalog = CatalogProcess::Start(
      kProducts, {"--cache-url", "127.0.0.1:" + std::to_string(proxy.port()), "--cache-scripts", "off",
                  "--admin-token", kToken, "--views-flush-ms", "100"});
  ASSERT_TRUE(catalog.ok()) << catalog.error();

  // Every page of every order, every product, twice: the second round is all hits.
  HttpClient c(catalog.port());
  const int pages = kProducts / 80;
  for (int round = 0; round < 2; ++round) {
    for (const char* sort : {"rank", "price", "newest"}) {
      for (int p = 1; p <= pages; ++p) {
        ASSERT_EQ(c.Get("/api/products?sort=" + std::string(sort) + "&page=" + std::to_string(p)).status, 200);
      }
    }
    for (int id = 1; id <= kProducts; id += 4) ASSERT_EQ(c.Get("/api/products/" + std::to_string(id)).status, 200);
  }
  EXPECT_GE(Metric(catalog.port(), kPageHits), 3 * pages);
  EXPECT_EQ(Metric(catalog.port(), kPageErrors), 0);

  // The keys spread over the three masters within 20% of even.
  int64_t total = 0;
  std::vector<int64_t> keys;
  for (auto& m : masters) total += keys.emplace_back(Integer(m.port(), {"DBSIZE"}));
  ASSERT_GT(total, 1000);
  std::cout << "keys per master: " << keys[0] << " " << keys[1] << " " << keys[2] << "\n";
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(keys[i], total / 3.0, total / 3.0 * 0.2) << "master " << i + 1 << " holds " << keys[i] << " of "
                                                        << total;
  }
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(CaughtUp(masters[i].port(), replicas[i].port()));

  // Master 1 dies: its slice of keys fails, and the catalog answers it from SQLite.
  std::vector<std::string> before;
  for (int p = 1; p <= pages; ++p) before.push_back(Page(c, p));
  masters[0].Kill9();
  for (int p = 1; p <= pages; ++p) {
    HttpResponse r = c.Get("/api/products?sort=rank&page=" + std::to_string(p));
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, before[p - 1]) << "page " << p;
  }
  EXPECT_GT(Metric(catalog.port(), kPageErrors), 0) << "some lookups went to the dead master";
  // A write meanwhile: its invalidation may fail, and then waits for a retry while the
  // scopes it names are read from SQLite.
  json first = Json(c.Get("/api/products?sort=rank&page=1"))["items"][0];
  const std::string id = std::to_string(first["id"].get<int64_t>());
  ASSERT_EQ(c.Request("PATCH", "/api/products/" + id, R"({"stock": 4242})", Auth()).status, 200);
  EXPECT_EQ(Json(c.Get("/api/products/" + id))["stock"], 4242);
  EXPECT_EQ(Json(c.Get("/api/products?sort=rank&page=1"))["items"][0]["stock"], 4242);

  // Failover: the replica becomes master m1 (same name, so the same slice) and the proxy
  // is pointed at it.
  ASSERT_EQ(Bulk(replicas[0].port(), {"REPLICAOF", "NO", "ONE"}), "OK");
  backends[0].port = replicas[0].port();
  ASSERT_TRUE(proxy.Restart(backends)) << proxy.error();
  // The catalog reconnects by itself (backing off up to 1 s); wait until a lookup works.
  for (int i = 0; i < 100; ++i) {
    double errors_before = Metric(catalog.port(), kPageErrors);
    Page(c, 1);
    if (Metric(catalog.port(), kPageErrors) == errors_before) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  // Everything answers from the cache again, and nothing is stale.
  double errors = Metric(catalog.port(), kPageErrors), hits = Metric(catalog.port(), kPageHits);
  for (int round = 0; round < 2; ++round) {
    for (int p = 1; p <= pages; ++p) ASSERT_EQ(c.Get("/api/products?sort=rank&page=" + std::to_string(p)).status, 200);
  }
  EXPECT_EQ(Metric(catalog.port(), kPageErrors), errors);
  EXPECT_GE(Metric(catalog.port(), kPageHits), hits + pages);
  EXPECT_EQ(Json(c.Get("/api/products/" + id))["stock"], 4242);
  EXPECT_EQ(Json(c.Get("/api/products?sort=rank&page=1"))["items"][0]["stock"], 4242);
  EXPECT_GT(Integer(replicas[0].port(), {"DBSIZE"}), 0);
}

TEST(CatalogScaling, ReplicasServeLookupsAndWritersReadTheirWrites) {
  TestProcess master = TestProcess::StartMinired({"--appendonly", "no", "--save", ""});
  ASSERT_TRUE(master.ok()) << master.error();
  TestProcess replica = TestProcess::StartMinired(
      {"--appendonly", "no", "--save", "", "--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(replica.ok()) << replica.error();
  auto serve = [&](const std::string& window_ms, const std::string& db) {
    std::vector<std::string> args{"--cache-url", "127.0.0.1:" + std::to_string(master.port()),
                                  "--cache-read-url", "127.0.0.1:" + std::to_string(replica.port()),
                                  "--read-own-writes-ms", window_ms, "--admin-token", kToken};
    if (!db.empty()) args.insert(args.end(), {"--db", db});
    return CatalogProcess::Start(db.empty() ? 200 : 0, args);
  };
  CatalogProcess writer = serve("60000", "");
  ASSERT_TRUE(writer.ok()) << writer.error();
  // A second catalog on the same database that never reads from the master.
  CatalogProcess other = serve("0", writer.db_path());
  ASSERT_TRUE(other.ok()) << other.error();

  HttpClient w(writer.port()), o(other.port());
  ASSERT_EQ(w.Get("/api/products/7").status, 200);  // fills the document on the master
  ASSERT_TRUE(CaughtUp(master.port(), replica.port()));
  RespClient info;
  ASSERT_TRUE(info.Connect(replica.port()));
  int64_t served = InfoField(info, "stats", "total_commands_processed");
  json doc = Json(o.Get("/api/products/7"));
  EXPECT_EQ(Json(w.Get("/api/products/7")), doc);
  EXPECT_GE(InfoField(info, "stats", "total_commands_processed") - served, 4) << "both lookups went to the replica";

  // The replica stops following (as if it lagged forever). The writer still reads its
  // own write (from the master, for its window); a reader with no window sees the
  // replica's copy, which is what bounds staleness by replication lag.
  ASSERT_EQ(info.Call({"REPLICAOF", "NO", "ONE"}).raw, "+OK\r\n");
  ASSERT_EQ(w.Request("PATCH", "/api/products/7", R"({"stock": 777})", Auth()).status, 200);
  EXPECT_EQ(Json(w.Get("/api/products/7"))["stock"], 777);
  EXPECT_EQ(Json(o.Get("/api/products/7"))["stock"], doc["stock"]);
}

}  // namespace
}  // namespace minired::testing
