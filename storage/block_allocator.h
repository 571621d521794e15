// Small blocks in size classes 2 bytes apart, for keyspace entries.
//
// mimalloc (like jemalloc) rounds small requests to classes 16 bytes apart: a 38-byte
// entry (a 10-byte key, a 21-byte value) takes 48 bytes, and that rounding was a sixth
// of what a small string cost. Entries need no alignment (their fields are read with
// memcpy, and the tables keep any 48-bit address), so blocks here sit back to back in
// classes of 8, 10, 12, ... kMaxBlockBytes bytes: the same entry takes 38.
//
// Blocks live in 32 KiB pages carved from address space reserved with mmap; a page holds
// blocks of one class, its header at the page's start (so a block finds its page by
// masking its address). Pages are grouped into kHeaps heaps, each behind its own mutex;
// a thread allocates from the heap it was given on its first call (I/O threads get one
// each up to kHeaps) and frees into the block's own heap, whichever thread it runs on.
// A page left with no block in use goes back to the operating system
// (madvise(MADV_DONTNEED)) unless it is its class's only page with room in that heap,
// so FLUSHALL or a big DEL gives the memory back at once.
//
// used_memory counts each block at its class size (as it counts a malloc'ed block at its
// usable size); the pages' free room is the allocator's, reported in allocator_active.
#pragma once

#include <cstddef>
#include <cstdint>

// 1 in builds with AddressSanitizer (clang and GCC spell it differently).
#if defined(__SANITIZE_ADDRESS__)
#define MINIRED_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MINIRED_ADDRESS_SANITIZER 1
#endif
#endif
#ifndef MINIRED_ADDRESS_SANITIZER
#define MINIRED_ADDRESS_SANITIZER 0
#endif

namespace minired::blocks {

inline constexpr size_t kMaxBlockBytes = 128;

// The class size a request of `n` bytes (1..kMaxBlockBytes) gets.
constexpr size_t SizeFor(size_t n) { return n <= 8 ? 8 : (n + 1) & ~size_t{1}; }

// A block of SizeFor(n) bytes, unaligned. REQUIRES: 1 <= n <= kMaxBlockBytes. Throws
// std::bad_alloc when no address space can be reserved.
void* Allocate(size_t n);
// Returns a block. REQUIRES: `p` came from Allocate(n) with the same `n` (or any `n`
// of the same class).
void Free(void* p, size_t n);

struct Figures {
  int64_t block_bytes = 0;  // handed out (in used_memory)
  int64_t page_bytes = 0;   // pages held, resident or about to be (allocator_active)
  int64_t pages = 0;
  int64_t reserved_bytes = 0;  // address space reserved (pages held + free pages)
};
Figures ReadFigures();

}  // namespace minired::blocks
