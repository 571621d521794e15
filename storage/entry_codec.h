// Serialization of keyspace entries for snapshots (and, later, full syncs to replicas).
//
// Format of one entry (version kEntryFormatVersion, frozen by a golden test):
//   u8 type (ValueType) | u8 encoding (Encoding) | u8 flags (bit 0: has expiry)
//   [i64 LE absolute expiry ms, when flagged] | varint key length | key bytes | payload
// Payload by encoding:
//   int                  i64 LE
//   embstr, raw          varint length | bytes
//   listpack, intset     varint length | the compact blob as kept in memory
//   hashtable (hash/set) varint count | per element: varint len | field | varint len | value
//   skiplist             varint count | per member in score order: varint len | member | f64 LE score
//   quicklist            varint count | per element: varint len | bytes
//   stream               id last | varint entries-added | id max-deleted
//                        | varint entries | per entry: id | varint pairs | per pair: bytes field, value
//                        | varint groups | per group: bytes name | id last-delivered
//                          | varint entries-read + 1 (0: unknown)
//                          | varint consumers | per consumer: bytes name | i64 seen ms
//                          | varint pending | per pending entry: id | i64 delivery ms
//                            | varint delivery count | varint consumer index
//                        (an id is varint ms | varint seq)
// Compact encodings are copied byte for byte, so loading them costs one allocation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/status.h"
#include "storage/entry.h"

namespace minired {

inline constexpr uint8_t kEntryFormatVersion = 1;

// Appends the serialized form of `e` to `out`.
void EncodeEntry(const Entry* e, std::string* out);

// Decodes one entry from the front of `*in` (advancing it) into a new Entry the caller
// owns. Corruption (truncation, bad type or encoding, bad lengths) returns a status
// that says what was wrong; nothing is allocated then.
Status DecodeEntry(std::string_view* in, Entry** out);

}  // namespace minired
