// The link transmission model against results derived by hand from deterministic queueing theory
// (D/D/1: Daganzo 1997, "Fundamentals of Transportation and Traffic Operations", ch. 2; Newell 1982,
// "Applications of Queueing Theory") and the node model's capacity-proportional merge (Tampère,
// Corthout, Cattrysse & Immers 2011, TR Part B 45; Ni & Leonard 2005). Each number is worked out in a
// comment from the case's own figures.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "traffic/dynamic.hpp"
#include "traffic/dynamic_demand.hpp"

using namespace sandan;

namespace {

// A case with nodes 0..n-1, the given links, zones at the given nodes and no vehicles yet.
DnlCase make_case(int nodes, const std::vector<DnlLink>& links, const std::vector<int>& zone_nodes,
                  double end_s, double report_s) {
  DnlCase c;
  c.name = "test";
  c.start_s = 0.0;
  c.end_s = end_s;
  c.step_s = 1.0;
  c.report_s = report_s;
  c.nodes.resize(static_cast<std::size_t>(nodes));
  c.links = links;
  for (const int n : zone_nodes) c.zones.push_back({"z" + std::to_string(n), "facility", n});
  c.classes = {"car"};
  return c;
}

DnlLink link(int from, int to, double length_m, double speed_kmh, double capacity_veh_h, double jam_veh_km) {
  DnlLink l;
  l.from = from;
  l.to = to;
  l.length_m = length_m;
  l.free_speed_kmh = speed_kmh;
  l.capacity_veh_h = capacity_veh_h;
  l.jam_density_veh_km = jam_veh_km;
  return l;
}

// Adds `count` vehicles departing at first_s + i × headway_s on `route`. Vehicles must be added in
// departure order overall; the caller keeps that.
void add_vehicles(DnlCase& c, int count, double first_s, double headway_s, int origin, int destination,
                  const std::vector<int>& route) {
  for (int i = 0; i < count; ++i) {
    DnlVehicle v;
    v.depart_s = first_s + i * headway_s;
    v.origin = origin;
    v.destination = destination;
    v.route_begin = static_cast<int>(c.route_links.size());
    c.route_links.insert(c.route_links.end(), route.begin(), route.end());
    v.route_end = static_cast<int>(c.route_links.size());
    c.vehicles.push_back(v);
  }
}

void sort_by_departure(DnlCase& c) {
  std::stable_sort(c.vehicles.begin(), c.vehicles.end(),
                   [](const DnlVehicle& a, const DnlVehicle& b) { return a.depart_s < b.depart_s; });
}

// Σ over reports of a link's outflow.
int total(const DnlResult& r, const std::vector<std::int32_t>& series, std::size_t links, std::size_t link,
          std::size_t from_report = 0, std::size_t to_report = SIZE_MAX) {
  int sum = 0;
  for (std::size_t k = from_report; k < r.report_t_s.size() && k < to_report; ++k)
    sum += series[k * links + link];
  return sum;
}

}  // namespace

TEST_CASE("a vehicle alone crosses its route in the free-flow time Σ L / v") {
  // 600 m + 400 m at 36 km/h = 10 m/s: 60 s + 40 s = 100 s, whole steps of 1 s.
  DnlCase c = make_case(3, {link(0, 1, 600, 36, 1800, 150), link(1, 2, 400, 36, 1800, 150)}, {0, 2}, 300, 60);
  add_vehicles(c, 1, 0.5, 0.0, 0, 1, {0, 1});
  const DnlResult r = simulate_dnl(c);
  REQUIRE(r.finished == 1);
  // It departs at 0.5 s and enters at the end of that step, t = 1 s.
  CHECK(r.entered_s[0] == doctest::Approx(1.0));
  CHECK(r.arrived_s[0] - r.entered_s[0] == doctest::Approx(100.0));
  CHECK(r.free_flow_s[0] == doctest::Approx(100.0));
}

TEST_CASE("a bottleneck: the queue grows at λ − μ and vehicle n waits n (1/μ − 1/λ) (D/D/1)") {
  // Link 0: 3000 m at 72 km/h (150 s), 3600 veh/h, storage 300 veh/km × 3 km = 900 vehicles: never
  // full here. Link 1, the bottleneck: 200 m at 72 km/h (10 s), 1800 veh/h: μ = 0.5 veh/s.
  // Arrivals λ = 1 veh/s for 600 s (600 vehicles).
  DnlCase c =
      make_case(3, {link(0, 1, 3000, 72, 3600, 300), link(1, 2, 200, 72, 1800, 150)}, {0, 2}, 2000, 50);
  const int n = 600;
  add_vehicles(c, n, 0.5, 1.0, 0, 1, {0, 1});
  const DnlResult r = simulate_dnl(c);
  REQUIRE(r.finished == n);
  // D/D/1: vehicle k reaches the bottleneck 1/λ after k − 1 and leaves 1/μ after it, so it waits
  // k (1/μ − 1/λ) = k × (2 − 1) = k seconds more than vehicle 0.
  const double t0 = r.arrived_s[0] - c.vehicles[0].depart_s;
  CHECK(t0 == doctest::Approx(0.5 + 150 + 10));  // wait to enter 0.5 s, then the links
  double delay_sum = 0.0;
  for (int k = 0; k < n; ++k) {
    const double extra =
        (r.arrived_s[static_cast<std::size_t>(k)] - c.vehicles[static_cast<std::size_t>(k)].depart_s) - t0;
    CHECK(std::abs(extra - k) <= 1.0);
    delay_sum += extra;
  }
  // Total delay Σ k = n (n − 1) / 2 = 179,700 vehicle-seconds.
  CHECK(delay_sum == doctest::Approx(179700.0).epsilon(0.005));
  // The queue on link 0 (vehicles at its end) at time T: arrivals since the first reached the end at
  // about 151 s minus departures: (λ − μ)(T − 151) = 0.5 (T − 151) while arrivals last (T ≤ 750).
  const std::size_t links = c.links.size();
  for (std::size_t k = 0; k < r.report_t_s.size(); ++k) {
    const double t_end = r.report_t_s[k] + c.report_s;
    if (t_end < 200 || t_end > 700) continue;
    CHECK(std::abs(r.link_queue[k * links + 0] - 0.5 * (t_end - 151)) <= 1.5);
  }
  // The queue empties when all n have passed at μ: 151 + n / μ = 1351 s at the bottleneck, + 10 s on
  // link 1.
  CHECK(std::abs(r.arrived_s[n - 1] - 1361.0) <= 2.0);
}

TEST_CASE("spillback: a full link stops the link upstream of it, and the bottleneck sets every flow") {
  // Link 0: 1000 m, 3600 veh/h, storage 300 veh. Link 1: 100 m, 3600 veh/h, k_jam 150 veh/km:
  // storage 15 vehicles. Link 2, the bottleneck: 500 m, 900 veh/h (μ = 0.25 veh/s). All at 36 km/h.
  // λ = 1 veh/s for 300 s.
  DnlCase c = make_case(
      4, {link(0, 1, 1000, 36, 3600, 300), link(1, 2, 100, 36, 3600, 150), link(2, 3, 500, 36, 900, 150)},
      {0, 3}, 2000, 20);
  add_vehicles(c, 300, 0.5, 1.0, 0, 1, {0, 1, 2});
  const DnlResult r = simulate_dnl(c);
  REQUIRE(r.finished == 300);
  const std::size_t links = 3;
  int most_on_1 = 0;
  int most_queued_on_0 = 0;
  for (std::size_t k = 0; k < r.report_t_s.size(); ++k) {
    most_on_1 = std::max(most_on_1, r.link_vehicles[k * links + 1]);
    most_queued_on_0 = std::max(most_queued_on_0, r.link_queue[k * links + 0]);
  }
  // Link 1 fills to its storage k_jam L = 15 vehicles (one more may squeeze onto an emptying link in a
  // step's rounding) and holds no more.
  CHECK(most_on_1 >= 14);
  CHECK(most_on_1 <= 16);
  // Then the queue stands on link 0: arrivals 1 veh/s against 0.25 veh/s through: it grows at 0.75 veh/s
  // for most of the 300 s, more than 150 vehicles.
  CHECK(most_queued_on_0 > 150);
  // In the spillback every flow is the bottleneck's: 0.25 veh/s = 5 a 20-s report out of links 0, 1
  // and 2 alike (reports from 400 s to 1000 s, when the queue is on links 0 and 1).
  for (std::size_t k = 20; k < 50; ++k) {
    for (std::size_t l = 0; l < links; ++l) CHECK(std::abs(r.link_outflow[k * links + l] - 5) <= 1);
  }
  // Vehicle k enters the bottleneck 1/μ = 4 s after k − 1: the last arrives 4 × 299 s after the first.
  CHECK(std::abs((r.arrived_s[299] - r.arrived_s[0]) - 4.0 * 299) <= 2.0);
}

TEST_CASE("a merge shares the downstream capacity in proportion to the incoming capacities") {
  // Links 0 (3600 veh/h) and 1 (1200 veh/h) merge into link 2 (1200 veh/h). Both send more than their
  // share, so each gets capacity × C_in / ΣC_in (Tampère et al. 2011; Ni & Leonard 2005):
  // 1200 × 3600 / 4800 = 900 veh/h and 1200 × 1200 / 4800 = 300 veh/h: over 600 s, 150 and 50.
  DnlCase c = make_case(
      4, {link(0, 2, 2000, 36, 3600, 300), link(1, 2, 2000, 36, 1200, 150), link(2, 3, 200, 36, 1200, 150)},
      {0, 1, 3}, 1200, 100);
  add_vehicles(c, 900, 0.25, 1.0, 0, 2, {0, 2});  // 1 veh/s on link 0
  add_vehicles(c, 300, 0.75, 3.0, 1, 2, {1, 2});  // 1/3 veh/s on link 1
  sort_by_departure(c);
  const DnlResult r = simulate_dnl(c);
  // Both queues stand from ≈ 210 s (200 s on the links) to past 900 s: reports 3..8 (300-900 s).
  const int from_0 = total(r, r.link_outflow, 3, 0, 3, 9);
  const int from_1 = total(r, r.link_outflow, 3, 1, 3, 9);
  CHECK(std::abs(from_0 - 150) <= 2);
  CHECK(std::abs(from_1 - 50) <= 2);
  CHECK(std::abs(from_0 + from_1 - 200) <= 1);  // the merge's capacity is used in full
}

TEST_CASE("a merge of two equal oversaturated inputs gives each half: both wait as in D/D/1") {
  // The analytic merge of bench/sumo/meso.py --analytic-merge: origins A and B each send 1800 veh/h
  // (one every 2 s, 450 each in 900 s) onto their own 1500 m, 1800 veh/h link, which merge into one
  // 500 m link of 1800 veh/h; 50 km/h and 145 veh/km everywhere. With equal capacities each queued
  // input gets half the merged link's 0.5 veh/s (Tampère et al. 2011; Daganzo 1995), 0.25 veh/s:
  // deterministic queueing (Newell 1982) puts vehicle n of each origin (reaching the merge 2n s after
  // its first) into the merged link 4n s after the first, a wait of 4n − 2n = 2n s. Over n = 0..449
  // the mean wait is 2 × 449 / 2 = 449 s and the largest 898 s, the same for A and B. Each input's
  // queue grows at 0.5 − 0.25 = 0.25 veh/s for 900 s, 225 vehicles, a little more than its link
  // stores (145 × 1.5 = 217.5): the rest wait at the origin, which counts in the delay as well.
  DnlCase c = make_case(
      4, {link(0, 2, 1500, 50, 1800, 145), link(1, 2, 1500, 50, 1800, 145), link(2, 3, 500, 50, 1800, 145)},
      {0, 1, 3}, 3600, 60);
  add_vehicles(c, 450, 0.0, 2.0, 0, 2, {0, 2});
  add_vehicles(c, 450, 0.0, 2.0, 1, 2, {1, 2});
  sort_by_departure(c);
  const DnlResult r = simulate_dnl(c);
  REQUIRE(r.finished == 900);
  double sum[2] = {0.0, 0.0};
  double most[2] = {0.0, 0.0};
  for (std::size_t i = 0; i < c.vehicles.size(); ++i) {
    const double delay = r.arrived_s[i] - c.vehicles[i].depart_s - r.free_flow_s[i];
    const auto o = static_cast<std::size_t>(c.vehicles[i].origin);
    sum[o] += delay;
    most[o] = std::max(most[o], delay);
  }
  // Whole steps (a vehicle enters at a step's end; travel times round to whole steps) add up to a
  // couple of seconds; an input given priority would instead wait ≈ 0 s and the other ≈ 900 s.
  for (std::size_t o = 0; o < 2; ++o) {
    CHECK(std::abs(sum[o] / 450.0 - 449.0) <= 3.0);
    CHECK(std::abs(most[o] - 898.0) <= 4.0);
  }
  // The merged link runs at capacity throughout: the last of the 900 leaves the merge 900 × 2 s after
  // the first reaches it, and arrives 36 s later.
  CHECK(std::abs(*std::max_element(r.arrived_s.begin(), r.arrived_s.end()) - (108.0 + 1800.0 + 36.0)) <= 4.0);
}

TEST_CASE("a merge gives an input that sends less than its share all it sends, the other the rest") {
  // As above, but link 1 sends 0.05 veh/s (180 veh/h), less than its share of 300 veh/h; link 0 gets
  // the rest, 1200 − 180 = 1020 veh/h: over 600 s, 30 and 170.
  DnlCase c = make_case(
      4, {link(0, 2, 2000, 36, 3600, 300), link(1, 2, 2000, 36, 1200, 150), link(2, 3, 200, 36, 1200, 150)},
      {0, 1, 3}, 1200, 100);
  add_vehicles(c, 900, 0.25, 1.0, 0, 2, {0, 2});
  add_vehicles(c, 45, 0.75, 20.0, 1, 2, {1, 2});
  sort_by_departure(c);
  const DnlResult r = simulate_dnl(c);
  const int from_0 = total(r, r.link_outflow, 3, 0, 3, 9);
  const int from_1 = total(r, r.link_outflow, 3, 1, 3, 9);
  CHECK(std::abs(from_1 - 30) <= 1);
  CHECK(std::abs(from_0 - 170) <= 2);
}

TEST_CASE("vehicles are conserved: every link's inflow is its outflow plus what is on it") {
  // A diverge and a merge: 0 → 1, then 1 → 2 → 4 or 1 → 3 → 4, with a slow link 3 (900 veh/h).
  DnlCase c = make_case(
      5,
      {link(0, 1, 500, 50, 1800, 150), link(1, 2, 300, 50, 1800, 150), link(1, 3, 300, 50, 900, 150),
       link(2, 4, 400, 50, 1800, 150), link(3, 4, 400, 50, 1800, 150)},
      {0, 4}, 900, 60);
  for (int i = 0; i < 600; ++i)
    add_vehicles(c, 1, 0.5 * i, 0.0, 0, 1,
                 i % 3 == 0 ? std::vector<int>{0, 2, 4} : std::vector<int>{0, 1, 3});
  const DnlResult r = simulate_dnl(c);
  const std::size_t links = c.links.size();
  const std::size_t last = r.report_t_s.size() - 1;
  int departed = 0;
  int waiting = 0;
  for (std::size_t k = 0; k < r.report_t_s.size(); ++k) departed += r.zone_departures[k * c.zones.size() + 0];
  waiting = r.zone_queue[last * c.zones.size() + 0];
  int on_road = 0;
  for (std::size_t l = 0; l < links; ++l) {
    CHECK(total(r, r.link_inflow, links, l) - total(r, r.link_outflow, links, l) ==
          r.link_vehicles[last * links + l]);
    on_road += r.link_vehicles[last * links + l];
  }
  CHECK(departed == 600);
  // Departed = still waiting at the origin + on the road + arrived.
  CHECK(departed == waiting + on_road + r.finished);
  // The origin takes 2 veh/s but link 0 only 0.5 veh/s: a queue waits at the origin (entered_s after
  // depart_s) and the last vehicle enters 600 / 0.5 = 1200 s after the first, past the 900-s end.
  CHECK(waiting > 0);
  CHECK(r.finished < 600);
}

TEST_CASE("a diverge is first in, first out: a blocked branch holds back the vehicles for the other") {
  // Link 0 (1000 m, 3600 veh/h) splits at node 1 into link 1 (200 m, storage 150 veh/km × 0.2 km =
  // 30 vehicles) towards the bottleneck link 3 (720 veh/h: μ = 0.2 veh/s), and link 2 (200 m, free).
  // 1 veh/s alternate between the two routes. Once the queue behind the bottleneck fills link 1, a
  // vehicle for link 1 at the head of link 0 waits, and those behind it wait too (Daganzo 1995's FIFO
  // diverge): link 0 discharges at μ / ½ = 0.4 veh/s, half of it, 0.2 veh/s, into link 2, though
  // link 2 could take 0.5 veh/s. Over a 50-s report: 10 vehicles into each branch.
  DnlCase c = make_case(5,
                        {link(0, 1, 1000, 36, 3600, 300), link(1, 2, 200, 36, 3600, 150),
                         link(1, 4, 200, 36, 3600, 150), link(2, 3, 500, 36, 720, 150)},
                        {0, 3, 4}, 3000, 50);
  for (int i = 0; i < 600; ++i) {
    add_vehicles(c, 1, 0.5 + i, 0.0, 0, i % 2 == 0 ? 1 : 2,
                 i % 2 == 0 ? std::vector<int>{0, 1, 3} : std::vector<int>{0, 2});
  }
  const DnlResult r = simulate_dnl(c);
  REQUIRE(r.finished == 600);
  // Reports 6..11: 300-600 s, link 1 full, arrivals at node 1 still coming.
  for (std::size_t k = 6; k < 12; ++k) {
    CHECK(std::abs(r.link_inflow[k * 4 + 1] - 10) <= 2);
    CHECK(std::abs(r.link_inflow[k * 4 + 2] - 10) <= 2);
  }
}

TEST_CASE("departures: each origin's vehicles of an interval are spread evenly over it") {
  // The interval 3600-4500 s. Origin 0 has five vehicles: three one-vehicle OD cells (place 0.5 each),
  // one cell of two (places 0.25 and 0.75) listed third and fourth. Origin 1 has one. A vehicle before
  // `begin` is not touched.
  const std::vector<std::pair<int, double>> listed = {{0, 0.5},  {0, 0.5}, {0, 0.25},
                                                      {0, 0.75}, {1, 0.5}, {0, 0.5}};
  std::vector<DnlVehicle> v(1 + listed.size());
  v[0].origin = 0;
  v[0].depart_s = 123.0;
  for (std::size_t i = 0; i < listed.size(); ++i) {
    v[i + 1].origin = listed[i].first;
    v[i + 1].depart_s = listed[i].second;
  }
  spread_departures(v, 1, v.size(), 3600.0, 900.0);
  CHECK(v[0].depart_s == 123.0);
  // Origin 1, one vehicle: the middle of the interval, 3600 + 0.5 × 900.
  CHECK(v[5].depart_s == doctest::Approx(4050.0));
  // Origin 0, m = 5: departures at 3600 + (i + 0.5) × 180 = 3690, 3870, 4050, 4230, 4410. By place:
  // the 0.25 vehicle first, the 0.75 one last. The three at 0.5 are the origin's 1st, 2nd and 5th
  // listed (k = 0, 1, 4): Weyl keys frac((k + 1) × 0.618…) = 0.618, 0.236, 0.090, so the 5th goes
  // first, then the 2nd, then the 1st.
  CHECK(v[3].depart_s == doctest::Approx(3690.0));
  CHECK(v[6].depart_s == doctest::Approx(3870.0));
  CHECK(v[2].depart_s == doctest::Approx(4050.0));
  CHECK(v[1].depart_s == doctest::Approx(4230.0));
  CHECK(v[4].depart_s == doctest::Approx(4410.0));
}
