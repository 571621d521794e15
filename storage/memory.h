// Memory accounting. The whole process allocates through mimalloc; global operator
// new/delete are replaced (memory.cc) so every C++ allocation adds its usable size to
// a per-thread counter. UsedMemory() sums them: the bytes the allocator really holds
// for us (entries, tables, buffers), which is what INFO's used_memory reports.
#pragma once

#include <cstddef>
#include <cstdint>

namespace minired {

// Bytes currently allocated through operator new, by every thread.
int64_t UsedMemory();
// Resident set size of the process, from /proc/self/statm.
int64_t ProcessRss();
// Name and version of the allocator, for INFO's mem_allocator.
const char* AllocatorName();

}  // namespace minired
