// libFuzzer target for the append-only log's segment reader (storage/log_segments.h):
// the input becomes one or two segment files (the first byte says whether each starts
// with a valid file header and where the input is split), which are opened as the
// server and minired-check open them.
//
// Whatever the bytes, nothing may crash, leak or read out of bounds; every record an
// open accepts reads back; and a writable open that accepts the loss
// (aof-load-corrupt yes) leaves a log that a strict open reads whole, with the same
// records.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "storage/log_segments.h"

namespace {

namespace fs = std::filesystem;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "log_segment_fuzz: %s\n", what.c_str());
  std::abort();
}

const fs::path& Dir() {
  static const fs::path dir = [] {
    fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    return base / ("minired-log-segment-fuzz-" + std::to_string(getpid()));
  }();
  return dir;
}

struct Cleanup {
  ~Cleanup() { fs::remove_all(Dir()); }
} cleanup;

// The records an open log visits, as (first seq, body) pairs; false if reading failed.
bool ReadAll(const minired::LogSegments& log, std::vector<std::pair<uint64_t, std::string>>* out) {
  out->clear();
  return log
      .ForEach(0,
               [&](uint64_t seq, std::string_view body) {
                 out->emplace_back(seq, std::string(body));
                 return minired::Status::Ok();
               })
      .ok();
}

std::unique_ptr<minired::LogSegments> Open(bool strict, bool recover, bool read_only,
                                           minired::Status* s) {
  minired::LogSegments::Options o;
  o.dir = Dir().string();
  o.strict = strict;
  o.recover_to_corruption = recover;
  o.read_only = read_only;
  std::unique_ptr<minired::LogSegments> log;
  *s = minired::LogSegments::Open(o, &log);
  return log;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0], split_at = data[1];
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  fs::remove_all(Dir());
  fs::create_directories(Dir());
  const std::string header = "MRLOG\x01\r\n";
  auto write = [&](const char* name, std::string_view bytes, bool with_header) {
    std::ofstream f(Dir() / name, std::ios::binary);
    if (with_header) f << header;
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  if (flags & 2) {
    const size_t at = in.empty() ? 0 : split_at % (in.size() + 1);
    write("log-00000000000000000001.mlog", in.substr(0, at), flags & 1);
    write("log-00000000000000000100.mlog", in.substr(at), flags & 4);
  } else {
    write("log-00000000000000000001.mlog", in, flags & 1);
  }

  std::vector<std::pair<uint64_t, std::string>> records, again;
  minired::Status s;
  for (bool recover : {false, true}) {
    auto log = Open(false, recover, true, &s);
    if (s.ok() && !ReadAll(*log, &records))
      Fail("a read-only open accepted records it cannot read back");
  }
  auto log = Open(false, true, false, &s);
  if (!s.ok()) {
    if (s.code() == minired::Status::Code::kCorruption)
      Fail("accepting the loss still refused: " + s.message());
    return 0;  // an I/O error
  }
  if (!ReadAll(*log, &records)) Fail("a writable open accepted records it cannot read back");
  log.reset();
  log = Open(true, false, false, &s);
  if (!s.ok()) Fail("after a writable open the log is still damaged: " + s.message());
  if (!ReadAll(*log, &again) || again != records) Fail("a strict reopen reads other records");
  return 0;
}
