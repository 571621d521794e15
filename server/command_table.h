// The registry of commands. Each family registers its descriptors once at start-up
// (Register*Family in families/families.h); afterwards the table is read-only and
// shared by every I/O thread without locking.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/command.h"

namespace minired {

class CommandTable {
 public:
  // Aborts on a duplicate name: two families claiming one command is a programming error.
  void Register(CommandSpec spec);
  // Case-insensitive lookup; nullptr if unknown.
  const CommandSpec* Find(std::string_view name) const;
  // The descriptor a call runs under: the subcommand for a container's call (CLIENT
  // KILL ...), the command otherwise; nullptr for an unknown command or subcommand.
  const CommandSpec* FindCall(std::span<const std::string_view> args) const {
    const CommandSpec* c = Find(args[0]);
    return c ? c->Resolve(args) : nullptr;
  }
  // Also finds a subcommand by its full name ("client|kill"), as COMMAND INFO does.
  const CommandSpec* FindFull(std::string_view name) const;
  // Every command, in registration order.
  const std::vector<std::unique_ptr<CommandSpec>>& all() const { return specs_; }

 private:
  // Transparent hashing lets Find look up a string_view without building a string.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::vector<std::unique_ptr<CommandSpec>> specs_;
  std::unordered_map<std::string, const CommandSpec*, NameHash, std::equal_to<>> by_name_;
};

}  // namespace minired
