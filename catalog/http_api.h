// The HTTP/1.1 side: RESTinio routes onto CatalogService and Views, JSON errors,
// bearer-token checks for writes, per-route metrics, and the server's limits
// (request size, header count, idle and handling timeouts, pipelining).
#pragma once

#include <memory>

#include "catalog/options.h"

namespace minired::catalog {

class CatalogService;
class Views;
class Metrics;
class Database;
class Cache;

struct ApiContext {
  const ServeOptions* options;
  Database* db;
  Cache* cache;  // null with --cache off
  CatalogService* products;
  Views* views;
  Metrics* metrics;
};

// Serves until SIGINT or SIGTERM; returns once every connection is closed.
// Throws std::exception when it cannot listen.
void ServeHttp(const ApiContext& ctx);

}  // namespace minired::catalog
