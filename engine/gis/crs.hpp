// gis/crs: coordinate transformations through PROJ (via GDAL's OGR wrapper), with the axis order
// fixed to (easting, northing) and (longitude, latitude) whatever the CRS's official order.
#pragma once

#include <memory>
#include <string>

#include "core/geometry.hpp"

namespace sandan {

class CrsTransform {
 public:
  // source and target: anything OGRSpatialReference::SetFromUserInput accepts ("EPSG:5186",
  // WKT, PROJ strings). Throws Error(kBadInput) if either is unknown or no transformation exists.
  CrsTransform(const std::string& source_crs, const std::string& target_crs);
  ~CrsTransform();
  CrsTransform(const CrsTransform&) = delete;
  CrsTransform& operator=(const CrsTransform&) = delete;
  CrsTransform(CrsTransform&&) noexcept;
  CrsTransform& operator=(CrsTransform&&) noexcept;

  // For a geographic source, x is longitude and y latitude in degrees. Throws Error(kBadInput)
  // if PROJ cannot transform the point.
  [[nodiscard]] XY apply(double x, double y) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Registers GDAL's drivers once.
void init_gdal();

// While alive, GDAL's and PROJ's own messages raised on this thread are dropped: sandan reports
// problems itself, with the file and feature they concern. It pushes a handler on GDAL's per-thread
// handler stack and pops it when it goes, so the handler of the program sandan runs in (a Python
// program using GDAL too) is untouched outside sandan's calls.
class GdalQuiet {
 public:
  GdalQuiet();
  ~GdalQuiet();
  GdalQuiet(const GdalQuiet&) = delete;
  GdalQuiet& operator=(const GdalQuiet&) = delete;
  GdalQuiet(GdalQuiet&&) = delete;
  GdalQuiet& operator=(GdalQuiet&&) = delete;
};

// WGS84 longitude/latitude to the working CRS (EPSG:5186) and back.
[[nodiscard]] XY lonlat_to_working(const LonLat& position);
[[nodiscard]] LonLat working_to_lonlat(const XY& position);

}  // namespace sandan
