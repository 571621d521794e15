// The journal's recording switch: while nothing consumes entries (appendonly no, no
// replica ever asked) a write takes no sequence number and builds no entry, but still
// counts as a change; once switched on, the entry of a command holds only what it wrote
// after the switch. And its change count, Redis's `dirty`. Driven through a LogWriter
// that stores nothing, whose listener sees every entry submitted.
#include "storage/journal.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "storage/log_writer.h"

namespace minired {
namespace {

class JournalRecording : public ::testing::Test {
 protected:
  JournalRecording() : log_(nullptr, /*enabled=*/false, FsyncPolicy::kNo) {
    log_.SetListener(
        [this](std::span<const JournalEntry> batch) { heard_.insert(heard_.end(), batch.begin(), batch.end()); });
  }
  ~JournalRecording() override { log_.Stop(); }

  // One command's scope: a write to `key` recorded as SET key v.
  void WriteCommand(std::string_view key) {
    JournalScope scope(&log_);
    Write(key);
  }
  // One command's run inside an open scope, as the server's Execute ends it.
  static void Write(std::string_view key) {
    Journal::Touch();
    std::string_view args[] = {"SET", key, "v"};
    Journal::Active()->AddCommand(0, args);
    Journal::Active()->EndCommand(/*wrote_keys=*/true);
  }

  LogWriter log_;
  std::vector<JournalEntry> heard_;
};

TEST_F(JournalRecording, AStoringLogRecordsAndANonStoringOneWaitsForTheStream) {
  EXPECT_FALSE(log_.recording());  // appendonly no, no replica yet
  log_.set_enabled(true);          // no store: still nothing to record into
  EXPECT_FALSE(log_.recording());
  log_.set_stream_wanted();
  EXPECT_TRUE(log_.recording());
  log_.set_enabled(false);  // the stream's offsets must go on counting
  EXPECT_TRUE(log_.recording());
}

TEST_F(JournalRecording, WhileNotRecordingAWriteTakesNoNumberAndOnlyCounts) {
  WriteCommand("a");
  {
    JournalScope scope(&log_);
    Journal::ExpiredKey(0, "gone");  // a read that deleted an expired key
    Journal::ExpirySet(0, "a", 123);
  }
  { JournalScope scope(&log_); }  // a command that wrote nothing
  EXPECT_TRUE(heard_.empty());
  EXPECT_EQ(log_.next_seq().load(), 1u);
  EXPECT_EQ(log_.changes(), 1u);  // an expired key is no change, as in Redis
  EXPECT_EQ(Journal::Active(), nullptr);
}

TEST_F(JournalRecording, RecordedWritesAreNumberedAndCountedOnce) {
  log_.set_stream_wanted();
  WriteCommand("a");
  WriteCommand("b");
  ASSERT_EQ(heard_.size(), 2u);
  EXPECT_EQ(heard_[0].seq, 1u);
  EXPECT_EQ(heard_[1].seq, 2u);
  ASSERT_EQ(heard_[1].commands.size(), 1u);
  EXPECT_EQ(heard_[1].commands[0].resp, "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\nv\r\n");
  EXPECT_EQ(log_.changes(), 2u);
}

// Switched on between two writes of one scope (a blocked client served after the
// command that woke it): the first write is in the snapshot the consumer starts from,
// so only the second is recorded.
TEST_F(JournalRecording, SwitchedOnMidScopeTheEntryHoldsOnlyWhatCameAfter) {
  {
    JournalScope scope(&log_);
    Journal::Touch();
    std::string_view before[] = {"LPUSH", "list", "x"};
    Journal::Active()->AddCommand(0, before);
    Journal::ExpiredKey(0, "old");
    Journal::Active()->EndCommand(true);
    log_.set_stream_wanted();
    Journal::Touch();
    std::string_view after[] = {"LPOP", "list"};
    Journal::Active()->AddCommand(0, after);  // served to a blocked client: no change
  }
  ASSERT_EQ(heard_.size(), 1u);
  EXPECT_EQ(heard_[0].seq, 1u);
  ASSERT_EQ(heard_[0].commands.size(), 1u);
  EXPECT_EQ(heard_[0].commands[0].resp, "*2\r\n$4\r\nLPOP\r\n$4\r\nlist\r\n");
  EXPECT_EQ(log_.changes(), 1u);  // the LPUSH
}

// A command counts what it reports (HSET of three fields: 3), the last report winning;
// one that reports nothing counts 1 if it wrote, 0 if not; each command of a
// transaction counts for itself, and the scope adds them up.
TEST_F(JournalRecording, ChangesAreWhatEachCommandReports) {
  for (bool recording : {false, true}) {
    if (recording) log_.set_stream_wanted();
    uint64_t before = log_.changes();
    {
      JournalScope scope(&log_);
      Write("a");  // reports nothing: 1
      Journal::Touch();
      Journal::CountChanges(7);
      Journal::CountChanges(3);
      Journal::Active()->EndCommand(true);   // 3
      Journal::Active()->EndCommand(false);  // a read: 0
      Journal::CountChanges(0);
      Journal::Active()->EndCommand(true);  // wrote but reports none (EXEC itself): 0
    }
    EXPECT_EQ(log_.changes() - before, 4u) << "recording " << recording;
  }
  Journal::CountChanges(5);  // outside a scope: nowhere to count
  EXPECT_EQ(log_.changes(), 8u);
}

}  // namespace
}  // namespace minired
