#include "scenario/emissions_run.hpp"

#include <algorithm>
#include <cstddef>
#include <string>

namespace sandan {

namespace {

// Source order of EmissionsResults.
constexpr std::size_t kElectricity = 4;
constexpr std::size_t kVehicles = 5;  // car, light_truck, heavy_truck
constexpr std::size_t kElectricVehicles = 8;
constexpr std::size_t kSources = 9;

}  // namespace

void account_emissions(const EmissionFactors& factors, double grid_t_per_mwh,
                       const std::vector<double>& hourly_grid_t_per_mwh, const Site& site,
                       const std::vector<double>& facility_fuel_mwh,
                       const std::vector<std::size_t>& facility_slot, const EnergyResults& energy,
                       const TrafficResults& traffic, EmissionsResults& out) {
  out.enabled = true;
  if (!hourly_grid_t_per_mwh.empty()) {
    double sum = 0.0;
    for (double f : hourly_grid_t_per_mwh) sum += f;
    grid_t_per_mwh = sum / static_cast<double>(hourly_grid_t_per_mwh.size());
  }
  out.factors = factors.path;
  out.grid_t_per_mwh = grid_t_per_mwh;
  out.areas = energy.complex_ids;
  out.areas.emplace_back("outside");
  out.sources = {"lng", "lpg",         "diesel",      "fuel_oil",         "electricity",
                 "car", "light_truck", "heavy_truck", "electric_vehicles"};
  out.source_scope = {"scope1",    "scope1",    "scope1",    "scope1",   "scope2",
                      "transport", "transport", "transport", "transport"};
  const std::size_t areas = out.areas.size();
  out.tco2e.assign(areas * kSources, 0.0);
  auto at = [&](std::size_t area, std::size_t source) -> double& {
    return out.tco2e[area * kSources + source];
  };

  // Scope 1: fuel burned in the facilities (IPCC 2006 Tier 1).
  for (std::size_t f = 0; f < site.facilities.size(); ++f) {
    const Fuel fuel = site.facilities[f].fuel;
    if (fuel == Fuel::kNone) continue;
    at(facility_slot[f], static_cast<std::size_t>(fuel) - 1) +=
        stationary_tco2e(fuel, facility_fuel_mwh[f], factors);
  }
  // Scope 2: electricity drawn at each complex's grid connection (after PV and batteries).
  const auto hours = static_cast<std::size_t>(energy.hours);
  for (std::size_t c = 0; c < energy.complex_ids.size(); ++c) {
    double tonnes = 0.0;
    for (std::size_t h = 0; h < hours; ++h) {
      const double factor = hourly_grid_t_per_mwh.empty() ? grid_t_per_mwh : hourly_grid_t_per_mwh[h];
      tonnes += energy.complex_import_kw[c * hours + h] / 1000.0 * factor;
    }
    at(c, kElectricity) = tonnes;
  }
  // Transport: every hour of the three kinds of day, each link at its speed, weighted by the days.
  if (traffic.enabled) {
    const std::size_t links = traffic.link_road_id.size();
    const std::size_t classes = traffic.classes.size();
    // The traffic's areas are the run's complexes then "outside", as here.
    const std::vector<int>& link_area = traffic.link_area;
    const std::size_t slots = traffic.days_in_year.size() * 24;
    for (std::size_t slot = 0; slot < slots; ++slot) {
      const double days = traffic.days_in_year[slot / 24];
      for (std::size_t r = 0; r < links; ++r) {
        const double speed = traffic.link_speed_kmh[slot * links + r];
        const double km = traffic.link_length_km[r] * days;
        for (std::size_t k = 0; k < classes; ++k) {
          const double vkm = traffic.link_flow_veh_h[(slot * links + r) * classes + k] * km;
          if (vkm == 0.0) continue;
          const double electric = traffic.electric_share[k];
          at(static_cast<std::size_t>(link_area[r]), kVehicles + k) +=
              (1.0 - electric) * vkm * vehicle_g_per_km(kVehicleClasses[k], speed, factors) / 1e6;
          at(static_cast<std::size_t>(link_area[r]), kElectricVehicles) +=
              electric * vkm * factors.electric_kwh_per_km[k] / 1000.0 * grid_t_per_mwh;
        }
      }
    }
  }
}

}  // namespace sandan
