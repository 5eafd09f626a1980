// The user-equilibrium assignment reproduces the best-known Sioux Falls equilibrium (LeBlanc, Morlok &
// Pierskalla 1975) published with the case in the Transportation Networks for Research repository and
// stored in data/tntp/SiouxFalls (see its README): total system travel time within 1e-6 relative and
// every link flow above one vehicle within 0.1 %.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "traffic/assignment.hpp"
#include "traffic/tntp.hpp"

using namespace sandan;

namespace {

const std::string kCaseDir = std::string(SANDAN_VALIDATION_DATA_DIR) + "/tntp/SiouxFalls";

struct Reference {
  std::vector<TntpFlow> flows;
  double tstt = 0.0;  // Σ volume × cost over the flow file
};

Reference reference() {
  Reference ref;
  ref.flows = read_tntp_flow(kCaseDir + "/SiouxFalls_flow.tntp");
  for (const TntpFlow& flow : ref.flows) ref.tstt += flow.volume * flow.cost;
  return ref;
}

// A TSTT with its decimals, for messages.
std::string fixed(double value) {
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), "%.6f", value);
  return text.data();
}

AssignmentResult solve(const TntpCase& sioux, AssignmentAlgorithm algorithm, double target_gap,
                       int max_iterations, int threads) {
  AssignmentOptions options;
  options.algorithm = algorithm;
  options.target_gap = target_gap;
  options.max_iterations = max_iterations;
  options.threads = threads;
  return assign_traffic(sioux.network, {DemandClass{"vehicles", 1.0, sioux.demand}}, options);
}

}  // namespace

TEST_CASE("the best-known Sioux Falls flows give a total system travel time of 7,480,225.34") {
  const Reference ref = reference();
  REQUIRE(ref.flows.size() == 76);
  CHECK(std::abs(ref.tstt - 7480225.34) <= 0.01);
}

TEST_CASE(
    "Algorithm B reaches the best-known Sioux Falls equilibrium: TSTT within 1e-6, flows within 0.1 %") {
  const TntpCase sioux = read_tntp_dir(kCaseDir);
  const Reference ref = reference();
  const AssignmentResult result = solve(sioux, AssignmentAlgorithm::kAlgorithmB, 1e-9, 1000, 0);
  MESSAGE("Sioux Falls, Algorithm B: " << result.iterations << " iterations, relative gap "
                                       << result.relative_gap << ", TSTT " << fixed(result.tstt)
                                       << " (reference " << fixed(ref.tstt) << ")");
  CHECK(result.converged);
  CHECK(result.relative_gap <= 1e-8);
  CHECK(std::abs(result.tstt - ref.tstt) <= 1e-6 * ref.tstt);
  REQUIRE(result.link_flow.size() == ref.flows.size());
  double worst = 0.0;
  for (std::size_t l = 0; l < ref.flows.size(); ++l) {
    const TntpFlow& best = ref.flows[l];
    REQUIRE(best.from == sioux.network.links[l].from + 1);
    REQUIRE(best.to == sioux.network.links[l].to + 1);
    if (best.volume <= 1.0) continue;
    const double deviation = std::abs(result.link_flow[l] - best.volume) / best.volume;
    worst = std::max(worst, deviation);
    INFO("link " << best.from << " → " << best.to << ": " << result.link_flow[l] << " vs best known "
                 << best.volume);
    CHECK(deviation <= 1e-3);
  }
  MESSAGE("largest link flow deviation from the best-known flows: " << worst);
}

TEST_CASE("Frank-Wolfe on Sioux Falls gets below a 1e-3 gap in 200 iterations, TSTT within 1 %") {
  const TntpCase sioux = read_tntp_dir(kCaseDir);
  const Reference ref = reference();
  const AssignmentResult result = solve(sioux, AssignmentAlgorithm::kFrankWolfe, 1e-12, 200, 0);
  MESSAGE("Sioux Falls, Frank-Wolfe: " << result.iterations << " iterations, relative gap "
                                       << result.relative_gap << ", TSTT " << fixed(result.tstt));
  CHECK(result.iterations <= 200);
  CHECK(result.relative_gap < 1e-3);
  CHECK(std::abs(result.tstt - ref.tstt) <= 0.01 * ref.tstt);
}

TEST_CASE("Algorithm B gives bit-identical Sioux Falls link flows on one thread and on two") {
  const TntpCase sioux = read_tntp_dir(kCaseDir);
  const AssignmentResult one = solve(sioux, AssignmentAlgorithm::kAlgorithmB, 1e-9, 1000, 1);
  const AssignmentResult two = solve(sioux, AssignmentAlgorithm::kAlgorithmB, 1e-9, 1000, 2);
  CHECK(one.iterations == two.iterations);
  CHECK(one.link_flow == two.link_flow);  // exact equality, not approximate
  CHECK(one.tstt == two.tstt);
}
