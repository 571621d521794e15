// Redis 7 error texts, as named constants: replies must match redis-server byte for
// byte, and a typo here is caught by the differential tests in one place.
#pragma once

#include <string>
#include <string_view>

namespace minired::errors {

inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kSyntax = "ERR syntax error";
inline constexpr std::string_view kOom = "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kNanOrInfinity = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";
inline constexpr std::string_view kInvalidDbIndex = "ERR invalid DB index";
inline constexpr std::string_view kStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";
inline constexpr std::string_view kSameObject = "ERR source and destination objects are the same";
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kAuthNoPassword =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";

inline std::string WrongArity(std::string_view cmd) {
  return "ERR wrong number of arguments for '" + std::string(cmd) + "' command";
}
inline std::string InvalidExpire(std::string_view cmd) {
  return "ERR invalid expire time in '" + std::string(cmd) + "' command";
}
// Redis's addReplySubcommandSyntaxError: a subcommand whose extra arguments its
// handler refuses; `sub` as the client spelled it.
inline std::string SubcommandSyntax(std::string_view sub, std::string_view cmd) {
  return "ERR unknown subcommand or wrong number of arguments for '" + std::string(sub.substr(0, 128)) + "'. Try " +
         std::string(cmd) + " HELP.";
}
inline std::string UnknownSubcommand(std::string_view sub, std::string_view cmd) {
  return "ERR unknown subcommand '" + std::string(sub) + "'. Try " + std::string(cmd) + " HELP.";
}

}  // namespace minired::errors
