// The payload of FUNCTION DUMP / FUNCTION RESTORE, as Redis 7.0 writes it: each
// library's code after the opcode FUNCTION2 (0xf5), then the RDB version (2 bytes) and
// the CRC64 of everything before (8 bytes), both little-endian. Payloads from
// redis-server restore here and ours restore there.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minired::rdb {

std::string EncodeFunctionsPayload(const std::vector<std::string_view>& library_codes);
// The libraries' code; false with Redis's error text (without "ERR ") otherwise.
bool DecodeFunctionsPayload(std::string_view payload, std::vector<std::string>* library_codes, std::string* error);

}  // namespace minired::rdb
