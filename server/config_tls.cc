// The tls-* options: read at start-up, where server/net/tls.cc builds the context from
// them (a bad file or value stops start-up with a message naming the option). They
// cannot change at run time.
#include <cctype>

#include "server/config.h"

namespace minired {
namespace {

ConfigOption TlsString(std::string name, std::string TlsConfig::*field) {
  ConfigOption o;
  o.name = std::move(name);
  o.get = [field](const ServerConfig& c) { return c.tls.*field; };
  o.set = [field](ServerConfig& c, const std::vector<std::string>& v) {
    c.tls.*field = v[0];
    return Status::Ok();
  };
  return o;
}

}  // namespace

void AddTlsOptions(std::vector<ConfigOption>* opts) {
  opts->push_back(IntOption(
      "tls-port", false, 0, 65535, [](const ServerConfig& c) { return c.tls.port; },
      [](ServerConfig& c, int64_t v) { c.tls.port = static_cast<int>(v); }));
  opts->push_back(TlsString("tls-cert-file", &TlsConfig::cert_file));
  opts->push_back(TlsString("tls-key-file", &TlsConfig::key_file));
  opts->push_back(TlsString("tls-key-file-pass", &TlsConfig::key_file_pass));
  opts->push_back(TlsString("tls-ca-cert-file", &TlsConfig::ca_cert_file));
  opts->push_back(TlsString("tls-ca-cert-dir", &TlsConfig::ca_cert_dir));
  opts->push_back(TlsString("tls-protocols", &TlsConfig::protocols));
  opts->push_back(TlsString("tls-ciphers", &TlsConfig::ciphers));
  opts->push_back(TlsString("tls-ciphersuites", &TlsConfig::ciphersuites));
  {
    ConfigOption o;
    o.name = "tls-auth-clients";
    o.get = [](const ServerConfig& c) { return c.tls.auth_clients; };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      std::string value = v[0];
      for (char& ch : value) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (value != "yes" && value != "no" && value != "optional") {
        return Status::InvalidArgument("argument(s) must be one of the following: no, yes, optional");
      }
      c.tls.auth_clients = value;
      return Status::Ok();
    };
    opts->push_back(std::move(o));
  }
  opts->push_back(YesNoOption(
      "tls-prefer-server-ciphers", false, [](const ServerConfig& c) { return c.tls.prefer_server_ciphers; },
      [](ServerConfig& c, bool v) { c.tls.prefer_server_ciphers = v; }));
}

}  // namespace minired
