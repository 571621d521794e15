// TLS on tls-port against Debian's redis-cli --tls: a test CA signs the server's and a
// client's certificate (openssl req/x509), then commands, a multi-megabyte value both
// ways, client-certificate policies, plain text on the TLS port and bad TLS settings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/testing/resp_client.h"
#include "tests/testing/test_process.h"

namespace minired::testing {
namespace {

namespace fs = std::filesystem;

std::string Shell(const std::string& cmd) { return RunShell(cmd); }

// A CA, a server certificate for localhost/127.0.0.1 and a client certificate, made
// once for the whole suite.
class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("minired-tls-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::string d = dir_.string();
    std::string script =
        "cd " + d + " && " +
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=minired-test-ca -keyout ca.key -out ca.crt && "
        "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr && "
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext && "
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext "
        "-out server.crt && "
        "openssl req -newkey rsa:2048 -nodes -subj /CN=client -keyout client.key -out client.csr && "
        "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out client.crt";
    made_ = system(("(" + script + ") >" + d + "/openssl.log 2>&1").c_str()) == 0;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  void SetUp() override {
    ASSERT_TRUE(made_) << "openssl could not make the test certificates: " << ReadFileText((dir_ / "openssl.log").string());
    ASSERT_EQ(system("command -v redis-cli >/dev/null"), 0) << "redis-tools is not installed";
  }

  static std::string File(const char* name) { return (dir_ / name).string(); }

  // minired with a TLS port (and its plain one); `extra` adds or overrides options.
  TestProcess StartTls(int tls_port, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--tls-port",         std::to_string(tls_port), "--tls-cert-file",
                                     File("server.crt"),   "--tls-key-file",         File("server.key"),
                                     "--tls-ca-cert-file", File("ca.crt"),           "--appendonly",
                                     "no",                 "--save",                 ""};
    args.insert(args.end(), extra.begin(), extra.end());
    return TestProcess::StartMinired(args);
  }

  // redis-cli over TLS; with_cert: presents the client certificate.
  std::string Cli(int port, const std::string& args, bool with_cert = true) {
    std::string cmd = "redis-cli --tls --cacert " + File("ca.crt") + " -p " + std::to_string(port);
    if (with_cert) cmd += " --cert " + File("client.crt") + " --key " + File("client.key");
    return Shell(cmd + " " + args);
  }

  static inline fs::path dir_;
  static inline bool made_ = false;
};

TEST_F(Tls, RedisCliTalksToTheTlsPortAndThePlainPortStillServes) {
  int tls_port = FreePort();
  TestProcess p = StartTls(tls_port);
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(Cli(tls_port, "PING"), "PONG\n");
  EXPECT_EQ(Cli(tls_port, "SET greeting hello"), "OK\n");
  EXPECT_EQ(Cli(tls_port, "GET greeting"), "hello\n");
  EXPECT_NE(Cli(tls_port, "HELLO 3").find("\nproto 3\n"), std::string::npos);
  RespClient plain;
  ASSERT_TRUE(plain.Connect(p.port()));
  EXPECT_EQ(plain.Call({"GET", "greeting"}).value.str, "hello");
  EXPECT_EQ(plain.Call({"CONFIG", "GET", "tls-port"}).value.elems.at(1).str, std::to_string(tls_port));
  EXPECT_EQ(plain.Call({"CONFIG", "SET", "tls-port", "1"}).value.str,
            "ERR CONFIG SET failed (possibly related to argument 'tls-port') - can't set immutable config");
  EXPECT_NE(p.ReadLog().find("Ready to accept connections tls"), std::string::npos);
}

TEST_F(Tls, MegabytesCrossTheTlsStreamBothWays) {
  int tls_port = FreePort();
  TestProcess p = StartTls(tls_port);
  ASSERT_TRUE(p.ok()) << p.error();
  // Larger than the socket buffers and TLS records: partial writes on both sides.
  std::string value(3 << 20, 'x');
  for (size_t i = 0; i < value.size(); i += 4096) value[i] = static_cast<char>('a' + (i / 4096) % 26);
  std::string path = File("big.value");
  std::ofstream(path, std::ios::binary) << value;
  EXPECT_EQ(Cli(tls_port, "-x SET big < " + path), "OK\n");
  EXPECT_EQ(Cli(tls_port, "STRLEN big"), std::to_string(value.size()) + "\n");
  EXPECT_EQ(Cli(tls_port, "GET big"), value + "\n");
  // A pipeline of many commands in one TLS stream.
  std::string cmds;
  for (int i = 0; i < 20000; ++i) cmds += "INCR counter\n";
  std::ofstream(File("cmds.txt")) << cmds;
  Cli(tls_port, "< " + File("cmds.txt") + " > /dev/null");
  EXPECT_EQ(Cli(tls_port, "GET counter"), "20000\n");
}

TEST_F(Tls, ClientCertificatesFollowTlsAuthClients) {
  int tls_port = FreePort();
  TestProcess required = StartTls(tls_port);
  ASSERT_TRUE(required.ok()) << required.error();
  EXPECT_NE(Cli(tls_port, "PING", false), "PONG\n") << "tls-auth-clients yes needs a client certificate";
  EXPECT_EQ(Cli(tls_port, "PING", true), "PONG\n");
  RespClient plain;
  ASSERT_TRUE(plain.Connect(required.port()));
  EXPECT_EQ(plain.Call({"PING"}).value.str, "PONG");  // the failed handshake hurt nobody else

  int other_port = FreePort();
  TestProcess optional = StartTls(other_port, {"--tls-auth-clients", "optional"});
  ASSERT_TRUE(optional.ok()) << optional.error();
  EXPECT_EQ(Cli(other_port, "PING", false), "PONG\n");
  EXPECT_EQ(Cli(other_port, "PING", true), "PONG\n");
}

TEST_F(Tls, PlainTextOnTheTlsPortIsDropped) {
  int tls_port = FreePort();
  TestProcess p = StartTls(tls_port);
  ASSERT_TRUE(p.ok()) << p.error();
  RespClient stranger;
  ASSERT_TRUE(stranger.Connect(tls_port));
  ASSERT_TRUE(stranger.SendRaw("*1\r\n$4\r\nPING\r\n"));
  Reply r;
  EXPECT_FALSE(stranger.Read(&r, std::chrono::seconds(5))) << "a plain client got a reply on the TLS port";
  EXPECT_EQ(Cli(tls_port, "PING"), "PONG\n");
}

TEST_F(Tls, BadTlsSettingsStopStartUpNamingTheOption) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  int port = FreePort();
  std::vector<Case> cases = {
      {{"--tls-port", std::to_string(port)}, "tls-cert-file"},
      {{"--tls-port", std::to_string(port), "--tls-cert-file", File("server.crt")}, "tls-key-file"},
      {{"--tls-port", std::to_string(port), "--tls-cert-file", File("missing.crt"), "--tls-key-file",
        File("server.key"), "--tls-auth-clients", "no"},
       "missing.crt (tls-cert-file)"},
      {{"--tls-port", std::to_string(port), "--tls-cert-file", File("server.crt"), "--tls-key-file",
        File("client.key"), "--tls-auth-clients", "no"},
       "client.key (tls-key-file): key values mismatch"},
      {{"--tls-port", std::to_string(port), "--tls-cert-file", File("server.crt"), "--tls-key-file",
        File("server.key")},
       "tls-ca-cert-file"},
      {{"--tls-port", std::to_string(port), "--tls-cert-file", File("server.crt"), "--tls-key-file",
        File("server.key"), "--tls-auth-clients", "no", "--tls-protocols", "SSLv3"},
       "tls-protocols"},
      {{"--tls-auth-clients", "sometimes"}, "tls-auth-clients"},
  };
  for (const Case& c : cases) {
    TestProcess p = TestProcess::StartMinired(c.args);
    EXPECT_FALSE(p.ok()) << c.expect;
    EXPECT_NE(p.error().find(c.expect), std::string::npos) << p.error();
  }
}

}  // namespace
}  // namespace minired::testing
