-- wrk script: each request opens a random page of the product list.
--   PAGES (default 400), SIZE (default 80): the catalog's shape
--   THINK_MS (default 0): pause per request, 1000 for "100 users, 1 s think time"
--   WRITE_PCT (default 0), TOKEN: that share of requests are writes (half price
--     updates by PATCH, half view counts), for the mixed scenario
-- Prints a JSON summary line (prefixed "SUMMARY ") that bench/catalog-load parses.
local pages = tonumber(os.getenv("PAGES") or "400")
local size = tonumber(os.getenv("SIZE") or "80")
local think = tonumber(os.getenv("THINK_MS") or "0")
local write_pct = tonumber(os.getenv("WRITE_PCT") or "0")
local products = tonumber(os.getenv("PRODUCTS") or tostring(pages * size))
local token = os.getenv("TOKEN") or ""

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  writes, views = 0, 0
end

function delay()
  if think > 0 then return math.random(math.floor(think / 2), think + math.floor(think / 2)) end
  return 0
end

function request()
  if write_pct > 0 and math.random(100) <= write_pct then
    local pid = math.random(products)
    if math.random(2) == 1 then
      views = views + 1
      return wrk.format("POST", "/api/products/" .. pid .. "/views")
    end
    writes = writes + 1
    local body = string.format('{"price": %d.%02d}', math.random(1, 500), math.random(0, 99))
    return wrk.format("PATCH", "/api/products/" .. pid,
      {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", "/api/products?page=" .. math.random(pages) .. "&size=" .. size)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'SUMMARY {"requests": %d, "seconds": %.3f, "errors": %d, "non2xx": %d, "timeouts": %d, ' ..
    '"mean_ms": %.3f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "bytes": %d}\n',
    summary.requests, summary.duration / 1e6, errors, summary.errors.status, summary.errors.timeout,
    latency.mean / 1e3, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, summary.bytes))
end
