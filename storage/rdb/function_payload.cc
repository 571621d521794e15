#include "storage/rdb/function_payload.h"

#include "storage/rdb/crc64.h"
#include "storage/rdb/rdb_string.h"

namespace minired::rdb {
namespace {

constexpr uint8_t kOpcodeFunction2 = 245;
constexpr uint8_t kOpcodeFunctionPreGa = 246;

void AppendLittleEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string EncodeFunctionsPayload(const std::vector<std::string_view>& library_codes) {
  std::string out;
  for (std::string_view code : library_codes) {
    out.push_back(static_cast<char>(kOpcodeFunction2));
    AppendString(&out, code);
  }
  AppendLittleEndian(&out, kRdbVersion, 2);
  AppendLittleEndian(&out, Crc64(0, out), 8);
  return out;
}

bool DecodeFunctionsPayload(std::string_view payload, std::vector<std::string>* library_codes, std::string* error) {
  // Redis's verifyDumpPayload: the footer's version is one it reads, the CRC matches.
  if (payload.size() < 10) {
    *error = "DUMP payload version or checksum are wrong";
    return false;
  }
  const std::string_view footer = payload.substr(payload.size() - 10);
  const int version = static_cast<unsigned char>(footer[0]) | (static_cast<unsigned char>(footer[1]) << 8);
  uint64_t crc = 0;
  for (int i = 0; i < 8; ++i) crc |= static_cast<uint64_t>(static_cast<unsigned char>(footer[2 + i])) << (8 * i);
  if (version > kRdbVersion || Crc64(0, payload.substr(0, payload.size() - 8)) != crc) {
    *error = "DUMP payload version or checksum are wrong";
    return false;
  }
  Reader reader(payload.substr(0, payload.size() - 10));
  while (reader.remaining() > 0) {
    uint8_t type = 0;
    reader.ReadByte(&type);
    if (type == kOpcodeFunctionPreGa) {
      *error = "Pre-GA function format not supported";
      return false;
    }
    if (type != kOpcodeFunction2) {
      *error = "given type is not a function";
      return false;
    }
    std::string code;
    if (!reader.ReadString(&code)) {
      *error = "failed loading the given functions payload";
      return false;
    }
    library_codes->push_back(std::move(code));
  }
  return true;
}

}  // namespace minired::rdb
