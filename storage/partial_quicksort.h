// The partial quicksort Redis 7.0 sorts a window with (SORT ... BY ... LIMIT, GEOSEARCH
// and GEORADIUS with COUNT): Bentley and McIlroy's three-way quicksort ("Engineering a
// Sort Function", 1993; NetBSD's qsort, which Redis's pqsort.c extends) that recurses only
// into the parts overlapping the window. Elements that compare equal come out in the
// order this algorithm leaves them, neither stable nor arbitrary: the same steps on the
// same comparisons give the order redis-server gives, which is why this is the algorithm
// and not std::partial_sort.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace minired {
namespace partial_quicksort {

// `cmp(a, b)` is negative, zero or positive, as qsort's comparator.
template <class T, class Compare>
size_t MedianOfThree(const T* v, size_t a, size_t b, size_t c, Compare& cmp) {
  return cmp(v[a], v[b]) < 0 ? (cmp(v[b], v[c]) < 0 ? b : (cmp(v[a], v[c]) < 0 ? c : a))
                             : (cmp(v[b], v[c]) > 0 ? b : (cmp(v[a], v[c]) < 0 ? a : c));
}

template <class T, class Compare>
void InsertionSort(T* v, size_t first, size_t n, Compare& cmp) {
  for (size_t m = first + 1; m < first + n; ++m) {
    for (size_t l = m; l > first && cmp(v[l - 1], v[l]) > 0; --l) std::swap(v[l], v[l - 1]);
  }
}

template <class T>
void SwapRuns(T* v, size_t i, size_t j, size_t n) {
  for (size_t k = 0; k < n; ++k) std::swap(v[i + k], v[j + k]);
}

// Sorts v[first, first + n) as far as the window [keep_first, keep_last] needs.
template <class T, class Compare>
void Sort(T* v, size_t first, size_t n, Compare& cmp, size_t keep_first, size_t keep_last) {
  while (true) {
    if (n < 7) return InsertionSort(v, first, n, cmp);
    // The pivot: the middle element, the median of three beyond 7, of three medians
    // (Tukey's ninther) beyond 40. It goes to the front.
    size_t mid = first + n / 2;
    if (n > 7) {
      size_t lo = first, hi = first + n - 1;
      if (n > 40) {
        const size_t d = n / 8;
        lo = MedianOfThree(v, lo, lo + d, lo + 2 * d, cmp);
        mid = MedianOfThree(v, mid - d, mid, mid + d, cmp);
        hi = MedianOfThree(v, hi - 2 * d, hi - d, hi, cmp);
      }
      mid = MedianOfThree(v, lo, mid, hi, cmp);
    }
    std::swap(v[first], v[mid]);
    // Partition: [first+1, pa) equal to the pivot, [pa, pb) less, (pc, pd] greater,
    // (pd, end) equal; elements equal to the pivot are swapped to the ends as met.
    size_t pa = first + 1, pb = first + 1, pc = first + n - 1, pd = first + n - 1;
    bool swapped = false;
    while (true) {
      int c;
      while (pb <= pc && (c = cmp(v[pb], v[first])) <= 0) {
        if (c == 0) {
          swapped = true;
          std::swap(v[pa++], v[pb]);
        }
        ++pb;
      }
      while (pb <= pc && (c = cmp(v[pc], v[first])) >= 0) {
        if (c == 0) {
          swapped = true;
          std::swap(v[pc], v[pd--]);
        }
        --pc;
      }
      if (pb > pc) break;
      std::swap(v[pb++], v[pc--]);
      swapped = true;
    }
    // Nothing moved: the run was (nearly) in order; insertion sort finishes it.
    if (!swapped) return InsertionSort(v, first, n, cmp);
    // The equal runs move from the ends to the middle.
    const size_t end = first + n;
    size_t r = std::min(pa - first, pb - pa);
    SwapRuns(v, first, pb - r, r);
    r = std::min(pd - pc, end - pd - 1);
    SwapRuns(v, pb, end - r, r);
    // The smaller ones, then the greater ones (by iteration), each only if it overlaps
    // the window.
    const auto overlaps = [&](size_t from, size_t count) { return !(keep_last < from || keep_first >= from + count); };
    if ((r = pb - pa) > 1 && overlaps(first, r)) Sort(v, first, r, cmp, keep_first, keep_last);
    if ((r = pd - pc) <= 1) return;
    first = end - r;
    n = r;
    if (!overlaps(first, n)) return;
  }
}

}  // namespace partial_quicksort

// Leaves v[keep_first..keep_last] (inclusive, within v) as Redis's pqsort(v, ..., cmp,
// keep_first, keep_last) leaves them; the rest is partly sorted.
template <class T, class Compare>
void PartialQuicksort(std::vector<T>& v, Compare cmp, size_t keep_first, size_t keep_last) {
  partial_quicksort::Sort(v.data(), 0, v.size(), cmp, keep_first, keep_last);
}

}  // namespace minired
