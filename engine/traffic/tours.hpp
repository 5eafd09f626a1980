// traffic/tours: the facilities' truck trip ends organised into delivery tours (a gate or a depot →
// several facilities → back), the logistics hub's consolidated tours, and the freight tours file
// (gis_data/traffic/freight_tours.yaml). docs/traffic-model.md, "Freight tours and the logistics hub".
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "core/geometry.hpp"
#include "traffic/network.hpp"

namespace sandan {

// The two truck classes, in the order of the vehicle classes after the car.
inline constexpr int kTruckClassCount = 2;  // light_truck, heavy_truck

// How one truck class runs its tours.
struct TruckTourRates {
  double stops_per_tour = 1.0;      // facility stops per tour (mean)
  double gate_share = 0.0;          // share of the stops served by tours from a gate (carriers from outside)
  double tour_length_km = 0.0;      // mean tour length a survey observed (compared with the model's)
  double hub_stops_per_tour = 1.0;  // stops per tour of the hub's consolidated delivery tours
};

struct FreightTours {
  std::string path;
  std::array<TruckTourRates, kTruckClassCount> trucks;
  // Load-factor gain of the vehicles that bring consolidated goods to the hub: they carry
  // (1 + gain) times the load of the tours they replace, so (1 − 1 / (1 + gain)) fewer of them run.
  double hub_load_factor_gain = 0.0;
  // Line of each class's gate_share in the file: tours from gates need gates (checked by the run).
  std::array<int, kTruckClassCount> gate_share_line{};
};

// What the tours of one kind of day are, by truck class (vehicles a day).
struct TourSummary {
  std::array<double, kTruckClassCount> stops{};            // facility stops (each: two trip ends)
  std::array<double, kTruckClassCount> gate_tours{};       // from a gate and back
  std::array<double, kTruckClassCount> own_tours{};        // own-account, closed among the facilities
  std::array<double, kTruckClassCount> hub_tours{};        // from the hub and back
  std::array<double, kTruckClassCount> trunk_trips{};      // gate → hub and hub → gate
  std::array<double, kTruckClassCount> intrazonal_legs{};  // legs within a zone (no road link)
};

// Reads the freight tours file (schema sandan-freight-tours, version 1); strict like
// read_trip_rates: every problem at once in one ConfigError, `file:line: key.path: message`.
[[nodiscard]] FreightTours read_freight_tours(const std::string& path);

// One stream of stops to be cut into tours: the zones in visiting order, each with its stops (a stop
// is one arrival and one departure of a truck at a facility: two trip ends).
struct StopStream {
  std::vector<int> zones;
  std::vector<double> stops;
};

// The order in which tours visit zones: along the Hilbert curve over the zones' bounding box
// (Bartholdi & Platzman 1982): consecutive zones on it are close, so tours cut from the ordered
// stream of stops are compact. Returns the zone indices of `positions` in that order (ties: index).
[[nodiscard]] std::vector<int> space_filling_order(const std::vector<XY>& positions);

// Adds the legs of the tours cut from the cyclic stream of stops to `trips` (vehicles):
// - `origin` ≥ 0: tours of `stops_per_tour` stops start and end at zone `origin` (a gate or the hub);
// - `origin` < 0: closed tours among the stream's own zones (own-account: the first stop is the depot).
// The tours are the stream cut into consecutive pieces of `stops_per_tour` stops, averaged over every
// position of the cut (a continuous approximation of the sweep of Gillett & Miller 1974 with
// fractional stops): the transition from stop p to stop p + 1 of the stream is a leg, except at a cut
// (a share 1/stops_per_tour of transitions), where the tour returns to its origin (or, for closed
// tours, to its first stop) and the next one leaves from there. Every zone gets exactly its stops as
// arrivals and as departures (trip ends conserved); intrazonal legs are added to the diagonal.
// Returns the number of tours.
double add_tours(const StopStream& stream, double stops_per_tour, int origin, OdMatrix& trips);

}  // namespace sandan
