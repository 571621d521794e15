#include "storage/rdb/rdb_file.h"

#include <algorithm>
#include <cstdio>

#include "storage/rdb/crc64.h"
#include "storage/rdb/rdb_string.h"
#include "storage/rdb/rdb_value.h"

namespace minired::rdb {
namespace {

constexpr size_t kFlushBytes = 1 << 16;

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A key for an error message: printable, and not too long.
std::string Printable(std::string_view key) {
  std::string out;
  for (unsigned char c : key.substr(0, 64)) {
    if (c >= 0x20 && c < 0x7f && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      char b[5];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      out += b;
    }
  }
  if (key.size() > 64) out += "...";
  return out;
}

}  // namespace

bool LooksLikeRdb(std::string_view data) {
  if (data.size() < 9 || data.substr(0, 5) != "REDIS") return false;
  for (char c : data.substr(5, 4)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status RdbWriter::Header() {
  buf_ += "REDIS0010";
  return Status::Ok();
}

Status RdbWriter::Aux(std::string_view key, std::string_view value) {
  buf_.push_back(static_cast<char>(kOpAux));
  AppendEncodedString(&buf_, key, false);
  AppendEncodedString(&buf_, value, false);
  return MaybeFlush();
}

Status RdbWriter::Function(std::string_view library_code) {
  buf_.push_back(static_cast<char>(kOpFunction2));
  AppendString(&buf_, library_code);
  return MaybeFlush();
}

Status RdbWriter::SelectDb(int db, uint64_t keys, uint64_t keys_with_expiry) {
  buf_.push_back(static_cast<char>(kOpSelectDb));
  AppendLength(&buf_, static_cast<uint64_t>(db));
  buf_.push_back(static_cast<char>(kOpResizeDb));
  AppendLength(&buf_, keys);
  AppendLength(&buf_, keys_with_expiry);
  return MaybeFlush();
}

Status RdbWriter::Key(const Entry* e) {
  if (e->has_expire()) {
    buf_.push_back(static_cast<char>(kOpExpireTimeMs));
    PutLe(&buf_, static_cast<uint64_t>(e->expire_ms()), 8);
  }
  // The type byte comes first, then the key, then the value: AppendValue writes type and
  // value together, so the key is spliced in after the type byte.
  const size_t at = buf_.size();
  AppendValue(e, compress_, &buf_);
  std::string key;
  AppendEncodedString(&key, e->key(), compress_);
  buf_.insert(at + 1, key);
  return MaybeFlush();
}

Status RdbWriter::Finish() {
  buf_.push_back(static_cast<char>(kOpEof));
  crc_ = Crc64(crc_, buf_);
  PutLe(&buf_, crc_, 8);
  written_ += buf_.size();
  Status st = sink_(buf_);
  buf_.clear();
  return st;
}

Status RdbWriter::MaybeFlush() { return buf_.size() >= kFlushBytes ? Flush() : Status::Ok(); }

Status RdbWriter::Flush() {
  crc_ = Crc64(crc_, buf_);
  written_ += buf_.size();
  Status st = sink_(buf_);
  buf_.clear();
  return st;
}

Status LoadRdb(std::string_view data, const EncodingLimits& limits, RdbHandler& handler, RdbLoadStats* stats) {
  if (!LooksLikeRdb(data)) return Status::Corruption("Wrong signature trying to load DB from file");
  const int version = std::stoi(std::string(data.substr(5, 4)));
  stats->version = version;
  if (version < 1 || version > kMaxReadVersion) {
    return Status::Unsupported("Can't handle RDB format version " + std::to_string(version));
  }
  Reader r(data.substr(9));
  auto truncated = [&](const char* what) {
    return Status::Corruption(std::string("Short read or corrupt file: truncated ") + what + " at offset " +
                              std::to_string(9 + r.position()));
  };
  uint64_t db = 0;
  int64_t expire = 0, idle = -1;
  int freq = -1;
  std::string key_scratch, error;
  for (;;) {
    uint8_t op;
    if (!r.ReadByte(&op)) return truncated("opcode");
    switch (op) {
      case kOpEof: {
        if (version >= 5) {
          uint64_t expected;
          const size_t body = 9 + r.position();
          if (!r.ReadLe(8, &expected)) return truncated("checksum");
          if (expected != 0) {
            const uint64_t actual = Crc64(0, data.substr(0, body));
            if (actual != expected) {
              char msg[96];
              std::snprintf(msg, sizeof msg, "Wrong RDB checksum expected: (%llx) got: (%llx)",
                            static_cast<unsigned long long>(expected), static_cast<unsigned long long>(actual));
              return Status::Corruption(msg);
            }
          }
        }
        return Status::Ok();
      }
      case kOpSelectDb:
        if (!r.ReadLength(&db)) return truncated("SELECTDB");
        if (Status st = handler.SelectDb(db); !st.ok()) return st;
        continue;
      case kOpResizeDb: {
        uint64_t a, b;
        if (!r.ReadLength(&a) || !r.ReadLength(&b)) return truncated("RESIZEDB");
        // Every key takes at least 3 bytes: a count beyond what the rest of the file can
        // hold is no reason to reserve memory for it.
        if (Status st = handler.Resize(db, std::min<uint64_t>(a, r.remaining() / 3), b); !st.ok()) return st;
        continue;
      }
      case kOpAux: {
        std::string k, v;
        if (!r.ReadString(&k) || !r.ReadString(&v)) return truncated("AUX field");
        if (Status st = handler.Aux(k, v); !st.ok()) return st;
        continue;
      }
      case kOpExpireTimeMs: {
        uint64_t ms;
        if (!r.ReadLe(8, &ms)) return truncated("expiry");
        expire = static_cast<int64_t>(ms);
        continue;
      }
      case kOpExpireTime: {
        uint64_t s;
        if (!r.ReadLe(4, &s)) return truncated("expiry");
        expire = static_cast<int64_t>(s) * 1000;
        continue;
      }
      case kOpIdle: {
        uint64_t v;
        if (!r.ReadLength(&v)) return truncated("IDLE");
        idle = static_cast<int64_t>(v);
        continue;
      }
      case kOpFreq: {
        uint8_t f;
        if (!r.ReadByte(&f)) return truncated("FREQ");
        freq = f;
        continue;
      }
      case kOpFunction2: {
        std::string code;
        if (!r.ReadString(&code)) return truncated("function library");
        ++stats->functions;
        if (Status st = handler.Function(std::move(code)); !st.ok()) return st;
        continue;
      }
      case kOpFunctionPreGa: return Status::Unsupported("Pre-release function format not supported");
      case kOpModuleAux: return Status::Unsupported("The RDB file contains module AUX data (modules are not supported)");
      default: break;
    }
    if (!IsValueType(op)) return Status::Corruption("Unknown RDB type " + std::to_string(op));
    std::string_view key;
    if (!r.ReadStringView(&key, &key_scratch)) return truncated("key");
    Entry* e = nullptr;
    switch (ReadValue(r, op, key, expire > 0 ? expire : 0, limits, &e, &error)) {
      case ValueResult::kError:
        return Status::Corruption("Bad RDB value for key '" + Printable(key) + "': " + error);
      case ValueResult::kEmpty: ++stats->empty_skipped; break;
      case ValueResult::kOk: {
        ++stats->keys;
        if (Status st = handler.Key(db, e, idle, freq); !st.ok()) return st;
        if ((stats->keys & 0xffff) == 0) handler.Progress(9 + r.position(), stats->keys);
        break;
      }
    }
    expire = 0;
    idle = -1;
    freq = -1;
  }
}

}  // namespace minired::rdb
