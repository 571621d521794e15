// Memory limit and eviction options: maxmemory, maxmemory-policy, maxmemory-samples,
// maxmemory-eviction-tenacity, lfu-log-factor, lfu-decay-time. All take effect at once.
#include <climits>

#include "protocol/numbers.h"
#include "protocol/request_parser.h"
#include "server/config.h"

namespace minired {
namespace {

struct PolicyName {
  EvictionPolicy policy;
  const char* name;
};
// Redis's order, which its error message lists.
constexpr PolicyName kPolicies[] = {
    {EvictionPolicy::kVolatileLru, "volatile-lru"},     {EvictionPolicy::kVolatileLfu, "volatile-lfu"},
    {EvictionPolicy::kVolatileRandom, "volatile-random"}, {EvictionPolicy::kVolatileTtl, "volatile-ttl"},
    {EvictionPolicy::kAllKeysLru, "allkeys-lru"},       {EvictionPolicy::kAllKeysLfu, "allkeys-lfu"},
    {EvictionPolicy::kAllKeysRandom, "allkeys-random"}, {EvictionPolicy::kNoEviction, "noeviction"},
};

bool IsLfu(EvictionPolicy p) { return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu; }

ConfigOption IntOption(std::string name, int64_t lo, int64_t hi, std::function<int64_t(const EvictionConfig&)> get,
                       std::function<void(EvictionConfig&, int64_t)> put) {
  ConfigOption o;
  o.name = std::move(name);
  o.mutable_at_runtime = true;
  o.get = [get](const ServerConfig& c) { return Int64ToString(get(c.eviction)); };
  o.set = [lo, hi, put](ServerConfig& c, const std::vector<std::string>& v) {
    auto n = ParseInt64(v[0]);
    if (!n) return Status::InvalidArgument("argument couldn't be parsed into an integer");
    if (*n < lo || *n > hi) {
      return Status::InvalidArgument("argument must be between " + Int64ToString(lo) + " and " +
                                     Int64ToString(hi) + " inclusive");
    }
    put(c.eviction, *n);
    return Status::Ok();
  };
  return o;
}

}  // namespace

const char* EvictionPolicyName(EvictionPolicy p) {
  for (const auto& [policy, name] : kPolicies) {
    if (policy == p) return name;
  }
  return "noeviction";
}

void AddEvictionOptions(std::vector<ConfigOption>* opts) {
  {
    ConfigOption o;
    o.name = "maxmemory";
    o.mutable_at_runtime = true;
    o.get = [](const ServerConfig& c) { return Int64ToString(c.eviction.maxmemory.load()); };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      int64_t n;
      if (!ParseMemory(v[0], &n) || n < 0) return Status::InvalidArgument("argument must be a memory value");
      c.eviction.maxmemory = n;
      return Status::Ok();
    };
    opts->push_back(std::move(o));
  }
  {
    ConfigOption o;
    o.name = "maxmemory-policy";
    o.mutable_at_runtime = true;
    o.get = [](const ServerConfig& c) { return std::string(EvictionPolicyName(c.eviction.policy.load())); };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      for (const auto& [policy, name] : kPolicies) {
        if (EqualsIgnoreCase(v[0], name)) {
          c.eviction.policy = policy;
          c.eviction.access.lfu = IsLfu(policy);
          return Status::Ok();
        }
      }
      std::string all;
      for (const auto& p : kPolicies) all += (all.empty() ? "" : ", ") + std::string(p.name);
      return Status::InvalidArgument("argument(s) must be one of the following: " + all);
    };
    opts->push_back(std::move(o));
  }
  opts->push_back(IntOption(
      "maxmemory-samples", 1, INT_MAX, [](const EvictionConfig& e) { return e.samples.load(); },
      [](EvictionConfig& e, int64_t v) { e.samples = static_cast<int>(v); }));
  opts->push_back(IntOption(
      "maxmemory-eviction-tenacity", 0, 100, [](const EvictionConfig& e) { return e.tenacity.load(); },
      [](EvictionConfig& e, int64_t v) { e.tenacity = static_cast<int>(v); }));
  opts->push_back(IntOption(
      "lfu-log-factor", 0, INT_MAX, [](const EvictionConfig& e) { return e.access.lfu_log_factor.load(); },
      [](EvictionConfig& e, int64_t v) { e.access.lfu_log_factor = static_cast<int>(v); }));
  opts->push_back(IntOption(
      "lfu-decay-time", 0, INT_MAX, [](const EvictionConfig& e) { return e.access.lfu_decay_minutes.load(); },
      [](EvictionConfig& e, int64_t v) { e.access.lfu_decay_minutes = static_cast<int>(v); }));
}

}  // namespace minired
