// The full ("quicklist") encoding of lists: a sequence of nodes, each one buffer of up
// to 4 KB holding elements packed end to end.
//
// Why not a deque of strings (what this was): a std::string is 32 bytes before its
// text, and text past 15 bytes is a heap block of its own, so a 12-byte element took 32
// bytes where Redis's quicklist takes 14 (listpack entries of about 8 KB). Here an
// element is its bytes between two copies of its length (a varint before, the same
// bytes reversed after), 14 bytes for those 12, and a full node is one 4 KB block that
// the allocator rounds up by nothing. The length at both ends lets a pop at either end,
// and a walk in either direction, read an element without scanning its node.
//
// A node keeps its free space at either end (head and tail offsets into its block), so
// a push at the front writes below the head without moving what the node holds; a node
// that runs out of room at one end moves its contents once, leaving half the free space
// at each end, or grows, or the push starts a new node. The price is the one Redis
// pays: the element at an index is found by walking the nodes' counts from the nearer
// end, then the node's elements, so LINDEX and LSET are O(n / 290) plus O(290).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace minired {

class ListObject {
 public:
  // The most a node's block holds, but for a node of one element bigger than this.
  static constexpr size_t kNodeBytes = 4096;

  ListObject() = default;
  ListObject(std::initializer_list<std::string_view> elements);
  // From a range of strings or string views, packed into full nodes.
  template <typename It>
  ListObject(It first, It last) {
    Builder b(&nodes_);
    for (; first != last; ++first) b.Add(std::string_view(*first));
    b.Finish();
    size_ = b.added();
  }
  ListObject(const ListObject& other);
  ListObject& operator=(const ListObject&) = delete;
  ~ListObject();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void PushFront(std::string_view e);
  void PushBack(std::string_view e);
  // REQUIRES: !empty().
  std::string PopFront();
  std::string PopBack();
  // REQUIRES: i < size(). The view lives until the list changes.
  std::string_view At(size_t i) const;
  // Replaces element i. REQUIRES: i < size().
  void Set(size_t i, std::string_view e);
  // Makes `e` element i, after i elements. REQUIRES: i <= size().
  void Insert(size_t i, std::string_view e);
  // Removes the first (last) n elements. REQUIRES: n <= size().
  void EraseFront(size_t n);
  void EraseBack(size_t n);
  void Clear();

  // The index of the first element equal to `e`, or npos.
  static constexpr size_t npos = static_cast<size_t>(-1);
  size_t Find(std::string_view e) const;
  // Removes up to `limit` elements equal to `target`: the first ones, or with
  // `from_tail` the last ones. Returns how many went. One pass over the list (two with
  // from_tail); nodes without a match are kept as they are.
  size_t RemoveMatches(std::string_view target, uint64_t limit, bool from_tail);

  // Visits elements [from, to] in order. REQUIRES: from <= to < size().
  template <typename Visit>  // Visit(std::string_view)
  void ForRange(size_t from, size_t to, Visit visit) const {
    auto [n, skip] = Locate(from);
    size_t left = to - from + 1;
    for (; left > 0; ++n, skip = 0) {
      const Node& node = nodes_[n];
      const char* p = node.buf + node.head;
      for (size_t i = 0; i < skip; ++i) ReadForward(p, &p);
      for (size_t i = skip; i < node.count && left > 0; ++i, --left) visit(ReadForward(p, &p));
    }
  }
  template <typename Visit>
  void ForEach(Visit visit) const {
    if (size_ > 0) ForRange(0, size_ - 1, visit);
  }

  // Bytes the list holds: this object, the node array and the nodes' blocks, as the
  // allocator counts them.
  size_t MemoryBytes() const;
  size_t node_count() const { return nodes_.size() - first_; }
  // Every node's count, offsets and encoding agree with size() (for the tests).
  bool Valid() const;

 private:
  struct Node {
    char* buf = nullptr;
    size_t cap = 0;   // bytes in buf
    size_t head = 0;  // the first element starts here...
    size_t tail = 0;  // ...and the last ends here
    size_t count = 0;
    size_t used() const { return tail - head; }
  };

  // Packs elements into new full nodes appended to `out`. The views must outlive
  // Finish(); each node's block is sized to what it holds.
  class Builder {
   public:
    explicit Builder(std::vector<Node>* out) : out_(out) {}
    void Add(std::string_view e);
    void Finish();
    size_t added() const { return added_; }

   private:
    std::vector<Node>* out_;
    std::vector<std::string_view> pending_;
    size_t pending_bytes_ = 0;
    size_t added_ = 0;
  };

  // The element that starts at p; *next is where the one after it starts.
  static std::string_view ReadForward(const char* p, const char** next) {
    size_t len = 0;
    int shift = 0;
    uint8_t b;
    do {
      b = static_cast<uint8_t>(*p++);
      len |= static_cast<size_t>(b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    std::string_view e(p, len);
    *next = p + len + (shift / 7);
    return e;
  }
  // The element that ends at `end`; *start is where it starts.
  static std::string_view ReadBackward(const char* end, const char** start);

  Node& front() { return nodes_[first_]; }
  Node& back() { return nodes_.back(); }
  // The node holding element i and i's index in it.
  std::pair<size_t, size_t> Locate(size_t i) const;
  // Makes room for `need` bytes before a node's head (after its tail); false when the
  // node cannot take them.
  static bool MakeRoom(Node& n, size_t need, bool front);
  void AddNode(size_t need, bool front);
  void DropFront();
  void DropBack();
  // Replaces node n with the nodes that hold `elements` (none when it is empty).
  void ReplaceNode(size_t n, const std::vector<std::string_view>& elements);
  static std::vector<std::string_view> Elements(const Node& n);
  static void Free(Node& n);

  // Nodes [first_, size()) are the list's; the ones before are room for nodes pushed
  // at the front, so that dropping or adding the first node is O(1) amortized.
  std::vector<Node> nodes_;
  size_t first_ = 0;
  size_t size_ = 0;
};

}  // namespace minired
