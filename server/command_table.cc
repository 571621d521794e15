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
  if (spec.name.size() > kMaxPackedName) {
    fprintf(stderr, "minired: command name '%s' is longer than %zu\n", spec.name.c_str(), kMaxPackedName);
    abort();
  }
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
  if ((specs_.size() + 1) * 2 > slots_.size()) {
    slots_.assign(std::max<size_t>(64, slots_.size() * 2), Slot{});
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

bool CommandTable::Pack(std::string_view name, PackedName* out) {
  const size_t n = name.size();
  if (n > kMaxPackedName) return false;
  // Built in registers: bytes stored one by one and read back as words stalled the load.
  for (size_t k = 0; k < 3; ++k) {
    const size_t at = 8 * k;
    out->words[k] = at < n ? AsciiLowerWord(LoadUpTo8(name.data() + at, std::min<size_t>(8, n - at))) : 0;
  }
  out->words[2] |= static_cast<uint64_t>(n) << 56;  // "get" and "get\0" differ
  return true;
}

uint64_t CommandTable::Hash(const PackedName& name) {
  uint64_t h = (name.words[0] ^ (name.words[1] * 0x9e3779b97f4a7c15ULL) ^ (name.words[2] * 0xc2b2ae3d27d4eb4fULL)) *
               0xff51afd7ed558ccdULL;
  return h ^ (h >> 32);
}

void CommandTable::Index(const CommandSpec* c) {
  Slot slot;
  Pack(c->name, &slot.name);
  slot.spec = c;
  const size_t mask = slots_.size() - 1;
  size_t i = Hash(slot.name) & mask;
  while (slots_[i].spec != nullptr) i = (i + 1) & mask;
  slots_[i] = slot;
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  PackedName packed;
  if (slots_.empty() || !Pack(name, &packed)) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t i = Hash(packed) & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.spec == nullptr || slot.name == packed) return slot.spec;
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
