// The on-disk formats are frozen: these golden bytes may only change together with a
// new format version and a reader for the old one.
#include "storage/log_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "storage/entry_codec.h"
#include "storage/encodings/compact.h"
#include "storage/encodings/field_names.h"
#include "storage/encodings/list_object.h"
#include "storage/encodings/string_map.h"
#include "storage/encodings/zset.h"

namespace minired {
namespace {

std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

TEST(LogFormat, GoldenRecordBytes) {
  std::vector<JournalCommand> cmds = {{0, "*1\r\n$4\r\nPING\r\n"}, {3, "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"}};
  std::string rec = EncodeLogRecord(cmds);
  EXPECT_EQ(Hex(rec),
            "01" "02"                                     // version 1, two commands
            "00" "0e" "2a310d0a24340d0a50494e470d0a"      // db 0, 14 bytes
            "03" "14" "2a320d0a24330d0a44454c0d0a24310d0a6b0d0a");  // db 3, 20 bytes
  std::vector<JournalCommand> back;
  ASSERT_TRUE(DecodeLogRecord(rec, &back).ok());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].db, 3);
  EXPECT_EQ(back[1].resp, cmds[1].resp);
}

TEST(LogFormat, DamagedRecordsAreCorruptionNotCrashes) {
  std::string rec = EncodeLogRecord({{0, "*1\r\n$4\r\nPING\r\n"}});
  std::vector<JournalCommand> out;
  for (size_t cut = 0; cut < rec.size(); ++cut) {
    EXPECT_FALSE(DecodeLogRecord(std::string_view(rec).substr(0, cut), &out).ok()) << cut;
  }
  std::string future = rec;
  future[0] = 2;
  Status s = DecodeLogRecord(future, &out);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("version 2"), std::string::npos);
  EXPECT_FALSE(DecodeLogRecord(rec + "x", &out).ok());
}

TEST(LogFormat, GoldenBatchBytes) {
  std::string body;
  size_t count = 0;
  AppendToLogBatch(7, "ab", &body, &count);
  AppendToLogBatch(300, "", &body, &count);
  std::string batch = FinishLogBatch(body, count);
  EXPECT_EQ(Hex(batch), "01" "02" "07" "02" "6162" "ac02" "00");
  std::vector<std::pair<uint64_t, std::string>> seen;
  ASSERT_TRUE(ForEachInLogBatch(batch, [&](uint64_t seq, std::string_view rec) {
                seen.emplace_back(seq, std::string(rec));
                return Status::Ok();
              }).ok());
  EXPECT_EQ(seen, (std::vector<std::pair<uint64_t, std::string>>{{7, "ab"}, {300, ""}}));
  for (size_t cut = 1; cut < batch.size(); ++cut) {
    EXPECT_FALSE(ForEachInLogBatch(std::string_view(batch).substr(0, cut), [](uint64_t, std::string_view) {
                   return Status::Ok();
                 }).ok()) << cut;
  }
}

// The one-pass encoder the log writer uses writes the same bytes as the record and
// batch encoders above, leaving out what a script kept out of the log.
TEST(LogFormat, OnePassBatchEqualsRecordByRecord) {
  std::vector<JournalEntry> entries(3);
  entries[0].seq = 7;
  entries[0].commands = {{0, "*1\r\n$4\r\nPING\r\n"}, {3, std::string(300, 'x')}};
  entries[1].seq = 8;  // changed nothing
  entries[2].seq = 200;
  entries[2].commands = {{1, "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n"},
                         {1, "*1\r\n$4\r\nNOOP\r\n", kReplToReplicas}};  // redis.set_repl(REPLICA)
  std::string body;
  size_t count = 0;
  for (const JournalEntry& e : entries) AppendToLogBatch(e.seq, EncodeLogRecord(e.commands), &body, &count);
  std::string one_pass = "stale bytes";
  EncodeLogBatch(entries, &one_pass);
  EXPECT_EQ(Hex(one_pass), Hex(FinishLogBatch(body, count)));
  std::vector<JournalCommand> decoded;
  ASSERT_TRUE(ForEachInLogBatch(one_pass, [&](uint64_t seq, std::string_view rec) {
                if (seq == 200) return DecodeLogRecord(rec, &decoded);
                return Status::Ok();
              }).ok());
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].resp, entries[2].commands[0].resp);
}

TEST(EntryCodec, GoldenStringBytes) {
  Entry* e = Entry::NewString("key", "hello", 0x0102030405, Entry::StringForm::kText);
  std::string out;
  EncodeEntry(e, &out);
  EXPECT_EQ(Hex(out), "00" "01" "01" "0504030201000000" "03" "6b6579" "05" "68656c6c6f");
  Entry::Free(e);
  e = Entry::NewInt("n", -2, 0);
  out.clear();
  EncodeEntry(e, &out);
  EXPECT_EQ(Hex(out), "00" "00" "00" "01" "6e" "feffffffffffffff");
  Entry::Free(e);
}

TEST(EntryCodec, EveryEncodingRoundTripsAndTruncationIsDetected) {
  static const std::string kLong(100, 'l');  // a two-byte length
  auto* map = new StringMap();
  map->Set("f", "v");
  map->Set("g", "");
  auto* z = new ZSet();
  z->Upsert("a", 1.5);
  z->Upsert("b", -2);
  auto* l = new ListObject{"x", "", "yz"};
  std::vector<Entry*> entries = {
      Entry::NewInt("i", 42, 0),
      Entry::NewString("s", "text", 99, Entry::StringForm::kText),
      Entry::NewString("r", std::string(100, 'r'), 0, Entry::StringForm::kRaw),
      Entry::NewCompact("c", ValueType::kHash, Encoding::kListpack,
                        EncodeHashListpack(std::vector<std::string_view>{"f", "v", "gg", ""}), 0),
      Entry::NewCompact("cl", ValueType::kList, Encoding::kListpack,
                        EncodeListpack(std::vector<std::string_view>{"x", std::string_view(kLong)}), 0),
      Entry::NewCompact("ci", ValueType::kSet, Encoding::kIntset, EncodeIntset(std::vector<int64_t>{-1, 7}), 0),
      Entry::NewObject("h", ValueType::kHash, Encoding::kHashtable, map, 5),
      Entry::NewObject("z", ValueType::kZSet, Encoding::kSkiplist, z, 0),
      Entry::NewObject("l", ValueType::kList, Encoding::kQuicklist, l, 0),
  };
  for (Entry* e : entries) {
    std::string out;
    EncodeEntry(e, &out);
    std::string_view in = out;
    Entry* back = nullptr;
    ASSERT_TRUE(DecodeEntry(&in, &back).ok()) << e->key();
    EXPECT_TRUE(in.empty());
    std::string again;
    EncodeEntry(back, &again);
    EXPECT_EQ(again, out) << e->key();
    EXPECT_EQ(back->expire_ms(), e->expire_ms());
    Entry::Free(back);
    for (size_t cut = 0; cut < out.size(); ++cut) {
      std::string_view part = std::string_view(out).substr(0, cut);
      Entry* none = nullptr;
      EXPECT_FALSE(DecodeEntry(&part, &none).ok()) << e->key() << " cut " << cut;
    }
    Entry::Free(e);
  }
}

// A hash's field names held by the shared table (field_names.h) are numbers in memory
// but written out whole: the snapshot means the same in another process, whose table
// numbers its names otherwise.
TEST(EntryCodec, SharedFieldNamesAreWrittenOutWhole) {
  const std::string field = "entry-codec-shared-field";
  for (uint32_t i = 0; i < field_names::kAdmitAfter + 1; ++i) field_names::Find(field);
  ASSERT_TRUE(field_names::Find(field).has_value());
  const std::vector<std::string_view> pairs = {field, "value"};
  const std::string packed = EncodeHashListpack(pairs);
  EXPECT_LT(packed.size(), EncodeListpack(pairs).size());
  Entry* e = Entry::NewCompact("h", ValueType::kHash, Encoding::kListpack, packed, 0);
  std::string out;
  EncodeEntry(e, &out);
  EXPECT_NE(out.find(field), std::string::npos);
  EXPECT_NE(out.find(PortableListpack(packed)), std::string::npos);
  std::string_view in = out;
  Entry* back = nullptr;
  ASSERT_TRUE(DecodeEntry(&in, &back).ok());
  EXPECT_EQ(back->compact_blob(), packed);  // numbered again on the way in
  EXPECT_EQ(DecodeListpack(back->compact_blob()), pairs);
  Entry::Free(back);
  Entry::Free(e);
}

// A compact value whose lengths run past its bytes, or a hash listpack with a field
// and no value, is corruption.
TEST(EntryCodec, MalformedCompactValuesAreRefused) {
  auto decode = [](ValueType type, Encoding enc, std::string blob) {
    std::string out;
    out.push_back(static_cast<char>(type));
    out.push_back(static_cast<char>(enc));
    out.push_back(0);
    out += "\x01k";
    out.push_back(static_cast<char>(blob.size()));
    out += blob;
    std::string_view in = out;
    Entry* e = nullptr;
    Status st = DecodeEntry(&in, &e);
    if (st.ok()) Entry::Free(e);
    return st.ok();
  };
  EXPECT_TRUE(decode(ValueType::kHash, Encoding::kListpack, std::string("\x02\x01" "f\x01v", 5)));
  EXPECT_FALSE(decode(ValueType::kHash, Encoding::kListpack, std::string("\x01\x01" "f", 3)));       // odd count
  EXPECT_FALSE(decode(ValueType::kHash, Encoding::kListpack, std::string("\x02\x01" "f\x05v", 5)));  // past the end
  EXPECT_FALSE(decode(ValueType::kHash, Encoding::kListpack, std::string("\x02\x01" "f\x01vX", 6)));  // bytes left over
  EXPECT_FALSE(decode(ValueType::kList, Encoding::kListpack, std::string("\x00", 1)));              // empty
  EXPECT_FALSE(decode(ValueType::kList, Encoding::kListpack, std::string("\x7f\x01" "a", 3)));        // count too big
  EXPECT_FALSE(decode(ValueType::kSet, Encoding::kIntset, std::string(12, '\0')));                 // not 8-byte ints
}

// A value in another type's encoding, or a sorted set with a NaN score, is corruption:
// loading it would hand the value to code that cannot read it.
TEST(EntryCodec, MismatchedEncodingsAndNanScoresAreRefused) {
  auto* z = new ZSet();
  z->Upsert("a", 1.5);
  Entry* e = Entry::NewObject("z", ValueType::kZSet, Encoding::kSkiplist, z, 0);
  std::string out;
  EncodeEntry(e, &out);
  Entry::Free(e);
  auto refused = [](std::string bytes) {
    std::string_view in = bytes;
    Entry* back = nullptr;
    Status s = DecodeEntry(&in, &back);
    if (back) Entry::Free(back);
    return !s.ok();
  };
  EXPECT_FALSE(refused(out));
  for (ValueType other : {ValueType::kString, ValueType::kList, ValueType::kSet, ValueType::kHash, ValueType::kStream}) {
    std::string bad = out;
    bad[0] = static_cast<char>(other);
    EXPECT_TRUE(refused(bad)) << static_cast<int>(other);
  }
  std::string nan = out;
  const double q = std::nan("");
  memcpy(nan.data() + nan.size() - 8, &q, 8);  // the last member's score
  EXPECT_TRUE(refused(nan));
}

}  // namespace
}  // namespace minired
