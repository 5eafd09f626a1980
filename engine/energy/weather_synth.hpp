// energy/weather_synth: a synthetic typical year of hourly weather generated from monthly climate
// normals (mean, max and min temperature, daily global horizontal irradiation, sunshine hours),
// for when no measured typical year (e.g. an IWEC file) is at hand. The result is labelled
// synthetic in its EPW comment lines.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "energy/weather.hpp"

namespace sandan {

struct MonthlyNormal {
  double t_mean_c = 0.0;
  double t_max_c = 0.0;  // mean daily maximum
  double t_min_c = 0.0;  // mean daily minimum
  double ghi_kwh_m2_day = 0.0;
  double sunshine_h = 0.0;  // per month
};

struct ClimateNormals {
  WeatherLocation location;  // lat, lon, elevation, utc_offset_h, station name
  std::array<MonthlyNormal, 12> months{};
  double wind_speed_m_s = 3.0;
  double wind_direction_deg = 337.5;  // prevailing, degrees from north
  std::string source;                 // provenance, copied into the EPW comments
};

// Reads normals from a CSV file (format in gis_data/weather/README.md). Throws ConfigError with
// every problem found (file, line, field).
[[nodiscard]] ClimateNormals read_climate_normals(const std::string& path);

// Generates 8760 hours (a non-leap typical year) whose monthly mean temperature and daily
// irradiation match the normals. Deterministic for a given seed. Does not throw.
[[nodiscard]] Weather synthesize_weather(const ClimateNormals& normals, int year, std::uint64_t seed);

}  // namespace sandan
