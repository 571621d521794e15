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
    o.memory = true;
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
      "maxmemory-samples", true, 1, INT_MAX, [](const ServerConfig& c) { return c.eviction.samples.load(); },
      [](ServerConfig& c, int64_t v) { c.eviction.samples = static_cast<int>(v); }));
  opts->push_back(IntOption(
      "maxmemory-eviction-tenacity", true, 0, 100, [](const ServerConfig& c) { return c.eviction.tenacity.load(); },
      [](ServerConfig& c, int64_t v) { c.eviction.tenacity = static_cast<int>(v); }));
  opts->push_back(IntOption(
      "lfu-log-factor", true, 0, INT_MAX,
      [](const ServerConfig& c) { return c.eviction.access.lfu_log_factor.load(); },
      [](ServerConfig& c, int64_t v) { c.eviction.access.lfu_log_factor = static_cast<int>(v); }));
  opts->push_back(IntOption(
      "lfu-decay-time", true, 0, INT_MAX,
      [](const ServerConfig& c) { return c.eviction.access.lfu_decay_minutes.load(); },
      [](ServerConfig& c, int64_t v) { c.eviction.access.lfu_decay_minutes = static_cast<int>(v); }));
}

}  // namespace minired
