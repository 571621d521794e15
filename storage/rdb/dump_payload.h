// DUMP / RESTORE payloads, as Redis 7.0 writes and checks them (cluster.c
// createDumpPayload / verifyDumpPayload): the value in RDB form (rdb_value.h), the RDB
// version (2 bytes) and the CRC64 of everything before (8 bytes), both little-endian.
// Payloads from redis-server restore here and ours restore there.
#pragma once

#include <string>
#include <string_view>

#include "storage/encodings/encoding_limits.h"
#include "storage/entry.h"

namespace minired::rdb {

std::string DumpPayload(const Entry* e);

enum class RestoreResult { kOk, kBadFooter, kBadData };
// The payload's value as a new entry for `key` (owned by the caller). kBadFooter: the
// version is newer than this reader's or the checksum does not match (Redis's "DUMP
// payload version or checksum are wrong"); kBadData: the value is malformed, empty, or
// of a module type ("Bad data format").
RestoreResult RestorePayload(std::string_view payload, std::string_view key, int64_t expire_ms,
                             const EncodingLimits& limits, Entry** out);

}  // namespace minired::rdb
