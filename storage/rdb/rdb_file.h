// A whole RDB file (or full-sync payload), as Redis 7.0 writes and reads it:
//   "REDIS0010" | AUX fields | FUNCTION2 libraries | per database: SELECTDB, RESIZEDB,
//   then keys (EXPIRETIME_MS, IDLE, FREQ opcodes before a key's type byte) | EOF (0xff)
//   | CRC64 of everything before, little-endian (0 when the writer skipped it)
// The writer streams its bytes to a sink in chunks, keeping the CRC as it goes; the
// reader walks a file held in memory and hands each key to a handler, so an import, a
// replica's full sync and a test each decide what to do with them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "protocol/status.h"
#include "storage/encodings/encoding_limits.h"
#include "storage/entry.h"

namespace minired::rdb {

// Opcodes (RDB_OPCODE_*).
enum : uint8_t {
  kOpFunctionPreGa = 246,
  kOpFunction2 = 245,
  kOpModuleAux = 247,
  kOpIdle = 248,
  kOpFreq = 249,
  kOpAux = 250,
  kOpResizeDb = 251,
  kOpExpireTimeMs = 252,
  kOpExpireTime = 253,
  kOpSelectDb = 254,
  kOpEof = 255,
};

// The newest RDB version the reader loads: 10 is Redis 7.0's; 11 (Redis 7.2) adds only
// encodings the reader knows.
inline constexpr int kMaxReadVersion = 11;

class RdbWriter {
 public:
  using Sink = std::function<Status(std::string_view)>;
  // `compress`: LZF for long strings (rdbcompression).
  RdbWriter(Sink sink, bool compress) : sink_(std::move(sink)), compress_(compress) {}

  Status Header();
  Status Aux(std::string_view key, std::string_view value);
  Status Function(std::string_view library_code);
  Status SelectDb(int db, uint64_t keys, uint64_t keys_with_expiry);
  Status Key(const Entry* e);
  // EOF, the checksum, and what is buffered.
  Status Finish();
  uint64_t bytes_written() const { return written_ + buf_.size(); }

 private:
  Status MaybeFlush();
  Status Flush();
  Sink sink_;
  bool compress_;
  std::string buf_;
  uint64_t crc_ = 0;
  uint64_t written_ = 0;
};

// What the reader found, for the caller's log line.
struct RdbLoadStats {
  int version = 0;
  uint64_t keys = 0;
  uint64_t empty_skipped = 0;  // collections with no elements (Redis skips them too)
  uint64_t functions = 0;
};

class RdbHandler {
 public:
  virtual ~RdbHandler() = default;
  virtual Status Aux(std::string_view key, std::string_view value) { return Status::Ok(); }
  virtual Status Function(std::string code) { return Status::Ok(); }
  virtual Status SelectDb(uint64_t db) { return Status::Ok(); }
  // RESIZEDB: how many keys the database about to be read holds (a sizing hint).
  virtual Status Resize(uint64_t db, uint64_t keys, uint64_t keys_with_expiry) { return Status::Ok(); }
  // The key's entry, owned by the handler from here on (free it if unwanted). `lru_idle`
  // / `lfu_freq`: the IDLE / FREQ opcodes' values, -1 when absent.
  virtual Status Key(uint64_t db, Entry* e, int64_t lru_idle, int lfu_freq) = 0;
  // Called every 64K keys with the bytes read so far (progress).
  virtual void Progress(uint64_t bytes_read, uint64_t keys) {}
};

// Reads a whole file. A wrong signature, an unsupported version, a module value, a
// truncated or corrupt value or a checksum mismatch stop the load with a message that
// names the key where one is involved.
Status LoadRdb(std::string_view data, const EncodingLimits& limits, RdbHandler& handler, RdbLoadStats* stats);

// Whether `data` starts like an RDB file ("REDIS" and four digits).
bool LooksLikeRdb(std::string_view data);

}  // namespace minired::rdb
