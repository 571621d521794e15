// HyperLogLog strings in Redis's own representation, byte for byte, so a value GET from
// one server and SET into the other counts the same (Redis's hyperloglog.c):
//
//   +------+---+-----+----------+
//   | HYLL | E | N/U | Cardin.  |   16-byte header: magic, encoding (0 dense, 1
//   +------+---+-----+----------+   sparse), 3 unused bytes, the cached cardinality
//                                   (64-bit little endian; bit 7 of its last byte
//                                   set: stale), then the registers.
//
// 16,384 six-bit registers (P = 14): a register keeps the longest run of zero bits + 1
// seen in the 50 hash bits above the 14 that pick it (MurmurHash64A, seed 0xadc83b19).
// Dense: the registers packed little-endian, 12,288 bytes. Sparse: run-length opcodes
//   ZERO  00xxxxxx           1..64 zero registers
//   XZERO 01xxxxxx yyyyyyyy  1..16384 zero registers
//   VAL   1vvvvvxx           1..4 registers of value 1..32
// promoted to dense once a value exceeds 32 or the string would pass
// hll-sparse-max-bytes. The counting is Ertl's improved estimator, as Redis 5+.
//
// Every function checks what it reads: a string that is not a valid HLL (foreign,
// truncated, corrupt) is reported, never read past its end.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minired::hll {

inline constexpr size_t kHeaderSize = 16;
inline constexpr int kRegisters = 16384;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * 6 + 7) / 8;  // 12304
inline constexpr uint8_t kDense = 0;
inline constexpr uint8_t kSparse = 1;

using RawRegisters = std::array<uint8_t, kRegisters>;

uint64_t MurmurHash64A(const void* key, int len, unsigned int seed);

// Redis's isHLLObject: magic, a known encoding, and a dense string's exact size.
bool LooksValid(std::string_view s);
inline uint8_t EncodingOf(std::string_view s) { return static_cast<uint8_t>(s[4]); }

// A new empty HLL (sparse: one XZERO run over every register; cached count 0).
std::string NewSparse();

void InvalidateCache(char* s);
bool CacheValid(std::string_view s);
uint64_t CachedCount(std::string_view s);
void SetCachedCount(char* s, uint64_t count);

// Adds one element: 1 if a register changed, 0 if not, -1 if the string is corrupt.
// REQUIRES: LooksValid(*s). A sparse string may grow, shrink or turn dense.
int Add(std::string* s, std::string_view element, size_t sparse_max_bytes);
// The same on a dense HLL's registers, in place (its size never changes).
int AddDense(char* registers, std::string_view element);

// Sets register `index` to `count` if larger (Redis's hllSparseSet / hllDenseSet).
int Set(std::string* s, int index, uint8_t count, size_t sparse_max_bytes);
// Rewrites a sparse HLL as dense; false when the sparse runs do not cover exactly
// every register.
bool SparseToDense(std::string* s);

// The estimated cardinality; nullopt when a sparse string's runs are corrupt.
std::optional<uint64_t> Count(std::string_view s);
uint64_t CountRaw(const RawRegisters& registers);
// max[i] = max(max[i], register i); false when the string is corrupt.
bool MergeInto(RawRegisters* max, std::string_view s);

uint8_t DenseRegister(const char* registers, int index);
// PFDEBUG DECODE's text: "z:<n>", "Z:<n>", "v:<value>,<n>" for each opcode.
std::string DescribeSparse(std::string_view s);

}  // namespace minired::hll
