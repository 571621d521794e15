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
// Adds to used_memory what an allocator of our own (block_allocator.h) handed out
// (positive) or took back (negative), on the same per-thread counters as operator new.
void CountAllocatorBytes(int64_t delta);
// Usable bytes of a block from operator new (what it counts for the block).
size_t AllocationSize(const void* p);
// What the allocator would hand out (and count) for a request of `n` bytes.
size_t AllocationSizeFor(size_t n);
// Resident set size of the process, from /proc/self/statm.
int64_t ProcessRss();
// The allocator's view, for INFO's allocator_* fields as Redis reports jemalloc's:
// `allocated`, the bytes handed out (used_memory); `active`, the pages that hold them
// (with their free blocks); `resident`, what of those pages the process keeps in RAM.
// mimalloc counts committed pages, not resident ones: active is its committed bytes and
// resident the smaller of that and `rss` (the caller's ProcessRss(), read once for both).
struct AllocatorFigures {
  int64_t allocated = 0;
  int64_t active = 0;
  int64_t resident = 0;
};
AllocatorFigures ReadAllocatorFigures(int64_t rss);
// Name and version of the allocator, for INFO's mem_allocator.
const char* AllocatorName();
// The allocator's own statistics report (MEMORY MALLOC-STATS).
std::string AllocatorStats();
// Returns the calling thread's free pages to the operating system (its heap; the server
// runs it on every I/O thread: Server::GiveMemoryBack). mimalloc keeps its default
// delays otherwise (free pages decommitted after 25 ms, and only while the thread
// allocates): decommitting them at once was tried and cost the pipelined writes with
// the log on 13-37 % in page faults (bench/results/2026-12-07-allocator-decommit.md).
void AllocatorPurge();

}  // namespace minired
