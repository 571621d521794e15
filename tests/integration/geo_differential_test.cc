// GEO against redis-server 7.0, byte for byte in RESP2 and RESP3: the scores GEOADD
// stores (read back with ZRANGE WITHSCORES), GEODIST in every unit, GEOHASH, GEOPOS, and
// every search (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and the _RO
// forms) with each option, at the Mercator limits and across the antimeridian, and
// every error text in the order Redis checks.
#include <random>
#include <string>

#include "tests/integration/differential.h"

namespace minired {
namespace {

using Geo = Differential;

TEST_F(Geo, EveryCommandOptionAndError) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Compare(Lines({
       "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
       "GEOADD Sicily 13.583333 37.316667 Agrigento 12.758489 38.788135 edge1 17.241510 38.788135 edge2",
       "ZRANGE Sicily 0 -1 WITHSCORES",
       "GEODIST Sicily Palermo Catania",
       "GEODIST Sicily Palermo Catania km",
       "GEODIST Sicily Palermo Catania MI",
       "GEODIST Sicily Palermo Catania ft",
       "GEODIST Sicily Palermo nosuch",
       "GEODIST Sicily Palermo Catania xx",
       "GEODIST Sicily Palermo Catania km extra",
       "GEODIST nokey a b",
       "GEOHASH Sicily Palermo Catania nosuch",
       "GEOHASH nokey a",
       "GEOPOS Sicily Palermo Catania nosuch",
       "GEOPOS nokey a",
       "GEORADIUS Sicily 15 37 100 km",
       "GEORADIUS Sicily 15 37 200 km WITHDIST",
       "GEORADIUS Sicily 15 37 200 km WITHCOORD WITHDIST WITHHASH",
       "GEORADIUS Sicily 15 37 200 km WITHDIST DESC",
       "GEORADIUS Sicily 15 37 200 km COUNT 1",
       "GEORADIUS Sicily 15 37 200 km COUNT 2 DESC",
       "GEORADIUS Sicily 15 37 200 km COUNT 2 ANY",
       "GEORADIUS Sicily 15 37 200 km ANY",
       "GEORADIUS Sicily 15 37 200 km COUNT 0",
       "GEORADIUS Sicily 15 37 -1 km",
       "GEORADIUS Sicily 15 37 x km",
       "GEORADIUS Sicily 15 37 100 parsecs",
       "GEORADIUS Sicily 200 37 100 km",
       "GEORADIUS Sicily 15 86 100 km",
       "GEORADIUS Sicily 15 37 200 km STORE dst",
       "ZRANGE dst 0 -1 WITHSCORES",
       "GEORADIUS Sicily 15 37 200 km STOREDIST dst2",
       "ZRANGE dst2 0 -1 WITHSCORES",
       "GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST",
       "GEORADIUS_RO Sicily 15 37 200 km STORE dst",
       "GEORADIUS_RO Sicily 15 37 200 km ASC",
       "GEORADIUSBYMEMBER Sicily Agrigento 100 km",
       "GEORADIUSBYMEMBER Sicily nosuch 100 km",
       "GEORADIUSBYMEMBER nokey nosuch abc km",
       "GEORADIUSBYMEMBER nokey x 1 km STORE dst",
       "EXISTS dst",
       "GEORADIUSBYMEMBER_RO Sicily Palermo 300 km WITHDIST ASC",
       "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC",
       "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST",
       "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km ASC WITHDIST",
       "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1000 km DESC COUNT 3",
       "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 1000 km COUNT 3 ANY",
       "GEOSEARCH Sicily BYRADIUS 10 km",
       "GEOSEARCH Sicily FROMMEMBER Palermo",
       "geosearch Sicily FROMMEMBER Palermo FROMLONLAT 1 2 BYRADIUS 10 km",
       "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 10 km BYBOX 1 1 km",
       "GEOSEARCH Sicily FROMMEMBER nosuch BYRADIUS 10 km",
       "GEOSEARCH nokey FROMMEMBER nosuch BYRADIUS 10 km",
       "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX -1 2 km",
       "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX x 2 km",
       "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 2 y km",
       "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
       "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY",
       "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km",
       "ZRANGE dst 0 -1 WITHSCORES",
       "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 200 200 km STOREDIST COUNT 1",
       "ZRANGE dst 0 -1 WITHSCORES",
       "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST",
       "GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 1 m",
       "EXISTS dst",
       "GEOADD Sicily NX 13.361389 38.115556 Palermo 1 1 newone",
       "GEOADD Sicily XX CH 13.361389 38.0 Palermo 2 2 newtwo",
       "GEOADD Sicily CH 13.361389 38.0 Palermo",
       "GEOADD Sicily NX XX 1 1 a",
       "GEOADD Sicily 1 1",
       "GEOADD Sicily NX CH",
       "GEOADD Sicily 181 1 a",
       "GEOADD Sicily 1 86 a",
       "GEOADD Sicily x 1 a",
       "GEOADD str 1 1 a",
       "SET str x",
       "GEOADD str 1 1 a",
       "GEOPOS str a",
       "GEORADIUS str 1 1 1 km",
       "GEOADD Sicily -180 -85.05112878 sw 180 85.05112878 ne 0 0 zero",
       "GEOPOS Sicily sw ne zero",
       "GEOHASH Sicily sw ne zero",
       "GEOSEARCH Sicily FROMLONLAT 0 0 BYRADIUS 20000 km ASC WITHDIST",
       "GEOSEARCH Sicily FROMLONLAT 179 84 BYBOX 50000 50000 km ASC WITHDIST",
       "GEOPOS Sicily Palermo nosuch",
       "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD WITHDIST WITHHASH",
       "GEODIST Sicily Palermo Catania"}));
  });
}

// Random points and searches of every size: the members each finds (the cells scanned
// and the distance checks at their edges), their order and formatted distances.
TEST_F(Geo, RandomSearchesFindWhatRedisFinds) {
  std::mt19937_64 rng(42);
  auto coord = [&](double lo, double hi) {
    return std::to_string(lo + (hi - lo) * (static_cast<double>(rng() % 1000000) / 1000000.0));
  };
  std::vector<std::string> add = {"GEOADD", "pts"};
  for (int i = 0; i < 2000; ++i) {
    add.push_back(coord(-180, 180));
    add.push_back(coord(-85, 85));
    add.push_back("m" + std::to_string(i));
  }
  Compare({add});
  Script s;
  for (int i = 0; i < 150; ++i) {
    const std::string lon = coord(-180, 180), lat = coord(-85, 85);
    const std::string radius = std::to_string(1 + rng() % 3000);
    s.push_back({"GEOSEARCH", "pts", "FROMLONLAT", lon, lat, "BYRADIUS", radius, "km", "ASC", "WITHDIST"});
    s.push_back({"GEOSEARCH", "pts", "FROMLONLAT", lon, lat, "BYBOX", radius, std::to_string(1 + rng() % 3000), "km",
                 "DESC", "WITHCOORD"});
    s.push_back({"GEORADIUSBYMEMBER", "pts", "m" + std::to_string(rng() % 2000), radius, "mi", "COUNT", "5"});
  }
  Compare(s);
}

// A dense cluster with members at the very same place (equal distances): COUNT's
// nearest and farthest, ties in the scan's order, and what STORE keeps of them.
TEST_F(Geo, CountPicksTheNearestAsRedisWithTies) {
  std::mt19937_64 rng(7);
  auto coord = [&](double lo, double hi) {
    return std::to_string(lo + (hi - lo) * (static_cast<double>(rng() % 1000000) / 1000000.0));
  };
  std::vector<std::string> add = {"GEOADD", "shops"};
  for (int i = 0; i < 600; ++i) {
    const bool twin = i % 10 == 0;  // every tenth shop shares one place
    add.push_back(twin ? "13.55" : coord(13.5, 13.6));
    add.push_back(twin ? "38.55" : coord(38.5, 38.6));
    add.push_back("shop:" + std::to_string(i));
  }
  Compare({add});
  Script s;
  for (int i = 0; i < 60; ++i) {
    const std::string lon = i % 3 == 0 ? "13.55" : coord(13.5, 13.6), lat = i % 3 == 0 ? "38.55" : coord(38.5, 38.6);
    const std::string radius = std::to_string(100 + rng() % 5000), count = std::to_string(1 + rng() % 80);
    s.push_back({"GEOSEARCH", "shops", "FROMLONLAT", lon, lat, "BYRADIUS", radius, "m", "COUNT", count, "WITHDIST"});
    s.push_back({"GEOSEARCH", "shops", "FROMLONLAT", lon, lat, "BYRADIUS", radius, "m", "DESC", "COUNT", count});
    s.push_back({"GEOSEARCH", "shops", "FROMLONLAT", lon, lat, "BYBOX", radius, radius, "m", "ASC", "COUNT", count});
    s.push_back({"GEOSEARCHSTORE", "near", "shops", "FROMLONLAT", lon, lat, "BYRADIUS", radius, "m", "COUNT", count,
                 "STOREDIST"});
    s.push_back({"ZRANGE", "near", "0", "-1", "WITHSCORES"});
  }
  Compare(s);
}

// Random GEOADD (with NX, XX and CH), positions, distances in every unit, geohashes
// and searches from members, to check the coordinates' and distances' text as well as
// what is found.
TEST_F(Geo, RandomPointsPositionsAndDistancesAsRedis) {
  RandomArgs rng(3312);
  auto lon = [&] { return rng.Num(-179, 179) + "." + rng.Num(0, 999999); };
  auto lat = [&] { return rng.Num(-84, 84) + "." + rng.Num(0, 999999); };
  auto member = [&] { return "p" + rng.Num(0, 60); };
  auto unit = [&] { return std::vector<std::string>{"m", "km", "mi", "ft"}[rng() % 4]; };
  for (int step = 0; step < 1500; ++step) {
    if (step == 750) SwitchToResp3();
    switch (rng() % 7) {
      case 0: case 1: {
        std::vector<std::string> cmd = {"GEOADD", "pts"};
        if (rng() % 4 == 0) cmd.push_back(rng() % 2 ? "NX" : "XX");
        if (rng() % 3 == 0) cmd.push_back("CH");
        cmd.insert(cmd.end(), {lon(), lat(), member()});
        Compare({cmd});
        break;
      }
      case 2: Compare({{"GEOPOS", "pts", member(), member(), "nobody"}}); break;
      case 3: Compare({{"GEODIST", "pts", member(), member(), unit()}}); break;
      case 4: Compare({{"GEOHASH", "pts", member(), member()}}); break;
      case 5:
        Compare({{"GEOSEARCH", "pts", "FROMMEMBER", member(), "BYRADIUS", rng.Num(100, 3000), "km", "ASC",
                  "WITHCOORD", "WITHDIST", "WITHHASH"}});
        break;
      default: Compare({{"ZREM", "pts", member()}}); break;
    }
  }
}

// The new commands inside MULTI/EXEC, their ACL categories and key permissions (a
// STORE destination the user may not write is refused before anything runs).
TEST_F(Geo, TransactionsAclCategoriesAndKeyPermissions) {
  ForBothProtocols([&] {
    r_.Call({"FLUSHALL"});
    m_.Call({"FLUSHALL"});
    Compare(Lines({"MULTI", "GEOADD g 13.361389 38.115556 a 15.087269 37.502669 b", "PFADD h x y", "PFCOUNT h",
                   "RPUSH l 3 1 2", "SORT l STORE sl", "BITFIELD bf INCRBY u8 0 300", "SET s1 abcde", "SET s2 xbdy",
                   "LCS s1 s2 IDX", "GEOSEARCHSTORE gs g FROMMEMBER a BYRADIUS 300 km", "GEODIST g a b km",
                   "EXEC", "LRANGE sl 0 -1", "ZRANGE gs 0 -1 WITHSCORES", "GET h"}));
  });
  for (const char* category : {"geo", "hyperloglog", "bitmap", "string", "sortedset", "list", "set"}) {
    CompareUnordered({"ACL", "CAT", category});
  }
  Compare(Lines({"GEOADD g 13.361389 38.115556 a", "RPUSH l 1",
                 "ACL SETUSER geouser on nopass ~g ~l ~allowed:* +@all -pfdebug",
                 "AUTH geouser x", "GEOSEARCHSTORE other g FROMMEMBER a BYRADIUS 1 km",
                 "GEOSEARCHSTORE allowed:1 g FROMMEMBER a BYRADIUS 1 km", "GEORADIUS g 13 38 100 km STORE other",
                 "GEORADIUS g 13 38 100 km STOREDIST allowed:2", "GEORADIUSBYMEMBER g a 100 km STORE allowed:3 STOREDIST other",
                 "SORT l STORE other", "SORT l STORE allowed:4", "PFADD other x", "PFADD allowed:h x",
                 "PFDEBUG ENCODING allowed:h", "PFMERGE allowed:h other", "AUTH default x", "ACL DELUSER geouser"}));
  // Counted per command like every other.
  Reply stats = m_.Call({"INFO", "commandstats"});
  for (const char* name : {"cmdstat_geoadd:", "cmdstat_geosearchstore:", "cmdstat_sort:", "cmdstat_pfadd:",
                           "cmdstat_bitfield:", "cmdstat_lcs:"}) {
    EXPECT_NE(stats.value.str.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace minired
