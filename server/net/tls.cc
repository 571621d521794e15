#include "server/net/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <sstream>

namespace minired {
namespace {

// OpenSSL's queued reason for the last failure (or the system error when it has none).
std::string OpenSslError(const std::error_code& ec = {}) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    return buf;
  }
  return ec ? ec.message() : "unknown error";
}

TlsStream::Result Bytes(size_t n) {
  TlsStream::Result r;
  r.bytes = n;
  return r;
}
TlsStream::Result Waits(TlsStream::Want want) {
  TlsStream::Result r;
  r.want = want;
  return r;
}
TlsStream::Result Closed(std::string error) {
  TlsStream::Result r;
  r.closed = true;
  r.error = std::move(error);
  return r;
}

Status Fail(const std::string& what) { return Status::InvalidArgument("Failed to configure TLS: " + what); }

// tls-protocols: which of TLSv1.2 / TLSv1.3 to offer (older ones never).
Status ApplyProtocols(const std::string& protocols, SSL_CTX* ctx) {
  long off = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;
  if (!protocols.empty()) {
    bool v12 = false, v13 = false;
    std::istringstream in(protocols);
    std::string word;
    while (in >> word) {
      if (strcasecmp(word.c_str(), "TLSv1.2") == 0) {
        v12 = true;
      } else if (strcasecmp(word.c_str(), "TLSv1.3") == 0) {
        v13 = true;
      } else {
        return Fail("invalid tls-protocols '" + word + "' (TLSv1.2 and TLSv1.3 are supported)");
      }
    }
    if (!v12) off |= SSL_OP_NO_TLSv1_2;
    if (!v13) off |= SSL_OP_NO_TLSv1_3;
  }
  SSL_CTX_set_options(ctx, static_cast<uint64_t>(off));
  return Status::Ok();
}

}  // namespace

Status MakeTlsContext(const TlsConfig& config, std::unique_ptr<asio::ssl::context>* out) {
  if (config.cert_file.empty()) return Fail("tls-port is set but tls-cert-file is not");
  if (config.key_file.empty()) return Fail("tls-port is set but tls-key-file is not");
  const bool verify = config.auth_clients != "no";
  if (config.auth_clients != "yes" && config.auth_clients != "no" && config.auth_clients != "optional") {
    return Fail("tls-auth-clients must be yes, no or optional");
  }
  if (verify && config.ca_cert_file.empty() && config.ca_cert_dir.empty()) {
    return Fail(
        "either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-auth-clients is enabled "
        "(or set tls-auth-clients no)");
  }

  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  if (Status s = ApplyProtocols(config.protocols, native); !s.ok()) return s;
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_SINGLE_DH_USE | SSL_OP_SINGLE_ECDH_USE |
                                  (config.prefer_server_ciphers ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
  // A connection retries a write from wherever its buffer now is, with what was not sent.
  SSL_CTX_set_mode(native, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                               SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_session_id_context(native, reinterpret_cast<const unsigned char*>("minired"), 7);

  std::error_code ec;
  if (!config.key_file_pass.empty()) {
    std::string pass = config.key_file_pass;
    ctx->set_password_callback([pass](size_t, asio::ssl::context::password_purpose) { return pass; }, ec);
  }
  ctx->use_certificate_chain_file(config.cert_file, ec);
  if (ec) return Fail("could not load certificate " + config.cert_file + " (tls-cert-file): " + OpenSslError(ec));
  ctx->use_private_key_file(config.key_file, asio::ssl::context::pem, ec);
  if (ec) return Fail("could not load private key " + config.key_file + " (tls-key-file): " + OpenSslError(ec));
  if (SSL_CTX_check_private_key(native) != 1) {
    return Fail("the private key " + config.key_file + " does not match the certificate " + config.cert_file);
  }
  if (!config.ca_cert_file.empty()) {
    ctx->load_verify_file(config.ca_cert_file, ec);
    if (ec) {
      return Fail("could not load CA certificates " + config.ca_cert_file + " (tls-ca-cert-file): " + OpenSslError(ec));
    }
  }
  if (!config.ca_cert_dir.empty()) {
    ctx->add_verify_path(config.ca_cert_dir, ec);
    if (ec) return Fail("could not use CA folder " + config.ca_cert_dir + " (tls-ca-cert-dir): " + OpenSslError(ec));
  }
  if (!config.ciphers.empty() && SSL_CTX_set_cipher_list(native, config.ciphers.c_str()) != 1) {
    return Fail("invalid tls-ciphers '" + config.ciphers + "': " + OpenSslError());
  }
  if (!config.ciphersuites.empty() && SSL_CTX_set_ciphersuites(native, config.ciphersuites.c_str()) != 1) {
    return Fail("invalid tls-ciphersuites '" + config.ciphersuites + "': " + OpenSslError());
  }
  asio::ssl::verify_mode mode = asio::ssl::verify_none;
  if (config.auth_clients == "yes") mode = asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert;
  if (config.auth_clients == "optional") mode = asio::ssl::verify_peer;
  ctx->set_verify_mode(mode, ec);
  if (ec) return Fail("could not set tls-auth-clients: " + OpenSslError(ec));
  *out = std::move(ctx);
  return Status::Ok();
}

TlsStream::TlsStream(asio::ssl::context& context, int fd) : ssl_(SSL_new(context.native_handle())) {
  SSL_set_fd(ssl_, fd);
  SSL_set_accept_state(ssl_);
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

TlsStream::Result TlsStream::Read(char* buf, size_t len) {
  ERR_clear_error();
  int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(len, INT_MAX)));
  if (n > 0) return Bytes(static_cast<size_t>(n));
  return Failure(n);
}

TlsStream::Result TlsStream::Write(const char* data, size_t len) {
  ERR_clear_error();
  int n = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(len, INT_MAX)));
  if (n > 0) return Bytes(static_cast<size_t>(n));
  return Failure(n);
}

bool TlsStream::HasBuffered() const { return SSL_pending(ssl_) > 0; }

void TlsStream::Shutdown() {
  ERR_clear_error();
  if (SSL_is_init_finished(ssl_)) SSL_shutdown(ssl_);  // one try: the socket is non-blocking
  ERR_clear_error();
}

TlsStream::Result TlsStream::Failure(int ret) {
  int saved_errno = errno;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      return Waits(Want::kRead);
    case SSL_ERROR_WANT_WRITE:
      return Waits(Want::kWrite);
    case SSL_ERROR_ZERO_RETURN:
      return Closed("");
    case SSL_ERROR_SYSCALL:
      if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK) return Waits(Want::kRead);
      if (ERR_peek_error() == 0) {
        return Closed(saved_errno != 0 ? strerror(saved_errno) : "connection closed");
      }
      return Closed(OpenSslError());
    default:
      return Closed(OpenSslError());
  }
}

}  // namespace minired
