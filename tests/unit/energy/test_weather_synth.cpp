#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "energy/irradiance.hpp"
#include "energy/solar_position.hpp"
#include "energy/weather.hpp"
#include "energy/weather_synth.hpp"
#include "support/fixtures.hpp"

using namespace sandan;

namespace {

const std::string kNormalsPath = std::string(SANDAN_GIS_DATA_DIR) + "/weather/incheon_normals.csv";
const std::string kSyntheticEpwPath = std::string(SANDAN_GIS_DATA_DIR) + "/weather/incheon_synthetic.epw";
// The year and seed the committed file was generated with (gis_data/weather/README.md).
constexpr int kCommittedYear = 2026;
constexpr std::uint64_t kCommittedSeed = 1;
constexpr std::array<int, 12> kMonthDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

// FACTS §5 (KMA ASOS station 112): monthly Tmean °C and GHI kWh/m²/day [E, scaled to the verified
// totals]; annual mean temperature 12.5 °C and annual GHI 1,326 kWh/m² [V].
constexpr std::array<double, 12> kTmeanC{-1.5, 0.9, 5.6, 11.3, 16.6, 21.0, 24.4, 25.7, 21.8, 15.6, 8.2, 1.1};
constexpr std::array<double, 12> kGhiKwhM2Day{2.2, 3.0, 3.8, 4.8, 5.3, 5.0, 4.0, 4.2, 3.8, 3.2, 2.3, 1.9};
constexpr double kAnnualMeanC = 12.5;
constexpr double kAnnualGhiKwhM2 = 1326.0;

const ClimateNormals& incheon_normals() {
  static const ClimateNormals kNormals = read_climate_normals(kNormalsPath);
  return kNormals;
}

const Weather& incheon_year() {
  static const Weather kWeather = synthesize_weather(incheon_normals(), kCommittedYear, kCommittedSeed);
  return kWeather;
}

int month_of_row(std::size_t row) { return incheon_year().stamp(row).month; }

bool same_weather(const Weather& a, const Weather& b) {
  return a.location.city == b.location.city && a.location.region == b.location.region &&
         a.location.country == b.location.country && a.location.source == b.location.source &&
         a.location.wmo == b.location.wmo && a.location.lat_deg == b.location.lat_deg &&
         a.location.lon_deg == b.location.lon_deg && a.location.utc_offset_h == b.location.utc_offset_h &&
         a.location.elevation_m == b.location.elevation_m && a.comments_1 == b.comments_1 &&
         a.comments_2 == b.comments_2 && a.header.data_periods == b.header.data_periods &&
         a.leap_day == b.leap_day && a.year == b.year && a.dry_bulb_c == b.dry_bulb_c &&
         a.dew_point_c == b.dew_point_c && a.relative_humidity_pct == b.relative_humidity_pct &&
         a.pressure_pa == b.pressure_pa && a.ghi_wh_m2 == b.ghi_wh_m2 && a.dni_wh_m2 == b.dni_wh_m2 &&
         a.dhi_wh_m2 == b.dhi_wh_m2 && a.wind_direction_deg == b.wind_direction_deg &&
         a.wind_speed_m_s == b.wind_speed_m_s;
}

// The sun at a row's mid-hour (stamp − 30 min), as energy/weather.hpp asks.
SolarPosition sun_at(const Weather& weather, std::size_t row, int minute = 30) {
  const EpwStamp stamp = weather.stamp(row);
  const Observer observer{weather.location.lat_deg, weather.location.lon_deg, weather.location.elevation_m};
  return solar_position(CivilTime{kCommittedYear, stamp.month, stamp.day, stamp.hour - 1, minute, 0.0,
                                  weather.location.utc_offset_h},
                        69.0, observer);
}

const std::string kGoodHeader =
    "city,Testville\nlat_deg,37.5\nlon_deg,126.6\nelevation_m,69\nutc_offset_h,9\nsource,a test\n";
const std::string kTableHeader = "month,t_mean_c,t_max_c,t_min_c,ghi_kwh_m2_day,sunshine_h\n";

std::string month_rows(int months) {
  std::string rows;
  for (int m = 1; m <= months; ++m) rows += std::to_string(m) + ",10,15,5,3.5,200\n";
  return rows;
}

bool has_problem(const ConfigError& error, const std::string& text) {
  return std::any_of(error.problems().begin(), error.problems().end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("the Incheon normals file reads with the station and the FACTS §5 monthly values") {
  const ClimateNormals& normals = incheon_normals();
  // FACTS §5: station 37.4777 N, 126.6249 E, 69 m; KST; wind 2.9–3.1 m/s mostly NNW.
  CHECK(normals.location.lat_deg == 37.4777);
  CHECK(normals.location.lon_deg == 126.6249);
  CHECK(normals.location.elevation_m == 69.0);
  CHECK(normals.location.utc_offset_h == 9.0);
  CHECK(normals.wind_speed_m_s == doctest::Approx(3.0));
  CHECK(normals.wind_direction_deg == 337.5);
  CHECK(normals.source.find("KMA") != std::string::npos);
  double ghi_year = 0.0;
  double sunshine = 0.0;
  for (std::size_t m = 0; m < 12; ++m) {
    CHECK(normals.months[m].t_mean_c == kTmeanC[m]);
    CHECK(normals.months[m].ghi_kwh_m2_day == kGhiKwhM2Day[m]);
    CHECK(normals.months[m].t_min_c <= normals.months[m].t_mean_c);
    CHECK(normals.months[m].t_mean_c <= normals.months[m].t_max_c);
    ghi_year += normals.months[m].ghi_kwh_m2_day * kMonthDays[m];
    sunshine += normals.months[m].sunshine_h;
  }
  // The table's 12-month sum (1,323.6 kWh/m²) is within 2 % of the verified 1,326 kWh/m², and the
  // months sum to the verified 2,287 sunshine hours.
  CHECK(ghi_year == doctest::Approx(1323.6).epsilon(1e-9));
  CHECK(std::abs(ghi_year / kAnnualGhiKwhM2 - 1.0) < 0.02);
  CHECK(sunshine == doctest::Approx(2287.0));
}

TEST_CASE("a normals file without a column names the column and the header line") {
  test::TempDir dir("weather_synth_column");
  const std::string path = dir.str("normals.csv");
  test::write_text(path, kGoodHeader + "month,t_mean_c,t_max_c,t_min_c,ghi_kwh_m2_day\n" + month_rows(12));
  try {
    (void)read_climate_normals(path);
    FAIL("no error");
  } catch (const ConfigError& error) {
    CHECK(has_problem(error, path + ":7: sunshine_h: missing column"));
  }
}

TEST_CASE("a malformed normals file reports every problem with file and line") {
  test::TempDir dir("weather_synth_bad");
  const std::string path = dir.str("normals.csv");
  // Line 9 is month 1, so month m is line m + 8. Month 3 has a word for its mean, month 5 a minimum
  // above its maximum, month 12 is missing, and there is an unknown key on line 2.
  std::string rows = month_rows(11);
  rows.replace(rows.find("3,10,"), 5, "3,warm,");
  rows.replace(rows.find("5,10,15,5,"), 10, "5,10,15,16,");
  const std::string header =
      "city,Testville\naltitude_m,69\nlat_deg,37.5\nlon_deg,126.6\nelevation_m,69\n"
      "utc_offset_h,9\nsource,a test\n";
  test::write_text(path, header + kTableHeader + rows);
  try {
    (void)read_climate_normals(path);
    FAIL("no error");
  } catch (const ConfigError& error) {
    CHECK(has_problem(error, path + ":2: altitude_m: unknown key"));
    CHECK(has_problem(error, path + ":11: t_mean_c: must be a number, got 'warm'"));
    CHECK(has_problem(error, path + ":13: t_min_c: 16 °C is above t_max_c 15 °C"));
    CHECK(has_problem(error, "month 12 is missing (the table has 11 of 12 months)"));
    CHECK(error.problems().size() == 4);
  }
}

TEST_CASE("a normals file with more sun than the sky allows is refused") {
  test::TempDir dir("weather_synth_sky");
  const std::string path = dir.str("normals.csv");
  std::string rows = month_rows(12);
  // 11 kWh/m²/day in December at 37.5 N is far above the extraterrestrial ≈ 4.7 kWh/m²/day.
  rows.replace(rows.find("12,10,15,5,3.5"), 14, "12,10,15,5,11");
  test::write_text(path, kGoodHeader + kTableHeader + rows);
  try {
    (void)read_climate_normals(path);
    FAIL("no error");
  } catch (const ConfigError& error) {
    CHECK(has_problem(error, path + ":19: ghi_kwh_m2_day: 11 kWh/m²/day is"));
  }
}

TEST_CASE("the synthetic Incheon year has 8760 hours of the requested year") {
  const Weather& weather = incheon_year();
  CHECK(weather.hours() == 8760);
  CHECK_FALSE(weather.leap_day);
  CHECK(std::all_of(weather.year.begin(), weather.year.end(), [](int y) { return y == kCommittedYear; }));
  CHECK(weather.location.utc_offset_h == 9.0);
  CHECK(weather.comments_1.find("SYNTHETIC") != std::string::npos);
  // 1 January 2026 is a Thursday.
  CHECK(weather.header.data_periods.find("Thursday") != std::string::npos);
}

TEST_CASE("the synthetic year's irradiation matches the monthly normals and the verified annual total") {
  const Weather& weather = incheon_year();
  std::array<double, 12> month_wh{};
  for (std::size_t row = 0; row < weather.hours(); ++row) {
    month_wh[static_cast<std::size_t>(month_of_row(row) - 1)] += weather.ghi_wh_m2[row];
  }
  double year_kwh = 0.0;
  double normal_year_kwh = 0.0;
  for (std::size_t m = 0; m < 12; ++m) {
    const double normal_kwh = kGhiKwhM2Day[m] * kMonthDays[m];
    CAPTURE(m);
    CHECK(std::abs(month_wh[m] / 1000.0 / normal_kwh - 1.0) < 0.005);
    year_kwh += month_wh[m] / 1000.0;
    normal_year_kwh += normal_kwh;
  }
  CHECK(std::abs(year_kwh / normal_year_kwh - 1.0) < 0.001);
  CHECK(std::abs(year_kwh / kAnnualGhiKwhM2 - 1.0) < 0.02);
}

TEST_CASE("the synthetic year's temperatures match the monthly normals and the 12.5 °C annual mean") {
  const Weather& weather = incheon_year();
  std::array<double, 12> sums{};
  std::array<int, 12> counts{};
  double year_sum = 0.0;
  for (std::size_t row = 0; row < weather.hours(); ++row) {
    const auto m = static_cast<std::size_t>(month_of_row(row) - 1);
    sums[m] += weather.dry_bulb_c[row];
    ++counts[m];
    year_sum += weather.dry_bulb_c[row];
  }
  for (std::size_t m = 0; m < 12; ++m) {
    CAPTURE(m);
    CHECK(std::abs(sums[m] / counts[m] - kTmeanC[m]) < 0.2);
  }
  // The monthly normals weighted by their days average 12.62 °C; the verified annual mean is 12.5 °C.
  CHECK(std::abs(year_sum / static_cast<double>(weather.hours()) - kAnnualMeanC) < 0.2);
}

TEST_CASE("the synthetic temperature has no step at the turn of a month") {
  const Weather& weather = incheon_year();
  double largest_change = 0.0;
  double largest_at_month_turn = 0.0;
  for (std::size_t row = 1; row < weather.hours(); ++row) {
    const double change = std::abs(weather.dry_bulb_c[row] - weather.dry_bulb_c[row - 1]);
    largest_change = std::max(largest_change, change);
    if (weather.stamp(row).day == 1 && weather.stamp(row).hour == 1) {
      largest_at_month_turn = std::max(largest_at_month_turn, change);
    }
  }
  // Morning warming on a clear summer day is the fastest change: a few °C an hour.
  CHECK(largest_change < 5.0);
  // Around midnight the night curve cools by tenths of a degree an hour.
  CHECK(largest_at_month_turn < 1.0);
}

TEST_CASE("there is no sunlight while the sun is below the horizon for the whole hour") {
  const Weather& weather = incheon_year();
  std::vector<double> zenith(weather.hours());
  for (std::size_t row = 0; row < weather.hours(); ++row) zenith[row] = sun_at(weather, row).zenith_deg;
  CHECK(night_radiation_problems(weather, zenith).empty());
  // The sun moves at most 7.5° in half an hour: 97.5° at mid-hour means it was down all hour.
  for (std::size_t row = 0; row < weather.hours(); ++row) {
    if (zenith[row] > 97.5) {
      CAPTURE(row);
      REQUIRE(weather.ghi_wh_m2[row] == 0.0);
    }
  }
}

TEST_CASE("the synthetic radiation is consistent: DHI ≤ GHI, closure with DNI, below a clear sky") {
  const Weather& weather = incheon_year();
  for (std::size_t row = 0; row < weather.hours(); ++row) {
    const double ghi = weather.ghi_wh_m2[row];
    CAPTURE(row);
    REQUIRE(weather.dhi_wh_m2[row] >= 0.0);
    REQUIRE(weather.dni_wh_m2[row] >= 0.0);
    REQUIRE(weather.dhi_wh_m2[row] <= ghi);
    if (ghi == 0.0) continue;
    // At most 80 % of the extraterrestrial irradiance at the hour's highest sun (start, middle or end).
    double highest_cos = 0.0;
    for (const int minute : {0, 30, 59}) {
      highest_cos =
          std::max(highest_cos, std::cos(sun_at(weather, row, minute).zenith_deg * std::numbers::pi / 180.0));
    }
    const EpwStamp stamp = weather.stamp(row);
    const double extra = extraterrestrial_dni_w_m2(static_cast<double>(row / 24 + 1));
    REQUIRE(ghi <= 0.8 * extra * highest_cos * 1.01 + 1.0);
    // DHI + DNI·cos z = GHI, to the whole-Wh rounding, with the geometric zenith at mid-hour.
    const double cos_zenith = std::cos(sun_at(weather, row).geometric_zenith_deg * std::numbers::pi / 180.0);
    if (weather.dni_wh_m2[row] > 0.0) {
      CAPTURE(stamp.month);
      REQUIRE(std::abs(weather.dhi_wh_m2[row] + weather.dni_wh_m2[row] * cos_zenith - ghi) <= 0.5);
    } else {
      REQUIRE(weather.dhi_wh_m2[row] == ghi);
    }
  }
}

TEST_CASE("the synthetic humidity, pressure and wind are within their physical ranges") {
  const Weather& weather = incheon_year();
  double wind_sum = 0.0;
  int from_north_west = 0;
  for (std::size_t row = 0; row < weather.hours(); ++row) {
    CAPTURE(row);
    REQUIRE(weather.relative_humidity_pct[row] >= 0.0);
    REQUIRE(weather.relative_humidity_pct[row] <= 100.0);
    REQUIRE(weather.dew_point_c[row] <= weather.dry_bulb_c[row]);
    REQUIRE(weather.wind_speed_m_s[row] >= 0.0);
    REQUIRE(weather.wind_direction_deg[row] >= 0.0);
    REQUIRE(weather.wind_direction_deg[row] < 360.0);
    wind_sum += weather.wind_speed_m_s[row];
    const double direction = weather.wind_direction_deg[row];
    if (direction >= 270.0 || direction < 45.0) ++from_north_west;
  }
  // ICAO standard atmosphere at the station's 69 m: 100,500 Pa.
  CHECK(weather.pressure_pa.front() == doctest::Approx(100500.0).epsilon(0.001));
  // FACTS §5: wind 2.9–3.1 m/s, mostly NNW.
  CHECK(wind_sum / static_cast<double>(weather.hours()) == doctest::Approx(3.0).epsilon(0.01));
  CHECK(from_north_west > static_cast<int>(weather.hours()) / 2);
}

TEST_CASE("the same seed gives the same year and another seed another") {
  const Weather again = synthesize_weather(incheon_normals(), kCommittedYear, kCommittedSeed);
  CHECK(same_weather(again, incheon_year()));
  const Weather other = synthesize_weather(incheon_normals(), kCommittedYear, kCommittedSeed + 1);
  CHECK_FALSE(same_weather(other, incheon_year()));
  CHECK(other.ghi_wh_m2 != incheon_year().ghi_wh_m2);
  CHECK(other.dry_bulb_c != incheon_year().dry_bulb_c);
}

TEST_CASE("the committed synthetic EPW reads back, says it is synthetic, and regenerates identically") {
  const Weather committed = read_epw(kSyntheticEpwPath);
  CHECK(committed.filled_gaps.empty());
  CHECK(committed.comments_1.find("SYNTHETIC") != std::string::npos);
  CHECK(committed.comments_2.find("seed " + std::to_string(kCommittedSeed)) != std::string::npos);
  CHECK(same_weather(committed, incheon_year()));
}

TEST_CASE("a written synthetic year reads back to the same values") {
  test::TempDir dir("weather_synth_epw");
  const std::string path = dir.str("synthetic.epw");
  write_epw(incheon_year(), path);
  CHECK(same_weather(read_epw(path), incheon_year()));
}
