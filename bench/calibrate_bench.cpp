// Calibration benchmark: N facility meters (default 5000), each a full year of hourly data made by the
// calibrated model form itself (a day-shift profile of its own size, heating and cooling terms, 5 %
// AR(1) noise), calibrated on 1 and on 2 threads. Prints seconds, meters per second and the process's
// peak resident set size and the CPU seconds used (getrusage) after each run.
//
// Usage: bench_calibrate [N]   (run from the repository root: reads gis_data/).
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "sandan.hpp"

namespace {

constexpr int kYear = 2025;  // a non-leap year the holidays file covers; the 2026 EPW stands for it

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

// User + system CPU seconds of the process so far: with wall time, shows how many cores a run got.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
  const int meters = argc > 1 ? std::atoi(argv[1]) : 5000;
  const std::vector<sandan::Holiday> holidays = sandan::read_holidays("gis_data/calendar/holidays_kr.csv");
  const sandan::Weather weather = sandan::read_epw("gis_data/weather/incheon_synthetic.epw");
  const sandan::LoadLibrary library = sandan::read_load_library("gis_data/loads/archetypes.yaml");
  const sandan::Calendar calendar(kYear, holidays);

  sandan::SiteModel site;
  sandan::Complex alpha;
  alpha.complex_id = "alpha";
  site.site.complexes.push_back(alpha);
  sandan::MeasuredData data;
  data.start_year = kYear;
  data.hours = calendar.hours();
  data.energy_kwh.resize(static_cast<std::size_t>(meters) * static_cast<std::size_t>(data.hours));
  std::mt19937_64 rng(1);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.5, 2.0);
  for (int m = 0; m < meters; ++m) {
    sandan::Facility f;
    f.facility_id = "f" + std::to_string(m);
    f.complex = 0;
    f.ksic = "C29";
    f.floor_area_m2 = 5000.0;
    site.site.facilities.push_back(f);
    sandan::MeterInfo meter;
    meter.meter_id = "m" + std::to_string(m);
    meter.target_id = f.facility_id;
    data.meters.push_back(meter);
    sandan::LoadCalibration c;
    const double size = 100.0 * uniform(rng);
    for (std::size_t h = 0; h < 24; ++h) {
      const bool working = h >= 8 && h < 18;
      c.base_kw[0][h] = size * (working ? 1.0 : 0.2);
      c.base_kw[1][h] = size * (h >= 8 && h < 13 ? 0.5 : 0.2);
      for (std::size_t d = 2; d < 5; ++d) c.base_kw[d][h] = size * 0.18;
    }
    c.heating_change_c = 10.0 + 4.0 * uniform(rng);
    c.heating_slope_kw_per_k = 0.02 * size * uniform(rng);
    c.cooling_change_c = 22.0 + 2.0 * uniform(rng);
    c.cooling_slope_kw_per_k = 0.03 * size * uniform(rng);
    double z = normal(rng);
    for (int h = 0; h < data.hours; ++h) {
      if (h > 0) z = 0.6 * z + 0.8 * normal(rng);
      const double root = 1.0 + 0.025 * z;
      data.energy_kwh[static_cast<std::size_t>(m) * static_cast<std::size_t>(data.hours) +
                      static_cast<std::size_t>(h)] =
          sandan::calibrated_kw(c, calendar.day_type(h), calendar.hour_of_day(h),
                                weather.dry_bulb_c[static_cast<std::size_t>(h)]) *
          root * root;
    }
  }
  site.complexes = {0};
  site.complex_ids = {"alpha"};
  site.facility_slot.assign(site.site.facilities.size(), 0);
  std::printf("%d facility meters x %d hours (%.0f MB of data); peak RSS before calibrating %.0f MB\n",
              meters, data.hours, 8.0 * static_cast<double>(data.energy_kwh.size()) / 1e6, peak_rss_mb());

  sandan::CalibrationInputs inputs;
  inputs.measured = &data;
  inputs.site = &site;
  inputs.holidays = &holidays;
  inputs.weather = &weather;
  inputs.library = &library;
  for (const int threads : {1, 2}) {
    sandan::CalibrationOptions options;
    options.threads = threads;
    options.holdout = sandan::parse_holdout("2025-08-01/2025-09-30");
    const double cpu_start = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    const sandan::CalibrationOutcome outcome = sandan::calibrate(inputs, options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;
    std::printf(
        "threads %d: %.2f s wall, %.2f s CPU (%.2f cores busy), %.0f meters/s, peak RSS %.0f MB (%zu "
        "calibrated)\n",
        threads, seconds, cpu, cpu / seconds, meters / seconds, peak_rss_mb(),
        outcome.calibration.loads.size());
  }
  return 0;
}
