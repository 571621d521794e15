// Streams: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XSETID. The reads (XREAD,
// XREADGROUP), the consumer groups and XINFO have their own files; every stream
// command registers here.
#include <string>
#include <vector>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/list_family.h"
#include "server/families/spec.h"
#include "server/families/stream_family.h"
#include "server/families/stream_util.h"
#include "server/keyspace_events.h"

namespace minired {
namespace {

enum class TrimStrategy { kNone, kMaxLen, kMinId };

// XADD and XTRIM's options (Redis's streamAddTrimArgs).
struct AddTrimArgs {
  TrimStrategy strategy = TrimStrategy::kNone;
  bool approx = false;
  int64_t max_len = 0;
  StreamId min_id;
  int64_t limit = 0;
  size_t strategy_arg = 0;  // where the threshold is (rewritten for replicas after ~)
  // XADD only.
  bool no_mkstream = false;
  bool id_given = false;
  bool seq_given = true;  // "<ms>-*" leaves the sequence to XADD
  StreamId id;
};

// Reads the options from argument 2 on, as streamParseAddOrTrimArgsOrReply: returns
// the ID's position for XADD (the argument after the options) or argc for XTRIM; -1
// after replying an error.
int64_t ParseAddOrTrim(CommandContext& ctx, bool xadd, AddTrimArgs* a) {
  size_t i = 2;
  bool limit_given = false;
  for (; i < ctx.argc(); ++i) {
    const size_t more = ctx.argc() - 1 - i;
    std::string_view opt = ctx.arg(i);
    if (xadd && opt == "*") break;
    const bool maxlen = EqualsIgnoreCase(opt, "MAXLEN");
    if ((maxlen || EqualsIgnoreCase(opt, "MINID")) && more > 0) {
      if (a->strategy != TrimStrategy::kNone) {
        ctx.reply().Error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
        return -1;
      }
      a->approx = false;
      std::string_view next = ctx.arg(i + 1);
      if (more >= 2 && next == "~") {
        a->approx = true;
        ++i;
      } else if (more >= 2 && next == "=") {
        ++i;
      }
      if (maxlen) {
        auto n = IntArg(ctx, ctx.arg(i + 1));
        if (!n) return -1;
        if (*n < 0) {
          ctx.reply().Error("ERR The MAXLEN argument must be >= 0.");
          return -1;
        }
        a->max_len = *n;
      } else if (!ParseStrictIdArg(ctx, ctx.arg(i + 1), &a->min_id)) {
        return -1;
      }
      ++i;
      a->strategy = maxlen ? TrimStrategy::kMaxLen : TrimStrategy::kMinId;
      a->strategy_arg = i;
    } else if (EqualsIgnoreCase(opt, "LIMIT") && more > 0) {
      auto n = IntArg(ctx, ctx.arg(i + 1));
      if (!n) return -1;
      if (*n < 0) {
        ctx.reply().Error("ERR The LIMIT argument must be >= 0.");
        return -1;
      }
      a->limit = *n;
      limit_given = true;
      ++i;
    } else if (xadd && EqualsIgnoreCase(opt, "NOMKSTREAM")) {
      a->no_mkstream = true;
    } else if (xadd) {
      // The ID (strict: not "-" or "+"; "<ms>" is "<ms>-0", "<ms>-*" leaves the sequence).
      StreamIdParse p;
      if (!ParseStreamId(opt, true, &p)) {
        ctx.reply().Error(kInvalidStreamId);
        return -1;
      }
      a->id = p.id;
      a->seq_given = !p.seq_auto;
      a->id_given = true;
      break;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return -1;
    }
  }
  if (a->limit != 0 && a->strategy == TrimStrategy::kNone) {
    ctx.reply().Error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
    return -1;
  }
  if (!xadd && a->strategy == TrimStrategy::kNone) {
    ctx.reply().Error("ERR syntax error, XTRIM must be called with a trimming strategy");
    return -1;
  }
  if (ctx.session().checked_at_source()) {
    // The log and the master carry the exact threshold the trim reached.
    a->limit = 0;
  } else if (limit_given) {
    if (!a->approx) {
      ctx.reply().Error("ERR syntax error, LIMIT cannot be used without the special ~ option");
      return -1;
    }
  } else if (a->approx) {
    // An approximate trim does a bounded amount of work unless told otherwise.
    a->limit = 100 * Limits(ctx).stream_node_max_entries.load();
    if (a->limit <= 0 || a->limit > 1000000) a->limit = 10000;
  } else {
    a->limit = 0;
  }
  return static_cast<int64_t>(i);
}

size_t Trim(Stream& s, const AddTrimArgs& a) {
  const auto limit = static_cast<size_t>(a.limit);
  if (a.strategy == TrimStrategy::kMaxLen) return s.TrimToLength(static_cast<size_t>(a.max_len), a.approx, limit);
  if (a.strategy == TrimStrategy::kMinId) return s.TrimBelow(a.min_id, a.approx, limit);
  return 0;
}

// An approximate trim is recorded as the exact one it amounted to (Redis's
// streamRewriteApproxSpecifier and streamRewriteTrimArgument), so the log and the
// replicas remove the same entries whatever their node sizes.
void RewriteApproxTrim(const Stream& s, const AddTrimArgs& a, std::vector<std::string>* args) {
  (*args)[a.strategy_arg - 1] = "=";
  (*args)[a.strategy_arg] =
      a.strategy == TrimStrategy::kMaxLen ? std::to_string(s.length()) : s.FirstNodeId().ToString();
}

std::vector<std::string> ArgsCopy(CommandContext& ctx) {
  return std::vector<std::string>(ctx.args().begin(), ctx.args().end());
}

// XADD key [NOMKSTREAM] [MAXLEN | MINID [= | ~] threshold [LIMIT count]] * | id field value [field value ...]
void CmdXAdd(CommandContext& ctx) {
  AddTrimArgs a;
  const int64_t id_pos = ParseAddOrTrim(ctx, true, &a);
  if (id_pos < 0) return;
  const size_t fields_at = static_cast<size_t>(id_pos) + 1;
  if (ctx.argc() < fields_at + 2 || (ctx.argc() - fields_at) % 2 == 1) {
    return ctx.reply().Error(errors::WrongArity("xadd"));
  }
  if (a.id_given && a.seq_given && a.id == StreamId::Min()) {
    return ctx.reply().Error("ERR The ID specified in XADD must be greater than 0-0");
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot slot = k.FindWrite();
  if (IsWrongType(ctx, slot, ValueType::kStream)) return;
  if (!slot && a.no_mkstream) return ctx.reply().Null();
  StreamValue* existing = slot ? StreamOf(slot) : nullptr;
  const StreamId last = existing ? existing->stream.last_id : StreamId::Min();
  if (last == StreamId::Max()) {
    return ctx.reply().Error("ERR The stream has exhausted the last possible ID, unable to add more items");
  }
  // The new entry's ID (streamAppendItem): past the last one, whatever the clock says.
  constexpr std::string_view kNotAboveTop =
      "ERR The ID specified in XADD is equal or smaller than the target stream top item";
  StreamId id;
  if (!a.id_given) {
    const auto now = static_cast<uint64_t>(ctx.now_ms());
    id = now > last.ms ? StreamId{now, 0} : StreamId{last.ms, last.seq + 1};
  } else if (!a.seq_given) {
    if (a.id.ms == last.ms) {
      if (last.seq == UINT64_MAX) {
        return ctx.reply().Error(kNotAboveTop);
      }
      id = {a.id.ms, last.seq + 1};
    } else {
      id = {a.id.ms, 0};
    }
  } else {
    id = a.id;
  }
  if (id <= last) {
    return ctx.reply().Error(kNotAboveTop);
  }
  StreamValue* v = existing ? existing : CreateStream(k.db(), k.key(), k.hash(), ctx.now_ms());
  std::vector<StreamField> fields;
  fields.reserve((ctx.argc() - fields_at) / 2);
  for (size_t i = fields_at; i < ctx.argc(); i += 2) fields.emplace_back(ctx.arg(i), ctx.arg(i + 1));
  Stream& s = v->stream;
  s.Append(id, fields, NodeLimits(ctx));
  s.last_id = id;
  ++s.entries_added;
  if (existing) k.db().NoteWrite(k.key());
  ReplyId(ctx.reply(), id);
  ctx.Notify(kEventStream, "xadd", k.key());
  if (a.strategy != TrimStrategy::kNone && Trim(s, a) > 0) ctx.Notify(kEventStream, "xtrim", k.key());
  // Recorded with the ID it made and the exact trim it did (built only when recorded).
  if ((a.approx || !a.id_given || !a.seq_given) && RecordsItself()) {
    std::vector<std::string> rec = ArgsCopy(ctx);
    if (a.approx) RewriteApproxTrim(s, a, &rec);
    rec[static_cast<size_t>(id_pos)] = id.ToString();
    Substitute(std::move(rec));
  }
  NotifyKeyReady(ctx, k.key());
}

// XLEN key
void CmdXLen(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kStream)) return;
  ctx.reply().Integer(s ? static_cast<int64_t>(StreamOf(s)->stream.length()) : 0);
}

// XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count]
void RangeGeneric(CommandContext& ctx, bool reverse) {
  StreamId start, end;
  if (!ParseRangeStart(ctx, ctx.arg(reverse ? 3 : 2), &start)) return;
  if (!ParseRangeEnd(ctx, ctx.arg(reverse ? 2 : 3), &end)) return;
  int64_t count = -1;
  for (size_t i = 4; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "COUNT") && i + 1 < ctx.argc()) {
      auto n = IntArg(ctx, ctx.arg(i + 1));
      if (!n) return;
      count = *n < 0 ? 0 : *n;
      ++i;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kStream)) return;
  if (!s) return ctx.reply().ArrayHeader(0);
  if (count == 0) return ctx.reply().NullArray();
  const Stream& stream = StreamOf(s)->stream;
  const size_t n = count < 0 ? 0 : static_cast<size_t>(count);
  reverse ? ReplyRange(ctx.reply(), stream, end, start, true, n) : ReplyRange(ctx.reply(), stream, start, end, false, n);
}
void CmdXRange(CommandContext& ctx) { RangeGeneric(ctx, false); }
void CmdXRevRange(CommandContext& ctx) { RangeGeneric(ctx, true); }

// XDEL key id [id ...]
void CmdXDel(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot slot = k.FindWrite();
  if (IsWrongType(ctx, slot, ValueType::kStream)) return;
  if (!slot) return ctx.reply().Integer(0);
  // Every ID is checked before any is deleted: the command is all or nothing.
  std::vector<StreamId> ids(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    if (!ParseStrictIdArg(ctx, ctx.arg(i), &ids[i - 2])) return;
  }
  Stream& s = StreamOf(slot)->stream;
  int64_t deleted = 0;
  for (StreamId id : ids) {
    if (!s.Delete(id)) continue;
    if (id > s.max_deleted_id) s.max_deleted_id = id;
    ++deleted;
  }
  if (deleted > 0) {
    k.db().NoteWrite(k.key());
    ctx.Notify(kEventStream, "xdel", k.key());
    Journal::CountChanges(static_cast<uint64_t>(deleted));
  }
  ctx.reply().Integer(deleted);
}

// XTRIM key MAXLEN | MINID [= | ~] threshold [LIMIT count]
void CmdXTrim(CommandContext& ctx) {
  AddTrimArgs a;
  if (ParseAddOrTrim(ctx, false, &a) < 0) return;
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot slot = k.FindWrite();
  if (IsWrongType(ctx, slot, ValueType::kStream)) return;
  if (!slot) return ctx.reply().Integer(0);
  Stream& s = StreamOf(slot)->stream;
  const size_t deleted = Trim(s, a);
  if (deleted > 0) {
    k.db().NoteWrite(k.key());
    ctx.Notify(kEventStream, "xtrim", k.key());
    Journal::CountChanges(deleted);
    if (a.approx && RecordsItself()) {
      std::vector<std::string> rec = ArgsCopy(ctx);
      RewriteApproxTrim(s, a, &rec);
      Substitute(std::move(rec));
    }
  }
  ctx.reply().Integer(static_cast<int64_t>(deleted));
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
void CmdXSetId(CommandContext& ctx) {
  StreamId id, max_deleted;
  int64_t entries_added = -1;
  if (!ParseStrictIdArg(ctx, ctx.arg(2), &id)) return;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    const bool more = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(ctx.arg(i), "ENTRIESADDED") && more) {
      auto n = IntArg(ctx, ctx.arg(i + 1));
      if (!n) return;
      if (*n < 0) return ctx.reply().Error("ERR entries_added must be positive");
      entries_added = *n;
    } else if (EqualsIgnoreCase(ctx.arg(i), "MAXDELETEDID") && more) {
      if (!ParseStrictIdArg(ctx, ctx.arg(i + 1), &max_deleted)) return;
      if (id < max_deleted) {
        return ctx.reply().Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot slot = k.FindWrite();
  if (IsWrongType(ctx, slot, ValueType::kStream)) return;
  if (!slot) return ctx.reply().Error(errors::kNoSuchKey);
  Stream& s = StreamOf(slot)->stream;
  // Redis 7.0 checks the new ID against the last entry only, not the last deletion.
  if (s.length() > 0) {
    if (id < s.LastEntryId()) {
      return ctx.reply().Error("ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (entries_added != -1 && s.length() > static_cast<uint64_t>(entries_added)) {
      return ctx.reply().Error("ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  s.last_id = id;
  if (entries_added != -1) s.entries_added = static_cast<uint64_t>(entries_added);
  if (max_deleted != StreamId::Min()) s.max_deleted_id = max_deleted;
  k.db().NoteWrite(k.key());
  ctx.Notify(kEventStream, "xsetid", k.key());
  ctx.reply().Ok();
}

}  // namespace

void RegisterStreamFamily(CommandTable* t) {
  const TypeFamily f{"stream", "@stream"};
  t->Register(f.Spec("xadd", -5, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, "Appends a new entry to a stream", "5.0.0", CmdXAdd, {"@write", "@fast"}));
  t->Register(f.Spec("xlen", 2, kCmdReadOnly | kCmdFast, 1, 1, "Return the number of entries in a stream", "5.0.0", CmdXLen, {"@read", "@fast"}));
  t->Register(f.Spec("xrange", -4, kCmdReadOnly, 1, 1, "Return a range of elements in a stream, with IDs matching the specified IDs interval", "5.0.0", CmdXRange, {"@read", "@slow"}));
  t->Register(f.Spec("xrevrange", -4, kCmdReadOnly, 1, 1, "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE", "5.0.0", CmdXRevRange, {"@read", "@slow"}));
  t->Register(f.Spec("xdel", -3, kCmdWrite | kCmdFast, 1, 1, "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.", "5.0.0", CmdXDel, {"@write", "@fast"}));
  t->Register(f.Spec("xtrim", -4, kCmdWrite, 1, 1, "Trims the stream to (approximately if '~' is passed) a certain size", "5.0.0", CmdXTrim, {"@write", "@slow"}));
  t->Register(f.Spec("xsetid", -3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, "An internal command for replicating stream values", "5.0.0", CmdXSetId, {"@write", "@fast"}));
  RegisterStreamReadCommands(t);
  RegisterStreamGroupCommands(t);
  RegisterStreamInfoCommands(t);
}

}  // namespace minired
