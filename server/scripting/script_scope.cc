#include "server/scripting/script_scope.h"

#include <algorithm>

#include "protocol/numbers.h"
#include "server/command.h"
#include "storage/access_clock.h"
#include "storage/db.h"
#include "storage/entry_codec.h"
#include "storage/journal.h"

namespace minired {
namespace {

// Commands without keys that touch no shard; any other keyless command (DBSIZE, SCAN,
// FLUSHDB, INFO...) reaches the whole keyspace.
bool KeylessAndShardless(const std::string& name) {
  return name == "ping" || name == "echo" || name == "time" || name == "publish" || name == "spublish" ||
         name == "select";
}

// Calls `visit` with each key of a call as its spec places them, until it returns
// false; false when one did, or when the keys cannot be told from the arguments alone
// (movable keys without a numkeys argument).
template <class Visit>
bool ForEachCallKey(const CommandSpec& spec, std::span<const std::string_view> args, Visit&& visit) {
  const int argc = static_cast<int>(args.size());
  if (spec.first_key > 0) {
    const int last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
    const int step = std::max(1, spec.key_step);
    for (int i = spec.first_key; i <= last && i < argc; i += step) {
      if (!visit(args[static_cast<size_t>(i)])) return false;
    }
  }
  if (spec.written_keys != nullptr) {
    std::vector<size_t> written;
    const bool named = spec.written_keys(args, &written);
    for (size_t i : written) {
      if (!visit(args[i])) return false;
    }
    return named;
  }
  if (spec.numkeys_arg > 0) {
    if (static_cast<int>(args.size()) <= spec.numkeys_arg) return false;
    auto n = ParseInt64(args[static_cast<size_t>(spec.numkeys_arg)]);
    if (!n || *n < 0) return false;
    const size_t first = static_cast<size_t>(spec.numkeys_arg) + 1;
    for (size_t i = first; i < args.size() && i < first + static_cast<uint64_t>(*n); ++i) {
      if (!visit(args[i])) return false;
    }
    return true;
  }
  return !(spec.flags & kCmdMovableKeys);
}

}  // namespace

ScriptScope::ScriptScope(ShardSet& shards, std::span<const std::string_view> keys, Mode mode)
    : shards_(shards), mode_(mode), keys_(keys) {
  for (std::string_view k : keys) shard_ids_.push_back(shards.ShardOf(HashKey(k)));
  std::sort(shard_ids_.begin(), shard_ids_.end());
  shard_ids_.erase(std::unique(shard_ids_.begin(), shard_ids_.end()), shard_ids_.end());
  if (mode == Mode::kHold) {
    held_.emplace(shards, keys);
    journal_ = Journal::Active();
    if (journal_ != nullptr) journal_mark_ = journal_->commands().size();
  }
}

bool ScriptScope::Covers(const CommandSpec& spec, std::span<const std::string_view> args) const {
  bool any = false;
  const bool named = ForEachCallKey(spec, args, [&](std::string_view k) {
    any = true;
    // A declared key is covered without hashing it (a script's calls mostly name KEYS[i]).
    constexpr size_t kCompared = 8;
    for (size_t i = 0; i < keys_.size() && i < kCompared; ++i) {
      if (keys_[i] == k) return true;
    }
    return std::binary_search(shard_ids_.begin(), shard_ids_.end(), shards_.ShardOf(HashKey(k)));
  });
  if (!named) return false;
  return any || KeylessAndShardless(spec.name);
}

bool ScriptScope::Admit(const CommandSpec& spec, std::span<const std::string_view> args, int db, bool writes) {
  if (mode_ == Mode::kObserve) {
    if (!went_beyond_ && !Covers(spec, args)) went_beyond_ = true;
    return true;
  }
  if (stopped_) return false;
  if (!Covers(spec, args)) {
    stopped_ = went_beyond_ = true;
    return false;
  }
  if (writes) {
    ForEachCallKey(spec, args, [&](std::string_view k) {
      Save(db, k);
      return true;
    });
  }
  return true;
}

void ScriptScope::Save(int db, std::string_view key) {
  for (const Saved& s : saved_) {
    if (s.db == db && s.key == key) return;  // the value before the script's first write
  }
  const uint64_t hash = HashKey(key);
  Db& d = shards_.ShardFor(hash).db(db);
  Saved s{db, std::string(key), false, {}};
  Db::Slot slot = d.Find(key, hash, 0);  // as stored, expired or not
  if (slot) {
    s.existed = true;
    EncodeEntry(slot.entry, &s.encoded);
  }
  saved_.push_back(std::move(s));
}

void ScriptScope::RollBack() {
  for (const Saved& s : saved_) {
    const uint64_t hash = HashKey(s.key);
    Db& d = shards_.ShardFor(hash).db(s.db);
    if (!s.existed) {
      if (Db::Slot slot = d.Find(s.key, hash, 0)) d.Erase(slot);
      continue;
    }
    std::string_view in = s.encoded;
    Entry* e = nullptr;
    if (!DecodeEntry(&in, &e).ok()) continue;
    InitAccess(e, 0, d.access());
    d.Upsert(e, hash, 0);
  }
  saved_.clear();
  if (journal_ != nullptr) {
    auto& records = journal_->commands();
    auto first = records.begin() + static_cast<ptrdiff_t>(std::min(journal_mark_, records.size()));
    records.erase(std::remove_if(first, records.end(), [](const JournalCommand& c) { return !c.deletion; }),
                  records.end());
  }
}

}  // namespace minired
