// The catalog's near cache (--near-cache-mb): hits answered from each catalog process's
// memory, and never a stale answer across processes. Two catalogs on one database and
// one minired; a writer changes a product's price through either of them while 100
// readers read it (document and page) through either; every read that starts after a
// write was acknowledged must show that write or a newer one. Midway, minired is killed
// and restarted: the near caches lose their tracking connection and must not answer
// from what they held.
#include <atomic>
#include <thread>
#include <vector>

#include "tests/catalog/catalog_fixture.h"

namespace minired::testing {
namespace {

using nlohmann::json;

constexpr const char* kNearHits = "catalog_near_cache_hits_total";
constexpr const char* kNearInvalidations = "catalog_near_cache_invalidations_total";

TEST_F(CatalogTest, NearCacheNeverServesAStaleReadAcrossInstancesEvenWhenTheCacheServerRestarts) {
  StartAll(200, {"--threads", "8"});
  // A second catalog on the same database and the same minired.
  CatalogProcess other = CatalogProcess::Start(
      0, {"--db", catalog_.db_path(), "--cache-url", "redis://127.0.0.1:" + std::to_string(cache_.port()),
          "--admin-token", kToken, "--threads", "8"});
  ASSERT_TRUE(other.ok()) << other.error();
  const int ports[2] = {catalog_.port(), other.port()};
  HttpClient c(ports[0]);
  const int64_t id = Json(c.Get("/api/products?sort=rank&size=1"))["items"][0]["id"];
  const std::string product = "/api/products/" + std::to_string(id);
  const std::string page = "/api/products?sort=rank&size=1";

  std::atomic<int64_t> acked{0};  // the last price step whose write was acknowledged
  std::atomic<bool> stop{false};
  std::atomic<int64_t> reads{0}, stale{0}, failed{0};
  auto price_step = [](const json& doc) { return static_cast<int64_t>(doc["price"].get<double>()) - 1000; };
  std::vector<std::thread> readers;
  for (int t = 0; t < 100; ++t) {
    readers.emplace_back([&, t] {
      HttpClient r(ports[t % 2]);
      while (!stop) {
        const int64_t floor = acked.load();
        HttpResponse a = r.Get(product), b = r.Get(page);
        if (a.status != 200 || b.status != 200) {
          ++failed;
          continue;
        }
        ++reads;
        if (floor > 0 && (price_step(Json(a)) < floor || price_step(Json(b)["items"][0]) < floor)) ++stale;
      }
    });
  }
  HttpClient w0(ports[0]), w1(ports[1]);
  const int kWrites = 300;
  for (int i = 1; i <= kWrites; ++i) {
    HttpClient& w = i % 2 ? w0 : w1;
    ASSERT_EQ(w.Request("PATCH", product, json{{"price", 1000 + i}}.dump(), Auth()).status, 200) << i;
    acked = i;
    if (i == kWrites / 2) {
      // The tracking connections break; reads go to the database or the restarted cache.
      cache_.Kill9();
      ASSERT_TRUE(cache_.Restart()) << cache_.error();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale, 0) << "of " << reads << " reads";
  EXPECT_GT(reads, 1000);
  // The near caches were used (hits) and kept fresh (invalidations), on both instances.
  for (int port : ports) {
    EXPECT_GT(Metric(port, kNearHits), 0) << port;
    EXPECT_GT(Metric(port, kNearInvalidations), 0) << port;
  }
  // Both instances end on the last write.
  for (int port : ports) {
    HttpClient r(port);
    EXPECT_EQ(price_step(Json(r.Get(product))), kWrites);
  }
}

}  // namespace
}  // namespace minired::testing
