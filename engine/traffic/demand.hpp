// traffic/demand: the complexes' road network for assignment (zones, connectors) and the trips of
// their facilities: generation by sector, employees, floor area and firms; time-of-day profiles by
// shift; distribution by a gravity model between facility zones and to and from the gates by their
// shares; and the shared logistics hub. Rates live in a data file (gis_data/traffic/trip_rates.yaml),
// each with a source or an estimate tag; docs/traffic-model.md describes the model.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/kinds.hpp"
#include "site/site.hpp"
#include "site/topology.hpp"
#include "traffic/network.hpp"
#include "traffic/tours.hpp"

namespace sandan {

// The kinds of day traffic is modelled for; a year's totals weight them by the calendar.
enum class TrafficDay { kWorkday = 0, kSaturday = 1, kRestDay = 2 };
inline constexpr int kTrafficDayCount = 3;
[[nodiscard]] const char* to_string(TrafficDay day);  // "workday", "saturday", "rest_day"
// Weekday → workday; Saturday → saturday; Sunday, holiday and shutdown → rest day.
[[nodiscard]] TrafficDay traffic_day(DayType type);

// Daily trip ends (one trip counts once, at the facility end) a facility generates on a workday.
struct SectorTripRates {
  double car_per_employee = 0.0;      // person-trips by car per employee, after mode share/occupancy
  double light_truck_per_firm = 0.0;  // truck trips per tenant firm
  double heavy_truck_per_firm = 0.0;
  double light_truck_per_1000m2 = 0.0;  // plus per 1,000 m² of floor
  double heavy_truck_per_1000m2 = 0.0;
};

struct TripRates {
  std::string path;
  std::vector<std::pair<std::string, SectorTripRates>> sectors;  // KSIC prefix → rates; "default"
  std::array<double, kVehicleClassCount> pce{1.0, 1.5, 2.5};
  // Share of each class's trips that go to or come from outside (through the gates); the rest stay
  // among the facilities of the simulated complexes (gravity).
  std::array<double, kVehicleClassCount> external_share{0.9, 0.6, 0.7};
  double gravity_beta_per_km = 0.3;  // deterrence exp(−β d), d the straight-line distance in km
  // Hourly shares of a day's trips (each 24 values summing to 1), inbound and outbound separately:
  // commuters by shift (arrivals before and departures after each shift change), trucks over the
  // working day.
  std::array<std::array<double, 24>, 3> car_in_by_shift{};  // index: Shift (day, two, continuous)
  std::array<std::array<double, 24>, 3> car_out_by_shift{};
  std::array<double, 24> truck_profile{};  // both directions, both truck classes
  // Share of a workday's trips on a Saturday and on a rest day, by shift and class.
  std::array<std::array<double, kVehicleClassCount>, 3> saturday_factor{};  // [shift][class]
  std::array<std::array<double, kVehicleClassCount>, 3> rest_day_factor{};
  // BPR parameters of the complexes' roads.
  double bpr_b = 0.15;
  double bpr_power = 4.0;
};

// Reads the rates file; strict (unknown keys, wrong types, shares not summing to 1: ConfigError naming
// file, line and key path, all at once).
[[nodiscard]] TripRates read_trip_rates(const std::string& path);

// A shared logistics hub (needs freight tours): `share` of the stops that gate tours make at the
// facilities of `complexes` are consolidated: the goods reach the hub in (1 − trip_reduction) as many
// vehicles (gate ↔ hub) as the gate tours they replace, and hub tours of the freight file's
// hub_stops_per_tour stops deliver them (docs/traffic-model.md, "Freight tours and the logistics hub").
struct LogisticsHubSpec {
  bool enabled = false;
  std::vector<int> complexes;  // indices into Site::complexes
  double share = 0.5;
  double trip_reduction = 0.3;  // fewer vehicles gate ↔ hub than the gate tours replaced
  XY position;                  // snapped to the nearest road node
};

// The road network of the complexes in assignment form. Zones come first: one zone for each road node
// that facilities attach to (or each cell of them, see zone_cell_m below), then one a gate, then the hub
// (when enabled); each zone node joins its road node by a connector pair (free flow time from the
// straight-line distance at 20 km/h, capacity 1e6). Road links follow, with free-flow time in minutes (length
// / speed), capacity in PCE/h, length in km. first_thru_node = zone count, so no path passes through a zone.
struct TrafficModel {
  TrafficNetwork network;
  std::vector<int> facility_zone;   // zone of each facility (-1 if it has no road node)
  std::vector<int> zone_road_node;  // road node of each zone
  std::vector<XY> zone_position;    // position of each zone's road node (gravity distances)
  std::vector<int> zone_complex;    // complex of a facility zone (most facilities), -1 for gates/hub
  std::vector<int> zone_gate;       // gate index of a gate zone, else -1
  int hub_zone = -1;
  std::vector<std::string> zone_names;  // "juan/n123", "gate:gajwa_ic", "hub"
  std::vector<int> link_road_link;      // index into RoadGraph::links; -1 for connectors
  std::vector<int> link_complex;        // complex covering the link's midpoint, -1 outside every complex
};

// zone_cell_m > 0 aggregates facility zones: the road nodes facilities attach to are grouped by square
// cells of that size, and each group becomes one zone at the member node nearest the group's mean
// position (large layouts: Algorithm B's memory grows as zones × links).
[[nodiscard]] TrafficModel build_traffic_model(const Site& site, const RoadGraph& roads,
                                               const Attachments& attachments, const TripRates& rates,
                                               const LogisticsHubSpec& hub = {}, double zone_cell_m = 0.0);

// Daily OD matrices (vehicles a day) for each class on one kind of day; the hour's demand is
// hourly_demand(). Facilities of complexes not in `simulated` (empty: all) generate nothing. Without
// `freight` trucks make single trips like cars (and a hub is refused); with it their trip ends become
// tours (traffic/tours.hpp).
struct DailyDemand {
  TrafficDay day = TrafficDay::kWorkday;
  // [class][shift-or-truck profile group][...]: kept per profile group so hours can be formed exactly.
  // Group g of class k: trips that follow profile g (cars: in/out by shift = 6 groups; trucks: 1).
  // Car groups 0-2 are inbound (to the facility) by Shift, 3-5 outbound by Shift.
  std::array<std::vector<OdMatrix>, kVehicleClassCount> by_group;
  std::array<double, kVehicleClassCount> total_trips{};  // vehicles a day
  // With freight tours: the legs of the hub's tours and of the vehicles gate ↔ hub (part of by_group;
  // for the hub's truck-km and its electric share), by truck class; empty without a hub.
  std::array<OdMatrix, kTruckClassCount> hub_trips;
  TourSummary tours;  // zeros with single trips
};

[[nodiscard]] DailyDemand daily_demand(const TrafficModel& model, const Site& site, const TripRates& rates,
                                       TrafficDay day, const LogisticsHubSpec& hub = {},
                                       const std::vector<int>& simulated = {},
                                       const FreightTours* freight = nullptr);

// The demand of hour 0..23 as assignment classes (car, light truck, heavy truck, with their PCE); an
// hour outside 0..23 gives the classes with no trips.
[[nodiscard]] std::vector<DemandClass> hourly_demand(const DailyDemand& daily, const TripRates& rates,
                                                     int hour);

}  // namespace sandan
