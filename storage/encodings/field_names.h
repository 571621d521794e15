// Field names shared by the compact (listpack) hashes of the whole keyspace.
//
// A catalog's product hashes all spell out "name", "price", "category", ...: in 100,000
// of them the field names were a third of the data. A name this table holds is written
// in a hash's blob as its number (one byte for the first 64 names; compact.h) instead of
// its bytes, and read back as a view of the table's copy.
//
// Names are admitted and never removed, up to kMaxNames of kMinNameBytes..kMaxNameBytes
// bytes (256 KiB at most). So that one-off names (a session token as a field) cannot
// fill it, a name is admitted only once it was seen kAdmitAfter times among the recent
// misses (a count sketch whose counters are halved every kDecayEvery misses): names
// that come back in every hash of a kind get in after a few of them.
//
// Thread-safe. A lookup takes no lock (every compact hash written looks up its fields):
// names are published with release stores and never move. Only an admission locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace minired::field_names {

inline constexpr size_t kMaxNames = 4096;
inline constexpr size_t kMinNameBytes = 2;
inline constexpr size_t kMaxNameBytes = 64;
inline constexpr uint32_t kAdmitAfter = 8;
inline constexpr uint32_t kDecayEvery = 4096;

// The number of `name` if the table holds it, admitting it first when it has now been
// seen often enough; nullopt otherwise.
std::optional<uint32_t> Find(std::string_view name);
// The name numbered `id`. REQUIRES: `id` was returned by Find.
std::string_view Name(uint32_t id);
// Names held, and the bytes their copies take (counted in used_memory).
size_t Count();
size_t MemoryBytes();

}  // namespace minired::field_names
