// Parameters of Redis 7.0's CONFIG GET * that minired accepts, validates as Redis
// does, stores and reports back, but does not act on (yet): cluster settings (minired
// scales out through replicas and twemproxy), knobs of Redis's own machinery (active
// defrag, the RDB/AOF files, io-threads, jemalloc) and settings of subsystems still to
// come. A config file or a client library
// that sets one keeps working; docs/configuration.md lists them all.
//
// Each is described once in kAccepted below: its kind decides how a value is checked
// (with Redis's error texts) and how CONFIG GET prints it.
#include <sstream>

#include "protocol/numbers.h"
#include "server/config.h"

namespace minired {
namespace {

enum class Kind {
  kBool,           // yes | no
  kInt,            // an integer within [lo, hi]
  kMemory,         // 1gb, 100mb...; printed in bytes
  kMemoryPercent,  // a memory value or "N%" (N <= 100)
  kEnum,           // one of `choices`
  kEnumFlags,      // one or more of `choices`, printed in their order
  kString,         // anything
  kHostname,       // letters, digits, '-' and '.'
  kOomValues,      // three integers in [-2000, 2000]
};

struct Accepted {
  const char* name;
  const char* alias;  // "" when none
  Kind kind;
  const char* initial;
  bool live;  // CONFIG SET may change it; otherwise only the config file or command line
  int64_t lo = 0;
  int64_t hi = 0;
  const char* choices = "";  // kEnum / kEnumFlags: comma-separated
  bool hidden = false;       // answered by name only, as Redis's HIDDEN_CONFIG
};

constexpr int64_t kIntMax = 2147483647;
constexpr int64_t kLongMax = INT64_MAX;

const Accepted kAccepted[] = {
    {"acl-pubsub-default", "", Kind::kEnum, "resetchannels", true, 0, 0, "allchannels,resetchannels"},
    {"acllog-max-len", "", Kind::kInt, "128", true, 0, kLongMax},
    {"active-defrag-cycle-max", "", Kind::kInt, "25", true, 1, 99},
    {"active-defrag-cycle-min", "", Kind::kInt, "1", true, 1, 99},
    {"active-defrag-ignore-bytes", "", Kind::kMemory, "104857600", true, 1, kLongMax},
    {"active-defrag-max-scan-fields", "", Kind::kInt, "1000", true, 1, kLongMax},
    {"active-defrag-threshold-lower", "", Kind::kInt, "10", true, 0, 1000},
    {"active-defrag-threshold-upper", "", Kind::kInt, "100", true, 0, 1000},
    {"active-expire-effort", "", Kind::kInt, "1", true, 1, 10},
    {"activedefrag", "", Kind::kBool, "no", true},
    {"activerehashing", "", Kind::kBool, "yes", true},
    {"always-show-logo", "", Kind::kBool, "no", false},
    {"aof-disable-auto-gc", "", Kind::kBool, "no", true},
    {"aof-rewrite-incremental-fsync", "", Kind::kBool, "yes", true},
    {"aof-timestamp-enabled", "", Kind::kBool, "no", true},
    {"aof-use-rdb-preamble", "", Kind::kBool, "yes", true},
    {"aof_rewrite_cpulist", "", Kind::kString, "", false},
    {"appenddirname", "", Kind::kString, "appendonlydir", false},
    {"appendfilename", "", Kind::kString, "appendonly.aof", false},
    {"auto-aof-rewrite-min-size", "", Kind::kMemory, "67108864", true, 0, kLongMax},
    {"auto-aof-rewrite-percentage", "", Kind::kInt, "100", true, 0, kIntMax},
    {"bgsave_cpulist", "", Kind::kString, "", false},
    {"bind-source-addr", "", Kind::kString, "", true},
    {"bio_cpulist", "", Kind::kString, "", false},
    {"cluster-allow-pubsubshard-when-down", "", Kind::kBool, "yes", true},
    {"cluster-allow-reads-when-down", "", Kind::kBool, "no", true},
    {"cluster-allow-replica-migration", "", Kind::kBool, "yes", true},
    {"cluster-announce-bus-port", "", Kind::kInt, "0", true, 0, 65535},
    {"cluster-announce-hostname", "", Kind::kHostname, "", true},
    {"cluster-announce-ip", "", Kind::kString, "", true},
    {"cluster-announce-port", "", Kind::kInt, "0", true, 0, 65535},
    {"cluster-announce-tls-port", "", Kind::kInt, "0", true, 0, 65535},
    {"cluster-config-file", "", Kind::kString, "nodes.conf", false},
    {"cluster-enabled", "", Kind::kBool, "no", false},
    {"cluster-link-sendbuf-limit", "", Kind::kMemory, "0", true, 0, kLongMax},
    {"cluster-migration-barrier", "", Kind::kInt, "1", true, 0, kIntMax},
    {"cluster-node-timeout", "", Kind::kInt, "15000", true, 0, kLongMax},
    {"cluster-port", "", Kind::kInt, "0", false, 0, 65535},
    {"cluster-preferred-endpoint-type", "", Kind::kEnum, "ip", true, 0, 0, "ip,hostname,unknown-endpoint"},
    {"cluster-replica-no-failover", "cluster-slave-no-failover", Kind::kBool, "no", true},
    {"cluster-replica-validity-factor", "cluster-slave-validity-factor", Kind::kInt, "10", true, 0, kIntMax},
    {"cluster-require-full-coverage", "", Kind::kBool, "yes", true},
    {"crash-log-enabled", "", Kind::kBool, "yes", true},
    {"crash-memcheck-enabled", "", Kind::kBool, "yes", true},
    {"disable-thp", "", Kind::kBool, "yes", false},
    {"dynamic-hz", "", Kind::kBool, "yes", true},
    {"enable-debug-command", "", Kind::kEnum, "yes", false, 0, 0, "no,yes,local"},  // DEBUG is enabled
    {"enable-module-command", "", Kind::kEnum, "no", false, 0, 0, "no,yes,local"},
    {"enable-protected-configs", "", Kind::kEnum, "no", false, 0, 0, "no,yes,local"},
    {"key-load-delay", "", Kind::kInt, "0", true, INT32_MIN, kIntMax, "", true},
    {"loading-process-events-interval-bytes", "", Kind::kInt, "2097152", true, 1024, kIntMax, "", true},
    {"rdb-key-save-delay", "", Kind::kInt, "0", true, INT32_MIN, kIntMax, "", true},
    {"ignore-warnings", "", Kind::kString, "", true},
    {"io-threads-do-reads", "", Kind::kBool, "no", false},
    {"jemalloc-bg-thread", "", Kind::kBool, "yes", true},
    {"lazyfree-lazy-eviction", "", Kind::kBool, "no", true},
    {"lazyfree-lazy-expire", "", Kind::kBool, "no", true},
    {"lazyfree-lazy-server-del", "", Kind::kBool, "no", true},
    {"lazyfree-lazy-user-del", "", Kind::kBool, "no", true},
    {"lazyfree-lazy-user-flush", "", Kind::kBool, "no", true},
    {"list-compress-depth", "", Kind::kInt, "0", true, 0, kIntMax},
    {"maxmemory-clients", "", Kind::kMemoryPercent, "0", true, 0, kLongMax},
    {"min-replicas-max-lag", "min-slaves-max-lag", Kind::kInt, "10", true, 0, kIntMax},
    {"min-replicas-to-write", "min-slaves-to-write", Kind::kInt, "0", true, 0, kIntMax},
    {"no-appendfsync-on-rewrite", "", Kind::kBool, "no", true},
    {"oom-score-adj", "", Kind::kEnum, "no", true, 0, 0, "no,yes,relative,absolute"},
    {"oom-score-adj-values", "", Kind::kOomValues, "0 200 800", true},
    {"proc-title-template", "", Kind::kString, "{title} {listen-addr} {server-mode}", true},
    {"propagation-error-behavior", "", Kind::kEnum, "ignore", true, 0, 0, "ignore,panic,panic-on-replicas"},
    {"rdb-del-sync-files", "", Kind::kBool, "no", true},
    {"rdb-save-incremental-fsync", "", Kind::kBool, "yes", true},
    {"rdbchecksum", "", Kind::kBool, "yes", false},
    {"rdbcompression", "", Kind::kBool, "yes", true},
    {"repl-backlog-ttl", "", Kind::kInt, "3600", true, 0, kLongMax},
    {"repl-disable-tcp-nodelay", "", Kind::kBool, "no", true},
    {"repl-diskless-load", "", Kind::kEnum, "disabled", true, 0, 0, "disabled,on-empty-db,swapdb"},
    {"repl-diskless-sync", "", Kind::kBool, "yes", true},
    {"repl-diskless-sync-delay", "", Kind::kInt, "5", true, 0, kIntMax},
    {"repl-diskless-sync-max-replicas", "", Kind::kInt, "0", true, 0, kIntMax},
    {"replica-announce-ip", "slave-announce-ip", Kind::kString, "", true},
    {"replica-announce-port", "slave-announce-port", Kind::kInt, "0", true, 0, 65535},
    {"replica-announced", "", Kind::kBool, "yes", true},
    {"replica-ignore-disk-write-errors", "", Kind::kBool, "no", true},
    {"replica-ignore-maxmemory", "slave-ignore-maxmemory", Kind::kBool, "yes", true},
    {"replica-lazy-flush", "slave-lazy-flush", Kind::kBool, "no", true},
    {"replica-priority", "slave-priority", Kind::kInt, "100", true, 0, kIntMax},
    {"replica-serve-stale-data", "slave-serve-stale-data", Kind::kBool, "yes", true},
    {"sanitize-dump-payload", "", Kind::kEnum, "no", true, 0, 0, "no,yes,clients"},
    {"server_cpulist", "", Kind::kString, "", false},
    {"set-proc-title", "", Kind::kBool, "yes", false},
    {"shutdown-on-sigint", "", Kind::kEnumFlags, "default", true, 0, 0, "default,save,nosave,now,force"},
    {"shutdown-on-sigterm", "", Kind::kEnumFlags, "default", true, 0, 0, "default,save,nosave,now,force"},
    {"shutdown-timeout", "", Kind::kInt, "10", true, 0, kIntMax},
    {"socket-mark-id", "", Kind::kInt, "0", false, 0, UINT32_MAX},
    {"syslog-enabled", "", Kind::kBool, "no", false},
    {"syslog-facility", "", Kind::kEnum, "local0", false, 0, 0, "user,local0,local1,local2,local3,local4,local5,local6,local7"},
    {"syslog-ident", "", Kind::kString, "redis", false},
    {"tcp-backlog", "", Kind::kInt, "511", false, 0, kIntMax},
    {"tls-client-cert-file", "", Kind::kString, "", true},
    {"tls-client-key-file", "", Kind::kString, "", true},
    {"tls-client-key-file-pass", "", Kind::kString, "", true},
    {"tls-cluster", "", Kind::kBool, "no", true},
    {"tls-dh-params-file", "", Kind::kString, "", true},
    {"tls-replication", "", Kind::kBool, "no", true},
    {"tls-session-cache-size", "", Kind::kInt, "20480", true, 0, kIntMax},
    {"tls-session-cache-timeout", "", Kind::kInt, "300", true, 0, kIntMax},
    {"tls-session-caching", "", Kind::kBool, "yes", true},
    {"unixsocket", "", Kind::kString, "", false},
    {"unixsocketperm", "", Kind::kString, "0", false},
};

Status Bad(const std::string& why) { return Status::InvalidArgument(why); }

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      if (!cur.empty() || sep == ',') out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string ChoicesText(const Accepted& a) {
  std::string s;
  for (const auto& c : Split(a.choices, ',')) s += (s.empty() ? "" : ", ") + c;
  return "argument(s) must be one of the following: " + s;
}

// The canonical text of `value` for `a` (what CONFIG GET prints), or Redis's error.
Status Canonical(const Accepted& a, const std::string& value, std::string* out) {
  switch (a.kind) {
    case Kind::kBool:
      if (!EqualsIgnoreCase(value, "yes") && !EqualsIgnoreCase(value, "no")) {
        return Bad("argument must be 'yes' or 'no'");
      }
      *out = EqualsIgnoreCase(value, "yes") ? "yes" : "no";
      return Status::Ok();
    case Kind::kInt: {
      auto n = ParseInt64(value);
      if (!n) return Bad("argument couldn't be parsed into an integer");
      if (*n < a.lo || *n > a.hi) {
        return Bad("argument must be between " + Int64ToString(a.lo) + " and " + Int64ToString(a.hi) + " inclusive");
      }
      *out = Int64ToString(*n);
      return Status::Ok();
    }
    case Kind::kMemoryPercent:
      if (!value.empty() && value.back() == '%') {
        auto pct = ParseInt64(std::string_view(value).substr(0, value.size() - 1));
        if (!pct || *pct < 0) return Bad("argument must be a memory or percent value");
        if (*pct > 100) return Bad("percentage argument must be less or equal to 100");
        *out = Int64ToString(*pct) + "%";
        return Status::Ok();
      }
      [[fallthrough]];
    case Kind::kMemory: {
      int64_t n;
      if (!ParseMemory(value, &n) || n < 0) {
        return Bad(a.kind == Kind::kMemory ? "argument must be a memory value" : "argument must be a memory or percent value");
      }
      if (n < a.lo || n > a.hi) {
        return Bad("argument must be between " + Int64ToString(a.lo) + " and " + Int64ToString(a.hi) + " inclusive");
      }
      *out = Int64ToString(n);
      return Status::Ok();
    }
    case Kind::kEnum:
      for (const auto& c : Split(a.choices, ',')) {
        if (EqualsIgnoreCase(value, c)) {
          *out = c;
          return Status::Ok();
        }
      }
      return Bad(ChoicesText(a));
    case Kind::kEnumFlags: {
      std::vector<std::string> choices = Split(a.choices, ','), words = Split(value, ' ');
      std::vector<bool> on(choices.size(), false);
      if (words.empty()) return Bad(ChoicesText(a));
      for (const auto& w : words) {
        bool known = false;
        for (size_t i = 0; i < choices.size(); ++i) {
          if (EqualsIgnoreCase(w, choices[i])) on[i] = known = true;
        }
        if (!known) return Bad(ChoicesText(a));
      }
      out->clear();
      // "default" stands alone: beside other flags it adds nothing.
      for (size_t i = 1; i < choices.size(); ++i) {
        if (on[i]) *out += (out->empty() ? "" : " ") + choices[i];
      }
      if (out->empty()) *out = choices[0];
      return Status::Ok();
    }
    case Kind::kString:
      *out = value;
      return Status::Ok();
    case Kind::kHostname:
      for (char c : value) {
        if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
          return Bad("Hostnames may only contain alphanumeric characters, hyphens or dots");
        }
      }
      *out = value;
      return Status::Ok();
    case Kind::kOomValues: {
      std::vector<std::string> words = Split(value, ' ');
      if (words.size() != 3) return Bad("wrong number of arguments");
      for (const auto& w : words) {
        auto n = ParseInt64(w);
        if (!n || *n < -2000 || *n > 2000) {
          return Bad("Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
        }
      }
      *out = words[0] + " " + words[1] + " " + words[2];
      return Status::Ok();
    }
  }
  return Bad("unknown kind");
}

std::string Joined(const std::vector<std::string>& values) {
  std::string s;
  for (const auto& v : values) s += (s.empty() ? "" : " ") + v;
  return s;
}

}  // namespace

std::string AcceptedOnlyConfig::Get(const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = values_.find(name);
  if (it != values_.end()) return it->second;
  for (const Accepted& a : kAccepted) {
    if (name == a.name) return a.initial;
  }
  return "";
}

void AcceptedOnlyConfig::Set(const std::string& name, std::string value) {
  std::lock_guard<std::mutex> l(mu_);
  values_[name] = std::move(value);
}

void AddAcceptedOnlyOptions(std::vector<ConfigOption>* opts) {
  for (const Accepted& a : kAccepted) {
    ConfigOption o;
    o.name = a.name;
    o.alias = a.alias;
    o.mutable_at_runtime = a.live;
    o.multi_arg = a.kind == Kind::kEnumFlags || a.kind == Kind::kOomValues;
    o.memory = a.kind == Kind::kMemory;
    o.hidden = a.hidden;
    o.get = [name = std::string(a.name)](const ServerConfig& c) { return c.accepted_only.Get(name); };
    o.set = [&a](ServerConfig& c, const std::vector<std::string>& values) {
      std::string canonical;
      Status s = Canonical(a, Joined(values), &canonical);
      if (s.ok()) c.accepted_only.Set(a.name, std::move(canonical));
      return s;
    };
    opts->push_back(std::move(o));
  }
}

std::vector<std::string> AcceptedOnlyOptionNames() {
  std::vector<std::string> names;
  for (const Accepted& a : kAccepted) names.emplace_back(a.name);
  return names;
}

}  // namespace minired
