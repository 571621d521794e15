#include "storage/memory.h"

#include <malloc.h>
#include <mimalloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <new>

#include "storage/block_allocator.h"
#include "storage/per_thread_counter.h"
#include "storage/encodings/field_names.h"

namespace minired {
namespace {

// Every thread adds what it allocates into a line of its own (storage/per_thread_counter.h).
// A thread that frees what another allocated goes negative: only the sum is meaningful.
constinit PerThreadCounter g_bytes;

// The published total: each thread adds its change once it drifts kPublishBytes from
// what it last published, so reading it is one load (the eviction check runs before
// every command) and it is off by less than kPublishBytes per thread.
constexpr int64_t kPublishBytes = 16 << 10;
std::atomic<int64_t> g_published{0};
thread_local int64_t t_unpublished = 0;

inline void Account(int64_t delta) {
  g_bytes.Add(delta);
  t_unpublished += delta;
  if (t_unpublished >= kPublishBytes || t_unpublished <= -kPublishBytes) {
    g_published.fetch_add(t_unpublished, std::memory_order_relaxed);
    t_unpublished = 0;
  }
}

#ifdef MINIRED_SYSTEM_MALLOC
// Sanitizer builds: the system allocator, which AddressSanitizer instruments.
inline void* RawAlloc(size_t n) { return malloc(n); }
inline void* RawAllocAligned(size_t n, size_t al) { return aligned_alloc(al, (n + al - 1) / al * al); }
inline size_t UsableSize(void* p) { return malloc_usable_size(p); }
inline size_t GoodSize(size_t n) { return n < 24 ? 24 : (n + 8 + 15) / 16 * 16 - 8; }  // glibc's chunks
inline void RawFree(void* p) { free(p); }
#else
inline void* RawAlloc(size_t n) { return mi_malloc(n); }
inline void* RawAllocAligned(size_t n, size_t al) { return mi_malloc_aligned(n, al); }
inline size_t UsableSize(void* p) { return mi_usable_size(p); }
inline size_t GoodSize(size_t n) { return mi_good_size(n); }
inline void RawFree(void* p) { mi_free(p); }
#endif

inline void* Allocate(size_t n) {
  void* p = RawAlloc(n);
  if (p == nullptr) throw std::bad_alloc();
  Account(static_cast<int64_t>(UsableSize(p)));
  return p;
}

inline void* AllocateAligned(size_t n, std::align_val_t al) {
  void* p = RawAllocAligned(n, static_cast<size_t>(al));
  if (p == nullptr) throw std::bad_alloc();
  Account(static_cast<int64_t>(UsableSize(p)));
  return p;
}

inline void Release(void* p) noexcept {
  if (p == nullptr) return;
  Account(-static_cast<int64_t>(UsableSize(p)));
  RawFree(p);
}

}  // namespace

int64_t UsedMemory() { return g_bytes.Sum(); }

void CountAllocatorBytes(int64_t delta) { Account(delta); }

int64_t UsedMemoryApprox() { return g_published.load(std::memory_order_relaxed); }

size_t AllocationSizeFor(size_t n) { return GoodSize(n); }

size_t AllocationSize(const void* p) { return p == nullptr ? 0 : UsableSize(const_cast<void*>(p)); }

int64_t ProcessRss() {
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  long pages_total = 0, pages_rss = 0;
  int n = fscanf(f, "%ld %ld", &pages_total, &pages_rss);
  fclose(f);
  if (n != 2) return 0;
  return static_cast<int64_t>(pages_rss) * sysconf(_SC_PAGESIZE);
}

AllocatorFigures ReadAllocatorFigures(int64_t rss) {
  AllocatorFigures f;
  f.allocated = UsedMemory();
#ifdef MINIRED_SYSTEM_MALLOC
  // The sanitizers' allocator keeps no figures worth reporting: everything is "allocated".
  (void)rss;
  f.active = f.resident = f.allocated;
#else
  size_t elapsed, user, sys, current_rss, peak_rss, commit, peak_commit, faults;
  mi_process_info(&elapsed, &user, &sys, &current_rss, &peak_rss, &commit, &peak_commit, &faults);
  // The entry blocks' pages are mapped by block_allocator.cc, not by mimalloc.
  const int64_t committed = static_cast<int64_t>(commit) + blocks::ReadFigures().page_bytes;
  f.active = std::max(f.allocated, committed);
  f.resident = std::min(f.active, rss);
#endif
  return f;
}

std::string AllocatorStats() {
#ifdef MINIRED_SYSTEM_MALLOC
  return "Stats not supported for the current allocator";
#else
  std::string out;
  mi_stats_print_out([](const char* msg, void* arg) { static_cast<std::string*>(arg)->append(msg); }, &out);
  const blocks::Figures b = blocks::ReadFigures();
  char line[256];
  snprintf(line, sizeof line,
           "entry blocks: %lld bytes in use, %lld pages of 32 KiB held (%lld bytes), %lld bytes reserved\n",
           static_cast<long long>(b.block_bytes), static_cast<long long>(b.pages),
           static_cast<long long>(b.page_bytes), static_cast<long long>(b.reserved_bytes));
  out += line;
  snprintf(line, sizeof line, "shared hash field names: %zu names in %zu bytes\n", field_names::Count(),
           field_names::MemoryBytes());
  out += line;
  return out;
#endif
}

void AllocatorPurge() {
#ifdef MINIRED_SYSTEM_MALLOC
  // Only the sanitizer builds use the C library's allocator, and there the sanitizer's
  // own allocator serves malloc: glibc's malloc_trim would walk an arena it never set up
  // (a SEGV under AddressSanitizer, once the cron called it). Nothing to give back.
#else
  mi_collect(true);
#endif
}

const char* AllocatorName() {
#ifdef MINIRED_SYSTEM_MALLOC
  return "libc";
#else
  static char name[32];
  if (name[0] == 0) {
    int v = mi_version();
    snprintf(name, sizeof(name), "mimalloc-%d.%d.%d", v / 100, (v / 10) % 10, v % 10);
  }
  return name;
#endif
}

}  // namespace minired

// Replacements of the global allocation functions (all forms, so none bypasses the count).
void* operator new(size_t n) { return minired::Allocate(n); }
void* operator new[](size_t n) { return minired::Allocate(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  try { return minired::Allocate(n); } catch (...) { return nullptr; }
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  try { return minired::Allocate(n); } catch (...) { return nullptr; }
}
void* operator new(size_t n, std::align_val_t al) { return minired::AllocateAligned(n, al); }
void* operator new[](size_t n, std::align_val_t al) { return minired::AllocateAligned(n, al); }
void operator delete(void* p) noexcept { minired::Release(p); }
void operator delete[](void* p) noexcept { minired::Release(p); }
void operator delete(void* p, size_t) noexcept { minired::Release(p); }
void operator delete[](void* p, size_t) noexcept { minired::Release(p); }
void operator delete(void* p, std::align_val_t) noexcept { minired::Release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { minired::Release(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { minired::Release(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { minired::Release(p); }
