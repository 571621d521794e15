// The full ("skiplist") encoding of sorted sets: the members in order of (score,
// member) in a counted B+ tree (ScoreTree, which says why not Redis's skip list), plus a
// member -> element index. Score lookup is O(1); insert, delete, rank and "how many
// sort before x" are O(log n), so every range query is O(log n + m) once its start rank
// is known. The encoding keeps Redis's name, which OBJECT ENCODING reports.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "storage/encodings/score_tree.h"
#include "storage/slot_table.h"

namespace minired {

uint64_t HashKey(std::string_view key);

struct ZElementHashOf {
  uint64_t operator()(const ZElement* e) const { return HashKey(e->member()); }
};

class ZSet {
 public:
  using Cursor = ScoreTree::Cursor;

  ZSet() = default;
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;
  ~ZSet();

  size_t size() const { return tree_.size(); }
  std::optional<double> Score(std::string_view member) const;
  // Inserts the member or moves it to `score`; true if it was new.
  bool Upsert(std::string_view member, double score);
  bool Erase(std::string_view member);

  // 0-based rank in ascending order; nullopt if absent.
  std::optional<size_t> Rank(std::string_view member) const;
  // REQUIRES: rank < size().
  Cursor AtRank(size_t rank) const { return tree_.AtRank(rank); }
  Cursor First() const { return tree_.First(); }
  Cursor Last() const { return tree_.Last(); }

  // Elements ordered before x: score < x (or <= x when `inclusive`).
  size_t CountScoreBelow(double x, bool inclusive) const {
    return tree_.CountScoreBelow(x, inclusive);
  }
  // Elements whose member is < m (or <= m); meaningful when all scores are equal, as
  // Redis's lex commands assume.
  size_t CountMemberBelow(std::string_view m, bool inclusive) const {
    return tree_.CountMemberBelow(m, inclusive);
  }

  template <typename Visit>  // Visit(const ZElement*)
  size_t Scan(uint64_t* pos, size_t max_slots, Visit visit) const {
    return index_.Scan(pos, max_slots, visit);
  }
  // Asks for the slots, then the elements, that a lookup of each of `members` reads
  // (StringMap::PrefetchFields, for the pipeline look ahead).
  void PrefetchMembers(std::span<const std::string_view> members) const {
    index_.PrefetchLookups(members, ZElement::kHeaderBytes, HashKey);
  }
  // Bytes held, the elements estimated from the first `samples` of them (0: all).
  size_t MemoryBytes(size_t samples = 0) const;
  // For tests: the tree's invariants hold and it holds what the index does.
  bool Valid() const { return tree_.Valid() && index_.size() == tree_.size(); }

 private:
  using Index = SlotTable<ZElement, ZElementHashOf>;
  size_t Locate(std::string_view member) const {
    return index_.Find(HashKey(member), [&](const ZElement* e) { return e->member() == member; });
  }

  ScoreTree tree_;
  Index index_;
};

}  // namespace minired
