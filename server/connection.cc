#include "server/connection.h"

#include "protocol/reply_writer.h"
#include "server/logger.h"
#include "server/server.h"

namespace minired {
namespace {
// Past this much unsent output the connection stops reading until the socket drains,
// so a client that pipelines without reading cannot make us buffer without bound.
constexpr size_t kOutputHighWater = 4 * 1024 * 1024;

std::string Endpoint(const asio::ip::tcp::endpoint& ep) {
  std::string ip = ep.address().to_string();
  return ip + ":" + std::to_string(ep.port());
}
}  // namespace

Connection::Connection(Server& server, IoThread& thread, asio::ip::tcp::socket socket)
    : server_(server), thread_(thread), socket_(std::move(socket)) {}

Connection::~Connection() = default;

void Connection::Start() {
  std::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  info_ = std::make_shared<ClientInfo>();
  info_->id = server_.clients().NextId();
  auto remote = socket_.remote_endpoint(ec);
  info_->addr = ec ? "?:0" : Endpoint(remote);
  auto local = socket_.local_endpoint(ec);
  info_->laddr = ec ? "?:0" : Endpoint(local);
  info_->fd = socket_.native_handle();
  info_->created_ms = server_.clock().NowMs();
  info_->last_interaction_ms = info_->created_ms;
  std::weak_ptr<Connection> weak = shared_from_this();
  asio::any_io_executor ex = socket_.get_executor();
  info_->close = [weak, ex]() {
    asio::post(ex, [weak]() {
      if (auto self = weak.lock()) {
        self->closing_ = true;
        self->Close();
      }
    });
  };
  session_.info = info_.get();
  server_.clients().Add(info_);
  parser_.set_limits(RequestLimits{server_.config().proto_max_bulk_len.load()});
  ReadMore();
}

void Connection::ReadMore() {
  if (reading_ || closing_ || closed_) return;
  if (out_.size() + writing_.size() > kOutputHighWater) return;  // resumed by OnWrite
  in_.PrepareForRead(parser_.min_bytes_needed());
  reading_ = true;
  socket_.async_read_some(
      asio::buffer(in_.write_ptr(), in_.free_space()),
      [self = shared_from_this()](const std::error_code& ec, size_t n) { self->OnRead(ec, n); });
}

void Connection::OnRead(const std::error_code& ec, size_t n) {
  reading_ = false;
  if (ec) {
    Close();
    return;
  }
  in_.Commit(n);
  ThreadStats& st = thread_.stats();
  st.net_input_bytes.Add(n);
  st.reads.Add();
  info_->last_interaction_ms.store(server_.clock().NowMs(), std::memory_order_relaxed);
  ProcessInput();
  Flush();
  ReadMore();
}

void Connection::ProcessInput() {
  ReplyWriter writer(&out_, session_.resp);
  int64_t max_bulk = server_.config().proto_max_bulk_len.load(std::memory_order_relaxed);
  parser_.set_limits(RequestLimits{max_bulk});
  while (!closing_ && in_.pending_size() > 0 && out_.size() <= kOutputHighWater) {
    size_t consumed = 0;
    RequestParser::Result r = parser_.Parse(in_.pending(), &consumed);
    if (r == RequestParser::Result::kNeedMore) break;
    if (r == RequestParser::Result::kError) {
      writer.Error("ERR " + parser_.error());
      Log(LogLevel::kVerbose, "Protocol error ({}) from client: id={} addr={}", parser_.error(),
          info_->id, info_->addr);
      closing_ = true;
      in_.ConsumeAll();
      break;
    }
    if (!parser_.args().empty()) {
      writer.set_protocol(session_.resp);
      server_.Execute(session_, parser_.args(), writer, thread_.index());
      if (session_.close_after_reply) closing_ = true;
    }
    in_.Consume(consumed);
  }
  info_->query_buffer.store(in_.pending_size(), std::memory_order_relaxed);
  info_->query_buffer_free.store(in_.free_space(), std::memory_order_relaxed);
}

void Connection::Flush() {
  if (writing_active_ || closed_) return;
  if (out_.empty()) {
    if (closing_) Close();
    return;
  }
  writing_.swap(out_);
  writing_active_ = true;
  info_->output_buffer.store(writing_.size(), std::memory_order_relaxed);
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](const std::error_code& ec, size_t n) {
                      self->OnWrite(ec, n);
                    });
}

void Connection::OnWrite(const std::error_code& ec, size_t n) {
  writing_active_ = false;
  if (ec) {
    Close();
    return;
  }
  thread_.stats().net_output_bytes.Add(n);
  thread_.stats().writes.Add();
  if (writing_.capacity() > 1024 * 1024) {
    std::string().swap(writing_);
  } else {
    writing_.clear();
  }
  info_->output_buffer.store(out_.size(), std::memory_order_relaxed);
  // Input left unprocessed because output was over the high-water mark runs now.
  if (!closing_ && in_.pending_size() > 0) ProcessInput();
  Flush();
  ReadMore();
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  std::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  server_.clients().Remove(info_->id);
}

}  // namespace minired
