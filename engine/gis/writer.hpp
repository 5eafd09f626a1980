// gis/writer: writes a Site as the layers of docs/gis-schema.md, in any CRS, as a GeoPackage or as a
// folder of GeoJSON or Shapefile files (one file a layer). Output appears atomically: it is
// written under a temporary name and renamed when complete, so a failure never leaves a partial file.
#pragma once

#include <string>
#include <vector>

#include "gis/result_layers.hpp"
#include "site/site.hpp"

namespace sandan {

enum class VectorFormat { kGeoPackage, kGeoJsonFolder, kShapefileFolder };

struct WriteOptions {
  VectorFormat format = VectorFormat::kGeoPackage;
  std::string crs = kDefaultCrs;  // the Site's coordinates are reprojected from site.crs to this
};

// Throws Error(kIo) if the output cannot be written, Error(kBadInput) for an unknown CRS.
// An existing output is replaced.
void write_site(const Site& site, const std::string& path, const WriteOptions& options = {});

// Writes a run's results as a GeoPackage (docs/export.md): `facilities` (footprints) and `complexes`
// (boundaries) with the layout's identifying fields followed by the tables' fields, and, when the
// run has them, `links` (each directed link along its road's geometry, in its direction) and
// `feeders` (each feeder's segments). Rows are matched to the layout's features by id, so `site`
// must be the layout the run used (in its working CRS, in which ResultLinks' end nodes are given);
// layout_name names it in messages. Everything is checked before the file is created; it appears
// atomically and replaces an existing file. Throws Error(kBadInput) for an id the layout lacks
// (naming it) or an unknown CRS, Error(kIo) if the file cannot be written.
std::vector<WrittenLayer> write_result_layers(const ResultLayers& layers, const Site& site,
                                              const std::string& layout_name, const std::string& path,
                                              const std::string& crs = kDefaultCrs);

// The format implied by a path: ".gpkg" is a GeoPackage; otherwise nullopt-like kGeoPackage is not
// assumed and this throws Error(kBadInput) naming the extensions it knows.
[[nodiscard]] VectorFormat format_from_path(const std::string& path);

}  // namespace sandan
