// The one-time import of a redis-server dump at start-up (docs/persistence.md,
// "Importing a dump.rdb"): when the data set is empty (no snapshot, nothing in the log)
// and rdb-import-file exists under --dir, its keys and function libraries are loaded
// while clients get -LOADING, then a snapshot makes them minired's own, so the next
// start loads the snapshot and the file is not read again.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "server/logger.h"
#include "server/persistence.h"
#include "server/scripting/function_loader.h"
#include "server/server.h"
#include "storage/rdb_keyspace_loader.h"

namespace minired {
namespace {

Status ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read " + path);
  *out = std::move(ss).str();
  return Status::Ok();
}

}  // namespace

Status Persistence::ImportRdb(const std::string& path) {
  const int64_t start = server_.clock().NowMs();
  std::string data;
  if (Status s = ReadWholeFile(path, &data); !s.ok()) return s;
  Log(LogLevel::kNotice, "Importing {} ({} bytes): the data set is empty and rdb-import-file names it", path,
      data.size());
  RdbKeyspaceLoader loader(server_.shards(), start, &loaded_keys_);
  const double total = static_cast<double>(data.size());
  int64_t last_log = start;
  loader.set_progress([&](uint64_t bytes, uint64_t keys) {
    const int64_t now = server_.clock().NowMs();
    if (now - last_log < 1000) return;
    last_log = now;
    Log(LogLevel::kNotice, "Importing {}: {} keys, {:.0f}% of the file", path, keys, 100.0 * bytes / total);
  });
  rdb::RdbLoadStats stats;
  Status s = rdb::LoadRdb(data, server_.config().encoding, loader, &stats);
  if (!s.ok()) {
    return Status::Corruption(fmt::format("importing {}: {} (nothing was kept: start without the file, or "
                                          "set rdb-import-file \"\" to skip the import)", path, s.message()));
  }
  if (!loader.functions().empty()) {
    std::vector<FunctionRegistry::LibraryPtr> libraries;
    std::string error;
    if (!BuildLibraries(loader.functions(), &libraries, &error)) {
      return Status::Corruption(fmt::format("importing {}: a function library does not load: {}", path, error));
    }
    server_.functions().Reset(libraries);
  }
  std::string writer = "unknown";
  for (const auto& [k, v] : loader.aux()) {
    if (k == "redis-ver") writer = "redis-server " + v;
  }
  Log(LogLevel::kNotice,
      "Imported {}: {} keys ({} already expired and {} empty collections skipped), {} function "
      "libraries; RDB version {}, written by {}; {:.3f} seconds",
      path, loader.loaded(), loader.expired_skipped(), stats.empty_skipped, loader.functions().size(), stats.version,
      writer, static_cast<double>(server_.clock().NowMs() - start) / 1000.0);
  // Make the import minired's own data: a snapshot (when anything persists at all), so
  // the next start loads it instead of the file.
  const PersistenceConfig& pc = server_.config().persistence;
  bool persisting = pc.appendonly.load();
  {
    std::lock_guard lock(pc.save_mu);
    persisting = persisting || !pc.save.empty();
  }
  if (persisting && loader.loaded() > 0) {
    std::string error;
    if (!StartSnapshot(&error)) Log(LogLevel::kWarning, "Snapshot after the import did not start: {}", error);
  }
  return Status::Ok();
}

}  // namespace minired
