// libFuzzer target for HyperLogLog strings (storage/encodings/hyperloglog.h), what
// PFCOUNT, PFADD, PFMERGE and PFDEBUG read from a value any client may SET: random
// bytes, and bytes after a valid header (so the sparse runs and dense registers are
// exercised, not only the magic check).
//
// Whatever the bytes, nothing may crash or read out of bounds; a string whose runs
// are valid counts the same sparse, dense and merged; adding elements to a valid HLL
// leaves a valid HLL.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "storage/encodings/hyperloglog.h"

namespace {
[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "hyperloglog_fuzz: %s\n", what);
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace minired;
  if (size == 0) return 0;
  std::string s;
  const uint8_t mode = data[0] % 3;
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode == 0) {
    s = rest;  // as given
  } else {
    // A valid header, sparse (1) or dense (2: the registers padded or cut to size).
    s = std::string("HYLL", 4) + static_cast<char>(mode == 1 ? hll::kSparse : hll::kDense) + std::string(11, '\0');
    s += rest;
    if (mode == 2) s.resize(hll::kDenseSize, '\0');
  }
  if (!hll::LooksValid(s)) return 0;
  std::optional<uint64_t> count = hll::Count(s);
  hll::RawRegisters max{};
  const bool merged = hll::MergeInto(&max, s);
  if (count && !merged) Fail("counts but does not merge");
  if (count && merged && hll::CountRaw(max) != *count) Fail("merged count differs");
  if (hll::EncodingOf(s) == hll::kSparse) {
    (void)hll::DescribeSparse(s);
    std::string dense = s;
    const bool converted = hll::SparseToDense(&dense);
    // Valid runs always convert (Redis's conversion also accepts runs that overflow
    // past the last register, dropping them: such a string converts but counts not).
    if (count && !converted) Fail("valid runs do not convert");
    if (count && converted && hll::Count(dense) != count) Fail("dense count differs");
  }
  std::string edited = s;
  for (size_t i = 0; i < 8 && i < rest.size(); ++i) {
    const int r = hll::Add(&edited, rest.substr(i, 3), 1 + static_cast<size_t>(data[0]) * 16);
    if (r < 0) break;
    if (!hll::LooksValid(edited)) Fail("an add left an invalid HLL");
  }
  return 0;
}
