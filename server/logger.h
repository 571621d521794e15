// Leveled log lines in redis-server's format ("pid:M 22 Nov 2026 03:04:05.123 * text"),
// to stdout or the configured logfile. Thread-safe: one write(2) per line.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <string>

#include "server/config.h"

namespace minired {

class Logger {
 public:
  static Logger& Get();
  // Opens `path` for appending ("" = stdout). Returns false if it cannot be opened.
  bool Open(const std::string& path);
  // Reopens the same file (after the operator rotated it).
  void Reopen();
  void SetLevel(const std::atomic<int>* level) { level_ = level; }
  bool Enabled(LogLevel l) const { return static_cast<int>(l) >= (level_ ? level_->load() : 2); }
  void Write(LogLevel l, std::string_view msg);

 private:
  std::atomic<int> fd_{1};
  std::string path_;
  const std::atomic<int>* level_ = nullptr;
};

template <typename... Args>
void Log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
  Logger& lg = Logger::Get();
  if (lg.Enabled(level)) lg.Write(level, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace minired
