// Redis's geohash: how a GEO member's longitude and latitude become its sorted-set
// score, and how a search area becomes score ranges. The score is a 52-bit integer
// interleaving 26 bits of latitude (even bits) with 26 bits of longitude (odd bits),
// over longitudes [-180, 180] and latitudes [-85.05112878, 85.05112878] (the Web
// Mercator square). Every step follows Redis's geohash.c and geohash_helper.c, down to
// the order of floating-point operations, so that scores, decoded coordinates,
// distances and the members a search finds are the same as redis-server's.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace minired::geo {

inline constexpr double kLongMin = -180;
inline constexpr double kLongMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
inline constexpr int kStepMax = 26;  // 26 bits each: a 52-bit score
inline constexpr double kEarthRadiusMeters = 6372797.560856;

struct Bits {
  uint64_t bits = 0;
  uint8_t step = 0;
  bool zero() const { return bits == 0 && step == 0; }
};

struct Range {
  double min, max;
};

struct Area {
  Range longitude, latitude;
};

// Encodes within the given ranges at `step` bits per coordinate; nullopt outside them
// (or outside the Mercator limits).
std::optional<Bits> Encode(const Range& lon_range, const Range& lat_range, double longitude, double latitude,
                           int step);
// The WGS84 ranges above, 26 bits each.
std::optional<Bits> EncodeWgs84(double longitude, double latitude);
Area Decode(const Range& lon_range, const Range& lat_range, Bits hash);

// The score of a position (Redis's geohashAlign52Bits of a 26-step hash).
inline uint64_t Align52(Bits h) { return h.bits << (52 - h.step * 2); }

// The centre of the cell a score names, clamped to the limits: [longitude, latitude].
std::array<double, 2> DecodeScore(double score);

// Haversine distance in meters, as Redis's geohashGetDistance.
double Distance(double lon1, double lat1, double lon2, double lat2);
double LatDistance(double lat1, double lat2);

// A search shape: a circle of `radius`, or a box `width` x `height`, all in the unit
// `conversion` converts to meters, around (lon, lat).
struct Shape {
  bool box = false;
  double lon = 0, lat = 0;
  double radius = 0;
  double width = 0, height = 0;
  double conversion = 1;
  // The centre in radians and the cosine of its latitude, computed once per search by
  // Prepare() (the same values Distance() computes for it on every point).
  double lon_rad = 0, lat_rad = 0, cos_lat = 1;
  void Prepare();
};

// Whether the point (lon, lat) is inside the shape; its distance from the centre in
// meters when it is.
std::optional<double> DistanceIfInside(const Shape& shape, double lon, double lat);

// The score ranges [min, max) to scan for a shape: the cell around its centre and its
// eight neighbours at a step that covers the shape, less the ones it cannot reach, in
// Redis's order (centre, N, S, E, W, NE, NW, SE, SW), a repeated one skipped.
struct ScoreRange {
  uint64_t min, max;
};
std::vector<ScoreRange> SearchRanges(const Shape& shape);

// The standard 11-character geohash of a score (re-encoded over latitudes [-90, 90]).
std::string GeohashString(double score);

}  // namespace minired::geo
