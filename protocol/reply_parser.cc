#include "protocol/reply_parser.h"

#include <cmath>
#include <cstring>

#include "protocol/numbers.h"

namespace minired {

void ReplyParser::Feed(std::string_view bytes) {
  // Drop consumed bytes once they dominate, so the buffer does not grow forever.
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

void ReplyParser::Reset() {
  buf_.clear();
  pos_ = 0;
  stack_.clear();
  error_.clear();
}

ReplyParser::Result ReplyParser::Fail(std::string msg) {
  error_ = std::move(msg);
  return Result::kError;
}

ReplyParser::Result ReplyParser::ParseOne(RespValue* v, bool* is_aggregate, int64_t* count) {
  *is_aggregate = false;
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  if (rest.empty()) return Result::kNeedMore;
  const char* cr = static_cast<const char*>(memchr(rest.data(), '\r', rest.size()));
  if (cr == nullptr || static_cast<size_t>(cr - rest.data()) + 1 >= rest.size()) {
    if (rest.size() > 64 * 1024) return Fail("reply line too long");
    return Result::kNeedMore;
  }
  size_t line_len = static_cast<size_t>(cr - rest.data());
  std::string_view line = rest.substr(1, line_len - 1);
  size_t after_line = line_len + 2;
  char prefix = rest[0];
  using T = RespValue::Type;
  auto parse_len = [&](int64_t* n) -> bool {
    auto parsed = ParseInt64(line);
    if (!parsed) return false;
    *n = *parsed;
    return true;
  };
  switch (prefix) {
    case '+': case '-': case '(':
      v->type = prefix == '+' ? T::kSimpleString : prefix == '-' ? T::kError : T::kBigNumber;
      v->str.assign(line);
      pos_ += after_line;
      return Result::kOk;
    case ':': {
      int64_t n;
      if (!parse_len(&n)) return Fail("bad integer reply");
      v->type = T::kInteger;
      v->integer = n;
      pos_ += after_line;
      return Result::kOk;
    }
    case ',': {
      v->type = T::kDouble;
      if (line == "inf") {
        v->dbl = HUGE_VAL;
      } else if (line == "-inf") {
        v->dbl = -HUGE_VAL;
      } else if (line == "nan") {
        v->dbl = NAN;
      } else {
        auto d = ParseDouble(line);
        if (!d) return Fail("bad double reply");
        v->dbl = *d;
      }
      pos_ += after_line;
      return Result::kOk;
    }
    case '#':
      if (line != "t" && line != "f") return Fail("bad boolean reply");
      v->type = T::kBoolean;
      v->integer = line == "t";
      pos_ += after_line;
      return Result::kOk;
    case '_':
      v->type = T::kNull;
      pos_ += after_line;
      return Result::kOk;
    case '$': case '=': case '!': {
      int64_t n;
      if (!parse_len(&n) || n < -1 || (n >= 0 && static_cast<uint64_t>(n) > max_bulk_len_)) {
        return Fail("bad bulk length");
      }
      if (n == -1) {
        v->type = T::kNull;
        pos_ += after_line;
        return Result::kOk;
      }
      if (rest.size() < after_line + static_cast<size_t>(n) + 2) return Result::kNeedMore;
      std::string_view payload = rest.substr(after_line, static_cast<size_t>(n));
      if (prefix == '=') {
        v->type = T::kVerbatim;
        v->str.assign(payload.size() >= 4 ? payload.substr(4) : payload);
      } else {
        v->type = prefix == '$' ? T::kBulkString : T::kError;
        v->str.assign(payload);
      }
      pos_ += after_line + static_cast<size_t>(n) + 2;
      return Result::kOk;
    }
    case '*': case '%': case '~': case '>': case '|': {
      int64_t n;
      if (!parse_len(&n) || n < -1 || n > INT32_MAX) return Fail("bad aggregate length");
      pos_ += after_line;
      if (n == -1) {
        v->type = T::kNull;
        return Result::kOk;
      }
      v->type = prefix == '*' ? T::kArray
                : prefix == '%' ? T::kMap
                : prefix == '~' ? T::kSet
                : prefix == '>' ? T::kPush
                                : T::kMap;  // attributes are read as maps
      *is_aggregate = true;
      *count = (prefix == '%' || prefix == '|') ? n * 2 : n;
      return Result::kOk;
    }
    default:
      return Fail(std::string("unknown reply type '") + prefix + "'");
  }
}

ReplyParser::Result ReplyParser::Next(RespValue* out) {
  while (true) {
    RespValue v;
    bool aggregate = false;
    int64_t count = 0;
    Result r = ParseOne(&v, &aggregate, &count);
    if (r != Result::kOk) return r;
    if (aggregate && count > 0) {
      v.elems.reserve(static_cast<size_t>(std::min<int64_t>(count, 4096)));
      stack_.push_back(Frame{std::move(v), count});
      continue;
    }
    // A complete value: attach it to its parent, closing every aggregate it completes.
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      top.value.elems.push_back(std::move(v));
      if (--top.remaining > 0) break;
      v = std::move(top.value);
      stack_.pop_back();
    }
    if (stack_.empty()) {
      *out = std::move(v);
      return Result::kOk;
    }
  }
}

std::string RespValue::DebugString() const {
  using T = Type;
  switch (type) {
    case T::kSimpleString: return str;
    case T::kError: return "(error) " + str;
    case T::kInteger: return "(integer) " + Int64ToString(integer);
    case T::kBulkString: return "\"" + str + "\"";
    case T::kNull: return "(nil)";
    case T::kDouble: return "(double) " + FormatDouble(dbl);
    case T::kBoolean: return integer ? "(true)" : "(false)";
    case T::kVerbatim: return "\"" + str + "\"";
    case T::kBigNumber: return "(big number) " + str;
    default: {
      std::string s = "[";
      for (size_t i = 0; i < elems.size(); ++i) {
        if (i) s += ", ";
        s += elems[i].DebugString();
      }
      return s + "]";
    }
  }
}

}  // namespace minired
