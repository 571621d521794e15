#include "server/config.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>

#include "protocol/numbers.h"
#include "protocol/request_parser.h"

namespace minired {
namespace {

Status BadValue(const std::string& msg) { return Status::InvalidArgument(msg); }

}  // namespace

ConfigOption IntOption(std::string name, bool live, int64_t lo, int64_t hi,
                       std::function<int64_t(const ServerConfig&)> get,
                       std::function<void(ServerConfig&, int64_t)> put, std::string alias) {
  ConfigOption o;
  o.name = std::move(name);
  o.alias = std::move(alias);
  o.mutable_at_runtime = live;
  o.get = [get](const ServerConfig& c) { return Int64ToString(get(c)); };
  o.set = [lo, hi, put](ServerConfig& c, const std::vector<std::string>& v) {
    auto n = ParseInt64(v[0]);
    if (!n) return BadValue("argument couldn't be parsed into an integer");
    if (*n < lo || *n > hi) {
      return BadValue("argument must be between " + Int64ToString(lo) + " and " +
                      Int64ToString(hi) + " inclusive");
    }
    put(c, *n);
    return Status::Ok();
  };
  return o;
}

ConfigOption YesNoOption(std::string name, bool live, std::function<bool(const ServerConfig&)> get,
                         std::function<void(ServerConfig&, bool)> put) {
  ConfigOption o;
  o.name = std::move(name);
  o.mutable_at_runtime = live;
  o.get = [get](const ServerConfig& c) { return std::string(get(c) ? "yes" : "no"); };
  o.set = [put](ServerConfig& c, const std::vector<std::string>& v) {
    if (!EqualsIgnoreCase(v[0], "yes") && !EqualsIgnoreCase(v[0], "no")) {
      return BadValue("argument must be 'yes' or 'no'");
    }
    put(c, EqualsIgnoreCase(v[0], "yes"));
    return Status::Ok();
  };
  return o;
}

namespace {

ConfigOption StringOption(std::string name, std::string ServerConfig::*field) {
  ConfigOption o;
  o.name = std::move(name);
  o.get = [field](const ServerConfig& c) { return c.*field; };
  o.set = [field](ServerConfig& c, const std::vector<std::string>& v) {
    c.*field = v[0];
    return Status::Ok();
  };
  return o;
}

std::vector<ConfigOption> BuildOptions() {
  std::vector<ConfigOption> opts;
  opts.push_back(IntOption(
      "port", false, 0, 65535, [](const ServerConfig& c) { return c.port; },
      [](ServerConfig& c, int64_t v) { c.port = static_cast<int>(v); }));
  opts.push_back(IntOption(
      "threads", false, 0, 128, [](const ServerConfig& c) { return c.threads; },
      [](ServerConfig& c, int64_t v) { c.threads = static_cast<int>(v); }, "io-threads"));
  opts.push_back(IntOption(
      "databases", false, 1, INT_MAX, [](const ServerConfig& c) { return c.databases; },
      [](ServerConfig& c, int64_t v) { c.databases = static_cast<int>(v); }));
  {
    ConfigOption o = IntOption(
        "shards", false, 1, 4096, [](const ServerConfig& c) { return c.shards; },
        [](ServerConfig& c, int64_t v) { c.shards = static_cast<int>(v); });
    auto inner = o.set;
    o.set = [inner](ServerConfig& c, const std::vector<std::string>& v) {
      auto n = ParseInt64(v[0]);
      if (n && (*n & (*n - 1)) != 0) return BadValue("argument must be a power of two");
      return inner(c, v);
    };
    opts.push_back(std::move(o));
  }
  AddPersistenceOptions(&opts);
  AddReplicationOptions(&opts);
  AddEvictionOptions(&opts);
  AddSecurityOptions(&opts);
  AddObservabilityOptions(&opts);
  AddNotificationOptions(&opts);
  AddTlsOptions(&opts);
  AddAcceptedOnlyOptions(&opts);
  opts.push_back(IntOption(
      "busy-poll-us", false, 0, 10000, [](const ServerConfig& c) { return c.busy_poll_us; },
      [](ServerConfig& c, int64_t v) { c.busy_poll_us = static_cast<int>(v); }));
  opts.push_back(IntOption(
      "hz", true, 0, INT_MAX, [](const ServerConfig& c) { return c.hz.load(); },
      // Redis clamps to [1, 500] (CONFIG_MIN_HZ, CONFIG_MAX_HZ) and reports the result.
      [](ServerConfig& c, int64_t v) { c.hz = static_cast<int>(std::clamp<int64_t>(v, 1, 500)); }));
  {
    ConfigOption o;
    o.name = "proto-max-bulk-len";
    o.mutable_at_runtime = true;
    o.memory = true;
    o.get = [](const ServerConfig& c) { return Int64ToString(c.proto_max_bulk_len.load()); };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      int64_t n;
      if (!ParseMemory(v[0], &n)) return BadValue("argument must be a memory value");
      if (n < 1024 * 1024) return BadValue("argument must be between 1048576 and 9223372036854775807 inclusive");
      c.proto_max_bulk_len = n;
      return Status::Ok();
    };
    opts.push_back(std::move(o));
  }
  {
    ConfigOption o;
    o.name = "loglevel";
    o.mutable_at_runtime = true;
    static const char* kNames[] = {"debug", "verbose", "notice", "warning"};
    o.get = [](const ServerConfig& c) { return std::string(kNames[c.loglevel.load()]); };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      for (int i = 0; i < 4; ++i) {
        if (EqualsIgnoreCase(v[0], kNames[i])) {
          c.loglevel = i;
          return Status::Ok();
        }
      }
      return BadValue("argument(s) must be one of the following: debug, verbose, notice, warning");
    };
    opts.push_back(std::move(o));
  }
  {
    ConfigOption o;
    o.name = "bind";
    o.multi_arg = true;
    o.get = [](const ServerConfig& c) {
      std::string s;
      for (const auto& b : c.bind) s += (s.empty() ? "" : " ") + b;
      return s;
    };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      if (v.empty()) return BadValue("Too many bind addresses specified.");
      c.bind = v;
      return Status::Ok();
    };
    opts.push_back(std::move(o));
  }
  {
    ConfigOption o;
    o.name = "daemonize";
    o.get = [](const ServerConfig& c) { return std::string(c.daemonize ? "yes" : "no"); };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      if (EqualsIgnoreCase(v[0], "yes")) {
        c.daemonize = true;
      } else if (EqualsIgnoreCase(v[0], "no")) {
        c.daemonize = false;
      } else {
        return BadValue("argument must be 'yes' or 'no'");
      }
      return Status::Ok();
    };
    opts.push_back(std::move(o));
  }
  {
    ConfigOption o;
    o.name = "supervised";
    o.get = [](const ServerConfig& c) { return c.supervised; };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      for (const char* mode : {"upstart", "systemd", "auto", "no"}) {
        if (EqualsIgnoreCase(v[0], mode)) {
          c.supervised = mode;
          return Status::Ok();
        }
      }
      return BadValue("argument(s) must be one of the following: upstart, systemd, auto, no");
    };
    opts.push_back(std::move(o));
  }
  struct LimitOption {
    const char* name;
    const char* alias;
    std::atomic<int64_t> EncodingLimits::*field;
    int64_t lo;
  };
  static const LimitOption kLimits[] = {
      {"hash-max-listpack-entries", "hash-max-ziplist-entries", &EncodingLimits::hash_max_listpack_entries, 0},
      {"hash-max-listpack-value", "hash-max-ziplist-value", &EncodingLimits::hash_max_listpack_value, 0},
      {"zset-max-listpack-entries", "zset-max-ziplist-entries", &EncodingLimits::zset_max_listpack_entries, 0},
      {"zset-max-listpack-value", "zset-max-ziplist-value", &EncodingLimits::zset_max_listpack_value, 0},
      {"set-max-intset-entries", "", &EncodingLimits::set_max_intset_entries, 0},
      {"list-max-listpack-size", "list-max-ziplist-size", &EncodingLimits::list_max_listpack_size, INT_MIN},
      {"stream-node-max-bytes", "", &EncodingLimits::stream_node_max_bytes, 0},
      {"stream-node-max-entries", "", &EncodingLimits::stream_node_max_entries, 0},
      {"hll-sparse-max-bytes", "", &EncodingLimits::hll_sparse_max_bytes, 0},
  };
  for (const LimitOption& l : kLimits) {
    auto field = l.field;
    int64_t hi = l.lo == INT_MIN ? INT_MAX : LONG_MAX;
    opts.push_back(IntOption(
        l.name, true, l.lo, hi, [field](const ServerConfig& c) { return (c.encoding.*field).load(); },
        [field](ServerConfig& c, int64_t v) { (c.encoding.*field).store(v); }, l.alias));
    // The *-value and *-bytes limits are byte sizes: Redis takes memory values ("1kb").
    if (std::string_view(l.name).ends_with("-value") || std::string_view(l.name).ends_with("-bytes")) {
      opts.back().set = [field](ServerConfig& c, const std::vector<std::string>& v) {
        int64_t n;
        if (!ParseMemory(v[0], &n)) return BadValue("argument must be a memory value");
        if (n < 0) return BadValue("argument must be a memory value");
        (c.encoding.*field).store(n);
        return Status::Ok();
      };
      opts.back().memory = true;
    }
  }
  {
    ConfigOption o;
    o.name = "client-output-buffer-limit";
    o.mutable_at_runtime = true;
    o.multi_arg = true;
    o.get = [](const ServerConfig& c) {
      auto one = [](const char* name, const OutputBufferLimit& l) {
        return std::string(name) + " " + Int64ToString(l.hard.load()) + " " + Int64ToString(l.soft.load()) + " " +
               Int64ToString(l.soft_seconds.load());
      };
      return one("normal", c.output_limit_normal) + " " + one("slave", c.output_limit_replica) + " " +
             one("pubsub", c.output_limit_pubsub);
    };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      // CONFIG SET passes one string, the config file separate tokens: split both.
      std::vector<std::string> t;
      for (const auto& part : v) {
        std::vector<std::string> words;
        if (!SplitInlineArgs(part, &words)) return BadValue("Wrong number of arguments in buffer limit configuration.");
        t.insert(t.end(), words.begin(), words.end());
      }
      if (t.empty() || t.size() % 4 != 0) return BadValue("Wrong number of arguments in buffer limit configuration.");
      struct Parsed { OutputBufferLimit* limit; int64_t hard, soft, secs; };
      std::vector<Parsed> parsed;
      for (size_t i = 0; i < t.size(); i += 4) {
        OutputBufferLimit* l = nullptr;
        if (EqualsIgnoreCase(t[i], "normal")) l = &c.output_limit_normal;
        else if (EqualsIgnoreCase(t[i], "slave") || EqualsIgnoreCase(t[i], "replica")) l = &c.output_limit_replica;
        else if (EqualsIgnoreCase(t[i], "pubsub")) l = &c.output_limit_pubsub;
        if (!l) return BadValue("Invalid client class specified in buffer limit configuration.");
        int64_t hard, soft;
        auto secs = ParseInt64(t[i + 3]);
        if (!ParseMemory(t[i + 1], &hard) || !ParseMemory(t[i + 2], &soft) || !secs || hard < 0 || soft < 0 || *secs < 0) {
          return BadValue("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
        }
        parsed.push_back({l, hard, soft, *secs});
      }
      for (const auto& p : parsed) {
        p.limit->hard = p.hard;
        p.limit->soft = p.soft;
        p.limit->soft_seconds = p.secs;
      }
      return Status::Ok();
    };
    opts.push_back(std::move(o));
  }
  opts.push_back(StringOption("logfile", &ServerConfig::logfile));
  opts.push_back(StringOption("pidfile", &ServerConfig::pidfile));
  opts.push_back(StringOption("dir", &ServerConfig::dir));
  opts.back().protected_config = true;
  return opts;
}

}  // namespace

const std::vector<ConfigOption>& ConfigOptions() {
  static const std::vector<ConfigOption> opts = BuildOptions();
  return opts;
}

const ConfigOption* FindConfigOption(std::string_view name) {
  for (const auto& o : ConfigOptions()) {
    if (EqualsIgnoreCase(o.name, name) || (!o.alias.empty() && EqualsIgnoreCase(o.alias, name))) {
      return &o;
    }
  }
  return nullptr;
}

bool ParseMemory(std::string_view s, int64_t* out) {
  size_t digits = 0;
  while (digits < s.size() && (isdigit(static_cast<unsigned char>(s[digits])) || (digits == 0 && s[0] == '-'))) ++digits;
  auto n = ParseInt64(s.substr(0, digits));
  if (!n || *n < 0) return false;
  std::string unit(s.substr(digits));
  ToLowerInPlace(unit);
  int64_t mul;
  if (unit.empty() || unit == "b") mul = 1;
  else if (unit == "k") mul = 1000;
  else if (unit == "kb") mul = 1024;
  else if (unit == "m") mul = 1000 * 1000;
  else if (unit == "mb") mul = 1024 * 1024;
  else if (unit == "g") mul = 1000LL * 1000 * 1000;
  else if (unit == "gb") mul = 1024LL * 1024 * 1024;
  else return false;
  if (*n > INT64_MAX / mul) return false;
  *out = *n * mul;
  return true;
}

namespace {
Status ApplyDirective(const std::vector<std::string>& words, ServerConfig* cfg) {
  if (EqualsIgnoreCase(words[0], "user")) {
    // `user <name> <rule>...`: an ACL user, as ACL SETUSER would create it.
    if (words.size() < 2) return BadValue("wrong number of arguments");
    cfg->security.users_in_config = true;
    Status s = cfg->security.acl.SetUser(words[1], std::vector<std::string>(words.begin() + 2, words.end()));
    return s.ok() ? s : BadValue(s.message());
  }
  const ConfigOption* opt = FindConfigOption(words[0]);
  if (opt == nullptr) return BadValue("Bad directive or wrong number of arguments");
  std::vector<std::string> values(words.begin() + 1, words.end());
  if (values.empty() || (!opt->multi_arg && values.size() != 1)) {
    return BadValue("wrong number of arguments");
  }
  return opt->set(*cfg, values);
}
}  // namespace

Status LoadConfigText(const std::string& text, const std::string& source, ServerConfig* cfg) {
  std::istringstream in(text);
  std::string line;
  std::string saves;  // the save rules of this text so far
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    std::vector<std::string> words;
    if (!SplitInlineArgs(line, &words)) {
      return BadValue(source + ":" + std::to_string(lineno) + ": '" + line +
                      "': Unbalanced quotes in configuration line");
    }
    if (words.empty()) continue;
    if (EqualsIgnoreCase(words[0], "save") && words.size() >= 2) {
      // In a file, save lines add up (the first replaces the defaults; save "" clears),
      // as in Redis 7.0: "save 900 1" and "save 300 10" on two lines keep both rules.
      std::string rules;
      for (size_t i = 1; i < words.size(); ++i) rules += (rules.empty() ? "" : " ") + words[i];
      saves = rules.empty() ? "" : (saves.empty() ? rules : saves + " " + rules);
      words = {words[0], saves};
    }
    Status s = ApplyDirective(words, cfg);
    if (!s.ok()) {
      return BadValue(source + ":" + std::to_string(lineno) + ": '" + line + "': " + s.message());
    }
  }
  return Status::Ok();
}

Status ParseCommandLine(int argc, char** argv, ServerConfig* cfg) {
  int i = 1;
  std::string file_text;
  if (i < argc && std::string_view(argv[i]).substr(0, 2) != "--") {
    std::string path = argv[i++];
    std::ifstream f(path);
    if (!f) return BadValue("Fatal error, can't open config file '" + path + "': No such file or directory");
    std::stringstream ss;
    ss << f.rdbuf();
    char resolved[PATH_MAX];
    cfg->config_file = realpath(path.c_str(), resolved) ? resolved : path;
    Status s = LoadConfigText(ss.str(), path, cfg);
    if (!s.ok()) return s;
  }
  // Each "--name v1 v2..." becomes one config line, as redis-server builds them.
  while (i < argc) {
    std::string_view a = argv[i];
    if (a.substr(0, 2) != "--" || a.size() == 2) {
      return BadValue(std::string("Invalid command-line argument '") + argv[i] + "'");
    }
    std::vector<std::string> words{std::string(a.substr(2))};
    ++i;
    while (i < argc && std::string_view(argv[i]).substr(0, 2) != "--") words.emplace_back(argv[i++]);
    if (!FindConfigOption(words[0]) && !EqualsIgnoreCase(words[0], "user")) {
      return BadValue("option '--" + words[0] + "': Bad directive or wrong number of arguments");
    }
    Status s = ApplyDirective(words, cfg);
    if (!s.ok()) return BadValue("option '--" + words[0] + "': " + s.message());
  }
  return Status::Ok();
}

}  // namespace minired
