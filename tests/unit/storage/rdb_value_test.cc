// RDB values (storage/rdb/): LZF compression, the packed blobs Redis writes (listpack,
// ziplist, intset, zipmap), every type written and read back in every encoding around
// its thresholds, files, and DUMP payloads cut or damaged anywhere, which must be
// refused with an error (never a crash or a read out of bounds: the ASan build runs
// these).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/encodings/encoding_limits.h"
#include "storage/entry.h"
#include "storage/entry_codec.h"
#include "storage/rdb/crc64.h"
#include "storage/rdb/dump_payload.h"
#include "storage/rdb/listpack.h"
#include "storage/rdb/lzf.h"
#include "storage/rdb/packed_blobs.h"
#include "storage/rdb/rdb_file.h"
#include "storage/rdb/rdb_string.h"
#include "storage/rdb/rdb_value.h"

namespace minired::rdb {
namespace {

using namespace std::string_literals;

struct EntryDeleter {
  void operator()(Entry* e) const { Entry::Free(e); }
};
using EntryPtr = std::unique_ptr<Entry, EntryDeleter>;

TEST(LzfCompress, RoundTripsAndDeclinesWhatDoesNotShrink) {
  std::string noise;
  std::mt19937 rng(7);
  for (int i = 0; i < 4000; ++i) noise.push_back(static_cast<char>(rng()));
  for (const std::string& in : {std::string(5000, 'x'), "abcabcabcabcabcabcabcabc"s, noise.substr(0, 100) + std::string(300, 'q') + noise.substr(0, 100)}) {
    std::string packed, back;
    ASSERT_TRUE(LzfCompress(in, in.size() - 4, &packed)) << in.size();
    EXPECT_LT(packed.size(), in.size());
    ASSERT_TRUE(LzfDecompress(packed, in.size(), &back));
    EXPECT_EQ(back, in);
  }
  std::string packed;
  EXPECT_FALSE(LzfCompress(noise, noise.size() - 4, &packed));
}

TEST(Listpack, IntegersAndStringsOfEveryWidthRoundTrip) {
  const std::vector<int64_t> ints = {0, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, -32768, 32768,
                                     8388607, -8388608, 8388608, 2147483647, -2147483648LL, 2147483648LL,
                                     INT64_MAX, INT64_MIN};
  const std::vector<std::string> strings = {"", "a", std::string(63, 's'), std::string(64, 's'),
                                            std::string(4095, 's'), std::string(4096, 's'), "007", "-0", "1.5"};
  ListpackWriter w;
  for (int64_t v : ints) w.AddInt(v);
  for (const auto& s : strings) w.Add(s);
  w.Add("12345");  // canonical: stored as an integer
  const std::string lp = w.Finish();
  ListpackReader r(lp);
  ASSERT_TRUE(r.valid());
  EXPECT_EQ(r.header_count(), ints.size() + strings.size() + 1);
  ListpackItem item;
  for (int64_t v : ints) {
    ASSERT_TRUE(r.Next(&item));
    EXPECT_TRUE(item.is_int);
    EXPECT_EQ(item.value, v);
  }
  for (const auto& s : strings) {
    ASSERT_TRUE(r.Next(&item));
    EXPECT_FALSE(item.is_int) << s;
    EXPECT_EQ(item.text, s);
  }
  ASSERT_TRUE(r.Next(&item));
  EXPECT_TRUE(item.is_int);
  EXPECT_EQ(item.value, 12345);
  EXPECT_FALSE(r.Next(&item));
  EXPECT_TRUE(r.at_end());
  // Every cut or changed byte is refused or read within bounds.
  std::vector<std::string> out;
  for (size_t n = 0; n < lp.size(); ++n) EXPECT_FALSE(ReadListpackElements(lp.substr(0, n), &out)) << n;
  for (size_t i = 6; i < lp.size(); ++i) {
    std::string bad = lp;
    bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    out.clear();
    ReadListpackElements(bad, &out);
  }
}

// A ziplist as Redis 6 wrote them (RDB 9): previous-entry lengths, 6/14/32-bit string
// lengths, and the integer encodings (immediate 0..12, 8/16/24/32/64-bit).
std::string Ziplist(const std::vector<std::string>& raw_entries) {
  std::string body;
  size_t prev = 0;
  for (const std::string& e : raw_entries) {
    std::string entry;
    if (prev < 254) {
      entry.push_back(static_cast<char>(prev));
    } else {
      entry.push_back(static_cast<char>(0xfe));
      for (int i = 0; i < 4; ++i) entry.push_back(static_cast<char>((prev >> (8 * i)) & 0xff));
    }
    entry += e;
    prev = entry.size();
    body += entry;
  }
  std::string zl(10, '\0');
  zl += body;
  zl.push_back(static_cast<char>(0xff));
  for (int i = 0; i < 4; ++i) zl[i] = static_cast<char>((zl.size() >> (8 * i)) & 0xff);
  zl[8] = static_cast<char>(raw_entries.size());
  return zl;
}

TEST(Ziplist, ReadsEveryEncoding) {
  const std::string long_str(300, 'L');
  std::string str14 = "\x41\x2c"s + long_str;  // 14-bit length 300
  const std::string zl = Ziplist({"\x03" "abc"s, str14, "\xf1"s /* 0 */, "\xfd"s /* 12 */, "\xfe\x80"s /* -128 */,
                                  "\xc0\x00\x80"s /* -32768 */, "\xf0\xff\xff\x7f"s /* 8388607 */,
                                  "\xd0\x00\x00\x00\x80"s /* INT32_MIN */,
                                  "\xe0\xff\xff\xff\xff\xff\xff\xff\x7f"s /* INT64_MAX */});
  std::vector<std::string> out;
  ASSERT_TRUE(ReadZiplistElements(zl, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"abc", long_str, "0", "12", "-128", "-32768", "8388607", "-2147483648",
                                           "9223372036854775807"}));
  for (size_t n = 0; n < zl.size(); ++n) {
    std::vector<std::string> cut;
    EXPECT_FALSE(ReadZiplistElements(zl.substr(0, n), &cut)) << n;
  }
}

TEST(Intset, ReadsEachWidthAndRefusesDisorder) {
  std::vector<int64_t> v = {-5, 1, 70000};
  std::vector<int64_t> back;
  ASSERT_TRUE(ReadIntset(WriteIntset(v), &back));
  EXPECT_EQ(back, v);
  back.clear();
  const std::string wide = WriteIntset({INT64_MIN, 0, INT64_MAX});
  ASSERT_TRUE(ReadIntset(wide, &back));
  EXPECT_EQ(back.back(), INT64_MAX);
  back.clear();
  EXPECT_FALSE(ReadIntset("\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x01\x00"s, &back));  // 5 then 1
  back.clear();
  EXPECT_FALSE(ReadIntset("\x03\x00\x00\x00\x01\x00\x00\x00\x05\x00\x00"s, &back));  // width 3
}

TEST(Zipmap, ReadsFieldsAndValues) {
  // zmlen 2 | "f1" -> "v1" (1 free byte) | "f2" -> "" | end
  const std::string zm = "\x02\x02" "f1" "\x02\x01" "v1" "X" "\x02" "f2" "\x00\x00" "\xff"s;
  std::vector<std::string> out;
  ASSERT_TRUE(ReadZipmapElements(zm, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"f1", "v1", "f2", ""}));
  out.clear();
  EXPECT_FALSE(ReadZipmapElements(zm.substr(0, zm.size() - 3), &out));
}

EncodingLimits& Limits() {
  static EncodingLimits limits;
  return limits;
}

EntryPtr Read(std::string_view bytes, std::string_view key = "k") {
  Reader r(bytes);
  uint8_t type;
  EXPECT_TRUE(r.ReadByte(&type));
  Entry* e = nullptr;
  std::string error;
  EXPECT_EQ(ReadValue(r, type, key, 0, Limits(), &e, &error), ValueResult::kOk) << error;
  return EntryPtr(e);
}

// What a value holds, independent of its encoding and of hash-table order.
std::string Contents(const Entry* e) {
  std::string enc;
  EncodeEntry(e, &enc);
  std::string payload = DumpPayload(e);
  EntryPtr again = Read(payload);
  std::string a, b;
  AppendValue(e, false, &a);
  AppendValue(again.get(), false, &b);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
  return a;
}

TEST(RdbValue, EveryEncodingRoundTrips) {
  // Lists, hashes, sets and sorted sets around the thresholds, from RDB's plain forms.
  for (int n : {1, 127, 128, 129, 513, 2000}) {
    std::string list = "\x01"s, set = "\x02"s, hash = "\x04"s, zset = "\x05"s;
    AppendLength(&list, n);
    AppendLength(&set, n);
    AppendLength(&hash, n);
    AppendLength(&zset, n);
    for (int i = 0; i < n; ++i) {
      AppendString(&list, "e" + std::to_string(i));
      AppendString(&set, n <= 512 ? std::to_string(i * 3) : "m" + std::to_string(i));
      AppendString(&hash, "f" + std::to_string(i));
      AppendString(&hash, std::to_string(i));
      AppendString(&zset, "z" + std::to_string(i));
      double score = i * 0.5 - 3;
      zset.append(reinterpret_cast<const char*>(&score), 8);
    }
    for (const std::string& bytes : {list, set, hash, zset}) {
      EntryPtr e = Read(bytes);
      ASSERT_TRUE(e);
      EXPECT_EQ(e->ElementCount(), static_cast<size_t>(n));
      Contents(e.get());
      // What is written reads back to the same entry (minired's own encoding of it).
      std::string written;
      AppendValue(e.get(), true, &written);
      EntryPtr back = Read(written);
      std::string x, y;
      EncodeEntry(e.get(), &x);
      EncodeEntry(back.get(), &y);
      if (!e->is_object() || e->encoding() == Encoding::kQuicklist || e->encoding() == Encoding::kSkiplist) {
        EXPECT_EQ(x, y) << n;
      }
    }
  }
}

TEST(RdbValue, CutAndDamagedPayloadsAreRefused) {
  std::string hash = "\x04"s;
  AppendLength(&hash, 3);
  for (const char* s : {"a", "1", "b", "2", "c", "3"}) AppendString(&hash, s);
  EntryPtr e = Read(hash);
  const std::string payload = DumpPayload(e.get());
  Entry* out = nullptr;
  ASSERT_EQ(RestorePayload(payload, "k", 0, Limits(), &out), RestoreResult::kOk);
  Entry::Free(out);
  for (size_t n = 0; n < payload.size(); ++n) {
    EXPECT_EQ(RestorePayload(payload.substr(0, n), "k", 0, Limits(), &out), RestoreResult::kBadFooter) << n;
  }
  // Every body cut short, sealed with a valid footer: an error or a value, never a crash.
  for (size_t n = 0; n + 10 < payload.size(); ++n) {
    std::string body = payload.substr(0, n);
    body.push_back(10);
    body.push_back(0);
    const uint64_t crc = Crc64(0, body);
    for (int i = 0; i < 8; ++i) body.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
    if (RestorePayload(body, "k", 0, Limits(), &out) == RestoreResult::kOk) Entry::Free(out);
  }
}

class CollectKeys : public RdbHandler {
 public:
  Status Key(uint64_t db, Entry* e, int64_t, int) override {
    keys.emplace_back(db, std::string(e->key()));
    Entry::Free(e);
    return Status::Ok();
  }
  std::vector<std::pair<uint64_t, std::string>> keys;
};

TEST(RdbFile, WritesWhatItReadsAndChecksTheChecksum) {
  std::string file;
  RdbWriter w([&](std::string_view b) { file.append(b); return Status::Ok(); }, true);
  w.Header();
  w.Aux("redis-ver", "7.0.15");
  w.SelectDb(0, 1, 0);
  Entry* s = Entry::NewString("greeting", std::string(100, 'h'), 4102444800000);
  w.Key(s);
  w.SelectDb(5, 1, 0);
  Entry* n = Entry::NewInt("count", 42, 0);
  w.Key(n);
  ASSERT_TRUE(w.Finish().ok());
  Entry::Free(s);
  Entry::Free(n);
  CollectKeys keys;
  RdbLoadStats stats;
  ASSERT_TRUE(LoadRdb(file, Limits(), keys, &stats).ok());
  EXPECT_EQ(stats.version, 10);
  ASSERT_EQ(keys.keys.size(), 2u);
  EXPECT_EQ(keys.keys[0], std::make_pair(uint64_t{0}, "greeting"s));
  EXPECT_EQ(keys.keys[1], std::make_pair(uint64_t{5}, "count"s));
  // A changed byte fails the checksum; a cut file is truncated; another format is named.
  std::string bad = file;
  bad[23] ^= 1;  // inside "7.0.15"
  CollectKeys none;
  EXPECT_NE(LoadRdb(bad, Limits(), none, &stats).message().find("checksum"), std::string::npos);
  for (size_t n = 0; n < file.size(); ++n) {
    CollectKeys cut;
    EXPECT_FALSE(LoadRdb(file.substr(0, n), Limits(), cut, &stats).ok()) << n;
  }
  EXPECT_EQ(LoadRdb("MRSYNC01...", Limits(), none, &stats).message(), "Wrong signature trying to load DB from file");
  EXPECT_EQ(LoadRdb("REDIS0099", Limits(), none, &stats).message(), "Can't handle RDB format version 99");
}

}  // namespace
}  // namespace minired::rdb
