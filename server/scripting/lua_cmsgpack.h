// The `cmsgpack` library Redis gives scripts (lua-cmsgpack 0.4.0's behaviour):
// pack(v1, v2, ...) -> MessagePack bytes; unpack(s) -> every value; unpack_one(s [,
// offset]) and unpack_limit(s, limit [, offset]) -> the next offset (-1 at the end)
// then the values. Tables whose keys are exactly 1..n pack as arrays, others as maps;
// integral numbers as the smallest integer form, others as float32 when exact, else
// float64; tables nested deeper than 16 pack as nil. Our own code, checked byte for
// byte against redis-server (tests/integration/scripting_differential_test.cc).
#pragma once

struct lua_State;

namespace minired {

// Pushes the library table.
int OpenCmsgpack(lua_State* L);

}  // namespace minired
