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
  s.key_step = key_step;
  s.group = group;
  s.summary = summary;
  s.since = since;
  s.handler = handler;
  s.acl_categories = std::move(acl);
  return s;
}

}  // namespace minired
