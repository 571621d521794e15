// RESTinio 0.6 still calls Asio functions that ASIO_NO_DEPRECATED (set for the rest of
// minired) hides; this file is the only one that includes RESTinio.
#undef ASIO_NO_DEPRECATED

#include "catalog/http_api.h"

#include <restinio/all.hpp>
#include <restinio/router/easy_parser_router.hpp>

#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <thread>

#include <fmt/format.h>

#include "catalog/cache.h"
#include "catalog/catalog_service.h"
#include "catalog/metrics.h"
#include "catalog/views.h"
#include "catalog/work_queue.h"

namespace minired::catalog {
namespace {

namespace epr = restinio::router::easy_parser_router;
using Router = restinio::router::easy_parser_router_t;
using Traits = restinio::traits_t<restinio::asio_timer_manager_t, restinio::null_logger_t, Router>;
using Request = restinio::request_handle_t;

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
  }
  return "Unknown";
}

// Takes the result to move its body into the response: a page is tens of kilobytes.
restinio::request_handling_status_t Send(const Request& req, ApiResult r,
                                         const char* content_type = "application/json") {
  auto resp = req->create_response(restinio::http_status_line_t{restinio::http_status_code_t{uint16_t(r.status)},
                                                                Reason(r.status)});
  if (r.status == 401) resp.append_header("WWW-Authenticate", "Bearer");
  if (!r.body.empty()) resp.append_header(restinio::http_field::content_type, content_type);
  return resp.set_body(std::move(r.body)).done();
}

// Constant time in the token's length: a stranger learns nothing from timing.
bool TokenMatches(std::string_view given, const std::string& expected) {
  if (given.size() != expected.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return diff == 0;
}

std::optional<int64_t> PositiveInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 1) return std::nullopt;
  return v;
}

class Api {
 public:
  Api(const ApiContext& ctx, WorkQueue* workers) : ctx_(ctx), workers_(workers) {}

  std::unique_ptr<Router> Routes() {
    auto r = std::make_unique<Router>();
    r->http_get(epr::path_to_params("/healthz"), [this](const Request& q) { return Timed("/healthz", q, [=, this] { return Health(); }); });
    r->http_get(epr::path_to_params("/metrics"), [this](const Request& q) {
      return Timed("/metrics", q, [=, this] { return ApiResult{200, ctx_.metrics->Render()}; }, "text/plain; version=0.0.4");
    });
    r->http_get(epr::path_to_params("/api/products"), [this](const Request& q) { return ListRoute(q); });
    r->http_post(epr::path_to_params("/api/products"), [this](const Request& q) {
      return Timed("/api/products", q, [=, this] { return Authorized(q, [&] { return ctx_.products->Create(q->body()); }); });
    });
    auto by_id = epr::path_to_params("/api/products/", epr::path_fragment_p());
    r->http_get(by_id, [this](const Request& q, std::string id) {
      return Timed("/api/products/{id}", q, [=, this] { return WithId(id, [&](int64_t n) { return ctx_.products->Get(n); }); });
    });
    r->http_put(by_id, [this](const Request& q, std::string id) {
      return Timed("/api/products/{id}", q, [=, this] {
        return Authorized(q, [&] { return WithId(id, [&](int64_t n) { return ctx_.products->Replace(n, q->body()); }); });
      });
    });
    r->add_handler(restinio::http_method_patch(), by_id, [this](const Request& q, std::string id) {
      return Timed("/api/products/{id}", q, [=, this] {
        return Authorized(q, [&] { return WithId(id, [&](int64_t n) { return ctx_.products->Patch(n, q->body()); }); });
      });
    });
    r->http_delete(by_id, [this](const Request& q, std::string id) {
      return Timed("/api/products/{id}", q, [=, this] {
        return Authorized(q, [&] { return WithId(id, [&](int64_t n) { return ctx_.products->Remove(n); }); });
      });
    });
    r->http_post(epr::path_to_params("/api/products/", epr::path_fragment_p(), "/views"),
                 [this](const Request& q, std::string id) {
                   return Timed("/api/products/{id}/views", q,
                                [=, this] { return WithId(id, [&](int64_t n) { return ctx_.views->Record(n); }); });
                 });
    r->http_get(epr::path_to_params("/api/categories"),
                [this](const Request& q) { return Timed("/api/categories", q, [=, this] { return ctx_.products->Categories(); }); });
    r->http_get(epr::path_to_params("/api/rankings/", epr::path_fragment_p() >> epr::unescape()),
                [this](const Request& q, std::string category) {
                  return Timed("/api/rankings/{category}", q, [=, this] { return Ranking(q, category); });
                });
    r->non_matched_request_handler([this](const Request& q) {
      return Timed("other", q, [q] {
        return JsonError(404, "", fmt::format("no route for {} {}", q->header().method().c_str(), q->header().path()));
      });
    });
    return r;
  }

 private:
  using Clock = std::chrono::steady_clock;

  // Queues the handler on the workers (first come, first served) and answers from
  // there; fn must own what it uses.
  template <typename Fn>
  restinio::request_handling_status_t Timed(const char* route, const Request& q, Fn fn,
                                            const char* content_type = "application/json") {
    Queue(route, q, std::move(fn), content_type, Clock::now());
    return restinio::request_accepted();
  }

  template <typename Fn>
  void Queue(const char* route, const Request& q, Fn fn, const char* content_type, Clock::time_point start) {
    workers_->Post([this, route, q, fn = std::move(fn), content_type, start]() mutable {
      ApiResult r;
      try {
        r = fn();
      } catch (const DbError& e) {
        r = JsonError(503, "", std::string("database unavailable: ") + e.what());
      } catch (const std::exception& e) {
        r = JsonError(500, "", e.what());
      }
      Answer(route, q, std::move(r), content_type, start);
    });
  }

  void Answer(const char* route, const Request& q, ApiResult r, const char* content_type,
              Clock::time_point start) {
    const int status = r.status;
    Send(q, std::move(r), status == 200 ? content_type : "application/json");
    ctx_.metrics->ObserveRequest(route, q->header().method().c_str(), status,
                                 std::chrono::duration<double>(Clock::now() - start).count());
  }

  // A page whose body and count are cached is answered from the cache's I/O thread as
  // its lookup completes: no worker is woken and none waits. Anything else (a miss, a
  // failed cache, --cache off) goes to the workers, which look again and load.
  restinio::request_handling_status_t ListRoute(const Request& q) {
    constexpr const char* kRoute = "/api/products";
    const Clock::time_point start = Clock::now();
    ListQuery lq;
    if (std::optional<ApiResult> bad = ParseList(q, &lq)) {
      Answer(kRoute, q, *bad, "application/json", start);
      return restinio::request_accepted();
    }
    auto on_workers = [this, lq] { return ctx_.products->List(lq); };
    if (ctx_.cache == nullptr) {
      Queue(kRoute, q, std::move(on_workers), "application/json", start);
      return restinio::request_accepted();
    }
    lookups_in_flight_.fetch_add(1);
    ctx_.products->ListCachedAsync(lq, [this, q, start, on_workers](std::optional<ApiResult> page) {
      bool answered = false;
      if (page) {
        try {
          Answer(kRoute, q, std::move(*page), "application/json", start);
          answered = true;
        } catch (const std::exception&) {  // e.g. no memory for the response: the workers retry
        }
      }
      if (!answered) Queue(kRoute, q, on_workers, "application/json", start);
      lookups_in_flight_.fetch_sub(1);
    });
    return restinio::request_accepted();
  }

 public:
  // Until every lookup sent by ListRoute has come back (each is bounded by the cache
  // timeout): their callbacks use this object and the workers.
  void WaitForLookups() const {
    while (lookups_in_flight_.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

 private:
  template <typename Fn>
  ApiResult Authorized(const Request& q, Fn&& fn) {
    const std::string& token = ctx_.options->admin_token;
    if (token.empty()) return JsonError(401, "", "writes are disabled: start with --admin-token or MINIRED_CATALOG_TOKEN");
    auto auth = q->header().opt_value_of(restinio::http_field::authorization);
    constexpr std::string_view kBearer = "Bearer ";
    if (!auth || auth->size() < kBearer.size() || std::string_view(*auth).substr(0, kBearer.size()) != kBearer ||
        !TokenMatches(std::string_view(*auth).substr(kBearer.size()), token)) {
      return JsonError(401, "", "missing or wrong bearer token");
    }
    return fn();
  }

  template <typename Fn>
  ApiResult WithId(const std::string& id, Fn&& fn) {
    std::optional<int64_t> n = PositiveInt(id);
    if (!n) return JsonError(400, "id", "must be a positive integer");
    return fn(*n);
  }

  ApiResult Health() {
    nlohmann::json doc{{"status", "ok"}};
    ctx_.db->MaxId();  // throws DbError (503) when the database is unusable
    doc["database"] = "ok";
    if (ctx_.cache == nullptr) {
      doc["cache"] = "off";
    } else {
      auto pong = ctx_.cache->Run(client::Command("PING"));
      doc["cache"] = pong && !pong->is_error() ? "up" : "down (serving from the database)";
    }
    return ApiResult{200, doc.dump()};
  }

  // The list's query string as a ListQuery; the 400 naming the field otherwise.
  std::optional<ApiResult> ParseList(const Request& q, ListQuery* out) {
    auto params = restinio::try_parse_query<restinio::parse_query_traits::javascript_compatible>(q->header().query());
    if (!params) return JsonError(400, "query", "is malformed");
    ListQuery& lq = *out;
    lq.size = CatalogService::kDefaultPageSize;
    if (auto v = params->get_param("page")) {
      auto n = PositiveInt(*v);
      if (!n || *n > 1'000'000'000) return JsonError(400, "page", "must be a positive integer");
      lq.page = *n;
    }
    if (auto v = params->get_param("size")) {
      auto n = PositiveInt(*v);
      if (!n) return JsonError(400, "size", "must be a positive integer");
      lq.size = std::min(*n, CatalogService::kMaxPageSize);
    }
    if (auto v = params->get_param("category")) {
      if (v->empty() || v->size() > 64) return JsonError(400, "category", "must be 1 to 64 bytes");
      lq.category = std::string(*v);
    }
    if (auto v = params->get_param("sort")) {
      auto s = ParseSortOrder(*v);
      if (!s) return JsonError(400, "sort", "must be rank, price or newest");
      lq.sort = *s;
    }
    if (auto v = params->get_param("after")) {
      lq.after = Cursor::Decode(*v);
      if (!lq.after) return JsonError(400, "after", "is not a cursor from next_cursor");
      if (params->has("page")) return JsonError(400, "after", "cannot be combined with page");
    }
    return std::nullopt;
  }

  ApiResult Ranking(const Request& q, const std::string& category) {
    auto params = restinio::try_parse_query<restinio::parse_query_traits::javascript_compatible>(q->header().query());
    if (!params) return JsonError(400, "query", "is malformed");
    int64_t limit = 10;
    if (auto v = params->get_param("limit")) {
      auto n = PositiveInt(*v);
      if (!n || *n > 100) return JsonError(400, "limit", "must be from 1 to 100");
      limit = *n;
    }
    if (category.empty() || category.size() > 64) return JsonError(400, "category", "must be 1 to 64 bytes");
    return ctx_.views->Ranking(category, limit);
  }

  const ApiContext ctx_;
  WorkQueue* const workers_;
  std::atomic<int> lookups_in_flight_{0};
};

}  // namespace

void ServeHttp(const ApiContext& ctx) {
  const ServeOptions& o = *ctx.options;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  WorkQueue workers(o.threads > 0 ? o.threads : 4 * cores);
  Api api(ctx, &workers);
  asio::io_context ioctx;
  using Server = restinio::http_server_t<Traits>;
  Server server{restinio::external_io_context(ioctx), [&](auto& s) {
                  s.port(o.port)
                      .address(o.bind)
                      .request_handler(api.Routes())
                      .read_next_http_message_timelimit(o.read_timeout)
                      .write_http_response_timelimit(o.read_timeout)
                      .handle_request_timeout(o.handler_timeout)
                      .max_pipelined_requests(16)
                      .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                                    .max_url_size(8192)
                                                    .max_field_name_size(1024)
                                                    .max_field_value_size(8192)
                                                    .max_field_count(100)
                                                    .max_body_size(o.max_body_bytes));
                }};
  asio::signal_set signals(ioctx, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& ec, int) {
    if (ec) return;
    server.close_async([&] { ioctx.stop(); }, [&](std::exception_ptr) { ioctx.stop(); });
  });
  // Connections on one thread per core; handlers on the workers.
  restinio::run(restinio::on_thread_pool(static_cast<size_t>(cores), restinio::skip_break_signal_handling(), server));
  // Handlers still queued answer now, while the server and its context exist (their
  // responses go nowhere: the connections are closed).
  api.WaitForLookups();
  workers.Stop();
}

}  // namespace minired::catalog
