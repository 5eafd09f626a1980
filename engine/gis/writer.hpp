// gis/writer: writes a Site as the layers of docs/gis-schema.md, in any CRS, as a GeoPackage or as a
// folder of GeoJSON or Shapefile files (one file a layer). Output appears atomically: it is
// written under a temporary name and renamed when complete, so a failure never leaves a partial file.
#pragma once

#include <string>

#include "gis/site.hpp"

namespace sandan {

enum class VectorFormat { kGeoPackage, kGeoJsonFolder, kShapefileFolder };

struct WriteOptions {
  VectorFormat format = VectorFormat::kGeoPackage;
  std::string crs = kDefaultCrs;  // the Site's coordinates are reprojected from site.crs to this
};

// Throws Error(kIo) if the output cannot be written, Error(kBadInput) for an unknown CRS.
// An existing output is replaced.
void write_site(const Site& site, const std::string& path, const WriteOptions& options = {});

// The format implied by a path: ".gpkg" is a GeoPackage; otherwise nullopt-like kGeoPackage is not
// assumed and this throws Error(kBadInput) naming the extensions it knows.
[[nodiscard]] VectorFormat format_from_path(const std::string& path);

}  // namespace sandan
