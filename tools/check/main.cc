// minired-check [--fix] [--dbfilename NAME] <dir>
//
// Reads a minired data directory offline and reports what it holds and every problem
// found (tools/check/data_dir_check.h). It never changes the directory unless --fix is
// given; then it copies the directory aside first and cuts a torn log tail off, as
// redis-check-aof --fix does. Exit status: 0 nothing wrong (or all fixed), 1 problems
// remain, 2 nothing could be read or bad usage.
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/check/data_dir_check.h"

namespace {

int Usage(FILE* to) {
  std::fprintf(to,
               "Usage: minired-check [--fix] [--dbfilename NAME] <dir>\n"
               "  <dir>              the server's `dir` (holding dbfilename), or the RocksDB directory itself\n"
               "  --dbfilename NAME  the data under <dir> (default minired.rocksdb)\n"
               "  --fix              cut a torn log tail off, after copying the directory to\n"
               "                     <dir>/<dbfilename>.backup-<time>; nothing else is ever changed\n"
               "Stop the server first for an exact report; a running server's files can be read, as of now.\n");
  return to == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace minired;
  bool fix = false;
  std::string dbfilename = "minired.rocksdb";
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return Usage(stdout);
    if (strcmp(argv[i], "--fix") == 0) {
      fix = true;
    } else if (strcmp(argv[i], "--dbfilename") == 0 && i + 1 < argc) {
      dbfilename = argv[++i];
    } else if (argv[i][0] == '-' || !dir.empty()) {
      return Usage(stderr);
    } else {
      dir = argv[i];
    }
  }
  if (dir.empty()) return Usage(stderr);

  DataDirReport report;
  Status s = CheckDataDir(dir, dbfilename, &report);
  if (!s.ok()) {
    std::fprintf(stderr, "minired-check: %s\n", s.message().c_str());
    return 2;
  }
  std::fputs(FormatReport(report).c_str(), stdout);
  if (!report.opened) return 2;
  if (!fix || report.torn.empty()) return report.problems.empty() ? 0 : 1;

  std::string backup;
  s = FixTornTails(report, &backup);
  if (!s.ok()) {
    std::fprintf(stderr, "minired-check: --fix failed: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("\n--fix: copied the directory to %s, cut the torn tail off. Checking again:\n\n", backup.c_str());
  DataDirReport after;
  s = CheckDataDir(report.path, dbfilename, &after);
  if (!s.ok()) {
    std::fprintf(stderr, "minired-check: %s\n", s.message().c_str());
    return 2;
  }
  std::fputs(FormatReport(after).c_str(), stdout);
  return after.problems.empty() ? 0 : 1;
}
