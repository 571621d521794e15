// XINFO STREAM [FULL [COUNT count]], XINFO GROUPS, XINFO CONSUMERS, XINFO HELP, with
// Redis 7.0's fields. radix-tree-keys counts the stream's nodes (Redis's listpacks);
// radix-tree-nodes, an internal figure of Redis's radix tree, is given as one more
// than that, which is what Redis reports for small streams.
#include <string>

#include "server/command_table.h"
#include "server/families/arg_parsing.h"
#include "server/families/families.h"
#include "server/families/spec.h"
#include "server/families/stream_family.h"
#include "server/families/stream_util.h"

namespace minired {
namespace {

// The stream XINFO names (argument 2); null after replying that there is no such key
// or that it holds another type.
const StreamValue* StreamOrReply(CommandContext& ctx, KeyAccess& k) {
  Db::Slot s = k.FindRead();
  if (!s) {
    ctx.reply().Error(errors::kNoSuchKey);
    return nullptr;
  }
  if (IsWrongType(ctx, s, ValueType::kStream)) return nullptr;
  return StreamOf(s);
}

// An integer that may be unknown (-1): entries-read, lag.
void ReplyKnown(ReplyWriter& w, int64_t v) { v < 0 ? w.Null() : w.Integer(v); }

void ReplyStreamHeader(ReplyWriter& w, const StreamValue& v) {
  const Stream& s = v.stream;
  w.Bulk("length");
  w.Integer(static_cast<int64_t>(s.length()));
  w.Bulk("radix-tree-keys");
  w.Integer(static_cast<int64_t>(s.node_count()));
  w.Bulk("radix-tree-nodes");
  w.Integer(static_cast<int64_t>(s.node_count() + 1));
  w.Bulk("last-generated-id");
  ReplyId(w, s.last_id);
  w.Bulk("max-deleted-entry-id");
  ReplyId(w, s.max_deleted_id);
  w.Bulk("entries-added");
  w.Integer(static_cast<int64_t>(s.entries_added));
  w.Bulk("recorded-first-entry-id");
  ReplyId(w, s.FirstId());
}

void ReplyEdgeEntry(ReplyWriter& w, const Stream& s, bool last) {
  Stream::Cursor c(s, last ? StreamId::Max() : StreamId::Min(), last ? StreamId::Min() : StreamId::Max(), last);
  c.Next() ? ReplyEntry(w, c.id(), c.fields()) : w.Null();
}

// FULL: every group with its PEL and consumers, `count` entries of each list (0: all).
void ReplyFullGroups(ReplyWriter& w, const StreamValue& v, size_t count) {
  w.ArrayHeader(v.groups().size());
  for (const auto& [name, g] : v.groups()) {
    w.MapHeader(7);
    w.Bulk("name");
    w.Bulk(name);
    w.Bulk("last-delivered-id");
    ReplyId(w, g->last_id);
    w.Bulk("entries-read");
    ReplyKnown(w, g->entries_read);
    w.Bulk("lag");
    ReplyKnown(w, v.Lag(*g));
    w.Bulk("pel-count");
    w.Integer(static_cast<int64_t>(g->pel.size()));
    w.Bulk("pending");
    const size_t pel_shown = count == 0 ? g->pel.size() : std::min(count, g->pel.size());
    w.ArrayHeader(pel_shown);
    size_t n = 0;
    for (auto it = g->pel.begin(); n < pel_shown; ++it, ++n) {
      w.ArrayHeader(4);
      ReplyId(w, it->first);
      w.Bulk(it->second.consumer->name);
      w.Integer(it->second.delivery_ms);
      w.Integer(static_cast<int64_t>(it->second.delivery_count));
    }
    w.Bulk("consumers");
    w.ArrayHeader(g->consumers().size());
    for (const auto& [cname, c] : g->consumers()) {
      w.MapHeader(4);
      w.Bulk("name");
      w.Bulk(cname);
      w.Bulk("seen-time");
      w.Integer(c->seen_ms);
      w.Bulk("pel-count");
      w.Integer(static_cast<int64_t>(c->pending.size()));
      w.Bulk("pending");
      const size_t shown = count == 0 ? c->pending.size() : std::min(count, c->pending.size());
      w.ArrayHeader(shown);
      size_t m = 0;
      for (auto it = c->pending.begin(); m < shown; ++it, ++m) {
        const StreamPending& p = g->pel.at(*it);
        w.ArrayHeader(3);
        ReplyId(w, *it);
        w.Integer(p.delivery_ms);
        w.Integer(static_cast<int64_t>(p.delivery_count));
      }
    }
  }
}

// XINFO STREAM key [FULL [COUNT count]]
void XInfoStream(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  bool full = false;
  size_t count = 10;
  if (ctx.argc() > 3) {
    if (ctx.argc() > 6 || ctx.argc() == 5 || !EqualsIgnoreCase(ctx.arg(3), "FULL") ||
        (ctx.argc() == 6 && !EqualsIgnoreCase(ctx.arg(4), "COUNT"))) {
      return ctx.reply().Error(errors::SubcommandSyntax(sub, "XINFO"));
    }
    full = true;
    if (ctx.argc() == 6) {
      auto n = IntArg(ctx, ctx.arg(5));
      if (!n) return;
      count = *n < 0 ? 10 : static_cast<size_t>(*n);
    }
  }
  KeyAccess k(ctx, ctx.arg(2));
  const StreamValue* stream = StreamOrReply(ctx, k);
  if (stream == nullptr) return;
  const StreamValue& v = *stream;
  ReplyWriter& w = ctx.reply();
  w.MapHeader(full ? 9 : 10);
  ReplyStreamHeader(w, v);
  if (full) {
    w.Bulk("entries");
    ReplyRange(w, v.stream, StreamId::Min(), StreamId::Max(), false, count);
    w.Bulk("groups");
    ReplyFullGroups(w, v, count);
    return;
  }
  w.Bulk("groups");
  w.Integer(static_cast<int64_t>(v.groups().size()));
  w.Bulk("first-entry");
  ReplyEdgeEntry(w, v.stream, false);
  w.Bulk("last-entry");
  ReplyEdgeEntry(w, v.stream, true);
}

// XINFO GROUPS key
void XInfoGroups(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(2));
  const StreamValue* stream = StreamOrReply(ctx, k);
  if (stream == nullptr) return;
  const StreamValue& v = *stream;
  ReplyWriter& w = ctx.reply();
  w.ArrayHeader(v.groups().size());
  for (const auto& [name, g] : v.groups()) {
    w.MapHeader(6);
    w.Bulk("name");
    w.Bulk(name);
    w.Bulk("consumers");
    w.Integer(static_cast<int64_t>(g->consumers().size()));
    w.Bulk("pending");
    w.Integer(static_cast<int64_t>(g->pel.size()));
    w.Bulk("last-delivered-id");
    ReplyId(w, g->last_id);
    w.Bulk("entries-read");
    ReplyKnown(w, g->entries_read);
    w.Bulk("lag");
    ReplyKnown(w, v.Lag(*g));
  }
}

// XINFO CONSUMERS key group
void XInfoConsumers(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(2));
  const StreamValue* stream = StreamOrReply(ctx, k);
  if (stream == nullptr) return;
  const StreamGroup* g = stream->FindGroup(ctx.arg(3));
  if (g == nullptr) {
    return ctx.reply().Error(NoSuchGroupError(ctx.arg(3), ctx.arg(2)));
  }
  const int64_t now = StreamNowMs(ctx);
  ReplyWriter& w = ctx.reply();
  w.ArrayHeader(g->consumers().size());
  for (const auto& [name, c] : g->consumers()) {
    w.MapHeader(3);
    w.Bulk("name");
    w.Bulk(name);
    w.Bulk("pending");
    w.Integer(static_cast<int64_t>(c->pending.size()));
    w.Bulk("idle");
    w.Integer(std::max<int64_t>(0, now - c->seen_ms));
  }
}

void CmdXInfo(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  if (EqualsIgnoreCase(sub, "HELP")) {
    static const char* kHelp[] = {
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>",
        "    Show consumers of <groupname>.",
        "GROUPS <key>",
        "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]",
        "    Show information about the stream.",
        "HELP",
        "    Prints this help.",
    };
    return ReplyHelp(ctx, kHelp);
  }
  if (EqualsIgnoreCase(sub, "STREAM")) return XInfoStream(ctx);
  if (EqualsIgnoreCase(sub, "GROUPS")) return XInfoGroups(ctx);
  XInfoConsumers(ctx);
}

}  // namespace

void RegisterStreamInfoCommands(CommandTable* t) {
  t->Register(MakeContainer("stream", "xinfo", "A container for stream introspection commands", "5.0.0", CmdXInfo, {
      MakeSub("consumers", 4, kCmdReadOnly, 2, 2, 1, {"@read", "@stream", "@slow"}),
      MakeSub("groups", 3, kCmdReadOnly, 2, 2, 1, {"@read", "@stream", "@slow"}),
      MakeSub("stream", -3, kCmdReadOnly, 2, 2, 1, {"@read", "@stream", "@slow"}),
      MakeSub("help", 2, kCmdLoading | kCmdStale, 0, 0, 0, {"@stream", "@slow"}),
  }));
}

}  // namespace minired
