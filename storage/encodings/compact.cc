#include "storage/encodings/compact.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "storage/encodings/field_names.h"
#include "storage/varint.h"

namespace minired {

CompactReader::CompactReader(std::string_view blob)
    : p_(reinterpret_cast<const uint8_t*>(blob.data())), end_(p_ + blob.size()) {
  if (p_ == end_) return;
  uint64_t n;
  p_ += GetVarint(p_, &n);
  count_ = static_cast<size_t>(n);
}

bool CompactReader::Next(std::string_view* out) {
  uint64_t shared_header;
  return Next(out, &shared_header);
}

bool CompactReader::Next(std::string_view* out, uint64_t* shared_header) {
  if (p_ >= end_) return false;
  uint64_t header;
  p_ += GetVarint(p_, &header);
  if (header & 1) {
    *out = field_names::Name(static_cast<uint32_t>(header >> 1));
    *shared_header = header;
    return true;
  }
  const auto len = static_cast<size_t>(header >> 1);
  *out = {reinterpret_cast<const char*>(p_), len};
  p_ += len;
  *shared_header = kLiteral;
  return true;
}

std::vector<std::string_view> DecodeListpack(std::string_view blob) {
  CompactReader r(blob);
  std::vector<std::string_view> out;
  out.reserve(r.count());
  std::string_view e;
  while (r.Next(&e)) out.push_back(e);
  return out;
}

namespace {

// `headers[i]`: the header of element i when it is a shared field name, else kLiteral.
// `portable`: lengths without the header bit.
std::string Encode(std::span<const std::string_view> elements, std::span<const uint64_t> headers, bool portable) {
  auto literal = [portable](size_t len) { return portable ? len : len << 1; };
  auto shared = [&](size_t i) { return !headers.empty() && headers[i] != kLiteral; };
  size_t size = VarintSize(elements.size());
  for (size_t i = 0; i < elements.size(); ++i) {
    const size_t len = elements[i].size();
    size += shared(i) ? VarintSize(headers[i]) : VarintSize(literal(len)) + len;
  }
  std::string out(size, '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data());
  p += PutVarint(p, elements.size());
  for (size_t i = 0; i < elements.size(); ++i) {
    if (shared(i)) {
      p += PutVarint(p, headers[i]);
      continue;
    }
    std::string_view e = elements[i];
    p += PutVarint(p, literal(e.size()));
    if (!e.empty()) memcpy(p, e.data(), e.size());
    p += e.size();
  }
  return out;
}

uint64_t FieldHeader(std::string_view field) {
  const std::optional<uint32_t> id = field_names::Find(field);
  return id ? (static_cast<uint64_t>(*id) << 1 | 1) : kLiteral;
}

}  // namespace

std::string EncodeListpack(std::span<const std::string_view> elements) { return Encode(elements, {}, false); }

std::string PushToListpack(std::string_view blob, std::span<const std::string_view> elements, bool front) {
  uint64_t count = 0;
  size_t count_bytes = 0;
  if (!blob.empty()) count_bytes = GetVarint(reinterpret_cast<const uint8_t*>(blob.data()), &count);
  const std::string_view body = blob.substr(count_bytes);
  size_t size = VarintSize(count + elements.size()) + body.size();
  for (std::string_view e : elements) size += VarintSize(e.size() << 1) + e.size();
  std::string out(size, '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data());
  p += PutVarint(p, count + elements.size());
  auto put = [&p](std::string_view e) {
    p += PutVarint(p, e.size() << 1);
    if (!e.empty()) memcpy(p, e.data(), e.size());
    p += e.size();
  };
  if (!front && !body.empty()) {
    memcpy(p, body.data(), body.size());
    p += body.size();
  }
  if (front) {
    for (size_t i = elements.size(); i-- > 0;) put(elements[i]);
  } else {
    for (std::string_view e : elements) put(e);
  }
  if (front && !body.empty()) memcpy(p, body.data(), body.size());
  return out;
}

std::string EncodeHashListpack(std::span<const std::string_view> pairs) { return EncodeHashListpack(pairs, {}); }

std::string EncodeHashListpack(std::span<const std::string_view> pairs, std::span<const uint64_t> field_headers) {
  // Up to 128 fields (hash-max-listpack-entries' default) without a heap allocation.
  uint64_t small[256];
  std::vector<uint64_t> big;
  std::span<uint64_t> headers(small, std::min(pairs.size(), std::size(small)));
  if (pairs.size() > std::size(small)) {
    big.resize(pairs.size());
    headers = big;
  }
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i % 2 == 1) {
      headers[i] = kLiteral;
      continue;
    }
    const uint64_t known = field_headers.empty() ? kLookUpName : field_headers[i / 2];
    headers[i] = known == kLookUpName ? FieldHeader(pairs[i]) : known;
  }
  return Encode(pairs, headers, false);
}

void DecodeHashListpack(std::string_view blob, std::vector<std::string_view>* pairs,
                        std::vector<uint64_t>* field_headers) {
  CompactReader r(blob);
  pairs->clear();
  pairs->reserve(r.count());
  field_headers->clear();
  field_headers->reserve(r.count() / 2);
  std::string_view e;
  uint64_t header;
  while (r.Next(&e, &header)) {
    if (pairs->size() % 2 == 0) field_headers->push_back(header);
    pairs->push_back(e);
  }
}

std::string PortableListpack(std::string_view blob) {
  const std::vector<std::string_view> elements = DecodeListpack(blob);
  return Encode(elements, {}, true);
}

std::string PortableZSetListpack(std::string_view blob) {
  std::vector<std::string_view> elements = DecodeListpack(blob);
  std::vector<double> scores;
  scores.reserve(elements.size() / 2);  // never reallocated: `elements` points into it
  for (size_t i = 1; i < elements.size(); i += 2) {
    scores.push_back(ScoreFromBytes(elements[i]));
    elements[i] = std::string_view(reinterpret_cast<const char*>(&scores.back()), sizeof(double));
  }
  return Encode(elements, {}, true);
}

bool CompactZSetScores(std::vector<std::string_view>* pairs, std::vector<ScoreCode>* codes) {
  codes->clear();
  codes->reserve(pairs->size() / 2);  // never reallocated: `pairs` points into it
  for (size_t i = 1; i < pairs->size(); i += 2) {
    std::string_view& s = (*pairs)[i];
    if (s.empty() || s.size() > sizeof(double)) return false;
    const double score = ScoreFromBytes(s);
    if (std::isnan(score)) return false;
    s = codes->emplace_back(score).bytes();
  }
  return true;
}

bool ParsePortableListpack(std::string_view blob, std::vector<std::string_view>* elements) {
  std::string_view in = blob;
  uint64_t count;
  if (!ConsumeVarint(&in, &count) || count > in.size()) return false;  // a byte per element at least
  elements->clear();
  elements->reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len;
    if (!ConsumeVarint(&in, &len) || len > in.size()) return false;
    elements->push_back(in.substr(0, static_cast<size_t>(len)));
    in.remove_prefix(static_cast<size_t>(len));
  }
  return in.empty();
}

size_t ListpackCount(std::string_view blob) { return CompactReader(blob).count(); }

std::vector<int64_t> DecodeIntset(std::string_view blob) {
  std::vector<int64_t> out(blob.size() / 8);
  if (!out.empty()) memcpy(out.data(), blob.data(), out.size() * 8);
  return out;
}

std::string EncodeIntset(std::span<const int64_t> sorted_values) {
  std::string out(sorted_values.size() * 8, '\0');
  if (!sorted_values.empty()) memcpy(out.data(), sorted_values.data(), out.size());
  return out;
}

bool IntsetContains(std::string_view blob, int64_t v) {
  size_t lo = 0, hi = blob.size() / 8;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int64_t x;
    memcpy(&x, blob.data() + mid * 8, 8);
    if (x == v) return true;
    if (x < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return false;
}

namespace {
constexpr double kIntegerScoreLimit = 281474976710656.0;  // 2^48: its zigzag varint fits 7 bytes
}  // namespace

ScoreCode::ScoreCode(double score) {
  // -0.0 becomes the integer 0, as in Redis's listpacks (double2ll takes it for 0):
  // a small sorted set answers 0 for it where a big one keeps -0, in both servers.
  if (score > -kIntegerScoreLimit && score < kIntegerScoreLimit) {
    const auto i = static_cast<int64_t>(score);
    if (static_cast<double>(i) == score) {
      const uint64_t z = (static_cast<uint64_t>(i) << 1) ^ static_cast<uint64_t>(i >> 63);
      len_ = static_cast<uint8_t>(PutVarint(reinterpret_cast<uint8_t*>(buf_), z));
      return;
    }
  }
  memcpy(buf_, &score, sizeof score);
  len_ = sizeof score;
}

double ScoreFromBytes(std::string_view bytes) {
  if (bytes.size() == sizeof(double)) {
    double d;
    memcpy(&d, bytes.data(), sizeof d);
    return d;
  }
  uint64_t z = 0;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) z |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i]) & 0x7f) << (7 * i);
  return static_cast<double>(static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1));
}

}  // namespace minired
