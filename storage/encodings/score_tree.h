// The order of a big sorted set: a B+ tree of its members by (score, member), each
// inner node counting the members under each child, so that rank, "the member at rank
// r" and "how many sort before x" take one descent.
//
// Why not Redis's skip list: a descent through a skip list of n members reads about
// 2.9 ln n nodes one after the other, each a cache miss once the set outgrows the cache
// (33 at 100,000 members); a pipelined ZADD to such a set spent over half its time
// there. This tree's nodes hold 30 entries whose scores lie side by side, so a descent
// reads 3-4 nodes, and each node's lines are independent loads that the processor
// overlaps. It also holds a member in 16 bytes of a leaf (its score and a pointer)
// where a skip list node took 40 or more (score, back pointer, 1.33 levels of forward
// pointer and span).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace minired {

// One member of a sorted set and its score: one allocation, the member's bytes inline.
// The set's member index and its tree point to the same element.
class ZElement {
 public:
  static ZElement* New(double score, std::string_view member);
  static void Free(ZElement* e) { ::operator delete(static_cast<void*>(e)); }

  double score() const { return score_; }
  std::string_view member() const { return {bytes(), len_}; }
  // The bytes before the member's: its score and length.
  static constexpr size_t kHeaderBytes = sizeof(double) + sizeof(uint32_t);

 private:
  friend class ZSet;
  const char* bytes() const { return reinterpret_cast<const char*>(&len_ + 1); }
  double score_;
  uint32_t len_;
};

class ScoreTree {
  struct Node;
  struct Leaf;

 public:
  ScoreTree();
  ScoreTree(const ScoreTree&) = delete;
  ScoreTree& operator=(const ScoreTree&) = delete;
  ~ScoreTree();  // frees the nodes; the elements belong to the caller

  size_t size() const { return size_; }
  // REQUIRES: no element with e's score and member is in the tree.
  void Insert(ZElement* e);
  // Removes the element with this score and member. REQUIRES: it is in the tree.
  void Erase(double score, std::string_view member);

  // A position in the order; false past either end.
  class Cursor {
   public:
    explicit operator bool() const { return leaf_ != nullptr; }
    const ZElement* element() const;
    double score() const { return element()->score(); }
    std::string_view member() const { return element()->member(); }
    void Next();
    void Prev();

   private:
    friend class ScoreTree;
    Cursor(const Leaf* leaf, uint32_t pos) : leaf_(leaf), pos_(pos) {}
    const Leaf* leaf_;
    uint32_t pos_;
  };
  Cursor First() const;
  Cursor Last() const;
  // REQUIRES: rank < size().
  Cursor AtRank(size_t rank) const;

  // How many elements sort before (score, member): the rank of that pair.
  size_t CountBefore(double score, std::string_view member) const;
  // How many elements have a score below x (or not above it, when `inclusive`).
  size_t CountScoreBelow(double x, bool inclusive) const;
  // How many members are below m (or not above it); meaningful when all scores are
  // equal, as Redis's lex commands assume.
  size_t CountMemberBelow(std::string_view m, bool inclusive) const;

  // Bytes of the tree's nodes (not the elements).
  size_t NodeBytes() const;
  size_t leaf_count() const { return leaves_; }
  // Checks every invariant (order, counts, the inner nodes' keys, fill, the leaves'
  // links); for tests.
  bool Valid() const;

 private:
  struct Inner;
  template <typename Below>
  size_t CountWhile(Below below) const;
  Node* InsertInto(Node* node, int height, ZElement* e);  // the new right sibling if `node` split
  void EraseFrom(Node* node, int height, double score, std::string_view member);
  void Rebalance(Inner* parent, uint32_t idx, int child_height);
  static void Move(Node* from, uint32_t fpos, Node* to, uint32_t tpos, uint32_t n, bool inner);
  static Node* SplitFull(Node* n, Node* right, uint32_t* pos, bool inner);
  static size_t SubtreeSize(const Node* node, int height);
  static void SetKey(Inner* in, uint32_t idx);
  static void FreeSubtree(Node* node, int height);
  bool ValidSubtree(const Node* node, int height, bool is_root, size_t* count,
                    const Leaf** prev_leaf) const;

  Node* root_;
  int height_ = 0;  // 0: the root is a leaf
  size_t size_ = 0;
  const Leaf* first_;
  const Leaf* last_;
  size_t leaves_ = 1;
  size_t inners_ = 0;
};

}  // namespace minired
