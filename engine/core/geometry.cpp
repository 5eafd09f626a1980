#include "core/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sandan {

double distance_m(const XY& a, const XY& b) { return std::hypot(a.x_m - b.x_m, a.y_m - b.y_m); }

double signed_area_m2(const Ring& ring) {
  // Shoelace formula, with coordinates taken relative to the first vertex: projected coordinates
  // are ~10^5 m, and their products would lose the digits a small footprint's area lives in.
  if (ring.size() < 3) return 0.0;
  const XY origin = ring.front();
  double twice_area = 0.0;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
    const double x0 = ring[i].x_m - origin.x_m;
    const double y0 = ring[i].y_m - origin.y_m;
    const double x1 = ring[i + 1].x_m - origin.x_m;
    const double y1 = ring[i + 1].y_m - origin.y_m;
    twice_area += x0 * y1 - x1 * y0;
  }
  return 0.5 * twice_area;
}

double area_m2(const Polygon& polygon) {
  double area = std::abs(signed_area_m2(polygon.outer));
  for (const auto& hole : polygon.holes) area -= std::abs(signed_area_m2(hole));
  return area;
}

double area_m2(const MultiPolygon& polygons) {
  double area = 0.0;
  for (const auto& polygon : polygons) area += area_m2(polygon);
  return area;
}

double length_m(const LineString& line) {
  double length = 0.0;
  for (std::size_t i = 0; i + 1 < line.size(); ++i) length += distance_m(line[i], line[i + 1]);
  return length;
}

XY centroid(const Polygon& polygon) {
  const Ring& ring = polygon.outer;
  if (ring.empty()) return {};
  const XY origin = ring.front();
  double twice_area = 0.0;
  double cx = 0.0;
  double cy = 0.0;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i) {
    const double x0 = ring[i].x_m - origin.x_m;
    const double y0 = ring[i].y_m - origin.y_m;
    const double x1 = ring[i + 1].x_m - origin.x_m;
    const double y1 = ring[i + 1].y_m - origin.y_m;
    const double cross = x0 * y1 - x1 * y0;
    twice_area += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  if (twice_area == 0.0) return origin;
  return {origin.x_m + cx / (3.0 * twice_area), origin.y_m + cy / (3.0 * twice_area)};
}

XY centroid(const MultiPolygon& polygons) {
  double total = 0.0;
  double x = 0.0;
  double y = 0.0;
  for (const auto& polygon : polygons) {
    const double a = std::abs(signed_area_m2(polygon.outer));
    const XY c = centroid(polygon);
    total += a;
    x += a * c.x_m;
    y += a * c.y_m;
  }
  if (total == 0.0) return polygons.empty() ? XY{} : centroid(polygons.front());
  return {x / total, y / total};
}

XY midpoint(const LineString& line) {
  if (line.empty()) return {};
  const double half = 0.5 * length_m(line);
  double walked = 0.0;
  for (std::size_t i = 0; i + 1 < line.size(); ++i) {
    const double step = distance_m(line[i], line[i + 1]);
    if (walked + step >= half && step > 0.0) {
      const double t = (half - walked) / step;
      return {line[i].x_m + t * (line[i + 1].x_m - line[i].x_m),
              line[i].y_m + t * (line[i + 1].y_m - line[i].y_m)};
    }
    walked += step;
  }
  return line.back();
}

namespace {
bool ring_contains(const Ring& ring, const XY& p) {
  bool inside = false;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const XY& a = ring[i];
    const XY& b = ring[j];
    if ((a.y_m > p.y_m) != (b.y_m > p.y_m)) {
      const double x_cross = a.x_m + (p.y_m - a.y_m) * (b.x_m - a.x_m) / (b.y_m - a.y_m);
      if (p.x_m < x_cross) inside = !inside;
    }
  }
  return inside;
}
}  // namespace

bool contains(const Polygon& polygon, const XY& point) {
  if (polygon.outer.size() < 3 || !ring_contains(polygon.outer, point)) return false;
  for (const auto& hole : polygon.holes) {
    if (ring_contains(hole, point)) return false;
  }
  return true;
}

bool contains(const MultiPolygon& polygons, const XY& point) {
  for (const auto& polygon : polygons) {
    if (contains(polygon, point)) return true;
  }
  return false;
}

namespace {
double distance_to_segment_m(const XY& p, const XY& a, const XY& b) {
  const double dx = b.x_m - a.x_m;
  const double dy = b.y_m - a.y_m;
  const double length2 = dx * dx + dy * dy;
  double t = length2 > 0.0 ? ((p.x_m - a.x_m) * dx + (p.y_m - a.y_m) * dy) / length2 : 0.0;
  t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
  return std::hypot(p.x_m - (a.x_m + t * dx), p.y_m - (a.y_m + t * dy));
}

double ring_distance_m(const Ring& ring, const XY& p) {
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i + 1 < ring.size(); ++i)
    best = std::min(best, distance_to_segment_m(p, ring[i], ring[i + 1]));
  return best;
}
}  // namespace

double distance_to_boundary_m(const MultiPolygon& polygons, const XY& point) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& polygon : polygons) {
    best = std::min(best, ring_distance_m(polygon.outer, point));
    for (const auto& hole : polygon.holes) best = std::min(best, ring_distance_m(hole, point));
  }
  return best;
}

bool covers(const MultiPolygon& polygons, const XY& point, double tolerance_m) {
  return contains(polygons, point) || distance_to_boundary_m(polygons, point) <= tolerance_m;
}

}  // namespace sandan
