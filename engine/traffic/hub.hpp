// traffic/hub: where the logistics hub stands. Free-flow shortest-path skims of the complexes'
// network, the truck-km of OD matrices under them, and the 1-median choice of the hub's road node
// (Hakimi 1964): the node that minimises the truck-km of the legs that start or end at the hub.
#pragma once

#include <array>
#include <vector>

#include "traffic/demand.hpp"
#include "traffic/network.hpp"

namespace sandan {

// Vehicle-km and vehicle-hours of trips on their free-flow shortest paths (shortest by free-flow
// time), counting road links only (connectors excluded, as the run's vehicle-km do).
struct FreeFlowTotals {
  double km = 0.0;
  double hours = 0.0;
};
// Zone-to-zone road km and free-flow hours, [origin × zones + destination]; +inf where unreached.
struct FreeFlowSkim {
  int zones = 0;
  std::vector<double> km;
  std::vector<double> hours;
};
[[nodiscard]] FreeFlowSkim free_flow_skim(const TrafficModel& model);
// Σ trips × skim over the pairs with trips (the diagonal left out: intrazonal trips load no link).
[[nodiscard]] FreeFlowTotals free_flow_totals(const FreeFlowSkim& skim, const OdMatrix& trips);

// For every road node n: the vehicle-km (free flow, road links only) of the hub's legs if the hub stood
// at n: Σ_z trips(z, hub) · d(z → n) + trips(hub, z) · d(n → z) over the zones z, from `hub_trips`
// (matrices whose hub zone is model.hub_zone; where it stands does not matter: the tours' stops and
// the vehicles gate ↔ hub do not depend on it). +inf where some leg cannot be driven.
[[nodiscard]] std::vector<double> hub_node_km(const TrafficModel& model,
                                              const std::array<OdMatrix, kTruckClassCount>& hub_trips);

// The road node of least hub_node_km (ties: the lower index); -1 if no node can serve every leg.
[[nodiscard]] int best_hub_node(const std::vector<double>& node_km);

}  // namespace sandan
