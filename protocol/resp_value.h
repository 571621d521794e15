// A parsed RESP2/RESP3 reply, owning its data. Used by the client library, the
// replica link and the tests; the server itself never builds these.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace minired {

struct RespValue {
  enum class Type {
    kSimpleString, kError, kInteger, kBulkString, kNull, kArray, kMap, kSet, kPush,
    kDouble, kBoolean, kVerbatim, kBigNumber,
  };

  Type type = Type::kNull;
  std::string str;              // simple, error, bulk, verbatim (without "txt:"), big number
  int64_t integer = 0;          // integer; boolean as 0/1
  double dbl = 0;               // double
  std::vector<RespValue> elems; // array, set, push; map as key, value, key, value...

  bool is_error() const { return type == Type::kError; }
  bool is_null() const { return type == Type::kNull; }
  bool is_array() const { return type == Type::kArray || type == Type::kSet || type == Type::kPush; }

  // A one-line rendering for test failure messages and tools, close to redis-cli's.
  std::string DebugString() const;

  bool operator==(const RespValue&) const = default;
};

}  // namespace minired
