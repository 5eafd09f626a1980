#include <doctest/doctest.h>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gis/reader.hpp"
#include "gis/synth.hpp"
#include "support/fixtures.hpp"

using namespace sandan;
using namespace sandan::test;

namespace {

using Run = Command;

std::string read_file(const std::filesystem::path& path) { return read_text_file(path); }

// Runs `sandan ARGS` through the shell, capturing stdout and stderr.
Run run_sandan(const std::string& args, const TempDir& scratch) {
  return run_command(std::string(SANDAN_EXE) + " " + args, scratch);
}

std::string gis_data(const std::string& name) { return std::string(SANDAN_GIS_DATA_DIR) + "/" + name; }

// Every field and coordinate of a Site as text, to compare two layouts exactly.
std::string dump(const Site& site) {
  std::ostringstream out;
  out.precision(17);
  auto points = [&](const std::vector<XY>& pts) {
    for (const auto& p : pts) out << p.x_m << ' ' << p.y_m << ' ';
    out << '\n';
  };
  for (const auto& c : site.complexes) {
    out << c.complex_id << '|' << c.name << '|' << c.name_ko << '|' << to_string(c.role) << '\n';
    for (const auto& poly : c.boundary) points(poly.outer);
  }
  for (const auto& f : site.facilities) {
    out << f.facility_id << '|' << f.complex << '|' << f.name << '|' << f.ksic << '|' << f.floor_area_m2
        << '|' << f.roof_area_m2 << '|' << f.employees << '|' << f.firms << '|' << to_string(f.shift) << '|'
        << to_string(f.fuel) << '|' << f.feeder_bus << '\n';
    for (const auto& poly : f.footprint) points(poly.outer);
  }
  for (const auto& r : site.roads) {
    out << r.road_id << '|' << r.lanes << '|' << r.speed_kmh << '|' << r.capacity_veh_h << '|' << r.oneway
        << '|' << to_string(r.road_class) << '\n';
    points(r.geometry);
  }
  for (const auto& g : site.gates) {
    out << g.gate_id << '|' << g.name << '|' << to_string(g.kind) << '|' << g.share << '|' << g.position.x_m
        << ' ' << g.position.y_m << '\n';
  }
  for (const auto& s : site.substations) {
    out << s.substation_id << '|' << s.voltage_kv << '|' << s.capacity_mva << '|' << s.position.x_m << ' '
        << s.position.y_m << '\n';
  }
  for (const auto& s : site.feeders) {
    out << s.segment_id << '|' << s.feeder_id << '|' << s.substation << '|' << s.from_bus << '|' << s.to_bus
        << '|' << s.line_type << '|' << s.length_m << '\n';
    points(s.geometry);
  }
  return out.str();
}

}  // namespace

TEST_CASE("sandan inspect prints the per-complex table of a valid layout and exits 0") {
  TempDir dir("cli_inspect");
  const std::string layout = write_layers(dir, tiny_layers());
  const Run run = run_sandan("inspect " + layout, dir);
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("alpha") != std::string::npos);
  CHECK(run.out.find("1 strongly connected component") != std::string::npos);
  CHECK(run.out.find("0 error(s)") != std::string::npos);
}

TEST_CASE("sandan inspect --json prints one JSON object with complexes and problems arrays") {
  TempDir dir("cli_inspect_json");
  const Run run = run_sandan("inspect --json " + write_layers(dir, tiny_layers()), dir);
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.out);
  REQUIRE(j["complexes"].size() == 1);
  CHECK(j["complexes"][0]["complex_id"] == "alpha");
  CHECK(j["complexes"][0]["area_km2"].get<double>() == doctest::Approx(1.0));
  CHECK(j["complexes"][0]["facilities"] == 2);
  CHECK(j["complexes"][0]["firms"] == 26);
  CHECK(j["complexes"][0]["employees"] == 340);
  // Twelve 500 m streets lie in the complex; the 200 m external road lies outside it.
  CHECK(j["complexes"][0]["road_km"].get<double>() == doctest::Approx(6.0));
  CHECK(j["road_graph"]["strongly_connected_components"] == 1);
  CHECK(j["problems"].is_array());
}

TEST_CASE("sandan inspect of a broken layout exits 2, names the problem on stderr and prints nothing") {
  TempDir dir("cli_inspect_bad");
  auto layers = tiny_layers();
  layers["gates"] = collection(
      feature(R"("gate_id": "g1", "name": "West", "kind": "airport", "share": 1.0)", point(-200, 500)));
  const Run run = run_sandan("inspect --json " + write_layers(dir, layers), dir);
  CHECK(run.exit_code == 2);
  CHECK(run.out.empty());
  CHECK(run.err.find("gates.geojson: layer 'gates': feature 'g1': field 'kind': unknown value 'airport'") !=
        std::string::npos);
}

TEST_CASE("sandan exits 2 for a missing file and for a bad command line") {
  TempDir dir("cli_usage");
  const Run missing = run_sandan("inspect " + dir.str("absent.gpkg"), dir);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("absent.gpkg") != std::string::npos);
  CHECK(run_sandan("inspect", dir).exit_code == 2);
  CHECK(run_sandan("frobnicate", dir).exit_code == 2);
  CHECK(run_sandan("--version", dir).exit_code == 0);
}

TEST_CASE("every usage error starts with 'sandan: error:', names the option and the valid values, exits 2") {
  TempDir dir("cli_usage_messages");
  const Run threads = run_sandan("run scenarios/baseline.yaml -j abc", dir);
  CHECK(threads.exit_code == 2);
  CHECK(threads.err.rfind("sandan: error: ", 0) == 0);
  CHECK(threads.err.find("--threads") != std::string::npos);
  CHECK(threads.err.find("'abc' is not a whole number; give a whole number >= 0") != std::string::npos);
  CHECK(threads.err.find("sandan run --help") != std::string::npos);

  const Run format = run_sandan("compare a.h5 b.h5 --format xml", dir);
  CHECK(format.exit_code == 2);
  CHECK(format.err.rfind("sandan: error: ", 0) == 0);
  CHECK(format.err.find("--format") != std::string::npos);
  CHECK(format.err.find("valid choices: table, csv, json, markdown") != std::string::npos);

  // Bounds are written as numbers are (CLI11's own checks printed the largest double in 309 digits).
  const Run gap = run_sandan("assign somewhere --gap -1", dir);
  CHECK(gap.exit_code == 2);
  CHECK(gap.err.rfind("sandan: error: ", 0) == 0);
  CHECK(gap.err.find("--gap: -1 is out of range; give a number > 0") != std::string::npos);
  CHECK(gap.err.size() < 200);

  const Run method = run_sandan("powerflow somewhere --method gauss", dir);
  CHECK(method.exit_code == 2);
  CHECK(method.err.find("valid choices: auto, nr, nr-dense, bfs") != std::string::npos);

  const Run unknown = run_sandan("frobnicate", dir);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.rfind(
            "sandan: error: unknown subcommand 'frobnicate'; valid subcommands: inspect, synth, run", 0) ==
        0);
  CHECK(unknown.err.find("sandan --help") != std::string::npos);
}

TEST_CASE("sandan synth with a bad facts file exits 2 and writes nothing") {
  TempDir dir("cli_synth_bad");
  write_text(dir.path() / "facts.yaml", "schema: sandan-complexes\nversion: 1\ncomplexes: 7\n");
  const Run run = run_sandan("synth " + dir.str("facts.yaml") + " -o " + dir.str("out.gpkg"), dir);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("facts.yaml") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out.gpkg"));
  // No temporary file is left behind either.
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    files += entry.path().extension() == ".gpkg";
  CHECK(files == 0);
}

TEST_CASE("regenerating the committed layout from the facts gives the same content") {
  TempDir dir("cli_synth_regen");
  const std::string out = dir.str("incheon.gpkg");
  const Run run = run_sandan("synth " + gis_data("complexes.yaml") + " -o " + out, dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const Site committed = load_site({gis_data("incheon.gpkg")});
  const Site regenerated = load_site({out});
  CHECK(dump(committed) == dump(regenerated));
}

TEST_CASE("the committed layout of the five complexes matches the facts file") {
  TempDir dir("cli_incheon");
  const Run run = run_sandan("inspect --json " + gis_data("incheon.gpkg"), dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(run.out);
  const SiteFacts facts = read_site_facts(gis_data("complexes.yaml"));
  REQUIRE(j["complexes"].size() == facts.complexes.size());
  REQUIRE(facts.complexes.size() == 5);
  for (const auto& fact : facts.complexes) {
    CAPTURE(fact.complex_id);
    const auto it = std::find_if(j["complexes"].begin(), j["complexes"].end(),
                                 [&](const auto& c) { return c["complex_id"] == fact.complex_id; });
    REQUIRE(it != j["complexes"].end());
    CHECK((*it)["area_km2"].get<double>() == doctest::Approx(fact.area_km2.value).epsilon(0.02));
    CHECK((*it)["firms"].get<long long>() == std::llround(fact.firms.value));
    CHECK((*it)["employees"].get<long long>() == std::llround(fact.employees.value));
    CHECK((*it)["road_km"].get<double>() > 0.0);
    CHECK((*it)["feeder_km"].get<double>() > 0.0);
  }
  CHECK(j["road_graph"]["strongly_connected_components"] == 1);
  CHECK(j["feeders"]["loops"] == 0);
  CHECK(j["feeders"]["unreached_buses"] == 0);
}

TEST_CASE(
    "the five complexes written as EPSG:4326 GeoJSON inspect to the same areas and lengths within 0.1 %") {
  TempDir dir("cli_reproject");
  const std::string geojson = dir.str("wgs84");
  REQUIRE(
      run_sandan(
          "synth " + gis_data("complexes.yaml") + " -o " + geojson + " --format geojson --crs EPSG:4326", dir)
          .exit_code == 0);
  const Run a = run_sandan("inspect --json " + gis_data("incheon.gpkg"), dir);
  const Run b = run_sandan("inspect --json " + geojson, dir);
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  const auto ja = nlohmann::json::parse(a.out);
  const auto jb = nlohmann::json::parse(b.out);
  CHECK(jb["layers"][0]["crs"] == "EPSG:4326");
  REQUIRE(ja["complexes"].size() == jb["complexes"].size());
  for (std::size_t i = 0; i < ja["complexes"].size(); ++i) {
    for (const char* key : {"area_km2", "roof_area_m2", "road_km", "feeder_km"}) {
      CAPTURE(key);
      CHECK(jb["complexes"][i][key].get<double>() ==
            doctest::Approx(ja["complexes"][i][key].get<double>()).epsilon(1e-3));
    }
  }
  CHECK(jb["road_graph"]["km"].get<double>() ==
        doctest::Approx(ja["road_graph"]["km"].get<double>()).epsilon(1e-3));
  CHECK(jb["road_graph"]["nodes"] == ja["road_graph"]["nodes"]);
}

TEST_CASE("sandan run of the baseline writes the results file and prints the KPI table") {
  TempDir dir("cli_run");
  const std::string out = dir.str("baseline.h5");
  const Run run =
      run_sandan("run " + std::string(SANDAN_SOURCE_DIR) + "/scenarios/baseline.yaml -o " + out, dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(std::filesystem::exists(out));
  CHECK(run.out.find("beautiful_park") != std::string::npos);
  CHECK(run.out.find("\nall ") != std::string::npos);
  // Nothing but the results file is left in the folder: the temporary file was renamed.
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    files += entry.path().filename() != "stderr.txt" ? 1 : 0;
  }
  CHECK(files == 1);
}

TEST_CASE("sandan run with a bad scenario exits 2 naming file, line and key, and writes nothing") {
  TempDir dir("cli_run_bad");
  write_text(dir.path() / "bad.yaml",
             "name: bad\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                 "/scenarios/baseline.yaml\ninterventions:\n  - rooftop_pv: {roof_share: 2}\n");
  const Run run = run_sandan("run " + dir.str("bad.yaml") + " -o " + dir.str("out.h5"), dir);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("bad.yaml:4: interventions[0].rooftop_pv.roof_share: value 2 is out of range") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out.h5"));
}

TEST_CASE("sandan run reports every problem of the traffic settings at once and writes nothing") {
  TempDir dir("cli_run_bad_traffic");
  write_text(dir.path() / "bad.yaml", "name: bad\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                                          "/scenarios/baseline.yaml\n"
                                          "traffic: {trip_rates: rates.yaml, gap: 2, speed: 3}\n"
                                          "grid_emission_factor: {t_per_mwh: 5}\n"
                                          "interventions:\n"
                                          "  - logistics_hub: {complexes: [juan], share: 1.5}\n"
                                          "  - ev_trucks: {light_truck_share: -0.1}\n");
  const Run run = run_sandan("run " + dir.str("bad.yaml") + " -o " + dir.str("out.h5"), dir);
  CHECK(run.exit_code == 2);
  INFO(run.err);
  CHECK(run.err.find("bad.yaml:3: traffic.speed: unknown key") != std::string::npos);
  CHECK(run.err.find("bad.yaml:3: traffic.gap: value 2 is out of range") != std::string::npos);
  CHECK(run.err.find("bad.yaml:4: grid_emission_factor.t_per_mwh: value 5 is out of range") !=
        std::string::npos);
  CHECK(run.err.find("interventions[0].logistics_hub.share: value 1.5 is out of range") != std::string::npos);
  CHECK(run.err.find("interventions[1].ev_trucks.light_truck_share: value -0.1 is out of range") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out.h5"));
}

TEST_CASE("sandan run with a trip rates file that does not exist exits 2 naming it") {
  TempDir dir("cli_run_missing_rates");
  write_text(dir.path() / "bad.yaml", "name: bad\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                                          "/scenarios/baseline.yaml\ncomplexes: [local]\n"
                                          "traffic: {trip_rates: no_such_rates.yaml}\n");
  const Run run = run_sandan("run " + dir.str("bad.yaml") + " -o " + dir.str("out.h5"), dir);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("no_such_rates.yaml") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out.h5"));
}

TEST_CASE("sandan run with background counts on unknown roads or gates exits 2 naming file, line and fix") {
  TempDir dir("cli_run_bad_background");
  std::ifstream in(gis_data("traffic/background.yaml"));
  std::stringstream text;
  text << in.rdbuf();
  std::string bad = text.str();
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"road_id: ext_r0009", "road_id: ext_r9999"},
        {"gate: dohwa_ic", "gate: dohwa"}}) {
    const auto at = bad.find(from);
    REQUIRE(at != std::string::npos);
    bad.replace(at, from.size(), to);
  }
  write_text(dir.path() / "bg.yaml", bad);
  auto line_of = [&](const std::string& what) {
    const auto at = bad.find(what);
    return std::to_string(1 + std::count(bad.begin(), bad.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  };
  write_text(dir.path() / "bad.yaml", "name: bad\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                                          "/scenarios/baseline.yaml\ncomplexes: [local]\n"
                                          "traffic: {trip_rates: " +
                                          gis_data("traffic/trip_rates.yaml") +
                                          ", zone_cell_m: 250, background: bg.yaml}\n");
  const Run run = run_sandan("run " + dir.str("bad.yaml") + " -o " + dir.str("out.h5"), dir);
  CHECK(run.exit_code == 2);
  INFO(run.err);
  CHECK(run.err.find("bg.yaml:" + line_of("gate: dohwa") + ": zones[1].gate: unknown gate 'dohwa'") !=
        std::string::npos);
  CHECK(run.err.find("bg.yaml:" + line_of("- id: gilju_ro") +
                     ": counts[0].road_id: road 'ext_r9999' is not in") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out.h5"));
}

TEST_CASE("sandan run refuses weather whose radiation falls where the sun is down") {
  TempDir dir("cli_run_night");
  // The synthetic year shifted by twelve hours: its sunshine lands in the night.
  std::ifstream in(gis_data("weather/incheon_synthetic.epw"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 8 + 8760);
  auto fields = [](const std::string& line) {
    std::vector<std::string> out;
    std::stringstream row(line);
    for (std::string f; std::getline(row, f, ',');) out.push_back(f);
    return out;
  };
  std::ofstream epw(dir.path() / "shifted.epw");
  for (std::size_t i = 0; i < 8; ++i) epw << lines[i] << "\n";
  for (std::size_t r = 0; r < 8760; ++r) {
    auto row = fields(lines[8 + r]);
    const auto source = fields(lines[8 + (r + 12) % 8760]);
    for (const int column : {13, 14, 15}) row[column] = source[column];  // GHI, DNI, DHI
    std::string joined;
    for (std::size_t k = 0; k < row.size(); ++k) joined += (k ? "," : "") + row[k];
    epw << joined << "\n";
  }
  epw.close();
  write_text(dir.path() / "night.yaml", "name: night\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                                            "/scenarios/baseline.yaml\nweather: shifted.epw\n");
  const Run run = run_sandan("run " + dir.str("night.yaml") + " -o " + dir.str("out.h5"), dir);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("shifted.epw") != std::string::npos);
  CHECK(run.err.find("below the horizon") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out.h5"));
}

TEST_CASE("sandan run fills a short gap in the weather file and says so") {
  TempDir dir("cli_run_gap");
  std::ifstream in(gis_data("weather/incheon_synthetic.epw"));
  std::ofstream epw(dir.path() / "gap.epw");
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    // Three hours of dry-bulb temperature (field 6) marked missing (99.9) in the data rows 101-103.
    if (line_number >= 8 + 101 && line_number <= 8 + 103) {
      std::vector<std::string> fields;
      std::stringstream row(line);
      for (std::string f; std::getline(row, f, ',');) fields.push_back(f);
      fields[6] = "99.9";
      line.clear();
      for (std::size_t k = 0; k < fields.size(); ++k) line += (k ? "," : "") + fields[k];
    }
    epw << line << "\n";
  }
  epw.close();
  write_text(dir.path() / "gap.yaml", "name: gap\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                                          "/scenarios/baseline.yaml\ncomplexes: [local]\nweather: gap.epw\n");
  const Run run = run_sandan("run " + dir.str("gap.yaml"), dir);
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("sandan: note:") != std::string::npos);
  CHECK(run.err.find("gap.epw") != std::string::npos);
  CHECK(run.err.find("dry_bulb_c: 3 missing hours interpolated") != std::string::npos);
}

TEST_CASE("sandan run into a folder that cannot be written exits 3 before running") {
  TempDir dir("cli_run_io");
  const Run run = run_sandan("run " + std::string(SANDAN_SOURCE_DIR) + "/scenarios/baseline.yaml -o " +
                                 dir.str("no/such/folder/out.h5"),
                             dir);
  CHECK(run.exit_code == 3);
  CHECK(run.err.find("cannot create the results file") != std::string::npos);
  CHECK(run.out.empty());
}

TEST_CASE("sandan powerflow solves case33bw as MATPOWER does and writes the solution files") {
  TempDir dir("cli_powerflow");
  const std::string out = dir.str("solution");
  const Run run = run_sandan("powerflow " + std::string(SANDAN_SOURCE_DIR) +
                                 "/tests/validation/data/powerflow/case33bw --method nr --out " + out,
                             dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  // Baran & Wu 1989 / MATPOWER: losses 202.677 kW, Vmin 0.913090 p.u. at bus 18.
  CHECK(run.out.find("0.202677 MW") != std::string::npos);
  CHECK(run.out.find("0.913090 p.u. at bus 18") != std::string::npos);
  const auto summary = nlohmann::json::parse(read_file(std::filesystem::path(out) / "summary.json"));
  CHECK(summary["converged"] == true);
  CHECK(summary["vmin_bus"] == "18");
  CHECK(summary["total_loss_mw"].get<double>() == doctest::Approx(0.202677).epsilon(1e-5));
  CHECK(std::filesystem::exists(std::filesystem::path(out) / "solution_bus.csv"));
}

TEST_CASE("sandan powerflow of a case without a slack bus exits 2 and writes nothing") {
  TempDir dir("cli_powerflow_bad");
  const auto src = std::filesystem::path(SANDAN_SOURCE_DIR) / "tests/validation/data/powerflow/case14";
  const auto bad = dir.path() / "case";
  std::filesystem::create_directories(bad);
  for (const char* name : {"case.json", "gen.csv", "branch.csv"})
    std::filesystem::copy_file(src / name, bad / name);
  // Bus 1, the slack, becomes a PQ bus.
  std::string bus = read_file(src / "bus.csv");
  const auto first_row = bus.find('\n') + 1;
  bus.replace(bus.find(",3,", first_row), 3, ",1,");
  write_text(bad / "bus.csv", bus);
  const Run run = run_sandan("powerflow " + bad.string() + " --out " + dir.str("solution"), dir);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("slack") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "solution"));
}

TEST_CASE(
    "sandan powerflow --method bfs on a meshed case says it needs a radial network and names the loop") {
  TempDir dir("cli_powerflow_bfs_meshed");
  const Run run = run_sandan(
      "powerflow " + std::string(SANDAN_SOURCE_DIR) + "/tests/validation/data/powerflow/case14 --method bfs",
      dir);
  CHECK(run.exit_code == 2);
  CHECK(run.err.rfind("sandan: error: ", 0) == 0);
  CHECK(run.err.find("case14: the backward/forward sweep needs a radial network") != std::string::npos);
  CHECK(run.err.find(") closes a loop: the network is meshed") != std::string::npos);
  CHECK(run.err.find("--method nr") != std::string::npos);
  // Not the old "after 0 iterations ... mismatch inf at bus ?".
  CHECK(run.err.find("mismatch inf") == std::string::npos);
}

TEST_CASE("sandan assign solves Sioux Falls to a 1e-8 gap and writes flows.csv and summary.json") {
  TempDir dir("cli_assign");
  const std::string out = dir.str("assignment");
  const Run run = run_sandan(
      "assign " + std::string(SANDAN_SOURCE_DIR) + "/tests/validation/data/tntp/SiouxFalls --out " + out,
      dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("Network SiouxFalls: 24 zones, 24 nodes, 76 links") != std::string::npos);
  CHECK(run.out.find("360600 trips") != std::string::npos);
  CHECK(run.out.find("converged       yes") != std::string::npos);
  CHECK(run.err.find("relative gap") != std::string::npos);  // progress lines
  std::istringstream flows(read_file(std::filesystem::path(out) / "flows.csv"));
  std::string line;
  std::getline(flows, line);
  CHECK(line == "from,to,volume,cost");
  std::size_t rows = 0;
  while (std::getline(flows, line)) rows += line.empty() ? 0 : 1;
  CHECK(rows == 76);
  const auto summary = nlohmann::json::parse(read_file(std::filesystem::path(out) / "summary.json"));
  CHECK(summary["relative_gap"].get<double>() <= 1e-8);
  CHECK(summary["converged"] == true);
  CHECK(summary["algorithm"] == "algorithm-b");
  CHECK(summary["links"] == 76);
  // Total system travel time of the best-known equilibrium: 7,480,225.34.
  CHECK(summary["tstt"].get<double>() == doctest::Approx(7480225.34).epsilon(1e-6));
}

TEST_CASE(
    "sandan assign of a network with a link to an unknown node exits 2 naming the file and writes nothing") {
  TempDir dir("cli_assign_bad");
  const auto src = std::filesystem::path(SANDAN_SOURCE_DIR) / "tests/validation/data/tntp/SiouxFalls";
  const auto bad = dir.path() / "SiouxFalls";
  std::filesystem::create_directories(bad);
  std::filesystem::copy_file(src / "SiouxFalls_trips.tntp", bad / "SiouxFalls_trips.tntp");
  // The first link, 1 → 2, now ends at node 99 of 24.
  std::string net = read_file(src / "SiouxFalls_net.tntp");
  const auto first_link = net.find("\t1\t2\t25900.20064");
  REQUIRE(first_link != std::string::npos);
  net.replace(first_link, 4, "\t1\t99");
  write_text(bad / "SiouxFalls_net.tntp", net);
  const Run run = run_sandan("assign " + bad.string() + " --out " + dir.str("assignment"), dir);
  CHECK(run.exit_code == 2);
  CHECK(run.err.find((bad / "SiouxFalls_net.tntp").string() + ":10: link 1 → 99") != std::string::npos);
  CHECK(run.err.find("node 99 is not a node of the network (1..24") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "assignment" / "flows.csv"));
}

TEST_CASE("sandan assign of demand between zones that cannot reach each other exits 2 naming both zones") {
  TempDir dir("cli_assign_unreachable");
  const auto tntp = dir.path() / "Island";
  std::filesystem::create_directories(tntp);
  // Zone 3 has links out to zones 1 and 2 but none in: demand 1 → 3 cannot be assigned.
  write_text(tntp / "Island_net.tntp",
             "<NUMBER OF ZONES> 3\n<NUMBER OF NODES> 3\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 4\n"
             "<END OF METADATA>\n"
             "1 2 100 1 1 0.15 4 0 0 1 ;\n2 1 100 1 1 0.15 4 0 0 1 ;\n"
             "3 1 100 1 1 0.15 4 0 0 1 ;\n3 2 100 1 1 0.15 4 0 0 1 ;\n");
  write_text(tntp / "Island_trips.tntp",
             "<NUMBER OF ZONES> 3\n<TOTAL OD FLOW> 15\n<END OF METADATA>\n"
             "Origin 1\n2 : 5; 3 : 10;\n");
  const Run run = run_sandan("assign " + tntp.string() + " --out " + dir.str("assignment"), dir);
  CHECK(run.exit_code == 2);
  INFO(run.err);
  CHECK(run.err.find("zone 1 → zone 3") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "assignment" / "flows.csv"));
}

namespace {

// Two small runs of one complex, made once for the comparison tests: the baseline (A, run with
// --json) and rooftop PV with its investment (B).
struct ComparedRuns {
  TempDir dir{"cli_compare"};
  std::string a = dir.str("base.h5");
  std::string b = dir.str("pv.h5");
  Run a_run;
  Run b_run;
  ComparedRuns() {
    const std::string scenarios = std::string(SANDAN_SOURCE_DIR) + "/scenarios/";
    write_text(dir.path() / "base.yaml",
               "name: base_local\nextends: " + scenarios + "baseline.yaml\ncomplexes: [local]\n");
    write_text(dir.path() / "pv.yaml",
               "name: pv_local\nextends: " + scenarios +
                   "rooftop_pv.yaml\ncomplexes: [local]\n"
                   "interventions: [{rooftop_pv: {roof_share: 0.5, cost_krw_per_kwp: 1200000, "
                   "lifetime_years: 25}}]\n");
    a_run = run_sandan("run --json " + dir.str("base.yaml") + " -o " + a, dir);
    b_run = run_sandan("run " + dir.str("pv.yaml") + " -o " + b, dir);
  }
};

const ComparedRuns& compared_runs() {
  static const ComparedRuns runs;
  return runs;
}

// The row of a key and complex in the kpis array of `sandan compare --format json`.
const nlohmann::json& kpi_row(const nlohmann::json& kpis, const std::string& key,
                              const std::string& complex) {
  const auto it = std::find_if(kpis.begin(), kpis.end(),
                               [&](const auto& k) { return k["key"] == key && k["complex"] == complex; });
  REQUIRE(it != kpis.end());
  return *it;
}

}  // namespace

TEST_CASE("sandan run --json prints one JSON object with the run's KPIs and the output file") {
  const ComparedRuns& runs = compared_runs();
  INFO(runs.a_run.err);
  REQUIRE(runs.a_run.exit_code == 0);
  const auto j = nlohmann::json::parse(runs.a_run.out);  // nothing but the object on stdout
  CHECK(j["scenario"] == "base_local");
  CHECK(j["output"] == runs.a);
  REQUIRE(j["runs"].size() == 1);
  CHECK(j["runs"][0]["run_id"] == "base_local");
  const auto& kpis = j["runs"][0]["kpis"];
  const auto& load = kpi_row(kpis, "annual_load_mwh", "local");
  CHECK(load["unit"] == "MWh");
  CHECK(load["value"].get<double>() > 0.0);
  CHECK(kpi_row(kpis, "tco2e_total", "all")["value"].get<double>() > 0.0);
  CHECK(runs.a_run.err.find("sandan: ran") != std::string::npos);  // progress stays on stderr
}

// The share of a bill without VAT: (1 + power fund 2.7 %) / (1 + 2.7 % + VAT 10 %), the shares of
// the shipped 2026 tariff file (gis_data/tariffs).
constexpr double kBillWithoutVat = 1.027 / 1.127;

TEST_CASE("sandan compare prints every KPI of both runs and the cost of the carbon abated, in four formats") {
  const ComparedRuns& runs = compared_runs();
  REQUIRE(runs.a_run.exit_code == 0);
  INFO(runs.b_run.err);
  REQUIRE(runs.b_run.exit_code == 0);
  const TempDir dir("cli_compare_formats");

  const Run json = run_sandan("compare " + runs.a + " " + runs.b + " --format json", dir);
  INFO(json.err);
  REQUIRE(json.exit_code == 0);
  const auto j = nlohmann::json::parse(json.out);
  CHECK(j["a"]["file"] == runs.a);
  CHECK(j["a"]["run"] == "base_local");
  CHECK(j["b"]["run"] == "pv_local");
  const auto& kpis = j["kpis"];
  const auto& imports = kpi_row(kpis, "annual_import_mwh", "local");
  CHECK(imports["delta"].get<double>() < 0.0);  // the PV covers part of the load
  CHECK(imports["delta"].get<double>() ==
        doctest::Approx(imports["b"].get<double>() - imports["a"].get<double>()));
  CHECK(imports["delta_pct"].get<double>() ==
        doctest::Approx(100.0 * imports["delta"].get<double>() / imports["a"].get<double>()));
  CHECK(kpi_row(kpis, "annual_pv_mwh", "all")["delta_pct"].is_null());  // A has no PV
  const auto& total = kpi_row(kpis, "tco2e_total", "all");
  const double abated = total["a"].get<double>() - total["b"].get<double>();
  const double annualised = kpi_row(kpis, "annualised_cost_krw", "all")["delta"].get<double>();
  const double bill = kpi_row(kpis, "bill_krw", "all")["delta"].get<double>();
  // The net cost counts what energy costs: the bill, fuel, less the exports' credit.
  const double energy = kpi_row(kpis, "energy_cost_krw", "all")["delta"].get<double>();
  const double credit = kpi_row(kpis, "export_credit_krw", "all")["delta"].get<double>();
  CHECK(energy == doctest::Approx(bill * kBillWithoutVat +
                                  kpi_row(kpis, "fuel_cost_krw", "all")["delta"].get<double>() - credit));
  const auto& headline = j["headline"];
  CHECK(headline["tco2e_abated"].get<double>() > 0.0);
  CHECK(headline["tco2e_abated"].get<double>() == doctest::Approx(abated));
  CHECK(annualised > 0.0);
  CHECK(headline["delta_annualised_cost_krw"].get<double>() == doctest::Approx(annualised));
  CHECK(headline["delta_bill_krw"].get<double>() == doctest::Approx(bill));
  CHECK(headline["delta_energy_cost_krw"].get<double>() == doctest::Approx(energy));
  CHECK(headline["net_annual_cost_krw"].get<double>() == doctest::Approx(annualised + energy));
  CHECK(headline["krw_per_tco2e_gross"].get<double>() == doctest::Approx(annualised / abated));
  CHECK(headline["krw_per_tco2e_net"].get<double>() == doctest::Approx((annualised + energy) / abated));
  CHECK(j["warnings"].empty());  // the same models on the same complex
  CHECK(j["attribution"]["status"] == "same_background");

  const Run csv = run_sandan("compare " + runs.a + ":base_local " + runs.b + ":pv_local --format csv", dir);
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.rfind("key,complex,unit,a,b,delta,delta_pct,interventions,grid_factor,other_background\n",
                      0) == 0);
  CHECK(csv.out.find("\nannual_import_mwh,local,MWh,") != std::string::npos);

  const Run markdown = run_sandan("compare " + runs.a + " " + runs.b + " --format markdown", dir);
  REQUIRE(markdown.exit_code == 0);
  CHECK(markdown.out.find("| key | complex | unit |") != std::string::npos);
  CHECK(markdown.out.find("| annual_import_mwh | local | MWh |") != std::string::npos);
  CHECK(markdown.out.find("\n- tCO2eq abated") != std::string::npos);

  const Run table = run_sandan("compare " + runs.a + " " + runs.b, dir);
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.find("abated") != std::string::npos);
  CHECK(table.out.find("annual_import_mwh") != std::string::npos);
}

TEST_CASE("sandan compare splits B − A into interventions, grid factor and other background that add up") {
  const ComparedRuns& runs = compared_runs();
  REQUIRE(runs.a_run.exit_code == 0);
  const TempDir dir("cli_compare_attribution");
  // B: rooftop PV in 2030 with the 2030 grid factor; A: the 2026 baseline.
  write_text(dir.path() / "pv_2030.yaml",
             "name: pv_2030\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                 "/scenarios/rooftop_pv.yaml\ncomplexes: [local]\nyear: 2030\n"
                 "grid_emission_factor: {t_per_mwh: 0.26}\n"
                 "interventions: [{rooftop_pv: {roof_share: 0.5, cost_krw_per_kwp: 1200000}}]\n");
  const std::string b = dir.str("pv_2030.h5");
  const Run made = run_sandan("run " + dir.str("pv_2030.yaml") + " -o " + b, dir);
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  const Run json = run_sandan("compare " + runs.a + " " + b + " --format json", dir);
  INFO(json.err);
  REQUIRE(json.exit_code == 0);
  const auto j = nlohmann::json::parse(json.out);
  const auto& at = j["attribution"];
  REQUIRE(at["status"] == "attributed");
  CHECK(at["background"].size() == 2);  // year and grid factor
  REQUIRE(at["rows"].size() == j["kpis"].size());
  for (const auto& r : at["rows"]) {
    INFO(r["key"].get<std::string>() << "/" << r["complex"].get<std::string>());
    // The three shares add up to the total difference, on every KPI.
    const double sum = r["interventions"].get<double>() + r["grid_factor"].get<double>() +
                       r["other_background"].get<double>();
    CHECK(sum == doctest::Approx(r["total"].get<double>()).epsilon(1e-9).scale(1.0));
    CHECK(r["total"].get<double>() ==
          doctest::Approx(kpi_row(j["kpis"], r["key"], r["complex"])["delta"].get<double>()));
  }
  const auto row = [&](const std::string& key) {
    for (const auto& r : at["rows"]) {
      if (r["key"] == key && r["complex"] == "all") return r;
    }
    FAIL("no row " << key);
    return nlohmann::json();
  };
  // The grid factor moves scope 2 only; the interventions (PV) do not change fuel; the headline is
  // the interventions' share of the total.
  CHECK(row("tco2e_scope2")["grid_factor"].get<double>() < 0.0);
  CHECK(row("tco2e_scope1")["grid_factor"].get<double>() == 0.0);
  CHECK(row("annual_fuel_mwh")["interventions"].get<double>() == doctest::Approx(0.0));
  CHECK(j["headline"]["tco2e_abated"].get<double>() ==
        doctest::Approx(-row("tco2e_total")["interventions"].get<double>()));
  // Scope 2 of the interventions is the imports they save at B's factor: ΔMWh × 0.26.
  CHECK(row("tco2e_scope2")["interventions"].get<double>() ==
        doctest::Approx(row("annual_import_mwh")["interventions"].get<double>() * 0.26).epsilon(1e-6));

  // CSV and markdown carry the same rows.
  const Run csv = run_sandan("compare " + runs.a + " " + b + " --format csv", dir);
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.find("\ntco2e_total,all,tCO2eq,") != std::string::npos);
  const Run markdown = run_sandan("compare " + runs.a + " " + b + " --format markdown", dir);
  CHECK(markdown.out.find(
            "| key | complex | unit | B − A | interventions | grid factor | other background |") !=
        std::string::npos);
  // Without attribution, the headline is B − A as before.
  const Run plain = run_sandan("compare " + runs.a + " " + b + " --format json --no-attribution", dir);
  const auto p = nlohmann::json::parse(plain.out);
  CHECK(p["attribution"]["status"] == "not_attributed");
  CHECK(p["headline"]["tco2e_abated"].get<double>() ==
        doctest::Approx(-row("tco2e_total")["total"].get<double>()));
}

TEST_CASE("sandan compare warns when one run modelled road traffic and the other did not") {
  const ComparedRuns& runs = compared_runs();
  REQUIRE(runs.a_run.exit_code == 0);
  const TempDir dir("cli_compare_models");
  write_text(dir.path() / "no_traffic.yaml", "name: no_traffic\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                                                 "/scenarios/baseline.yaml\ncomplexes: [local]\n"
                                                 "models: [energy, grid, emissions]\n");
  const std::string c = dir.str("no_traffic.h5");
  const Run made = run_sandan("run " + dir.str("no_traffic.yaml") + " -o " + c, dir);
  INFO(made.err);
  REQUIRE(made.exit_code == 0);

  const Run json = run_sandan("compare " + runs.a + " " + c + " --format json", dir);
  REQUIRE(json.exit_code == 0);
  const auto j = nlohmann::json::parse(json.out);
  // Without traffic, the run's transport is 0: the total change loses all of A's transport, and
  // attribution puts it in the background (B's settings), not in the interventions.
  const double transport = kpi_row(j["kpis"], "tco2e_transport", "all")["a"].get<double>();
  CHECK(transport > 0.0);
  CHECK(j["headline"]["tco2e_change_total"].get<double>() == doctest::Approx(-transport));
  CHECK(j["headline"]["tco2e_abated"].get<double>() == doctest::Approx(0.0));
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["warnings"][0].get<std::string>().find("B did not model road traffic") != std::string::npos);

  const Run table = run_sandan("compare " + c + " " + runs.a, dir);
  CHECK(table.out.find("warning: A did not model road traffic and B did") != std::string::npos);
  const Run csv = run_sandan("compare " + c + " " + runs.a + " --format csv", dir);
  CHECK(csv.exit_code == 0);
  CHECK(csv.err.find("sandan: warning: A did not model road traffic") != std::string::npos);
  const Run markdown = run_sandan("compare " + runs.a + " " + c + " --format markdown", dir);
  CHECK(markdown.out.find("> **Warning**: B did not model road traffic") != std::string::npos);
}

TEST_CASE(
    "sandan compare exits 2 naming the file for a missing file, an unknown run or a file of another kind") {
  const ComparedRuns& runs = compared_runs();
  REQUIRE(runs.a_run.exit_code == 0);
  const TempDir dir("cli_compare_bad");

  const Run missing = run_sandan("compare " + dir.str("absent.h5") + " " + runs.a, dir);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("absent.h5: no such results file") != std::string::npos);

  const Run unknown = run_sandan("compare " + runs.a + ":nosuch " + runs.b, dir);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find(runs.a + ": no run 'nosuch'") != std::string::npos);
  CHECK(unknown.err.find("base_local") != std::string::npos);  // the run the file holds

  write_text(dir.path() / "notes.h5", "not HDF5 at all\n");
  const Run text = run_sandan("compare " + dir.str("notes.h5") + " " + runs.b, dir);
  CHECK(text.exit_code == 2);
  CHECK(text.err.find("notes.h5: not a sandan results file") != std::string::npos);

  // An HDF5 file of another schema: the results file with its root attribute's value replaced (the
  // only place the text appears, a string of the same length).
  std::string bytes = read_file(runs.a);
  const auto at = bytes.find("sandan-results");
  REQUIRE(at != std::string::npos);
  bytes.replace(at, 14, "sandan-weather");
  write_text(dir.path() / "other.h5", bytes);
  const Run other = run_sandan("compare " + runs.a + " " + dir.str("other.h5"), dir);
  CHECK(other.exit_code == 2);
  CHECK(other.err.find("other.h5: not a sandan results file") != std::string::npos);
  CHECK(other.err.find("sandan-weather") != std::string::npos);
  CHECK(other.out.empty());

  CHECK(run_sandan("compare " + runs.a + " " + runs.b + " --format xml", dir).exit_code == 2);
}

TEST_CASE("sandan dnl simulates a case folder and writes vehicles.csv, links.csv and summary.json") {
  TempDir dir("cli_dnl");
  const auto c = dir.path() / "case";
  std::filesystem::create_directories(c);
  // One 1000 m link at 36 km/h (100 s) and one vehicle departing at 10 s, a step end: it enters then
  // and arrives 100 s later.
  write_text(c / "case.yaml",
             "schema: sandan-dnl-case\nversion: 1\nname: one\ncrs: EPSG:5186\nstart_s: 0\nend_s: 600\n");
  write_text(c / "nodes.csv", "node,x_m,y_m\n0,0,0\n1,1000,0\n");
  write_text(c / "links.csv",
             "link,from,to,length_m,lanes,free_speed_kmh,capacity_veh_h,jam_density_veh_km,road_id\n"
             "0,0,1,1000,1,36,1800,145,r\n");
  write_text(c / "zones.csv", "zone,name,kind,node\n0,a,gate,0\n1,b,facility,1\n");
  write_text(c / "vehicles.csv", "vehicle,depart_s,class,pce,origin,destination,route\n0,10,car,1,0,1,0\n");
  const Run run = run_sandan("dnl " + c.string() + " --out " + dir.str("out"), dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("finished        1 of 1") != std::string::npos);
  CHECK(read_file(dir.path() / "out" / "vehicles.csv") ==
        "vehicle,depart_s,entered_s,arrived_s,travel_time_s,free_flow_time_s\n0,10,10,110,100,100\n");
  const auto summary = nlohmann::json::parse(read_file(dir.path() / "out" / "summary.json"));
  CHECK(summary["vehicles"] == 1);
  CHECK(summary["finished"] == 1);
  CHECK(summary["mean_travel_time_s"].get<double>() == 100.0);
}

TEST_CASE("sandan dnl exits 2 for a bad case (naming file and line) and for a wrong command line") {
  TempDir dir("cli_dnl_bad");
  const auto c = dir.path() / "case";
  std::filesystem::create_directories(c);
  write_text(c / "case.yaml",
             "schema: sandan-dnl-case\nversion: 1\nname: one\ncrs: EPSG:5186\nstart_s: 0\nend_s: 600\n");
  write_text(c / "nodes.csv", "node,x_m,y_m\n0,0,0\n1,1000,0\n");
  write_text(c / "links.csv",
             "link,from,to,length_m,lanes,free_speed_kmh,capacity_veh_h,jam_density_veh_km,road_id\n"
             "0,0,1,1000,1,36,1800,145,r\n");
  write_text(c / "zones.csv", "zone,name,kind,node\n0,a,gate,0\n1,b,facility,1\n");
  write_text(c / "vehicles.csv", "vehicle,depart_s,class,pce,origin,destination,route\n0,10,car,1,0,1,3\n");
  const Run bad = run_sandan("dnl " + c.string() + " --out " + dir.str("out"), dir);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find((c / "vehicles.csv").string() + ":2: route: link 3 is not a link of links.csv") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out" / "summary.json"));
  CHECK(run_sandan("dnl", dir).exit_code == 2);
  CHECK(run_sandan("dnl " + c.string() + " --scenario x.yaml --write-case y", dir).exit_code == 2);
  CHECK(run_sandan("dnl --scenario x.yaml", dir).exit_code == 2);
  // A scenario without traffic.dynamic has no case to write.
  const auto scenario = dir.path() / "s.yaml";
  write_text(scenario, "name: s\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                           "/scenarios/baseline.yaml\ntraffic: {trip_rates: " +
                           std::string(SANDAN_SOURCE_DIR) + "/gis_data/traffic/trip_rates.yaml}\n");
  const Run none = run_sandan("dnl --scenario " + scenario.string() + " --write-case " + dir.str("w"), dir);
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("has no dynamic traffic window") != std::string::npos);
}
