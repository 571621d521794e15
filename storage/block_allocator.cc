#include "storage/block_allocator.h"

#include <sched.h>
#include <sys/mman.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "storage/memory.h"
#include "storage/spinning_mutex.h"  // CpuRelax

#if MINIRED_ADDRESS_SANITIZER
#include <sanitizer/asan_interface.h>
#define MINIRED_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define MINIRED_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define MINIRED_POISON(p, n) ((void)(p), (void)(n))
#define MINIRED_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace minired::blocks {
namespace {

constexpr size_t kPageBytes = 32 << 10;
constexpr size_t kRegionBytes = 64 << 20;  // address space reserved at a time
constexpr size_t kHeaderBytes = 64;
constexpr size_t kClasses = kMaxBlockBytes / 2 + 1;  // indexed by size / 2
constexpr int kHeaps = 32;

struct Page {
  uint8_t* free_list;  // freed blocks, each holding the next one's address (unaligned)
  Page* prev;          // in the heap's list of this class's pages with room
  Page* next;
  uint32_t block_size;
  uint32_t capacity;   // blocks
  uint32_t used;
  uint32_t bump;       // blocks [0, bump) have been handed out at least once
  uint16_t heap;
  bool listed;
};
static_assert(sizeof(Page) <= kHeaderBytes);

Page* PageOf(const void* block) {
  return reinterpret_cast<Page*>(reinterpret_cast<uintptr_t>(block) & ~(uintptr_t{kPageBytes} - 1));
}
uint8_t* FirstBlock(Page* p) { return reinterpret_cast<uint8_t*>(p) + kHeaderBytes; }

// Where pages come from: address space reserved kRegionBytes at a time and never
// unmapped. A page given back is emptied with madvise (its memory returns to the
// operating system now, its address stays ours) and is the first to be taken again.
class PageSource {
 public:
  Page* Take() {
    std::lock_guard<std::mutex> lock(mu_);
    held_.fetch_add(1, std::memory_order_relaxed);
    if (!free_.empty()) {
      Page* p = free_.back();
      free_.pop_back();
      return p;
    }
    if (next_ == end_) Reserve();
    Page* p = reinterpret_cast<Page*>(next_);
    next_ += kPageBytes;
    return p;
  }

  void Give(Page* p) {
    madvise(p, kPageBytes, MADV_DONTNEED);  // zero-filled again when next touched
    std::lock_guard<std::mutex> lock(mu_);
    held_.fetch_sub(1, std::memory_order_relaxed);
    free_.push_back(p);
  }

  int64_t held() const { return held_.load(std::memory_order_relaxed); }
  int64_t reserved() const { return reserved_.load(std::memory_order_relaxed); }

 private:
  // REQUIRES: mu_ held.
  void Reserve() {
    // Over-map by a page to align the region to kPageBytes, then trim both ends.
    const size_t span = kRegionBytes + kPageBytes;
    void* m = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    auto* raw = static_cast<uint8_t*>(m);
    auto* aligned = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(raw) + kPageBytes - 1) &
                                               ~(uintptr_t{kPageBytes} - 1));
    if (aligned > raw) munmap(raw, aligned - raw);
    uint8_t* tail = aligned + kRegionBytes;
    if (raw + span > tail) munmap(tail, raw + span - tail);
    // A transparent huge page would make one touched 32 KiB page hold 2 MiB of RAM and
    // keep madvise from giving a page back.
    madvise(aligned, kRegionBytes, MADV_NOHUGEPAGE);
    next_ = aligned;
    end_ = aligned + kRegionBytes;
    reserved_.fetch_add(kRegionBytes, std::memory_order_relaxed);
  }

  std::mutex mu_;
  std::vector<Page*> free_;
  uint8_t* next_ = nullptr;
  uint8_t* end_ = nullptr;
  std::atomic<int64_t> held_{0};
  std::atomic<int64_t> reserved_{0};
};

PageSource& Source() {
  static PageSource* source = new PageSource();  // never destroyed: entries outlive statics
  return *source;
}

// A heap's lock is held for a few dozen instructions, by its own thread but for the
// frees of blocks other threads allocated: one exchange to take it and a plain store to
// give it back (a pthread mutex costs two locked instructions, half the block's cost).
// A holder descheduled on a machine with more threads than cores is waited for by
// yielding.
class HeapLock {
 public:
  void lock() {
    while (held_.exchange(true, std::memory_order_acquire)) {
      for (int i = 0; held_.load(std::memory_order_relaxed); ++i) {
        if (i < 64) {
          CpuRelax();
        } else {
          sched_yield();
        }
      }
    }
  }
  void unlock() { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};

struct alignas(64) Heap {
  HeapLock mu;
  Page* with_room[kClasses] = {};  // pages with a free block, most recently freed into first
  int64_t block_bytes = 0;         // guarded by mu
};
Heap g_heaps[kHeaps];
std::atomic<int> g_next_heap{0};
thread_local int t_heap = -1;

// REQUIRES: h.mu held.
void Link(Heap& h, size_t cls, Page* p) {
  p->prev = nullptr;
  p->next = h.with_room[cls];
  if (p->next) p->next->prev = p;
  h.with_room[cls] = p;
  p->listed = true;
}

void Unlink(Heap& h, size_t cls, Page* p) {
  if (p->prev) {
    p->prev->next = p->next;
  } else {
    h.with_room[cls] = p->next;
  }
  if (p->next) p->next->prev = p->prev;
  p->prev = p->next = nullptr;
  p->listed = false;
}

Page* NewPage(size_t size, int heap) {
  Page* p = Source().Take();
  p->free_list = nullptr;
  p->prev = p->next = nullptr;
  p->block_size = static_cast<uint32_t>(size);
  p->capacity = static_cast<uint32_t>((kPageBytes - kHeaderBytes) / size);
  p->used = 0;
  p->bump = 0;
  p->heap = static_cast<uint16_t>(heap);
  p->listed = false;
  MINIRED_POISON(FirstBlock(p), kPageBytes - kHeaderBytes);
  return p;
}

}  // namespace

void* Allocate(size_t n) {
  const size_t size = SizeFor(n);
  const size_t cls = size / 2;
  if (t_heap < 0) t_heap = g_next_heap.fetch_add(1, std::memory_order_relaxed) % kHeaps;
  Heap& h = g_heaps[t_heap];
  uint8_t* b;
  {
    std::lock_guard<HeapLock> lock(h.mu);
    Page* p = h.with_room[cls];
    if (p == nullptr) {
      p = NewPage(size, t_heap);
      Link(h, cls, p);
    }
    if (p->free_list != nullptr) {
      b = p->free_list;
      MINIRED_UNPOISON(b, size);
      memcpy(&p->free_list, b, sizeof(uint8_t*));
    } else {
      b = FirstBlock(p) + static_cast<size_t>(p->bump++) * size;
      MINIRED_UNPOISON(b, size);
    }
    if (++p->used == p->capacity) Unlink(h, cls, p);
    h.block_bytes += static_cast<int64_t>(size);
  }
  CountAllocatorBytes(static_cast<int64_t>(size));
  return b;
}

void Free(void* block, size_t n) {
  const size_t size = SizeFor(n);
  const size_t cls = size / 2;
  Page* p = PageOf(block);
  Heap& h = g_heaps[p->heap];
  Page* empty = nullptr;
  {
    std::lock_guard<HeapLock> lock(h.mu);
    auto* b = static_cast<uint8_t*>(block);
    memcpy(b, &p->free_list, sizeof(uint8_t*));
    MINIRED_POISON(b, size);
    p->free_list = b;
    --p->used;
    if (!p->listed) {
      Link(h, cls, p);  // it was full
    } else if (p->used == 0 && (p->prev != nullptr || p->next != nullptr)) {
      // Keep one page with room per class so a key set and deleted over and over does
      // not map and unmap a page each time; give back the others as they empty.
      Unlink(h, cls, p);
      empty = p;
    }
    h.block_bytes -= static_cast<int64_t>(size);
  }
  if (empty != nullptr) Source().Give(empty);
  CountAllocatorBytes(-static_cast<int64_t>(size));
}

Figures ReadFigures() {
  Figures f;
  for (Heap& h : g_heaps) {
    std::lock_guard<HeapLock> lock(h.mu);
    f.block_bytes += h.block_bytes;
  }
  f.pages = Source().held();
  f.page_bytes = f.pages * static_cast<int64_t>(kPageBytes);
  f.reserved_bytes = Source().reserved();
  return f;
}

}  // namespace minired::blocks
