#include "storage/encodings/geohash.h"

#include <cmath>

namespace minired::geo {
namespace {

constexpr double kMercatorMax = 20037726.37;
constexpr double kDegToRad = 0.017453292519943295769236907684886;

double DegRad(double d) { return d * kDegToRad; }
double RadDeg(double r) { return r / kDegToRad; }

constexpr Range kLonRange{kLongMin, kLongMax};
constexpr Range kLatRange{kLatMin, kLatMax};

// Spreads the 32 bits of x over the even bits and those of y over the odd ones.
uint64_t Interleave(uint32_t xlo, uint32_t ylo) {
  static constexpr uint64_t B[] = {0x5555555555555555ULL, 0x3333333333333333ULL, 0x0F0F0F0F0F0F0F0FULL,
                                   0x00FF00FF00FF00FFULL, 0x0000FFFF0000FFFFULL};
  static constexpr unsigned S[] = {1, 2, 4, 8, 16};
  uint64_t x = xlo, y = ylo;
  for (int i = 4; i >= 0; --i) {
    x = (x | (x << S[i])) & B[i];
    y = (y | (y << S[i])) & B[i];
  }
  return x | (y << 1);
}

// The inverse: even bits in the low 32, odd bits in the high 32.
uint64_t Deinterleave(uint64_t interleaved) {
  static constexpr uint64_t B[] = {0x5555555555555555ULL, 0x3333333333333333ULL, 0x0F0F0F0F0F0F0F0FULL,
                                   0x00FF00FF00FF00FFULL, 0x0000FFFF0000FFFFULL, 0x00000000FFFFFFFFULL};
  static constexpr unsigned S[] = {0, 1, 2, 4, 8, 16};
  uint64_t x = interleaved, y = interleaved >> 1;
  for (int i = 0; i < 6; ++i) {
    x = (x | (x >> S[i])) & B[i];
    y = (y | (y >> S[i])) & B[i];
  }
  return x | (y << 32);
}

void MoveX(Bits* h, int d) {
  if (d == 0) return;
  uint64_t x = h->bits & 0xaaaaaaaaaaaaaaaaULL;
  const uint64_t y = h->bits & 0x5555555555555555ULL;
  const uint64_t zz = 0x5555555555555555ULL >> (64 - h->step * 2);
  if (d > 0) {
    x = x + (zz + 1);
  } else {
    x = x | zz;
    x = x - (zz + 1);
  }
  x &= (0xaaaaaaaaaaaaaaaaULL >> (64 - h->step * 2));
  h->bits = x | y;
}

void MoveY(Bits* h, int d) {
  if (d == 0) return;
  const uint64_t x = h->bits & 0xaaaaaaaaaaaaaaaaULL;
  uint64_t y = h->bits & 0x5555555555555555ULL;
  const uint64_t zz = 0xaaaaaaaaaaaaaaaaULL >> (64 - h->step * 2);
  if (d > 0) {
    y = y + (zz + 1);
  } else {
    y = y | zz;
    y = y - (zz + 1);
  }
  y &= (0x5555555555555555ULL >> (64 - h->step * 2));
  h->bits = x | y;
}

Bits Moved(Bits h, int dx, int dy) {
  MoveX(&h, dx);
  MoveY(&h, dy);
  return h;
}

int EstimateSteps(double range_meters, double lat) {
  if (range_meters == 0) return 26;
  int step = 1;
  while (range_meters < kMercatorMax) {
    range_meters *= 2;
    step++;
  }
  step -= 2;  // make sure the range is included in most of the base cases
  // Wider range towards the poles.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

// [min_lon, min_lat, max_lon, max_lat] around the shape.
std::array<double, 4> BoundingBox(const Shape& s) {
  const double height = s.conversion * (s.box ? s.height / 2 : s.radius);
  const double width = s.conversion * (s.box ? s.width / 2 : s.radius);
  const double lat_delta = RadDeg(height / kEarthRadiusMeters);
  const double long_delta_top = RadDeg(width / kEarthRadiusMeters / std::cos(DegRad(s.lat + lat_delta)));
  const double long_delta_bottom = RadDeg(width / kEarthRadiusMeters / std::cos(DegRad(s.lat - lat_delta)));
  // The hemispheres widen towards opposite ends of the box.
  const bool southern = s.lat < 0;
  return {southern ? s.lon - long_delta_bottom : s.lon - long_delta_top, s.lat - lat_delta,
          southern ? s.lon + long_delta_bottom : s.lon + long_delta_top, s.lat + lat_delta};
}

}  // namespace

std::optional<Bits> Encode(const Range& lon_range, const Range& lat_range, double longitude, double latitude,
                           int step) {
  if (longitude > 180 || longitude < -180 || latitude > 85.05112878 || latitude < -85.05112878) return std::nullopt;
  if (latitude < lat_range.min || latitude > lat_range.max || longitude < lon_range.min || longitude > lon_range.max) {
    return std::nullopt;
  }
  double lat_offset = (latitude - lat_range.min) / (lat_range.max - lat_range.min);
  double long_offset = (longitude - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= static_cast<double>(1ULL << step);
  long_offset *= static_cast<double>(1ULL << step);
  return Bits{Interleave(static_cast<uint32_t>(lat_offset), static_cast<uint32_t>(long_offset)),
              static_cast<uint8_t>(step)};
}

std::optional<Bits> EncodeWgs84(double longitude, double latitude) {
  return Encode(kLonRange, kLatRange, longitude, latitude, kStepMax);
}

Area Decode(const Range& lon_range, const Range& lat_range, Bits hash) {
  const uint64_t sep = Deinterleave(hash.bits);
  const double lat_scale = lat_range.max - lat_range.min;
  const double long_scale = lon_range.max - lon_range.min;
  const auto ilato = static_cast<uint32_t>(sep);
  const auto ilono = static_cast<uint32_t>(sep >> 32);
  // Redis divides by 2^step; multiplying by 2^-step is exact too (both only change the
  // exponent), so the bits are Redis's, without four divisions per decoded member.
  const double per_cell = 1.0 / static_cast<double>(1ULL << hash.step);
  Area a;
  a.latitude.min = lat_range.min + (ilato * 1.0 * per_cell) * lat_scale;
  a.latitude.max = lat_range.min + ((ilato + 1) * 1.0 * per_cell) * lat_scale;
  a.longitude.min = lon_range.min + (ilono * 1.0 * per_cell) * long_scale;
  a.longitude.max = lon_range.min + ((ilono + 1) * 1.0 * per_cell) * long_scale;
  return a;
}

std::array<double, 2> DecodeScore(double score) {
  const Area a = Decode(kLonRange, kLatRange, Bits{static_cast<uint64_t>(score), kStepMax});
  double lon = (a.longitude.min + a.longitude.max) / 2;
  if (lon > kLongMax) lon = kLongMax;
  if (lon < kLongMin) lon = kLongMin;
  double lat = (a.latitude.min + a.latitude.max) / 2;
  if (lat > kLatMax) lat = kLatMax;
  if (lat < kLatMin) lat = kLatMin;
  return {lon, lat};
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadiusMeters * std::fabs(DegRad(lat2) - DegRad(lat1));
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  const double lon1r = DegRad(lon1), lon2r = DegRad(lon2);
  const double v = std::sin((lon2r - lon1r) / 2);
  // The same longitude: the expensive terms vanish.
  if (v == 0.0) return LatDistance(lat1, lat2);
  const double lat1r = DegRad(lat1), lat2r = DegRad(lat2);
  const double u = std::sin((lat2r - lat1r) / 2);
  const double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(a));
}

void Shape::Prepare() {
  lon_rad = DegRad(lon);
  lat_rad = DegRad(lat);
  cos_lat = std::cos(lat_rad);
}

namespace {

// Distance(s.lon, s.lat, lon, lat) with the centre's terms computed once: the same
// operations on the same values, so the same result to the last bit.
double DistanceFromCentre(const Shape& s, double lon, double lat) {
  const double v = std::sin((DegRad(lon) - s.lon_rad) / 2);
  if (v == 0.0) return LatDistance(s.lat, lat);
  const double lat2r = DegRad(lat);
  const double u = std::sin((lat2r - s.lat_rad) / 2);
  const double a = u * u + s.cos_lat * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(a));
}

}  // namespace

std::optional<double> DistanceIfInside(const Shape& s, double lon, double lat) {
  if (!s.box) {
    // A great circle is never shorter than its latitude difference (the haversine's
    // longitude term is not negative): a member whose latitude alone is farther than
    // the radius, by a margin far above the rounding of either formula, is outside
    // without the trigonometry.
    const double radius = s.radius * s.conversion;
    if (LatDistance(lat, s.lat) > radius * (1 + 1e-9)) return std::nullopt;
    const double d = DistanceFromCentre(s, lon, lat);
    if (d > radius) return std::nullopt;
    return d;
  }
  // The latitude distance is cheaper: checked first.
  if (LatDistance(lat, s.lat) > s.height * s.conversion / 2) return std::nullopt;
  if (Distance(lon, lat, s.lon, lat) > s.width * s.conversion / 2) return std::nullopt;
  return DistanceFromCentre(s, lon, lat);
}

std::vector<ScoreRange> SearchRanges(const Shape& s) {
  const std::array<double, 4> bounds = BoundingBox(s);
  const double min_lon = bounds[0], min_lat = bounds[1], max_lon = bounds[2], max_lat = bounds[3];
  // A box's reach is the distance from its centre to a corner.
  double radius_meters = s.box ? std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2)) : s.radius;
  radius_meters *= s.conversion;
  int steps = EstimateSteps(radius_meters, s.lat);

  Bits hash = Encode(kLonRange, kLatRange, s.lon, s.lat, steps).value_or(Bits{0, static_cast<uint8_t>(steps)});
  // Neighbours: N, S, E, W, NE, NW, SE, SW.
  auto neighbours = [](Bits h) {
    return std::array<Bits, 8>{Moved(h, 0, 1), Moved(h, 0, -1), Moved(h, 1, 0), Moved(h, -1, 0),
                               Moved(h, 1, 1), Moved(h, -1, 1), Moved(h, 1, -1), Moved(h, -1, -1)};
  };
  std::array<Bits, 8> n = neighbours(hash);
  Area area = Decode(kLonRange, kLatRange, hash);
  // Near a cell's edge the estimated step may leave part of the shape outside the nine
  // cells: one step coarser then.
  {
    const Area north = Decode(kLonRange, kLatRange, n[0]), south = Decode(kLonRange, kLatRange, n[1]);
    const Area east = Decode(kLonRange, kLatRange, n[2]), west = Decode(kLonRange, kLatRange, n[3]);
    const bool decrease = north.latitude.max < max_lat || south.latitude.min > min_lat ||
                          east.longitude.max < max_lon || west.longitude.min > min_lon;
    if (steps > 1 && decrease) {
      steps--;
      hash = Encode(kLonRange, kLatRange, s.lon, s.lat, steps).value_or(Bits{0, static_cast<uint8_t>(steps)});
      n = neighbours(hash);
      area = Decode(kLonRange, kLatRange, hash);
    }
  }
  // Drop the neighbours the shape cannot reach.
  if (steps >= 2) {
    auto zero = [&](std::initializer_list<int> which) {
      for (int i : which) n[static_cast<size_t>(i)] = Bits{};
    };
    if (area.latitude.min < min_lat) zero({1, 7, 6});  // S, SW, SE
    if (area.latitude.max > max_lat) zero({0, 4, 5});  // N, NE, NW
    if (area.longitude.min < min_lon) zero({3, 7, 5});  // W, SW, NW
    if (area.longitude.max > max_lon) zero({2, 6, 4});  // E, SE, NE
  }
  // Redis's scan order: centre, N, S, E, W, NE, NW, SE, SW.
  const std::array<Bits, 9> cells = {hash, n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]};
  std::vector<ScoreRange> out;
  size_t last = 0;  // as Redis, the centre (index 0) is never taken for the "previous" cell
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].zero()) continue;
    if (last != 0 && cells[i].bits == cells[last].bits && cells[i].step == cells[last].step) continue;
    Bits next = cells[i];
    next.bits++;
    out.push_back(ScoreRange{Align52(cells[i]), Align52(next)});
    last = i;
  }
  return out;
}

std::string GeohashString(double score) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  const std::array<double, 2> xy = DecodeScore(score);
  const Bits h = Encode(Range{-180, 180}, Range{-90, 90}, xy[0], xy[1], 26).value_or(Bits{});
  std::string out(11, '0');
  for (int i = 0; i < 10; ++i) out[static_cast<size_t>(i)] = kAlphabet[(h.bits >> (52 - ((i + 1) * 5))) & 0x1f];
  return out;  // 52 bits make 10.4 characters: the 11th is '0', as Redis's
}

}  // namespace minired::geo
