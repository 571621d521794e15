#include "storage/encodings/zset_value.h"

#include <algorithm>
#include <cmath>

#include "protocol/numbers.h"
#include "storage/encodings/value_store.h"
#include "storage/encodings/compact.h"

namespace minired {
namespace {

bool ItemBefore(const ZItem& a, double score, std::string_view member) {
  return a.score < score || (a.score == score && a.member < member);
}

std::vector<ZItem> DecodeItems(std::string_view blob) {
  std::vector<ZItem> items;
  CompactReader r(blob);
  items.reserve(r.count() / 2);
  std::string_view m, s;
  while (r.Next(&m) && r.Next(&s)) items.push_back({m, ScoreFromBytes(s)});
  return items;
}

}  // namespace

std::optional<ScoreBound> ParseScoreBound(std::string_view s) {
  ScoreBound b;
  if (!s.empty() && s[0] == '(') {
    b.exclusive = true;
    s.remove_prefix(1);
  }
  auto v = ParseDouble(s);
  if (!v || std::isnan(*v)) return std::nullopt;
  b.value = *v;
  return b;
}

std::optional<LexBound> ParseLexBound(std::string_view s) {
  LexBound b;
  if (s == "+") {
    b.kind = LexBound::kMax;
  } else if (s == "-") {
    b.kind = LexBound::kMin;
  } else if (!s.empty() && (s[0] == '(' || s[0] == '[')) {
    b.exclusive = s[0] == '(';
    b.value = s.substr(1);
  } else {
    return std::nullopt;
  }
  return b;
}

ZSetValue::ZSetValue(const Entry* e) {
  if (e == nullptr) return;
  if (e->is_object()) {
    zset_ = e->object<ZSet>();
  } else {
    items_ = DecodeItems(e->compact_blob());
  }
}

ZSetValue::ZSetValue(Db& db, Db::Slot s, std::string_view key, uint64_t hash, const EncodingLimits& limits)
    : ZSetValue(s ? s.entry : nullptr) {
  db_ = &db;
  slot_ = s;
  key_ = key;
  hash_ = hash;
  limits_ = &limits;
  if (zset_) mutable_zset_ = const_cast<ZSet*>(zset_);
}

size_t ZSetValue::LowerBound(double score, std::string_view member) const {
  return static_cast<size_t>(std::lower_bound(items_.begin(), items_.end(), 0,
                                              [&](const ZItem& a, int) { return ItemBefore(a, score, member); }) -
                             items_.begin());
}

std::optional<double> ZSetValue::Score(std::string_view member) const {
  if (zset_) return zset_->Score(member);
  for (const ZItem& it : items_) {
    if (it.member == member) return it.score;
  }
  return std::nullopt;
}

std::optional<size_t> ZSetValue::Rank(std::string_view member) const {
  if (zset_) return zset_->Rank(member);
  for (size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].member == member) return i;
  }
  return std::nullopt;
}

ZItem ZSetValue::At(size_t rank) const {
  if (!zset_) return items_[rank];
  const ZSet::Cursor c = zset_->AtRank(rank);
  return {c.member(), c.score()};
}

size_t ZSetValue::CountScoreBelow(double x, bool inclusive) const {
  if (zset_) return zset_->CountScoreBelow(x, inclusive);
  size_t n = 0;
  while (n < items_.size() && (items_[n].score < x || (inclusive && items_[n].score == x))) ++n;
  return n;
}

void ZSetValue::ScoreRange(const ScoreBound& min, const ScoreBound& max, size_t* first, size_t* last) const {
  // Elements before the range: score < min (or <= min when min is exclusive).
  *first = CountScoreBelow(min.value, min.exclusive);
  *last = CountScoreBelow(max.value, !max.exclusive);
  if (*last < *first) *last = *first;
}

size_t ZSetValue::CountLexBelow(const LexBound& b, bool inclusive) const {
  if (b.kind == LexBound::kMin) return 0;
  if (b.kind == LexBound::kMax) return size();
  return zset_->CountMemberBelow(b.value, inclusive);
}

namespace {

bool LexAtLeastMin(std::string_view member, const LexBound& min) {
  if (min.kind != LexBound::kValue) return min.kind == LexBound::kMin;
  const int c = member.compare(min.value);
  return min.exclusive ? c > 0 : c >= 0;
}

bool LexAtMostMax(std::string_view member, const LexBound& max) {
  if (max.kind != LexBound::kValue) return max.kind == LexBound::kMax;
  const int c = member.compare(max.value);
  return max.exclusive ? c < 0 : c <= 0;
}

// A range no member can be in: min above max, or equal with either end exclusive.
bool LexRangeEmpty(const LexBound& min, const LexBound& max) {
  if (min.kind == LexBound::kMax || max.kind == LexBound::kMin) return true;
  if (min.kind != LexBound::kValue || max.kind != LexBound::kValue) return false;
  const int c = min.value.compare(max.value);
  return c > 0 || (c == 0 && (min.exclusive || max.exclusive));
}

}  // namespace

void ZSetValue::LexRange(const LexBound& min, const LexBound& max, bool reverse, size_t offset, size_t* first,
                         size_t* last) const {
  if (zset_) {
    *first = CountLexBelow(min, min.exclusive);
    *last = CountLexBelow(max, !max.exclusive);
    if (*last < *first) *last = *first;
    if (offset >= *last - *first) {
      *first = *last;
    } else {
      reverse ? *last -= offset : *first += offset;
    }
    return;
  }
  *first = *last = 0;
  const size_t n = items_.size();
  if (n == 0 || LexRangeEmpty(min, max) || !LexAtLeastMin(items_[n - 1].member, min) ||
      !LexAtMostMax(items_[0].member, max)) {
    return;
  }
  if (!reverse) {
    size_t i = 0;
    while (i < n && !LexAtLeastMin(items_[i].member, min)) ++i;
    if (i == n || !LexAtMostMax(items_[i].member, max) || offset >= n - i) return;
    i += offset;
    size_t j = i;
    while (j < n && LexAtMostMax(items_[j].member, max)) ++j;
    *first = i;
    *last = j;
  } else {
    size_t j = n;
    while (j > 0 && !LexAtMostMax(items_[j - 1].member, max)) --j;
    if (j == 0 || !LexAtLeastMin(items_[j - 1].member, min) || offset >= j) return;
    j -= offset;
    size_t i = j;
    while (i > 0 && LexAtLeastMin(items_[i - 1].member, min)) --i;
    *first = i;
    *last = j;
  }
}

void ZSetValue::ConvertToSkiplist() {
  new_zset_ = std::make_unique<ZSet>();
  for (const ZItem& it : items_) new_zset_->Upsert(it.member, it.score);
  items_.clear();
  mutable_zset_ = new_zset_.get();
  zset_ = mutable_zset_;
}

bool ZSetValue::Upsert(std::string_view member, double score) {
  changed_ = true;
  if (!zset_) {
    const auto max_value = static_cast<size_t>(limits_->zset_max_listpack_value.load(std::memory_order_relaxed));
    if (member.size() > max_value) ConvertToSkiplist();
  }
  if (zset_) return mutable_zset_->Upsert(member, score);
  bool existed = false;
  for (size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].member == member) {
      member = items_[i].member;
      items_.erase(items_.begin() + static_cast<ptrdiff_t>(i));
      existed = true;
      break;
    }
  }
  items_.insert(items_.begin() + static_cast<ptrdiff_t>(LowerBound(score, member)), ZItem{member, score});
  const auto max_entries = static_cast<size_t>(limits_->zset_max_listpack_entries.load(std::memory_order_relaxed));
  if (items_.size() > max_entries) ConvertToSkiplist();
  return !existed;
}

bool ZSetValue::Erase(std::string_view member) {
  if (zset_) {
    bool erased = mutable_zset_->Erase(member);
    changed_ |= erased;
    return erased;
  }
  for (size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].member == member) {
      items_.erase(items_.begin() + static_cast<ptrdiff_t>(i));
      changed_ = true;
      return true;
    }
  }
  return false;
}

std::string_view ZSetValue::Own(std::string s) {
  owned_.push_back(std::make_unique<std::string>(std::move(s)));
  return *owned_.back();
}

void ZSetValue::Commit(int64_t now_ms) {
  if (!changed_) return;
  const int64_t expire = ExpireOf(slot_);
  if (size() == 0) return StoreCollection(*db_, slot_, hash_, nullptr, now_ms);
  if (new_zset_) {
    Entry* e = Entry::NewObject(key_, ValueType::kZSet, Encoding::kSkiplist, new_zset_.release(), expire);
    return StoreCollection(*db_, slot_, hash_, e, now_ms);
  }
  if (zset_) return db_->NoteWrite(key_);  // edited in place
  std::vector<std::string_view> flat;
  flat.reserve(items_.size() * 2);
  std::vector<ScoreCode> scores;
  scores.reserve(items_.size());  // never reallocated: `flat` points into it
  for (const ZItem& it : items_) {
    flat.push_back(it.member);
    flat.push_back(scores.emplace_back(it.score).bytes());
  }
  Entry* e = Entry::NewCompact(key_, ValueType::kZSet, Encoding::kListpack, EncodeListpack(flat), expire);
  StoreCollection(*db_, slot_, hash_, e, now_ms);
}

}  // namespace minired
