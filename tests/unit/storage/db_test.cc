#include "storage/db.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "storage/encodings/string_map.h"
#include "storage/encodings/zset.h"
#include "storage/entry.h"
#include "storage/memory.h"

namespace minired {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

class DbTest : public ::testing::Test {
 protected:
  void Put(const std::string& k, const std::string& v, int64_t expire_ms = 0) {
    db_.Upsert(Entry::NewString(k, v, expire_ms), HashKey(k), kNow);
  }
  Db::Slot Get(const std::string& k, int64_t now = kNow) { return db_.Find(k, HashKey(k), now); }
  Db db_;
};

TEST_F(DbTest, LazyExpiryDeletesOnAccess) {
  Put("a", "1", kNow + 1000);
  EXPECT_TRUE(Get("a", kNow + 999));
  EXPECT_FALSE(Get("a", kNow + 1000));
  EXPECT_EQ(db_.size(), 0u);
  EXPECT_EQ(db_.volatile_size(), 0u);
  EXPECT_EQ(db_.stats().expired_keys, 1u);
}

TEST_F(DbTest, LookingWithoutTimeDoesNotExpire) {
  Put("a", "1", kNow - 1);
  EXPECT_TRUE(db_.Find("a", HashKey("a"), 0));
}

TEST_F(DbTest, SetExpireAddsAndRemovesFromTheVolatileIndex) {
  Put("a", "1");
  Db::Slot s = Get("a");
  db_.SetExpire(&s, kNow + 5000);
  EXPECT_EQ(db_.volatile_size(), 1u);
  EXPECT_EQ(Get("a").entry->expire_ms(), kNow + 5000);
  s = Get("a");
  db_.SetExpire(&s, 0);
  EXPECT_EQ(db_.volatile_size(), 0u);
  EXPECT_FALSE(Get("a").entry->has_expire());
  s = Get("a");
  db_.SetExpire(&s, kNow + 10);  // in place: the entry kept room for an expiry
  EXPECT_EQ(db_.volatile_size(), 1u);
  EXPECT_FALSE(Get("a", kNow + 10));
}

TEST_F(DbTest, ReplacingAVolatileEntryKeepsTheIndexConsistent) {
  Put("a", "1", kNow + 100);
  Put("a", "2");  // overwrite without expiry
  EXPECT_EQ(db_.volatile_size(), 0u);
  Put("a", "3", kNow + 100);
  EXPECT_EQ(db_.volatile_size(), 1u);
}

TEST_F(DbTest, ActiveExpiryReclaimsWithoutAccess) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 10000; ++i) Put("k" + std::to_string(i), "v", kNow + 1000);
  for (int i = 0; i < 100; ++i) Put("p" + std::to_string(i), "v");
  size_t rounds = 0;
  while (db_.volatile_size() > 0 && rounds < 100000) {
    db_.ActiveExpireStep(kNow + 1000, 20, rng);
    ++rounds;
  }
  EXPECT_EQ(db_.volatile_size(), 0u);
  EXPECT_EQ(db_.size(), 100u);
  EXPECT_EQ(db_.stats().expired_keys, 10000u);
}

TEST_F(DbTest, ActiveExpiryLeavesLiveKeysAndEstimatesTtl) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) Put("k" + std::to_string(i), "v", kNow + 60000);
  auto r = db_.ActiveExpireStep(kNow, 20, rng);
  EXPECT_EQ(r.expired, 0u);
  EXPECT_EQ(r.sampled, 20u);
  EXPECT_EQ(db_.avg_ttl_ms(), 60000);
}

// The pipeline's look ahead into a big hash, set or sorted set: only a hint, whatever
// the key holds.
TEST_F(DbTest, PrefetchFieldsChangesNothing) {
  auto* map = new StringMap();
  for (int i = 0; i < 1000; ++i) map->Set("field:" + std::to_string(i), "v");
  db_.Upsert(Entry::NewObject("h", ValueType::kHash, Encoding::kHashtable, map, 0), HashKey("h"), kNow);
  auto* zset = new ZSet();
  for (int i = 0; i < 1000; ++i) zset->Upsert("field:" + std::to_string(i), i);
  db_.Upsert(Entry::NewObject("z", ValueType::kZSet, Encoding::kSkiplist, zset, 0), HashKey("z"), kNow);
  Put("gone", "1", kNow - 1);  // expired, not yet deleted
  Put("s", "a string");
  const std::string_view thirds[] = {"field:1", "field:999", "missing", ""};
  const std::string_view fourths[] = {"", "field:5", "", "field:6"};
  for (const char* key : {"h", "z", "gone", "s", "absent"}) db_.PrefetchFields(key, HashKey(key), {thirds, fourths});
  EXPECT_EQ(db_.size(), 4u);
  EXPECT_EQ(db_.stats().expired_keys, 0u);
  const Db::Slot h = Get("h");
  ASSERT_TRUE(h);
  EXPECT_EQ(h.entry->object<StringMap>()->size(), 1000u);
  ASSERT_NE(h.entry->object<StringMap>()->Find("field:999"), nullptr);
  const Db::Slot z = Get("z");
  ASSERT_TRUE(z);
  EXPECT_EQ(z.entry->object<ZSet>()->size(), 1000u);
  EXPECT_EQ(z.entry->object<ZSet>()->Score("field:5"), 5.0);
}

TEST_F(DbTest, ClearReturnsMemory) {
  int64_t before = UsedMemory();
  for (int i = 0; i < 100000; ++i) Put("key:" + std::to_string(i), std::string(20, 'x'));
  EXPECT_GT(UsedMemory() - before, 100000 * 40);
  db_.Clear();
  EXPECT_LT(UsedMemory() - before, 64 * 1024);
}

TEST(Entry, LayoutRoundTrips) {
  Entry* e = Entry::NewString("key", "hello", 0);
  EXPECT_EQ(e->key(), "key");
  EXPECT_EQ(e->str_value(), "hello");
  EXPECT_EQ(e->encoding(), Encoding::kEmbStr);
  EXPECT_FALSE(e->has_expire());
  Entry::Free(e);
  e = Entry::NewString("k", "-12345", 99);
  EXPECT_TRUE(e->is_int());
  EXPECT_EQ(e->int_value(), -12345);
  EXPECT_EQ(e->expire_ms(), 99);
  e->clear_expire();
  EXPECT_EQ(e->key(), "k");  // the expiry bytes stay: the key is still found after them
  EXPECT_EQ(e->int_value(), -12345);
  Entry::Free(e);
  std::string big(300, 'z');
  e = Entry::NewString(std::string(200, 'K'), big, 0);
  EXPECT_EQ(e->key(), std::string(200, 'K'));
  EXPECT_EQ(e->str_value(), big);
  EXPECT_EQ(e->encoding(), Encoding::kRaw);
  Entry::Free(e);
}

TEST(Entry, SmallStringsFitOneSmallAllocation) {
  // key:N (10 bytes) with a 21-byte value is 38 bytes: one block of mimalloc's 48-byte
  // class (it rounds small sizes to 16). Redis spends ~96 bytes on the same pair.
  Entry* e = Entry::NewString("key:123456", std::string(21, 'v'), 0);
  EXPECT_EQ(e->EncodedSize(), 38u);
  EXPECT_LE(e->AllocatedSize(), 48u);
  Entry::Free(e);
}

TEST(Entry, EncodedSizeCountsEveryPartOfTheLayout) {
  // header 5 + key length 1 + key 1 + int64 8
  Entry* e = Entry::NewString("k", "12", 0);
  EXPECT_EQ(e->EncodedSize(), 15u);
  Entry::Free(e);
  // + 8 bytes of expiry
  e = Entry::NewString("k", "12", 1000);
  EXPECT_EQ(e->EncodedSize(), 23u);
  Entry::Free(e);
  // a 200-byte key and a 300-byte value: two-byte length varints
  e = Entry::NewString(std::string(200, 'K'), std::string(300, 'z'), 0);
  EXPECT_EQ(e->EncodedSize(), 5u + 2 + 200 + 2 + 300);
  EXPECT_LE(e->EncodedSize(), e->AllocatedSize());
  Entry::Free(e);
}

}  // namespace
}  // namespace minired
