// The other packed forms a Redis 7.0 server still loads from RDB files and DUMP
// payloads: ziplists (lists, hashes and sorted sets of RDB 7..9, quicklist nodes),
// intsets (integer sets), zipmaps (hashes of RDB < 4), and the listpack (listpack.h)
// read into elements. Each reader checks every length against the blob and returns
// false on anything malformed; elements come out as text (integers printed).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace minired::rdb {

bool ReadListpackElements(std::string_view blob, std::vector<std::string>* out);
// The same without copying: strings are views into `blob`, integers are printed into
// `arena` (reserved here so that it never moves while the views live).
bool ReadListpackViews(std::string_view blob, std::vector<std::string_view>* out, std::string* arena);
bool ReadZiplistElements(std::string_view blob, std::vector<std::string>* out);
bool ReadZipmapElements(std::string_view blob, std::vector<std::string>* out);  // field, value, ...
// Redis's intset: u32 encoding (2, 4 or 8 bytes per value), u32 count, sorted values.
bool ReadIntset(std::string_view blob, std::vector<int64_t>* out);
std::string WriteIntset(const std::vector<int64_t>& sorted_values);

}  // namespace minired::rdb
