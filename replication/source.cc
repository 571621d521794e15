#include "replication/source.h"

#include <algorithm>
#include <random>

#include "protocol/command_encoder.h"

namespace minired {

std::string NewReplicationId() {
  static const char kHex[] = "0123456789abcdef";
  std::random_device rd;
  std::string s(40, '0');
  for (char& c : s) c = kHex[rd() % 16];
  return s;
}

ReplicationSource::ReplicationSource(size_t backlog_size)
    : replid_(NewReplicationId()), replid2_(40, '0'), backlog_(backlog_size) {}

void ReplicationSource::AppendLocked(std::string_view bytes) {
  if (bytes.empty()) return;
  if (backlog_active_) {
    backlog_.Append(bytes);
  } else {
    backlog_.Skip(bytes.size());
  }
  for (auto& f : feeds_) f->Push(bytes);
}

void ReplicationSource::FeedEntries(std::span<const JournalEntry> entries) {
  std::lock_guard l(mu_);
  // The batch's stream collects here and goes to the backlog and the feeds in one
  // piece (before a GETACK that must follow one of its entries, and at the end).
  std::string& bytes = batch_bytes_;
  bytes.clear();
  bool fed = false;
  for (const JournalEntry& entry : entries) {
    if (!from_journal_ || entry.seq <= ignore_through_) continue;
    fed = true;
    fed_seq_ = entry.seq;
    if (!entry.commands.empty()) {
      if (backlog_active_) {
        encoder_.Encode(entry, &bytes);
      } else {
        backlog_.Skip(encoder_.EncodedSize(entry));  // no replica ever attached: no copy
      }
      stream_db_ = encoder_.db();
      if (history_.full()) {
        history_base_seq_ = history_.front().seq;
        history_base_offset_ = history_.front().end_offset;
        history_base_db_ = history_.front().db;
      }
      history_.push_back({entry.seq, backlog_.end_offset() + bytes.size(), stream_db_});
    }
    if (getack_after_seq_ != 0 && entry.seq >= getack_after_seq_) {
      getack_after_seq_ = 0;
      AppendLocked(bytes);
      bytes.clear();
      AppendLocked(EncodeCommand({"REPLCONF", "GETACK", "*"}));
    }
  }
  AppendLocked(bytes);
  if (bytes.capacity() > (1 << 20)) std::string().swap(bytes);  // a burst's buffer is not kept
  if (fed) fed_cv_.notify_all();
}

void ReplicationSource::FeedRaw(std::string_view bytes, int db) {
  std::lock_guard l(mu_);
  AppendLocked(bytes);
  stream_db_ = db;
}

void ReplicationSource::FeedControl(std::string_view command) {
  std::lock_guard l(mu_);
  AppendLocked(command);
}

void ReplicationSource::FeedFromJournalLocked(uint64_t after_seq) {
  from_journal_ = true;
  ignore_through_ = fed_seq_ = after_seq;
  history_.clear();
  history_base_seq_ = after_seq;
  history_base_offset_ = backlog_.end_offset();
  history_base_db_ = stream_db_ = -1;
  encoder_.ForgetDb();
}

void ReplicationSource::FeedFromJournal(uint64_t after_seq) {
  std::lock_guard l(mu_);
  FeedFromJournalLocked(after_seq);
}

void ReplicationSource::StopJournalFeed() {
  std::lock_guard l(mu_);
  from_journal_ = false;
  history_.clear();
  fed_cv_.notify_all();
}

bool ReplicationSource::feeding_from_journal() const {
  std::lock_guard l(mu_);
  return from_journal_;
}

void ReplicationSource::ResetToLocked(std::string replid, uint64_t offset) {
  replid_ = std::move(replid);
  replid2_.assign(40, '0');
  second_offset_ = -1;
  backlog_.Reset(offset);
  history_.clear();
  stream_db_ = -1;
}

void ReplicationSource::ResetTo(std::string replid, uint64_t offset) {
  std::lock_guard l(mu_);
  ResetToLocked(std::move(replid), offset);
}

void ReplicationSource::ShiftReplid(std::string new_id) {
  std::lock_guard l(mu_);
  if (new_id == replid_) return;
  replid2_ = replid_;
  second_offset_ = static_cast<int64_t>(backlog_.end_offset()) + 1;
  replid_ = std::move(new_id);
}

void ReplicationSource::Restore(std::string replid, uint64_t offset, uint64_t after_seq) {
  std::lock_guard l(mu_);
  ResetToLocked(std::move(replid), offset);
  FeedFromJournalLocked(after_seq);
}

bool ReplicationSource::TryContinue(std::string_view replid, uint64_t offset,
                                    const std::shared_ptr<ReplicaFeed>& feed) {
  std::lock_guard l(mu_);
  bool same_history = replid == replid_ ||
                      (replid == replid2_ && static_cast<int64_t>(offset) <= second_offset_);
  if (!same_history || !backlog_.Covers(offset)) return false;
  feed->PushPreamble("+CONTINUE " + replid_ + "\r\n");
  auto catch_up = std::make_shared<std::string>();
  backlog_.CopyFrom(offset, catch_up.get());
  if (!catch_up->empty()) feed->SetCatchUp(std::move(catch_up));
  feed->state = ReplicaFeed::State::kOnline;
  feeds_.push_back(feed);
  return true;
}

bool ReplicationSource::AttachFullSync(std::string_view replid, uint64_t offset,
                                       const std::shared_ptr<ReplicaFeed>& feed) {
  std::lock_guard l(mu_);
  if (replid != replid_ || !backlog_.Covers(offset + 1)) return false;
  if (!feed->plain_sync) feed->PushPreamble("+FULLRESYNC " + replid_ + " " + std::to_string(offset) + "\r\n");
  feed->Hold();
  std::string after;
  backlog_.CopyFrom(offset + 1, &after);
  feed->Push(after);
  feeds_.push_back(feed);
  return true;
}

void ReplicationSource::ActivateBacklog() {
  std::lock_guard l(mu_);
  backlog_active_ = true;
}

void ReplicationSource::Detach(const ReplicaFeed* feed) {
  std::lock_guard l(mu_);
  std::erase_if(feeds_, [feed](const auto& f) { return f.get() == feed; });
}

void ReplicationSource::DropAll(const std::string& why) {
  std::vector<std::shared_ptr<ReplicaFeed>> feeds;
  {
    std::lock_guard l(mu_);
    feeds.swap(feeds_);
  }
  for (auto& f : feeds) f->Drop(why);
}

std::vector<std::shared_ptr<ReplicaFeed>> ReplicationSource::feeds() const {
  std::lock_guard l(mu_);
  return feeds_;
}

std::optional<ReplicationSource::Point> ReplicationSource::OffsetAfterSeq(uint64_t seq,
                                                                         std::chrono::milliseconds timeout,
                                                                         bool with_control) {
  std::unique_lock l(mu_);
  if (!fed_cv_.wait_for(l, timeout, [&] { return !from_journal_ || fed_seq_ >= seq; })) return std::nullopt;
  if (!from_journal_ || seq < history_base_seq_) return std::nullopt;
  // After the newest entry only PINGs and GETACKs may follow; they change no data.
  if (with_control && seq >= fed_seq_) return Point{backlog_.end_offset(), stream_db_};
  size_t i = history_.UpperBound(seq, [](uint64_t s, const SeqOffset& e) { return s < e.seq; });
  if (i == 0) return Point{history_base_offset_, history_base_db_};
  return Point{history_[i - 1].end_offset, history_[i - 1].db};
}

void ReplicationSource::RequestAckAfter(uint64_t seq) {
  std::lock_guard l(mu_);
  if (feeds_.empty()) return;
  if (!from_journal_ || fed_seq_ >= seq) {
    AppendLocked(EncodeCommand({"REPLCONF", "GETACK", "*"}));
  } else {
    getack_after_seq_ = std::max(getack_after_seq_, seq);
  }
}

ReplicationSource::Position ReplicationSource::position() const {
  std::lock_guard l(mu_);
  Position p;
  p.replid = replid_;
  p.replid2 = replid2_;
  p.offset = backlog_.end_offset();
  p.db = stream_db_;
  p.second_offset = second_offset_;
  p.backlog_first_byte = backlog_.first_offset();
  p.backlog_histlen = backlog_.histlen();
  p.backlog_size = backlog_.capacity();
  p.backlog_allocated = backlog_.allocated();
  p.backlog_active = backlog_active_;
  return p;
}

void ReplicationSource::set_backlog_size(size_t bytes) {
  std::lock_guard l(mu_);
  if (bytes != backlog_.capacity()) backlog_.Resize(bytes);
}

}  // namespace minired
