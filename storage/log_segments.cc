#include "storage/log_segments.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "storage/rdb/bytes.h"

namespace minired {

namespace fs = std::filesystem;

namespace {

constexpr char kFileHeader[LogSegments::kFileHeaderBytes + 1] = "MRLOG\x01\r\n";
constexpr std::string_view kPrefix = "log-";
constexpr std::string_view kSuffix = ".mlog";

void PutU32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void PutU64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

// XXH3 of the body, seeded with XXH3 of the header's first 20 bytes.
uint64_t RecordHash(const char* header, std::string_view body) {
  return XXH3_64bits_withSeed(body.data(), body.size(), XXH3_64bits(header, 20));
}

// One record as it lies at the front of `rest` (the bytes of a segment from a record's
// start): its header's fields, its body, and whether it is whole and intact.
struct Record {
  enum class Check { kIntact, kCutShort, kBadChecksum };
  Check check = Check::kCutShort;
  uint64_t first = 0, last = 0;
  std::string_view body;
  size_t size = 0;  // header and body
};

Record ReadRecord(std::string_view rest) {
  Record r;
  if (rest.size() < LogSegments::kRecordHeaderBytes) return r;
  const auto* h = reinterpret_cast<const uint8_t*>(rest.data());
  const uint64_t len = rdb::LoadLittleEndian(h, 4);
  r.first = rdb::LoadLittleEndian(h + 4, 8);
  r.last = rdb::LoadLittleEndian(h + 12, 8);
  if (rest.size() - LogSegments::kRecordHeaderBytes < len) return r;
  r.body = rest.substr(LogSegments::kRecordHeaderBytes, len);
  r.size = LogSegments::kRecordHeaderBytes + len;
  r.check = RecordHash(rest.data(), r.body) == rdb::LoadLittleEndian(h + 20, 8)
                ? Record::Check::kIntact
                : Record::Check::kBadChecksum;
  return r;
}

std::string ErrnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string SegmentName(uint64_t first_seq) {
  std::string digits = std::to_string(first_seq);
  return std::string(kPrefix) + std::string(20 - std::min<size_t>(20, digits.size()), '0') +
         digits + std::string(kSuffix);
}

// The first sequence number in a segment's file name; false if it is not one.
bool ParseSegmentName(const std::string& name, uint64_t* first_seq) {
  if (name.size() != kPrefix.size() + 20 + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix)) {
    return false;
  }
  uint64_t v = 0;
  for (size_t i = kPrefix.size(); i < kPrefix.size() + 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *first_seq = v;
  return true;
}

Status ReadWhole(const std::string& path, uint64_t limit, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(ErrnoText("opening " + path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::IOError(ErrnoText("sizing " + path));
  }
  out->resize(std::min<uint64_t>(limit, static_cast<uint64_t>(st.st_size)));
  size_t got = 0;
  while (got < out->size()) {
    ssize_t n = ::pread(fd, out->data() + got, out->size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = Status::IOError(n < 0 ? ErrnoText("reading " + path)
                                       : "reading " + path + ": shorter than it was");
      ::close(fd);
      return s;
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(ErrnoText("opening " + dir));
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::IOError(ErrnoText("syncing " + dir));
}

// What a walk through one segment's bytes found.
struct Scan {
  uint64_t valid_end = 0;  // bytes up to the end of the last intact record
  uint64_t last_seq = 0;   // of the last intact record (0: none)
  uint64_t records = 0;
  bool damaged = false;  // something after valid_end is not a record
  bool tail_only =
      false;         // ...and nothing intact follows it: a torn tail if the segment is the last
  std::string what;  // what is wrong at valid_end
};

bool AllZero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

// Walks the records of `d` (a whole segment file); `after_seq` is the last sequence
// number of the segment before it (records must follow it).
Scan ScanSegment(std::string_view d, uint64_t after_seq) {
  Scan r;
  if (d.size() < LogSegments::kFileHeaderBytes) {
    // A crash right after the file was created.
    r.damaged = !d.empty();
    r.tail_only = true;
    r.what = "the file header is incomplete";
    return r;
  }
  if (d.substr(0, LogSegments::kFileHeaderBytes) !=
      std::string_view(kFileHeader, LogSegments::kFileHeaderBytes)) {
    r.damaged = true;
    r.what = "not a minired log segment (unknown header or version)";
    return r;
  }
  size_t pos = LogSegments::kFileHeaderBytes;
  r.valid_end = pos;
  uint64_t prev = after_seq;
  while (pos < d.size()) {
    std::string_view rest = d.substr(pos);
    auto stop = [&](std::string what, bool tail_only) {
      r.damaged = true;
      r.tail_only = tail_only || AllZero(rest);
      r.what = std::move(what);
    };
    const Record rec = ReadRecord(rest);
    if (rec.check == Record::Check::kCutShort) {
      stop(rest.size() < LogSegments::kRecordHeaderBytes ? "a record header is cut short"
                                                         : "a record is cut short",
           true);
      break;
    }
    if (rec.check == Record::Check::kBadChecksum) {
      stop("a record fails its checksum", rec.size == rest.size());
      break;
    }
    if (rec.first == 0 || rec.first > rec.last || rec.first <= prev) {
      stop("a record's sequence numbers do not follow the one before it", false);
      break;
    }
    prev = rec.last;
    pos += rec.size;
    r.valid_end = pos;
    r.last_seq = rec.last;
    ++r.records;
  }
  return r;
}

}  // namespace

// The file handle outlives the segment's place as the current one while Sync uses it.
struct FileHandle {
  int fd = -1;
  ~FileHandle() {
    if (fd >= 0) ::close(fd);
  }
};

struct LogSegments::Segment {
  std::string path;
  uint64_t first_seq = 0;            // from the name
  uint64_t last_seq = 0;             // of its last record (0: none)
  uint64_t size = 0;                 // bytes that are records (reads stop there)
  std::shared_ptr<FileHandle> file;  // open while appended to
};

LogSegments::~LogSegments() = default;

Status LogSegments::Open(const Options& o, std::unique_ptr<LogSegments>* out) {
  std::unique_ptr<LogSegments> log(new LogSegments());
  log->options_ = o;
  std::error_code ec;
  std::vector<std::shared_ptr<Segment>> found;
  if (fs::is_directory(o.dir, ec)) {
    for (const auto& f : fs::directory_iterator(o.dir, ec)) {
      uint64_t first = 0;
      if (!f.is_regular_file() || !ParseSegmentName(f.path().filename().string(), &first)) continue;
      auto s = std::make_shared<Segment>();
      s->path = f.path().string();
      s->first_seq = first;
      found.push_back(std::move(s));
    }
    if (ec) return Status::IOError("listing " + o.dir + ": " + ec.message());
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a->first_seq < b->first_seq; });
  std::string data;
  uint64_t prev = 0;
  for (size_t i = 0; i < found.size(); ++i) {
    Segment& seg = *found[i];
    Status s = ReadWhole(seg.path, UINT64_MAX, &data);
    if (!s.ok()) return s;
    Scan scan = ScanSegment(data, prev);
    seg.size = scan.valid_end;
    seg.last_seq = scan.last_seq;
    if (scan.records > 0) prev = scan.last_seq;
    log->segments_.push_back(found[i]);
    if (!scan.damaged) continue;
    const bool last = i + 1 == found.size();
    const uint64_t dropped = data.size() - scan.valid_end;
    const std::string where =
        fs::path(seg.path).filename().string() + " at byte " + std::to_string(scan.valid_end);
    if (last && scan.tail_only) {
      if (o.strict) {
        return Status::Corruption("the log's last record is torn (" + std::to_string(dropped) +
                                  " bytes at the end of " + fs::path(seg.path).filename().string() +
                                  ": " + scan.what + ")");
      }
      log->torn_ = {seg.path, dropped};
    } else if (!o.recover_to_corruption) {
      return Status::Corruption(where + ": " + scan.what);
    }
    if (o.read_only) break;  // the segments after it are not read
    // Cut the segment at the damage (a damaged part is kept beside it); set the
    // segments after it aside.
    if (!(last && scan.tail_only)) {
      std::ofstream kept(seg.path + ".damaged", std::ios::binary | std::ios::trunc);
      kept.write(data.data() + scan.valid_end, static_cast<std::streamsize>(dropped));
      if (!kept.flush())
        return Status::IOError("keeping the damaged part of " + seg.path + " beside it");
    }
    if (::truncate(seg.path.c_str(), static_cast<off_t>(scan.valid_end)) != 0) {
      return Status::IOError(ErrnoText("cutting the damaged end off " + seg.path));
    }
    for (size_t j = i + 1; j < found.size(); ++j) {
      fs::rename(found[j]->path, found[j]->path + ".damaged", ec);
      if (ec) return Status::IOError("setting " + found[j]->path + " aside: " + ec.message());
    }
    break;
  }
  if (!o.read_only) {
    // A segment with no record (a crash before its first append completed, or a torn
    // first record) goes: its name is the one the next append may need.
    std::erase_if(log->segments_, [](const std::shared_ptr<Segment>& s) {
      return s->last_seq == 0 && ::unlink(s->path.c_str()) == 0;
    });
  }
  *out = std::move(log);
  return Status::Ok();
}

LogSegments::Torn LogSegments::FindTornTail(const std::string& dir) {
  Options o;
  o.dir = dir;
  o.read_only = true;
  std::unique_ptr<LogSegments> log;
  if (!Open(o, &log).ok()) return {};
  return log->torn();
}

Status LogSegments::StartSegmentLocked(uint64_t first_seq) {
  std::error_code ec;
  if (!fs::is_directory(options_.dir, ec)) {
    fs::create_directories(options_.dir, ec);
    if (ec) return Status::IOError("creating " + options_.dir + ": " + ec.message());
    // The directory's own name must survive a crash too.
    if (Status s = SyncDirectory(fs::path(options_.dir).parent_path().string()); !s.ok()) return s;
  }
  auto seg = std::make_shared<Segment>();
  seg->path = (fs::path(options_.dir) / SegmentName(first_seq)).string();
  seg->first_seq = first_seq;
  auto file = std::make_shared<FileHandle>();
  // O_EXCL: every segment on disk holds entries before first_seq, so the name is new.
  file->fd = ::open(seg->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (file->fd < 0) return Status::IOError(ErrnoText("creating " + seg->path));
  if (::write(file->fd, kFileHeader, kFileHeaderBytes) != static_cast<ssize_t>(kFileHeaderBytes)) {
    Status s = Status::IOError(ErrnoText("writing " + seg->path));
    ::unlink(seg->path.c_str());
    return s;
  }
  // The file's name must survive a crash as its records do.
  if (Status s = SyncDirectory(options_.dir); !s.ok()) {
    ::unlink(seg->path.c_str());
    return s;
  }
  seg->size = kFileHeaderBytes;
  seg->file = std::move(file);
  segments_.push_back(std::move(seg));
  appending_ = true;
  return Status::Ok();
}

Status LogSegments::CloseCurrentLocked() {
  if (!appending_) return Status::Ok();
  Segment& seg = *segments_.back();
  if (::fdatasync(seg.file->fd) != 0) return Status::IOError(ErrnoText("syncing " + seg.path));
  seg.file.reset();
  appending_ = false;
  return Status::Ok();
}

Status LogSegments::Append(uint64_t first_seq, uint64_t last_seq, std::string_view batch,
                           bool sync) {
  if (options_.read_only) return Status::IOError("the log was opened read-only");
  if (batch.size() > UINT32_MAX) return Status::InvalidArgument("a log record over 4 GB");
  std::lock_guard lock(mu_);
  if (appending_ && !tail_to_cut_ && segments_.back()->size >= options_.segment_bytes) {
    if (Status s = CloseCurrentLocked(); !s.ok()) return s;
  }
  if (!appending_) {
    if (Status s = StartSegmentLocked(first_seq); !s.ok()) return s;
  }
  Segment& seg = *segments_.back();
  if (tail_to_cut_) {
    if (::ftruncate(seg.file->fd, static_cast<off_t>(seg.size)) != 0) {
      return Status::IOError(ErrnoText("cutting a partial record off " + seg.path));
    }
    tail_to_cut_ = false;
  }
  char header[kRecordHeaderBytes];
  PutU32(header, static_cast<uint32_t>(batch.size()));
  PutU64(header + 4, first_seq);
  PutU64(header + 12, last_seq);
  PutU64(header + 20, RecordHash(header, batch));
  iovec iov[2] = {{header, kRecordHeaderBytes}, {const_cast<char*>(batch.data()), batch.size()}};
  const size_t total = kRecordHeaderBytes + batch.size();
  size_t done = 0;
  while (done < total) {
    // Resume a short write where it stopped.
    iovec part[2];
    int n_iov = 0;
    size_t skip = done;
    for (const iovec& v : iov) {
      if (skip >= v.iov_len) {
        skip -= v.iov_len;
        continue;
      }
      part[n_iov++] = {static_cast<char*>(v.iov_base) + skip, v.iov_len - skip};
      skip = 0;
    }
    ssize_t n = ::writev(seg.file->fd, part, n_iov);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return CutFailedAppendLocked(ErrnoText("appending to " + seg.path));
    done += static_cast<size_t>(n);
  }
  // A record whose sync failed may or may not be on disk: it is cut off too, and the
  // retry writes it again (a record must never appear twice).
  if (sync && ::fdatasync(seg.file->fd) != 0)
    return CutFailedAppendLocked(ErrnoText("syncing " + seg.path));
  seg.size += total;
  seg.last_seq = last_seq;
  return Status::Ok();
}

Status LogSegments::CutFailedAppendLocked(const std::string& error) {
  Segment& seg = *segments_.back();
  if (::ftruncate(seg.file->fd, static_cast<off_t>(seg.size)) != 0) {
    // Retried before the next append, which fails until the cut succeeds: nothing may
    // land after a partial record.
    tail_to_cut_ = true;
    return Status::IOError(error + "; " + ErrnoText("cutting the partial record off"));
  }
  return Status::IOError(error);
}

Status LogSegments::Sync() {
  std::shared_ptr<FileHandle> file;
  std::string path;
  {
    std::lock_guard lock(mu_);
    if (!appending_) return Status::Ok();  // a closed segment was synced when it was closed
    file = segments_.back()->file;
    path = segments_.back()->path;
  }
  if (::fdatasync(file->fd) != 0) return Status::IOError(ErrnoText("syncing " + path));
  return Status::Ok();
}

Status LogSegments::ForEach(uint64_t after,
                            const std::function<Status(uint64_t, std::string_view)>& visit) const {
  std::vector<std::pair<std::string, uint64_t>> files;  // path, bytes to read
  {
    std::lock_guard lock(mu_);
    for (const auto& s : segments_) {
      if (s->last_seq > after) files.emplace_back(s->path, s->size);
    }
  }
  std::string data;
  for (const auto& [path, size] : files) {
    Status s = ReadWhole(path, size, &data);
    if (!s.ok()) return s;
    if (data.size() < size) return Status::Corruption(path + ": shorter than when it was opened");
    for (size_t pos = kFileHeaderBytes; pos < data.size();) {
      const Record rec = ReadRecord(std::string_view(data).substr(pos));
      if (rec.check != Record::Check::kIntact) {
        return Status::Corruption(
            path + ": a record " +
            (rec.check == Record::Check::kCutShort ? "is cut short" : "fails its checksum") +
            " at byte " + std::to_string(pos));
      }
      if (rec.last > after) {
        if (Status v = visit(rec.first, rec.body); !v.ok()) return v;
      }
      pos += rec.size;
    }
  }
  return Status::Ok();
}

Status LogSegments::DropCoveredBy(uint64_t seq) {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Segment>> kept;
  for (size_t i = 0; i < segments_.size(); ++i) {
    auto& s = segments_[i];
    const bool current = appending_ && i + 1 == segments_.size();
    if (s->last_seq > seq) {
      kept.push_back(s);
      continue;
    }
    if (current) appending_ = false;  // the next append starts a segment of its own
    if (::unlink(s->path.c_str()) != 0 && errno != ENOENT) {
      kept.push_back(s);
      if (current) appending_ = true;
    }
  }
  segments_ = std::move(kept);
  return Status::Ok();
}

Status LogSegments::DiscardAfter(uint64_t seq) {
  if (options_.read_only) return Status::Ok();
  std::lock_guard lock(mu_);
  std::string data;
  for (size_t i = 0; i < segments_.size(); ++i) {
    Segment& seg = *segments_[i];
    if (seg.last_seq <= seq) continue;
    // The first record reaching past seq ends this segment if it holds seq itself, or
    // is cut with everything after it.
    Status s = ReadWhole(seg.path, seg.size, &data);
    if (!s.ok()) return s;
    uint64_t cut = kFileHeaderBytes, last = 0;
    while (cut < data.size()) {
      const Record rec = ReadRecord(std::string_view(data).substr(cut));
      if (rec.check != Record::Check::kIntact || rec.first > seq) break;
      cut += rec.size;
      last = rec.last;
    }
    if (appending_ && i + 1 == segments_.size()) {
      seg.file.reset();
      appending_ = false;
    }
    size_t keep = i + 1;
    if (last == 0) {
      keep = i;  // nothing of it stays: set aside with the rest, freeing its name
    } else if (::truncate(seg.path.c_str(), static_cast<off_t>(cut)) != 0) {
      return Status::IOError(ErrnoText("cutting " + seg.path));
    } else {
      seg.size = cut;
      seg.last_seq = last;
    }
    for (size_t j = keep; j < segments_.size(); ++j) {
      std::error_code ec;
      fs::rename(segments_[j]->path, segments_[j]->path + ".discarded", ec);
      if (ec) return Status::IOError("setting " + segments_[j]->path + " aside: " + ec.message());
    }
    segments_.resize(keep);
    break;
  }
  return Status::Ok();
}

uint64_t LogSegments::DiskBytes() const {
  std::lock_guard lock(mu_);
  uint64_t total = 0;
  for (const auto& s : segments_) total += s->size;
  return total;
}

}  // namespace minired
