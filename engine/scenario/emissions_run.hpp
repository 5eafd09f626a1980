// scenario/emissions_run: the carbon account of a run from its energy and traffic results
// (docs/emissions.md).
#pragma once

#include <vector>

#include "emissions/factors.hpp"
#include "scenario/results.hpp"
#include "site/site.hpp"

namespace sandan {

// `facility_fuel_mwh`: each facility's fuel burned in the year; `facility_slot`: its complex's index in
// energy.complex_ids. Transport is counted when traffic ran.
// `hourly_grid_t_per_mwh`, when not empty, replaces the annual factor for imports hour by hour (and
// its mean is used for electric vehicles, whose charging hours are not modelled).
void account_emissions(const EmissionFactors& factors, double grid_t_per_mwh,
                       const std::vector<double>& hourly_grid_t_per_mwh, const Site& site,
                       const std::vector<double>& facility_fuel_mwh,
                       const std::vector<std::size_t>& facility_slot, const EnergyResults& energy,
                       const TrafficResults& traffic, EmissionsResults& out);

}  // namespace sandan
