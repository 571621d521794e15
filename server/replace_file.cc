#include "server/replace_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace minired {

int ReplaceFile(const std::string& path, std::string_view content, std::string* failed) {
  struct stat st {};
  const bool existed = stat(path.c_str(), &st) == 0;
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  *failed = tmp;
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  // Gives up: the temporary file goes, the error stays the one that stopped us.
  auto abandon = [&](int error, bool close_fd) {
    if (close_fd) close(fd);
    unlink(tmp.c_str());
    return error;
  };
  for (size_t done = 0; done < content.size();) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0) return abandon(errno, true);
    done += static_cast<size_t>(n);
  }
  if (existed && fchmod(fd, st.st_mode & 07777) != 0) return abandon(errno, true);
  if (fsync(fd) != 0) return abandon(errno, true);
  if (close(fd) != 0) return abandon(errno, false);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    *failed = path;
    return abandon(errno, false);
  }
  return 0;
}

}  // namespace minired
