// A read queued on asio's reactor for a plain TCP client, without asio's cost per wait.
//
// Why: asio re-arms the descriptor with an epoll_ctl for every async_wait, and an
// async_read_some first tries a recv that, just after a reply went out, nearly always
// finds nothing. Either way a request costs one syscall that redis-server's event loop
// does not pay (about 5% of an I/O thread). This op tells the reactor that a short read
// drained the socket ("exhausted", asio's own signal), so the next read is queued on the
// edge-triggered registration made once, with no syscall, and is tried only after epoll
// reported new bytes.
//
// It uses asio's detail API (reactor_op, epoll_reactor::start_op): the reactor calls the
// reader's attempt under its own rules (at once when it may succeed, else on the next
// edge), then posts the completion, exactly as for asio's own reads.
#pragma once

#include <asio.hpp>

#include <functional>
#include <memory>
#include <system_error>

// Written against the detail API of asio 1.22, which Debian 12 ships: check that API
// before moving to another version.
#if !defined(ASIO_HAS_EPOLL) || defined(ASIO_HAS_IO_URING_AS_DEFAULT) || ASIO_VERSION / 100 != 1022
#error "server/net/queued_read.h is written for asio 1.22 with its epoll reactor"
#endif

namespace minired {

// One read at a time; the reader does the reading itself, on the socket's I/O thread,
// whenever the reactor finds the socket may hold bytes: `attempt` reads what it can and
// says how it went; `done` runs afterwards (a later handler) unless it found nothing.
class QueuedRead : public asio::detail::reactor_op {
 public:
  enum class Attempt {
    kNothing,    // would block: stays queued until epoll reports bytes
    kMaybeMore,  // read all the space offered: more may be waiting
    kDrained,    // a short read, the end of the stream or an error (ec set)
  };
  using AttemptFn = std::function<Attempt(std::error_code& ec)>;
  using DoneFn = std::function<void(const std::error_code& ec)>;
  QueuedRead(AttemptFn attempt, DoneFn done)
      : asio::detail::reactor_op(std::error_code(), &Perform, &Complete),
        attempt_(std::move(attempt)),
        done_(std::move(done)) {}
  ~QueuedRead() = default;
  QueuedRead(const QueuedRead&) = delete;
  QueuedRead& operator=(const QueuedRead&) = delete;

 private:
  friend class ClientSocket;
  static status Perform(asio::detail::reactor_op* base);
  static void Complete(void* owner, asio::detail::scheduler_operation* base, const std::error_code&, size_t);
  // Calls done_; releases what kept the reader alive.
  void Finish(const std::error_code& ec);

  AttemptFn attempt_;
  DoneFn done_;
  std::shared_ptr<void> keep_alive_;  // the reader, while the read is queued
};

class ClientSocket : public asio::ip::tcp::socket {
 public:
  explicit ClientSocket(asio::ip::tcp::socket&& s);
  // Queues `op`; `owner` is kept alive until it completes (done gets operation_aborted
  // when the socket closes first). The socket must be non-blocking.
  void QueueRead(QueuedRead& op, std::shared_ptr<void> owner);

 private:
  asio::detail::epoll_reactor& reactor_;
};

}  // namespace minired
