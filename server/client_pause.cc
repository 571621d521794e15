#include "server/client_pause.h"

namespace minired {

void ClientPause::Pause(Mode mode, int64_t until_ms) {
  std::lock_guard<std::mutex> l(mu_);
  until_ms_.store(until_ms, std::memory_order_relaxed);
  mode_.store(mode, std::memory_order_release);
}

void ClientPause::Unpause() {
  std::vector<std::pair<uint64_t, std::function<void()>>> resume;
  {
    std::lock_guard<std::mutex> l(mu_);
    mode_.store(Mode::kNone, std::memory_order_release);
    resume.swap(parked_);
  }
  for (auto& [id, fn] : resume) fn();
}

bool ClientPause::ExpireIfDue(int64_t now_ms) {
  if (!active() || now_ms < until_ms_.load(std::memory_order_relaxed)) return false;
  Unpause();
  return true;
}

void ClientPause::Park(uint64_t id, std::function<void()> resume) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (active()) {
      parked_.emplace_back(id, std::move(resume));
      return;
    }
  }
  resume();  // the pause ended between the check and the park
}

void ClientPause::Forget(uint64_t id) {
  std::lock_guard<std::mutex> l(mu_);
  std::erase_if(parked_, [id](const auto& p) { return p.first == id; });
}

}  // namespace minired
