#include "server/command_table.h"

#include <cstdio>
#include <cstdlib>

#include "protocol/numbers.h"
#include "server/command_docs.h"
#include "server/families/families.h"

namespace minired {

void CommandTable::Register(CommandSpec spec) {
  ToLowerInPlace(spec.name);
  if (by_name_.count(spec.name)) {
    fprintf(stderr, "minired: command '%s' registered twice\n", spec.name.c_str());
    abort();
  }
  spec.index = static_cast<int>(specs_.size());
  for (std::string_view sub : DocumentedSubcommands(spec.name)) spec.subcommands.emplace_back(sub);
  specs_.push_back(std::make_unique<CommandSpec>(std::move(spec)));
  by_name_[specs_.back()->name] = specs_.back().get();
}

const CommandTable& BuiltinCommands() {
  static const CommandTable* table = [] {
    auto* t = new CommandTable();
    RegisterAllFamilies(t);
    return t;
  }();
  return *table;
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buf[64];
  if (name.size() >= sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) {
    buf[i] = static_cast<char>(tolower(static_cast<unsigned char>(name[i])));
  }
  auto it = by_name_.find(std::string_view(buf, name.size()));
  return it == by_name_.end() ? nullptr : it->second;
}

}  // namespace minired
