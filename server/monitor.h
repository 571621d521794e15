// MONITOR: clients that see every command the server runs, as one line each in Redis's
// format. The fast path is one relaxed load: with no monitor attached nothing is
// formatted. A line is formatted once and handed to every monitor's own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace minired {

struct Session;
struct CommandSpec;

class Monitors {
 public:
  using Deliver = std::function<void(std::shared_ptr<const std::string>)>;

  void Add(uint64_t client_id, Deliver deliver);
  void Remove(uint64_t client_id);
  bool active() const { return count_.load(std::memory_order_relaxed) > 0; }

  // Sends `args`, run by `session` at `now_us` (Unix microseconds), to every monitor.
  void Feed(const Session& session, std::span<const std::string_view> args, int64_t now_us);

 private:
  std::atomic<int> count_{0};
  std::mutex mu_;
  std::vector<std::pair<uint64_t, Deliver>> monitors_;  // guarded by mu_
};

// One MONITOR line without its RESP framing: `1700000000.123456 [0 127.0.0.1:5000] "set" "k" "v"`.
std::string MonitorLine(int db, std::string_view origin, std::span<const std::string_view> args, int64_t now_us);
// Redis's sdscatrepr: a quoted string with \n, \r, \t, \a, \b, \\, \" and \xHH escapes.
void AppendQuoted(std::string* out, std::string_view s);
// Whether a command is shown to monitors (administrative ones are not, as in Redis).
bool ShownToMonitors(const CommandSpec& spec);

}  // namespace minired
