// CRC-64/Jones, the checksum of Redis's RDB files and DUMP payloads (reflected,
// polynomial 0xad93d23594c935a9, initial value 0, no final xor).
#pragma once

#include <cstdint>
#include <string_view>

namespace minired::rdb {

// Continues `crc` over `data` (start with 0).
uint64_t Crc64(uint64_t crc, std::string_view data);

}  // namespace minired::rdb
