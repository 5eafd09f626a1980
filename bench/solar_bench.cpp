// Solar chain benchmark: a year of hours (8760, sun at mid-hour, KST) at N sites around Incheon.
// Times the full SPA per site and hour, SPA with the ephemeris shared between sites, and the chain
// from a solar position to AC power (Erbs, Perez POA, IAM, SAPM cell temperature, PVWatts DC,
// losses, inverter) on synthetic, seeded weather. Prints rates and the synthetic annual yield.
//
// Usage: bench_solar [SITES]   (default 5)
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <vector>

#include "core/rng.hpp"
#include "energy/irradiance.hpp"
#include "energy/pv.hpp"
#include "energy/solar_position.hpp"

namespace {

constexpr int kHours = 8760;
constexpr double kDeltaTS = 69.0;  // ΔT in 2026, IERS estimate

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int sites = argc > 1 ? std::atoi(argv[1]) : 5;
  if (sites <= 0) {
    std::fprintf(stderr, "usage: bench_solar [SITES]  (SITES > 0)\n");
    return 2;
  }
  std::vector<sandan::Observer> observers;
  for (int i = 0; i < sites; ++i) {
    const double offset = static_cast<double>(i % 10) / 10.0;
    observers.push_back({37.45 + 0.1 * offset, 126.62 + 0.12 * offset, 10.0, 1013.25, 12.5, 0.5667});
  }
  std::vector<double> julian_days(kHours);
  const double jd_start = sandan::julian_day(sandan::CivilTime{2026, 1, 1, 0, 30, 0.0, 9.0});
  for (int h = 0; h < kHours; ++h) julian_days[static_cast<std::size_t>(h)] = jd_start + h / 24.0;
  const std::size_t site_hours = static_cast<std::size_t>(sites) * kHours;

  // 1. The full SPA for every site and hour.
  std::vector<double> full_zenith_deg;
  full_zenith_deg.reserve(site_hours);
  auto t = std::chrono::steady_clock::now();
  for (const sandan::Observer& observer : observers) {
    for (const double jd : julian_days)
      full_zenith_deg.push_back(sandan::solar_position(jd, kDeltaTS, observer).zenith_deg);
  }
  const double full_s = seconds_since(t);

  // 2. The ephemeris once per hour, shared by the sites.
  std::vector<sandan::SolarPosition> positions(site_hours);
  t = std::chrono::steady_clock::now();
  sandan::solar_positions(julian_days, kDeltaTS, observers, positions);
  const double shared_s = seconds_since(t);
  double max_difference_deg = 0.0;
  for (std::size_t k = 0; k < site_hours; ++k) {
    max_difference_deg =
        std::fmax(max_difference_deg, std::fabs(positions[k].zenith_deg - full_zenith_deg[k]));
  }

  // 3. From position to AC power on synthetic weather: GHI of 25–100 % (seeded) of a clear sky at 75 %
  // of the horizontal extraterrestrial irradiance; 20° tilt facing south; 1 kWp per site.
  const sandan::Surface surface{20.0, 180.0};
  const double pdc0_w = 1000.0;
  const double loss_factor = 1.0 - sandan::pvwatts_losses_pct() / 100.0;
  const double inverter_pdc0_w = pdc0_w / sandan::kPvwattsDcAcRatio;
  std::vector<double> ghi(site_hours);
  std::vector<double> temp_air(site_hours);
  std::vector<double> wind(site_hours);
  for (int s = 0; s < sites; ++s) {
    sandan::Rng rng(42, static_cast<std::uint64_t>(s));
    for (int h = 0; h < kHours; ++h) {
      const std::size_t k = static_cast<std::size_t>(s) * kHours + static_cast<std::size_t>(h);
      const double day_of_year = std::floor(h / 24.0) + 1.0;
      const double cos_zenith = std::cos(positions[k].geometric_zenith_deg * std::numbers::pi / 180.0);
      const double clear_w_m2 =
          0.75 * sandan::extraterrestrial_dni_w_m2(day_of_year) * std::fmax(cos_zenith, 0.0);
      ghi[k] = clear_w_m2 * (0.25 + 0.75 * rng.uniform());
      temp_air[k] =
          12.5 - 13.0 * std::cos(2.0 * std::numbers::pi * (day_of_year - 20.0) / 365.0) + rng.normal();
      wind[k] = 1.0 + 3.0 * rng.uniform();
    }
  }
  double energy_wh = 0.0;
  t = std::chrono::steady_clock::now();
  for (int s = 0; s < sites; ++s) {
    for (int h = 0; h < kHours; ++h) {
      const std::size_t k = static_cast<std::size_t>(s) * kHours + static_cast<std::size_t>(h);
      const sandan::SolarPosition& sun = positions[k];
      const double day_of_year = std::floor(h / 24.0) + 1.0;
      const double dni_extra = sandan::extraterrestrial_dni_w_m2(day_of_year);
      const sandan::Decomposition parts = sandan::erbs(ghi[k], sun.geometric_zenith_deg, dni_extra);
      const sandan::PoaIrradiance poa = sandan::plane_of_array(
          surface, sandan::SunAngles{sun.zenith_deg, sun.azimuth_deg},
          sandan::HorizontalIrradiance{ghi[k], parts.dni_w_m2, parts.dhi_w_m2}, dni_extra);
      const double effective_w_m2 = poa.direct_w_m2 * sandan::iam_physical(poa.aoi_deg) + poa.diffuse_w_m2;
      const double temp_cell_c = sandan::sapm_cell_temperature_c(poa.global_w_m2, temp_air[k], wind[k]);
      const double dc_w =
          sandan::pvwatts_dc_w(effective_w_m2, temp_cell_c, pdc0_w, sandan::kPvwattsGammaStandardPerC) *
          loss_factor;
      energy_wh += sandan::pvwatts_ac_w(dc_w, inverter_pdc0_w);
    }
  }
  const double chain_s = seconds_since(t);

  const double n = static_cast<double>(site_hours);
  std::printf("sites %d, hours %d, site-hours %zu\n", sites, kHours, site_hours);
  std::printf("full SPA per site-hour        %8.3f s  %12.0f hours/s\n", full_s, n / full_s);
  std::printf("SPA, ephemeris shared         %8.3f s  %12.0f hours/s\n", shared_s, n / shared_s);
  std::printf("Erbs+Perez+IAM+SAPM+PVWatts   %8.3f s  %12.0f hours/s\n", chain_s, n / chain_s);
  std::printf("shared vs full SPA, max |zenith difference| %.3g deg\n", max_difference_deg);
  std::printf("synthetic weather: yield %.0f kWh/kWp a year\n", energy_wh / 1000.0 / sites);
  return 0;
}
