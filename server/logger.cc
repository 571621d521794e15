#include "server/logger.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <ctime>

namespace minired {

Logger& Logger::Get() {
  static Logger logger;
  return logger;
}

bool Logger::Open(const std::string& path) {
  path_ = path;
  if (path.empty()) {
    fd_ = 1;
    return true;
  }
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  int old = fd_.exchange(fd);
  if (old > 2) close(old);
  return true;
}

void Logger::Reopen() {
  if (!path_.empty()) Open(path_);
}

void Logger::Write(LogLevel l, std::string_view msg) {
  static const char kMarks[] = {'.', '-', '*', '#'};
  struct timeval tv;
  gettimeofday(&tv, nullptr);
  struct tm tm;
  localtime_r(&tv.tv_sec, &tm);
  char when[64];
  size_t n = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S", &tm);
  std::string line = fmt::format("{}:M {}.{:03d} {} {}\n", getpid(), std::string_view(when, n),
                                 static_cast<int>(tv.tv_usec / 1000), kMarks[static_cast<int>(l)], msg);
  ssize_t w = write(fd_.load(), line.data(), line.size());
  (void)w;
}

}  // namespace minired
