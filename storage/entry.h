// One key and its value, in a single allocation.
//
// Layout (byte offsets; multi-byte fields are unaligned and read with memcpy):
//   [0]      type (low 4 bits) | encoding (high 4 bits)
//   [1]      flags (kExpireRoom: the 8 expiry bytes exist; kHasExpire: they are in force)
//   [2..4]   24-bit LRU clock (seconds) or LFU time+counter, for eviction and OBJECT
//   [5..]    key length, LEB128 varint
//   [opt]    absolute expiry, int64 ms since the epoch, present iff kExpireRoom
//   [..]     key bytes
//   [..]     value: kInt      -> int64
//                   kEmbStr/kRaw -> varint length + bytes
//                   objects   -> pointer to the collection (issue #3)
// A 10-byte key with a 21-byte value takes 38 bytes, one block of mimalloc's 48-byte
// class: no separate key, value or object-header allocations as Redis has (~96 bytes).
//
// Entries are immutable in size: a change that needs more (or less) room builds a new
// entry and the table slot is swapped (Db::Replace). Same-size updates (INCR on an
// integer, SETRANGE within the value, expiry changes) happen in place.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace minired {

enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

// Redis's encoding names, reported by OBJECT ENCODING.
enum class Encoding : uint8_t { kInt = 0, kEmbStr = 1, kRaw = 2 };

const char* TypeName(ValueType t);
const char* EncodingName(Encoding e);

// Redis keeps strings up to this length "embstr" (one allocation); longer ones "raw".
inline constexpr size_t kEmbStrMaxLen = 44;

class Entry {
 public:
  Entry() = delete;

  // How a new string value may be encoded, mirroring how Redis creates it.
  enum class StringForm {
    kAuto,   // SET & co: integer-looking text (string2ll rules) becomes an int64
    kText,   // INCRBYFLOAT: always text, embstr or raw by length
    kRaw,    // APPEND, SETRANGE: always text, reported "raw"
  };
  // A string value. `expire_ms` 0 means no expiry.
  static Entry* NewString(std::string_view key, std::string_view value, int64_t expire_ms,
                          StringForm form = StringForm::kAuto);
  static Entry* NewInt(std::string_view key, int64_t value, int64_t expire_ms);
  // A copy with a different key (RENAME, COPY) or expiry (EXPIRE on a key without one).
  static Entry* CloneWith(const Entry* e, std::string_view new_key, int64_t expire_ms);
  static void Free(Entry* e);

  ValueType type() const { return static_cast<ValueType>(bytes()[0] & 0x0f); }
  Encoding encoding() const { return static_cast<Encoding>(bytes()[0] >> 4); }
  bool has_expire() const { return bytes()[1] & kHasExpire; }
  int64_t expire_ms() const {  // 0 when none
    if (!has_expire()) return 0;
    int64_t v;
    memcpy(&v, bytes() + kHeaderSize + VarintLength(bytes() + kHeaderSize), 8);
    return v;
  }
  bool has_expire_room() const { return bytes()[1] & kExpireRoom; }
  // REQUIRES: has_expire_room() (entries without room for an expiry are cloned instead).
  void set_expire_ms(int64_t ms);
  // Clears the expiry in place; its 8 bytes stay unused until the entry is rebuilt.
  void clear_expire() { mutable_bytes()[1] &= static_cast<uint8_t>(~kHasExpire); }

  std::string_view key() const {
    size_t len;
    size_t off = KeyOffset(&len);
    return {reinterpret_cast<const char*>(bytes() + off), len};
  }

  // String values. REQUIRES: type() == kString.
  bool is_int() const { return encoding() == Encoding::kInt; }
  int64_t int_value() const;         // REQUIRES: is_int()
  void set_int_value(int64_t v);     // REQUIRES: is_int()
  std::string_view str_value() const;  // REQUIRES: !is_int()
  char* mutable_str_data();            // REQUIRES: !is_int(); same-size edits only
  // Text of any string value; integers are formatted into `scratch` (>= 20 bytes).
  std::string_view StringView(char* scratch) const;
  size_t StringLength() const;

  uint32_t lru() const { return bytes()[2] | (bytes()[3] << 8) | (bytes()[4] << 16); }
  void set_lru(uint32_t v) {
    uint8_t* b = mutable_bytes();
    b[2] = v & 0xff;
    b[3] = (v >> 8) & 0xff;
    b[4] = (v >> 16) & 0xff;
  }

  // Bytes the allocator holds for this entry (for MEMORY USAGE).
  size_t AllocatedSize() const;

 private:
  static constexpr uint8_t kExpireRoom = 1;
  static constexpr uint8_t kHasExpire = 2;
  static Entry* Build(ValueType type, Encoding enc, std::string_view key, int64_t expire_ms,
                      std::string_view str, int64_t int_value, uint32_t lru);
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this); }
  uint8_t* mutable_bytes() { return reinterpret_cast<uint8_t*>(this); }
  static constexpr size_t kHeaderSize = 5;
  static size_t VarintLength(const uint8_t* p) {
    size_t n = 1;
    while (p[n - 1] & 0x80) ++n;
    return n;
  }
  static size_t DecodeVarint(const uint8_t* p, uint64_t* v) {
    uint64_t result = p[0] & 0x7f;
    if (!(p[0] & 0x80)) {  // keys and values under 128 bytes: the common case
      *v = result;
      return 1;
    }
    size_t n = 1;
    int shift = 7;
    while (true) {
      uint8_t b = p[n++];
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    *v = result;
    return n;
  }
  // Offset of the key bytes (and its length) and of the value.
  size_t KeyOffset(size_t* key_len) const {
    uint64_t len;
    size_t off = kHeaderSize + DecodeVarint(bytes() + kHeaderSize, &len);
    if (has_expire_room()) off += 8;
    *key_len = static_cast<size_t>(len);
    return off;
  }
  size_t ValueOffset() const {
    size_t len;
    return KeyOffset(&len) + len;
  }
};

}  // namespace minired
