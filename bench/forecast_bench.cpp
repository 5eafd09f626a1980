// Forecast of many metered facilities (docs/twin.md, "Forecast"): `bench_forecast [facilities] [hours]`
// (default 5000 × 48), on in-memory inputs: a year of hourly measurements of every facility (its
// model plus an AR(1) residual, φ = 0.8), the 2026 calendar and a daily temperature cycle. Prints
// the seconds of forecast() (model, correction, naive references, scores, complex sums) and of
// write_forecast(), the best of five.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>

#include "core/calendar.hpp"
#include "twin/forecast.hpp"

using namespace sandan;

int main(int argc, char** argv) {
  const int facilities = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int hours = argc > 2 ? std::atoi(argv[2]) : 48;
  const Calendar calendar = load_calendar(2026, "gis_data/calendar/holidays_kr.csv");
  std::vector<double> temperature_c(static_cast<std::size_t>(calendar.hours()));
  for (int h = 0; h < calendar.hours(); ++h) {
    temperature_c[static_cast<std::size_t>(h)] =
        13.0 + 13.0 * std::cos(2.0 * std::numbers::pi * (h / 24.0 - 213.0) / 365.0) +
        5.0 * std::cos(2.0 * std::numbers::pi * ((h % 24) - 15.0) / 24.0);
  }
  Calibration calibration;
  MeasuredData measured;
  measured.start_year = 2026;
  measured.hours = calendar.hours();
  measured.energy_kwh.reserve(static_cast<std::size_t>(facilities) *
                              static_cast<std::size_t>(measured.hours));
  ForecastOptions options;
  std::mt19937_64 rng(1);
  std::normal_distribution<double> innovation(0.0, 3.0);
  const char* complexes[] = {"juan", "bupyeong", "machinery", "local", "beautiful_park"};
  for (int f = 0; f < facilities; ++f) {
    LoadCalibration c;
    c.facility_id = "f" + std::to_string(f);
    c.meter_id = "m" + std::to_string(f);
    for (auto& day : c.base_kw)
      for (int h = 0; h < 24; ++h)
        day[static_cast<std::size_t>(h)] = 50.0 + 10.0 * (f % 7) + (h >= 8 && h < 18 ? 80.0 : 0.0);
    c.heating_slope_kw_per_k = 2.0;
    c.cooling_slope_kw_per_k = 3.0;
    c.noise_autocorrelation = 0.8;
    options.facility_complex[c.facility_id] = complexes[f % 5];
    measured.meters.push_back({c.meter_id, MeterTarget::kFacility, c.facility_id, MeterQuantity::kLoad, 60,
                               "kWh", 1.0, 0.0, "bench"});
    double e = 0.0;
    for (int h = 0; h < measured.hours; ++h) {
      e = 0.8 * e + innovation(rng);
      measured.energy_kwh.push_back(calibrated_kw(c, calendar.day_type(h), calendar.hour_of_day(h),
                                                  temperature_c[static_cast<std::size_t>(h)]) +
                                    e);
    }
    calibration.loads.push_back(c);
  }
  const int from = 24 * 180;  // 2026-06-30 00:00: measurements before and inside the window
  double forecast_s = 1e9;
  double write_s = 1e9;
  const std::string path = (std::filesystem::temp_directory_path() / "bench_forecast.h5").string();
  for (int run = 0; run < 5; ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    const Forecast f = forecast(calibration, measured, calendar, temperature_c, from, hours, options);
    const auto t1 = std::chrono::steady_clock::now();
    write_forecast(path, f, "bench_forecast");
    const auto t2 = std::chrono::steady_clock::now();
    forecast_s = std::min(forecast_s, std::chrono::duration<double>(t1 - t0).count());
    write_s = std::min(write_s, std::chrono::duration<double>(t2 - t1).count());
  }
  std::printf(
      "facilities %d, hours %d: forecast %.4f s, write %.4f s (%.3g facility-hours/s forecast), file %.1f "
      "MB\n",
      facilities, hours, forecast_s, write_s, facilities * static_cast<double>(hours) / forecast_s,
      static_cast<double>(std::filesystem::file_size(path)) / 1e6);
  std::filesystem::remove(path);
  return 0;
}
