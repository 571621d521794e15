// Turns a library's code into a library the registry can hold: FUNCTION LOAD, FUNCTION
// RESTORE and a snapshot's libraries all come through here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/scripting/function_registry.h"

namespace minired {

// FUNCTION LOAD's limit on the time a library's code may run; 0 (none) for what the log
// and the master send, which ran here or there before.
inline constexpr int64_t kLibraryLoadTimeoutMs = 500;

// Checks the metadata of `code` and runs it in a fresh functions VM to learn its
// functions; false with Redis's error text otherwise.
bool BuildLibrary(std::string_view code, int64_t timeout_ms, FunctionRegistry::LibraryPtr* out, std::string* error);

// Every library of `codes` (an RDB file's FUNCTION2 records, a payload's), built with no
// time limit (they ran before); false with the first one's error.
bool BuildLibraries(const std::vector<std::string>& codes, std::vector<FunctionRegistry::LibraryPtr>* out,
                    std::string* error);
// Every library of a FUNCTION DUMP payload (which is also how snapshots hold them);
// false with Redis's error text.
bool BuildLibrariesFromPayload(std::string_view payload, std::vector<FunctionRegistry::LibraryPtr>* out,
                               std::string* error);
// The payload of every library `state` holds.
std::string LibrariesPayload(const FunctionRegistry::State& state);

}  // namespace minired
