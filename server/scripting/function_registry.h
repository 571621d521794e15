// The function libraries FUNCTION LOAD installed (Redis 7.0 functions), shared by every
// I/O thread. Unlike the script cache they are data: they are saved in snapshots and
// the log, and replicated (docs/scripting.md).
//
// The registry keeps what FUNCTION LIST shows and FCALL needs to find a function: each
// library's name, code and functions with their flags. Each thread runs functions in
// its own Lua VM, which loads every library's code again whenever the registry's
// generation moved (functions are few and change rarely; FCALL stays lock-free).
//
// Every change happens under all shard locks (the FUNCTION commands take them), so a
// snapshot, which takes its position under the same locks, sees the libraries exactly
// as they were at that position.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace minired {

struct FunctionInfo {
  std::string name;
  std::optional<std::string> description;
  uint32_t flags = 0;  // ScriptFlag bits (script_flags.h)
};

struct FunctionLibrary {
  std::string name;
  std::string engine;  // "LUA"
  std::string code;    // as given to FUNCTION LOAD, its metadata line included
  std::vector<FunctionInfo> functions;
};

// A library's first line, "#!lua name=mylib": its engine and name, or Redis's error.
bool ParseLibraryMetadata(std::string_view code, std::string* engine, std::string* name, std::string* error);
// The code of a library after its metadata line (whose line feed it keeps, so that
// line numbers count from the metadata line, as Redis's).
std::string_view LibraryBody(std::string_view code);
// How function names are matched: ignoring case (FCALL MYFUNC runs myfunc), as Redis.
std::string FunctionKey(std::string_view name);
// Library and function names: letters, digits and '_', at least one.
bool IsValidFunctionName(std::string_view name);
extern const char kInvalidFunctionName[];

class FunctionRegistry {
 public:
  using LibraryPtr = std::shared_ptr<const FunctionLibrary>;
  // What the registry holds at one generation; never changed once published.
  struct State {
    std::map<std::string, LibraryPtr> libraries;  // by name
    // Function names are matched ignoring case (FCALL MYFUNC runs myfunc), as Redis.
    std::unordered_map<std::string, std::pair<LibraryPtr, size_t>> functions;  // lower-case name
    uint64_t generation = 0;
    size_t function_count() const { return functions.size(); }
    const FunctionInfo* Find(std::string_view name) const;
  };
  enum class Join { kAppend, kReplace };

  FunctionRegistry();
  // Adds `lib`; with `replace` it takes the place of the library of the same name.
  // False, with Redis's error, when the name is taken (without replace) or one of its
  // functions belongs to another library.
  bool Add(LibraryPtr lib, bool replace, std::string* error);
  // Adds every library of `libs` or none (FUNCTION RESTORE APPEND | REPLACE).
  bool AddAll(const std::vector<LibraryPtr>& libs, Join join, std::string* error);
  bool Delete(std::string_view name);
  // Replaces everything by `libs` (FUNCTION FLUSH with none, RESTORE FLUSH, a snapshot).
  void Reset(const std::vector<LibraryPtr>& libs);

  std::shared_ptr<const State> state() const;
  // Moves on every change; a thread's VM reloads the libraries when it moved.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Bytes of library code held (INFO's used_memory_scripts_func counts them).
  size_t code_bytes() const;

 private:
  // Checks `libs` against `next` and adds them to it; false with the error.
  static bool JoinInto(State* next, const std::vector<LibraryPtr>& libs, bool replace, bool quote_names,
                       std::string* error);
  void Publish(std::shared_ptr<State> next);

  std::mutex write_mu_;  // one change at a time: read, change, publish
  mutable std::mutex mu_;
  std::shared_ptr<const State> state_;  // guarded by mu_
  std::atomic<uint64_t> generation_{1};
};

}  // namespace minired
