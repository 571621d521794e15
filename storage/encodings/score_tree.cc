#include "storage/encodings/score_tree.h"

#include <algorithm>
#include <cstring>

#include "storage/memory.h"

namespace minired {
namespace {

// Entries a node holds: 30 make a leaf 504 bytes and an inner node 968, which the
// allocator's size classes of 512 and 1,024 bytes hold with little to spare (32 would
// take 640 and 1,280).
constexpr uint32_t kCap = 30;
constexpr uint32_t kMinFill = kCap / 4;  // below this a node other than the root borrows or merges

// The order of a sorted set: by score, then by member.
bool SortsBefore(double score, std::string_view member, double other_score,
                 std::string_view other_member) {
  return score < other_score || (score == other_score && member < other_member);
}

// Where a full node splits for an entry that goes to position `pos`: in half, but
// unevenly at either end, so that members added in order of score (timestamps, counters)
// leave nodes three quarters full rather than half.
uint32_t SplitPoint(uint32_t pos) {
  // At an end the new entry joins kMinFill - 1 others in the right node (or the left).
  if (pos == kCap) return kCap - (kMinFill - 1);
  if (pos == 0) return kMinFill - 1;
  return kCap / 2;
}

}  // namespace

ZElement* ZElement::New(double score, std::string_view member) {
  auto* e = static_cast<ZElement*>(
      ::operator new(std::max(sizeof(ZElement), kHeaderBytes + member.size())));
  e->score_ = score;
  e->len_ = static_cast<uint32_t>(member.size());
  if (!member.empty()) memcpy(const_cast<char*>(e->bytes()), member.data(), member.size());
  return e;
}

// What leaves and inner nodes share: their entries in order, the scores side by side so
// that a node's comparisons load its lines independently of each other. An inner node's
// entry i is the least element under its child i.
struct ScoreTree::Node {
  uint32_t count = 0;
  double scores[kCap];
  ZElement* elems[kCap];
};

struct ScoreTree::Leaf : Node {
  Leaf* prev = nullptr;
  Leaf* next = nullptr;
};

struct ScoreTree::Inner : Node {
  Node* children[kCap];
  size_t sizes[kCap];  // elements under each child
};

namespace {

// Entries of `n` that sort before (score, member).
template <typename N>
uint32_t PositionOf(const N* n, double score, std::string_view member) {
  uint32_t pos = 0;
  for (uint32_t i = 0; i < n->count; ++i) pos += n->scores[i] < score;
  while (pos < n->count && n->scores[pos] == score && n->elems[pos]->member() < member) ++pos;
  return pos;
}

// The child whose range holds (score, member): the last whose least entry is not after it.
template <typename N>
uint32_t ChildFor(const N* n, double score, std::string_view member) {
  const uint32_t pos = PositionOf(n, score, member);
  if (pos < n->count && n->scores[pos] == score && n->elems[pos]->member() == member) return pos;
  return pos == 0 ? 0 : pos - 1;
}

}  // namespace

const ZElement* ScoreTree::Cursor::element() const { return leaf_->elems[pos_]; }

void ScoreTree::Cursor::Next() {
  if (++pos_ == leaf_->count) {
    leaf_ = leaf_->next;
    pos_ = 0;
  }
}

void ScoreTree::Cursor::Prev() {
  if (pos_ > 0) {
    --pos_;
    return;
  }
  leaf_ = leaf_->prev;
  pos_ = leaf_ != nullptr ? leaf_->count - 1 : 0;
}

ScoreTree::ScoreTree() {
  Leaf* leaf = new Leaf;
  root_ = leaf;
  first_ = last_ = leaf;
}

ScoreTree::~ScoreTree() { FreeSubtree(root_, height_); }

void ScoreTree::FreeSubtree(Node* node, int height) {
  if (height == 0) {
    delete static_cast<Leaf*>(node);
    return;
  }
  Inner* in = static_cast<Inner*>(node);
  for (uint32_t i = 0; i < in->count; ++i) FreeSubtree(in->children[i], height - 1);
  delete in;
}

// Moves n entries (an inner node's children and sizes with them) from `from` at fpos to
// `to` at tpos; the ranges may overlap. The counts are the caller's.
void ScoreTree::Move(Node* from, uint32_t fpos, Node* to, uint32_t tpos, uint32_t n, bool inner) {
  if (n == 0) return;
  memmove(to->scores + tpos, from->scores + fpos, n * sizeof(double));
  memmove(to->elems + tpos, from->elems + fpos, n * sizeof(ZElement*));
  if (inner) {
    auto* f = static_cast<Inner*>(from);
    auto* t = static_cast<Inner*>(to);
    memmove(t->children + tpos, f->children + fpos, n * sizeof(Node*));
    memmove(t->sizes + tpos, f->sizes + fpos, n * sizeof(size_t));
  }
}

// Moves the upper entries of the full node `n` to the empty `right`, split where
// SplitPoint says for an entry bound for position *pos; returns the node that entry goes
// to, *pos its position there.
ScoreTree::Node* ScoreTree::SplitFull(Node* n, Node* right, uint32_t* pos, bool inner) {
  const uint32_t keep = SplitPoint(*pos);
  Move(n, keep, right, 0, kCap - keep, inner);
  right->count = kCap - keep;
  n->count = keep;
  if (*pos <= keep) return n;
  *pos -= keep;
  return right;
}

size_t ScoreTree::SubtreeSize(const Node* node, int height) {
  if (height == 0) return node->count;
  const auto* in = static_cast<const Inner*>(node);
  size_t n = 0;
  for (uint32_t i = 0; i < in->count; ++i) n += in->sizes[i];
  return n;
}

void ScoreTree::SetKey(Inner* in, uint32_t idx) {
  const Node* child = in->children[idx];
  in->scores[idx] = child->scores[0];
  in->elems[idx] = child->elems[0];
}

void ScoreTree::Insert(ZElement* e) {
  Node* split = InsertInto(root_, height_, e);
  ++size_;
  if (split == nullptr) return;
  // The root split: a new root above the two halves.
  Inner* root = new Inner;
  ++inners_;
  root->count = 2;
  root->children[0] = root_;
  root->children[1] = split;
  root->sizes[0] = SubtreeSize(root_, height_);
  root->sizes[1] = SubtreeSize(split, height_);
  SetKey(root, 0);
  SetKey(root, 1);
  root_ = root;
  ++height_;
}

ScoreTree::Node* ScoreTree::InsertInto(Node* node, int height, ZElement* e) {
  if (height == 0) {
    Leaf* leaf = static_cast<Leaf*>(node);
    uint32_t pos = PositionOf(leaf, e->score(), e->member());
    Leaf* right = nullptr;
    if (leaf->count == kCap) {
      right = new Leaf;
      ++leaves_;
      right->prev = leaf;
      right->next = leaf->next;
      if (leaf->next != nullptr) {
        leaf->next->prev = right;
      } else {
        last_ = right;
      }
      leaf->next = right;
      leaf = static_cast<Leaf*>(SplitFull(leaf, right, &pos, false));
    }
    Move(leaf, pos, leaf, pos + 1, leaf->count - pos, false);
    leaf->scores[pos] = e->score();
    leaf->elems[pos] = e;
    ++leaf->count;
    return right;
  }

  Inner* in = static_cast<Inner*>(node);
  const uint32_t idx = ChildFor(in, e->score(), e->member());
  Node* split = InsertInto(in->children[idx], height - 1, e);
  ++in->sizes[idx];
  SetKey(in, idx);  // e may be its child's least element now
  if (split == nullptr) return nullptr;
  const size_t split_size = SubtreeSize(split, height - 1);
  in->sizes[idx] -= split_size;
  Inner* target = in;
  uint32_t at = idx + 1;
  Inner* right = nullptr;
  if (in->count == kCap) {
    right = new Inner;
    ++inners_;
    target = static_cast<Inner*>(SplitFull(in, right, &at, true));
  }
  Move(target, at, target, at + 1, target->count - at, true);
  target->children[at] = split;
  target->sizes[at] = split_size;
  ++target->count;
  SetKey(target, at);
  return right;
}

void ScoreTree::Erase(double score, std::string_view member) {
  EraseFrom(root_, height_, score, member);
  --size_;
  while (height_ > 0 && root_->count == 1) {  // a root of one child gives way to it
    Inner* old = static_cast<Inner*>(root_);
    root_ = old->children[0];
    delete old;
    --inners_;
    --height_;
  }
}

void ScoreTree::EraseFrom(Node* node, int height, double score, std::string_view member) {
  if (height == 0) {
    const uint32_t pos = PositionOf(node, score, member);
    Move(node, pos + 1, node, pos, node->count - pos - 1, false);
    --node->count;
    return;
  }
  Inner* in = static_cast<Inner*>(node);
  const uint32_t idx = ChildFor(in, score, member);
  Node* child = in->children[idx];
  EraseFrom(child, height - 1, score, member);
  --in->sizes[idx];
  if (child->count < kMinFill && in->count > 1) {
    Rebalance(in, idx, height - 1);
  } else if (child->count > 0) {
    SetKey(in, idx);
  }
}

// Child idx of `parent` fell below kMinFill: it merges with a neighbour when both fit in
// one node, else takes entries from it so that the two hold half each.
void ScoreTree::Rebalance(Inner* parent, uint32_t idx, int child_height) {
  const uint32_t l = idx > 0 ? idx - 1 : idx;
  const uint32_t r = l + 1;
  Node* a = parent->children[l];
  Node* b = parent->children[r];
  const bool inner = child_height > 0;
  if (a->count + b->count <= kCap) {
    Move(b, 0, a, a->count, b->count, inner);
    a->count += b->count;
    if (inner) {
      delete static_cast<Inner*>(b);
      --inners_;
    } else {
      Leaf* la = static_cast<Leaf*>(a);
      Leaf* lb = static_cast<Leaf*>(b);
      la->next = lb->next;
      if (lb->next != nullptr) {
        lb->next->prev = la;
      } else {
        last_ = la;
      }
      delete lb;
      --leaves_;
    }
    parent->sizes[l] += parent->sizes[r];
    Move(parent, r + 1, parent, r, parent->count - r - 1, true);
    --parent->count;
    SetKey(parent, l);
    return;
  }
  const uint32_t want_a = (a->count + b->count) / 2;
  if (a->count < want_a) {
    const uint32_t n = want_a - a->count;
    Move(b, 0, a, a->count, n, inner);
    Move(b, n, b, 0, b->count - n, inner);
    a->count += n;
    b->count -= n;
  } else {
    const uint32_t n = a->count - want_a;
    Move(b, 0, b, n, b->count, inner);
    Move(a, want_a, b, 0, n, inner);
    a->count -= n;
    b->count += n;
  }
  parent->sizes[l] = SubtreeSize(a, child_height);
  parent->sizes[r] = SubtreeSize(b, child_height);
  SetKey(parent, l);
  SetKey(parent, r);
}

ScoreTree::Cursor ScoreTree::First() const {
  return size_ == 0 ? Cursor(nullptr, 0) : Cursor(first_, 0);
}

ScoreTree::Cursor ScoreTree::Last() const {
  return size_ == 0 ? Cursor(nullptr, 0) : Cursor(last_, last_->count - 1);
}

ScoreTree::Cursor ScoreTree::AtRank(size_t rank) const {
  const Node* node = root_;
  for (int h = height_; h > 0; --h) {
    const auto* in = static_cast<const Inner*>(node);
    uint32_t idx = 0;
    while (idx + 1 < in->count && rank >= in->sizes[idx]) rank -= in->sizes[idx++];
    node = in->children[idx];
  }
  return Cursor(static_cast<const Leaf*>(node), static_cast<uint32_t>(rank));
}

// Elements for which below(score, element) holds, given that it holds for a prefix of
// the order: at each inner node, the children before the last whose least entry is
// below are wholly below, the ones after it not at all.
template <typename Below>
size_t ScoreTree::CountWhile(Below below) const {
  size_t n = 0;
  const Node* node = root_;
  // The entries of `node` that are below, by halving (the predicate may read members).
  auto count_below = [&](const Node* x) {
    uint32_t lo = 0, hi = x->count;
    while (lo < hi) {
      const uint32_t mid = (lo + hi) / 2;
      if (below(x->scores[mid], x->elems[mid])) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  };
  for (int h = height_; h > 0; --h) {
    const auto* in = static_cast<const Inner*>(node);
    const uint32_t t = count_below(in);
    const uint32_t idx = t == 0 ? 0 : t - 1;
    for (uint32_t i = 0; i < idx; ++i) n += in->sizes[i];
    node = in->children[idx];
  }
  return n + count_below(node);
}

size_t ScoreTree::CountBefore(double score, std::string_view member) const {
  return CountWhile(
      [&](double s, const ZElement* e) { return SortsBefore(s, e->member(), score, member); });
}

size_t ScoreTree::CountScoreBelow(double x, bool inclusive) const {
  return CountWhile([&](double s, const ZElement*) { return s < x || (inclusive && s == x); });
}

size_t ScoreTree::CountMemberBelow(std::string_view m, bool inclusive) const {
  return CountWhile([&](double, const ZElement* e) {
    const int c = e->member().compare(m);
    return c < 0 || (inclusive && c == 0);
  });
}

size_t ScoreTree::NodeBytes() const {
  // Every node of a kind is one allocation of the same size.
  return leaves_ * AllocationSizeFor(sizeof(Leaf)) + inners_ * AllocationSizeFor(sizeof(Inner));
}

bool ScoreTree::Valid() const {
  size_t count = 0;
  const Leaf* prev_leaf = nullptr;
  if (!ValidSubtree(root_, height_, true, &count, &prev_leaf)) return false;
  if (count != size_ || prev_leaf != last_ || last_->next != nullptr || first_->prev != nullptr)
    return false;
  // The leaves' chain holds every element in order.
  size_t seen = 0;
  const ZElement* before = nullptr;
  for (Cursor c = First(); c; c.Next(), ++seen) {
    const ZElement* e = c.element();
    if (before != nullptr &&
        !SortsBefore(before->score(), before->member(), e->score(), e->member())) {
      return false;
    }
    before = e;
  }
  return seen == size_;
}

bool ScoreTree::ValidSubtree(const Node* node, int height, bool is_root, size_t* count,
                             const Leaf** prev_leaf) const {
  if (node->count > kCap) return false;
  if (!is_root && node->count < kMinFill) return false;
  for (uint32_t i = 0; i < node->count; ++i) {
    if (node->scores[i] != node->elems[i]->score()) return false;
  }
  if (height == 0) {
    const Leaf* leaf = static_cast<const Leaf*>(node);
    if (leaf->prev != *prev_leaf || (*prev_leaf == nullptr && leaf != first_)) return false;
    if (*prev_leaf != nullptr && (*prev_leaf)->next != leaf) return false;
    *prev_leaf = leaf;
    *count += leaf->count;
    return true;
  }
  const Inner* in = static_cast<const Inner*>(node);
  if (is_root && in->count < 2) return false;
  for (uint32_t i = 0; i < in->count; ++i) {
    const Node* child = in->children[i];
    if (in->elems[i] != child->elems[0]) return false;
    size_t under = 0;
    if (!ValidSubtree(child, height - 1, false, &under, prev_leaf)) return false;
    if (under != in->sizes[i]) return false;
    *count += under;
  }
  return true;
}

}  // namespace minired
