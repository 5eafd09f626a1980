// traffic/shortest_path: one-to-all shortest paths by Dijkstra's algorithm with a binary heap on the
// network's forward star, and all-or-nothing loading over every origin in parallel.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "traffic/network.hpp"

namespace sandan {

// Labels and predecessor links of one origin's tree; reused between calls to avoid allocation.
struct ShortestPathTree {
  std::vector<double> distance;  // +inf where unreached
  std::vector<int> pred_link;    // -1 at the origin and where unreached
  std::vector<int> order;        // reached nodes in the order they were settled (origin first)
};

// Dijkstra (1959) from `origin` under link costs `cost` (one a link). Nodes that may not be passed
// through (below first_thru_node) are settled but not expanded, except the origin itself.
void shortest_path_tree(const TrafficNetwork& net, const std::vector<double>& cost, int origin,
                        ShortestPathTree& tree);

// All-or-nothing: loads every origin's demand (in PCE: Σ_class pce·trips) onto its shortest paths.
// Returns the loaded link flows and writes Σ demand × shortest cost to *sptt. Origins are spread over
// `threads` threads (0: OpenMP's default) in fixed blocks summed in order, so the result does not
// depend on the thread count.
[[nodiscard]] std::vector<double> all_or_nothing(const TrafficNetwork& net,
                                                 const std::vector<DemandClass>& demand,
                                                 const std::vector<double>& cost, int threads, double* sptt);

// Zones with demand that cannot reach their destinations: one line each, "zone 3 → zone 17".
[[nodiscard]] std::vector<std::string> unreachable_demand(const TrafficNetwork& net,
                                                          const std::vector<DemandClass>& demand,
                                                          std::size_t max_lines = 20);

}  // namespace sandan
