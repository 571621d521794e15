// Reading and editing a sorted set in either encoding: listpack (inline, member/score
// pairs ordered by (score, member)) or skiplist (storage/encodings/zset.h). Every query is phrased
// in ranks — "how many sort before this bound", "walk n from rank r" — so the range
// commands are written once for both encodings, and are O(log n + m) on a skiplist.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/encodings/encoding_limits.h"
#include "storage/db.h"
#include "storage/encodings/zset.h"

namespace minired {

// A score bound: "1.5", "(1.5", "-inf", "+inf".
struct ScoreBound {
  double value = 0;
  bool exclusive = false;
};
// A lex bound: "[a", "(a", "-", "+".
struct LexBound {
  std::string_view value;
  bool exclusive = false;
  enum Kind { kValue, kMin, kMax } kind = kValue;
};
std::optional<ScoreBound> ParseScoreBound(std::string_view s);
std::optional<LexBound> ParseLexBound(std::string_view s);

struct ZItem {
  std::string_view member;
  double score;
};

class ZSetValue {
 public:
  // Read-only view; `e` may be null (an empty set).
  explicit ZSetValue(const Entry* e);
  // Editable: `s` may be empty (created on Commit when it gained members).
  ZSetValue(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits);

  size_t size() const { return zset_ ? zset_->size() : items_.size(); }
  std::optional<double> Score(std::string_view member) const;
  std::optional<size_t> Rank(std::string_view member) const;
  ZItem At(size_t rank) const;  // REQUIRES: rank < size()

  // Ranks [first, last) whose scores lie within [min, max]; first == last when none.
  void ScoreRange(const ScoreBound& min, const ScoreBound& max, size_t* first, size_t* last) const;
  // The ranks a lex range visits after skipping `offset` members, ascending from
  // `first` or (`reverse`) descending from `last` - 1, for members that share one score
  // (what lex ranges are meant for). For members of mixed scores (unspecified in Redis)
  // a compact set answers as Redis's listpack walk does, so that even then the replies
  // are redis-server's: from the first member >= min (or, `reverse`, the last <= max),
  // nothing if that one is already past the other end or the set's first or last
  // member rules the range out; then `offset` members skipped unchecked, then members
  // while they are <= max (>= min). A big set answers by descent, as Redis's skiplist
  // (whose random levels make its answer there its own).
  void LexRange(const LexBound& min, const LexBound& max, bool reverse, size_t offset, size_t* first,
                size_t* last) const;

  // Visits n items from `rank`, ascending or (reverse) descending ranks.
  template <typename Visit>  // Visit(ZItem)
  void Walk(size_t rank, size_t n, bool reverse, Visit visit) const {
    if (n == 0) return;
    if (!zset_) {
      for (size_t i = 0; i < n; ++i) visit(items_[reverse ? rank - i : rank + i]);
      return;
    }
    ZSet::Cursor c = zset_->AtRank(rank);
    for (size_t i = 0; i < n && c; ++i) {
      visit(ZItem{c.member(), c.score()});
      if (reverse) {
        c.Prev();
      } else {
        c.Next();
      }
    }
  }

  // Editing (REQUIRES: the editable constructor). Upsert returns true if new.
  bool Upsert(std::string_view member, double score);
  bool Erase(std::string_view member);
  // Keeps a member alive until Commit (the member views of popped items, say).
  std::string_view Own(std::string s);
  void Commit(int64_t now_ms);

  const ZSet* skiplist() const { return zset_; }

 private:
  void ConvertToSkiplist();
  size_t LowerBound(double score, std::string_view member) const;  // listpack position
  size_t CountScoreBelow(double x, bool inclusive) const;
  size_t CountLexBelow(const LexBound& b, bool inclusive) const;  // REQUIRES: a big set

  const ZSet* zset_ = nullptr;  // skiplist encoding (read)
  ZSet* mutable_zset_ = nullptr;
  std::unique_ptr<ZSet> new_zset_;
  std::vector<ZItem> items_;  // listpack encoding, sorted

  Db* db_ = nullptr;
  Db::Slot slot_;
  std::string_view key_;
  uint64_t hash_ = 0;
  const EncodingLimits* limits_ = nullptr;
  std::vector<std::unique_ptr<std::string>> owned_;
  bool changed_ = false;
};

}  // namespace minired
