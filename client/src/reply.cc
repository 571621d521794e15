#include "minired/reply.h"

#include "protocol/numbers.h"

namespace minired::client {

namespace {

using T = Reply::Type;

Error Shape(const Reply& r, const char* expected) {
  return Error{Error::Kind::kProtocol,
               std::string("expected ") + expected + ", got " + r.DebugString()};
}

bool IsText(const Reply& r) {
  return r.type == T::kBulkString || r.type == T::kSimpleString || r.type == T::kVerbatim;
}

std::optional<double> AsDouble(const Reply& r) {
  if (r.type == T::kDouble) return r.dbl;
  if (r.type == T::kInteger) return static_cast<double>(r.integer);
  if (IsText(r)) return ParseDouble(r.str);
  return std::nullopt;
}

// nil becomes nullopt; anything else converts as T.
template <typename V>
Result<std::optional<V>> OrNil(Reply&& r) {
  if (r.is_null()) return std::optional<V>();
  auto v = ReplyAs<V>(std::move(r));
  if (!v) return v.error();
  return std::optional<V>(std::move(v).value());
}

// Every element of an array as V; a nil array is empty when `nil_is_empty`.
template <typename V>
Result<std::vector<V>> EachAs(Reply&& r, bool nil_is_empty) {
  if (r.is_error()) return ServerError(r);
  if (nil_is_empty && r.is_null()) return std::vector<V>();
  if (!r.is_array()) return Shape(r, "an array");
  std::vector<V> out;
  out.reserve(r.elems.size());
  for (Reply& e : r.elems) {
    auto v = ReplyAs<V>(std::move(e));
    if (!v) return v.error();
    out.push_back(std::move(v).value());
  }
  return out;
}

}  // namespace

const char* KindName(Error::Kind kind) {
  switch (kind) {
    case Error::Kind::kServer: return "server error";
    case Error::Kind::kConnection: return "connection error";
    case Error::Kind::kTimeout: return "timeout";
    case Error::Kind::kProtocol: return "protocol error";
    case Error::Kind::kClosed: return "closed";
  }
  return "error";
}

std::string Error::ToString() const { return std::string(KindName(kind)) + ": " + message; }

template <>
Result<Reply> ReplyAs<Reply>(Reply&& r) {
  if (r.is_error()) return ServerError(r);
  return std::move(r);
}

template <>
Result<Ok> ReplyAs<Ok>(Reply&& r) {
  if (r.is_error()) return ServerError(r);
  if (r.type != T::kSimpleString) return Shape(r, "+OK");
  return Ok{};
}

template <>
Result<bool> ReplyAs<bool>(Reply&& r) {
  if (r.is_error()) return ServerError(r);
  if (r.type == T::kInteger || r.type == T::kBoolean) return r.integer != 0;
  if (r.type == T::kSimpleString) return true;  // SET ... NX: +OK
  if (r.is_null()) return false;                 // SET ... NX: nil when not set
  return Shape(r, "an integer or +OK/nil");
}

template <>
Result<int64_t> ReplyAs<int64_t>(Reply&& r) {
  if (r.is_error()) return ServerError(r);
  if (r.type == T::kInteger) return r.integer;
  if (IsText(r)) {
    if (auto n = ParseInt64(r.str)) return *n;
  }
  return Shape(r, "an integer");
}

template <>
Result<double> ReplyAs<double>(Reply&& r) {
  if (r.is_error()) return ServerError(r);
  if (auto d = AsDouble(r)) return *d;
  return Shape(r, "a number");
}

template <>
Result<std::string> ReplyAs<std::string>(Reply&& r) {
  if (r.is_error()) return ServerError(r);
  if (IsText(r)) return std::move(r.str);
  if (r.type == T::kInteger) return Int64ToString(r.integer);
  return Shape(r, "a string");
}

template <>
Result<std::optional<std::string>> ReplyAs<std::optional<std::string>>(Reply&& r) {
  return OrNil<std::string>(std::move(r));
}

template <>
Result<std::optional<double>> ReplyAs<std::optional<double>>(Reply&& r) {
  return OrNil<double>(std::move(r));
}

template <>
Result<std::optional<int64_t>> ReplyAs<std::optional<int64_t>>(Reply&& r) {
  return OrNil<int64_t>(std::move(r));
}

template <>
Result<std::vector<std::string>> ReplyAs<std::vector<std::string>>(Reply&& r) {
  return EachAs<std::string>(std::move(r), /*nil_is_empty=*/true);
}

template <>
Result<std::vector<std::optional<std::string>>>
ReplyAs<std::vector<std::optional<std::string>>>(Reply&& r) {
  return EachAs<std::optional<std::string>>(std::move(r), /*nil_is_empty=*/false);
}

template <>
Result<std::vector<std::pair<std::string, std::string>>>
ReplyAs<std::vector<std::pair<std::string, std::string>>>(Reply&& r) {
  if (r.is_error()) return ServerError(r);
  if ((!r.is_array() && r.type != T::kMap) || r.elems.size() % 2 != 0) {
    return Shape(r, "a map or a flat array of pairs");
  }
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(r.elems.size() / 2);
  for (size_t i = 0; i < r.elems.size(); i += 2) {
    if (!IsText(r.elems[i]) || !IsText(r.elems[i + 1])) return Shape(r, "string pairs");
    out.emplace_back(std::move(r.elems[i].str), std::move(r.elems[i + 1].str));
  }
  return out;
}

template <>
Result<std::vector<std::pair<std::string, double>>>
ReplyAs<std::vector<std::pair<std::string, double>>>(Reply&& r) {
  if (r.is_error()) return ServerError(r);
  if (!r.is_array()) return Shape(r, "an array");
  std::vector<std::pair<std::string, double>> out;
  auto add = [&](Reply& member, Reply& score) -> bool {
    auto d = AsDouble(score);
    if (!IsText(member) || !d) return false;
    out.emplace_back(std::move(member.str), *d);
    return true;
  };
  bool nested = !r.elems.empty() && r.elems.front().is_array();  // RESP3: [[m, s], ...]
  if (nested) {
    for (Reply& pair : r.elems) {
      if (pair.elems.size() != 2 || !add(pair.elems[0], pair.elems[1])) {
        return Shape(r, "member/score pairs");
      }
    }
    return out;
  }
  if (r.elems.size() % 2 != 0) return Shape(r, "member/score pairs");
  for (size_t i = 0; i < r.elems.size(); i += 2) {
    if (!add(r.elems[i], r.elems[i + 1])) return Shape(r, "member/score pairs");
  }
  return out;
}

template <>
Result<std::vector<Reply>> ReplyAs<std::vector<Reply>>(Reply&& r) {
  if (r.is_error()) return ServerError(r);
  if (r.is_null()) return std::vector<Reply>();
  if (!r.is_array() && r.type != T::kMap) return Shape(r, "an array");
  return std::move(r.elems);
}

}  // namespace minired::client
