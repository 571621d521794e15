// The pure parts of eviction: the LRU/LFU access field and the candidate pool.
#include <gtest/gtest.h>

#include "storage/access_clock.h"
#include "storage/eviction_pool.h"

namespace minired {
namespace {

constexpr int64_t kMinute = 60'000;

struct EntryDeleter {
  void operator()(Entry* e) const { Entry::Free(e); }
};
using EntryPtr = std::unique_ptr<Entry, EntryDeleter>;

TEST(AccessClock, LruIdleSecondsAcrossTheWrap) {
  EXPECT_EQ(LruIdleSeconds(100, 130), 30u);
  EXPECT_EQ(LruIdleSeconds(kLruClockMax - 5, 10), 15u);
  EXPECT_EQ(LruClock(1000LL * (kLruClockMax + 1) + 7000), 7u);
}

TEST(AccessClock, LfuCounterDecaysOnePerPeriod) {
  const int64_t t0 = 1000 * kMinute;
  uint32_t field = LfuField(LfuMinutes(t0), 20);
  EXPECT_EQ(LfuDecayedCounter(field, t0, 1), 20);
  EXPECT_EQ(LfuDecayedCounter(field, t0 + 5 * kMinute, 1), 15);
  EXPECT_EQ(LfuDecayedCounter(field, t0 + 10 * kMinute, 2), 15);
  EXPECT_EQ(LfuDecayedCounter(field, t0 + 500 * kMinute, 1), 0);
  EXPECT_EQ(LfuDecayedCounter(field, t0 + 500 * kMinute, 0), 20) << "decay time 0 never decays";
}

TEST(AccessClock, LfuMinutesWrapLikeRedis) {
  // The minute field wraps at 2^16; time elapsed across the wrap is 65535 - then + now.
  uint32_t field = LfuField(65530, 10);
  int64_t now = (65536LL + 3) * kMinute;  // minute 3 after the wrap
  EXPECT_EQ(LfuDecayedCounter(field, now, 1), 10 - 8);
}

TEST(AccessClock, LfuIncrementIsLogarithmic) {
  const int64_t t = 5000 * kMinute;
  // A coin of 0 always increments; below the initial value it always does.
  uint32_t f = LfuField(LfuMinutes(t), 0);
  f = LfuAccess(f, t, 10, 1, 0.99);
  EXPECT_EQ(LfuCounter(f), 1);
  // At counter 15 with factor 10 the probability is 1/101.
  f = LfuField(LfuMinutes(t), 15);
  EXPECT_EQ(LfuCounter(LfuAccess(f, t, 10, 1, 0.5)), 15);
  EXPECT_EQ(LfuCounter(LfuAccess(f, t, 10, 1, 0.009)), 16);
  // Saturates at 255.
  f = LfuField(LfuMinutes(t), 255);
  EXPECT_EQ(LfuCounter(LfuAccess(f, t, 10, 1, 0.0)), 255);
}

TEST(AccessClock, ScoresOrderKeysForEviction) {
  AccessPolicy lru;
  const int64_t now = 2'000'000'000'000;
  EntryPtr old_key(Entry::NewString("old", "v", 0));
  EntryPtr new_key(Entry::NewString("new", "v", 0));
  InitAccess(old_key.get(), now - 60'000, lru);
  InitAccess(new_key.get(), now - 1'000, lru);
  EXPECT_GT(IdleScore(old_key.get(), now, lru), IdleScore(new_key.get(), now, lru));
  // A score does not drift with the clock: keys pooled at different moments compare fairly.
  EXPECT_EQ(IdleScore(old_key.get(), now, lru), IdleScore(old_key.get(), now + 5'000, lru));
  TouchAccess(old_key.get(), now, lru);
  EXPECT_LT(IdleScore(old_key.get(), now, lru), IdleScore(new_key.get(), now, lru));

  AccessPolicy lfu;
  lfu.lfu = true;
  lfu.lfu_log_factor = 0;  // every access counts
  EntryPtr hot(Entry::NewString("hot", "v", 0));
  EntryPtr cold(Entry::NewString("cold", "v", 0));
  InitAccess(hot.get(), now, lfu);
  InitAccess(cold.get(), now, lfu);
  EXPECT_EQ(LfuCounter(cold->lru()), kLfuInitCounter);
  for (int i = 0; i < 20; ++i) TouchAccess(hot.get(), now, lfu);
  EXPECT_EQ(LfuCounter(hot->lru()), kLfuInitCounter + 20);
  EXPECT_GT(IdleScore(cold.get(), now, lfu), IdleScore(hot.get(), now, lfu));
  // Timeless (replayed) writes are not accesses.
  TouchAccess(cold.get(), 0, lfu);
  EXPECT_EQ(LfuCounter(cold->lru()), kLfuInitCounter);
}

TEST(EvictionPool, KeepsTheBestSixteenAndPopsTheBestFirst) {
  EvictionPool pool;
  for (int i = 0; i < 40; ++i) pool.Offer(static_cast<uint64_t>((i * 7) % 40), 0, "k" + std::to_string((i * 7) % 40));
  EXPECT_EQ(pool.size(), EvictionPool::kCapacity);
  EvictionCandidate c;
  for (int expect = 39; expect >= 24; --expect) {
    ASSERT_TRUE(pool.PopBest(&c));
    EXPECT_EQ(c.score, static_cast<uint64_t>(expect));
    EXPECT_EQ(c.key, "k" + std::to_string(expect));
  }
  EXPECT_FALSE(pool.PopBest(&c));
}

TEST(EvictionPool, AKeyOfferedTwiceIsHeldOnceWithItsNewScore) {
  EvictionPool pool;
  pool.Offer(5, 0, "a");
  pool.Offer(9, 0, "b");
  pool.Offer(1, 0, "a");
  pool.Offer(3, 1, "a");  // another database: another key
  EXPECT_EQ(pool.size(), 3u);
  EvictionCandidate c;
  pool.PopBest(&c);
  EXPECT_EQ(c.key, "b");
  pool.PopBest(&c);
  EXPECT_EQ(c.db, 1);
  pool.PopBest(&c);
  EXPECT_EQ(c.score, 1u);
}

TEST(EvictionPool, AFullPoolIgnoresWorseCandidates) {
  EvictionPool pool;
  for (uint64_t i = 100; i < 116; ++i) pool.Offer(i, 0, std::to_string(i));
  pool.Offer(50, 0, "worse");
  EXPECT_EQ(pool.size(), EvictionPool::kCapacity);
  pool.Offer(500, 0, "better");
  EvictionCandidate c;
  pool.PopBest(&c);
  EXPECT_EQ(c.key, "better");
  while (pool.PopBest(&c)) EXPECT_NE(c.key, "worse");
}

}  // namespace
}  // namespace minired
