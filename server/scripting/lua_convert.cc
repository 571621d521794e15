#include "server/scripting/lua_convert.h"

extern "C" {
#include <lua.h>
}

#include <string>

namespace minired {
namespace {

std::string WithoutNewlines(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

// Pushes the field `name` of the table on top of the stack when it has Lua type `type`;
// false, with nothing pushed, otherwise.
bool PushFieldOfType(lua_State* L, const char* name, int type) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  if (lua_type(L, -1) == type) return true;
  lua_pop(L, 1);
  return false;
}

// How many entries the table on top of the stack has (RESP3 maps and sets).
size_t CountEntries(lua_State* L) {
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    ++n;
  }
  return n;
}

}  // namespace

// Pushes Redis's error table {err = "CODE message"}: "-CODE message" keeps its code,
// a text without the dash gets "ERR"; trailing CR/LF are trimmed.
void PushLuaError(lua_State* L, std::string_view text) {
  std::string code = "ERR", msg;
  if (!text.empty() && text[0] == '-') {
    size_t sp = text.find(' ');
    if (sp == std::string_view::npos) {
      msg = text.substr(1);
    } else {
      code = text.substr(1, sp - 1);
      msg = text.substr(sp + 1);
    }
  } else {
    msg = text;
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.erase(0, 1);
  std::string full = code + " " + msg;
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, full.data(), full.size());
  lua_settable(L, -3);
}

void PushRespAsLua(lua_State* L, const RespValue& v, int resp) {
  lua_checkstack(L, 4);
  switch (v.type) {
    case RespValue::Type::kInteger:
      lua_pushnumber(L, static_cast<lua_Number>(v.integer));
      break;
    case RespValue::Type::kBulkString:
    case RespValue::Type::kVerbatim:
      lua_pushlstring(L, v.str.data(), v.str.size());
      break;
    case RespValue::Type::kSimpleString:
      lua_newtable(L);
      lua_pushstring(L, "ok");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_settable(L, -3);
      break;
    case RespValue::Type::kError:
      // Counted in errorstats when the command failed: marked, so that a script
      // passing it on does not count it again.
      PushLuaError(L, "-" + v.str);
      lua_pushstring(L, kCountedErrorField);
      lua_pushboolean(L, 1);
      lua_settable(L, -3);
      break;
    case RespValue::Type::kNull:
      // RESP2's null bulk and null array are false; RESP3's null is nil.
      if (resp == 2) {
        lua_pushboolean(L, 0);
      } else {
        lua_pushnil(L);
      }
      break;
    case RespValue::Type::kBoolean:
      lua_pushboolean(L, v.integer != 0);
      break;
    case RespValue::Type::kDouble:
      lua_newtable(L);
      lua_pushstring(L, "double");
      lua_pushnumber(L, v.dbl);
      lua_settable(L, -3);
      break;
    case RespValue::Type::kBigNumber:
      lua_newtable(L);
      lua_pushstring(L, "big_number");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_settable(L, -3);
      break;
    case RespValue::Type::kMap:
      lua_newtable(L);
      lua_pushstring(L, "map");
      lua_newtable(L);
      for (size_t i = 0; i + 1 < v.elems.size(); i += 2) {
        PushRespAsLua(L, v.elems[i], resp);
        PushRespAsLua(L, v.elems[i + 1], resp);
        lua_settable(L, -3);
      }
      lua_settable(L, -3);
      break;
    case RespValue::Type::kSet:
      lua_newtable(L);
      lua_pushstring(L, "set");
      lua_newtable(L);
      for (const RespValue& e : v.elems) {
        PushRespAsLua(L, e, resp);
        lua_pushboolean(L, 1);
        lua_settable(L, -3);
      }
      lua_settable(L, -3);
      break;
    case RespValue::Type::kArray:
    case RespValue::Type::kPush:
      lua_newtable(L);
      for (size_t i = 0; i < v.elems.size(); ++i) {
        lua_pushnumber(L, static_cast<lua_Number>(i + 1));
        PushRespAsLua(L, v.elems[i], resp);
        lua_settable(L, -3);
      }
      break;
  }
}

void WriteLuaError(lua_State* L, ReplyWriter& w, std::string_view text) {
  const bool counted = PushFieldOfType(L, kCountedErrorField, LUA_TBOOLEAN);
  if (counted) lua_pop(L, 1);
  counted ? w.ErrorCountedElsewhere(text) : w.Error(text);
}

bool LuaStringField(lua_State* L, const char* name, std::string* out) {
  if (!PushFieldOfType(L, name, LUA_TSTRING)) return false;
  size_t n;
  const char* str = lua_tolstring(L, -1, &n);
  out->assign(str, n);
  lua_pop(L, 1);
  return true;
}
// Writes the value on top of the stack and pops it. `resp`: the script's protocol,
// which decides how booleans go out (RESP2: 1 and null; RESP3: booleans).
void WriteLuaAsResp(lua_State* L, ReplyWriter& w, int resp) {
  if (!lua_checkstack(L, 4)) {
    w.Error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t n;
      const char* s = lua_tolstring(L, -1, &n);
      w.Bulk(std::string_view(s, n));
      break;
    }
    case LUA_TBOOLEAN:
      if (resp == 2) {
        lua_toboolean(L, -1) ? w.Integer(1) : w.Null();
      } else {
        w.Bool(lua_toboolean(L, -1));
      }
      break;
    case LUA_TNUMBER:
      w.Integer(LuaNumberToInt64(lua_tonumber(L, -1)));
      break;
    case LUA_TTABLE: {
      std::string s;
      if (LuaStringField(L, "err", &s)) {
        WriteLuaError(L, w, s);
        break;
      }
      if (LuaStringField(L, "ok", &s)) {
        w.SimpleString(WithoutNewlines(std::move(s)));
        break;
      }
      if (PushFieldOfType(L, "double", LUA_TNUMBER)) {
        w.Double(lua_tonumber(L, -1));
        lua_pop(L, 2);
        return;
      }
      if (PushFieldOfType(L, "map", LUA_TTABLE)) {
        w.MapHeader(CountEntries(L));
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pushvalue(L, -2);
          WriteLuaAsResp(L, w, resp);  // the key
          WriteLuaAsResp(L, w, resp);  // the value
        }
        lua_pop(L, 2);
        return;
      }
      if (PushFieldOfType(L, "set", LUA_TTABLE)) {
        w.SetHeader(CountEntries(L));
        lua_pushnil(L);
        while (lua_next(L, -2)) {
          lua_pop(L, 1);
          lua_pushvalue(L, -1);
          WriteLuaAsResp(L, w, resp);
        }
        lua_pop(L, 2);
        return;
      }
      // An array: its elements up to the first nil.
      size_t n = 0;
      while (true) {
        lua_rawgeti(L, -1, static_cast<int>(n + 1));
        bool nil = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (nil) break;
        ++n;
      }
      w.ArrayHeader(n);
      for (size_t i = 1; i <= n; ++i) {
        lua_rawgeti(L, -1, static_cast<int>(i));
        WriteLuaAsResp(L, w, resp);
      }
      break;
    }
    default:
      w.Null();
  }
  lua_pop(L, 1);
}

}  // namespace minired
