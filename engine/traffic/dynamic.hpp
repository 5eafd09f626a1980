// traffic/dynamic: mesoscopic dynamic network loading by the link transmission model (LTM; Yperman,
// Logghe, Tampère & Immers 2006, "Multicommodity link transmission model for dynamic network
// loading", TRB Annual Meeting; Yperman 2007, PhD thesis, KU Leuven) on the triangular fundamental
// diagram of each link, which makes the LTM exact for Newell's (1993, "A simplified theory of
// kinematic waves in highway traffic", Transportation Research B 27) kinematic wave model:
//   sending flow   S_l(t) = min(N_up(t + Δt − L/v) − N_down(t),      C Δt)
//   receiving flow R_l(t) = min(N_down(t + Δt − L/w) + k_jam L − N_up(t), C Δt)
// with N_up, N_down the cumulative counts (PCE) at the link's entry and exit, v the free speed, w the
// backward wave speed, C the capacity and k_jam the jam density. Vehicles are discrete units in
// first-in-first-out order on each link and follow their routes; a node moves them by a
// capacity-proportional, FIFO node model (docs/traffic-model.md, "Dynamic loading at shift change").
// Vehicles that cannot enter their first link wait at their origin in an unbounded queue.
// No exceptions inside the loop: a case is checked when it is read (dnl_case.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sandan {

struct DnlNode {
  double x_m = 0.0;
  double y_m = 0.0;
};

// One directed link; capacity and jam density are of the whole link (all lanes), in PCE.
struct DnlLink {
  int from = -1;
  int to = -1;
  double length_m = 0.0;
  int lanes = 1;
  double free_speed_kmh = 50.0;
  double capacity_veh_h = 1800.0;
  double jam_density_veh_km = 145.0;
  std::string road_id;
};

// Zone kinds: facility, gate, hub, external.
struct DnlZone {
  std::string name;
  std::string kind;
  int node = -1;
};

struct DnlVehicle {
  double depart_s = 0.0;
  int vehicle_class = 0;  // index into DnlCase::classes
  double pce = 1.0;
  int origin = -1;
  int destination = -1;
  int route_begin = 0;  // the route is DnlCase::route_links[route_begin .. route_end)
  int route_end = 0;
};

// A case (schema sandan-dnl-case v1, dnl_case.hpp): network, zones and the vehicles with their routes.
struct DnlCase {
  std::string name;
  std::string crs = "EPSG:5186";
  double start_s = 0.0;  // seconds since midnight
  double end_s = 3600.0;
  double step_s = 1.0;
  double report_s = 300.0;
  std::vector<DnlNode> nodes;
  std::vector<DnlLink> links;
  std::vector<DnlZone> zones;
  std::vector<std::string> classes;  // vehicle class names, in order of first appearance
  std::vector<DnlVehicle> vehicles;  // sorted by depart_s (then their id, the index)
  std::vector<int> route_links;
};

// The backward wave speed of a link's triangular diagram (km/h): w = C / (k_jam − C / v).
// +inf-like large values are not possible for a valid case (k_jam > C / v is checked on reading).
[[nodiscard]] double backward_wave_kmh(const DnlLink& link);

struct DnlResult {
  // By vehicle: when it entered its first link and reached its destination (NaN when not by end_s),
  // and its free-flow time Σ L / v over its route.
  std::vector<double> entered_s;
  std::vector<double> arrived_s;
  std::vector<double> free_flow_s;
  // Report intervals [t, t + report_s) from start_s; the last one may be shorter.
  std::vector<double> report_t_s;
  // [report][link]: vehicles that entered and left during the interval; vehicles on the link and those
  // among them that have reached its end but not left (the queue) at the interval's end; the queue in
  // PCE.
  std::vector<std::int32_t> link_inflow;
  std::vector<std::int32_t> link_outflow;
  std::vector<std::int32_t> link_vehicles;
  std::vector<std::int32_t> link_queue;
  std::vector<float> link_queue_pce;
  // [report][zone]: vehicles departed during the interval, and waiting at the origin (departed, not on
  // the road yet) at the interval's end.
  std::vector<std::int32_t> zone_departures;
  std::vector<std::int32_t> zone_queue;
  int finished = 0;
  std::int64_t vehicle_steps = 0;  // Σ over steps of the vehicles on the road
  std::int64_t steps = 0;
  double seconds = 0.0;  // wall time of the simulation loop
};

// Runs the case from start_s to end_s in steps of step_s. The case must be valid (read_dnl_case or
// built by code that keeps its rules: contiguous routes, positive lengths, speeds and capacities).
[[nodiscard]] DnlResult simulate_dnl(const DnlCase& dnl);

}  // namespace sandan
