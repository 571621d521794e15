// GEO members are sorted-set members scored by their 52-bit geohash
// (storage/encodings/geohash.h), so ZRANGE, ZSCORE and ZREM work on them as on any
// sorted set, and redis-server answers the same for the same key. This file: GEOADD
// GEODIST GEOHASH GEOPOS; the searches are in geo_search_family.cc.
#include <string>
#include <vector>

#include "server/command_table.h"
#include "server/families/collection_util.h"
#include "server/families/families.h"
#include "server/families/geo_util.h"
#include "server/families/key_access.h"
#include "server/families/list_family.h"
#include "server/keyspace_events.h"
#include "storage/encodings/zset_value.h"

namespace minired {
namespace {

// GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]:
// Redis's ZADD of the members' geohash scores; replies how many were added (or with
// CH changed). Recorded as itself: the scores follow from the arguments alone.
void CmdGeoAdd(CommandContext& ctx) {
  bool nx = false, xx = false, ch = false;
  size_t first = 2;
  for (; first < ctx.argc(); ++first) {
    std::string_view o = ctx.arg(first);
    if (EqualsIgnoreCase(o, "NX")) nx = true;
    else if (EqualsIgnoreCase(o, "XX")) xx = true;
    else if (EqualsIgnoreCase(o, "CH")) ch = true;
    else break;
  }
  const size_t rest = ctx.argc() - first;
  if (rest % 3 != 0 || (nx && xx) || rest == 0) return ctx.reply().Error(errors::kSyntax);
  std::vector<double> scores;
  scores.reserve(rest / 3);
  for (size_t i = first; i < ctx.argc(); i += 3) {
    auto xy = GeoLonLatArg(ctx, i);
    if (!xy) return;
    scores.push_back(static_cast<double>(geo::Align52(*geo::EncodeWgs84((*xy)[0], (*xy)[1]))));
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindWrite();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  if (!s && xx) return ctx.reply().Integer(0);
  ZSetValue z(k.db(), s, k.key(), k.hash(), Limits(ctx));
  int64_t added = 0, updated = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    std::string_view member = ctx.arg(first + i * 3 + 2);
    auto cur = z.Score(member);
    if (cur ? nx : xx) continue;
    if (cur && *cur == scores[i]) continue;
    z.Upsert(member, scores[i]);
    ++(cur ? updated : added);
  }
  z.Commit(ctx.now_ms());
  // GEOADD is ZADD underneath in Redis, and announces itself so.
  if (added + updated > 0) ctx.Notify(kEventZset, "zadd", k.key());
  if (added + updated > 0) Journal::CountChanges(static_cast<uint64_t>(added + updated));
  if (added > 0) NotifyKeyReady(ctx, k.key());  // BZPOPMIN waiters
  ctx.reply().Integer(ch ? added + updated : added);
}

// GEODIST key member1 member2 [M | KM | FT | MI]
void CmdGeoDist(CommandContext& ctx) {
  double to_meter = 1;
  if (ctx.argc() == 5) {
    auto u = GeoUnitArg(ctx, ctx.arg(4));
    if (!u) return;
    to_meter = *u;
  } else if (ctx.argc() > 5) {
    return ctx.reply().Error(errors::kSyntax);
  }
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (!s) return ctx.reply().Null();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  ZSetValue z(s.entry);
  auto a = GeoMemberPosition(z, ctx.arg(2));
  auto b = a ? GeoMemberPosition(z, ctx.arg(3)) : std::nullopt;
  if (!a || !b) return ctx.reply().Null();
  ReplyGeoDistance(ctx.reply(), geo::Distance((*a)[0], (*a)[1], (*b)[0], (*b)[1]) / to_meter);
}

// GEOHASH key [member ...]: each member's standard 11-character geohash, or a null.
void CmdGeoHash(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  ZSetValue z(s ? s.entry : nullptr);
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    auto score = z.Score(ctx.arg(i));
    if (!score) {
      ctx.reply().Null();
    } else {
      ctx.reply().Bulk(geo::GeohashString(*score));
    }
  }
}

// GEOPOS key [member ...]: each member's [longitude, latitude], or a null array.
void CmdGeoPos(CommandContext& ctx) {
  KeyAccess k(ctx, ctx.arg(1));
  Db::Slot s = k.FindRead();
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  ZSetValue z(s ? s.entry : nullptr);
  ReplyWriter& w = ctx.reply();
  w.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    auto xy = GeoMemberPosition(z, ctx.arg(i));
    if (!xy) {
      w.NullArray();
      continue;
    }
    w.ArrayHeader(2);
    ReplyGeoCoordinate(w, (*xy)[0]);
    ReplyGeoCoordinate(w, (*xy)[1]);
  }
}

}  // namespace

void RegisterGeoFamily(CommandTable* t) {
  const uint32_t r = kCmdReadOnly;
  t->Register(kGeoFamily.Spec("geoadd", -5, kCmdWrite | kCmdDenyOom, 1, 1,
                              "Add one or more geospatial items in the geospatial index represented using a sorted set",
                              "3.2.0", CmdGeoAdd, {"@write", "@slow"}));
  t->Register(kGeoFamily.Spec("geodist", -4, r, 1, 1, "Returns the distance between two members of a geospatial index",
                              "3.2.0", CmdGeoDist, {"@read", "@slow"}));
  t->Register(kGeoFamily.Spec("geohash", -2, r, 1, 1, "Returns members of a geospatial index as standard geohash strings",
                              "3.2.0", CmdGeoHash, {"@read", "@slow"}));
  t->Register(kGeoFamily.Spec("geopos", -2, r, 1, 1, "Returns longitude and latitude of members of a geospatial index",
                              "3.2.0", CmdGeoPos, {"@read", "@slow"}));
  RegisterGeoSearchFamily(t);
}

}  // namespace minired
