#include <doctest/doctest.h>

#include <cmath>

#include "gis/reader.hpp"
#include "site/topology.hpp"
#include "support/fixtures.hpp"

using namespace sandan;
using namespace sandan::test;

namespace {

Road make_road(const std::string& id, XY a, XY b, bool oneway = false) {
  Road r;
  r.road_id = id;
  r.oneway = oneway;
  r.geometry = {a, b};
  return r;
}

FeederSegment make_segment(const std::string& id, const std::string& from, const std::string& to, XY a,
                           XY b) {
  FeederSegment s;
  s.segment_id = id;
  s.feeder_id = "fd";
  s.substation = 0;
  s.from_bus = from;
  s.to_bus = to;
  s.geometry = {a, b};
  s.length_m = distance_m(a, b);
  return s;
}

}  // namespace

TEST_CASE("road endpoints closer than the snap tolerance merge into one node; farther ones do not") {
  Site site;
  site.roads.push_back(make_road("a", {0, 0}, {100, 0}));
  site.roads.push_back(make_road("b", {100.3, 0.2}, {200, 0}));  // 0.36 m from a's end: merges
  site.roads.push_back(make_road("c", {202, 0}, {300, 0}));      // 2 m from b's end: does not
  const RoadGraph graph = build_road_graph(site, 0.5);
  CHECK(graph.nodes.size() == 5);
  CHECK(graph.links.size() == 6);  // three two-way roads
  CHECK(graph.links[0].to_node == graph.links[2].from_node);
  const Components scc = strongly_connected_components(graph);
  CHECK(scc.count == 2);
  CHECK(scc.component_size == std::vector<int>{3, 2});
}

TEST_CASE("a one-way road gives one link in its digitised direction and can break strong connectivity") {
  Site site;
  site.roads.push_back(make_road("a", {0, 0}, {100, 0}));
  site.roads.push_back(make_road("b", {100, 0}, {100, 100}, true));  // a one-way dead end
  const RoadGraph graph = build_road_graph(site);
  REQUIRE(graph.links.size() == 3);
  CHECK(graph.links[2].from_node == 1);
  CHECK(graph.links[2].to_node == 2);
  const Components scc = strongly_connected_components(graph);
  CHECK(scc.count == 2);
  CHECK(scc.node_component[2] == 1);  // the dead end is the smaller component
  // Closing the loop with a one-way road back makes the graph strongly connected.
  site.roads.push_back(make_road("c", {100, 100}, {0, 0}, true));
  CHECK(strongly_connected_components(build_road_graph(site)).count == 1);
}

TEST_CASE("the CSR adjacency lists exactly the links leaving each node") {
  TempDir dir("topology_csr");
  const Site site = load_site({write_layers(dir, tiny_layers())});
  const RoadGraph graph = build_road_graph(site);
  CHECK(graph.nodes.size() == 10);  // 3 x 3 grid + the gate
  CHECK(graph.links.size() == 26);
  for (std::size_t n = 0; n < graph.nodes.size(); ++n) {
    for (int k = graph.out_offset[n]; k < graph.out_offset[n + 1]; ++k) {
      CHECK(graph.links[graph.out_link[k]].from_node == static_cast<int>(n));
    }
  }
  CHECK(strongly_connected_components(graph).count == 1);
}

TEST_CASE("feeders form trees rooted at substations; a closing segment is a loop and a stray bus unreached") {
  Site site;
  Substation ss;
  ss.substation_id = "ss1";
  site.substations.push_back(ss);
  site.feeders.push_back(make_segment("s1", "ss1", "b1", {0, 0}, {100, 0}));
  site.feeders.push_back(make_segment("s2", "b1", "b2", {100, 0}, {100, 100}));
  site.feeders.push_back(make_segment("s3", "b1", "b3", {100, 0}, {200, 0}));
  FeederTopology topo = build_feeder_topology(site);
  CHECK(topo.loop_segments.empty());
  CHECK(topo.unreached_buses.empty());
  const int b2 = topo.find_bus("b2");
  CHECK(topo.bus_ids[topo.parent_bus[b2]] == "b1");
  CHECK(topo.parent_segment[b2] == 1);
  CHECK(topo.substation[b2] == 0);

  site.feeders.push_back(make_segment("s4", "b2", "b3", {100, 100}, {200, 0}));  // closes b1-b2-b3
  site.feeders.push_back(make_segment("s5", "x1", "x2", {500, 500}, {600, 500}));
  topo = build_feeder_topology(site);
  REQUIRE(topo.loop_segments.size() == 1);
  CHECK(site.feeders[topo.loop_segments[0]].segment_id == "s4");
  CHECK(topo.unreached_buses.size() == 2);
}

TEST_CASE("an open switch between two feeders is a normally open tie, not a loop") {
  Site site;
  Substation ss;
  ss.substation_id = "ss1";
  site.substations.push_back(ss);
  site.feeders.push_back(make_segment("s1", "ss1", "b1", {0, 0}, {100, 0}));
  site.feeders.push_back(make_segment("s2", "ss1", "b2", {0, 0}, {0, 100}));
  site.feeders.push_back(make_segment("tie", "b1", "b2", {100, 0}, {0, 100}));
  CHECK(build_feeder_topology(site).loop_segments.size() == 1);
  site.feeders[2].in_service = false;
  const FeederTopology topo = build_feeder_topology(site);
  CHECK(topo.loop_segments.empty());
  CHECK(topo.unreached_buses.empty());
  CHECK(topo.parent_segment[topo.find_bus("b2")] == 1);
}

TEST_CASE("facilities attach to their nearest road node and to the bus they name or the nearest one") {
  TempDir dir("topology_attach");
  const Site site = load_site({write_layers(dir, tiny_layers())});
  const RoadGraph graph = build_road_graph(site);
  const FeederTopology feeders = build_feeder_topology(site);
  const Attachments attach = attach_facilities(site, graph, feeders);
  // f1's centroid (150, 125) is nearest the grid node at (0, 0): sqrt(150² + 125²) = 195.26 m.
  const XY node0 = graph.nodes[attach.road_node[0]];
  CHECK(node0.x_m - kX0 == doctest::Approx(0.0));
  CHECK(node0.y_m - kY0 == doctest::Approx(0.0));
  CHECK(attach.road_distance_m[0] == doctest::Approx(195.2562));
  CHECK(feeders.bus_ids[attach.bus[0]] == "b1");  // named in the layout
  // f2's centroid (650, 640) is nearest the node at (500, 500) and, of the buses, b2 at (500, 500).
  CHECK(attach.road_distance_m[1] == doctest::Approx(std::hypot(150.0, 140.0)));
  CHECK(feeders.bus_ids[attach.bus[1]] == "b2");
}
