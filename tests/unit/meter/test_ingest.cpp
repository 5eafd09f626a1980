// meter/ingest and meter/meter_map: files and a mapping into MeasuredData on the hourly KST axis,
// and the steel plant export shipped in tests/data/steel_plant_2018.
#include "meter/ingest.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/error.hpp"

using namespace sandan;
using namespace sandan::meter;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("sandan_meter_" + std::to_string(std::rand()) + "_" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    std::ofstream(p) << text;
    return p.string();
  }
};

std::string problems_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const QualityFinding* find(const MeasuredData& d, const std::string& check) {
  for (const auto& f : d.findings) {
    if (f.check == check) return &f;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("aggregate_hourly: sums complete hours on the KST axis, NaN otherwise") {
  // 15-minute series starting 2018-01-01 00:00 KST (2017-12-31 15:00 UTC): 8 intervals of 1 kWh,
  // the 6th missing. Hour 0 = 4 kWh; hour 1 incomplete = NaN.
  NativeSeriesUtc s;
  s.start_utc = days_from_civil(2017, 12, 31) * 1440 + 15 * 60;
  s.interval_minutes = 15;
  s.energy_kwh = {1, 1, 1, 1, 1, std::nan(""), 1, 1};
  MeasuredData d;
  d.meters.resize(1);
  aggregate_hourly({s}, d);
  CHECK(d.start_year == 2018);
  CHECK(d.first_hour == 0);
  REQUIRE(d.hours == 2);
  CHECK(d.at(0, 0) == 4.0);
  CHECK(std::isnan(d.at(0, 1)));
}

TEST_CASE("mapping file: every problem with file, line and fix") {
  TempDir dir;
  const std::string good =
      dir.write("good.yaml",
                "schema: sandan-meter-map\nversion: 1\ntimezone: UTC\nmeters:\n"
                "  - meter: a\n    facility: f1\n    unit: kWh\n"
                "  - meter: p\n    complex: juan\n    quantity: pv\n    capacity_kwp: 50\n");
  const MeterMap map = read_meter_map(good);
  REQUIRE(map.meters.size() == 2);
  CHECK(map.timezone->offset_minutes == 0);
  CHECK(map.meters[1].target == MeterTarget::kComplex);
  CHECK(map.meters[1].quantity == MeterQuantity::kPv);
  CHECK(map.meters[1].capacity_kwp == 50.0);

  const std::string bad = dir.write("bad.yaml",
                                    "schema: sandan-meter-map\nversion: 1\ntimezone: Europe/Paris\nmeters:\n"
                                    "  - meter: a\n    facility: f1\n    feeder: x\n"
                                    "  - meter: a\n    facility: f2\n    unit: kVarh\n    colour: red\n"
                                    "  - meter: p\n    facility: f3\n    quantity: pv\n");
  const std::string message = problems_of([&] { (void)read_meter_map(bad); });
  CHECK(message.find("bad.yaml:3: timezone: unknown zone 'Europe/Paris'") != std::string::npos);
  CHECK(message.find("names 2 targets") != std::string::npos);
  CHECK(message.find("meter 'a' is mapped twice") != std::string::npos);
  CHECK(message.find("unknown unit 'kVarh'") != std::string::npos);
  CHECK(message.find("colour") != std::string::npos);
  CHECK(message.find("needs capacity_kwp") != std::string::npos);
}

TEST_CASE("ingest: long and wide files, zones, and meters missing from the mapping") {
  TempDir dir;
  const std::string map_path = dir.write("map.yaml",
                                         "schema: sandan-meter-map\nversion: 1\nmeters:\n"
                                         "  - meter: a\n    facility: f1\n"
                                         "  - meter: b\n    facility: f2\n    unit: kW\n");
  // Meter a: hourly kWh stamped in UTC (Z): 15:00Z on 31 December is 00:00 KST on 1 January.
  const std::string long_csv = dir.write("long.csv",
                                         "meter,timestamp,value,unit\n"
                                         "a,2017-12-31T15:00Z,1,kWh\na,2017-12-31T16:00Z,2,kWh\n"
                                         "a,2017-12-31T17:00Z,3,kWh\n");
  // Meter b: 30-minute mean kW in local time (Asia/Seoul by default): 2 kW for 30 min = 1 kWh.
  const std::string wide_csv = dir.write("wide.csv",
                                         "timestamp,b\n2018-01-01 01:00,2\n2018-01-01 01:30,2\n"
                                         "2018-01-01 02:00,4\n2018-01-01 02:30,4\n");
  IngestOptions options;
  options.stamps = StampMode::kStart;
  const IngestResult r = ingest({long_csv, wide_csv}, read_meter_map(map_path), options, {});
  const MeasuredData& d = r.data;
  CHECK(r.files == std::vector<std::string>{"long", "wide"});
  REQUIRE(d.meters.size() == 2);
  CHECK(d.start_year == 2018);
  CHECK(d.first_hour == 0);
  REQUIRE(d.hours == 3);
  CHECK(d.at(0, 0) == 1.0);
  CHECK(d.at(0, 2) == 3.0);
  CHECK(std::isnan(d.at(1, 0)));
  CHECK(d.at(1, 1) == doctest::Approx(2.0));  // 2 kW × 0.5 h × 2
  CHECK(d.at(1, 2) == doctest::Approx(4.0));
  CHECK(d.meters[1].unit == "kW");
  CHECK(d.meters[1].interval_minutes == 30);
  REQUIRE(d.native.size() == 2);
  CHECK(d.native[1].first_minute == 60);
  CHECK(d.sources.back() == map_path);

  const std::string stray = dir.write("stray.csv", "meter,timestamp,value,unit\nzz,2018-01-01 00:00,1,kWh\n");
  const std::string message =
      problems_of([&] { (void)ingest({stray}, read_meter_map(map_path), options, {}); });
  CHECK(message.find("stray.csv:2: meter zz is not in the mapping") != std::string::npos);
  const std::string unit_clash =
      dir.write("clash.csv", "meter,timestamp,value,unit\nb,2018-01-01 00:00,1,kWh\n");
  CHECK(problems_of([&] {
          (void)ingest({unit_clash}, read_meter_map(map_path), options, {});
        }).find("make them agree") != std::string::npos);
}

TEST_CASE("the steel plant export: midnight dates, end stamps, 26,208 rows, Jan 1 to Sep 30") {
  const std::string csv =
      std::string(SANDAN_TEST_DATA_DIR) + "/steel_plant_2018/Steel_industry_data_jan-sep.csv";
  TempDir dir;
  const std::string map_path = dir.write("map.yaml",
                                         "schema: sandan-meter-map\nversion: 1\nmeters:\n"
                                         "  - meter: steel_plant\n    file: Steel_industry_data_jan-sep.csv\n"
                                         "    facility: machinery_f0058\n");
  // The file's own total, summed here independently of the readers: the second field of every row.
  double file_total_kwh = 0.0;
  int rows = 0;
  {
    std::ifstream in(csv);
    REQUIRE(in);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto comma = line.find(',');
      file_total_kwh += std::strtod(line.c_str() + comma + 1, nullptr);
      ++rows;
    }
  }
  CHECK(rows == 26208);
  CHECK(file_total_kwh == doctest::Approx(729316.67).epsilon(1e-9));

  const IngestResult r = ingest({csv}, read_meter_map(map_path), IngestOptions{}, {});
  CHECK(r.files.front() == "steel_plant");
  const MeterReport& m = r.reports.front();
  CHECK(m.rows == 26208);
  CHECK(m.interval_minutes == 15);
  CHECK(m.stamps == StampMode::kEnd);
  CHECK(format_kst(m.first_start_utc) == "2018-01-01T00:00+09:00");
  CHECK(format_kst(m.end_utc) == "2018-10-01T00:00+09:00");
  CHECK(m.missing_intervals == 0);
  // One 00:00 stamp a day carries the date of the day it closes: 273 days (31+28+31+30+31+30+31+31+30).
  const QualityFinding* midnight = find(r.data, "midnight_date");
  REQUIRE(midnight);
  CHECK(midnight->count == 273);
  CHECK(midnight->first == "2018-01-02T00:00+09:00");
  // Nothing else needs repair: no gaps, duplicates, negatives, zeros or stuck values (checked with an
  // independent Python script on the CSV: 26,207 steps of exactly 15 minutes after the midnight
  // repair, minimum 2.45 kWh, longest run of one value 6 intervals = 1.5 h). The same script, with the
  // spike test of docs/twin.md in numpy, finds one run of two outlying intervals, stamped 05/01/2018
  // 17:15 and 17:30 (69.80 → 145.69, 117.68 → 41.54 kWh): flagged, kept.
  REQUIRE(r.data.findings.size() == 2);
  const QualityFinding* spike = find(r.data, "spike");
  REQUIRE(spike);
  CHECK(spike->action == "flagged");
  CHECK(spike->count == 2);
  CHECK(spike->first == "2018-01-05T17:00+09:00");  // start of the interval stamped 17:15
  // 6552 hours = 273 days, all complete; the hourly total is the file's.
  const MeasuredData& d = r.data;
  CHECK(d.start_year == 2018);
  CHECK(d.first_hour == 0);
  REQUIRE(d.hours == 6552);
  double hourly_total_kwh = 0.0;
  for (int h = 0; h < d.hours; ++h) {
    REQUIRE(!std::isnan(d.at(0, h)));
    hourly_total_kwh += d.at(0, h);
  }
  CHECK(hourly_total_kwh == doctest::Approx(file_total_kwh).epsilon(1e-12));
  // The first hour: 3.17 + 4 + 3.24 + 3.31 kWh, the file's first four rows.
  CHECK(d.at(0, 0) == doctest::Approx(13.72));
}
