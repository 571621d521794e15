// libFuzzer target for the RDB readers: FUNCTION RESTORE payloads (footer, checksum,
// opcodes, strings in every encoding, LZF) and the string reader on its own, since a
// checksum shields most of the payload path from random bytes.
//
// Whatever the bytes, nothing may crash or read out of bounds; a payload that decodes
// encodes back to one that decodes to the same libraries.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "storage/rdb/crc64.h"
#include "storage/rdb/function_payload.h"
#include "storage/rdb/rdb_string.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace minired::rdb;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // Strings one after another, as a value's fields follow each other.
  Reader reader(input);
  std::string s;
  while (reader.remaining() > 0 && reader.ReadString(&s)) {
  }

  // The payload as given, and with a valid footer (version 10, its CRC) so the
  // opcodes and strings behind the checksum are reached.
  std::string sealed(input);
  sealed.push_back(10);
  sealed.push_back(0);
  const uint64_t crc = Crc64(0, sealed);
  for (int i = 0; i < 8; ++i) sealed.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  for (std::string_view payload : {input, std::string_view(sealed)}) {
    std::vector<std::string> codes;
    std::string error;
    if (!DecodeFunctionsPayload(payload, &codes, &error)) continue;
    std::vector<std::string_view> views(codes.begin(), codes.end());
    std::vector<std::string> again;
    if (!DecodeFunctionsPayload(EncodeFunctionsPayload(views), &again, &error) || again != codes) {
      std::fprintf(stderr, "a decoded payload does not survive encoding again\n");
      std::abort();
    }
  }
  return 0;
}
