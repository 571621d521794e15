#include "server/command_stats.h"

#include <bit>
#include <cmath>

#include "protocol/numbers.h"
#include "server/command.h"
#include "server/command_table.h"

namespace minired {

size_t LatencyHistogram::BucketOf(uint64_t ns) {
  constexpr uint64_t kExact = uint64_t{1} << kSubBits;
  if (ns < kExact) return static_cast<size_t>(ns);
  int exponent = 63 - std::countl_zero(ns);
  if (exponent > kMaxExponent - 1) return kBuckets - 1;
  uint64_t mantissa = ns >> (exponent - kSubBits);  // in [2^kSubBits, 2^(kSubBits+1))
  return (static_cast<size_t>(exponent - kSubBits + 1) << kSubBits) + static_cast<size_t>(mantissa - kExact);
}

uint64_t LatencyHistogram::BucketHighest(size_t bucket) {
  constexpr uint64_t kExact = uint64_t{1} << kSubBits;
  if (bucket < kExact) return bucket;
  int shift = static_cast<int>(bucket >> kSubBits) - 1;
  uint64_t mantissa = kExact + (bucket & (kExact - 1));
  return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::Record(uint64_t ns) {
  std::atomic<uint64_t>& c = counts_[BucketOf(ns)];
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void LatencyHistogram::AddTo(std::vector<uint64_t>* sums) const {
  for (size_t i = 0; i < kBuckets; ++i) (*sums)[i] += counts_[i].load(std::memory_order_relaxed);
}

void LatencyHistogram::Clear() {
  for (auto& c : counts_) c.store(0, std::memory_order_relaxed);
}

uint64_t PercentileNs(const std::vector<uint64_t>& buckets, uint64_t total, double p) {
  if (total == 0 || buckets.empty()) return 0;
  auto target = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total)));
  target = std::max<uint64_t>(target, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    seen += buckets[i];
    if (seen >= target) return LatencyHistogram::BucketHighest(i);
  }
  return LatencyHistogram::BucketHighest(buckets.size() - 1);
}

std::string SubcommandOfCall(const CommandSpec& spec, std::span<const std::string_view> args) {
  if (spec.subcommands.empty() || args.size() < 2) return {};
  std::string sub(args[1]);
  ToLowerInPlace(sub);
  for (const std::string& known : spec.subcommands) {
    if (known == sub) return sub;
  }
  return {};
}

std::string StatName(const CommandSpec& spec, std::string_view subcommand) {
  if (subcommand.empty()) return spec.name;
  return spec.name + "|" + std::string(subcommand);
}

std::string_view ErrorCode(std::string_view error_text) {
  size_t space = error_text.find(' ');
  return space == std::string_view::npos ? error_text : error_text.substr(0, space);
}

CommandStats::CommandStats(const CommandTable& table) : table_(table) {
  size_ = table.all().size();
  by_index_ = std::make_unique<CommandCounters[]>(size_);
}

const std::string& CommandStats::NameOf(int index) const { return table_.all()[static_cast<size_t>(index)]->name; }

CommandCounters& CommandStats::For(const CommandSpec& spec, std::string_view subcommand) {
  if (subcommand.empty()) return by_index_[static_cast<size_t>(spec.index)];
  std::string name = StatName(spec, subcommand);
  std::lock_guard<std::mutex> l(mu_);
  auto it = subcommands_.find(name);
  if (it == subcommands_.end()) it = subcommands_.emplace(name, std::make_unique<CommandCounters>()).first;
  return *it->second;
}

void CommandStats::RecordCall(CommandCounters& c, uint64_t ns, bool track_latency) {
  c.calls.Add();
  c.ns.Add(ns);
  if (!track_latency) return;
  LatencyHistogram* h = c.histogram.load(std::memory_order_acquire);
  if (h == nullptr) {
    h = new LatencyHistogram();
    c.histogram.store(h, std::memory_order_release);
  }
  h->Record(ns);
}

void CommandStats::RecordError(std::string_view code) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = errors_.find(code);
  if (it == errors_.end()) {
    if (errors_.size() >= kMaxErrorCodes) return;
    it = errors_.emplace(std::string(code), std::make_unique<Counter>()).first;
  }
  it->second->Add();
}

namespace {
void Zero(Counter& c) { c.Add(0 - c.Get()); }

void ZeroCounters(CommandCounters& c) {
  Zero(c.calls);
  Zero(c.ns);
  Zero(c.rejected);
  Zero(c.failed);
  if (LatencyHistogram* h = c.histogram.load(std::memory_order_acquire)) {
    h->Clear();
  }
}
}  // namespace

void CommandStats::Reset() {
  for (size_t i = 0; i < size_; ++i) ZeroCounters(by_index_[i]);
  std::lock_guard<std::mutex> l(mu_);
  for (auto& [name, c] : subcommands_) ZeroCounters(*c);
  errors_.clear();
}

std::map<std::string, CommandTotals> SumCommandStats(const std::vector<const CommandStats*>& threads) {
  std::map<std::string, CommandTotals> out;
  for (const CommandStats* t : threads) {
    t->ForEach([&](int index, std::string_view sub_name, const CommandCounters& c) {
      uint64_t calls = c.calls.Get(), rejected = c.rejected.Get(), failed = c.failed.Get();
      if (calls == 0 && rejected == 0 && failed == 0) return;
      std::string name = index >= 0 ? t->NameOf(index) : std::string(sub_name);
      CommandTotals& tot = out[name];
      tot.calls += calls;
      tot.ns += c.ns.Get();
      tot.rejected += rejected;
      tot.failed += failed;
      if (const LatencyHistogram* h = c.histogram.load(std::memory_order_acquire)) {
        if (tot.histogram.empty()) tot.histogram.assign(LatencyHistogram::kBuckets, 0);
        h->AddTo(&tot.histogram);
      }
    });
  }
  for (auto& [name, tot] : out) {
    for (uint64_t n : tot.histogram) tot.samples += n;
  }
  return out;
}

std::map<std::string, uint64_t> SumErrorStats(const std::vector<const CommandStats*>& threads) {
  std::map<std::string, uint64_t> out;
  for (const CommandStats* t : threads) {
    t->ForEachError([&](const std::string& code, uint64_t n) {
      if (n > 0) out[code] += n;
    });
  }
  return out;
}

}  // namespace minired
