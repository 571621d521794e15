// The catalog's change feed (catalog/change_feed.h): every product write appears in the
// stream catalog:changes, in commit order, for a consumer group to follow; changes made
// while the cache is down are sent once it is back; the stream stays capped.
#include <thread>

#include "tests/catalog/catalog_fixture.h"
#include "tests/testing/resp_client.h"

namespace minired::testing {
namespace {

using nlohmann::json;

// One stream entry's fields as a map.
std::map<std::string, std::string> Fields(const RespValue& entry) {
  std::map<std::string, std::string> out;
  const auto& kv = entry.elems[1].elems;
  for (size_t i = 0; i + 1 < kv.size(); i += 2) out[kv[i].str] = kv[i + 1].str;
  return out;
}

// A consumer group created before the writes reads them all, in order, as documented in
// docs/catalog.md: create, update, delete.
TEST_F(CatalogTest, EveryWriteIsPublishedInOrderForAConsumerGroup) {
  StartAll(50);
  RespClient r;
  ASSERT_TRUE(r.Connect(cache_.port()));
  ASSERT_EQ(r.Call({"XGROUP", "CREATE", "catalog:changes", "search-index", "$", "MKSTREAM"}).value.str, "OK");
  HttpClient c(catalog_.port());
  HttpResponse created = c.Request("POST", "/api/products", NewProductBody("FEED-1", "feeds", 12.5), Auth());
  ASSERT_EQ(created.status, 201);
  const int64_t id = Json(created)["id"];
  ASSERT_EQ(c.Request("PATCH", "/api/products/" + std::to_string(id), R"({"stock": 9})", Auth()).status, 200);
  ASSERT_EQ(c.Request("PATCH", "/api/products/7", R"({"price": 3.5})", Auth()).status, 200);
  ASSERT_EQ(c.Request("DELETE", "/api/products/" + std::to_string(id), "", Auth()).status, 204);
  // A write refused by validation publishes nothing.
  ASSERT_EQ(c.Request("PATCH", "/api/products/7", R"({"price": -1})", Auth()).status, 400);

  Reply got = r.Call({"XREADGROUP", "GROUP", "search-index", "indexer-1", "COUNT", "100", "STREAMS",
                      "catalog:changes", ">"});
  ASSERT_EQ(got.value.elems.size(), 1u) << got.value.DebugString();
  const auto& entries = got.value.elems[0].elems[1].elems;
  ASSERT_EQ(entries.size(), 4u);
  std::vector<std::pair<std::string, std::string>> seen;
  for (const RespValue& e : entries) {
    auto f = Fields(e);
    seen.emplace_back(f["op"], f["id"]);
    EXPECT_FALSE(f["at"].empty());
  }
  const std::string sid = std::to_string(id);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"created", sid}, {"updated", sid}, {"updated", "7"}, {"deleted", sid}}));
  EXPECT_EQ(Fields(entries[0])["sku"], "FEED-1");
  EXPECT_EQ(Fields(entries[0])["category"], "feeds");
  // Acknowledged, nothing is pending.
  std::vector<std::string> ack = {"XACK", "catalog:changes", "search-index"};
  for (const RespValue& e : entries) ack.push_back(e.elems[0].str);
  EXPECT_EQ(r.Call(ack).value.integer, 4);
  EXPECT_EQ(Metric(catalog_.port(), "catalog_changes_published_total"), 4);
}

// Writes made while the cache is down reach the stream once it is back, in order.
TEST_F(CatalogTest, ChangesMadeWhileTheCacheIsDownArePublishedLater) {
  StartAll(50);
  HttpClient c(catalog_.port());
  cache_.Kill9();
  for (int i = 1; i <= 3; ++i) {
    ASSERT_EQ(c.Request("PATCH", "/api/products/" + std::to_string(i), R"({"stock": 1})", Auth()).status, 200);
  }
  ASSERT_TRUE(cache_.Restart());  // empty: nothing persisted
  RespClient r;
  ASSERT_TRUE(r.Connect(cache_.port()));
  Reply all;
  for (int i = 0; i < 100; ++i) {
    all = r.Call({"XRANGE", "catalog:changes", "-", "+"});
    if (all.value.elems.size() >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(all.value.elems.size(), 3u) << all.value.DebugString();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Fields(all.value.elems[static_cast<size_t>(i)])["id"], std::to_string(i + 1));
}

// The stream is capped near --changes-maxlen; --changes-maxlen 0 publishes nothing.
TEST_F(CatalogTest, TheFeedIsCappedAndCanBeTurnedOff) {
  StartAll(50, {"--changes-maxlen", "5"});
  HttpClient c(catalog_.port());
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(c.Request("PATCH", "/api/products/1", "{\"stock\": " + std::to_string(i) + "}", Auth()).status, 200);
  }
  RespClient r;
  ASSERT_TRUE(r.Connect(cache_.port()));
  // Approximate: whole nodes of 100 entries go once past the cap.
  EXPECT_LE(r.Call({"XLEN", "catalog:changes"}).value.integer, 105);
  Reply last = r.Call({"XREVRANGE", "catalog:changes", "+", "-", "COUNT", "1"});
  EXPECT_EQ(Fields(last.value.elems[0])["id"], "1");

  ASSERT_EQ(catalog_.Stop(), 0);
  catalog_ = CatalogProcess::Start(50, {"--cache-url", "redis://127.0.0.1:" + std::to_string(cache_.port()),
                                        "--admin-token", kToken, "--changes-maxlen", "0"});
  ASSERT_TRUE(catalog_.ok()) << catalog_.error();
  const int64_t before = r.Call({"XINFO", "STREAM", "catalog:changes"}).value.elems[11].integer;  // entries-added
  HttpClient c2(catalog_.port());
  ASSERT_EQ(c2.Request("PATCH", "/api/products/2", R"({"stock": 3})", Auth()).status, 200);
  EXPECT_EQ(r.Call({"XINFO", "STREAM", "catalog:changes"}).value.elems[11].integer, before);
}

}  // namespace
}  // namespace minired::testing
