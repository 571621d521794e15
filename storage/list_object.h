// The full ("quicklist") encoding of lists: a deque of strings. Push and pop at both
// ends are O(1); LINDEX/LSET are O(1) too (Redis's quicklist is O(n) there).
#pragma once

#include <deque>
#include <string>

namespace minired {

using ListObject = std::deque<std::string>;

}  // namespace minired
