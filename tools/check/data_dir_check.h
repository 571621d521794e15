// What minired-check reads from a data directory (the RocksDB directory under `dir`,
// storage/rocks_store.h) without changing it: the snapshot (keys per type and database,
// TTLs, its log position and replication position), the log after it (entries, the last
// one), sizes on disk, and every problem found, each with what the server will do about
// it and the option or command that accepts the loss. Only FixTornTails writes, and only
// after copying the directory aside.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol/status.h"
#include "storage/rocks_store.h"

namespace minired {

struct DataDirReport {
  struct Problem {
    std::string what;    // what is wrong, where
    std::string remedy;  // what the server does, and the option that accepts the loss
    bool fixable = false;  // --fix repairs it (a torn log tail)
  };

  std::string path;  // the RocksDB directory read
  bool opened = false;
  SnapshotMeta snapshot;  // id 0: none
  std::array<uint64_t, 6> keys_by_type{};  // indexed by ValueType
  std::map<int, uint64_t> keys_by_db;
  uint64_t keys_with_ttl = 0;
  uint64_t snapshot_bytes = 0;
  std::vector<std::string> aux;  // state besides keys in the snapshot ("functions")
  uint64_t log_entries = 0;      // after the snapshot
  uint64_t first_log_seq = 0;
  uint64_t last_log_seq = 0;
  std::string last_log_command;  // the last entry's first command, as redis-cli shows it
  uint64_t sst_bytes = 0;
  uint64_t log_bytes = 0;  // the append-only log's segments
  uint64_t wal_bytes = 0;  // RocksDB's own write-ahead log (metadata)
  std::vector<RocksStore::TornTail> torn;
  std::vector<Problem> problems;

  uint64_t keys() const;
};

// `path`: a data directory (`dir`, holding `dbfilename`) or the RocksDB directory itself.
// Fails only when there is nothing to read; damage is reported in the report.
Status CheckDataDir(const std::string& path, const std::string& dbfilename, DataDirReport* report);
// The report as minired-check prints it.
std::string FormatReport(const DataDirReport& report);
// Copies the directory to `<path>.backup-<UTC time>` (*backup), then cuts each torn tail
// off its log file, as redis-check-aof --fix truncates an AOF.
Status FixTornTails(const DataDirReport& report, std::string* backup);

}  // namespace minired
