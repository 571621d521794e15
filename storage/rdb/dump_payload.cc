#include "storage/rdb/dump_payload.h"

#include "storage/rdb/crc64.h"
#include "storage/rdb/rdb_file.h"
#include "storage/rdb/rdb_string.h"
#include "storage/rdb/rdb_value.h"

namespace minired::rdb {

std::string DumpPayload(const Entry* e) {
  std::string out;
  AppendValue(e, /*compress=*/true, &out);
  out.push_back(static_cast<char>(kRdbVersion & 0xff));
  out.push_back(static_cast<char>(kRdbVersion >> 8));
  const uint64_t crc = Crc64(0, out);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  return out;
}

RestoreResult RestorePayload(std::string_view payload, std::string_view key, int64_t expire_ms,
                             const EncodingLimits& limits, Entry** out) {
  if (payload.size() < 10) return RestoreResult::kBadFooter;
  const std::string_view footer = payload.substr(payload.size() - 10);
  const int version = static_cast<unsigned char>(footer[0]) | (static_cast<unsigned char>(footer[1]) << 8);
  uint64_t crc = 0;
  for (int i = 0; i < 8; ++i) crc |= static_cast<uint64_t>(static_cast<unsigned char>(footer[2 + i])) << (8 * i);
  // Redis 7.0 refuses payloads of a newer RDB version (its verifyDumpPayload).
  if (version > kRdbVersion || Crc64(0, payload.substr(0, payload.size() - 8)) != crc) {
    return RestoreResult::kBadFooter;
  }
  // The value is read from the whole payload, footer included, as Redis reads it: a
  // value that runs into the footer's bytes loads there too.
  Reader r(payload);
  uint8_t type;
  if (!r.ReadByte(&type) || !IsValueType(type)) return RestoreResult::kBadData;
  std::string error;
  Entry* e = nullptr;
  if (ReadValue(r, type, key, expire_ms, limits, &e, &error) != ValueResult::kOk) return RestoreResult::kBadData;
  *out = e;
  return RestoreResult::kOk;
}

}  // namespace minired::rdb
