// traffic/dynamic_demand: the departures and routes of a dynamic network loading of the complexes
// (docs/traffic-model.md, "Dynamic loading at shift change"): the hourly OD matrices of a workday,
// spread over sub-hourly intervals by the profiles of a data file (gis_data/traffic/dynamic.yaml,
// schema sandan-dynamic-traffic v1), integerised to vehicles by bucket rounding, each vehicle on the
// shortest path under its hour's equilibrium link times.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "site/topology.hpp"
#include "traffic/demand.hpp"
#include "traffic/dynamic.hpp"
#include "traffic/network.hpp"

namespace sandan {

// The profile groups: the car groups of DailyDemand::by_group (inbound, then outbound, by shift), the
// trucks', and "background" for any further class of the hour's demand (through traffic).
inline constexpr std::array<const char*, 8> kDynamicGroups{"car_in_day",  "car_in_two",  "car_in_continuous",
                                                           "car_out_day", "car_out_two", "car_out_continuous",
                                                           "truck",       "background"};

struct DynamicProfiles {
  std::string path;
  int interval_s = 900;  // departure interval; divides the hour
  double step_s = 1.0;   // the LTM's time step
  double report_s = 300.0;
  double drain_s = 1800.0;  // simulated after the window so that late departures can arrive
  double jam_density_pce_km_lane = 143.0;
  // [group][hour]: the shares of the hour's trips in each interval (3600 / interval_s values summing
  // to 1); empty: spread evenly.
  std::array<std::array<std::vector<double>, 24>, kDynamicGroups.size()> shares{};
};

// Reads the profiles file; strict (ConfigError naming file, line and key path, all problems at once).
[[nodiscard]] DynamicProfiles read_dynamic_profiles(const std::string& path);

// The trips of one class in one hour that follow one profile group.
struct HourDemandPart {
  std::string class_name;
  double pce = 1.0;
  int group = 0;   // index into kDynamicGroups
  OdMatrix trips;  // vehicles in the hour
};

// The complexes' own classes of an hour by profile group (their sum over groups is hourly_demand's).
[[nodiscard]] std::vector<HourDemandPart> hourly_demand_parts(const DailyDemand& daily,
                                                              const TripRates& rates, int hour);

// Spreads the vehicles of one departure interval [start_s, start_s + interval_s) evenly over it, by
// origin zone: vehicle i of the m that leave an origin in the interval departs at
// start_s + (i + 0.5) × interval_s / m. On input each vehicle's depart_s holds its place in its OD
// stream as a fraction of the interval ((j + 0.5) / n for vehicle j of the n of its OD cell and
// class); the origin's vehicles are ordered by it, ties (most cells have one vehicle an interval) by a
// golden-ratio (Weyl) sequence over the order they are listed in, so destinations and classes
// interleave instead of following in index order. Deterministic. Spreading the cells' vehicles each
// at the middle of its own share of the interval instead put every one-vehicle cell at the same
// second (bench/sumo/README.md, "Departures are clumped").
void spread_departures(std::vector<DnlVehicle>& vehicles, std::size_t begin, std::size_t end, double start_s,
                       double interval_s);

struct DynamicCaseStats {
  double expected_trips = 0.0;     // Σ of the window's sub-hourly OD entries
  double same_node_trips = 0.0;    // between zones on one road node: no road to drive, left out
  double unreachable_trips = 0.0;  // no path under the hour's costs (none when reachability was checked)
};

// The case of the window [start_s, end_s) (multiples of the profiles' interval): nodes and links are
// the road graph's (link r of the case is road link r; road_ids[r] its road id), zones the model's at
// their road nodes. demand_by_hour[h] and link_cost_by_hour[h] (the network's link costs at the hour's
// equilibrium) are needed for the hours the window touches. The case ends drain_s after end_s.
[[nodiscard]] DnlCase build_dynamic_case(const TrafficModel& model, const RoadGraph& roads,
                                         const std::vector<std::string>& road_ids,
                                         const DynamicProfiles& profiles, double start_s, double end_s,
                                         const std::vector<std::vector<HourDemandPart>>& demand_by_hour,
                                         const std::vector<std::vector<double>>& link_cost_by_hour,
                                         DynamicCaseStats* stats = nullptr);

}  // namespace sandan
