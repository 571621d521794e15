// Incremental RESP request parser (multibulk and inline), as redis-server reads them.
//
// The parser sees the unconsumed bytes of a connection's read buffer, always starting
// at the first byte of the current command. It may be called again and again as more
// bytes arrive (the buffer may move in memory between calls: all state is kept as
// offsets relative to the command's start), and it never re-scans what it already
// parsed. "Need more bytes" is a normal outcome, not an error.
//
// On kOk the arguments are views into the caller's buffer (no copy per argument),
// valid until the caller changes that buffer. Inline commands need unescaping, so
// their arguments point into storage owned by the parser instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace minired {

struct RequestLimits {
  int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
  int64_t max_multibulk_len = INT32_MAX;       // Redis: INT_MAX
  size_t max_inline_len = 64 * 1024;           // PROTO_INLINE_MAX_SIZE
  // A client that must still authenticate may send only small commands (Redis: 10
  // arguments, 16 KB each), so a stranger cannot make the server allocate.
  bool unauthenticated = false;
};

class RequestParser {
 public:
  enum class Result {
    kOk,        // one command parsed; args() holds it (empty for "*0\r\n" or a blank line)
    kNeedMore,  // the command is incomplete; call again with more bytes
    kError,     // malformed request; error() holds Redis's text; the connection must close
  };

  explicit RequestParser(RequestLimits limits = {}) : limits_(limits) {}

  // Parses the command that starts at buf[0]. On kOk, *consumed is its length in bytes
  // and the parser is ready for the next command (which starts at buf[*consumed]).
  Result Parse(std::string_view buf, size_t* consumed);

  const std::vector<std::string_view>& args() const { return args_; }
  // "Protocol error: ..." as redis-server words it (without the "-ERR " prefix).
  const std::string& error() const { return error_; }

  // Bytes the current incomplete command needs in the buffer at least, when known
  // (while reading a bulk payload); lets the connection grow its buffer once.
  size_t min_bytes_needed() const { return min_needed_; }

  void set_limits(const RequestLimits& limits) { limits_ = limits; }
  // Forget a partially parsed command.
  void Reset();

 private:
  enum class Phase { kStart, kBulkHeader, kBulkData };

  Result ParseInline(std::string_view buf, size_t* consumed);
  Result Fail(std::string msg);

  RequestLimits limits_;
  Phase phase_ = Phase::kStart;
  size_t pos_ = 0;              // offset of the next unparsed byte, relative to buf[0]
  int64_t bulks_left_ = 0;      // bulk strings still expected in this multibulk
  int64_t bulk_len_ = 0;        // length of the bulk being read, in kBulkData
  size_t min_needed_ = 0;
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) of parsed bulks
  std::vector<std::string_view> args_;
  std::vector<std::string> inline_args_;
  std::string error_;
};

// Splits an inline command line into arguments as Redis's sdssplitargs does (quotes,
// \xHH and C escapes). Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace minired
