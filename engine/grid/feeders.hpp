// grid/feeders: the electrical networks of a Site: one network a substation, with a 154 kV source bus,
// the 154/22.9 kV transformer and the 22.9 kV radial feeders of the layout, in per unit on a 100 MVA
// base; and where each facility connects. Feeders of different substations do not meet, so each
// substation's network is solved on its own.
#pragma once

#include <string>
#include <vector>

#include "grid/network.hpp"
#include "site/site.hpp"
#include "site/topology.hpp"

namespace sandan {

struct FeederNetworkOptions {
  double base_mva = 100.0;
  double feeder_kv = 22.9;
  double source_kv = 154.0;
  double source_vm_pu = 1.0;  // the 154 kV side, held by the transmission grid
  // The transformer: leakage reactance on its own rating and X/R, typical of 154/22.9 kV units of
  // 45–60 MVA (≈15 % on rating, X/R ≈ 30) [estimate].
  double transformer_x_pu = 0.15;
  double transformer_x_over_r = 30.0;
  // A fixed off-nominal ratio standing in for the on-load tap changer's set point: 0.975 holds the
  // 22.9 kV bus ≈2.5 % above the source [estimate; KEPCO holds distribution buses near 1.0–1.03 p.u.].
  double transformer_tap = 0.975;
};

struct SubstationNetwork {
  int substation = -1;  // index into Site::substations
  Network network;      // bus 0: the 154 kV source (slack); bus 1: the 22.9 kV bus
  std::vector<int>
      branch_feeder;            // feeder of each branch (index into GridModel::feeder_ids), -1: transformer
  std::vector<int> bus_feeder;  // feeder of each bus, -1 for the two substation buses
};

struct GridModel {
  std::vector<SubstationNetwork> networks;
  std::vector<std::string> feeder_ids;
  std::vector<int> feeder_substation;  // index into Site::substations
  // Where each facility connects: network index and bus index in it; -1 when it has no bus.
  std::vector<int> facility_network;
  std::vector<int> facility_bus;
};

// Builds the networks. Throws ConfigError if a feeder's line type is not in line_types, if a feeder
// closes a loop, or if a facility's bus is not reached from a substation.
[[nodiscard]] GridModel build_grid_model(const Site& site, const std::vector<LineType>& line_types,
                                         const FeederNetworkOptions& options = {});
// The same from the layout's feeder trees and attachments, already built (a batch builds them once).
[[nodiscard]] GridModel build_grid_model(const Site& site, const FeederTopology& topo,
                                         const Attachments& attach, const std::vector<LineType>& line_types,
                                         const FeederNetworkOptions& options = {});

}  // namespace sandan
