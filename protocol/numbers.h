// Conversions between numbers and their text forms, with Redis's exact rules: which
// strings count as integers (util.c string2ll) and how doubles are printed, so
// replies match redis-server byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace minired {

// Longest text any int64 needs ("-9223372036854775808").
inline constexpr size_t kMaxInt64Chars = 20;

// Strict decimal integer: optional '-', no '+', no spaces, no leading zeros, fits int64.
// "0" is valid, "-0" and "007" are not (Redis's string2ll).
bool ParseInt64(std::string_view s, int64_t* out);

// The same, as an optional. Inline on purpose: returned from a call, GCC assembles the
// optional on the stack with a byte store and reads it back with an 8-byte load, a store
// that cannot be forwarded; that stall was 7 % of a server serving pipelined LPUSHes.
inline std::optional<int64_t> ParseInt64(std::string_view s) {
  int64_t v;
  if (!ParseInt64(s, &v)) return std::nullopt;
  return v;
}

// A RESP header's length in its common form, read where the request parser and its look
// ahead find one (p just past the '*' or '$'): a positive decimal of at most 18 digits
// without a leading zero, then '\r' and at least one more byte before `end`. Returns the
// '\r', or nullptr for any other form (0, -1, more digits, a stray byte, too few bytes),
// which the caller parses with ParseInt64 by Redis's rules.
inline const char* ReadCommonLength(const char* p, const char* end, int64_t* out) {
  if (end - p < 3 || *p < '1' || *p > '9') return nullptr;  // a digit, '\r', one more byte
  // The furthest the '\r' may be: after 18 digits (below 10^18: no overflow), and with a
  // byte after it.
  const char* const cr_limit = end - p > 20 ? p + 18 : end - 2;
  int64_t v = 0;
  for (; p < cr_limit; ++p) {
    const unsigned digit = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
    if (digit > 9) break;
    v = v * 10 + static_cast<int64_t>(digit);
  }
  if (*p != '\r') return nullptr;
  *out = v;
  return p;
}

// Writes `v` in decimal to `buf` (at least kMaxInt64Chars bytes); returns the length.
size_t FormatInt64(int64_t v, char* buf);
std::string Int64ToString(int64_t v);

// A double argument as Redis's getDoubleFromObject accepts it: strtod syntax,
// "inf"/"-inf" allowed, no surrounding spaces, not NaN.
std::optional<double> ParseDouble(std::string_view s);

// A long double as Redis's string2ld accepts it (INCRBYFLOAT): no spaces, not NaN,
// and inf is rejected by the caller where Redis does.
std::optional<long double> ParseLongDouble(std::string_view s);

// Redis 7.0's "%.17g" form used for doubles in replies ("inf", "-inf" for infinities).
std::string FormatDouble(double d);
// The same into `buf` (at least kMaxDoubleChars bytes), returning its length.
inline constexpr size_t kMaxDoubleChars = 32;
size_t FormatDouble(double d, char* buf);

// Redis's ld2string(LD_STR_HUMAN): "%.17Lf" with trailing zeros (and dot) removed;
// used by INCRBYFLOAT so the stored text matches redis-server.
std::string FormatLongDoubleHuman(long double d);

// ASCII case folding: what libc's tolower/toupper do in the "C" locale the server runs
// in (it never calls setlocale), without a call per character. Every request's command
// name is folded, and EVALSHA's 40-character digest: the libc calls were a tenth of a
// pipelined EVALSHA's CPU.
constexpr char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }
constexpr char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - ('a' - 'A')) : c; }

// Case-insensitive ASCII comparison, for command names and options.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// The eight bytes of `w` lower-cased at once: a byte is upper case when it is ASCII, at
// least 'A' and not above 'Z', which the high bits of two additions on its low seven
// bits tell for every byte of the word (no carry crosses a byte: each sum stays below
// 0x100); 0x20 is then added to those bytes.
constexpr uint64_t AsciiLowerWord(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const uint64_t low7 = w & ~kHigh;
  const uint64_t at_least_a = low7 + (0x80 - 'A') * kOnes;
  const uint64_t above_z = low7 + (0x7f - 'Z') * kOnes;
  const uint64_t upper = at_least_a & ~above_z & ~w & kHigh;
  return w + (upper >> 2);
}
// Bytes p[0..n), n <= 8, as a little-endian word with zeros above them: at most two
// loads, none past p + n.
inline uint64_t LoadUpTo8(const char* p, size_t n) {
  if (n >= 4) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);  // overlaps lo's bytes with the same values
    return lo | (static_cast<uint64_t>(hi) << (8 * (n - 4)));
  }
  if (n == 0) return 0;
  auto byte = [p](size_t i) { return static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i); };
  return byte(0) | byte(n / 2) | byte(n - 1);
}
void ToLowerInPlace(std::string& s);
void ToUpperInPlace(std::string& s);

}  // namespace minired
