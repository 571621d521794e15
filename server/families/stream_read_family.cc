// Stream reads: XREAD and XREADGROUP, served at once or blocking until an entry past
// the given ID arrives (an XADD on any thread wakes them through the blocking registry).
//
// A consumer-group read changes the group (last delivered ID, read counter, pending
// entries, consumers). The journal records those changes, not the read: an XCLAIM ...
// FORCE JUSTID LASTID per entry delivered, XGROUP SETID for the last delivered ID and
// XGROUP CREATECONSUMER for a new consumer, as Redis propagates them, so a replica's
// groups and the log's replay equal the master's.
#include <functional>
#include <optional>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "server/blocking.h"
#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "server/families/stream_family.h"
#include "server/families/stream_util.h"
#include "server/keyspace_events.h"
#include "storage/journal.h"

namespace minired {
namespace {

// A blocked read with no COUNT takes at most this many entries per stream, so a client
// blocked on an old ID is not handed the whole stream at once (Redis's
// XREAD_BLOCKED_DEFAULT_COUNT).
constexpr size_t kBlockedDefaultCount = 1000;

// Where a group read's changes are recorded: the running command's substitute, or (for
// a blocked client served after another command) that command's journal entry. Null
// when nothing records (no log, no replicas): the records are not even built.
using Recorder = std::function<void(std::vector<std::string>)>;

struct GroupRead {
  std::string_view group_name;
  StreamGroup* group = nullptr;
  StreamConsumer* consumer = nullptr;
  bool noack = false;
};

// The entries after the group's last delivered ID (Redis's streamReplyWithRange with a
// group), at most `count` (0: all): each moves the group on, and unless NOACK becomes
// pending for the consumer. Writes them as an array to `w`; returns how many.
size_t ReadNewForGroup(CommandContext& ctx, Db& db, std::string_view key, StreamValue& v, size_t count, GroupRead& g,
                       const Recorder& record, ReplyWriter& w) {
  StreamGroup& group = *g.group;
  StreamId start = group.last_id;
  const size_t n = start.Increment() ? CountRange(v.stream, start, StreamId::Max(), false, count) : 0;
  w.ArrayHeader(n);
  if (n == 0) return 0;
  const int64_t now = StreamNowMs(ctx);
  Stream::Cursor c(v.stream, start, StreamId::Max(), false);
  for (size_t i = 0; i < n && c.Next(); ++i) {
    // Every entry read is past the last delivered one: the read counter follows it.
    const StreamId id = c.id();
    if (group.entries_read != StreamGroup::kUnknownEntriesRead && !v.RangeHasTombstones(id, StreamId::Max())) {
      ++group.entries_read;
    } else if (v.stream.entries_added != 0) {
      group.entries_read = v.EstimateEntriesRead(id);
    }
    group.last_id = id;
    ReplyEntry(w, id, c.fields());
    if (!g.noack) {
      const StreamPending& p = group.Deliver(id, g.consumer, now, 1);
      if (record) record(ClaimRecord(key, g.group_name, group, id, p));
    }
  }
  db.NoteWrite(key);
  if (record) record(SetIdRecord(key, g.group_name, group));
  return n;
}

// The consumer's own pending entries after `after` (XREADGROUP with an ID other than
// ">"): each is delivered again; one deleted from the stream meanwhile is [id, nil].
size_t ReadHistory(CommandContext& ctx, Db& db, std::string_view key, StreamValue& v, StreamId after, size_t count,
                   GroupRead& g, const Recorder& record, ReplyWriter& w) {
  StreamId start = after;
  auto first = start.Increment() ? g.consumer->pending.lower_bound(start) : g.consumer->pending.end();
  size_t n = 0;
  for (auto it = first; it != g.consumer->pending.end() && (count == 0 || n < count); ++it) ++n;
  w.ArrayHeader(n);
  const int64_t now = StreamNowMs(ctx);
  auto it = first;
  for (size_t i = 0; i < n; ++i, ++it) {
    const StreamId id = *it;
    if (ReplyOneEntry(w, v.stream, id)) {
      StreamPending& p = g.group->pel[id];
      p.delivery_ms = now;
      ++p.delivery_count;
      // Redis leaves this redelivery out of the replication stream; recording it
      // keeps a replica's delivery counts equal to the master's.
      if (record) record(ClaimRecord(key, g.group_name, *g.group, id, p));
      db.NoteWrite(key);
    } else {
      w.ArrayHeader(2);
      ReplyId(w, id);
      w.NullArray();
    }
  }
  return n;
}

// The consumer `name` of the group, created (and recorded) when new.
StreamConsumer* ConsumerFor(CommandContext& ctx, Db& db, std::string_view key, GroupRead& g, std::string_view name,
                            const Recorder& record) {
  StreamConsumer* c = g.group->FindConsumer(name);
  const int64_t now = StreamNowMs(ctx);
  if (c == nullptr) {
    c = g.group->CreateConsumer(name, now);
    db.NoteWrite(key);
    ctx.Notify(kEventStream, "xgroup-createconsumer", key, db.index());
    if (record) record(CreateConsumerRecord(key, g.group_name, name));
  }
  c->seen_ms = now;
  return c;
}

// [key, entries] in RESP2; the key alone in RESP3, where the streams form a map.
void ReplyStreamKey(ReplyWriter& w, std::string_view key) {
  if (w.protocol() == 2) w.ArrayHeader(2);
  w.Bulk(key);
}

// A client blocked in XREAD or XREADGROUP: waits on its streams for an entry past its
// ID (for a group, past the group's last delivered ID when it is served).
class BlockedStreamRead : public BlockedClient {
 public:
  std::vector<StreamId> after;  // per key (keys in BlockedClient::keys), XREAD only
  size_t count = kBlockedDefaultCount;
  bool group_read = false;
  std::string group_name, consumer_name;
  bool noack = false;

  Served Serve(CommandContext& ctx, std::string_view key) override;
};

BlockedClient::Served BlockedStreamRead::Serve(CommandContext& ctx, std::string_view key) {
  KeyAccess k(ctx, key);
  Db::Slot s = k.FindWrite();
  if (!s || s.entry->type() != ValueType::kStream) {
    // A group read cannot go on once its stream is gone; a plain read waits on.
    if (!group_read) return Served::kNotForIt;
    ctx.reply().Error("UNBLOCKED the stream key no longer exists");
    return Served::kServed;
  }
  StreamValue& v = *StreamOf(s);
  GroupRead g;
  StreamId gt;
  if (group_read) {
    g.group_name = group_name;
    g.group = v.FindGroup(group_name);
    if (g.group == nullptr) {
      ctx.reply().Error("NOGROUP the consumer group this client was blocked on no longer exists");
      return Served::kServed;
    }
    gt = g.group->last_id;
  } else {
    size_t i = 0;
    while (i < keys.size() && keys[i] != key) ++i;
    gt = after[i];
  }
  if (!(v.stream.last_id > gt)) return Served::kNotForIt;
  const int db_index = db;
  Recorder record;
  if (Journal::Recording()) {
    record = [db_index](std::vector<std::string> args) {
      Journal::Active()->AddCommand(db_index, std::span<const std::string>(args));
    };
  }
  ReplyWriter& w = ctx.reply();
  w.protocol() == 2 ? w.ArrayHeader(1) : w.MapHeader(1);
  ReplyStreamKey(w, key);
  if (group_read) {
    g.noack = noack;
    g.consumer = ConsumerFor(ctx, k.db(), key, g, consumer_name, record);
    ReadNewForGroup(ctx, k.db(), key, v, count, g, record, w);
  } else {
    ReplyRange(w, v.stream, gt.Increment() ? gt : StreamId::Max(), StreamId::Max(), false, count);
  }
  return Served::kServed;
}

struct ReadArgs {
  int64_t block_ms = -1;  // -1: no BLOCK
  int64_t count = 0;
  bool noack = false;
  bool has_group = false;
  std::string_view group, consumer;
  size_t streams_at = 0;  // the first key
  size_t streams = 0;     // how many keys (and IDs)
};

// Redis's xreadCommand argument loop; false after replying an error.
bool ParseRead(CommandContext& ctx, bool xreadgroup, ReadArgs* a) {
  for (size_t i = 1; i < ctx.argc(); ++i) {
    const size_t more = ctx.argc() - i - 1;
    std::string_view o = ctx.arg(i);
    if (EqualsIgnoreCase(o, "BLOCK") && more > 0) {
      if (ctx.session().origin == Origin::kScript) {
        // Named as the script spelled it, as Redis does.
        ctx.reply().Error("ERR " + std::string(ctx.arg(0)) + " command is not allowed with BLOCK option from scripts");
        return false;
      }
      auto t = BlockTimeoutArg(ctx, ctx.arg(++i), TimeoutUnit::kMilliseconds);
      if (!t) return false;
      a->block_ms = *t;
    } else if (EqualsIgnoreCase(o, "COUNT") && more > 0) {
      auto n = IntArg(ctx, ctx.arg(++i));
      if (!n) return false;
      a->count = *n < 0 ? 0 : *n;
    } else if (EqualsIgnoreCase(o, "STREAMS") && more > 0) {
      a->streams_at = i + 1;
      const size_t rest = ctx.argc() - a->streams_at;
      if (rest % 2 != 0) {
        ctx.reply().Error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return false;
      }
      a->streams = rest / 2;
      break;
    } else if (EqualsIgnoreCase(o, "GROUP") && more >= 2) {
      if (!xreadgroup) {
        ctx.reply().Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        return false;
      }
      a->has_group = true;
      a->group = ctx.arg(i + 1);
      a->consumer = ctx.arg(i + 2);
      i += 2;
    } else if (EqualsIgnoreCase(o, "NOACK")) {
      if (!xreadgroup) {
        ctx.reply().Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
        return false;
      }
      a->noack = true;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  if (a->streams_at == 0) {
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  if (xreadgroup && !a->has_group) {
    ctx.reply().Error("ERR Missing GROUP option for XREADGROUP");
    return false;
  }
  return true;
}

constexpr StreamId kNewEntries = StreamId::Max();  // ">"

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
void ReadGeneric(CommandContext& ctx, bool xreadgroup) {
  ReadArgs a;
  if (!ParseRead(ctx, xreadgroup, &a)) return;
  std::span<const std::string_view> keys = ctx.args().subspan(a.streams_at, a.streams);
  MultiKeyAccess m(ctx, keys);
  // Every key's type, group and ID are checked before anything is read, in order.
  std::vector<StreamId> ids(a.streams);
  std::vector<StreamGroup*> groups(a.streams, nullptr);
  for (size_t i = 0; i < a.streams; ++i) {
    std::string_view key = keys[i], arg = ctx.arg(a.streams_at + a.streams + i);
    Db::Slot s = m.FindRead(key);
    if (IsWrongType(ctx, s, ValueType::kStream)) return;
    if (a.has_group) {
      if (!s || (groups[i] = StreamOf(s)->FindGroup(a.group)) == nullptr) {
        return ctx.reply().Error("NOGROUP No such key '" + std::string(key) + "' or consumer group '" +
                                 std::string(a.group) + "' in XREADGROUP with GROUP option");
      }
    }
    if (arg == "$") {
      if (xreadgroup) {
        return ctx.reply().Error(
            "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer "
            "by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty "
            "result set.");
      }
      ids[i] = s ? StreamOf(s)->stream.last_id : StreamId::Min();
    } else if (arg == ">") {
      if (!xreadgroup) {
        return ctx.reply().Error(
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
      }
      ids[i] = kNewEntries;
    } else if (!ParseStrictIdArg(ctx, arg, &ids[i])) {
      return;
    }
  }
  // Serve at once every stream that has something to give, in order, as Redis does:
  // whether a stream is served depends on what the streams before it delivered when a
  // key is named twice. With distinct keys the choices are independent and made first
  // (a group read makes its consumer on every stream, served or not), so the reply goes
  // straight out after its header; with a key named twice each stream is decided after
  // the one before it was served, into a buffer. A group read makes its consumer on the
  // streams it serves only (as Redis 7.0: XINFO CONSUMERS shows none after a read that
  // found nothing).
  Recorder record;
  if (RecordsItself()) record = [](std::vector<std::string> args) { AddSubstitute(std::move(args)); };
  struct Served {
    size_t i;
    StreamValue* v;
    StreamId after;
    GroupRead g;
    bool history = false;
  };
  auto decide = [&](size_t i) -> std::optional<Served> {
    std::string_view key = keys[i];
    Db::Slot s = m.FindRead(key);
    if (!s) return std::nullopt;
    StreamValue& v = *StreamOf(s);
    if (a.has_group) {
      GroupRead g{a.group, groups[i], nullptr, a.noack};
      const bool history = ids[i] != kNewEntries;
      if (!history && !(v.stream.length() > 0 && v.stream.LastEntryId() > g.group->last_id)) return std::nullopt;
      g.consumer = ConsumerFor(ctx, m.DbOf(HashKey(key)), key, g, a.consumer, record);
      if (history) return Served{i, &v, ids[i], g, true};
      return Served{i, &v, g.group->last_id, g, false};
    } else if (v.stream.length() > 0 && v.stream.LastEntryId() > ids[i]) {
      return Served{i, &v, ids[i], GroupRead{}, false};
    }
    return std::nullopt;
  };
  const auto count = static_cast<size_t>(a.count);
  auto serve = [&](Served& sv, ReplyWriter& w) {
    std::string_view key = keys[sv.i];
    Db& db = m.DbOf(HashKey(key));
    ReplyStreamKey(w, key);
    if (!a.has_group) {
      StreamId start = sv.after;
      start.Increment();
      ReplyRange(w, sv.v->stream, start, StreamId::Max(), false, count);
    } else if (sv.history) {
      ReadHistory(ctx, db, key, *sv.v, sv.after, count, sv.g, record, w);
    } else {
      ReadNewForGroup(ctx, db, key, *sv.v, count, sv.g, record, w);
    }
  };
  auto header = [&](size_t n) {
    ctx.reply().protocol() == 2 ? ctx.reply().ArrayHeader(n) : ctx.reply().MapHeader(n);
  };
  const std::set<std::string_view> distinct(keys.begin(), keys.end());
  if (distinct.size() == keys.size()) {
    std::vector<Served> served;
    for (size_t i = 0; i < a.streams; ++i) {
      if (auto sv = decide(i)) served.push_back(*sv);
    }
    if (!served.empty()) {
      header(served.size());
      for (Served& sv : served) serve(sv, ctx.reply());
      return;
    }
  } else {
    std::string body;
    ReplyWriter inner(&body, ctx.reply().protocol());
    size_t n = 0;
    for (size_t i = 0; i < a.streams; ++i) {
      if (auto sv = decide(i)) {
        serve(*sv, inner);
        ++n;
      }
    }
    if (n > 0) {
      header(n);
      ctx.reply().Raw(body);
      return;
    }
  }
  if (a.block_ms < 0 || ctx.session().tx.executing || ctx.session().hooks == nullptr) {
    return ctx.reply().NullArray();  // nothing now, and no waiting (inside MULTI: as a timeout)
  }
  // Park under the keys' locks: no XADD can slip in between.
  auto waiter = std::make_shared<BlockedStreamRead>();
  waiter->db = ctx.db();
  waiter->resp = ctx.session().resp;
  waiter->count = a.count > 0 ? static_cast<size_t>(a.count) : kBlockedDefaultCount;
  waiter->group_read = a.has_group;
  waiter->group_name = std::string(a.group);
  waiter->consumer_name = std::string(a.consumer);
  waiter->noack = a.noack;
  for (size_t i = 0; i < a.streams; ++i) {
    // A key named twice waits on its first ID, as Redis's blockForKeys keeps the first.
    if (std::find(waiter->keys.begin(), waiter->keys.end(), keys[i]) != waiter->keys.end()) continue;
    waiter->keys.emplace_back(keys[i]);
    waiter->after.push_back(ids[i]);
  }
  ctx.blocking().Add(waiter);
  ctx.session().hooks->Block(std::move(waiter), a.block_ms);
}
void CmdXRead(CommandContext& ctx) { ReadGeneric(ctx, false); }
void CmdXReadGroup(CommandContext& ctx) { ReadGeneric(ctx, true); }

}  // namespace

void RegisterStreamReadCommands(CommandTable* t) {
  for (auto [name, group] : {std::pair{"xread", false}, std::pair{"xreadgroup", true}}) {
    CommandSpec spec = MakeSpec(
        "stream", name, group ? -7 : -4, (group ? kCmdWrite : kCmdReadOnly) | kCmdBlocking | kCmdMovableKeys, 0, 0,
        0,
        group ? "Return new entries from a stream using a consumer group, or access the history of the pending "
                "entries for a given consumer. Can block."
              : "Return never seen elements in multiple streams, with IDs greater than the ones reported by the "
                "caller for each stream. Can block.",
        "5.0.0", group ? CmdXReadGroup : CmdXRead, {group ? "@write" : "@read", "@stream", "@slow", "@blocking"});
    t->Register(spec);
  }
}

}  // namespace minired
