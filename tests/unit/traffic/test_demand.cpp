#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "gis/reader.hpp"
#include "site/topology.hpp"
#include "support/fixtures.hpp"
#include "traffic/demand.hpp"
#include "traffic/hub.hpp"
#include "traffic/tours.hpp"

using namespace sandan;

namespace {

const std::string kRatesPath = SANDAN_GIS_DATA_DIR "/traffic/trip_rates.yaml";
const std::string kLayoutPath = SANDAN_GIS_DATA_DIR "/incheon.gpkg";

constexpr std::size_t kCar = 0;
constexpr std::size_t kLight = 1;
constexpr std::size_t kHeavy = 2;

const TripRates& shipped_rates() {
  static const TripRates rates = read_trip_rates(kRatesPath);
  return rates;
}

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

std::string factors(const std::string& car, const std::string& light, const std::string& heavy) {
  return "{car: " + car + ", light_truck: " + light + ", heavy_truck: " + heavy +
         ", source: test, confidence: estimate}";
}

std::string sector(const std::string& car, const std::string& light_firm, const std::string& heavy_firm,
                   const std::string& light_area, const std::string& heavy_area) {
  return "    name: test\n    car_per_employee: " + fig(car) +
         "\n    light_truck_per_firm: " + fig(light_firm) + "\n    heavy_truck_per_firm: " + fig(heavy_firm) +
         "\n    light_truck_per_1000m2: " + fig(light_area) +
         "\n    heavy_truck_per_1000m2: " + fig(heavy_area) + "\n";
}

// The rates of the small made-up layout, simple enough to compute by hand:
// - C29: 1.5 car trips per employee; trucks 0.6 light + 0.4 heavy a firm, 0.2 light + 0.1 heavy per 1,000 m²
// - C2 (so C25 too): 1.2 car trips per employee; 1 light + 1 heavy truck a firm, nothing per m²
// - default: 1.0 car trips per employee; 0.5 light + 0.5 heavy a firm
// - external shares 0.8 (car), 0.5 (light), 0.6 (heavy); β 0.5 per km
// - profiles: day shift in at 08, out 17/18; two shifts in 05/13, out 14/22; continuous in 05/13/21,
//   out 06/14/22; trucks 10 and 14
// - Saturday (day, two, continuous): car 0.3/0.5/0.9, light 0.2/0.4/0.8, heavy 0.1/0.3/0.7;
//   rest day: car 0.05/0.1/0.8, light 0.02/0.05/0.6, heavy 0.01/0.04/0.5
std::string test_rates_text() {
  return std::string("schema: sandan-trip-rates\n") + "version: 1\n" + "pce:\n" + "  car: " + fig("1") +
         "\n" + "  light_truck: " + fig("1.5") + "\n" + "  heavy_truck: " + fig("2.5") + "\n" +
         "external_share:\n" + "  car: " + fig("0.8") + "\n" + "  light_truck: " + fig("0.5") + "\n" +
         "  heavy_truck: " + fig("0.6") + "\n" + "gravity_beta_per_km: " + fig("0.5") + "\n" + "bpr:\n" +
         "  b: " + fig("0.15") + "\n" + "  power: " + fig("4") + "\n" + "sectors:\n" + "  C29:\n" +
         sector("1.5", "0.6", "0.4", "0.2", "0.1") + "  C2:\n" + sector("1.2", "1", "1", "0", "0") +
         "  default:\n" + sector("1.0", "0.5", "0.5", "0", "0") + "profiles:\n" + "  car_in:\n" +
         "    day: " + profile({{8, "1"}}) + "\n" + "    two: " + profile({{5, "0.5"}, {13, "0.5"}}) + "\n" +
         "    continuous: " + profile({{5, "0.25"}, {13, "0.25"}, {21, "0.5"}}) + "\n" + "  car_out:\n" +
         "    day: " + profile({{17, "0.5"}, {18, "0.5"}}) + "\n" +
         "    two: " + profile({{14, "0.5"}, {22, "0.5"}}) + "\n" +
         "    continuous: " + profile({{6, "0.5"}, {14, "0.25"}, {22, "0.25"}}) + "\n" +
         "  truck: " + profile({{10, "0.5"}, {14, "0.5"}}) + "\n" + "day_factors:\n" + "  saturday:\n" +
         "    day: " + factors("0.3", "0.2", "0.1") + "\n" + "    two: " + factors("0.5", "0.4", "0.3") +
         "\n" + "    continuous: " + factors("0.9", "0.8", "0.7") + "\n" + "  rest_day:\n" +
         "    day: " + factors("0.05", "0.02", "0.01") + "\n" + "    two: " + factors("0.1", "0.05", "0.04") +
         "\n" + "    continuous: " + factors("0.8", "0.6", "0.5") + "\n";
}

// The 1-based line of the first occurrence of a text.
int line_of(const std::string& text, const std::string& what) {
  const auto at = text.find(what);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

// Replaces the first occurrence of a text, which must be there.
void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
}

const TripRates& test_rates() {
  static const TripRates rates = [] {
    const sandan::test::TempDir dir("demand_rates");
    sandan::test::write_text(dir.path() / "rates.yaml", test_rates_text());
    return read_trip_rates(dir.str("rates.yaml"));
  }();
  return rates;
}

MultiPolygon square(double x0, double y0, double x1, double y1) {
  return {Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}}};
}

Facility make_facility(const std::string& id, int complex, const std::string& ksic, Shift shift,
                       int employees, int firms, double floor_m2, double x) {
  Facility f;
  f.facility_id = id;
  f.complex = complex;
  f.ksic = ksic;
  f.shift = shift;
  f.employees = employees;
  f.firms = firms;
  f.floor_area_m2 = floor_m2;
  f.footprint = square(x - 20.0, 530.0, x + 20.0, 570.0);  // centroid 50 m north of the road node at (x, 500)
  return f;
}

// A made-up layout: complex "west" [0, 1000] x [0, 1000] and "east" [3000, 4000] x [0, 1000]; one
// street along y = 500 from x = -500 to 4500 with a node every 500 m; gate g1 (share 0.25) at its
// west end, g2 (share 0.75) at its east end. Facilities 50 m north of the street:
// - a: west, C29, day shift, 100 employees, 2 firms, 5,000 m², at x = 500
// - b: west, C25, two shifts, 40 employees, 1 firm, 2,000 m², at x = 1000
// - c: east, C10 (default rates), continuous, 60 employees, 3 firms, 3,000 m², at x = 3500
Site small_site() {
  Site site;
  Complex west;
  west.complex_id = "west";
  west.boundary = square(0, 0, 1000, 1000);
  Complex east;
  east.complex_id = "east";
  east.boundary = square(3000, 0, 4000, 1000);
  site.complexes = {west, east};
  for (int i = 0; i < 10; ++i) {
    Road road;
    road.road_id = "r" + std::to_string(i);
    road.speed_kmh = 30.0;
    road.capacity_veh_h = 800.0;
    road.geometry = {{-500.0 + 500.0 * i, 500.0}, {500.0 * i, 500.0}};
    site.roads.push_back(road);
  }
  Gate g1;
  g1.gate_id = "g1";
  g1.share = 0.25;
  g1.position = {-500.0, 500.0};
  Gate g2;
  g2.gate_id = "g2";
  g2.share = 0.75;
  g2.position = {4500.0, 500.0};
  site.gates = {g1, g2};
  site.facilities = {make_facility("a", 0, "C29", Shift::kDay, 100, 2, 5000.0, 500.0),
                     make_facility("b", 0, "C25", Shift::kTwo, 40, 1, 2000.0, 1000.0),
                     make_facility("c", 1, "C10", Shift::kContinuous, 60, 3, 3000.0, 3500.0)};
  return site;
}

struct Built {
  Site site;
  RoadGraph roads;
  Attachments attachments;
  TrafficModel model;
};

Built build(const Site& site, const TripRates& rates, const LogisticsHubSpec& hub = {}) {
  Built b;
  b.site = site;
  b.roads = build_road_graph(b.site);
  b.attachments = attach_facilities(b.site, b.roads, build_feeder_topology(b.site));
  b.model = build_traffic_model(b.site, b.roads, b.attachments, rates, hub);
  return b;
}

// Trips of a class to and from a zone over all groups (both directions).
double trips_at(const DailyDemand& demand, std::size_t k, int zone) {
  double sum = 0.0;
  for (const OdMatrix& m : demand.by_group[k]) {
    for (int z = 0; z < m.zones; ++z) sum += m.at(zone, z) + m.at(z, zone);
  }
  return sum;
}

double group_total(const DailyDemand& demand, std::size_t k, std::size_t g) {
  return demand.by_group[k][g].total();
}

const Built& incheon() {
  static const Built built = [] {
    Built b;
    b.site = load_site({kLayoutPath});
    b.roads = build_road_graph(b.site);
    b.attachments = attach_facilities(b.site, b.roads, build_feeder_topology(b.site));
    b.model = build_traffic_model(b.site, b.roads, b.attachments, shipped_rates());
    return b;
  }();
  return built;
}

}  // namespace

TEST_CASE("the shipped trip rates load, cover the layout's sectors and keep the FACTS defaults") {
  const TripRates& rates = shipped_rates();
  CHECK(rates.path == kRatesPath);
  std::vector<std::string> codes;
  for (const auto& [code, sector] : rates.sectors) codes.push_back(code);
  for (const char* code : {"C10", "C20", "C22", "C23", "C24", "C25", "C26", "C27", "C28", "C29", "default"}) {
    CHECK_MESSAGE(std::find(codes.begin(), codes.end(), code) != codes.end(), code);
  }
  CHECK(rates.pce == std::array<double, 3>{1.0, 1.5, 2.5});
  CHECK(rates.bpr_b == 0.15);
  CHECK(rates.bpr_power == 4.0);
  // Car trips per employee: 2.5 × 0.6 / 1.1 = 1.364 (manufacturing) to 3.05 × 0.6 / 1.1 = 1.664.
  for (const auto& [code, sector] : rates.sectors) {
    CHECK(sector.car_per_employee >= 1.36);
    CHECK(sector.car_per_employee <= 1.67);
    const double light = sector.light_truck_per_firm;
    const double heavy = sector.heavy_truck_per_firm;
    CHECK(light + heavy >= 0.5);  // FACTS §9: 0.5-1.5 a firm, more for food
    CHECK(light + heavy <= 1.5);
  }
  // Continuous plants work every day, day-shift firms hardly on rest days.
  CHECK(rates.rest_day_factor[2][kCar] > 0.5);
  CHECK(rates.rest_day_factor[0][kCar] < 0.1);
  CHECK(rates.saturday_factor[0][kCar] == doctest::Approx(0.3));  // FACTS §7: ≈30 % work Saturday morning
}

TEST_CASE("every hourly profile of the shipped rates sums to 1") {
  const TripRates& rates = shipped_rates();
  const auto sum = [](const std::array<double, 24>& p) { return std::accumulate(p.begin(), p.end(), 0.0); };
  for (int s = 0; s < 3; ++s) {
    CHECK(sum(rates.car_in_by_shift[s]) == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(sum(rates.car_out_by_shift[s]) == doctest::Approx(1.0).epsilon(1e-6));
  }
  CHECK(sum(rates.truck_profile) == doctest::Approx(1.0).epsilon(1e-6));
  // Day shift: arrivals before 08:30, departures spread over 17-20.
  CHECK(rates.car_in_by_shift[0][8] ==
        *std::max_element(rates.car_in_by_shift[0].begin(), rates.car_in_by_shift[0].end()));
  CHECK(rates.car_out_by_shift[0][17] + rates.car_out_by_shift[0][18] + rates.car_out_by_shift[0][19] +
            rates.car_out_by_shift[0][20] >
        0.6);
  // Trucks move over the working day 07-19.
  double working_day = 0.0;
  for (int h = 7; h < 19; ++h) working_day += rates.truck_profile[h];
  CHECK(working_day > 0.95);
}

TEST_CASE("to_string and traffic_day name the classes and kinds of day") {
  CHECK(std::string(to_string(VehicleClass::kCar)) == "car");
  CHECK(std::string(to_string(VehicleClass::kLightTruck)) == "light_truck");
  CHECK(std::string(to_string(VehicleClass::kHeavyTruck)) == "heavy_truck");
  CHECK(std::string(to_string(TrafficDay::kWorkday)) == "workday");
  CHECK(std::string(to_string(TrafficDay::kSaturday)) == "saturday");
  CHECK(std::string(to_string(TrafficDay::kRestDay)) == "rest_day");
  CHECK(traffic_day(DayType::kWeekday) == TrafficDay::kWorkday);
  CHECK(traffic_day(DayType::kSaturday) == TrafficDay::kSaturday);
  CHECK(traffic_day(DayType::kSunday) == TrafficDay::kRestDay);
  CHECK(traffic_day(DayType::kHoliday) == TrafficDay::kRestDay);
  CHECK(traffic_day(DayType::kShutdown) == TrafficDay::kRestDay);
}

TEST_CASE("the small layout's network: facility zones by road node, then gates, connectors, road links") {
  const Built b = build(small_site(), test_rates());
  const TrafficModel& m = b.model;
  // Road nodes at x = -500, 0, ..., 4500: 11 nodes, 20 directed links. Facilities attach to the nodes
  // at 500, 1000 and 3500; the gates to those at -500 and 4500.
  REQUIRE(b.roads.nodes.size() == 11);
  REQUIRE(m.network.zone_count == 5);
  CHECK(m.network.first_thru_node == 5);
  CHECK(m.network.node_count == 5 + 11);
  CHECK(m.facility_zone == std::vector<int>{0, 1, 2});
  CHECK(m.zone_gate == std::vector<int>{-1, -1, -1, 0, 1});
  CHECK(m.zone_complex == std::vector<int>{0, 0, 1, -1, -1});
  CHECK(m.hub_zone == -1);
  CHECK(m.zone_names[0] == "west/n" + std::to_string(m.zone_road_node[0]));
  CHECK(m.zone_names[3] == "gate:g1");
  CHECK(b.roads.nodes[static_cast<std::size_t>(m.zone_road_node[2])].x_m == 3500.0);
  REQUIRE(m.network.links.size() == 2 * 5 + 20);
  // Connector of zone 0: both ways, 50 m at 20 km/h = 0.15 min, 0.05 km.
  const TrafficLink& out = m.network.links[0];
  const TrafficLink& in = m.network.links[1];
  CHECK(out.from == 0);
  CHECK(out.to == 5 + m.zone_road_node[0]);
  CHECK(in.from == out.to);
  CHECK(in.to == 0);
  CHECK(out.free_flow_time == doctest::Approx(0.15));
  CHECK(out.length == doctest::Approx(0.05));
  CHECK(out.capacity == 1e6);
  CHECK(m.network.links[6].free_flow_time == doctest::Approx(0.01));  // the first gate's connector
  CHECK(m.link_road_link[0] == -1);
  CHECK(m.link_complex[0] == 0);
  // Road links: 500 m at 30 km/h = 1 min, capacity as the road, BPR from the rates.
  for (std::size_t l = 10; l < m.network.links.size(); ++l) {
    const TrafficLink& link = m.network.links[l];
    const RoadLink& road = b.roads.links[static_cast<std::size_t>(m.link_road_link[l])];
    CHECK(link.from == 5 + road.from_node);
    CHECK(link.to == 5 + road.to_node);
    CHECK(link.free_flow_time == doctest::Approx(1.0));
    CHECK(link.length == doctest::Approx(0.5));
    CHECK(link.capacity == 800.0);
    CHECK(link.b == 0.15);
    CHECK(link.power == 4.0);
    const double mid_x = 0.5 * (b.roads.nodes[road.from_node].x_m + b.roads.nodes[road.to_node].x_m);
    const int expected = mid_x > 0.0 && mid_x < 1000.0 ? 0 : (mid_x > 3000.0 && mid_x < 4000.0 ? 1 : -1);
    CHECK(m.link_complex[l] == expected);
  }
  CHECK(m.network.out_offset.size() == 17);  // build_index was called
}

TEST_CASE("daily totals equal the hand calculation from the rates") {
  const Built b = build(small_site(), test_rates());
  const DailyDemand d = daily_demand(b.model, b.site, test_rates(), TrafficDay::kWorkday);
  // a (C29): cars 100 × 1.5 = 150; light 2 × 0.6 + 5 × 0.2 = 2.2; heavy 2 × 0.4 + 5 × 0.1 = 1.3
  // b (C25 → C2): cars 40 × 1.2 = 48; light 1 × 1 = 1; heavy 1 × 1 = 1
  // c (C10 → default): cars 60 × 1.0 = 60; light 3 × 0.5 = 1.5; heavy 3 × 0.5 = 1.5
  CHECK(d.total_trips[kCar] == doctest::Approx(150.0 + 48.0 + 60.0));  // 258
  CHECK(d.total_trips[kLight] == doctest::Approx(2.2 + 1.0 + 1.5));    // 4.7
  CHECK(d.total_trips[kHeavy] == doctest::Approx(1.3 + 1.0 + 1.5));    // 3.8
  REQUIRE(d.by_group[kCar].size() == 6);
  REQUIRE(d.by_group[kLight].size() == 1);
  REQUIRE(d.by_group[kHeavy].size() == 1);
  // Half inbound, half outbound, by shift: a is the only day-shift facility, b two shifts, c continuous.
  CHECK(group_total(d, kCar, 0) == doctest::Approx(75.0));
  CHECK(group_total(d, kCar, 3) == doctest::Approx(75.0));
  CHECK(group_total(d, kCar, 1) == doctest::Approx(24.0));
  CHECK(group_total(d, kCar, 5) == doctest::Approx(30.0));
  // Inbound car trips end at the facility's zone, outbound ones start there.
  const OdMatrix& day_in = d.by_group[kCar][0];
  double into_a = 0.0;
  for (int o = 0; o < day_in.zones; ++o) into_a += day_in.at(o, 0);
  CHECK(into_a == doctest::Approx(75.0));
  // No intrazonal trips.
  for (const auto& groups : d.by_group) {
    for (const OdMatrix& m : groups) {
      for (int z = 0; z < m.zones; ++z) CHECK(m.at(z, z) == 0.0);
    }
  }
  // Only the simulated complexes generate: east alone gives c's trips.
  const DailyDemand east = daily_demand(b.model, b.site, test_rates(), TrafficDay::kWorkday, {}, {1});
  CHECK(east.total_trips[kCar] == doctest::Approx(60.0));
  CHECK(east.total_trips[kLight] == doctest::Approx(1.5));
  // ... and the other zones only receive what c sends: every trip has c's zone 2 at one end.
  for (const auto& groups : east.by_group) {
    for (const OdMatrix& m : groups) {
      for (int o = 0; o < m.zones; ++o) {
        for (int dz = 0; dz < m.zones; ++dz) {
          if (o != 2 && dz != 2) CHECK(m.at(o, dz) == 0.0);
        }
      }
    }
  }
  CHECK(east.by_group[kCar][2].at(0, 2) > 0.0);  // some of c's inbound trips come from a's zone
}

TEST_CASE("the 24 hours of hourly demand add up to the daily total of every class") {
  const Built b = build(small_site(), test_rates());
  const DailyDemand d = daily_demand(b.model, b.site, test_rates(), TrafficDay::kWorkday);
  std::array<double, 3> sum{};
  for (int h = 0; h < 24; ++h) {
    const auto classes = hourly_demand(d, test_rates(), h);
    REQUIRE(classes.size() == 3);
    for (std::size_t k = 0; k < 3; ++k) sum[k] += classes[k].trips.total();
  }
  for (std::size_t k = 0; k < 3; ++k) CHECK(sum[k] == doctest::Approx(d.total_trips[k]));
  const auto eight = hourly_demand(d, test_rates(), 8);
  CHECK(eight[0].name == "car");
  CHECK(eight[1].name == "light_truck");
  CHECK(eight[2].name == "heavy_truck");
  CHECK(eight[1].pce == 1.5);
  CHECK(eight[2].pce == 2.5);
  // 08-09: only the day shift's arrivals (a's 75 inbound trips); no trucks.
  CHECK(eight[0].trips.total() == doctest::Approx(75.0));
  CHECK(eight[1].trips.total() == 0.0);
  // 14-15: two-shift departures (24 × 0.5 = 12), continuous departures (30 × 0.25 = 7.5); half the trucks.
  const auto two = hourly_demand(d, test_rates(), 14);
  CHECK(two[0].trips.total() == doctest::Approx(12.0 + 7.5));
  CHECK(two[2].trips.total() == doctest::Approx(0.5 * 3.8));
  // An hour outside the day has no demand.
  CHECK(hourly_demand(d, test_rates(), 24)[0].trips.total() == 0.0);
}

TEST_CASE("external trips go through the gates in proportion to their shares") {
  const Built b = build(small_site(), test_rates());
  const DailyDemand d = daily_demand(b.model, b.site, test_rates(), TrafficDay::kWorkday);
  // External share × daily total, split 0.25 / 0.75 between g1 (zone 3) and g2 (zone 4).
  CHECK(trips_at(d, kCar, 3) == doctest::Approx(0.25 * 0.8 * 258.0));
  CHECK(trips_at(d, kCar, 4) == doctest::Approx(0.75 * 0.8 * 258.0));
  CHECK(trips_at(d, kLight, 3) == doctest::Approx(0.25 * 0.5 * 4.7));
  CHECK(trips_at(d, kHeavy, 4) == doctest::Approx(0.75 * 0.6 * 3.8));
  // Gates only trade with facilities, never with each other.
  for (const OdMatrix& m : d.by_group[kCar]) {
    CHECK(m.at(3, 4) == 0.0);
    CHECK(m.at(4, 3) == 0.0);
  }
}

TEST_CASE("the gravity model prefers near zones") {
  const Built b = build(small_site(), test_rates());
  const DailyDemand d = daily_demand(b.model, b.site, test_rates(), TrafficDay::kWorkday);
  // From a's zone 0: b's zone 1 is 0.5 km away with 2.2 + ... attraction; c's zone 2 is 3 km away.
  // Car: internal share 0.2 of a's 75 outbound day-shift trips; weights 48 e^(-0.25) and 60 e^(-1.5).
  const OdMatrix& out = d.by_group[kCar][3];
  const double w_near = 48.0 * std::exp(-0.5 * 0.5);
  const double w_far = 60.0 * std::exp(-0.5 * 3.0);
  CHECK(out.at(0, 1) == doctest::Approx(75.0 * 0.2 * w_near / (w_near + w_far)));
  CHECK(out.at(0, 2) == doctest::Approx(75.0 * 0.2 * w_far / (w_near + w_far)));
  // Per trip end attracted, the near zone receives e^(0.5 × 2.5) ≈ 3.5 times as many.
  CHECK((out.at(0, 1) / 48.0) / (out.at(0, 2) / 60.0) == doctest::Approx(std::exp(1.25)));
  CHECK(out.at(0, 1) > out.at(0, 2));
}

TEST_CASE("the hub is a zone at its road node, and needs freight tours") {
  LogisticsHubSpec hub;
  hub.enabled = true;
  hub.complexes = {0};
  hub.position = {2010.0, 480.0};  // snaps to the road node at (2000, 500)
  const Built b = build(small_site(), test_rates(), hub);
  const TrafficModel& m = b.model;
  REQUIRE(m.hub_zone == 5);
  CHECK(m.zone_names[5] == "hub");
  CHECK(b.roads.nodes[static_cast<std::size_t>(m.zone_road_node[5])].x_m == 2000.0);
  CHECK(m.network.links[10].free_flow_time == doctest::Approx(std::hypot(10.0, 20.0) / 1000.0 / 20.0 * 60.0));
  // The hub consolidates tours: with single truck trips it is refused.
  CHECK_THROWS_AS((void)daily_demand(m, b.site, test_rates(), TrafficDay::kWorkday, hub), Error);
  // A hub naming a complex the site does not have is bad input.
  LogisticsHubSpec bad = hub;
  bad.complexes = {7};
  CHECK_THROWS_AS((void)build_traffic_model(b.site, b.roads, b.attachments, test_rates(), bad), Error);
}

TEST_CASE("Saturday and rest-day factors apply by the facility's shift and class") {
  const Built b = build(small_site(), test_rates());
  const DailyDemand sat = daily_demand(b.model, b.site, test_rates(), TrafficDay::kSaturday);
  const DailyDemand rest = daily_demand(b.model, b.site, test_rates(), TrafficDay::kRestDay);
  CHECK(sat.day == TrafficDay::kSaturday);
  // Saturday: a (day) 150 × 0.3 = 45, b (two) 48 × 0.5 = 24, c (continuous) 60 × 0.9 = 54 → 123 cars;
  // light 2.2 × 0.2 + 1 × 0.4 + 1.5 × 0.8 = 2.04; heavy 1.3 × 0.1 + 1 × 0.3 + 1.5 × 0.7 = 1.48.
  CHECK(sat.total_trips[kCar] == doctest::Approx(123.0));
  CHECK(sat.total_trips[kLight] == doctest::Approx(2.04));
  CHECK(sat.total_trips[kHeavy] == doctest::Approx(1.48));
  CHECK(group_total(sat, kCar, 0) == doctest::Approx(22.5));  // a's inbound: 45 / 2
  CHECK(group_total(sat, kCar, 2) == doctest::Approx(27.0));  // c's inbound: 54 / 2
  // Rest day: cars 150 × 0.05 + 48 × 0.1 + 60 × 0.8 = 60.3; light 2.2 × 0.02 + 1 × 0.05 + 1.5 × 0.6 =
  // 0.994; heavy 1.3 × 0.01 + 1 × 0.04 + 1.5 × 0.5 = 0.803.
  CHECK(rest.total_trips[kCar] == doctest::Approx(60.3));
  CHECK(rest.total_trips[kLight] == doctest::Approx(0.994));
  CHECK(rest.total_trips[kHeavy] == doctest::Approx(0.803));
  CHECK(group_total(rest, kCar, 4) == doctest::Approx(2.4));  // b's outbound: 4.8 / 2
}

TEST_CASE("an unknown key and a profile not summing to 1 are reported with file, line and key") {
  const sandan::test::TempDir dir("demand_bad_rates");
  std::string text = test_rates_text();
  // An unknown key in a sector, and the day shift's arrivals summing to 0.9.
  replace_once(text, "    car_per_employee: {value: 1.5",
               "    colour: red\n    car_per_employee: {value: 1.5");
  replace_once(text, "    day: {values: [0, 0, 0, 0, 0, 0, 0, 0, 1,",
               "    day: {values: [0, 0, 0, 0, 0, 0, 0, 0, 0.9,");
  // A quoted number and a missing default sector.
  replace_once(text, "gravity_beta_per_km: {value: 0.5", "gravity_beta_per_km: {value: \"0.5\"");
  replace_once(text, "  default:", "  C10:");
  const std::string file = dir.str("rates.yaml");
  sandan::test::write_text(file, text);
  try {
    (void)read_trip_rates(file);
    FAIL("no error thrown");
  } catch (const ConfigError& e) {
    const auto& problems = e.problems();
    CHECK(e.code() == ErrorCode::kBadInput);
    CHECK(std::string(e.what()).find(file) != std::string::npos);
    REQUIRE(problems.size() == 4);
    CHECK(problems[0] == file + ":" + std::to_string(line_of(text, "gravity_beta")) +
                             ": gravity_beta_per_km.value: must be a number, got the text \"0.5\"");
    CHECK(problems[1] ==
          file + ":" + std::to_string(line_of(text, "colour")) + ": sectors.C29.colour: unknown key");
    CHECK(problems[2] ==
          file + ":" + std::to_string(line_of(text, "sectors:")) + ": sectors.default: missing");
    CHECK(problems[3] ==
          file + ":" + std::to_string(line_of(text, "0.9,")) +
              ": profiles.car_in.day.values: must sum to 1 (±1e-6), got 0.9; divide each share by the sum "
              "(the shares of a day by hour)");
  }
}

TEST_CASE("short profiles, shares over 1, bad sector codes and a wrong schema are all reported") {
  const sandan::test::TempDir dir("demand_bad_shapes");
  std::string text = test_rates_text();
  replace_once(text, "schema: sandan-trip-rates", "schema: sandan-trip-rate");
  replace_once(text, "  car: {value: 0.8", "  car: {value: 1.8");
  replace_once(text, "  truck: {values: [0, ", "  truck: {values: [");  // 23 values
  replace_once(text, "  C2:", "  machinery:");
  replace_once(text, "    two: {car: 0.5", "    two: {car: 5.5");
  const std::string file = dir.str("rates.yaml");
  sandan::test::write_text(file, text);
  try {
    (void)read_trip_rates(file);
    FAIL("no error thrown");
  } catch (const ConfigError& e) {
    const std::string all = e.what();
    CHECK(all.find(file + ":1: schema: must be sandan-trip-rates") != std::string::npos);
    CHECK(all.find(file + ":" + std::to_string(line_of(text, "car: {value: 1.8")) +
                   ": external_share.car.value: must be in [0, 1], got 1.8") != std::string::npos);
    CHECK(all.find(file + ":" + std::to_string(line_of(text, "  truck:")) +
                   ": profiles.truck.values: must be a list of 24 numbers (hours 0-23), got a list of 23") !=
          std::string::npos);
    CHECK(all.find(file + ":" + std::to_string(line_of(text, "machinery:")) +
                   ": sectors: keys must be KSIC prefixes") != std::string::npos);
    CHECK(all.find(file + ":" + std::to_string(line_of(text, "car: 5.5")) +
                   ": day_factors.saturday.two.car: must be in [0, 2], got 5.5") != std::string::npos);
    CHECK(e.problems().size() == 5);
  }
  CHECK_THROWS_AS((void)read_trip_rates(dir.str("no_such_rates.yaml")), Error);
}

TEST_CASE("on the shipped layout every facility has a zone and zones come first in the network") {
  const Built& b = incheon();
  const TrafficModel& m = b.model;
  for (std::size_t f = 0; f < b.site.facilities.size(); ++f) {
    REQUIRE(m.facility_zone[f] >= 0);
    CHECK(m.zone_road_node[static_cast<std::size_t>(m.facility_zone[f])] == b.attachments.road_node[f]);
  }
  const int zones = m.network.zone_count;
  const auto facility_zones = static_cast<int>(std::count(m.zone_gate.begin(), m.zone_gate.end(), -1));
  MESSAGE("zones: ", facility_zones, " facility zones + ", b.site.gates.size(), " gates; ",
          b.roads.nodes.size(), " road nodes; ", m.network.links.size(), " links");
  // 1,810 facilities on 627 road nodes: many share a node, and a node serves a few buildings at most.
  CHECK(facility_zones >= 100);
  CHECK(facility_zones <= static_cast<int>(b.roads.nodes.size()));
  CHECK(zones == facility_zones + static_cast<int>(b.site.gates.size()));
  CHECK(m.network.first_thru_node == zones);
  CHECK(m.network.node_count == zones + static_cast<int>(b.roads.nodes.size()));
  CHECK(m.network.links.size() == 2 * static_cast<std::size_t>(zones) + b.roads.links.size());
  for (std::size_t l = 0; l < m.network.links.size(); ++l) {
    const TrafficLink& link = m.network.links[l];
    if (m.link_road_link[l] < 0) {
      CHECK(std::min(link.from, link.to) < zones);  // a connector joins a zone
      CHECK(std::max(link.from, link.to) >= zones);
    } else {
      CHECK(link.from >= zones);
      CHECK(link.to >= zones);
    }
  }
  // Each complex has streets of its own.
  for (int c = 0; c < static_cast<int>(b.site.complexes.size()); ++c) {
    CHECK(std::count(m.link_complex.begin(), m.link_complex.end(), c) > 0);
  }
}

TEST_CASE("workday trips of the five complexes are plausible and their hours add up") {
  const Built& b = incheon();
  const TripRates& rates = shipped_rates();
  const DailyDemand d = daily_demand(b.model, b.site, rates, TrafficDay::kWorkday);
  const DailyDemand sat = daily_demand(b.model, b.site, rates, TrafficDay::kSaturday);
  const DailyDemand rest = daily_demand(b.model, b.site, rates, TrafficDay::kRestDay);
  MESSAGE("workday trips: cars ", d.total_trips[kCar], ", light trucks ", d.total_trips[kLight],
          ", heavy trucks ", d.total_trips[kHeavy]);
  MESSAGE("saturday trips: cars ", sat.total_trips[kCar], ", light trucks ", sat.total_trips[kLight],
          ", heavy trucks ", sat.total_trips[kHeavy]);
  MESSAGE("rest-day trips: cars ", rest.total_trips[kCar], ", light trucks ", rest.total_trips[kLight],
          ", heavy trucks ", rest.total_trips[kHeavy]);
  int employees = 0;
  int firms = 0;
  for (const Facility& f : b.site.facilities) {
    employees += f.employees;
    firms += f.firms;
  }
  CHECK(employees == 43617);
  // Between 43,617 × 1.36 = 59,319 (all manufacturing) and 43,617 × 1.66 = 72,404 (all light industry).
  CHECK(d.total_trips[kCar] >= 43617 * 1.36);
  CHECK(d.total_trips[kCar] <= 43617 * 1.66);
  // Trucks: FACTS §9's 0.5-1.5 a firm, plus the floor-area term: 1-3 trip ends a firm in all.
  const double trucks = d.total_trips[kLight] + d.total_trips[kHeavy];
  CHECK(trucks >= 1.0 * firms);
  CHECK(trucks <= 3.0 * firms);
  CHECK(d.total_trips[kLight] > d.total_trips[kHeavy]);  // ≈60 % light
  CHECK(sat.total_trips[kCar] < 0.6 * d.total_trips[kCar]);
  CHECK(rest.total_trips[kCar] < sat.total_trips[kCar]);

  std::array<double, 3> sum{};
  double peak = 0.0;
  for (int h = 0; h < 24; ++h) {
    const auto classes = hourly_demand(d, rates, h);
    for (std::size_t k = 0; k < 3; ++k) sum[k] += classes[k].trips.total();
    peak = std::max(peak, classes[0].trips.total());
  }
  for (std::size_t k = 0; k < 3; ++k) CHECK(sum[k] == doctest::Approx(d.total_trips[k]).epsilon(1e-9));
  // The peak hour carries ≈12-15 % of the day's car trips (FACTS §9).
  MESSAGE("car peak hour share: ", peak / d.total_trips[kCar]);
  CHECK(peak / d.total_trips[kCar] >= 0.10);
  CHECK(peak / d.total_trips[kCar] <= 0.17);
}

TEST_CASE("zone cells aggregate facility zones and keep the trips through the gates") {
  const Built& b = incheon();
  const TrafficModel coarse =
      build_traffic_model(b.site, b.roads, b.attachments, shipped_rates(), LogisticsHubSpec{}, 500.0);
  const int gates = static_cast<int>(b.site.gates.size());
  const int fine_zones = b.model.network.zone_count - gates;
  const int coarse_zones = coarse.network.zone_count - gates;
  CHECK(coarse_zones < fine_zones / 2);
  CHECK(coarse.network.first_thru_node == coarse.network.zone_count);
  // Every facility has a zone, and the zone's node lies in the same 500 m cell as the facility's node.
  for (std::size_t f = 0; f < b.site.facilities.size(); ++f) {
    const int zone = coarse.facility_zone[f];
    REQUIRE(zone >= 0);
    const XY& own = b.roads.nodes[static_cast<std::size_t>(b.attachments.road_node[f])];
    const XY& rep =
        b.roads.nodes[static_cast<std::size_t>(coarse.zone_road_node[static_cast<std::size_t>(zone)])];
    CHECK(std::floor(own.x_m / 500.0) == std::floor(rep.x_m / 500.0));
    CHECK(std::floor(own.y_m / 500.0) == std::floor(rep.y_m / 500.0));
  }
  // Trips to and from the gates do not depend on the zoning (internal trips within a cell do).
  const DailyDemand fine_day = daily_demand(b.model, b.site, shipped_rates(), TrafficDay::kWorkday);
  const DailyDemand coarse_day = daily_demand(coarse, b.site, shipped_rates(), TrafficDay::kWorkday);
  auto gate_trips = [&](const TrafficModel& model, const DailyDemand& day) {
    double total = 0.0;
    for (const auto& groups : day.by_group) {
      for (const OdMatrix& od : groups) {
        for (int o = 0; o < od.zones; ++o) {
          for (int d = 0; d < od.zones; ++d) {
            if (model.zone_gate[static_cast<std::size_t>(o)] >= 0 ||
                model.zone_gate[static_cast<std::size_t>(d)] >= 0) {
              total += od.at(o, d);
            }
          }
        }
      }
    }
    return total;
  };
  CHECK(gate_trips(coarse, coarse_day) == doctest::Approx(gate_trips(b.model, fine_day)).epsilon(1e-9));
  CHECK_THROWS_AS(
      (void)build_traffic_model(b.site, b.roads, b.attachments, shipped_rates(), LogisticsHubSpec{}, -1.0),
      Error);
}

// ---- Freight tours and the logistics hub ----

namespace {

// Freight tours of the small layout: light trucks 2 stops a tour, half of them from the gates, hub
// tours of 4; heavy trucks single-stop, 0.8 from the gates, hub tours of 2; load-factor gain 0.25.
std::string test_tours_text() {
  const auto truck = [](const std::string& stops, const std::string& gate, const std::string& hub) {
    return "  stops_per_tour: " + fig(stops) + "\n  gate_share: " + fig(gate) +
           "\n  tour_length_km: " + fig("50") + "\n  hub_stops_per_tour: " + fig(hub) + "\n";
  };
  return std::string("schema: sandan-freight-tours\nversion: 1\nlight_truck:\n") + truck("2", "0.5", "4") +
         "heavy_truck:\n" + truck("1", "0.8", "2") + "hub:\n  load_factor_gain: " + fig("0.25") + "\n";
}

const FreightTours& test_tours() {
  static const FreightTours tours = [] {
    const sandan::test::TempDir dir("freight_tours");
    sandan::test::write_text(dir.path() / "tours.yaml", test_tours_text());
    return read_freight_tours(dir.str("tours.yaml"));
  }();
  return tours;
}

// Σ over facility zones of arrivals and departures (both trip ends at facilities).
double facility_ends(const OdMatrix& m, const TrafficModel& model) {
  double sum = 0.0;
  for (int z = 0; z < m.zones; ++z) {
    const auto zi = static_cast<std::size_t>(z);
    if (model.zone_gate[zi] >= 0 || z == model.hub_zone) continue;
    for (int o = 0; o < m.zones; ++o) sum += m.at(z, o) + m.at(o, z);
  }
  return sum;
}

double truck_km(const TrafficModel& model, const DailyDemand& d) {
  const FreeFlowSkim skim = free_flow_skim(model);
  return free_flow_totals(skim, d.by_group[kLight][0]).km + free_flow_totals(skim, d.by_group[kHeavy][0]).km;
}

// The test rates with ten times the truck rates, so that the hub's streams hold several tours.
const TripRates& busy_rates() {
  static const TripRates rates = [] {
    TripRates r = test_rates();
    for (auto& [prefix, sector] : r.sectors) {
      for (double* x : {&sector.light_truck_per_firm, &sector.heavy_truck_per_firm,
                        &sector.light_truck_per_1000m2, &sector.heavy_truck_per_1000m2})
        *x *= 10.0;
    }
    return r;
  }();
  return rates;
}

LogisticsHubSpec west_hub(double x) {
  LogisticsHubSpec hub;
  hub.enabled = true;
  hub.complexes = {0};  // west: facilities a and b
  hub.share = 1.0;
  hub.trip_reduction = 0.2;  // 1 − 1 / 1.25
  hub.position = {x, 500.0};
  return hub;
}

}  // namespace

TEST_CASE("the shipped freight tours file loads") {
  const FreightTours t = read_freight_tours(SANDAN_GIS_DATA_DIR "/traffic/freight_tours.yaml");
  CHECK(t.trucks[0].stops_per_tour >= 1.0);
  CHECK(t.trucks[0].hub_stops_per_tour > t.trucks[0].stops_per_tour);  // consolidated tours have more stops
  CHECK(t.trucks[1].hub_stops_per_tour > t.trucks[1].stops_per_tour);
  // KOTI census load factors 65.0 % (2001) and 72.9 % (2005): 72.9 / 65.0 − 1.
  CHECK(t.hub_load_factor_gain == doctest::Approx(72.9 / 65.0 - 1.0).epsilon(0.01));
}

TEST_CASE("tours cut from a stream: the hand-worked two-zone case, and every stop's ends conserved") {
  // Zones 0 and 1 with 2 stops each, tours of 2 stops from origin 2. The two positions of the cut:
  // {0,0},{1,1} gives 2→0, 0→0, 0→2, 2→1, 1→1, 1→2; {0,1},{1,0} gives 2→0, 0→1, 1→2, 2→1, 1→0, 0→2.
  // Their average is what add_tours loads.
  OdMatrix m(3);
  const double tours = add_tours({{0, 1}, {2.0, 2.0}}, 2.0, 2, m);
  CHECK(tours == doctest::Approx(2.0));
  CHECK(m.at(2, 0) == doctest::Approx(1.0));
  CHECK(m.at(2, 1) == doctest::Approx(1.0));
  CHECK(m.at(0, 2) == doctest::Approx(1.0));
  CHECK(m.at(1, 2) == doctest::Approx(1.0));
  CHECK(m.at(0, 0) == doctest::Approx(0.5));
  CHECK(m.at(0, 1) == doctest::Approx(0.5));
  CHECK(m.at(1, 0) == doctest::Approx(0.5));
  CHECK(m.at(1, 1) == doctest::Approx(0.5));

  // Fractional stops, open and closed tours: each zone departs and arrives exactly its stops.
  const StopStream stream{{0, 3, 1, 4}, {0.3, 2.7, 1.25, 5.0}};
  for (const int origin : {2, -1}) {
    for (const double s : {1.0, 1.7, 4.0, 30.0}) {
      OdMatrix x(5);
      const double n = add_tours(stream, s, origin, x);
      for (std::size_t i = 0; i < stream.zones.size(); ++i) {
        const int z = stream.zones[i];
        double out = 0.0;
        double in = 0.0;
        for (int o = 0; o < 5; ++o) {
          out += x.at(z, o);
          in += x.at(o, z);
        }
        CHECK(out == doctest::Approx(stream.stops[i]));
        CHECK(in == doctest::Approx(stream.stops[i]));
      }
      const double stops = 0.3 + 2.7 + 1.25 + 5.0;
      CHECK(n == doctest::Approx(stops / std::min(s, stops)));
      if (origin >= 0) {
        double from_origin = 0.0;
        for (int z = 0; z < 5; ++z) from_origin += x.at(origin, z);
        CHECK(from_origin == doctest::Approx(n));  // one departure from the origin a tour
      }
    }
  }
}

TEST_CASE("tours conserve the facilities' truck trip ends") {
  const Built b = build(small_site(), busy_rates());
  const DailyDemand trips = daily_demand(b.model, b.site, busy_rates(), TrafficDay::kWorkday);
  const DailyDemand tours =
      daily_demand(b.model, b.site, busy_rates(), TrafficDay::kWorkday, {}, {}, &test_tours());
  // Trip ends by hand (the test rates × 10): light a 10 (2·0.6 + 5·0.2) = 22, b 10, c 10 (3·0.5) = 15;
  // heavy a 10 (2·0.4 + 5·0.1) = 13, b 10, c 15.
  const double light_ends = 22.0 + 10.0 + 15.0;
  const double heavy_ends = 13.0 + 10.0 + 15.0;
  CHECK(trips.total_trips[kLight] == doctest::Approx(light_ends));  // single trips: one a trip end
  CHECK(tours.tours.stops[0] == doctest::Approx(light_ends / 2.0));
  CHECK(tours.tours.stops[1] == doctest::Approx(heavy_ends / 2.0));
  for (const std::size_t k : {kLight, kHeavy}) {
    const std::size_t t = k - 1;
    const double ends = k == kLight ? light_ends : heavy_ends;
    // Legs within a zone left the matrix but keep their two ends.
    CHECK(facility_ends(tours.by_group[k][0], b.model) + 2.0 * tours.tours.intrazonal_legs[t] ==
          doctest::Approx(ends));
    // Gate tours leave and return once each; every stop is one leg in.
    double gate_trips = 0.0;
    for (const int g : {3, 4}) {
      for (int z = 0; z < 5; ++z) gate_trips += tours.by_group[k][0].at(g, z) + tours.by_group[k][0].at(z, g);
    }
    CHECK(gate_trips == doctest::Approx(2.0 * tours.tours.gate_tours[t]));
    const double s = test_tours().trucks[t].stops_per_tour;
    const double g = test_tours().trucks[t].gate_share;
    // Each gate serves its share (0.25, 0.75) of the gate stops, ends / 2 × gate_share, in tours of s
    // (each gate's stream holds more than s stops).
    CHECK(tours.tours.gate_tours[t] == doctest::Approx(ends / 2.0 * g / s));
  }
  // Heavy trucks make single-stop tours: gate ↔ facility, like single trips but both ways a stop.
  CHECK(tours.by_group[kHeavy][0].at(4, 2) == doctest::Approx(0.75 * 0.8 * 15.0 / 2.0));
}

TEST_CASE(
    "a well-placed hub lowers truck-km, a badly placed one raises it, and the choice is the best node") {
  const std::vector<int> west{0};
  const Built plain = build(small_site(), busy_rates());
  const double without = truck_km(plain.model, daily_demand(plain.model, plain.site, busy_rates(),
                                                            TrafficDay::kWorkday, {}, west, &test_tours()));
  // Every road node (x = −500 … 4500, 500 m apart) as the hub: the brute-force truck-km.
  std::vector<double> brute;
  for (int i = 0; i <= 10; ++i) {
    const LogisticsHubSpec hub = west_hub(-500.0 + 500.0 * i);
    const Built b = build(small_site(), busy_rates(), hub);
    brute.push_back(truck_km(b.model, daily_demand(b.model, b.site, busy_rates(), TrafficDay::kWorkday, hub,
                                                   west, &test_tours())));
  }
  // Beside west's facilities (x = 1000, node 3) the hub saves km: the consolidated goods come from g2
  // (x = 4500, weight 0.75) in 0.8 as many vehicles and the hub tours are short.
  const Built near = build(small_site(), busy_rates(), west_hub(1000.0));
  REQUIRE(near.roads.nodes[3].x_m == 1000.0);
  CHECK(brute[3] < without);
  // At the west end (x = −500, node 0, gate g1) the goods from g2 cross west to the hub and come back
  // on the hub tours: more km.
  CHECK(brute[0] > without);

  // The 1-median over the nodes equals the brute force: the same node, and the same differences
  // (the legs that do not touch the hub cancel).
  const DailyDemand probe = daily_demand(near.model, near.site, busy_rates(), TrafficDay::kWorkday,
                                         west_hub(1000.0), west, &test_tours());
  const std::vector<double> node_km = hub_node_km(near.model, probe.hub_trips);
  REQUIRE(node_km.size() == 11);
  const int best = best_hub_node(node_km);
  const auto brute_best = static_cast<int>(std::min_element(brute.begin(), brute.end()) - brute.begin());
  CHECK(best == brute_best);
  for (std::size_t n = 0; n < node_km.size(); ++n) {
    CHECK(node_km[n] - node_km[static_cast<std::size_t>(best)] ==
          doctest::Approx(brute[n] - brute[static_cast<std::size_t>(best)]).epsilon(1e-9));
  }
  // Vehicles gate ↔ hub: the light gate stops of west, (22 + 10) / 2 × 0.5 = 8, needed 8 / 2 tours;
  // 0.8 as many bring them, each in and out.
  CHECK(probe.tours.trunk_trips[0] == doctest::Approx(2.0 * 0.8 * (8.0 / 2.0)));
}

TEST_CASE("a bad freight tours file is reported with file, line and key") {
  std::string text = test_tours_text();
  replace_once(text, "  gate_share: ", "  gate_shares: ");
  replace_once(text, "stops_per_tour: {value: 1,", "stops_per_tour: {value: 0.5,");
  const sandan::test::TempDir dir("bad_tours");
  sandan::test::write_text(dir.path() / "tours.yaml", text);
  try {
    (void)read_freight_tours(dir.str("tours.yaml"));
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    std::string all;
    for (const auto& p : e.problems()) all += p + "\n";
    CHECK(all.find("tours.yaml:" + std::to_string(line_of(text, "gate_shares")) +
                   ": light_truck.gate_shares") != std::string::npos);
    CHECK(all.find("heavy_truck.stops_per_tour") != std::string::npos);
    CHECK(all.find("light_truck.gate_share") != std::string::npos);  // now missing
  }
}
