// greet <port>: SET greeting, GET it back through the installed client library.
#include <cstdio>
#include <string>

#include "minired/sync_client.h"

int main(int argc, char** argv) {
  using namespace minired::client;
  std::string address = std::string("127.0.0.1:") + (argc > 1 ? argv[1] : "6379");
  auto c = SyncClient::Connect(address);
  if (!c) {
    std::fprintf(stderr, "connect: %s\n", c.error().ToString().c_str());
    return 1;
  }
  auto set = (*c)->command("SET", "greeting", "hello from an installed client");
  auto get = (*c)->exec(cmd::get("greeting"));
  if (!set || !get || !*get) {
    std::fprintf(stderr, "SET/GET failed\n");
    return 1;
  }
  std::printf("%s\n", get->value().c_str());
  return 0;
}
