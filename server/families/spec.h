// Builds a CommandSpec in one line per command inside each Register*Family.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "server/command.h"

namespace minired {

// `acl` lists the ACL categories beyond the group's own ("@string" for "string").
inline CommandSpec MakeSpec(const char* group, const char* name, int arity, uint32_t flags,
                            int first_key, int last_key, int key_step, const char* summary,
                            const char* since, CommandHandler handler,
                            std::vector<std::string> acl = {}) {
  CommandSpec s;
  s.name = name;
  s.arity = arity;
  s.flags = flags;
  s.first_key = first_key;
  s.last_key = last_key;
  s.key_step = first_key == 0 ? 0 : key_step;  // keyless or movable: Redis reports 0 0 0
  s.group = group;
  s.summary = summary;
  s.since = since;
  s.handler = handler;
  s.acl_categories = std::move(acl);
  return s;
}

// What every command of a data-type family shares: its COMMAND DOCS group and its ACL
// category, put before the categories each command adds ("@hash", then "@write"...).
struct TypeFamily {
  const char* group;     // "hash"
  const char* category;  // "@hash"

  CommandSpec Spec(const char* name, int arity, uint32_t flags, int first_key, int last_key, int key_step,
                   const char* summary, const char* since, CommandHandler handler,
                   std::vector<std::string> acl) const {
    acl.insert(acl.begin(), category);
    return MakeSpec(group, name, arity, flags, first_key, last_key, key_step, summary, since, handler,
                    std::move(acl));
  }
  // Keys from first_key to last_key, every one of them.
  CommandSpec Spec(const char* name, int arity, uint32_t flags, int first_key, int last_key, const char* summary,
                   const char* since, CommandHandler handler, std::vector<std::string> acl) const {
    return Spec(name, arity, flags, first_key, last_key, 1, summary, since, handler, std::move(acl));
  }
};

// One of a container's subcommands as Redis 7.0 describes it: `name` without the
// container's ("kill" for CLIENT KILL); CommandTable::Register completes the rest.
inline CommandSpec MakeSub(const char* name, int arity, uint32_t flags, int first_key, int last_key,
                           int key_step, std::vector<std::string> acl) {
  return MakeSpec("", name, arity, flags, first_key, last_key, key_step, "", "", nullptr, std::move(acl));
}

// A container (CLIENT, CONFIG...): as in Redis 7.0 it has no flags or keys of its own and
// is only @slow; the dispatcher checks the subcommand's arity, flags and categories.
inline CommandSpec MakeContainer(const char* group, const char* name, const char* summary, const char* since,
                                 CommandHandler handler, std::vector<CommandSpec> subs) {
  CommandSpec s = MakeSpec(group, name, -2, 0, 0, 0, 0, summary, since, handler, {"@slow"});
  s.subs = std::move(subs);
  return s;
}

}  // namespace minired
