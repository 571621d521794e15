// Incremental RESP2/RESP3 reply parser. Bytes are fed as they arrive, split anywhere;
// complete replies come out in order. Nested aggregates resume where they stopped:
// only the scalar being read when the bytes ran out is read again.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp_value.h"

namespace minired {

class ReplyParser {
 public:
  enum class Result { kOk, kNeedMore, kError };

  // Limits guard a client against a hostile or broken server.
  explicit ReplyParser(size_t max_bulk_len = 1ULL << 32) : max_bulk_len_(max_bulk_len) {}

  void Feed(std::string_view bytes);
  // Takes the next complete reply out of the fed bytes.
  Result Next(RespValue* out);
  const std::string& error() const { return error_; }
  size_t buffered() const { return buf_.size() - pos_; }
  void Reset();

 private:
  struct Frame {
    RespValue value;
    int64_t remaining;
  };
  // Parses one scalar or aggregate header at pos_; returns kNeedMore without moving.
  Result ParseOne(RespValue* scalar, bool* is_aggregate, int64_t* count);
  Result Fail(std::string msg);

  std::string buf_;
  size_t pos_ = 0;
  std::vector<Frame> stack_;
  size_t max_bulk_len_;
  std::string error_;
};

}  // namespace minired
