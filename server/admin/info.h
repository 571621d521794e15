// INFO's text, with Redis's section and field names so tools that parse INFO
// (redis_exporter, client libraries, redis-cli) work unchanged.
#pragma once

#include <string>
#include <vector>

namespace minired {

class Server;

// `sections` are lower-case names; empty means "default". "all" and "everything"
// select every section.
std::string BuildInfo(Server& server, const std::vector<std::string>& sections);

// The per-command sections (info_commandstats.cc).
std::string CommandStatsSection(Server& server);
std::string ErrorStatsSection(Server& server);
std::string LatencyStatsSection(Server& server);

// "1.23M" as Redis's bytesToHuman.
std::string BytesToHuman(int64_t n);

}  // namespace minired
