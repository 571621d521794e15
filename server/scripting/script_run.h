// What EVAL and FCALL share before a script runs (Redis's scriptPrepareForRun): the
// checks a script's declared flags call for, and the script's own client.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "server/scripting/lua_engine.h"

namespace minired {

class CommandContext;

// Checks that a script with `flags` (script_flags.h) may run now, for a command that is
// read-only (`ro_command`: EVAL_RO, FCALL_RO...) or not; false after replying Redis's
// error (-OOM without allow-oom, a write script on a read-only replica or while the disk
// refuses writes, or run by a *_RO command). Scripts without a shebang skip them.
bool ScriptMayRun(CommandContext& ctx, uint32_t flags, bool ro_command);

// Sets up `run` for a script run by ctx's command: its client runs as the caller (its
// database, user, login), speaks RESP2 until redis.setresp, refuses writes when the run
// is read-only, and refuses commands that take memory while memory is full (until the
// script wrote, as Redis), unless the script allows it.
void PrepareRun(CommandContext& ctx, ScriptRun* run, std::string name, uint32_t flags, bool ro_command);

}  // namespace minired

namespace minired {

class ScriptCache;
class FunctionRegistry;

// The flags the script a call of EVAL, EVALSHA, FCALL (or their _RO kin) would run
// declares, for the dispatcher's checks (Redis's evalGetCommandFlags and
// fcallGetCommandFlags); kScriptEvalCompat when it declares none or is not found (the
// command then answers its own error).
uint32_t DeclaredScriptFlags(const ScriptCache& scripts, const FunctionRegistry& functions, std::string_view command,
                             std::span<const std::string_view> args);

}  // namespace minired
