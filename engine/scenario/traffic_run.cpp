#include "scenario/traffic_run.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "config/yaml_check.hpp"
#include "core/error.hpp"
#include "core/geometry.hpp"
#include "gis/crs.hpp"
#include "site/topology.hpp"
#include "traffic/assignment.hpp"
#include "traffic/background.hpp"
#include "traffic/demand.hpp"
#include "traffic/dnl_case.hpp"
#include "traffic/dynamic.hpp"
#include "traffic/dynamic_demand.hpp"
#include "traffic/hub.hpp"
#include "traffic/shortest_path.hpp"
#include "traffic/tours.hpp"

namespace sandan {

namespace {

int complex_index(const Site& site, const std::string& id) {
  for (std::size_t c = 0; c < site.complexes.size(); ++c) {
    if (site.complexes[c].complex_id == id) return static_cast<int>(c);
  }
  return -1;
}

// A hub given by the user must stand within this distance of a road node of the layout: farther,
// its connector would cross land the layout does not describe (the layouts' road nodes lie at most
// a few hundred metres apart inside the complexes).
constexpr double kMaxHubDistanceM = 500.0;

// The hub's settings without its position (choose_hub_position sets that).
LogisticsHubSpec hub_spec(const ScenarioSpec& spec, const Site& site,
                          const std::optional<FreightTours>& freight) {
  LogisticsHubSpec hub;
  if (!spec.logistics_hub || !freight) return hub;
  const LogisticsHubIntervention& h = *spec.logistics_hub;
  hub.enabled = true;
  hub.share = h.share;
  // Vehicles that carry (1 + gain) times the load: 1 / (1 + gain) as many.
  hub.trip_reduction = h.trip_reduction.value_or(1.0 - 1.0 / (1.0 + freight->hub_load_factor_gain));
  for (const std::string& id : h.complexes) hub.complexes.push_back(complex_index(site, id));
  return hub;
}

int nearest_road_node(const RoadGraph& roads, const XY& p, double& distance_m) {
  int best = -1;
  distance_m = std::numeric_limits<double>::infinity();
  for (std::size_t n = 0; n < roads.nodes.size(); ++n) {
    const double d = std::hypot(roads.nodes[n].x_m - p.x_m, roads.nodes[n].y_m - p.y_m);
    if (d < distance_m) {
      distance_m = d;
      best = static_cast<int>(n);
    }
  }
  return best;
}

// Where the hub stands: the user's lat/lon (checked against the layout), or the road node that
// minimises the truck-km of the hub's legs on a workday (a 1-median, Hakimi 1964; traffic/hub.hpp).
void choose_hub_position(const ScenarioSpec& spec, const SiteModel& site_model, const TripRates& rates,
                         const FreightTours& freight, LogisticsHubSpec& hub, TrafficResults::Hub& report) {
  const Site& site = site_model.site;
  const RoadGraph& roads = site_model.roads;
  const LogisticsHubIntervention& h = *spec.logistics_hub;
  if (h.lat_deg && h.lon_deg) {
    const CrsTransform to_site("EPSG:4326", site.crs);
    const XY p = to_site.apply(*h.lon_deg, *h.lat_deg);
    double d = 0.0;
    const int node = nearest_road_node(roads, p, d);
    if (node < 0 || d > kMaxHubDistanceM) {
      throw ConfigError(
          h.where + ": interventions: logistics_hub: lat " + config::format_number(*h.lat_deg) + ", lon " +
              config::format_number(*h.lon_deg) + " lies " +
              (node < 0 ? std::string("far") : config::format_number(std::round(d))) +
              " m from the nearest road node of the layout " + spec.site + " (at most " +
              config::format_number(kMaxHubDistanceM) + " m)",
          {"give a lat/lon inside the layout's road network (`sandan inspect` shows its extent), or drop "
           "lat and lon to let sandan choose the road node of least truck-km"});
    }
    hub.position = p;
    report.chosen_by = "user";
    report.road_node = node;
    report.node_distance_m = d;
    return;
  }
  // The hub's legs do not depend on where it stands: weigh them once with the hub anywhere.
  hub.position = roads.nodes.front();
  const TrafficModel probe =
      build_traffic_model(site, roads, site_model.attachments, rates, hub, spec.traffic.zone_cell_m);
  const DailyDemand workday = daily_demand(probe, site, rates, TrafficDay::kWorkday, hub, {}, &freight);
  const std::vector<double> node_km = hub_node_km(probe, workday.hub_trips);
  const int best = best_hub_node(node_km);
  if (best < 0) {
    throw ConfigError(spec.site + ": no road node reaches every facility and gate the logistics hub serves",
                      {"check one-way roads (`sandan inspect` lists the road graph's components), or give "
                       "the hub's lat and lon in " +
                       h.where});
  }
  hub.position = roads.nodes[static_cast<std::size_t>(best)];
  report.chosen_by = "min_truck_km";
  report.road_node = best;
  report.node_distance_m = 0.0;
  report.candidates = static_cast<int>(
      std::count_if(node_km.begin(), node_km.end(), [](double x) { return std::isfinite(x); }));
}

// The results of the dynamic loading by report interval, zone and class (docs/results-schema.md).
void fill_dynamic_results(const DnlCase& dnl, const DnlResult& result, const DynamicCaseStats& stats,
                          double departures_end_s, TrafficResults& out) {
  const std::size_t reports = result.report_t_s.size();
  const std::size_t links = dnl.links.size();
  const std::size_t zones = dnl.zones.size();
  out.dynamic_enabled = true;
  out.dynamic_start_s = dnl.start_s;
  out.dynamic_end_s = departures_end_s;
  out.dynamic_sim_end_s = dnl.end_s;
  out.dynamic_step_s = dnl.step_s;
  out.dynamic_report_s = dnl.report_s;
  out.dynamic_time_s = result.report_t_s;
  out.dynamic_link_queue_veh.assign(reports * links, 0.0F);
  out.dynamic_link_queue_m.assign(reports * links, 0.0F);
  out.dynamic_link_inflow_veh_h.assign(reports * links, 0.0F);
  out.dynamic_link_outflow_veh_h.assign(reports * links, 0.0F);
  for (std::size_t r = 0; r < reports; ++r) {
    const double length_s = std::min(dnl.report_s, dnl.end_s - result.report_t_s[r]);
    const double per_hour = length_s > 0.0 ? 3600.0 / length_s : 0.0;
    for (std::size_t l = 0; l < links; ++l) {
      const std::size_t cell = r * links + l;
      out.dynamic_link_queue_veh[cell] = static_cast<float>(result.link_queue[cell]);
      // The queue stands at jam density: its length is its PCE over k_jam (of all lanes).
      out.dynamic_link_queue_m[cell] =
          static_cast<float>(result.link_queue_pce[cell] / dnl.links[l].jam_density_veh_km * 1000.0);
      out.dynamic_link_inflow_veh_h[cell] = static_cast<float>(result.link_inflow[cell] * per_hour);
      out.dynamic_link_outflow_veh_h[cell] = static_cast<float>(result.link_outflow[cell] * per_hour);
    }
  }
  out.dynamic_zone_name.clear();
  out.dynamic_zone_kind.clear();
  for (const DnlZone& z : dnl.zones) {
    out.dynamic_zone_name.push_back(z.name);
    out.dynamic_zone_kind.push_back(z.kind);
  }
  out.dynamic_zone_departures.assign(reports * zones, 0.0F);
  out.dynamic_zone_queue_veh.assign(reports * zones, 0.0F);
  for (std::size_t i = 0; i < reports * zones; ++i) {
    out.dynamic_zone_departures[i] = static_cast<float>(result.zone_departures[i]);
    out.dynamic_zone_queue_veh[i] = static_cast<float>(result.zone_queue[i]);
  }
  std::vector<double> delay_sum(reports * zones, 0.0);
  std::vector<int> delay_count(reports * zones, 0);
  const std::size_t classes = dnl.classes.size();
  out.dynamic_classes = dnl.classes;
  out.dynamic_class_vehicles.assign(classes, 0);
  out.dynamic_class_finished.assign(classes, 0);
  out.dynamic_class_mean_travel_time_s.assign(classes, 0.0);
  out.dynamic_class_mean_free_flow_time_s.assign(classes, 0.0);
  for (std::size_t i = 0; i < dnl.vehicles.size(); ++i) {
    const DnlVehicle& v = dnl.vehicles[i];
    const auto k = static_cast<std::size_t>(v.vehicle_class);
    ++out.dynamic_class_vehicles[k];
    if (std::isnan(result.arrived_s[i])) continue;
    const double travel = result.arrived_s[i] - v.depart_s;
    ++out.dynamic_class_finished[k];
    out.dynamic_class_mean_travel_time_s[k] += travel;
    out.dynamic_class_mean_free_flow_time_s[k] += result.free_flow_s[i];
    const auto r = std::min(reports - 1, static_cast<std::size_t>((v.depart_s - dnl.start_s) / dnl.report_s));
    delay_sum[r * zones + static_cast<std::size_t>(v.origin)] += travel - result.free_flow_s[i];
    ++delay_count[r * zones + static_cast<std::size_t>(v.origin)];
  }
  for (std::size_t k = 0; k < classes; ++k) {
    if (out.dynamic_class_finished[k] == 0) continue;
    out.dynamic_class_mean_travel_time_s[k] /= out.dynamic_class_finished[k];
    out.dynamic_class_mean_free_flow_time_s[k] /= out.dynamic_class_finished[k];
  }
  out.dynamic_zone_mean_delay_s.assign(reports * zones, NAN);
  for (std::size_t i = 0; i < reports * zones; ++i) {
    if (delay_count[i] > 0)
      out.dynamic_zone_mean_delay_s[i] = static_cast<float>(delay_sum[i] / delay_count[i]);
  }
  // The queue at a gate: vehicles waiting to enter the road there (its origin queue) and vehicles
  // queued on the links into its node (leaving the complex, or passing). The busiest gate is the one
  // whose queue grows longest; among equal queues (none, on uncongested roads), the one the most
  // vehicles leave from or arrive at.
  std::vector<int> gate_vehicles(zones, 0);
  for (const DnlVehicle& v : dnl.vehicles) {
    ++gate_vehicles[static_cast<std::size_t>(v.origin)];
    ++gate_vehicles[static_cast<std::size_t>(v.destination)];
  }
  out.dynamic_gate_queue_veh.assign(reports * zones, 0.0F);
  int busiest = -1;
  float longest = -1.0F;
  for (std::size_t z = 0; z < zones; ++z) {
    if (dnl.zones[z].kind != "gate") continue;
    float gate_longest = 0.0F;
    for (std::size_t r = 0; r < reports; ++r) {
      float queue = out.dynamic_zone_queue_veh[r * zones + z];
      for (std::size_t l = 0; l < links; ++l) {
        if (dnl.links[l].to == dnl.zones[z].node)
          queue += static_cast<float>(result.link_queue[r * links + l]);
      }
      out.dynamic_gate_queue_veh[r * zones + z] = queue;
      gate_longest = std::max(gate_longest, queue);
    }
    if (gate_longest > longest ||
        (gate_longest == longest && gate_vehicles[z] > gate_vehicles[static_cast<std::size_t>(busiest)])) {
      longest = gate_longest;
      busiest = static_cast<int>(z);
    }
  }
  out.dynamic_busiest_gate.clear();
  out.dynamic_busiest_gate_queue_veh.assign(reports, 0.0F);
  if (busiest >= 0) {
    out.dynamic_busiest_gate = dnl.zones[static_cast<std::size_t>(busiest)].name;
    for (std::size_t r = 0; r < reports; ++r)
      out.dynamic_busiest_gate_queue_veh[r] =
          out.dynamic_gate_queue_veh[r * zones + static_cast<std::size_t>(busiest)];
  }
  out.dynamic_expected_trips = stats.expected_trips;
  out.dynamic_vehicles = static_cast<int>(dnl.vehicles.size());
  out.dynamic_finished = result.finished;
  out.dynamic_vehicle_steps = static_cast<double>(result.vehicle_steps);
  out.dynamic_seconds = result.seconds;
}

}  // namespace

struct TrafficStage::Impl {
  const ScenarioSpec& spec;
  const Site& site;
  TripRates rates;
  const RoadGraph& roads;
  TrafficModel model;
  std::vector<DailyDemand> daily;
  // Background traffic (traffic.background): the file, each external zone's model zone and the links
  // each count site counts.
  bool has_background = false;
  BackgroundTraffic background;
  std::vector<int> external_zone;
  std::vector<std::vector<int>> counted_links;
  DynamicProfiles dynamic_profiles;  // read when spec.traffic.dynamic

  // The hour's demand in parts by profile group: the own classes by group, then every further class
  // of the hour's demand (background traffic) under the "background" profile.
  // `extra`: the hour's further classes (the background's), appended under the "background" profile.
  [[nodiscard]] std::vector<HourDemandPart> dynamic_parts(int hour,
                                                          const std::vector<DemandClass>& extra) const;
  // The case of the dynamic window; cost_of_hour gives the network's link costs at an hour's
  // equilibrium on a workday.
  // `extra_of_hour`: the further classes of each workday hour (the background's; empty without).
  [[nodiscard]] DnlCase dynamic_case(const std::function<std::vector<double>(int)>& cost_of_hour,
                                     const std::vector<std::vector<DemandClass>>& extra_of_hour,
                                     DynamicCaseStats* stats) const;
  // run() and dynamic_case(): with `case_out`, the dynamic window's case is kept there and not simulated.
  [[nodiscard]] TrafficResults run(const std::vector<std::string>& complex_ids, const Calendar& calendar,
                                   int threads, DnlCase* case_out) const;
  std::optional<FreightTours> freight;
  TrafficResults::Hub hub;
  // Free-flow truck-km by day type and truck class: all trucks, and the hub's legs.
  std::vector<std::array<double, kTruckClassCount>> free_flow_truck_km;
  std::vector<std::array<double, kTruckClassCount>> free_flow_hub_km;
  // Trucks a workday on each road link, all-or-nothing at free flow, with and without the hub.
  std::vector<double> hub_trucks_with, hub_trucks_without;
};

std::vector<HourDemandPart> TrafficStage::Impl::dynamic_parts(int hour,
                                                              const std::vector<DemandClass>& extra) const {
  const DailyDemand& workday = daily[static_cast<std::size_t>(TrafficDay::kWorkday)];
  std::vector<HourDemandPart> parts = hourly_demand_parts(workday, rates, hour);
  for (const DemandClass& c : extra) {
    parts.push_back({c.name, c.pce, static_cast<int>(kDynamicGroups.size()) - 1, c.trips});
  }
  return parts;
}

DnlCase TrafficStage::Impl::dynamic_case(const std::function<std::vector<double>(int)>& cost_of_hour,
                                         const std::vector<std::vector<DemandClass>>& extra_of_hour,
                                         DynamicCaseStats* stats) const {
  const TrafficSpec& t = spec.traffic;
  std::vector<std::vector<HourDemandPart>> demand(24);
  std::vector<std::vector<double>> cost(24);
  const int first_hour = static_cast<int>(t.dynamic_start_s / 3600.0);
  const int last_hour = std::min(23, static_cast<int>(std::ceil(t.dynamic_end_s / 3600.0)) - 1);
  for (int hour = first_hour; hour <= last_hour; ++hour) {
    demand[static_cast<std::size_t>(hour)] =
        dynamic_parts(hour, extra_of_hour[static_cast<std::size_t>(hour)]);
    cost[static_cast<std::size_t>(hour)] = cost_of_hour(hour);
  }
  std::vector<std::string> road_ids;
  for (const RoadLink& link : roads.links) {
    road_ids.push_back(link.road >= 0 && static_cast<std::size_t>(link.road) < site.roads.size()
                           ? site.roads[static_cast<std::size_t>(link.road)].road_id
                           : std::string());
  }
  DnlCase dnl = build_dynamic_case(model, roads, road_ids, dynamic_profiles, t.dynamic_start_s,
                                   t.dynamic_end_s, demand, cost, stats);
  dnl.crs = site.crs;
  dnl.name = spec.name + " " + dnl.name;
  return dnl;
}

namespace {

// Trucks (both classes) of a day's demand on each road link, loaded all-or-nothing on free-flow
// shortest paths: the streets are far from capacity, so this is close to the assignment, and it needs
// no second equilibrium for the demand without the hub.
std::vector<double> truck_volumes(const TrafficModel& model, const DailyDemand& day, std::size_t road_links) {
  DemandClass trucks;
  trucks.name = "trucks";
  trucks.pce = 1.0;
  trucks.trips = day.by_group[index_of(VehicleClass::kLightTruck)][0];
  const OdMatrix& heavy = day.by_group[index_of(VehicleClass::kHeavyTruck)][0];
  for (std::size_t i = 0; i < trucks.trips.values.size(); ++i) trucks.trips.values[i] += heavy.values[i];
  std::vector<double> cost;
  cost.reserve(model.network.links.size());
  for (const TrafficLink& link : model.network.links) cost.push_back(link.free_flow_time);
  double sptt = 0.0;
  const std::vector<double> flow = all_or_nothing(model.network, {trucks}, cost, 1, &sptt);
  std::vector<double> by_road(road_links, 0.0);
  for (std::size_t l = 0; l < flow.size(); ++l) {
    const int r = model.link_road_link[l];
    if (r >= 0) by_road[static_cast<std::size_t>(r)] = flow[l];
  }
  return by_road;
}

// The workday's three busiest links of the run and the three whose trucks the hub changes most.
void hub_links(const TrafficStage::Impl& impl, TrafficResults& out) {
  constexpr std::size_t kShown = 3;
  const std::size_t links = out.link_road_id.size();
  const std::size_t classes = out.classes.size();
  if (impl.hub_trucks_with.size() != links || impl.hub_trucks_without.size() != links) return;
  std::vector<double> peak_vc(links, 0.0);
  for (std::size_t l = 0; l < links; ++l) {
    for (std::size_t hour = 0; hour < 24; ++hour) {  // the workday: day type 0
      double pce = 0.0;
      for (std::size_t k = 0; k < classes; ++k)
        pce += out.link_flow_veh_h[(hour * links + l) * classes + k] * out.pce[k];
      // The background traffic loads the same roads (traffic.background).
      const std::size_t bg_classes = out.background_classes.size();
      for (std::size_t k = 0; k < bg_classes && out.background; ++k)
        pce += out.background_flow_veh_h[(hour * links + l) * bg_classes + k] * out.background_pce[k];
      if (out.link_capacity_pce_h[l] > 0.0)
        peak_vc[l] = std::max(peak_vc[l], pce / out.link_capacity_pce_h[l]);
    }
  }
  const auto top = [&](const auto& score) {
    std::vector<std::size_t> order(links);
    for (std::size_t l = 0; l < links; ++l) order[l] = l;
    const std::size_t n = std::min(kShown, links);
    std::partial_sort(
        order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
        [&](std::size_t a, std::size_t b) { return score(a) > score(b) || (score(a) == score(b) && a < b); });
    order.resize(n);
    return order;
  };
  TrafficResults::Hub& h = out.hub;
  const auto add = [&](std::size_t l, const char* kind) {
    h.link.push_back(static_cast<int>(l));
    h.link_kind.emplace_back(kind);
    h.link_peak_vc.push_back(peak_vc[l]);
    h.link_trucks_with.push_back(impl.hub_trucks_with[l]);
    h.link_trucks_without.push_back(impl.hub_trucks_without[l]);
  };
  for (const std::size_t l : top([&](std::size_t l) { return peak_vc[l]; })) add(l, "busiest");
  for (const std::size_t l :
       top([&](std::size_t l) { return std::abs(impl.hub_trucks_with[l] - impl.hub_trucks_without[l]); }))
    add(l, "changed");
}

// The hub's report and the free-flow truck-km the electric hub tours need.
void describe_freight(const ScenarioSpec& spec, const SiteModel& site_model, const TripRates& rates,
                      const FreightTours& freight, const LogisticsHubSpec& hub, TrafficStage::Impl& impl) {
  const Site& site = site_model.site;
  const FreeFlowSkim skim = free_flow_skim(impl.model);
  impl.free_flow_truck_km.assign(kTrafficDayCount, {});
  impl.free_flow_hub_km.assign(kTrafficDayCount, {});
  for (std::size_t d = 0; d < impl.daily.size(); ++d) {
    for (std::size_t t = 0; t < kTruckClassCount; ++t) {
      impl.free_flow_truck_km[d][t] = free_flow_totals(skim, impl.daily[d].by_group[t + 1][0]).km;
      impl.free_flow_hub_km[d][t] = free_flow_totals(skim, impl.daily[d].hub_trips[t]).km;
    }
  }
  if (!hub.enabled) return;
  TrafficResults::Hub& r = impl.hub;
  const LogisticsHubIntervention& h = *spec.logistics_hub;
  r.enabled = true;
  r.complexes = h.complexes;
  r.share = hub.share;
  r.trip_reduction = hub.trip_reduction;
  r.electric_share = h.electric_share;
  r.x_m = hub.position.x_m;
  r.y_m = hub.position.y_m;
  const CrsTransform to_wgs84(site.crs, "EPSG:4326");
  const XY ll = to_wgs84.apply(hub.position.x_m, hub.position.y_m);
  r.lon_deg = ll.x_m;
  r.lat_deg = ll.y_m;
  const TrafficModel& model = impl.model;
  // The facility zone nearest the hub's road node, and the complex covering the hub.
  const XY at = site_model.roads.nodes[static_cast<std::size_t>(r.road_node)];
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t z = 0; z < model.zone_names.size(); ++z) {
    if (model.zone_gate[z] >= 0 || static_cast<int>(z) == model.hub_zone) continue;
    const double d = std::hypot(model.zone_position[z].x_m - at.x_m, model.zone_position[z].y_m - at.y_m);
    if (d < best) {
      best = d;
      r.zone = model.zone_names[z];
    }
  }
  for (const Complex& c : site.complexes) {
    if (covers(c.boundary, hub.position, 1.0)) {
      r.complex = c.complex_id;
      break;
    }
  }
  // With and without the hub on a workday, every truck on free-flow shortest paths.
  const DailyDemand& with = impl.daily[static_cast<std::size_t>(TrafficDay::kWorkday)];
  for (std::size_t t = 0; t < kTruckClassCount; ++t) {
    const FreeFlowTotals x = free_flow_totals(skim, with.by_group[t + 1][0]);
    r.workday_truck_km_with += x.km;
    r.workday_truck_hours_with += x.hours;
    r.workday_hub_tours += with.tours.hub_tours[t];
  }
  LogisticsHubSpec none;
  const TrafficModel plain = build_traffic_model(site, site_model.roads, site_model.attachments, rates, none,
                                                 spec.traffic.zone_cell_m);
  const FreeFlowSkim plain_skim = free_flow_skim(plain);
  const DailyDemand without = daily_demand(plain, site, rates, TrafficDay::kWorkday, none, {}, &freight);
  for (std::size_t t = 0; t < kTruckClassCount; ++t) {
    const FreeFlowTotals x = free_flow_totals(plain_skim, without.by_group[t + 1][0]);
    r.workday_truck_km_without += x.km;
    r.workday_truck_hours_without += x.hours;
  }
  impl.hub_trucks_with = truck_volumes(impl.model, with, site_model.roads.links.size());
  impl.hub_trucks_without = truck_volumes(plain, without, site_model.roads.links.size());
}

}  // namespace

TrafficStage::~TrafficStage() = default;

TrafficStage::TrafficStage(const ScenarioSpec& spec, const SiteModel& site_model)
    : impl_(std::make_unique<Impl>(Impl{spec,
                                        site_model.site,
                                        read_trip_rates(spec.traffic.trip_rates),
                                        site_model.roads,
                                        {},
                                        {},
                                        false,
                                        {},
                                        {},
                                        {},
                                        {},
                                        {},
                                        {},
                                        {},
                                        {},
                                        {},
                                        {}})) {
  if (spec.traffic.trip_rate_factor != 1.0) {
    for (auto& [prefix, r] : impl_->rates.sectors) {
      for (double* rate : {&r.car_per_employee, &r.light_truck_per_firm, &r.heavy_truck_per_firm,
                           &r.light_truck_per_1000m2, &r.heavy_truck_per_1000m2}) {
        *rate *= spec.traffic.trip_rate_factor;
      }
    }
  }
  const Site& site = site_model.site;
  // Without roads every trip would be unassigned and the traffic report zeros.
  if (site.roads.empty()) {
    throw ConfigError(
        spec.site + ": layer 'roads' has no roads, so the traffic cannot be assigned",
        {"give a layout with roads (docs/gis-schema.md), or leave `traffic:` out of " + spec.path});
  }
  if (spec.traffic.dynamic) {
    impl_->dynamic_profiles = read_dynamic_profiles(spec.traffic.dynamic_profiles);
    const double interval = impl_->dynamic_profiles.interval_s;
    std::vector<std::string> problems;
    for (const double t : {spec.traffic.dynamic_start_s, spec.traffic.dynamic_end_s}) {
      if (std::fmod(t, interval) != 0.0) {
        problems.push_back(spec.path + ": traffic.dynamic: " + std::to_string(static_cast<int>(t / 60.0)) +
                           " min after midnight is not on the " +
                           std::to_string(static_cast<int>(interval / 60.0)) +
                           "-minute departure intervals of " + spec.traffic.dynamic_profiles +
                           "; start and end the window on an interval");
      }
    }
    if (!problems.empty())
      throw ConfigError(spec.path + ": the dynamic traffic window does not fit", problems);
  }
  const TripRates& rates = impl_->rates;
  const RoadGraph& roads = impl_->roads;
  if (!spec.traffic.freight.empty()) impl_->freight = read_freight_tours(spec.traffic.freight);
  const FreightTours* freight = impl_->freight ? &*impl_->freight : nullptr;
  if (freight != nullptr) {
    // Tours from a gate need a gate to start from (the depots of the other tours are facilities).
    const bool any_gate =
        std::any_of(site.gates.begin(), site.gates.end(), [](const Gate& g) { return g.share > 0.0; });
    std::vector<std::string> problems;
    for (std::size_t k = 0; k < kTruckClassCount && !any_gate; ++k) {
      if (freight->trucks[k].gate_share <= 0.0) continue;
      problems.push_back(freight->path + ":" + std::to_string(freight->gate_share_line[k]) + ": " +
                         (k == 0 ? "light_truck" : "heavy_truck") +
                         ".gate_share: tours start at the layout's gates, but " + spec.site +
                         " has no gate with a share > 0");
    }
    if (!problems.empty()) {
      problems.emplace_back(
          "set gate_share to 0 (every tour then starts at a facility), or give the layout "
          "gates with shares (docs/gis-schema.md)");
      throw ConfigError(spec.traffic.freight + ": tours from unknown depots", problems);
    }
  }
  LogisticsHubSpec hub = hub_spec(spec, site, impl_->freight);
  if (hub.enabled) choose_hub_position(spec, site_model, rates, *freight, hub, impl_->hub);
  impl_->model =
      build_traffic_model(site, roads, site_model.attachments, rates, hub, spec.traffic.zone_cell_m);
  if (!spec.traffic.background.empty()) {
    // External zones come after the facility, gate and hub zones (a gate's zone serves as its external
    // zone); the own demand is built afterwards on the full zone count.
    impl_->has_background = true;
    impl_->background = read_background_traffic(spec.traffic.background);
    check_background_against_site(impl_->background, site, roads);
    impl_->external_zone = add_external_zones(impl_->model, impl_->background, site, roads);
    impl_->counted_links = count_links(impl_->model, impl_->background, site, roads);
  }
  const TrafficModel& model = impl_->model;
  const TrafficNetwork& net = model.network;

  std::vector<DailyDemand>& daily = impl_->daily;
  daily.reserve(kTrafficDayCount);
  for (int d = 0; d < kTrafficDayCount; ++d) {
    daily.push_back(daily_demand(model, site, rates, static_cast<TrafficDay>(d), hub, {}, freight));
  }
  if (freight != nullptr) describe_freight(spec, site_model, rates, *freight, hub, *impl_);
  // Every pair with demand on any day must be connected; checked once, before the parallel loop.
  {
    std::vector<DemandClass> any;
    for (int hour = 0; hour < 24; ++hour) {
      for (int d = 0; d < kTrafficDayCount; ++d) {
        std::vector<DemandClass> h = hourly_demand(daily[static_cast<std::size_t>(d)], rates, hour);
        if (any.empty()) {
          any = std::move(h);
          continue;
        }
        for (std::size_t k = 0; k < h.size(); ++k) {
          for (std::size_t i = 0; i < h[k].trips.values.size(); ++i)
            any[k].trips.values[i] += h[k].trips.values[i];
        }
      }
    }
    if (impl_->has_background) {
      // Every pair of distinct external zones may get background trips (the gravity seed is positive).
      DemandClass pairs{"background", 1.0, OdMatrix(net.zone_count)};
      for (const int a : impl_->external_zone) {
        for (const int b : impl_->external_zone) {
          if (a >= 0 && b >= 0 && a != b) pairs.trips.at(a, b) = 1.0;
        }
      }
      any.push_back(std::move(pairs));
    }
    const std::vector<std::string> lines = unreachable_demand(net, any);
    if (!lines.empty()) {
      std::vector<std::string> named(lines);
      named.emplace_back("zones: " + std::to_string(net.zone_count) + " (" +
                         (model.zone_names.empty() ? std::string() : model.zone_names.front()) + ", …)");
      throw ConfigError(spec.site +
                            ": the road network does not connect every pair of zones with trips "
                            "(check one-way roads; `sandan inspect` lists the road graph's "
                            "components)",
                        named);
    }
  }
}

TrafficResults TrafficStage::run(const std::vector<std::string>& complex_ids, const Calendar& calendar,
                                 int threads) const {
  return impl_->run(complex_ids, calendar, threads, nullptr);
}

TrafficResults TrafficStage::Impl::run(const std::vector<std::string>& complex_ids, const Calendar& calendar,
                                       int threads, DnlCase* case_out) const {
  TrafficResults out;
  const auto start = std::chrono::steady_clock::now();
  const TrafficNetwork& net = model.network;
  AssignmentOptions options;
  options.algorithm = parse_assignment_algorithm(spec.traffic.algorithm);
  options.target_gap = spec.traffic.target_gap;
  options.max_iterations = spec.traffic.max_iterations;
  options.threads = 1;
  options.check_reachability = false;  // checked above for every hour at once

  const std::size_t road_links = roads.links.size();
  const std::size_t classes = kVehicleClassCount;
  const std::size_t slots = static_cast<std::size_t>(kTrafficDayCount) * 24;
  out.enabled = true;
  out.year = spec.year;
  out.day_types.clear();
  for (int d = 0; d < kTrafficDayCount; ++d)
    out.day_types.emplace_back(to_string(static_cast<TrafficDay>(d)));
  out.classes.clear();
  out.pce.clear();
  for (std::size_t k = 0; k < classes; ++k) {
    out.classes.emplace_back(to_string(kVehicleClasses[k]));
    out.pce.push_back(rates.pce[k]);
  }
  out.days_in_year.assign(kTrafficDayCount, 0);
  for (int day = 0; day < calendar.days(); ++day) {
    ++out.days_in_year[static_cast<std::size_t>(traffic_day(calendar.day_type(day * 24)))];
  }
  out.link_flow_veh_h.assign(slots * road_links * classes, 0.0F);
  out.link_speed_kmh.assign(slots * road_links, 0.0F);
  out.link_time_min.assign(slots * road_links, 0.0F);
  out.relative_gap.assign(slots, 0.0F);
  out.iterations.assign(slots, 0);
  out.daily_trips.assign(static_cast<std::size_t>(kTrafficDayCount) * classes, 0.0);
  for (int d = 0; d < kTrafficDayCount; ++d) {
    for (std::size_t k = 0; k < classes; ++k) {
      out.daily_trips[static_cast<std::size_t>(d) * classes + k] =
          daily[static_cast<std::size_t>(d)].total_trips[k];
    }
  }

  // Network link of each road link (road links appear once each in the assignment network).
  std::vector<int> net_link(road_links, -1);
  for (std::size_t l = 0; l < net.links.size(); ++l) {
    const int r = model.link_road_link[l];
    if (r >= 0) net_link[static_cast<std::size_t>(r)] = static_cast<int>(l);
  }
  out.link_road_id.clear();
  out.link_complex.clear();
  out.link_from_x.clear();
  out.link_from_y.clear();
  out.link_to_x.clear();
  out.link_to_y.clear();
  out.link_length_km.clear();
  out.link_capacity_pce_h.clear();
  out.link_free_speed_kmh.clear();
  for (std::size_t r = 0; r < road_links; ++r) {
    const RoadLink& link = roads.links[r];
    out.link_road_id.push_back(link.road >= 0 && static_cast<std::size_t>(link.road) < site.roads.size()
                                   ? site.roads[static_cast<std::size_t>(link.road)].road_id
                                   : std::string());
    const int l = net_link[r];
    const int cx = l >= 0 ? model.link_complex[static_cast<std::size_t>(l)] : -1;
    out.link_complex.push_back(cx >= 0 ? site.complexes[static_cast<std::size_t>(cx)].complex_id : "");
    out.link_from_x.push_back(roads.nodes[static_cast<std::size_t>(link.from_node)].x_m);
    out.link_from_y.push_back(roads.nodes[static_cast<std::size_t>(link.from_node)].y_m);
    out.link_to_x.push_back(roads.nodes[static_cast<std::size_t>(link.to_node)].x_m);
    out.link_to_y.push_back(roads.nodes[static_cast<std::size_t>(link.to_node)].y_m);
    out.link_length_km.push_back(link.length_m / 1000.0);
    out.link_capacity_pce_h.push_back(link.capacity_veh_h);
    out.link_free_speed_kmh.push_back(link.speed_kmh);
  }

  // Background traffic: the daily OD matrices between the external zones, fitted to the counts minus
  // the complexes' own traffic on the counted links (its all-or-nothing flows at free-flow times,
  // averaged over the year's days as the counts are).
  BackgroundDemand bg_demand;
  const std::size_t bg_classes = has_background ? kBackgroundClassCount : 0;
  const BackgroundTraffic& bg = background;
  const std::size_t counts = bg.counts.size();
  std::vector<double> free_cost(net.links.size());
  for (std::size_t l = 0; l < net.links.size(); ++l) free_cost[l] = link_cost(net, net.links[l], 0.0);
  if (has_background) {
    std::array<std::vector<double>, kBackgroundClassCount> own_aadt;
    for (auto& v : own_aadt) v.assign(net.links.size(), 0.0);
    double year_days = 0.0;
    for (const int n : out.days_in_year) year_days += n;
    for (int d = 0; d < kTrafficDayCount && year_days > 0.0; ++d) {
      const double weight = out.days_in_year[static_cast<std::size_t>(d)] / year_days;
      if (weight <= 0.0) continue;
      // The day's trips by class in vehicles (PCE 1, so the loading counts vehicles): cars and light
      // trucks against the counts' light vehicles, heavy trucks against their heavy vehicles.
      std::array<DemandClass, kBackgroundClassCount> day_trips{
          DemandClass{"light", 1.0, OdMatrix(net.zone_count)},
          DemandClass{"heavy", 1.0, OdMatrix(net.zone_count)}};
      for (int hour = 0; hour < 24; ++hour) {
        const std::vector<DemandClass> h = hourly_demand(daily[static_cast<std::size_t>(d)], rates, hour);
        for (std::size_t k = 0; k < h.size(); ++k) {
          OdMatrix& target = day_trips[k == index_of(VehicleClass::kHeavyTruck) ? 1 : 0].trips;
          for (std::size_t i = 0; i < target.values.size(); ++i) target.values[i] += h[k].trips.values[i];
        }
      }
      for (std::size_t k = 0; k < kBackgroundClassCount; ++k) {
        double sptt = 0.0;
        const std::vector<double> flow = all_or_nothing(net, {day_trips[k]}, free_cost, threads, &sptt);
        for (std::size_t l = 0; l < flow.size(); ++l) own_aadt[k][l] += weight * flow[l];
      }
    }
    bg_demand = synthesize_background(model, bg, external_zone, counted_links, own_aadt);
    out.background = true;
    out.background_classes.assign(kBackgroundClassNames.begin(), kBackgroundClassNames.end());
    out.background_pce.assign(bg.pce.begin(), bg.pce.end());
    out.background_zones.clear();
    for (const int z : external_zone)
      out.background_zones.push_back(model.zone_names[static_cast<std::size_t>(z)]);
    out.background_flow_veh_h.assign(slots * road_links * bg_classes, 0.0F);
    out.background_daily_trips.assign(static_cast<std::size_t>(kTrafficDayCount) * bg_classes, 0.0);
    out.background_count_id.clear();
    out.background_count_road_id.clear();
    out.background_count_aadt_veh.clear();
    for (const CountSite& c : bg.counts) {
      out.background_count_id.push_back(c.id);
      out.background_count_road_id.push_back(c.road_id);
      out.background_count_aadt_veh.push_back(c.aadt_veh);
    }
    out.background_count_flow_veh_h.assign(slots * counts, 0.0F);
    out.background_count_target_veh_h.assign(slots * counts, 0.0F);
    for (std::size_t slot = 0; slot < slots; ++slot) {
      const std::size_t d = slot / 24;
      for (std::size_t a = 0; a < counts; ++a) {
        out.background_count_target_veh_h[slot * counts + a] =
            static_cast<float>(bg.counts[a].aadt_veh * bg.day_factor[d] * bg.profile[d][slot % 24]);
      }
    }
  }

  // Which own OD cells' free-flow routes pass each count site ([count][origin × zones + destination]),
  // found once: the hourly count adjustment takes the own vehicles off the counts by these routes.
  std::vector<std::vector<char>> own_passes(counts);
  if (bg_classes > 0 && counts > 0) {
    const auto zones = static_cast<std::size_t>(net.zone_count);
    std::vector<int> count_of_link(net.links.size(), -1);
    for (std::size_t a = 0; a < counts; ++a) {
      own_passes[a].assign(zones * zones, 0);
      for (const int l : counted_links[a]) count_of_link[static_cast<std::size_t>(l)] = static_cast<int>(a);
    }
    ShortestPathTree tree;
    for (std::size_t o = 0; o < zones; ++o) {
      shortest_path_tree(net, free_cost, static_cast<int>(o), tree);
      for (std::size_t dz = 0; dz < zones; ++dz) {
        for (int node = static_cast<int>(dz); tree.pred_link[static_cast<std::size_t>(node)] >= 0;) {
          const auto l = static_cast<std::size_t>(tree.pred_link[static_cast<std::size_t>(node)]);
          if (count_of_link[l] >= 0)
            own_passes[static_cast<std::size_t>(count_of_link[l])][o * zones + dz] = 1;
          node = net.links[l].from;
        }
      }
    }
  }

  std::vector<std::exception_ptr> errors(slots);
  std::vector<double> background_trips(slots * bg_classes, 0.0);  // each hour's, summed by day below
  // The background classes of each workday hour, for the dynamic window (each slot writes its own).
  std::vector<std::vector<DemandClass>> workday_background(24);
  // Read by the OpenMP pragma's num_threads clause, which the analyzer does not see.
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores)
  const int thread_count = threads > 0 ? threads : omp_get_num_procs();
#pragma omp parallel for schedule(dynamic, 1) num_threads(thread_count)
  for (std::size_t slot = 0; slot < slots; ++slot) {
    try {
      const std::size_t d = slot / 24;
      const int hour = static_cast<int>(slot % 24);
      std::vector<DemandClass> demand = hourly_demand(daily[d], rates, hour);
      if (bg_classes > 0) {
        // The own vehicles of the hour on the count sites (all-or-nothing at free flow, as the routes
        // of the count adjustment), light and heavy: each OD cell's trips on the counts its route passes.
        std::array<std::vector<double>, kBackgroundClassCount> own_on_counts;
        for (auto& v : own_on_counts) v.assign(counts, 0.0);
        for (std::size_t c = 0; c < demand.size(); ++c) {
          const std::size_t k = c == index_of(VehicleClass::kHeavyTruck) ? 1 : 0;
          const std::vector<double>& trips = demand[c].trips.values;
          for (std::size_t cell = 0; cell < trips.size(); ++cell) {
            if (trips[cell] <= 0.0) continue;
            for (std::size_t a = 0; a < counts; ++a) {
              if (own_passes[a][cell] != 0) own_on_counts[k][a] += trips[cell];
            }
          }
        }
        // Background classes after the own three (their flows go to their own dataset).
        for (DemandClass& c :
             background_hourly(bg_demand, bg, static_cast<TrafficDay>(d), hour, &own_on_counts)) {
          background_trips[slot * bg_classes + (demand.size() - classes)] = c.trips.total();
          demand.push_back(std::move(c));
        }
        if (d == static_cast<std::size_t>(TrafficDay::kWorkday) && spec.traffic.dynamic)
          workday_background[static_cast<std::size_t>(hour)].assign(
              demand.begin() + static_cast<long>(classes), demand.end());
      }
      double total = 0.0;
      for (const DemandClass& c : demand) total += c.trips.total();
      std::vector<double> flow(net.links.size(), 0.0);
      std::vector<std::vector<double>> class_flow(classes + bg_classes,
                                                  std::vector<double>(net.links.size(), 0.0));
      if (total > 0.0) {
        AssignmentResult result = assign_traffic(net, demand, options);
        flow = std::move(result.link_flow);
        class_flow = std::move(result.class_flow);
        out.relative_gap[slot] = static_cast<float>(result.relative_gap);
        out.iterations[slot] = result.iterations;
      }
      for (std::size_t r = 0; r < road_links; ++r) {
        const auto l = static_cast<std::size_t>(net_link[r]);
        const double minutes = link_time(net.links[l], flow[l]);
        out.link_speed_kmh[slot * road_links + r] =
            static_cast<float>(minutes > 0.0 ? net.links[l].length / (minutes / 60.0) : 0.0);
        out.link_time_min[slot * road_links + r] = static_cast<float>(minutes);
        for (std::size_t k = 0; k < classes; ++k) {
          out.link_flow_veh_h[(slot * road_links + r) * classes + k] = static_cast<float>(class_flow[k][l]);
        }
        for (std::size_t k = 0; k < bg_classes; ++k) {
          out.background_flow_veh_h[(slot * road_links + r) * bg_classes + k] =
              static_cast<float>(class_flow[classes + k][l]);
        }
      }
      // Modelled vehicles of all classes on each count site's links.
      for (std::size_t a = 0; a < counts; ++a) {
        double v = 0.0;
        for (const int l : counted_links[a]) {
          for (const std::vector<double>& f : class_flow) v += f[static_cast<std::size_t>(l)];
        }
        out.background_count_flow_veh_h[slot * counts + a] = static_cast<float>(v);
      }
    } catch (...) {
      errors[slot] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }

  // The year's vehicle-km and vehicle-hours by area and class.
  out.area_ids = complex_ids;
  out.area_ids.emplace_back("outside");
  const std::size_t areas = out.area_ids.size();
  std::vector<int>& link_area = out.link_area;
  link_area.assign(road_links, static_cast<int>(areas) - 1);
  for (std::size_t r = 0; r < road_links; ++r) {
    const auto it = std::find(complex_ids.begin(), complex_ids.end(), out.link_complex[r]);
    if (!out.link_complex[r].empty() && it != complex_ids.end()) {
      link_area[r] = static_cast<int>(it - complex_ids.begin());
    }
  }
  out.vkt_km.assign(areas * classes, 0.0);
  out.vht_h.assign(areas * classes, 0.0);
  for (std::size_t slot = 0; slot < slots; ++slot) {
    const double days = out.days_in_year[slot / 24];
    for (std::size_t r = 0; r < road_links; ++r) {
      const auto a = static_cast<std::size_t>(link_area[r]);
      const double length = out.link_length_km[r];
      const double speed = out.link_speed_kmh[slot * road_links + r];
      for (std::size_t k = 0; k < classes; ++k) {
        const double v = out.link_flow_veh_h[(slot * road_links + r) * classes + k];
        out.vkt_km[a * classes + k] += days * v * length;
        if (speed > 0.0) out.vht_h[a * classes + k] += days * v * length / speed;
      }
    }
  }
  for (std::size_t slot = 0; slot < slots; ++slot) {
    for (std::size_t k = 0; k < bg_classes; ++k)
      out.background_daily_trips[(slot / 24) * bg_classes + k] += background_trips[slot * bg_classes + k];
  }
  if (bg_classes > 0) {
    // The background's year: vehicle-km on all road links, and each count site's average day.
    out.background_vkt_km.assign(bg_classes, 0.0);
    out.background_count_model_veh.assign(counts, 0.0);
    double year_days = 0.0;
    for (const int n : out.days_in_year) year_days += n;
    for (std::size_t slot = 0; slot < slots; ++slot) {
      const double days = out.days_in_year[slot / 24];
      for (std::size_t r = 0; r < road_links; ++r) {
        for (std::size_t k = 0; k < bg_classes; ++k) {
          out.background_vkt_km[k] += days *
                                      out.background_flow_veh_h[(slot * road_links + r) * bg_classes + k] *
                                      out.link_length_km[r];
        }
      }
      for (std::size_t a = 0; a < counts && year_days > 0.0; ++a)
        out.background_count_model_veh[a] +=
            days / year_days * out.background_count_flow_veh_h[slot * counts + a];
    }
  }
  out.electric_share.assign(classes, 0.0);
  if (freight) {
    out.tours = true;
    for (std::size_t d = 0; d < daily.size(); ++d) {
      const TourSummary& t = daily[d].tours;
      for (std::size_t k = 0; k < kTruckClassCount; ++k) {
        out.tour_count.push_back(t.gate_tours[k] + t.own_tours[k] + t.hub_tours[k]);
        out.tour_stops.push_back(t.stops[k]);
        out.tour_trunk_trips.push_back(t.trunk_trips[k]);
      }
    }
    out.hub = hub;
    if (out.hub.enabled) {
      // The hub's share of each truck class's km over the year (free flow).
      out.hub.km_share.assign(classes, 0.0);
      for (std::size_t k = 0; k < kTruckClassCount; ++k) {
        double all = 0.0;
        double hub_km = 0.0;
        for (std::size_t d = 0; d < daily.size(); ++d) {
          all += out.days_in_year[d] * free_flow_truck_km[d][k];
          hub_km += out.days_in_year[d] * free_flow_hub_km[d][k];
        }
        out.hub.km_share[k + 1] = all > 0.0 ? hub_km / all : 0.0;
      }
      hub_links(*this, out);
    }
  }
  if (spec.traffic.dynamic) {
    // Each hour's equilibrium link costs on a workday: road links from the assignment's times,
    // connectors at their (fixed) free-flow times.
    const auto workday = static_cast<std::size_t>(TrafficDay::kWorkday);
    auto cost_of_hour = [&](int hour) {
      std::vector<double> cost(net.links.size());
      for (std::size_t l = 0; l < net.links.size(); ++l) {
        const int r = model.link_road_link[l];
        cost[l] = r >= 0
                      ? static_cast<double>(
                            out.link_time_min[(workday * 24 + static_cast<std::size_t>(hour)) * road_links +
                                              static_cast<std::size_t>(r)])
                      : link_cost(net, net.links[l], 0.0);
      }
      return cost;
    };
    DynamicCaseStats stats;
    DnlCase dnl = dynamic_case(cost_of_hour, workday_background, &stats);
    if (case_out != nullptr) {
      *case_out = std::move(dnl);
    } else {
      const DnlResult result = simulate_dnl(dnl);
      fill_dynamic_results(dnl, result, stats, spec.traffic.dynamic_end_s, out);
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

DnlCase TrafficStage::dynamic_case(const std::vector<std::string>& complex_ids, const Calendar& calendar,
                                   int threads) const {
  const ScenarioSpec& spec = impl_->spec;
  if (!spec.traffic.dynamic) {
    throw ConfigError(spec.path + ": the scenario has no dynamic traffic window",
                      {"add traffic.dynamic: {profiles: ../gis_data/traffic/dynamic.yaml, start: \"16:00\", "
                       "end: \"20:00\"} (docs/scenarios.md)"});
  }
  // The whole stage as run() does it (the window's routes follow the workday's equilibrium with the
  // background traffic, which is fitted over the year), keeping the case instead of simulating it.
  DnlCase dnl;
  (void)impl_->run(complex_ids, calendar, threads, &dnl);
  return dnl;
}

std::string traffic_key(const ScenarioSpec& spec) {
  // Doubles as hexadecimal floats: exact, so two keys are equal only for equal settings.
  std::ostringstream key;
  key << std::hexfloat << spec.site << '|' << spec.holidays << '|' << spec.year << '|';
  for (const auto& c : spec.complexes) key << c << ',';
  const TrafficSpec& t = spec.traffic;
  key << '|' << t.enabled << '|' << t.trip_rates << '|' << t.algorithm << '|' << t.target_gap << '|'
      << t.max_iterations << '|' << t.zone_cell_m << '|' << t.trip_rate_factor << "|bg|" << t.background
      << '|' << t.freight;
  if (t.dynamic)
    key << "|dynamic|" << t.dynamic_profiles << '|' << t.dynamic_start_s << '|' << t.dynamic_end_s;
  if (spec.logistics_hub) {
    const LogisticsHubIntervention& h = *spec.logistics_hub;
    key << "|hub|" << h.share << '|' << h.trip_reduction.value_or(NAN) << '|' << h.lat_deg.value_or(NAN)
        << '|' << h.lon_deg.value_or(NAN) << '|';
    for (const auto& c : h.complexes) key << c << ',';
  }
  return key.str();
}

void apply_ev_trucks(const ScenarioSpec& spec, TrafficResults& traffic) {
  traffic.electric_share.assign(kVehicleClassCount, 0.0);
  if (spec.ev_trucks) {
    traffic.electric_share[index_of(VehicleClass::kLightTruck)] = spec.ev_trucks->light_truck_share;
    traffic.electric_share[index_of(VehicleClass::kHeavyTruck)] = spec.ev_trucks->heavy_truck_share;
  }
  // The hub's electric tours: its share of the km that are not already electric (the two are
  // independent: ev_trucks electrifies a share of every class's fleet, the hub its own vehicles).
  if (spec.logistics_hub && traffic.hub.enabled && traffic.hub.km_share.size() == kVehicleClassCount) {
    traffic.hub.electric_share = spec.logistics_hub->electric_share;
    for (std::size_t k = 0; k < kVehicleClassCount; ++k) {
      double& e = traffic.electric_share[k];
      e += (1.0 - e) * spec.logistics_hub->electric_share * traffic.hub.km_share[k];
    }
  }
}

}  // namespace sandan
