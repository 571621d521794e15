// The GEO searches: GEOSEARCH GEOSEARCHSTORE, and the older GEORADIUS
// GEORADIUSBYMEMBER and their _RO forms. One function serves them all, as Redis's
// georadiusGeneric: it parses the same options in the same order (so the first error
// is the same), scans the score ranges of the nine geohash cells around the centre,
// keeps the members inside the circle or box, then sorts, cuts to COUNT and replies or
// stores. GEOSEARCHSTORE and GEORADIUS ... STORE are recorded as themselves: the result
// follows from the source set, whose order is its scores'.
#include <algorithm>
#include <optional>
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
#include "storage/partial_quicksort.h"

namespace minired {
namespace {

enum SearchFlags : uint32_t {
  kByCoords = 1,       // GEORADIUS: key longitude latitude radius unit
  kByMember = 2,       // GEORADIUSBYMEMBER: key member radius unit
  kSearch = 4,         // GEOSEARCH: key FROMMEMBER|FROMLONLAT BYRADIUS|BYBOX
  kSearchStore = 8,    // GEOSEARCHSTORE: destination source ...
  kNoStore = 16,       // the _RO forms
};

struct GeoPoint {
  std::string member;
  double lon, lat, dist, score;
};

struct SearchRequest {
  geo::Shape shape;
  bool with_dist = false, with_hash = false, with_coord = false;
  bool any = false;
  int sort = 0;  // 0 none, 1 ascending, -1 descending
  int64_t count = 0;
  std::optional<std::string_view> store;
  bool store_dist = false;
};

// Replies `error`; false, for the parser's early returns.
bool Refuse(CommandContext& ctx, std::string_view error) {
  ctx.reply().Error(error);
  return false;
}

// "radius unit" at args[i], i + 1 into the shape (a circle); false after the error.
bool RadiusArgs(CommandContext& ctx, size_t i, geo::Shape* shape) {
  auto radius = GeoDoubleArg(ctx, ctx.arg(i), "ERR need numeric radius");
  if (!radius) return false;
  if (*radius < 0) return Refuse(ctx, "ERR radius cannot be negative");
  auto unit = GeoUnitArg(ctx, ctx.arg(i + 1));
  if (!unit) return false;
  shape->box = false;
  shape->radius = *radius;
  shape->conversion = *unit;
  return true;
}

// The centre at a member of `z`; false after Redis's error when it is not there.
bool MemberCentre(CommandContext& ctx, const ZSetValue& z, std::string_view member, geo::Shape* shape) {
  auto xy = GeoMemberPosition(z, member);
  if (!xy) return Refuse(ctx, "ERR could not decode requested zset member");
  shape->lon = (*xy)[0];
  shape->lat = (*xy)[1];
  return true;
}

// Parses the request as Redis does; false after replying the first error. `z` is the
// source set (null when missing: FROMMEMBER is then not looked up).
bool ParseSearch(CommandContext& ctx, uint32_t flags, const ZSetValue* z, SearchRequest* r) {
  size_t base = 0;
  if (flags & kByCoords) {
    base = 6;
    auto xy = GeoLonLatArg(ctx, 2);
    if (!xy) return false;
    r->shape.lon = (*xy)[0];
    r->shape.lat = (*xy)[1];
    if (!RadiusArgs(ctx, 4, &r->shape)) return false;
  } else if (flags & kByMember) {
    base = 5;
    // A missing key still parses the options, for the reply's form.
    if (z != nullptr && (!MemberCentre(ctx, *z, ctx.arg(2), &r->shape) || !RadiusArgs(ctx, 3, &r->shape))) {
      return false;
    }
  } else {
    base = (flags & kSearchStore) ? 3 : 2;
    if (flags & kSearchStore) r->store = ctx.arg(1);
  }
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
  const size_t remaining = ctx.argc() - base;
  for (size_t i = 0; i < remaining; ++i) {
    const size_t a = base + i;
    std::string_view arg = ctx.arg(a);
    if (EqualsIgnoreCase(arg, "WITHDIST")) {
      r->with_dist = true;
    } else if (EqualsIgnoreCase(arg, "WITHHASH")) {
      r->with_hash = true;
    } else if (EqualsIgnoreCase(arg, "WITHCOORD")) {
      r->with_coord = true;
    } else if (EqualsIgnoreCase(arg, "ANY")) {
      r->any = true;
    } else if (EqualsIgnoreCase(arg, "ASC")) {
      r->sort = 1;
    } else if (EqualsIgnoreCase(arg, "DESC")) {
      r->sort = -1;
    } else if (EqualsIgnoreCase(arg, "COUNT") && i + 1 < remaining) {
      auto c = IntArg(ctx, ctx.arg(a + 1));
      if (!c) return false;
      if (*c <= 0) return Refuse(ctx, "ERR COUNT must be > 0");
      r->count = *c;
      ++i;
    } else if ((EqualsIgnoreCase(arg, "STORE") || EqualsIgnoreCase(arg, "STOREDIST")) && i + 1 < remaining &&
               !(flags & kNoStore) && !(flags & kSearch)) {
      r->store = ctx.arg(a + 1);
      r->store_dist = EqualsIgnoreCase(arg, "STOREDIST");
      ++i;
    } else if (EqualsIgnoreCase(arg, "STOREDIST") && (flags & kSearch) && (flags & kSearchStore)) {
      r->store_dist = true;
    } else if (EqualsIgnoreCase(arg, "FROMMEMBER") && i + 1 < remaining && (flags & kSearch) && !from_lonlat) {
      if (z != nullptr && !MemberCentre(ctx, *z, ctx.arg(a + 1), &r->shape)) return false;
      from_member = true;
      ++i;
    } else if (EqualsIgnoreCase(arg, "FROMLONLAT") && i + 2 < remaining && (flags & kSearch) && !from_member) {
      auto xy = GeoLonLatArg(ctx, a + 1);
      if (!xy) return false;
      r->shape.lon = (*xy)[0];
      r->shape.lat = (*xy)[1];
      from_lonlat = true;
      i += 2;
    } else if (EqualsIgnoreCase(arg, "BYRADIUS") && i + 2 < remaining && (flags & kSearch) && !by_box) {
      if (!RadiusArgs(ctx, a + 1, &r->shape)) return false;
      by_radius = true;
      i += 2;
    } else if (EqualsIgnoreCase(arg, "BYBOX") && i + 3 < remaining && (flags & kSearch) && !by_radius) {
      auto w = GeoDoubleArg(ctx, ctx.arg(a + 1), "ERR need numeric width");
      if (!w) return false;
      auto h = GeoDoubleArg(ctx, ctx.arg(a + 2), "ERR need numeric height");
      if (!h) return false;
      if (*h < 0 || *w < 0) return Refuse(ctx, "ERR height or width cannot be negative");
      auto unit = GeoUnitArg(ctx, ctx.arg(a + 3));
      if (!unit) return false;
      r->shape.box = true;
      r->shape.width = *w;
      r->shape.height = *h;
      r->shape.conversion = *unit;
      by_box = true;
      i += 3;
    } else {
      return Refuse(ctx, errors::kSyntax);
    }
  }
  if (r->store && (r->with_dist || r->with_hash || r->with_coord)) {
    ctx.reply().Error((flags & kSearchStore)
                          ? "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
                          : "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
    return false;
  }
  if ((flags & kSearch) && !(from_member || from_lonlat)) {
    ctx.reply().Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + std::string(ctx.arg(0)));
    return false;
  }
  if ((flags & kSearch) && !(by_radius || by_box)) {
    ctx.reply().Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + std::string(ctx.arg(0)));
    return false;
  }
  if (r->any && r->count == 0) return Refuse(ctx, "ERR the ANY argument requires COUNT argument");
  return true;
}

// The members inside the shape, cell by cell in Redis's order; with `limit` (ANY)
// the scan stops once that many were found.
std::vector<GeoPoint> FindPoints(const ZSetValue& z, const geo::Shape& shape, uint64_t limit) {
  std::vector<GeoPoint> out;
  for (const geo::ScoreRange& range : geo::SearchRanges(shape)) {
    if (limit && out.size() >= limit) break;
    size_t first = 0, last = 0;
    z.ScoreRange(ScoreBound{static_cast<double>(range.min), false}, ScoreBound{static_cast<double>(range.max), true},
                 &first, &last);
    bool full = false;
    z.Walk(first, last - first, false, [&](ZItem it) {
      if (full) return;
      const std::array<double, 2> xy = geo::DecodeScore(it.score);
      auto d = geo::DistanceIfInside(shape, xy[0], xy[1]);
      if (!d) return;
      out.push_back(GeoPoint{std::string(it.member), xy[0], xy[1], *d, it.score});
      if (limit && out.size() >= limit) full = true;
    });
  }
  return out;
}

// Leaves in `points` the first `n` by distance (`order` 1: nearest first, -1: farthest),
// as Redis orders them: all of them with glibc's qsort (a merge sort: equal distances
// keep the scan's order), or, when COUNT keeps fewer than were found, only those with
// its partial quicksort (whose order of equal distances this reproduces). Distances and
// scan positions are sorted, not the points.
void SortByDistance(std::vector<GeoPoint>& points, int order, size_t n) {
  std::vector<std::pair<double, uint32_t>> keys(points.size());
  for (size_t i = 0; i < points.size(); ++i) keys[i] = {points[i].dist, static_cast<uint32_t>(i)};
  auto cmp = [order](const std::pair<double, uint32_t>& a, const std::pair<double, uint32_t>& b) {
    const int asc = a.first > b.first ? 1 : a.first == b.first ? 0 : -1;
    return order > 0 ? asc : -asc;
  };
  if (n == keys.size()) {
    std::stable_sort(keys.begin(), keys.end(), [&](const auto& a, const auto& b) { return cmp(a, b) < 0; });
  } else if (n > 0) {
    PartialQuicksort(keys, cmp, 0, n - 1);
  }
  std::vector<GeoPoint> sorted;
  sorted.reserve(n);
  for (size_t i = 0; i < n; ++i) sorted.push_back(std::move(points[keys[i].second]));
  points = std::move(sorted);
}

void ReplyPoints(ReplyWriter& w, const SearchRequest& r, std::vector<GeoPoint>& points, size_t n) {
  const size_t options = (r.with_dist ? 1 : 0) + (r.with_hash ? 1 : 0) + (r.with_coord ? 1 : 0);
  w.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    GeoPoint& p = points[i];
    if (options) w.ArrayHeader(options + 1);
    w.Bulk(p.member);
    if (r.with_dist) ReplyGeoDistance(w, p.dist / r.shape.conversion);
    if (r.with_hash) w.Integer(static_cast<int64_t>(p.score));
    if (r.with_coord) {
      w.ArrayHeader(2);
      ReplyGeoCoordinate(w, p.lon);
      ReplyGeoCoordinate(w, p.lat);
    }
  }
}

// Replaces `dst` with the found members scored by geohash (or distance with
// STOREDIST); an empty result deletes it. Replies how many were stored.
void StorePoints(CommandContext& ctx, MultiKeyAccess& m, const SearchRequest& r, std::vector<GeoPoint>& points,
                 size_t n) {
  std::string_view dst = *r.store;
  const uint64_t hd = HashKey(dst);
  Db& db = m.DbOf(hd);
  Db::Slot d = db.Find(dst, hd, ctx.now_ms());
  if (n == 0) {
    if (d) {
      db.Erase(d);
      ctx.Notify(kEventGeneric, "del", dst);
      Journal::CountChanges(1);
    }
    return ctx.reply().Integer(0);
  }
  if (d) db.EraseToOverwrite(d);
  ZSetValue out(db, Db::Slot{}, dst, hd, Limits(ctx));
  for (size_t i = 0; i < n; ++i) out.Upsert(points[i].member, r.store_dist ? points[i].dist / r.shape.conversion : points[i].score);
  out.Commit(ctx.now_ms());
  db.EndOverwrite();
  ctx.Notify(kEventZset, EqualsIgnoreCase(ctx.arg(0), "geosearchstore") ? "geosearchstore" : "georadiusstore", dst);
  Journal::CountChanges(n);
  NotifyKeyReady(ctx, dst);
  ctx.reply().Integer(static_cast<int64_t>(n));
}

// GEORADIUS's and GEORADIUSBYMEMBER's STORE / STOREDIST keys, from `first` on.
bool RadiusStoreKeys(std::span<const std::string_view> args, size_t first, std::vector<size_t>* out) {
  for (size_t i = first; i + 1 < args.size(); ++i) {
    if (EqualsIgnoreCase(args[i], "STORE") || EqualsIgnoreCase(args[i], "STOREDIST")) out->push_back(++i);
  }
  return true;
}

void SearchGeneric(CommandContext& ctx, size_t src_index, uint32_t flags) {
  // Locks the source, and every destination a STORE may name: the keys come from the
  // finder the ACL check uses (CommandSpec::written_keys), from the options on.
  std::vector<std::string_view> keys = {ctx.arg(src_index)};
  if (flags & kSearchStore) keys.push_back(ctx.arg(1));
  if ((flags & (kByCoords | kByMember)) && !(flags & kNoStore)) {
    std::vector<size_t> stores;
    RadiusStoreKeys(ctx.args(), (flags & kByCoords) ? 6 : 5, &stores);
    for (size_t pos : stores) keys.push_back(ctx.arg(pos));
  }
  std::optional<MultiKeyAccess> m;
  m.emplace(ctx, keys);
  Db::Slot s = m->FindRead(ctx.arg(src_index));
  if (IsWrongType(ctx, s, ValueType::kZSet)) return;
  std::optional<ZSetValue> z;
  if (s) z.emplace(s.entry);
  SearchRequest r;
  if (!ParseSearch(ctx, flags, z ? &*z : nullptr, &r)) return;
  if (!z) {
    if (!r.store) return ctx.reply().ArrayHeader(0);
    std::vector<GeoPoint> none;
    return StorePoints(ctx, *m, r, none, 0);
  }
  r.shape.Prepare();
  // COUNT without an order means the nearest: ascending (not with ANY).
  if (r.count != 0 && r.sort == 0 && !r.any) r.sort = 1;
  std::vector<GeoPoint> points = FindPoints(*z, r.shape, r.any ? static_cast<uint64_t>(r.count) : 0);
  const size_t n = r.count == 0 || points.size() < static_cast<uint64_t>(r.count) ? points.size()
                                                                                   : static_cast<size_t>(r.count);
  z.reset();
  // The points are copies: a search that only replies sorts and formats them after
  // letting go of the keys (one hot set serves every thread's searches in turn).
  if (!r.store) m.reset();
  if (r.sort != 0) SortByDistance(points, r.sort, n);
  if (r.store) return StorePoints(ctx, *m, r, points, n);
  ReplyPoints(ctx.reply(), r, points, n);
}

// GEORADIUS key longitude latitude radius M | KM | FT | MI [WITHCOORD] [WITHDIST]
//   [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key]
void CmdGeoRadius(CommandContext& ctx) { SearchGeneric(ctx, 1, kByCoords); }
void CmdGeoRadiusRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kByCoords | kNoStore); }
// GEORADIUSBYMEMBER key member radius M | KM | FT | MI [...as GEORADIUS]
void CmdGeoRadiusByMember(CommandContext& ctx) { SearchGeneric(ctx, 1, kByMember); }
void CmdGeoRadiusByMemberRo(CommandContext& ctx) { SearchGeneric(ctx, 1, kByMember | kNoStore); }
// GEOSEARCH key FROMMEMBER member | FROMLONLAT longitude latitude BYRADIUS radius unit |
//   BYBOX width height unit [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
void CmdGeoSearch(CommandContext& ctx) { SearchGeneric(ctx, 1, kSearch); }
// GEOSEARCHSTORE destination source ...as GEOSEARCH... [STOREDIST]
void CmdGeoSearchStore(CommandContext& ctx) { SearchGeneric(ctx, 2, kSearch | kSearchStore); }

bool GeoRadiusWrittenKeys(std::span<const std::string_view> args, std::vector<size_t>* out) {
  return RadiusStoreKeys(args, 6, out);
}
bool GeoRadiusByMemberWrittenKeys(std::span<const std::string_view> args, std::vector<size_t>* out) {
  return RadiusStoreKeys(args, 5, out);
}

}  // namespace

void RegisterGeoSearchFamily(CommandTable* t) {
  const uint32_t r = kCmdReadOnly, w = kCmdWrite | kCmdDenyOom;
  CommandSpec radius = kGeoFamily.Spec(
      "georadius", -6, w | kCmdMovableKeys, 1, 1,
      "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point",
      "3.2.0", CmdGeoRadius, {"@write", "@slow"});
  radius.written_keys = GeoRadiusWrittenKeys;
  t->Register(std::move(radius));
  CommandSpec by_member = kGeoFamily.Spec(
      "georadiusbymember", -5, w | kCmdMovableKeys, 1, 1,
      "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member",
      "3.2.0", CmdGeoRadiusByMember, {"@write", "@slow"});
  by_member.written_keys = GeoRadiusByMemberWrittenKeys;
  t->Register(std::move(by_member));
  t->Register(kGeoFamily.Spec("georadius_ro", -6, r, 1, 1, "A read-only variant for GEORADIUS", "3.2.10",
                              CmdGeoRadiusRo, {"@read", "@slow"}));
  t->Register(kGeoFamily.Spec("georadiusbymember_ro", -5, r, 1, 1, "A read-only variant for GEORADIUSBYMEMBER",
                              "3.2.10", CmdGeoRadiusByMemberRo, {"@read", "@slow"}));
  t->Register(kGeoFamily.Spec(
      "geosearch", -7, r, 1, 1,
      "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.",
      "6.2.0", CmdGeoSearch, {"@read", "@slow"}));
  t->Register(kGeoFamily.Spec("geosearchstore", -8, w, 1, 2,
                              "Query a sorted set representing a geospatial index to fetch members inside an area of a "
                              "box or a circle, and store the result in another key.",
                              "6.2.0", CmdGeoSearchStore, {"@write", "@slow"}));
}

}  // namespace minired
