// A script run under its declared keys' shards only (docs/scripting.md, "Atomicity").
//
// A script that names its keys in KEYS locks just their shards, as a multi-key command
// does, so scripts on other keys run in parallel on the other I/O threads. Each of its
// calls is checked first (Admit): a call whose keys all live in those shards runs; any
// other (an undeclared key, or a command that reaches the whole keyspace) stops the
// attempt, which is rolled back and run again holding every shard. Before each write the
// scope saves the values of the keys it writes, so rolling back puts them back and drops
// the attempt's journal records (keys found expired on the way stay deleted, with their
// DEL). Nothing else ran on those shards meanwhile, so no client saw the attempt.
//
// Which scripts may try: each thread's VM remembers per script (and per function)
// whether its runs so far touched only declared keys; the first run of a script holds
// every shard and watches (Observe), and a script that once needed more stays there.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/shard_set.h"

namespace minired {

struct CommandSpec;
class Journal;

class ScriptScope {
 public:
  enum class Mode {
    kHold,     // holds the declared keys' shards; an undeclared call stops the attempt
    kObserve,  // every shard is held already: only notes whether a call went beyond
  };
  ScriptScope(ShardSet& shards, std::span<const std::string_view> keys, Mode mode);
  ScriptScope(const ScriptScope&) = delete;
  ScriptScope& operator=(const ScriptScope&) = delete;

  // Whether the call may run in this scope. kHold: false stops the attempt (and every
  // call after it); before a write, the keys it writes are saved. kObserve: always
  // true, noting a call that went beyond.
  bool Admit(const CommandSpec& spec, std::span<const std::string_view> args, int db, bool writes);
  // The attempt must start again holding every shard.
  bool stopped() const { return stopped_; }
  // Some call went beyond the declared keys' shards.
  bool went_beyond() const { return went_beyond_; }
  // kHold, after a stop: puts the saved values back and drops the journal records the
  // attempt added. REQUIRES: the shards are still held (before destruction).
  void RollBack();

 private:
  bool Covers(const CommandSpec& spec, std::span<const std::string_view> args) const;
  void Save(int db, std::string_view key);

  struct Saved {
    int db;
    std::string key;
    bool existed;
    std::string encoded;  // EncodeEntry's form, with its expiry
  };
  ShardSet& shards_;
  Mode mode_;
  std::span<const std::string_view> keys_;  // declared; they outlive the scope
  std::vector<size_t> shard_ids_;  // sorted
  std::optional<ShardSet::KeysHeld> held_;  // kHold: the declared keys' shards
  bool stopped_ = false;
  bool went_beyond_ = false;
  std::vector<Saved> saved_;
  Journal* journal_ = nullptr;
  size_t journal_mark_ = 0;
};

}  // namespace minired
