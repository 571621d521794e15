#include "storage/encodings/hyperloglog.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace minired::hll {
namespace {

constexpr int kP = 14;
constexpr int kQ = 64 - kP;
constexpr uint64_t kPMask = (1u << kP) - 1;
constexpr uint8_t kRegisterMax = 63;
constexpr size_t kRegisterBytes = kDenseSize - kHeaderSize;
constexpr int kValMaxValue = 32;
constexpr int kValMaxLen = 4;
constexpr int kZeroMaxLen = 64;
constexpr double kAlphaInf = 0.721347520444481703680;  // 0.5 / ln(2)

// Sparse opcodes.
bool IsZero(uint8_t b) { return (b & 0xc0) == 0; }
bool IsXZero(uint8_t b) { return (b & 0xc0) == 0x40; }
bool IsVal(uint8_t b) { return (b & 0x80) != 0; }
int ZeroLen(uint8_t b) { return (b & 0x3f) + 1; }
int XZeroLen(uint8_t b0, uint8_t b1) { return (((b0 & 0x3f) << 8) | b1) + 1; }
int ValValue(uint8_t b) { return ((b >> 2) & 0x1f) + 1; }
int ValLen(uint8_t b) { return (b & 0x3) + 1; }
uint8_t ZeroOp(int len) { return static_cast<uint8_t>(len - 1); }
void XZeroOp(uint8_t* p, int len) {
  p[0] = static_cast<uint8_t>(((len - 1) >> 8) | 0x40);
  p[1] = static_cast<uint8_t>((len - 1) & 0xff);
}
uint8_t ValOp(int value, int len) { return static_cast<uint8_t>(((value - 1) << 2 | (len - 1)) | 0x80); }

// The sparse opcodes of `s` in order, as Redis reads them: visit(op, first register,
// run length, value) for each (value 0 for zero runs) until it returns false; returns
// the registers the visited runs cover. An XZERO cut off by the end of the string
// takes its second byte from the terminator Redis's strings carry, a zero.
enum class Op { kZero, kXZero, kVal };
template <typename Visit>
int ForEachRun(std::string_view s, Visit visit) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t end = s.size();
  size_t i = kHeaderSize;
  int idx = 0;
  while (i < end) {
    const uint8_t b = p[i];
    Op op;
    int len, value = 0;
    if (IsZero(b)) {
      op = Op::kZero;
      len = ZeroLen(b);
      i += 1;
    } else if (IsXZero(b)) {
      op = Op::kXZero;
      len = XZeroLen(b, i + 1 < end ? p[i + 1] : 0);
      i += 2;
    } else {
      op = Op::kVal;
      len = ValLen(b);
      value = ValValue(b);
      i += 1;
    }
    if (!visit(op, idx, len, value)) break;
    idx += len;
  }
  return idx;
}

// The register an element lands in and its run of zero bits + 1.
int PatLen(std::string_view element, int* reg) {
  uint64_t hash = MurmurHash64A(element.data(), static_cast<int>(element.size()), 0xadc83b19U);
  *reg = static_cast<int>(hash & kPMask);
  hash >>= kP;
  hash |= uint64_t{1} << kQ;  // the loop ends, with a count at most Q + 1
  return std::countr_zero(hash) + 1;
}

void DenseSetRegister(uint8_t* r, int index, uint8_t value) {
  const size_t byte = static_cast<size_t>(index) * 6 / 8;
  const unsigned fb = (static_cast<unsigned>(index) * 6) & 7, fb8 = 8 - fb;
  r[byte] = static_cast<uint8_t>((r[byte] & ~(kRegisterMax << fb)) | (value << fb));
  if (byte + 1 < kRegisterBytes) {
    r[byte + 1] = static_cast<uint8_t>((r[byte + 1] & ~(kRegisterMax >> fb8)) | (value >> fb8));
  }
}

uint8_t DenseGetRegister(const uint8_t* r, int index) {
  const size_t byte = static_cast<size_t>(index) * 6 / 8;
  const unsigned fb = (static_cast<unsigned>(index) * 6) & 7, fb8 = 8 - fb;
  const unsigned b0 = r[byte], b1 = byte + 1 < kRegisterBytes ? r[byte + 1] : 0;
  return static_cast<uint8_t>(((b0 >> fb) | (b1 << fb8)) & kRegisterMax);
}

int DenseSet(uint8_t* r, int index, uint8_t count) {
  if (count <= DenseGetRegister(r, index)) return 0;
  DenseSetRegister(r, index, count);
  return 1;
}

uint8_t* Registers(std::string* s) { return reinterpret_cast<uint8_t*>(s->data()) + kHeaderSize; }

double Sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prime;
  double y = 1;
  double z = x;
  do {
    x *= x;
    z_prime = z;
    z += x * y;
    y += y;
  } while (z_prime != z);
  return z;
}

double Tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prime;
  double y = 1.0;
  double z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prime = z;
    y *= 0.5;
    z -= std::pow(1 - x, 2) * y;
  } while (z_prime != z);
  return z / 3;
}

// Ertl's estimator over the histogram of register values.
uint64_t Estimate(const int (&histo)[64]) {
  const double m = kRegisters;
  double z = m * Tau((m - histo[kQ + 1]) / m);
  for (int j = kQ; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * Sigma(histo[0] / m);
  return static_cast<uint64_t>(static_cast<double>(std::llroundl(kAlphaInf * m * m / z)));
}

}  // namespace

uint64_t MurmurHash64A(const void* key, int len, unsigned int seed) {
  const uint64_t m = 0xc6a4a7935bd1e995ULL;
  const int r = 47;
  uint64_t h = seed ^ (static_cast<uint64_t>(len) * m);
  const auto* data = static_cast<const uint8_t*>(key);
  const uint8_t* end = data + (len - (len & 7));
  while (data != end) {
    uint64_t k;
    memcpy(&k, data, sizeof(k));  // little-endian hosts only, as the layout is
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
    data += 8;
  }
  switch (len & 7) {
    case 7: h ^= static_cast<uint64_t>(data[6]) << 48; [[fallthrough]];
    case 6: h ^= static_cast<uint64_t>(data[5]) << 40; [[fallthrough]];
    case 5: h ^= static_cast<uint64_t>(data[4]) << 32; [[fallthrough]];
    case 4: h ^= static_cast<uint64_t>(data[3]) << 24; [[fallthrough]];
    case 3: h ^= static_cast<uint64_t>(data[2]) << 16; [[fallthrough]];
    case 2: h ^= static_cast<uint64_t>(data[1]) << 8; [[fallthrough]];
    case 1:
      h ^= static_cast<uint64_t>(data[0]);
      h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

bool LooksValid(std::string_view s) {
  if (s.size() < kHeaderSize || s.substr(0, 4) != "HYLL") return false;
  const uint8_t enc = EncodingOf(s);
  if (enc > kSparse) return false;
  return enc != kDense || s.size() == kDenseSize;
}

std::string NewSparse() {
  std::string s(kHeaderSize + 2, '\0');
  memcpy(s.data(), "HYLL", 4);
  s[4] = static_cast<char>(kSparse);
  XZeroOp(Registers(&s), kRegisters);
  return s;
}

void InvalidateCache(char* s) { s[15] = static_cast<char>(static_cast<uint8_t>(s[15]) | 0x80); }
bool CacheValid(std::string_view s) { return (static_cast<uint8_t>(s[15]) & 0x80) == 0; }

uint64_t CachedCount(std::string_view s) {
  uint64_t c = 0;
  for (int i = 7; i >= 0; --i) c = (c << 8) | static_cast<uint8_t>(s[8 + static_cast<size_t>(i)]);
  return c;
}

void SetCachedCount(char* s, uint64_t count) {
  for (size_t i = 0; i < 8; ++i) s[8 + i] = static_cast<char>((count >> (8 * i)) & 0xff);
}

bool SparseToDense(std::string* s) {
  if (EncodingOf(*s) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  memcpy(dense.data(), s->data(), kHeaderSize);  // the magic and the cached count
  dense[4] = static_cast<char>(kDense);
  uint8_t* r = Registers(&dense);
  const int covered = ForEachRun(*s, [&](Op op, int first, int len, int value) {
    if (op != Op::kVal) return true;
    if (first + len > kRegisters) return false;  // a run past the end: Redis stops there
    for (int i = first; i < first + len; ++i) DenseSetRegister(r, i, static_cast<uint8_t>(value));
    return true;
  });
  if (covered != kRegisters) return false;
  *s = std::move(dense);
  return true;
}

int Set(std::string* str, int index, uint8_t count, size_t sparse_max_bytes) {
  if (EncodingOf(*str) == kDense) return DenseSet(Registers(str), index, count);
  std::string& s = *str;
  auto byte = [&](size_t i) -> uint8_t { return i < s.size() ? static_cast<uint8_t>(s[i]) : 0; };
  bool promote = count > kValMaxValue;
  if (!promote) {
    // Step 1: the opcode covering the register.
    size_t p = kHeaderSize, end = s.size(), prev = 0;
    bool has_prev = false;
    long first = 0, span = 0;
    while (p < end) {
      size_t oplen = 1;
      const uint8_t b = byte(p);
      if (IsZero(b)) {
        span = ZeroLen(b);
      } else if (IsVal(b)) {
        span = ValLen(b);
      } else {
        span = XZeroLen(b, byte(p + 1));
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      has_prev = true;
      p += oplen;
      first += span;
    }
    if (span == 0 || p >= end) return -1;  // corrupt
    const uint8_t op = byte(p);
    const bool is_zero = IsZero(op), is_xzero = IsXZero(op), is_val = IsVal(op);
    const long runlen = is_zero ? ZeroLen(op) : (is_xzero ? XZeroLen(op, byte(p + 1)) : ValLen(op));
    bool updated = false;
    // Step 2: the trivial updates in place (a VAL or ZERO covering this register only).
    if (is_val) {
      if (ValValue(op) >= count) return 0;
      if (runlen == 1) {
        s[p] = static_cast<char>(ValOp(count, 1));
        updated = true;
      }
    }
    if (!updated && is_zero && runlen == 1) {
      s[p] = static_cast<char>(ValOp(count, 1));
      updated = true;
    }
    if (!updated) {
      // The general case: split the run into up to three (XZERO-VAL-XZERO: 5 bytes).
      uint8_t seq[5];
      size_t n = 0;
      const long last = first + span - 1;
      auto zeros = [&](long len) {
        if (len > kZeroMaxLen) {
          XZeroOp(seq + n, static_cast<int>(len));
          n += 2;
        } else {
          seq[n++] = ZeroOp(static_cast<int>(len));
        }
      };
      if (is_zero || is_xzero) {
        if (index != first) zeros(index - first);
        seq[n++] = ValOp(count, 1);
        if (index != last) zeros(last - index);
      } else {
        const int cur = ValValue(op);
        if (index != first) seq[n++] = ValOp(cur, static_cast<int>(index - first));
        seq[n++] = ValOp(count, 1);
        if (index != last) seq[n++] = ValOp(cur, static_cast<int>(last - index));
      }
      // Step 3: the new sequence replaces the opcode, unless that grows the string
      // past hll-sparse-max-bytes: then the HLL turns dense.
      const size_t oldlen = is_xzero ? 2 : 1;
      const long delta = static_cast<long>(n) - static_cast<long>(oldlen);
      if (delta > 0 && s.size() + static_cast<size_t>(delta) > sparse_max_bytes) {
        promote = true;
      } else {
        s.replace(p, oldlen, reinterpret_cast<const char*>(seq), n);
      }
    }
    if (!promote) {
      // Step 4: merge adjacent VALs of the same value, scanning up to five opcodes
      // from the one before the change.
      p = has_prev ? prev : kHeaderSize;
      end = s.size();
      int scanlen = 5;
      while (p < end && scanlen--) {
        const uint8_t b = byte(p);
        if (IsXZero(b)) {
          p += 2;
          continue;
        }
        if (IsZero(b)) {
          p++;
          continue;
        }
        if (p + 1 < end && IsVal(byte(p + 1))) {
          const int v1 = ValValue(b), v2 = ValValue(byte(p + 1));
          if (v1 == v2) {
            const int len = ValLen(b) + ValLen(byte(p + 1));
            if (len <= kValMaxLen) {
              s[p + 1] = static_cast<char>(ValOp(v1, len));
              s.erase(p, 1);
              end--;
              continue;  // try the merged run with the next one
            }
          }
        }
        p++;
      }
      InvalidateCache(s.data());
      return 1;
    }
  }
  if (!SparseToDense(str)) return -1;
  DenseSet(Registers(str), index, count);
  return 1;
}

int Add(std::string* s, std::string_view element, size_t sparse_max_bytes) {
  int index = 0;
  const int count = PatLen(element, &index);
  return Set(s, index, static_cast<uint8_t>(count), sparse_max_bytes);
}

int AddDense(char* registers, std::string_view element) {
  int index = 0;
  const int count = PatLen(element, &index);
  return DenseSet(reinterpret_cast<uint8_t*>(registers), index, static_cast<uint8_t>(count));
}

std::optional<uint64_t> Count(std::string_view s) {
  int histo[64] = {0};
  if (EncodingOf(s) == kDense) {
    const auto* r = reinterpret_cast<const uint8_t*>(s.data()) + kHeaderSize;
    for (int i = 0; i < kRegisters; ++i) histo[DenseGetRegister(r, i)]++;
    return Estimate(histo);
  }
  const int covered = ForEachRun(s, [&](Op, int, int len, int value) {
    histo[value] += len;
    return true;
  });
  if (covered != kRegisters) return std::nullopt;
  return Estimate(histo);
}

uint64_t CountRaw(const RawRegisters& registers) {
  int histo[64] = {0};
  for (uint8_t r : registers) histo[r & 63]++;
  return Estimate(histo);
}

bool MergeInto(RawRegisters* max, std::string_view s) {
  if (EncodingOf(s) == kDense) {
    const auto* r = reinterpret_cast<const uint8_t*>(s.data()) + kHeaderSize;
    for (int i = 0; i < kRegisters; ++i) {
      const uint8_t v = DenseGetRegister(r, i);
      if (v > (*max)[static_cast<size_t>(i)]) (*max)[static_cast<size_t>(i)] = v;
    }
    return true;
  }
  const int covered = ForEachRun(s, [&](Op op, int first, int len, int value) {
    if (op != Op::kVal) return true;
    if (first + len > kRegisters) return false;  // as the dense conversion
    for (int i = first; i < first + len; ++i) {
      uint8_t& m = (*max)[static_cast<size_t>(i)];
      if (value > m) m = static_cast<uint8_t>(value);
    }
    return true;
  });
  return covered == kRegisters;
}

uint8_t DenseRegister(const char* registers, int index) {
  return DenseGetRegister(reinterpret_cast<const uint8_t*>(registers), index);
}

std::string DescribeSparse(std::string_view s) {
  std::string out;
  ForEachRun(s, [&](Op op, int, int len, int value) {
    if (!out.empty()) out += ' ';
    if (op == Op::kVal) {
      out += "v:" + std::to_string(value) + "," + std::to_string(len);
    } else {
      out += (op == Op::kZero ? "z:" : "Z:") + std::to_string(len);
    }
    return true;
  });
  return out;
}

}  // namespace minired::hll
