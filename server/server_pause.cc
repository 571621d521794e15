// CLIENT PAUSE as the server sees it: which command must wait, and the deadline that
// ends a pause (server/client_pause.h holds the state, connections park themselves).
#include <chrono>

#include "server/server.h"

namespace minired {

bool Server::PostponedByPause(const Session& session, std::span<const std::string_view> args) const {
  if (!pause_.active() || session.replica.feed || session.checked_at_source()) return false;
  // What Redis refuses before its pause check is refused at once here too: an unknown
  // command or subcommand, a wrong arity, a client that must authenticate first.
  const CommandSpec* spec = commands_.FindCall(args);
  if (spec == nullptr || !spec->ArityOk(args.size())) return false;
  if (!session.authenticated && !(spec->flags & kCmdNoAuth) && config_.security.password_required()) return false;
  bool may_write = (CallFlags(*spec, args) & kCmdWrite) || (spec->name == "exec" && QueuedCommandHas(session, kCmdWrite));
  return pause_.Holds(may_write);
}

void Server::PauseClients(ClientPause::Mode mode, int64_t timeout_ms) {
  // Redis accepts any non-negative count of milliseconds; past the int64 range of
  // deadlines the pause lasts until CLIENT UNPAUSE.
  const int64_t now = clock_->NowMs();
  const int64_t until = timeout_ms > INT64_MAX - now ? INT64_MAX : now + timeout_ms;
  pause_.Pause(mode, until);
  asio::post(threads_[0]->context(), [this, timeout_ms] { ArmPauseTimer(timeout_ms); });
}

// On thread 0. A later CLIENT PAUSE re-arms the timer (the earlier wait is cancelled);
// a wake-up a hair before the deadline by the server's clock waits out the rest.
void Server::ArmPauseTimer(int64_t ms) {
  constexpr int64_t kCenturyMs = int64_t{100} * 365 * 24 * 3600 * 1000;  // the steady clock's ns fit
  if (!pause_timer_) pause_timer_ = std::make_unique<asio::steady_timer>(threads_[0]->context());
  if (ms > kCenturyMs) {
    pause_timer_->cancel();  // an earlier pause's deadline no longer applies
    return;
  }
  pause_timer_->expires_after(std::chrono::milliseconds(ms));
  pause_timer_->async_wait([this](const std::error_code& ec) {
    if (ec || stopping_ || !pause_.active()) return;
    if (!pause_.ExpireIfDue(clock_->NowMs())) ArmPauseTimer(std::max<int64_t>(1, pause_.until_ms() - clock_->NowMs()));
  });
}

}  // namespace minired
