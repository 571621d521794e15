#include "minired/options.h"

#include "protocol/numbers.h"

namespace minired::client {

std::string Options::address() const {
  return host.find(':') != std::string::npos ? "[" + host + "]:" + std::to_string(port)
                                             : host + ":" + std::to_string(port);
}

namespace {

Error Invalid(std::string_view spec, std::string_view why) {
  return Error{Error::Kind::kConnection,
               "invalid address '" + std::string(spec) + "': " + std::string(why)};
}

// Percent-decoding for the user and password parts of a URL.
bool Unescape(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

// "host", "host:port", ":port", "[::1]:port".
bool ParseHostPort(std::string_view hp, Options* o) {
  std::string_view host = hp, port;
  if (!hp.empty() && hp.front() == '[') {
    size_t close = hp.find(']');
    if (close == std::string_view::npos) return false;
    host = hp.substr(1, close - 1);
    std::string_view rest = hp.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else if (size_t colon = hp.rfind(':'); colon != std::string_view::npos) {
    host = hp.substr(0, colon);
    port = hp.substr(colon + 1);
  }
  if (!host.empty()) o->host = std::string(host);
  if (!port.empty() || hp.ends_with(':')) {
    auto n = ParseInt64(port);
    if (!n || *n < 1 || *n > 65535) return false;
    o->port = static_cast<uint16_t>(*n);
  }
  return true;
}

}  // namespace

Result<Options> ParseOptions(std::string_view spec, Options o) {
  if (spec.starts_with("rediss://")) return Invalid(spec, "TLS (rediss://) is not supported");
  if (!spec.starts_with("redis://")) {
    if (spec.find('/') != std::string_view::npos || spec.find('@') != std::string_view::npos) {
      return Invalid(spec, "expected host:port or redis://[user:password@]host:port/db");
    }
    if (!ParseHostPort(spec, &o)) return Invalid(spec, "bad host or port");
    return o;
  }
  std::string_view rest = spec.substr(8);
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    return Invalid(spec, "query parameters are not supported");
  }
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = cred.find(':');
    std::string user, pass;
    bool ok = colon == std::string_view::npos
                  ? Unescape(cred, &pass)  // redis://password@host, as redis-py accepts
                  : Unescape(cred.substr(0, colon), &user) && Unescape(cred.substr(colon + 1), &pass);
    if (!ok) return Invalid(spec, "bad percent-escape in credentials");
    o.user = user;
    o.password = pass;
  }
  std::string_view hostport = rest;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto n = ParseInt64(db);
      if (!n || *n < 0 || *n > 1'000'000) return Invalid(spec, "bad database number");
      o.db = static_cast<int>(*n);
    }
  }
  if (!ParseHostPort(hostport, &o)) return Invalid(spec, "bad host or port");
  return o;
}

}  // namespace minired::client
