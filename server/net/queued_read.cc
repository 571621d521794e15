#include "server/net/queued_read.h"

namespace minired {

asio::detail::reactor_op::status QueuedRead::Perform(asio::detail::reactor_op* base) {
  auto* op = static_cast<QueuedRead*>(base);
  op->ec_ = std::error_code();
  switch (op->attempt_(op->ec_)) {
    case Attempt::kNothing:
      return not_done;
    case Attempt::kMaybeMore:
      return done;
    case Attempt::kDrained:
      // The socket is empty: only a new epoll edge brings more, so the reactor need not
      // try the next queued read before one.
      return done_and_exhausted;
  }
  return done;
}

void QueuedRead::Complete(void* owner, asio::detail::scheduler_operation* base, const std::error_code&, size_t) {
  auto* op = static_cast<QueuedRead*>(base);
  if (owner == nullptr) {
    // The io_context is being destroyed with the read still queued: no callback.
    std::shared_ptr<void> keep = std::move(op->keep_alive_);
    return;
  }
  op->Finish(op->ec_);
}

void QueuedRead::Finish(const std::error_code& ec) {
  // The op lives inside its reader: hold the reader until the callback returned.
  std::shared_ptr<void> keep = std::move(keep_alive_);
  done_(ec);
}

ClientSocket::ClientSocket(asio::ip::tcp::socket&& s)
    : asio::ip::tcp::socket(std::move(s)),
      reactor_(asio::use_service<asio::detail::epoll_reactor>(
          asio::query(get_executor(), asio::execution::context))) {}

void ClientSocket::QueueRead(QueuedRead& op, std::shared_ptr<void> owner) {
  op.keep_alive_ = std::move(owner);
  auto& impl = impl_.get_implementation();
  reactor_.start_op(asio::detail::epoll_reactor::read_op, impl.socket_, impl.reactor_data_, &op,
                    /*is_continuation=*/false, /*allow_speculative=*/true);
}

}  // namespace minired
