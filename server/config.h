// Server configuration: the options, their defaults and limits, and parsing of the
// redis.conf-style file and the command line. Values that CONFIG SET may change while
// the server runs are atomics, read by any thread without a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "protocol/status.h"
#include "server/security.h"
#include "storage/access_clock.h"
#include "storage/encodings/encoding_limits.h"

namespace minired {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3 };

// client-output-buffer-limit for one class: a client whose pending output passes `hard`,
// or stays above `soft` for `soft_seconds`, is disconnected. 0 disables a limit.
struct OutputBufferLimit {
  std::atomic<int64_t> hard{0};
  std::atomic<int64_t> soft{0};
  std::atomic<int64_t> soft_seconds{0};
};

// One `save <seconds> <changes>` rule: snapshot when at least `changes` writes happened
// and `seconds` passed since the last snapshot.
struct SaveRule {
  int64_t seconds;
  int64_t changes;
};

// Persistence options (docs/persistence.md). Live ones are atomics or mutex-guarded.
struct PersistenceConfig {
  std::atomic<bool> appendonly{true};
  std::atomic<int> appendfsync{1};  // 0 always, 1 everysec, 2 no
  std::atomic<bool> stop_writes_on_bgsave_error{true};
  bool aof_load_truncated = true;   // a torn last record is dropped with a warning
  bool aof_load_corrupt = false;    // damage before the end: recover up to it
  std::string dbfilename = "minired.rocksdb";  // the RocksDB directory under `dir`
  // An RDB file under `dir` imported at start-up while the data set is empty ("": never).
  std::string rdb_import_file = "dump.rdb";
  mutable std::mutex save_mu;
  std::vector<SaveRule> save = {{3600, 1}, {300, 100}, {60, 10000}};  // guarded by save_mu
};

// Replication options (docs/replication.md). The master address changes with REPLICAOF.
struct ReplicationConfig {
  mutable std::mutex mu;
  std::string master_host;  // guarded by mu; empty: this server is a master
  int master_port = 0;      // guarded by mu
  std::string masterauth;   // guarded by mu
  std::string masteruser;   // guarded by mu
  std::atomic<bool> read_only{true};
  std::atomic<int64_t> backlog_size{10LL << 20};  // Valkey 8's default
  std::atomic<int64_t> timeout_s{60};
  std::atomic<int64_t> ping_period_s{10};
};

// maxmemory-policy values, as Redis names them.
enum class EvictionPolicy {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};
const char* EvictionPolicyName(EvictionPolicy p);

// Memory limit and eviction options (docs/eviction.md); all live.
struct EvictionConfig {
  std::atomic<int64_t> maxmemory{0};  // bytes; 0: no limit
  std::atomic<EvictionPolicy> policy{EvictionPolicy::kNoEviction};
  std::atomic<int> samples{5};
  std::atomic<int> tenacity{10};  // maxmemory-eviction-tenacity, 0..100
  AccessPolicy access;            // LRU or LFU bookkeeping, lfu-log-factor, lfu-decay-time
};

// The slow log, the latency monitor and per-command latency tracking (docs/observability.md).
struct ObservabilityConfig {
  std::atomic<int64_t> slowlog_slower_than_us{10000};  // < 0: off; 0: every command
  std::atomic<int64_t> slowlog_max_len{128};
  std::atomic<int64_t> latency_monitor_threshold_ms{0};  // 0: off
  std::atomic<bool> latency_tracking{true};
  mutable std::mutex mu;
  std::vector<double> latency_percentiles = {50, 99, 99.9};  // guarded by mu
};

// Keyspace notifications and client-side caching (docs/notifications.md).
struct NotificationsConfig {
  std::atomic<uint32_t> keyspace_events{0};  // notify-keyspace-events (keyspace_events.h)
  std::atomic<int64_t> tracking_table_max_keys{1000000};  // 0: no limit
};

// What protects the server from idle, stalled or greedy clients (docs/security.md).
struct ClientLimitsConfig {
  std::atomic<int64_t> timeout_s{0};          // idle clients closed after it; 0: never
  std::atomic<int64_t> tcp_keepalive_s{300};  // SO_KEEPALIVE idle time; 0: off
  std::atomic<int64_t> query_buffer_limit{1LL << 30};
  // A script running longer gets other clients -BUSY, and may be killed (alias
  // lua-time-limit); 0: never.
  std::atomic<int64_t> busy_reply_threshold_ms{5000};
};

// TLS for client connections (tls.h); read at start-up.
struct TlsConfig {
  int port = 0;                      // tls-port; 0: no TLS listener
  std::string cert_file;             // tls-cert-file (PEM chain)
  std::string key_file;              // tls-key-file (PEM)
  std::string key_file_pass;         // tls-key-file-pass
  std::string ca_cert_file;          // tls-ca-cert-file
  std::string ca_cert_dir;           // tls-ca-cert-dir
  std::string auth_clients = "yes";  // tls-auth-clients yes|no|optional
  std::string protocols;             // tls-protocols, e.g. "TLSv1.2 TLSv1.3"; empty: both
  std::string ciphers;               // tls-ciphers (TLS 1.2), empty: OpenSSL's default
  std::string ciphersuites;          // tls-ciphersuites (TLS 1.3), empty: OpenSSL's default
  bool prefer_server_ciphers = false;  // tls-prefer-server-ciphers
};

// Redis 7.0 parameters minired accepts, stores and reports but does not act on
// (config_accepted.cc): their values by name, in the form CONFIG GET prints.
class AcceptedOnlyConfig {
 public:
  std::string Get(const std::string& name) const;  // the initial value until set
  void Set(const std::string& name, std::string value);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> values_;  // guarded by mu_
};

struct ServerConfig {
  // Fixed after start-up.
  int port = 6379;
  std::vector<std::string> bind = {"127.0.0.1", "-::1"};
  int threads = 0;  // 0: one per core
  int databases = 16;
  int shards = 128;
  std::string logfile;
  std::string pidfile;
  std::string dir;
  bool daemonize = false;
  std::string supervised = "no";  // no | upstart | systemd | auto (server/supervision.h)
  std::string config_file;  // absolute path, empty when started without one
  // How long an I/O thread polls for more work before it sleeps (0: it sleeps at once).
  int busy_poll_us = 0;

  // Changeable at run time (CONFIG SET).
  std::atomic<int64_t> proto_max_bulk_len{512LL * 1024 * 1024};
  std::atomic<int> hz{10};
  std::atomic<int> loglevel{static_cast<int>(LogLevel::kNotice)};
  EncodingLimits encoding;
  // Redis's defaults: normal 0 0 0, replica 256mb 64mb 60, pubsub 32mb 8mb 60.
  OutputBufferLimit output_limit_normal;
  OutputBufferLimit output_limit_replica{256LL << 20, 64LL << 20, 60};
  OutputBufferLimit output_limit_pubsub{32LL << 20, 8LL << 20, 60};
  PersistenceConfig persistence;
  ReplicationConfig replication;
  EvictionConfig eviction;
  SecurityConfig security;
  ObservabilityConfig observability;
  NotificationsConfig notifications;
  ClientLimitsConfig limits;
  TlsConfig tls;
  AcceptedOnlyConfig accepted_only;
};

// One option as CONFIG GET/SET and the config file see it.
struct ConfigOption {
  std::string name;
  std::string alias;  // another accepted name (e.g. io-threads for threads), may be empty
  bool mutable_at_runtime = false;
  std::function<std::string(const ServerConfig&)> get;
  // Validates and applies; returns a message in Redis's words on a bad value.
  std::function<Status(ServerConfig&, const std::vector<std::string>& values)> set;
  bool multi_arg = false;  // takes several values (bind)
  // A byte size: CONFIG REWRITE writes it with a unit ("100mb"), as Redis does.
  bool memory = false;
  // Not listed by a pattern with wildcards, only asked for by name (Redis's
  // HIDDEN_CONFIG: key-load-delay...).
  bool hidden = false;
  // Settable at run time only where enable-protected-configs allows it (dir,
  // dbfilename: writing files anywhere is the classic attack on an open server).
  bool protected_config = false;
};

const std::vector<ConfigOption>& ConfigOptions();
// An integer option within [lo, hi], with Redis's messages for a bad value.
ConfigOption IntOption(std::string name, bool live, int64_t lo, int64_t hi,
                       std::function<int64_t(const ServerConfig&)> get,
                       std::function<void(ServerConfig&, int64_t)> put, std::string alias = "");
// A yes/no option, with Redis's message for another value.
ConfigOption YesNoOption(std::string name, bool live, std::function<bool(const ServerConfig&)> get,
                         std::function<void(ServerConfig&, bool)> put);
// The persistence options (config_persistence.cc), appended to `opts`.
void AddPersistenceOptions(std::vector<ConfigOption>* opts);
// The replication options (config_replication.cc), appended to `opts`.
void AddReplicationOptions(std::vector<ConfigOption>* opts);
// The memory and eviction options (config_eviction.cc), appended to `opts`.
void AddEvictionOptions(std::vector<ConfigOption>* opts);
// Slow log, latency and client-limit options (config_observability.cc), appended to `opts`.
void AddObservabilityOptions(std::vector<ConfigOption>* opts);
// notify-keyspace-events and tracking-table-max-keys (config_notifications.cc).
void AddNotificationOptions(std::vector<ConfigOption>* opts);
// The tls-* options (config_tls.cc), appended to `opts`.
void AddTlsOptions(std::vector<ConfigOption>* opts);
// Redis 7.0's parameters that minired accepts without acting on (config_accepted.cc).
void AddAcceptedOnlyOptions(std::vector<ConfigOption>* opts);
// Their names, for docs and tests.
std::vector<std::string> AcceptedOnlyOptionNames();
const ConfigOption* FindConfigOption(std::string_view name);

// Applies a config file's contents. Errors name the line and its text, as redis-server's
// "FATAL CONFIG FILE ERROR" does.
Status LoadConfigText(const std::string& text, const std::string& source, ServerConfig* cfg);
// Parses argv as redis-server does: [config-file] [--name value...]. Command-line
// options are applied after the file, so they override it.
Status ParseCommandLine(int argc, char** argv, ServerConfig* cfg);

// "1gb" -> 1073741824 (Redis's memtoull: b, k, kb, m, mb, g, gb, case-insensitive).
bool ParseMemory(std::string_view s, int64_t* out);

}  // namespace minired
