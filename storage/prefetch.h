// A prefetch the compiler cannot drop.
#pragma once

namespace minired {

// Asks for the cache line of `p` to be brought close (a hint: it never faults, and
// nothing is read, so any address will do). Written as volatile asm rather than
// __builtin_prefetch because GCC counts that builtin as free of side effects: a loop
// whose only effect is prefetches (SlotTable::PrefetchTagged, reading a table's slots
// to ask for the entries they point to) was deleted whole at -O2, and the pipeline's
// look ahead asked for the slots but never for the entries, whose reads then stalled
// Db::Find (15-20 % of a pipelined SET's samples).
inline void PrefetchLine(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#elif defined(__aarch64__)
  asm volatile("prfm pldl1keep, %0" : : "Q"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

}  // namespace minired
