// HyperLogLog: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST over strings in Redis's own
// representation (storage/encodings/hyperloglog.h). A dense HLL held in a raw string is
// edited in place (its size never changes); a sparse one is rewritten, as it may grow,
// shrink or turn dense. Every string is checked before it is read: one that is not an
// HLL gets Redis's WRONGTYPE text, a corrupt one INVALIDOBJ, and neither is read past
// its end.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "protocol/numbers.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/key_access.h"
#include "server/families/records.h"
#include "server/families/spec.h"
#include "server/families/string_family.h"
#include "server/keyspace_events.h"
#include "storage/encodings/hyperloglog.h"
#include "storage/journal.h"

namespace minired {
namespace {

constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr std::string_view kCorrupt = "INVALIDOBJ Corrupted HLL object detected";

// The HLL string of an existing entry; nullopt after replying WRONGTYPE (another type,
// or a string that is not an HLL).
std::optional<std::string_view> HllOrReply(CommandContext& ctx, const Db::Slot& s) {
  if (IsWrongType(ctx, s, ValueType::kString)) return std::nullopt;
  if (s.entry->is_int()) {
    ctx.reply().Error(kNotHll);
    return std::nullopt;
  }
  char unused[kMaxInt64Chars];
  std::string_view v = s.entry->StringView(unused);
  if (!hll::LooksValid(v)) {
    ctx.reply().Error(kNotHll);
    return std::nullopt;
  }
  return v;
}

// Whether the entry's bytes may be edited where they lie (same size only).
bool EditableInPlace(const Entry* e) { return !e->is_int() && e->encoding() == Encoding::kRaw; }

size_t SparseMaxBytes(CommandContext& ctx) { return static_cast<size_t>(Limits(ctx).hll_sparse_max_bytes.load()); }

void StoreHll(KeyAccess& k, Db::Slot s, const std::string& value) {
  StoreString(k, s, value, s ? s.entry->expire_ms() : 0, Entry::StringForm::kRaw);
}

// PFADD key [element ...]: 1 if a register changed (or the key was created), else 0.
void CmdPfAdd(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  uint64_t updated = 0;
  std::optional<std::string_view> v;
  if (s) {
    v = HllOrReply(ctx, s);
    if (!v) return;
    if (hll::EncodingOf(*v) == hll::kDense && EditableInPlace(s.entry)) {
      char* data = s.entry->mutable_str_data();
      for (size_t i = 2; i < ctx.argc(); ++i) updated += hll::AddDense(data + hll::kHeaderSize, ctx.arg(i));
      if (updated) {
        hll::InvalidateCache(data);
        k.db().NoteWrite(k.key());
        ctx.Notify(kEventString, "pfadd", k.key());
        Journal::CountChanges(updated);
      }
      return ctx.reply().Integer(updated ? 1 : 0);
    }
  }
  std::string value = v ? std::string(*v) : hll::NewSparse();
  if (!s) updated++;
  bool corrupt = false;
  for (size_t i = 2; i < ctx.argc() && !corrupt; ++i) {
    int r = hll::Add(&value, ctx.arg(i), SparseMaxBytes(ctx));
    if (r < 0) corrupt = true;
    if (r > 0) updated++;
  }
  if (updated && !corrupt) hll::InvalidateCache(value.data());
  if (updated || corrupt) StoreHll(k, s, value);  // as Redis, edits before a corrupt run stay
  if (corrupt) return ctx.reply().Error(kCorrupt);
  if (updated) {
    ctx.Notify(kEventString, "pfadd", k.key());
    Journal::CountChanges(updated);
  }
  ctx.reply().Integer(updated ? 1 : 0);
}

// PFCOUNT of several keys: the count of their union, changing none of them.
void CountUnion(CommandContext& ctx) {
  std::vector<std::string_view> keys(ctx.args().begin() + 1, ctx.args().end());
  MultiKeyAccess m(ctx, keys);
  hll::RawRegisters max{};
  for (std::string_view key : keys) {
    Db::Slot s = m.FindRead(key);
    if (!s) continue;  // an empty HLL
    auto v = HllOrReply(ctx, s);
    if (!v) return;
    if (!hll::MergeInto(&max, *v)) return ctx.reply().Error(kCorrupt);
  }
  ctx.reply().Integer(static_cast<int64_t>(hll::CountRaw(max)));
}

// PFCOUNT key [key ...]: one key's count comes from its cache, or is computed and
// cached in the value (a change of the value, as Redis counts it, recorded for the log
// and the replicas as Redis propagates it).
void CmdPfCount(CommandContext& ctx) {
  if (ctx.argc() > 2) return CountUnion(ctx);
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (!s) return ctx.reply().Integer(0);
  auto v = HllOrReply(ctx, s);
  if (!v) return;
  if (hll::CacheValid(*v)) return ctx.reply().Integer(static_cast<int64_t>(hll::CachedCount(*v)));
  auto count = hll::Count(*v);
  if (!count) return ctx.reply().Error(kCorrupt);
  if (EditableInPlace(s.entry)) {
    hll::SetCachedCount(s.entry->mutable_str_data(), *count);
    k.db().NoteWrite(k.key());
  } else {
    std::string value(*v);
    hll::SetCachedCount(value.data(), *count);
    StoreHll(k, s, value);
  }
  Journal::CountChanges(1);
  // The value changed: replicas and the log get the same refresh (a read-only command
  // records nothing unless it says so).
  if (RecordsItself()) Substitute({"PFCOUNT", std::string(ctx.arg(1))});
  ctx.reply().Integer(static_cast<int64_t>(*count));
}

// PFMERGE destkey [sourcekey ...]: destkey becomes the union of itself and the
// sources (dense if any of them is).
void CmdPfMerge(CommandContext& ctx) {
  std::vector<std::string_view> keys(ctx.args().begin() + 1, ctx.args().end());
  MultiKeyAccess m(ctx, keys);
  hll::RawRegisters max{};
  bool dense = false;
  for (std::string_view key : keys) {
    Db::Slot s = m.FindRead(key);
    if (!s) continue;
    auto v = HllOrReply(ctx, s);
    if (!v) return;
    dense |= hll::EncodingOf(*v) == hll::kDense;
    if (!hll::MergeInto(&max, *v)) return ctx.reply().Error(kCorrupt);
  }
  const uint64_t hd = HashKey(ctx.arg(1));
  Db& db = m.DbOf(hd);
  Db::Slot d = LookupWrite(db, ctx.arg(1), hd, ctx.now_ms());
  char scratch[kMaxInt64Chars];
  std::string value = d ? std::string(d.entry->StringView(scratch)) : hll::NewSparse();
  if (dense && !hll::SparseToDense(&value)) return ctx.reply().Error(kCorrupt);
  const size_t max_bytes = SparseMaxBytes(ctx);
  for (int j = 0; j < hll::kRegisters; ++j) {
    if (max[static_cast<size_t>(j)] != 0) hll::Set(&value, j, max[static_cast<size_t>(j)], max_bytes);
  }
  hll::InvalidateCache(value.data());
  StoreString(db, d, ctx.arg(1), hd, ctx.now_ms(), value, d ? d.entry->expire_ms() : 0, Entry::StringForm::kRaw);
  ctx.Notify(kEventString, "pfadd", ctx.arg(1));
  ctx.reply().Ok();
}

// PFDEBUG GETREG | DECODE | ENCODING | TODENSE key
void CmdPfDebug(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  KeyAccess k(ctx, ctx.arg(2));
  Db::Slot s = k.FindWrite();
  if (!s) return ctx.reply().Error("ERR The specified key does not exist");
  auto v = HllOrReply(ctx, s);
  if (!v) return;
  ReplyWriter& w = ctx.reply();
  const bool sparse = hll::EncodingOf(*v) == hll::kSparse;
  // GETREG and TODENSE turn a sparse HLL dense (recorded, so replicas convert too).
  auto to_dense = [&]() -> std::optional<std::string> {
    std::string value(*v);
    if (!hll::SparseToDense(&value)) {
      w.Error(kCorrupt);
      return std::nullopt;
    }
    StoreHll(k, s, value);
    return value;
  };
  if (EqualsIgnoreCase(sub, "GETREG")) {
    std::optional<std::string> converted;
    if (sparse && !(converted = to_dense())) return;
    std::string_view dense = converted ? std::string_view(*converted) : *v;
    w.ArrayHeader(hll::kRegisters);
    for (int j = 0; j < hll::kRegisters; ++j) w.Integer(hll::DenseRegister(dense.data() + hll::kHeaderSize, j));
  } else if (EqualsIgnoreCase(sub, "DECODE")) {
    if (!sparse) return w.Error("ERR HLL encoding is not sparse");
    w.Bulk(hll::DescribeSparse(*v));
  } else if (EqualsIgnoreCase(sub, "ENCODING")) {
    w.SimpleString(sparse ? "sparse" : "dense");
  } else if (EqualsIgnoreCase(sub, "TODENSE")) {
    if (sparse && !to_dense()) return;
    w.Integer(sparse ? 1 : 0);
  } else {
    w.Error("ERR Unknown PFDEBUG subcommand '" + std::string(sub) + "'");
  }
}

// PFSELFTEST: checks the register packing and that the sparse and dense forms count
// the same, within the estimator's error, as elements are added.
void CmdPfSelfTest(CommandContext& ctx) {
  std::mt19937_64 rng(12345);
  std::string dense(hll::kDenseSize, '\0');
  std::vector<uint8_t> want(hll::kRegisters);
  for (int round = 0; round < 100; ++round) {
    std::string fresh = hll::NewSparse();
    if (!hll::SparseToDense(&fresh)) return ctx.reply().Error("ERR TESTFAILED sparse to dense conversion");
    dense = fresh;
    for (int j = 0; j < hll::kRegisters; ++j) {
      want[static_cast<size_t>(j)] = static_cast<uint8_t>(rng() & 63);
      hll::Set(&dense, j, want[static_cast<size_t>(j)], 0);
    }
    for (int j = 0; j < hll::kRegisters; ++j) {
      if (hll::DenseRegister(dense.data() + hll::kHeaderSize, j) != want[static_cast<size_t>(j)]) {
        return ctx.reply().Error("ERR TESTFAILED Register error at " + std::to_string(j));
      }
    }
  }
  std::string sparse = hll::NewSparse(), full = hll::NewSparse();
  if (!hll::SparseToDense(&full)) return ctx.reply().Error("ERR TESTFAILED sparse to dense conversion");
  const double relerr = 1.04 / std::sqrt(static_cast<double>(hll::kRegisters));
  uint64_t checkpoint = 1;
  for (uint64_t j = 1; j <= 1000000; ++j) {  // Redis adds 10M; 1M checks the same, 10x sooner
    const std::string e = std::to_string(rng());
    hll::Add(&sparse, e, 3000);
    hll::Add(&full, e, 3000);
    if (j != checkpoint) continue;
    checkpoint *= 10;
    const uint64_t a = hll::Count(sparse).value_or(0), b = hll::Count(full).value_or(0);
    if (a != b) return ctx.reply().Error("ERR TESTFAILED dense/sparse disagree: " + std::to_string(a) + " != " + std::to_string(b));
    double maxerr = j <= 10 ? 1.0 : 5 * relerr * static_cast<double>(j);
    if (std::fabs(static_cast<double>(b) - static_cast<double>(j)) > maxerr + 1) {
      return ctx.reply().Error("ERR TESTFAILED Too big error. card:" + std::to_string(j) + " abserr:" +
                               std::to_string(std::fabs(static_cast<double>(b) - static_cast<double>(j))));
    }
  }
  ctx.reply().Ok();
}

}  // namespace

void RegisterHyperLogLogFamily(CommandTable* t) {
  constexpr TypeFamily kHll{"hyperloglog", "@hyperloglog"};
  t->Register(kHll.Spec("pfadd", -2, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1,
                        "Adds the specified elements to the specified HyperLogLog.", "2.8.9", CmdPfAdd,
                        {"@write", "@fast"}));
  t->Register(kHll.Spec("pfcount", -2, kCmdReadOnly, 1, -1,
                        "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
                        "2.8.9", CmdPfCount, {"@read", "@slow"}));
  t->Register(kHll.Spec("pfmerge", -2, kCmdWrite | kCmdDenyOom, 1, -1, "Merge N different HyperLogLogs into a single one.",
                        "2.8.9", CmdPfMerge, {"@write", "@slow"}));
  t->Register(kHll.Spec("pfdebug", 3, kCmdWrite | kCmdDenyOom | kCmdAdmin, 2, 2,
                        "Internal commands for debugging HyperLogLog values", "2.8.9", CmdPfDebug,
                        {"@write", "@admin", "@slow", "@dangerous"}));
  t->Register(MakeSpec("hyperloglog", "pfselftest", 1, kCmdAdmin, 0, 0, 0, "An internal command for testing HyperLogLog values",
                       "2.8.9", CmdPfSelfTest, {"@hyperloglog", "@admin", "@slow", "@dangerous"}));
}

}  // namespace minired
