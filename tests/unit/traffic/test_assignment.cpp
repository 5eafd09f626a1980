#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "traffic/assignment.hpp"
#include "traffic/shortest_path.hpp"

using namespace sandan;

namespace {

TrafficLink make_link(int from, int to, double t0, double capacity, double b = 0.15, double power = 4.0) {
  TrafficLink link;
  link.from = from;
  link.to = to;
  link.free_flow_time = t0;
  link.capacity = capacity;
  link.length = t0;
  link.b = b;
  link.power = power;
  return link;
}

// Zone 0 to zone 1 over two parallel routes through nodes 2 and 3, with linear costs
// t_A = 10 + 0.01 x (t0 10, b 1, c 1000, power 1) and t_B = 15 + 0.005 x (t0 15, b 1, c 3000).
// Equal costs for 1,000 trips: 10 + 0.01 x = 15 + 0.005 (1000 − x) → x_A = 10 / 0.015 = 666.67,
// x_B = 333.33, both routes 16.667 (worked by hand).
TrafficNetwork two_routes() {
  TrafficNetwork net;
  net.name = "two-routes";
  net.node_count = 4;
  net.zone_count = 2;
  net.first_thru_node = 2;
  net.links = {make_link(0, 2, 10.0, 1000.0, 1.0, 1.0), make_link(2, 1, 0.0, 1e9, 0.0, 1.0),
               make_link(0, 3, 15.0, 3000.0, 1.0, 1.0), make_link(3, 1, 0.0, 1e9, 0.0, 1.0)};
  net.build_index();
  return net;
}

std::vector<DemandClass> one_class(int zones, int origin, int destination, double trips) {
  DemandClass c;
  c.name = "car";
  c.trips = OdMatrix(zones);
  c.trips.at(origin, destination) = trips;
  return {c};
}

// A side x side grid, every node a zone, link times varying so that routes are not all ties.
TrafficNetwork grid_network(int side) {
  TrafficNetwork net;
  net.name = "grid";
  net.node_count = side * side;
  net.zone_count = side * side;
  for (int r = 0; r < side; ++r) {
    for (int c = 0; c < side; ++c) {
      const int n = r * side + c;
      if (c + 1 < side) {
        net.links.push_back(make_link(n, n + 1, 1.0 + 0.1 * ((n * 7) % 5), 100.0));
        net.links.push_back(make_link(n + 1, n, 1.0 + 0.1 * ((n * 3) % 5), 100.0));
      }
      if (r + 1 < side) {
        net.links.push_back(make_link(n, n + side, 1.0 + 0.1 * ((n * 5) % 5), 100.0));
        net.links.push_back(make_link(n + side, n, 1.0 + 0.1 * ((n * 11) % 5), 100.0));
      }
    }
  }
  net.build_index();
  return net;
}

DemandClass grid_demand(const TrafficNetwork& net, double scale) {
  DemandClass c{"car", 1.0, OdMatrix(net.zone_count)};
  for (int o = 0; o < net.zone_count; ++o) {
    for (int d = 0; d < net.zone_count; ++d) c.trips.at(o, d) = o == d ? 0.0 : scale * ((o + 2 * d) % 7);
  }
  return c;
}

}  // namespace

TEST_CASE("Dijkstra finds the cheapest route and never passes through a zone") {
  // Zones 0, 1, 2; road nodes 3, 4. The cheapest route 0 → 1 would pass through zone 2 (cost 2) but
  // zones carry no through traffic, so it takes the road 0 → 3 → 4 → 1 (cost 3 + 1 + 1 = 5).
  TrafficNetwork net;
  net.node_count = 5;
  net.zone_count = 3;
  net.first_thru_node = 3;
  net.links = {make_link(0, 2, 1.0, 1.0), make_link(2, 1, 1.0, 1.0), make_link(0, 3, 3.0, 1.0),
               make_link(3, 4, 1.0, 1.0), make_link(4, 1, 1.0, 1.0)};
  net.build_index();
  std::vector<double> cost;
  for (const TrafficLink& link : net.links) cost.push_back(link.free_flow_time);
  ShortestPathTree tree;
  shortest_path_tree(net, cost, 0, tree);
  CHECK(tree.distance[1] == doctest::Approx(5.0));
  CHECK(tree.pred_link[1] == 4);
  CHECK(tree.distance[2] == doctest::Approx(1.0));

  net.first_thru_node = 0;  // every node passable: the route through node 2 wins
  net.build_index();
  shortest_path_tree(net, cost, 0, tree);
  CHECK(tree.distance[1] == doctest::Approx(2.0));
}

TEST_CASE("Both algorithms reach the hand-computed equilibrium of two parallel routes") {
  const TrafficNetwork net = two_routes();
  const std::vector<DemandClass> demand = one_class(2, 0, 1, 1000.0);
  for (AssignmentAlgorithm algorithm : {AssignmentAlgorithm::kAlgorithmB, AssignmentAlgorithm::kFrankWolfe}) {
    CAPTURE(to_string(algorithm));
    AssignmentOptions options;
    options.algorithm = algorithm;
    options.target_gap = 1e-10;
    options.max_iterations = 10000;
    const AssignmentResult result = assign_traffic(net, demand, options);
    CHECK(result.converged);
    CHECK(result.relative_gap <= 1e-10);
    CHECK(result.link_flow[0] == doctest::Approx(2000.0 / 3.0).epsilon(1e-8));
    CHECK(result.link_flow[2] == doctest::Approx(1000.0 / 3.0).epsilon(1e-8));
    CHECK(result.link_cost[0] == doctest::Approx(50.0 / 3.0).epsilon(1e-8));
    // TSTT = 1000 trips × 16.667; Beckmann = Σ t0 x + b t0 x² / (2c) (power 1).
    CHECK(result.tstt == doctest::Approx(1000.0 * 50.0 / 3.0).epsilon(1e-8));
    const double xa = 2000.0 / 3.0;
    const double xb = 1000.0 / 3.0;
    CHECK(result.objective ==
          doctest::Approx(10 * xa + 10 * xa * xa / 2000 + 15 * xb + 15 * xb * xb / 6000).epsilon(1e-8));
  }
}

TEST_CASE("The reported relative gap is (TSTT - SPTT) / TSTT of the returned flows") {
  // Frank-Wolfe stopped early on a congested grid; recompute its gap from the flows it returns.
  const TrafficNetwork net = grid_network(6);
  const std::vector<DemandClass> demand = {grid_demand(net, 40.0)};
  for (AssignmentAlgorithm algorithm : {AssignmentAlgorithm::kFrankWolfe, AssignmentAlgorithm::kAlgorithmB}) {
    CAPTURE(to_string(algorithm));
    AssignmentOptions options;
    options.algorithm = algorithm;
    options.max_iterations = 3;
    options.target_gap = 0.0;
    const AssignmentResult result = assign_traffic(net, demand, options);
    CHECK_FALSE(result.converged);
    CHECK(result.iterations == 3);
    REQUIRE(result.log.size() == 3);
    double sptt = 0.0;
    (void)all_or_nothing(net, demand, result.link_cost, 1, &sptt);
    double tstt = 0.0;
    for (std::size_t l = 0; l < net.links.size(); ++l) tstt += result.link_flow[l] * result.link_cost[l];
    CHECK(result.tstt == doctest::Approx(tstt).epsilon(1e-12));
    CHECK(result.relative_gap == doctest::Approx((tstt - sptt) / tstt).epsilon(1e-9));
    CHECK(result.relative_gap > 0.0);
  }
}

TEST_CASE("Classes load the links in PCE, and each class keeps its own origins and destinations") {
  // Three zones: cars 0 → 1 and heavy trucks (2.5 PCE) 2 → 1, sharing the two routes into zone 1.
  TrafficNetwork net;
  net.name = "classes";
  net.node_count = 5;
  net.zone_count = 3;
  net.first_thru_node = 3;
  net.links = {make_link(0, 3, 1.0, 1e9), make_link(2, 3, 1.0, 1e9),    make_link(0, 4, 1.0, 1e9),
               make_link(2, 4, 1.0, 1e9), make_link(3, 1, 10.0, 500.0), make_link(4, 1, 12.0, 800.0)};
  net.build_index();
  DemandClass car{"car", 1.0, OdMatrix(3)};
  car.trips.at(0, 1) = 600.0;
  DemandClass truck{"heavy_truck", 2.5, OdMatrix(3)};
  truck.trips.at(2, 1) = 200.0;
  AssignmentOptions options;
  options.target_gap = 1e-10;
  const AssignmentResult result = assign_traffic(net, {car, truck}, options);
  REQUIRE(result.converged);
  REQUIRE(result.class_flow.size() == 2);
  for (std::size_t l = 0; l < net.links.size(); ++l) {
    CHECK(result.link_flow[l] ==
          doctest::Approx(result.class_flow[0][l] + 2.5 * result.class_flow[1][l]).epsilon(1e-9));
  }
  // Cars leave zone 0 only, trucks zone 2 only, and each class delivers its trips to zone 1.
  CHECK(result.class_flow[0][0] + result.class_flow[0][2] == doctest::Approx(600.0));
  CHECK(result.class_flow[0][1] + result.class_flow[0][3] == doctest::Approx(0.0));
  CHECK(result.class_flow[1][1] + result.class_flow[1][3] == doctest::Approx(200.0));
  CHECK(result.class_flow[1][4] + result.class_flow[1][5] == doctest::Approx(200.0));
  // Both routes used at equal cost.
  CHECK(result.link_cost[4] == doctest::Approx(result.link_cost[5]).epsilon(1e-8));
}

TEST_CASE("Demand between zones that cannot reach each other is refused before iterating") {
  TrafficNetwork net = two_routes();
  const std::vector<DemandClass> demand = one_class(2, 1, 0, 10.0);  // no link leaves zone 1
  try {
    (void)assign_traffic(net, demand, AssignmentOptions{});
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find("zone 2 → zone 1") != std::string::npos);
    CHECK(e.code() == ErrorCode::kBadInput);
  }
}

TEST_CASE("Demand whose link costs would overflow is refused instead of leaving nodes without a path") {
  // 1e300 trips from a facility of floor area 1e308 m²: the BPR cost (x / c)^4 overflows to inf and
  // inf − inf to NaN, after which Algorithm B found no shortest-path predecessor (index -1).
  const TrafficNetwork net = two_routes();
  for (const double trips : {1e300, 1.6e10}) {
    CAPTURE(trips);
    for (const AssignmentAlgorithm algorithm :
         {AssignmentAlgorithm::kAlgorithmB, AssignmentAlgorithm::kFrankWolfe}) {
      AssignmentOptions options;
      options.algorithm = algorithm;
      try {
        (void)assign_traffic(net, one_class(2, 0, 1, trips), options);
        FAIL("expected a ConfigError");
      } catch (const ConfigError& e) {
        std::string text = e.what();
        CHECK(text.find("more than every vehicle in the world") != std::string::npos);
        CHECK(e.code() == ErrorCode::kBadInput);
      }
    }
  }
}

TEST_CASE("Demand just under the bound of every vehicle in the world is still assigned") {
  // 1e9 trips an hour is absurd but finite: the costs stay finite and the assignment returns.
  AssignmentOptions options;
  options.max_iterations = 20;
  const AssignmentResult result = assign_traffic(two_routes(), one_class(2, 0, 1, 1e9), options);
  CHECK(result.link_flow[0] + result.link_flow[2] == doctest::Approx(1e9));
}

TEST_CASE("Unknown algorithm names are refused with the valid names") {
  CHECK(parse_assignment_algorithm("fw") == AssignmentAlgorithm::kFrankWolfe);
  CHECK(parse_assignment_algorithm("b") == AssignmentAlgorithm::kAlgorithmB);
  CHECK_THROWS_AS((void)parse_assignment_algorithm("tapas"), ConfigError);
}

TEST_CASE("All-or-nothing loading does not depend on the thread count") {
  // A 12 x 12 grid with every node a zone and demand everywhere: many origins in many blocks.
  const TrafficNetwork net = grid_network(12);
  const DemandClass c = grid_demand(net, 0.1);
  std::vector<double> cost;
  for (const TrafficLink& link : net.links) cost.push_back(link.free_flow_time);
  double sptt1 = 0.0;
  double sptt2 = 0.0;
  const std::vector<double> one = all_or_nothing(net, {c}, cost, 1, &sptt1);
  const std::vector<double> two = all_or_nothing(net, {c}, cost, 2, &sptt2);
  CHECK(one == two);
  CHECK(sptt1 == sptt2);
  // SPTT equals Σ x·c of the loaded flows.
  double tstt = 0.0;
  for (std::size_t l = 0; l < one.size(); ++l) tstt += one[l] * cost[l];
  CHECK(sptt1 == doctest::Approx(tstt).epsilon(1e-12));

  AssignmentOptions options;
  options.target_gap = 1e-9;
  options.threads = 1;
  const AssignmentResult b1 = assign_traffic(net, {c}, options);
  options.threads = 2;
  const AssignmentResult b2 = assign_traffic(net, {c}, options);
  CHECK(b1.link_flow == b2.link_flow);
  CHECK(b1.relative_gap <= 1e-9);
}
