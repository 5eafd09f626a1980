#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "energy/weather.hpp"
#include "support/fixtures.hpp"

using namespace sandan;

namespace {

// Column indices (0-based) of the EPW data row, from the EPW data dictionary.
constexpr std::size_t kDryBulb = 6;
constexpr std::size_t kRelativeHumidity = 8;
constexpr std::size_t kGhi = 13;
constexpr std::size_t kWindDirection = 20;

std::string tenths(int value_tenths) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value_tenths / 10.0);
  return buffer;
}

// A small but complete EPW file built in the test: hand-checkable values that follow the hour of day.
// Rows are kept as fields so that each test can break exactly one thing.
struct EpwText {
  std::vector<std::string> header{"LOCATION,Incheon,Gyeonggi,KOR,sandan test,471120,37.48,126.63,9.0,69.0",
                                  "DESIGN CONDITIONS,0",
                                  "TYPICAL/EXTREME PERIODS,0",
                                  "GROUND TEMPERATURES,0",
                                  "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
                                  "COMMENTS 1,Built inside the test",
                                  "COMMENTS 2,text after the keyword, commas included",
                                  "DATA PERIODS,1,1,Data,Thursday, 1/ 1,12/31"};
  std::vector<std::vector<std::string>> rows;

  explicit EpwText(bool leap_day = false) {
    if (leap_day) header[4] = "HOLIDAYS/DAYLIGHT SAVINGS,Yes,0,0,0";
    const int year = leap_day ? 2024 : 2026;
    for (int row = 0; row < days_in_year(year) * 24; ++row) {
      const Date date = date_of_day(year, row / 24 + 1);
      const int hour_of_day = row % 24;  // the row covers hour_of_day .. hour_of_day + 1
      const bool day = hour_of_day >= 7 && hour_of_day <= 16;
      const int ghi = day ? 100 * (5 - std::abs(2 * hour_of_day - 23) / 2) : 0;
      rows.push_back({std::to_string(year),
                      std::to_string(date.month),
                      std::to_string(date.day),
                      std::to_string(hour_of_day + 1),
                      "60",
                      "?9?9?9?9",
                      tenths(50 + 5 * hour_of_day),
                      tenths(-10 + hour_of_day),
                      std::to_string(60 + hour_of_day),
                      "101325",
                      "9999",
                      "9999",
                      "9999",
                      std::to_string(ghi),
                      std::to_string(ghi),
                      std::to_string(ghi / 2),
                      "999999",
                      "999999",
                      "999999",
                      "9999",
                      std::to_string(15 * hour_of_day),
                      tenths(10 + hour_of_day),
                      "99",
                      "99",
                      "9999",
                      "99999",
                      "9",
                      "999999999",
                      "999",
                      "0.999",
                      "999",
                      "99",
                      "999",
                      "999",
                      "99"});
    }
  }

  [[nodiscard]] std::string text() const {
    std::string out;
    for (const auto& line : header) out += line + "\r\n";
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + row[i];
      out += "\r\n";
    }
    return out;
  }

  [[nodiscard]] std::string write(const test::TempDir& dir, const std::string& name = "weather.epw") const {
    const auto path = dir.path() / name;
    test::write_text(path, text());
    return path.string();
  }
};

int line_of(int row) { return row + kEpwHeaderLines + 1; }

std::vector<std::string> problems_of(const std::string& path) {
  try {
    (void)read_epw(path);
  } catch (const ConfigError& error) {
    CHECK(error.code() == ErrorCode::kBadInput);
    return error.problems();
  }
  FAIL("the weather file was accepted");
  return {};
}

bool any_contains(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& problem : problems) {
    if (problem.find(text) != std::string::npos) return true;
  }
  return false;
}

void check_same_values(const Weather& a, const Weather& b) {
  CHECK(a.leap_day == b.leap_day);
  CHECK(a.year == b.year);
  CHECK(a.dry_bulb_c == b.dry_bulb_c);
  CHECK(a.dew_point_c == b.dew_point_c);
  CHECK(a.relative_humidity_pct == b.relative_humidity_pct);
  CHECK(a.pressure_pa == b.pressure_pa);
  CHECK(a.ghi_wh_m2 == b.ghi_wh_m2);
  CHECK(a.dni_wh_m2 == b.dni_wh_m2);
  CHECK(a.dhi_wh_m2 == b.dhi_wh_m2);
  CHECK(a.wind_direction_deg == b.wind_direction_deg);
  CHECK(a.wind_speed_m_s == b.wind_speed_m_s);
  CHECK(a.location.city == b.location.city);
  CHECK(a.location.wmo == b.location.wmo);
  CHECK(a.location.lat_deg == b.location.lat_deg);
  CHECK(a.location.lon_deg == b.location.lon_deg);
  CHECK(a.location.utc_offset_h == b.location.utc_offset_h);
  CHECK(a.location.elevation_m == b.location.elevation_m);
  CHECK(a.comments_1 == b.comments_1);
  CHECK(a.comments_2 == b.comments_2);
  CHECK(a.header.data_periods == b.header.data_periods);
}

}  // namespace

TEST_CASE("a valid EPW file is read with its location, comments and hourly values") {
  const test::TempDir dir("weather_valid");
  const Weather weather = read_epw(EpwText().write(dir));
  REQUIRE(weather.hours() == 8760);
  CHECK_FALSE(weather.leap_day);
  CHECK(weather.location.city == "Incheon");
  CHECK(weather.location.lat_deg == 37.48);
  CHECK(weather.location.lon_deg == 126.63);
  CHECK(weather.location.utc_offset_h == 9.0);
  CHECK(weather.location.elevation_m == 69.0);
  CHECK(weather.comments_2 == "text after the keyword, commas included");
  // Row 12 is 12:00–13:00 on 1 January: stamp hour 13.
  CHECK(weather.stamp(12).hour == 13);
  CHECK(weather.dry_bulb_c[12] == 11.0);
  CHECK(weather.dew_point_c[12] == 0.2);
  CHECK(weather.relative_humidity_pct[12] == 72.0);
  CHECK(weather.pressure_pa[12] == 101325.0);
  CHECK(weather.ghi_wh_m2[12] == 500.0);
  CHECK(weather.dhi_wh_m2[12] == 250.0);
  CHECK(weather.wind_direction_deg[12] == 180.0);
  CHECK(weather.wind_speed_m_s[12] == 2.2);
  CHECK(weather.ghi_wh_m2[0] == 0.0);
  CHECK(weather.filled_gaps.empty());
  const EpwStamp last = weather.stamp(8759);
  CHECK(last.month == 12);
  CHECK(last.day == 31);
  CHECK(last.hour == 24);
}

TEST_CASE("writing then reading an EPW file gives the same values") {
  const test::TempDir dir("weather_round_trip");
  Weather weather = read_epw(EpwText().write(dir, "in.epw"));
  // Values that are not on the file's usual 0.1 grid survive too.
  weather.dry_bulb_c[100] = 12.345678901234567;
  weather.ghi_wh_m2[7 * 24 + 11] = 433.3333333333333;
  const std::string out = dir.str("out.epw");
  write_epw(weather, out);
  const Weather again = read_epw(out);
  check_same_values(weather, again);
  // The write went through a temporary file that is gone.
  int files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
  CHECK(files == 2);
  // And a second round is byte-identical.
  const std::string out2 = dir.str("out2.epw");
  write_epw(again, out2);
  std::ifstream a(out, std::ios::binary);
  std::ifstream b(out2, std::ios::binary);
  const std::string text_a((std::istreambuf_iterator<char>(a)), std::istreambuf_iterator<char>());
  const std::string text_b((std::istreambuf_iterator<char>(b)), std::istreambuf_iterator<char>());
  CHECK(text_a == text_b);
}

TEST_CASE("a leap-year file has 8784 rows with 29 February") {
  const test::TempDir dir("weather_leap");
  const Weather weather = read_epw(EpwText(true).write(dir, "leap.epw"));
  REQUIRE(weather.hours() == 8784);
  CHECK(weather.leap_day);
  const EpwStamp feb29 = weather.stamp(59 * 24);
  CHECK(feb29.month == 2);
  CHECK(feb29.day == 29);
  CHECK(feb29.hour == 1);
  const std::string out = dir.str("out.epw");
  write_epw(weather, out);
  const Weather again = read_epw(out);
  check_same_values(weather, again);
  CHECK(again.header.holidays_daylight_savings.starts_with("HOLIDAYS/DAYLIGHT SAVINGS,Yes"));
}

TEST_CASE("a row with the wrong number of fields is reported with its line") {
  const test::TempDir dir("weather_columns");
  EpwText epw;
  epw.rows[99].pop_back();
  const auto problems = problems_of(epw.write(dir));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(":" + std::to_string(line_of(99)) + ": record: has 34 fields, expected 35") !=
        std::string::npos);
}

TEST_CASE("a 3-hour gap is interpolated and reported") {
  const test::TempDir dir("weather_short_gap");
  EpwText epw;
  // The test file's temperature is 5.0 + 0.5 × hour of day: row 999 (hour 15) holds 12.5 °C and row
  // 1003 (hour 19) 14.5 °C, so the three rows between are 13.0, 13.5 and 14.0 °C.
  for (int row = 1000; row <= 1002; ++row) epw.rows[static_cast<std::size_t>(row)][kDryBulb] = "99.9";
  epw.rows[1001][kWindDirection] = "999";
  const Weather weather = read_epw(epw.write(dir));
  const double before = 5.0 + 0.5 * (999 % 24);
  const double after = 5.0 + 0.5 * (1003 % 24);
  CHECK(weather.dry_bulb_c[1000] == doctest::Approx(before + (after - before) * 1.0 / 4.0));
  CHECK(weather.dry_bulb_c[1001] == doctest::Approx(before + (after - before) * 2.0 / 4.0));
  CHECK(weather.dry_bulb_c[1002] == doctest::Approx(before + (after - before) * 3.0 / 4.0));
  REQUIRE(weather.filled_gaps.size() == 2);
  const FilledGap& gap = weather.filled_gaps[0];
  CHECK(gap.field == "dry_bulb_c");
  CHECK(gap.first_row == 1000);
  CHECK(gap.last_row == 1002);
  CHECK(gap.hours() == 3);
  CHECK(describe(gap) == "lines 1009–1011: dry_bulb_c: 3 missing hours interpolated");
  CHECK(weather.filled_gaps[1].field == "wind_direction_deg");
  CHECK(describe(weather.filled_gaps[1]) == "line 1010: wind_direction_deg: 1 missing hour interpolated");
}

TEST_CASE("wind direction is interpolated the short way round through north") {
  const test::TempDir dir("weather_wind_gap");
  EpwText epw;
  epw.rows[500][kWindDirection] = "350";
  epw.rows[501][kWindDirection] = "999";
  epw.rows[502][kWindDirection] = "10";
  const Weather weather = read_epw(epw.write(dir));
  CHECK(weather.wind_direction_deg[501] == doctest::Approx(0.0));
}

TEST_CASE("a 12-hour gap is an error") {
  const test::TempDir dir("weather_long_gap");
  EpwText epw;
  for (int row = 2000; row < 2012; ++row) epw.rows[static_cast<std::size_t>(row)][kGhi] = "9999";
  const auto problems = problems_of(epw.write(dir));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(":" + std::to_string(line_of(2000)) + "–" + std::to_string(line_of(2011)) +
                         ": global horizontal radiation (column 14): 12 consecutive hours missing") !=
        std::string::npos);
}

TEST_CASE("a non-numeric field is an error naming line and field") {
  const test::TempDir dir("weather_non_numeric");
  EpwText epw;
  epw.rows[5][kRelativeHumidity] = "humid";
  const auto problems = problems_of(epw.write(dir));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(":" + std::to_string(line_of(5)) +
                         ": relative humidity (column 9): must be a number, got 'humid'") !=
        std::string::npos);
}

TEST_CASE("negative global radiation is an error") {
  const test::TempDir dir("weather_negative_ghi");
  EpwText epw;
  epw.rows[12][kGhi] = "-5";
  const auto problems = problems_of(epw.write(dir));
  // The diffuse part (250) now also exceeds the global one.
  REQUIRE(problems.size() == 2);
  CHECK(any_contains(problems,
                     ":" + std::to_string(line_of(12)) + ": global horizontal radiation (column 14): -5"));
  CHECK(any_contains(problems,
                     ":" + std::to_string(line_of(12)) + ": diffuse horizontal radiation (column 16)"));
}

TEST_CASE("relative humidity above 100 % is an error") {
  const test::TempDir dir("weather_rh");
  EpwText epw;
  epw.rows[40][kRelativeHumidity] = "104";
  const auto problems = problems_of(epw.write(dir));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find(":" + std::to_string(line_of(40)) +
                         ": relative humidity (column 9): 104 % is outside") != std::string::npos);
}

TEST_CASE("every problem of a file is reported at once") {
  const test::TempDir dir("weather_many");
  EpwText epw;
  epw.header[0] = "PLACE,Incheon";  // no LOCATION
  std::swap(epw.rows[300], epw.rows[301]);
  epw.rows.pop_back();
  const auto problems = problems_of(epw.write(dir));
  CHECK(any_contains(problems, ":1: LOCATION: missing"));
  CHECK(any_contains(problems, "8759 data rows, expected 8760"));
  CHECK(any_contains(problems,
                     ":" + std::to_string(line_of(300)) + ": month, day, hour (columns 2–4): expected"));
}

TEST_CASE("radiation while the sun is well below the horizon is flagged") {
  const test::TempDir dir("weather_night");
  const Weather weather = read_epw(EpwText().write(dir));
  // A zenith series in which the sun never rises: every daytime row of the test file has radiation.
  std::vector<double> zenith_deg(weather.hours(), 120.0);
  const auto problems = night_radiation_problems(weather, zenith_deg);
  CHECK(problems.size() == 365 * 10);  // ten hours with radiation a day
  CHECK(problems[0].find("line " + std::to_string(line_of(7)) + " (01-01 hour 8)") == 0);
  // At the horizon (mid-hour zenith 95°) the sun may have been up for part of the hour: no problem.
  std::fill(zenith_deg.begin(), zenith_deg.end(), 95.0);
  CHECK(night_radiation_problems(weather, zenith_deg).empty());
  CHECK(night_radiation_problems(weather, std::vector<double>(10, 120.0)).size() == 1);
}

TEST_CASE("inconsistent weather is not written") {
  const test::TempDir dir("weather_write_bad");
  Weather weather = read_epw(EpwText().write(dir));
  weather.ghi_wh_m2.pop_back();
  weather.location.city = "Incheon, Korea";
  CHECK_THROWS_AS(write_epw(weather, dir.str("bad.epw")), ConfigError);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "bad.epw"));
}

TEST_CASE("a weather path naming a folder says so and names an EPW file in it") {
  const std::string folder = std::string(SANDAN_GIS_DATA_DIR) + "/weather";
  try {
    (void)read_epw(folder);
    FAIL("no error for a folder");
  } catch (const ConfigError& e) {
    CHECK(e.code() == ErrorCode::kBadInput);
    const std::string text = e.what();
    CHECK(text.find(folder + ": is a folder, not a weather file") != std::string::npos);
    CHECK(text.find("name an EPW weather file (.epw), e.g. " + folder + "/") != std::string::npos);
  }
}
