#include "storage/encodings/zset.h"

#include "storage/memory.h"

namespace minired {

ZSet::~ZSet() {
  index_.Clear([](ZElement* e) { ZElement::Free(e); });
}

std::optional<double> ZSet::Score(std::string_view member) const {
  const size_t i = Locate(member);
  if (i == Index::kNotFound) return std::nullopt;
  return index_.At(i)->score();
}

bool ZSet::Upsert(std::string_view member, double score) {
  const uint64_t h = HashKey(member);
  const size_t i = index_.Find(h, [&](const ZElement* e) { return e->member() == member; });
  if (i == Index::kNotFound) {
    ZElement* e = ZElement::New(score, member);
    tree_.Insert(e);
    index_.Insert(e, h);
    return true;
  }
  ZElement* e = index_.At(i);
  if (e->score() == score) return false;
  tree_.Erase(e->score(), e->member());
  e->score_ = score;
  tree_.Insert(e);
  return false;
}

bool ZSet::Erase(std::string_view member) {
  const size_t i = Locate(member);
  if (i == Index::kNotFound) return false;
  ZElement* e = index_.At(i);
  index_.EraseAt(i);
  tree_.Erase(e->score(), e->member());
  ZElement::Free(e);
  return true;
}

std::optional<size_t> ZSet::Rank(std::string_view member) const {
  const size_t i = Locate(member);
  if (i == Index::kNotFound) return std::nullopt;
  const ZElement* e = index_.At(i);
  return tree_.CountBefore(e->score(), e->member());
}

size_t ZSet::MemoryBytes(size_t samples) const {
  size_t seen = 0, bytes = 0;
  for (Cursor c = First(); c && (samples == 0 || seen < samples); c.Next(), ++seen) {
    bytes += AllocationSize(c.element());
  }
  return index_.MemoryBytes() + tree_.NodeBytes() + (seen == 0 ? 0 : bytes * size() / seen);
}

}  // namespace minired
