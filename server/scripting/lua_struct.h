// The `struct` library Redis gives scripts (Roberto Ierusalimschy's struct 0.2, as Redis
// ships it): struct.pack(fmt, ...), struct.unpack(fmt, s [, pos]) -> values then the
// next position, struct.size(fmt). Formats: > < (endianness), !n (alignment), x (pad),
// b B h H l L T (byte, short, long, size_t), i In I In (int of n bytes, at most 32),
// f d (float, double), cn (n chars; c0: the whole string, or on unpack the previous
// number's length), s (zero-terminated), ' ' (ignored). Our own code, checked against
// redis-server's outputs (tests/integration/scripting_differential_test.cc).
#pragma once

struct lua_State;

namespace minired {

// Pushes the library table.
int OpenStruct(lua_State* L);

}  // namespace minired
