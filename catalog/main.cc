// minired-catalog: the product-catalog HTTP API with minired as its cache, and its
// seeder. See docs/catalog.md.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <thread>

#include "catalog/cache.h"
#include "catalog/catalog_service.h"
#include "catalog/change_feed.h"
#include "catalog/database.h"
#include "catalog/http_api.h"
#include "catalog/metrics.h"
#include "catalog/options.h"
#include "catalog/seeder.h"
#include "catalog/views.h"

namespace minired::catalog {
namespace {

int RunSeed(const SeedOptions& o) {
  Database db(o.db_path, nullptr);
  auto start = std::chrono::steady_clock::now();
  int64_t n = Seed(o, &db);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("seeded {} products into {} in {:.1f} s\n", n, o.db_path, s);
  return 0;
}

// Flushes views and retries failed invalidations until stopped, then flushes once more.
class Background {
 public:
  Background(Views* views, Cache* cache, ChangeFeed* changes, std::chrono::milliseconds every)
      : thread_([=, this] {
          std::unique_lock<std::mutex> l(mu_);
          while (!stop_) {
            cv_.wait_for(l, every, [&] { return stop_; });
            l.unlock();
            Tick(views, cache, changes);
            l.lock();
          }
        }) {}
  ~Background() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  static void Tick(Views* views, Cache* cache, ChangeFeed* changes) {
    try {
      if (cache) cache->RetryInvalidations();
      if (changes) changes->Flush();  // what a failed send left queued
      views->Flush();
    } catch (const std::exception& e) {
      fmt::print(stderr, "background flush failed (will retry): {}\n", e.what());
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

int RunServe(const ServeOptions& o) {
  Metrics metrics;
  Database db(o.db_path, &metrics);
  std::unique_ptr<Cache> cache;
  if (o.cache) {
    cache = std::make_unique<Cache>(o, &metrics);
    metrics.SetNearCache(cache->near_cache());
  }
  std::unique_ptr<ChangeFeed> changes;
  if (cache && o.changes_max_len > 0) changes = std::make_unique<ChangeFeed>(cache.get(), o.changes_max_len, &metrics);
  CatalogService products(&db, cache.get(), &metrics, changes.get());
  Views views(&db, cache.get(), &products, &metrics);
  {
    Background background(&views, cache.get(), changes.get(), o.views_flush);
    fmt::print("minired-catalog listening on http://{}:{} (database {}, cache {})\n", o.bind, o.port, o.db_path,
               o.cache ? o.cache_url : std::string("off"));
    std::fflush(stdout);
    ServeHttp(ApiContext{&o, &db, cache.get(), &products, &views, &metrics});
  }
  Background::Tick(&views, cache.get(), changes.get());  // the last views and changes go out
  fmt::print("minired-catalog stopped\n");
  return 0;
}

}  // namespace
}  // namespace minired::catalog

int main(int argc, char** argv) {
  using namespace minired::catalog;
  std::vector<std::string> args(argv + 1, argv + argc);
  ParsedCommandLine cl = ParseCommandLine(args);
  if (!cl.error.empty()) {
    fmt::print(stderr, "minired-catalog: {}", cl.error);
    return 2;
  }
  try {
    if (auto* help = std::get_if<HelpRequest>(&cl.what)) {
      fmt::print("{}", help->text);
      return 0;
    }
    if (auto* seed = std::get_if<SeedOptions>(&cl.what)) return RunSeed(*seed);
    return RunServe(std::get<ServeOptions>(cl.what));
  } catch (const std::exception& e) {
    fmt::print(stderr, "minired-catalog: {}\n", e.what());
    return 1;
  }
}
