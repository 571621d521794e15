#include "protocol/numbers.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace minired {

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > kMaxInt64Chars) return false;
  size_t i = 0;
  bool negative = false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  // 19 digits cannot overflow a uint64_t, and 20 are past any int64_t: no check per
  // digit (a division each, which was 5% of a server serving pipelined INCRs).
  if (s.size() - i > 19) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const unsigned digit = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
    if (digit > 9) return false;
    v = v * 10 + digit;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
    return true;
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

size_t FormatInt64(int64_t v, char* buf) {
  // std::to_chars writes two digits a step from a table: a third of the divisions of a
  // digit-by-digit loop, in every bulk length and integer reply.
  return static_cast<size_t>(std::to_chars(buf, buf + kMaxInt64Chars, v).ptr - buf);
}

std::string Int64ToString(int64_t v) {
  char buf[kMaxInt64Chars];
  return std::string(buf, FormatInt64(v, buf));
}

namespace {
// strtod/strtold need a NUL-terminated copy; arguments are short, so the copy is cheap.
template <typename T, typename Fn>
std::optional<T> ParseFloating(std::string_view s, Fn fn) {
  if (s.empty() || s.size() > 5000) return std::nullopt;
  if (isspace(static_cast<unsigned char>(s.front())) ||
      isspace(static_cast<unsigned char>(s.back())))
    return std::nullopt;
  std::string copy(s);
  char* end = nullptr;
  errno = 0;
  T v = fn(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return std::nullopt;
  if (std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (v == 0 || std::isinf(v))) return std::nullopt;
  return v;
}
}  // namespace

std::optional<double> ParseDouble(std::string_view s) {
  return ParseFloating<double>(s, [](const char* p, char** e) { return std::strtod(p, e); });
}

std::optional<long double> ParseLongDouble(std::string_view s) {
  return ParseFloating<long double>(s,
                                    [](const char* p, char** e) { return std::strtold(p, e); });
}

// std::to_chars with a precision writes what printf's conversion would (the standard
// defines it so), without parsing a format and without printf's multi-precision digit
// loop, which was half of a pipelined ZRANGE WITHSCORES's time. A whole number below
// 10^15 is written as the integer it is, which is what "%.17g" gives for it.
size_t FormatDouble(double d, char* buf) {
  if (std::isinf(d)) {
    const size_t n = d > 0 ? 3 : 4;
    std::memcpy(buf, d > 0 ? "inf" : "-inf", n);
    return n;
  }
  if (d == std::floor(d) && std::fabs(d) < 1e15 && !(d == 0 && std::signbit(d))) {
    return FormatInt64(static_cast<int64_t>(d), buf);
  }
  const auto result = std::to_chars(buf, buf + kMaxDoubleChars, d, std::chars_format::general, 17);
  return static_cast<size_t>(result.ptr - buf);
}

std::string FormatDouble(double d) {
  char buf[kMaxDoubleChars];
  return std::string(buf, FormatDouble(d, buf));
}

std::string FormatLongDoubleHuman(long double d) {
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[5600];
  int n = snprintf(buf, sizeof(buf), "%.17Lf", d);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return "0";
  std::string out(buf, static_cast<size_t>(n));
  if (out.find('.') != std::string::npos) {
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// Eight bytes a step (a SHA1 for EVALSHA is 40).
void ToLowerInPlace(std::string& s) {
  char* p = s.data();
  const size_t n = s.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    w = AsciiLowerWord(w);
    std::memcpy(p + i, &w, 8);
  }
  for (; i < n; ++i) p[i] = AsciiLower(p[i]);
}

void ToUpperInPlace(std::string& s) {
  char* p = s.data();
  const size_t n = s.size();
  for (size_t i = 0; i < n; ++i) p[i] = AsciiUpper(p[i]);
}

}  // namespace minired
