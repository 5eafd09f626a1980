#include "gis/writer.hpp"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "gis/crs.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

struct DatasetCloser {
  void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;
// The dataset a layer goes to: one GeoPackage, or one file a layer.
using DatasetFor = std::function<GDALDataset&(const std::string&)>;

OGRLinearRing make_ring(const Ring& ring) {
  OGRLinearRing out;
  for (const auto& p : ring) out.addPoint(p.x_m, p.y_m);
  return out;
}

std::unique_ptr<OGRGeometry> make_multipolygon(const MultiPolygon& polygons) {
  auto multi = std::make_unique<OGRMultiPolygon>();
  for (const auto& polygon : polygons) {
    OGRPolygon out;
    OGRLinearRing outer = make_ring(polygon.outer);
    out.addRing(&outer);
    for (const auto& hole : polygon.holes) {
      OGRLinearRing h = make_ring(hole);
      out.addRing(&h);
    }
    multi->addGeometry(&out);
  }
  return multi;
}

std::unique_ptr<OGRGeometry> make_line(const LineString& line) {
  auto out = std::make_unique<OGRLineString>();
  for (const auto& p : line) out->addPoint(p.x_m, p.y_m);
  return out;
}

std::unique_ptr<OGRGeometry> make_point(const XY& p) { return std::make_unique<OGRPoint>(p.x_m, p.y_m); }

// A field of a layer, in the order the fields are written.
struct FieldDef {
  std::string name;
  OGRFieldType type;
  OGRFieldSubType subtype = OFSTNone;
};

class LayerWriter {
 public:
  LayerWriter(GDALDataset& dataset, const std::string& name, OGRwkbGeometryType geometry_type,
              const OGRSpatialReference& srs, const std::vector<FieldDef>& fields,
              OGRCoordinateTransformation* transform, const std::string& path)
      : transform_(transform), path_(path) {
    char** layer_options = nullptr;
    layer_options = CSLSetNameValue(layer_options, "SPATIAL_INDEX", "NO");
    layer_ = dataset.CreateLayer(
        name.c_str(), const_cast<OGRSpatialReference*>(&srs), geometry_type,
        dataset.GetDriver() == GetGDALDriverManager()->GetDriverByName("GPKG") ? layer_options : nullptr);
    CSLDestroy(layer_options);
    if (layer_ == nullptr) fail("cannot create layer '" + name + "'");
    for (const auto& field : fields) {
      index_[field.name] = static_cast<int>(index_.size());
      OGRFieldDefn defn(field.name.c_str(), field.type);
      defn.SetSubType(field.subtype);
      if (layer_->CreateField(&defn) != OGRERR_NONE) fail("cannot create field '" + field.name + "'");
    }
    if (layer_->StartTransaction() != OGRERR_NONE) transaction_ = false;
  }

  void begin() { feature_ = std::make_unique<OGRFeature>(layer_->GetLayerDefn()); }

  // Fields are set by position: a driver may rename them (Shapefile keeps ten characters).
  void set(const char* name, const std::string& value) { feature_->SetField(index_.at(name), value.c_str()); }
  void set(const char* name, const char* value) { feature_->SetField(index_.at(name), value); }
  void set(const char* name, double value) { feature_->SetField(index_.at(name), value); }
  void set(const char* name, int value) { feature_->SetField(index_.at(name), value); }
  void set(const char* name, const std::optional<double>& value) {
    if (value) {
      set(name, *value);
    } else {
      feature_->SetFieldNull(index_.at(name));
    }
  }

  // Row `row` of a result field, at field position `index`.
  void set(int index, const ResultField& field, std::size_t row) {
    if (field.type == ResultFieldType::kText) {
      const std::string& text = field.texts[row];
      if (text.empty()) {
        feature_->SetFieldNull(index);
      } else {
        feature_->SetField(index, text.c_str());
      }
      return;
    }
    const double value = field.numbers[row];
    if (std::isnan(value)) {
      feature_->SetFieldNull(index);
    } else if (field.type == ResultFieldType::kInteger) {
      feature_->SetField(index, static_cast<GIntBig>(std::llround(value)));
    } else {
      feature_->SetField(index, value);
    }
  }

  void end(std::unique_ptr<OGRGeometry> geometry) {
    if (transform_ != nullptr && geometry->transform(transform_) != OGRERR_NONE) {
      fail("cannot transform a geometry to the output CRS");
    }
    feature_->SetGeometryDirectly(geometry.release());
    if (layer_->CreateFeature(feature_.get()) != OGRERR_NONE) fail("cannot write a feature");
  }

  void finish() {
    if (transaction_ && layer_->CommitTransaction() != OGRERR_NONE) fail("cannot commit layer");
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(ErrorCode::kIo, path_ + ": " + message + ": " + CPLGetLastErrorMsg());
  }

  OGRLayer* layer_ = nullptr;
  OGRCoordinateTransformation* transform_;
  std::string path_;
  std::unique_ptr<OGRFeature> feature_;
  std::map<std::string, int> index_;
  bool transaction_ = true;
};

// The layout's layers, in the order of docs/gis-schema.md.
void write_layers(const Site& site, const OGRSpatialReference& srs, OGRCoordinateTransformation* transform,
                  const std::string& path, const DatasetFor& dataset_for) {
  {
    LayerWriter w(
        dataset_for("complexes"), "complexes", wkbMultiPolygon, srs,
        {{"complex_id", OFTString}, {"name", OFTString}, {"name_ko", OFTString}, {"role", OFTString}},
        transform, path);
    for (const auto& c : site.complexes) {
      w.begin();
      w.set("complex_id", c.complex_id);
      w.set("name", c.name);
      w.set("name_ko", c.name_ko);
      w.set("role", to_string(c.role));
      w.end(make_multipolygon(c.boundary));
    }
    w.finish();
  }
  {
    LayerWriter w(dataset_for("facilities"), "facilities", wkbMultiPolygon, srs,
                  {{"facility_id", OFTString},
                   {"complex_id", OFTString},
                   {"name", OFTString},
                   {"ksic", OFTString},
                   {"floor_area_m2", OFTReal},
                   {"roof_area_m2", OFTReal},
                   {"employees", OFTInteger},
                   {"firms", OFTInteger},
                   {"shift", OFTString},
                   {"annual_elec_mwh", OFTReal},
                   {"annual_fuel_mwh", OFTReal},
                   {"fuel", OFTString},
                   {"feeder_bus", OFTString}},
                  transform, path);
    for (const auto& fac : site.facilities) {
      w.begin();
      w.set("facility_id", fac.facility_id);
      w.set("complex_id", fac.complex >= 0 ? site.complexes[fac.complex].complex_id.c_str() : "");
      w.set("name", fac.name);
      w.set("ksic", fac.ksic);
      w.set("floor_area_m2", fac.floor_area_m2);
      w.set("roof_area_m2", fac.roof_area_m2);
      w.set("employees", fac.employees);
      w.set("firms", fac.firms);
      w.set("shift", to_string(fac.shift));
      w.set("annual_elec_mwh", fac.annual_elec_mwh);
      w.set("annual_fuel_mwh", fac.annual_fuel_mwh);
      if (fac.fuel != Fuel::kNone) w.set("fuel", to_string(fac.fuel));
      if (!fac.feeder_bus.empty()) w.set("feeder_bus", fac.feeder_bus);
      w.end(make_multipolygon(fac.footprint));
    }
    w.finish();
  }
  {
    LayerWriter w(dataset_for("roads"), "roads", wkbLineString, srs,
                  {{"road_id", OFTString},
                   {"lanes", OFTInteger},
                   {"speed_kmh", OFTReal},
                   {"capacity_veh_h", OFTReal},
                   {"oneway", OFTInteger, OFSTBoolean},
                   {"class", OFTString}},
                  transform, path);
    for (const auto& r : site.roads) {
      w.begin();
      w.set("road_id", r.road_id);
      w.set("lanes", r.lanes);
      w.set("speed_kmh", r.speed_kmh);
      w.set("capacity_veh_h", r.capacity_veh_h);
      w.set("oneway", r.oneway ? 1 : 0);
      w.set("class", to_string(r.road_class));
      w.end(make_line(r.geometry));
    }
    w.finish();
  }
  {
    LayerWriter w(dataset_for("gates"), "gates", wkbPoint, srs,
                  {{"gate_id", OFTString}, {"name", OFTString}, {"kind", OFTString}, {"share", OFTReal}},
                  transform, path);
    for (const auto& g : site.gates) {
      w.begin();
      w.set("gate_id", g.gate_id);
      w.set("name", g.name);
      w.set("kind", to_string(g.kind));
      w.set("share", g.share);
      w.end(make_point(g.position));
    }
    w.finish();
  }
  {
    LayerWriter w(dataset_for("substations"), "substations", wkbPoint, srs,
                  {{"substation_id", OFTString}, {"voltage_kv", OFTReal}, {"capacity_mva", OFTReal}},
                  transform, path);
    for (const auto& s : site.substations) {
      w.begin();
      w.set("substation_id", s.substation_id);
      w.set("voltage_kv", s.voltage_kv);
      w.set("capacity_mva", s.capacity_mva);
      w.end(make_point(s.position));
    }
    w.finish();
  }
  {
    LayerWriter w(dataset_for("feeders"), "feeders", wkbLineString, srs,
                  {{"segment_id", OFTString},
                   {"feeder_id", OFTString},
                   {"substation_id", OFTString},
                   {"from_bus", OFTString},
                   {"to_bus", OFTString},
                   {"line_type", OFTString},
                   {"length_m", OFTReal},
                   {"status", OFTInteger}},
                  transform, path);
    for (const auto& seg : site.feeders) {
      w.begin();
      w.set("segment_id", seg.segment_id);
      w.set("feeder_id", seg.feeder_id);
      w.set("substation_id",
            seg.substation >= 0 ? site.substations[seg.substation].substation_id.c_str() : "");
      w.set("from_bus", seg.from_bus);
      w.set("to_bus", seg.to_bus);
      w.set("line_type", seg.line_type);
      w.set("length_m", seg.length_m);
      w.set("status", seg.in_service ? 1 : 0);
      w.end(make_line(seg.geometry));
    }
    w.finish();
  }
}

// A folder may be replaced only if it holds nothing but the files of the layers written.
bool holds_only_layer_files(const fs::path& folder, const std::vector<std::string>& layers) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string stem = entry.path().stem().string();
    if (!entry.is_regular_file() || std::find(layers.begin(), layers.end(), stem) == layers.end())
      return false;
  }
  return !ec;
}

// The output CRS, and the transformation to it from the data's CRS (none when they are the same).
struct Reprojection {
  OGRSpatialReference target;
  std::unique_ptr<OGRCoordinateTransformation> transform;
};

std::unique_ptr<Reprojection> reprojection(const std::string& source_crs, const std::string& target_crs) {
  init_gdal();
  auto out = std::make_unique<Reprojection>();
  OGRSpatialReference source;
  if (source.SetFromUserInput(source_crs.c_str()) != OGRERR_NONE) {
    throw Error(ErrorCode::kBadInput, "unknown CRS of the site '" + source_crs + "'");
  }
  if (out->target.SetFromUserInput(target_crs.c_str()) != OGRERR_NONE) {
    throw Error(ErrorCode::kBadInput, "unknown output CRS '" + target_crs + "'");
  }
  source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  out->target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (!source.IsSame(&out->target)) {
    out->transform.reset(OGRCreateCoordinateTransformation(&source, &out->target));
    if (!out->transform)
      throw Error(ErrorCode::kBadInput, "no transformation from " + source_crs + " to " + target_crs);
  }
  return out;
}

// Creates the output under a temporary name next to `path`, lets `fill` write its layers (dataset_for
// gives the dataset a layer goes to: the one GeoPackage, or a file of its own in a folder) and
// renames it onto `path` when complete. `layers` names the layers, so that only a folder of those
// files is ever replaced.
void write_atomically(const std::string& path, VectorFormat format, const std::vector<std::string>& layers,
                      const std::function<void(const DatasetFor&)>& fill) {
  const fs::path final_path(path);
  const fs::path temp_path =
      final_path.parent_path() / (final_path.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                                  final_path.extension().string());
  std::error_code ec;
  fs::remove_all(temp_path, ec);

  // GeoPackage stamps the writing time into gpkg_contents; a fixed date keeps outputs reproducible.
  CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2026-01-01T00:00:00.000Z");
  try {
    if (format == VectorFormat::kGeoPackage) {
      GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
      DatasetPtr dataset(driver->Create(temp_path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
      if (!dataset) throw Error(ErrorCode::kIo, path + ": cannot create GeoPackage: " + CPLGetLastErrorMsg());
      fill([&](const std::string&) -> GDALDataset& { return *dataset; });
      dataset.reset();
    } else {
      const bool geojson = format == VectorFormat::kGeoJsonFolder;
      GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(geojson ? "GeoJSON" : "ESRI Shapefile");
      fs::create_directories(temp_path, ec);
      if (ec) throw Error(ErrorCode::kIo, path + ": cannot create folder: " + ec.message());
      std::vector<DatasetPtr> datasets;
      fill([&](const std::string& layer) -> GDALDataset& {
        const fs::path file = temp_path / (layer + (geojson ? ".geojson" : ".shp"));
        char** creation = nullptr;
        if (!geojson) creation = CSLSetNameValue(creation, "ENCODING", "UTF-8");
        GDALDataset* ds = driver->Create(file.c_str(), 0, 0, 0, GDT_Unknown, creation);
        CSLDestroy(creation);
        if (ds == nullptr) {
          throw Error(ErrorCode::kIo, file.string() + ": cannot create: " + CPLGetLastErrorMsg());
        }
        datasets.emplace_back(ds);
        return *ds;
      });
      datasets.clear();
    }
  } catch (...) {
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", nullptr);
    fs::remove_all(temp_path, ec);
    throw;
  }
  CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", nullptr);
  if (format == VectorFormat::kGeoPackage) {
    // A GeoPackage replaces a file only: never a folder, a device or a FIFO of that name.
    try {
      rename_onto_file(temp_path.string(), final_path.string());
    } catch (const Error&) {
      fs::remove_all(temp_path, ec);
      throw;
    }
    return;
  }
  if (fs::is_directory(final_path, ec)) {
    if (!holds_only_layer_files(final_path, layers)) {
      fs::remove_all(temp_path, ec);
      throw Error(ErrorCode::kIo,
                  path + ": is a folder holding other files than the layers written; choose another output");
    }
  }
  fs::remove_all(final_path, ec);
  fs::rename(temp_path, final_path, ec);
  if (ec) {
    fs::remove_all(temp_path, ec);
    throw Error(ErrorCode::kIo, path + ": cannot move the finished output into place: " + ec.message());
  }
}

OGRFieldType ogr_type(ResultFieldType type) {
  switch (type) {
    case ResultFieldType::kInteger:
      return OFTInteger64;
    case ResultFieldType::kText:
      return OFTString;
    case ResultFieldType::kReal:
      break;
  }
  return OFTReal;
}

// The layout's identifying fields of a layer, then the result table's.
std::vector<FieldDef> with_table(std::vector<FieldDef> fields, const ResultTable& table) {
  for (const auto& field : table.fields) fields.push_back({field.name, ogr_type(field.type)});
  return fields;
}

// Each row's feature in the layout, found by id. Throws Error(kBadInput) naming the first id the
// layout lacks: the layout is not the one the run used.
template <typename Feature, typename IdOf>
std::vector<const Feature*> match(const ResultTable& table, const std::vector<Feature>& features, IdOf id_of,
                                  const std::string& what, const std::string& layout_name) {
  std::map<std::string, const Feature*> by_id;
  for (const auto& feature : features) by_id.emplace(id_of(feature), &feature);
  std::vector<const Feature*> found;
  found.reserve(table.ids.size());
  std::size_t missing = 0;
  std::string example;
  for (const auto& id : table.ids) {
    const auto it = by_id.find(id);
    if (it == by_id.end()) {
      if (missing++ == 0) example = id;
      found.push_back(nullptr);
    } else {
      found.push_back(it->second);
    }
  }
  if (missing > 0) {
    throw Error(ErrorCode::kBadInput,
                layout_name + ": the " + what + " '" + example + "' of the run is not in this layout" +
                    (missing > 1 ? " (nor are " + std::to_string(missing - 1) + " more)" : "") +
                    "; pass the layout the run used with --site");
  }
  return found;
}

// The road's geometry in the link's direction: reversed when the link starts at the road's far end.
LineString along(const Road& road, const XY& from) {
  LineString line = road.geometry;
  auto squared = [&](const XY& p) {
    return (p.x_m - from.x_m) * (p.x_m - from.x_m) + (p.y_m - from.y_m) * (p.y_m - from.y_m);
  };
  if (squared(line.back()) < squared(line.front())) std::reverse(line.begin(), line.end());
  return line;
}

std::unique_ptr<OGRGeometry> make_multiline(const std::vector<const LineString*>& lines) {
  auto multi = std::make_unique<OGRMultiLineString>();
  for (const LineString* line : lines) {
    OGRLineString out;
    for (const auto& p : *line) out.addPoint(p.x_m, p.y_m);
    multi->addGeometry(&out);
  }
  return multi;
}

// Writes the table's fields of row `row`, which follow `first` fields of the layout's own.
void set_table(LayerWriter& w, const ResultTable& table, int first, std::size_t row) {
  for (std::size_t f = 0; f < table.fields.size(); ++f)
    w.set(first + static_cast<int>(f), table.fields[f], row);
}

// Checks that every field of a table holds one value a row and that names are not repeated.
void check_table(const ResultTable& table, const std::string& layer, const std::vector<FieldDef>& fixed) {
  std::vector<std::string> names;
  names.reserve(fixed.size() + table.fields.size());
  for (const auto& field : fixed) names.push_back(field.name);
  for (const auto& field : table.fields) {
    const std::size_t size = field.type == ResultFieldType::kText ? field.texts.size() : field.numbers.size();
    if (size != table.ids.size() || std::find(names.begin(), names.end(), field.name) != names.end()) {
      throw Error(ErrorCode::kInternal, "result layer " + layer + ": field " + field.name +
                                            " is repeated or does not hold one value a feature");
    }
    names.push_back(field.name);
  }
}

// Where one result layer goes and in which CRS.
struct LayerTarget {
  GDALDataset& dataset;
  const OGRSpatialReference& srs;
  OGRCoordinateTransformation* transform;
  const std::string& path;
};

// Writes a result layer: each row's own fields from the layout (set_own(writer, row)), then the
// table's fields, then its geometry (geometry(row)).
template <typename SetOwn, typename Geometry>
WrittenLayer write_table_layer(const LayerTarget& target, const std::string& name, OGRwkbGeometryType type,
                               const std::vector<FieldDef>& own, const ResultTable& table, SetOwn set_own,
                               Geometry geometry) {
  const std::vector<FieldDef> fields = with_table(own, table);
  LayerWriter w(target.dataset, name, type, target.srs, fields, target.transform, target.path);
  for (std::size_t i = 0; i < table.ids.size(); ++i) {
    w.begin();
    set_own(w, i);
    set_table(w, table, static_cast<int>(own.size()), i);
    w.end(geometry(i));
  }
  w.finish();
  return {name, table.ids.size(), fields.size()};
}

}  // namespace

VectorFormat format_from_path(const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".gpkg") return VectorFormat::kGeoPackage;
  throw Error(ErrorCode::kBadInput, path +
                                        ": unknown output format; use a .gpkg file name, or give the "
                                        "format of a folder output explicitly (geojson, shapefile)");
}

void write_site(const Site& site, const std::string& path, const WriteOptions& options) {
  init_gdal();
  const GdalQuiet quiet;
  const std::unique_ptr<Reprojection> crs = reprojection(site.crs, options.crs);
  write_atomically(path, options.format,
                   {"complexes", "facilities", "roads", "gates", "substations", "feeders"},
                   [&](const DatasetFor& dataset_for) {
                     write_layers(site, crs->target, crs->transform.get(), path, dataset_for);
                   });
}

std::vector<WrittenLayer> write_result_layers(const ResultLayers& layers, const Site& site,
                                              const std::string& layout_name, const std::string& path,
                                              const std::string& crs) {
  init_gdal();
  const GdalQuiet quiet;
  const std::vector<FieldDef> facility_fields{{"facility_id", OFTString}, {"complex_id", OFTString},
                                              {"name", OFTString},        {"ksic", OFTString},
                                              {"floor_area_m2", OFTReal}, {"employees", OFTInteger}};
  const std::vector<FieldDef> complex_fields{
      {"complex_id", OFTString}, {"name", OFTString}, {"name_ko", OFTString}, {"role", OFTString}};
  const std::vector<FieldDef> feeder_fields{{"feeder_id", OFTString}};

  // Everything is matched and checked before the output is created: bad input writes nothing.
  check_table(layers.facilities, "facilities", facility_fields);
  check_table(layers.complexes, "complexes", complex_fields);
  const auto facilities = match(
      layers.facilities, site.facilities, [](const Facility& f) { return f.facility_id; }, "facility",
      layout_name);
  const auto complexes = match(
      layers.complexes, site.complexes, [](const Complex& c) { return c.complex_id; }, "complex",
      layout_name);
  std::vector<const Road*> roads;
  if (layers.links) {
    const ResultLinks& links = *layers.links;
    check_table(links.table, "links", {});
    if (links.from.size() != links.table.ids.size())
      throw Error(ErrorCode::kInternal, "result layer links: start nodes do not match the links");
    roads = match(
        links.table, site.roads, [](const Road& r) { return r.road_id; }, "road", layout_name);
  }
  if (layers.hub) {
    check_table(layers.hub->table, "hub", {});
    if (layers.hub->at.size() != layers.hub->table.ids.size())
      throw Error(ErrorCode::kInternal, "result layer hub: positions do not match the rows");
  }
  std::vector<std::vector<const LineString*>> feeder_lines;
  if (layers.feeders) {
    check_table(*layers.feeders, "feeders", feeder_fields);
    std::map<std::string, std::vector<const LineString*>> by_feeder;
    for (const auto& segment : site.feeders) by_feeder[segment.feeder_id].push_back(&segment.geometry);
    for (const auto& id : layers.feeders->ids) {
      const auto it = by_feeder.find(id);
      if (it == by_feeder.end()) {
        throw Error(ErrorCode::kBadInput, layout_name + ": the feeder '" + id +
                                              "' of the run is not in this layout; pass the layout the "
                                              "run used with --site");
      }
      feeder_lines.push_back(it->second);
    }
  }
  const std::unique_ptr<Reprojection> reprojected = reprojection(site.crs, crs);
  const OGRSpatialReference& srs = reprojected->target;
  OGRCoordinateTransformation* transform = reprojected->transform.get();

  std::vector<WrittenLayer> written;
  std::vector<std::string> names{"facilities", "complexes"};
  if (layers.links) names.emplace_back("links");
  if (layers.feeders) names.emplace_back("feeders");
  if (layers.hub) names.emplace_back("hub");
  write_atomically(path, VectorFormat::kGeoPackage, names, [&](const DatasetFor& dataset_for) {
    const auto target = [&](const std::string& name) {
      return LayerTarget{dataset_for(name), srs, transform, path};
    };
    written.push_back(write_table_layer(
        target("facilities"), "facilities", wkbMultiPolygon, facility_fields, layers.facilities,
        [&](LayerWriter& w, std::size_t i) {
          const Facility& fac = *facilities[i];
          w.set("facility_id", fac.facility_id);
          w.set("complex_id", fac.complex >= 0 ? site.complexes[fac.complex].complex_id.c_str() : "");
          w.set("name", fac.name);
          w.set("ksic", fac.ksic);
          w.set("floor_area_m2", fac.floor_area_m2);
          w.set("employees", fac.employees);
        },
        [&](std::size_t i) { return make_multipolygon(facilities[i]->footprint); }));
    written.push_back(write_table_layer(
        target("complexes"), "complexes", wkbMultiPolygon, complex_fields, layers.complexes,
        [&](LayerWriter& w, std::size_t i) {
          const Complex& c = *complexes[i];
          w.set("complex_id", c.complex_id);
          w.set("name", c.name);
          w.set("name_ko", c.name_ko);
          w.set("role", to_string(c.role));
        },
        [&](std::size_t i) { return make_multipolygon(complexes[i]->boundary); }));
    if (layers.links) {
      const ResultLinks& links = *layers.links;
      written.push_back(write_table_layer(
          target("links"), "links", wkbLineString, {}, links.table, [](LayerWriter&, std::size_t) {},
          [&](std::size_t i) { return make_line(along(*roads[i], links.from[i])); }));
    }
    if (layers.feeders) {
      const ResultTable& table = *layers.feeders;
      written.push_back(write_table_layer(
          target("feeders"), "feeders", wkbMultiLineString, feeder_fields, table,
          [&](LayerWriter& w, std::size_t i) { w.set("feeder_id", table.ids[i]); },
          [&](std::size_t i) { return make_multiline(feeder_lines[i]); }));
    }
    if (layers.hub) {
      const ResultPoints& hub = *layers.hub;
      written.push_back(write_table_layer(
          target("hub"), "hub", wkbPoint, {}, hub.table, [](LayerWriter&, std::size_t) {},
          [&](std::size_t i) { return make_point(hub.at[i]); }));
    }
  });
  return written;
}

}  // namespace sandan
