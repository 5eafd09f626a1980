#include <doctest/doctest.h>

#include "core/geometry.hpp"

using namespace sandan;

TEST_CASE("shoelace area of a rectangle far from the origin keeps its precision") {
  // A 30 m x 20 m footprint at typical EPSG:5186 coordinates: 600 m² exactly.
  const Ring ring{{200000.0, 550000.0},
                  {200030.0, 550000.0},
                  {200030.0, 550020.0},
                  {200000.0, 550020.0},
                  {200000.0, 550000.0}};
  CHECK(signed_area_m2(ring) == doctest::Approx(600.0).epsilon(1e-12));
  CHECK(area_m2(Polygon{ring, {}}) == doctest::Approx(600.0).epsilon(1e-12));
}

TEST_CASE("a hole is subtracted from the polygon's area") {
  const Ring outer{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}};
  const Ring hole{{2, 2}, {2, 4}, {4, 4}, {4, 2}, {2, 2}};  // clockwise, 4 m²
  CHECK(area_m2(Polygon{outer, {hole}}) == doctest::Approx(96.0));
  CHECK_FALSE(contains(Polygon{outer, {hole}}, XY{3, 3}));
  CHECK(contains(Polygon{outer, {hole}}, XY{8, 8}));
}

TEST_CASE("centroid of an L-shape is the area-weighted mean of its two rectangles") {
  // Rectangles [0,2]x[0,1] (area 2, centre (1, 0.5)) and [0,1]x[1,3] (area 2, centre (0.5, 2)).
  const Ring l_shape{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}};
  const XY c = centroid(Polygon{l_shape, {}});
  CHECK(c.x_m == doctest::Approx(0.75));
  CHECK(c.y_m == doctest::Approx(1.25));
}

TEST_CASE("line length and midpoint walk the polyline") {
  const LineString line{{0, 0}, {3, 4}, {3, 10}};  // 5 m + 6 m
  CHECK(length_m(line) == doctest::Approx(11.0));
  const XY mid = midpoint(line);  // 5.5 m along: 0.5 m up the second segment
  CHECK(mid.x_m == doctest::Approx(3.0));
  CHECK(mid.y_m == doctest::Approx(4.5));
}

TEST_CASE("a point on or just beside the boundary is covered within the tolerance") {
  const MultiPolygon square{Polygon{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {}}};
  CHECK(distance_to_boundary_m(square, XY{5, 0}) == doctest::Approx(0.0));
  CHECK(distance_to_boundary_m(square, XY{5, -0.5}) == doctest::Approx(0.5));
  CHECK(distance_to_boundary_m(square, XY{13, 14}) == doctest::Approx(5.0));  // to the corner (10, 10)
  CHECK(covers(square, XY{5, -0.5}, 1.0));
  CHECK_FALSE(covers(square, XY{5, -2.0}, 1.0));
  CHECK(covers(square, XY{5, 5}, 0.0));
}
