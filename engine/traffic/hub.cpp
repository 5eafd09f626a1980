// traffic/hub: free-flow skims and the hub's 1-median location (docs/traffic-model.md, "Freight
// tours and the logistics hub").
#include "traffic/hub.hpp"

#include <cmath>
#include <cstddef>
#include <limits>

#include "traffic/shortest_path.hpp"

namespace sandan {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kMinutesPerHour = 60.0;

// Road-link km and free-flow minutes from the tree's origin to every node (inf where unreached).
struct TreeLengths {
  std::vector<double> km;
  std::vector<double> minutes;
};

void tree_lengths(const TrafficModel& model, const TrafficNetwork& net, const ShortestPathTree& tree,
                  TreeLengths& out) {
  const auto nodes = static_cast<std::size_t>(net.node_count);
  out.km.assign(nodes, kInfinity);
  out.minutes.assign(nodes, kInfinity);
  for (const int node : tree.order) {
    const auto n = static_cast<std::size_t>(node);
    const int l = tree.pred_link[n];
    if (l < 0) {
      out.km[n] = 0.0;
      out.minutes[n] = 0.0;
      continue;
    }
    const TrafficLink& link = net.links[static_cast<std::size_t>(l)];
    // The tree's links point away from its origin (in the reversed network too, where `from` is
    // the node nearer the origin).
    const auto prev = static_cast<std::size_t>(link.from);
    const bool road = model.link_road_link[static_cast<std::size_t>(l)] >= 0;
    out.km[n] = out.km[prev] + (road ? link.length : 0.0);
    out.minutes[n] = out.minutes[prev] + (road ? link.free_flow_time : 0.0);
  }
}

std::vector<double> free_flow_costs(const TrafficNetwork& net) {
  std::vector<double> cost;
  cost.reserve(net.links.size());
  for (const TrafficLink& link : net.links) cost.push_back(link.free_flow_time);
  return cost;
}

}  // namespace

FreeFlowSkim free_flow_skim(const TrafficModel& model) {
  const TrafficNetwork& net = model.network;
  const std::vector<double> cost = free_flow_costs(net);
  FreeFlowSkim skim;
  skim.zones = net.zone_count;
  const auto zones = static_cast<std::size_t>(net.zone_count);
  skim.km.assign(zones * zones, kInfinity);
  skim.hours.assign(zones * zones, kInfinity);
  ShortestPathTree tree;
  TreeLengths lengths;
  for (std::size_t o = 0; o < zones; ++o) {
    shortest_path_tree(net, cost, static_cast<int>(o), tree);
    tree_lengths(model, net, tree, lengths);
    for (std::size_t d = 0; d < zones; ++d) {
      skim.km[o * zones + d] = lengths.km[d];
      skim.hours[o * zones + d] = lengths.minutes[d] / kMinutesPerHour;
    }
  }
  return skim;
}

FreeFlowTotals free_flow_totals(const FreeFlowSkim& skim, const OdMatrix& trips) {
  FreeFlowTotals totals;
  if (trips.zones != skim.zones) return totals;
  const auto zones = static_cast<std::size_t>(skim.zones);
  for (std::size_t o = 0; o < zones; ++o) {
    for (std::size_t d = 0; d < zones; ++d) {
      const double x = trips.values[o * zones + d];
      if (o == d || !(x > 0.0)) continue;
      totals.km += x * skim.km[o * zones + d];
      totals.hours += x * skim.hours[o * zones + d];
    }
  }
  return totals;
}

std::vector<double> hub_node_km(const TrafficModel& model,
                                const std::array<OdMatrix, kTruckClassCount>& hub_trips) {
  const TrafficNetwork& net = model.network;
  const int zones = net.zone_count;
  const int hub = model.hub_zone;
  const std::size_t road_nodes = static_cast<std::size_t>(net.node_count - zones);
  std::vector<double> km(road_nodes, 0.0);
  if (hub < 0) return km;
  // Weights: trips from each zone to the hub, and from the hub to each zone (all truck classes).
  std::vector<double> to_hub(static_cast<std::size_t>(zones), 0.0);
  std::vector<double> from_hub(static_cast<std::size_t>(zones), 0.0);
  for (const OdMatrix& m : hub_trips) {
    if (m.zones != zones) continue;
    for (int z = 0; z < zones; ++z) {
      if (z == hub) continue;
      to_hub[static_cast<std::size_t>(z)] += m.at(z, hub);
      from_hub[static_cast<std::size_t>(z)] += m.at(hub, z);
    }
  }
  // d(n → z) is d(z → n) in the reversed network.
  TrafficNetwork reversed = net;
  for (TrafficLink& link : reversed.links) std::swap(link.from, link.to);
  reversed.build_index();
  const std::vector<double> cost = free_flow_costs(net);
  ShortestPathTree tree;
  TreeLengths lengths;
  const auto add = [&](const TrafficNetwork& g, int zone, double weight) {
    shortest_path_tree(g, cost, zone, tree);
    tree_lengths(model, g, tree, lengths);
    for (std::size_t n = 0; n < road_nodes; ++n)
      km[n] += weight * lengths.km[static_cast<std::size_t>(zones) + n];
  };
  for (int z = 0; z < zones; ++z) {
    const auto zi = static_cast<std::size_t>(z);
    if (to_hub[zi] > 0.0) add(net, z, to_hub[zi]);
    if (from_hub[zi] > 0.0) add(reversed, z, from_hub[zi]);
  }
  return km;
}

int best_hub_node(const std::vector<double>& node_km) {
  int best = -1;
  for (std::size_t n = 0; n < node_km.size(); ++n) {
    if (!std::isfinite(node_km[n])) continue;
    if (best < 0 || node_km[n] < node_km[static_cast<std::size_t>(best)]) best = static_cast<int>(n);
  }
  return best;
}

}  // namespace sandan
