// Key specifications and command tips: where a command's keys are and what it does with
// them, as Redis 7.0's COMMAND INFO reports them, so cluster-aware clients and proxies
// that ask the server where the keys are get Redis's answer (COMMAND INFO's fields 8
// and 9, COMMAND GETKEYS and GETKEYSANDFLAGS).
//
// A spec finds keys in two steps, as Redis's: begin at an argument index (or after a
// keyword searched for from an index: XREAD's STREAMS), then take
// either a range (up to `lastkey` relative to the start, or counted from the end when
// negative, every `keystep`, or 1/limit of what remains) or a count read from an
// argument (`keynumidx` after the start, keys from `firstkey` after it, every `keystep`).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace minired {

struct KeySpec {
  // kUnknown: begin_search and find_keys both "unknown" (SORT's pattern and STORE keys).
  enum class Find { kRange, kKeynum, kUnknown };
  std::vector<std::string> flags;  // "RW", "access"..., in the order Redis prints them
  std::string notes;               // printed only when not empty
  int begin_index = 0;      // begin_search by index, or the keyword's startfrom
  std::string keyword;      // begin_search by keyword (XREAD's STREAMS) when not empty
  Find find = Find::kRange;
  int lastkey = 0, keystep = 1, limit = 0;  // kRange
  int keynumidx = 0, firstkey = 1;          // kKeynum (keystep too)
};

struct CommandKeyInfo {
  std::vector<std::string> tips;  // "nondeterministic_output", "request_policy:all_shards"...
  std::vector<KeySpec> specs;
};

// Redis 7.0's tips and key specs for a command or subcommand by full name ("set",
// "memory|usage"); empty for one that has neither.
const CommandKeyInfo& KeyInfoFor(std::string_view full_name);

// One key a call names: its argument position and the spec's flags.
struct FoundKey {
  size_t pos;
  std::vector<std::string> flags;
};

// The keys of a call (`args[0]` is the command's name) found through `specs`, as
// Redis's getKeysUsingKeySpecs; false when an argument the specs rely on is missing or
// invalid (a numkeys that is not a count, or runs past the arguments).
bool FindKeys(const std::vector<KeySpec>& specs, std::span<const std::string_view> args, std::vector<FoundKey>* out);

}  // namespace minired
