#include <cpl_vsi.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/error.hpp"
#include "gis/reader.hpp"
#include "gis/writer.hpp"
#include "support/fixtures.hpp"

using namespace sandan;
using namespace sandan::test;

namespace {

const Problem* find_error(const SiteReadResult& result, const std::string& layer,
                          const std::string& feature_id, const std::string& field) {
  for (const auto& p : result.problems) {
    if (p.severity == Severity::kError && p.layer == layer && p.feature_id == feature_id && p.field == field)
      return &p;
  }
  return nullptr;
}

std::string all_problems(const SiteReadResult& result) {
  std::string text;
  for (const auto& p : result.problems) text += p.to_string() + "\n";
  return text;
}

// Reads the tiny layout with one layer replaced.
SiteReadResult read_with(const std::string& test_name, const std::string& layer, const std::string& text) {
  TempDir dir(test_name);
  auto layers = tiny_layers();
  layers[layer] = text;
  return read_site({write_layers(dir, layers)});
}

}  // namespace

TEST_CASE("a folder of GeoJSON layers loads into a Site with areas, defaults and extra fields") {
  TempDir dir("reader_valid");
  const SiteReadResult result = read_site({write_layers(dir, tiny_layers())});
  INFO(all_problems(result));
  REQUIRE_FALSE(result.has_errors());
  const Site& site = result.site;
  CHECK(site.crs == "EPSG:5186");
  REQUIRE(site.complexes.size() == 1);
  CHECK(area_m2(site.complexes[0].boundary) == doctest::Approx(1.0e6));
  REQUIRE(site.facilities.size() == 2);
  CHECK(site.facilities[0].complex == 0);
  CHECK(site.facilities[0].shift == Shift::kContinuous);
  CHECK(site.facilities[0].fuel == Fuel::kLng);
  CHECK(site.facilities[0].annual_elec_mwh.value() == doctest::Approx(2500.0));
  CHECK_FALSE(site.facilities[0].annual_fuel_mwh.has_value());
  CHECK(site.facilities[0].roof_area_m2 == doctest::Approx(5000.0));
  // f2 leaves roof_area_m2 out: it defaults to the 100 m x 80 m footprint.
  CHECK(site.facilities[1].roof_area_m2 == doctest::Approx(8000.0));
  CHECK(site.facilities[1].firms == 25);
  const auto& extra = site.facilities[1].extra;
  CHECK(std::find(extra.begin(), extra.end(), std::pair<std::string, std::string>{"storeys", "5"}) !=
        extra.end());
  CHECK(site.roads.size() == 13);
  CHECK(length_m(site.roads.back().geometry) == doctest::Approx(200.0));
  CHECK(site.feeders[0].substation == 0);
  CHECK(site.feeders[1].length_m == doctest::Approx(500.0));
  CHECK(site.gates[0].kind == GateKind::kExpressway);
}

TEST_CASE(
    "the same layout as EPSG:4326 GeoJSON and as EPSG:5186 GeoPackage loads to the same areas and lengths") {
  TempDir dir("reader_reproject");
  const Site original = load_site({write_layers(dir, tiny_layers())});
  const std::string gpkg = dir.str("layout.gpkg");
  const std::string geojson = dir.str("wgs84");
  write_site(original, gpkg);
  WriteOptions wgs84;
  wgs84.format = VectorFormat::kGeoJsonFolder;
  wgs84.crs = "EPSG:4326";
  write_site(original, geojson, wgs84);
  const SiteReadResult from_geojson = read_site({geojson});
  INFO(all_problems(from_geojson));
  REQUIRE_FALSE(from_geojson.has_errors());
  // The folder really holds geographic coordinates: longitudes near 126.7 E, latitudes near 37.5 N.
  CHECK(std::any_of(from_geojson.layers.begin(), from_geojson.layers.end(),
                    [](const LayerInfo& l) { return l.crs == "EPSG:4326"; }));
  const Site a = load_site({gpkg});
  const Site& b = from_geojson.site;
  REQUIRE(a.complexes.size() == b.complexes.size());
  REQUIRE(a.roads.size() == b.roads.size());
  REQUIRE(a.facilities.size() == b.facilities.size());
  // Both round trips go through PROJ; a GeoJSON's 7 decimal digits of a degree are ~1 cm, so the
  // areas and lengths agree far inside the 0.1 % required.
  CHECK(area_m2(a.complexes[0].boundary) == doctest::Approx(area_m2(b.complexes[0].boundary)).epsilon(1e-3));
  CHECK(area_m2(b.complexes[0].boundary) == doctest::Approx(1.0e6).epsilon(1e-3));
  for (std::size_t i = 0; i < a.roads.size(); ++i) {
    CHECK(length_m(a.roads[i].geometry) == doctest::Approx(length_m(b.roads[i].geometry)).epsilon(1e-3));
  }
  for (std::size_t i = 0; i < a.facilities.size(); ++i) {
    CHECK(area_m2(a.facilities[i].footprint) ==
          doctest::Approx(area_m2(b.facilities[i].footprint)).epsilon(1e-3));
  }
}

TEST_CASE("a Shapefile folder loads although dBase truncates the long field names to ten characters") {
  TempDir dir("reader_shapefile");
  const Site original = load_site({write_layers(dir, tiny_layers())});
  WriteOptions shp;
  shp.format = VectorFormat::kShapefileFolder;
  write_site(original, dir.str("shp"), shp);
  const SiteReadResult result = read_site({dir.str("shp")});
  INFO(all_problems(result));
  REQUIRE_FALSE(result.has_errors());
  CHECK(result.site.facilities[0].floor_area_m2 == doctest::Approx(10000.0));
  CHECK(result.site.roads[0].capacity_veh_h == doctest::Approx(800.0));
  CHECK(result.site.feeders.size() == 2);
}

TEST_CASE(
    "text in a numeric field of a Shapefile is reported as text, naming the field, not as 0 out of range") {
  TempDir dir("reader_shapefile_text");
  const Site original = load_site({write_layers(dir, tiny_layers())});
  WriteOptions shp;
  shp.format = VectorFormat::kShapefileFolder;
  write_site(original, dir.str("shp"), shp);
  // f1's floor area, 10000, becomes the text "abc" in its dBase numeric field (same width).
  const auto dbf = dir.path() / "shp" / "facilities.dbf";
  std::string bytes = read_text_file(dbf);
  const auto at = bytes.find("10000.0");
  REQUIRE(at != std::string::npos);
  auto end = at;
  while (end < bytes.size() && bytes[end] != ' ' && bytes[end] != '*' && bytes[end] != '\x1a') ++end;
  bytes.replace(at, end - at, std::string(end - at - 3, ' ') + "abc");
  write_text(dbf, bytes);
  const SiteReadResult result = read_site({dir.str("shp")});
  const Problem* p = find_error(result, "facilities", "f1", "floor_area_m2");
  REQUIRE(p != nullptr);
  CHECK(p->message.find("value 'abc' is text, not a number") != std::string::npos);
  CHECK(p->message.find("field 'floor_area_m2'") != std::string::npos);
  CHECK(p->message.find("out of range") == std::string::npos);
}

TEST_CASE("the same problem of many features is one line with the count and the first few ids") {
  std::vector<Problem> problems;
  for (int i = 1; i <= 400; ++i) {
    problems.push_back({Severity::kError, "a.gpkg", "facilities", "f" + std::to_string(i), "complex_id",
                        "unknown complex 'x'"});
  }
  problems.push_back({Severity::kError, "a.gpkg", "roads", "r1", "lanes", "value is missing"});
  problems.push_back({Severity::kWarning, "a.gpkg", "roads", "r2", "", "a warning"});
  const auto lines = grouped_problems(problems, Severity::kError);
  REQUIRE(lines.size() == 2);
  CHECK(
      lines[0] ==
      "error: a.gpkg: layer 'facilities': 400 features ('f1', 'f2', 'f3' and 397 more): field 'complex_id': "
      "unknown complex 'x'");
  CHECK(lines[1] == "error: a.gpkg: layer 'roads': feature 'r1': field 'lanes': value is missing");
}

TEST_CASE("load_site groups a problem shared by many features into one line of its error") {
  TempDir dir("reader_grouped");
  auto layers = tiny_layers();
  std::string facilities;
  for (int i = 0; i < 60; ++i) {
    facilities +=
        (i ? ", " : "") +
        feature(R"("facility_id": "g)" + std::to_string(i) +
                    R"(", "complex_id": "nowhere", "name": "Works", "ksic": "C25", "floor_area_m2": 100.0,
                     "employees": 4, "shift": "day")",
                polygon(100 + i, 100, 101 + i, 101));
  }
  layers["facilities"] = collection(facilities);
  try {
    (void)load_site({write_layers(dir, layers)});
    FAIL("no error");
  } catch (const ConfigError& e) {
    INFO(e.what());
    CHECK(e.headline().find("(60 problems)") != std::string::npos);
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].find("60 features ('g0', 'g1', 'g2' and 57 more): field 'complex_id'") !=
          std::string::npos);
  }
}

TEST_CASE("a folder without GIS files is one problem that says so, without six missing layers") {
  TempDir dir("reader_empty_folder");
  write_text(dir.path() / "notes.txt", "not a layer");
  const SiteReadResult result = read_site({dir.str()});
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].to_string() == "error: " + dir.str() +
                                              ": is a folder that holds no GIS layer file (.gpkg, .shp, "
                                              ".geojson, ...); name the layout file (e.g. "
                                              "gis_data/incheon.gpkg) or a folder of its layer files");
}

TEST_CASE("several files given one by one load as one layout") {
  TempDir dir("reader_files");
  write_layers(dir, tiny_layers());
  std::vector<std::string> files;
  for (const auto* name : {"complexes", "facilities", "roads", "gates", "substations", "feeders"}) {
    files.push_back(dir.str(std::string(name) + ".geojson"));
  }
  const SiteReadResult result = read_site(files);
  CHECK_FALSE(result.has_errors());
  CHECK(result.site.facilities.size() == 2);
}

TEST_CASE("layers in GDAL's in-memory file system (/vsimem/) load like files on disk") {
  // GDAL reads the texts in place: they must outlive the reading.
  const std::map<std::string, std::string> layers = tiny_layers();
  std::vector<std::string> files;
  for (const auto& [name, text] : layers) {
    const std::string path = "/vsimem/reader_test/" + name + ".geojson";
    VSILFILE* file =
        VSIFileFromMemBuffer(path.c_str(), reinterpret_cast<GByte*>(const_cast<char*>(text.data())),
                             static_cast<vsi_l_offset>(text.size()), FALSE);
    REQUIRE(file != nullptr);
    VSIFCloseL(file);
    files.push_back(path);
  }
  const SiteReadResult result = read_site(files);
  for (const std::string& path : files) VSIUnlink(path.c_str());
  CHECK_FALSE(result.has_errors());
  CHECK(result.site.facilities.size() == 2);
  // A /vsimem/ file that is not there is GDAL's to report.
  const SiteReadResult missing = read_site({"/vsimem/reader_test_none.geojson"});
  REQUIRE(missing.has_errors());
  CHECK(all_problems(missing).find("GDAL could not open it") != std::string::npos);
}

TEST_CASE("a missing layer is reported by name") {
  TempDir dir("reader_missing_layer");
  auto layers = tiny_layers();
  layers.erase("gates");
  const SiteReadResult result = read_site({write_layers(dir, layers)});
  CHECK(result.has_errors());
  const Problem* p = find_error(result, "gates", "", "");
  REQUIRE(p != nullptr);
  CHECK(p->message.find("required layer is missing") != std::string::npos);
}

// Found by tools/bad_inputs.py: a GeoPackage whose damaged catalogue lost a layer said "missing from
// the sources" without naming the file.
TEST_CASE("a missing layer names the one file it was looked for in, or the files") {
  TempDir dir("reader_missing_layer_named");
  auto layers = tiny_layers();
  layers.erase("gates");
  const std::string folder = write_layers(dir, layers);
  // One source file: every other layer is missing from it, and the problem carries its name.
  const std::string complexes = dir.str("complexes.geojson");
  const SiteReadResult one = read_site({complexes});
  const Problem* p = find_error(one, "gates", "", "");
  REQUIRE(p != nullptr);
  CHECK(p->source == complexes);
  CHECK(p->message.find("required layer is missing from this file") != std::string::npos);
  // A folder of layer files: the files searched are listed (five of them, sorted, then the count).
  const SiteReadResult many = read_site({folder});
  p = find_error(many, "gates", "", "");
  REQUIRE(p != nullptr);
  CHECK(p->message.find("required layer is missing from the sources (" + complexes) != std::string::npos);
}

TEST_CASE("a missing required field is reported with source, layer and field") {
  const auto result =
      read_with("reader_missing_field", "substations",
                collection(feature(R"("substation_id": "ss1", "voltage_kv": 154.0)", point(0, 0))));
  const Problem* p = find_error(result, "substations", "", "capacity_mva");
  REQUIRE(p != nullptr);
  CHECK(p->source.find("substations.geojson") != std::string::npos);
  CHECK(p->message.find("missing") != std::string::npos);
}

TEST_CASE("a field of the wrong type is reported") {
  const auto result = read_with(
      "reader_wrong_type", "gates",
      collection(feature(R"("gate_id": "g1", "name": "West", "kind": "expressway", "share": "most")",
                         point(-200, 500))));
  const Problem* p = find_error(result, "gates", "g1", "share");
  REQUIRE(p != nullptr);
  CHECK(p->message.find("'most' is text") != std::string::npos);
  CHECK(p->message.find("expected number") != std::string::npos);
}

TEST_CASE("values out of range, not whole or of an unknown word are reported per feature") {
  const auto result =
      read_with("reader_values", "facilities",
                collection(feature(R"("facility_id": "f1", "complex_id": "alpha", "name": "A", "ksic": "C25",
                            "floor_area_m2": -5.0, "employees": 2.5, "shift": "night")",
                                   polygon(100, 100, 200, 150))));
  CHECK(find_error(result, "facilities", "f1", "floor_area_m2") != nullptr);
  CHECK(find_error(result, "facilities", "f1", "employees") != nullptr);
  const Problem* shift = find_error(result, "facilities", "f1", "shift");
  REQUIRE(shift != nullptr);
  CHECK(shift->message.find("day, two, continuous") != std::string::npos);
  // A feature with errors is left out of the Site.
  CHECK(result.site.facilities.empty());
}

TEST_CASE("values beyond what any real facility holds are refused instead of overflowing the models") {
  // 1e300 MWh gave infinite loads and NaN KPIs; 4294967396 employees wrapped to 100 in a 32-bit int;
  // a floor of 1e308 m² crashed the assignment; a footprint at 1e300 m hung the nearest-point grid.
  const auto result =
      read_with("reader_absurd", "facilities",
                collection(feature(R"("facility_id": "f1", "complex_id": "alpha", "name": "A", "ksic": "C25",
                            "floor_area_m2": 1e308, "employees": 4294967396, "annual_elec_mwh": 1e300,
                            "shift": "day")",
                                   polygon(100, 100, 200, 150)) +
                           "," +
                           feature(R"("facility_id": "f2", "complex_id": "alpha", "name": "B", "ksic": "C25",
                            "floor_area_m2": 100, "employees": 5, "shift": "day")",
                                   polygon(1e300, 100, 2e300, 150))));
  for (const char* field : {"floor_area_m2", "employees", "annual_elec_mwh"}) {
    const Problem* p = find_error(result, "facilities", "f1", field);
    const std::string context = std::string(field) + "\n" + all_problems(result);
    REQUIRE_MESSAGE(p != nullptr, context);
    CHECK(p->message.find("is out of range; it must be <=") != std::string::npos);
  }
  CHECK(find_error(result, "facilities", "f2", "geometry") != nullptr);
  CHECK(result.site.facilities.empty());
}

TEST_CASE("invalid geometry is reported: a self-intersecting bow-tie footprint") {
  const std::string bowtie = R"({"type": "Polygon", "coordinates": [[)" + pt(100, 100) + ", " + pt(200, 150) +
                             ", " + pt(200, 100) + ", " + pt(100, 150) + ", " + pt(100, 100) + "]]}";
  const auto result =
      read_with("reader_bowtie", "facilities",
                collection(feature(R"("facility_id": "f1", "complex_id": "alpha", "name": "A", "ksic": "C25",
                            "floor_area_m2": 100.0, "employees": 2, "shift": "day")",
                                   bowtie)));
  const Problem* p = find_error(result, "facilities", "f1", "geometry");
  REQUIRE(p != nullptr);
  CHECK(p->message.find("invalid") != std::string::npos);
}

TEST_CASE("empty geometry and geometry of the wrong type are reported") {
  const auto result = read_with(
      "reader_empty_geom", "roads",
      collection(
          feature(R"("road_id": "r1", "lanes": 1, "speed_kmh": 30.0, "capacity_veh_h": 800.0, "oneway": 0,
                            "class": "local")",
                  "null") +
          ", " +
          feature(R"("road_id": "r2", "lanes": 1, "speed_kmh": 30.0, "capacity_veh_h": 800.0, "oneway": 0,
                            "class": "local")",
                  point(0, 0))));
  REQUIRE(find_error(result, "roads", "r1", "geometry") != nullptr);
  const Problem* p = find_error(result, "roads", "r2", "geometry");
  REQUIRE(p != nullptr);
  CHECK(p->message.find("expected LineString") != std::string::npos);
}

TEST_CASE("duplicate ids are reported") {
  const auto result =
      read_with("reader_duplicates", "gates",
                collection(feature(R"("gate_id": "g1", "name": "West", "kind": "expressway", "share": 0.5)",
                                   point(-200, 500)) +
                           ", " +
                           feature(R"("gate_id": "g1", "name": "Port", "kind": "port", "share": 0.5)",
                                   point(-200, 600))));
  const Problem* p = find_error(result, "gates", "g1", "gate_id");
  REQUIRE(p != nullptr);
  CHECK(p->message.find("used by another feature") != std::string::npos);
}

TEST_CASE("dangling references are reported: unknown complex, substation and bus") {
  TempDir dir("reader_dangling");
  auto layers = tiny_layers();
  layers["facilities"] = collection(
      feature(
          R"("facility_id": "f1", "complex_id": "omega", "name": "A", "ksic": "C25", "floor_area_m2": 100.0,
                 "employees": 2, "shift": "day")",
          polygon(100, 100, 200, 150)) +
      ", " +
      feature(
          R"("facility_id": "f2", "complex_id": "alpha", "name": "B", "ksic": "C25", "floor_area_m2": 100.0,
                 "employees": 2, "shift": "day", "feeder_bus": "nowhere")",
          polygon(600, 600, 700, 680)));
  layers["feeders"] = collection(feature(R"("segment_id": "s1", "feeder_id": "fd1", "substation_id": "ss9",
                                            "from_bus": "ss1", "to_bus": "b1", "line_type": "ACSR-OC 160")",
                                         line(0, 0, 500, 0)));
  const SiteReadResult result = read_site({write_layers(dir, layers)});
  const Problem* complex = find_error(result, "facilities", "f1", "complex_id");
  REQUIRE(complex != nullptr);
  CHECK(complex->message.find("'omega'") != std::string::npos);
  const Problem* substation = find_error(result, "feeders", "s1", "substation_id");
  REQUIRE(substation != nullptr);
  CHECK(substation->message.find("'ss9'") != std::string::npos);
  CHECK(find_error(result, "facilities", "f2", "feeder_bus") != nullptr);
}

TEST_CASE("a source without a CRS is reported") {
  TempDir dir("reader_no_crs");
  const Site original = load_site({write_layers(dir, tiny_layers())});
  WriteOptions shp;
  shp.format = VectorFormat::kShapefileFolder;
  write_site(original, dir.str("shp"), shp);
  std::filesystem::remove(dir.path() / "shp" / "roads.prj");
  const SiteReadResult result = read_site({dir.str("shp")});
  const Problem* p = find_error(result, "roads", "", "");
  REQUIRE(p != nullptr);
  CHECK(p->message.find("no CRS") != std::string::npos);
  CHECK(p->source.find("roads.shp") != std::string::npos);
}

TEST_CASE("an unreadable or missing file is reported") {
  TempDir dir("reader_unreadable");
  write_text(dir.path() / "broken.gpkg", "this is not a GeoPackage\n");
  const SiteReadResult broken = read_site({dir.str("broken.gpkg")});
  REQUIRE(broken.has_errors());
  CHECK(broken.problems.front().source.find("broken.gpkg") != std::string::npos);
  CHECK(broken.problems.front().message.find("not a readable") != std::string::npos);
  const SiteReadResult missing = read_site({dir.str("nothing_here.gpkg")});
  REQUIRE(missing.has_errors());
  CHECK(missing.problems.front().message.find("does not exist") != std::string::npos);
}

TEST_CASE("load_site throws one ConfigError listing every error") {
  TempDir dir("reader_throw");
  auto layers = tiny_layers();
  layers.erase("gates");
  layers["substations"] =
      collection(feature(R"("substation_id": "ss1", "voltage_kv": -1.0, "capacity_mva": 60.0)", point(0, 0)));
  try {
    (void)load_site({write_layers(dir, layers)});
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.code() == ErrorCode::kBadInput);
    CHECK(e.problems().size() >= 2);
    const std::string what = e.what();
    CHECK(what.find("layer 'gates'") != std::string::npos);
    CHECK(what.find("feature 'ss1': field 'voltage_kv'") != std::string::npos);
  }
}
