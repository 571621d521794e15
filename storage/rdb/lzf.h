// LZF, the compression of long strings in RDB files and DUMP payloads (liblzf's format:
// literal runs and back references into what was already produced).
#pragma once

#include <string>
#include <string_view>

namespace minired::rdb {

// Expands `in` into exactly `out_len` bytes; false when `in` is not LZF that expands to
// that length (a back reference before the start, a run past either end).
bool LzfDecompress(std::string_view in, size_t out_len, std::string* out);

// Compresses `in` into `out`; false (nothing worth keeping) when the result would not
// be shorter than `max_out` bytes, as Redis stores such strings plain.
bool LzfCompress(std::string_view in, size_t max_out, std::string* out);

}  // namespace minired::rdb
