// gis/reader: reads any GDAL vector source (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, ...; one
// file, several files, or a folder of them) into a Site in the working CRS, checking the layout
// schema of docs/gis-schema.md and reporting every problem found with source, layer, feature id
// and field.
#pragma once

#include <string>
#include <vector>

#include "site/site.hpp"

namespace sandan {

enum class Severity { kError, kWarning };

// One finding about the input. Errors make the layout unusable; warnings are worth a look.
struct Problem {
  Severity severity = Severity::kError;
  std::string source;      // file the feature came from ("" when not tied to one)
  std::string layer;       // layer name ("" when not tied to one)
  std::string feature_id;  // value of the layer's id field, or "FID n" when it has none
  std::string field;       // field name, "geometry", or ""
  std::string message;     // what is wrong and how to fix it
  [[nodiscard]] std::string to_string() const;
};

struct LayerInfo {
  std::string name;
  std::string source;
  std::string crs;            // authority code ("EPSG:5186") or the CRS's name
  std::string geometry_type;  // OGR name, e.g. "Polygon"
  long long features = 0;
};

struct ReadOptions {
  std::string target_crs = kDefaultCrs;
};

struct SiteReadResult {
  Site site;
  std::vector<LayerInfo> layers;
  std::vector<Problem> problems;
  [[nodiscard]] bool has_errors() const;
};

// Reads and checks; never throws for problems in the content (they go to `problems`, and features
// with errors are left out of `site`). Throws Error(kBadInput) only if target_crs is unknown.
[[nodiscard]] SiteReadResult read_site(const std::vector<std::string>& sources,
                                       const ReadOptions& options = {});

// The problems of one severity as lines, repeats grouped: problems that differ only in their feature
// (the same file, layer, field and message) make one line with the count and the first `examples`
// feature ids, e.g. "error: a.gpkg: layer 'facilities': 812 features ('f1', 'f2', 'f3' and 809
// more): field 'complex_id': unknown complex 'x'". In the order each was first found.
[[nodiscard]] std::vector<std::string> grouped_problems(const std::vector<Problem>& problems,
                                                        Severity severity, std::size_t examples = 3);

// Reads, and throws ConfigError listing every error if there is any (repeats grouped).
[[nodiscard]] Site load_site(const std::vector<std::string>& sources, const ReadOptions& options = {});

}  // namespace sandan
