// Replacing a small file the server owns (CONFIG REWRITE's config file, ACL SAVE's
// aclfile) in one step, so a crash or a full disk leaves either the old file or the new
// one, never half of either: the content goes to a temporary file beside it, is synced,
// and is renamed over it with the old file's mode (0644 less the umask for a new one).
#pragma once

#include <string>
#include <string_view>

namespace minired {

// 0 when `path` now holds `content`; otherwise the errno of the step that failed, whose
// file (`path` or the temporary one) is in *failed, and `path` is as it was.
int ReplaceFile(const std::string& path, std::string_view content, std::string* failed);

}  // namespace minired
