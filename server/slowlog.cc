#include "server/slowlog.h"

#include <fmt/format.h>

#include "protocol/numbers.h"

namespace minired {
namespace {
constexpr size_t kMaxArgs = 32;
constexpr size_t kMaxArgBytes = 128;

bool IsSecretConfig(std::string_view name) {
  return EqualsIgnoreCase(name, "requirepass") || EqualsIgnoreCase(name, "masterauth") ||
         EqualsIgnoreCase(name, "masteruser");
}
}  // namespace

bool IsRedactedArg(std::span<const std::string_view> args, size_t i) {
  if (i == 0 || i >= args.size()) return false;
  std::string_view cmd = args[0];
  if (EqualsIgnoreCase(cmd, "auth")) return true;
  if (EqualsIgnoreCase(cmd, "hello")) {
    // HELLO [protover [AUTH username password] [SETNAME name]]
    for (size_t a = 2; a < i; ++a) {
      if (EqualsIgnoreCase(args[a], "auth") && (i == a + 1 || i == a + 2)) return true;
    }
    return false;
  }
  if (EqualsIgnoreCase(cmd, "config") && args.size() > 1 && EqualsIgnoreCase(args[1], "set")) {
    // CONFIG SET name value [name value ...]: the values of secret options.
    return i >= 3 && (i - 3) % 2 == 0 && IsSecretConfig(args[i - 1]);
  }
  return false;
}

std::vector<std::string> SlowLogArgs(std::span<const std::string_view> args) {
  size_t kept = std::min(args.size(), kMaxArgs);
  std::vector<std::string> out;
  out.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    if (kept != args.size() && i == kept - 1) {
      out.push_back(fmt::format("... ({} more arguments)", args.size() - kept + 1));
      break;
    }
    if (IsRedactedArg(args, i)) {
      out.emplace_back("(redacted)");
    } else if (args[i].size() > kMaxArgBytes) {
      out.push_back(fmt::format("{}... ({} more bytes)", args[i].substr(0, kMaxArgBytes),
                                args[i].size() - kMaxArgBytes));
    } else {
      out.emplace_back(args[i]);
    }
  }
  return out;
}

void SlowLog::Push(SlowLogEntry entry, size_t max_len) {
  std::lock_guard<std::mutex> l(mu_);
  entry.id = next_id_++;
  entries_.push_front(std::move(entry));
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<SlowLogEntry> SlowLog::Newest(int64_t count) const {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = count < 0 ? entries_.size() : std::min(entries_.size(), static_cast<size_t>(count));
  return {entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(n)};
}

size_t SlowLog::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return entries_.size();
}

void SlowLog::Reset() {
  std::lock_guard<std::mutex> l(mu_);
  entries_.clear();
}

void SlowLog::Trim(size_t max_len) {
  std::lock_guard<std::mutex> l(mu_);
  while (entries_.size() > max_len) entries_.pop_back();
}

}  // namespace minired
