// The full ("skiplist") encoding of sorted sets: Redis's skip list with spans, ordered
// by (score, member), plus a member -> node index. Score lookup is O(1); insert, delete,
// rank and "how many sort before x" are O(log n), so every range query is
// O(log n + m) once its start rank is known.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/slot_table.h"

namespace minired {

uint64_t HashKey(std::string_view key);

class ZNode {
 public:
  double score() const { return score_; }
  std::string_view member() const {
    return {reinterpret_cast<const char*>(level_array() + levels_), member_len_};
  }
  const ZNode* next() const { return level(0).forward; }
  const ZNode* prev() const { return backward_; }

 private:
  friend class ZSet;
  struct Level {
    ZNode* forward;
    size_t span;
  };
  static ZNode* New(int levels, double score, std::string_view member);
  static void Free(ZNode* n) { ::operator delete(static_cast<void*>(n)); }
  Level* level_array() const {
    return reinterpret_cast<Level*>(reinterpret_cast<char*>(const_cast<ZNode*>(this)) + sizeof(ZNode));
  }
  Level& level(int i) const { return level_array()[i]; }

  double score_;
  ZNode* backward_;
  uint32_t member_len_;
  uint8_t levels_;
};

struct ZNodeHashOf {
  uint64_t operator()(const ZNode* n) const { return HashKey(n->member()); }
};

class ZSet {
 public:
  ZSet();
  ZSet(const ZSet&) = delete;
  ZSet& operator=(const ZSet&) = delete;
  ~ZSet();

  size_t size() const { return length_; }
  std::optional<double> Score(std::string_view member) const;
  // Inserts the member or moves it to `score`; true if it was new.
  bool Upsert(std::string_view member, double score);
  bool Erase(std::string_view member);

  // 0-based rank in ascending order; nullopt if absent.
  std::optional<size_t> Rank(std::string_view member) const;
  // REQUIRES: rank < size().
  const ZNode* ByRank(size_t rank) const;
  const ZNode* first() const { return header_->level(0).forward; }
  const ZNode* last() const { return tail_; }

  // Elements ordered before x: score < x (or <= x when `inclusive`).
  size_t CountScoreBelow(double x, bool inclusive) const;
  // Elements whose member is < m (or <= m); meaningful when all scores are equal, as
  // Redis's lex commands assume.
  size_t CountMemberBelow(std::string_view m, bool inclusive) const;

  template <typename Visit>  // Visit(const ZNode*)
  size_t Scan(uint64_t* pos, size_t max_slots, Visit visit) const {
    return index_.Scan(pos, max_slots, visit);
  }
  // Bytes held, the nodes estimated from the first `samples` of them (0: all).
  size_t MemoryBytes(size_t samples = 0) const;

 private:
  using Index = SlotTable<ZNode, ZNodeHashOf>;
  static constexpr int kMaxLevel = 32;
  int RandomLevel();
  size_t CountBefore(const ZNode* target) const;
  ZNode* Insert(double score, std::string_view member);
  void Unlink(ZNode* x, ZNode** update);
  // Fills update[] with the last node before (score, member) on each level.
  void FindPredecessors(double score, std::string_view member, ZNode** update, size_t* rank) const;
  size_t Locate(std::string_view member) const {
    return index_.Find(HashKey(member), [&](const ZNode* n) { return n->member() == member; });
  }

  ZNode* header_;
  ZNode* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  Index index_;
};

}  // namespace minired
