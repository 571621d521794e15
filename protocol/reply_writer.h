// Appends RESP replies to an output buffer. The one place that knows how each reply
// kind is spelled in RESP2 and RESP3; every command writes its reply through it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace minired {

class ReplyWriter {
 public:
  // `out` must outlive the writer; replies are appended to it.
  explicit ReplyWriter(std::string* out, int protocol = 2) : out_(out), protocol_(protocol) {}

  int protocol() const { return protocol_; }
  void set_protocol(int protocol) { protocol_ = protocol; }
  std::string* buffer() { return out_; }

  void SimpleString(std::string_view s);  // +OK
  // `text` is the full error line without '-', e.g. "ERR syntax error"; it must
  // contain no CR or LF (they are replaced by spaces, as Redis does).
  void Error(std::string_view text) { WriteError(text, true); }
  // An error already counted in the error statistics where it arose (a script passing
  // on the error of a command it called): it counts in errors_written (the command
  // failed) but is not queued for INFO errorstats again, as Redis's
  // ERR_REPLY_FLAG_NO_STATS_UPDATE.
  void ErrorCountedElsewhere(std::string_view text) { WriteError(text, false); }
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  void BulkInt(int64_t v);                // an integer sent as a bulk string
  void Null();                            // $-1 (RESP2), _ (RESP3)
  void NullArray();                       // *-1 (RESP2), _ (RESP3)
  void ArrayHeader(size_t n);
  void MapHeader(size_t n);               // %n (RESP3), *2n (RESP2)
  void SetHeader(size_t n);               // ~n (RESP3), *n (RESP2)
  void PushHeader(size_t n);              // >n (RESP3), *n (RESP2)
  void Double(double d);                  // ,d (RESP3), bulk "%.17g" (RESP2)
  void Bool(bool b);                      // #t/#f (RESP3), :1/:0 (RESP2)
  // =N\r\nfmt:... (RESP3), bulk (RESP2); the format is cut or padded with spaces to 3
  // bytes, as Redis's addReplyVerbatim.
  void Verbatim(std::string_view s, std::string_view format = "txt");
  void BigNumber(std::string_view digits);  // (digits (RESP3), bulk (RESP2)
  void Ok() { SimpleString("OK"); }
  // Pre-encoded RESP bytes, appended as they are.
  void Raw(std::string_view bytes) { out_->append(bytes); }

  // Errors written since construction.
  uint64_t errors_written() const { return errors_; }
  // The texts of the errors written since the last TakeErrors (INFO errorstats files
  // them by code); moved out and cleared.
  const std::vector<std::string>& pending_errors() const { return pending_errors_; }
  std::vector<std::string> TakeErrors() { return std::exchange(pending_errors_, {}); }

 private:
  void WriteError(std::string_view text, bool for_stats);
  void Header(char prefix, int64_t n);
  std::string* out_;
  int protocol_;
  uint64_t errors_ = 0;
  std::vector<std::string> pending_errors_;
};

}  // namespace minired
