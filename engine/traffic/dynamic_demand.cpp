// traffic/dynamic_demand: departures and routes for the dynamic loading (dynamic_demand.hpp).
#include "traffic/dynamic_demand.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <optional>
#include <set>
#include <utility>

#include "config/yaml_check.hpp"
#include "core/error.hpp"
#include "traffic/shortest_path.hpp"

namespace sandan {
namespace {

constexpr const char* kSchema = "sandan-dynamic-traffic";
constexpr int kVersion = 1;
constexpr int kHoursPerDay = 24;
constexpr double kSecondsPerHour = 3600.0;
constexpr double kShareTolerance = 1e-6;
constexpr std::size_t kShiftCount = 3;
constexpr std::size_t kTruckGroup = 6;
constexpr std::size_t kBackgroundGroup = 7;
// A triangular diagram needs k_jam above the critical density C / v; a road whose capacity and speed
// would put it below gets k_jam = this × C / v (a short, slow street: the data, not the model, is off).
constexpr double kMinJamOverCritical = 1.25;

using config::MapView;
using config::Problems;

void read_group(const MapView& top, const std::string& key, std::size_t group, int per_hour,
                DynamicProfiles& out, Problems& problems) {
  const YAML::Node list = *top.get(key);
  const std::string path = top.path(key);
  if (!list.IsSequence()) {
    problems.add(list, path,
                 "must be a list of {hour, shares, source, confidence}, got " + config::describe(list));
    return;
  }
  std::set<int> hours;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string item_path = config::indexed(path, i);
    const MapView item(list[i], item_path, problems, {"hour", "shares", "source", "confidence"});
    if (!item.ok()) continue;
    (void)config::read_text(item, "source", problems);
    (void)config::read_confidence(item, problems);
    const auto hour_node = item.get("hour");
    const auto hour = hour_node ? config::as_whole(*hour_node, item.path("hour"), problems) : std::nullopt;
    if (hour && (*hour < 0 || *hour >= kHoursPerDay)) {
      problems.add(*hour_node, item.path("hour"),
                   "must be an hour of the day 0-23, got " + std::to_string(*hour));
      continue;
    }
    if (hour && !hours.insert(*hour).second) {
      problems.add(*hour_node, item.path("hour"),
                   "hour " + std::to_string(*hour) + " is listed twice in " + key);
      continue;
    }
    const auto shares_node = item.get("shares");
    if (!shares_node || !hour) continue;
    const std::string shares_path = item.path("shares");
    if (!shares_node->IsSequence() || static_cast<int>(shares_node->size()) != per_hour) {
      problems.add(*shares_node, shares_path,
                   "must be a list of " + std::to_string(per_hour) + " shares (60 / interval_min), got " +
                       config::describe(*shares_node));
      continue;
    }
    std::vector<double> shares;
    double sum = 0.0;
    bool ok = true;
    for (std::size_t q = 0; q < shares_node->size(); ++q) {
      const auto v =
          config::as_number_in((*shares_node)[q], config::indexed(shares_path, q), 0.0, 1.0, problems);
      if (!v) {
        ok = false;
        continue;
      }
      shares.push_back(*v);
      sum += *v;
    }
    if (!ok) continue;
    if (std::abs(sum - 1.0) > kShareTolerance) {
      problems.add(*shares_node, shares_path, "must sum to 1 (±1e-6), got " + config::format_number(sum));
      continue;
    }
    out.shares[group][static_cast<std::size_t>(*hour)] = std::move(shares);
  }
}

}  // namespace

void spread_departures(std::vector<DnlVehicle>& vehicles, std::size_t begin, std::size_t end, double start_s,
                       double interval_s) {
  // (√5 − 1) / 2: the Weyl sequence frac(k × this) is the most even of its kind (three-gap theorem;
  // Knuth, "The Art of Computer Programming" vol. 3, 6.4, Fibonacci hashing).
  constexpr double kGoldenFraction = 0.6180339887498949;
  std::vector<std::vector<std::size_t>> by_origin;
  for (std::size_t i = begin; i < end; ++i) {
    const auto o = static_cast<std::size_t>(std::max(0, vehicles[i].origin));
    if (o >= by_origin.size()) by_origin.resize(o + 1);
    by_origin[o].push_back(i);
  }
  std::vector<std::pair<std::pair<double, double>, std::size_t>> keyed;
  for (const std::vector<std::size_t>& list : by_origin) {
    if (list.empty()) continue;
    keyed.clear();
    for (std::size_t k = 0; k < list.size(); ++k) {
      const double weyl = std::fmod(static_cast<double>(k + 1) * kGoldenFraction, 1.0);
      keyed.push_back({{vehicles[list[k]].depart_s, weyl}, list[k]});
    }
    std::sort(keyed.begin(), keyed.end());
    const auto m = static_cast<double>(keyed.size());
    for (std::size_t i = 0; i < keyed.size(); ++i)
      vehicles[keyed[i].second].depart_s = start_s + (static_cast<double>(i) + 0.5) * interval_s / m;
  }
}

DynamicProfiles read_dynamic_profiles(const std::string& path) {
  DynamicProfiles out;
  out.path = path;
  const YAML::Node root = config::load_yaml_file(path, "dynamic traffic file");
  Problems problems(path);
  std::vector<std::string> optional(kDynamicGroups.begin(), kDynamicGroups.end());
  const MapView top(
      root, "", problems,
      {"schema", "version", "interval_min", "step_s", "report_s", "drain_min", "jam_density_pce_km_lane"},
      {"sub_hourly"});
  if (top.ok()) {
    config::check_schema(top, kSchema, kVersion, problems);
    int per_hour = 4;
    if (const auto node = top.get("interval_min")) {
      if (const auto v = config::as_whole(*node, "interval_min", problems)) {
        if (*v <= 0 || 60 % *v != 0) {
          problems.add(
              *node, "interval_min",
              "must divide the hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60), got " + std::to_string(*v));
        } else {
          out.interval_s = *v * 60;
          per_hour = 60 / *v;
        }
      }
    }
    if (const auto node = top.get("step_s")) {
      if (const auto v = config::as_number_in(*node, "step_s", 0.1, 10.0, problems)) out.step_s = *v;
    }
    if (const auto node = top.get("report_s")) {
      if (const auto v = config::as_number_in(*node, "report_s", 10.0, 3600.0, problems)) out.report_s = *v;
    }
    if (const auto node = top.get("drain_min")) {
      if (const auto v = config::as_number_in(*node, "drain_min", 0.0, 600.0, problems))
        out.drain_s = *v * 60.0;
    }
    if (const auto v = config::read_figure(top, "jam_density_pce_km_lane", 80.0, 250.0, problems))
      out.jam_density_pce_km_lane = *v;
    if (const auto node = top.get("sub_hourly")) {
      const MapView groups(*node, "sub_hourly", problems, {}, optional, top.key_line("sub_hourly"));
      if (groups.ok()) {
        for (std::size_t g = 0; g < kDynamicGroups.size(); ++g) {
          if (groups.get(kDynamicGroups[g]))
            read_group(groups, kDynamicGroups[g], g, per_hour, out, problems);
        }
      }
    }
  }
  if (!problems.list().empty()) {
    throw ConfigError(path + ": the dynamic traffic file has problems", problems.list());
  }
  return out;
}

std::vector<HourDemandPart> hourly_demand_parts(const DailyDemand& daily, const TripRates& rates, int hour) {
  std::vector<HourDemandPart> parts;
  if (hour < 0 || hour >= kHoursPerDay) return parts;
  const auto h = static_cast<std::size_t>(hour);
  for (std::size_t k = 0; k < kVehicleClassCount; ++k) {
    const auto& groups = daily.by_group[k];
    for (std::size_t g = 0; g < groups.size(); ++g) {
      // The same shares as hourly_demand: cars by direction and shift, trucks by the truck profile.
      double share = 0.0;
      std::size_t group = kTruckGroup;
      if (k == index_of(VehicleClass::kCar)) {
        if (g >= 2 * kShiftCount) continue;
        share = g < kShiftCount ? rates.car_in_by_shift[g][h] : rates.car_out_by_shift[g - kShiftCount][h];
        group = g;
      } else {
        if (g != 0) continue;
        share = rates.truck_profile[h];
      }
      if (share <= 0.0) continue;
      HourDemandPart part;
      part.class_name = to_string(kVehicleClasses[k]);
      part.pce = rates.pce[k];
      part.group = static_cast<int>(group);
      part.trips = groups[g];
      for (double& v : part.trips.values) v *= share;
      parts.push_back(std::move(part));
    }
  }
  return parts;
}

DnlCase build_dynamic_case(const TrafficModel& model, const RoadGraph& roads,
                           const std::vector<std::string>& road_ids, const DynamicProfiles& profiles,
                           double start_s, double end_s,
                           const std::vector<std::vector<HourDemandPart>>& demand_by_hour,
                           const std::vector<std::vector<double>>& link_cost_by_hour,
                           DynamicCaseStats* stats) {
  const TrafficNetwork& net = model.network;
  DnlCase out;
  out.name = "dynamic loading " + std::to_string(static_cast<int>(start_s / kSecondsPerHour)) + "h-" +
             std::to_string(static_cast<int>(end_s / kSecondsPerHour)) + "h";
  out.start_s = start_s;
  out.end_s = end_s + profiles.drain_s;
  out.step_s = profiles.step_s;
  out.report_s = profiles.report_s;
  for (const XY& p : roads.nodes) out.nodes.push_back({p.x_m, p.y_m});
  for (std::size_t r = 0; r < roads.links.size(); ++r) {
    const RoadLink& road = roads.links[r];
    DnlLink link;
    link.from = road.from_node;
    link.to = road.to_node;
    link.length_m = std::max(road.length_m, 1.0);
    link.lanes = std::max(road.lanes, 1);
    link.free_speed_kmh = road.speed_kmh;
    link.capacity_veh_h = road.capacity_veh_h;
    link.jam_density_veh_km = std::max(profiles.jam_density_pce_km_lane * link.lanes,
                                       kMinJamOverCritical * link.capacity_veh_h / link.free_speed_kmh);
    link.road_id = r < road_ids.size() ? road_ids[r] : std::string();
    out.links.push_back(link);
  }
  const int zones = net.zone_count;
  for (int z = 0; z < zones; ++z) {
    DnlZone zone;
    zone.name = model.zone_names[static_cast<std::size_t>(z)];
    zone.node = model.zone_road_node[static_cast<std::size_t>(z)];
    if (zone.name.rfind("gate:", 0) == 0) {
      zone.kind = "gate";
    } else if (z == model.hub_zone) {
      zone.kind = "hub";
    } else if (zone.name.find("external") != std::string::npos || zone.name.rfind("ext:", 0) == 0) {
      zone.kind = "external";
    } else {
      zone.kind = "facility";
    }
    out.zones.push_back(zone);
  }

  DynamicCaseStats local;
  DynamicCaseStats& st = stats != nullptr ? *stats : local;
  const auto interval = static_cast<double>(profiles.interval_s);
  const int per_hour = 3600 / profiles.interval_s;
  const auto first = static_cast<long>(std::llround(start_s / interval));
  const auto last = static_cast<long>(std::llround(end_s / interval));  // exclusive
  std::vector<std::pair<double, int>> order;  // (depart, vehicle) for the final sort
  std::vector<DnlVehicle> vehicles;
  std::vector<int> routes;
  double cumulative = 0.0;  // bucket rounding across every cell in a fixed order
  int current_hour = -1;
  std::vector<ShortestPathTree> trees;
  std::vector<char> tree_done;
  std::vector<double> expected(static_cast<std::size_t>(zones) * zones);
  std::vector<int> route;
  for (long q = first; q < last; ++q) {
    const std::size_t interval_first = vehicles.size();
    const int hour = static_cast<int>(q / per_hour);
    const auto slot = static_cast<std::size_t>(q % per_hour);
    const double t0 = static_cast<double>(q) * interval;
    if (hour >= static_cast<int>(demand_by_hour.size()) || hour >= static_cast<int>(link_cost_by_hour.size()))
      break;
    if (hour != current_hour) {
      current_hour = hour;
      trees.assign(static_cast<std::size_t>(zones), {});
      tree_done.assign(static_cast<std::size_t>(zones), 0);
    }
    const std::vector<HourDemandPart>& parts = demand_by_hour[static_cast<std::size_t>(hour)];
    const std::vector<double>& cost = link_cost_by_hour[static_cast<std::size_t>(hour)];
    // Classes in order of first appearance among the hour's parts.
    std::vector<std::string> classes;
    for (const HourDemandPart& p : parts) {
      if (std::find(classes.begin(), classes.end(), p.class_name) == classes.end())
        classes.push_back(p.class_name);
    }
    for (const std::string& name : classes) {
      std::fill(expected.begin(), expected.end(), 0.0);
      double pce = 1.0;
      for (const HourDemandPart& p : parts) {
        if (p.class_name != name || p.trips.zones != zones) continue;
        pce = p.pce;
        const auto group =
            static_cast<std::size_t>(std::clamp(p.group, 0, static_cast<int>(kBackgroundGroup)));
        const std::vector<double>& shares = profiles.shares[group][static_cast<std::size_t>(hour)];
        const double share = shares.empty() ? 1.0 / per_hour : shares[slot];
        for (std::size_t i = 0; i < expected.size(); ++i) expected[i] += share * p.trips.values[i];
      }
      auto class_it = std::find(out.classes.begin(), out.classes.end(), name);
      if (class_it == out.classes.end()) class_it = out.classes.insert(out.classes.end(), name);
      const auto class_index = static_cast<int>(class_it - out.classes.begin());
      for (int o = 0; o < zones; ++o) {
        for (int d = 0; d < zones; ++d) {
          const double x = expected[static_cast<std::size_t>(o) * zones + d];
          if (x <= 0.0 || o == d) continue;
          st.expected_trips += x;
          // Bucket rounding: the cell gets round(C_after) − round(C_before) vehicles, so every running
          // total is within half a vehicle of the expected one.
          const double before = std::floor(cumulative + 0.5);
          cumulative += x;
          const int n = static_cast<int>(std::floor(cumulative + 0.5) - before);
          if (n <= 0) continue;
          const int on = model.zone_road_node[static_cast<std::size_t>(o)];
          const int dn = model.zone_road_node[static_cast<std::size_t>(d)];
          if (on == dn) {
            st.same_node_trips += n;
            continue;
          }
          auto& tree = trees[static_cast<std::size_t>(o)];
          if (tree_done[static_cast<std::size_t>(o)] == 0) {
            shortest_path_tree(net, cost, o, tree);
            tree_done[static_cast<std::size_t>(o)] = 1;
          }
          route.clear();
          int node = d;
          bool reached = true;
          while (node != o) {
            const int l = tree.pred_link[static_cast<std::size_t>(node)];
            if (l < 0) {
              reached = false;
              break;
            }
            const int r = model.link_road_link[static_cast<std::size_t>(l)];
            if (r >= 0) route.push_back(r);
            node = net.links[static_cast<std::size_t>(l)].from;
          }
          if (!reached || route.empty()) {
            st.unreachable_trips += n;
            continue;
          }
          std::reverse(route.begin(), route.end());
          const auto begin = static_cast<int>(routes.size());
          routes.insert(routes.end(), route.begin(), route.end());
          for (int j = 0; j < n; ++j) {
            DnlVehicle v;
            // Its place in the OD stream, a fraction of the interval: spread_departures turns it
            // into a time, evenly over the interval by origin zone.
            v.depart_s = (j + 0.5) / n;
            v.vehicle_class = class_index;
            v.pce = pce;
            v.origin = o;
            v.destination = d;
            v.route_begin = begin;
            v.route_end = static_cast<int>(routes.size());
            vehicles.push_back(v);
          }
        }
      }
    }
    spread_departures(vehicles, interval_first, vehicles.size(), t0, interval);
    for (std::size_t i = interval_first; i < vehicles.size(); ++i)
      order.emplace_back(vehicles[i].depart_s, static_cast<int>(i));
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  out.vehicles.reserve(vehicles.size());
  for (const auto& [depart, i] : order) {
    DnlVehicle v = vehicles[static_cast<std::size_t>(i)];
    const auto begin = static_cast<int>(out.route_links.size());
    out.route_links.insert(out.route_links.end(), routes.begin() + v.route_begin,
                           routes.begin() + v.route_end);
    v.route_begin = begin;
    v.route_end = static_cast<int>(out.route_links.size());
    out.vehicles.push_back(v);
  }
  return out;
}

}  // namespace sandan
