// Memory accounting. The whole process allocates through mimalloc; global operator
// new/delete are replaced (memory.cc) so every C++ allocation adds its usable size to
// a per-thread counter. UsedMemory() sums them: the bytes the allocator really holds
// for us (entries, tables, buffers), which is what INFO's used_memory reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace minired {

// Bytes currently allocated through operator new, by every thread.
int64_t UsedMemory();
// UsedMemory() within 16 KB per thread, in one atomic load: what the eviction check
// before every command reads.
int64_t UsedMemoryApprox();
// Usable bytes of a block from operator new (what it counts for the block).
size_t AllocationSize(const void* p);
// What the allocator would hand out (and count) for a request of `n` bytes.
size_t AllocationSizeFor(size_t n);
// Resident set size of the process, from /proc/self/statm.
int64_t ProcessRss();
// Name and version of the allocator, for INFO's mem_allocator.
const char* AllocatorName();
// The allocator's own statistics report (MEMORY MALLOC-STATS).
std::string AllocatorStats();
// Returns the calling thread's free pages to the operating system (its heap; the server
// runs it on every I/O thread: Server::GiveMemoryBack).
void AllocatorPurge();
// Once, first thing in main: mimalloc decommits pages as soon as they are free (its
// defaults wait 25 ms / 500 ms and then only while the thread allocates, so an idle
// server kept freed memory resident). The MIMALLOC_* environment variables still win.
void ConfigureAllocator();

}  // namespace minired
