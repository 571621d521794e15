#include "server/monitor.h"

#include <fmt/format.h>

#include "server/command.h"
#include "server/session.h"
#include "server/slowlog.h"

namespace minired {

void Monitors::Add(uint64_t client_id, Deliver deliver) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto& m : monitors_) {
    if (m.first == client_id) return;
  }
  monitors_.emplace_back(client_id, std::move(deliver));
  count_.store(static_cast<int>(monitors_.size()), std::memory_order_relaxed);
}

void Monitors::Remove(uint64_t client_id) {
  std::lock_guard<std::mutex> l(mu_);
  std::erase_if(monitors_, [&](const auto& m) { return m.first == client_id; });
  count_.store(static_cast<int>(monitors_.size()), std::memory_order_relaxed);
}

void Monitors::Feed(const Session& session, std::span<const std::string_view> args, int64_t now_us) {
  // A script's calls show as "lua", as Redis shows them.
  std::string origin = session.origin == Origin::kScript ? std::string("lua")
                       : session.info                   ? session.info->addr
                       : std::string(session.origin == Origin::kMaster ? "master" : "internal");
  auto line = std::make_shared<std::string>("+" + MonitorLine(session.db, origin, args, now_us) + "\r\n");
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& m : monitors_) m.second(line);
}

void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\\': *out += "\\\\"; break;
      case '"': *out += "\\\""; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\a': *out += "\\a"; break;
      case '\b': *out += "\\b"; break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out->push_back(ch);
        } else {
          *out += fmt::format("\\x{:02x}", c);
        }
    }
  }
  out->push_back('"');
}

std::string MonitorLine(int db, std::string_view origin, std::span<const std::string_view> args, int64_t now_us) {
  std::string out = fmt::format("{}.{:06} [{} {}]", now_us / 1000000, now_us % 1000000, db, origin);
  for (size_t i = 0; i < args.size(); ++i) {
    out.push_back(' ');
    AppendQuoted(&out, IsRedactedArg(args, i) ? std::string_view("(redacted)") : args[i]);
  }
  return out;
}

bool ShownToMonitors(const CommandSpec& spec) {
  return !(spec.flags & (kCmdAdmin | kCmdSkipMonitor)) || spec.name == "auth";
}

}  // namespace minired
