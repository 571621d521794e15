#include "server/scripting/lua_struct.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include <cctype>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

// C style on purpose: luaL_error unwinds with longjmp, which must not cross a C++
// object with a destructor.
namespace minired {
namespace {

constexpr int kMaxIntSize = 32;
// The strictest alignment a C struct may need here (a double after a char).
struct CharThenDouble {
  char c;
  double d;
};
constexpr size_t kPadding = sizeof(CharThenDouble) - sizeof(double);
constexpr int kMaxAlign = static_cast<int>(kPadding > sizeof(int) ? kPadding : sizeof(int));

enum Endian { kBig = 0, kLittle = 1 };

Endian NativeEndian() {
  const uint16_t one = 1;
  unsigned char first;
  std::memcpy(&first, &one, 1);
  return first == 1 ? kLittle : kBig;
}

struct Header {
  Endian endian;
  int align;
};

void DefaultOptions(Header* h) {
  h->endian = NativeEndian();
  h->align = 1;
}

bool IsPowerOf2(int x) { return x > 0 && (x & (x - 1)) == 0; }

// The number that follows in the format, or `df`.
int ReadNumber(lua_State* L, const char** fmt, int df) {
  if (!std::isdigit(static_cast<unsigned char>(**fmt))) return df;
  int a = 0;
  do {
    const int digit = *((*fmt)++) - '0';
    if (a > (INT_MAX / 10) || a * 10 > (INT_MAX - digit)) luaL_error(L, "integral size overflow");
    a = a * 10 + digit;
  } while (std::isdigit(static_cast<unsigned char>(**fmt)));
  return a;
}

size_t OptionSize(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'B': case 'b': return sizeof(char);
    case 'H': case 'h': return sizeof(short);
    case 'L': case 'l': return sizeof(long);
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'x': return 1;
    case 'c': return static_cast<size_t>(ReadNumber(L, fmt, 1));
    case 'i': case 'I': {
      const int size = ReadNumber(L, fmt, sizeof(int));
      if (size > kMaxIntSize) luaL_error(L, "integral size %d is larger than limit of %d", size, kMaxIntSize);
      return static_cast<size_t>(size);
    }
    default:
      return 0;  // the other options need no alignment
  }
}

int PaddingBefore(size_t len, const Header* h, int opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > static_cast<size_t>(h->align)) size = static_cast<size_t>(h->align);
  return static_cast<int>((size - (len & (size - 1))) & (size - 1));
}

// ' ', '>', '<', '!n'; anything else is not an option.
void ControlOption(lua_State* L, int opt, const char** fmt, Header* h) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h->endian = kBig;
      return;
    case '<':
      h->endian = kLittle;
      return;
    case '!': {
      const int a = ReadNumber(L, fmt, kMaxAlign);
      if (!IsPowerOf2(a)) luaL_error(L, "alignment %d is not a power of 2", a);
      h->align = a;
      return;
    }
    default: {
      const char* msg = lua_pushfstring(L, "invalid format option '%c'", opt);
      luaL_argerror(L, 1, msg);
    }
  }
}

void PutInteger(lua_State* L, luaL_Buffer* b, int arg, Endian endian, int size) {
  const lua_Number n = luaL_checknumber(L, arg);
  uint64_t value = n < 0 ? static_cast<uint64_t>(static_cast<int64_t>(n)) : static_cast<uint64_t>(n);
  char bytes[kMaxIntSize];
  if (endian == kLittle) {
    for (int i = 0; i < size; ++i) {
      bytes[i] = static_cast<char>(value & 0xff);
      value = i < 7 ? value >> 8 : 0;
    }
  } else {
    for (int i = size - 1; i >= 0; --i) {
      bytes[i] = static_cast<char>(value & 0xff);
      value = (size - 1 - i) < 7 ? value >> 8 : 0;
    }
  }
  luaL_addlstring(b, bytes, static_cast<size_t>(size));
}

// Reverses `size` bytes of a native value when `endian` is not the machine's.
void ToEndian(char* bytes, int size, Endian endian) {
  if (endian == NativeEndian()) return;
  for (int i = 0, j = size - 1; i < j; ++i, --j) {
    const char t = bytes[i];
    bytes[i] = bytes[j];
    bytes[j] = t;
  }
}

// A float or double, in `endian` byte order.
template <typename T>
void AddFloat(luaL_Buffer* b, T value, Endian endian) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  ToEndian(bytes, sizeof(T), endian);
  luaL_addlstring(b, bytes, sizeof(T));
}

template <typename T>
T ReadFloat(const char* data, Endian endian) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, data, sizeof(T));
  ToEndian(bytes, sizeof(T), endian);
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

int Pack(lua_State* L) {
  luaL_Buffer b;
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  DefaultOptions(&h);
  int arg = 2;
  size_t total = 0;
  lua_pushnil(L);  // separates the arguments from the buffer's stack use
  luaL_buffinit(L, &b);
  while (*fmt != '\0') {
    const int opt = *fmt++;
    size_t size = OptionSize(L, static_cast<char>(opt), &fmt);
    int pad = PaddingBefore(total, &h, opt, size);
    total += static_cast<size_t>(pad);
    while (pad-- > 0) luaL_addchar(&b, '\0');
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        PutInteger(L, &b, arg++, h.endian, static_cast<int>(size));
        break;
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f':
        AddFloat(&b, static_cast<float>(luaL_checknumber(L, arg++)), h.endian);
        break;
      case 'd':
        AddFloat(&b, static_cast<double>(luaL_checknumber(L, arg++)), h.endian);
        break;
      case 'c': case 's': {
        size_t len = 0;
        const char* s = luaL_checklstring(L, arg++, &len);
        if (size == 0) size = len;
        luaL_argcheck(L, len >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          ++size;
        }
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

lua_Number GetInteger(const char* bytes, Endian endian, bool is_signed, int size) {
  uint64_t v = 0;
  if (endian == kBig) {
    for (int i = 0; i < size; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  } else {
    for (int i = size - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  }
  if (!is_signed) return static_cast<lua_Number>(v);
  if (size < 8) {
    const uint64_t mask = ~uint64_t{0} << (size * 8 - 1);
    if (v & mask) v |= mask;  // sign extension
  }
  return static_cast<lua_Number>(static_cast<int64_t>(v));
}

int Unpack(lua_State* L) {
  Header h;
  const char* fmt = luaL_checkstring(L, 1);
  size_t len = 0;
  const char* data = luaL_checklstring(L, 2, &len);
  size_t pos = static_cast<size_t>(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
  --pos;
  DefaultOptions(&h);
  lua_settop(L, 2);
  while (*fmt != '\0') {
    const int opt = *fmt++;
    size_t size = OptionSize(L, static_cast<char>(opt), &fmt);
    pos += static_cast<size_t>(PaddingBefore(pos, &h, opt, size));
    luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
        lua_pushnumber(L, GetInteger(data + pos, h.endian, std::islower(opt) != 0, static_cast<int>(size)));
        break;
      case 'x':
        break;
      case 'f':
        lua_pushnumber(L, ReadFloat<float>(data + pos, h.endian));
        break;
      case 'd':
        lua_pushnumber(L, ReadFloat<double>(data + pos, h.endian));
        break;
      case 'c': {
        if (size == 0) {
          if (lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "format 'c0' needs a previous size");
          const lua_Number n = lua_tonumber(L, -1);
          size = n < 0 ? SIZE_MAX : static_cast<size_t>(n);
          lua_pop(L, 1);
          luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        break;
      }
      case 's': {
        const char* end = static_cast<const char*>(std::memchr(data + pos, '\0', len - pos));
        if (end == nullptr) luaL_error(L, "unfinished string in data");
        size = static_cast<size_t>(end - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        break;
      }
      default:
        ControlOption(L, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos + 1));
  return lua_gettop(L) - 2;
}

int Size(lua_State* L) {
  Header h;
  const char* fmt = luaL_checkstring(L, 1);
  size_t pos = 0;
  DefaultOptions(&h);
  while (*fmt != '\0') {
    const int opt = *fmt++;
    const size_t size = OptionSize(L, static_cast<char>(opt), &fmt);
    pos += static_cast<size_t>(PaddingBefore(pos, &h, opt, size));
    if (opt == 's') {
      luaL_argerror(L, 1, "option 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    }
    if (!std::isalnum(opt)) ControlOption(L, opt, &fmt, &h);
    pos += size;
  }
  lua_pushinteger(L, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

int OpenStruct(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, Pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, Unpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, Size);
  lua_setfield(L, -2, "size");
  return 1;
}

}  // namespace minired
