// `sandan export` as a user runs it: a small run of one complex, exported to a GeoPackage, checked with
// GDAL's own ogrinfo against the run's KPIs as `sandan compare` reads them from the results file.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/fixtures.hpp"

using namespace sandan::test;

namespace {

Command run_sandan(const std::string& args, const TempDir& scratch) {
  return run_command(std::string(SANDAN_EXE) + " " + args, scratch);
}

// The one number an ogrinfo SQL query (SQLite with its spatial functions) of one row and one column
// prints ("  NAME (Real) = 12.5").
double sql_number(const std::string& gpkg, const std::string& sql, const TempDir& scratch) {
  const Command run = run_command("ogrinfo -ro -q -dialect SQLite -sql \"" + sql + "\" " + gpkg, scratch);
  INFO(sql << "\n" << run.err);
  REQUIRE(run.exit_code == 0);
  const std::size_t at = run.out.rfind(" = ");
  REQUIRE(at != std::string::npos);
  return std::stod(run.out.substr(at + 3));
}

// The part of `ogrinfo -so -al` about one layer.
std::string layer_info(const std::string& summary, const std::string& layer) {
  const std::size_t start = summary.find("Layer name: " + layer + "\n");
  if (start == std::string::npos) return "";
  const std::size_t end = summary.find("Layer name: ", start + 1);
  return summary.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The number that follows `label` in a text.
double number_after(const std::string& text, const std::string& label) {
  const std::size_t at = text.find(label);
  REQUIRE_MESSAGE(at != std::string::npos, label);
  return std::stod(text.substr(at + label.size()));
}

long long feature_count(const std::string& layer_text) {
  return static_cast<long long>(number_after(layer_text, "Feature Count: "));
}

// No file but the ones named is left in a folder (no temporary of an output).
bool holds_only(const std::filesystem::path& folder, const std::vector<std::string>& names) {
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name != "stderr.txt" && std::find(names.begin(), names.end(), name) == names.end()) return false;
  }
  return true;
}

// One run of the Incheon Local complex with the baseline's grid, traffic and carbon account, made once:
// its results file, the KPIs of complex "all" and "local" read back by `sandan compare`, and the count
// of road links the run's table reports.
struct LocalRun {
  TempDir dir{"export_local"};
  std::string results = dir.str("local.h5");
  Command run;
  nlohmann::json kpis;
  long long road_links = -1;

  LocalRun() {
    write_text(dir.path() / "local.yaml", "name: export_local\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                                              "/scenarios/baseline.yaml\ncomplexes: [local]\n");
    run = run_sandan("run " + dir.str("local.yaml") + " -o " + results, dir);
    if (run.exit_code != 0) return;
    // "Traffic (a year; 1914 road links, ..."
    const std::size_t at = run.out.find(" road links");
    const std::size_t start = run.out.rfind(' ', at - 1);
    if (at != std::string::npos && start != std::string::npos)
      road_links = std::stoll(run.out.substr(start + 1, at - start - 1));
    const Command compare = run_sandan("compare " + results + " " + results + " --format json", dir);
    if (compare.exit_code == 0) kpis = nlohmann::json::parse(compare.out)["kpis"];
  }

  [[nodiscard]] double kpi(const std::string& key, const std::string& complex) const {
    for (const auto& k : kpis) {
      if (k["key"] == key && k["complex"] == complex) return k["a"].get<double>();
    }
    FAIL("no KPI " << key << "/" << complex);
    return 0.0;
  }
};

const LocalRun& local_run() {
  static const LocalRun run;
  INFO(run.run.err);
  REQUIRE(run.run.exit_code == 0);
  REQUIRE(!run.kpis.empty());
  return run;
}

// A fast scenario of the local complex: the energy year only, without the facilities' hourly series.
std::string energy_only_scenario(const std::string& name, const std::string& extra = "") {
  return "name: " + name + "\nextends: " + std::string(SANDAN_SOURCE_DIR) +
         "/scenarios/baseline.yaml\ncomplexes: [local]\nmodels: [energy]\nfacility_series: false\n" + extra;
}

}  // namespace

TEST_CASE(
    "sandan export writes facilities, complexes, links and feeders in EPSG:5186 whose sums match the run's "
    "KPIs") {
  const LocalRun& local = local_run();
  const TempDir dir("export_layers");
  const std::string gpkg = dir.str("local.gpkg");
  write_text(gpkg, "an older file of that name\n");  // replaced
  const Command run = run_sandan("export " + local.results + " --gpkg " + gpkg, dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto facilities = static_cast<long long>(local.kpi("facilities", "all"));
  CHECK(facilities > 0);
  CHECK(run.out.find("Run export_local of " + local.results) != std::string::npos);
  CHECK(run.out.find(gpkg) != std::string::npos);
  CHECK(static_cast<long long>(number_after(run.out, "\nfacilities ")) == facilities);
  CHECK(holds_only(dir.path(), {"local.gpkg"}));

  const Command info = run_command("ogrinfo -ro -so -al " + gpkg, dir);
  REQUIRE(info.exit_code == 0);
  const std::string facility_layer = layer_info(info.out, "facilities");
  CHECK(feature_count(facility_layer) == facilities);
  CHECK(facility_layer.find("Geometry: Multi Polygon") != std::string::npos);
  CHECK(facility_layer.find("ID[\"EPSG\",5186]") != std::string::npos);
  for (const char* field :
       {"facility_id: String", "complex_id: String", "ksic: String", "floor_area_m2: Real",
        "employees: Integer", "pv_capacity_kwp: Real", "bill_krw: Real", "load_mwh: Real", "pv_mwh: Real",
        "curtailed_mwh: Real", "import_mwh: Real", "export_mwh: Real", "fuel_mwh: Real",
        "peak_import_kw: Real", "self_sufficiency: Real", "pv_yield_kwh_per_kwp: Real"}) {
    CHECK_MESSAGE(facility_layer.find(std::string("\n") + field) != std::string::npos, field);
  }
  const std::string complex_layer = layer_info(info.out, "complexes");
  CHECK(feature_count(complex_layer) == 1);
  for (const char* field :
       {"annual_load_mwh: Real", "tco2e_total: Real", "tco2e_scope1: Real", "car_km: Real"})
    CHECK_MESSAGE(complex_layer.find(std::string("\n") + field) != std::string::npos, field);
  const std::string link_layer = layer_info(info.out, "links");
  CHECK(feature_count(link_layer) == local.road_links);
  CHECK(link_layer.find("Geometry: Line String") != std::string::npos);
  for (const char* field :
       {"link: Integer", "road_id: String", "length_km: Real", "capacity_pce_h: Real", "free_speed_kmh: Real",
        "car_veh_day: Real", "light_truck_veh_day: Real", "heavy_truck_veh_day: Real", "annual_vkt_km: Real",
        "peak_hour: Integer", "peak_flow_pce_h: Real", "peak_vc: Real", "peak_speed_kmh: Real",
        "min_speed_kmh: Real"}) {
    CHECK_MESSAGE(link_layer.find(std::string("\n") + field) != std::string::npos, field);
  }
  const std::string feeder_layer = layer_info(info.out, "feeders");
  CHECK(feature_count(feeder_layer) > 0);
  CHECK(feeder_layer.find("Geometry: Multi Line String") != std::string::npos);

  // The facilities' hourly series summed by the export against the complexes' series summed by the run:
  // equal up to the float32 rounding of the complex's hourly sums.
  const double load_mwh = sql_number(gpkg, "SELECT SUM(load_mwh) FROM facilities", dir);
  CHECK(load_mwh == doctest::Approx(local.kpi("annual_load_mwh", "all")).epsilon(1e-6));
  const double import_mwh = sql_number(gpkg, "SELECT SUM(import_mwh) FROM facilities", dir);
  CHECK(import_mwh == doctest::Approx(local.kpi("annual_import_mwh", "all")).epsilon(1e-6));
  CHECK(sql_number(gpkg, "SELECT SUM(bill_krw) FROM facilities", dir) ==
        doctest::Approx(local.kpi("bill_krw", "all")).epsilon(1e-9));
  // Every road link, outside the complex too, is in "all": the links' vehicle-km are its car and truck km.
  const double vkt_km = sql_number(gpkg, "SELECT SUM(annual_vkt_km) FROM links", dir);
  CHECK(vkt_km == doctest::Approx(local.kpi("car_km", "all") + local.kpi("truck_km", "all")).epsilon(1e-9));
  // The complex's fields are its KPIs.
  CHECK(sql_number(gpkg, "SELECT tco2e_total FROM complexes WHERE complex_id = 'local'", dir) ==
        doctest::Approx(local.kpi("tco2e_total", "local")).epsilon(1e-12));
  // A busiest hour is an hour of the day, and its volume over capacity is its flow over the capacity.
  CHECK(sql_number(gpkg, "SELECT COUNT(*) FROM links WHERE peak_hour < 0 OR peak_hour > 23", dir) == 0);
  CHECK(sql_number(gpkg, "SELECT MAX(ABS(peak_vc - peak_flow_pce_h / capacity_pce_h)) FROM links", dir) <
        1e-12);
  CHECK(sql_number(gpkg, "SELECT COUNT(*) FROM links WHERE min_speed_kmh > peak_speed_kmh", dir) == 0);
  // The two links of a two-way road run along its line in opposite directions.
  CHECK(sql_number(gpkg,
                   "SELECT COUNT(*) FROM links a JOIN links b ON a.road_id = b.road_id AND a.link < b.link",
                   dir) > 0);
  CHECK(sql_number(gpkg,
                   "SELECT MAX(ST_Distance(ST_StartPoint(a.geom), ST_EndPoint(b.geom)) + "
                   "ST_Distance(ST_EndPoint(a.geom), ST_StartPoint(b.geom))) FROM links a JOIN links b "
                   "ON a.road_id = b.road_id AND a.link < b.link",
                   dir) < 1e-6);
}

TEST_CASE("sandan export --crs EPSG:4326 writes the layers in longitude and latitude") {
  const LocalRun& local = local_run();
  const TempDir dir("export_crs");
  const std::string gpkg = dir.str("wgs84.gpkg");
  const Command run = run_sandan("export " + local.results + " --gpkg " + gpkg + " --crs EPSG:4326", dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const Command info = run_command("ogrinfo -ro -so " + gpkg + " facilities", dir);
  CHECK(info.out.find("ID[\"EPSG\",4326]") != std::string::npos);
  // Incheon: about 126.7° E, 37.5° N.
  CHECK(number_after(info.out, "Extent: (") == doctest::Approx(126.7).epsilon(0.005));
  const std::string extent = info.out.substr(info.out.find("Extent: ("));
  CHECK(number_after(extent, ", ") == doctest::Approx(37.5).epsilon(0.005));
}

TEST_CASE(
    "sandan export of a run without facility series or traffic writes only the fields the file holds, "
    "and a file of several runs needs the run named") {
  const TempDir dir("export_batch");
  write_text(dir.path() / "sweep.yaml", energy_only_scenario("sweep", "sweep:\n  seed: [1, 2]\n"));
  const std::string results = dir.str("sweep.h5");
  const Command made = run_sandan("run " + dir.str("sweep.yaml") + " -o " + results, dir);
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  const std::string gpkg = dir.str("sweep.gpkg");

  const Command unnamed = run_sandan("export " + results + " --gpkg " + gpkg, dir);
  CHECK(unnamed.exit_code == 2);
  CHECK(unnamed.err.find(results + ": the file holds 2 runs (sweep-0000, sweep-0001); name one as") !=
        std::string::npos);
  const Command unknown = run_sandan("export " + results + ":sweep-0007 --gpkg " + gpkg, dir);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find(results + ": no run 'sweep-0007'; the file holds: sweep-0000, sweep-0001") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(gpkg));

  const Command run = run_sandan("export " + results + ":sweep-0001 --gpkg " + gpkg, dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const Command info = run_command("ogrinfo -ro -so -al " + gpkg, dir);
  const std::string facility_layer = layer_info(info.out, "facilities");
  CHECK(facility_layer.find("\npv_capacity_kwp: Real") != std::string::npos);
  CHECK(facility_layer.find("\nbill_krw: Real") != std::string::npos);
  CHECK(facility_layer.find("load_mwh") == std::string::npos);
  CHECK(facility_layer.find("self_sufficiency") == std::string::npos);
  CHECK(layer_info(info.out, "complexes").find("\nannual_load_mwh: Real") != std::string::npos);
  CHECK(layer_info(info.out, "links").empty());
  CHECK(layer_info(info.out, "feeders").empty());
}

TEST_CASE("sandan export of a missing file or a file that is not a results file exits 2 and writes nothing") {
  const TempDir dir("export_not_results");
  const std::string gpkg = dir.str("out.gpkg");
  const Command missing = run_sandan("export " + dir.str("absent.h5") + " --gpkg " + gpkg, dir);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("absent.h5: no such results file") != std::string::npos);
  write_text(dir.path() / "notes.h5", "not HDF5 at all\n");
  const Command text = run_sandan("export " + dir.str("notes.h5") + " --gpkg " + gpkg, dir);
  CHECK(text.exit_code == 2);
  CHECK(text.err.find("notes.h5: not a sandan results file") != std::string::npos);
  CHECK(text.out.empty());
  CHECK(holds_only(dir.path(), {"notes.h5"}));
}

TEST_CASE("sandan export finds a relative layout from the results file's folder when run elsewhere") {
  // A project folder with the layout, a scenario naming it relatively and results/ beside it, as the
  // repository has: run from the project folder, exported from another one.
  const TempDir dir("export_relative");
  std::filesystem::create_directories(dir.path() / "results");
  std::filesystem::copy_file(std::string(SANDAN_GIS_DATA_DIR) + "/incheon.gpkg", dir.path() / "layout.gpkg");
  write_text(dir.path() / "relative.yaml", energy_only_scenario("relative", "site: layout.gpkg\n"));
  const Command made =
      run_command("cd " + dir.str() + " && " + SANDAN_EXE + " run relative.yaml -o results/relative.h5", dir);
  INFO(made.err);
  REQUIRE(made.exit_code == 0);

  const std::string gpkg = dir.str("out.gpkg");
  const Command exported = run_sandan("export " + dir.str("results/relative.h5") + " --gpkg " + gpkg, dir);
  INFO(exported.err);
  CHECK(exported.exit_code == 0);
  CHECK(exported.out.find("geometry from " + dir.str("layout.gpkg")) != std::string::npos);
  CHECK(std::filesystem::exists(gpkg));
}

TEST_CASE("sandan export exits 2 naming the layout it tried and --site when the run's layout is gone") {
  const TempDir dir("export_no_layout");
  std::filesystem::copy_file(std::string(SANDAN_GIS_DATA_DIR) + "/incheon.gpkg", dir.path() / "layout.gpkg");
  write_text(dir.path() / "moved.yaml", energy_only_scenario("moved", "site: layout.gpkg\n"));
  const std::string results = dir.str("moved.h5");
  const Command made = run_sandan("run " + dir.str("moved.yaml") + " -o " + results, dir);
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  std::filesystem::rename(dir.path() / "layout.gpkg", dir.path() / "elsewhere.gpkg");

  const std::string gpkg = dir.str("out.gpkg");
  const Command gone = run_sandan("export " + results + " --gpkg " + gpkg, dir);
  CHECK(gone.exit_code == 2);
  INFO(gone.err);
  CHECK(gone.err.find(results + ": run 'moved': cannot read its layout " + dir.str("layout.gpkg")) !=
        std::string::npos);
  CHECK(gone.err.find("--site") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(gpkg));

  const Command with_site =
      run_sandan("export " + results + " --gpkg " + gpkg + " --site " + dir.str("elsewhere.gpkg"), dir);
  INFO(with_site.err);
  CHECK(with_site.exit_code == 0);
  CHECK(with_site.out.find("geometry from " + dir.str("elsewhere.gpkg")) != std::string::npos);
  CHECK(std::filesystem::exists(gpkg));
}

TEST_CASE(
    "sandan export with a layout that lacks the run's facilities exits 2 naming one and writes nothing") {
  const LocalRun& local = local_run();
  const TempDir dir("export_other_layout");
  const TempDir layout("export_other_layout_site");
  write_layers(layout, tiny_layers());
  const std::string gpkg = dir.str("out.gpkg");
  const Command run =
      run_sandan("export " + local.results + " --gpkg " + gpkg + " --site " + layout.str(), dir);
  CHECK(run.exit_code == 2);
  INFO(run.err);
  const std::size_t named = run.err.find("the facility '");
  CHECK(named != std::string::npos);
  CHECK(run.err.find("' of the run is not in this layout", named) != std::string::npos);
  CHECK(run.err.find("--site") != std::string::npos);
  CHECK(holds_only(dir.path(), {}));
}

TEST_CASE("sandan export into a folder that cannot be written exits 3") {
  const LocalRun& local = local_run();
  const TempDir dir("export_io");
  const Command run =
      run_sandan("export " + local.results + " --gpkg " + dir.str("no/such/folder/out.gpkg"), dir);
  CHECK(run.exit_code == 3);
  CHECK(run.err.find("no/such/folder/out.gpkg") != std::string::npos);
  CHECK(run.out.empty());
}

TEST_CASE("sandan export writes the logistics hub as a point on its road node with its truck-km") {
  const TempDir dir("export_hub");
  write_text(dir.path() / "hub.yaml", "name: export_hub\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                                          "/scenarios/logistics_hub.yaml\ncomplexes: [local]\n"
                                          "models: [energy, traffic]\ninterventions:\n"
                                          "  - logistics_hub: {complexes: [local], share: 0.5}\n");
  const Command run = run_sandan("run " + dir.str("hub.yaml") + " -o " + dir.str("hub.h5"), dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const std::string gpkg = dir.str("hub.gpkg");
  const Command exported = run_sandan("export " + dir.str("hub.h5") + " --gpkg " + gpkg, dir);
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(sql_number(gpkg, "SELECT COUNT(*) FROM hub", dir) == 1);
  CHECK(sql_number(gpkg, "SELECT COUNT(*) FROM hub WHERE chosen_by = 'min_truck_km'", dir) == 1);
  // The hub stands on a road node: the start of some link, within a millimetre.
  CHECK(sql_number(gpkg, "SELECT MIN(ST_Distance(h.geom, ST_StartPoint(l.geom))) FROM hub h, links l", dir) <
        1e-3);
  // Chosen for the least truck-km: fewer than without it.
  CHECK(sql_number(gpkg, "SELECT workday_truck_km_without_hub - workday_truck_km_with_hub FROM hub", dir) >
        0.0);
}
