// Replication options: replicaof (slaveof), masterauth, masteruser, replica-read-only,
// repl-backlog-size, repl-timeout, repl-ping-replica-period.
#include "protocol/numbers.h"
#include "protocol/request_parser.h"
#include "server/config.h"

namespace minired {
namespace {

ConfigOption StringOption(std::string name, std::string ReplicationConfig::*field) {
  ConfigOption o;
  o.name = std::move(name);
  o.mutable_at_runtime = true;
  o.get = [field](const ServerConfig& c) {
    std::lock_guard l(c.replication.mu);
    return c.replication.*field;
  };
  o.set = [field](ServerConfig& c, const std::vector<std::string>& v) {
    std::lock_guard l(c.replication.mu);
    c.replication.*field = v[0];
    return Status::Ok();
  };
  return o;
}

// Within [lo, hi] (Redis's bounds and message).
ConfigOption IntegerOption(std::string name, std::atomic<int64_t> ReplicationConfig::*field, int64_t lo,
                           int64_t hi, bool memory) {
  ConfigOption o;
  o.name = std::move(name);
  o.mutable_at_runtime = true;
  o.memory = memory;
  o.get = [field](const ServerConfig& c) { return Int64ToString((c.replication.*field).load()); };
  o.set = [field, lo, hi, memory](ServerConfig& c, const std::vector<std::string>& v) {
    int64_t n = 0;
    if (memory) {
      if (!ParseMemory(v[0], &n)) return Status::InvalidArgument("argument must be a memory value");
    } else {
      auto parsed = ParseInt64(v[0]);
      if (!parsed) return Status::InvalidArgument("argument couldn't be parsed into an integer");
      n = *parsed;
    }
    if (n < lo || n > hi) {
      return Status::InvalidArgument("argument must be between " + Int64ToString(lo) + " and " + Int64ToString(hi) +
                                     " inclusive");
    }
    (c.replication.*field).store(n);
    return Status::Ok();
  };
  return o;
}

}  // namespace

void AddReplicationOptions(std::vector<ConfigOption>* opts) {
  {
    // replicaof <host> <port> | replicaof no one. At run time REPLICAOF changes it.
    ConfigOption o;
    o.name = "replicaof";
    o.alias = "slaveof";
    o.multi_arg = true;
    o.get = [](const ServerConfig& c) {
      std::lock_guard l(c.replication.mu);
      return c.replication.master_host.empty()
                 ? std::string()
                 : c.replication.master_host + " " + Int64ToString(c.replication.master_port);
    };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      std::vector<std::string> words;
      for (const auto& part : v) {
        std::vector<std::string> w;
        if (!SplitInlineArgs(part, &w)) return Status::InvalidArgument("Invalid master address");
        words.insert(words.end(), w.begin(), w.end());
      }
      if (words.size() != 2) return Status::InvalidArgument("wrong number of arguments, expected <host> <port>");
      std::lock_guard l(c.replication.mu);
      if (EqualsIgnoreCase(words[0], "no") && EqualsIgnoreCase(words[1], "one")) {
        c.replication.master_host.clear();
        c.replication.master_port = 0;
        return Status::Ok();
      }
      auto port = ParseInt64(words[1]);
      if (!port || *port < 0 || *port > 65535) return Status::InvalidArgument("Invalid master port");
      c.replication.master_host = words[0];
      c.replication.master_port = static_cast<int>(*port);
      return Status::Ok();
    };
    opts->push_back(std::move(o));
  }
  opts->push_back(StringOption("masterauth", &ReplicationConfig::masterauth));
  opts->push_back(StringOption("masteruser", &ReplicationConfig::masteruser));
  {
    ConfigOption o;
    o.name = "replica-read-only";
    o.alias = "slave-read-only";
    o.mutable_at_runtime = true;
    o.get = [](const ServerConfig& c) { return std::string(c.replication.read_only.load() ? "yes" : "no"); };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      if (EqualsIgnoreCase(v[0], "yes")) {
        c.replication.read_only = true;
      } else if (EqualsIgnoreCase(v[0], "no")) {
        c.replication.read_only = false;
      } else {
        return Status::InvalidArgument("argument must be 'yes' or 'no'");
      }
      return Status::Ok();
    };
    opts->push_back(std::move(o));
  }
  opts->push_back(IntegerOption("repl-backlog-size", &ReplicationConfig::backlog_size, 1, INT64_MAX, true));
  opts->push_back(IntegerOption("repl-timeout", &ReplicationConfig::timeout_s, 1, INT32_MAX, false));
  opts->push_back(IntegerOption("repl-ping-replica-period", &ReplicationConfig::ping_period_s, 1, INT32_MAX, false));
  opts->back().alias = "repl-ping-slave-period";
}

}  // namespace minired
