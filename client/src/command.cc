#include "minired/command.h"

#include <charconv>
#include <cstring>

#include "protocol/numbers.h"

namespace minired::client {

namespace {
// Writes "<prefix><n>\r\n" to buf (at least 24 bytes); returns its length.
size_t Header(char prefix, size_t n, char* buf) {
  buf[0] = prefix;
  char* end = std::to_chars(buf + 1, buf + 22, n).ptr;
  end[0] = '\r';
  end[1] = '\n';
  return static_cast<size_t>(end + 2 - buf);
}
}  // namespace

void Command::Begin(size_t argc) {
  argc_ = argc;
  char buf[24];
  header_len_ = Header('*', argc, buf);
  bytes_.reserve(64);
  bytes_.assign(buf, header_len_);
}

void Command::PatchCount() {
  char buf[24];
  size_t len = Header('*', argc_, buf);
  bytes_.replace(0, header_len_, buf, len);
  header_len_ = len;
}

void Command::Bulk(std::string_view s) {
  char len[24];
  size_t n = Header('$', s.size(), len);
  size_t at = bytes_.size();
  bytes_.resize(at + n + s.size() + 2);
  char* out = bytes_.data() + at;
  std::memcpy(out, len, n);
  out += n;
  if (!s.empty()) std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\r';
  out[s.size() + 1] = '\n';
}

// Doubles as Redis prints them (%.17g), so a score round-trips exactly.
void Command::Arg(double v) { Bulk(FormatDouble(v)); }

Command Command::FromArgs(std::span<const std::string> args) {
  Command c;
  c.Begin(args.size());
  for (const auto& a : args) c.Bulk(a);
  return c;
}

Command Command::FromArgs(std::span<const std::string_view> args) {
  Command c;
  c.Begin(args.size());
  for (auto a : args) c.Bulk(a);
  return c;
}

}  // namespace minired::client
