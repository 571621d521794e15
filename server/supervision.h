// Telling a service manager how the server is doing, as redis-server's `supervised`
// setting does: systemd through the sd_notify protocol (one datagram per message on the
// AF_UNIX socket named in $NOTIFY_SOCKET, written here directly: no libsystemd), upstart
// by stopping itself with SIGSTOP once ready.
//
// READY=1 goes out once the server both listens and has loaded its data set (loading
// runs after the listeners open, answering -LOADING meanwhile): a unit of Type=notify is
// "active" only when clients can be served, so `systemctl start` returns then and units
// ordered after it find it ready. STOPPING=1 goes out when shutdown begins.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

namespace minired {

enum class SupervisedMode { kNo, kUpstart, kSystemd };

// `supervised` as configured (no, upstart, systemd, auto) resolved against the
// environment: auto picks systemd when $NOTIFY_SOCKET is set, upstart when $UPSTART_JOB
// is, and no otherwise; systemd without $NOTIFY_SOCKET is no (with a warning logged).
SupervisedMode ResolveSupervisedMode(const std::string& configured);
const char* SupervisedModeName(SupervisedMode mode);

// Sends one sd_notify message ("READY=1\n", "STATUS=...\n") to $NOTIFY_SOCKET; false if
// the variable is unset or the datagram could not be sent. A name starting with '@' is
// in the abstract namespace, as systemd documents.
bool NotifySystemd(std::string_view message);

class Supervision {
 public:
  void set_mode(SupervisedMode mode) { mode_ = mode; }
  SupervisedMode mode() const { return mode_; }
  // Each of the two conditions for readiness; the second one to arrive notifies.
  void Listening() { Arrive(); }
  void Loaded() { Arrive(); }
  // `replica`: the status line says it waits for its master's sync, as Redis's does.
  void set_replica(bool replica) { replica_ = replica; }
  void Stopping();

 private:
  void Arrive();
  SupervisedMode mode_ = SupervisedMode::kNo;
  bool replica_ = false;
  std::atomic<int> arrived_{0};
};

}  // namespace minired
