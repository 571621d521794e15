// One key's value in Redis's RDB form (rdbSaveObject / rdbLoadObject): a type byte and
// the value's bytes. DUMP payloads and RDB files share it (dump_payload.h, rdb_file.h).
//
// Written as Redis 7.0 writes them: strings (integers in their short forms, long text
// LZF-compressed when that saves), lists as quicklists of listpacks, sets as intsets or
// plain member lists, sorted sets and hashes as listpacks while compact in memory and as
// plain pairs otherwise (scores as binary doubles), streams as listpack nodes (format 2).
// Read in every form a Redis 7.0 server loads (plus Redis 7.2's set listpacks and
// stream format 3), and built into an entry in minired's own encoding chosen by the
// configured limits, as Redis converts on load.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/status.h"
#include "storage/encodings/encoding_limits.h"
#include "storage/entry.h"
#include "storage/rdb/rdb_string.h"

namespace minired::rdb {

// Value types (RDB_TYPE_*).
enum : uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZSet = 3,
  kTypeHash = 4,
  kTypeZSet2 = 5,
  kTypeModule = 6,
  kTypeModule2 = 7,
  kTypeHashZipmap = 9,
  kTypeListZiplist = 10,
  kTypeSetIntset = 11,
  kTypeZSetZiplist = 12,
  kTypeHashZiplist = 13,
  kTypeListQuicklist = 14,
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZSetListpack = 17,
  kTypeListQuicklist2 = 18,
  kTypeStreamListpacks2 = 19,
  kTypeSetListpack = 20,
  kTypeStreamListpacks3 = 21,
};
bool IsValueType(uint8_t type);

// Appends `e`'s value (type byte, then the value) to `out`. `compress`: LZF for long
// strings (Redis's rdbcompression).
void AppendValue(const Entry* e, bool compress, std::string* out);

// What reading a value gave.
enum class ValueResult { kOk, kEmpty, kError };

// Reads a value of `type` for `key` from `r` into a new entry (owned by the caller) with
// `expire_ms` (0: none). kEmpty: a collection with no elements (Redis skips those when
// loading a file and refuses them in RESTORE); kError: `*error` says what was wrong.
ValueResult ReadValue(Reader& r, uint8_t type, std::string_view key, int64_t expire_ms,
                      const EncodingLimits& limits, Entry** out, std::string* error);

}  // namespace minired::rdb
