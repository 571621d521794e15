// Glob-style matching with Redis's rules (util.c stringmatchlen): '*', '?', '[...]'
// with ranges and '^' negation, '\' escapes. Used by KEYS, SCAN MATCH, CONFIG GET.
#pragma once

#include <string_view>

namespace minired {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace minired
