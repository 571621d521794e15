#include "server/families/stream_util.h"

#include "storage/journal.h"

namespace minired {

bool ParseIdArg(CommandContext& ctx, std::string_view arg, uint64_t missing_seq, bool strict, StreamId* out) {
  if (arg == "-" || arg == "+") {
    if (strict) {
      ctx.reply().Error(kInvalidStreamId);
      return false;
    }
    *out = arg == "-" ? StreamId::Min() : StreamId::Max();
    return true;
  }
  StreamIdParse p;
  if (!ParseStreamId(arg, false, &p)) {
    ctx.reply().Error(kInvalidStreamId);
    return false;
  }
  *out = p.id;
  if (!p.seq_given) out->seq = missing_seq;
  return true;
}

bool ParseRangeStart(CommandContext& ctx, std::string_view arg, StreamId* out) {
  const bool exclusive = arg.size() > 1 && arg[0] == '(';
  if (!ParseIdArg(ctx, exclusive ? arg.substr(1) : arg, 0, exclusive, out)) return false;
  if (exclusive && !out->Increment()) {
    ctx.reply().Error("ERR invalid start ID for the interval");
    return false;
  }
  return true;
}

bool ParseRangeEnd(CommandContext& ctx, std::string_view arg, StreamId* out) {
  const bool exclusive = arg.size() > 1 && arg[0] == '(';
  if (!ParseIdArg(ctx, exclusive ? arg.substr(1) : arg, UINT64_MAX, exclusive, out)) return false;
  if (exclusive && !out->Decrement()) {
    ctx.reply().Error("ERR invalid end ID for the interval");
    return false;
  }
  return true;
}

namespace {

// Writes `v` in decimal ending at `end`; returns where it starts.
char* FormatBackwards(uint64_t v, char* end) {
  do {
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  return end;
}

}  // namespace

void ReplyId(ReplyWriter& w, StreamId id) {
  char buf[48];
  char* end = buf + sizeof buf;
  char* p = FormatBackwards(id.seq, end);
  *--p = '-';
  p = FormatBackwards(id.ms, p);
  w.Bulk(std::string_view(p, static_cast<size_t>(end - p)));
}

void ReplyEntry(ReplyWriter& w, StreamId id, std::span<const StreamField> fields) {
  w.ArrayHeader(2);
  ReplyId(w, id);
  w.ArrayHeader(fields.size() * 2);
  for (const StreamField& f : fields) {
    w.Bulk(f.first);
    w.Bulk(f.second);
  }
}

size_t CountRange(const Stream& s, StreamId start, StreamId end, bool reverse, size_t count) {
  size_t n = 0;
  Stream::Cursor c(s, start, end, reverse);
  while ((count == 0 || n < count) && c.NextId()) ++n;
  return n;
}

size_t ReplyRange(ReplyWriter& w, const Stream& s, StreamId start, StreamId end, bool reverse, size_t count) {
  // Counted first (IDs only), so the entries go straight to the reply after its header.
  const size_t n = CountRange(s, start, end, reverse, count);
  w.ArrayHeader(n);
  Stream::Cursor c(s, start, end, reverse);
  for (size_t i = 0; i < n && c.Next(); ++i) ReplyEntry(w, c.id(), c.fields());
  return n;
}

bool ReplyOneEntry(ReplyWriter& w, const Stream& s, StreamId id) {
  Stream::Cursor c(s, id, id, false);
  if (!c.Next()) return false;
  ReplyEntry(w, c.id(), c.fields());
  return true;
}

StreamValue* CreateStream(Db& db, std::string_view key, uint64_t hash, int64_t now_ms) {
  auto* v = new StreamValue();
  StoreCollection(db, Db::Slot{}, hash, Entry::NewObject(key, ValueType::kStream, Encoding::kStream, v, 0), now_ms);
  return v;
}

std::vector<std::string> ClaimRecord(std::string_view key, std::string_view group_name, const StreamGroup& group,
                                     StreamId id, const StreamPending& p) {
  return {"XCLAIM",
          std::string(key),
          std::string(group_name),
          p.consumer->name,
          "0",
          id.ToString(),
          "TIME",
          std::to_string(p.delivery_ms),
          "RETRYCOUNT",
          std::to_string(p.delivery_count),
          "FORCE",
          "JUSTID",
          "LASTID",
          group.last_id.ToString()};
}

std::vector<std::string> SetIdRecord(std::string_view key, std::string_view group_name, const StreamGroup& group) {
  return {"XGROUP", "SETID", std::string(key), std::string(group_name), group.last_id.ToString(), "ENTRIESREAD",
          std::to_string(group.entries_read)};
}

std::vector<std::string> CreateConsumerRecord(std::string_view key, std::string_view group_name,
                                              std::string_view consumer) {
  return {"XGROUP", "CREATECONSUMER", std::string(key), std::string(group_name), std::string(consumer)};
}

}  // namespace minired
