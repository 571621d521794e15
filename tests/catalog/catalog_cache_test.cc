// What the cache does for the catalog: reads after writes are fresh, concurrent misses
// run one query, a cache that goes down only costs speed, views reach the database.
#include <atomic>
#include <thread>

#include "tests/catalog/catalog_fixture.h"

namespace minired::testing {
namespace {

using nlohmann::json;

const std::string kPageQueries = "catalog_db_queries_total{query=\"page\",ok=\"true\"}";

// A page whose body and count are cached is answered from the cache client's I/O thread
// (no worker): the same bytes, counted in the same metrics; bad queries still get a 400.
TEST_F(CatalogTest, ACachedPageIsAnsweredWholeFromTheCache) {
  StartAll(500);
  HttpClient c(catalog_.port());
  const std::string url = "/api/products?sort=rank&size=20&page=2";
  HttpResponse first = c.Get(url);  // loads the rows, stores the ordering
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(c.Get(url).body, first.body);  // reads the documents, stores the body
  const std::string body_misses = "catalog_cache_reads_total{kind=\"page_body\",result=\"miss\"}";
  const std::string page_hits = "catalog_cache_reads_total{kind=\"page\",result=\"hit\"}";
  const std::string served = "catalog_http_requests_total{route=\"/api/products\",method=\"GET\",status=\"200\"}";
  double misses = Metric(catalog_.port(), body_misses), hits = Metric(catalog_.port(), page_hits);
  double queries = Metric(catalog_.port(), kPageQueries);
  for (int i = 0; i < 5; ++i) {
    HttpResponse again = c.Get(url);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body, first.body);
  }
  EXPECT_EQ(Metric(catalog_.port(), page_hits), hits + 5);
  EXPECT_EQ(Metric(catalog_.port(), body_misses), misses) << "served from the stored body";
  EXPECT_EQ(Metric(catalog_.port(), kPageQueries), queries);
  EXPECT_EQ(Metric(catalog_.port(), served), 7);
  HttpResponse bad = c.Get("/api/products?size=0");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json(bad)["field"], "size");
}

TEST_F(CatalogTest, ReadsAreCachedAndWritesInvalidateWhatTheyAffect) {
  StartAll(500);
  HttpClient c(catalog_.port());
  json page = Json(c.Get("/api/products?sort=price&size=10"));
  double queries = Metric(catalog_.port(), kPageQueries);
  EXPECT_EQ(Json(c.Get("/api/products?sort=price&size=10")), page);
  EXPECT_EQ(Metric(catalog_.port(), kPageQueries), queries) << "the second read is a cache hit";

  // The cheapest product gets dearer: its document, its pages and counts are fresh.
  int64_t id = page["items"][0]["id"];
  std::string category = page["items"][0]["category"];
  json cat_page = Json(c.Get("/api/products?category=" + category + "&sort=price&size=5"));
  int64_t cat_total = cat_page["total"];
  ASSERT_EQ(c.Request("PATCH", "/api/products/" + std::to_string(id), R"({"price": 9999.5})", Auth()).status, 200);
  EXPECT_EQ(Json(c.Get("/api/products/" + std::to_string(id)))["price"], 9999.5);
  json after = Json(c.Get("/api/products?sort=price&size=10"));
  EXPECT_NE(after["items"][0]["id"], id);
  json cat_after = Json(c.Get("/api/products?category=" + category + "&sort=price&size=5"));
  EXPECT_NE(cat_after["items"][0]["id"], id);

  // A change that moves nothing (stock) invalidates only the product's document: the
  // cached orderings stay, and the page shows the new stock.
  double before_stock = Metric(catalog_.port(), kPageQueries);
  int64_t second = after["items"][1]["id"];
  ASSERT_EQ(c.Request("PATCH", "/api/products/" + std::to_string(second), R"({"stock": 31337})", Auth()).status, 200);
  EXPECT_EQ(Json(c.Get("/api/products?sort=price&size=10"))["items"][1]["stock"], 31337);
  EXPECT_EQ(Metric(catalog_.port(), kPageQueries), before_stock) << "the ordering was still cached";

  // A new product shows in its category's count and list; the other categories'
  // cached pages stay.
  ASSERT_EQ(c.Request("POST", "/api/products", NewProductBody("FRESH", category, 0.01), Auth()).status, 201);
  json with_new = Json(c.Get("/api/products?category=" + category + "&sort=price&size=5"));
  EXPECT_EQ(with_new["total"], cat_total + 1);
  EXPECT_EQ(with_new["items"][0]["sku"], "FRESH");
  json cats = Json(c.Get("/api/categories"));
  for (const auto& cat : cats["items"]) {
    if (cat["name"] == category) {
      EXPECT_EQ(cat["products"], cat_total + 1);
    }
  }
  // Deleting it takes it out again.
  int64_t fresh = with_new["items"][0]["id"];
  ASSERT_EQ(c.Request("DELETE", "/api/products/" + std::to_string(fresh), "", Auth()).status, 204);
  EXPECT_EQ(Json(c.Get("/api/products?category=" + category + "&sort=price&size=5"))["total"], cat_total);
}

TEST_F(CatalogTest, PageBodiesAreDroppedExactlyWhenAProductOnThemChanges) {
  StartAll(500);
  HttpClient c(catalog_.port());
  const std::string page = "/api/products?sort=rank&page=2&size=20";
  const std::string body_misses = "catalog_cache_reads_total{kind=\"page_body\",result=\"miss\"}";
  json first = Json(c.Get(page));  // from SQLite: stores the ordering
  EXPECT_EQ(Json(c.Get(page)), first);  // ordering + documents: stores the body
  EXPECT_EQ(Metric(catalog_.port(), body_misses), 1);
  EXPECT_EQ(Json(c.Get(page)), first);  // the body
  EXPECT_EQ(Metric(catalog_.port(), body_misses), 1);

  // A product elsewhere changes: the body stays.
  int64_t elsewhere = Json(c.Get("/api/products?sort=rank&page=1&size=20"))["items"][0]["id"];
  ASSERT_EQ(c.Request("PATCH", "/api/products/" + std::to_string(elsewhere), R"({"stock": 1})", Auth()).status, 200);
  EXPECT_EQ(Json(c.Get(page)), first);
  EXPECT_EQ(Metric(catalog_.port(), body_misses), 1);

  // A product on the page changes (not its rank): the body goes, the page is fresh,
  // and the next read stores and then serves a new body.
  int64_t on_page = first["items"][7]["id"];
  ASSERT_EQ(c.Request("PATCH", "/api/products/" + std::to_string(on_page), R"({"stock": 9191})", Auth()).status, 200);
  EXPECT_EQ(Json(c.Get(page))["items"][7]["stock"], 9191);
  EXPECT_EQ(Metric(catalog_.port(), body_misses), 2);
  EXPECT_EQ(Json(c.Get(page))["items"][7]["stock"], 9191);
  EXPECT_EQ(Metric(catalog_.port(), body_misses), 2);
}

TEST_F(CatalogTest, ReadAfterWriteIsNeverStaleUnderConcurrentReaders) {
  StartAll(200);
  HttpClient c(catalog_.port());
  const int64_t id = Json(c.Get("/api/products?sort=rank&size=1"))["items"][0]["id"];
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      HttpClient r(catalog_.port());
      while (!stop) {
        r.Get("/api/products/" + std::to_string(id));
        r.Get("/api/products?sort=rank&size=1");
      }
    });
  }
  int stale = 0;
  for (int i = 1; i <= 100 && stale == 0; ++i) {
    EXPECT_EQ(c.Request("PATCH", "/api/products/" + std::to_string(id), json{{"stock", i}}.dump(), Auth()).status, 200);
    json product = Json(c.Get("/api/products/" + std::to_string(id)));
    json page = Json(c.Get("/api/products?sort=rank&size=1"));
    EXPECT_EQ(product["stock"], i) << "product after write " << i;
    EXPECT_EQ(page["items"][0]["stock"], i) << "page after write " << i;
    stale += product["stock"] != i || page["items"][0]["stock"] != i;
  }
  stop = true;
  for (auto& t : readers) t.join();
}

TEST_F(CatalogTest, ConcurrentMissesOnOnePageRunOneQuery) {
  StartAll(2000, {"--threads", "16"});
  double before = Metric(catalog_.port(), kPageQueries);
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 100; ++i) {
    clients.emplace_back([&] {
      HttpClient c(catalog_.port());
      if (c.Get("/api/products?page=7&size=80").status == 200) ++ok;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok, 100);
  EXPECT_EQ(Metric(catalog_.port(), kPageQueries) - before, 1);
}

TEST_F(CatalogTest, CacheDownMeansSlowerNotBroken) {
  StartAll(300);
  HttpClient c(catalog_.port());
  json page = Json(c.Get("/api/products?page=2"));
  cache_.Kill9();
  for (int i = 0; i < 5; ++i) {
    HttpResponse r = c.Get("/api/products?page=2");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(Json(r)["items"], page["items"]);
  }
  EXPECT_EQ(c.Get("/api/products/3").status, 200);
  // Writes still work, and their invalidation is owed until the cache is back.
  ASSERT_EQ(c.Request("PATCH", "/api/products/3", R"({"stock": 777})", Auth()).status, 200);
  EXPECT_EQ(Json(c.Get("/api/products/3"))["stock"], 777);
  EXPECT_EQ(c.Request("POST", "/api/products/3/views").status, 200);
  EXPECT_GT(Metric(catalog_.port(), "catalog_cache_reads_total{kind=\"page\",result=\"error\"}"), 0);
  EXPECT_NE(Json(c.Get("/healthz"))["cache"].get<std::string>().find("down"), std::string::npos);

  // It reconnects by itself and serves hits again.
  ASSERT_TRUE(cache_.Restart());
  bool hit = false;
  for (int i = 0; i < 100 && !hit; ++i) {
    double hits = Metric(catalog_.port(), "catalog_cache_reads_total{kind=\"product\",result=\"hit\"}");
    EXPECT_EQ(Json(c.Get("/api/products/3"))["stock"], 777);
    hit = Metric(catalog_.port(), "catalog_cache_reads_total{kind=\"product\",result=\"hit\"}") > hits;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(hit) << "no cache hit after the cache came back";
}

TEST_F(CatalogTest, ViewsAreCountedRankedAndWrittenBack) {
  StartAll(100);
  HttpClient c(catalog_.port());
  json p = Json(c.Get("/api/products/42"));
  std::string category = p["category"];
  int64_t last = 0;
  for (int i = 0; i < 25; ++i) {
    HttpResponse r = c.Request("POST", "/api/products/42/views");
    ASSERT_EQ(r.status, 200) << r.body;
    last = Json(r)["views"];
  }
  EXPECT_EQ(last, 25);
  json ranking = Json(c.Get("/api/rankings/" + category + "?limit=3"));
  ASSERT_FALSE(ranking["items"].empty());
  EXPECT_EQ(ranking["items"][0]["product"]["id"], 42);
  EXPECT_EQ(ranking["items"][0]["views"], 25);
  EXPECT_EQ(c.Request("POST", "/api/products/999999/views").status, 404);
  EXPECT_EQ(c.Get("/api/rankings/" + category + "?limit=1000").status, 400);

  // After a stop (which flushes), a catalog without cache reads them from the database.
  ASSERT_EQ(catalog_.Stop(), 0);
  std::string db = catalog_.db_path();
  std::string out;
  CatalogProcess direct = CatalogProcess::Start(0, {"--cache", "off", "--db", db});
  ASSERT_TRUE(direct.ok()) << direct.error();
  HttpClient d(direct.port());
  json from_db = Json(d.Get("/api/rankings/" + category + "?limit=1"));
  ASSERT_FALSE(from_db["items"].empty()) << from_db.dump();
  EXPECT_EQ(from_db["items"][0]["product"]["id"], 42);
  EXPECT_EQ(from_db["items"][0]["views"], 25);
}

TEST_F(CatalogTest, CacheOffServesTheSameAnswers) {
  StartAll(300);
  CatalogProcess off = CatalogProcess::Start(0, {"--cache", "off", "--db", catalog_.db_path()});
  ASSERT_TRUE(off.ok()) << off.error();
  HttpClient on_c(catalog_.port()), off_c(off.port());
  for (const char* path : {"/api/products?page=3&size=20", "/api/products/17", "/api/categories",
                           "/api/products?sort=newest&size=7"}) {
    EXPECT_EQ(Json(on_c.Get(path)), Json(off_c.Get(path))) << path;
    EXPECT_EQ(Json(on_c.Get(path)), Json(off_c.Get(path))) << path << " (cached)";
  }
  EXPECT_EQ(Json(off_c.Get("/healthz"))["cache"], "off");
}

}  // namespace
}  // namespace minired::testing

namespace minired::testing {
namespace {

// The same binary runs the experiment with redis-server as its cache.
TEST(CatalogWithRedis, RedisServerWorksAsTheCache) {
  if (RedisServerPath().empty()) GTEST_SKIP() << "redis-server is not installed";
  TestProcess redis = TestProcess::StartRedis({"--save", "", "--appendonly", "no"});
  ASSERT_TRUE(redis.ok()) << redis.error();
  CatalogProcess catalog = CatalogProcess::Start(
      300, {"--cache-url", "redis://127.0.0.1:" + std::to_string(redis.port()), "--admin-token", kToken});
  ASSERT_TRUE(catalog.ok()) << catalog.error();
  HttpClient c(catalog.port());
  json page = Json(c.Get("/api/products?page=2&size=30"));
  EXPECT_EQ(Json(c.Get("/api/products?page=2&size=30")), page);
  EXPECT_EQ(Metric(catalog.port(), "catalog_cache_reads_total{kind=\"page\",result=\"hit\"}"), 1);
  int64_t id = page["items"][0]["id"];
  ASSERT_EQ(c.Request("PATCH", "/api/products/" + std::to_string(id), R"({"stock": 4321})", Auth()).status, 200);
  EXPECT_EQ(Json(c.Get("/api/products?page=2&size=30"))["items"][0]["stock"], 4321);
  ASSERT_EQ(c.Request("POST", "/api/products/" + std::to_string(id) + "/views").status, 200);
  EXPECT_EQ(Json(c.Request("POST", "/api/products/" + std::to_string(id) + "/views"))["views"], 2);
}

}  // namespace
}  // namespace minired::testing
