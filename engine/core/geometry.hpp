// core/geometry: plain planar geometry in a metric CRS (metres). No GDAL here: models use these
// types, and only engine/gis converts to and from GIS formats.
#pragma once

#include <vector>

namespace sandan {

// A position in the working metric CRS (default EPSG:5186), easting and northing in metres.
struct XY {
  double x_m = 0.0;
  double y_m = 0.0;
  friend bool operator==(const XY&, const XY&) = default;
};

// A position in geographic coordinates (WGS84 degrees).
struct LonLat {
  double lon_deg = 0.0;
  double lat_deg = 0.0;
};

using Ring = std::vector<XY>;  // closed: the last point repeats the first

struct Polygon {
  Ring outer;
  std::vector<Ring> holes;
};

using MultiPolygon = std::vector<Polygon>;
using LineString = std::vector<XY>;

[[nodiscard]] double distance_m(const XY& a, const XY& b);
// Signed shoelace area of a ring, m² (positive when counter-clockwise).
[[nodiscard]] double signed_area_m2(const Ring& ring);
// Area of a polygon: |outer| minus |holes|, m².
[[nodiscard]] double area_m2(const Polygon& polygon);
[[nodiscard]] double area_m2(const MultiPolygon& polygons);
[[nodiscard]] double length_m(const LineString& line);
// Area-weighted centroid of the outer ring(s).
[[nodiscard]] XY centroid(const Polygon& polygon);
[[nodiscard]] XY centroid(const MultiPolygon& polygons);
// Point at half the length of a line.
[[nodiscard]] XY midpoint(const LineString& line);
// Even-odd rule; points on the boundary may go either way.
[[nodiscard]] bool contains(const Polygon& polygon, const XY& point);
[[nodiscard]] bool contains(const MultiPolygon& polygons, const XY& point);
// Distance from a point to the nearest edge of any ring, m.
[[nodiscard]] double distance_to_boundary_m(const MultiPolygon& polygons, const XY& point);
// Inside, or within tolerance_m of the boundary: a street drawn along a complex's edge belongs to it
// although its midpoint is exactly on the boundary, where contains() may go either way.
[[nodiscard]] bool covers(const MultiPolygon& polygons, const XY& point, double tolerance_m);

}  // namespace sandan
