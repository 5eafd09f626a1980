// traffic/background: the background traffic file reader, its checks against a layout, and the
// synthesis of background OD matrices (gravity + Furness, adjusted to counts by Spiess's method);
// docs/traffic-model.md, "Background traffic".
#include "traffic/background.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include "config/yaml_check.hpp"
#include "core/error.hpp"
#include "core/geometry.hpp"
#include "traffic/profile_yaml.hpp"
#include "traffic/shortest_path.hpp"

namespace sandan {
namespace {

constexpr const char* kSchema = "sandan-background-traffic";
constexpr int kVersion = 1;
constexpr int kHoursPerDay = 24;
// No road in Korea carries a million vehicles a day; above that a figure is a typing error.
constexpr double kMaxDailyVeh = 1e6;
constexpr double kConnectorCapacity = 1e6;
constexpr double kConnectorMinutes = 0.01;
constexpr std::array<const char*, 3> kDayKeys{"workday", "saturday", "rest_day"};

using config::check_range;
using config::describe;
using config::format_number;
using config::indexed;
using config::MapView;
using config::Problems;
using config::read_confidence;
using config::read_figure;
using config::read_text;

void assign(double& target, std::optional<double> value) {
  if (value) target = *value;
}

void read_zones(const MapView& top, BackgroundTraffic& out, Problems& problems) {
  const auto node = top.get("zones");
  if (!node) return;
  if (!node->IsSequence() || node->size() == 0) {
    problems.add(*node, "zones",
                 "must be a non-empty list of external zones, e.g. - {gate: gajwa_ic, daily_veh: ..., "
                 "heavy_share: ...}, got " +
                     describe(*node));
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < node->size(); ++i) {
    const YAML::Node item = (*node)[i];
    const std::string path = indexed("zones", i);
    const MapView map(item, path, problems, {"daily_veh", "heavy_share"}, {"gate", "road_end"});
    if (!map.ok()) continue;
    ExternalZoneSpec zone;
    zone.line = item.Mark().line + 1;
    const auto gate = map.get("gate") ? read_text(map, "gate", problems) : std::nullopt;
    const auto road = map.get("road_end") ? read_text(map, "road_end", problems) : std::nullopt;
    if (map.get("gate").has_value() == map.get("road_end").has_value()) {
      problems.add(item, path,
                   "give exactly one of gate (a gate_id of the layout) and road_end (the road_id of a road "
                   "that ends at the layout's edge)");
    }
    if (gate) zone.gate_id = *gate;
    if (road) zone.road_end = *road;
    const std::string key = gate ? "gate:" + *gate : "road_end:" + road.value_or("");
    if ((gate || road) && !seen.insert(key).second) {
      problems.add(item, path, "repeats the external zone " + key + "; give each gate or road end once");
    }
    const auto daily = read_figure(map, "daily_veh", 0.0, kMaxDailyVeh, problems);
    const auto heavy = read_figure(map, "heavy_share", 0.0, 1.0, problems);
    if (!daily || !heavy) continue;
    zone.daily_veh = *daily;
    zone.heavy_share = *heavy;
    out.zones.push_back(zone);
  }
}

void read_counts(const MapView& top, BackgroundTraffic& out, Problems& problems) {
  const auto node = top.get("counts");
  if (!node) return;
  if (!node->IsSequence()) {
    problems.add(*node, "counts",
                 "must be a list of count sites (an empty list: []), got " + describe(*node));
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < node->size(); ++i) {
    const YAML::Node item = (*node)[i];
    const std::string path = indexed("counts", i);
    const MapView map(item, path, problems,
                      {"id", "name", "road_id", "direction", "aadt_veh", "heavy_share"});
    if (!map.ok()) continue;
    CountSite site;
    site.line = item.Mark().line + 1;
    const auto id = read_text(map, "id", problems);
    const auto name = read_text(map, "name", problems);
    const auto road = read_text(map, "road_id", problems);
    const auto direction = read_text(map, "direction", problems);
    if (direction && *direction != "both" && *direction != "forward" && *direction != "backward") {
      problems.add(
          *map.get("direction"), map.path("direction"),
          "must be both, forward (the road's digitised direction) or backward, got '" + *direction + "'");
    }
    if (id && !seen.insert(*id).second) {
      problems.add(*map.get("id"), map.path("id"),
                   "repeats the count id '" + *id + "'; give each site its own");
    }
    const auto aadt = read_figure(map, "aadt_veh", 0.0, kMaxDailyVeh, problems);
    const auto heavy = read_figure(map, "heavy_share", 0.0, 1.0, problems);
    if (aadt && *aadt <= 0.0) {
      problems.add(*map.get("aadt_veh"), map.path("aadt_veh.value"),
                   "must be > 0 vehicles a day; leave a site without a count out");
    }
    if (!id || !name || !road || !direction || !aadt || !heavy) continue;
    site.id = *id;
    site.name = *name;
    site.road_id = *road;
    site.direction = *direction;
    site.aadt_veh = *aadt;
    site.heavy_share = *heavy;
    const MapView figure(*map.get("aadt_veh"), map.path("aadt_veh"), problems,
                         {"value", "source", "confidence"});
    site.confidence = read_confidence(figure, problems).value_or("");
    out.counts.push_back(site);
  }
}

// The road node at the dead end of a road (the end no other road touches), or -1.
int dead_end_node(const RoadGraph& roads, int road) {
  // A node's degree: the roads that touch it (a two-way road's two links count once).
  std::vector<int> degree(roads.nodes.size(), 0);
  std::set<std::pair<int, int>> seen;  // (node, road)
  for (const RoadLink& link : roads.links) {
    for (const int node : {link.from_node, link.to_node}) {
      if (seen.insert({node, link.road}).second) ++degree[static_cast<std::size_t>(node)];
    }
  }
  for (const RoadLink& link : roads.links) {
    if (link.road != road) continue;
    if (degree[static_cast<std::size_t>(link.from_node)] == 1) return link.from_node;
    if (degree[static_cast<std::size_t>(link.to_node)] == 1) return link.to_node;
  }
  return -1;
}

int road_index(const Site& site, const std::string& road_id) {
  for (std::size_t r = 0; r < site.roads.size(); ++r) {
    if (site.roads[r].road_id == road_id) return static_cast<int>(r);
  }
  return -1;
}

int gate_index(const Site& site, const std::string& gate_id) {
  for (std::size_t g = 0; g < site.gates.size(); ++g) {
    if (site.gates[g].gate_id == gate_id) return static_cast<int>(g);
  }
  return -1;
}

// The road graph links of a road in a count's direction: forward runs from the node nearest the
// geometry's first vertex.
std::vector<int> road_links_of(const Site& site, const RoadGraph& roads, int road,
                               const std::string& direction) {
  std::vector<int> out;
  const Road& r = site.roads[static_cast<std::size_t>(road)];
  const XY start = r.geometry.empty() ? XY{} : r.geometry.front();
  std::vector<int> links;
  for (std::size_t l = 0; l < roads.links.size(); ++l) {
    if (roads.links[l].road == road) links.push_back(static_cast<int>(l));
  }
  for (const int l : links) {
    const RoadLink& link = roads.links[static_cast<std::size_t>(l)];
    const double from_d = distance_m(roads.nodes[static_cast<std::size_t>(link.from_node)], start);
    const double to_d = distance_m(roads.nodes[static_cast<std::size_t>(link.to_node)], start);
    const bool forward = from_d <= to_d;
    if (direction == "both" || (direction == "forward" && forward) || (direction == "backward" && !forward))
      out.push_back(l);
  }
  return out;
}

}  // namespace

BackgroundTraffic read_background_traffic(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "background traffic file");
  Problems problems(path, "(top level)");
  BackgroundTraffic out;
  out.path = path;
  const MapView top(root, "", problems,
                    {"schema", "version", "pce", "synthesis", "day_factors", "profiles", "zones", "counts"});
  if (top.ok()) {
    config::check_schema(top, kSchema, kVersion, problems);
    constexpr double kMaxPce = 10.0;
    if (const auto pce_node = top.get("pce")) {
      const MapView pce(*pce_node, "pce", problems, {"car", "heavy"}, {}, top.key_line("pce"));
      if (pce.ok()) {
        assign(out.pce[0], read_figure(pce, "car", 0.1, kMaxPce, problems));
        assign(out.pce[1], read_figure(pce, "heavy", 0.1, kMaxPce, problems));
      }
    }
    if (const auto s_node = top.get("synthesis")) {
      const MapView s(
          *s_node, "synthesis", problems,
          {"gravity_beta_per_km", "furness_iterations", "furness_tolerance", "adjustment_iterations"}, {},
          top.key_line("synthesis"));
      if (s.ok()) {
        constexpr double kMaxBeta = 10.0;
        constexpr double kMaxIterations = 10000.0;
        assign(out.gravity_beta_per_km, read_figure(s, "gravity_beta_per_km", 0.0, kMaxBeta, problems));
        if (const auto v = read_figure(s, "furness_iterations", 1.0, kMaxIterations, problems))
          out.furness_iterations = static_cast<int>(*v);
        assign(out.furness_tolerance, read_figure(s, "furness_tolerance", 1e-15, 0.1, problems));
        if (const auto v = read_figure(s, "adjustment_iterations", 0.0, kMaxIterations, problems))
          out.adjustment_iterations = static_cast<int>(*v);
      }
    }
    if (const auto f_node = top.get("day_factors")) {
      const MapView f(*f_node, "day_factors", problems, {kDayKeys[0], kDayKeys[1], kDayKeys[2]}, {},
                      top.key_line("day_factors"));
      if (f.ok()) {
        constexpr double kMaxFactor = 3.0;
        for (std::size_t d = 0; d < kDayKeys.size(); ++d)
          assign(out.day_factor[d], read_figure(f, kDayKeys[d], 0.0, kMaxFactor, problems));
      }
    }
    if (const auto p_node = top.get("profiles")) {
      const MapView p(*p_node, "profiles", problems, {kDayKeys[0], kDayKeys[1], kDayKeys[2]}, {},
                      top.key_line("profiles"));
      if (p.ok()) {
        for (std::size_t d = 0; d < kDayKeys.size(); ++d) {
          if (const auto profile = read_profile(p, kDayKeys[d], problems)) out.profile[d] = *profile;
        }
      }
    }
    read_zones(top, out, problems);
    read_counts(top, out, problems);
  }
  if (!problems.list().empty())
    throw ConfigError(path + ": invalid background traffic file", problems.list());
  return out;
}

void check_background_against_site(const BackgroundTraffic& background, const Site& site,
                                   const RoadGraph& roads) {
  Problems problems(background.path);
  for (std::size_t i = 0; i < background.zones.size(); ++i) {
    const ExternalZoneSpec& zone = background.zones[i];
    const std::string path = indexed("zones", i);
    if (!zone.gate_id.empty() && gate_index(site, zone.gate_id) < 0) {
      std::string known;
      for (const Gate& g : site.gates) known += (known.empty() ? "" : ", ") + g.gate_id;
      problems.add(zone.line, path + ".gate",
                   "unknown gate '" + zone.gate_id + "'; the layout's gates are: " + known);
    }
    if (!zone.road_end.empty()) {
      const int road = road_index(site, zone.road_end);
      if (road < 0) {
        problems.add(
            zone.line, path + ".road_end",
            "road '" + zone.road_end +
                "' is not in the layout's roads layer; give the road_id of the link at the road's end "
                "(`sandan inspect` lists the roads)");
      } else if (dead_end_node(roads, road) < 0) {
        problems.add(zone.line, path + ".road_end",
                     "road '" + zone.road_end +
                         "' has no dead end (both its ends meet other roads); give the last link of a road "
                         "that leaves the layout");
      }
    }
  }
  for (std::size_t i = 0; i < background.counts.size(); ++i) {
    const CountSite& count = background.counts[i];
    const std::string path = indexed("counts", i);
    const int road = road_index(site, count.road_id);
    if (road < 0) {
      problems.add(count.line, path + ".road_id",
                   "road '" + count.road_id +
                       "' is not in the layout's roads layer; give a road_id of gis_data (`sandan inspect` "
                       "lists the roads) or leave the count out");
      continue;
    }
    const std::vector<int> links = road_links_of(site, roads, road, count.direction);
    if (links.empty()) {
      problems.add(count.line, path + ".direction",
                   "road '" + count.road_id + "' has no link in direction " + count.direction +
                       " (a one-way road runs forward only); use forward or both");
      continue;
    }
    double capacity = 0.0;
    for (const int l : links) capacity += roads.links[static_cast<std::size_t>(l)].capacity_veh_h;
    const double most = kHoursPerDay * capacity;
    if (count.aadt_veh > most) {
      problems.add(count.line, path + ".aadt_veh.value",
                   format_number(count.aadt_veh) + " vehicles a day is more than road '" + count.road_id +
                       "' can carry in 24 h at its capacity (" + format_number(most) +
                       "); check the figure (a yearly total? both directions on one?) or the road's "
                       "capacity_veh_h");
    }
  }
  if (!problems.list().empty()) {
    throw ConfigError(background.path + ": the background traffic does not fit the layout", problems.list());
  }
}

std::vector<int> add_external_zones(TrafficModel& model, const BackgroundTraffic& background,
                                    const Site& site, const RoadGraph& roads) {
  std::vector<int> zone_of(background.zones.size(), -1);
  std::vector<int> new_nodes;  // road nodes of the zones to add
  for (std::size_t i = 0; i < background.zones.size(); ++i) {
    const ExternalZoneSpec& spec = background.zones[i];
    if (!spec.gate_id.empty()) {
      const int g = gate_index(site, spec.gate_id);
      for (std::size_t z = 0; z < model.zone_gate.size(); ++z) {
        if (g >= 0 && model.zone_gate[z] == g) zone_of[i] = static_cast<int>(z);
      }
      continue;
    }
    const int node = dead_end_node(roads, road_index(site, spec.road_end));
    // A gate already standing on the dead end serves as the zone.
    for (std::size_t z = 0; z < model.zone_gate.size(); ++z) {
      if (model.zone_gate[z] >= 0 && model.zone_road_node[z] == node) zone_of[i] = static_cast<int>(z);
    }
    if (zone_of[i] >= 0 || node < 0) continue;
    const auto existing = std::find(new_nodes.begin(), new_nodes.end(), node);
    const auto k = static_cast<int>(existing - new_nodes.begin());
    if (existing == new_nodes.end()) new_nodes.push_back(node);
    zone_of[i] = model.network.zone_count + k;
  }
  if (new_nodes.empty()) return zone_of;
  // New zones go after all others; every road node moves up by their number, connectors follow the
  // existing links (a link's order only fixes the order of sums).
  const auto added = static_cast<int>(new_nodes.size());
  TrafficNetwork& net = model.network;
  const int old_zones = net.zone_count;
  for (TrafficLink& link : net.links) {
    if (link.from >= old_zones) link.from += added;
    if (link.to >= old_zones) link.to += added;
  }
  for (int k = 0; k < added; ++k) {
    const int node = new_nodes[static_cast<std::size_t>(k)];
    const int zone = old_zones + k;
    model.zone_road_node.push_back(node);
    model.zone_position.push_back(roads.nodes[static_cast<std::size_t>(node)]);
    model.zone_complex.push_back(-1);
    model.zone_gate.push_back(-1);
    model.zone_names.push_back("road_end:n" + std::to_string(node));
    const int road_node = old_zones + added + node;
    const TrafficLink& like = net.links.empty() ? TrafficLink{} : net.links.front();
    for (const auto& [from, to] : {std::pair{zone, road_node}, std::pair{road_node, zone}}) {
      TrafficLink link;
      link.from = from;
      link.to = to;
      link.capacity = kConnectorCapacity;
      link.length = 0.0;
      link.free_flow_time = kConnectorMinutes;
      link.b = like.b;
      link.power = like.power;
      net.links.push_back(link);
      model.link_road_link.push_back(-1);
      model.link_complex.push_back(-1);
    }
  }
  net.zone_count = old_zones + added;
  net.first_thru_node = net.zone_count;
  net.node_count += added;
  net.build_index();
  return zone_of;
}

std::vector<std::vector<int>> count_links(const TrafficModel& model, const BackgroundTraffic& background,
                                          const Site& site, const RoadGraph& roads) {
  std::vector<int> net_link(roads.links.size(), -1);
  for (std::size_t l = 0; l < model.link_road_link.size(); ++l) {
    const int r = model.link_road_link[l];
    if (r >= 0) net_link[static_cast<std::size_t>(r)] = static_cast<int>(l);
  }
  std::vector<std::vector<int>> out;
  for (const CountSite& count : background.counts) {
    std::vector<int> links;
    const int road = road_index(site, count.road_id);
    if (road >= 0) {
      for (const int l : road_links_of(site, roads, road, count.direction)) {
        if (net_link[static_cast<std::size_t>(l)] >= 0)
          links.push_back(net_link[static_cast<std::size_t>(l)]);
      }
    }
    out.push_back(links);
  }
  return out;
}

FurnessResult furness(const std::vector<double>& seed, const std::vector<double>& origins,
                      const std::vector<double>& destinations, int max_iterations, double tolerance) {
  const std::size_t n = origins.size();
  if (seed.size() != n * n || destinations.size() != n) {
    throw Error(ErrorCode::kInternal, "furness: the seed is not n × n for n origins and destinations");
  }
  FurnessResult result;
  result.matrix = seed;
  std::vector<double>& t = result.matrix;
  auto relative = [](double sum, double target) {
    return target > 0.0 ? std::abs(sum - target) / target : std::abs(sum);
  };
  for (int it = 0; it < max_iterations; ++it) {
    // Rows to the origin totals, then columns to the destination totals (one Furness iteration).
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0.0;
      for (std::size_t j = 0; j < n; ++j) sum += t[i * n + j];
      const double f = sum > 0.0 ? origins[i] / sum : 0.0;
      for (std::size_t j = 0; j < n; ++j) t[i * n + j] *= f;
    }
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) sum += t[i * n + j];
      const double f = sum > 0.0 ? destinations[j] / sum : 0.0;
      for (std::size_t i = 0; i < n; ++i) t[i * n + j] *= f;
    }
    result.iterations = it + 1;
    // Columns now match; the rows' error measures convergence.
    double worst = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0.0;
      for (std::size_t j = 0; j < n; ++j) sum += t[i * n + j];
      worst = std::max(worst, relative(sum, origins[i]));
    }
    result.max_relative_error = worst;
    if (worst <= tolerance) break;
  }
  return result;
}

AdjustmentResult spiess_adjust(std::vector<double>& demand, const std::vector<std::vector<int>>& cell_counts,
                               const std::vector<double>& target, const std::vector<double>& base,
                               int iterations) {
  const std::size_t counts = target.size();
  auto flows = [&]() {
    std::vector<double> v(base);
    for (std::size_t i = 0; i < demand.size(); ++i) {
      for (const int a : cell_counts[i]) v[static_cast<std::size_t>(a)] += demand[i];
    }
    return v;
  };
  auto objective = [&](const std::vector<double>& v) {
    double z = 0.0;
    for (std::size_t a = 0; a < counts; ++a) z += 0.5 * (v[a] - target[a]) * (v[a] - target[a]);
    return z;
  };
  AdjustmentResult result;
  std::vector<double> v = flows();
  result.objective_start = objective(v);
  result.objective_end = result.objective_start;
  std::vector<double> gradient(demand.size(), 0.0);
  for (int it = 0; it < iterations; ++it) {
    double max_gradient = 0.0;
    for (std::size_t i = 0; i < demand.size(); ++i) {
      double g = 0.0;
      for (const int a : cell_counts[i])
        g += v[static_cast<std::size_t>(a)] - target[static_cast<std::size_t>(a)];
      gradient[i] = g;
      if (demand[i] > 0.0) max_gradient = std::max(max_gradient, g);
    }
    // The flows' derivative along the step direction.
    std::vector<double> dv(counts, 0.0);
    for (std::size_t i = 0; i < demand.size(); ++i) {
      for (const int a : cell_counts[i]) dv[static_cast<std::size_t>(a)] -= demand[i] * gradient[i];
    }
    double num = 0.0;
    double den = 0.0;
    for (std::size_t a = 0; a < counts; ++a) {
      num += dv[a] * (target[a] - v[a]);
      den += dv[a] * dv[a];
    }
    if (!(den > 0.0) || !(num > 0.0)) break;
    double lambda = num / den;
    // No cell may turn negative: 1 − λ g_i ≥ 0 for every positive gradient.
    if (max_gradient > 0.0) lambda = std::min(lambda, 1.0 / max_gradient);
    for (std::size_t i = 0; i < demand.size(); ++i) demand[i] *= std::max(0.0, 1.0 - lambda * gradient[i]);
    v = flows();
    result.iterations = it + 1;
    const double z = objective(v);
    const double previous = result.objective_end;
    result.objective_end = z;
    // Converged when a step gains less than one part in 10⁹ of the objective.
    if (previous - z <= 1e-9 * previous) break;
  }
  return result;
}

BackgroundDemand synthesize_background(
    const TrafficModel& model, const BackgroundTraffic& background, const std::vector<int>& external_zone,
    const std::vector<std::vector<int>>& counted_links,
    const std::array<std::vector<double>, kBackgroundClassCount>& own_aadt_veh) {
  const TrafficNetwork& net = model.network;
  BackgroundDemand out;
  out.external_zone = external_zone;
  for (OdMatrix& m : out.daily) m = OdMatrix(net.zone_count);
  // External zones by model zone (two specs on one zone add up).
  std::vector<int> zones;
  for (const int z : external_zone) {
    if (z >= 0 && std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  }
  const std::size_t n = zones.size();
  if (n < 2) return out;
  std::array<std::vector<double>, kBackgroundClassCount> ends;
  for (auto& e : ends) e.assign(n, 0.0);
  for (std::size_t i = 0; i < background.zones.size(); ++i) {
    const int z = external_zone[i];
    if (z < 0) continue;
    const auto k = static_cast<std::size_t>(std::find(zones.begin(), zones.end(), z) - zones.begin());
    // Half of a zone's daily volume enters the layout there and half leaves.
    ends[0][k] += 0.5 * background.zones[i].daily_veh * (1.0 - background.zones[i].heavy_share);
    ends[1][k] += 0.5 * background.zones[i].daily_veh * background.zones[i].heavy_share;
  }
  std::vector<double> seed(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;  // intrazonal trips never enter the layout's roads
      const double d_km = distance_m(model.zone_position[static_cast<std::size_t>(zones[i])],
                                     model.zone_position[static_cast<std::size_t>(zones[j])]) /
                          1000.0;
      seed[i * n + j] = std::exp(-background.gravity_beta_per_km * d_km);
    }
  }
  // Routes: free-flow shortest paths between the external zones; cell (i, j) passes count a when its
  // path uses one of a's links.
  std::vector<double> cost(net.links.size());
  for (std::size_t l = 0; l < net.links.size(); ++l) cost[l] = link_cost(net, net.links[l], 0.0);
  std::vector<int> count_of_link(net.links.size(), -1);
  for (std::size_t a = 0; a < counted_links.size(); ++a) {
    for (const int l : counted_links[a]) count_of_link[static_cast<std::size_t>(l)] = static_cast<int>(a);
  }
  std::vector<std::vector<int>> cell_counts(n * n);
  ShortestPathTree tree;
  for (std::size_t i = 0; i < n; ++i) {
    shortest_path_tree(net, cost, zones[i], tree);
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      std::set<int> passed;
      int node = zones[j];
      while (tree.pred_link[static_cast<std::size_t>(node)] >= 0) {
        const int l = tree.pred_link[static_cast<std::size_t>(node)];
        if (count_of_link[static_cast<std::size_t>(l)] >= 0)
          passed.insert(count_of_link[static_cast<std::size_t>(l)]);
        node = net.links[static_cast<std::size_t>(l)].from;
      }
      cell_counts[i * n + j].assign(passed.begin(), passed.end());
    }
  }
  for (std::size_t k = 0; k < kBackgroundClassCount; ++k) {
    FurnessResult f =
        furness(seed, ends[k], ends[k], background.furness_iterations, background.furness_tolerance);
    out.furness_iterations[k] = f.iterations;
    std::vector<double> target;
    std::vector<double> base(background.counts.size(), 0.0);
    for (std::size_t a = 0; a < background.counts.size(); ++a) {
      const CountSite& c = background.counts[a];
      // The count's vehicles of this class that are not the complexes' own.
      const double share = k == 0 ? 1.0 - c.heavy_share : c.heavy_share;
      double own = 0.0;
      for (const int l : counted_links[a]) own += own_aadt_veh[k][static_cast<std::size_t>(l)];
      target.push_back(std::max(0.0, c.aadt_veh * share - own));
    }
    out.adjustment[k] = spiess_adjust(f.matrix, cell_counts, target, base, background.adjustment_iterations);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) out.daily[k].at(zones[i], zones[j]) = f.matrix[i * n + j];
    }
    out.cells[k] = std::move(f.matrix);
  }
  out.zones = std::move(zones);
  out.cell_counts = std::move(cell_counts);
  return out;
}

std::vector<DemandClass> background_hourly(
    const BackgroundDemand& demand, const BackgroundTraffic& background, TrafficDay day, int hour,
    const std::array<std::vector<double>, kBackgroundClassCount>* own_on_counts) {
  std::vector<DemandClass> out;
  const auto d = static_cast<std::size_t>(day);
  const double share = hour >= 0 && hour < kHoursPerDay
                           ? background.day_factor[d] * background.profile[d][static_cast<std::size_t>(hour)]
                           : 0.0;
  const std::size_t n = demand.zones.size();
  const bool adjust = own_on_counts != nullptr && !background.counts.empty() &&
                      background.adjustment_iterations > 0 && demand.cells[0].size() == n * n;
  for (std::size_t k = 0; k < kBackgroundClassCount; ++k) {
    DemandClass c;
    c.name = kBackgroundClassNames[k];
    c.pce = background.pce[k];
    c.trips = demand.daily[k];
    if (!adjust) {
      for (double& v : c.trips.values) v *= share;
      out.push_back(std::move(c));
      continue;
    }
    std::vector<double> cells(demand.cells[k]);
    for (double& v : cells) v *= share;
    std::vector<double> target;
    for (std::size_t a = 0; a < background.counts.size(); ++a) {
      const CountSite& site = background.counts[a];
      const double class_share = k == 0 ? 1.0 - site.heavy_share : site.heavy_share;
      target.push_back(std::max(0.0, site.aadt_veh * share * class_share - (*own_on_counts)[k][a]));
    }
    const std::vector<double> base(target.size(), 0.0);
    (void)spiess_adjust(cells, demand.cell_counts, target, base, background.adjustment_iterations);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) c.trips.at(demand.zones[i], demand.zones[j]) = cells[i * n + j];
    }
    out.push_back(std::move(c));
  }
  return out;
}

double geh(double modelled, double counted) {
  const double sum = modelled + counted;
  return sum > 0.0 ? std::sqrt(2.0 * (modelled - counted) * (modelled - counted) / sum) : 0.0;
}

}  // namespace sandan
