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

void ReplyId(ReplyWriter& w, StreamId id) {
  char buf[48];
  int n = snprintf(buf, sizeof buf, "%llu-%llu", static_cast<unsigned long long>(id.ms),
                   static_cast<unsigned long long>(id.seq));
  w.Bulk(std::string_view(buf, static_cast<size_t>(n)));
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

size_t ReplyRange(ReplyWriter& w, const Stream& s, StreamId start, StreamId end, bool reverse, size_t count) {
  std::string body;
  ReplyWriter inner(&body, w.protocol());
  size_t n = 0;
  Stream::Cursor c(s, start, end, reverse);
  while ((count == 0 || n < count) && c.Next()) {
    ReplyEntry(inner, c.id(), c.fields());
    ++n;
  }
  w.ArrayHeader(n);
  w.Raw(body);
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

void Substitute(std::vector<std::string> args) {
  if (Journal* j = Journal::Active()) j->Substitute(std::move(args));
}

void AddSubstitute(std::vector<std::string> args) {
  if (Journal* j = Journal::Active()) j->AddSubstitute(std::move(args));
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
