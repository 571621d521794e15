// What the stream commands share: reading IDs as Redis's streamParseID does (with its
// error texts), replying entries, finding or creating a stream value, and the clock
// stream times are taken from.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/command_context.h"
#include "server/families/collection_util.h"
#include "server/families/records.h"
#include "storage/encodings/stream_value.h"

namespace minired {

inline constexpr std::string_view kInvalidStreamId = "ERR Invalid stream ID specified as stream command argument";

// XGROUP's and XINFO CONSUMERS's error for a group the stream lacks.
inline std::string NoSuchGroupError(std::string_view group, std::string_view key) {
  return "NOGROUP No such consumer group '" + std::string(group) + "' for key name '" + std::string(key) + "'";
}

// The value of a stream key. REQUIRES: s holds a stream.
inline StreamValue* StreamOf(const Db::Slot& s) { return s.entry->object<StreamValue>(); }

// Delivery and seen times. A command replayed from the log or applied from the master
// runs at time 0 (dispatcher.cc); stream times are wall-clock times, as Redis's.
inline int64_t StreamNowMs(const CommandContext& ctx) {
  if (ctx.now_ms() != 0) return ctx.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline StreamNodeLimits NodeLimits(CommandContext& ctx) {
  const EncodingLimits& l = Limits(ctx);
  return {static_cast<size_t>(l.stream_node_max_bytes.load()), static_cast<size_t>(l.stream_node_max_entries.load())};
}

// An ID argument as streamParseID reads it: "-" and "+" are the smallest and largest
// unless `strict`; "<ms>" takes `missing_seq`. Replies the error and returns false.
bool ParseIdArg(CommandContext& ctx, std::string_view arg, uint64_t missing_seq, bool strict, StreamId* out);
inline bool ParseStrictIdArg(CommandContext& ctx, std::string_view arg, StreamId* out) {
  return ParseIdArg(ctx, arg, 0, true, out);
}
// A range bound of XRANGE/XPENDING/XAUTOCLAIM: "(" makes it exclusive (moved one ID
// inward, with Redis's errors when there is none).
bool ParseRangeStart(CommandContext& ctx, std::string_view arg, StreamId* out);
bool ParseRangeEnd(CommandContext& ctx, std::string_view arg, StreamId* out);

// "<ms>-<seq>" as a bulk string.
void ReplyId(ReplyWriter& w, StreamId id);
// One entry: [id, [field, value, ...]].
void ReplyEntry(ReplyWriter& w, StreamId id, std::span<const StreamField> fields);
// How many live entries lie from `start` to `end` (reverse: from `start` down to
// `end`), at most `count` (0: no limit).
size_t CountRange(const Stream& s, StreamId start, StreamId end, bool reverse, size_t count);
// Those entries as an array of ReplyEntry; returns how many.
size_t ReplyRange(ReplyWriter& w, const Stream& s, StreamId start, StreamId end, bool reverse, size_t count);
// The entry `id` as ReplyEntry; false (nothing written) when it is not in the stream.
bool ReplyOneEntry(ReplyWriter& w, const Stream& s, StreamId id);

// Adds an empty stream at `key` (absent). XADD, XGROUP CREATE ... MKSTREAM.
StreamValue* CreateStream(Db& db, std::string_view key, uint64_t hash, int64_t now_ms);

// XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID
// <group last id>: what reproduces one pending entry exactly on a replica or from the
// log (Redis's streamPropagateXCLAIM).
std::vector<std::string> ClaimRecord(std::string_view key, std::string_view group_name, const StreamGroup& group,
                                     StreamId id, const StreamPending& p);
// XGROUP SETID <key> <group> <last id> ENTRIESREAD <n> (streamPropagateGroupID).
std::vector<std::string> SetIdRecord(std::string_view key, std::string_view group_name, const StreamGroup& group);
// XGROUP CREATECONSUMER <key> <group> <consumer>.
std::vector<std::string> CreateConsumerRecord(std::string_view key, std::string_view group_name,
                                              std::string_view consumer);

}  // namespace minired
