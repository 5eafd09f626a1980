#include "gis/reader.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "gis/crs.hpp"

namespace sandan {

std::string Problem::to_string() const {
  std::string text = severity == Severity::kError ? "error: " : "warning: ";
  if (!source.empty()) text += source + ": ";
  if (!layer.empty()) text += "layer '" + layer + "': ";
  if (!feature_id.empty()) text += "feature '" + feature_id + "': ";
  if (!field.empty()) text += "field '" + field + "': ";
  return text + message;
}

std::vector<std::string> grouped_problems(const std::vector<Problem>& problems, Severity severity,
                                          std::size_t examples) {
  struct Group {
    const Problem* first = nullptr;
    std::vector<std::string> ids;
  };
  std::vector<Group> groups;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::size_t> index;
  for (const Problem& p : problems) {
    if (p.severity != severity) continue;
    const auto key = std::make_tuple(p.source, p.layer, p.field, p.message);
    const auto [it, added] = index.emplace(key, groups.size());
    if (added) groups.push_back({&p, {}});
    groups[it->second].ids.push_back(p.feature_id);
  }
  std::vector<std::string> lines;
  for (const Group& g : groups) {
    if (g.ids.size() == 1 || g.first->feature_id.empty()) {
      lines.push_back(g.first->to_string());
      continue;
    }
    Problem shown = *g.first;
    std::string ids;
    for (std::size_t i = 0; i < g.ids.size() && i < examples; ++i) ids += (i ? ", '" : "'") + g.ids[i] + "'";
    if (g.ids.size() > examples) ids += " and " + std::to_string(g.ids.size() - examples) + " more";
    shown.feature_id.clear();
    shown.field.clear();
    std::string text = shown.to_string();
    // "error: src: layer 'L': " + "N features (...): " + "field 'F': " + message
    const std::string prefix = text.substr(0, text.size() - shown.message.size());
    lines.push_back(prefix + std::to_string(g.ids.size()) + " features (" + ids + "): " +
                    (g.first->field.empty() ? "" : "field '" + g.first->field + "': ") + shown.message);
  }
  return lines;
}

bool SiteReadResult::has_errors() const {
  return std::any_of(problems.begin(), problems.end(),
                     [](const Problem& p) { return p.severity == Severity::kError; });
}

namespace {

namespace fs = std::filesystem;

enum class FieldKind { kString, kInteger, kReal, kBool };
enum class GeomKind { kPolygon, kLine, kPoint };

struct FieldSpec {
  const char* name;
  FieldKind kind;
  bool required;
};

struct LayerSpec {
  const char* name;
  GeomKind geometry;
  const char* id_field;
  std::vector<FieldSpec> fields;
};

// The layout schema (docs/gis-schema.md). Names are matched exactly, or by their first ten
// characters, which is what Shapefile's dBase tables keep of a longer name.
const std::vector<LayerSpec>& layer_specs() {
  static const std::vector<LayerSpec> kSpecs{
      {"complexes",
       GeomKind::kPolygon,
       "complex_id",
       {{"complex_id", FieldKind::kString, true},
        {"name", FieldKind::kString, true},
        {"name_ko", FieldKind::kString, true},
        {"role", FieldKind::kString, true}}},
      {"facilities",
       GeomKind::kPolygon,
       "facility_id",
       {{"facility_id", FieldKind::kString, true},
        {"complex_id", FieldKind::kString, true},
        {"name", FieldKind::kString, true},
        {"ksic", FieldKind::kString, true},
        {"floor_area_m2", FieldKind::kReal, true},
        {"roof_area_m2", FieldKind::kReal, false},
        {"employees", FieldKind::kInteger, true},
        {"firms", FieldKind::kInteger, false},
        {"shift", FieldKind::kString, true},
        {"annual_elec_mwh", FieldKind::kReal, false},
        {"annual_fuel_mwh", FieldKind::kReal, false},
        {"fuel", FieldKind::kString, false},
        {"feeder_bus", FieldKind::kString, false}}},
      {"roads",
       GeomKind::kLine,
       "road_id",
       {{"road_id", FieldKind::kString, true},
        {"lanes", FieldKind::kInteger, true},
        {"speed_kmh", FieldKind::kReal, true},
        {"capacity_veh_h", FieldKind::kReal, true},
        {"oneway", FieldKind::kBool, true},
        {"class", FieldKind::kString, true}}},
      {"gates",
       GeomKind::kPoint,
       "gate_id",
       {{"gate_id", FieldKind::kString, true},
        {"name", FieldKind::kString, true},
        {"kind", FieldKind::kString, true},
        {"share", FieldKind::kReal, true}}},
      {"substations",
       GeomKind::kPoint,
       "substation_id",
       {{"substation_id", FieldKind::kString, true},
        {"voltage_kv", FieldKind::kReal, true},
        {"capacity_mva", FieldKind::kReal, true}}},
      {"feeders",
       GeomKind::kLine,
       "segment_id",
       {{"segment_id", FieldKind::kString, true},
        {"feeder_id", FieldKind::kString, true},
        {"substation_id", FieldKind::kString, true},
        {"from_bus", FieldKind::kString, true},
        {"to_bus", FieldKind::kString, true},
        {"line_type", FieldKind::kString, true},
        {"length_m", FieldKind::kReal, false},
        {"status", FieldKind::kInteger, false}}},
  };
  return kSpecs;
}

const char* kind_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::kString:
      return "text";
    case FieldKind::kInteger:
      return "integer";
    case FieldKind::kReal:
      return "number";
    case FieldKind::kBool:
      return "boolean (0/1)";
  }
  return "";
}

std::string crs_label(const OGRSpatialReference& srs) {
  const char* authority = srs.GetAuthorityName(nullptr);
  const char* code = srs.GetAuthorityCode(nullptr);
  if (authority != nullptr && code != nullptr) return std::string(authority) + ":" + code;
  const char* name = srs.GetName();
  return name != nullptr ? name : "unnamed CRS";
}

// File extensions opened when a source is a folder; sidecar files (.dbf, .shx, .prj) are not.
bool is_vector_file(const fs::path& path) {
  static const std::set<std::string> kExtensions{".gpkg", ".shp", ".geojson", ".json", ".fgb",
                                                 ".gml",  ".kml", ".sqlite",  ".gpx"};
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return kExtensions.count(ext) > 0;
}

struct DatasetCloser {
  void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

// GDAL's messages raised on this thread while a layer's features are read. A driver that finds text
// in a numeric field (a dBase N or F field holding "abc") gives 0 and warns "Value 'abc' of field
// layer.field parsed incompletely to real 0."; the reader turns that into the feature's error.
thread_local std::vector<std::string>* t_feature_messages = nullptr;

void collect_feature_message(CPLErr /*level*/, CPLErrorNum /*number*/, const char* message) {
  if (t_feature_messages != nullptr && message != nullptr) t_feature_messages->emplace_back(message);
}

// While alive, GDAL's messages on this thread go to `messages` (and nowhere else).
class FeatureMessages {
 public:
  explicit FeatureMessages(std::vector<std::string>& messages) {
    CPLPushErrorHandler(collect_feature_message);
    t_feature_messages = &messages;
  }
  ~FeatureMessages() {
    t_feature_messages = nullptr;
    CPLPopErrorHandler();
  }
  FeatureMessages(const FeatureMessages&) = delete;
  FeatureMessages& operator=(const FeatureMessages&) = delete;
  FeatureMessages(FeatureMessages&&) = delete;
  FeatureMessages& operator=(FeatureMessages&&) = delete;
};

// From "Value 'abc' of field layer.field parsed incompletely to real 0.": field -> "abc".
std::map<std::string, std::string> unparsed_values(const std::vector<std::string>& messages) {
  std::map<std::string, std::string> out;
  for (const std::string& m : messages) {
    const std::string head = "Value '";
    const std::string middle = "' of field ";
    const auto tail = m.find(" parsed incompletely");
    const auto mid = m.find(middle);
    if (m.rfind(head, 0) != 0 || mid == std::string::npos || tail == std::string::npos || tail < mid)
      continue;
    const std::string qualified = m.substr(mid + middle.size(), tail - mid - middle.size());
    const auto dot = qualified.rfind('.');
    out[dot == std::string::npos ? qualified : qualified.substr(dot + 1)] =
        m.substr(head.size(), mid - head.size());
  }
  return out;
}

struct FoundLayer {
  std::string source;
  GDALDataset* dataset = nullptr;
  OGRLayer* layer = nullptr;
};

// Reads the features of one layer, resolving and type-checking its fields once.
class LayerReader {
 public:
  LayerReader(const LayerSpec& spec, const FoundLayer& found, std::vector<Problem>& problems)
      : spec_(spec), found_(found), problems_(problems) {
    OGRFeatureDefn* defn = found.layer->GetLayerDefn();
    for (const auto& field : spec.fields) {
      int index = defn->GetFieldIndex(field.name);
      if (index < 0) index = defn->GetFieldIndex(std::string(field.name).substr(0, 10).c_str());
      if (index < 0) {
        if (field.required) {
          layer_problem(field.name, std::string("required field is missing; add a ") + kind_name(field.kind) +
                                        " field '" + field.name + "'");
          ok_ = false;
        }
        indices_[field.name] = -1;
        continue;
      }
      const OGRFieldDefn* fd = defn->GetFieldDefn(index);
      const OGRFieldType type = fd->GetType();
      bool type_ok = false;
      switch (field.kind) {
        case FieldKind::kString:
          type_ok = type == OFTString;
          break;
        case FieldKind::kInteger:
        case FieldKind::kBool:
        case FieldKind::kReal:
          // Some formats store whole numbers as reals (dBase, GeoJSON from other tools); those are
          // checked value by value. GeoJSON types a field whose values are all null as String, so
          // a String field is accepted too, and any text in it is an error of that feature.
          type_ok = type == OFTInteger || type == OFTInteger64 || type == OFTReal || type == OFTString;
          if (type == OFTString) text_typed_.insert(index);
          break;
      }
      if (!type_ok) {
        layer_problem(field.name, std::string("field has type ") + OGRFieldDefn::GetFieldTypeName(type) +
                                      ", expected " + kind_name(field.kind));
        ok_ = false;
        index = -1;
      }
      indices_[field.name] = index;
      known_.insert(index);
    }
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
      if (known_.count(i) == 0) extra_indices_.push_back(i);
    }
  }

  [[nodiscard]] bool ok() const { return ok_; }

  // The values of the current feature that its driver could not read as numbers, by field name.
  void set_unparsed(std::map<std::string, std::string> unparsed) { unparsed_ = std::move(unparsed); }

  // The feature's id for messages: the id field's value, else "FID n".
  std::string feature_id(OGRFeature& feature) const {
    const int index = indices_.at(spec_.id_field);
    if (index >= 0 && feature.IsFieldSetAndNotNull(index)) {
      std::string id = feature.GetFieldAsString(index);
      if (!id.empty()) return id;
    }
    return "FID " + std::to_string(feature.GetFID());
  }

  void problem(Severity severity, const std::string& feature_id, const std::string& field,
               const std::string& message) {
    problems_.push_back({severity, found_.source, spec_.name, feature_id, field, message});
  }

  std::optional<std::string> text(OGRFeature& feature, const char* name, const std::string& id,
                                  bool required) {
    const int index = indices_.at(name);
    if (index < 0) return std::nullopt;
    if (!feature.IsFieldSetAndNotNull(index) || std::string(feature.GetFieldAsString(index)).empty()) {
      if (required) problem(Severity::kError, id, name, "value is missing");
      return std::nullopt;
    }
    return std::string(feature.GetFieldAsString(index));
  }

  // max_value bounds what a field can physically hold (generously: no real complex comes near), so a
  // typo of 1e300 is refused here instead of giving infinite loads or endless loops downstream.
  std::optional<double> number(OGRFeature& feature, const char* name, const std::string& id, bool required,
                               double min_value, bool min_inclusive, double max_value) {
    const int index = indices_.at(name);
    if (index < 0) return std::nullopt;
    if (!feature.IsFieldSetAndNotNull(index)) {
      if (required) problem(Severity::kError, id, name, "value is missing");
      return std::nullopt;
    }
    if (text_typed_.count(index) > 0) {
      problem(Severity::kError, id, name,
              std::string("value '") + feature.GetFieldAsString(index) +
                  "' is text (the field has type String), expected number");
      return std::nullopt;
    }
    // Text in a numeric field, which the driver read as 0 with a warning.
    const auto unparsed = unparsed_.find(feature.GetFieldDefnRef(index)->GetNameRef());
    if (unparsed != unparsed_.end()) {
      problem(Severity::kError, id, name,
              "value '" + unparsed->second +
                  "' is text, not a number (the driver would read it as 0); "
                  "write a number in field '" +
                  name + "'");
      return std::nullopt;
    }
    const double value = feature.GetFieldAsDouble(index);
    if (!std::isfinite(value)) {
      problem(Severity::kError, id, name, "value is not a finite number");
      return std::nullopt;
    }
    if (value < min_value || (!min_inclusive && value == min_value)) {
      problem(Severity::kError, id, name,
              "value " + format_number(value) + " is out of range; it must be " +
                  (min_inclusive ? ">= " : "> ") + format_number(min_value));
      return std::nullopt;
    }
    if (value > max_value) {
      problem(Severity::kError, id, name,
              "value " + format_number(value) + " is out of range; it must be <= " +
                  format_number(max_value) + " (check the unit and the digits)");
      return std::nullopt;
    }
    return value;
  }

  std::optional<long long> integer(OGRFeature& feature, const char* name, const std::string& id,
                                   bool required, long long min_value, long long max_value) {
    const auto value = number(feature, name, id, required, static_cast<double>(min_value), true,
                              static_cast<double>(max_value));
    if (!value) return std::nullopt;
    if (std::floor(*value) != *value) {
      problem(Severity::kError, id, name, "value " + format_number(*value) + " is not a whole number");
      return std::nullopt;
    }
    return static_cast<long long>(*value);
  }

  std::optional<bool> boolean(OGRFeature& feature, const char* name, const std::string& id) {
    const int index = indices_.at(name);
    if (index < 0) return std::nullopt;
    if (!feature.IsFieldSetAndNotNull(index)) {
      problem(Severity::kError, id, name, "value is missing");
      return std::nullopt;
    }
    if (text_typed_.count(index) > 0) {
      problem(Severity::kError, id, name,
              std::string("value '") + feature.GetFieldAsString(index) + "' is text, expected 0 or 1");
      return std::nullopt;
    }
    const auto unparsed = unparsed_.find(feature.GetFieldDefnRef(index)->GetNameRef());
    if (unparsed != unparsed_.end()) {
      problem(Severity::kError, id, name,
              "value '" + unparsed->second + "' is text, expected 0 or 1 in field '" + name + "'");
      return std::nullopt;
    }
    const double value = feature.GetFieldAsDouble(index);
    if (value != 0.0 && value != 1.0) {
      problem(Severity::kError, id, name, "value " + format_number(value) + " is not 0 or 1");
      return std::nullopt;
    }
    return value == 1.0;
  }

  ExtraFields extra(OGRFeature& feature) const {
    ExtraFields fields;
    OGRFeatureDefn* defn = feature.GetDefnRef();
    for (const int index : extra_indices_) {
      if (!feature.IsFieldSetAndNotNull(index)) continue;
      fields.emplace_back(defn->GetFieldDefn(index)->GetNameRef(), feature.GetFieldAsString(index));
    }
    return fields;
  }

  static std::string format_number(double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", value);
    return buffer;
  }

 private:
  void layer_problem(const char* field, const std::string& message) {
    problems_.push_back({Severity::kError, found_.source, spec_.name, "", field, message});
  }

  const LayerSpec& spec_;
  const FoundLayer& found_;
  std::vector<Problem>& problems_;
  std::map<std::string, int> indices_;
  std::set<int> known_;
  std::set<int> text_typed_;
  std::vector<int> extra_indices_;
  bool ok_ = true;
  std::map<std::string, std::string> unparsed_;
};

// Converts an OGR geometry that is already in the working CRS into sandan's types.
Ring to_ring(const OGRLinearRing& ring) {
  Ring points;
  points.reserve(static_cast<std::size_t>(ring.getNumPoints()));
  for (int i = 0; i < ring.getNumPoints(); ++i) points.push_back({ring.getX(i), ring.getY(i)});
  return points;
}

Polygon to_polygon(const OGRPolygon& polygon) {
  Polygon result;
  if (const OGRLinearRing* outer = polygon.getExteriorRing()) result.outer = to_ring(*outer);
  for (int i = 0; i < polygon.getNumInteriorRings(); ++i) {
    result.holes.push_back(to_ring(*polygon.getInteriorRing(i)));
  }
  return result;
}

LineString to_line(const OGRLineString& line) {
  LineString points;
  points.reserve(static_cast<std::size_t>(line.getNumPoints()));
  for (int i = 0; i < line.getNumPoints(); ++i) points.push_back({line.getX(i), line.getY(i)});
  return points;
}

bool all_finite(const OGRGeometry& geometry) {
  OGREnvelope envelope;
  geometry.getEnvelope(&envelope);
  return std::isfinite(envelope.MinX) && std::isfinite(envelope.MaxX) && std::isfinite(envelope.MinY) &&
         std::isfinite(envelope.MaxY);
}

const char* geom_kind_name(GeomKind kind) {
  switch (kind) {
    case GeomKind::kPolygon:
      return "Polygon or MultiPolygon";
    case GeomKind::kLine:
      return "LineString";
    case GeomKind::kPoint:
      return "Point";
  }
  return "";
}

struct ParsedGeometry {
  MultiPolygon polygons;
  LineString line;
  XY point;
};

class Loader {
 public:
  Loader(const ReadOptions& options, SiteReadResult& result) : options_(options), result_(result) {
    if (target_.SetFromUserInput(options.target_crs.c_str()) != OGRERR_NONE) {
      throw Error(ErrorCode::kBadInput, "unknown working CRS '" + options.target_crs + "'");
    }
    target_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    result_.site.crs = options.target_crs;
  }

  void open_sources(const std::vector<std::string>& sources) {
    if (sources.empty()) {
      error("", "", "", "", "no GIS source given");
      return;
    }
    for (const auto& source : sources) {
      std::error_code ec;
      if (fs::is_directory(source, ec)) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(source, ec)) {
          if (entry.is_regular_file() && is_vector_file(entry.path())) files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        if (files.empty()) {
          error(source, "", "", "",
                "is a folder that holds no GIS layer file (.gpkg, .shp, .geojson, ...); name the layout "
                "file (e.g. gis_data/incheon.gpkg) or a folder of its layer files");
        }
        for (const auto& file : files) open_file(file.string());
      } else {
        open_file(source);
      }
    }
  }

  // " (a.geojson, b.geojson, ...)": the files opened, at most five named.
  [[nodiscard]] std::string searched() const {
    if (opened_.empty()) return "";
    std::string out = " (";
    for (std::size_t i = 0; i < opened_.size() && i < 5; ++i) out += (i > 0 ? ", " : "") + opened_[i];
    if (opened_.size() > 5) out += " and " + std::to_string(opened_.size() - 5) + " more";
    return out + ")";
  }

  void read_layers() {
    // No source could be opened: that is the one problem (every layer would be reported missing too).
    if (datasets_.empty() && result_.has_errors()) return;
    for (const auto& spec : layer_specs()) {
      auto it = layers_.find(spec.name);
      if (it == layers_.end()) {
        // Named with the file when there is one (a GeoPackage whose layer a damaged catalogue lost),
        // else with the files searched, so that the message says where the layer was looked for.
        const bool one = opened_.size() == 1;
        error(one ? opened_.front() : "", spec.name, "", "",
              "required layer is missing from " +
                  (one ? std::string("this file") : "the sources" + searched()) + "; add a " +
                  std::string(geom_kind_name(spec.geometry)) + " layer named '" + spec.name + "'");
        continue;
      }
      read_layer(spec, it->second);
    }
    check_references();
  }

 private:
  void error(const std::string& source, const std::string& layer, const std::string& id,
             const std::string& field, const std::string& message) {
    result_.problems.push_back({Severity::kError, source, layer, id, field, message});
  }

  void open_file(const std::string& path) {
    std::error_code ec;
    // GDAL's virtual file systems (/vsimem/, /vsizip/...) are not on the disk: GDAL opens them.
    const bool gdal_virtual = path.rfind("/vsi", 0) == 0;
    if (!gdal_virtual && !fs::exists(path, ec)) {
      error(path, "", "", "", "file does not exist");
      return;
    }
    GDALDataset* raw = GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY);
    if (raw == nullptr) {
      error(path, "", "", "", "not a readable GIS vector file (GDAL could not open it)");
      return;
    }
    datasets_.emplace_back(raw);
    opened_.push_back(path);
    for (int i = 0; i < raw->GetLayerCount(); ++i) {
      OGRLayer* layer = raw->GetLayer(i);
      const std::string name = layer->GetName();
      LayerInfo info;
      info.name = name;
      info.source = path;
      info.crs = layer->GetSpatialRef() != nullptr ? crs_label(*layer->GetSpatialRef()) : "none";
      info.geometry_type = OGRGeometryTypeToName(layer->GetGeomType());
      info.features = layer->GetFeatureCount();
      result_.layers.push_back(info);
      auto [it, inserted] = layers_.emplace(name, FoundLayer{path, raw, layer});
      if (!inserted) {
        error(path, name, "", "", "layer also found in " + it->second.source + "; keep one of them");
      }
    }
  }

  // Reads, checks and reprojects the feature's geometry. nullopt when it is unusable (reported).
  std::optional<ParsedGeometry> geometry(LayerReader& reader, const LayerSpec& spec, OGRFeature& feature,
                                         const std::string& id, OGRCoordinateTransformation* transform) {
    const OGRGeometry* geom = feature.GetGeometryRef();
    if (geom == nullptr || geom->IsEmpty()) {
      reader.problem(Severity::kError, id, "geometry", "geometry is missing or empty");
      return std::nullopt;
    }
    const OGRwkbGeometryType type = wkbFlatten(geom->getGeometryType());
    const bool type_ok =
        (spec.geometry == GeomKind::kPolygon && (type == wkbPolygon || type == wkbMultiPolygon)) ||
        (spec.geometry == GeomKind::kLine && (type == wkbLineString || type == wkbMultiLineString)) ||
        (spec.geometry == GeomKind::kPoint && (type == wkbPoint || type == wkbMultiPoint));
    if (!type_ok) {
      reader.problem(Severity::kError, id, "geometry",
                     std::string("geometry is ") + OGRGeometryTypeToName(type) + ", expected " +
                         geom_kind_name(spec.geometry));
      return std::nullopt;
    }
    if (!all_finite(*geom)) {
      reader.problem(Severity::kError, id, "geometry", "geometry has non-finite coordinates");
      return std::nullopt;
    }
    if (spec.geometry != GeomKind::kPoint && !geom->IsValid()) {
      reader.problem(Severity::kError, id, "geometry",
                     "geometry is invalid (self-intersecting, unclosed or degenerate); repair it, "
                     "e.g. with ogr2ogr -makevalid");
      return std::nullopt;
    }
    std::unique_ptr<OGRGeometry> working(geom->clone());
    if (transform != nullptr && working->transform(transform) != OGRERR_NONE) {
      reader.problem(
          Severity::kError, id, "geometry",
          "coordinates could not be transformed to " + options_.target_crs + "; check the layer's CRS");
      return std::nullopt;
    }
    // Beyond 1e8 m no projected coordinate is on Earth; such values also overflow the integer grids
    // of the nearest-point searches.
    OGREnvelope envelope;
    working->getEnvelope(&envelope);
    constexpr double kMaxCoordinateM = 1e8;
    if (!all_finite(*working) ||
        std::max({std::fabs(envelope.MinX), std::fabs(envelope.MaxX), std::fabs(envelope.MinY),
                  std::fabs(envelope.MaxY)}) > kMaxCoordinateM) {
      reader.problem(
          Severity::kError, id, "geometry",
          "coordinates fall outside the area of " + options_.target_crs + "; check the layer's CRS");
      return std::nullopt;
    }
    ParsedGeometry parsed;
    switch (type) {
      case wkbPolygon:
        parsed.polygons.push_back(to_polygon(*working->toPolygon()));
        break;
      case wkbMultiPolygon:
        for (const auto* part : *working->toMultiPolygon()) parsed.polygons.push_back(to_polygon(*part));
        break;
      case wkbLineString:
        parsed.line = to_line(*working->toLineString());
        break;
      case wkbMultiLineString: {
        const OGRMultiLineString* multi = working->toMultiLineString();
        if (multi->getNumGeometries() != 1) {
          reader.problem(Severity::kError, id, "geometry",
                         "MultiLineString with " + std::to_string(multi->getNumGeometries()) +
                             " parts; split it into one feature a part");
          return std::nullopt;
        }
        parsed.line = to_line(*multi->getGeometryRef(0));
        break;
      }
      case wkbPoint:
        parsed.point = {working->toPoint()->getX(), working->toPoint()->getY()};
        break;
      case wkbMultiPoint: {
        const OGRMultiPoint* multi = working->toMultiPoint();
        if (multi->getNumGeometries() != 1) {
          reader.problem(Severity::kError, id, "geometry", "MultiPoint with several points; keep one");
          return std::nullopt;
        }
        parsed.point = {multi->getGeometryRef(0)->getX(), multi->getGeometryRef(0)->getY()};
        break;
      }
      default:
        return std::nullopt;
    }
    if (spec.geometry == GeomKind::kLine && (parsed.line.size() < 2 || length_m(parsed.line) <= 0.0)) {
      reader.problem(Severity::kError, id, "geometry", "line has zero length");
      return std::nullopt;
    }
    if (spec.geometry == GeomKind::kPolygon && area_m2(parsed.polygons) <= 0.0) {
      reader.problem(Severity::kError, id, "geometry", "polygon has zero area");
      return std::nullopt;
    }
    return parsed;
  }

  template <typename Enum>
  std::optional<Enum> word(LayerReader& reader, OGRFeature& feature, const char* field, const std::string& id,
                           bool required, std::optional<Enum> (*parse)(const std::string&),
                           const char* allowed) {
    const auto value = reader.text(feature, field, id, required);
    if (!value) return std::nullopt;
    auto parsed = parse(*value);
    if (!parsed) {
      reader.problem(Severity::kError, id, field, "unknown value '" + *value + "'; use one of " + allowed);
    }
    return parsed;
  }

  void read_layer(const LayerSpec& spec, const FoundLayer& found) {
    LayerReader reader(spec, found, result_.problems);
    OGRLayer* layer = found.layer;
    const OGRSpatialReference* source_srs = layer->GetSpatialRef();
    if (source_srs == nullptr) {
      error(found.source, spec.name, "", "",
            "layer has no CRS; define it (a .prj beside a Shapefile, or ogr2ogr -a_srs EPSG:5186)");
      return;
    }
    if (!reader.ok()) return;
    std::unique_ptr<OGRCoordinateTransformation> transform;
    OGRSpatialReference source = *source_srs;
    source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (!source.IsSame(&target_)) {
      transform.reset(OGRCreateCoordinateTransformation(&source, &target_));
      if (!transform) {
        error(found.source, spec.name, "", "",
              "no transformation from " + crs_label(source) + " to " + options_.target_crs);
        return;
      }
    }
    std::unordered_set<std::string> seen_ids;
    std::vector<std::string> messages;
    const FeatureMessages collect(messages);
    layer->ResetReading();
    for (auto& feature_ptr : *layer) {
      OGRFeature& feature = *feature_ptr;
      // The messages raised while this feature was fetched.
      reader.set_unparsed(unparsed_values(messages));
      messages.clear();
      const std::string id = reader.feature_id(feature);
      const std::size_t errors_before = result_.problems.size();
      if (!seen_ids.insert(id).second) {
        reader.problem(Severity::kError, id, spec.id_field, "id is used by another feature of this layer");
      }
      const auto geom = geometry(reader, spec, feature, id, transform.get());
      const std::string_view name = spec.name;
      if (name == "complexes") {
        read_complex(reader, feature, id, geom);
      } else if (name == "facilities") {
        read_facility(reader, feature, id, geom);
      } else if (name == "roads") {
        read_road(reader, feature, id, geom);
      } else if (name == "gates") {
        read_gate(reader, feature, id, geom);
      } else if (name == "substations") {
        read_substation(reader, feature, id, geom);
      } else if (name == "feeders") {
        read_feeder(reader, feature, id, geom);
      }
      const bool feature_ok = std::none_of(
          result_.problems.begin() + static_cast<std::ptrdiff_t>(errors_before), result_.problems.end(),
          [](const Problem& p) { return p.severity == Severity::kError; });
      if (!feature_ok) drop_last(name);
    }
  }

  // A feature with errors is not kept: models never see half-read features. Each read_* pushes
  // exactly one item, so the last one is the feature's.
  void drop_last(std::string_view layer) {
    Site& site = result_.site;
    if (layer == "complexes") {
      site.complexes.pop_back();
    } else if (layer == "facilities") {
      site.facilities.pop_back();
    } else if (layer == "roads") {
      site.roads.pop_back();
    } else if (layer == "gates") {
      site.gates.pop_back();
    } else if (layer == "substations") {
      site.substations.pop_back();
    } else if (layer == "feeders") {
      site.feeders.pop_back();
    }
  }

  void read_complex(LayerReader& reader, OGRFeature& feature, const std::string& id,
                    const std::optional<ParsedGeometry>& geom) {
    Complex c;
    c.complex_id = reader.text(feature, "complex_id", id, true).value_or("");
    c.name = reader.text(feature, "name", id, true).value_or("");
    c.name_ko = reader.text(feature, "name_ko", id, true).value_or("");
    c.role = word(reader, feature, "role", id, true, parse_complex_role, "hub, linked")
                 .value_or(ComplexRole::kLinked);
    c.extra = reader.extra(feature);
    if (geom) c.boundary = geom->polygons;
    result_.site.complexes.push_back(std::move(c));
  }

  void read_facility(LayerReader& reader, OGRFeature& feature, const std::string& id,
                     const std::optional<ParsedGeometry>& geom) {
    Facility f;
    f.facility_id = reader.text(feature, "facility_id", id, true).value_or("");
    const auto complex_id = reader.text(feature, "complex_id", id, true);
    f.name = reader.text(feature, "name", id, true).value_or("");
    f.ksic = reader.text(feature, "ksic", id, true).value_or("");
    // Bounds: the largest factory buildings have ≈1e6 m² of floor and ≈3e5 workers.
    f.floor_area_m2 = reader.number(feature, "floor_area_m2", id, true, 0.0, false, 1e7).value_or(0.0);
    const auto roof = reader.number(feature, "roof_area_m2", id, false, 0.0, true, 1e7);
    f.employees = static_cast<int>(reader.integer(feature, "employees", id, true, 0, 1000000).value_or(0));
    f.firms = static_cast<int>(reader.integer(feature, "firms", id, false, 1, 100000).value_or(1));
    f.shift =
        word(reader, feature, "shift", id, true, parse_shift, "day, two, continuous").value_or(Shift::kDay);
    // 1e8 MWh = 100 TWh a year, several times Korea's largest industrial site.
    f.annual_elec_mwh = reader.number(feature, "annual_elec_mwh", id, false, 0.0, true, 1e8);
    f.annual_fuel_mwh = reader.number(feature, "annual_fuel_mwh", id, false, 0.0, true, 1e9);
    f.fuel = word(reader, feature, "fuel", id, false, parse_fuel, "lng, lpg, diesel, fuel_oil")
                 .value_or(Fuel::kNone);
    f.feeder_bus = reader.text(feature, "feeder_bus", id, false).value_or("");
    f.extra = reader.extra(feature);
    if (geom) {
      f.footprint = geom->polygons;
      f.roof_area_m2 = roof.value_or(area_m2(f.footprint));
    }
    if (complex_id) pending_complex_refs_.push_back({result_.site.facilities.size(), *complex_id, id});
    result_.site.facilities.push_back(std::move(f));
  }

  void read_road(LayerReader& reader, OGRFeature& feature, const std::string& id,
                 const std::optional<ParsedGeometry>& geom) {
    Road r;
    r.road_id = reader.text(feature, "road_id", id, true).value_or("");
    r.lanes = static_cast<int>(reader.integer(feature, "lanes", id, true, 1, 20).value_or(1));
    r.speed_kmh = reader.number(feature, "speed_kmh", id, true, 0.0, false, 300.0).value_or(0.0);
    r.capacity_veh_h = reader.number(feature, "capacity_veh_h", id, true, 0.0, false, 50000.0).value_or(0.0);
    r.oneway = reader.boolean(feature, "oneway", id).value_or(false);
    r.road_class =
        word(reader, feature, "class", id, true, parse_road_class, "arterial, collector, local, external")
            .value_or(RoadClass::kLocal);
    r.extra = reader.extra(feature);
    if (geom) r.geometry = geom->line;
    result_.site.roads.push_back(std::move(r));
  }

  void read_gate(LayerReader& reader, OGRFeature& feature, const std::string& id,
                 const std::optional<ParsedGeometry>& geom) {
    Gate g;
    g.gate_id = reader.text(feature, "gate_id", id, true).value_or("");
    g.name = reader.text(feature, "name", id, true).value_or("");
    g.kind = word(reader, feature, "kind", id, true, parse_gate_kind, "expressway, port, city")
                 .value_or(GateKind::kCity);
    g.share = reader.number(feature, "share", id, true, 0.0, true, 1.0).value_or(0.0);
    if (g.share > 1.0) reader.problem(Severity::kError, id, "share", "share must be between 0 and 1");
    g.extra = reader.extra(feature);
    if (geom) g.position = geom->point;
    result_.site.gates.push_back(std::move(g));
  }

  void read_substation(LayerReader& reader, OGRFeature& feature, const std::string& id,
                       const std::optional<ParsedGeometry>& geom) {
    Substation s;
    s.substation_id = reader.text(feature, "substation_id", id, true).value_or("");
    s.voltage_kv = reader.number(feature, "voltage_kv", id, true, 0.0, false, 1200.0).value_or(0.0);
    s.capacity_mva = reader.number(feature, "capacity_mva", id, true, 0.0, false, 1e5).value_or(0.0);
    s.extra = reader.extra(feature);
    if (geom) s.position = geom->point;
    result_.site.substations.push_back(std::move(s));
  }

  void read_feeder(LayerReader& reader, OGRFeature& feature, const std::string& id,
                   const std::optional<ParsedGeometry>& geom) {
    FeederSegment f;
    f.segment_id = reader.text(feature, "segment_id", id, true).value_or("");
    f.feeder_id = reader.text(feature, "feeder_id", id, true).value_or("");
    const auto substation_id = reader.text(feature, "substation_id", id, true);
    f.from_bus = reader.text(feature, "from_bus", id, true).value_or("");
    f.to_bus = reader.text(feature, "to_bus", id, true).value_or("");
    f.line_type = reader.text(feature, "line_type", id, true).value_or("");
    const auto length = reader.number(feature, "length_m", id, false, 0.0, false, 1e6);
    const auto status = reader.integer(feature, "status", id, false, 0, 1000000);
    if (status && *status > 1) {
      reader.problem(Severity::kError, id, "status", "must be 1 (in service) or 0 (an open switch)");
    }
    f.in_service = status.value_or(1) == 1;
    f.extra = reader.extra(feature);
    if (geom) {
      f.geometry = geom->line;
      f.length_m = length.value_or(length_m(f.geometry));
    }
    if (f.from_bus == f.to_bus && !f.from_bus.empty()) {
      reader.problem(Severity::kError, id, "to_bus", "segment starts and ends at the same bus");
    }
    if (substation_id) pending_substation_refs_.push_back({result_.site.feeders.size(), *substation_id, id});
    result_.site.feeders.push_back(std::move(f));
  }

  struct PendingRef {
    std::size_t index;
    std::string target_id;
    std::string feature_id;
  };

  // References are resolved after every layer is read, so layer order in a source does not matter.
  void check_references() {
    Site& site = result_.site;
    // Resolved by id on what was kept, since dropped features shift the vectors.
    complex_index_.clear();
    for (std::size_t i = 0; i < site.complexes.size(); ++i) {
      complex_index_.emplace(site.complexes[i].complex_id, static_cast<int>(i));
    }
    substation_index_.clear();
    for (std::size_t i = 0; i < site.substations.size(); ++i) {
      substation_index_.emplace(site.substations[i].substation_id, static_cast<int>(i));
    }
    const std::string facility_source = source_of("facilities");
    const std::string feeder_source = source_of("feeders");
    std::vector<bool> keep_facility(site.facilities.size(), true);
    std::unordered_map<std::string, std::size_t> facility_pos;
    for (std::size_t i = 0; i < site.facilities.size(); ++i) facility_pos[site.facilities[i].facility_id] = i;
    for (const auto& ref : pending_complex_refs_) {
      auto pos = facility_pos.find(ref.feature_id);
      if (pos == facility_pos.end()) continue;  // the facility was dropped for another error
      auto it = complex_index_.find(ref.target_id);
      if (it == complex_index_.end()) {
        error(facility_source, "facilities", ref.feature_id, "complex_id",
              "refers to complex '" + ref.target_id + "', which is not in layer 'complexes'");
        keep_facility[pos->second] = false;
      } else {
        site.facilities[pos->second].complex = it->second;
      }
    }
    std::vector<bool> keep_feeder(site.feeders.size(), true);
    std::unordered_map<std::string, std::size_t> feeder_pos;
    for (std::size_t i = 0; i < site.feeders.size(); ++i) feeder_pos[site.feeders[i].segment_id] = i;
    for (const auto& ref : pending_substation_refs_) {
      auto pos = feeder_pos.find(ref.feature_id);
      if (pos == feeder_pos.end()) continue;
      auto it = substation_index_.find(ref.target_id);
      if (it == substation_index_.end()) {
        error(feeder_source, "feeders", ref.feature_id, "substation_id",
              "refers to substation '" + ref.target_id + "', which is not in layer 'substations'");
        keep_feeder[pos->second] = false;
      } else {
        site.feeders[pos->second].substation = it->second;
      }
    }
    // A facility's feeder bus must exist on some feeder (or be a substation's own bus).
    std::unordered_set<std::string> buses;
    for (const auto& s : site.substations) buses.insert(s.substation_id);
    for (const auto& f : site.feeders) {
      buses.insert(f.from_bus);
      buses.insert(f.to_bus);
    }
    for (std::size_t i = 0; i < site.facilities.size(); ++i) {
      const auto& f = site.facilities[i];
      if (!f.feeder_bus.empty() && buses.count(f.feeder_bus) == 0) {
        error(facility_source, "facilities", f.facility_id, "feeder_bus",
              "refers to bus '" + f.feeder_bus + "', which no feeder segment reaches");
        keep_facility[i] = false;
      }
    }
    erase_unkept(site.facilities, keep_facility);
    erase_unkept(site.feeders, keep_feeder);
  }

  template <typename T>
  static void erase_unkept(std::vector<T>& items, const std::vector<bool>& keep) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (keep[i]) {
        if (out != i) items[out] = std::move(items[i]);
        ++out;
      }
    }
    items.resize(out);
  }

  std::string source_of(const std::string& layer) const {
    auto it = layers_.find(layer);
    return it == layers_.end() ? "" : it->second.source;
  }

  const ReadOptions& options_;
  SiteReadResult& result_;
  OGRSpatialReference target_;
  std::vector<DatasetPtr> datasets_;
  std::vector<std::string> opened_;  // the files opened, in order: named when a layer is missing
  std::map<std::string, FoundLayer> layers_;
  std::unordered_map<std::string, int> complex_index_;
  std::unordered_map<std::string, int> substation_index_;
  std::vector<PendingRef> pending_complex_refs_;
  std::vector<PendingRef> pending_substation_refs_;
};

}  // namespace

SiteReadResult read_site(const std::vector<std::string>& sources, const ReadOptions& options) {
  init_gdal();
  const GdalQuiet quiet;
  SiteReadResult result;
  Loader loader(options, result);
  loader.open_sources(sources);
  loader.read_layers();
  return result;
}

Site load_site(const std::vector<std::string>& sources, const ReadOptions& options) {
  SiteReadResult result = read_site(sources, options);
  if (result.has_errors()) {
    std::size_t errors = 0;
    for (const auto& problem : result.problems) errors += problem.severity == Severity::kError ? 1 : 0;
    std::vector<std::string> messages = grouped_problems(result.problems, Severity::kError);
    std::string joined;
    for (const auto& s : sources) joined += (joined.empty() ? "" : ", ") + s;
    const std::string headline =
        "invalid GIS layout in " + joined + " (" + std::to_string(errors) + " problems)";
    throw ConfigError(headline, std::move(messages));
  }
  return std::move(result.site);
}

}  // namespace sandan
