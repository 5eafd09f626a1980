// `sandan ingest` as a user runs it: the steel plant export with the worked-example mapping, and each
// kind of bad input of docs/twin.md ("Mapping") exiting 2 with the file, the place and the fix, and
// no output file.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/fixtures.hpp"

using namespace sandan::test;

namespace {

namespace fs = std::filesystem;

std::string source(const std::string& relative) { return std::string(SANDAN_SOURCE_DIR) + "/" + relative; }

Command ingest(const std::string& args, const TempDir& dir) {
  return run_command(std::string(SANDAN_EXE) + " ingest " + args, dir);
}

const std::string kSite = " --site " + source("gis_data/incheon.gpkg");

// A long-form mapping of meter m1 to machinery_f0058 (a facility of the shipped layout).
void write_map(const TempDir& dir, const std::string& target = "facility: machinery_f0058") {
  write_text(dir.path() / "map.yaml",
             "schema: sandan-meter-map\nversion: 1\nmeters:\n  - meter: m1\n    " + target + "\n");
}

// A day of hourly readings of m1 with the given unit, one of them (row `bad_row`, 0-based) replaced.
void write_long(const TempDir& dir, const std::string& unit, int bad_row = -1, const std::string& bad = "") {
  std::string text = "meter_id,timestamp,value,unit\n";
  for (int h = 0; h < 24; ++h) {
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "2024-03-04T%02d:00", h);
    text += h == bad_row ? bad : "m1," + std::string(stamp) + ",250," + unit;
    text += "\n";
  }
  write_text(dir.path() / "data.csv", text);
}

}  // namespace

TEST_CASE("sandan ingest reads the steel plant export and names what it found") {
  TempDir dir("cli_ingest_steel");
  const std::string out = (dir.path() / "measured.h5").string();
  const Command run =
      ingest(source("tests/data/steel_plant_2018/Steel_industry_data_jan-sep.csv") + " --map " +
                 source("docs/examples/steel_plant_meter_map.yaml") + " -o " + out + " --json",
             dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json report = nlohmann::json::parse(run.out);
  REQUIRE(report["meters"].size() == 1);
  const auto& m = report["meters"][0];
  CHECK(m["meter"] == "steel_plant");
  CHECK(m["target_id"] == "machinery_f0058");
  CHECK(m["rows"] == 26208);  // data README: January to September, 26,208 rows
  CHECK(m["interval_minutes"] == 15);
  CHECK(m["stamps"] == "end");
  // End stamps from 01/01/2018 00:15 to 30/09/2018 00:00 (read as 1 October 00:00): the intervals
  // run from 1 January 00:00 to 1 October 00:00 KST, 273 days × 96 = 26,208 intervals.
  CHECK(m["first"] == "2018-01-01T00:00+09:00");
  CHECK(m["end"] == "2018-10-01T00:00+09:00");
  bool midnight = false;
  for (const auto& f : m["findings"]) {
    if (f["check"] == "midnight_date") {
      midnight = true;
      CHECK(f["count"] == 273);  // one closing 00:00 stamp a day, 1 January to 30 September
      CHECK(f["action"] == "repaired");
    }
    CHECK(f["check"] != "gap");
    CHECK(f["check"] != "duplicate");
  }
  CHECK(midnight);
  // The sum of Usage_kWh over the file, 729,316.67 kWh (computed with Python's csv module,
  // tests/python/test_twin_ingest.py does it again).
  CHECK(m["hourly_total_kwh"].get<double>() == doctest::Approx(729316.67).epsilon(1e-9));
  CHECK(m["missing_hours"] == 0);
  CHECK(report["summary"]["hours"] == 6552);  // 273 days × 24
  CHECK(fs::exists(out));

  const Command text = ingest(source("tests/data/steel_plant_2018/Steel_industry_data_jan-sep.csv") +
                                  " --map " + source("docs/examples/steel_plant_meter_map.yaml"),
                              dir);
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("midnight_date") != std::string::npos);
  CHECK(text.out.find("stamps mark the end of their interval") != std::string::npos);
  CHECK(text.out.find("rows 26,208") != std::string::npos);
}

TEST_CASE("sandan ingest: bad input exits 2, names the place and the fix, and writes nothing") {
  TempDir dir("cli_ingest_bad");
  const std::string out = (dir.path() / "measured.h5").string();
  const std::string data = (dir.path() / "data.csv").string();
  const std::string map = (dir.path() / "map.yaml").string();
  auto expect_refused = [&](const std::string& args, const std::string& words) {
    const Command run = ingest(args + " -o " + out, dir);
    INFO(args);
    INFO(run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find(words) != std::string::npos);
    CHECK_FALSE(fs::exists(out));
  };

  SUBCASE("good input is accepted (the baseline of the cases below)") {
    write_map(dir);
    write_long(dir, "kWh");
    const Command run = ingest(data + " --map " + map + kSite + " -o " + out, dir);
    INFO(run.err);
    CHECK(run.exit_code == 0);
    CHECK(fs::exists(out));
  }
  SUBCASE("an unparseable stamp") {
    write_map(dir);
    write_long(dir, "kWh", 5, "m1,04/03/2024 5h,250,kWh");
    expect_refused(data + " --map " + map + kSite, "data.csv:7");  // header on line 1, row 5 on line 7
  }
  SUBCASE("a unit that is neither energy nor power") {
    write_map(dir);
    write_long(dir, "kVarh");
    expect_refused(data + " --map " + map + kSite, "kVarh");
  }
  SUBCASE("a meter missing from the mapping") {
    write_map(dir);
    write_long(dir, "kWh", 3, "m2,2024-03-04T03:00,250,kWh");
    expect_refused(data + " --map " + map + kSite, "m2");
  }
  SUBCASE("a target the layout does not have") {
    write_map(dir, "facility: machinery_f9999");
    write_long(dir, "kWh");
    expect_refused(data + " --map " + map + kSite, "map.yaml:4");  // the line of the meter's entry
  }
  SUBCASE("a data file that does not exist") {
    write_map(dir);
    expect_refused((dir.path() / "nowhere.csv").string() + " --map " + map + kSite, "nowhere.csv");
  }
  SUBCASE("a zone sandan does not know") {
    write_map(dir);
    write_long(dir, "kWh");
    expect_refused(data + " --map " + map + kSite + " --timezone Europe/Paris", "Asia/Seoul");
  }
  SUBCASE("the output is an input") {
    write_map(dir);
    write_long(dir, "kWh");
    const Command run = ingest(data + " --map " + map + kSite + " -o " + data, dir);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("also an input") != std::string::npos);
    CHECK(read_text_file(data).find("meter_id") == 0);  // untouched
  }
}

TEST_CASE(
    "sandan ingest and sandan weather remove the temporary file a killed writer of the same output left") {
  TempDir dir("cli_ingest_stale");
  // A process id that no longer runs: a child that exited and was reaped.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  const std::string dead = std::to_string(child);
  const std::string out = (dir.path() / "measured.h5").string();
  write_text(out + ".tmp-" + dead, "half a measured file");
  write_map(dir);
  write_long(dir, "kWh");
  const Command run =
      ingest(dir.str("data.csv") + " --map " + dir.str("map.yaml") + kSite + " -o " + out, dir);
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(fs::is_regular_file(out));
  CHECK_FALSE(fs::exists(out + ".tmp-" + dead));

  const std::string epw = (dir.path() / "year.epw").string();
  write_text(epw + ".tmp-" + dead, "half a weather file");
  const Command weather = run_command(
      std::string(SANDAN_EXE) + " weather " + source("gis_data/weather/incheon_normals.csv") + " -o " + epw,
      dir);
  INFO(weather.err);
  CHECK(weather.exit_code == 0);
  CHECK(fs::is_regular_file(epw));
  CHECK_FALSE(fs::exists(epw + ".tmp-" + dead));
}
