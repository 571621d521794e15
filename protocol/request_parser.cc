#include "protocol/request_parser.h"

#include <cstring>

#include "protocol/numbers.h"

namespace minired {

void RequestParser::Reset() {
  phase_ = Phase::kStart;
  pos_ = 0;
  bulks_left_ = 0;
  bulk_len_ = 0;
  min_needed_ = 0;
  spans_.clear();
}

RequestParser::Result RequestParser::Fail(std::string msg) {
  error_ = std::move(msg);
  Reset();
  return Result::kError;
}

RequestParser::Result RequestParser::Parse(std::string_view buf, size_t* consumed) {
  if (phase_ == Phase::kStart) {
    if (buf.empty()) return Result::kNeedMore;
    if (buf[0] != '*') return ParseInline(buf, consumed);
    int64_t count;
    const char* cr = ReadCommonLength(buf.data() + 1, buf.data() + buf.size(), &count);
    if (cr == nullptr) {
      cr = static_cast<const char*>(memchr(buf.data(), '\r', buf.size()));
      if (cr == nullptr) {
        if (buf.size() > limits_.max_inline_len) {
          return Fail("Protocol error: too big mbulk count string");
        }
        return Result::kNeedMore;
      }
      if (cr + 1 >= buf.data() + buf.size()) return Result::kNeedMore;  // the '\n' has not arrived
      if (!ParseInt64(std::string_view(buf.data() + 1, static_cast<size_t>(cr - buf.data() - 1)), &count)) {
        return Fail("Protocol error: invalid multibulk length");
      }
    }
    if (count > limits_.max_multibulk_len) return Fail("Protocol error: invalid multibulk length");
    if (count > 10 && limits_.unauthenticated) return Fail("Protocol error: unauthenticated multibulk length");
    pos_ = static_cast<size_t>(cr - buf.data()) + 2;
    if (count <= 0) {  // "*0" and "*-1" are empty commands: skipped without a reply
      *consumed = pos_;
      args_.clear();
      Reset();
      return Result::kOk;
    }
    bulks_left_ = count;
    spans_.clear();
    // Never trust the count for allocation: a hostile header must not reserve memory.
    spans_.reserve(static_cast<size_t>(std::min<int64_t>(count, 1024)));
    phase_ = Phase::kBulkHeader;
  }

  while (bulks_left_ > 0) {
    if (phase_ == Phase::kBulkHeader) {
      std::string_view rest = buf.substr(pos_);
      int64_t len;
      const char* cr = nullptr;
      if (!rest.empty() && rest[0] == '$') cr = ReadCommonLength(rest.data() + 1, rest.data() + rest.size(), &len);
      if (cr == nullptr) {
        cr = static_cast<const char*>(memchr(rest.data(), '\r', rest.size()));
        if (cr == nullptr) {
          if (rest.size() > limits_.max_inline_len) {
            return Fail("Protocol error: too big bulk count string");
          }
          return Result::kNeedMore;
        }
        if (cr + 1 >= rest.data() + rest.size()) return Result::kNeedMore;
        if (rest[0] != '$') {
          return Fail(std::string("Protocol error: expected '$', got '") + rest[0] + "'");
        }
        if (!ParseInt64(std::string_view(rest.data() + 1, static_cast<size_t>(cr - rest.data() - 1)), &len) ||
            len < 0) {
          return Fail("Protocol error: invalid bulk length");
        }
      }
      if (len > limits_.max_bulk_len) return Fail("Protocol error: invalid bulk length");
      if (len > 16384 && limits_.unauthenticated) return Fail("Protocol error: unauthenticated bulk length");
      bulk_len_ = len;
      pos_ += static_cast<size_t>(cr - rest.data()) + 2;
      phase_ = Phase::kBulkData;
    }
    size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
    if (buf.size() < need) {
      min_needed_ = need;
      return Result::kNeedMore;
    }
    // Like redis-server, the two bytes after the payload are skipped, not checked.
    spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ = need;
    --bulks_left_;
    phase_ = Phase::kBulkHeader;
  }

  args_.clear();
  args_.reserve(spans_.size());
  for (auto [off, len] : spans_) args_.emplace_back(buf.data() + off, len);
  *consumed = pos_;
  Reset();
  return Result::kOk;
}

RequestParser::Result RequestParser::ParseInline(std::string_view buf, size_t* consumed) {
  const char* nl = static_cast<const char*>(memchr(buf.data(), '\n', buf.size()));
  if (nl == nullptr) {
    if (buf.size() > limits_.max_inline_len) {
      return Fail("Protocol error: too big inline request");
    }
    return Result::kNeedMore;
  }
  size_t line_end = static_cast<size_t>(nl - buf.data());
  size_t eol_chars = 1;
  if (line_end > 0 && buf[line_end - 1] == '\r') {
    --line_end;
    ++eol_chars;
  }
  inline_args_.clear();
  if (!SplitInlineArgs(buf.substr(0, line_end), &inline_args_)) {
    return Fail("Protocol error: unbalanced quotes in request");
  }
  args_.clear();
  for (const auto& a : inline_args_) args_.emplace_back(a);
  *consumed = line_end + eol_chars;
  Reset();
  return Result::kOk;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; }
}  // namespace

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out) {
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i >= n) return true;
    std::string cur;
    bool in_dq = false, in_sq = false, done = false;
    while (!done) {
      if (in_dq) {
        if (i >= n) return false;  // unterminated quotes
        if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          cur.push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < n) {
          char c;
          switch (line[++i]) {
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'a': c = '\a'; break;
            default: c = line[i]; break;
          }
          cur.push_back(c);
        } else if (line[i] == '"') {
          // A closing quote must be followed by a space or the end of the line.
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          cur.push_back(line[i]);
        }
      } else if (in_sq) {
        if (i >= n) return false;
        if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
          ++i;
          cur.push_back('\'');
        } else if (line[i] == '\'') {
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
        } else {
          cur.push_back(line[i]);
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        switch (line[i]) {
          case ' ': case '\n': case '\r': case '\t': case '\0':
            done = true;
            break;
          case '"': in_dq = true; break;
          case '\'': in_sq = true; break;
          default: cur.push_back(line[i]); break;
        }
      }
      if (i < n) ++i;
    }
    out->push_back(std::move(cur));
  }
}

}  // namespace minired
