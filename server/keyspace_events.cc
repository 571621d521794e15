#include "server/keyspace_events.h"

namespace minired {
namespace {

// The classes A stands for, in the order Redis prints them.
constexpr std::pair<char, uint32_t> kClasses[] = {
    {'g', kEventGeneric}, {'$', kEventString}, {'l', kEventList},    {'s', kEventSet},
    {'h', kEventHash},    {'z', kEventZset},   {'x', kEventExpired}, {'e', kEventEvicted},
    {'t', kEventStream},  {'d', kEventModule}, {'n', kEventNew},
};

}  // namespace

std::optional<uint32_t> ParseKeyspaceEvents(std::string_view classes) {
  uint32_t flags = 0;
  for (char c : classes) {
    switch (c) {
      case 'A': flags |= kEventAll; continue;
      case 'K': flags |= kEventKeyspace; continue;
      case 'E': flags |= kEventKeyevent; continue;
      case 'm': flags |= kEventKeyMiss; continue;
      default: break;
    }
    bool known = false;
    for (const auto& [letter, bit] : kClasses) {
      if (c == letter) {
        flags |= bit;
        known = true;
      }
    }
    if (!known) return std::nullopt;
  }
  return flags;
}

std::string FormatKeyspaceEvents(uint32_t flags) {
  std::string out;
  if ((flags & kEventAll) == kEventAll) {
    out += 'A';  // Redis prints no 'n' beside it, though A does not include it
  } else {
    for (const auto& [letter, bit] : kClasses) {
      if (flags & bit) out += letter;
    }
  }
  if (flags & kEventKeyspace) out += 'K';
  if (flags & kEventKeyevent) out += 'E';
  if (flags & kEventKeyMiss) out += 'm';
  return out;
}

}  // namespace minired
