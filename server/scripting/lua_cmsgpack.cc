#include "server/scripting/lua_cmsgpack.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

// Written in C style on purpose: luaL_error and luaL_checkstack unwind with longjmp,
// which must not cross a C++ object with a destructor. The output buffer is a userdata
// whose __gc frees it, so an error halfway through packing leaks nothing.
namespace minired {
namespace {

constexpr int kMaxNesting = 16;

// ---- the output buffer ----

struct Buffer {
  unsigned char* bytes;
  size_t len;
  size_t cap;
};

int BufferGc(lua_State* L) {
  auto* b = static_cast<Buffer*>(lua_touserdata(L, 1));
  std::free(b->bytes);
  b->bytes = nullptr;
  return 0;
}

// Pushes a new empty buffer (a userdata freed by the collector).
Buffer* PushBuffer(lua_State* L) {
  auto* b = static_cast<Buffer*>(lua_newuserdata(L, sizeof(Buffer)));
  b->bytes = nullptr;
  b->len = b->cap = 0;
  if (luaL_newmetatable(L, "minired.cmsgpack.buffer")) {
    lua_pushcfunction(L, BufferGc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return b;
}

void Append(lua_State* L, Buffer* b, const void* data, size_t n) {
  if (b->cap - b->len < n) {
    size_t cap = (b->len + n) * 2;
    auto* grown = static_cast<unsigned char*>(std::realloc(b->bytes, cap));
    if (grown == nullptr) luaL_error(L, "not enough memory");
    b->bytes = grown;
    b->cap = cap;
  }
  std::memcpy(b->bytes + b->len, data, n);
  b->len += n;
}

// `n` as `bytes` big-endian bytes after the type byte `type`.
void AppendTyped(lua_State* L, Buffer* b, unsigned char type, uint64_t n, int bytes) {
  unsigned char out[9];
  out[0] = type;
  for (int i = 0; i < bytes; ++i) out[1 + i] = static_cast<unsigned char>(n >> (8 * (bytes - 1 - i)));
  Append(L, b, out, static_cast<size_t>(1 + bytes));
}

// ---- packing ----

void PackInteger(lua_State* L, Buffer* b, int64_t n) {
  if (n >= 0) {
    if (n <= 127) return AppendTyped(L, b, static_cast<unsigned char>(n), 0, 0);
    if (n <= 0xff) return AppendTyped(L, b, 0xcc, static_cast<uint64_t>(n), 1);
    if (n <= 0xffff) return AppendTyped(L, b, 0xcd, static_cast<uint64_t>(n), 2);
    if (n <= 0xffffffffLL) return AppendTyped(L, b, 0xce, static_cast<uint64_t>(n), 4);
    return AppendTyped(L, b, 0xcf, static_cast<uint64_t>(n), 8);
  }
  if (n >= -32) return AppendTyped(L, b, static_cast<unsigned char>(static_cast<int8_t>(n)), 0, 0);
  if (n >= -128) return AppendTyped(L, b, 0xd0, static_cast<uint64_t>(n), 1);
  if (n >= -32768) return AppendTyped(L, b, 0xd1, static_cast<uint64_t>(n), 2);
  if (n >= -2147483648LL) return AppendTyped(L, b, 0xd2, static_cast<uint64_t>(n), 4);
  AppendTyped(L, b, 0xd3, static_cast<uint64_t>(n), 8);
}

void PackNumber(lua_State* L, Buffer* b, lua_Number n) {
  // Integral (and within int64): the integer forms. Otherwise a float32 when it holds
  // the value exactly, else a float64.
  if (!std::isinf(n) && n >= -9223372036854775808.0 && n < 9223372036854775808.0 &&
      static_cast<lua_Number>(static_cast<int64_t>(n)) == n) {
    return PackInteger(L, b, static_cast<int64_t>(n));
  }
  const float f = static_cast<float>(n);
  if (static_cast<double>(f) == n) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return AppendTyped(L, b, 0xca, bits, 4);
  }
  uint64_t bits;
  std::memcpy(&bits, &n, 8);
  AppendTyped(L, b, 0xcb, bits, 8);
}

void PackString(lua_State* L, Buffer* b, const char* s, size_t len) {
  if (len < 32) {
    AppendTyped(L, b, static_cast<unsigned char>(0xa0 | len), 0, 0);
  } else if (len <= 0xff) {
    AppendTyped(L, b, 0xd9, len, 1);
  } else if (len <= 0xffff) {
    AppendTyped(L, b, 0xda, len, 2);
  } else {
    AppendTyped(L, b, 0xdb, len, 4);
  }
  Append(L, b, s, len);
}

void PackHeader(lua_State* L, Buffer* b, size_t n, unsigned char fix, unsigned char wide16, unsigned char wide32) {
  if (n <= 15) return AppendTyped(L, b, static_cast<unsigned char>(fix | n), 0, 0);
  if (n <= 0xffff) return AppendTyped(L, b, wide16, n, 2);
  AppendTyped(L, b, wide32, n, 4);
}

// Whether the table on top has exactly the keys 1..n (an empty one counts).
bool IsArray(lua_State* L) {
  const int top = lua_gettop(L);
  lua_Number max = 0;
  lua_Number count = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TNUMBER) {
      lua_settop(L, top);
      return false;
    }
    const lua_Number n = lua_tonumber(L, -1);
    if (n <= 0 || n > INT_MAX || static_cast<lua_Number>(static_cast<int>(n)) != n) {
      lua_settop(L, top);
      return false;
    }
    if (n > max) max = n;
    ++count;
  }
  lua_settop(L, top);
  return max == count;
}

void PackValue(lua_State* L, Buffer* b, int level);

void PackTable(lua_State* L, Buffer* b, int level) {
  luaL_checkstack(L, 3, "in function PackTable");
  if (IsArray(L)) {
    const size_t n = lua_objlen(L, -1);
    PackHeader(L, b, n, 0x90, 0xdc, 0xdd);
    for (size_t i = 1; i <= n; ++i) {
      lua_rawgeti(L, -1, static_cast<int>(i));
      PackValue(L, b, level + 1);
    }
    return;
  }
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    ++n;
  }
  PackHeader(L, b, n, 0x80, 0xde, 0xdf);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);
    PackValue(L, b, level + 1);  // the key
    PackValue(L, b, level + 1);  // the value
  }
}

// Packs the value on top of the stack and pops it.
void PackValue(lua_State* L, Buffer* b, int level) {
  int type = lua_type(L, -1);
  if (type == LUA_TTABLE && level == kMaxNesting) type = LUA_TNIL;  // survives cycles
  switch (type) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, -1, &len);
      PackString(L, b, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      AppendTyped(L, b, lua_toboolean(L, -1) ? 0xc3 : 0xc2, 0, 0);
      break;
    case LUA_TNUMBER:
      PackNumber(L, b, lua_tonumber(L, -1));
      break;
    case LUA_TTABLE:
      PackTable(L, b, level);
      break;
    default:
      AppendTyped(L, b, 0xc0, 0, 0);
      break;
  }
  lua_pop(L, 1);
}

int Pack(lua_State* L) {
  const int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  Buffer* b = PushBuffer(L);
  for (int i = 1; i <= nargs; ++i) {
    luaL_checkstack(L, 1, "in function Pack");
    lua_pushvalue(L, i);
    PackValue(L, b, 0);
  }
  lua_pushlstring(L, reinterpret_cast<const char*>(b->bytes), b->len);
  return 1;
}

// ---- unpacking ----

enum class ReadError { kNone, kMissingBytes, kBadFormat };

struct Cursor {
  const unsigned char* p;
  size_t left;
  ReadError error;
};

bool Need(Cursor* c, size_t n) {
  if (c->left >= n) return true;
  c->error = ReadError::kMissingBytes;
  return false;
}

void Consume(Cursor* c, size_t n) {
  c->p += n;
  c->left -= n;
}

uint64_t BigEndian(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

void UnpackValue(lua_State* L, Cursor* c);

void UnpackArray(lua_State* L, Cursor* c, size_t n) {
  luaL_checkstack(L, 2, "in function UnpackArray");
  lua_newtable(L);
  for (size_t i = 1; i <= n; ++i) {
    lua_pushnumber(L, static_cast<lua_Number>(i));
    UnpackValue(L, c);
    if (c->error != ReadError::kNone) return;
    lua_settable(L, -3);
  }
}

void UnpackMap(lua_State* L, Cursor* c, size_t n) {
  luaL_checkstack(L, 3, "in function UnpackMap");
  lua_newtable(L);
  for (size_t i = 0; i < n; ++i) {
    UnpackValue(L, c);
    if (c->error != ReadError::kNone) return;
    UnpackValue(L, c);
    if (c->error != ReadError::kNone) return;
    lua_settable(L, -3);
  }
}

void UnpackString(lua_State* L, Cursor* c, size_t header, size_t len) {
  if (!Need(c, header + len)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c->p + header), len);
  Consume(c, header + len);
}

// Pushes the next value (nothing, with c->error set, when the bytes do not hold one).
void UnpackValue(lua_State* L, Cursor* c) {
  if (!Need(c, 1)) return;
  luaL_checkstack(L, 1, "in function UnpackValue");
  const unsigned char t = c->p[0];
  auto fixed = [&](int bytes) -> bool {
    if (!Need(c, static_cast<size_t>(1 + bytes))) return false;
    return true;
  };
  switch (t) {
    case 0xcc: case 0xcd: case 0xce: case 0xcf: {  // uint 8, 16, 32, 64
      const int bytes = 1 << (t - 0xcc);
      if (!fixed(bytes)) return;
      lua_pushnumber(L, static_cast<lua_Number>(BigEndian(c->p + 1, bytes)));
      Consume(c, static_cast<size_t>(1 + bytes));
      return;
    }
    case 0xd0: case 0xd1: case 0xd2: case 0xd3: {  // int 8, 16, 32, 64
      const int bytes = 1 << (t - 0xd0);
      if (!fixed(bytes)) return;
      uint64_t v = BigEndian(c->p + 1, bytes);
      const int shift = 64 - 8 * bytes;
      const int64_t n = shift == 0 ? static_cast<int64_t>(v) : static_cast<int64_t>(v << shift) >> shift;
      lua_pushnumber(L, static_cast<lua_Number>(n));
      Consume(c, static_cast<size_t>(1 + bytes));
      return;
    }
    case 0xc0:
      lua_pushnil(L);
      Consume(c, 1);
      return;
    case 0xc2: case 0xc3:
      lua_pushboolean(L, t == 0xc3);
      Consume(c, 1);
      return;
    case 0xca: {
      if (!fixed(4)) return;
      const uint32_t bits = static_cast<uint32_t>(BigEndian(c->p + 1, 4));
      float f;
      std::memcpy(&f, &bits, 4);
      lua_pushnumber(L, f);
      Consume(c, 5);
      return;
    }
    case 0xcb: {
      if (!fixed(8)) return;
      const uint64_t bits = BigEndian(c->p + 1, 8);
      double d;
      std::memcpy(&d, &bits, 8);
      lua_pushnumber(L, d);
      Consume(c, 9);
      return;
    }
    case 0xd9: case 0xda: case 0xdb: {  // str 8, 16, 32
      const int bytes = 1 << (t - 0xd9);
      if (!fixed(bytes)) return;
      return UnpackString(L, c, static_cast<size_t>(1 + bytes), BigEndian(c->p + 1, bytes));
    }
    case 0xdc: case 0xdd: case 0xde: case 0xdf: {  // array 16, 32; map 16, 32
      const int bytes = (t == 0xdc || t == 0xde) ? 2 : 4;
      if (!fixed(bytes)) return;
      const size_t n = BigEndian(c->p + 1, bytes);
      Consume(c, static_cast<size_t>(1 + bytes));
      return t <= 0xdd ? UnpackArray(L, c, n) : UnpackMap(L, c, n);
    }
    default:
      break;
  }
  if ((t & 0x80) == 0) {  // positive fixnum
    lua_pushnumber(L, t);
    Consume(c, 1);
  } else if ((t & 0xe0) == 0xe0) {  // negative fixnum
    lua_pushnumber(L, static_cast<int8_t>(t));
    Consume(c, 1);
  } else if ((t & 0xe0) == 0xa0) {  // fix string
    UnpackString(L, c, 1, t & 0x1f);
  } else if ((t & 0xf0) == 0x90) {  // fix array
    Consume(c, 1);
    UnpackArray(L, c, t & 0x0f);
  } else if ((t & 0xf0) == 0x80) {  // fix map
    Consume(c, 1);
    UnpackMap(L, c, t & 0x0f);
  } else {
    c->error = ReadError::kBadFormat;
  }
}

// Unpacks up to `limit` values (0: all) from `offset`; with a limit or an offset, the
// next offset (-1 at the end) comes first.
int UnpackFull(lua_State* L, int limit, int offset) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  const bool all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", offset,
                      static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(L, "Start offset %d greater than input length %d.", offset, static_cast<int>(len));
  }
  if (all) limit = INT_MAX;
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset), ReadError::kNone};
  int count = 0;
  for (; c.left > 0 && count < limit; ++count) {
    UnpackValue(L, &c);
    if (c.error == ReadError::kMissingBytes) return luaL_error(L, "Missing bytes in input.");
    if (c.error == ReadError::kBadFormat) return luaL_error(L, "Bad data format in input.");
  }
  if (all) return count;
  luaL_checkstack(L, 1, "in function UnpackFull");
  lua_pushinteger(L, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
  lua_insert(L, 2);
  return count + 1;
}

int Unpack(lua_State* L) { return UnpackFull(L, 0, 0); }

int UnpackOne(lua_State* L) {
  const int offset = static_cast<int>(luaL_optinteger(L, 2, 0));
  lua_settop(L, 1);
  return UnpackFull(L, 1, offset);
}

int UnpackLimit(lua_State* L) {
  const int limit = static_cast<int>(luaL_checkinteger(L, 2));
  const int offset = static_cast<int>(luaL_optinteger(L, 3, 0));
  lua_settop(L, 1);
  return UnpackFull(L, limit, offset);
}

}  // namespace

int OpenCmsgpack(lua_State* L) {
  lua_newtable(L);
  const luaL_Reg functions[] = {
      {"pack", Pack}, {"unpack", Unpack}, {"unpack_one", UnpackOne}, {"unpack_limit", UnpackLimit}, {nullptr, nullptr}};
  for (const luaL_Reg* f = functions; f->name != nullptr; ++f) {
    lua_pushcfunction(L, f->func);
    lua_setfield(L, -2, f->name);
  }
  lua_pushstring(L, "cmsgpack");
  lua_setfield(L, -2, "_NAME");
  lua_pushstring(L, "lua-cmsgpack 0.4.0");
  lua_setfield(L, -2, "_VERSION");
  lua_pushstring(L, "Copyright (C) 2012, Salvatore Sanfilippo");
  lua_setfield(L, -2, "_COPYRIGHT");
  lua_pushstring(L, "MessagePack C implementation for Lua");
  lua_setfield(L, -2, "_DESCRIPTION");
  return 1;
}

}  // namespace minired
