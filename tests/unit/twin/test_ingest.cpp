// twin/ingest: the mapping's targets against a layout and the expected annual energy each meter is
// checked against (docs/twin.md, "Quality checks"), on the tiny layout of tests/support/fixtures.hpp,
// and a whole ingest through it: a unit off by 1000 repaired, an unknown target refused.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "energy/loads.hpp"
#include "gis/reader.hpp"
#include "meter/meter_map.hpp"
#include "support/fixtures.hpp"
#include "twin/ingest.hpp"

namespace sandan {
namespace {

using test::TempDir;
using test::write_text;

const std::string kArchetypes = std::string(SANDAN_GIS_DATA_DIR) + "/loads/archetypes.yaml";

std::string write_map(const TempDir& dir, const std::string& meters) {
  const auto path = dir.path() / "map.yaml";
  write_text(path, "schema: sandan-meter-map\nversion: 1\nmeters:\n" + meters);
  return path.string();
}

TEST_CASE("expected annual energy of facility, complex, feeder, substation and PV meters") {
  TempDir dir("twin_expected");
  const std::string layout = test::write_layers(dir, test::tiny_layers());
  const Site site = load_site({layout});
  const LoadLibrary library = read_load_library(kArchetypes);
  const std::string map_path = write_map(dir,
                                         "  - {meter: a, facility: f1}\n"
                                         "  - {meter: b, facility: f2}\n"
                                         "  - {meter: c, complex: alpha}\n"
                                         "  - {meter: d, feeder: fd1}\n"
                                         "  - {meter: e, substation: ss1}\n"
                                         "  - {meter: p, facility: f1, quantity: pv, capacity_kwp: 100}\n");
  const meter::MeterMap map = meter::read_meter_map(map_path);
  const auto expected = expected_annual_energy(map, site, library, layout);
  // f1: the layout's annual_elec_mwh 2,500 MWh.
  CHECK(expected.at("a").annual_kwh == doctest::Approx(2.5e6));
  // f2: no annual figure; 40,000 m² × 550 kWh/m² (C26, gis_data/loads/archetypes.yaml) = 22,000,000 kWh.
  CHECK(expected.at("b").annual_kwh == doctest::Approx(2.2e7));
  // The complex, the feeder and its substation hold both facilities: f1 is on bus b1 (feeder fd1), f2
  // names no bus and its nearest is b2 (≈205 m from its centroid (650, 640); b1 is ≈660 m), also fd1.
  CHECK(expected.at("c").annual_kwh == doctest::Approx(2.45e7));
  CHECK(expected.at("d").annual_kwh == doctest::Approx(2.45e7));
  CHECK(expected.at("e").annual_kwh == doctest::Approx(2.45e7));
  // PV: 100 kWp × 1,100 kWh/kWp.
  CHECK(expected.at("p").annual_kwh == doctest::Approx(1.1e5));
  CHECK(expected.at("b").basis.find("550") != std::string::npos);
}

TEST_CASE("unknown targets are refused with the mapping's file and line") {
  TempDir dir("twin_unknown");
  const std::string layout = test::write_layers(dir, test::tiny_layers());
  const Site site = load_site({layout});
  const LoadLibrary library = read_load_library(kArchetypes);
  const std::string map_path = write_map(dir,
                                         "  - {meter: a, facility: f1}\n"
                                         "  - {meter: b, feeder: fd9}\n"
                                         "  - {meter: c, complex: beta}\n");
  const meter::MeterMap map = meter::read_meter_map(map_path);
  try {
    (void)expected_annual_energy(map, site, library, layout);
    FAIL("unknown targets were accepted");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 2);
    CHECK(e.problems()[0].find("map.yaml:5") != std::string::npos);
    CHECK(e.problems()[0].find("fd9") != std::string::npos);
    CHECK(e.problems()[1].find("map.yaml:6") != std::string::npos);
    CHECK(e.problems()[1].find("alpha") != std::string::npos);  // the complexes it has
  }
}

TEST_CASE("a whole ingest: a unit off by 1000 repaired against the facility's expected energy") {
  TempDir dir("twin_ingest");
  const std::string layout = test::write_layers(dir, test::tiny_layers());
  // The load archetypes beside the layout, where ingest looks for them first.
  std::filesystem::create_directories(dir.path() / "loads");
  write_text(dir.path() / "loads" / "archetypes.yaml", test::read_text_file(kArchetypes));
  const std::string map_path = write_map(dir, "  - {meter: m1, facility: f1, unit: kWh}\n");
  // Two days of 15-minute data of f1 in MWh but labelled kWh: f1's 2,500 MWh a year is 2.5e6 / 35,040
  // = 71.35 kWh a quarter hour; 0.07135 "kWh" annualises to 2,500 kWh, a ratio of 0.001.
  std::string csv = "timestamp,m1\n";
  for (int i = 0; i < 2 * 96; ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "2026-05-%02dT%02d:%02d,0.07135\n", 11 + i / 96, (i % 96) / 4,
                  15 * (i % 4));
    csv += line;
  }
  write_text(dir.path() / "wide.csv", csv);
  IngestRequest request;
  request.data_files = {(dir.path() / "wide.csv").string()};
  request.map_path = map_path;
  request.site = layout;
  request.output = (dir.path() / "measured.h5").string();
  const IngestReport report = ingest(request);
  REQUIRE(report.result.data.meters.size() == 1);
  CHECK(report.result.data.meters[0].scale_applied == 1000.0);
  bool unit_scale = false;
  for (const QualityFinding& f : report.result.data.findings) unit_scale |= f.check == "unit_scale";
  CHECK(unit_scale);
  // 48 whole hours of 4 × 71.35 kWh.
  REQUIRE(report.result.data.hours == 48);
  CHECK(report.result.data.at(0, 0) == doctest::Approx(4 * 71.35));
  CHECK(std::filesystem::exists(request.output));
  CHECK(ingest_report_text(report).find("unit_scale") != std::string::npos);

  // The output equal to an input is refused before anything is read.
  request.output = request.data_files[0];
  CHECK_THROWS_AS((void)ingest(request), Error);
}

TEST_CASE("a cancelled ingest stops at each of its stopping points with kInterrupted and writes nothing") {
  TempDir dir("twin_ingest_cancel");
  const std::string layout = test::write_layers(dir, test::tiny_layers());
  std::filesystem::create_directories(dir.path() / "loads");
  write_text(dir.path() / "loads" / "archetypes.yaml", test::read_text_file(kArchetypes));
  const std::string map_path = write_map(dir,
                                         "  - {meter: m1, facility: f1, unit: kWh}\n"
                                         "  - {meter: m2, facility: f2, unit: kWh}\n");
  // Two files of one meter each, a day of hourly data.
  for (const char* meter : {"m1", "m2"}) {
    std::string csv = std::string("timestamp,") + meter + "\n";
    for (int h = 0; h < 24; ++h)
      csv += "2026-05-11T" + std::string(h < 10 ? "0" : "") + std::to_string(h) + ":00,5\n";
    write_text(dir.path() / (std::string(meter) + ".csv"), csv);
  }
  const std::filesystem::path out_dir = dir.path() / "out";
  std::filesystem::create_directories(out_dir);
  IngestRequest request;
  request.data_files = {(dir.path() / "m1.csv").string(), (dir.path() / "m2.csv").string()};
  request.map_path = map_path;
  request.site = layout;
  request.output = (out_dir / "measured.h5").string();
  request.threads = 1;
  // Uncancelled, counting the times it is asked: once after each phase (mapping, layout, expected
  // energy, before writing), before each of the 2 files and each of the 2 meters' checks, and after
  // the checks: 4 + 2 + 2 + 1 = 9.
  int asked = 0;
  request.cancelled = [&asked] {
    ++asked;
    return false;
  };
  (void)ingest(request);
  CHECK(asked == 9);
  std::filesystem::remove(request.output);
  // Asked to stop at the k-th point, for every k: Error(kInterrupted) and nothing in the output's
  // folder, no measured file and no temporary file.
  for (int stop_at = 1; stop_at <= 9; ++stop_at) {
    CAPTURE(stop_at);
    int count = 0;
    request.cancelled = [&count, stop_at] { return ++count >= stop_at; };
    try {
      (void)ingest(request);
      FAIL("the cancelled ingest returned");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kInterrupted);
      CHECK(std::string(e.what()).find("nothing was written") != std::string::npos);
    }
    CHECK(std::filesystem::is_empty(out_dir));
  }
}

}  // namespace
}  // namespace sandan
