// Replies and their conversion to C++ types. A Reply is the parsed RESP2/RESP3 value
// (the same type the server's tests and the replica link use); ReplyAs<T> turns it
// into what a typed helper promises, accepting both protocol versions' shapes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minired/error.h"
#include "protocol/resp_value.h"

namespace minired::client {

using Reply = ::minired::RespValue;

// Conversions offered by typed helpers; each returns kProtocol on an unexpected shape
// and kServer on an error reply. Specialised in reply.cc.
template <typename T>
Result<T> ReplyAs(Reply&& reply);

// Explicit instantiations live in reply.cc; these are the supported targets.
template <> Result<Reply> ReplyAs<Reply>(Reply&& r);
template <> Result<Ok> ReplyAs<Ok>(Reply&& r);                  // +OK
template <> Result<bool> ReplyAs<bool>(Reply&& r);              // :0/:1, #t/#f, +OK vs nil
template <> Result<int64_t> ReplyAs<int64_t>(Reply&& r);
template <> Result<double> ReplyAs<double>(Reply&& r);          // bulk text or RESP3 double
template <> Result<std::string> ReplyAs<std::string>(Reply&& r);
template <> Result<std::optional<std::string>> ReplyAs<std::optional<std::string>>(Reply&& r);
template <> Result<std::optional<double>> ReplyAs<std::optional<double>>(Reply&& r);
template <> Result<std::optional<int64_t>> ReplyAs<std::optional<int64_t>>(Reply&& r);
template <> Result<std::vector<std::string>> ReplyAs<std::vector<std::string>>(Reply&& r);
template <> Result<std::vector<std::optional<std::string>>>
ReplyAs<std::vector<std::optional<std::string>>>(Reply&& r);
// HGETALL (RESP2 flat array or RESP3 map) -> field/value pairs in server order.
template <> Result<std::vector<std::pair<std::string, std::string>>>
ReplyAs<std::vector<std::pair<std::string, std::string>>>(Reply&& r);
// ZRANGE ... WITHSCORES (RESP2 flat, RESP3 nested pairs) -> member/score pairs.
template <> Result<std::vector<std::pair<std::string, double>>>
ReplyAs<std::vector<std::pair<std::string, double>>>(Reply&& r);
// EXEC and pipelines: the elements of an array.
template <> Result<std::vector<Reply>> ReplyAs<std::vector<Reply>>(Reply&& r);

// An Error for a server error reply.
inline Error ServerError(const Reply& r) { return Error{Error::Kind::kServer, r.str}; }

}  // namespace minired::client
