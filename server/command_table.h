// The registry of commands. Each family registers its descriptors once at start-up
// (Register*Family in families/families.h); afterwards the table is read-only and
// shared by every I/O thread without locking.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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
  // Open addressing over a power-of-two table kept at most half full. Every request and
  // every redis.call looks a name up, so a slot holds the name itself, lower-cased into
  // three words (its length in the last byte; no command's name is longer than 20):
  // a lookup compares three words, with neither a call to memcmp nor a load of the
  // command's descriptor until it is found.
  struct PackedName {
    uint64_t words[3];
    bool operator==(const PackedName&) const = default;
  };
  static constexpr size_t kMaxPackedName = sizeof(PackedName) - 1;
  static bool Pack(std::string_view name, PackedName* out);  // false: too long to be a command
  static uint64_t Hash(const PackedName& name);
  struct Slot {
    PackedName name;
    const CommandSpec* spec = nullptr;
  };
  void Index(const CommandSpec* c);
  std::vector<std::unique_ptr<CommandSpec>> specs_;
  std::vector<Slot> slots_;
};

}  // namespace minired
