// The catalog's HTTP API as its clients see it: pagination, CRUD with validation,
// authorization, and malformed requests.
#include "tests/catalog/catalog_fixture.h"

namespace minired::testing {
namespace {

using nlohmann::json;

TEST_F(CatalogTest, PaginationEdges) {
  StartAll(1000);
  HttpClient c(catalog_.port());
  json first = Json(c.Get("/api/products?page=1"));
  EXPECT_EQ(first["size"], 80);
  EXPECT_EQ(first["total"], 1000);
  EXPECT_EQ(first["total_pages"], 13);
  ASSERT_EQ(first["items"].size(), 80u);
  EXPECT_EQ(first["items"][0]["rank"], 1);
  json last = Json(c.Get("/api/products?page=13"));
  EXPECT_EQ(last["items"].size(), 40u) << "1000 - 12 * 80";
  EXPECT_TRUE(last["next_cursor"].is_null());
  json past = Json(c.Get("/api/products?page=14"));
  EXPECT_EQ(past["items"].size(), 0u);
  EXPECT_EQ(past["total"], 1000);
  json capped = Json(c.Get("/api/products?size=100000"));
  EXPECT_EQ(capped["size"], 200);
  EXPECT_EQ(capped["items"].size(), 200u);
  for (const char* bad : {"/api/products?page=0", "/api/products?page=-1", "/api/products?page=abc",
                          "/api/products?size=0", "/api/products?size=1x", "/api/products?sort=name",
                          "/api/products?after=zz", "/api/products?page=1&after=1_2"}) {
    HttpResponse r = c.Get(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(Json(r).contains("field")) << bad << ": " << r.body;
  }
  // Sorted by price, and the same order again through keyset pagination.
  json by_price = Json(c.Get("/api/products?sort=price&size=50&page=2"));
  json keyset1 = Json(c.Get("/api/products?sort=price&size=50"));
  json keyset2 = Json(c.Get("/api/products?sort=price&size=50&after=" + keyset1["next_cursor"].get<std::string>()));
  EXPECT_EQ(by_price["items"], keyset2["items"]);
  for (size_t i = 1; i < by_price["items"].size(); ++i) {
    EXPECT_LE(by_price["items"][i - 1]["price"].get<double>(), by_price["items"][i]["price"].get<double>());
  }
  // A category filter counts only that category.
  json cats = Json(c.Get("/api/categories"));
  std::string name = cats["items"][0]["name"];
  json in_cat = Json(c.Get("/api/products?category=" + name + "&size=200"));
  EXPECT_EQ(in_cat["total"], cats["items"][0]["products"]);
  for (const auto& p : in_cat["items"]) EXPECT_EQ(p["category"], name);
  // Newest first.
  json newest = Json(c.Get("/api/products?sort=newest&size=10"));
  for (size_t i = 1; i < newest["items"].size(); ++i) {
    EXPECT_GE(newest["items"][i - 1]["created_at"].get<std::string>(), newest["items"][i]["created_at"].get<std::string>());
  }
}

TEST_F(CatalogTest, CrudWithValidation) {
  StartAll(10);
  HttpClient c(catalog_.port());
  HttpResponse created = c.Request("POST", "/api/products", NewProductBody("NEW-1", "shoes", 19.99), Auth());
  ASSERT_EQ(created.status, 201) << created.body;
  json p = Json(created);
  int64_t id = p["id"];
  EXPECT_EQ(p["price"], 19.99);
  EXPECT_EQ(Json(c.Get("/api/products/" + std::to_string(id)))["sku"], "NEW-1");

  // Conflicts and validation errors name the field.
  EXPECT_EQ(c.Request("POST", "/api/products", NewProductBody("NEW-1", "shoes", 1), Auth()).status, 409);
  struct Bad {
    std::string body, field;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"({"sku":"A","name":"n","category":"c","brand":"b","price":-1,"image_url":"u","stock":1})", "price"},
           {R"({"sku":"A","name":"n","category":"c","brand":"b","price":1.234,"image_url":"u","stock":1})", "price"},
           {R"({"sku":"A","name":"","category":"c","brand":"b","price":1,"image_url":"u","stock":1})", "name"},
           {R"({"sku":"A","name":"n","category":"c","brand":"b","price":1,"image_url":"u","stock":"x"})", "stock"},
           {R"({"sku":"A","name":"n","category":"c","brand":"b","price":1,"image_url":"u"})", "stock"},
           {R"({"sku":"A","name":"n","category":"c","brand":"b","price":1,"image_url":"u","stock":1,"color":1})", "color"},
           {R"({"sku":"A", "name": )", "body"},
           {R"([1,2])", "body"}}) {
    HttpResponse r = c.Request("POST", "/api/products", b.body, Auth());
    EXPECT_EQ(r.status, 400) << b.body;
    EXPECT_EQ(Json(r)["field"], b.field) << r.body;
  }

  // PUT replaces, PATCH changes some fields, both 404 for a missing id.
  HttpResponse put = c.Request("PUT", "/api/products/" + std::to_string(id), NewProductBody("NEW-1b", "bags", 5), Auth());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Json(put)["category"], "bags");
  HttpResponse patch = c.Request("PATCH", "/api/products/" + std::to_string(id), R"({"stock": 42})", Auth());
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(Json(patch)["stock"], 42);
  EXPECT_EQ(Json(patch)["sku"], "NEW-1b");
  EXPECT_EQ(c.Request("PATCH", "/api/products/" + std::to_string(id), R"({})", Auth()).status, 400);
  EXPECT_EQ(c.Request("PATCH", "/api/products/999999", R"({"stock": 1})", Auth()).status, 404);
  EXPECT_EQ(c.Request("PUT", "/api/products/999999", NewProductBody("X", "y", 1), Auth()).status, 404);
  EXPECT_EQ(c.Request("PATCH", "/api/products/1", R"({"sku": "NEW-1b"})", Auth()).status, 409);

  // DELETE, then it is gone.
  EXPECT_EQ(c.Request("DELETE", "/api/products/" + std::to_string(id), "", Auth()).status, 204);
  EXPECT_EQ(c.Get("/api/products/" + std::to_string(id)).status, 404);
  EXPECT_EQ(c.Request("DELETE", "/api/products/" + std::to_string(id), "", Auth()).status, 404);
  EXPECT_EQ(c.Get("/api/products/abc").status, 400);
  EXPECT_EQ(c.Get("/api/products/0").status, 400);
}

TEST_F(CatalogTest, WritesNeedTheBearerToken) {
  StartAll(5);
  HttpClient c(catalog_.port());
  const std::string body = NewProductBody("T-1", "shoes", 1);
  EXPECT_EQ(c.Request("POST", "/api/products", body).status, 401);
  EXPECT_EQ(c.Request("POST", "/api/products", body, {{"Authorization", "Bearer wrong-token"}}).status, 401);
  EXPECT_EQ(c.Request("POST", "/api/products", body, {{"Authorization", "Basic dGVzdDp0ZXN0"}}).status, 401);
  EXPECT_EQ(c.Request("DELETE", "/api/products/1").status, 401);
  EXPECT_EQ(c.Request("PATCH", "/api/products/1", R"({"stock":1})").status, 401);
  EXPECT_EQ(c.Get("/api/products/1").status, 200) << "reads are public";
  EXPECT_EQ(c.Request("POST", "/api/products", body, Auth()).status, 201);
}

TEST_F(CatalogTest, MalformedHttpAndUnknownRoutes) {
  StartAll(5);
  HttpClient c(catalog_.port());
  EXPECT_EQ(c.Get("/nope").status, 404);
  EXPECT_EQ(Json(c.Get("/nope"))["error"], "no route for GET /nope");
  {
    HttpClient raw(catalog_.port());
    HttpResponse r = raw.Raw("THIS IS NOT HTTP\r\n\r\n");
    EXPECT_NE(r.status, 200);
  }
  {
    HttpClient big(catalog_.port());
    HttpResponse r = big.Request("POST", "/api/products", std::string(200'000, 'x'), Auth());
    EXPECT_NE(r.status, 201) << "bodies over --max-body-bytes are refused";
    EXPECT_NE(r.status, 200);
  }
  {
    HttpClient huge_url(catalog_.port());
    EXPECT_NE(huge_url.Get("/api/products?category=" + std::string(20'000, 'a')).status, 200);
  }
  // Everyone else is still served.
  EXPECT_EQ(c.Get("/api/products?page=1").status, 200);
  EXPECT_EQ(c.Get("/healthz").status, 200);
}

TEST(CatalogCommandLine, BadFlagsAreNamed) {
  std::string out;
  EXPECT_EQ(RunCatalog({"--port", "99999"}, &out), 2);
  EXPECT_NE(out.find("bad value '99999' for --port"), std::string::npos) << out;
  EXPECT_EQ(RunCatalog({"--cache", "maybe"}, &out), 2);
  EXPECT_NE(out.find("--cache: expected on or off"), std::string::npos) << out;
  EXPECT_EQ(RunCatalog({"--frobnicate"}, &out), 2);
  EXPECT_NE(out.find("unknown flag '--frobnicate'"), std::string::npos) << out;
  EXPECT_EQ(RunCatalog({"seed", "--categories", "3"}, &out), 2);
  EXPECT_NE(out.find("seed needs --products N"), std::string::npos) << out;
  EXPECT_EQ(RunCatalog({"--db", "/nonexistent-dir/x.sqlite", "--port", "0"}, &out), 1);
  EXPECT_NE(out.find("cannot open database"), std::string::npos) << out;
}

}  // namespace
}  // namespace minired::testing
