#include "server/families/pop.h"

#include <string>
#include <vector>

#include "server/families/collection_util.h"
#include "server/keyspace_events.h"
#include "storage/encodings/list_value.h"
#include "server/families/zset_family.h"
#include "storage/journal.h"

namespace minired {

std::vector<std::string> PopListNotifying(CommandContext& ctx, Db& db, Db::Slot s, std::string_view key, uint64_t hash,
                                          ListEnd from, size_t count) {
  bool emptied;
  std::vector<std::string> popped =
      PopList(db, s, key, hash, Limits(ctx), from == ListEnd::kLeft, count, ctx.now_ms(), &emptied);
  ctx.Notify(kEventList, from == ListEnd::kLeft ? "lpop" : "rpop", key, db.index());
  if (emptied) ctx.Notify(kEventGeneric, "del", key, db.index());
  return popped;
}

size_t PopAndReply(CommandContext& ctx, Db& db, Db::Slot s, std::string_view key, const PopRequest& req) {
  const uint64_t h = HashKey(key);
  if (req.zset) {
    ZSetValue z(db, s, key, h, Limits(ctx));
    auto popped = PopItems(ctx, z, key, db.index(), req.max, req.count);
    ReplyPopped(ctx, key, popped, req.mpop);
    return popped.size();
  }
  const std::vector<std::string> popped = PopListNotifying(ctx, db, s, key, h, req.from, static_cast<size_t>(req.count));
  ReplyPopped(ctx, key, popped, req.mpop);
  return popped.size();
}

bool PopFromFirst(CommandContext& ctx, MultiKeyAccess& m, std::span<const std::string_view> keys, const PopRequest& req) {
  for (std::string_view key : keys) {
    Db::Slot s = m.FindWrite(key);
    if (IsWrongType(ctx, s, req.zset ? ValueType::kZSet : ValueType::kList)) return true;
    if (!s) continue;
    Journal::CountChanges(PopAndReply(ctx, m.DbOf(HashKey(key)), s, key, req));
    return true;
  }
  return false;
}

}  // namespace minired
