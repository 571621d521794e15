// Persistence options: appendonly, appendfsync, save, stop-writes-on-bgsave-error,
// aof-load-truncated, aof-load-corrupt, dbfilename.
#include "protocol/numbers.h"
#include "server/config.h"

namespace minired {
namespace {

ConfigOption BoolOption(std::string name, bool live, std::function<bool(const PersistenceConfig&)> get,
                        std::function<void(PersistenceConfig&, bool)> put) {
  return YesNoOption(
      std::move(name), live, [get](const ServerConfig& c) { return get(c.persistence); },
      [put](ServerConfig& c, bool b) { put(c.persistence, b); });
}

}  // namespace

void AddPersistenceOptions(std::vector<ConfigOption>* opts) {
  opts->push_back(BoolOption(
      "appendonly", true, [](const PersistenceConfig& p) { return p.appendonly.load(); },
      [](PersistenceConfig& p, bool b) { p.appendonly = b; }));
  opts->push_back(BoolOption(
      "stop-writes-on-bgsave-error", true,
      [](const PersistenceConfig& p) { return p.stop_writes_on_bgsave_error.load(); },
      [](PersistenceConfig& p, bool b) { p.stop_writes_on_bgsave_error = b; }));
  opts->push_back(BoolOption(
      "aof-load-truncated", true, [](const PersistenceConfig& p) { return p.aof_load_truncated; },
      [](PersistenceConfig& p, bool b) { p.aof_load_truncated = b; }));
  opts->push_back(BoolOption(
      "aof-load-corrupt", false, [](const PersistenceConfig& p) { return p.aof_load_corrupt; },
      [](PersistenceConfig& p, bool b) { p.aof_load_corrupt = b; }));
  {
    ConfigOption o;
    o.name = "appendfsync";
    o.mutable_at_runtime = true;
    static const char* kNames[] = {"always", "everysec", "no"};
    o.get = [](const ServerConfig& c) { return std::string(kNames[c.persistence.appendfsync.load()]); };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      for (int i = 0; i < 3; ++i) {
        if (EqualsIgnoreCase(v[0], kNames[i])) {
          c.persistence.appendfsync = i;
          return Status::Ok();
        }
      }
      return Status::InvalidArgument("argument(s) must be one of the following: everysec, always, no");
    };
    opts->push_back(std::move(o));
  }
  {
    ConfigOption o;
    o.name = "dbfilename";
    o.protected_config = true;
    o.get = [](const ServerConfig& c) { return c.persistence.dbfilename; };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      if (v[0].empty() || v[0].find('/') != std::string::npos) {
        return Status::InvalidArgument("dbfilename can't be a path, just a filename");
      }
      c.persistence.dbfilename = v[0];
      return Status::Ok();
    };
    opts->push_back(std::move(o));
  }
  {
    // The redis-server dump to import when this server starts with no data of its own.
    ConfigOption o;
    o.name = "rdb-import-file";
    o.protected_config = true;
    o.get = [](const ServerConfig& c) { return c.persistence.rdb_import_file; };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      if (v[0].find('/') != std::string::npos) {
        return Status::InvalidArgument("rdb-import-file can't be a path, just a filename in dir");
      }
      c.persistence.rdb_import_file = v[0];
      return Status::Ok();
    };
    opts->push_back(std::move(o));
  }
  {
    // save "<seconds> <changes> [<seconds> <changes> ...]" or save "" (no rules).
    ConfigOption o;
    o.name = "save";
    o.mutable_at_runtime = true;
    o.multi_arg = true;
    o.get = [](const ServerConfig& c) {
      std::lock_guard lock(c.persistence.save_mu);
      std::string s;
      for (const SaveRule& r : c.persistence.save) {
        s += (s.empty() ? "" : " ") + Int64ToString(r.seconds) + " " + Int64ToString(r.changes);
      }
      return s;
    };
    o.set = [](ServerConfig& c, const std::vector<std::string>& v) {
      std::vector<std::string_view> words;
      std::string joined;
      for (const auto& part : v) joined += (joined.empty() ? "" : " ") + part;
      std::string_view text = joined;
      while (!text.empty()) {
        size_t sp = text.find(' ');
        std::string_view w = text.substr(0, sp);
        if (!w.empty()) words.push_back(w);
        if (sp == std::string_view::npos) break;
        text.remove_prefix(sp + 1);
      }
      if (words.size() % 2 != 0) return Status::InvalidArgument("Invalid save parameters");
      std::vector<SaveRule> rules;
      for (size_t i = 0; i < words.size(); i += 2) {
        auto secs = ParseInt64(words[i]), changes = ParseInt64(words[i + 1]);
        if (!secs || !changes || *secs < 1 || *changes < 0) {
          return Status::InvalidArgument("Invalid save parameters");
        }
        rules.push_back({*secs, *changes});
      }
      std::lock_guard lock(c.persistence.save_mu);
      c.persistence.save = std::move(rules);
      return Status::Ok();
    };
    opts->push_back(std::move(o));
  }
}

}  // namespace minired
