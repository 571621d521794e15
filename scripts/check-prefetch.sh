#!/usr/bin/env bash
# The release build's prefetches must survive GCC's optimizer: it counts
# __builtin_prefetch as free of side effects and deletes a loop whose only effect is
# prefetches, which is what it did to the pipeline look ahead's entry prefetch until
# 2026-12-07 (storage/prefetch.h). The sanitizer builds use clang, which keeps them, so
# this compiles the look ahead's table functions as the release build does (g++ -O2)
# and counts their prefetch instructions. x86-64 only.
#   scripts/check-prefetch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -m)" != x86_64 ]; then
  echo "prefetch check: skipped (not x86-64)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/probe.cc" <<'PROBE'
#include "storage/db.h"
#include "storage/encodings/string_map.h"
#include "storage/encodings/zset.h"
// One function per look-ahead step, each kept out of line so its code can be counted.
__attribute__((noinline)) void ProbeEntry(const minired::Db& db, uint64_t hash) { db.PrefetchEntry(hash, 16); }
__attribute__((noinline)) void ProbeFields(const minired::StringMap& map, std::span<const std::string_view> fields) {
  map.PrefetchFields(fields);
}
__attribute__((noinline)) void ProbeMembers(const minired::ZSet& zset, std::span<const std::string_view> members) {
  zset.PrefetchMembers(members);
}
PROBE
# MINIRED_PROBE_FLAGS: extra flags first (an -I with another storage/prefetch.h shows the
# check failing on __builtin_prefetch).
g++ -std=c++20 -O2 ${MINIRED_PROBE_FLAGS:-} -I. -S -o "$tmp/probe.s" "$tmp/probe.cc"
count() {  # prefetch instructions in the functions whose mangled names match $1
  awk -v f="$1" '$0 ~ "^_Z.*(" f ").*:$" {on = 1; next} on && /^\t\.cfi_endproc/ {on = 0} on && /^\t+prefetch/ {n++} END {print n + 0}' "$tmp/probe.s"
}
entry=$(count ProbeEntry)
# Inlined into the probe or not; both end in their table's SlotTable::PrefetchLookups.
fields=$(count "ProbeFields|PrefetchFields|PackedPair.*PrefetchLookups")
members=$(count "ProbeMembers|PrefetchMembers|ZElement.*PrefetchLookups")
# PrefetchEntry: the entry's line and, where it crosses one, the next; PrefetchFields:
# the slots, then the pairs (and their second lines).
if [ "$entry" -lt 2 ] || [ "$fields" -lt 3 ] || [ "$members" -lt 3 ]; then
  echo "prefetch check: FAILED: g++ -O2 kept $entry prefetches in Db::PrefetchEntry (want 2)," \
    "$fields in StringMap::PrefetchFields and $members in ZSet::PrefetchMembers (want 3 each):" \
    "were some deleted?" >&2
  exit 1
fi
echo "prefetch check: ok ($entry prefetches in Db::PrefetchEntry, $fields in StringMap::PrefetchFields," \
  "$members in ZSet::PrefetchMembers)"
