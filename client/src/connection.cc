#include "minired/connection.h"

#include <asio/bind_executor.hpp>
#include <asio/connect.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>
#include <array>

namespace minired::client {

using Clock = std::chrono::steady_clock;

// One TCP connection's socket and buffers. Handlers of its reads and writes hold a
// reference, so closing it never frees a buffer an operation still uses.
struct Connection::Link {
  explicit Link(const asio::any_io_executor& ex) : socket(ex) {}
  asio::ip::tcp::socket socket;
  std::string write_buf;
  std::array<char, 64 * 1024> read_buf;
};

std::shared_ptr<Connection> Connection::Create(asio::any_io_executor ex, Options options) {
  return std::shared_ptr<Connection>(new Connection(std::move(ex), std::move(options)));
}

Connection::Connection(asio::any_io_executor ex, Options options)
    : strand_(asio::make_strand(ex)),
      options_(std::move(options)),
      resolver_(strand_),
      connect_timer_(strand_),
      backoff_timer_(strand_),
      deadline_timer_(strand_),
      parser_(options_.max_bulk_len) {}

Connection::~Connection() = default;

void Connection::Submit(std::string_view bytes, size_t count, ReplyCallback done, bool collect) {
  // The deadline is stamped when the call is queued for the socket (Enqueue), once per
  // batch: a clock read per call costs more than the microseconds it would add.
  auto deadline = Clock::time_point::max();
  bool post;
  {
    std::lock_guard lock(mu_);
    staged_bytes_.append(bytes);
    staged_.push_back(Pending{std::move(done), count, collect, deadline, false, {}});
    post = !flush_posted_;
    flush_posted_ = true;
  }
  if (post) asio::post(strand_, [self = shared_from_this()] { self->Flush(); });
}

void Connection::WaitReady(detail::UniqueFunction<void(Result<Ok>)> done) {
  asio::dispatch(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
    switch (self->state()) {
      case State::kReady: done(Ok{}); return;
      case State::kClosed: done(Error{Error::Kind::kClosed, "connection closed"}); return;
      case State::kIdle:
        self->ready_waiters_.push_back(std::move(done));
        self->StartConnect();
        return;
      default: self->ready_waiters_.push_back(std::move(done)); return;
    }
  });
}

void Connection::Close() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    if (self->state() == State::kClosed) return;
    Error closed{Error::Kind::kClosed, "connection closed"};
    self->Fail(closed);
    self->state_ = State::kClosed;
    self->backoff_timer_.cancel();
    self->resolver_.cancel();
    self->push_handler_ = nullptr;
    self->link_handler_ = nullptr;
  });
}

Error Connection::NotConnectedError() const {
  std::string msg = "not connected to " + options_.address();
  if (!last_error_.empty()) msg += ": " + last_error_;
  return Error{Error::Kind::kConnection, std::move(msg)};
}

// Moves staged calls to the socket when ready; otherwise they wait for the connect
// in progress or fail at once (backing off: the server is down, callers must know).
void Connection::Flush() {
  State s = state();
  if (s == State::kConnecting) {
    std::lock_guard lock(mu_);
    flush_posted_ = false;
    return;
  }
  if (s == State::kIdle) {
    {
      std::lock_guard lock(mu_);
      flush_posted_ = false;
    }
    StartConnect();
    return;
  }
  std::string bytes;
  std::vector<Pending> calls;
  {
    std::lock_guard lock(mu_);
    bytes.swap(staged_bytes_);
    calls.swap(staged_);
    flush_posted_ = false;
  }
  if (calls.empty()) return;
  if (s != State::kReady) {
    FailPending(calls, s == State::kClosed ? Error{Error::Kind::kClosed, "connection closed"}
                                           : NotConnectedError());
    return;
  }
  Enqueue(bytes, calls);
  // Give the staging buffer's capacity back for the next batch.
  std::lock_guard lock(mu_);
  if (staged_bytes_.empty() && bytes.capacity() <= (1u << 20)) {
    bytes.clear();
    staged_bytes_.swap(bytes);
  }
}

void Connection::Enqueue(std::string_view bytes, std::vector<Pending>& calls) {
  out_.append(bytes);
  auto deadline = options_.command_timeout.count() > 0 ? Clock::now() + options_.command_timeout
                                                       : Clock::time_point::max();
  for (Pending& p : calls) {
    p.deadline = std::min(p.deadline, deadline);
    if (p.count == 0) {
      if (p.collect) {  // an empty pipeline
        Reply empty;
        empty.type = Reply::Type::kArray;
        p.done(std::move(empty));
      }
      continue;
    }
    inflight_.push_back(std::move(p));
  }
  if (!timer_armed_) ArmDeadlineTimer();
  StartWrite();
}

void Connection::StartWrite() {
  if (writing_ || out_.empty() || !link_) return;
  writing_ = true;
  auto link = link_;
  link->write_buf.swap(out_);
  asio::async_write(link->socket, asio::buffer(link->write_buf),
                    asio::bind_executor(strand_, [self = shared_from_this(), link](
                                                     std::error_code ec, size_t) {
                      if (link != self->link_) return;  // a closed link's last write
                      self->writing_ = false;
                      if (ec) {
                        self->Fail(Error{Error::Kind::kConnection, "write failed: " + ec.message()});
                        return;
                      }
                      link->write_buf.clear();
                      self->StartWrite();
                    }));
}

void Connection::StartRead() {
  auto link = link_;
  link->socket.async_read_some(
      asio::buffer(link->read_buf),
      asio::bind_executor(strand_, [self = shared_from_this(), link](std::error_code ec, size_t n) {
        if (link != self->link_) return;
        if (ec) {
          self->Fail(Error{Error::Kind::kConnection,
                           ec == asio::error::eof ? "connection closed by server"
                                                  : "read failed: " + ec.message()});
          return;
        }
        self->parser_.Feed(std::string_view(link->read_buf.data(), n));
        Reply reply;
        while (true) {
          auto r = self->parser_.Next(&reply);
          if (r == ReplyParser::Result::kNeedMore) break;
          if (r == ReplyParser::Result::kError) {
            self->Fail(Error{Error::Kind::kProtocol, "bad reply: " + self->parser_.error()});
            return;
          }
          self->OnReply(std::move(reply));
          if (link != self->link_) return;  // a handler closed or failed the connection
        }
        self->StartRead();
      }));
}

void Connection::OnReply(Reply&& reply) {
  if (reply.type == Reply::Type::kPush || inflight_.empty()) {
    if (push_handler_) {
      push_handler_(std::move(reply));
    } else if (reply.type != Reply::Type::kPush) {
      Fail(Error{Error::Kind::kProtocol, "reply with no command waiting for it"});
    }
    return;
  }
  Pending& p = inflight_.front();
  if (p.collect) {
    p.collected.push_back(std::move(reply));
    if (p.collected.size() < p.count) return;
    reply = Reply();
    reply.type = Reply::Type::kArray;
    reply.elems = std::move(p.collected);
  }
  bool finished = p.finished;
  ReplyCallback done = std::move(p.done);
  inflight_.pop_front();
  ++front_seq_;
  if (!finished) done(std::move(reply));  // late replies of timed-out calls are dropped
}

Error Connection::TimeoutError() const {
  return Error{Error::Kind::kTimeout, "no reply from " + options_.address() + " within " +
                                          std::to_string(options_.command_timeout.count()) + " ms"};
}

// Sets the timer to the deadline of the oldest call it has not passed yet.
void Connection::ArmDeadlineTimer() {
  unchecked_seq_ = std::max(unchecked_seq_, front_seq_);
  size_t idx = static_cast<size_t>(unchecked_seq_ - front_seq_);
  if (idx >= inflight_.size() || inflight_[idx].deadline == Clock::time_point::max()) {
    timer_armed_ = false;
    return;
  }
  timer_armed_ = true;
  deadline_timer_.expires_at(inflight_[idx].deadline);
  deadline_timer_.async_wait([self = shared_from_this(), link = link_](std::error_code ec) {
    if (ec || link != self->link_) return;
    self->OnDeadline();
  });
}

// Times out every call whose deadline passed. They stay queued (finished) until their
// replies arrive, so the replies of later calls still match in order.
void Connection::OnDeadline() {
  auto now = Clock::now();
  unchecked_seq_ = std::max(unchecked_seq_, front_seq_);
  size_t idx = static_cast<size_t>(unchecked_seq_ - front_seq_);
  std::vector<ReplyCallback> expired;
  while (idx < inflight_.size() && inflight_[idx].deadline <= now) {
    Pending& p = inflight_[idx++];
    if (!p.finished) {
      p.finished = true;
      expired.push_back(std::move(p.done));
    }
  }
  unchecked_seq_ = front_seq_ + idx;
  ArmDeadlineTimer();
  for (auto& done : expired) done(TimeoutError());
}

void Connection::StartConnect() {
  if (state() == State::kClosed || state() == State::kConnecting) return;
  state_ = State::kConnecting;
  uint64_t attempt = ++attempt_;
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([self = shared_from_this(), attempt](std::error_code ec) {
    if (ec || self->state() != State::kConnecting || attempt != self->attempt_) return;
    self->resolver_.cancel();
    self->Fail(Error{Error::Kind::kConnection,
                     "connect to " + self->options_.address() + " timed out after " +
                         std::to_string(self->options_.connect_timeout.count()) + " ms"});
  });
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port),
      asio::bind_executor(strand_, [self = shared_from_this(), attempt](
                                       std::error_code ec, asio::ip::tcp::resolver::results_type rs) {
        if (self->state() != State::kConnecting || attempt != self->attempt_) return;
        if (ec) {
          self->Fail(Error{Error::Kind::kConnection,
                           "cannot resolve " + self->options_.host + ": " + ec.message()});
          return;
        }
        auto link = std::make_shared<Link>(self->strand_);
        self->link_ = link;
        asio::async_connect(
            link->socket, rs,
            asio::bind_executor(self->strand_, [self, link](std::error_code ec, const auto&) {
              if (link != self->link_) return;
              if (ec) {
                self->Fail(Error{Error::Kind::kConnection,
                                 "cannot connect to " + self->options_.address() + ": " + ec.message()});
                return;
              }
              self->OnConnected(link);
            }));
      }));
}

void Connection::OnConnected(std::shared_ptr<Link> link) {
  std::error_code ignored;
  link->socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  connects_.fetch_add(1);
  parser_.Reset();
  StartRead();
  Handshake();
}

// HELLO 3 carries AUTH and SETNAME; RESP2 uses AUTH and CLIENT SETNAME. Everything is
// pipelined in one write; the first error fails the connect.
void Connection::Handshake() {
  Pipeline p;
  if (options_.resp == 3) {
    Command hello("HELLO", 3);
    if (!options_.password.empty()) {
      hello << "AUTH" << (options_.user.empty() ? std::string("default") : options_.user)
            << options_.password;
    }
    if (!options_.client_name.empty()) hello << "SETNAME" << options_.client_name;
    p.add(hello);
  } else {
    if (!options_.password.empty()) {
      p.add(options_.user.empty() ? Command("AUTH", options_.password)
                                  : Command("AUTH", options_.user, options_.password));
    }
    if (!options_.client_name.empty()) p.add("CLIENT", "SETNAME", options_.client_name);
  }
  if (options_.db != 0) p.add("SELECT", options_.db);
  if (p.empty()) {
    BecomeReady();
    return;
  }
  std::vector<Pending> calls;  // Enqueue stamps its deadline
  calls.push_back(Pending{
      [self = shared_from_this()](Result<Reply> r) {
        if (self->state() != State::kConnecting) return;
        if (!r.ok()) {
          self->Fail(Error{r.error().kind, "handshake failed: " + r.error().message});
          return;
        }
        for (const Reply& one : r->elems) {
          if (one.is_error()) {
            self->Fail(Error{Error::Kind::kConnection, "handshake failed: " + one.str});
            return;
          }
        }
        self->BecomeReady();
      },
      p.size(), true, Clock::time_point::max(), false, {}});
  Enqueue(p.bytes(), calls);
}

void Connection::BecomeReady() {
  connect_timer_.cancel();
  state_ = State::kReady;
  backoff_ = std::chrono::milliseconds(0);
  last_error_.clear();
  if (link_handler_) link_handler_(true);
  NotifyWaiters(Ok{});
  Flush();
}

void Connection::NotifyWaiters(const Result<Ok>& result) {
  auto waiters = std::move(ready_waiters_);
  ready_waiters_.clear();
  for (auto& w : waiters) w(result);
}

void Connection::FailPending(std::vector<Pending>& calls, const Error& error) {
  for (Pending& p : calls) {
    if (!p.finished && p.done) p.done(error);
  }
  calls.clear();
}

// Drops the socket and fails every call that was written or is waiting; then backs
// off and reconnects (or goes idle when reconnect is off).
void Connection::Fail(const Error& error) {
  if (state() == State::kClosed) return;
  bool was_connecting = state() == State::kConnecting;
  bool was_ready = state() == State::kReady;
  last_error_ = error.message;
  connect_timer_.cancel();
  if (link_) {
    std::error_code ignored;
    link_->socket.close(ignored);
    link_.reset();
  }
  writing_ = false;
  out_.clear();
  parser_.Reset();
  std::vector<Pending> calls;
  for (Pending& p : inflight_) calls.push_back(std::move(p));
  front_seq_ += inflight_.size();
  inflight_.clear();
  timer_armed_ = false;
  deadline_timer_.cancel();
  {
    std::lock_guard lock(mu_);
    for (Pending& p : staged_) calls.push_back(std::move(p));
    staged_.clear();
    staged_bytes_.clear();
  }
  state_ = options_.reconnect ? State::kBackoff : State::kIdle;
  FailPending(calls, error);
  if (was_ready && link_handler_) link_handler_(false);
  if (was_connecting || !ready_waiters_.empty()) NotifyWaiters(error);
  if (!options_.reconnect || state() != State::kBackoff) return;
  backoff_ = backoff_.count() == 0 ? options_.reconnect_min
                                   : std::min(backoff_ * 2, options_.reconnect_max);
  backoff_timer_.expires_after(backoff_);
  backoff_timer_.async_wait([self = shared_from_this()](std::error_code ec) {
    if (ec || self->state() != State::kBackoff) return;
    self->StartConnect();
  });
}

Result<std::vector<Reply>> Connection::PipelineReplies(Reply&& r) { return std::move(r.elems); }

Result<std::optional<std::vector<Reply>>> Connection::TransactionReplies(Reply&& r) {
  // [MULTI's +OK, one +QUEUED (or error) per command, EXEC's reply]
  if (r.elems.size() < 2) return Error{Error::Kind::kProtocol, "short transaction reply"};
  if (r.elems.front().is_error()) return ServerError(r.elems.front());
  Reply& exec = r.elems.back();
  if (exec.is_error()) return ServerError(exec);
  if (exec.is_null()) return std::optional<std::vector<Reply>>();
  if (!exec.is_array()) return Error{Error::Kind::kProtocol, "EXEC did not answer an array"};
  return std::optional<std::vector<Reply>>(std::move(exec.elems));
}

}  // namespace minired::client
