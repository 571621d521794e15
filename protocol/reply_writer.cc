#include "protocol/reply_writer.h"

#include <cstring>

#include "protocol/numbers.h"

namespace minired {

namespace {
// Bulk strings up to this long are put together before being appended.
constexpr size_t kShortBulk = 64;
}  // namespace

void ReplyWriter::Header(char prefix, int64_t n) {
  char buf[kMaxInt64Chars + 3];
  buf[0] = prefix;
  size_t len = 1 + FormatInt64(n, buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  out_->append(buf, len);
}

void ReplyWriter::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyWriter::WriteError(std::string_view text, bool for_stats) {
  ++errors_;
  out_->push_back('-');
  size_t start = out_->size();
  out_->append(text);
  for (size_t i = start; i < out_->size(); ++i) {
    if ((*out_)[i] == '\r' || (*out_)[i] == '\n') (*out_)[i] = ' ';
  }
  // Bounded in case nobody drains this writer (the count above stays exact).
  if (for_stats && pending_errors_.size() < 1024) {
    pending_errors_.emplace_back(out_->data() + start, out_->size() - start);
  }
  out_->append("\r\n", 2);
}

void ReplyWriter::Integer(int64_t v) { Header(':', v); }

void ReplyWriter::Bulk(std::string_view s) {
  if (s.size() <= kShortBulk) {
    // Header, bytes and CRLF put together on the stack: one append instead of three
    // (the replies of GET, LRANGE and HGETALL are mostly short values).
    char buf[kMaxInt64Chars + 3 + kShortBulk + 2];
    buf[0] = '$';
    size_t len = 1 + FormatInt64(static_cast<int64_t>(s.size()), buf + 1);
    buf[len++] = '\r';
    buf[len++] = '\n';
    if (!s.empty()) std::memcpy(buf + len, s.data(), s.size());
    len += s.size();
    buf[len++] = '\r';
    buf[len++] = '\n';
    out_->append(buf, len);
    return;
  }
  Header('$', static_cast<int64_t>(s.size()));
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyWriter::BulkInt(int64_t v) {
  char buf[kMaxInt64Chars];
  Bulk(std::string_view(buf, FormatInt64(v, buf)));
}

void ReplyWriter::Null() {
  if (protocol_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void ReplyWriter::NullArray() {
  if (protocol_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void ReplyWriter::ArrayHeader(size_t n) { Header('*', static_cast<int64_t>(n)); }

void ReplyWriter::MapHeader(size_t n) {
  if (protocol_ >= 3) {
    Header('%', static_cast<int64_t>(n));
  } else {
    Header('*', static_cast<int64_t>(n * 2));
  }
}

void ReplyWriter::SetHeader(size_t n) { Header(protocol_ >= 3 ? '~' : '*', static_cast<int64_t>(n)); }

void ReplyWriter::PushHeader(size_t n) { Header(protocol_ >= 3 ? '>' : '*', static_cast<int64_t>(n)); }

void ReplyWriter::Double(double d) {
  char buf[kMaxDoubleChars];
  const std::string_view s(buf, FormatDouble(d, buf));
  if (protocol_ >= 3) {
    out_->push_back(',');
    out_->append(s);
    out_->append("\r\n", 2);
  } else {
    Bulk(s);
  }
}

void ReplyWriter::Bool(bool b) {
  if (protocol_ >= 3) {
    out_->append(b ? "#t\r\n" : "#f\r\n", 4);
  } else {
    Integer(b ? 1 : 0);
  }
}

void ReplyWriter::BigNumber(std::string_view digits) {
  if (protocol_ < 3) {
    Bulk(digits);
    return;
  }
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n", 2);
}

void ReplyWriter::Verbatim(std::string_view s, std::string_view format) {
  if (protocol_ >= 3) {
    Header('=', static_cast<int64_t>(s.size() + 4));
    char prefix[4] = {' ', ' ', ' ', ':'};
    for (size_t i = 0; i < 3 && i < format.size(); ++i) prefix[i] = format[i];
    out_->append(prefix, 4);
    out_->append(s);
    out_->append("\r\n", 2);
  } else {
    Bulk(s);
  }
}

}  // namespace minired
