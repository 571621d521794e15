// For write commands that record what they did instead of their own arguments (XADD
// with the ID it made, SORT ... STORE as the list it stored): the journal's
// substitutes, asked for under the keys' locks (storage/journal.h, "Recording").
#pragma once

#include <string>
#include <vector>

#include "storage/journal.h"

namespace minired {

// What the running command records instead of itself: one command...
inline void Substitute(std::vector<std::string> args) {
  if (Journal* j = Journal::Active()) j->Substitute(std::move(args));
}
// ...or one more (the dispatcher wraps several in MULTI/EXEC).
inline void AddSubstitute(std::vector<std::string> args) {
  if (Journal* j = Journal::Active()) j->AddSubstitute(std::move(args));
}

// Whether to build the records (Journal::Recording()); when not, the command is marked
// to record nothing of its own, so no argument list is built for nothing.
inline bool RecordsItself() {
  Journal* j = Journal::Active();
  if (j == nullptr) return false;
  if (Journal::Recording()) return true;
  j->SubstituteNothing();
  return false;
}

}  // namespace minired
