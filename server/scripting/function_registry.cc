#include "server/scripting/function_registry.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

#include "protocol/numbers.h"
#include "protocol/request_parser.h"

namespace minired {

const char kInvalidFunctionName[] =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

namespace {

}  // namespace

std::string_view LibraryBody(std::string_view code) {
  const size_t eol = code.find('\n');
  return eol == std::string_view::npos ? std::string_view() : code.substr(eol);
}

std::string FunctionKey(std::string_view name) {
  std::string key(name);
  ToLowerInPlace(key);
  return key;
}

bool IsValidFunctionName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool ParseLibraryMetadata(std::string_view code, std::string* engine, std::string* name, std::string* error) {
  if (code.substr(0, 2) != "#!") {
    *error = "ERR Missing library metadata";
    return false;
  }
  const size_t eol = code.find('\n');
  std::vector<std::string> parts;
  if (eol == std::string_view::npos || !SplitInlineArgs(code.substr(0, eol), &parts) || parts.empty()) {
    *error = "ERR Invalid library metadata";
    return false;
  }
  *engine = parts[0].substr(2);
  bool named = false;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (part.size() >= 5 && strncasecmp(part.c_str(), "name=", 5) == 0) {
      if (named) {
        *error = "ERR Invalid metadata value, name argument was given multiple times";
        return false;
      }
      *name = part.substr(5);
      named = true;
      continue;
    }
    *error = "ERR Invalid metadata value given: " + part;
    return false;
  }
  if (!named) {
    *error = "ERR Library name was not given";
    return false;
  }
  return true;
}

const FunctionInfo* FunctionRegistry::State::Find(std::string_view name) const {
  auto it = functions.find(FunctionKey(name));
  if (it == functions.end()) return nullptr;
  return &it->second.first->functions[it->second.second];
}

FunctionRegistry::FunctionRegistry() {
  auto first = std::make_shared<State>();
  first->generation = generation_.load();
  state_ = std::move(first);
}

std::shared_ptr<const FunctionRegistry::State> FunctionRegistry::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

void FunctionRegistry::Publish(std::shared_ptr<State> next) {
  std::lock_guard lock(mu_);
  next->generation = generation_.load(std::memory_order_relaxed) + 1;
  state_ = std::move(next);
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

bool FunctionRegistry::JoinInto(State* next, const std::vector<LibraryPtr>& libs, bool replace, bool quote_names,
                                std::string* error) {
  for (const LibraryPtr& lib : libs) {
    auto old = next->libraries.find(lib->name);
    if (old == next->libraries.end()) continue;
    if (!replace) {
      // FUNCTION LOAD quotes the name, FUNCTION RESTORE does not, as Redis.
      *error = libs.size() == 1 && quote_names ? "ERR Library '" + lib->name + "' already exists"
                                               : "ERR Library " + lib->name + " already exists";
      return false;
    }
    for (const FunctionInfo& f : old->second->functions) next->functions.erase(FunctionKey(f.name));
    next->libraries.erase(old);
  }
  for (const LibraryPtr& lib : libs) {
    for (size_t i = 0; i < lib->functions.size(); ++i) {
      if (!next->functions.emplace(FunctionKey(lib->functions[i].name), std::make_pair(lib, i)).second) {
        *error = "ERR Function " + lib->functions[i].name + " already exists";
        return false;
      }
    }
    next->libraries.emplace(lib->name, lib);
  }
  return true;
}

bool FunctionRegistry::Add(LibraryPtr lib, bool replace, std::string* error) {
  std::lock_guard writing(write_mu_);
  auto next = std::make_shared<State>(*state());
  if (!JoinInto(next.get(), {std::move(lib)}, replace, true, error)) return false;
  Publish(std::move(next));
  return true;
}

bool FunctionRegistry::AddAll(const std::vector<LibraryPtr>& libs, Join join, std::string* error) {
  std::lock_guard writing(write_mu_);
  auto next = std::make_shared<State>(*state());
  if (!JoinInto(next.get(), libs, join == Join::kReplace, false, error)) return false;
  Publish(std::move(next));
  return true;
}

bool FunctionRegistry::Delete(std::string_view name) {
  std::lock_guard writing(write_mu_);
  auto next = std::make_shared<State>(*state());
  auto it = next->libraries.find(std::string(name));
  if (it == next->libraries.end()) return false;
  for (const FunctionInfo& f : it->second->functions) next->functions.erase(FunctionKey(f.name));
  next->libraries.erase(it);
  Publish(std::move(next));
  return true;
}

void FunctionRegistry::Reset(const std::vector<LibraryPtr>& libs) {
  std::lock_guard writing(write_mu_);
  auto next = std::make_shared<State>();
  std::string ignored;
  JoinInto(next.get(), libs, true, false, &ignored);
  Publish(std::move(next));
}

size_t FunctionRegistry::code_bytes() const {
  size_t bytes = 0;
  for (const auto& [name, lib] : state()->libraries) bytes += lib->code.size();
  return bytes;
}

}  // namespace minired
