// `sandan calibrate` as a user runs it: a measured file of one facility of the shipped layout, the
// report as JSON and the calibration file it writes; bad input exits 2 naming the file, the meter and
// the fix, and writes nothing.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/calendar.hpp"
#include "energy/calibration.hpp"
#include "support/fixtures.hpp"
#include "twin/measured.hpp"

using namespace sandan;
using namespace sandan::test;

namespace {

namespace fs = std::filesystem;

std::string source(const std::string& relative) { return std::string(SANDAN_SOURCE_DIR) + "/" + relative; }

Command calibrate_cli(const std::string& args, const TempDir& dir) {
  return run_command(std::string(SANDAN_EXE) + " calibrate " + args, dir);
}

// A year (2025) of hourly load of machinery_f0058 (a facility of the shipped layout): 300 kW in working
// hours of weekdays, 60 kW otherwise, plus 4 kW/K below 10 °C of a smooth annual temperature cycle.
std::string write_measured_file(const TempDir& dir, const std::string& target = "machinery_f0058") {
  const Calendar calendar = load_calendar(2025, source("gis_data/calendar/holidays_kr.csv"));
  MeasuredData data;
  data.start_year = 2025;
  data.hours = calendar.hours();
  MeterInfo meter;
  meter.meter_id = "m1";
  meter.target_id = target;
  meter.unit = "kWh";
  meter.source = "synthetic";
  data.meters.push_back(meter);
  for (int h = 0; h < data.hours; ++h) {
    const bool working = calendar.day_type(h) == DayType::kWeekday && calendar.hour_of_day(h) >= 8 &&
                         calendar.hour_of_day(h) < 18;
    data.energy_kwh.push_back((working ? 300.0 : 60.0) * (1.0 + 0.05 * std::sin(0.7 * h)));
  }
  data.sources.push_back("synthetic");
  std::string path = (dir.path() / "measured.h5").string();
  write_measured(path, data);
  return path;
}

const std::string kSite = " --site " + source("gis_data/incheon.gpkg");

}  // namespace

TEST_CASE("sandan calibrate fits a facility meter, prints the report and writes the calibration") {
  TempDir dir("cli_calibrate");
  const std::string measured = write_measured_file(dir);
  const std::string out = (dir.path() / "calibration.yaml").string();
  const Command run =
      calibrate_cli(measured + kSite + " -o " + out + " --holdout 2025-08-01/2025-09-30 --json", dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto report = nlohmann::json::parse(run.out);
  CHECK(report["year"] == 2025);
  CHECK(report["holdout"] == "2025-08-01/2025-09-30");
  REQUIRE(report["meters"].size() == 1);
  const auto& m = report["meters"][0];
  CHECK(m["meter"] == "m1");
  CHECK(m["method"] == "model");
  CHECK(m["shift_pattern"] == "day");
  // The model is the data's own form up to the ±5 % sine: Guideline 14 passes in and out of sample.
  CHECK(m["after"]["in_sample"]["hourly"]["passes"] == true);
  CHECK(m["after"]["holdout"]["hourly"]["passes"] == true);
  CHECK(m["after"]["holdout"]["hourly"]["p"] == 0);
  const Calibration calibration = read_calibration(out);
  REQUIRE(calibration.loads.size() == 1);
  CHECK(calibration.loads[0].facility_id == "machinery_f0058");
  CHECK(calibration.loads[0].base_kw[0][10] == doctest::Approx(300.0).epsilon(0.05));
  CHECK(read_text_file(out).find("metrics:") != std::string::npos);

  const Command table = calibrate_cli(measured + kSite + " -o " + out, dir);
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("ASHRAE Guideline 14-2014") != std::string::npos);
}

TEST_CASE("sandan calibrate refuses bad input with exit code 2 and writes nothing") {
  TempDir dir("cli_calibrate_bad");
  const std::string out = (dir.path() / "calibration.yaml").string();
  auto expect_refused = [&](const std::string& measured, const std::string& args, const std::string& words) {
    const Command run = calibrate_cli(measured + kSite + " -o " + out + args, dir);
    INFO(args);
    INFO(run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find(words) != std::string::npos);
    CHECK_FALSE(fs::exists(out));
  };
  SUBCASE("a holdout outside the data") {
    const std::string measured = write_measured_file(dir);
    expect_refused(measured, " --holdout 2026-01-01/2026-01-31",
                   "holdout 2026-01-01/2026-01-31 is not within 2025");
  }
  SUBCASE("a holdout that is not a date range") {
    const std::string measured = write_measured_file(dir);
    expect_refused(measured, " --holdout 2025-09-30/2025-08-01", "must be FROM/TO");
  }
  SUBCASE("a facility the layout lacks") {
    const std::string measured = write_measured_file(dir, "machinery_f9999");
    expect_refused(measured, "", "meter 'm1': facility 'machinery_f9999' is not in the layout");
  }
  SUBCASE("a year outside the data") {
    const std::string measured = write_measured_file(dir);
    expect_refused(measured, " --year 2027", "do not overlap 2027");
  }
  SUBCASE("the output is the measured file") {
    const std::string measured = write_measured_file(dir);
    const auto size = fs::file_size(measured);
    const Command run = calibrate_cli(measured + kSite + " -o " + measured, dir);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("the output is the measured data input") != std::string::npos);
    CHECK(fs::file_size(measured) == size);
  }
}
