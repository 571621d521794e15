// Lua values <-> RESP, as Redis 7.0 converts them (docs/scripting.md, "Conversions").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/reply_writer.h"

struct lua_State;

namespace minired {

// A Lua number cast to an integer as Redis's C casts give it on x86-64: NaN and values
// out of range become the type's minimum (not undefined behaviour).
inline int64_t LuaNumberToInt64(double d) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(d);
}
inline int LuaNumberToInt(double d) {
  if (!(d > -2147483649.0 && d < 2147483648.0)) return INT32_MIN;
  return static_cast<int>(d);
}

// Pushes Redis's error table {err = "CODE message"}: "-CODE message" keeps its code, a
// text without the dash gets "ERR"; surrounding CR/LF are trimmed.
void PushLuaError(lua_State* L, std::string_view text);
// Takes one reply off the front of `in` (what a ReplyWriter wrote) and pushes it as a
// script sees it (Redis's redisProtocolToLuaType); `resp` is the protocol the script
// speaks to the commands it calls (redis.setresp), which decides what a null becomes.
// False when the bytes are not one whole reply (what it pushed is then left above).
bool PushReplyAsLua(lua_State* L, std::string_view* in, int resp);
// Writes the value on top of the stack as the script's reply, and pops it. `resp`: the
// script's protocol, which decides how booleans go out.
void WriteLuaAsResp(lua_State* L, ReplyWriter& w, int resp);
// The field Redis names ignore_error_stats_update: set in the error table of a command a
// script called, whose failure errorstats counted already.
inline constexpr char kCountedErrorField[] = "ignore_error_stats_update";
// Writes `text`, the message of the error table on top of the stack, as an error reply:
// one carrying kCountedErrorField is not counted in errorstats again.
void WriteLuaError(lua_State* L, ReplyWriter& w, std::string_view text);
// The string field `name` of the table on top of the stack, if it is a string.
bool LuaStringField(lua_State* L, const char* name, std::string* out);

}  // namespace minired
