// A ring of at most `capacity` elements allocated once: pushing onto a full ring drops
// the oldest. Its memory does not grow or shrink with traffic, so per-write bookkeeping
// stays out of used_memory's per-key figures.
#pragma once

#include <cstddef>
#include <vector>

namespace minired {

template <typename T>
class FixedRing {
 public:
  explicit FixedRing(size_t capacity) : slots_(capacity ? capacity : 1) {}

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == slots_.size(); }
  // 0 is the oldest element.
  const T& operator[](size_t i) const { return slots_[(head_ + i) % slots_.size()]; }
  const T& front() const { return (*this)[0]; }

  void push_back(const T& v) {
    if (full()) {
      slots_[head_] = v;
      head_ = (head_ + 1) % slots_.size();
    } else {
      slots_[(head_ + size_) % slots_.size()] = v;
      ++size_;
    }
  }
  void clear() { head_ = size_ = 0; }

  // Index of the first element for which `before(value, element)` holds (size() if
  // none); elements must be partitioned by it, as for std::upper_bound.
  template <typename V, typename Before>
  size_t UpperBound(const V& value, Before before) const {
    size_t lo = 0, hi = size_;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (before(value, (*this)[mid])) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

 private:
  std::vector<T> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace minired
