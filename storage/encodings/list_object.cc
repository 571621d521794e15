#include "storage/encodings/list_object.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "storage/memory.h"

namespace minired {

namespace {

// The smallest block of the first node: a list just past its listpack limit starts
// small and doubles up to kNodeBytes.
constexpr size_t kFirstNodeBytes = 256;

// The number `s` writes, when it writes one as Redis does (ParseInt64's rule: no leading
// zero, no '+') and without a sign: only then does it read back as the same text.
bool ParseNumber(std::string_view s, uint64_t* v) {
  int64_t n;
  if (s.empty() || s[0] < '0' || s[0] > '9' || !ParseInt64(s, &n)) return false;
  *v = static_cast<uint64_t>(n);
  return true;
}

char* AllocateBlock(size_t bytes) { return static_cast<char*>(::operator new(bytes)); }

}  // namespace

ListObject::Encoding::Encoding(std::string_view e) {
  uint64_t number;
  if (ParseNumber(e, &number)) {
    header = number << 1 | 1;
    text_bytes = 0;
  } else {
    header = static_cast<uint64_t>(e.size()) << 1;
    text_bytes = e.size();
  }
  header_bytes = VarintSize(header);
  const size_t size = header_bytes + text_bytes;
  back_bytes = VarintSize(size);
}

void ListObject::Write(char* p, std::string_view e, const Encoding& enc) {
  p += PutVarint(reinterpret_cast<uint8_t*>(p), enc.header);
  if (enc.text_bytes > 0) {
    std::memcpy(p, e.data(), enc.text_bytes);
    p += enc.text_bytes;
  }
  // The size of header and text as a varint read backwards: its low 7 bits last.
  uint64_t size = enc.header_bytes + enc.text_bytes;
  for (size_t i = enc.back_bytes; i-- > 0; size >>= 7) {
    p[i] = static_cast<char>((size & 0x7f) | (i > 0 ? 0x80 : 0));
  }
}

const char* ListObject::StartBefore(const char* end) {
  // The back varint's low 7 bits are its last byte; a set top bit says more lie before.
  uint64_t size = 0;
  int shift = 0;
  uint8_t b;
  do {
    b = static_cast<uint8_t>(*--end);
    size |= static_cast<uint64_t>(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return end - size;
}

std::string_view ListObject::FormatNumber(uint64_t v, char* digits) {
  // A stored number is at most INT64_MAX.
  return {digits, FormatInt64(static_cast<int64_t>(v), digits)};
}

void ListObject::Builder::Add(const Item& item) {
  const size_t need = item.encoded.empty() ? Encoding(item.text).size() : item.encoded.size();
  if (!pending_.empty() && pending_bytes_ + need > kNodeBytes) Finish();
  pending_.push_back(item);
  pending_bytes_ += need;
  ++added_;
}

void ListObject::Builder::Finish() {
  if (pending_.empty()) return;
  Node n;
  n.cap = AllocationSizeFor(pending_bytes_);
  n.buf = AllocateBlock(n.cap);
  for (const Item& item : pending_) {
    if (!item.encoded.empty()) {
      std::memcpy(n.buf + n.tail, item.encoded.data(), item.encoded.size());
      n.tail += item.encoded.size();
    } else {
      const Encoding enc(item.text);
      Write(n.buf + n.tail, item.text, enc);
      n.tail += enc.size();
    }
  }
  n.count = pending_.size();
  out_->push_back(n);
  pending_.clear();
  pending_bytes_ = 0;
}

ListObject::ListObject(std::initializer_list<std::string_view> elements)
    : ListObject(elements.begin(), elements.end()) {}

ListObject::ListObject(const ListObject& other) : size_(other.size_) {
  nodes_.reserve(other.node_count());
  for (size_t i = other.first_; i < other.nodes_.size(); ++i) {
    const Node& from = other.nodes_[i];
    Node n;
    n.cap = AllocationSizeFor(from.used());
    n.buf = AllocateBlock(n.cap);
    std::memcpy(n.buf, from.buf + from.head, from.used());
    n.tail = from.used();
    n.count = from.count;
    nodes_.push_back(n);
  }
}

ListObject::~ListObject() { Clear(); }

void ListObject::Free(Node& n) {
  ::operator delete(n.buf);
  n.buf = nullptr;
}

void ListObject::Clear() {
  for (size_t i = first_; i < nodes_.size(); ++i) Free(nodes_[i]);
  nodes_.clear();
  nodes_.shrink_to_fit();
  first_ = 0;
  size_ = 0;
}

bool ListObject::MakeRoom(Node& n, size_t need, bool front) {
  if ((front ? n.head : n.cap - n.tail) >= need) return true;
  const size_t used = n.used();
  size_t cap = n.cap;
  if (used + need > cap) {
    // Grow, doubling, a node that has not reached kNodeBytes; a full one (or one
    // holding a single big element) takes no more.
    if (used + need > kNodeBytes) return false;
    cap = AllocationSizeFor(std::min(kNodeBytes, std::max(2 * cap, used + need)));
  }
  // The free space goes to the end that needs it, and half of what is left over to
  // the other, so that pushes alternating between the ends move the contents rarely.
  const size_t spare = cap - used - need;
  const size_t head = front ? need + spare / 2 : spare - spare / 2;
  if (cap == n.cap) {
    std::memmove(n.buf + head, n.buf + n.head, used);
  } else {
    char* buf = AllocateBlock(cap);
    std::memcpy(buf + head, n.buf + n.head, used);
    ::operator delete(n.buf);
    n.buf = buf;
    n.cap = cap;
  }
  n.head = head;
  n.tail = head + used;
  return true;
}

void ListObject::AddNode(size_t need, bool front) {
  Node n;
  // The first node starts small (a list just past the listpack limit); the ones after
  // it are the nodes of a list that filled one already.
  n.cap = AllocationSizeFor(std::max(need, node_count() == 0 ? kFirstNodeBytes : kNodeBytes));
  n.buf = AllocateBlock(n.cap);
  n.head = n.tail = front ? n.cap : 0;
  if (!front) return nodes_.push_back(n);
  if (first_ == 0) {
    // Room for as many nodes again before the first, so that a list growing at its
    // head inserts at the front of the array once per doubling.
    const size_t gap = std::max<size_t>(4, node_count());
    nodes_.insert(nodes_.begin(), gap, Node{});
    first_ = gap;
  }
  nodes_[--first_] = n;
}

void ListObject::DropFront() {
  Free(nodes_[first_]);
  ++first_;
  if (first_ == nodes_.size()) {
    nodes_.clear();
    first_ = 0;
  } else if (first_ > 16 && first_ > node_count()) {
    // More room before the nodes than nodes: give it back.
    nodes_.erase(nodes_.begin(), nodes_.begin() + static_cast<ptrdiff_t>(first_));
    first_ = 0;
  }
}

void ListObject::DropBack() {
  Free(nodes_.back());
  nodes_.pop_back();
  if (nodes_.size() == first_) {
    nodes_.clear();
    first_ = 0;
  }
}

void ListObject::PushFront(std::string_view e) {
  const Encoding enc(e);
  if (node_count() == 0 || !MakeRoom(front(), enc.size(), true)) AddNode(enc.size(), true);
  Node& n = front();
  n.head -= enc.size();
  Write(n.buf + n.head, e, enc);
  ++n.count;
  ++size_;
}

void ListObject::PushBack(std::string_view e) {
  const Encoding enc(e);
  if (node_count() == 0 || !MakeRoom(back(), enc.size(), false)) AddNode(enc.size(), false);
  Node& n = back();
  Write(n.buf + n.tail, e, enc);
  n.tail += enc.size();
  ++n.count;
  ++size_;
}

std::string ListObject::PopFront() {
  Node& n = front();
  const Decoded d = Decode(n.buf + n.head);
  char digits[kMaxInt64Chars];
  std::string out(d.Text(digits));
  n.head = static_cast<size_t>(d.next - n.buf);
  --size_;
  if (--n.count == 0) DropFront();
  return out;
}

std::string ListObject::PopBack() {
  Node& n = back();
  const char* start = StartBefore(n.buf + n.tail);
  char digits[kMaxInt64Chars];
  std::string out(Decode(start).Text(digits));
  n.tail = static_cast<size_t>(start - n.buf);
  --size_;
  if (--n.count == 0) DropBack();
  return out;
}

std::pair<size_t, size_t> ListObject::Locate(size_t i) const {
  if (i < size_ / 2) {
    size_t n = first_;
    for (; i >= nodes_[n].count; ++n) i -= nodes_[n].count;
    return {n, i};
  }
  size_t from_end = size_ - 1 - i;  // elements after i
  size_t n = nodes_.size() - 1;
  for (; from_end >= nodes_[n].count; --n) from_end -= nodes_[n].count;
  return {n, nodes_[n].count - 1 - from_end};
}

const char* ListObject::ElementStart(const Node& n, size_t j) {
  const char* p;
  if (j < n.count / 2) {
    p = n.buf + n.head;
    for (size_t k = 0; k < j; ++k) p = Decode(p).next;
    return p;
  }
  p = n.buf + n.tail;
  for (size_t k = n.count; k > j; --k) p = StartBefore(p);
  return p;
}

std::string ListObject::At(size_t i) const {
  auto [n, j] = Locate(i);
  char digits[kMaxInt64Chars];
  return std::string(Decode(ElementStart(nodes_[n], j)).Text(digits));
}

std::vector<ListObject::Item> ListObject::Items(const Node& n) {
  std::vector<Item> out;
  out.reserve(n.count);
  const char* p = n.buf + n.head;
  for (size_t i = 0; i < n.count; ++i) {
    const char* next = Decode(p).next;
    out.push_back(Item{std::string_view(p, static_cast<size_t>(next - p)), {}});
    p = next;
  }
  return out;
}

void ListObject::ReplaceNode(size_t n, const std::vector<Item>& items) {
  std::vector<Node> built;
  Builder b(&built);
  for (const Item& item : items) b.Add(item);
  b.Finish();
  Free(nodes_[n]);  // after building: `items` point into it
  auto at = nodes_.begin() + static_cast<ptrdiff_t>(n);
  if (built.empty()) {
    nodes_.erase(at);
    if (nodes_.size() == first_) Clear();
    return;
  }
  *at = built[0];
  nodes_.insert(at + 1, built.begin() + 1, built.end());
}

void ListObject::Set(size_t i, std::string_view e) {
  auto [n, j] = Locate(i);
  const char* at = ElementStart(nodes_[n], j);
  const Encoding enc(e);
  if (static_cast<size_t>(Decode(at).next - at) == enc.size()) {
    // The same size: overwrite the bytes in place, the node's other elements untouched.
    Write(const_cast<char*>(at), e, enc);
    return;
  }
  std::vector<Item> items = Items(nodes_[n]);
  items[j] = Item{{}, e};
  ReplaceNode(n, items);
}

void ListObject::Insert(size_t i, std::string_view e) {
  if (i == 0) return PushFront(e);
  if (i == size_) return PushBack(e);
  auto [n, j] = Locate(i);
  std::vector<Item> items = Items(nodes_[n]);
  items.insert(items.begin() + static_cast<ptrdiff_t>(j), Item{{}, e});
  ReplaceNode(n, items);
  ++size_;
}

void ListObject::EraseFront(size_t k) { EraseEnd(k, true); }
void ListObject::EraseBack(size_t k) { EraseEnd(k, false); }

void ListObject::EraseEnd(size_t k, bool at_front) {
  while (k > 0) {
    Node& n = at_front ? front() : back();
    if (n.count <= k) {  // the whole node goes
      k -= n.count;
      size_ -= n.count;
      at_front ? DropFront() : DropBack();
      continue;
    }
    if (at_front) {
      const char* p = n.buf + n.head;
      for (size_t i = 0; i < k; ++i) p = Decode(p).next;
      n.head = static_cast<size_t>(p - n.buf);
    } else {
      const char* p = n.buf + n.tail;
      for (size_t i = 0; i < k; ++i) p = StartBefore(p);
      n.tail = static_cast<size_t>(p - n.buf);
    }
    n.count -= k;
    size_ -= k;
    k = 0;
  }
}

ListObject::Matcher::Matcher(std::string_view target) : text_(target) {
  is_int_ = ParseNumber(target, &number_);
}

size_t ListObject::Find(std::string_view e) const {
  const Matcher m(e);
  size_t index = 0;
  for (size_t n = first_; n < nodes_.size(); ++n) {
    const Node& node = nodes_[n];
    const char* p = node.buf + node.head;
    for (size_t i = 0; i < node.count; ++i, ++index) {
      const Decoded d = Decode(p);
      if (m.Matches(d)) return index;
      p = d.next;
    }
  }
  return npos;
}

size_t ListObject::RemoveMatches(std::string_view target, uint64_t limit, bool from_tail) {
  const Matcher m(target);
  // From the tail, the last `limit` matches go: count them all, then pass over the
  // ones before those.
  uint64_t skip = 0;
  if (from_tail) {
    uint64_t total = 0;
    for (size_t n = first_; n < nodes_.size(); ++n) {
      const char* p = nodes_[n].buf + nodes_[n].head;
      for (size_t i = 0; i < nodes_[n].count; ++i) {
        const Decoded d = Decode(p);
        total += m.Matches(d);
        p = d.next;
      }
    }
    skip = total > limit ? total - limit : 0;
  }
  std::vector<Node> kept;
  std::vector<Node> emptied;  // freed once the builder no longer points into them
  Builder b(&kept);
  size_t removed = 0;
  std::vector<Item> survivors;
  for (size_t n = first_; n < nodes_.size(); ++n) {
    Node& node = nodes_[n];
    survivors.clear();
    const size_t removed_before = removed;
    if (removed < limit) {
      const char* p = node.buf + node.head;
      for (size_t i = 0; i < node.count; ++i) {
        const Decoded d = Decode(p);
        const std::string_view encoded(p, static_cast<size_t>(d.next - p));
        p = d.next;
        if (m.Matches(d)) {
          if (skip > 0) {
            --skip;
          } else if (removed < limit) {
            ++removed;
            continue;
          }
        }
        survivors.push_back(Item{encoded, {}});
      }
    }
    if (removed == removed_before) {  // untouched: the node stays as it is
      b.Finish();
      kept.push_back(node);
      continue;
    }
    for (const Item& item : survivors) b.Add(item);
    emptied.push_back(node);
  }
  b.Finish();
  for (Node& n : emptied) Free(n);
  nodes_ = std::move(kept);
  first_ = 0;
  size_ -= removed;
  return removed;
}

size_t ListObject::MemoryBytes() const {
  size_t total = sizeof(ListObject);
  if (nodes_.capacity() > 0) total += AllocationSizeFor(nodes_.capacity() * sizeof(Node));
  for (size_t n = first_; n < nodes_.size(); ++n) total += AllocationSizeFor(nodes_[n].cap);
  return total;
}

bool ListObject::Valid() const {
  size_t total = 0;
  for (size_t n = first_; n < nodes_.size(); ++n) {
    const Node& node = nodes_[n];
    if (node.count == 0 || node.head > node.tail || node.tail > node.cap) return false;
    const char* p = node.buf + node.head;
    for (size_t i = 0; i < node.count; ++i) p = Decode(p).next;
    if (p != node.buf + node.tail) return false;
    p = node.buf + node.tail;
    for (size_t i = 0; i < node.count; ++i) p = StartBefore(p);
    if (p != node.buf + node.head) return false;
    total += node.count;
  }
  return total == size_ && (size_ > 0 || nodes_.empty());
}

}  // namespace minired
