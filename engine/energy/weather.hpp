// energy/weather: hourly weather of one year, read from and written to the EnergyPlus weather format
// (EPW; EnergyPlus Auxiliary Programs, "Weather Converter Program", "EnergyPlus Weather File (EPW)
// Data Dictionary").
//
// An EPW file is 8 header lines (LOCATION, DESIGN CONDITIONS, TYPICAL/EXTREME PERIODS, GROUND
// TEMPERATURES, HOLIDAYS/DAYLIGHT SAVINGS, COMMENTS 1, COMMENTS 2, DATA PERIODS) and then one row of 35
// comma-separated fields an hour: 8760 rows, or 8784 when the rows include 29 February.
//
// Time: the rows are in local standard time of the file's time zone (location.utc_offset_h; +9 for
// Korean files). The hour field runs 1–24 and a row covers the hour ENDING at its stamp: hour 1 is
// 00:00–01:00. Radiation is the energy received during that hour, so solar geometry for row r must be
// evaluated at mid-hour, stamp − 30 min. Row r is hour index r of core/calendar's Calendar (whose
// utc_midpoint gives that instant for KST files) when the calendar year and the file agree on 29 February.
//
// Units: temperatures °C, relative humidity %, station pressure Pa, radiation Wh/m² (the hour's
// integral, numerically the hour's mean irradiance in W/m²), wind direction degrees clockwise from north
// (0 = from the north, 90 = from the east), wind speed m/s.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace sandan {

// Runs of missing values up to this many consecutive hours are filled by linear interpolation and
// reported in Weather::filled_gaps; longer runs are an error. Six hours bridge a lost observation
// shift without inventing a weather pattern (a front or a sunny morning) that was never measured.
inline constexpr int kMaxFilledGapHours = 6;

// Header lines before the first data row.
inline constexpr int kEpwHeaderLines = 8;
// Fields of a data row.
inline constexpr int kEpwFields = 35;

// The LOCATION header.
struct WeatherLocation {
  std::string city;
  std::string region;
  std::string country;
  std::string source;         // e.g. "IWEC Data"
  std::string wmo;            // station number, kept as text (EnergyPlus treats it as alpha)
  double lat_deg = 0.0;       // +N
  double lon_deg = 0.0;       // +E
  double utc_offset_h = 0.0;  // time zone of the rows, hours ahead of UTC
  double elevation_m = 0.0;
};

// Header lines sandan does not interpret, kept verbatim so that a file written back keeps them.
// The defaults make a minimal valid header. write_epw sets the leap-year field of
// holidays_daylight_savings from Weather::leap_day.
struct EpwHeader {
  std::string design_conditions = "DESIGN CONDITIONS,0";
  std::string typical_extreme_periods = "TYPICAL/EXTREME PERIODS,0";
  std::string ground_temperatures = "GROUND TEMPERATURES,0";
  std::string holidays_daylight_savings = "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0";
  std::string data_periods = "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31";
};

// A run of missing values that read_epw filled by interpolation (or, at the start or end of the year,
// by the nearest value).
struct FilledGap {
  std::string field;  // the Weather member, e.g. "dry_bulb_c"
  int first_row = 0;  // 0-based data rows (hour indices); the file line is row + kEpwHeaderLines + 1
  int last_row = 0;
  [[nodiscard]] int hours() const { return last_row - first_row + 1; }
};

// "lines 1010–1012: dry_bulb_c: 3 missing hours interpolated".
[[nodiscard]] std::string describe(const FilledGap& gap);

// Month, day and hour field (1–24, the hour ending at the stamp) of a data row.
struct EpwStamp {
  int month = 1;
  int day = 1;
  int hour = 1;
};

// One year of hourly weather; every per-hour vector has hours() entries, row r = hour index r.
struct Weather {
  WeatherLocation location;
  EpwHeader header;
  std::string comments_1;  // text after "COMMENTS 1,"
  std::string comments_2;
  bool leap_day = false;  // the rows include 29 February (8784 rows)

  std::vector<int> year;  // the year field; typical years mix source years month by month
  std::vector<double> dry_bulb_c;
  std::vector<double> dew_point_c;
  std::vector<double> relative_humidity_pct;
  std::vector<double> pressure_pa;  // station pressure
  std::vector<double> ghi_wh_m2;    // global horizontal
  std::vector<double> dni_wh_m2;    // direct normal
  std::vector<double> dhi_wh_m2;    // diffuse horizontal
  std::vector<double> wind_direction_deg;
  std::vector<double> wind_speed_m_s;

  // What read_epw filled; empty for a complete file.
  std::vector<FilledGap> filled_gaps;

  [[nodiscard]] std::size_t hours() const { return dry_bulb_c.size(); }
  // The stamp of a row, from its position: precondition row < hours().
  [[nodiscard]] EpwStamp stamp(std::size_t row) const;
};

// Reads an EPW file. Missing values (EPW markers: ≥ 99.9 for temperatures, ≥ 999 for relative
// humidity and wind, ≥ 999999 for pressure, ≥ 9999 for radiation) in runs of at most
// kMaxFilledGapHours are interpolated and listed in filled_gaps (wind direction along the shorter arc).
// Throws ConfigError (ErrorCode::kBadInput) with every problem found, each naming the file, line and
// field: a missing or malformed LOCATION or other header line; a data period that is not a single
// hourly period; a row count other than 8760 or 8784; a row without 35 fields; a non-numeric field;
// stamps out of order; a longer run of missing values; and values outside the data dictionary's
// limits or physically impossible: temperatures outside (−70, 70) °C, relative humidity outside
// 0–100 %, pressure outside (31000, 120000) Pa, negative radiation or radiation above 1500 Wh/m²,
// diffuse above global by more than kDiffuseExcessToleranceWhM2, wind direction outside 0–360°, wind
// speed outside 0–40 m/s. Problems of one kind are listed up to 20 times, then counted.
[[nodiscard]] Weather read_epw(const std::string& path);

// Writes a valid EPW file that read_epw reads back to the same values (numbers in their shortest exact
// decimal form). Fields sandan does not keep (extraterrestrial and infrared radiation, illuminance,
// sky cover, visibility, precipitation, snow …) are written as the data dictionary's missing markers,
// which EnergyPlus replaces by its defaults. The file is written to a temporary file in the same folder
// and renamed over the target, so readers never see half a file.
// Throws ConfigError if the weather is inconsistent (vector sizes, row count against leap_day, values
// read_epw would reject, commas in location names) and Error(kIo) if the file cannot be written.
void write_epw(const Weather& weather, const std::string& path);

// Diffuse may exceed global by this much before it is an error: the two are often measured by separate
// instruments and rounded to whole Wh/m² independently.
inline constexpr double kDiffuseExcessToleranceWhM2 = 5.0;
// Global horizontal radiation above this with the sun well below the horizon is a problem.
inline constexpr double kNightGhiLimitWhM2 = 5.0;
// "Well below": the sun is more than this far below the horizon during the whole hour.
inline constexpr double kNightSunDepressionDeg = 2.0;

// Hours with global radiation although the sun is down, a sign of a time shift or a wrong time zone
// (the EPW format cannot tell hour-ending from hour-beginning data). zenith_deg_midhour holds the sun's
// zenith at each row's midpoint (stamp − 30 min), as energy/solar_position computes it for the file's
// location. The sun's elevation changes at most 15°/h (the Earth's rotation, at the equator at the
// equinox), so a mid-hour zenith above 90° + kNightSunDepressionDeg + 7.5° means the sun stayed more than
// kNightSunDepressionDeg below the horizon for the whole hour; such an hour with
// ghi_wh_m2 > kNightGhiLimitWhM2 is reported. Returns one message an hour (empty if none), each with the
// file line; a caller that read the file throws them as a ConfigError. If the zenith series does not
// have weather.hours() values, returns one message saying so.
[[nodiscard]] std::vector<std::string> night_radiation_problems(const Weather& weather,
                                                                std::span<const double> zenith_deg_midhour);

}  // namespace sandan
