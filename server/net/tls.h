// TLS for client connections (tls-port). Asio's ssl::context loads the certificate,
// key and CA (OpenSSL underneath); each connection then drives its own SSL object over
// its non-blocking socket, so the connection's readiness-based loop (connection.h) is
// the same for TLS and plain clients: where a plain socket says "would block", a TLS
// stream says which readiness it needs (a handshake or a record may need to write while
// reading).
#pragma once

#include <asio/ssl.hpp>

#include <cstddef>
#include <memory>
#include <string>

#include "protocol/status.h"
#include "server/config.h"

namespace minired {

// Builds the server's context from the configuration; an error names the option and
// the file at fault, as "Failed to configure TLS: ...".
Status MakeTlsContext(const TlsConfig& config, std::unique_ptr<asio::ssl::context>* out);

// One connection's TLS session over a connected non-blocking socket it does not own.
class TlsStream {
 public:
  enum class Want { kNothing, kRead, kWrite };  // the readiness to wait for, then retry
  struct Result {
    size_t bytes = 0;
    Want want = Want::kNothing;
    bool closed = false;  // the peer closed, or the session failed (error says why)
    std::string error;
  };

  TlsStream(asio::ssl::context& context, int fd);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // The first call runs the server side of the handshake.
  Result Read(char* buf, size_t len);
  Result Write(const char* data, size_t len);
  // Decrypted bytes OpenSSL holds that no socket readiness will announce.
  bool HasBuffered() const;
  // Best effort close_notify before the socket closes.
  void Shutdown();

 private:
  Result Failure(int ret);

  SSL* ssl_;
};

}  // namespace minired
