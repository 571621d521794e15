// The append-only log's segment files in a temporary folder: records read back across
// segments and reopenings, torn tails dropped (and cut off), damage before the end
// refused or read up to, read-only opens that change nothing, segments a snapshot
// covers deleted, and a log kept by an earlier version (RocksDB's "log" column family)
// replayed before the segments.
#include "storage/log_segments.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "storage/log_format.h"
#include "storage/rocks_store.h"

namespace minired {
namespace {

namespace fs = std::filesystem;

class LogSegmentsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("minired-segments-" + std::to_string(getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    log_.reset();
    fs::remove_all(dir_);
  }

  Status Open(bool strict = false, bool recover = false, bool read_only = false,
              uint64_t segment_bytes = 1 << 20) {
    log_.reset();
    LogSegments::Options o;
    o.dir = dir_.string();
    o.strict = strict;
    o.recover_to_corruption = recover;
    o.read_only = read_only;
    o.segment_bytes = segment_bytes;
    return LogSegments::Open(o, &log_);
  }
  // Appends records seq first..last, one entry each, bodies "entry <seq>".
  void AppendEach(uint64_t first, uint64_t last) {
    for (uint64_t s = first; s <= last; ++s) {
      Status st = log_->Append(s, s, "entry " + std::to_string(s), false);
      ASSERT_TRUE(st.ok()) << st.message();
    }
  }
  // The first sequence numbers of the records after `after`, in order.
  std::vector<uint64_t> Read(uint64_t after = 0) {
    std::vector<uint64_t> seqs;
    Status s = log_->ForEach(after, [&](uint64_t seq, std::string_view body) {
      EXPECT_EQ(body, "entry " + std::to_string(seq));
      seqs.push_back(seq);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return seqs;
  }
  std::vector<std::string> Files() {
    std::vector<std::string> names;
    for (const auto& f : fs::directory_iterator(dir_))
      names.push_back(f.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path Newest() { return dir_ / Files().back(); }

  fs::path dir_;
  std::unique_ptr<LogSegments> log_;
};

std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> v;
  for (uint64_t s = first; s <= last; ++s) v.push_back(s);
  return v;
}

TEST_F(LogSegmentsTest, RecordsAreReadBackInOrderAcrossSegmentsAndReopenings) {
  ASSERT_TRUE(Open(false, false, false, 200).ok());
  EXPECT_TRUE(Read().empty());
  EXPECT_FALSE(fs::exists(dir_)) << "an empty log creates nothing";
  AppendEach(1, 20);
  EXPECT_GT(Files().size(), 2u) << "small segments: the log moved on to new files";
  EXPECT_EQ(Read(), Range(1, 20));
  EXPECT_EQ(Read(15), Range(16, 20));
  ASSERT_TRUE(Open(true).ok());  // strict: every record intact
  EXPECT_EQ(Read(), Range(1, 20));
  // A new server starts a segment of its own, named after its first entry.
  AppendEach(21, 22);
  EXPECT_EQ(Files().back(), "log-00000000000000000021.mlog");
  ASSERT_TRUE(Open(true).ok());
  EXPECT_EQ(Read(19), Range(20, 22));
  EXPECT_EQ(log_->torn().bytes, 0u);
}

TEST_F(LogSegmentsTest, ABatchRecordIsVisitedWhileAnyOfItsEntriesIsWanted) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(log_->Append(1, 5, "entries 1-5", true).ok());
  ASSERT_TRUE(log_->Append(6, 9, "entries 6-9", true).ok());
  ASSERT_TRUE(Open().ok());
  std::vector<uint64_t> firsts;
  ASSERT_TRUE(log_->ForEach(4,
                            [&](uint64_t seq, std::string_view) {
                              firsts.push_back(seq);
                              return Status::Ok();
                            })
                  .ok());
  EXPECT_EQ(firsts, (std::vector<uint64_t>{1, 6}));
}

TEST_F(LogSegmentsTest, ATornLastRecordIsDroppedAndCutOff) {
  ASSERT_TRUE(Open().ok());
  AppendEach(1, 10);
  log_.reset();
  const fs::path file = Newest();
  const auto size = fs::file_size(file);
  fs::resize_file(file, size - 3);  // the last append was cut short
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(log_->torn().bytes,
            LogSegments::kRecordHeaderBytes + 8 - 3);  // "entry 10" less 3 bytes
  EXPECT_EQ(log_->torn().file, file.string());
  EXPECT_EQ(Read(), Range(1, 9));
  EXPECT_LT(fs::file_size(file), size - 3) << "the torn record is cut off the file";
  AppendEach(10, 12);  // acknowledged again, after the cut
  ASSERT_TRUE(Open(true).ok()) << "nothing torn is left";
  EXPECT_EQ(Read(), Range(1, 12));
}

TEST_F(LogSegmentsTest, ATornTailIsRefusedWhenStrictAndLeftAsItIs) {
  ASSERT_TRUE(Open().ok());
  AppendEach(1, 3);
  log_.reset();
  { std::ofstream(Newest(), std::ios::app | std::ios::binary).write("\x40\0\0\0abc", 7); }
  const auto size = fs::file_size(Newest());
  Status s = Open(true);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("torn (7 bytes at the end of log-00000000000000000001.mlog"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(fs::file_size(Newest()), size);
  EXPECT_EQ(LogSegments::FindTornTail(dir_.string()).bytes, 7u);
}

TEST_F(LogSegmentsTest, ZerosAfterTheLastRecordAreATornTail) {
  ASSERT_TRUE(Open().ok());
  AppendEach(1, 3);
  log_.reset();
  // A filesystem may extend a file before the data reaches it: a crash leaves zeros.
  {
    std::ofstream(Newest(), std::ios::app | std::ios::binary)
        .write(std::string(100, '\0').data(), 100);
  }
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(log_->torn().bytes, 100u);
  EXPECT_EQ(Read(), Range(1, 3));
}

TEST_F(LogSegmentsTest, ALastRecordFailingItsChecksumIsATornTail) {
  ASSERT_TRUE(Open().ok());
  AppendEach(1, 3);
  log_.reset();
  {
    std::fstream f(Newest(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('X');  // a page of the last append did not reach the disk
  }
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(Read(), Range(1, 2));
  EXPECT_GT(log_->torn().bytes, 0u);
}

TEST_F(LogSegmentsTest, DamageBeforeTheEndIsRefusedUnlessTheLossIsAccepted) {
  ASSERT_TRUE(Open(false, false, false, 200).ok());
  AppendEach(1, 20);
  log_.reset();
  const auto files = Files();
  ASSERT_GT(files.size(), 2u);
  const uint64_t first_segment_bytes = fs::file_size(dir_ / files[0]);
  {
    // The second record of the first segment.
    std::fstream f(dir_ / files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(LogSegments::kFileHeaderBytes +
                                        LogSegments::kRecordHeaderBytes + 7 +
                                        LogSegments::kRecordHeaderBytes + 2));
    f.put('X');
  }
  Status s = Open();
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find(files[0] + " at byte " +
                             std::to_string(LogSegments::kFileHeaderBytes +
                                            LogSegments::kRecordHeaderBytes + 7)),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s.message();
  EXPECT_EQ(LogSegments::FindTornTail(dir_.string()).bytes, 0u)
      << "damage before the end is not a torn tail";

  // Read-only, accepting the loss: the log up to the damage, and nothing changed.
  ASSERT_TRUE(Open(false, true, true).ok());
  EXPECT_EQ(Read(), Range(1, 1));
  EXPECT_EQ(Files(), files);

  // Accepting the loss for writing: cut there, the later segments set aside.
  ASSERT_TRUE(Open(false, true).ok());
  EXPECT_EQ(Read(), Range(1, 1));
  AppendEach(2, 4);
  ASSERT_TRUE(Open(true).ok()) << "what is left reads cleanly";
  EXPECT_EQ(Read(), Range(1, 4));
  // Nothing is thrown away: the later segments, and the part cut off the damaged one.
  int damaged = 0;
  for (const auto& f : Files()) damaged += f.ends_with(".mlog.damaged");
  EXPECT_EQ(damaged, static_cast<int>(files.size()));
  const uint64_t first_record_end = LogSegments::kFileHeaderBytes + LogSegments::kRecordHeaderBytes + 7;
  EXPECT_EQ(fs::file_size(dir_ / (files[0] + ".damaged")), first_segment_bytes - first_record_end);
}

TEST_F(LogSegmentsTest, AFileThatIsNotASegmentIsRefused) {
  fs::create_directories(dir_);
  { std::ofstream(dir_ / "log-00000000000000000001.mlog") << "something else entirely"; }
  { std::ofstream(dir_ / "log-00000000000000000009.mlog") << "MRLOG\x01\r\n"; }
  Status s = Open();
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("not a minired log segment"), std::string::npos) << s.message();
}

TEST_F(LogSegmentsTest, ASegmentLeftEmptyByACrashIsRemoved) {
  fs::create_directories(dir_);
  { std::ofstream(dir_ / "log-00000000000000000005.mlog") << "MRLOG\x01\r\n"; }
  { std::ofstream(dir_ / "unrelated.txt") << "kept"; }
  ASSERT_TRUE(Open().ok());
  EXPECT_TRUE(Read().empty());
  AppendEach(5, 6);  // the name is free again
  EXPECT_EQ(Files(), (std::vector<std::string>{"log-00000000000000000005.mlog", "unrelated.txt"}));
  ASSERT_TRUE(Open(true).ok());
  EXPECT_EQ(Read(), Range(5, 6));
}

TEST_F(LogSegmentsTest, RecordsOutOfSequenceAreDamage) {
  ASSERT_TRUE(Open().ok());
  AppendEach(1, 3);
  ASSERT_TRUE(log_->Append(3, 3, "entry 3", false).ok());  // appended twice
  ASSERT_TRUE(log_->Append(4, 4, "entry 4", false).ok());
  Status s = Open();
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("do not follow"), std::string::npos) << s.message();
}

TEST_F(LogSegmentsTest, SegmentsASnapshotCoversAreDeleted) {
  ASSERT_TRUE(Open(false, false, false, 200).ok());
  AppendEach(1, 20);
  const size_t before = Files().size();
  const uint64_t bytes = log_->DiskBytes();
  ASSERT_TRUE(log_->DropCoveredBy(12).ok());
  EXPECT_LT(Files().size(), before);
  EXPECT_LT(log_->DiskBytes(), bytes);
  auto left = Read();
  ASSERT_FALSE(left.empty());
  EXPECT_LE(left.front(), 13u) << "entry 13 must still be there";
  EXPECT_EQ(left.back(), 20u);
  // Everything covered, the current segment too: the next append starts a new one.
  ASSERT_TRUE(log_->DropCoveredBy(20).ok());
  EXPECT_TRUE(Files().empty());
  EXPECT_EQ(log_->DiskBytes(), 0u);
  AppendEach(21, 21);
  ASSERT_TRUE(log_->Sync().ok());
  ASSERT_TRUE(Open(true).ok());
  EXPECT_EQ(Read(), Range(21, 21));
}

TEST_F(LogSegmentsTest, DiscardAfterKeepsTheLogUpToAnEntry) {
  ASSERT_TRUE(Open(false, false, false, 200).ok());
  AppendEach(1, 10);
  AppendEach(50, 60);  // past a gap (appendonly was off meanwhile)
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(log_->DiscardAfter(10).ok());
  EXPECT_EQ(Read(), Range(1, 10));
  AppendEach(11, 12);  // the entries after the replayed ones follow them
  ASSERT_TRUE(Open(true).ok());
  EXPECT_EQ(Read(), Range(1, 12));
}

TEST_F(LogSegmentsTest, AReadOnlyOpenOfATornLogChangesNothing) {
  ASSERT_TRUE(Open().ok());
  AppendEach(1, 5);
  log_.reset();
  fs::resize_file(Newest(), fs::file_size(Newest()) - 1);
  const auto size = fs::file_size(Newest());
  ASSERT_TRUE(Open(false, false, true).ok());
  EXPECT_EQ(Read(), Range(1, 4));
  EXPECT_EQ(fs::file_size(Newest()), size);
  EXPECT_FALSE(log_->Append(6, 6, "entry 6", false).ok());
}

// The store reads what an earlier version kept in RocksDB's "log" column family, then the
// segments, and a snapshot empties both.
TEST(RocksStoreLog, ALogKeptByAnEarlierVersionIsReplayedFirst) {
  const fs::path dir =
      fs::temp_directory_path() / ("minired-legacy-log-" + std::to_string(getpid()));
  fs::remove_all(dir);
  {
    rocksdb::DBOptions o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, {}}, {"log", {}}, {"snapshot", {}}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir.string(), cfs, &handles, &db).ok());
    std::string body;
    size_t count = 0;
    for (uint64_t s = 1; s <= 3; ++s)
      AppendToLogBatch(s, "old " + std::to_string(s), &body, &count);
    ASSERT_TRUE(
        db->Put({}, handles[1], std::string("\0\0\0\0\0\0\0\x01", 8), FinishLogBatch(body, count))
            .ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  std::map<uint64_t, std::string> seen;
  auto read_all = [&](RocksStore& store, uint64_t after) {
    seen.clear();
    ASSERT_TRUE(store
                    .ForEachLog(after,
                                [&](uint64_t seq, std::string_view rec) {
                                  seen[seq] = std::string(rec);
                                  return Status::Ok();
                                })
                    .ok());
  };
  {
    std::unique_ptr<RocksStore> store;
    ASSERT_TRUE(RocksStore::Open({.path = dir.string()}, &store).ok());
    std::string body;
    size_t count = 0;
    AppendToLogBatch(4, "new 4", &body, &count);
    ASSERT_TRUE(store->AppendLog(4, 4, FinishLogBatch(body, count), true).ok());
    read_all(*store, 0);
    EXPECT_EQ(seen, (std::map<uint64_t, std::string>{
                        {1, "old 1"}, {2, "old 2"}, {3, "old 3"}, {4, "new 4"}}));
    SnapshotMeta m;
    m.id = 1;
    m.seq = 4;
    ASSERT_TRUE(store->CommitSnapshot(m).ok());
    read_all(*store, 4);
    EXPECT_TRUE(seen.empty());
    EXPECT_FALSE(fs::exists(dir / "appendonly" / "log-00000000000000000004.mlog"))
        << "the snapshot covers it";
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace minired
