#include "storage/journal.h"

#include "protocol/command_encoder.h"
#include "protocol/numbers.h"

namespace minired {

namespace {
thread_local Journal t_journal;
thread_local int t_scope_depth = 0;
thread_local uint64_t t_last_submitted = 0;
}  // namespace

uint64_t Journal::LastSubmitted() { return t_last_submitted; }

void EncodeArgs(std::span<const std::string_view> args, std::string* out) { EncodeCommand(args, out); }

void Journal::DeletedKey(int db, std::string_view key) {
  Journal* j = t_active_;
  if (j == nullptr || !j->EnsureSeq()) return;
  std::string_view args[] = {"DEL", key};
  JournalCommand c{db, {}};
  c.deletion = true;
  EncodeArgs(args, &c.resp);
  j->commands_.push_back(std::move(c));
}

void Journal::ExpirySet(int db, std::string_view key, int64_t at_ms) {
  Journal* j = t_active_;
  if (j == nullptr || !j->EnsureSeq()) return;
  j->expiring_keys_.emplace_back(db, std::string(key));
  j->expiring_at_.push_back(at_ms);
}

void Journal::FlushExpiries(uint8_t targets) {
  for (size_t i = 0; i < expiring_keys_.size(); ++i) {
    std::string at = Int64ToString(expiring_at_[i]);
    std::string_view args[] = {"PEXPIREAT", expiring_keys_[i].second, at};
    JournalCommand c{expiring_keys_[i].first, {}, targets};
    EncodeArgs(args, &c.resp);
    commands_.push_back(std::move(c));
  }
  expiring_keys_.clear();
  expiring_at_.clear();
}

void Journal::AddCommand(int db, std::span<const std::string_view> args, uint8_t targets) {
  if (seq_ == 0) return;
  JournalCommand c{db, {}, targets};
  EncodeArgs(args, &c.resp);
  commands_.push_back(std::move(c));
  FlushExpiries(targets);
}

void Journal::AddCommand(int db, std::span<const std::string> args, uint8_t targets) {
  if (seq_ == 0) return;
  std::vector<std::string_view> views(args.begin(), args.end());
  AddCommand(db, std::span<const std::string_view>(views), targets);
}

bool Journal::TakeSubstitute(std::vector<std::vector<std::string>>* out) {
  if (!has_substitute_) return false;
  *out = std::move(substitute_);
  substitute_.clear();
  has_substitute_ = false;
  return true;
}

// A depth of 1 with no active journal: a scope opened meanwhile is an inner one, and
// Journal::Active() answers null inside it.
JournalSuspension::JournalSuspension() : active_(Journal::t_active_), depth_(t_scope_depth) {
  Journal::t_active_ = nullptr;
  t_scope_depth = 1;
}

JournalSuspension::~JournalSuspension() {
  Journal::t_active_ = active_;
  t_scope_depth = depth_;
}

JournalScope::JournalScope(JournalSink* sink) {
  if (t_scope_depth++ > 0 || sink == nullptr) return;
  outer_ = true;
  t_journal.sink_ = sink;
  Journal::t_active_ = &t_journal;
}

JournalScope::~JournalScope() {
  --t_scope_depth;
  if (!outer_) return;
  Journal& j = t_journal;
  Journal::t_active_ = nullptr;
  if (j.changes_ != 0) j.sink_->CountChanges(j.changes_);
  j.changes_ = 0;
  j.has_reported_ = false;
  if (j.seq_ == 0) {
    j.commands_.clear();
    j.touches_ = 0;
    j.has_substitute_ = false;
    j.substitute_.clear();
    return;
  }
  j.FlushExpiries();
  JournalEntry e{j.seq_, std::move(j.commands_)};
  t_last_submitted = j.seq_;
  j.seq_ = 0;
  j.touches_ = 0;
  j.commands_.clear();
  j.has_substitute_ = false;
  j.substitute_.clear();
  j.sink_->Submit(std::move(e));
}

}  // namespace minired
