// Commands encoded once, at construction, into RESP multibulk bytes: a Command is
// what goes on the wire, so queuing, batching and retries never re-encode it.
// Pipeline concatenates commands and expects one reply each; Typed<T> pairs a
// command with the C++ type its reply converts to (see commands.h).
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace minired::client {

class Command {
 public:
  Command() = default;
  // Command("SET", key, 42, 1.5): strings as given, numbers in decimal.
  template <typename... Args>
  explicit Command(std::string_view name, const Args&... args) {
    Begin(1 + sizeof...(args));
    Arg(name);
    (Arg(args), ...);
  }
  // From a runtime argument list, e.g. a command typed by a user.
  static Command FromArgs(std::span<const std::string> args);
  static Command FromArgs(std::span<const std::string_view> args);

  // Appends one more argument (for commands built in a loop, like HSET key f v f v).
  template <typename T>
  Command& operator<<(const T& arg) {
    ++argc_;
    PatchCount();
    Arg(arg);
    return *this;
  }

  const std::string& bytes() const { return bytes_; }
  size_t argc() const { return argc_; }
  bool empty() const { return argc_ == 0; }

 private:
  void Begin(size_t argc);
  void PatchCount();
  void Bulk(std::string_view s);
  void Arg(std::string_view s) { Bulk(s); }
  void Arg(const std::string& s) { Bulk(s); }
  void Arg(const char* s) { Bulk(s); }
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  void Arg(T v) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    Bulk(std::string_view(buf, static_cast<size_t>(end - buf)));
  }
  void Arg(double v);

  std::string bytes_;
  size_t argc_ = 0;
  size_t header_len_ = 0;  // length of "*N\r\n", rewritten when arguments are appended
};

// Commands sent in one write, answered in order. Reusable after a send.
class Pipeline {
 public:
  template <typename... Args>
  Pipeline& add(std::string_view name, const Args&... args) {
    return add(Command(name, args...));
  }
  Pipeline& add(const Command& c) {
    bytes_ += c.bytes();
    ++size_;
    return *this;
  }
  const std::string& bytes() const { return bytes_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    bytes_.clear();
    size_ = 0;
  }

 private:
  std::string bytes_;
  size_t size_ = 0;
};

// A command whose reply converts to T via ReplyAs<T>.
template <typename T>
struct Typed {
  using value_type = T;
  Command command;
};

}  // namespace minired::client
