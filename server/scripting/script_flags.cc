#include "server/scripting/script_flags.h"

#include <strings.h>

#include "server/command.h"

namespace minired {
namespace {

// The text of *rest up to `sep` (all of it when there is none); *rest keeps what follows.
std::string_view TakeUntil(std::string_view* rest, char sep) {
  const size_t at = rest->find(sep);
  std::string_view part = rest->substr(0, at);
  *rest = at == std::string_view::npos ? std::string_view() : rest->substr(at + 1);
  return part;
}

}  // namespace

uint32_t ScriptFlagByName(std::string_view name, bool ignore_case) {
  for (const ScriptFlagName& f : kScriptFlagNames) {
    const std::string_view candidate = f.name;
    if (candidate.size() != name.size()) continue;
    if (ignore_case ? strncasecmp(candidate.data(), name.data(), name.size()) == 0 : candidate == name) return f.flag;
  }
  return 0;
}

bool ParseEvalShebang(std::string_view body, uint32_t* flags, std::string* error) {
  *flags = 0;
  if (body.substr(0, 2) != "#!") {
    *flags = kScriptEvalCompat;
    return true;
  }
  std::string_view rest = body.substr(0, body.find('\n'));
  std::string_view engine = TakeUntil(&rest, ' ');
  if (engine != "#!lua") {
    *error = "ERR Unexpected engine in script shebang: " + std::string(engine);
    return false;
  }
  while (!rest.empty()) {
    std::string_view part = TakeUntil(&rest, ' ');
    if (part.empty()) continue;
    if (part.substr(0, 6) != "flags=") {
      *error = "ERR Unknown lua shebang option: " + std::string(part);
      return false;
    }
    std::string_view names = part.substr(6);
    while (!names.empty()) {
      std::string_view name = TakeUntil(&names, ',');
      const uint32_t flag = ScriptFlagByName(name, false);
      if (flag == 0) {
        *error = "ERR Unexpected flag in script shebang: " + std::string(name);
        return false;
      }
      *flags |= flag;
    }
  }
  return true;
}

uint32_t CommandFlagsForScript(uint32_t command_flags, uint32_t script_flags) {
  if (script_flags & kScriptEvalCompat) return command_flags;
  uint32_t flags = command_flags & ~(kCmdStale | kCmdDenyOom | kCmdWrite);
  if (!(script_flags & (kScriptAllowOom | kScriptNoWrites))) flags |= kCmdDenyOom;
  if (!(script_flags & kScriptNoWrites)) flags |= kCmdWrite;
  if (script_flags & kScriptAllowStale) flags |= kCmdStale;
  return flags;
}

}  // namespace minired
