#include <cpl_error.h>
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.hpp"
#include "gis/crs.hpp"
#include "gis/reader.hpp"
#include "support/fixtures.hpp"

using namespace sandan;

namespace {

// Great-circle distance on a sphere of the mean Earth radius; plenty for checks at the 10 m level.
double haversine_m(LonLat a, LonLat b) {
  constexpr double kEarthRadiusM = 6371008.8;
  constexpr double kDeg = 3.14159265358979323846 / 180.0;
  const double dlat = (b.lat_deg - a.lat_deg) * kDeg;
  const double dlon = (b.lon_deg - a.lon_deg) * kDeg;
  const double h = std::pow(std::sin(dlat / 2), 2) +
                   std::cos(a.lat_deg * kDeg) * std::cos(b.lat_deg * kDeg) * std::pow(std::sin(dlon / 2), 2);
  return 2 * kEarthRadiusM * std::asin(std::sqrt(h));
}

// x, y of the first row of tests/data/bus_stops/stops_near_complexes.csv whose name is `name`.
XY stop(const std::string& name) {
  std::ifstream in(std::string(SANDAN_TEST_DATA_DIR) + "/bus_stops/stops_near_complexes.csv");
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string cell[8];
    for (auto& c : cell) std::getline(row, c, ',');
    if (cell[1] == name) return {std::stod(cell[6]), std::stod(cell[7])};
  }
  FAIL("stop not found: " << name);
  return {};
}

}  // namespace

TEST_CASE("a bus stop given in legacy EPSG:5174 lands at the station it is named after") {
  // Galsan station (Incheon Line 1) at 37.517268 N, 126.721514 E [FACTS §1, station list]; the
  // stop is at its exit 4, a few tens of metres away.
  const XY galsan_stop = stop("갈산역(부평4공단)4번출구");
  const CrsTransform from_5174("EPSG:5174", "EPSG:4326");
  const XY lonlat = from_5174.apply(galsan_stop.x_m, galsan_stop.y_m);
  const double right_m = haversine_m({lonlat.x_m, lonlat.y_m}, {126.721514, 37.517268});
  CHECK(right_m < 50.0);
  // Read as if it were EPSG:5181 (same grid, GRS80 without the Bessel datum shift and the 10.405"
  // modified meridian) the stop lands hundreds of metres off: the datum transformation matters.
  const CrsTransform wrong("EPSG:5181", "EPSG:4326");
  const XY off = wrong.apply(galsan_stop.x_m, galsan_stop.y_m);
  CHECK(haversine_m({off.x_m, off.y_m}, {126.721514, 37.517268}) > 200.0);

  // Geomdan-Oryu station (I201) at 37.594877 N, 126.627178 E; the stop is on the street outside.
  const XY oryu_stop = stop("검단오류역");
  const XY oryu = from_5174.apply(oryu_stop.x_m, oryu_stop.y_m);
  CHECK(haversine_m({oryu.x_m, oryu.y_m}, {126.627178, 37.594877}) < 100.0);
}

TEST_CASE("longitude/latitude to EPSG:5186 uses easting-first order and the Central Belt 2010 origin") {
  // EPSG:5186's natural origin is 38 N, 127 E with false easting 200,000 m and false northing
  // 600,000 m, so the origin maps exactly onto the false origin.
  const XY origin = lonlat_to_working({127.0, 38.0});
  CHECK(origin.x_m == doctest::Approx(200000.0).epsilon(1e-9));
  CHECK(origin.y_m == doctest::Approx(600000.0).epsilon(1e-9));
  // Juan is west and south of the origin.
  const XY juan = lonlat_to_working({126.679, 37.475});
  CHECK(juan.x_m < 200000.0);
  CHECK(juan.y_m < 600000.0);
  const LonLat back = working_to_lonlat(juan);
  CHECK(back.lon_deg == doctest::Approx(126.679).epsilon(1e-9));
  CHECK(back.lat_deg == doctest::Approx(37.475).epsilon(1e-9));
}

TEST_CASE("an unknown CRS is bad input") { CHECK_THROWS_AS(CrsTransform("EPSG:999999", "EPSG:4326"), Error); }

namespace {

int g_messages_seen = 0;
void count_message(CPLErr /*level*/, CPLErrorNum /*number*/, const char* /*message*/) { ++g_messages_seen; }

}  // namespace

TEST_CASE("sandan's GDAL calls keep the program's own GDAL error handler, and GDAL's messages out of it") {
  // A program embedding sandan (a Python program using osgeo.gdal) installs its own handler.
  const CPLErrorHandler before = CPLSetErrorHandler(count_message);
  g_messages_seen = 0;
  CHECK_THROWS_AS(CrsTransform("EPSG:999999", "EPSG:5186"), Error);
  sandan::test::TempDir dir("crs_handler");
  sandan::test::write_text(dir.path() / "bad.geojson", "this is not GeoJSON");
  (void)read_site({dir.str("bad.geojson")}, {});
  const CrsTransform transform("EPSG:4326", "EPSG:5186");
  (void)transform.apply(126.7, 37.4);
  // sandan's own calls did not reach the program's handler...
  CHECK(g_messages_seen == 0);
  // ... which is still the one in force after them: the program's own GDAL messages reach it.
  CPLError(CE_Warning, CPLE_AppDefined, "the program's own warning");
  CHECK(g_messages_seen == 1);
  const bool still_ours = CPLSetErrorHandler(before) == count_message;
  CHECK(still_ours);
}
