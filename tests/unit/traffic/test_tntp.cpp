#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "support/fixtures.hpp"
#include "traffic/tntp.hpp"

using namespace sandan;
using namespace sandan::test;

namespace {

namespace fs = std::filesystem;

const std::string kSiouxFalls = std::string(SANDAN_TEST_DATA_DIR) + "/../validation/data/tntp/SiouxFalls";

// A small case: zones 1..3 around node 4, every zone joined to it both ways. Line numbers matter to
// the tests: the link lines are lines 8 to 13 of the network file.
const std::string kSmallNet =
    "<NUMBER OF ZONES> 3\n"                                        // 1
    "<NUMBER OF NODES> 4\n"                                        // 2
    "<FIRST THRU NODE> 4\n"                                        // 3
    "<NUMBER OF LINKS> 6\n"                                        // 4
    "<END OF METADATA>\n"                                          // 5
    "\n"                                                           // 6
    "~ init term capacity length fft b power speed toll type ;\n"  // 7
    "\t1\t4\t1000\t1.5\t2\t0.15\t4\t50\t0\t1\t;\n"                 // 8
    "\t4\t1\t1000\t1.5\t2\t0.15\t4\t50\t0\t1\t;\n"                 // 9
    "\t2\t4\t800\t2\t3\t0.15\t4\t50\t0\t1\t;\n"                    // 10
    "\t4\t2\t800\t2\t3\t0.15\t4\t50\t0\t1\t;\n"                    // 11
    "\t3\t4\t1200\t1\t1\t0.15\t4\t50\t0\t2\t;\n"                   // 12
    "\t4\t3\t1200\t1\t1\t0.15\t4\t50\t0\t2\t;\n";                  // 13
// Origin lines 5 and 7; entries on lines 6 and 8.
const std::string kSmallTrips =
    "<NUMBER OF ZONES> 3\n"       // 1
    "<TOTAL OD FLOW> 60.0\n"      // 2
    "<END OF METADATA>\n"         // 3
    "\n"                          // 4
    "Origin 1\n"                  // 5
    "  2 :  10.0;  3 :  20.0;\n"  // 6
    "Origin 2\n"                  // 7
    "  1 :  30.0;\n";             // 8

// The text with its 1-based line `number` replaced.
std::string replace_line(const std::string& text, int number, const std::string& replacement) {
  std::istringstream in(text);
  std::string out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) out += (++n == number ? replacement : line) + "\n";
  return out;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A case folder holding the given files as small_net.tntp and small_trips.tntp.
struct SmallCase {
  explicit SmallCase(const std::string& name, const std::string& net = kSmallNet,
                     const std::string& trips = kSmallTrips)
      : dir(name) {
    write_text(dir.path() / "small_net.tntp", net);
    write_text(dir.path() / "small_trips.tntp", trips);
  }
  [[nodiscard]] std::string net() const { return dir.str("small_net.tntp"); }
  [[nodiscard]] std::string trips() const { return dir.str("small_trips.tntp"); }
  TempDir dir;
};

// The ConfigError that reading the case throws; fails the test if it reads cleanly.
ConfigError error_of(const std::function<void()>& read) {
  try {
    read();
  } catch (const ConfigError& error) {
    return error;
  }
  FAIL("expected a ConfigError");
  return ConfigError("", {});
}

ConfigError case_error(const SmallCase& small) {
  return error_of([&] { (void)read_tntp_dir(small.dir.str()); });
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("reads the Sioux Falls case: 24 zones, 24 nodes, 76 links and 360,600 trips") {
  const TntpCase sioux = read_tntp_dir(kSiouxFalls);
  CHECK(sioux.network.name == "SiouxFalls");
  CHECK(sioux.network.zone_count == 24);
  CHECK(sioux.network.node_count == 24);
  CHECK(sioux.network.links.size() == 76);
  CHECK(sioux.network.first_thru_node == 0);  // <FIRST THRU NODE> 1: every node carries through traffic
  CHECK(sioux.demand.zones == 24);
  CHECK(sioux.demand.total() == doctest::Approx(360600.0).epsilon(1e-12));
  CHECK(sioux.intrazonal_dropped == 0.0);
  CHECK(sioux.demand.at(0, 1) == 100.0);   // origin 1 → destination 2
  CHECK(sioux.demand.at(0, 9) == 1300.0);  // origin 1 → destination 10
  CHECK(fs::path(sioux.net_file).filename() == "SiouxFalls_net.tntp");
  CHECK(fs::path(sioux.trips_file).filename() == "SiouxFalls_trips.tntp");
  // First link: 1 → 2, capacity 25900.20064, length 6, free-flow time 6, B 0.15, power 4.
  const TrafficLink& first = sioux.network.links.front();
  CHECK(first.from == 0);
  CHECK(first.to == 1);
  CHECK(first.capacity == 25900.20064);
  CHECK(first.length == 6.0);
  CHECK(first.free_flow_time == 6.0);
  CHECK(first.b == 0.15);
  CHECK(first.power == 4.0);
  CHECK(sioux.network.links.back().from == 23);
  CHECK(sioux.network.links.back().to == 22);
  // The stars are built: node 1 has two links out (to 2 and 3).
  REQUIRE(sioux.network.out_offset.size() == 25);
  CHECK(sioux.network.out_offset[1] - sioux.network.out_offset[0] == 2);
  REQUIRE(sioux.node_x.size() == 24);
  CHECK(sioux.node_x[0] == doctest::Approx(-96.77041974));
  CHECK(sioux.node_y[0] == doctest::Approx(43.61282792));
}

TEST_CASE("the Sioux Falls best-known flows are 76 links whose volume times cost sums to 7,480,225.34") {
  const std::vector<TntpFlow> flows = read_tntp_flow(kSiouxFalls + "/SiouxFalls_flow.tntp");
  REQUIRE(flows.size() == 76);
  CHECK(flows.front().from == 1);
  CHECK(flows.front().to == 2);
  CHECK(flows.front().volume == 4494.6576464564205);
  CHECK(flows.front().cost == 6.0008162373543197);
  double tstt = 0.0;
  for (const TntpFlow& flow : flows) tstt += flow.volume * flow.cost;
  CHECK(tstt == doctest::Approx(7480225.34).epsilon(0.01 / 7480225.34));
  // The flow file lists the links in the network file's order.
  const TrafficNetwork net = read_tntp_network(kSiouxFalls + "/SiouxFalls_net.tntp");
  for (std::size_t l = 0; l < flows.size(); ++l) {
    CHECK(flows[l].from == net.links[l].from + 1);
    CHECK(flows[l].to == net.links[l].to + 1);
  }
}

TEST_CASE("the network and trips files read on their own, and the trips are checked against the network") {
  const SmallCase small("tntp_alone");
  const TrafficNetwork net = read_tntp_network(small.net());
  CHECK(net.name == "small");
  CHECK(net.zone_count == 3);
  CHECK(net.first_thru_node == 3);  // <FIRST THRU NODE> 4: zones 1..3 carry no through traffic
  CHECK_FALSE(net.passable(0));
  CHECK(net.passable(3));
  CHECK(net.links[4].link_type == 2);
  double intrazonal = -1.0;
  const OdMatrix trips = read_tntp_trips(small.trips(), net, &intrazonal);
  CHECK(trips.at(0, 2) == 20.0);
  CHECK(trips.at(1, 0) == 30.0);
  CHECK(trips.total() == 60.0);
  CHECK(intrazonal == 0.0);
  // The override replaces the file's FIRST THRU NODE.
  CHECK(read_tntp_network(small.net(), 1).first_thru_node == 0);
}

TEST_CASE("write_tntp then read_tntp_dir gives back the same network and demand, bit for bit") {
  TrafficNetwork net;
  net.node_count = 5;
  net.zone_count = 3;
  net.first_thru_node = 3;
  net.toll_factor = 0.25;
  net.distance_factor = 1.0 / 3.0;
  const std::vector<std::pair<int, int>> ends{{0, 3}, {3, 0}, {1, 4}, {4, 1}, {2, 3}, {3, 2}, {3, 4}, {4, 3}};
  for (std::size_t i = 0; i < ends.size(); ++i) {
    TrafficLink link;
    link.from = ends[i].first;
    link.to = ends[i].second;
    link.capacity = 1000.0 / 3.0 + static_cast<double>(i);
    link.length = 0.1 * static_cast<double>(i + 1);
    link.free_flow_time = std::sqrt(2.0) * static_cast<double>(i + 1);
    link.b = 0.15;
    link.power = 4.0;
    link.toll = static_cast<double>(i % 3);
    link.link_type = static_cast<int>(i % 2) + 1;
    net.links.push_back(link);
  }
  OdMatrix demand(3);
  demand.at(0, 1) = 1.0 / 7.0;
  demand.at(0, 2) = 1e-9;
  demand.at(1, 0) = 12345.678901234567;
  demand.at(2, 1) = 0.1;

  TempDir dir("tntp_round_trip");
  write_tntp(net, demand, dir.str("Round_net.tntp"), dir.str("Round_trips.tntp"));
  const TntpCase back = read_tntp_dir(dir.str());
  CHECK(back.network.name == "Round");
  CHECK(back.network.node_count == net.node_count);
  CHECK(back.network.zone_count == net.zone_count);
  CHECK(back.network.first_thru_node == net.first_thru_node);
  CHECK(back.network.toll_factor == net.toll_factor);
  CHECK(back.network.distance_factor == net.distance_factor);
  REQUIRE(back.network.links.size() == net.links.size());
  for (std::size_t l = 0; l < net.links.size(); ++l) {
    const TrafficLink& a = net.links[l];
    const TrafficLink& b = back.network.links[l];
    CHECK(b.from == a.from);
    CHECK(b.to == a.to);
    CHECK(b.capacity == a.capacity);
    CHECK(b.length == a.length);
    CHECK(b.free_flow_time == a.free_flow_time);
    CHECK(b.b == a.b);
    CHECK(b.power == a.power);
    CHECK(b.toll == a.toll);
    CHECK(b.link_type == a.link_type);
  }
  CHECK(back.demand.values == demand.values);
  CHECK(back.node_x.empty());

  // Sioux Falls survives the round trip too.
  const TntpCase sioux = read_tntp_dir(kSiouxFalls);
  TempDir again("tntp_round_trip_sioux");
  write_tntp(sioux.network, sioux.demand, again.str("SiouxFalls_net.tntp"),
             again.str("SiouxFalls_trips.tntp"));
  const TntpCase sioux_back = read_tntp_dir(again.str());
  CHECK(sioux_back.network.links.size() == 76);
  for (std::size_t l = 0; l < sioux.network.links.size(); ++l) {
    CHECK(sioux_back.network.links[l].capacity == sioux.network.links[l].capacity);
    CHECK(sioux_back.network.links[l].to == sioux.network.links[l].to);
  }
  CHECK(sioux_back.demand.values == sioux.demand.values);
}

TEST_CASE("tolerates CRLF line ends, blank lines, spaces, missing ';', unknown metadata and comments") {
  std::string net = kSmallNet;
  net = replace_line(net, 8, "   1  4  1000  1.5  2  0.15  4  50  0  1   ");  // no ';'
  net = replace_line(net, 9, "4 1 1000 1.5 2 0.15 4 ;");                      // speed, toll, type left out
  net = "<ORIGINAL HEADER>~ anything ; goes\n" + net + "\n\n~ the end\n";
  std::string crlf;
  for (const char c : net) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const std::string trips =
      "<NUMBER OF ZONES> 3\r\n<TOTAL OD FLOW> 60\r\n<END OF METADATA>\r\n\r\nORIGIN\t1\r\n2:10;3 : 20\r\n"
      "\r\nOrigin 2\r\n\t1 :\t30.0 ;\r\n";
  const SmallCase small("tntp_tolerant", crlf, trips);
  const TntpCase read = read_tntp_dir(small.dir.str());
  REQUIRE(read.network.links.size() == 6);
  CHECK(read.network.links[0].link_type == 1);
  CHECK(read.network.links[1].toll == 0.0);
  CHECK(read.network.links[1].link_type == 1);
  CHECK(read.demand.at(0, 1) == 10.0);
  CHECK(read.demand.at(0, 2) == 20.0);
  CHECK(read.demand.at(1, 0) == 30.0);
}

TEST_CASE("intrazonal demand is dropped and its total reported") {
  const std::string trips = replace_line(kSmallTrips, 6, "  1 : 5.5;  2 :  10.0;  3 :  20.0;");
  const SmallCase small("tntp_intrazonal", kSmallNet, replace_line(trips, 2, "<TOTAL OD FLOW> 65.5"));
  const TntpCase read = read_tntp_dir(small.dir.str());
  CHECK(read.intrazonal_dropped == 5.5);
  CHECK(read.demand.at(0, 0) == 0.0);
  CHECK(read.demand.total() == 60.0);
}

TEST_CASE("a node file is read when the folder has one") {
  SmallCase small("tntp_nodes");
  write_text(small.dir.path() / "small_node.tntp", "Node\tX\tY\t;\n1\t0\t0\t;\n2\t10\t0\t;\n4\t5\t5\t;\n");
  const TntpCase read = read_tntp_dir(small.dir.str());
  REQUIRE(read.node_x.size() == 4);
  CHECK(read.node_x[1] == 10.0);
  CHECK(read.node_y[3] == 5.0);
  CHECK(std::isnan(read.node_x[2]));  // node 3 is not in the file
}

TEST_CASE("lines of separators only in the node and trips files are skipped (found by fuzzing)") {
  // A node line ";" made the reader take the first of no fields (UBSan: reference binding to null).
  SmallCase small("tntp_separators", kSmallNet, kSmallTrips);
  write_text(small.dir.path() / "small_node.tntp", ";\nNode\tX\tY\t;\n ; \n1\t0\t0\t;\n2\t10\t0\t;\n");
  const TntpCase read = read_tntp_dir(small.dir.str());
  CHECK(read.node_x[1] == 10.0);
  CHECK(read.demand.total() == 60.0);
}

TEST_CASE("a link count that disagrees with <NUMBER OF LINKS> is reported at the metadata line") {
  const SmallCase small("tntp_bad_count", replace_line(kSmallNet, 4, "<NUMBER OF LINKS> 7"));
  const std::string what = case_error(small).what();
  CHECK(has(what, small.net() + ":4: <NUMBER OF LINKS> is 7 but the file has 6 link lines"));
}

TEST_CASE("a link to a node above <NUMBER OF NODES> or below 1 is reported with file and line") {
  std::string net = replace_line(kSmallNet, 9, "\t4\t99\t1000\t1.5\t2\t0.15\t4\t50\t0\t1\t;");
  net = replace_line(net, 10, "\t0\t4\t800\t2\t3\t0.15\t4\t50\t0\t1\t;");
  const SmallCase small("tntp_bad_node", net);
  const ConfigError error = case_error(small);
  const std::string what = error.what();
  CHECK(has(what, small.net() + ":9: link 4 → 99: term_node 99 is not a node of the network (1..4"));
  CHECK(has(what, small.net() + ":10: link 0 → 4: init_node 0 is not a node of the network"));
  CHECK(has(what, "raise <NUMBER OF NODES>"));
  CHECK(error.problems().size() == 2);
  CHECK(error.code() == ErrorCode::kBadInput);
}

TEST_CASE("more zones than nodes is reported at <NUMBER OF ZONES>") {
  const SmallCase small("tntp_zones_nodes", replace_line(kSmallNet, 1, "<NUMBER OF ZONES> 5"));
  const std::string what = case_error(small).what();
  CHECK(has(what, small.net() + ":1: <NUMBER OF ZONES> 5 exceeds <NUMBER OF NODES> 4"));
}

TEST_CASE("a FIRST THRU NODE outside the nodes is reported at its line") {
  const SmallCase above("tntp_ftn_above", replace_line(kSmallNet, 3, "<FIRST THRU NODE> 5"));
  CHECK(has(case_error(above).what(), above.net() + ":3: <FIRST THRU NODE> 5 is not a node of the network"));
  const SmallCase zero("tntp_ftn_zero", replace_line(kSmallNet, 3, "<FIRST THRU NODE> 0"));
  CHECK(has(case_error(zero).what(), zero.net() + ":3: <FIRST THRU NODE> must be at least 1"));
  const SmallCase small("tntp_ftn_override");
  CHECK(has(error_of([&] { (void)read_tntp_dir(small.dir.str(), 9); }).what(),
            "the first thru node given (9) is not a node of the network (1..4)"));
}

TEST_CASE("a missing count in the metadata is reported with the line to add") {
  const SmallCase small("tntp_missing_meta", replace_line(kSmallNet, 2, "~ nodes forgotten"));
  CHECK(has(case_error(small).what(), small.net() + ":5: missing <NUMBER OF NODES>; add a line"));
}

TEST_CASE("non-positive capacity and negative time, length, b or power are reported per link") {
  std::string net = replace_line(kSmallNet, 8, "\t1\t4\t0\t1.5\t2\t0.15\t4\t50\t0\t1\t;");
  net = replace_line(net, 9, "\t4\t1\t-5\t-1.5\t-2\t-0.15\t-4\t50\t0\t1\t;");
  const SmallCase small("tntp_bad_values", net);
  const ConfigError error = case_error(small);
  const std::string what = error.what();
  CHECK(has(what, small.net() + ":8: link 1 → 4: capacity must be positive, got 0"));
  CHECK(has(what, small.net() + ":9: link 4 → 1: capacity must be positive, got -5"));
  CHECK(has(what, small.net() + ":9: link 4 → 1: length must not be negative, got -1.5"));
  CHECK(has(what, small.net() + ":9: link 4 → 1: free_flow_time must not be negative, got -2"));
  CHECK(has(what, small.net() + ":9: link 4 → 1: b must not be negative, got -0.15"));
  CHECK(has(what, small.net() + ":9: link 4 → 1: power must not be negative, got -4"));
  CHECK(error.problems().size() == 6);  // every problem at once
}

TEST_CASE("NaN, infinite and unparsable numbers are reported with the field and the text") {
  std::string net = replace_line(kSmallNet, 8, "\t1\t4\tnan\t1.5\t2\t0.15\t4\t50\t0\t1\t;");
  net = replace_line(net, 9, "\t4\t1\t1000\t1.5\tinf\t0.15\t4\t50\t0\t1\t;");
  net = replace_line(net, 10, "\t2\t4\t800\t2,5\t3\t0.15\t4\t50\t0\t1\t;");
  net = replace_line(net, 11, "\t4\t2.5\t800\t2\t3\t0.15\t4\t50\t0\t1\t;");
  const SmallCase small("tntp_bad_numbers", net);
  const std::string what = case_error(small).what();
  CHECK(has(what, small.net() + ":8: capacity is not a finite number: 'nan'"));
  CHECK(has(what, small.net() + ":9: free_flow_time is not a finite number: 'inf'"));
  CHECK(has(what, small.net() + ":10: length is not a number: '2,5'"));
  CHECK(has(what, small.net() + ":11: term_node must be a whole number, got 2.5"));
  CHECK(case_error(small).problems().size() == 4);  // one each: a bad field is not checked further
}

TEST_CASE("a link line with too few fields or a header without '~' is reported") {
  std::string net = replace_line(kSmallNet, 7, "init term capacity length fft b power speed toll type ;");
  net = replace_line(net, 8, "\t1\t4\t1000\t1.5\t;");
  const SmallCase small("tntp_bad_lines", net);
  const std::string what = case_error(small).what();
  CHECK(has(what, small.net() + ":7: not a link line"));
  CHECK(has(what, small.net() + ":8: a link line has 7 to 10 fields"));
}

TEST_CASE("trips whose zone count differs from the network's are reported in the trips file") {
  const SmallCase small("tntp_trips_zones", kSmallNet, replace_line(kSmallTrips, 1, "<NUMBER OF ZONES> 4"));
  const std::string what = case_error(small).what();
  CHECK(has(what,
            small.trips() + ":1: <NUMBER OF ZONES> is 4 but the network " + small.net() + " has 3 zones"));
}

TEST_CASE("a TOTAL OD FLOW that differs from the entries' sum by more than 1e-6 is reported") {
  const SmallCase bad("tntp_total_bad", kSmallNet, replace_line(kSmallTrips, 2, "<TOTAL OD FLOW> 60.001"));
  CHECK(has(case_error(bad).what(),
            bad.trips() + ":2: <TOTAL OD FLOW> is 60.001 but the entries sum to 60; correct the total"));
  // Within 1e-6 relative it is fine (rounding in published files).
  const SmallCase fine("tntp_total_fine", kSmallNet,
                       replace_line(kSmallTrips, 2, "<TOTAL OD FLOW> 60.00001"));
  CHECK(read_tntp_dir(fine.dir.str()).demand.total() == 60.0);
}

TEST_CASE("origins and destinations outside the zones and negative demand are reported") {
  std::string trips = replace_line(kSmallTrips, 6, "  4 :  10.0;  3 :  -20.0;");
  trips = replace_line(trips, 7, "Origin 9");
  trips = replace_line(trips, 2, "<TOTAL OD FLOW> 0");
  const SmallCase small("tntp_bad_trips", kSmallNet, trips);
  const ConfigError error = case_error(small);
  const std::string what = error.what();
  CHECK(has(what, small.trips() + ":6: destination 4 is not a zone (1..3"));
  CHECK(has(what, small.trips() + ":6: trips to destination 3 must not be negative, got -20.0"));
  CHECK(has(what, small.trips() + ":7: origin 9 is not a zone (1..3"));
  CHECK(error.problems().size() == 3);  // the total is not checked on top of bad entries
}

TEST_CASE("a malformed trips entry, a repeated pair and NaN demand are reported") {
  std::string trips = replace_line(kSmallTrips, 6, "  2 :  nan;  3  20.0;");
  trips = replace_line(trips, 8, "  1 : 30.0; 1 : 30.0;");
  const SmallCase small("tntp_bad_entries", kSmallNet, trips);
  const std::string what = case_error(small).what();
  CHECK(has(what, small.trips() + ":6: trips to destination 2 is not a finite number: 'nan'"));
  CHECK(has(what, small.trips() + ":6: expected 'destination : trips;' entries"));
  CHECK(has(what, small.trips() + ":8: destination 1 of origin 2 appears again (first on line 8)"));
}

TEST_CASE("problems of the network and the trips file are reported together") {
  const SmallCase small("tntp_both", replace_line(kSmallNet, 8, "\t1\t4\t-1\t1.5\t2\t0.15\t4\t50\t0\t1\t;"),
                        replace_line(kSmallTrips, 6, "  2 :  -10.0;  3 :  20.0;"));
  const ConfigError error = case_error(small);
  CHECK(error.problems().size() == 2);
  CHECK(has(error.what(), small.net() + ":8:"));
  CHECK(has(error.what(), small.trips() + ":6:"));
  // Read on their own, each file throws its own problems.
  CHECK(has(error_of([&] { (void)read_tntp_network(small.net()); }).what(), small.net() + ":8:"));
}

TEST_CASE("a missing file or folder is bad input naming the path") {
  TempDir dir("tntp_missing");
  const std::string absent = dir.str("absent_net.tntp");
  try {
    (void)read_tntp_network(absent);
    FAIL("expected an Error");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kBadInput);
    CHECK(has(error.what(), absent));
  }
  try {
    (void)read_tntp_dir(dir.str("no_such_case"));
    FAIL("expected an Error");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kBadInput);
    CHECK(has(error.what(), dir.str("no_such_case")));
  }
  CHECK_THROWS_AS((void)read_tntp_flow(dir.str("absent_flow.tntp")), Error);
}

TEST_CASE("a folder without exactly one net and one trips file names what it found") {
  SmallCase small("tntp_two_nets");
  write_text(small.dir.path() / "other_net.tntp", kSmallNet);
  fs::remove(small.dir.path() / "small_trips.tntp");
  const std::string what = case_error(small).what();
  CHECK(has(what, "expected exactly one *_net.tntp file, found 2: other_net.tntp, small_net.tntp"));
  CHECK(has(what, "expected exactly one *_trips.tntp file, found none"));
}

// Found by tools/bad_inputs.py: a folder in place of the net file was reported as "found none",
// without the name of the entry that is there.
TEST_CASE("a folder in place of the net file is named as not a file") {
  SmallCase small("tntp_net_is_folder");
  fs::remove(small.dir.path() / "small_net.tntp");
  fs::create_directory(small.dir.path() / "small_net.tntp");
  const std::string what = case_error(small).what();
  CHECK(has(what,
            "expected exactly one *_net.tntp file, found none (small_net.tntp is not a file but a folder"));
}

TEST_CASE("write_assignment_outputs writes flows.csv in link order and summary.json into a new folder") {
  const TrafficNetwork net = read_tntp_network(SmallCase("tntp_outputs_case").net());
  AssignmentResult result;
  for (std::size_t l = 0; l < net.links.size(); ++l) {
    result.link_flow.push_back(100.0 / 3.0 * static_cast<double>(l));
    result.link_cost.push_back(2.0 + 1.0 / 7.0);
  }
  result.iterations = 12;
  result.relative_gap = 3.2e-9;
  result.tstt = 1234.5;
  result.objective = 1000.25;
  result.seconds = 0.5;
  result.converged = true;
  TempDir dir("tntp_outputs");
  const std::string out = dir.str("nested/out");
  write_assignment_outputs(net, result, "algorithm-b", out);
  const std::string flows = read_text(fs::path(out) / "flows.csv");
  std::istringstream lines(flows);
  std::string line;
  std::getline(lines, line);
  CHECK(line == "from,to,volume,cost");
  std::getline(lines, line);
  CHECK(line == "1,4,0,2.142857142857143");
  std::getline(lines, line);
  CHECK(line == "4,1,33.333333333333336,2.142857142857143");
  std::size_t rows = 2;
  while (std::getline(lines, line)) ++rows;
  CHECK(rows == net.links.size());
  // The summary is checked as text: the test stays free of a JSON library of its own.
  const std::string summary = read_text(fs::path(out) / "summary.json");
  CHECK(has(summary, "\"iterations\": 12,"));
  CHECK(has(summary, "\"relative_gap\": 3.2e-09,"));
  CHECK(has(summary, "\"tstt\": 1234.5,"));
  CHECK(has(summary, "\"objective\": 1000.25,"));
  CHECK(has(summary, "\"seconds\": 0.5,"));
  CHECK(has(summary, "\"algorithm\": \"algorithm-b\","));
  CHECK(has(summary, "\"converged\": true,"));
  CHECK(has(summary, "\"links\": 6,"));
  CHECK(has(summary, "\"zones\": 3,"));
  CHECK(has(summary, "\"nodes\": 4"));
  // No temporary file is left behind.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(out)) ++files;
  CHECK(files == 2);
}

TEST_CASE("write_assignment_outputs into a path that is a file fails with an I/O error") {
  const TrafficNetwork net = read_tntp_network(SmallCase("tntp_outputs_io_case").net());
  AssignmentResult result;
  result.link_flow.assign(net.links.size(), 1.0);
  result.link_cost.assign(net.links.size(), 1.0);
  TempDir dir("tntp_outputs_io");
  write_text(dir.path() / "taken", "a file, not a folder");
  try {
    write_assignment_outputs(net, result, "frank-wolfe", dir.str("taken"));
    FAIL("expected an Error");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kIo);
    CHECK(has(error.what(), dir.str("taken")));
  }
}

TEST_CASE("a node count that cannot fit in memory is refused at its line before anything is allocated") {
  // 2·10⁹ nodes at about 100 bytes each (star index and shortest-path labels) is 200 GB: more than
  // any machine these tests run on. Reading it used to grow the process at about 100 MB/s.
  const SmallCase small("tntp_huge_nodes", replace_line(kSmallNet, 2, "<NUMBER OF NODES> 2000000000"));
  const ConfigError error = case_error(small);
  const std::string what = error.what();
  CHECK(has(what, small.net() + ":2: the case (<NUMBER OF NODES> 2000000000, <NUMBER OF ZONES> 3, "
                                "<NUMBER OF LINKS> 6) needs about 200 GB, more than this machine's "));
  CHECK(has(what, "check the counts in the metadata against the file"));
  CHECK(error.code() == ErrorCode::kBadInput);
}
