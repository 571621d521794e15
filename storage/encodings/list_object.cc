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

size_t VarintBytes(size_t n) {
  size_t bytes = 1;
  for (; n >= 0x80; n >>= 7) ++bytes;
  return bytes;
}

size_t EncodedSize(size_t len) { return len + 2 * VarintBytes(len); }

// [varint len][bytes][the varint's bytes in reverse order]
void WriteElement(char* p, std::string_view e) {
  uint8_t varint[10];
  size_t n = 0;
  size_t len = e.size();
  do {
    varint[n] = static_cast<uint8_t>(len & 0x7f);
    len >>= 7;
    if (len > 0) varint[n] |= 0x80;
    ++n;
  } while (len > 0);
  std::memcpy(p, varint, n);
  if (!e.empty()) std::memcpy(p + n, e.data(), e.size());
  char* after = p + n + e.size();
  for (size_t i = 0; i < n; ++i) after[i] = static_cast<char>(varint[n - 1 - i]);
}

char* AllocateBlock(size_t bytes) { return static_cast<char*>(::operator new(bytes)); }

}  // namespace

std::string_view ListObject::ReadBackward(const char* end, const char** start) {
  // The reversed varint: its first byte (the low 7 bits) is last, the continuation
  // bit says another byte lies before.
  size_t len = 0;
  int shift = 0;
  uint8_t b;
  do {
    b = static_cast<uint8_t>(*--end);
    len |= static_cast<size_t>(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  const char* bytes = end - len;
  *start = bytes - shift / 7;
  return {bytes, len};
}

void ListObject::Builder::Add(std::string_view e) {
  const size_t need = EncodedSize(e.size());
  if (!pending_.empty() && pending_bytes_ + need > kNodeBytes) Finish();
  pending_.push_back(e);
  pending_bytes_ += need;
  ++added_;
}

void ListObject::Builder::Finish() {
  if (pending_.empty()) return;
  Node n;
  n.cap = AllocationSizeFor(pending_bytes_);
  n.buf = AllocateBlock(n.cap);
  for (std::string_view e : pending_) {
    WriteElement(n.buf + n.tail, e);
    n.tail += EncodedSize(e.size());
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
  const size_t need = EncodedSize(e.size());
  if (node_count() == 0 || !MakeRoom(front(), need, true)) AddNode(need, true);
  Node& n = front();
  n.head -= need;
  WriteElement(n.buf + n.head, e);
  ++n.count;
  ++size_;
}

void ListObject::PushBack(std::string_view e) {
  const size_t need = EncodedSize(e.size());
  if (node_count() == 0 || !MakeRoom(back(), need, false)) AddNode(need, false);
  Node& n = back();
  WriteElement(n.buf + n.tail, e);
  n.tail += need;
  ++n.count;
  ++size_;
}

std::string ListObject::PopFront() {
  Node& n = front();
  const char* next;
  std::string out(ReadForward(n.buf + n.head, &next));
  n.head = static_cast<size_t>(next - n.buf);
  --size_;
  if (--n.count == 0) DropFront();
  return out;
}

std::string ListObject::PopBack() {
  Node& n = back();
  const char* start;
  std::string out(ReadBackward(n.buf + n.tail, &start));
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

std::string_view ListObject::At(size_t i) const {
  auto [n, j] = Locate(i);
  const Node& node = nodes_[n];
  const char* p;
  if (j < node.count / 2) {
    p = node.buf + node.head;
    for (size_t k = 0; k < j; ++k) ReadForward(p, &p);
    return ReadForward(p, &p);
  }
  p = node.buf + node.tail;
  for (size_t k = node.count - 1; k > j; --k) ReadBackward(p, &p);
  return ReadBackward(p, &p);
}

std::vector<std::string_view> ListObject::Elements(const Node& n) {
  std::vector<std::string_view> out;
  out.reserve(n.count);
  const char* p = n.buf + n.head;
  for (size_t i = 0; i < n.count; ++i) out.push_back(ReadForward(p, &p));
  return out;
}

void ListObject::ReplaceNode(size_t n, const std::vector<std::string_view>& elements) {
  std::vector<Node> built;
  Builder b(&built);
  for (std::string_view e : elements) b.Add(e);
  b.Finish();
  Free(nodes_[n]);  // after building: `elements` point into it
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
  std::vector<std::string_view> elements = Elements(nodes_[n]);
  if (elements[j].size() == e.size()) {
    // Same length, same encoded size: overwrite the bytes in place.
    std::memmove(const_cast<char*>(elements[j].data()), e.data(), e.size());
    return;
  }
  elements[j] = e;
  ReplaceNode(n, elements);
}

void ListObject::Insert(size_t i, std::string_view e) {
  if (i == 0) return PushFront(e);
  if (i == size_) return PushBack(e);
  auto [n, j] = Locate(i);
  std::vector<std::string_view> elements = Elements(nodes_[n]);
  elements.insert(elements.begin() + static_cast<ptrdiff_t>(j), e);
  ReplaceNode(n, elements);
  ++size_;
}

void ListObject::EraseFront(size_t k) {
  while (k > 0) {
    Node& n = front();
    if (n.count <= k) {
      k -= n.count;
      size_ -= n.count;
      DropFront();
      continue;
    }
    const char* p = n.buf + n.head;
    for (size_t i = 0; i < k; ++i) ReadForward(p, &p);
    n.head = static_cast<size_t>(p - n.buf);
    n.count -= k;
    size_ -= k;
    k = 0;
  }
}

void ListObject::EraseBack(size_t k) {
  while (k > 0) {
    Node& n = back();
    if (n.count <= k) {
      k -= n.count;
      size_ -= n.count;
      DropBack();
      continue;
    }
    const char* p = n.buf + n.tail;
    for (size_t i = 0; i < k; ++i) ReadBackward(p, &p);
    n.tail = static_cast<size_t>(p - n.buf);
    n.count -= k;
    size_ -= k;
    k = 0;
  }
}

size_t ListObject::Find(std::string_view e) const {
  size_t index = 0, found = npos;
  for (size_t n = first_; n < nodes_.size() && found == npos; ++n) {
    const Node& node = nodes_[n];
    const char* p = node.buf + node.head;
    for (size_t i = 0; i < node.count; ++i, ++index) {
      if (ReadForward(p, &p) == e) {
        found = index;
        break;
      }
    }
  }
  return found;
}

size_t ListObject::RemoveMatches(std::string_view target, uint64_t limit, bool from_tail) {
  // From the tail, the last `limit` matches go: count them all, then pass over the
  // ones before those.
  uint64_t skip = 0;
  if (from_tail) {
    uint64_t total = 0;
    ForEach([&](std::string_view e) { total += e == target; });
    skip = total > limit ? total - limit : 0;
  }
  std::vector<Node> kept;
  std::vector<Node> emptied;  // freed once the builder no longer points into them
  Builder b(&kept);
  size_t removed = 0;
  std::vector<std::string_view> survivors;
  for (size_t n = first_; n < nodes_.size(); ++n) {
    Node& node = nodes_[n];
    survivors.clear();
    const size_t removed_before = removed;
    if (removed < limit) {
      const char* p = node.buf + node.head;
      for (size_t i = 0; i < node.count; ++i) {
        std::string_view e = ReadForward(p, &p);
        if (e == target && skip > 0) {
          --skip;
        } else if (e == target && removed < limit) {
          ++removed;
          continue;
        }
        survivors.push_back(e);
      }
    }
    if (removed == removed_before) {  // untouched: the node stays as it is
      b.Finish();
      kept.push_back(node);
      continue;
    }
    for (std::string_view e : survivors) b.Add(e);
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
    for (size_t i = 0; i < node.count; ++i) ReadForward(p, &p);
    if (p != node.buf + node.tail) return false;
    p = node.buf + node.tail;
    for (size_t i = 0; i < node.count; ++i) ReadBackward(p, &p);
    if (p != node.buf + node.head) return false;
    total += node.count;
  }
  return total == size_ && (size_ > 0 || nodes_.empty());
}

}  // namespace minired
