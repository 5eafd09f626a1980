// The DNL case folder (schema sandan-dnl-case v1): a written case reads back the same, and bad rows
// are refused with their file, line and a fix.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "support/fixtures.hpp"
#include "traffic/dnl_case.hpp"
#include "traffic/dynamic_demand.hpp"

using namespace sandan;
using namespace sandan::test;

namespace {

namespace fs = std::filesystem;

// Three nodes in a line, two links each way of the first, zones at both ends, two vehicles.
void write_good_case(const fs::path& dir) {
  fs::create_directories(dir);
  write_text(dir / "case.yaml",
             "schema: sandan-dnl-case\nversion: 1\nname: line\ncrs: EPSG:5186\nstart_s: 100\nend_s: 1000\n"
             "step_s: 1\nreport_s: 60\n");
  write_text(dir / "nodes.csv", "node,x_m,y_m\n0,0,0\n1,500,0\n2,800,0\n");
  write_text(dir / "links.csv",
             "link,from,to,length_m,lanes,free_speed_kmh,capacity_veh_h,jam_density_veh_km,road_id\n"
             "0,0,1,500,1,50,1800,145,r1\n"    // line 2
             "1,1,2,300,2,50,3600,290,r2\n"    // line 3
             "2,1,0,500,1,50,1800,145,r1\n");  // line 4
  write_text(dir / "zones.csv", "zone,name,kind,node\n0,west,gate,0\n1,east,facility,2\n");
  write_text(dir / "vehicles.csv",
             "vehicle,depart_s,class,pce,origin,destination,route\n"
             "0,100,car,1,0,1,0 1\n"                // line 2
             "1,160.5,heavy_truck,2.5,0,1,0 1\n");  // line 3
}

std::string problems_of(const std::string& dir) {
  try {
    (void)read_dnl_case(dir);
  } catch (const ConfigError& e) {
    std::string all;
    for (const auto& p : e.problems()) all += p + "\n";
    return all;
  }
  return "";
}

}  // namespace

TEST_CASE("a DNL case reads, writes and reads back the same") {
  TempDir dir("dnl_case_roundtrip");
  write_good_case(dir.path() / "in");
  const DnlCase a = read_dnl_case(dir.str("in"));
  CHECK(a.name == "line");
  CHECK(a.start_s == 100.0);
  CHECK(a.report_s == 60.0);
  REQUIRE(a.links.size() == 3);
  CHECK(a.links[1].lanes == 2);
  CHECK(a.links[1].road_id == "r2");
  REQUIRE(a.vehicles.size() == 2);
  CHECK(a.classes == std::vector<std::string>{"car", "heavy_truck"});
  CHECK(a.vehicles[1].pce == 2.5);
  CHECK(a.vehicles[1].route_end - a.vehicles[1].route_begin == 2);
  write_dnl_case(a, dir.str("out"));
  const DnlCase b = read_dnl_case(dir.str("out"));
  CHECK(b.links.size() == a.links.size());
  CHECK(b.vehicles.size() == a.vehicles.size());
  CHECK(b.route_links == a.route_links);
  CHECK(b.vehicles[1].depart_s == a.vehicles[1].depart_s);
  CHECK(b.zones[0].kind == "gate");
}

TEST_CASE("bad rows of a DNL case are refused with file, line and a fix, all at once") {
  TempDir dir("dnl_case_bad");
  const fs::path c = dir.path() / "case";
  write_good_case(c);
  SUBCASE("an unknown link in a route, a negative length and NaN") {
    write_text(c / "links.csv",
               "link,from,to,length_m,lanes,free_speed_kmh,capacity_veh_h,jam_density_veh_km,road_id\n"
               "0,0,1,-500,1,50,1800,145,r1\n"
               "1,1,2,300,2,nan,3600,290,r2\n"
               "2,1,0,500,1,50,1800,145,r1\n");
    write_text(c / "vehicles.csv",
               "vehicle,depart_s,class,pce,origin,destination,route\n0,100,car,1,0,1,0 7\n");
    const std::string p = problems_of(c.string());
    CHECK(p.find((c / "links.csv").string() + ":2: length_m must be in (0, 100000], got -500") !=
          std::string::npos);
    CHECK(p.find((c / "links.csv").string() + ":3: free_speed_kmh: 'nan' is not a finite number") !=
          std::string::npos);
    CHECK(p.find((c / "vehicles.csv").string() + ":2: route: link 7 is not a link of links.csv (0..2)") !=
          std::string::npos);
  }
  SUBCASE("a route that does not hold together, or does not start at its origin") {
    write_text(
        c / "vehicles.csv",
        "vehicle,depart_s,class,pce,origin,destination,route\n0,100,car,1,0,1,1 0\n1,120,car,1,1,0,2\n");
    const std::string p = problems_of(c.string());
    CHECK(p.find(":2: route is not contiguous: link 1 ends at node 2 but link 0 starts at node 0") !=
          std::string::npos);
    CHECK(p.find(":3: route: the first link 2 does not leave the origin zone's node 2") != std::string::npos);
  }
  SUBCASE("an unknown zone, a negative time, rows out of order") {
    write_text(c / "vehicles.csv",
               "vehicle,depart_s,class,pce,origin,destination,route\n0,200,car,1,0,5,0 1\n"
               "1,150,car,1,0,1,0 1\n2,-3,car,1,0,1,0 1\n");
    const std::string p = problems_of(c.string());
    CHECK(p.find(":2: destination 5 is not a zone of zones.csv (0..1)") != std::string::npos);
    CHECK(p.find(":3: depart_s 150 is before the previous row's (200); sort the rows") != std::string::npos);
    CHECK(p.find(":4: depart_s -3 is outside the case's start_s..end_s (100..1000)") != std::string::npos);
  }
  SUBCASE("a jam density below the critical density, an unknown zone kind, a node of no link") {
    write_text(c / "links.csv",
               "link,from,to,length_m,lanes,free_speed_kmh,capacity_veh_h,jam_density_veh_km,road_id\n"
               "0,0,1,500,1,50,1800,30,r1\n"
               "1,1,9,300,2,50,3600,290,r2\n"
               "2,1,0,500,1,50,1800,145,r1\n");
    write_text(c / "zones.csv", "zone,name,kind,node\n0,west,port,0\n1,east,facility,2\n");
    const std::string p = problems_of(c.string());
    // 1800 veh/h / 50 km/h = 36 veh/km: a jam density of 30 is below it.
    CHECK(p.find("links.csv:2: jam_density_veh_km 30 must exceed capacity / free speed (36") !=
          std::string::npos);
    CHECK(p.find("links.csv:3: to 9 is not a node of nodes.csv (0..2)") != std::string::npos);
    CHECK(p.find("zones.csv:2: kind 'port' is not one of facility, gate, hub, external") !=
          std::string::npos);
  }
  SUBCASE("a missing end_s after a start_s later than its default (fuzz harness dnl_case)") {
    // end_s defaults to 3600 s: with start_s 4000 the order check ran and took the line of the absent
    // end_s node (yaml-cpp's InvalidNode escaped; the CLI crashed). Now only "missing" is listed.
    // Input fuzz/corpus/dnl_case/regress_missing_end_s.
    write_text(c / "case.yaml",
               "schema: sandan-dnl-case\nversion: 1\nname: x\ncrs: EPSG:5186\nstart_s: 4000\nstep_s: 1\n");
    const std::string p = problems_of(c.string());
    CHECK(p.find("case.yaml:1: end_s: missing") != std::string::npos);
    CHECK(p.find("must be after start_s") == std::string::npos);
  }
  SUBCASE("links too long to simulate, a jam density too high, a tiny PCE (fuzz harness dnl_case)") {
    // A link of 10^9 m made simulate_dnl allocate gigabytes (10^15 m overflowed an int). Input
    // fuzz/corpus/dnl_case/regress_long_link.
    write_text(c / "links.csv",
               "link,from,to,length_m,lanes,free_speed_kmh,capacity_veh_h,jam_density_veh_km,road_id\n"
               "0,0,1,1e9,1,50,1800,145,r1\n"    // line 2: beyond 100 km
               "1,1,2,300,2,50,3600,600,r2\n"    // line 3: 600 > 250 × 2 lanes
               "2,1,0,60000,1,50,1800,145,r1\n"  // line 4: 60 km
               "3,2,1,300,1,50,1,145,r2\n");     // line 5: backward wave
    write_text(c / "vehicles.csv",
               "vehicle,depart_s,class,pce,origin,destination,route\n0,100,car,0.001,0,1,0 1\n");
    const std::string p = problems_of(c.string());
    CHECK(p.find("links.csv:2: length_m must be in (0, 100000], got 1e9") != std::string::npos);
    CHECK(p.find("links.csv:3: jam_density_veh_km 600 is above 250 PCE/km a lane (500 for 2 lanes)") !=
          std::string::npos);
    // 60000 m take 60000 × 3.6 / 50 = 4320 s at free speed and, with w = 1800 / (145 − 1800 / 50)
    // = 1800 / 109 km/h, 60000 × 3.6 × 109 / 1800 = 13080 s for the backward wave: the larger is listed.
    CHECK(p.find("links.csv:4: takes 13080 s to cross") != std::string::npos);
    // w = C / (k_jam − C / v) = 1 / (145 − 1 / 50) = 1 / 144.98 km/h: 300 m take
    // 300 × 3.6 × 144.98 = 156578.4 s, printed rounded.
    CHECK(p.find("links.csv:5: takes 156578 s to cross") != std::string::npos);
    CHECK(p.find("vehicles.csv:2: pce must be in [0.1, 10], got 0.001") != std::string::npos);
  }
  SUBCASE("a wrong header, a wrong schema and a missing file") {
    write_text(c / "nodes.csv", "id,x,y\n0,0,0\n");
    write_text(c / "case.yaml",
               "schema: sandan-dnl\nversion: 1\nname: x\ncrs: EPSG:5186\nstart_s: 0\nend_s: 10\n");
    fs::remove(c / "zones.csv");
    const std::string p = problems_of(c.string());
    CHECK(p.find("nodes.csv:1: the header must be 'node,x_m,y_m'") != std::string::npos);
    CHECK(p.find("case.yaml:1") != std::string::npos);
    CHECK(p.find("zones.csv") != std::string::npos);
  }
}

TEST_CASE("the dynamic traffic file reads, and its bad entries are refused with line and key") {
  const DynamicProfiles p = read_dynamic_profiles(std::string(SANDAN_GIS_DATA_DIR) + "/traffic/dynamic.yaml");
  CHECK(p.interval_s == 900);
  CHECK(p.jam_density_pce_km_lane > 100.0);
  // The day shift ends 17:30: the quarter-hours of 17:00 carry their own shares.
  const auto& car_out_day_17 = p.shares[3][17];
  REQUIRE(car_out_day_17.size() == 4);
  double sum = 0.0;
  for (const double s : car_out_day_17) sum += s;
  CHECK(sum == doctest::Approx(1.0));
  CHECK(p.shares[3][3].empty());  // an hour not listed spreads evenly

  TempDir dir("dynamic_profiles_bad");
  const auto path = dir.path() / "dynamic.yaml";
  write_text(path,
             "schema: sandan-dynamic-traffic\n"                                              // 1
             "version: 1\n"                                                                  // 2
             "interval_min: 7\n"                                                             // 3
             "step_s: 1\n"                                                                   // 4
             "report_s: 300\n"                                                               // 5
             "drain_min: 30\n"                                                               // 6
             "jam_density_pce_km_lane: {value: 143, source: s, confidence: estimate}\n"      // 7
             "sub_hourly:\n"                                                                 // 8
             "  car_out_day:\n"                                                              // 9
             "    - {hour: 17, shares: [0.5, 0.3, 0.1], source: s, confidence: estimate}\n"  // 10
             "  lorry: []\n");                                                               // 11
  std::string problems;
  try {
    (void)read_dynamic_profiles(path.string());
  } catch (const ConfigError& e) {
    for (const auto& p2 : e.problems()) problems += p2 + "\n";
  }
  CHECK(problems.find(":3: interval_min: must divide the hour") != std::string::npos);
  CHECK(problems.find(":11: sub_hourly.lorry") != std::string::npos);
}
