#include "storage/encodings/compact.h"

#include <algorithm>
#include <cstring>

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
  if (p_ >= end_) return false;
  uint64_t len;
  p_ += GetVarint(p_, &len);
  *out = {reinterpret_cast<const char*>(p_), static_cast<size_t>(len)};
  p_ += len;
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

std::string EncodeListpack(std::span<const std::string_view> elements) {
  size_t size = VarintSize(elements.size());
  for (std::string_view e : elements) size += VarintSize(e.size()) + e.size();
  std::string out(size, '\0');
  auto* p = reinterpret_cast<uint8_t*>(out.data());
  p += PutVarint(p, elements.size());
  for (std::string_view e : elements) {
    p += PutVarint(p, e.size());
    if (!e.empty()) memcpy(p, e.data(), e.size());
    p += e.size();
  }
  return out;
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

std::string_view ScoreBytes(const double& score) {
  return {reinterpret_cast<const char*>(&score), sizeof(double)};
}

double ScoreFromBytes(std::string_view bytes) {
  double d = 0;
  memcpy(&d, bytes.data(), std::min(bytes.size(), sizeof d));
  return d;
}

}  // namespace minired
