// A stream entry's ID: milliseconds and a sequence number, "<ms>-<seq>", ordered as the
// pair. 0-0 is never an entry's ID (it is the empty stream's last ID); the largest is
// 18446744073709551615-18446744073709551615.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace minired {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  static constexpr StreamId Min() { return {0, 0}; }
  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }

  auto operator<=>(const StreamId&) const = default;
  bool operator==(const StreamId&) const = default;

  // The next ID up (down); false at Max (Min), where there is none.
  bool Increment();
  bool Decrement();
  // "<ms>-<seq>".
  std::string ToString() const;
};

// How an ID argument is written, as Redis's streamParseID reads it.
struct StreamIdParse {
  StreamId id;
  bool seq_given = true;  // "<ms>-<seq>"; false for "<ms>", whose seq the caller picks
  bool seq_auto = false;  // "<ms>-*" (XADD)
};
// "<ms>", "<ms>-<seq>", and where allowed "<ms>-*"; both parts unsigned 64-bit decimals.
// "-" and "+" (the smallest and largest IDs) are the caller's to handle. False on
// anything else.
bool ParseStreamId(std::string_view text, bool allow_seq_auto, StreamIdParse* out);

}  // namespace minired
