// emissions/factors: emission factors as data (gis_data/emissions/factors.yaml, every figure with its
// source and confidence) and the three kinds of emission sandan accounts: stationary fuel burned in the
// facilities (IPCC 2006 Tier 1: fuel energy × default factor), electricity drawn from the grid
// (consumption-side grid factor), and road vehicles (CO2 a km as a function of mean speed).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "site/site.hpp"

namespace sandan {

// kg a TJ of fuel on a net calorific value basis.
struct FuelFactor {
  double co2_kg_per_tj = 0.0;
  double ch4_kg_per_tj = 0.0;
  double n2o_kg_per_tj = 0.0;
};

// CO2 g/km = a + b / v + c v², v the mean speed in km/h clamped to [v_min, v_max].
struct VehicleCurve {
  double a = 0.0;
  double b = 0.0;
  double c = 0.0;
  double v_min_kmh = 5.0;
  double v_max_kmh = 120.0;
};

struct EmissionFactors {
  std::string path;
  std::array<FuelFactor, kFuelCount> fuels{};  // index: index_of(Fuel)
  double gwp_ch4 = 28.0;                       // 100-year global warming potentials
  double gwp_n2o = 265.0;
  double grid_t_per_mwh = 0.4173;  // consumption-side grid factor (tCO2eq/MWh), default of a scenario
  std::array<VehicleCurve, kVehicleClassCount> vehicles{};
  std::array<double, kVehicleClassCount> electric_kwh_per_km{};  // of an electric vehicle of the class
};

// Reads the factors file; strict (unknown keys, wrong types, out-of-range values: ConfigError with file,
// line and key path, all at once).
[[nodiscard]] EmissionFactors read_emission_factors(const std::string& path);

// tCO2eq of burning fuel_mwh of a fuel (net calorific value): CO2 + GWP-weighted CH4 and N2O.
// 0 for Fuel::kNone.
[[nodiscard]] double stationary_tco2e(Fuel fuel, double fuel_mwh, const EmissionFactors& factors);

// g CO2 a vehicle-km of a class at a mean speed.
[[nodiscard]] double vehicle_g_per_km(VehicleClass vehicle_class, double speed_kmh,
                                      const EmissionFactors& factors);

// An hourly grid factor series: a CSV file with the header `hour,t_per_mwh` and one row for each
// hour 0..hours-1 of the year in order (hour 0 = 1 January 00:00–01:00 local time), factors in
// tCO2eq/MWh, 0–2. Throws ConfigError naming file and line for every bad row, a missing or extra hour.
[[nodiscard]] std::vector<double> read_hourly_grid_factor(const std::string& path, int hours);

}  // namespace sandan
