// minired-server [path/to/minired.conf] [--name value ...]
// Parses the configuration, builds the Server, runs it until SIGTERM/SIGINT/SHUTDOWN.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "server/config.h"
#include "server/logger.h"
#include "server/persistence.h"
#include "server/server.h"
#include "server/net/tls.h"
#include "storage/memory.h"

int main(int argc, char** argv) {
  using namespace minired;
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    printf(
        "Usage: minired-server [/path/to/minired.conf] [options]\n"
        "       minired-server --version\n\n"
        "Options are config-file directives with '--' in front; they override the file:\n"
        "  minired-server /etc/minired/minired.conf --port 6380 --maxmemory 2gb\n\n"
        "Every directive with its default ('live': CONFIG SET changes it at run time;\n"
        "minired.conf describes each, docs/configuration.md says which act):\n");
    const ServerConfig defaults;
    for (const ConfigOption& o : ConfigOptions()) {
      if (o.hidden) continue;
      std::string value = o.name == "dir" ? "." : o.get(defaults);
      if (value.empty() || value.find(' ') != std::string::npos) value = "\"" + value + "\"";
      std::string name = o.name + (o.alias.empty() ? "" : " (or --" + o.alias + ")");
      printf("  --%-50s %s%s\n", name.c_str(), value.c_str(), o.mutable_at_runtime ? "  [live]" : "");
    }
    printf("  --%-50s %s\n", "user <name> <rule>...", "an ACL user, as ACL SETUSER takes it (repeatable)");
    return 0;
  }
  if (argc == 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
    printf("minired-server v=0.1.0 malloc=%s bits=64\n", AllocatorName());
    return 0;
  }
  ServerConfig config;
  Status s = ParseCommandLine(argc, argv, &config);
  if (!s.ok()) {
    fprintf(stderr, "\n*** FATAL CONFIG ERROR (minired) ***\n%s\n", s.message().c_str());
    return 1;
  }
  if (!config.security.aclfile.empty()) {
    if (config.security.users_in_config) {
      fprintf(stderr, "\n*** FATAL CONFIG ERROR (minired) ***\nConfiguring minired with users defined in the "
                      "configuration and at the same setting an ACL file path is invalid. This setup is very likely "
                      "to lead to configuration errors and security holes, please define either an ACL file or "
                      "declare users directly in your configuration file, but not both.\n");
      return 1;
    }
    if (config.security.aclfile[0] != '/') {
      // ACL LOAD and ACL SAVE run after the chdir to --dir: keep the file they meant.
      char cwd[PATH_MAX];
      if (getcwd(cwd, sizeof(cwd))) config.security.aclfile = std::string(cwd) + "/" + config.security.aclfile;
    }
    s = LoadAclFile(config.security);
    if (!s.ok()) {
      fprintf(stderr, "Aborting minired startup because of ACL errors: %s\n", s.message().c_str());
      return 1;
    }
  }
  // Before the chdir to --dir: relative certificate paths are the caller's.
  std::unique_ptr<asio::ssl::context> tls;
  if (config.tls.port > 0) {
    s = MakeTlsContext(config.tls, &tls);
    if (!s.ok()) {
      fprintf(stderr, "\n*** FATAL CONFIG ERROR (minired) ***\n%s\n", s.message().c_str());
      return 1;
    }
  }
  Logger::Get().SetLevel(&config.loglevel);
  if (!Logger::Get().Open(config.logfile)) {
    fprintf(stderr, "Can't open the log file: %s\n", strerror(errno));
    return 1;
  }
  if (!config.dir.empty() && chdir(config.dir.c_str()) != 0) {
    fprintf(stderr, "Can't chdir to '%s': %s\n", config.dir.c_str(), strerror(errno));
    return 1;
  }
  // Standard input and output go to /dev/null, as redis-server's do: the log has its own
  // descriptor, and a daemon that kept its parent's stdout would hold a pipe open (a shell
  // or an init script reading it would never see it end).
  if (config.daemonize && daemon(1, 0) != 0) {
    fprintf(stderr, "Can't daemonize: %s\n", strerror(errno));
    return 1;
  }
  if (!config.pidfile.empty()) {
    std::ofstream pid(config.pidfile);
    pid << getpid() << "\n";
  }

  Server server(config);
  server.SetTlsContext(std::move(tls));
  server.supervision().set_mode(ResolveSupervisedMode(config.supervised));
  server.supervision().set_replica(!config.replication.master_host.empty());
  s = server.OpenPersistence();
  if (!s.ok()) {
    Log(LogLevel::kWarning, "{}", s.message());
    return 1;
  }
  s = server.Start();
  if (!s.ok()) {
    Log(LogLevel::kWarning, "{}", s.message());
    return 1;
  }
  Log(LogLevel::kNotice, "minired 0.1.0 started, pid={}, port={}, threads={}, shards={}", getpid(),
      server.listening_port(), server.thread_count(), server.shards().size());
  Log(LogLevel::kNotice, "Ready to accept connections tcp");
  if (config.tls.port > 0) Log(LogLevel::kNotice, "Ready to accept connections tls");
  server.supervision().Listening();  // READY=1 once the data set is loaded too
  server.Wait();
  server.supervision().Stopping();
  if (Persistence* p = server.persistence()) p->Shutdown(server.shutdown_save());
  Log(LogLevel::kWarning, "minired is now ready to exit, bye bye...");
  if (!config.pidfile.empty()) unlink(config.pidfile.c_str());
  return 0;
}
