// The measured file (docs/results-schema.md, "Measured files"): what write_measured stores reads back
// unchanged through read_measured, NaN for missing hours included, and read_measured refuses files
// that are not measured files, naming the file and the dataset.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "twin/measured.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

std::string temp_file(const std::string& name) {
  return (fs::temp_directory_path() / ("sandan_measured_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

MeasuredData sample() {
  MeasuredData d;
  d.start_year = 2018;
  d.first_hour = 1;
  d.hours = 3;
  MeterInfo a;
  a.meter_id = "steel_plant";
  a.target_id = "machinery_f0058";
  a.interval_minutes = 15;
  a.unit = "kWh";
  a.source = "steel.csv";
  MeterInfo b;
  b.meter_id = "roof_pv";
  b.target = MeterTarget::kComplex;
  b.target_id = "machinery";
  b.quantity = MeterQuantity::kPv;
  b.unit = "Wh";
  b.scale_applied = 0.001;
  b.capacity_kwp = 100.0;
  b.source = "pv.csv";
  d.meters = {a, b};
  d.energy_kwh = {1.0, kMissing, 3.5, 0.0, 2.0, 4.0};
  d.findings.push_back(
      {"steel_plant", "gap", 4, "2018-01-01T02:00:00+09:00", "flagged", "one gap of 4 intervals"});
  d.sources = {"steel.csv", "pv.csv", "map.yaml"};
  NativeSeries na{15, 60, {0.25, 0.25, 0.25, 0.25, kMissing}};
  NativeSeries nb{60, 60, {0.0, 2.0, 4.0}};
  d.native = {na, nb};
  return d;
}

TEST_CASE("a measured file reads back as written") {
  const std::string path = temp_file("roundtrip.h5");
  const MeasuredData d = sample();
  write_measured(path, d);
  const MeasuredData r = read_measured(path);
  CHECK(r.start_year == 2018);
  CHECK(r.first_hour == 1);
  CHECK(r.hours == 3);
  REQUIRE(r.meters.size() == 2);
  CHECK(r.meters[0].meter_id == "steel_plant");
  CHECK(r.meters[0].target == MeterTarget::kFacility);
  CHECK(r.meters[0].target_id == "machinery_f0058");
  CHECK(r.meters[0].interval_minutes == 15);
  CHECK(r.meters[1].target == MeterTarget::kComplex);
  CHECK(r.meters[1].quantity == MeterQuantity::kPv);
  CHECK(r.meters[1].scale_applied == 0.001);
  CHECK(r.meters[1].capacity_kwp == 100.0);
  CHECK(r.meters[1].source == "pv.csv");
  REQUIRE(r.energy_kwh.size() == 6);
  CHECK(r.at(0, 0) == 1.0);
  CHECK(std::isnan(r.at(0, 1)));
  CHECK(r.at(1, 2) == 4.0);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].check == "gap");
  CHECK(r.findings[0].count == 4);
  CHECK(r.findings[0].first == "2018-01-01T02:00:00+09:00");
  CHECK(r.sources.size() == 3);
  REQUIRE(r.native.size() == 2);
  CHECK(r.native[0].interval_minutes == 15);
  CHECK(r.native[0].first_minute == 60);
  CHECK(r.native[0].energy_kwh.size() == 5);
  CHECK(std::isnan(r.native[0].energy_kwh[4]));
  fs::remove(path);
}

TEST_CASE("no file is left behind when the data are inconsistent, and a wrong file is named") {
  const std::string path = temp_file("bad.h5");
  MeasuredData d = sample();
  d.meters[1].meter_id = "a/b";
  CHECK_THROWS_AS(write_measured(path, d), Error);
  CHECK_FALSE(fs::exists(path));
  // A file of another schema: the message names it.
  const std::string text = temp_file("text.h5");
  {
    std::FILE* f = std::fopen(text.c_str(), "w");
    std::fputs("not hdf5", f);
    std::fclose(f);
  }
  try {
    (void)read_measured(text);
    FAIL("read_measured accepted a text file");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find(text) != std::string::npos);
    CHECK(e.code() == ErrorCode::kBadInput);
  }
  fs::remove(text);
}

}  // namespace
}  // namespace sandan
