#include "storage/block_allocator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "storage/memory.h"

namespace minired {
namespace {

struct Block {
  uint8_t* p;
  size_t n;
  uint8_t fill;
};

Block Take(size_t n, uint8_t fill) {
  auto* p = static_cast<uint8_t*>(blocks::Allocate(n));
  memset(p, fill, n);
  return {p, n, fill};
}

// Every byte a block was given is still its own: no two blocks overlap and no freed
// block's link landed in a live one.
void ExpectIntact(const Block& b) {
  for (size_t i = 0; i < b.n; ++i) {
    ASSERT_EQ(b.p[i], b.fill) << "block of " << b.n << " bytes, byte " << i;
  }
}

TEST(BlockAllocator, ClassesAreTwoBytesApart) {
  EXPECT_EQ(blocks::SizeFor(1), 8u);
  EXPECT_EQ(blocks::SizeFor(8), 8u);
  EXPECT_EQ(blocks::SizeFor(9), 10u);
  EXPECT_EQ(blocks::SizeFor(37), 38u);
  EXPECT_EQ(blocks::SizeFor(38), 38u);
  EXPECT_EQ(blocks::SizeFor(blocks::kMaxBlockBytes), blocks::kMaxBlockBytes);
}

TEST(BlockAllocator, BlocksOfEveryClassKeepTheirBytes) {
  std::vector<Block> live;
  uint8_t fill = 1;
  for (size_t n = 1; n <= blocks::kMaxBlockBytes; ++n) {
    for (int k = 0; k < 300; ++k) live.push_back(Take(n, fill++ | 1));  // > a page of the small classes
  }
  for (const Block& b : live) ExpectIntact(b);
  // Blocks of one class sit back to back, unaligned: a 38-byte block is 38 bytes.
  auto* a = static_cast<uint8_t*>(blocks::Allocate(37));
  auto* b = static_cast<uint8_t*>(blocks::Allocate(37));
  EXPECT_EQ(b - a, 38);
  blocks::Free(a, 37);
  blocks::Free(b, 38);  // the same class
  for (const Block& x : live) blocks::Free(x.p, x.n);
}

TEST(BlockAllocator, FreedBlocksAreReusedAndIntactAfterRandomChurn) {
  std::mt19937 rng(7);
  std::vector<Block> live;
  for (int step = 0; step < 200000; ++step) {
    if (!live.empty() && rng() % 3 == 0) {
      size_t i = rng() % live.size();
      ExpectIntact(live[i]);
      blocks::Free(live[i].p, live[i].n);
      live[i] = live.back();
      live.pop_back();
    } else {
      live.push_back(Take(1 + rng() % blocks::kMaxBlockBytes, static_cast<uint8_t>(step | 1)));
    }
  }
  for (const Block& b : live) {
    ExpectIntact(b);
    blocks::Free(b.p, b.n);
  }
}

TEST(BlockAllocator, UsedMemoryCountsEachBlockAtItsClassSize) {
  std::vector<void*> v;
  v.reserve(1000);
  blocks::Free(blocks::Allocate(37), 37);  // the allocator's own first-use state
  const int64_t before = UsedMemory();
  for (int i = 0; i < 1000; ++i) v.push_back(blocks::Allocate(37));
  EXPECT_EQ(UsedMemory() - before, 1000 * 38);
  for (void* p : v) blocks::Free(p, 37);
  // Back to where it was, but for the list of free pages (a vector) that the emptied
  // page joined.
  EXPECT_GE(UsedMemory() - before, 0);
  EXPECT_LE(UsedMemory() - before, 64);
}

TEST(BlockAllocator, EmptiedPagesGoBackToTheSystem) {
  const blocks::Figures before = blocks::ReadFigures();
  std::vector<void*> v;
  for (int i = 0; i < 200000; ++i) v.push_back(blocks::Allocate(40));  // ~8 MB, 245 pages
  const blocks::Figures full = blocks::ReadFigures();
  EXPECT_GE(full.pages - before.pages, 240);
  EXPECT_EQ(full.block_bytes - before.block_bytes, 200000 * 40);
  for (void* p : v) blocks::Free(p, 40);
  const blocks::Figures after = blocks::ReadFigures();
  // One emptied page stays per class and heap, for the next allocation.
  EXPECT_LE(after.pages - before.pages, 1);
  EXPECT_EQ(after.block_bytes, before.block_bytes);
  // The pages' addresses are reused before more address space is reserved.
  for (int i = 0; i < 200000; ++i) v[i] = blocks::Allocate(40);
  EXPECT_EQ(blocks::ReadFigures().reserved_bytes, full.reserved_bytes);
  for (void* p : v) blocks::Free(p, 40);
}

// Threads allocate from heaps of their own and free each other's blocks (a key written
// on one I/O thread is deleted on another). Run under ThreadSanitizer in CI.
TEST(BlockAllocator, ThreadsFreeEachOthersBlocks) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 20000;
  std::vector<std::vector<Block>> handed(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      std::vector<Block> mine;
      for (int r = 0; r < kRounds; ++r) {
        mine.push_back(Take(1 + rng() % blocks::kMaxBlockBytes, static_cast<uint8_t>(t * 2 + 1)));
        if (mine.size() > 500) {
          blocks::Free(mine.front().p, mine.front().n);
          mine.erase(mine.begin());
        }
      }
      handed[t] = std::move(mine);
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      // Free the next thread's blocks.
      for (const Block& b : handed[(t + 1) % kThreads]) {
        ExpectIntact(b);
        blocks::Free(b.p, b.n);
      }
    });
  }
  for (auto& th : threads) th.join();
}

}  // namespace
}  // namespace minired
