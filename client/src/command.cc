#include "minired/command.h"

#include <cstdio>

#include "protocol/numbers.h"

namespace minired::client {

namespace {
std::string CountHeader(size_t argc) { return "*" + std::to_string(argc) + "\r\n"; }
}  // namespace

void Command::Begin(size_t argc) {
  argc_ = argc;
  bytes_ = CountHeader(argc);
  header_len_ = bytes_.size();
}

void Command::PatchCount() {
  std::string header = CountHeader(argc_);
  bytes_.replace(0, header_len_, header);
  header_len_ = header.size();
}

void Command::Bulk(std::string_view s) {
  char len[32];
  int n = std::snprintf(len, sizeof len, "$%zu\r\n", s.size());
  bytes_.append(len, static_cast<size_t>(n));
  bytes_.append(s);
  bytes_.append("\r\n", 2);
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
