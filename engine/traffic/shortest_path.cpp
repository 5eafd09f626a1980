#include "traffic/shortest_path.hpp"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <limits>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include <omp.h>

namespace sandan {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Demand of one origin by destination zone, in PCE (all classes), or per class.
void origin_demand(const std::vector<DemandClass>& demand, int origin, std::vector<double>& out) {
  const int zones = demand.empty() ? 0 : demand.front().trips.zones;
  out.assign(static_cast<std::size_t>(zones), 0.0);
  for (const DemandClass& c : demand) {
    for (int d = 0; d < zones; ++d) {
      if (d != origin) out[static_cast<std::size_t>(d)] += c.pce * c.trips.at(origin, d);
    }
  }
}

}  // namespace

void shortest_path_tree(const TrafficNetwork& net, const std::vector<double>& cost, int origin,
                        ShortestPathTree& tree) {
  const auto n = static_cast<std::size_t>(net.node_count);
  tree.distance.assign(n, kInf);
  tree.pred_link.assign(n, -1);
  tree.order.clear();
  // Binary heap with lazy deletion; ties are broken by node index, so the tree is deterministic.
  using Entry = std::pair<double, int>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  tree.distance[static_cast<std::size_t>(origin)] = 0.0;
  heap.emplace(0.0, origin);
  while (!heap.empty()) {
    const auto [dist, node] = heap.top();
    heap.pop();
    if (dist > tree.distance[static_cast<std::size_t>(node)]) continue;
    tree.order.push_back(node);
    if (node != origin && !net.passable(node)) continue;
    for (int k = net.out_offset[static_cast<std::size_t>(node)];
         k < net.out_offset[static_cast<std::size_t>(node) + 1]; ++k) {
      const int l = net.out_link[static_cast<std::size_t>(k)];
      const auto to = static_cast<std::size_t>(net.links[static_cast<std::size_t>(l)].to);
      const double candidate = dist + cost[static_cast<std::size_t>(l)];
      if (candidate < tree.distance[to]) {
        tree.distance[to] = candidate;
        tree.pred_link[to] = l;
        heap.emplace(candidate, static_cast<int>(to));
      }
    }
  }
}

std::vector<double> all_or_nothing(const TrafficNetwork& net, const std::vector<DemandClass>& demand,
                                   const std::vector<double>& cost, int threads, double* sptt) {
  const int zones = net.zone_count;
  const std::size_t link_count = net.links.size();
  // Fixed blocks of origins, each summed into its own vector and the blocks added in order: the
  // floating-point sums do not depend on how many threads share the blocks.
  const int block_count = std::max(1, std::min(zones, 32));
  std::vector<std::vector<double>> block_flow(static_cast<std::size_t>(block_count));
  std::vector<double> block_sptt(static_cast<std::size_t>(block_count), 0.0);
  // Waking threads costs more than a small network's whole sweep (Sioux Falls: 3 ms alone, up to
  // 37 ms with two threads on a busy machine); below ~1e5 origin-links one thread does it.
  const bool small = static_cast<double>(zones) * static_cast<double>(link_count) < 1e5;
  // Read by the OpenMP pragma's num_threads clause, which the analyzer does not see.
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores)
  const int thread_count = small ? 1 : (threads > 0 ? threads : omp_get_max_threads());
#pragma omp parallel num_threads(thread_count)
  {
    ShortestPathTree tree;
    std::vector<double> dest_demand;
    std::vector<double> node_flow(static_cast<std::size_t>(net.node_count), 0.0);
#pragma omp for schedule(dynamic, 1)
    for (int b = 0; b < block_count; ++b) {
      std::vector<double>& flow = block_flow[static_cast<std::size_t>(b)];
      flow.assign(link_count, 0.0);
      double total = 0.0;
      const int first = static_cast<int>(static_cast<long long>(zones) * b / block_count);
      const int last = static_cast<int>(static_cast<long long>(zones) * (b + 1) / block_count);
      for (int o = first; o < last; ++o) {
        origin_demand(demand, o, dest_demand);
        bool any = false;
        for (double v : dest_demand) any = any || v > 0.0;
        if (!any) continue;
        shortest_path_tree(net, cost, o, tree);
        for (int d = 0; d < zones; ++d) {
          const double v = dest_demand[static_cast<std::size_t>(d)];
          if (v > 0.0 && tree.distance[static_cast<std::size_t>(d)] < kInf) {
            node_flow[static_cast<std::size_t>(d)] = v;
            total += v * tree.distance[static_cast<std::size_t>(d)];
          }
        }
        // Push each node's flow to its predecessor, farthest nodes first.
        for (auto it = tree.order.rbegin(); it != tree.order.rend(); ++it) {
          const auto node = static_cast<std::size_t>(*it);
          const double v = node_flow[node];
          if (v == 0.0) continue;
          node_flow[node] = 0.0;
          const int l = tree.pred_link[node];
          if (l < 0) continue;
          flow[static_cast<std::size_t>(l)] += v;
          node_flow[static_cast<std::size_t>(net.links[static_cast<std::size_t>(l)].from)] += v;
        }
      }
      block_sptt[static_cast<std::size_t>(b)] = total;
    }
  }
  std::vector<double> result(link_count, 0.0);
  double total = 0.0;
  for (int b = 0; b < block_count; ++b) {
    const std::vector<double>& flow = block_flow[static_cast<std::size_t>(b)];
    for (std::size_t l = 0; l < link_count; ++l) result[l] += flow[l];
    total += block_sptt[static_cast<std::size_t>(b)];
  }
  if (sptt != nullptr) *sptt = total;
  return result;
}

std::vector<std::string> unreachable_demand(const TrafficNetwork& net, const std::vector<DemandClass>& demand,
                                            std::size_t max_lines) {
  std::vector<std::string> lines;
  std::size_t count = 0;
  const std::vector<double> cost(net.links.size(), 1.0);
  ShortestPathTree tree;
  std::vector<double> dest_demand;
  for (int o = 0; o < net.zone_count; ++o) {
    origin_demand(demand, o, dest_demand);
    bool any = false;
    for (double v : dest_demand) any = any || v > 0.0;
    if (!any) continue;
    shortest_path_tree(net, cost, o, tree);
    for (int d = 0; d < net.zone_count; ++d) {
      if (dest_demand[static_cast<std::size_t>(d)] > 0.0 &&
          tree.distance[static_cast<std::size_t>(d)] == kInf) {
        if (lines.size() < max_lines) {
          lines.push_back("zone " + std::to_string(o + 1) + " → zone " + std::to_string(d + 1));
        }
        ++count;
      }
    }
  }
  if (count > lines.size()) {
    lines.push_back("… and " + std::to_string(count - lines.size()) + " more pairs");
  }
  return lines;
}

}  // namespace sandan
