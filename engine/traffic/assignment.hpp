// traffic/assignment: static user-equilibrium assignment (Wardrop 1952; Beckmann, McGuire & Winsten
// 1956) with BPR link costs, multi-class through passenger-car equivalents.
// - Frank-Wolfe (LeBlanc, Morlok & Pierskalla 1975): the textbook baseline.
// - Algorithm B (Dial 2006, "A path-based user-equilibrium traffic assignment algorithm that obviates
//   path storage and enumeration", Transportation Research B 40), with Newton flow shifts between the
//   longest and shortest used paths of each origin's acyclic bush (as in Nie 2010 and Boyles' tap-b).
//   It reaches relative gaps of 1e-10 and below.
// Relative gap = (Σ x·c − Σ x_AON·c) / Σ x·c, x_AON the all-or-nothing flows under the current costs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "traffic/network.hpp"

namespace sandan {

enum class AssignmentAlgorithm { kFrankWolfe, kAlgorithmB };

// "frank-wolfe" / "fw", "algorithm-b" / "b"; nullopt-like: throws ConfigError for an unknown name.
[[nodiscard]] AssignmentAlgorithm parse_assignment_algorithm(const std::string& name);
[[nodiscard]] const char* to_string(AssignmentAlgorithm algorithm);

struct AssignmentOptions {
  AssignmentAlgorithm algorithm = AssignmentAlgorithm::kAlgorithmB;
  double target_gap = 1e-8;
  int max_iterations = 1000;
  int threads = 0;  // for the shortest-path sweeps; 0: OpenMP's default. Results do not depend on it.
  // Check that every zone pair with demand is connected before iterating. A caller that assigns many
  // demands on one network checks once (unreachable_demand) and turns this off.
  bool check_reachability = true;
};

struct IterationRecord {
  int iteration = 0;
  double relative_gap = 0.0;
  double tstt = 0.0;
  double seconds = 0.0;  // since the start
};

struct AssignmentResult {
  std::vector<double> link_flow;                // PCE/h, all classes
  std::vector<std::vector<double>> class_flow;  // vehicles/h by class then link
  std::vector<double> link_cost;                // generalised cost at link_flow
  int iterations = 0;
  double relative_gap = 0.0;
  double tstt = 0.0;       // Σ x·c
  double objective = 0.0;  // Beckmann: Σ ∫0^x c
  double seconds = 0.0;
  bool converged = false;
  std::vector<IterationRecord> log;
};

// Solves the equilibrium. Throws ConfigError before iterating when demand cannot reach a destination
// (naming the zones) or the classes' matrices do not match the network's zones. `on_iteration`, when
// set, is called after every iteration (for progress printing).
[[nodiscard]] AssignmentResult assign_traffic(
    const TrafficNetwork& net, const std::vector<DemandClass>& demand, const AssignmentOptions& options,
    const std::function<void(const IterationRecord&)>& on_iteration = {});

}  // namespace sandan
