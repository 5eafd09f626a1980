// site/topology: the road graph and the feeder trees of a Site, and where each facility attaches to
// them. Node and bus indices are dense integers for the models' hot loops.
#pragma once

#include <string>
#include <vector>

#include "site/site.hpp"

namespace sandan {

struct RoadLink {
  int from_node = -1;
  int to_node = -1;
  int road = -1;  // index into Site::roads
  double length_m = 0.0;
  double speed_kmh = 0.0;
  double capacity_veh_h = 0.0;  // of this direction
  int lanes = 1;
  RoadClass road_class = RoadClass::kLocal;
};

// Directed road graph: a two-way road becomes two links, a one-way road one link in its digitised
// direction. Nodes are road endpoints merged when closer than the snap tolerance; roads that cross
// without sharing an endpoint do not meet (as in OSM and most GIS road layers).
struct RoadGraph {
  std::vector<XY> nodes;
  std::vector<RoadLink> links;
  std::vector<int> out_offset;  // CSR: links leaving node n are out_link[out_offset[n] .. out_offset[n+1])
  std::vector<int> out_link;
};

[[nodiscard]] RoadGraph build_road_graph(const Site& site, double snap_tolerance_m = 0.5);

struct Components {
  int count = 0;
  std::vector<int> node_component;  // component of each node, 0..count-1, largest first
  std::vector<int> component_size;  // nodes in each component, descending
};

// Strongly connected components (Tarjan 1972, iterative so deep graphs do not overflow the stack).
[[nodiscard]] Components strongly_connected_components(const RoadGraph& graph);

// The feeder network as trees rooted at substation buses (a substation's bus has its id).
struct FeederTopology {
  std::vector<std::string> bus_ids;
  std::vector<XY> bus_positions;
  std::vector<int> parent_bus;       // -1 at a root or an unreached bus
  std::vector<int> parent_segment;   // index into Site::feeders, -1 likewise
  std::vector<int> substation;       // substation whose tree holds the bus, -1 if unreached
  std::vector<int> loop_segments;    // segments that close a loop (the rest form a forest)
  std::vector<int> unreached_buses;  // buses no substation reaches
  [[nodiscard]] int find_bus(const std::string& id) const;
};

[[nodiscard]] FeederTopology build_feeder_topology(const Site& site);

// Where each facility connects: its nearest road node and its feeder bus (the one named in the
// layout, else the nearest bus a substation reaches). -1 when there is none.
struct Attachments {
  std::vector<int> road_node;
  std::vector<double> road_distance_m;
  std::vector<int> bus;
  std::vector<double> bus_distance_m;
};

[[nodiscard]] Attachments attach_facilities(const Site& site, const RoadGraph& roads,
                                            const FeederTopology& feeders);

}  // namespace sandan
