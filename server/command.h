// A command's descriptor: what the dispatcher checks before the handler runs (name,
// arity, flags) and what COMMAND INFO / COMMAND DOCS report.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace minired {

class CommandContext;
struct CommandKeyInfo;
using CommandHandler = void (*)(CommandContext& ctx);

// Flags as Redis 7.0 names them in COMMAND INFO (ReplyFlags lists them in Redis's
// order). They are behaviour, not decoration: the dispatcher refuses a kCmdNoMulti
// command inside MULTI, kCmdLoading/kCmdStale/kCmdNoAuth/kCmdWrite/kCmdDenyOom gate
// the other checks, and tests/integration/command_table_differential_test.cc holds
// every command's flags equal to redis-server's.
enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,
  kCmdReadOnly = 1 << 1,
  kCmdDenyOom = 1 << 2,
  kCmdAdmin = 1 << 3,
  kCmdPubSub = 1 << 4,
  kCmdNoScript = 1 << 5,
  kCmdBlocking = 1 << 6,
  kCmdLoading = 1 << 7,
  kCmdStale = 1 << 8,
  kCmdFast = 1 << 9,
  kCmdNoAuth = 1 << 10,
  kCmdAllowBusy = 1 << 11,
  kCmdSkipMonitor = 1 << 12,
  kCmdSkipSlowlog = 1 << 13,
  kCmdNoMandatoryKeys = 1 << 14,
  kCmdNoAsyncLoading = 1 << 15,
  kCmdNoMulti = 1 << 16,    // refused inside MULTI: "Command not allowed inside a transaction"
  kCmdMovableKeys = 1 << 17,  // keys found by parsing the arguments (also implied by numkeys_arg)
  // Runs a script (EVAL, FCALL...): the flags the script declares decide what the
  // dispatcher checks (server/scripting/script_flags.h); not shown by COMMAND.
  kCmdScriptRunner = 1 << 18,
  kCmdAsking = 1 << 19,  // RESTORE-ASKING: Redis's "asking" (a cluster redirection is accepted)
};

struct CommandSpec {
  std::string name;       // lower case
  int arity = 0;          // > 0: exactly; < 0: at least -arity (name included)
  uint32_t flags = 0;
  int first_key = 0;      // 0: no keys
  int last_key = 0;       // -1: last argument
  int key_step = 0;
  int numkeys_arg = 0;    // > 0: the argument saying how many keys follow it
  bool numkeys_written = false;  // those keys are written (LMPOP), not only read (ZUNIONSTORE)
  std::string group;      // COMMAND DOCS "group" (string, keyspace, server, connection...)
  std::string summary;
  std::string since;
  CommandHandler handler = nullptr;
  std::vector<std::string> acl_categories;  // "@read", "@fast"... for COMMAND INFO
  // Set by CommandTable::Register: position in the table (per-command statistics are
  // arrays indexed by it) and whether it is a container with documented subcommands
  // (CLIENT, CONFIG...), whose calls are counted per subcommand: their names, lower case.
  int index = -1;
  std::vector<std::string> subcommands;
  // A container's subcommands (CLIENT KILL, CONFIG GET...) as Redis 7.0 describes them:
  // each with its own arity, flags, key positions and ACL categories, which the
  // dispatcher checks instead of the container's. Named "container|sub" once
  // registered; they run the container's handler. Empty for other commands.
  std::vector<CommandSpec> subs;
  const CommandSpec* parent = nullptr;  // the container, for a subcommand
  // Movable keys that neither the key range nor numkeys places (SORT's and GEORADIUS's
  // STORE): appends the argument positions of the keys the call writes; false when the
  // call may also read keys no argument names (SORT's BY and GET patterns). ACL checks,
  // scripts' key scopes and COMMAND GETKEYS ask it (Redis's getkeys_proc).
  bool (*written_keys)(std::span<const std::string_view> args, std::vector<size_t>* positions) = nullptr;
  // Redis 7.0's command tips and key specs (server/key_specs.h); set by Register.
  const CommandKeyInfo* key_info = nullptr;

  // The descriptor a call runs under: the subcommand `args[1]` names for a container
  // (nullptr if it names none), else this one.
  const CommandSpec* Resolve(std::span<const std::string_view> args) const;
  bool movable_keys() const { return (flags & kCmdMovableKeys) || numkeys_arg > 0; }

  bool ArityOk(size_t argc) const {
    return arity > 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
  }
};

}  // namespace minired
