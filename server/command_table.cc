#include "server/command_table.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "protocol/numbers.h"
#include "server/command_docs.h"
#include "server/key_specs.h"
#include "server/families/families.h"

namespace minired {

void CommandTable::Register(CommandSpec spec) {
  ToLowerInPlace(spec.name);
  if (Find(spec.name) != nullptr) {
    fprintf(stderr, "minired: command '%s' registered twice\n", spec.name.c_str());
    abort();
  }
  spec.index = static_cast<int>(specs_.size());
  if (spec.subs.empty()) {
    for (std::string_view sub : DocumentedSubcommands(spec.name)) spec.subcommands.emplace_back(sub);
  }
  specs_.push_back(std::make_unique<CommandSpec>(std::move(spec)));
  CommandSpec* c = specs_.back().get();
  if ((specs_.size() + 1) * 4 > slots_.size()) {
    slots_.assign(std::max<size_t>(64, slots_.size() * 2), nullptr);
    for (const auto& spec_ptr : specs_) Index(spec_ptr.get());
  } else {
    Index(c);
  }
  c->key_info = &KeyInfoFor(c->name);
  for (CommandSpec& sub : c->subs) {
    ToLowerInPlace(sub.name);
    c->subcommands.push_back(sub.name);
    sub.name = c->name + "|" + sub.name;
    sub.parent = c;
    sub.index = c->index;  // statistics and ACL bits belong to the container
    sub.handler = c->handler;
    sub.group = c->group;
    if (sub.since.empty()) sub.since = c->since;
    sub.key_info = &KeyInfoFor(sub.name);
  }
}

const CommandSpec* CommandSpec::Resolve(std::span<const std::string_view> args) const {
  if (subs.empty() || args.size() < 2) return this;
  for (const CommandSpec& sub : subs) {
    if (EqualsIgnoreCase(std::string_view(sub.name).substr(name.size() + 1), args[1])) return &sub;
  }
  return nullptr;
}

const CommandTable& BuiltinCommands() {
  static const CommandTable* table = [] {
    auto* t = new CommandTable();
    RegisterAllFamilies(t);
    return t;
  }();
  return *table;
}

uint64_t CommandTable::NameHash(std::string_view lower) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : lower) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

void CommandTable::Index(const CommandSpec* c) {
  const size_t mask = slots_.size() - 1;
  size_t i = NameHash(c->name) & mask;
  while (slots_[i] != nullptr) i = (i + 1) & mask;
  slots_[i] = c;
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buf[64];
  if (name.size() >= sizeof(buf) || slots_.empty()) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) buf[i] = AsciiLower(name[i]);
  const std::string_view lower(buf, name.size());
  const size_t mask = slots_.size() - 1;
  for (size_t i = NameHash(lower) & mask;; i = (i + 1) & mask) {
    const CommandSpec* c = slots_[i];
    if (c == nullptr || c->name == lower) return c;
  }
}

const CommandSpec* CommandTable::FindFull(std::string_view name) const {
  size_t bar = name.find('|');
  const CommandSpec* c = Find(name.substr(0, bar));
  if (c == nullptr || bar == std::string_view::npos) return c;
  std::string_view args[] = {name.substr(0, bar), name.substr(bar + 1)};
  const CommandSpec* sub = c->Resolve(args);
  return sub == c ? nullptr : sub;
}

}  // namespace minired
