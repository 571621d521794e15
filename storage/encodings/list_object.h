// The full ("quicklist") encoding of lists: a sequence of nodes, each one buffer of up
// to 4 KB holding elements packed end to end.
//
// Why not a deque of strings (what this was): a std::string is 32 bytes before its
// text, and text past 15 bytes is a heap block of its own, so a 12-byte element took 32
// bytes where Redis's quicklist takes 14 (listpack entries of about 8 KB).
//
// An element is a header, a varint: its length << 1, then its bytes; or, for a number
// written as Redis writes integers (digits, no sign, no leading zero, at most
// INT64_MAX), the number << 1 | 1 and no bytes. Then the header's and bytes' size again,
// a varint written backwards, so that the element before a position is found without
// scanning (Redis's listpack "backlen"). A 12-byte string takes 14 bytes, as in Redis;
// a product id below 1,048,576 takes 4 (Redis: 5, its 24-bit integer).
//
// A node keeps its free space at either end (head and tail offsets into its block), so
// a push at the front writes below the head without moving what the node holds; a node
// that runs out of room at one end moves its contents once, leaving half the free space
// at each end, or grows, or the push starts a new node. A full node is one 4 KB block
// that the allocator rounds up by nothing. The price is the one Redis pays: the element
// at an index is found by walking the nodes' counts from the nearer end, then the
// node's elements, so LINDEX and LSET are O(n / 290) plus O(290).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/numbers.h"
#include "storage/varint.h"

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
    for (; first != last; ++first) b.AddNew(std::string_view(*first));
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
  // REQUIRES: i < size().
  std::string At(size_t i) const;
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

  // Visits elements [from, to] in order. The view lasts for the call. REQUIRES:
  // from <= to < size().
  template <typename Visit>  // Visit(std::string_view)
  void ForRange(size_t from, size_t to, Visit visit) const {
    auto [n, skip] = Locate(from);
    size_t left = to - from + 1;
    char digits[kMaxInt64Chars];
    for (; left > 0; ++n, skip = 0) {
      const Node& node = nodes_[n];
      const char* p = node.buf + node.head;
      for (size_t i = 0; i < skip; ++i) p = Decode(p).next;
      for (size_t i = skip; i < node.count && left > 0; ++i, --left) {
        const Decoded d = Decode(p);
        visit(d.Text(digits));
        p = d.next;
      }
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

  // One element as read from a node.
  struct Decoded {
    bool is_int;
    uint64_t number;        // when is_int
    std::string_view text;  // when not
    const char* next;       // where the element after it starts
    // The element as text: its bytes, or its number written into `digits`.
    std::string_view Text(char* digits) const {
      return is_int ? FormatNumber(number, digits) : text;
    }
  };
  static Decoded Decode(const char* p) {
    uint64_t h;
    const char* q = p + GetVarint(reinterpret_cast<const uint8_t*>(p), &h);
    Decoded d;
    d.is_int = h & 1;
    d.number = h >> 1;
    if (!d.is_int) {
      d.text = std::string_view(q, h >> 1);
      q += h >> 1;
    }
    const auto size = static_cast<uint64_t>(q - p);
    d.next = q + VarintSize(size);
    return d;
  }
  // Where the element that ends at `end` starts.
  static const char* StartBefore(const char* end);
  static std::string_view FormatNumber(uint64_t v, char* digits);

  // What an element to be written becomes: its header, and the sizes of its parts.
  struct Encoding {
    explicit Encoding(std::string_view e);
    uint64_t header;
    size_t header_bytes, text_bytes, back_bytes;
    size_t size() const { return header_bytes + text_bytes + back_bytes; }
  };
  // Writes `e` at p. REQUIRES: `enc` is Encoding(e) and p has enc.size() bytes.
  static void Write(char* p, std::string_view e, const Encoding& enc);

  // An element on its way into a rebuilt node: the encoded bytes of one already in a
  // node (copied as they are), or new text to encode.
  struct Item {
    std::string_view encoded;
    std::string_view text;
  };

  // Packs elements into new full nodes appended to `out`. The views must outlive
  // Finish(); each node's block is sized to what it holds.
  class Builder {
   public:
    explicit Builder(std::vector<Node>* out) : out_(out) {}
    void AddNew(std::string_view e) { Add(Item{{}, e}); }
    void Add(const Item& item);
    void Finish();
    size_t added() const { return added_; }

   private:
    std::vector<Node>* out_;
    std::vector<Item> pending_;
    size_t pending_bytes_ = 0;
    size_t added_ = 0;
  };

  // Compares elements with one value without writing numbers out: a number is only
  // ever stored as a number, so text that reads as one can only equal a number.
  class Matcher {
   public:
    explicit Matcher(std::string_view target);
    bool Matches(const Decoded& d) const {
      return d.is_int == is_int_ && (is_int_ ? d.number == number_ : d.text == text_);
    }

   private:
    bool is_int_;
    uint64_t number_ = 0;
    std::string_view text_;
  };

  Node& front() { return nodes_[first_]; }
  Node& back() { return nodes_.back(); }
  // The node holding element i and i's index in it.
  std::pair<size_t, size_t> Locate(size_t i) const;
  // Where element j of a node starts.
  static const char* ElementStart(const Node& n, size_t j);
  // Makes room for `need` bytes before a node's head (after its tail); false when the
  // node cannot take them.
  static bool MakeRoom(Node& n, size_t need, bool front);
  void AddNode(size_t need, bool front);
  // Removes k elements at the front or the back, whole nodes at a time where it can.
  void EraseEnd(size_t k, bool at_front);
  void DropFront();
  void DropBack();
  // Replaces node n with the nodes that hold `items` (none when it is empty).
  void ReplaceNode(size_t n, const std::vector<Item>& items);
  static std::vector<Item> Items(const Node& n);
  static void Free(Node& n);

  // Nodes [first_, size()) are the list's; the ones before are room for nodes pushed
  // at the front, so that dropping or adding the first node is O(1) amortized.
  std::vector<Node> nodes_;
  size_t first_ = 0;
  size_t size_ = 0;
};

}  // namespace minired
