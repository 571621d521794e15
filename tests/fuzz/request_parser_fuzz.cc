// libFuzzer target for the RESP request parser.
//
// A connection hands the parser whatever the socket delivered, so the same bytes must
// parse to the same commands however they are cut. Each input is parsed three ways —
// whole, one byte at a time, and in pieces whose sizes follow from the input — under
// limits chosen by its first byte (small ones reach the limit paths), and the results
// must agree. AddressSanitizer watches every argument view being read.
//
// The pipeline look ahead (protocol/request_peek.h), which finds the keys of the next
// requests without the parser, must find what the parser finds: its keys are the
// second arguments of the first commands the parser returns.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/numbers.h"
#include "protocol/request_parser.h"
#include "protocol/request_peek.h"

namespace {

using minired::RequestLimits;
using minired::RequestParser;

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  std::string error;  // the protocol error that ended the stream, "" if none
};

[[noreturn]] void Fail(const char* what, const Outcome& a, const Outcome& b) {
  std::fprintf(stderr, "request parser disagrees with itself: %s\n", what);
  std::fprintf(stderr, "  whole: %zu commands, error '%s'\n", a.commands.size(), a.error.c_str());
  std::fprintf(stderr, "  split: %zu commands, error '%s'\n", b.commands.size(), b.error.c_str());
  std::abort();
}

RequestLimits LimitsFrom(uint8_t selector) {
  RequestLimits limits;
  limits.unauthenticated = (selector & 1) != 0;
  if (selector & 2) limits.max_bulk_len = 64;
  if (selector & 4) limits.max_multibulk_len = 8;
  if (selector & 8) limits.max_inline_len = 32;
  return limits;
}

// Feeds `input` in pieces of the sizes `next_piece` returns, as a connection's read
// buffer would hold them: unconsumed bytes stay, new bytes are appended.
template <typename NextPiece>
Outcome Parse(std::string_view input, const RequestLimits& limits, NextPiece next_piece) {
  Outcome out;
  RequestParser parser(limits);
  std::string buf;
  size_t fed = 0;
  while (true) {
    size_t consumed = 0;
    RequestParser::Result r = parser.Parse(buf, &consumed);
    if (r == RequestParser::Result::kOk) {
      if (consumed == 0 || consumed > buf.size()) std::abort();  // would loop or overrun
      out.commands.emplace_back(parser.args().begin(), parser.args().end());
      buf.erase(0, consumed);
      continue;
    }
    if (r == RequestParser::Result::kError) {
      if (parser.error().rfind("Protocol error: ", 0) != 0) std::abort();  // Redis's wording
      out.error = parser.error();
      return out;
    }
    if (fed == input.size()) return out;
    size_t n = std::min(next_piece(), input.size() - fed);
    buf.append(input.substr(fed, n));
    fed += n;
  }
}

// Whether an error depends on how much was buffered when it was raised: a line with no
// terminator yet is refused once it outgrows the limit, as redis-server does, so a
// stream cut earlier may fail where the whole stream parses on.
bool DependsOnBuffering(const std::string& error) { return error.find("too big") != std::string::npos; }

void ExpectSame(const Outcome& whole, const Outcome& split) {
  if (!DependsOnBuffering(split.error)) {
    if (whole.commands != split.commands) Fail("different commands", whole, split);
    if (whole.error != split.error) Fail("different errors", whole, split);
    return;
  }
  // Refused early: what was parsed before must be what the whole stream starts with.
  if (split.commands.size() > whole.commands.size()) Fail("more commands before a limit", whole, split);
  for (size_t i = 0; i < split.commands.size(); ++i) {
    if (split.commands[i] != whole.commands[i]) Fail("different commands before a limit", whole, split);
  }
}

// The keys the look ahead must find in a parsed command: a script call's declared keys
// (EVAL, EVALSHA, FCALL and their _RO forms with a positive numkeys), else its second
// argument.
std::vector<std::string> KeysOf(const std::vector<std::string>& command) {
  std::vector<std::string> keys;
  if (command.size() < 2) return keys;
  bool script = false;
  for (const char* name : {"eval", "evalsha", "fcall", "eval_ro", "evalsha_ro", "fcall_ro"}) {
    script = script || minired::EqualsIgnoreCase(command[0], name);
  }
  int64_t numkeys = 0;
  if (script && command.size() >= 4 && minired::ParseInt64(command[2], &numkeys) && numkeys > 0) {
    for (size_t i = 3; i < command.size() && i - 3 < static_cast<uint64_t>(numkeys); ++i) keys.push_back(command[i]);
    return keys;
  }
  keys.push_back(command[1]);
  return keys;
}

void ExpectPeekAgrees(std::string_view input) {
  std::string_view keys[16];
  const size_t found = minired::PeekFirstKeys(input, keys, 16);
  const Outcome parsed = Parse(input, RequestLimits{}, [&] { return input.size(); });
  size_t k = 0;
  for (const auto& command : parsed.commands) {
    for (const std::string& key : KeysOf(command)) {
      if (k == found) break;
      if (key != keys[k++]) {
        std::fprintf(stderr, "the look ahead found another key than the parser\n");
        std::abort();
      }
    }
    if (k == found) break;
  }
  if (k != found) {
    std::fprintf(stderr, "the look ahead found %zu keys, the parser %zu\n", found, k);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const RequestLimits limits = LimitsFrom(data[0]);
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  Outcome whole = Parse(input, limits, [&] { return input.size(); });
  ExpectSame(whole, Parse(input, limits, [] { return size_t{1}; }));
  uint32_t state = 2166136261u;
  for (unsigned char c : input) state = (state ^ c) * 16777619u;
  ExpectSame(whole, Parse(input, limits, [&] {
    state = state * 1103515245u + 12345u;
    return size_t{1} + (state >> 16) % 23;
  }));
  ExpectPeekAgrees(input);
  return 0;
}
