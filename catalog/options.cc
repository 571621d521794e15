#include "catalog/options.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

namespace minired::catalog {
namespace {

constexpr const char* kUsage =
    "usage: minired-catalog [--port 8080] [--bind 127.0.0.1] [--db catalog.sqlite]\n"
    "                       [--cache on|off] [--cache-url redis://127.0.0.1:6379] [--cache-ttl 300]\n"
    "                       [--cache-read-url redis://replica:6380[,...]] [--read-own-writes-ms 1000]\n"
    "                       [--cache-timeout-ms 250] [--cache-scripts on|off] [--changes-maxlen 100000]\n"
    "                       [--near-cache-mb 64] [--invalidation-wait-ms 2000]\n"
    "                       [--admin-token TOKEN]\n"
    "                       [--threads N]\n"
    "                       [--views-flush-ms 1000] [--max-body-bytes 65536] [--read-timeout-ms 10000]\n"
    "       minired-catalog seed [--db catalog.sqlite] --products N [--categories K] [--seed S]\n"
    "                       [--reset] [--no-progress]\n"
    "Writes need Authorization: Bearer <token>, the token from --admin-token or MINIRED_CATALOG_TOKEN.\n";

bool ParseInt(const std::string& s, int64_t lo, int64_t hi, int64_t* out) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

// One flag: its name, whether it takes a value, and what it does with it (false: bad value).
struct Flag {
  bool takes_value;
  std::function<bool(const std::string&)> apply;
  std::string expects;  // for the error message
};

// An integer flag in [lo, hi], handed to `set`.
Flag RangeFlag(int64_t lo, int64_t hi, std::string expects, std::function<void(int64_t)> set) {
  return Flag{true,
              [=](const std::string& v) {
                int64_t n;
                if (!ParseInt(v, lo, hi, &n)) return false;
                set(n);
                return true;
              },
              expects + " from " + std::to_string(lo) + " to " + std::to_string(hi)};
}

template <typename T>
Flag IntFlag(T* target, int64_t lo, int64_t hi) {
  return RangeFlag(lo, hi, "an integer", [=](int64_t n) { *target = static_cast<T>(n); });
}

Flag MsFlag(std::chrono::milliseconds* target, int64_t lo, int64_t hi) {
  return RangeFlag(lo, hi, "milliseconds", [=](int64_t n) { *target = std::chrono::milliseconds(n); });
}

Flag OnOffFlag(bool* target) {
  return Flag{true,
              [=](const std::string& v) {
                if (v != "on" && v != "off") return false;
                *target = v == "on";
                return true;
              },
              "on or off"};
}

Flag StringFlag(std::string* target) {
  return Flag{true,
              [=](const std::string& v) {
                if (v.empty()) return false;
                *target = v;
                return true;
              },
              "a non-empty value"};
}

// Applies `flags` to args[start..]; the error names the flag.
std::string ApplyFlags(const std::vector<std::string>& args, size_t start, const std::map<std::string, Flag>& flags) {
  for (size_t i = start; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto it = flags.find(a);
    if (it == flags.end()) return "unknown flag '" + a + "'";
    if (!it->second.takes_value) {
      it->second.apply("");
      continue;
    }
    if (i + 1 >= args.size()) return "flag " + a + " needs a value (" + it->second.expects + ")";
    const std::string& v = args[++i];
    if (!it->second.apply(v)) return "bad value '" + v + "' for " + a + ": expected " + it->second.expects;
  }
  return "";
}

bool IsCacheUrl(const std::string& v) { return v.rfind("redis://", 0) == 0 || v.find(':') != std::string::npos; }

ParsedCommandLine ParseServe(const std::vector<std::string>& args) {
  ServeOptions o;
  if (const char* t = std::getenv("MINIRED_CATALOG_TOKEN")) o.admin_token = t;
  std::map<std::string, Flag> flags{
      {"--port", IntFlag(&o.port, 0, 65535)},
      {"--bind", StringFlag(&o.bind)},
      {"--db", StringFlag(&o.db_path)},
      {"--cache", OnOffFlag(&o.cache)},
      {"--cache-url", Flag{true,
                           [&](const std::string& v) {
                             if (!IsCacheUrl(v)) return false;
                             o.cache_url = v;
                             return true;
                           },
                           "redis://host:port or host:port"}},
      // Repeatable, or several separated by commas.
      {"--cache-read-url", Flag{true,
                                [&](const std::string& v) {
                                  for (size_t at = 0; at <= v.size();) {
                                    size_t comma = std::min(v.find(',', at), v.size());
                                    std::string one = v.substr(at, comma - at);
                                    if (!IsCacheUrl(one)) return false;
                                    o.cache_read_urls.push_back(one);
                                    at = comma + 1;
                                  }
                                  return true;
                                },
                                "redis://host:port or host:port, comma-separated"}},
      {"--read-own-writes-ms", MsFlag(&o.read_own_writes, 0, 600000)},
      {"--cache-ttl", IntFlag(&o.cache_ttl_s, 1, 86400 * 30)},
      {"--cache-timeout-ms", MsFlag(&o.cache_timeout, 1, 60000)},
      {"--invalidation-wait-ms", MsFlag(&o.invalidation_wait, 0, 600000)},
      {"--cache-scripts", OnOffFlag(&o.cache_scripts)},
      {"--changes-maxlen", IntFlag(&o.changes_max_len, 0, int64_t{1} << 40)},
      {"--near-cache-mb", IntFlag(&o.near_cache_mb, 0, int64_t{1} << 20)},
      {"--admin-token", StringFlag(&o.admin_token)},
      {"--threads", IntFlag(&o.threads, 1, 1024)},
      {"--views-flush-ms", MsFlag(&o.views_flush, 10, 3600000)},
      {"--max-body-bytes", IntFlag(&o.max_body_bytes, 1024, 64 << 20)},
      {"--read-timeout-ms", MsFlag(&o.read_timeout, 100, 3600000)},
      {"--handler-timeout-ms", MsFlag(&o.handler_timeout, 100, 3600000)},
  };
  std::string error = ApplyFlags(args, 0, flags);
  if (o.changes_max_len < 0) o.changes_max_len = o.cache_scripts ? 100000 : 0;
  // Behind a proxy there is no CLIENT TRACKING; with replicas the lookups are theirs (a
  // near cache, if asked for, tracks the master and answers before them).
  if (o.near_cache_mb < 0) o.near_cache_mb = o.cache_scripts && o.cache_read_urls.empty() ? 64 : 0;
  return ParsedCommandLine{o, error};
}

ParsedCommandLine ParseSeed(const std::vector<std::string>& args) {
  SeedOptions o;
  bool have_products = false;
  std::map<std::string, Flag> flags{
      {"--db", StringFlag(&o.db_path)},
      {"--products", Flag{true,
                          [&](const std::string& v) {
                            have_products = ParseInt(v, 1, 100'000'000, &o.products);
                            return have_products;
                          },
                          "an integer from 1 to 100000000"}},
      {"--categories", IntFlag(&o.categories, 1, 10000)},
      {"--seed", IntFlag(&o.random_seed, 0, INT64_MAX)},
      {"--reset", Flag{false, [&](const std::string&) { return o.reset = true; }, ""}},
      {"--no-progress", Flag{false, [&](const std::string&) { return !(o.progress = false); }, ""}},
  };
  std::string error = ApplyFlags(args, 1, flags);
  if (error.empty() && !have_products) error = "seed needs --products N";
  return ParsedCommandLine{o, error};
}

}  // namespace

ParsedCommandLine ParseCommandLine(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") return ParsedCommandLine{HelpRequest{kUsage}, ""};
  }
  ParsedCommandLine r = !args.empty() && args[0] == "seed" ? ParseSeed(args) : ParseServe(args);
  if (!r.error.empty()) r.error += "\n" + std::string(kUsage);
  return r;
}

}  // namespace minired::catalog
