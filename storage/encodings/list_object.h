// The full ("quicklist") encoding of lists: a deque of strings. Push and pop at both
// ends are O(1); LINDEX/LSET are O(1) too (Redis's quicklist is O(n) there).
#pragma once

#include <deque>
#include <string>

namespace minired {

using ListObject = std::deque<std::string>;

// Bytes a list holds, its heap strings estimated from the first `samples` (0: all).
size_t ListMemoryBytes(const ListObject& list, size_t samples = 0);

}  // namespace minired
