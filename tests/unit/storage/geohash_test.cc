// Geohash scores, coordinates and distances against redis-server 7.0's for the same
// positions (Redis's documentation example, read back from a 7.0.15 server), and the
// search ranges' shape.
#include "storage/encodings/geohash.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace minired::geo {
namespace {

std::string Fixed(double d, int decimals) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%.*f", decimals, d);
  return buf;
}

TEST(Geohash, ScoresMatchRedis) {
  EXPECT_EQ(Align52(*EncodeWgs84(13.361389, 38.115556)), 3479099956230698u);  // Palermo
  EXPECT_EQ(Align52(*EncodeWgs84(15.087269, 37.502669)), 3479447370796909u);  // Catania
  EXPECT_FALSE(EncodeWgs84(181, 0).has_value());
  EXPECT_FALSE(EncodeWgs84(0, 85.06).has_value());
}

TEST(Geohash, DecodesToTheCellCentreAsRedis) {
  auto xy = DecodeScore(3479099956230698.0);
  EXPECT_EQ(Fixed(xy[0], 17), "13.36138933897018433");
  EXPECT_EQ(Fixed(xy[1], 17), "38.11555639549629859");
}

TEST(Geohash, DistancesAndStringsMatchRedis) {
  auto a = DecodeScore(3479099956230698.0), b = DecodeScore(3479447370796909.0);
  EXPECT_EQ(Fixed(Distance(a[0], a[1], b[0], b[1]), 4), "166274.1516");
  EXPECT_EQ(GeohashString(3479099956230698.0), "sqc8b49rny0");
  EXPECT_EQ(GeohashString(3479447370796909.0), "sqdtr74hyu0");
}

TEST(Geohash, InsideChecksCirclesAndBoxes) {
  Shape circle;
  circle.lon = 15;
  circle.lat = 37;
  circle.radius = 200;
  circle.conversion = 1000;
  circle.Prepare();
  auto catania = DecodeScore(3479447370796909.0);
  auto d = DistanceIfInside(circle, catania[0], catania[1]);
  ASSERT_TRUE(d.has_value());
  EXPECT_DOUBLE_EQ(*d, Distance(15, 37, catania[0], catania[1]));
  circle.radius = 10;
  EXPECT_FALSE(DistanceIfInside(circle, catania[0], catania[1]).has_value());
  Shape box = circle;
  box.box = true;
  box.width = box.height = 400;
  EXPECT_TRUE(DistanceIfInside(box, catania[0], catania[1]).has_value());
}

TEST(Geohash, SearchRangesAreHalfOpenAndDistinct) {
  Shape s;
  s.lon = 13.5;
  s.lat = 38.5;
  s.radius = 2;
  s.conversion = 1000;
  s.Prepare();
  std::vector<ScoreRange> ranges = SearchRanges(s);
  ASSERT_FALSE(ranges.empty());
  EXPECT_LE(ranges.size(), 9u);
  const uint64_t centre = Align52(*EncodeWgs84(13.5, 38.5));
  EXPECT_LE(ranges[0].min, centre);
  EXPECT_GT(ranges[0].max, centre);
  for (const ScoreRange& r : ranges) EXPECT_LT(r.min, r.max);
  // The whole world at once: one range at the coarsest step covers it.
  s.radius = 20000;
  EXPECT_FALSE(SearchRanges(s).empty());
}

}  // namespace
}  // namespace minired::geo
