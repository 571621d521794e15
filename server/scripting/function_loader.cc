#include "server/scripting/function_loader.h"

#include <strings.h>

#include "server/scripting/lua_engine.h"
#include "storage/rdb/function_payload.h"

namespace minired {

bool BuildLibrary(std::string_view code, int64_t timeout_ms, FunctionRegistry::LibraryPtr* out, std::string* error) {
  auto lib = std::make_shared<FunctionLibrary>();
  std::string engine;
  if (!ParseLibraryMetadata(code, &engine, &lib->name, error)) return false;
  if (!IsValidFunctionName(lib->name)) {
    *error = std::string("ERR ") + kInvalidFunctionName;
    return false;
  }
  if (strcasecmp(engine.c_str(), "lua") != 0) {
    *error = "ERR Engine '" + engine + "' not found";
    return false;
  }
  lib->engine = "LUA";
  lib->code = code;
  std::unique_ptr<LuaEngine> vm = LuaEngine::NewFunctionsVm();
  if (!vm->LoadLibrary(LibraryBody(code), timeout_ms, &lib->functions, error)) return false;
  *out = std::move(lib);
  return true;
}

bool BuildLibrariesFromPayload(std::string_view payload, std::vector<FunctionRegistry::LibraryPtr>* out,
                               std::string* error) {
  std::vector<std::string> codes;
  if (!rdb::DecodeFunctionsPayload(payload, &codes, error)) {
    *error = "ERR " + *error;
    return false;
  }
  return BuildLibraries(codes, out, error);
}

bool BuildLibraries(const std::vector<std::string>& codes, std::vector<FunctionRegistry::LibraryPtr>* out,
                    std::string* error) {
  for (const std::string& code : codes) {
    FunctionRegistry::LibraryPtr lib;
    if (!BuildLibrary(code, 0, &lib, error)) return false;
    out->push_back(std::move(lib));
  }
  return true;
}

std::string LibrariesPayload(const FunctionRegistry::State& state) {
  std::vector<std::string_view> codes;
  for (const auto& [name, lib] : state.libraries) codes.push_back(lib->code);
  return rdb::EncodeFunctionsPayload(codes);
}

}  // namespace minired
