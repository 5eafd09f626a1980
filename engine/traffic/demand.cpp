// traffic/demand: the trip rates file reader, the complexes' network in assignment form and the daily and
// hourly demand of their facilities (docs/traffic-model.md, "Demand").
#include "traffic/demand.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "config/yaml_check.hpp"
#include "core/error.hpp"
#include "core/geometry.hpp"
#include "core/memory.hpp"
#include "traffic/profile_yaml.hpp"

namespace sandan {
namespace {

constexpr const char* kSchema = "sandan-trip-rates";
constexpr int kVersion = 1;
constexpr int kHoursPerDay = 24;
constexpr std::size_t kShiftCount = 3;
// Car profile groups: inbound by shift, then outbound by shift.
constexpr std::size_t kCarGroupCount = 2 * kShiftCount;
constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Connectors: the walk or drive between a facility's gate and its road node at this speed.
constexpr double kConnectorSpeedKmh = 20.0;
// Shortest connector time (minutes): a gate sits on its road node.
constexpr double kMinConnectorMinutes = 0.01;
constexpr double kConnectorCapacity = 1e6;
// Streets along a complex's edge count as the complex's (as in gis/inspect).
constexpr double kEdgeToleranceM = 1.0;
// KSIC: a section letter, then up to five digits (division, group, class, subclass).
constexpr std::size_t kMaxKsicDigits = 5;

constexpr std::array<Shift, kShiftCount> kShifts{Shift::kDay, Shift::kTwo, Shift::kContinuous};
constexpr std::array<VehicleClass, kVehicleClassCount> kClasses{VehicleClass::kCar, VehicleClass::kLightTruck,
                                                                VehicleClass::kHeavyTruck};

using config::check_range;
using config::describe;
using config::format_number;
using config::MapView;
using config::Problems;
using config::read_confidence;
using config::read_figure;
using config::read_text;

std::size_t index_of(Shift shift) { return static_cast<std::size_t>(shift); }

void assign(double& target, std::optional<double> value) {
  if (value) target = *value;
}

// car, light_truck, heavy_truck: each a figure in [lo, hi].
void read_by_class(const MapView& top, const std::string& key, double lo, double hi,
                   std::array<double, kVehicleClassCount>& out, Problems& problems) {
  const auto node = top.get(key);
  if (!node) return;
  const MapView map(*node, key, problems, {"car", "light_truck", "heavy_truck"}, {}, top.key_line(key));
  if (!map.ok()) return;
  for (const VehicleClass k : kClasses)
    assign(out[index_of(k)], read_figure(map, to_string(k), lo, hi, problems));
}

// day, two, continuous: each a profile.
void read_shift_profiles(const MapView& profiles, const std::string& key,
                         std::array<std::array<double, 24>, 3>& out, Problems& problems) {
  const auto node = profiles.get(key);
  if (!node) return;
  const MapView map(*node, profiles.path(key), problems, {"day", "two", "continuous"}, {},
                    profiles.key_line(key));
  if (!map.ok()) return;
  for (const Shift shift : kShifts) {
    if (const auto profile = read_profile(map, to_string(shift), problems)) out[index_of(shift)] = *profile;
  }
}

// saturday or rest_day: day, two, continuous, each {car, light_truck, heavy_truck, source, confidence}.
void read_day_factors(const MapView& factors, const std::string& key,
                      std::array<std::array<double, kVehicleClassCount>, 3>& out, Problems& problems) {
  constexpr double kMaxFactor = 2.0;
  const auto node = factors.get(key);
  if (!node) return;
  const MapView map(*node, factors.path(key), problems, {"day", "two", "continuous"}, {},
                    factors.key_line(key));
  if (!map.ok()) return;
  for (const Shift shift : kShifts) {
    const auto shift_node = map.get(to_string(shift));
    if (!shift_node) continue;
    const MapView entry(*shift_node, map.path(to_string(shift)), problems,
                        {"car", "light_truck", "heavy_truck", "source", "confidence"}, {},
                        map.key_line(to_string(shift)));
    if (!entry.ok()) continue;
    (void)read_text(entry, "source", problems);
    (void)read_confidence(entry, problems);
    for (const VehicleClass k : kClasses) {
      const auto value_node = entry.get(to_string(k));
      if (!value_node) continue;
      if (const auto value =
              config::as_number_in(*value_node, entry.path(to_string(k)), 0.0, kMaxFactor, problems))
        out[index_of(shift)][index_of(k)] = *value;
    }
  }
}

bool is_ksic_prefix(const std::string& code) {
  if (code.empty() || code.size() > 1 + kMaxKsicDigits || code[0] < 'A' || code[0] > 'Z') return false;
  return std::all_of(code.begin() + 1, code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<SectorTripRates> read_sector(const YAML::Node& node, const std::string& path, int line,
                                           Problems& problems) {
  const MapView map(node, path, problems,
                    {"name", "car_per_employee", "light_truck_per_firm", "heavy_truck_per_firm",
                     "light_truck_per_1000m2", "heavy_truck_per_1000m2"},
                    {}, line);
  if (!map.ok()) return std::nullopt;
  (void)read_text(map, "name", problems);
  const auto car = read_figure(map, "car_per_employee", 0.0, kInfinity, problems);
  const auto light_firm = read_figure(map, "light_truck_per_firm", 0.0, kInfinity, problems);
  const auto heavy_firm = read_figure(map, "heavy_truck_per_firm", 0.0, kInfinity, problems);
  const auto light_area = read_figure(map, "light_truck_per_1000m2", 0.0, kInfinity, problems);
  const auto heavy_area = read_figure(map, "heavy_truck_per_1000m2", 0.0, kInfinity, problems);
  if (!car || !light_firm || !heavy_firm || !light_area || !heavy_area) return std::nullopt;
  return SectorTripRates{*car, *light_firm, *heavy_firm, *light_area, *heavy_area};
}

void read_sectors(const MapView& top, TripRates& rates, Problems& problems) {
  const auto node = top.get("sectors");
  if (!node) return;
  if (!node->IsMap()) {
    problems.add(*node, "sectors", "must be a map of KSIC prefixes, got " + describe(*node));
    return;
  }
  bool has_default = false;
  for (const auto& entry : *node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar() || (key.Scalar() != "default" && !is_ksic_prefix(key.Scalar()))) {
      problems.add(
          key, "sectors",
          "keys must be KSIC prefixes (a capital letter and up to five digits, e.g. C29) or default, "
          "got " +
              describe(key));
      continue;
    }
    const std::string& code = key.Scalar();
    const std::string path = "sectors." + code;
    const bool repeated = std::any_of(rates.sectors.begin(), rates.sectors.end(),
                                      [&](const auto& sector) { return sector.first == code; });
    if (repeated) {
      problems.add(key, path, "repeated key");
      continue;
    }
    if (code == "default") has_default = true;
    if (auto sector = read_sector(entry.second, path, key.Mark().line + 1, problems))
      rates.sectors.emplace_back(code, *sector);
  }
  if (!has_default) problems.add(top.key_line("sectors"), "sectors.default", "missing");
}

// The rates of the longest KSIC prefix of the facility's code, else default.
const SectorTripRates* sector_of(const TripRates& rates, const std::string& ksic) {
  const SectorTripRates* best = nullptr;
  const SectorTripRates* fallback = nullptr;
  std::size_t best_length = 0;
  for (const auto& [code, sector] : rates.sectors) {
    if (code == "default") {
      fallback = &sector;
    } else if (code.size() > best_length && ksic.compare(0, code.size(), code) == 0) {
      best = &sector;
      best_length = code.size();
    }
  }
  return best != nullptr ? best : fallback;
}

double day_factor(const TripRates& rates, TrafficDay day, Shift shift, VehicleClass k) {
  switch (day) {
    case TrafficDay::kWorkday:
      return 1.0;
    case TrafficDay::kSaturday:
      return rates.saturday_factor[index_of(shift)][index_of(k)];
    case TrafficDay::kRestDay:
      return rates.rest_day_factor[index_of(shift)][index_of(k)];
  }
  return 1.0;
}

// A facility's trip ends of each class on a day (both directions).
std::array<double, kVehicleClassCount> trip_ends(const Facility& facility, const TripRates& rates,
                                                 TrafficDay day) {
  std::array<double, kVehicleClassCount> ends{};
  const SectorTripRates* sector = sector_of(rates, facility.ksic);
  if (sector == nullptr) return ends;
  const double floor_1000m2 = std::max(0.0, facility.floor_area_m2) / 1000.0;
  const double firms = std::max(0, facility.firms);
  ends[index_of(VehicleClass::kCar)] = std::max(0, facility.employees) * sector->car_per_employee;
  ends[index_of(VehicleClass::kLightTruck)] =
      firms * sector->light_truck_per_firm + floor_1000m2 * sector->light_truck_per_1000m2;
  ends[index_of(VehicleClass::kHeavyTruck)] =
      firms * sector->heavy_truck_per_firm + floor_1000m2 * sector->heavy_truck_per_1000m2;
  for (const VehicleClass k : kClasses) ends[index_of(k)] *= day_factor(rates, day, facility.shift, k);
  return ends;
}

int complex_covering(const Site& site, const XY& point) {
  for (std::size_t c = 0; c < site.complexes.size(); ++c) {
    if (covers(site.complexes[c].boundary, point, kEdgeToleranceM)) return static_cast<int>(c);
  }
  return -1;
}

int nearest_node(const RoadGraph& roads, const XY& point, double& distance) {
  int best = -1;
  distance = kInfinity;
  for (std::size_t n = 0; n < roads.nodes.size(); ++n) {
    const double d = distance_m(roads.nodes[n], point);
    if (d < distance) {
      distance = d;
      best = static_cast<int>(n);
    }
  }
  return best;
}

double connector_minutes(double distance_m) {
  return std::max(kMinConnectorMinutes, distance_m / 1000.0 / kConnectorSpeedKmh * 60.0);
}

void check_hub(const Site& site, const LogisticsHubSpec& hub) {
  if (!hub.enabled) return;
  for (const int c : hub.complexes) {
    if (c < 0 || static_cast<std::size_t>(c) >= site.complexes.size()) {
      throw Error(ErrorCode::kBadInput, "logistics hub: complex index " + std::to_string(c) +
                                            " is not one of the site's " +
                                            std::to_string(site.complexes.size()) + " complexes");
    }
  }
  if (!(hub.share >= 0.0 && hub.share <= 1.0)) {
    throw Error(ErrorCode::kBadInput,
                "logistics hub: share must be in [0, 1], got " + format_number(hub.share));
  }
  if (!(hub.trip_reduction >= 0.0 && hub.trip_reduction <= 1.0)) {
    throw Error(ErrorCode::kBadInput,
                "logistics hub: trip_reduction must be in [0, 1], got " + format_number(hub.trip_reduction));
  }
}

// The weights of the gate zones (their shares, normalised to sum 1); empty if no gate has a share.
std::vector<std::pair<int, double>> gate_weights(const TrafficModel& model, const Site& site) {
  std::vector<std::pair<int, double>> weights;
  double sum = 0.0;
  for (std::size_t z = 0; z < model.zone_gate.size(); ++z) {
    const int g = model.zone_gate[z];
    if (g < 0 || static_cast<std::size_t>(g) >= site.gates.size()) continue;
    const double share = std::max(0.0, site.gates[static_cast<std::size_t>(g)].share);
    if (share <= 0.0) continue;
    weights.emplace_back(static_cast<int>(z), share);
    sum += share;
  }
  for (auto& [zone, weight] : weights) weight /= sum;
  return weights;
}

// What one origin zone's simulated facilities generate, before distribution.
struct ZoneGeneration {
  std::array<double, kShiftCount> car{};  // car trip ends by the facilities' shift
  // Truck trip ends [light, heavy] by the facilities' complex when it takes part in the hub, else -1.
  std::map<int, std::array<double, 2>> trucks;
  bool any = false;
};

// Adds x trips of a class between zone z and other end d in both directions (half each way was
// applied by the caller): out to matrix (z → d), in to matrix (d → z).
void add_both(OdMatrix& out, OdMatrix& in, int z, int d, double x) {
  out.at(z, d) += x;
  in.at(d, z) += x;
}

// Trucks as tours (traffic/tours.hpp): each facility zone's truck trip ends become stops (two ends
// each), served by gate tours (share gate_share, over the gates by their weights), by own-account
// tours closed among the zones of the zone's complex (the rest), and, for the stops at the hub's
// member complexes, share `hub.share` of the gate tours' by hub tours plus the vehicles gate ↔ hub
// that bring their goods. Every stream visits its zones along one space-filling order. Legs within a
// zone are counted (TourSummary::intrazonal_legs) but leave the matrices: they load no road link.
void add_freight_tours(const TrafficModel& model, const std::vector<ZoneGeneration>& generation,
                       const std::vector<std::pair<int, double>>& gates, const LogisticsHubSpec& hub,
                       const FreightTours& freight, DailyDemand& demand) {
  const int zones = model.network.zone_count;
  const auto zone_count = static_cast<std::size_t>(zones);
  std::vector<int> facility_zones;
  std::vector<XY> positions;
  for (std::size_t z = 0; z < zone_count; ++z) {
    if (!generation[z].any) continue;
    facility_zones.push_back(static_cast<int>(z));
    positions.push_back(model.zone_position[z]);
  }
  std::vector<int> order;
  order.reserve(facility_zones.size());
  for (const int i : space_filling_order(positions))
    order.push_back(facility_zones[static_cast<std::size_t>(i)]);
  // The complexes of own-account streams: each zone's complex (-1: outside every complex).
  std::vector<int> complexes;
  complexes.reserve(order.size());
  for (const int z : order) complexes.push_back(model.zone_complex[static_cast<std::size_t>(z)]);
  std::sort(complexes.begin(), complexes.end());
  complexes.erase(std::unique(complexes.begin(), complexes.end()), complexes.end());

  const double hub_share = hub.enabled ? hub.share : 0.0;
  for (std::size_t t = 0; t < kTruckClassCount; ++t) {
    const std::size_t ki = t + 1;  // light_truck, heavy_truck
    const TruckTourRates& r = freight.trucks[t];
    OdMatrix trips(zones);
    OdMatrix hub_trips(zones);
    // Stops of each zone: all, and those of the hub's member complexes.
    std::vector<double> stops(zone_count, 0.0);
    std::vector<double> member(zone_count, 0.0);
    for (const int z : order) {
      for (const auto& [hub_complex, ends] : generation[static_cast<std::size_t>(z)].trucks) {
        const double s = 0.5 * ends[t];
        stops[static_cast<std::size_t>(z)] += s;
        if (hub_complex >= 0) member[static_cast<std::size_t>(z)] += s;
      }
    }
    TourSummary& sum = demand.tours;
    const auto stream_of = [&](const auto& stops_of) {
      StopStream stream;
      for (const int z : order) {
        const double s = stops_of(static_cast<std::size_t>(z));
        if (s > 0.0) {
          stream.zones.push_back(z);
          stream.stops.push_back(s);
        }
      }
      return stream;
    };
    for (const int z : order) sum.stops[t] += stops[static_cast<std::size_t>(z)];
    // Gate tours: each gate serves its weight of every zone's gate stops.
    for (const auto& gate : gates) {
      const int gate_zone = gate.first;
      const double weight = gate.second;  // a plain copy: lambdas cannot capture structured bindings
      const StopStream stream = stream_of(
          [&](std::size_t z) { return weight * r.gate_share * (stops[z] - hub_share * member[z]); });
      sum.gate_tours[t] += add_tours(stream, r.stops_per_tour, gate_zone, trips);
    }
    // Own-account tours within each complex.
    for (const int c : complexes) {
      const StopStream stream = stream_of(
          [&](std::size_t z) { return model.zone_complex[z] == c ? (1.0 - r.gate_share) * stops[z] : 0.0; });
      sum.own_tours[t] += add_tours(stream, r.stops_per_tour, -1, trips);
    }
    // The hub: its tours deliver the consolidated stops; fewer, fuller vehicles bring their goods
    // from the gates than the gate tours they replace.
    if (hub.enabled && !gates.empty()) {
      const StopStream stream =
          stream_of([&](std::size_t z) { return r.gate_share * hub_share * member[z]; });
      sum.hub_tours[t] += add_tours(stream, r.hub_stops_per_tour, model.hub_zone, hub_trips);
      double consolidated = 0.0;
      for (const double s : stream.stops) consolidated += s;
      const double replaced = consolidated / std::max(1.0, std::min(r.stops_per_tour, consolidated));
      const double vehicles = consolidated > 0.0 ? (1.0 - hub.trip_reduction) * replaced : 0.0;
      for (const auto& [gate_zone, weight] : gates) {
        hub_trips.at(gate_zone, model.hub_zone) += weight * vehicles;
        hub_trips.at(model.hub_zone, gate_zone) += weight * vehicles;
      }
      sum.trunk_trips[t] += 2.0 * vehicles;
      for (std::size_t i = 0; i < trips.values.size(); ++i) trips.values[i] += hub_trips.values[i];
    }
    for (int z = 0; z < zones; ++z) {
      sum.intrazonal_legs[t] += trips.at(z, z);
      trips.at(z, z) = 0.0;
      hub_trips.at(z, z) = 0.0;
    }
    demand.by_group[ki][0] = std::move(trips);
    if (hub.enabled) demand.hub_trips[t] = std::move(hub_trips);
  }
}

}  // namespace

const char* to_string(TrafficDay day) {
  switch (day) {
    case TrafficDay::kWorkday:
      return "workday";
    case TrafficDay::kSaturday:
      return "saturday";
    case TrafficDay::kRestDay:
      return "rest_day";
  }
  return "workday";
}

TrafficDay traffic_day(DayType type) {
  switch (type) {
    case DayType::kWeekday:
      return TrafficDay::kWorkday;
    case DayType::kSaturday:
      return TrafficDay::kSaturday;
    case DayType::kSunday:
    case DayType::kHoliday:
    case DayType::kShutdown:
      return TrafficDay::kRestDay;
  }
  return TrafficDay::kRestDay;
}

TripRates read_trip_rates(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "trip rates file");

  Problems problems(path, "(top level)");
  TripRates rates;
  rates.path = path;
  const MapView top(root, "", problems,
                    {"schema", "version", "pce", "external_share", "gravity_beta_per_km", "bpr", "sectors",
                     "profiles", "day_factors"});
  if (top.ok()) {
    config::check_schema(top, kSchema, kVersion, problems);
    constexpr double kMaxPce = 10.0;
    constexpr double kMaxBeta = 10.0;
    constexpr double kMaxBpr = 10.0;
    read_by_class(top, "pce", 0.1, kMaxPce, rates.pce, problems);
    read_by_class(top, "external_share", 0.0, 1.0, rates.external_share, problems);
    assign(rates.gravity_beta_per_km, read_figure(top, "gravity_beta_per_km", 0.0, kMaxBeta, problems));
    if (const auto bpr_node = top.get("bpr")) {
      const MapView bpr(*bpr_node, "bpr", problems, {"b", "power"}, {}, top.key_line("bpr"));
      if (bpr.ok()) {
        assign(rates.bpr_b, read_figure(bpr, "b", 0.0, kMaxBpr, problems));
        assign(rates.bpr_power, read_figure(bpr, "power", 0.0, kMaxBpr, problems));
      }
    }
    read_sectors(top, rates, problems);
    if (const auto profiles_node = top.get("profiles")) {
      const MapView profiles(*profiles_node, "profiles", problems, {"car_in", "car_out", "truck"}, {},
                             top.key_line("profiles"));
      if (profiles.ok()) {
        read_shift_profiles(profiles, "car_in", rates.car_in_by_shift, problems);
        read_shift_profiles(profiles, "car_out", rates.car_out_by_shift, problems);
        if (const auto truck = read_profile(profiles, "truck", problems)) rates.truck_profile = *truck;
      }
    }
    if (const auto factors_node = top.get("day_factors")) {
      const MapView factors(*factors_node, "day_factors", problems, {"saturday", "rest_day"}, {},
                            top.key_line("day_factors"));
      if (factors.ok()) {
        read_day_factors(factors, "saturday", rates.saturday_factor, problems);
        read_day_factors(factors, "rest_day", rates.rest_day_factor, problems);
      }
    }
  }
  if (!problems.list().empty()) throw ConfigError(path + ": invalid trip rates file", problems.list());
  return rates;
}

TrafficModel build_traffic_model(const Site& site, const RoadGraph& roads, const Attachments& attachments,
                                 const TripRates& rates, const LogisticsHubSpec& hub, double zone_cell_m) {
  check_hub(site, hub);
  if (!(zone_cell_m >= 0.0) || !std::isfinite(zone_cell_m)) {
    throw Error(ErrorCode::kBadInput,
                "traffic: zone_cell_m must be a finite number >= 0, got " + format_number(zone_cell_m));
  }
  if (attachments.road_node.size() != site.facilities.size() ||
      attachments.road_distance_m.size() != site.facilities.size()) {
    throw Error(ErrorCode::kInternal,
                "build_traffic_model: the attachments do not match the site's facilities");
  }
  const auto road_nodes = static_cast<int>(roads.nodes.size());
  for (const int node : attachments.road_node) {
    if (node >= road_nodes)
      throw Error(ErrorCode::kInternal, "build_traffic_model: a road node is out of range");
  }
  const auto road_id = [&](const RoadLink& link) -> std::string {
    return link.road >= 0 && static_cast<std::size_t>(link.road) < site.roads.size()
               ? site.roads[static_cast<std::size_t>(link.road)].road_id
               : "?";
  };
  for (const RoadLink& link : roads.links) {
    if (link.from_node < 0 || link.from_node >= road_nodes || link.to_node < 0 ||
        link.to_node >= road_nodes) {
      throw Error(ErrorCode::kInternal,
                  "build_traffic_model: road '" + road_id(link) + "' has a node out of range");
    }
    if (!(link.speed_kmh > 0.0) || !(link.capacity_veh_h > 0.0)) {
      throw Error(ErrorCode::kBadInput, "roads: road '" + road_id(link) +
                                            "': speed_kmh and capacity_veh_h must be > 0 for "
                                            "traffic assignment, got " +
                                            format_number(link.speed_kmh) + " and " +
                                            format_number(link.capacity_veh_h));
    }
  }
  if (hub.enabled && road_nodes == 0) {
    throw Error(ErrorCode::kBadInput, "logistics hub: the layout has no road to attach the hub to");
  }

  TrafficModel model;
  // Facility zones: one a road node that facilities attach to, in road node order, or one a cell of
  // such nodes (in the order of each cell's first node).
  std::vector<char> used(roads.nodes.size(), 0);
  for (const int node : attachments.road_node) {
    if (node >= 0) used[static_cast<std::size_t>(node)] = 1;
  }
  std::vector<int> node_zone(roads.nodes.size(), -1);
  std::vector<std::vector<int>> zone_nodes;
  std::map<std::pair<long long, long long>, int> cell_zone;
  for (std::size_t n = 0; n < used.size(); ++n) {
    if (used[n] == 0) continue;
    int zone = static_cast<int>(zone_nodes.size());
    if (zone_cell_m > 0.0) {
      const XY& p = roads.nodes[n];
      const std::pair<long long, long long> cell{static_cast<long long>(std::floor(p.x_m / zone_cell_m)),
                                                 static_cast<long long>(std::floor(p.y_m / zone_cell_m))};
      zone = cell_zone.emplace(cell, zone).first->second;
    }
    if (zone == static_cast<int>(zone_nodes.size())) zone_nodes.emplace_back();
    zone_nodes[static_cast<std::size_t>(zone)].push_back(static_cast<int>(n));
    node_zone[n] = zone;
  }
  for (const std::vector<int>& nodes : zone_nodes) {
    // The member node nearest the members' mean position represents the zone.
    double x = 0.0;
    double y = 0.0;
    for (const int n : nodes) {
      x += roads.nodes[static_cast<std::size_t>(n)].x_m;
      y += roads.nodes[static_cast<std::size_t>(n)].y_m;
    }
    x /= static_cast<double>(nodes.size());
    y /= static_cast<double>(nodes.size());
    int best = nodes.front();
    double best_d2 = std::numeric_limits<double>::infinity();
    for (const int n : nodes) {
      const XY& p = roads.nodes[static_cast<std::size_t>(n)];
      const double d2 = (p.x_m - x) * (p.x_m - x) + (p.y_m - y) * (p.y_m - y);
      if (d2 < best_d2) {
        best_d2 = d2;
        best = n;
      }
    }
    model.zone_road_node.push_back(best);
  }
  const std::size_t facility_zones = model.zone_road_node.size();
  std::vector<double> distance_sum(facility_zones, 0.0);
  std::vector<int> members(facility_zones, 0);
  std::vector<std::map<int, int>> complex_count(facility_zones);
  model.facility_zone.assign(site.facilities.size(), -1);
  for (std::size_t f = 0; f < site.facilities.size(); ++f) {
    const int node = attachments.road_node[f];
    if (node < 0) continue;
    const int zone = node_zone[static_cast<std::size_t>(node)];
    const auto z = static_cast<std::size_t>(zone);
    model.facility_zone[f] = zone;
    // Facility to its road node, then (in an aggregated zone) on to the zone's node.
    const double d = attachments.road_distance_m[f];
    const XY& a = roads.nodes[static_cast<std::size_t>(node)];
    const XY& b = roads.nodes[static_cast<std::size_t>(model.zone_road_node[z])];
    distance_sum[z] += (std::isfinite(d) ? d : 0.0) + std::hypot(a.x_m - b.x_m, a.y_m - b.y_m);
    ++members[z];
    ++complex_count[z][site.facilities[f].complex];
  }
  std::vector<double> connector_m(facility_zones, 0.0);
  for (std::size_t z = 0; z < facility_zones; ++z) {
    connector_m[z] = distance_sum[z] / members[z];
    int best = -1;
    int best_count = 0;
    for (const auto& [c, count] : complex_count[z]) {
      if (count > best_count) {  // ties: the lower index (the map is ordered)
        best = c;
        best_count = count;
      }
    }
    const int c = best >= 0 && static_cast<std::size_t>(best) < site.complexes.size() ? best : -1;
    model.zone_complex.push_back(c);
    model.zone_gate.push_back(-1);
    const std::string prefix = c >= 0 ? site.complexes[static_cast<std::size_t>(c)].complex_id : "zone";
    model.zone_names.push_back(prefix + "/n" + std::to_string(model.zone_road_node[z]));
  }
  // Gate zones, at the road node nearest each gate.
  if (!roads.nodes.empty()) {
    for (std::size_t g = 0; g < site.gates.size(); ++g) {
      double d = 0.0;
      model.zone_road_node.push_back(nearest_node(roads, site.gates[g].position, d));
      model.zone_complex.push_back(-1);
      model.zone_gate.push_back(static_cast<int>(g));
      model.zone_names.push_back("gate:" + site.gates[g].gate_id);
      connector_m.push_back(d);
    }
  }
  if (hub.enabled) {
    double d = 0.0;
    model.hub_zone = static_cast<int>(model.zone_road_node.size());
    model.zone_road_node.push_back(nearest_node(roads, hub.position, d));
    model.zone_complex.push_back(-1);
    model.zone_gate.push_back(-1);
    model.zone_names.push_back("hub");
    connector_m.push_back(d);
  }
  const auto zones = static_cast<int>(model.zone_road_node.size());
  // Each kind of day's demand is kCarGroupCount + 2 all-pairs matrices of doubles (daily_demand):
  // refused here, before any is allocated, when they cannot fit (50,000 zones ask for 160 GB a day).
  const double zone_pairs = static_cast<double>(zones) * static_cast<double>(zones);
  require_memory(
      static_cast<double>(kTrafficDayCount) * static_cast<double>(kCarGroupCount + 2) * 8.0 * zone_pairs,
      "the traffic demand of " + std::to_string(zones) + " zones (each facility, or each cell of " +
          "zone_cell_m, is a zone; " +
          std::to_string((kCarGroupCount + 2) * static_cast<std::size_t>(kTrafficDayCount)) +
          " zone-by-zone matrices)",
      "group facilities into larger zones with traffic.zone_cell_m (docs/traffic-model.md), "
      "simulate fewer complexes, or leave traffic out of `models`");
  for (const int node : model.zone_road_node)
    model.zone_position.push_back(roads.nodes[static_cast<std::size_t>(node)]);

  TrafficNetwork& net = model.network;
  net.name = "sandan complexes";
  net.zone_count = zones;
  net.first_thru_node = zones;
  net.node_count = zones + road_nodes;
  net.links.reserve(2 * static_cast<std::size_t>(zones) + roads.links.size());
  for (int z = 0; z < zones; ++z) {
    const auto zi = static_cast<std::size_t>(z);
    const bool gate = model.zone_gate[zi] >= 0;
    TrafficLink link;
    link.capacity = kConnectorCapacity;
    link.length = connector_m[zi] / 1000.0;
    link.free_flow_time = gate ? kMinConnectorMinutes : connector_minutes(connector_m[zi]);
    link.b = rates.bpr_b;
    link.power = rates.bpr_power;
    const int road_node = zones + model.zone_road_node[zi];
    const int c = complex_covering(site, model.zone_position[zi]);
    link.from = z;
    link.to = road_node;
    net.links.push_back(link);
    link.from = road_node;
    link.to = z;
    net.links.push_back(link);
    model.link_road_link.insert(model.link_road_link.end(), 2, -1);
    model.link_complex.insert(model.link_complex.end(), 2, c);
  }
  for (std::size_t l = 0; l < roads.links.size(); ++l) {
    const RoadLink& road_link = roads.links[l];
    TrafficLink link;
    link.from = zones + road_link.from_node;
    link.to = zones + road_link.to_node;
    link.capacity = road_link.capacity_veh_h;
    link.length = road_link.length_m / 1000.0;
    link.free_flow_time = road_link.length_m / 1000.0 / road_link.speed_kmh * 60.0;
    link.b = rates.bpr_b;
    link.power = rates.bpr_power;
    net.links.push_back(link);
    model.link_road_link.push_back(static_cast<int>(l));
    const bool has_road = road_link.road >= 0 &&
                          static_cast<std::size_t>(road_link.road) < site.roads.size() &&
                          !site.roads[static_cast<std::size_t>(road_link.road)].geometry.empty();
    const XY& a = roads.nodes[static_cast<std::size_t>(road_link.from_node)];
    const XY& b = roads.nodes[static_cast<std::size_t>(road_link.to_node)];
    const XY mid = has_road ? midpoint(site.roads[static_cast<std::size_t>(road_link.road)].geometry)
                            : XY{0.5 * (a.x_m + b.x_m), 0.5 * (a.y_m + b.y_m)};
    model.link_complex.push_back(complex_covering(site, mid));
  }
  net.build_index();
  return model;
}

DailyDemand daily_demand(const TrafficModel& model, const Site& site, const TripRates& rates, TrafficDay day,
                         const LogisticsHubSpec& hub, const std::vector<int>& simulated,
                         const FreightTours* freight) {
  check_hub(site, hub);
  if (hub.enabled && freight == nullptr) {
    throw Error(ErrorCode::kBadInput,
                "logistics hub: the hub consolidates freight tours; give the scenario traffic.freight "
                "(e.g. ../gis_data/traffic/freight_tours.yaml)");
  }
  if (model.facility_zone.size() != site.facilities.size()) {
    throw Error(ErrorCode::kInternal, "daily_demand: the traffic model was built for another site");
  }
  if (hub.enabled && model.hub_zone < 0) {
    throw Error(ErrorCode::kInternal,
                "daily_demand: the hub is enabled but the traffic model has no hub zone");
  }
  const int zones = model.network.zone_count;
  const auto zone_count = static_cast<std::size_t>(zones);

  DailyDemand demand;
  demand.day = day;
  demand.by_group[index_of(VehicleClass::kCar)].assign(kCarGroupCount, OdMatrix(zones));
  demand.by_group[index_of(VehicleClass::kLightTruck)].assign(1, OdMatrix(zones));
  demand.by_group[index_of(VehicleClass::kHeavyTruck)].assign(1, OdMatrix(zones));

  std::vector<bool> is_facility_zone(zone_count, false);
  for (const int z : model.facility_zone) {
    if (z >= 0) is_facility_zone[static_cast<std::size_t>(z)] = true;
  }
  const auto simulated_complex = [&](int c) {
    return simulated.empty() || std::find(simulated.begin(), simulated.end(), c) != simulated.end();
  };
  const auto in_hub = [&](int c) {
    return hub.enabled && std::find(hub.complexes.begin(), hub.complexes.end(), c) != hub.complexes.end();
  };

  // Attraction of each facility zone (all its facilities, simulated or not) and what the simulated
  // facilities generate.
  std::array<std::vector<double>, kVehicleClassCount> attraction;
  for (auto& a : attraction) a.assign(zone_count, 0.0);
  std::vector<ZoneGeneration> generation(zone_count);
  for (std::size_t f = 0; f < site.facilities.size(); ++f) {
    const int zone = model.facility_zone[f];
    if (zone < 0) continue;
    const auto z = static_cast<std::size_t>(zone);
    const Facility& facility = site.facilities[f];
    const auto ends = trip_ends(facility, rates, day);
    for (const VehicleClass k : kClasses) attraction[index_of(k)][z] += ends[index_of(k)];
    if (!simulated_complex(facility.complex)) continue;
    ZoneGeneration& gen = generation[z];
    gen.any = true;
    gen.car[index_of(facility.shift)] += ends[index_of(VehicleClass::kCar)];
    auto& trucks = gen.trucks[in_hub(facility.complex) ? facility.complex : -1];
    trucks[0] += ends[index_of(VehicleClass::kLightTruck)];
    trucks[1] += ends[index_of(VehicleClass::kHeavyTruck)];
  }

  const auto gates = gate_weights(model, site);
  std::vector<double> row(zone_count, 0.0);
  std::vector<double> deterrence(zone_count, 0.0);
  for (std::size_t z = 0; z < zone_count; ++z) {
    const ZoneGeneration& gen = generation[z];
    if (!gen.any) continue;
    const int origin = static_cast<int>(z);
    const XY& here = model.zone_position[z];
    for (std::size_t d = 0; d < zone_count; ++d) {
      deterrence[d] =
          is_facility_zone[d] && d != z
              ? std::exp(-rates.gravity_beta_per_km * distance_m(here, model.zone_position[d]) / 1000.0)
              : 0.0;
    }
    for (const VehicleClass k : kClasses) {
      const std::size_t ki = index_of(k);
      if (k != VehicleClass::kCar && freight != nullptr) continue;  // trucks: tours, below
      // The gravity row of this class: attraction × exp(−β d), own zone excluded, normalised.
      double sum = 0.0;
      for (std::size_t d = 0; d < zone_count; ++d) {
        row[d] = attraction[ki][d] * deterrence[d];
        sum += row[d];
      }
      if (sum > 0.0) {
        for (double& w : row) w /= sum;
      }
      const double external = rates.external_share[ki];
      // Distributes `ends` trip ends (half out, half in) into out (z → d) and in (d → z).
      const auto distribute = [&](double ends, OdMatrix& out, OdMatrix& in) {
        const double half = 0.5 * ends;
        const auto add = [&](int other, double x) { add_both(out, in, origin, other, x); };
        if (external > 0.0) {
          for (const auto& [gate_zone, weight] : gates) add(gate_zone, half * external * weight);
        }
        if (sum > 0.0 && external < 1.0) {
          for (std::size_t d = 0; d < zone_count; ++d) {
            if (row[d] > 0.0) add(static_cast<int>(d), half * (1.0 - external) * row[d]);
          }
        }
      };
      if (k == VehicleClass::kCar) {
        for (const Shift shift : kShifts) {
          const std::size_t s = index_of(shift);
          if (gen.car[s] <= 0.0) continue;
          auto& groups = demand.by_group[ki];
          distribute(gen.car[s], groups[kShiftCount + s], groups[s]);
        }
      } else if (freight == nullptr) {
        OdMatrix& trips = demand.by_group[ki][0];
        for (const auto& [hub_complex, ends] : gen.trucks) {
          const double value = ends[k == VehicleClass::kLightTruck ? 0 : 1];
          if (value > 0.0) distribute(value, trips, trips);
        }
      }
    }
  }
  if (freight != nullptr) add_freight_tours(model, generation, gates, hub, *freight, demand);
  for (const VehicleClass k : kClasses) {
    double total = 0.0;
    for (const OdMatrix& m : demand.by_group[index_of(k)]) total += m.total();
    demand.total_trips[index_of(k)] = total;
  }
  return demand;
}

std::vector<DemandClass> hourly_demand(const DailyDemand& daily, const TripRates& rates, int hour) {
  std::vector<DemandClass> classes;
  const bool valid_hour = hour >= 0 && hour < kHoursPerDay;
  const auto h = static_cast<std::size_t>(valid_hour ? hour : 0);
  for (const VehicleClass k : kClasses) {
    const std::size_t ki = index_of(k);
    const auto& groups = daily.by_group[ki];
    DemandClass demand;
    demand.name = to_string(k);
    demand.pce = rates.pce[ki];
    demand.trips = OdMatrix(groups.empty() ? 0 : groups.front().zones);
    for (std::size_t g = 0; g < groups.size() && valid_hour; ++g) {
      double share = 0.0;
      if (k == VehicleClass::kCar) {
        share = g < kShiftCount ? rates.car_in_by_shift[g][h]
                                : (g < kCarGroupCount ? rates.car_out_by_shift[g - kShiftCount][h] : 0.0);
      } else {
        share = g == 0 ? rates.truck_profile[h] : 0.0;
      }
      if (share <= 0.0 || groups[g].values.size() != demand.trips.values.size()) continue;
      for (std::size_t i = 0; i < demand.trips.values.size(); ++i)
        demand.trips.values[i] += share * groups[g].values[i];
    }
    classes.push_back(std::move(demand));
  }
  return classes;
}

}  // namespace sandan
