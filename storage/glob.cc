#include "storage/glob.h"

#include <cctype>

namespace minired {
namespace {

char Fold(char c, bool nocase) {
  return nocase ? static_cast<char>(tolower(static_cast<unsigned char>(c))) : c;
}

// `give_up` is set once a '*' has tried every suffix of the string: no longer match
// can succeed after that, which keeps patterns like "a*a*a*a*b" from going exponential.
// Nesting is bounded as in Redis, so a hostile pattern cannot exhaust the stack.
bool Match(std::string_view p, std::string_view s, bool nocase, bool* give_up, int nesting) {
  if (nesting > 1000) return false;
  size_t pi = 0, si = 0;
  while (pi < p.size() && si < s.size()) {
    switch (p[pi]) {
      case '*': {
        while (pi + 1 < p.size() && p[pi + 1] == '*') ++pi;
        if (pi + 1 == p.size()) return true;
        while (si < s.size()) {
          if (Match(p.substr(pi + 1), s.substr(si), nocase, give_up, nesting + 1)) return true;
          if (*give_up) return false;
          ++si;
        }
        *give_up = true;
        return false;
      }
      case '?':
        ++si;
        break;
      case '[': {
        ++pi;
        bool negate = pi < p.size() && p[pi] == '^';
        if (negate) ++pi;
        bool matched = false;
        char c = s[si];
        while (true) {
          if (pi >= p.size()) {
            --pi;  // unterminated class: the last char is treated as the closing one
            break;
          }
          if (p[pi] == '\\' && pi + 1 < p.size()) {
            ++pi;
            if (p[pi] == c) matched = true;
          } else if (p[pi] == ']') {
            break;
          } else if (pi + 2 < p.size() && p[pi + 1] == '-') {
            char lo = Fold(p[pi], nocase), hi = Fold(p[pi + 2], nocase);
            if (lo > hi) std::swap(lo, hi);
            char fc = Fold(c, nocase);
            if (fc >= lo && fc <= hi) matched = true;
            pi += 2;
          } else if (Fold(p[pi], nocase) == Fold(c, nocase)) {
            matched = true;
          }
          ++pi;
        }
        if (negate) matched = !matched;
        if (!matched) return false;
        ++si;
        break;
      }
      case '\\':
        if (pi + 1 < p.size()) ++pi;
        [[fallthrough]];
      default:
        if (Fold(p[pi], nocase) != Fold(s[si], nocase)) return false;
        ++si;
        break;
    }
    ++pi;
    if (si == s.size()) {
      while (pi < p.size() && p[pi] == '*') ++pi;
      break;
    }
  }
  return pi == p.size() && si == s.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  bool give_up = false;
  return Match(pattern, str, nocase, &give_up, 0);
}

}  // namespace minired
