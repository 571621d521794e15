// One client connection, owned by one I/O thread from accept to close.
//
// Request path: async_read_some into the read buffer -> RequestParser -> Server::Execute
// for each complete command (pipelining: every command already in the buffer runs) ->
// replies appended to one output buffer -> one async_write for the whole batch.
// A protocol error gets its "-ERR Protocol error" reply, then this connection closes;
// every other error reply leaves it open.
#pragma once

#include <asio.hpp>

#include <memory>
#include <string>
#include <vector>

#include "protocol/request_parser.h"
#include "server/read_buffer.h"
#include "server/session.h"

namespace minired {

class Server;
class IoThread;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server& server, IoThread& thread, asio::ip::tcp::socket socket);
  ~Connection();
  // Registers the client and starts reading. Call once, on the owning thread.
  void Start();

 private:
  void ReadMore();
  void OnRead(const std::error_code& ec, size_t n);
  void ProcessInput();
  void Flush();
  void OnWrite(const std::error_code& ec, size_t n);
  void Close();

  Server& server_;
  IoThread& thread_;
  asio::ip::tcp::socket socket_;
  ReadBuffer in_;
  RequestParser parser_;
  std::string out_;      // replies not yet handed to the socket
  std::string writing_;  // the bytes of the write in flight
  bool reading_ = false;
  bool writing_active_ = false;
  bool closing_ = false;   // no more input is processed; close once output is flushed
  bool closed_ = false;
  std::shared_ptr<ClientInfo> info_;
  Session session_;
};

}  // namespace minired
