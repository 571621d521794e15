#include "server/supervision.h"

#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "server/logger.h"

namespace minired {

SupervisedMode ResolveSupervisedMode(const std::string& configured) {
  const bool has_notify = getenv("NOTIFY_SOCKET") != nullptr;
  if (configured == "systemd") {
    if (has_notify) return SupervisedMode::kSystemd;
    Log(LogLevel::kWarning, "systemd supervision requested or auto-detected, but no socket specified");
    return SupervisedMode::kNo;
  }
  if (configured == "upstart") {
    if (getenv("UPSTART_JOB") != nullptr) return SupervisedMode::kUpstart;
    Log(LogLevel::kWarning, "upstart supervision requested, but UPSTART_JOB not found!");
    return SupervisedMode::kNo;
  }
  if (configured == "auto") {
    if (getenv("UPSTART_JOB") != nullptr) return SupervisedMode::kUpstart;
    if (has_notify) return SupervisedMode::kSystemd;
  }
  return SupervisedMode::kNo;
}

const char* SupervisedModeName(SupervisedMode mode) {
  switch (mode) {
    case SupervisedMode::kUpstart: return "upstart";
    case SupervisedMode::kSystemd: return "systemd";
    case SupervisedMode::kNo: break;
  }
  return "no";
}

bool NotifySystemd(std::string_view message) {
  const char* path = getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  size_t len = strlen(path);
  if (len >= sizeof(addr.sun_path)) return false;
  memcpy(addr.sun_path, path, len);
  if (path[0] == '@') addr.sun_path[0] = '\0';  // the abstract namespace
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  socklen_t addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  ssize_t sent = sendto(fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), addr_len);
  close(fd);
  return sent == static_cast<ssize_t>(message.size());
}

void Supervision::Arrive() {
  if (arrived_.fetch_add(1) + 1 != 2) return;
  switch (mode_) {
    case SupervisedMode::kSystemd:
      NotifySystemd(replica_ ? "STATUS=Ready to accept connections in read-only mode. Waiting for MASTER <-> REPLICA sync\n"
                             : "STATUS=Ready to accept connections\n");
      NotifySystemd("READY=1\n");
      Log(LogLevel::kNotice, "Told systemd the server is ready (READY=1)");
      break;
    case SupervisedMode::kUpstart:
      // upstart's `expect stop`: the job is started once the process stops itself.
      unsetenv("UPSTART_JOB");
      raise(SIGSTOP);
      break;
    case SupervisedMode::kNo: break;
  }
}

void Supervision::Stopping() {
  if (mode_ == SupervisedMode::kSystemd) NotifySystemd("STOPPING=1\n");
}

}  // namespace minired
