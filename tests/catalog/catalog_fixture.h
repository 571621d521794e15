// Shared pieces of the catalog's HTTP tests: a minired-server plus a minired-catalog
// on a seeded database, and helpers to read JSON bodies and /metrics counters.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/testing/catalog_process.h"
#include "tests/testing/http_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {

inline constexpr const char* kToken = "test-token";

inline nlohmann::json Json(const HttpResponse& r) { return nlohmann::json::parse(r.body, nullptr, false); }

inline std::map<std::string, std::string> Auth() { return {{"Authorization", std::string("Bearer ") + kToken}}; }

// The value of one sample line of /metrics ("name{labels}"), 0 when absent.
inline double Metric(int port, const std::string& sample) {
  HttpClient c(port);
  std::string text = c.Get("/metrics").body;
  size_t at = text.find("\n" + sample + " ");
  if (at == std::string::npos) return 0;
  return std::stod(text.substr(at + sample.size() + 2));
}

inline std::string NewProductBody(const std::string& sku, const std::string& category, double price) {
  return nlohmann::json{{"sku", sku},          {"name", "Test " + sku}, {"category", category},
                        {"brand", "Acme"},     {"price", price},         {"image_url", "https://img/x.jpg"},
                        {"stock", 5},          {"rank", 1}}
      .dump();
}

// minired-server (no persistence) and a catalog using it as cache.
class CatalogTest : public ::testing::Test {
 protected:
  void StartAll(int64_t products, std::vector<std::string> extra = {}) {
    cache_ = TestProcess::StartMinired({"--appendonly", "no", "--save", ""});
    ASSERT_TRUE(cache_.ok()) << cache_.error();
    std::vector<std::string> args{"--cache-url", "redis://127.0.0.1:" + std::to_string(cache_.port()),
                                  "--admin-token", kToken, "--views-flush-ms", "100"};
    args.insert(args.end(), extra.begin(), extra.end());
    catalog_ = CatalogProcess::Start(products, args);
    ASSERT_TRUE(catalog_.ok()) << catalog_.error();
  }
  TestProcess cache_;
  CatalogProcess catalog_;
};

}  // namespace minired::testing
