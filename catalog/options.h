// The command lines of minired-catalog: `minired-catalog [serve flags]` runs the API,
// `minired-catalog seed [seed flags]` fills the database. A bad flag is reported by
// name and stops the program before anything is opened.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace minired::catalog {

struct ServeOptions {
  std::string bind = "127.0.0.1";
  uint16_t port = 8080;
  std::string db_path = "catalog.sqlite";
  bool cache = true;
  std::string cache_url = "redis://127.0.0.1:6379";
  // Replicas (or proxies in front of them) for cache reads; writes go to cache_url.
  std::vector<std::string> cache_read_urls;
  // After this process changes a scope, its reads go to cache_url for this long, so a
  // client reads its own write while replicas catch up.
  std::chrono::milliseconds read_own_writes{1000};
  int cache_ttl_s = 300;
  // A cache slower than this counts as down for that request: the database answers.
  std::chrono::milliseconds cache_timeout{250};
  // A write waits this long for its invalidation to reach an unreachable cache before it
  // is acknowledged anyway (its invalidation then owed and retried): while it waits, no
  // other catalog process can read the entry it made stale (catalog/cache.h).
  std::chrono::milliseconds invalidation_wait{2000};
  // Invalidate with one script (one round trip) rather than three pipelines; off behind
  // a sharding proxy (twemproxy runs a script on one server only).
  bool cache_scripts = true;
  // Every product change is appended to the stream catalog:changes, capped at about this
  // many entries (XADD MAXLEN ~); 0: no change feed (catalog/change_feed.h). Unset (-1):
  // 100,000, or 0 with --cache-scripts off, the setting for a sharding proxy: twemproxy
  // forwards no stream command (it drops the connection that sends one).
  int64_t changes_max_len = -1;
  // The near cache (catalog/cache.h): entries kept in this process, dropped when the
  // server invalidates them (CLIENT TRACKING); its size in MB, 0 for none. Unset (-1):
  // 64, or 0 with --cache-scripts off (a sharding proxy forwards no CLIENT TRACKING) or
  // with --cache-read-url (replicas answer the lookups).
  int64_t near_cache_mb = -1;
  std::string admin_token;  // --admin-token or MINIRED_CATALOG_TOKEN; empty: writes refused
  int threads = 0;          // HTTP worker threads; 0: 4 per core
  std::chrono::milliseconds views_flush{1000};
  size_t max_body_bytes = 64 * 1024;
  std::chrono::milliseconds read_timeout{10000};     // idle keep-alive and slow request
  std::chrono::milliseconds handler_timeout{10000};  // one request's handling
};

struct SeedOptions {
  std::string db_path = "catalog.sqlite";
  int64_t products = 32000;
  int categories = 40;
  uint64_t random_seed = 42;
  bool reset = false;  // delete existing products first
  bool progress = true;
};

struct HelpRequest {
  std::string text;
};

// Either what to do, or a usage error naming the flag (returned in `error`).
struct ParsedCommandLine {
  std::variant<ServeOptions, SeedOptions, HelpRequest> what;
  std::string error;
};

ParsedCommandLine ParseCommandLine(const std::vector<std::string>& args);

}  // namespace minired::catalog
