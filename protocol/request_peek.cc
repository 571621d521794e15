#include "protocol/request_peek.h"

#include <cstdint>

#include "protocol/numbers.h"

namespace minired {
namespace {

// Reads the number after buffer[*pos] (the '*' or '$'), up to "\r\n", by the parser's
// own rules (ParseInt64: no leading zero, no '+'), so that the two agree on what a
// length is; false for anything else, a negative included.
bool ReadLength(std::string_view buffer, size_t* pos, uint64_t* out) {
  const char* start = buffer.data() + *pos + 1;
  int64_t v;
  const char* cr = ReadCommonLength(start, buffer.data() + buffer.size(), &v);
  if (cr == nullptr) {  // the rare forms ("$0", "*-1", a stray byte)
    const std::string_view rest = buffer.substr(*pos + 1, kMaxInt64Chars + 2);
    const size_t at = rest.find('\r');
    if (at == std::string_view::npos || at + 1 >= rest.size() || !ParseInt64(rest.substr(0, at), &v) || v < 0) {
      return false;
    }
    cr = start + at;
  }
  if (cr[1] != '\n') return false;
  *pos = static_cast<size_t>(cr - buffer.data()) + 2;
  *out = static_cast<uint64_t>(v);
  return true;
}

// EVAL, EVALSHA, FCALL and their read-only forms: script, numkeys, then the keys.
bool IsScriptCall(std::string_view name) {
  if (name.size() < 4 || name.size() > 10) return false;
  if ((name[0] | 0x20) != 'e' && (name[0] | 0x20) != 'f') return false;  // most requests end here
  static constexpr std::string_view kNames[] = {"evalsha", "eval", "fcall", "evalsha_ro", "eval_ro", "fcall_ro"};
  for (std::string_view s : kNames) {
    if (EqualsIgnoreCase(name, s)) return true;
  }
  return false;
}

}  // namespace

size_t PeekFirstKeys(std::string_view buffer, std::string_view* keys, size_t max) {
  return PeekFirstKeys(buffer, keys, nullptr, nullptr, max);
}

size_t PeekFirstKeys(std::string_view buffer, std::string_view* keys, std::string_view* thirds,
                     std::string_view* fourths, size_t max, size_t* requests) {
  size_t found = 0;
  size_t pos = 0;
  size_t complete = 0;  // requests whose keys are in keys[]
  if (requests != nullptr) *requests = 0;
  auto add = [&](std::string_view key, std::string_view third, std::string_view fourth) {
    if (thirds != nullptr) thirds[found] = third;
    if (fourths != nullptr) fourths[found] = fourth;
    keys[found++] = key;
  };
  for (; complete < max && found < max && pos < buffer.size() && buffer[pos] == '*'; ++complete) {
    uint64_t args;
    if (!ReadLength(buffer, &pos, &args) || args == 0) break;
    std::string_view name, key, third, fourth;
    uint64_t script_keys = 0;  // a script call's keys, after its numkeys
    const size_t found_before = found;  // a request cut short gives no keys
    for (uint64_t i = 0; i < args; ++i) {
      uint64_t len;
      if (pos >= buffer.size() || buffer[pos] != '$' || !ReadLength(buffer, &pos, &len)) return found_before;
      if (len + 2 > buffer.size() - pos) return found_before;  // incomplete
      const std::string_view arg = buffer.substr(pos, static_cast<size_t>(len));
      pos += static_cast<size_t>(len) + 2;
      if (i == 0) name = arg;
      if (i == 1) key = arg;
      if (i == 2) {
        third = arg;
        int64_t n;
        if (args >= 4 && IsScriptCall(name) && ParseInt64(arg, &n) && n > 0) script_keys = static_cast<uint64_t>(n);
      }
      if (i == 3) fourth = arg;
      // A script's keys, each an entry of its own (not its body or SHA1, which every
      // call of a rate limiter shares), without fields.
      if (i >= 3 && i - 3 < script_keys && found < max) add(arg, {}, {});
    }
    if (script_keys == 0 && args >= 2) add(key, third, fourth);
    if (requests != nullptr) *requests = complete + 1;
  }
  return found;
}

}  // namespace minired
