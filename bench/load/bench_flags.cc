#include "bench/load/bench_flags.h"

#include <charconv>
#include <cmath>

namespace minired::bench {

namespace {

template <typename T>
bool ParseNumber(const std::string& s, T* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

const char* BenchUsage() {
  return R"(usage: minired-bench [flags]
Load generator for minired and Redis, built on minired's client library. Closed loop:
each connection sends --pipeline commands, waits for their replies, and repeats.

  --host H          server address (default 127.0.0.1)
  --port P          server port (default 6379)
  --threads T       event-loop threads (default 1)
  --clients C       connections in total, spread over the threads (default 50)
  --pipeline P      commands in flight per connection (default 1)
  --requests N      total commands to send (default 100000)
  --duration S      run for S seconds instead of --requests
  --keyspace K      keys are key:000000000000 .. K-1 (default 100000)
  --value-size B    bytes per SET value (default 3)
  --ratio S:G       SET:GET mix, e.g. 1:10 (default), 1:0 for SET only, 0:1 for GET only
  --zipf S          Zipf-distributed keys with exponent S (default: uniform)
  --read-through    a cache's traffic: every request is a GET, and a miss is followed
                    by a SET of that key (as the application would fill the cache);
                    prints the hit ratio
  --quiet           no per-second progress on stderr
  --help            this text

Prints "ops/s: N" and latency percentiles (p50/p90/p99/p99.9) from an HDR-style histogram.
)";
}

std::string ParseBenchFlags(const std::vector<std::string>& args, BenchFlags* f) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      f->help = true;
      continue;
    }
    if (flag == "--quiet") {
      f->quiet = true;
      continue;
    }
    if (flag == "--read-through") {
      f->read_through = true;
      continue;
    }
    if (i + 1 >= args.size()) return "flag " + flag + " needs a value (see --help)";
    const std::string& v = args[++i];
    auto bad = [&](const char* what) { return "bad value '" + v + "' for " + flag + ": " + what; };
    if (flag == "--host") {
      if (v.empty()) return bad("empty host");
      f->host = v;
    } else if (flag == "--port") {
      if (!ParseNumber(v, &f->port) || f->port < 1 || f->port > 65535) return bad("expected 1-65535");
    } else if (flag == "--threads") {
      if (!ParseNumber(v, &f->threads) || f->threads < 1 || f->threads > 1024) return bad("expected 1-1024");
    } else if (flag == "--clients") {
      if (!ParseNumber(v, &f->clients) || f->clients < 1 || f->clients > 100000) return bad("expected 1-100000");
    } else if (flag == "--pipeline") {
      if (!ParseNumber(v, &f->pipeline) || f->pipeline < 1 || f->pipeline > 100000) return bad("expected 1-100000");
    } else if (flag == "--requests") {
      if (!ParseNumber(v, &f->requests) || f->requests < 1) return bad("expected a positive count");
    } else if (flag == "--duration") {
      if (!ParseNumber(v, &f->duration_s) || !(f->duration_s > 0) || !std::isfinite(f->duration_s)) {
        return bad("expected seconds > 0");
      }
    } else if (flag == "--keyspace") {
      if (!ParseNumber(v, &f->keyspace) || f->keyspace < 1) return bad("expected a positive count");
    } else if (flag == "--value-size") {
      if (!ParseNumber(v, &f->value_size) || f->value_size < 0 || f->value_size > (512 << 20)) {
        return bad("expected 0-536870912 bytes");
      }
    } else if (flag == "--ratio") {
      size_t colon = v.find(':');
      if (colon == std::string::npos || !ParseNumber(v.substr(0, colon), &f->set_ratio) ||
          !ParseNumber(v.substr(colon + 1), &f->get_ratio) || f->set_ratio + f->get_ratio == 0) {
        return bad("expected SET:GET, e.g. 1:10");
      }
    } else if (flag == "--zipf") {
      if (!ParseNumber(v, &f->zipf) || !(f->zipf > 0) || f->zipf > 10) return bad("expected an exponent in (0, 10]");
    } else {
      return "unknown flag " + flag + " (see --help)";
    }
  }
  if (f->clients < f->threads) f->threads = f->clients;
  return "";
}

}  // namespace minired::bench
