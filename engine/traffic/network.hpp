// traffic/network: a directed road network for static assignment, in the form of the Transportation
// Networks for Research (TNTP) files: nodes 0..node_count-1, the first zone_count of which are zones
// (origins and destinations); links with BPR cost parameters; a compact forward and backward star.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sandan {

// One directed link. Time is in the network's own unit (TNTP: as in the file; the complexes: minutes).
// Travel time follows the BPR function t(x) = t0 (1 + b (x / capacity)^power) (Bureau of Public
// Roads 1964); the generalised cost adds toll_factor·toll + distance_factor·length (TNTP convention).
struct TrafficLink {
  int from = -1;
  int to = -1;
  double capacity = 1.0;        // PCE per hour (per period for TNTP cases)
  double length = 0.0;          // the network's length unit (km for the complexes)
  double free_flow_time = 0.0;  // t0
  double b = 0.15;
  double power = 4.0;
  double toll = 0.0;
  int link_type = 1;
};

struct TrafficNetwork {
  std::string name;
  int node_count = 0;
  int zone_count = 0;
  // Nodes below first_thru_node (0-based) carry no through traffic: a path may start or end there
  // but not pass through (TNTP's FIRST THRU NODE, minus one). 0: every node may be passed through.
  int first_thru_node = 0;
  double toll_factor = 0.0;
  double distance_factor = 0.0;
  std::vector<TrafficLink> links;

  // Forward and backward stars (CSR), filled by build_index(): links leaving node n are
  // out_link[out_offset[n] .. out_offset[n+1]), links entering it in_link[in_offset[n] ..].
  std::vector<int> out_offset;
  std::vector<int> out_link;
  std::vector<int> in_offset;
  std::vector<int> in_link;

  // Builds the stars; links keep their order within a node's star (results are reproducible).
  void build_index();
  [[nodiscard]] bool passable(int node) const { return node >= first_thru_node; }
};

// Link cost under a flow (PCE/h): BPR time plus the fixed generalised terms.
[[nodiscard]] double link_time(const TrafficLink& link, double flow);
[[nodiscard]] double link_cost(const TrafficNetwork& net, const TrafficLink& link, double flow);
// d cost / d flow.
[[nodiscard]] double link_cost_derivative(const TrafficLink& link, double flow);
// Beckmann's integral of the cost from 0 to flow (the user-equilibrium objective's term).
[[nodiscard]] double link_cost_integral(const TrafficNetwork& net, const TrafficLink& link, double flow);

// Origin-destination demand between zones, row-major: trips(o, d) = values[o * zones + d].
struct OdMatrix {
  int zones = 0;
  std::vector<double> values;

  OdMatrix() = default;
  explicit OdMatrix(int zone_count)
      : zones(zone_count), values(static_cast<std::size_t>(zone_count) * zone_count, 0.0) {}
  [[nodiscard]] double& at(int origin, int destination) {
    return values[static_cast<std::size_t>(origin) * zones + destination];
  }
  [[nodiscard]] double at(int origin, int destination) const {
    return values[static_cast<std::size_t>(origin) * zones + destination];
  }
  [[nodiscard]] double total() const;
};

// One class of vehicles with its demand in vehicles; it loads the links with pce PCE per vehicle.
// All classes see the same link costs (time-based user equilibrium).
struct DemandClass {
  std::string name;
  double pce = 1.0;
  OdMatrix trips;
};

}  // namespace sandan
