// traffic/tntp: the TNTP text formats of the Transportation Networks for Research repository
// (github.com/bstabler/TransportationNetworks): `*_net.tntp`, `*_trips.tntp`, the optional
// `*_node.tntp` and best-known `*_flow.tntp`, and sandan assign's outputs.
#pragma once

#include <string>
#include <vector>

#include "traffic/assignment.hpp"
#include "traffic/network.hpp"

namespace sandan {

struct TntpCase {
  TrafficNetwork network;           // node ids 1..N in the files become indices 0..N-1
  OdMatrix demand;                  // vehicles (one class, PCE 1); intrazonal demand is dropped
  double intrazonal_dropped = 0.0;  // total intrazonal demand skipped
  std::vector<double> node_x;       // from the node file, empty when there is none
  std::vector<double> node_y;
  std::string net_file;
  std::string trips_file;
};

// Reads a network file. Checks the metadata against the content (NUMBER OF NODES / LINKS / ZONES,
// FIRST THRU NODE), link endpoints, positive capacities, non-negative times, b and power; every
// problem is reported at once (ConfigError naming file and line). first_thru_node_override > 0
// replaces the file's FIRST THRU NODE (1-based as in the files).
[[nodiscard]] TrafficNetwork read_tntp_network(const std::string& net_file, int first_thru_node_override = 0);

// Reads a trips file for a network (zones must agree with the network; TOTAL OD FLOW is checked
// against the sum within 1e-6 relative). Intrazonal demand is dropped and its total returned.
[[nodiscard]] OdMatrix read_tntp_trips(const std::string& trips_file, const TrafficNetwork& net,
                                       double* intrazonal_dropped = nullptr);

// Reads a folder holding one `*_net.tntp` and one `*_trips.tntp` (and optionally `*_node.tntp`).
[[nodiscard]] TntpCase read_tntp_dir(const std::string& dir, int first_thru_node_override = 0);

// A best-known flow file (From To Volume Cost), in link order of the file.
struct TntpFlow {
  int from = 0;  // 1-based node ids as in the file
  int to = 0;
  double volume = 0.0;
  double cost = 0.0;
};
[[nodiscard]] std::vector<TntpFlow> read_tntp_flow(const std::string& flow_file);

// Writes a network (and optionally its trips) in TNTP form, readable by read_tntp_dir.
void write_tntp(const TrafficNetwork& net, const OdMatrix& demand, const std::string& net_file,
                const std::string& trips_file);

// sandan assign's outputs: DIR/flows.csv (from,to,volume,cost with 1-based node ids) and
// DIR/summary.json (iterations, relative_gap, tstt, objective, seconds, algorithm, converged).
// Written to temporary names and renamed, so a failure leaves no partial file.
void write_assignment_outputs(const TrafficNetwork& net, const AssignmentResult& result,
                              const std::string& algorithm, const std::string& dir);

}  // namespace sandan
