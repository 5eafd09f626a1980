#include "gis/writer.hpp"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "gis/crs.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

struct DatasetCloser {
  void operator()(GDALDataset* ds) const { GDALClose(ds); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

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

// Field types of the layout schema, in the order they are written.
struct FieldDef {
  const char* name;
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
      OGRFieldDefn defn(field.name, field.type);
      defn.SetSubType(field.subtype);
      if (layer_->CreateField(&defn) != OGRERR_NONE)
        fail("cannot create field '" + std::string(field.name) + "'");
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

// dataset_for gives the dataset a layer goes to: one GeoPackage, or one file a layer.
void write_layers(const Site& site, const OGRSpatialReference& srs, OGRCoordinateTransformation* transform,
                  const std::string& path,
                  const std::function<GDALDataset&(const std::string&)>& dataset_for) {
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

// A folder may be replaced only if it holds nothing but a layout's layer files.
bool holds_only_layer_files(const fs::path& folder) {
  static const std::vector<std::string> kLayers{"complexes", "facilities",  "roads",
                                                "gates",     "substations", "feeders"};
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string stem = entry.path().stem().string();
    if (!entry.is_regular_file() || std::find(kLayers.begin(), kLayers.end(), stem) == kLayers.end())
      return false;
  }
  return !ec;
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
  OGRSpatialReference source;
  OGRSpatialReference target;
  if (source.SetFromUserInput(site.crs.c_str()) != OGRERR_NONE) {
    throw Error(ErrorCode::kBadInput, "unknown CRS of the site '" + site.crs + "'");
  }
  if (target.SetFromUserInput(options.crs.c_str()) != OGRERR_NONE) {
    throw Error(ErrorCode::kBadInput, "unknown output CRS '" + options.crs + "'");
  }
  source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> transform;
  if (!source.IsSame(&target)) {
    transform.reset(OGRCreateCoordinateTransformation(&source, &target));
    if (!transform)
      throw Error(ErrorCode::kBadInput, "no transformation from " + site.crs + " to " + options.crs);
  }

  const fs::path final_path(path);
  const fs::path temp_path =
      final_path.parent_path() / (final_path.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                                  final_path.extension().string());
  std::error_code ec;
  fs::remove_all(temp_path, ec);

  // GeoPackage stamps the writing time into gpkg_contents; a fixed date keeps outputs reproducible.
  CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2026-01-01T00:00:00.000Z");
  try {
    if (options.format == VectorFormat::kGeoPackage) {
      GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
      DatasetPtr dataset(driver->Create(temp_path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
      if (!dataset) throw Error(ErrorCode::kIo, path + ": cannot create GeoPackage: " + CPLGetLastErrorMsg());
      write_layers(site, target, transform.get(), path,
                   [&](const std::string&) -> GDALDataset& { return *dataset; });
      dataset.reset();
    } else {
      const bool geojson = options.format == VectorFormat::kGeoJsonFolder;
      GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(geojson ? "GeoJSON" : "ESRI Shapefile");
      fs::create_directories(temp_path, ec);
      if (ec) throw Error(ErrorCode::kIo, path + ": cannot create folder: " + ec.message());
      std::vector<DatasetPtr> datasets;
      write_layers(site, target, transform.get(), path, [&](const std::string& layer) -> GDALDataset& {
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
  if (fs::is_directory(final_path, ec)) {
    if (!holds_only_layer_files(final_path)) {
      fs::remove_all(temp_path, ec);
      throw Error(ErrorCode::kIo,
                  path + ": is a folder holding other files than a layout's; choose another output");
    }
  }
  fs::remove_all(final_path, ec);
  fs::rename(temp_path, final_path, ec);
  if (ec) {
    fs::remove_all(temp_path, ec);
    throw Error(ErrorCode::kIo, path + ": cannot move the finished output into place: " + ec.message());
  }
}

}  // namespace sandan
