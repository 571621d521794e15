// Error values shared by every layer. Fallible operations return Status (I/O, config,
// persistence) or Result<T> (command operations); exceptions never cross a layer.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace minired {

// Outcome of an operation that returns no value. `message()` is for humans (logs,
// start-up errors); it is never parsed.
class Status {
 public:
  enum class Code { kOk, kInvalidArgument, kNotFound, kIOError, kCorruption, kUnsupported };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status Unsupported(std::string msg) { return {Code::kUnsupported, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Outcome of a keyspace operation. Each value maps to exactly one Redis reply
// (see server/errors.h), which the command layer chooses; storage never writes RESP.
enum class OpStatus {
  kOk,
  kNotFound,
  kWrongType,
  kNotAnInteger,   // stored value or argument is not a 64-bit integer
  kNotAFloat,      // stored value or argument is not a valid float
  kOverflow,       // increment or result out of range
  kOutOfRange,     // offset or index outside what the command allows
  kSkipped,        // a condition (NX, XX, GT, ...) prevented the change
  kTooBig,         // result would exceed proto-max-bulk-len
};

// A value or the OpStatus explaining its absence.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like absl::StatusOr
  Result(OpStatus status) : v_(status) { assert(status != OpStatus::kOk); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  OpStatus status() const { return ok() ? OpStatus::kOk : std::get<OpStatus>(v_); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, OpStatus> v_;
};

}  // namespace minired
