// The compact encodings of small collections, stored inline in the key's Entry (one
// allocation for key and value, as Redis's listpack/intset live in one buffer):
//
//   listpack: varint element count, then per element a varint header: length << 1
//             followed by the element's bytes, or id << 1 | 1 for a hash field name
//             held by the shared table of field_names.h (one byte for the first 64).
//             Hashes alternate field, value; sorted sets alternate member, score (a
//             ScoreCode: an integer's varint, else the 8 bytes of a double) ordered by
//             (score, member); sets and lists in order.
//             Outside the process (the snapshot) a listpack is "portable": every
//             element written out as varint length and bytes, no header bit.
//   intset:   sorted distinct int64s, 8 bytes each (little endian).
//
// Compact values are immutable: a change decodes, edits and re-encodes the blob into a
// new Entry (O(n) for n below the conversion thresholds, as Redis's listpack edits).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace minired {

// How each field of a hash being edited is to be written, so that an edit re-encodes
// the fields it kept without looking them up again: kLookUpName (a new field), kLiteral,
// or the header of its shared name (DecodeHashListpack gives those of a blob).
inline constexpr uint64_t kLookUpName = UINT64_MAX;
inline constexpr uint64_t kLiteral = UINT64_MAX - 1;

// Sequential reader over a listpack blob.
class CompactReader {
 public:
  explicit CompactReader(std::string_view blob);
  size_t count() const { return count_; }
  // The next element; false at the end.
  bool Next(std::string_view* out);
  // The same, with how it is written: its header if it is a shared name, else kLiteral.
  bool Next(std::string_view* out, uint64_t* shared_header);

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  size_t count_ = 0;
};

std::vector<std::string_view> DecodeListpack(std::string_view blob);
std::string EncodeListpack(std::span<const std::string_view> elements);
// The listpack `blob` (of a list) with `elements` pushed at its front, each in turn as
// LPUSH pushes them (the last one ends up first), or appended at its back: the old
// elements are copied as they are, without decoding them.
std::string PushToListpack(std::string_view blob, std::span<const std::string_view> elements, bool front);
// A hash's listpack from alternating fields and values: a field the shared table holds
// (or now admits) is written as its number.
std::string EncodeHashListpack(std::span<const std::string_view> pairs);
void DecodeHashListpack(std::string_view blob, std::vector<std::string_view>* pairs,
                        std::vector<uint64_t>* field_headers);
// REQUIRES: field_headers.size() * 2 == pairs.size(), or field_headers empty: every
// field looked up.
std::string EncodeHashListpack(std::span<const std::string_view> pairs, std::span<const uint64_t> field_headers);
// The portable form of an in-memory listpack, and back: ParsePortableListpack checks
// every length against the blob (false when it does not hold exactly what its count
// says), and the views it gives point into `blob`.
std::string PortableListpack(std::string_view blob);
bool ParsePortableListpack(std::string_view blob, std::vector<std::string_view>* elements);
size_t ListpackCount(std::string_view blob);

std::vector<int64_t> DecodeIntset(std::string_view blob);
std::string EncodeIntset(std::span<const int64_t> sorted_values);
inline size_t IntsetCount(std::string_view blob) { return blob.size() / 8; }
bool IntsetContains(std::string_view blob, int64_t v);

// A score as a listpack zset holds it: an integer of magnitude below 2^48 as its zigzag
// varint (1 to 7 bytes: 1 for -64..63, 3 for a price in cents up to 10,000 dollars),
// any other score as the 8 bytes of its double. The length tells them apart. Redis's
// listpack stores integer scores as integers too; 8 bytes for every score made a small
// sorted set of integer scores 1.1x redis-server's memory.
class ScoreCode {
 public:
  explicit ScoreCode(double score);
  std::string_view bytes() const { return {buf_, len_}; }

 private:
  char buf_[8];
  uint8_t len_;
};
double ScoreFromBytes(std::string_view bytes);
// A zset's listpack in the portable form with every score in 8 bytes, as snapshots have
// always held them (an older minired reads what a newer one writes); and back: the
// scores of alternating member, score views (pointing into a snapshot) recoded into
// `codes`, false when one is no score (empty, longer than 8 bytes, NaN).
std::string PortableZSetListpack(std::string_view blob);
bool CompactZSetScores(std::vector<std::string_view>* pairs, std::vector<ScoreCode>* codes);

}  // namespace minired
