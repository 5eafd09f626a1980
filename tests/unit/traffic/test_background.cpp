#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "gis/reader.hpp"
#include "site/topology.hpp"
#include "support/fixtures.hpp"
#include "traffic/background.hpp"
#include "traffic/demand.hpp"
#include "traffic/shortest_path.hpp"

using namespace sandan;

namespace {

const std::string kBackgroundPath = SANDAN_GIS_DATA_DIR "/traffic/background.yaml";
const std::string kRatesPath = SANDAN_GIS_DATA_DIR "/traffic/trip_rates.yaml";
const std::string kLayoutPath = SANDAN_GIS_DATA_DIR "/incheon.gpkg";

std::string fig(const std::string& value) {
  return "{value: " + value + ", source: test, confidence: estimate}";
}

// 24 hourly values, all 0 but the listed hours.
std::string profile(const std::vector<std::pair<int, std::string>>& hours) {
  std::string text = "{values: [";
  for (int h = 0; h < 24; ++h) {
    std::string value = "0";
    for (const auto& [hour, v] : hours) {
      if (hour == h) value = v;
    }
    text += (h > 0 ? ", " : "") + value;
  }
  return text + "], source: test, confidence: estimate}";
}

// A background file for the small layout below: gates g1 and g2, 1,000 vehicles a day each (10 %
// heavy), workday traffic all in hour 8, a count of 1,500 vehicles a day (10 % heavy) on road r5.
std::string test_text() {
  return std::string("schema: sandan-background-traffic\nversion: 1\n") + "pce:\n  car: " + fig("1") +
         "\n  heavy: " + fig("2") + "\nsynthesis:\n  gravity_beta_per_km: " + fig("0.1") +
         "\n  furness_iterations: " + fig("100") + "\n  furness_tolerance: " + fig("1e-12") +
         "\n  adjustment_iterations: " + fig("50") + "\nday_factors:\n  workday: " + fig("1") +
         "\n  saturday: " + fig("0.5") + "\n  rest_day: " + fig("0.25") +
         "\nprofiles:\n  workday: " + profile({{8, "1"}}) + "\n  saturday: " + profile({{10, "1"}}) +
         "\n  rest_day: " + profile({{14, "0.5"}, {15, "0.5"}}) + "\nzones:\n" +
         "  - {gate: g1, daily_veh: " + fig("1000") + ", heavy_share: " + fig("0.1") + "}\n" +
         "  - {gate: g2, daily_veh: " + fig("1000") + ", heavy_share: " + fig("0.1") + "}\n" + "counts:\n" +
         "  - {id: mid, name: middle of the street, road_id: r5, direction: both, aadt_veh: " + fig("1500") +
         ", heavy_share: " + fig("0.1") + "}\n";
}

int line_of(const std::string& text, const std::string& what) {
  const auto at = text.find(what);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
}

BackgroundTraffic read_text(const sandan::test::TempDir& dir, const std::string& text) {
  sandan::test::write_text(dir.path() / "background.yaml", text);
  return read_background_traffic(dir.str("background.yaml"));
}

std::vector<std::string> problems_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.problems();
  }
  FAIL("no ConfigError");
  return {};
}

bool has(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

// A street along y = 0 from x = 0 to 5,000 m in ten 500 m roads r0..r9 (30 km/h, 800 veh/h a
// direction), gate g1 at its west end and g2 at its east end; a side road s0 from (2,500, 0) north to
// (2,500, 500), a dead end without a gate. One facility so the model has a facility zone.
Site small_site() {
  Site site;
  Complex c;
  c.complex_id = "c";
  c.boundary = {Polygon{{{0, -100}, {5000, -100}, {5000, 100}, {0, 100}, {0, -100}}, {}}};
  site.complexes = {c};
  for (int i = 0; i < 10; ++i) {
    Road road;
    road.road_id = "r" + std::to_string(i);
    road.speed_kmh = 30.0;
    road.capacity_veh_h = 800.0;
    road.geometry = {{500.0 * i, 0.0}, {500.0 * (i + 1), 0.0}};
    site.roads.push_back(road);
  }
  Road side;
  side.road_id = "s0";
  side.speed_kmh = 30.0;
  side.capacity_veh_h = 800.0;
  side.geometry = {{2500.0, 0.0}, {2500.0, 500.0}};
  site.roads.push_back(side);
  Gate g1;
  g1.gate_id = "g1";
  g1.share = 0.5;
  g1.position = {0.0, 0.0};
  Gate g2 = g1;
  g2.gate_id = "g2";
  g2.position = {5000.0, 0.0};
  site.gates = {g1, g2};
  Facility f;
  f.facility_id = "f";
  f.complex = 0;
  f.ksic = "C29";
  f.employees = 10;
  f.firms = 1;
  f.floor_area_m2 = 1000.0;
  f.footprint = {Polygon{{{980, 20}, {1020, 20}, {1020, 60}, {980, 60}, {980, 20}}, {}}};
  site.facilities = {f};
  return site;
}

struct Small {
  Site site;
  RoadGraph roads;
  TrafficModel model;
};

Small build_small() {
  Small s;
  s.site = small_site();
  s.roads = build_road_graph(s.site);
  const Attachments attachments = attach_facilities(s.site, s.roads, build_feeder_topology(s.site));
  s.model = build_traffic_model(s.site, s.roads, attachments, read_trip_rates(kRatesPath));
  return s;
}

}  // namespace

TEST_CASE(
    "the shipped background file loads with every zone a gate of the layout and its counts on its roads") {
  const BackgroundTraffic bg = read_background_traffic(kBackgroundPath);
  CHECK(bg.zones.size() == 9);
  CHECK(bg.counts.size() == 2);
  for (const auto& p : bg.profile)
    CHECK(std::accumulate(p.begin(), p.end(), 0.0) == doctest::Approx(1.0).epsilon(1e-9));
  // The day factors average the year's days to the AADT: 2026 has 237 workdays, 48 Saturdays and 80
  // rest days (docs/traffic-model.md), so (237 × 1.075 + 48 × 0.95 + 80 × 0.80) / 365 = 0.998.
  const double mean = (237 * bg.day_factor[0] + 48 * bg.day_factor[1] + 80 * bg.day_factor[2]) / 365.0;
  CHECK(mean == doctest::Approx(1.0).epsilon(0.01));
  const Site site = load_site({kLayoutPath});
  const RoadGraph roads = build_road_graph(site);
  CHECK_NOTHROW(check_background_against_site(bg, site, roads));
}

TEST_CASE("Furness balances a 2 × 2 matrix to its totals, keeping the seed's cross-product ratio") {
  SUBCASE("a flat seed gives O_i D_j / T in one iteration") {
    // Rows 30, 70 and columns 40, 60 of 100 trips: 30 × 40 / 100 = 12, 18, 28, 42.
    const FurnessResult r = furness({1, 1, 1, 1}, {30, 70}, {40, 60}, 100, 1e-12);
    CHECK(r.iterations == 1);
    CHECK(r.matrix[0] == doctest::Approx(12));
    CHECK(r.matrix[1] == doctest::Approx(18));
    CHECK(r.matrix[2] == doctest::Approx(28));
    CHECK(r.matrix[3] == doctest::Approx(42));
  }
  SUBCASE("seed 1 2 / 3 4 to rows 10, 20 and columns 15, 15") {
    // Proportional fitting keeps T11 T22 / (T12 T21) = 1·4 / (2·3) = 2/3. With T11 = x the totals
    // give T12 = 10 − x, T21 = 15 − x, T22 = 5 + x, so 3 x (5 + x) = 2 (10 − x)(15 − x), i.e.
    // x² + 65 x − 300 = 0 and x = (−65 + √5425) / 2 = 4.32730.
    const FurnessResult r = furness({1, 2, 3, 4}, {10, 20}, {15, 15}, 1000, 1e-12);
    const double x = (-65.0 + std::sqrt(5425.0)) / 2.0;
    CHECK(r.max_relative_error <= 1e-12);
    CHECK(r.matrix[0] == doctest::Approx(x).epsilon(1e-9));
    CHECK(r.matrix[1] == doctest::Approx(10 - x).epsilon(1e-9));
    CHECK(r.matrix[2] == doctest::Approx(15 - x).epsilon(1e-9));
    CHECK(r.matrix[3] == doctest::Approx(5 + x).epsilon(1e-9));
  }
}

TEST_CASE("Spiess's gradient step matches the counts as a hand calculation says") {
  SUBCASE("two cells on one count: one optimal step scales both by the count's ratio") {
    // v = 150, v̂ = 300: ∂Z/∂g = −150 for both, v′ = −(100 + 50)(−150) = 22,500, λ* = 22,500 × 150 /
    // 22,500² = 1/150, so each cell × (1 + 150/150) = 2: (200, 100), v = 300 and Z = 0.
    std::vector<double> g{100, 50};
    const AdjustmentResult r = spiess_adjust(g, {{0}, {0}}, {300}, {0}, 1);
    CHECK(g[0] == doctest::Approx(200));
    CHECK(g[1] == doctest::Approx(100));
    CHECK(r.objective_start == doctest::Approx(0.5 * 150 * 150));
    CHECK(r.objective_end == doctest::Approx(0).epsilon(1e-12));
  }
  SUBCASE("two cells on two counts: the first step, then convergence to both counts") {
    // Cell 0 (100) on count 0 (150), cell 1 (50) on count 1 (25): gradients −50 and +25;
    // v′ = (5,000, −1,250); λ* = (5,000 × 50 + 1,250 × 25) / (5,000² + 1,250²) = 281,250 / 26,562,500
    // = 0.0105882, below the bound 1/25; g = 100 (1 + 50 λ), 50 (1 − 25 λ) = 152.941, 36.765.
    std::vector<double> g{100, 50};
    (void)spiess_adjust(g, {{0}, {1}}, {150, 25}, {0, 0}, 1);
    const double lambda = 281250.0 / 26562500.0;
    CHECK(g[0] == doctest::Approx(100 * (1 + 50 * lambda)));
    CHECK(g[1] == doctest::Approx(50 * (1 - 25 * lambda)));
    const AdjustmentResult r = spiess_adjust(g, {{0}, {1}}, {150, 25}, {0, 0}, 200);
    CHECK(g[0] == doctest::Approx(150).epsilon(1e-4));
    CHECK(g[1] == doctest::Approx(25).epsilon(1e-4));
    CHECK(r.objective_end < 1e-6);
  }
  SUBCASE("the step never turns a cell negative, other traffic counts, cells off the counts stay") {
    // Base 80 on the count, target 20: the background (50) should fall to 0 but can at most reach it:
    // gradient 110, λ bounded by 1/110, so the cell becomes exactly 0 (v = 80, the best reachable).
    std::vector<double> g{50, 7};
    (void)spiess_adjust(g, {{0}, {}}, {20}, {80}, 10);
    CHECK(g[0] == doctest::Approx(0).epsilon(1e-12));
    CHECK(g[0] >= 0.0);
    CHECK(g[1] == 7);
  }
}

TEST_CASE("synthesis on a straight street: Furness to the gates, then the count, as by hand") {
  const Small s = build_small();
  const sandan::test::TempDir dir("background_small");
  const BackgroundTraffic bg = read_text(dir, test_text());
  check_background_against_site(bg, s.site, s.roads);
  TrafficModel model = s.model;
  const std::vector<int> zone = add_external_zones(model, bg, s.site, s.roads);
  REQUIRE(zone.size() == 2);
  CHECK(model.zone_names[static_cast<std::size_t>(zone[0])] == "gate:g1");
  CHECK(model.zone_names[static_cast<std::size_t>(zone[1])] == "gate:g2");
  const auto links = count_links(model, bg, s.site, s.roads);
  REQUIRE(links.size() == 1);
  CHECK(links[0].size() == 2);  // both directions of r5
  std::array<std::vector<double>, kBackgroundClassCount> own;
  for (auto& v : own) v.assign(model.network.links.size(), 0.0);

  SUBCASE("without the count: half of each gate's 1,000 a day each way, 10 % heavy") {
    BackgroundTraffic no_count = bg;
    no_count.counts.clear();
    const BackgroundDemand d = synthesize_background(model, no_count, zone, {}, own);
    // Two zones and no intrazonal trips: g1 → g2 = 500 a day, 450 light and 50 heavy; likewise back.
    CHECK(d.daily[0].at(zone[0], zone[1]) == doctest::Approx(450));
    CHECK(d.daily[0].at(zone[1], zone[0]) == doctest::Approx(450));
    CHECK(d.daily[1].at(zone[0], zone[1]) == doctest::Approx(50));
    CHECK(d.daily[0].total() + d.daily[1].total() == doctest::Approx(1000));
  }
  SUBCASE("with the count: both cells pass r5 and scale to 1,500 a day (1,350 light, 150 heavy)") {
    const BackgroundDemand d = synthesize_background(model, bg, zone, links, own);
    CHECK(d.daily[0].at(zone[0], zone[1]) == doctest::Approx(675));
    CHECK(d.daily[0].at(zone[1], zone[0]) == doctest::Approx(675));
    CHECK(d.daily[1].at(zone[0], zone[1]) == doctest::Approx(75));
    // The own traffic on r5 is taken off the count: 300 light vehicles a day leave 1,050.
    std::array<std::vector<double>, kBackgroundClassCount> with_own = own;
    with_own[0][static_cast<std::size_t>(links[0][0])] = 300.0;
    const BackgroundDemand d2 = synthesize_background(model, bg, zone, links, with_own);
    CHECK(d2.daily[0].total() == doctest::Approx(1050));
    CHECK(d2.daily[1].total() == doctest::Approx(150));
  }
  SUBCASE("the hours: daily × day factor × profile, adjusted to the hour's count minus own vehicles") {
    const BackgroundDemand d = synthesize_background(model, bg, zone, links, own);
    const auto at8 = background_hourly(d, bg, TrafficDay::kWorkday, 8);
    REQUIRE(at8.size() == 2);
    CHECK(at8[0].name == "background_car");
    CHECK(at8[1].pce == 2.0);
    CHECK(at8[0].trips.total() == doctest::Approx(1350));
    CHECK(background_hourly(d, bg, TrafficDay::kWorkday, 9)[0].trips.total() == 0.0);
    CHECK(background_hourly(d, bg, TrafficDay::kSaturday, 10)[1].trips.total() == doctest::Approx(75));
    // 500 light own vehicles on r5 at 08 of the 1,350 the count puts there leave 850 for background.
    std::array<std::vector<double>, kBackgroundClassCount> own_on_counts{std::vector<double>{500.0},
                                                                         std::vector<double>{0.0}};
    const auto adjusted = background_hourly(d, bg, TrafficDay::kWorkday, 8, &own_on_counts);
    CHECK(adjusted[0].trips.total() == doctest::Approx(850));
    CHECK(adjusted[1].trips.total() == doctest::Approx(150));
  }
}

TEST_CASE("a road end without a gate becomes a zone after the others, and every pair stays connected") {
  const Small s = build_small();
  const sandan::test::TempDir dir("background_road_end");
  std::string text = test_text();
  replace_once(text, "counts:\n",
               "  - {road_end: s0, daily_veh: " + fig("400") + ", heavy_share: " + fig("0") + "}\ncounts:\n");
  const BackgroundTraffic bg = read_text(dir, text);
  check_background_against_site(bg, s.site, s.roads);
  TrafficModel model = s.model;
  const int zones_before = model.network.zone_count;
  const std::size_t links_before = model.network.links.size();
  const std::vector<int> zone = add_external_zones(model, bg, s.site, s.roads);
  CHECK(model.network.zone_count == zones_before + 1);
  CHECK(model.network.first_thru_node == zones_before + 1);
  CHECK(model.network.links.size() == links_before + 2);
  CHECK(zone[2] == zones_before);
  CHECK(model.zone_names.back() == "road_end:n" + std::to_string(model.zone_road_node.back()));
  // The road end is the side road's north node, at (2,500, 500).
  CHECK(model.zone_position.back().x_m == doctest::Approx(2500));
  CHECK(model.zone_position.back().y_m == doctest::Approx(500));
  std::array<std::vector<double>, kBackgroundClassCount> own;
  for (auto& v : own) v.assign(model.network.links.size(), 0.0);
  const BackgroundDemand d =
      synthesize_background(model, bg, zone, count_links(model, bg, s.site, s.roads), own);
  std::vector<DemandClass> classes = background_hourly(d, bg, TrafficDay::kWorkday, 8);
  CHECK(classes[0].trips.at(zone[2], zone[0]) > 0.0);
  CHECK(unreachable_demand(model.network, classes).empty());
}

TEST_CASE("a bad background file is refused with every problem, its line, key path and fix") {
  const sandan::test::TempDir dir("background_bad");
  std::string text = test_text();
  replace_once(text, "  saturday: {values: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,",
               "  saturday: {values: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.9,");
  replace_once(text, "  - {gate: g2, daily_veh: ", "  - {gate: g2, road_end: r9, daily_veh: ");
  replace_once(text, "aadt_veh: {value: 1500", "aadt_veh: {value: -5");
  text += "colour: red\n";
  sandan::test::write_text(dir.path() / "background.yaml", text);
  const std::string file = dir.str("background.yaml");
  const auto problems = problems_of([&] { (void)read_background_traffic(file); });
  INFO(problems.size());
  CHECK(has(problems, file + ":" + std::to_string(line_of(text, "colour")) + ": colour: unknown key"));
  CHECK(has(problems, file + ":" + std::to_string(line_of(text, "  saturday: {values")) +
                          ": profiles.saturday.values: must sum to 1 (±1e-6), got 0.9"));
  CHECK(has(problems, file + ":" + std::to_string(line_of(text, "road_end: r9")) +
                          ": zones[1]: give exactly one of gate"));
  CHECK(
      has(problems, file + ":" + std::to_string(line_of(text, "value: -5")) + ": counts[0].aadt_veh.value"));
  CHECK_THROWS_AS((void)read_background_traffic(dir.str("no_such.yaml")), Error);
}

TEST_CASE("a background file that does not fit the layout is refused naming gate, road and capacity") {
  const Small s = build_small();
  const sandan::test::TempDir dir("background_misfit");
  std::string text = test_text();
  replace_once(text, "{gate: g2,", "{gate: g7,");
  replace_once(text, "road_id: r5", "road_id: r55");
  // 24 h × 800 veh/h in each of two directions = 38,400 a day at most on r1.
  text += "  - {id: absurd, name: too much, road_id: r1, direction: both, aadt_veh: " + fig("40000") +
          ", heavy_share: " + fig("0.1") + "}\n";
  text += "  - {id: fine, name: enough, road_id: r2, direction: forward, aadt_veh: " + fig("19200") +
          ", heavy_share: " + fig("0.1") + "}\n";
  text += "  - {id: one_way_too_much, name: one way, road_id: r3, direction: backward, aadt_veh: " +
          fig("19201") + ", heavy_share: " + fig("0.1") + "}\n";
  replace_once(
      text, "  - {gate: g1,",
      "  - {road_end: r4, daily_veh: " + fig("1") + ", heavy_share: " + fig("0") + "}\n  - {gate: g1,");
  const BackgroundTraffic bg = read_text(dir, text);
  const std::string file = bg.path;
  const auto problems = problems_of([&] { check_background_against_site(bg, s.site, s.roads); });
  CHECK(problems.size() == 5);
  CHECK(has(problems, file + ":" + std::to_string(line_of(text, "gate: g7")) +
                          ": zones[2].gate: unknown gate 'g7'; the layout's gates are: g1, g2"));
  CHECK(has(problems, file + ":" + std::to_string(line_of(text, "road_end: r4")) +
                          ": zones[0].road_end: road 'r4' has no dead end"));
  CHECK(has(problems, file + ":" + std::to_string(line_of(text, "road_id: r55")) +
                          ": counts[0].road_id: road 'r55' is not in the layout's roads layer"));
  CHECK(has(problems, file + ":" + std::to_string(line_of(text, "id: absurd")) +
                          ": counts[1].aadt_veh.value: 40000 vehicles a day is more than road 'r1' can carry "
                          "in 24 h at its capacity (38400)"));
  CHECK(has(problems, "counts[3].aadt_veh.value: 19201 vehicles a day is more than road 'r3'"));
  CHECK_FALSE(has(problems, "counts[2]"));
}

TEST_CASE("GEH: the DMRB formula on hand values") {
  // sqrt(2 (120 − 100)² / 220) = sqrt(800 / 220) = 1.9069.
  CHECK(geh(120, 100) == doctest::Approx(std::sqrt(800.0 / 220.0)));
  CHECK(geh(0, 0) == 0.0);
  CHECK(geh(100, 100) == 0.0);
}
