#include "storage/encodings/field_names.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/encodings/compact.h"
#include "storage/varint.h"

namespace minired {
namespace {

// The table is one per process: every test uses names of its own.
std::optional<uint32_t> SeeTimes(const std::string& name, uint32_t times) {
  std::optional<uint32_t> id;
  for (uint32_t i = 0; i < times; ++i) id = field_names::Find(name);
  return id;
}

TEST(FieldNames, ANameSeenOftenIsNumberedForGood) {
  const std::string name = "fn-test-price";
  EXPECT_FALSE(field_names::Find(name).has_value());  // seen once: not yet
  auto id = SeeTimes(name, field_names::kAdmitAfter);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(field_names::Name(*id), name);
  EXPECT_EQ(field_names::Find(name), id);
  EXPECT_EQ(SeeTimes(name, 100), id);
}

TEST(FieldNames, TooShortAndTooLongNamesStayLiteral) {
  EXPECT_FALSE(SeeTimes("x", 100).has_value());
  EXPECT_FALSE(SeeTimes(std::string(field_names::kMaxNameBytes + 1, 'n'), 100).has_value());
  EXPECT_TRUE(SeeTimes(std::string(field_names::kMaxNameBytes, 'n'), 100).has_value());
}

// Session tokens as fields, each seen once: the sketch keeps them all out (without it
// the first 4,096 would fill the table for good).
TEST(FieldNames, OneOffNamesAreNotAdmitted) {
  const size_t before = field_names::Count();
  for (int i = 0; i < 200000; ++i) field_names::Find("fn-test-token-" + std::to_string(i * 7919));
  EXPECT_LE(field_names::Count() - before, 2u);
}

TEST(FieldNames, ThreadsAdmittingTheSameNamesAgreeOnTheirNumbers) {
  constexpr int kThreads = 4;
  std::vector<std::map<std::string, uint32_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (int n = 0; n < 50; ++n) {
          const std::string name = "fn-test-shared-" + std::to_string(n);
          if (auto id = field_names::Find(name)) {
            auto [it, fresh] = seen[t].emplace(name, *id);
            EXPECT_EQ(it->second, *id);
            EXPECT_EQ(field_names::Name(*id), name);
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  std::map<std::string, uint32_t> all;
  std::set<uint32_t> ids;
  for (const auto& m : seen) {
    for (const auto& [name, id] : m) {
      auto [it, fresh] = all.emplace(name, id);
      EXPECT_EQ(it->second, id) << name;
      ids.insert(id);
    }
  }
  EXPECT_EQ(all.size(), 50u);
  EXPECT_EQ(ids.size(), 50u);
}

// A full table leaves new names literal; hashes keep working. In a child process, so
// that the other tests still find room.
void FillTheTableAndExit() {
  size_t n = 0;
  while (field_names::Count() < field_names::kMaxNames) SeeTimes("fn-fill-" + std::to_string(n++), 20);
  bool ok = !SeeTimes("fn-after-full", 100).has_value();
  const std::vector<std::string_view> pairs = {"fn-after-full", "v", "fn-fill-0", "w"};
  const std::string blob = EncodeHashListpack(pairs);
  ok = ok && DecodeListpack(blob) == pairs && blob.size() < EncodeListpack(pairs).size();
  std::exit(ok ? 0 : 1);
}

TEST(FieldNamesDeathTest, AFullTableLeavesNewNamesLiteral) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(FillTheTableAndExit(), ::testing::ExitedWithCode(0), "");
}

TEST(FieldNames, HashListpacksNumberOnlyTheirFields) {
  const std::string field = "fn-test-category";
  const auto id = SeeTimes(field, field_names::kAdmitAfter + 1);
  ASSERT_TRUE(id.has_value());
  // The same text as a value stays literal; a 100-byte value takes a two-byte header.
  const std::string long_value(100, 'v');
  const std::vector<std::string_view> pairs = {field, field, "other", long_value};
  const std::string blob = EncodeHashListpack(pairs);
  EXPECT_EQ(DecodeListpack(blob), pairs);
  // The field's length byte and bytes became its number (one byte for the first 64).
  EXPECT_EQ(blob.size(), EncodeListpack(pairs).size() - 1 - field.size() + VarintSize(uint64_t{*id} << 1 | 1));
  EXPECT_EQ(ListpackCount(blob), 4u);
  // Portable: every element whole, and back.
  const std::string portable = PortableListpack(blob);
  std::vector<std::string_view> parsed;
  ASSERT_TRUE(ParsePortableListpack(portable, &parsed));
  EXPECT_EQ(parsed, pairs);
  EXPECT_NE(portable.find(field), std::string::npos);
}

// An edit re-encodes the fields it kept with the numbers they had, and looks up only
// the fields it added.
TEST(FieldNames, AnEditKeepsItsFieldsNumbers) {
  const std::string shared = "fn-test-brand";
  SeeTimes(shared, field_names::kAdmitAfter + 1);
  const std::vector<std::string_view> pairs = {shared, "acme", "fn-test-literal-once", "x"};
  const std::string blob = EncodeHashListpack(pairs);
  std::vector<std::string_view> decoded;
  std::vector<uint64_t> headers;
  DecodeHashListpack(blob, &decoded, &headers);
  EXPECT_EQ(decoded, pairs);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0], uint64_t{*field_names::Find(shared)} << 1 | 1);
  EXPECT_EQ(headers[1], kLiteral);
  EXPECT_EQ(EncodeHashListpack(decoded, headers), blob);
  // A field added by the edit is looked up (and, being shared, numbered).
  decoded.push_back(shared);
  decoded.push_back("again");
  headers.push_back(kLookUpName);
  const std::string grown = EncodeHashListpack(decoded, headers);
  EXPECT_EQ(DecodeListpack(grown), decoded);
  EXPECT_EQ(grown.size(), blob.size() + 1 + 1 + 5);  // its number, the value's length byte and bytes
}

}  // namespace
}  // namespace minired
