#include "traffic/assignment.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/threads.hpp"
#include "traffic/shortest_path.hpp"

namespace sandan {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void check_demand(const TrafficNetwork& net, const std::vector<DemandClass>& demand, bool reachability) {
  std::vector<std::string> problems;
  for (const DemandClass& c : demand) {
    if (c.trips.zones != net.zone_count) {
      problems.push_back("class " + c.name + " has " + std::to_string(c.trips.zones) +
                         " zones, the network " + std::to_string(net.zone_count));
    }
    if (!(c.pce > 0.0) || !std::isfinite(c.pce)) {
      problems.push_back("class " + c.name + " has passenger-car equivalent " + std::to_string(c.pce) +
                         "; it must be a positive number");
    }
    for (double v : c.trips.values) {
      if (!(v >= 0.0) || !std::isfinite(v)) {
        problems.push_back("class " + c.name + " has a negative or non-finite demand (" + std::to_string(v) +
                           ")");
        break;
      }
    }
  }
  // Link costs of more vehicles than exist overflow to inf and NaN, and the assignment then has no
  // shortest paths to follow: refuse such demand here. The bound is ten times the world's roughly
  // 1.5 billion motor vehicles in use (OICA, "Vehicles in use", 2020), all on the road in one hour.
  constexpr double kMostTripsAnHour = 1.5e10;
  double total = 0.0;
  for (const DemandClass& c : demand) {
    for (double v : c.trips.values) total += c.pce * v;
  }
  if (problems.empty() && !(total <= kMostTripsAnHour)) {
    char text[64];
    std::snprintf(text, sizeof text, "%.3g", total);
    problems.push_back(std::string("the demand adds up to ") + text +
                       " PCE in an hour, more than every vehicle in the world (at most 1.5e10): check "
                       "the trip rates and the facilities' sizes (floor_area_m2, employees)");
  }
  if (!problems.empty()) throw ConfigError("demand does not fit network " + net.name, problems);
  if (!reachability) return;
  std::vector<std::string> unreachable = unreachable_demand(net, demand);
  if (!unreachable.empty()) {
    throw ConfigError("network " + net.name +
                          ": demand between zones that cannot reach each other (check one-way links "
                          "and FIRST THRU NODE, or remove the demand)",
                      unreachable);
  }
}

struct CostState {
  std::vector<double> cost;
  std::vector<double> derivative;
};

void update_costs(const TrafficNetwork& net, const std::vector<double>& flow, CostState& state) {
  state.cost.resize(net.links.size());
  state.derivative.resize(net.links.size());
  for (std::size_t l = 0; l < net.links.size(); ++l) {
    state.cost[l] = link_cost(net, net.links[l], flow[l]);
    state.derivative[l] = link_cost_derivative(net.links[l], flow[l]);
  }
}

double total_cost(const std::vector<double>& flow, const std::vector<double>& cost) {
  double sum = 0.0;
  for (std::size_t l = 0; l < flow.size(); ++l) sum += flow[l] * cost[l];
  return sum;
}

double beckmann(const TrafficNetwork& net, const std::vector<double>& flow) {
  double sum = 0.0;
  for (std::size_t l = 0; l < flow.size(); ++l) sum += link_cost_integral(net, net.links[l], flow[l]);
  return sum;
}

// Per-class AON flows in vehicles (for Frank-Wolfe's class decomposition).
std::vector<std::vector<double>> class_all_or_nothing(const TrafficNetwork& net,
                                                      const std::vector<DemandClass>& demand,
                                                      const std::vector<double>& cost, int threads) {
  std::vector<std::vector<double>> flows;
  flows.reserve(demand.size());
  for (const DemandClass& c : demand) {
    DemandClass one{c.name, 1.0, c.trips};
    flows.push_back(all_or_nothing(net, {one}, cost, threads, nullptr));
  }
  return flows;
}

// ---------------------------------------------------------------------------------------------
// Frank-Wolfe with an exact line search by bisection on the directional derivative of Beckmann's
// objective (LeBlanc, Morlok & Pierskalla 1975).

AssignmentResult frank_wolfe(const TrafficNetwork& net, const std::vector<DemandClass>& demand,
                             const AssignmentOptions& options,
                             const std::function<void(const IterationRecord&)>& on_iteration,
                             Clock::time_point start) {
  AssignmentResult result;
  const std::size_t link_count = net.links.size();
  CostState state;
  std::vector<double> zero(link_count, 0.0);
  update_costs(net, zero, state);
  const bool classes = demand.size() > 1;
  std::vector<std::vector<double>> class_flow;
  std::vector<double> x;
  if (classes) {
    class_flow = class_all_or_nothing(net, demand, state.cost, options.threads);
    x.assign(link_count, 0.0);
    for (std::size_t k = 0; k < demand.size(); ++k) {
      for (std::size_t l = 0; l < link_count; ++l) x[l] += demand[k].pce * class_flow[k][l];
    }
  } else {
    x = all_or_nothing(net, demand, state.cost, options.threads, nullptr);
  }
  std::vector<double> direction(link_count);
  for (int iteration = 1;; ++iteration) {
    update_costs(net, x, state);
    double sptt = 0.0;
    std::vector<std::vector<double>> class_target;
    std::vector<double> target;
    if (classes) {
      class_target = class_all_or_nothing(net, demand, state.cost, options.threads);
      target.assign(link_count, 0.0);
      for (std::size_t k = 0; k < demand.size(); ++k) {
        for (std::size_t l = 0; l < link_count; ++l) target[l] += demand[k].pce * class_target[k][l];
      }
      sptt = total_cost(target, state.cost);
    } else {
      target = all_or_nothing(net, demand, state.cost, options.threads, &sptt);
    }
    const double tstt = total_cost(x, state.cost);
    result.relative_gap = tstt > 0.0 ? (tstt - sptt) / tstt : 0.0;
    result.iterations = iteration;
    const IterationRecord record{iteration, result.relative_gap, tstt, seconds_since(start)};
    result.log.push_back(record);
    if (on_iteration) on_iteration(record);
    if (result.relative_gap <= options.target_gap) {
      result.converged = true;
      break;
    }
    if (iteration >= options.max_iterations) break;
    for (std::size_t l = 0; l < link_count; ++l) direction[l] = target[l] - x[l];
    // The objective is convex along the direction: bisect its derivative Σ d·c(x + λd) on [0, 1].
    auto slope = [&](double lambda) {
      double s = 0.0;
      for (std::size_t l = 0; l < link_count; ++l) {
        s += direction[l] * link_cost(net, net.links[l], x[l] + lambda * direction[l]);
      }
      return s;
    };
    double lambda = 1.0;
    if (slope(1.0) > 0.0) {
      double lo = 0.0;
      double hi = 1.0;
      for (int k = 0; k < 60 && hi - lo > 1e-15; ++k) {
        const double mid = 0.5 * (lo + hi);
        (slope(mid) > 0.0 ? hi : lo) = mid;
      }
      lambda = 0.5 * (lo + hi);
    }
    for (std::size_t l = 0; l < link_count; ++l) x[l] += lambda * direction[l];
    if (classes) {
      for (std::size_t k = 0; k < demand.size(); ++k) {
        for (std::size_t l = 0; l < link_count; ++l) {
          class_flow[k][l] += lambda * (class_target[k][l] - class_flow[k][l]);
        }
      }
    }
  }
  result.link_flow = x;
  if (classes) {
    result.class_flow = std::move(class_flow);
  } else if (!demand.empty()) {
    result.class_flow.assign(1, x);
    for (double& v : result.class_flow[0]) v /= demand[0].pce;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Algorithm B (Dial 2006). Each origin keeps an acyclic bush: a subset of links with the origin's
// flow on them. Flow is moved, node by node in reverse topological order, from the longest used path
// to the shortest path of the bush by a Newton step on the two path segments after their last common
// node; the bush then gains the links that shorten its longest paths and loses unused links.

class AlgorithmB {
 public:
  AlgorithmB(const TrafficNetwork& net, const std::vector<DemandClass>& demand) : net_(net), demand_(demand) {
    const auto n = static_cast<std::size_t>(net.node_count);
    const std::size_t m = net.links.size();
    flow_.assign(m, 0.0);
    min_dist_.assign(n, kInf);
    max_dist_.assign(n, -kInf);
    min_pred_.assign(n, -1);
    max_pred_.assign(n, -1);
    position_.assign(n, -1);
    indegree_.assign(n, 0);
    mark_.assign(n, 0);
    // The origins with demand, and their demand (PCE) by destination.
    for (int o = 0; o < net.zone_count; ++o) {
      std::vector<double> dest(static_cast<std::size_t>(net.zone_count), 0.0);
      bool any = false;
      for (const DemandClass& c : demand) {
        for (int d = 0; d < net.zone_count; ++d) {
          if (d == o) continue;
          dest[static_cast<std::size_t>(d)] += c.pce * c.trips.at(o, d);
          any = any || c.trips.at(o, d) > 0.0;
        }
      }
      if (any) bushes_.push_back(Bush{o, std::move(dest), {}, {}, {}});
    }
  }

  // Bushes from the shortest-path trees at free flow, demand loaded all-or-nothing on them.
  void initialise(CostState& state) {
    const std::size_t m = net_.links.size();
    update_costs(net_, flow_, state);
    ShortestPathTree tree;
    std::vector<double> node_flow(static_cast<std::size_t>(net_.node_count), 0.0);
    for (Bush& bush : bushes_) {
      bush.flow.assign(m, 0.0);
      bush.member.assign(m, 0);
      shortest_path_tree(net_, state.cost, bush.origin, tree);
      for (std::size_t v = 0; v < tree.pred_link.size(); ++v) {
        if (tree.pred_link[v] >= 0) bush.member[static_cast<std::size_t>(tree.pred_link[v])] = 1;
      }
      for (int d = 0; d < net_.zone_count; ++d)
        node_flow[static_cast<std::size_t>(d)] = bush.demand[static_cast<std::size_t>(d)];
      for (auto it = tree.order.rbegin(); it != tree.order.rend(); ++it) {
        const auto node = static_cast<std::size_t>(*it);
        const double v = node_flow[node];
        node_flow[node] = 0.0;
        const int l = tree.pred_link[node];
        if (l < 0 || v == 0.0) continue;
        bush.flow[static_cast<std::size_t>(l)] += v;
        node_flow[static_cast<std::size_t>(net_.links[static_cast<std::size_t>(l)].from)] += v;
      }
      for (std::size_t l = 0; l < m; ++l) flow_[l] += bush.flow[l];
      topological_order(bush);
    }
    update_costs(net_, flow_, state);
  }

  // One main iteration: every bush updated and equilibrated. `threshold` is the relative cost
  // difference between a node's longest and shortest path below which no flow is moved.
  void iterate(CostState& state, double threshold, int inner_passes) {
    for (Bush& bush : bushes_) {
      update_bush(bush, state);
      for (int pass = 0; pass < inner_passes; ++pass) {
        if (!equilibrate(bush, state, threshold)) break;
      }
    }
    // Further passes over every bush without changing them (cheap: no shortest-path search).
    for (int sweep = 0; sweep < inner_passes; ++sweep) {
      bool moved = false;
      for (Bush& bush : bushes_) moved = equilibrate(bush, state, threshold) || moved;
      if (!moved) break;
    }
  }

  [[nodiscard]] const std::vector<double>& flow() const { return flow_; }

  // Class flows (vehicles) from each bush by proportional decomposition: a class's flow arriving at a
  // node splits over the node's incoming bush links in proportion to their bush flows.
  [[nodiscard]] std::vector<std::vector<double>> class_flows() {
    const std::size_t m = net_.links.size();
    const std::size_t classes = demand_.size();
    std::vector<std::vector<double>> result(classes, std::vector<double>(m, 0.0));
    std::vector<double> need(static_cast<std::size_t>(net_.node_count) * classes, 0.0);
    for (const Bush& bush : bushes_) {
      std::fill(need.begin(), need.end(), 0.0);
      for (int d = 0; d < net_.zone_count; ++d) {
        if (d == bush.origin) continue;
        for (std::size_t k = 0; k < classes; ++k) {
          need[static_cast<std::size_t>(d) * classes + k] = demand_[k].trips.at(bush.origin, d);
        }
      }
      for (auto it = bush.order.rbegin(); it != bush.order.rend(); ++it) {
        const auto j = static_cast<std::size_t>(*it);
        double inflow = 0.0;
        for (int k = net_.in_offset[j]; k < net_.in_offset[j + 1]; ++k) {
          const auto l = static_cast<std::size_t>(net_.in_link[static_cast<std::size_t>(k)]);
          if (bush.member[l] != 0) inflow += bush.flow[l];
        }
        if (inflow <= 0.0) continue;
        for (int k = net_.in_offset[j]; k < net_.in_offset[j + 1]; ++k) {
          const auto l = static_cast<std::size_t>(net_.in_link[static_cast<std::size_t>(k)]);
          if (bush.member[l] == 0 || bush.flow[l] <= 0.0) continue;
          const double share = bush.flow[l] / inflow;
          const auto i = static_cast<std::size_t>(net_.links[l].from);
          for (std::size_t c = 0; c < classes; ++c) {
            const double v = need[j * classes + c] * share;
            result[c][l] += v;
            need[i * classes + c] += v;
          }
        }
      }
    }
    return result;
  }

 private:
  struct Bush {
    int origin = 0;
    std::vector<double> demand;  // PCE by destination zone
    std::vector<double> flow;    // PCE by link
    std::vector<std::uint8_t> member;
    std::vector<int> order;  // topological order of the bush's nodes, kept while its links stay
  };

  [[nodiscard]] bool may_leave(const Bush& bush, int node) const {
    return node == bush.origin || net_.passable(node);
  }

  // Kahn's algorithm on the bush's links from the origin; bush.order holds the reached nodes.
  void topological_order(Bush& bush) {
    std::vector<int>& order = bush.order;
    order.clear();
    for (std::size_t l = 0; l < net_.links.size(); ++l) {
      if (bush.member[l] != 0) ++indegree_[static_cast<std::size_t>(net_.links[l].to)];
    }
    order.push_back(bush.origin);
    for (std::size_t head = 0; head < order.size(); ++head) {
      const auto i = static_cast<std::size_t>(order[head]);
      for (int k = net_.out_offset[i]; k < net_.out_offset[i + 1]; ++k) {
        const auto l = static_cast<std::size_t>(net_.out_link[static_cast<std::size_t>(k)]);
        if (bush.member[l] == 0) continue;
        const auto j = static_cast<std::size_t>(net_.links[l].to);
        if (--indegree_[j] == 0) order.push_back(static_cast<int>(j));
      }
    }
    std::fill(indegree_.begin(), indegree_.end(), 0);
  }

  // Shortest (over every bush link) and longest (over used links only when used_only) distances.
  void labels(const Bush& bush, const CostState& state, bool used_only) {
    const std::vector<int>& order = bush.order;
    for (int node : order) {
      min_dist_[static_cast<std::size_t>(node)] = kInf;
      max_dist_[static_cast<std::size_t>(node)] = -kInf;
      min_pred_[static_cast<std::size_t>(node)] = -1;
      max_pred_[static_cast<std::size_t>(node)] = -1;
    }
    min_dist_[static_cast<std::size_t>(bush.origin)] = 0.0;
    max_dist_[static_cast<std::size_t>(bush.origin)] = 0.0;
    for (int node : order) {
      const auto j = static_cast<std::size_t>(node);
      if (node == bush.origin) continue;
      for (int k = net_.in_offset[j]; k < net_.in_offset[j + 1]; ++k) {
        const auto l = static_cast<std::size_t>(net_.in_link[static_cast<std::size_t>(k)]);
        if (bush.member[l] == 0) continue;
        const auto i = static_cast<std::size_t>(net_.links[l].from);
        const double c = state.cost[l];
        if (min_dist_[i] + c < min_dist_[j]) {
          min_dist_[j] = min_dist_[i] + c;
          min_pred_[j] = static_cast<int>(l);
        }
        if ((!used_only || bush.flow[l] > 0.0) && max_dist_[i] > -kInf && max_dist_[i] + c > max_dist_[j]) {
          max_dist_[j] = max_dist_[i] + c;
          max_pred_[j] = static_cast<int>(l);
        }
      }
    }
  }

  // Drops unused links (keeping the bush's shortest-path tree) and adds the links that shorten the
  // longest bush paths; those keep the bush acyclic because the longest-path labels increase along
  // every bush link (Dial 2006, Nie 2010). When none qualifies, links that shorten shortest paths and
  // respect the current topological order are added instead.
  void update_bush(Bush& bush, const CostState& state) {
    // Flow shifts do not change a bush's links, so its order from the last update still holds; so
    // does it after unused links are dropped (a subset of an acyclic order's links).
    labels(bush, state, false);
    const std::size_t m = net_.links.size();
    for (std::size_t l = 0; l < m; ++l) {
      if (bush.member[l] != 0 && bush.flow[l] <= 0.0 &&
          min_pred_[static_cast<std::size_t>(net_.links[l].to)] != static_cast<int>(l)) {
        bush.member[l] = 0;
        bush.flow[l] = 0.0;
      }
    }
    labels(bush, state, false);
    // Positions in the bush's order, for the fallback below.
    for (std::size_t k = 0; k < bush.order.size(); ++k)
      position_[static_cast<std::size_t>(bush.order[k])] = static_cast<int>(k);
    bool added = false;
    for (std::size_t l = 0; l < m; ++l) {
      if (bush.member[l] != 0) continue;
      const TrafficLink& link = net_.links[l];
      const auto i = static_cast<std::size_t>(link.from);
      const auto j = static_cast<std::size_t>(link.to);
      if (position_[i] < 0 || position_[j] < 0 || !may_leave(bush, link.from) || link.to == bush.origin) {
        continue;
      }
      if (max_dist_[i] + state.cost[l] < max_dist_[j] * (1.0 - 1e-14)) {
        bush.member[l] = 1;
        added = true;
      }
    }
    if (!added) {
      for (std::size_t l = 0; l < m; ++l) {
        if (bush.member[l] != 0) continue;
        const TrafficLink& link = net_.links[l];
        const auto i = static_cast<std::size_t>(link.from);
        const auto j = static_cast<std::size_t>(link.to);
        if (position_[i] < 0 || position_[j] < 0 || !may_leave(bush, link.from)) continue;
        if (position_[i] < position_[j] && min_dist_[i] + state.cost[l] < min_dist_[j] * (1.0 - 1e-14)) {
          bush.member[l] = 1;
        }
      }
    }
    for (int node : bush.order) position_[static_cast<std::size_t>(node)] = -1;
    topological_order(bush);
  }

  // One pass of Newton flow shifts over the bush's nodes in reverse topological order. Returns
  // whether any flow moved.
  bool equilibrate(Bush& bush, CostState& state, double threshold) {
    labels(bush, state, true);
    bool moved = false;
    for (auto it = bush.order.rbegin(); it != bush.order.rend(); ++it) {
      const int j = *it;
      const auto ju = static_cast<std::size_t>(j);
      if (j == bush.origin || max_pred_[ju] < 0) continue;
      if (max_dist_[ju] - min_dist_[ju] <= threshold * min_dist_[ju]) continue;
      // The last common node of the shortest and the longest used path to j.
      ++stamp_;
      // Without a shortest path back to the origin (costs that overflowed to inf or NaN leave a
      // node without min_pred_) there is nothing to shift to: the node is skipped, never indexed at -1.
      bool broken = false;
      for (int v = j; v != bush.origin;) {
        const int l = min_pred_[static_cast<std::size_t>(v)];
        if (l < 0) {
          broken = true;
          break;
        }
        v = net_.links[static_cast<std::size_t>(l)].from;
        mark_[static_cast<std::size_t>(v)] = stamp_;
      }
      if (broken) continue;
      int divergence = j;
      double max_cost = 0.0;
      double derivative = 0.0;
      double max_flow = kInf;
      segment_max_.clear();
      do {
        const int l = max_pred_[static_cast<std::size_t>(divergence)];
        if (l < 0) {
          broken = true;  // only round-off dust reaches this node: nothing to move
          break;
        }
        segment_max_.push_back(l);
        max_cost += state.cost[static_cast<std::size_t>(l)];
        derivative += state.derivative[static_cast<std::size_t>(l)];
        max_flow = std::min(max_flow, bush.flow[static_cast<std::size_t>(l)]);
        divergence = net_.links[static_cast<std::size_t>(l)].from;
      } while (mark_[static_cast<std::size_t>(divergence)] != stamp_);
      if (broken) continue;
      segment_min_.clear();
      double min_cost = 0.0;
      for (int v = j; v != divergence;) {
        const int l = min_pred_[static_cast<std::size_t>(v)];
        segment_min_.push_back(l);
        min_cost += state.cost[static_cast<std::size_t>(l)];
        derivative += state.derivative[static_cast<std::size_t>(l)];
        v = net_.links[static_cast<std::size_t>(l)].from;
      }
      const double difference = max_cost - min_cost;
      if (difference <= 0.0 || max_flow <= 0.0) continue;
      double shift = derivative > 0.0 ? difference / derivative : max_flow;
      shift = std::min(shift, max_flow);
      for (int l : segment_max_) move(bush, state, l, -shift, shift == max_flow);
      for (int l : segment_min_) move(bush, state, l, shift, false);
      moved = true;
    }
    return moved;
  }

  void move(Bush& bush, CostState& state, int link, double delta, bool emptied) {
    const auto l = static_cast<std::size_t>(link);
    double& bf = bush.flow[l];
    const double next = bf + delta;
    // The bottleneck link of a full shift becomes exactly empty; round-off never leaves it negative.
    const bool empty = next < 0.0 || (emptied && next < 1e-12 * std::abs(delta));
    const double applied = empty ? -bf : delta;
    bf = empty ? 0.0 : next;
    flow_[l] = std::max(0.0, flow_[l] + applied);
    state.cost[l] = link_cost(net_, net_.links[l], flow_[l]);
    state.derivative[l] = link_cost_derivative(net_.links[l], flow_[l]);
  }

  const TrafficNetwork& net_;
  const std::vector<DemandClass>& demand_;
  std::vector<Bush> bushes_;
  std::vector<double> flow_;
  std::vector<double> min_dist_;
  std::vector<double> max_dist_;
  std::vector<int> min_pred_;
  std::vector<int> max_pred_;
  std::vector<int> position_;
  std::vector<int> indegree_;
  std::vector<unsigned> mark_;
  unsigned stamp_ = 0;
  std::vector<int> segment_max_;
  std::vector<int> segment_min_;
};

AssignmentResult algorithm_b(const TrafficNetwork& net, const std::vector<DemandClass>& demand,
                             const AssignmentOptions& options,
                             const std::function<void(const IterationRecord&)>& on_iteration,
                             Clock::time_point start) {
  AssignmentResult result;
  AlgorithmB solver(net, demand);
  CostState state;
  solver.initialise(state);
  double gap = 1.0;
  // Iteration 1 measures the all-or-nothing start, as Frank-Wolfe's does: an uncongested network is
  // at equilibrium there and costs no bush work.
  for (int iteration = 1;; ++iteration) {
    if (iteration > 1) {
      // Move flow only where a node's paths differ by more than a fraction of the current gap:
      // early iterations skip small differences, late ones settle them.
      const double threshold = std::max(1e-16, 0.01 * gap);
      solver.iterate(state, threshold, 8);
    }
    update_costs(net, solver.flow(), state);
    double sptt = 0.0;
    (void)all_or_nothing(net, demand, state.cost, options.threads, &sptt);
    const double tstt = total_cost(solver.flow(), state.cost);
    gap = tstt > 0.0 ? (tstt - sptt) / tstt : 0.0;
    result.relative_gap = gap;
    result.iterations = iteration;
    const IterationRecord record{iteration, gap, tstt, seconds_since(start)};
    result.log.push_back(record);
    if (on_iteration) on_iteration(record);
    if (gap <= options.target_gap) {
      result.converged = true;
      break;
    }
    if (iteration >= options.max_iterations) break;
  }
  result.link_flow = solver.flow();
  result.class_flow = solver.class_flows();
  return result;
}

}  // namespace

AssignmentAlgorithm parse_assignment_algorithm(const std::string& name) {
  if (name == "frank-wolfe" || name == "fw") return AssignmentAlgorithm::kFrankWolfe;
  if (name == "algorithm-b" || name == "b") return AssignmentAlgorithm::kAlgorithmB;
  throw ConfigError("unknown assignment algorithm '" + name + "'",
                    {"use one of: b (Algorithm B, the default), algorithm-b, fw, frank-wolfe"});
}

const char* to_string(AssignmentAlgorithm algorithm) {
  return algorithm == AssignmentAlgorithm::kFrankWolfe ? "frank-wolfe" : "algorithm-b";
}

AssignmentResult assign_traffic(const TrafficNetwork& net, const std::vector<DemandClass>& demand,
                                const AssignmentOptions& options,
                                const std::function<void(const IterationRecord&)>& on_iteration) {
  const Clock::time_point start = Clock::now();
  (void)checked_threads(options.threads);
  check_demand(net, demand, options.check_reachability);
  AssignmentResult result = options.algorithm == AssignmentAlgorithm::kFrankWolfe
                                ? frank_wolfe(net, demand, options, on_iteration, start)
                                : algorithm_b(net, demand, options, on_iteration, start);
  result.link_cost.resize(net.links.size());
  for (std::size_t l = 0; l < net.links.size(); ++l) {
    result.link_cost[l] = link_cost(net, net.links[l], result.link_flow[l]);
  }
  result.tstt = total_cost(result.link_flow, result.link_cost);
  result.objective = beckmann(net, result.link_flow);
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace sandan
