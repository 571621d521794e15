// libFuzzer target for the RDB readers: DUMP/RESTORE payloads of every value type,
// whole RDB files, the packed blobs (listpack, ziplist, intset, zipmap), FUNCTION
// RESTORE payloads, and the string reader on its own. The input is tried as it is and
// sealed with a valid footer (and as a file body with a header and no checksum), since
// a checksum shields most of the path from random bytes.
//
// Whatever the bytes, nothing may crash or read out of bounds; a payload that decodes
// encodes back to one that decodes to the same value (libraries).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "storage/encodings/encoding_limits.h"
#include "storage/entry.h"
#include "storage/rdb/crc64.h"
#include "storage/rdb/dump_payload.h"
#include "storage/rdb/function_payload.h"
#include "storage/rdb/packed_blobs.h"
#include "storage/rdb/rdb_file.h"
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
  // A value payload: restored, then dumped and restored again to the same bytes.
  static minired::EncodingLimits limits;
  for (std::string_view payload : {input, std::string_view(sealed)}) {
    minired::Entry* e = nullptr;
    if (RestorePayload(payload, "key", 0, limits, &e) != RestoreResult::kOk) continue;
    const std::string again = DumpPayload(e);
    minired::Entry* e2 = nullptr;
    // The same bytes in some order: a hash table's order may change on rebuilding it.
    std::string a = again, b;
    if (RestorePayload(again, "key", 0, limits, &e2) == RestoreResult::kOk) b = DumpPayload(e2);
    std::sort(a.begin(), a.end() - 10);
    if (b.size() >= 10) std::sort(b.begin(), b.end() - 10);
    if (e2 == nullptr || a.substr(0, a.size() - 8) != b.substr(0, b.size() >= 8 ? b.size() - 8 : 0)) {
      std::fprintf(stderr, "a restored value does not survive DUMP and RESTORE\n");
      std::abort();
    }
    minired::Entry::Free(e);
    minired::Entry::Free(e2);
  }
  // A whole file: header, opcodes, values; the checksum left 0 (not checked).
  {
    class Discard : public RdbHandler {
      minired::Status Key(uint64_t, minired::Entry* e, int64_t, int) override {
        minired::Entry::Free(e);
        return minired::Status::Ok();
      }
    } discard;
    RdbLoadStats stats;
    (void)LoadRdb("REDIS0010" + std::string(input) + std::string("\xff\0\0\0\0\0\0\0\0", 9), limits, discard, &stats);
  }
  std::vector<std::string> elements;
  std::vector<int64_t> ints;
  (void)ReadListpackElements(input, &elements);
  (void)ReadZiplistElements(input, &elements);
  (void)ReadZipmapElements(input, &elements);
  (void)ReadIntset(input, &ints);

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
