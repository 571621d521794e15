#include "storage/encodings/zset.h"

#include <cstring>
#include <random>

#include "storage/memory.h"

namespace minired {
namespace {

bool Before(double score, std::string_view member, const ZNode* n) {
  return n->score() < score || (n->score() == score && n->member() < member);
}

}  // namespace

ZNode* ZNode::New(int levels, double score, std::string_view member) {
  size_t size = sizeof(ZNode) + sizeof(Level) * static_cast<size_t>(levels) + member.size();
  auto* n = static_cast<ZNode*>(::operator new(size));
  n->score_ = score;
  n->backward_ = nullptr;
  n->member_len_ = static_cast<uint32_t>(member.size());
  n->levels_ = static_cast<uint8_t>(levels);
  for (int i = 0; i < levels; ++i) n->level(i) = {nullptr, 0};
  if (!member.empty()) memcpy(n->level_array() + levels, member.data(), member.size());  // the header has none
  return n;
}

ZSet::ZSet() : header_(ZNode::New(kMaxLevel, 0, {})) {}

ZSet::~ZSet() {
  index_.Clear([](ZNode*) {});
  ZNode* n = header_->level(0).forward;
  while (n) {
    ZNode* next = n->level(0).forward;
    ZNode::Free(n);
    n = next;
  }
  ZNode::Free(header_);
}

int ZSet::RandomLevel() {
  // p = 1/4 per level, as Redis's ZSKIPLIST_P.
  thread_local std::mt19937 rng(std::random_device{}());
  int level = 1;
  while (level < kMaxLevel && (rng() & 3) == 0) ++level;
  return level;
}

std::optional<double> ZSet::Score(std::string_view member) const {
  size_t i = Locate(member);
  if (i == Index::kNotFound) return std::nullopt;
  return index_.At(i)->score();
}

void ZSet::FindPredecessors(double score, std::string_view member, ZNode** update, size_t* rank) const {
  ZNode* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->level(i).forward && Before(score, member, x->level(i).forward)) {
      rank[i] += x->level(i).span;
      x = x->level(i).forward;
    }
    update[i] = x;
  }
}

ZNode* ZSet::Insert(double score, std::string_view member) {
  ZNode* update[kMaxLevel];
  size_t rank[kMaxLevel];
  FindPredecessors(score, member, update, rank);
  int level = RandomLevel();
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      rank[i] = 0;
      update[i] = header_;
      header_->level(i).span = length_;
    }
    level_ = level;
  }
  ZNode* x = ZNode::New(level, score, member);
  for (int i = 0; i < level; ++i) {
    x->level(i).forward = update[i]->level(i).forward;
    update[i]->level(i).forward = x;
    x->level(i).span = update[i]->level(i).span - (rank[0] - rank[i]);
    update[i]->level(i).span = (rank[0] - rank[i]) + 1;
  }
  for (int i = level; i < level_; ++i) update[i]->level(i).span++;
  x->backward_ = update[0] == header_ ? nullptr : update[0];
  if (x->level(0).forward) {
    x->level(0).forward->backward_ = x;
  } else {
    tail_ = x;
  }
  ++length_;
  return x;
}

void ZSet::Unlink(ZNode* x, ZNode** update) {
  for (int i = 0; i < level_; ++i) {
    if (update[i]->level(i).forward == x) {
      update[i]->level(i).span += x->level(i).span - 1;
      update[i]->level(i).forward = x->level(i).forward;
    } else {
      update[i]->level(i).span -= 1;
    }
  }
  if (x->level(0).forward) {
    x->level(0).forward->backward_ = x->backward_;
  } else {
    tail_ = x->backward_;
  }
  while (level_ > 1 && header_->level(level_ - 1).forward == nullptr) --level_;
  --length_;
}

bool ZSet::Upsert(std::string_view member, double score) {
  uint64_t h = HashKey(member);
  size_t i = index_.Find(h, [&](const ZNode* n) { return n->member() == member; });
  if (i != Index::kNotFound) {
    ZNode* n = index_.At(i);
    if (n->score() == score) return false;
    // Same position in the order: update in place, as Redis's zslUpdateScore.
    bool after_prev = n->backward_ == nullptr || n->backward_->score() < score;
    ZNode* next = n->level(0).forward;
    bool before_next = next == nullptr || next->score() > score;
    if (after_prev && before_next) {
      n->score_ = score;
      return false;
    }
    ZNode* update[kMaxLevel];
    size_t rank[kMaxLevel];
    FindPredecessors(n->score(), n->member(), update, rank);
    Unlink(n, update);
    ZNode* fresh = Insert(score, member);
    index_.ReplaceAt(i, fresh);
    ZNode::Free(n);
    return false;
  }
  index_.Insert(Insert(score, member), h);
  return true;
}

bool ZSet::Erase(std::string_view member) {
  size_t i = Locate(member);
  if (i == Index::kNotFound) return false;
  ZNode* n = index_.At(i);
  index_.EraseAt(i);
  ZNode* update[kMaxLevel];
  size_t rank[kMaxLevel];
  FindPredecessors(n->score(), n->member(), update, rank);
  Unlink(n, update);
  ZNode::Free(n);
  return true;
}

std::optional<size_t> ZSet::Rank(std::string_view member) const {
  size_t i = Locate(member);
  if (i == Index::kNotFound) return std::nullopt;
  const ZNode* n = index_.At(i);
  return CountBefore(n);
}

size_t ZSet::CountBefore(const ZNode* target) const {
  size_t rank = 0;
  const ZNode* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level(i).forward && Before(target->score(), target->member(), x->level(i).forward)) {
      rank += x->level(i).span;
      x = x->level(i).forward;
    }
  }
  return rank;
}

const ZNode* ZSet::ByRank(size_t rank) const {
  size_t traversed = 0;
  const ZNode* x = header_;
  const size_t target = rank + 1;  // spans count 1-based positions
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level(i).forward && traversed + x->level(i).span <= target) {
      traversed += x->level(i).span;
      x = x->level(i).forward;
    }
    if (traversed == target) return x;
  }
  return nullptr;
}

size_t ZSet::CountScoreBelow(double v, bool inclusive) const {
  size_t rank = 0;
  const ZNode* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (true) {
      const ZNode* f = x->level(i).forward;
      if (!f || !(f->score() < v || (inclusive && f->score() == v))) break;
      rank += x->level(i).span;
      x = f;
    }
  }
  return rank;
}

size_t ZSet::CountMemberBelow(std::string_view m, bool inclusive) const {
  size_t rank = 0;
  const ZNode* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (true) {
      const ZNode* f = x->level(i).forward;
      if (!f) break;
      int c = f->member().compare(m);
      if (!(c < 0 || (inclusive && c == 0))) break;
      rank += x->level(i).span;
      x = f;
    }
  }
  return rank;
}

size_t ZSet::MemoryBytes(size_t samples) const {
  size_t total = index_.MemoryBytes() + AllocationSize(header_);
  size_t seen = 0, bytes = 0;
  for (const ZNode* n = first(); n && (samples == 0 || seen < samples); n = n->next(), ++seen) {
    bytes += AllocationSize(n);
  }
  return total + (seen == 0 ? 0 : bytes * length_ / seen);
}

}  // namespace minired
