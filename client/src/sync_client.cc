#include "minired/sync_client.h"

#include <asio/post.hpp>

namespace minired::client {

IoThread::IoThread(int threads) : work_(asio::make_work_guard(ctx_)) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { ctx_.run(); });
}

IoThread::~IoThread() {
  work_.reset();
  ctx_.stop();
  for (auto& t : threads_) t.join();
}

Result<std::unique_ptr<SyncClient>> SyncClient::Connect(Options options) {
  std::unique_ptr<SyncClient> c(new SyncClient());
  c->io_ = std::make_unique<IoThread>(1);
  c->conn_ = Connection::Create(c->io_->executor(), std::move(options));
  Result<Ok> connected = c->conn_->async_connect(asio::use_future).get();
  if (!connected) return connected.error();
  return c;
}

Result<std::unique_ptr<SyncClient>> SyncClient::Connect(std::string_view address) {
  auto options = ParseOptions(address);
  if (!options) return options.error();
  return Connect(std::move(options).value());
}

SyncClient::~SyncClient() {
  if (!conn_) return;
  conn_->Close();
  // Close runs on the connection's strand; wait for it before the loop stops.
  asio::post(conn_->get_executor(), asio::use_future).get();
}

}  // namespace minired::client
