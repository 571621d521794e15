// Errors are values in the client library: every call completes with a Result<T>,
// which holds either the typed value or an Error saying which of the distinct
// failures happened. No call throws for a server or network failure.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace minired::client {

struct Error {
  enum class Kind {
    kServer,      // the server answered with an error reply (-ERR, -WRONGTYPE, ...)
    kConnection,  // not connected, connection lost, connect or handshake failed
    kTimeout,     // no reply within the command (or connect, or pool) timeout
    kProtocol,    // the server sent bytes that are not RESP, or an unexpected reply shape
    kClosed,      // the connection or pool was closed by its owner
  };

  Kind kind = Kind::kConnection;
  std::string message;

  bool is_server() const { return kind == Kind::kServer; }
  bool is_connection() const { return kind == Kind::kConnection; }
  bool is_timeout() const { return kind == Kind::kTimeout; }
  // The first word of a server error ("WRONGTYPE", "ERR", "NOAUTH"); "" for others.
  std::string_view code() const {
    if (kind != Kind::kServer) return {};
    std::string_view m = message;
    return m.substr(0, m.find(' '));
  }
  // "server error: ERR ...", "timeout: ...", for logs.
  std::string ToString() const;
};

const char* KindName(Error::Kind kind);

// Nothing to return but success (SET without NX/XX, SUBSCRIBE, MSET...).
struct Ok {
  bool operator==(const Ok&) const = default;
};

// A value or the Error explaining its absence.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit, like absl::StatusOr
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace minired::client
