// Consumer groups: XGROUP (CREATE SETID DESTROY CREATECONSUMER DELCONSUMER HELP), XACK,
// XPENDING, XCLAIM, XAUTOCLAIM.
//
// XCLAIM and XAUTOCLAIM are journaled as what they did, one XCLAIM ... FORCE JUSTID
// LASTID per pending entry they moved or dropped (and XGROUP SETID when only LASTID
// moved the group), never as themselves: their idle-time tests depend on the clock.
#include <string>
#include <vector>

#include "server/blocking.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/list_family.h"
#include "server/families/spec.h"
#include "server/families/stream_family.h"
#include "server/families/stream_util.h"
#include "server/keyspace_events.h"
#include "storage/journal.h"

namespace minired {
namespace {

std::string NoGroupError(std::string_view key, std::string_view group) {
  return "NOGROUP No such key '" + std::string(key) + "' or consumer group '" + std::string(group) + "'";
}

// The stream at `k` and its group named by argument 2; WRONGTYPE or NOGROUP is replied
// (and null returned) when the key holds another type or either is missing.
StreamGroup* GroupOrReply(CommandContext& ctx, KeyAccess& k, StreamValue** stream) {
  Db::Slot slot = k.FindRead();
  if (IsWrongType(ctx, slot, ValueType::kStream)) return nullptr;
  *stream = slot ? StreamOf(slot) : nullptr;
  StreamGroup* group = *stream ? (*stream)->FindGroup(ctx.arg(2)) : nullptr;
  if (group == nullptr) ctx.reply().Error(NoGroupError(ctx.arg(1), ctx.arg(2)));
  return group;
}

bool EntryExists(const Stream& s, StreamId id) {
  Stream::Cursor c(s, id, id, false);
  return c.Next();
}

// ENTRIESREAD's value: a count, or -1 for unknown.
std::optional<int64_t> EntriesReadArg(CommandContext& ctx, std::string_view arg) {
  auto n = IntArg(ctx, arg);
  if (!n) return std::nullopt;
  if (*n < 0 && *n != StreamGroup::kUnknownEntriesRead) {
    ctx.reply().Error("ERR value for ENTRIESREAD must be positive or -1");
    return std::nullopt;
  }
  return n;
}

void XGroupHelp(CommandContext& ctx) {
  static const char* kHelp[] = {
      "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CREATE <key> <groupname> <id|$> [option]",
      "    Create a new consumer group. Options are:",
      "    * MKSTREAM",
      "      Create the empty stream if it does not exist.",
      "    * ENTRIESREAD entries_read",
      "      Set the group's entries_read counter (internal use).",
      "CREATECONSUMER <key> <groupname> <consumer>",
      "    Create a new consumer in the specified group.",
      "DELCONSUMER <key> <groupname> <consumer>",
      "    Remove the specified consumer.",
      "DESTROY <key> <groupname>",
      "    Remove the specified group.",
      "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
      "    Set the current group ID and entries_read counter.",
      "HELP",
      "    Prints this help.",
  };
  ReplyHelp(ctx, kHelp);
}

// XGROUP CREATE | SETID | DESTROY | CREATECONSUMER | DELCONSUMER | HELP, in the order
// Redis's xgroupCommand checks them.
void CmdXGroup(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "HELP")) {
    if (ctx.argc() != 2) return ctx.reply().Error(errors::SubcommandSyntax(sub, "XGROUP"));
    return XGroupHelp(ctx);
  }
  const bool create = EqualsIgnoreCase(sub, "CREATE"), setid = EqualsIgnoreCase(sub, "SETID");
  bool mkstream = false;
  int64_t entries_read = StreamGroup::kUnknownEntriesRead;
  if (create && ctx.argc() >= 6) {
    for (size_t i = 5; i < ctx.argc();) {
      if (EqualsIgnoreCase(ctx.arg(i), "MKSTREAM")) {
        mkstream = true;
        ++i;
      } else if (EqualsIgnoreCase(ctx.arg(i), "ENTRIESREAD") && i + 1 < ctx.argc()) {
        auto n = EntriesReadArg(ctx, ctx.arg(i + 1));
        if (!n) return;
        entries_read = *n;
        i += 2;
      } else {
        return ctx.reply().Error(errors::SubcommandSyntax(sub, "XGROUP"));
      }
    }
  }
  KeyAccess k(ctx, ctx.arg(2));
  Db::Slot slot = k.FindWrite();
  if (IsWrongType(ctx, slot, ValueType::kStream)) return;
  StreamValue* v = slot ? StreamOf(slot) : nullptr;
  std::string_view group_name = ctx.arg(3);
  if (v == nullptr && !mkstream) {
    return ctx.reply().Error(
        "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM "
        "option to create an empty stream automatically.");
  }
  StreamGroup* group = nullptr;
  if (setid || EqualsIgnoreCase(sub, "CREATECONSUMER") || EqualsIgnoreCase(sub, "DELCONSUMER")) {
    group = v->FindGroup(group_name);
    if (group == nullptr) {
      return ctx.reply().Error(NoSuchGroupError(group_name, ctx.arg(2)));
    }
  }
  if (create) {
    if (ctx.argc() > 8) return ctx.reply().Error(errors::SubcommandSyntax(sub, "XGROUP"));
    StreamId id;
    if (ctx.arg(4) == "$") {
      id = v ? v->stream.last_id : StreamId::Min();
    } else if (!ParseStrictIdArg(ctx, ctx.arg(4), &id)) {
      return;
    }
    if (v == nullptr) v = CreateStream(k.db(), k.key(), k.hash(), ctx.now_ms());
    if (v->CreateGroup(group_name, id, entries_read) == nullptr) {
      return ctx.reply().Error("BUSYGROUP Consumer Group name already exists");
    }
    k.db().NoteWrite(k.key());
    ctx.Notify(kEventStream, "xgroup-create", k.key());
    return ctx.reply().Ok();
  }
  if (setid) {
    if (ctx.argc() != 5 && ctx.argc() != 7) return ctx.reply().Error(errors::SubcommandSyntax(sub, "XGROUP"));
    StreamId id;
    if (ctx.arg(4) == "$") {
      id = v->stream.last_id;
    } else if (!ParseIdArg(ctx, ctx.arg(4), 0, false, &id)) {
      return;
    }
    if (ctx.argc() == 7) {
      if (!EqualsIgnoreCase(ctx.arg(5), "ENTRIESREAD")) {
        return ctx.reply().Error(errors::SubcommandSyntax(sub, "XGROUP"));
      }
      auto n = EntriesReadArg(ctx, ctx.arg(6));
      if (!n) return;
      entries_read = *n;
    }
    group->last_id = id;
    group->entries_read = entries_read;
    k.db().NoteWrite(k.key());
    ctx.Notify(kEventStream, "xgroup-setid", k.key());
    return ctx.reply().Ok();
  }
  if (EqualsIgnoreCase(sub, "DESTROY")) {
    if (!v->DestroyGroup(group_name)) return ctx.reply().Integer(0);
    k.db().NoteWrite(k.key());
    ctx.Notify(kEventStream, "xgroup-destroy", k.key());
    NotifyKeyReady(ctx, k.key());  // its blocked readers get NOGROUP
    return ctx.reply().Integer(1);
  }
  if (EqualsIgnoreCase(sub, "CREATECONSUMER")) {
    const bool created = group->CreateConsumer(ctx.arg(4), StreamNowMs(ctx)) != nullptr;
    if (created) {
      k.db().NoteWrite(k.key());
      ctx.Notify(kEventStream, "xgroup-createconsumer", k.key());
    }
    return ctx.reply().Integer(created ? 1 : 0);
  }
  // DELCONSUMER
  StreamConsumer* c = group->FindConsumer(ctx.arg(4));
  if (c == nullptr) return ctx.reply().Integer(0);
  const size_t pending = group->DeleteConsumer(c);
  k.db().NoteWrite(k.key());
  ctx.Notify(kEventStream, "xgroup-delconsumer", k.key());
  ctx.reply().Integer(static_cast<int64_t>(pending));
}

// XACK key group id [id ...]
void CmdXAck(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot slot = k.FindRead();
  if (IsWrongType(ctx, slot, ValueType::kStream)) return;
  StreamGroup* group = slot ? StreamOf(slot)->FindGroup(ctx.arg(2)) : nullptr;
  if (group == nullptr) return ctx.reply().Integer(0);
  // All or nothing: every ID is checked first.
  std::vector<StreamId> ids(ctx.argc() - 3);
  for (size_t i = 3; i < ctx.argc(); ++i) {
    if (!ParseStrictIdArg(ctx, ctx.arg(i), &ids[i - 3])) return;
  }
  int64_t acked = 0;
  for (StreamId id : ids) acked += group->Acknowledge(id) ? 1 : 0;
  if (acked > 0) {
    k.db().NoteWrite(k.key());
    Journal::CountChanges(static_cast<uint64_t>(acked));
  }
  ctx.reply().Integer(acked);
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
void CmdXPending(CommandContext& ctx) {
  const bool summary = ctx.argc() == 3;
  if (!summary && (ctx.argc() < 6 || ctx.argc() > 9)) return ctx.reply().Error(errors::kSyntax);
  int64_t min_idle = 0, count = 0;
  StreamId start, end;
  std::string_view consumer_name;
  bool has_consumer = false;
  if (!summary) {
    size_t at = 3;
    if (EqualsIgnoreCase(ctx.arg(3), "IDLE")) {
      auto n = IntArg(ctx, ctx.arg(4));
      if (!n) return;
      min_idle = *n;
      if (ctx.argc() < 8) return ctx.reply().Error(errors::kSyntax);
      at += 2;
    }
    auto n = IntArg(ctx, ctx.arg(at + 2));
    if (!n) return;
    count = *n < 0 ? 0 : *n;
    if (!ParseRangeStart(ctx, ctx.arg(at), &start) || !ParseRangeEnd(ctx, ctx.arg(at + 1), &end)) return;
    if (at + 3 < ctx.argc()) {
      consumer_name = ctx.arg(at + 3);
      has_consumer = true;
    }
  }
  KeyAccess k(ctx, ctx.arg(1));
  StreamValue* v = nullptr;
  const StreamGroup* group = GroupOrReply(ctx, k, &v);
  if (group == nullptr) return;
  ReplyWriter& w = ctx.reply();
  if (summary) {
    w.ArrayHeader(4);
    w.Integer(static_cast<int64_t>(group->pel.size()));
    if (group->pel.empty()) {
      w.Null();
      w.Null();
      w.NullArray();
      return;
    }
    ReplyId(w, group->pel.begin()->first);
    ReplyId(w, group->pel.rbegin()->first);
    size_t with_pending = 0;
    for (const auto& [name, c] : group->consumers()) with_pending += c->pending.empty() ? 0 : 1;
    w.ArrayHeader(with_pending);
    for (const auto& [name, c] : group->consumers()) {
      if (c->pending.empty()) continue;
      w.ArrayHeader(2);
      w.Bulk(name);
      w.BulkInt(static_cast<int64_t>(c->pending.size()));
    }
    return;
  }
  const StreamConsumer* consumer = nullptr;
  if (has_consumer) {
    consumer = group->FindConsumer(consumer_name);
    if (consumer == nullptr) return w.ArrayHeader(0);
  }
  const int64_t now = StreamNowMs(ctx);
  std::string body;
  ReplyWriter inner(&body, w.protocol());
  size_t n = 0;
  for (auto it = group->pel.lower_bound(start); count > 0 && it != group->pel.end() && it->first <= end; ++it) {
    const StreamPending& p = it->second;
    if (consumer != nullptr && p.consumer != consumer) continue;
    if (min_idle != 0 && now - p.delivery_ms < min_idle) continue;
    ++n;
    --count;
    inner.ArrayHeader(4);
    ReplyId(inner, it->first);
    inner.Bulk(p.consumer->name);
    inner.Integer(std::max<int64_t>(0, now - p.delivery_ms));
    inner.Integer(static_cast<int64_t>(p.delivery_count));
  }
  w.ArrayHeader(n);
  w.Raw(body);
}

// What XCLAIM and XAUTOCLAIM do to one pending entry, each step recorded as the
// XCLAIM ... FORCE JUSTID that reproduces it: take it for the claiming consumer (made
// on the first claim), or drop it when its entry left the stream. The claimed entries
// are replied into `out` (their IDs with JUSTID).
class Claims {
 public:
  Claims(CommandContext& ctx, KeyAccess& k, StreamValue& v, StreamGroup& group, bool justid)
      : ctx_(ctx), k_(k), v_(v), group_(group), justid_(justid), recording_(RecordsItself()),
        out_(&body_, ctx.reply().protocol()) {}

  // Gives `p` (the pending entry of `id`) to the claiming consumer, delivered at
  // `delivery_ms`; its count becomes `retry_count` when one is given (>= 0), else one
  // more unless JUSTID.
  void Take(StreamId id, StreamPending& p, int64_t delivery_ms, int64_t retry_count, int64_t now) {
    if (consumer_ == nullptr) consumer_ = Claimer(now);
    if (p.consumer != consumer_) {
      if (p.consumer != nullptr) p.consumer->pending.erase(id);
      consumer_->pending.insert(id);
      p.consumer = consumer_;
    }
    p.delivery_ms = delivery_ms;
    if (retry_count >= 0) {
      p.delivery_count = static_cast<uint64_t>(retry_count);
    } else if (!justid_) {
      ++p.delivery_count;
    }
    justid_ ? ReplyId(out_, id) : (void)ReplyOneEntry(out_, v_.stream, id);
    ++claimed_;
    Record(id, p);
  }
  // Removes the pending entry of `id`, whose entry is no longer in the stream.
  void Drop(StreamId id, const StreamPending& p) {
    Record(id, p);
    group_.Acknowledge(id);
  }
  // The claimed entries as an array.
  void ReplyClaimed(ReplyWriter& w) {
    w.ArrayHeader(claimed_);
    w.Raw(body_);
  }
  bool recording() const { return recording_; }

 private:
  // The claiming consumer, looked up (its seen time refreshed) or created.
  StreamConsumer* Claimer(int64_t now) {
    StreamConsumer* c = group_.FindConsumer(ctx_.arg(3));
    if (c == nullptr) {
      ctx_.Notify(kEventStream, "xgroup-createconsumer", k_.key());
      return group_.CreateConsumer(ctx_.arg(3), now);
    }
    c->seen_ms = now;
    return c;
  }
  void Record(StreamId id, const StreamPending& p) {
    if (recording_) AddSubstitute(ClaimRecord(ctx_.arg(1), ctx_.arg(2), group_, id, p));
    k_.db().NoteWrite(k_.key());
  }

  CommandContext& ctx_;
  KeyAccess& k_;
  StreamValue& v_;
  StreamGroup& group_;
  const bool justid_;
  const bool recording_;
  StreamConsumer* consumer_ = nullptr;
  std::string body_;
  ReplyWriter out_;
  size_t claimed_ = 0;
};

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
//   [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
void CmdXClaim(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  StreamValue* v = nullptr;
  StreamGroup* group = GroupOrReply(ctx, k, &v);
  if (group == nullptr) return;
  auto min_idle = IntArg(ctx, ctx.arg(4), "ERR Invalid min-idle-time argument for XCLAIM");
  if (!min_idle) return;
  // The IDs run up to the first argument that is not one; options follow.
  std::vector<StreamId> ids;
  size_t i = 5;
  for (; i < ctx.argc(); ++i) {
    StreamIdParse p;
    std::string_view a = ctx.arg(i);
    if (a == "-" || a == "+" || !ParseStreamId(a, false, &p)) break;
    ids.push_back(p.id);
  }
  const int64_t now = StreamNowMs(ctx);
  int64_t retry_count = -1, delivery = -1;
  bool force = false, justid = false;
  StreamId last_id;
  for (; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    const bool more = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "FORCE")) {
      force = true;
    } else if (EqualsIgnoreCase(opt, "JUSTID")) {
      justid = true;
    } else if (EqualsIgnoreCase(opt, "IDLE") && more) {
      auto n = IntArg(ctx, ctx.arg(++i), "ERR Invalid IDLE option argument for XCLAIM");
      if (!n) return;
      delivery = now - *n;
    } else if (EqualsIgnoreCase(opt, "TIME") && more) {
      auto n = IntArg(ctx, ctx.arg(++i), "ERR Invalid TIME option argument for XCLAIM");
      if (!n) return;
      delivery = *n;
    } else if (EqualsIgnoreCase(opt, "RETRYCOUNT") && more) {
      auto n = IntArg(ctx, ctx.arg(++i), "ERR Invalid RETRYCOUNT option argument for XCLAIM");
      if (!n) return;
      retry_count = *n;
    } else if (EqualsIgnoreCase(opt, "LASTID") && more) {
      if (!ParseStrictIdArg(ctx, ctx.arg(++i), &last_id)) return;
    } else {
      return ctx.reply().Error("ERR Unrecognized XCLAIM option '" + std::string(opt) + "'");
    }
  }
  bool record_last_id = false;
  if (last_id > group->last_id) {
    group->last_id = last_id;
    record_last_id = true;
    k.db().NoteWrite(k.key());
  }
  // A delivery time in the future or before the epoch is taken as now, not refused:
  // clients compute it from their own clocks.
  if (delivery < 0 || delivery > now) delivery = now;
  const int64_t idle_floor = std::max<int64_t>(*min_idle, 0);
  Claims claims(ctx, k, *v, *group, justid);
  for (StreamId id : ids) {
    auto it = group->pel.find(id);
    if (!EntryExists(v->stream, id)) {
      // Gone from the stream: dropped from the PEL too.
      if (it != group->pel.end()) {
        claims.Drop(id, it->second);
        record_last_id = false;  // the XCLAIM carries LASTID
      }
      continue;
    }
    if (force && it == group->pel.end()) {
      it = group->pel.emplace(id, StreamPending{now, 1, nullptr}).first;
    }
    if (it == group->pel.end()) continue;
    StreamPending& p = it->second;
    if (p.consumer != nullptr && idle_floor != 0 && now - p.delivery_ms < idle_floor) continue;
    claims.Take(id, p, delivery, retry_count, now);
    record_last_id = false;  // the XCLAIM carries LASTID
  }
  if (record_last_id && claims.recording()) AddSubstitute(SetIdRecord(ctx.arg(1), ctx.arg(2), *group));
  claims.ReplyClaimed(ctx.reply());
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
void CmdXAutoClaim(CommandContext& ctx) {
  auto min_idle = IntArg(ctx, ctx.arg(4), "ERR Invalid min-idle-time argument for XAUTOCLAIM");
  if (!min_idle) return;
  StreamId start;
  if (!ParseRangeStart(ctx, ctx.arg(5), &start)) return;
  // COUNT is capped so that count * 10 attempts (and the deleted IDs' room) fit a long.
  constexpr int64_t kMaxCount = LONG_MAX / 16;
  int64_t count = 100;
  bool justid = false;
  for (size_t i = 6; i < ctx.argc(); ++i) {
    if (EqualsIgnoreCase(ctx.arg(i), "COUNT") && i + 1 < ctx.argc()) {
      auto n = ParseInt64(ctx.arg(++i));
      if (!n || *n < 1 || *n > kMaxCount) return ctx.reply().Error("ERR COUNT must be > 0");
      count = *n;
    } else if (EqualsIgnoreCase(ctx.arg(i), "JUSTID")) {
      justid = true;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  KeyAccess k(ctx, ctx.arg(1));
  StreamValue* v = nullptr;
  StreamGroup* group = GroupOrReply(ctx, k, &v);
  if (group == nullptr) return;
  const int64_t now = StreamNowMs(ctx);
  const int64_t idle_floor = std::max<int64_t>(*min_idle, 0);
  int64_t attempts = count * 10;
  Claims claims(ctx, k, *v, *group, justid);
  std::vector<StreamId> deleted;
  auto it = group->pel.lower_bound(start);
  while (attempts-- > 0 && count > 0 && it != group->pel.end()) {
    const StreamId id = it->first;
    StreamPending& p = it->second;
    ++it;  // before a Drop erases the entry
    if (!EntryExists(v->stream, id)) {
      claims.Drop(id, p);
      deleted.push_back(id);
      --count;
      continue;
    }
    if (idle_floor != 0 && now - p.delivery_ms < idle_floor) continue;
    claims.Take(id, p, now, -1, now);
    --count;
  }
  ReplyWriter& w = ctx.reply();
  w.ArrayHeader(3);
  ReplyId(w, it == group->pel.end() ? StreamId::Min() : it->first);
  claims.ReplyClaimed(w);
  w.ArrayHeader(deleted.size());
  for (StreamId id : deleted) ReplyId(w, id);
}

}  // namespace

void RegisterStreamGroupCommands(CommandTable* t) {
  const TypeFamily f{"stream", "@stream"};
  t->Register(MakeContainer("stream", "xgroup", "A container for consumer groups commands", "5.0.0", CmdXGroup, {
      MakeSub("create", -5, kCmdWrite | kCmdDenyOom, 2, 2, 1, {"@write", "@stream", "@slow"}),
      MakeSub("setid", -5, kCmdWrite, 2, 2, 1, {"@write", "@stream", "@slow"}),
      MakeSub("destroy", 4, kCmdWrite, 2, 2, 1, {"@write", "@stream", "@slow"}),
      MakeSub("createconsumer", 5, kCmdWrite | kCmdDenyOom, 2, 2, 1, {"@write", "@stream", "@slow"}),
      MakeSub("delconsumer", 5, kCmdWrite, 2, 2, 1, {"@write", "@stream", "@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@stream", "@slow"}),
  }));
  t->Register(f.Spec("xack", -4, kCmdWrite | kCmdFast, 1, 1, "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.", "5.0.0", CmdXAck, {"@write", "@fast"}));
  t->Register(f.Spec("xpending", -3, kCmdReadOnly, 1, 1, "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.", "5.0.0", CmdXPending, {"@read", "@slow"}));
  t->Register(f.Spec("xclaim", -6, kCmdWrite | kCmdFast, 1, 1, "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.", "5.0.0", CmdXClaim, {"@write", "@fast"}));
  t->Register(f.Spec("xautoclaim", -6, kCmdWrite | kCmdFast, 1, 1, "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.", "6.2.0", CmdXAutoClaim, {"@write", "@fast"}));
}

}  // namespace minired
