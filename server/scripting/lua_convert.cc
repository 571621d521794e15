#include "server/scripting/lua_convert.h"

extern "C" {
#include <lua.h>
}

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "protocol/numbers.h"

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

namespace {

// One line of a reply: its type byte and the text up to CRLF, taken off `in`.
bool TakeLine(std::string_view* in, char* type, std::string_view* line) {
  const size_t end = in->find("\r\n");
  if (in->empty() || end == std::string_view::npos) return false;
  *type = (*in)[0];
  *line = in->substr(1, end - 1);
  in->remove_prefix(end + 2);
  return true;
}

// Pushes {name = <value on top>}, popping the value.
void WrapInTable(lua_State* L, const char* name) {
  lua_newtable(L);
  lua_pushstring(L, name);
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  lua_remove(L, -2);
}

void PushNull(lua_State* L, int resp) {
  // RESP2's null bulk and null array are false; RESP3's null is nil.
  resp == 2 ? lua_pushboolean(L, 0) : lua_pushnil(L);
}

void PushCountedError(lua_State* L, std::string_view text) {
  // Counted in errorstats when the command failed: marked, so that a script passing it
  // on does not count it again.
  PushLuaError(L, text);
  lua_pushstring(L, kCountedErrorField);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
}

}  // namespace

bool PushReplyAsLua(lua_State* L, std::string_view* in, int resp) {
  char type;
  std::string_view line;
  if (!lua_checkstack(L, 4) || !TakeLine(in, &type, &line)) return false;
  switch (type) {
    case ':': {
      const auto n = ParseInt64(line);
      if (!n) return false;
      lua_pushnumber(L, static_cast<lua_Number>(*n));
      return true;
    }
    case '+':
      lua_pushlstring(L, line.data(), line.size());
      WrapInTable(L, "ok");
      return true;
    case '-':
      PushCountedError(L, std::string_view(line.data() - 1, line.size() + 1));
      return true;
    case '(':
      lua_pushlstring(L, line.data(), line.size());
      WrapInTable(L, "big_number");
      return true;
    case ',': {
      // ParseDouble takes inf and -inf, not nan.
      const auto parsed = line == "nan" ? std::optional<double>(NAN) : ParseDouble(line);
      if (!parsed) return false;
      lua_pushnumber(L, *parsed);
      WrapInTable(L, "double");
      return true;
    }
    case '#':
      if (line != "t" && line != "f") return false;
      lua_pushboolean(L, line == "t");
      return true;
    case '_':
      PushNull(L, resp);
      return true;
    case '$': case '=': case '!': {
      const auto n = ParseInt64(line);
      if (!n || *n < -1) return false;
      if (*n == -1) {
        PushNull(L, resp);
        return true;
      }
      const size_t len = static_cast<size_t>(*n);
      if (in->size() < len + 2) return false;
      std::string_view payload = in->substr(0, len);
      in->remove_prefix(len + 2);
      if (type == '!') {
        PushCountedError(L, "-" + std::string(payload));
        return true;
      }
      if (type == '=') {
        // {verbatim_string = {string = ..., format = "txt"}}
        if (payload.size() < 4 || payload[3] != ':') return false;
        lua_newtable(L);
        lua_pushstring(L, "string");
        lua_pushlstring(L, payload.data() + 4, payload.size() - 4);
        lua_rawset(L, -3);
        lua_pushstring(L, "format");
        lua_pushlstring(L, payload.data(), 3);
        lua_rawset(L, -3);
        WrapInTable(L, "verbatim_string");
        return true;
      }
      lua_pushlstring(L, payload.data(), payload.size());
      return true;
    }
    case '*': case '>': case '%': case '|': case '~': {
      const auto n = ParseInt64(line);
      if (!n || *n < -1 || *n > INT32_MAX) return false;
      if (*n == -1) {
        PushNull(L, resp);
        return true;
      }
      if (type == '*' || type == '>') {
        lua_createtable(L, static_cast<int>(std::min<int64_t>(*n, 1024)), 0);
        for (int64_t i = 1; i <= *n; ++i) {
          if (!PushReplyAsLua(L, in, resp)) return false;
          lua_rawseti(L, -2, static_cast<int>(i));
        }
        return true;
      }
      if (type == '|') {
        // An attribute is not shown to the script, as in Redis: the reply after it is.
        for (int64_t i = 0; i < 2 * *n; ++i) {
          if (!PushReplyAsLua(L, in, resp)) return false;
          lua_pop(L, 1);
        }
        return PushReplyAsLua(L, in, resp);
      }
      // Maps as {map = {k = v}}, sets as {set = {m = true}}.
      lua_newtable(L);
      for (int64_t i = 0; i < *n; ++i) {
        if (!PushReplyAsLua(L, in, resp)) return false;
        if (type == '~') {
          lua_pushboolean(L, 1);
        } else if (!PushReplyAsLua(L, in, resp)) {
          return false;
        }
        if (lua_isnil(L, -2)) {
          lua_pop(L, 2);  // a RESP3 null key: lua_settable would raise past C++ frames
          continue;
        }
        lua_settable(L, -3);
      }
      WrapInTable(L, type == '~' ? "set" : "map");
      return true;
    }
    default:
      return false;
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
      if (LuaStringField(L, "big_number", &s)) {
        w.BigNumber(WithoutNewlines(std::move(s)));
        break;
      }
      if (PushFieldOfType(L, "verbatim_string", LUA_TTABLE)) {
        std::string format, text;
        if (LuaStringField(L, "format", &format) && LuaStringField(L, "string", &text)) {
          w.Verbatim(text, format);
          lua_pop(L, 2);
          return;
        }
        lua_pop(L, 1);
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
