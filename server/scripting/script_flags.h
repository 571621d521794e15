// The flags a script declares (Redis 7.0): on an EVAL script's first line
// ("#!lua flags=no-writes,allow-oom") or with redis.register_function's `flags`. A
// script that declares none on a shebang-less EVAL runs in Redis's compatibility mode,
// where the command's own flags apply and writes are checked one redis.call at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace minired {

enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1 << 0,
  kScriptAllowOom = 1 << 1,
  kScriptAllowStale = 1 << 2,
  kScriptNoCluster = 1 << 3,
  kScriptAllowCrossSlotKeys = 1 << 4,
  // Not a flag a script names: an EVAL script without a shebang line.
  kScriptEvalCompat = 1 << 5,
};

// The flags by name, in the order FUNCTION LIST shows them.
struct ScriptFlagName {
  ScriptFlag flag;
  const char* name;
};
inline constexpr ScriptFlagName kScriptFlagNames[] = {
    {kScriptNoWrites, "no-writes"},   {kScriptAllowOom, "allow-oom"},
    {kScriptAllowStale, "allow-stale"}, {kScriptNoCluster, "no-cluster"},
    {kScriptAllowCrossSlotKeys, "allow-cross-slot-keys"},
};

// The flag called `name`; 0 when there is none. Functions' flags ignore case, a
// shebang's do not (as Redis).
uint32_t ScriptFlagByName(std::string_view name, bool ignore_case);

// The flags of an EVAL script's body: kScriptEvalCompat without a shebang; false, with
// Redis's error in *error, for a shebang it refuses.
bool ParseEvalShebang(std::string_view body, uint32_t* flags, std::string* error);

// What a command running a script with `script_flags` counts as for the checks made
// before it runs (Redis's scriptFlagsToCmdFlags): a write unless no-writes, refused
// under maxmemory unless allow-oom or no-writes, served stale with allow-stale.
// Compatibility-mode scripts keep the command's flags.
uint32_t CommandFlagsForScript(uint32_t command_flags, uint32_t script_flags);

}  // namespace minired
