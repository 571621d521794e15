// One key and its value, in a single allocation.
//
// Layout (byte offsets; multi-byte fields are unaligned and read with memcpy):
//   [0]      type (low 4 bits) | encoding (high 4 bits)
//   [1]      flags (kExpireRoom: the 8 expiry bytes exist; kHasExpire: they are in force)
//   [2..4]   24-bit LRU clock (seconds) or LFU time+counter, for eviction and OBJECT
//   [5..]    key length, LEB128 varint
//   [opt]    absolute expiry, int64 ms since the epoch, present iff kExpireRoom
//   [..]     key bytes
//   [..]     value: kInt                 -> int64
//                   kEmbStr/kRaw         -> varint length + bytes
//                   kListpack/kIntset    -> varint length + the compact blob (compact.h)
//                   kHashtable/kSkiplist/kQuicklist/kStream -> pointer to the collection object
// A 10-byte key with a 21-byte value takes 38 bytes, a block of exactly that size
// (block_allocator.h): no separate key, value or object-header allocations as Redis has
// (~96 bytes).
//
// Entries are immutable in size: a change that needs more (or less) room builds a new
// entry and the table slot is swapped (Db::Replace). Same-size updates (INCR on an
// integer, SETRANGE within the value, expiry changes) happen in place.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "storage/varint.h"

namespace minired {

enum class ValueType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4, kStream = 5 };

// Redis's encoding names, reported by OBJECT ENCODING.
enum class Encoding : uint8_t {
  kInt = 0,
  kEmbStr = 1,
  kRaw = 2,
  kListpack = 3,   // compact, inline: hash, zset, set, list
  kIntset = 4,     // compact, inline: set of integers
  kHashtable = 5,  // object: StringMap (hash, set)
  kSkiplist = 6,   // object: ZSet
  kQuicklist = 7,  // object: ListObject
  kStream = 8,     // object: StreamValue
};

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
  // A compact collection (kListpack or kIntset) holding `blob`.
  static Entry* NewCompact(std::string_view key, ValueType type, Encoding enc, std::string_view blob,
                           int64_t expire_ms);
  // A collection object (kHashtable, kSkiplist, kQuicklist, kStream); takes ownership of `object`.
  static Entry* NewObject(std::string_view key, ValueType type, Encoding enc, void* object,
                          int64_t expire_ms);
  // `e` rebuilt with another key (RENAME) or expiry (EXPIRE on a key without room for
  // one). A collection object moves to the new entry: `e` must be freed right after.
  static Entry* MoveWith(Entry* e, std::string_view new_key, int64_t expire_ms);
  // An independent copy (COPY).
  static Entry* DeepCopy(const Entry* e, std::string_view new_key, int64_t expire_ms);
  // Frees the entry and the collection object it owns.
  static void Free(Entry* e);
  static void FreeObject(ValueType type, Encoding enc, void* object);

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

  // Collections.
  bool is_compact() const { return encoding() == Encoding::kListpack || encoding() == Encoding::kIntset; }
  bool is_object() const { return encoding() >= Encoding::kHashtable; }
  std::string_view compact_blob() const { return str_value(); }  // REQUIRES: is_compact()
  template <typename T>
  T* object() const {  // REQUIRES: is_object()
    void* p;
    memcpy(&p, bytes() + ValueOffset(), sizeof p);
    return static_cast<T*>(p);
  }
  // Takes the collection object out (the entry then owns none). REQUIRES: is_object().
  void* ReleaseObject();
  // Elements of a collection (1 for strings): decides whether freeing is deferred.
  size_t ElementCount() const;

  uint32_t lru() const { return bytes()[2] | (bytes()[3] << 8) | (bytes()[4] << 16); }
  void set_lru(uint32_t v) {
    uint8_t* b = mutable_bytes();
    b[2] = v & 0xff;
    b[3] = (v >> 8) & 0xff;
    b[4] = (v >> 16) & 0xff;
  }

  // Bytes of the layout above (what the entry asks the allocator for; it gets that
  // rounded up to a size class).
  size_t EncodedSize() const;
  // Bytes the allocator holds for this entry and its collection (MEMORY USAGE); the
  // elements of a big collection are estimated from the first `samples` (0: all).
  size_t AllocatedSize(size_t samples = 0) const;

 private:
  static constexpr uint8_t kExpireRoom = 1;
  static constexpr uint8_t kHasExpire = 2;
  // `payload` follows the key: length-prefixed for text encodings, raw 8 bytes (int64 or
  // object pointer) otherwise.
  static Entry* Build(ValueType type, Encoding enc, std::string_view key, int64_t expire_ms,
                      std::string_view payload, uint32_t lru);
  static bool LengthPrefixed(Encoding enc) {
    return enc == Encoding::kEmbStr || enc == Encoding::kRaw || enc == Encoding::kListpack ||
           enc == Encoding::kIntset;
  }
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this); }
  uint8_t* mutable_bytes() { return reinterpret_cast<uint8_t*>(this); }
  static constexpr size_t kHeaderSize = 5;
  static size_t VarintLength(const uint8_t* p) {
    size_t n = 1;
    while (p[n - 1] & 0x80) ++n;
    return n;
  }
  static size_t DecodeVarint(const uint8_t* p, uint64_t* v) { return GetVarint(p, v); }
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
