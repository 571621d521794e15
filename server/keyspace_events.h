// notify-keyspace-events: the classes of keyspace notifications, as Redis 7.0 spells
// them in the config ("KEA", "Ex"...). Parsing and the canonical form CONFIG GET
// prints; the notifications themselves are delivered elsewhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minired {

enum KeyspaceEvent : uint32_t {
  kEventKeyspace = 1 << 0,  // K: __keyspace@<db>__:<key> channels
  kEventKeyevent = 1 << 1,  // E: __keyevent@<db>__:<event> channels
  kEventGeneric = 1 << 2,   // g: DEL, EXPIRE, RENAME...
  kEventString = 1 << 3,    // $
  kEventList = 1 << 4,      // l
  kEventSet = 1 << 5,       // s
  kEventHash = 1 << 6,      // h
  kEventZset = 1 << 7,      // z
  kEventExpired = 1 << 8,   // x
  kEventEvicted = 1 << 9,   // e
  kEventStream = 1 << 10,   // t
  kEventKeyMiss = 1 << 11,  // m (not in A)
  kEventModule = 1 << 12,   // d
  kEventNew = 1 << 13,      // n (not in A)
};
// A: every class but key-miss and new-key.
inline constexpr uint32_t kEventAll = kEventGeneric | kEventString | kEventList | kEventSet | kEventHash |
                                      kEventZset | kEventExpired | kEventEvicted | kEventStream | kEventModule;

// The flags of a config value; nullopt for a character that names no class.
std::optional<uint32_t> ParseKeyspaceEvents(std::string_view classes);
// The canonical spelling ("AKE" for "KEA"), as Redis's CONFIG GET prints it.
std::string FormatKeyspaceEvents(uint32_t flags);

}  // namespace minired
