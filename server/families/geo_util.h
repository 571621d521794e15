// What the GEO commands share: Redis's argument parsing (coordinates, units, radii,
// boxes) with its error texts, and its reply formats for distances and coordinates.
#pragma once

#include <array>
#include <cstdio>
#include <optional>
#include <string>

#include "protocol/numbers.h"
#include "server/command_context.h"
#include "server/families/arg_parsing.h"
#include "server/families/spec.h"
#include "storage/encodings/geohash.h"
#include "storage/encodings/zset_value.h"

namespace minired {

// The GEO commands' group and ACL category.
inline constexpr TypeFamily kGeoFamily{"geo", "@geo"};

// Meters per unit (M, KM, FT, MI, any case); nullopt after replying Redis's error.
inline std::optional<double> GeoUnitArg(CommandContext& ctx, std::string_view u) {
  if (EqualsIgnoreCase(u, "m")) return 1;
  if (EqualsIgnoreCase(u, "km")) return 1000;
  if (EqualsIgnoreCase(u, "ft")) return 0.3048;
  if (EqualsIgnoreCase(u, "mi")) return 1609.34;
  ctx.reply().Error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return std::nullopt;
}

// A float as Redis's getDoubleFromObjectOrReply reads it, with its message or `msg`.
inline std::optional<double> GeoDoubleArg(CommandContext& ctx, std::string_view arg, std::string_view msg = {}) {
  auto v = ParseDouble(arg);
  if (!v) ctx.reply().Error(msg.empty() ? errors::kNotFloat : msg);
  return v;
}

// longitude latitude at args[i], i + 1, within the Mercator square.
inline std::optional<std::array<double, 2>> GeoLonLatArg(CommandContext& ctx, size_t i) {
  auto lon = GeoDoubleArg(ctx, ctx.arg(i));
  if (!lon) return std::nullopt;
  auto lat = GeoDoubleArg(ctx, ctx.arg(i + 1));
  if (!lat) return std::nullopt;
  if (*lon < geo::kLongMin || *lon > geo::kLongMax || *lat < geo::kLatMin || *lat > geo::kLatMax) {
    char buf[160];
    snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", *lon, *lat);
    ctx.reply().Error(buf);
    return std::nullopt;
  }
  return std::array<double, 2>{*lon, *lat};
}

// A distance, as Redis replies it: a bulk string with four decimals (in RESP3 too).
inline void ReplyGeoDistance(ReplyWriter& w, double d) {
  char buf[128];
  int n = snprintf(buf, sizeof(buf), "%.4f", d);
  w.Bulk(std::string_view(buf, static_cast<size_t>(n)));
}

// A coordinate: Redis's "human" long double (17 decimals, trailing zeros dropped), a
// bulk string in RESP2 and a double in RESP3.
inline void ReplyGeoCoordinate(ReplyWriter& w, double d) {
  std::string s = FormatLongDoubleHuman(d);
  if (w.protocol() == 2) return w.Bulk(s);
  w.Raw(",");
  w.Raw(s);
  w.Raw("\r\n");
}

// A member's position, when the member is in `z`.
inline std::optional<std::array<double, 2>> GeoMemberPosition(const ZSetValue& z, std::string_view member) {
  auto score = z.Score(member);
  if (!score) return std::nullopt;
  return geo::DecodeScore(*score);
}

}  // namespace minired
