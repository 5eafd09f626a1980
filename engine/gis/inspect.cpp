#include "gis/inspect.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "site/topology.hpp"

namespace sandan {

bool InspectReport::has_errors() const {
  return std::any_of(problems.begin(), problems.end(),
                     [](const Problem& p) { return p.severity == Severity::kError; });
}

namespace {

// A facility further than this from any road node is reported: it has no plausible access.
constexpr double kFarFromRoadM = 500.0;
// Gate shares should sum to one; a small slack absorbs rounding in hand-edited files.
constexpr double kShareSlack = 1e-3;
constexpr std::size_t kMaxListed = 10;

void warn(std::vector<Problem>& problems, const std::string& layer, const std::string& id,
          const std::string& field, const std::string& message) {
  problems.push_back({Severity::kWarning, "", layer, id, field, message});
}

// Streets along a complex's edge count as the complex's; where two complexes share an edge, the
// first listed takes it.
constexpr double kEdgeToleranceM = 1.0;

int complex_of(const Site& site, const XY& p) {
  for (std::size_t c = 0; c < site.complexes.size(); ++c) {
    if (covers(site.complexes[c].boundary, p, kEdgeToleranceM)) return static_cast<int>(c);
  }
  return -1;
}

void analyse(const Site& site, InspectReport& report) {
  report.crs = site.crs;
  report.complexes.clear();
  for (const auto& c : site.complexes) {
    ComplexSummary s;
    s.complex_id = c.complex_id;
    s.name = c.name;
    s.name_ko = c.name_ko;
    s.role = to_string(c.role);
    s.area_km2 = area_m2(c.boundary) / 1e6;
    report.complexes.push_back(s);
  }
  for (const auto& f : site.facilities) {
    if (f.complex < 0) continue;
    ComplexSummary& s = report.complexes[f.complex];
    ++s.facilities;
    s.firms += f.firms;
    s.employees += f.employees;
    s.floor_area_m2 += f.floor_area_m2;
    s.roof_area_m2 += f.roof_area_m2;
    if (!contains(site.complexes[f.complex].boundary, centroid(f.footprint))) {
      warn(report.problems, "facilities", f.facility_id, "geometry",
           "footprint lies outside its complex '" + site.complexes[f.complex].complex_id + "'");
    }
  }
  for (const auto& r : site.roads) {
    const double km = length_m(r.geometry) / 1e3;
    report.road_km += km;
    const int c = complex_of(site, midpoint(r.geometry));
    if (c >= 0) report.complexes[c].road_km += km;
  }
  for (const auto& seg : site.feeders) {
    const double km = seg.length_m / 1e3;
    report.feeder_km += km;
    const int c = complex_of(site, midpoint(seg.geometry));
    if (c >= 0) report.complexes[c].feeder_km += km;
  }
  for (const auto& s : site.substations) {
    const int c = complex_of(site, s.position);
    if (c >= 0) ++report.complexes[c].substations;
  }

  const RoadGraph graph = build_road_graph(site);
  report.road_nodes = static_cast<int>(graph.nodes.size());
  report.road_links = static_cast<int>(graph.links.size());
  const Components scc = strongly_connected_components(graph);
  report.road_components = scc.count;
  report.largest_component_share = graph.nodes.empty() ? 0.0
                                                       : static_cast<double>(scc.component_size.front()) /
                                                             static_cast<double>(graph.nodes.size());
  if (scc.count > 1) {
    // Name a road of each smaller component so the user can find it.
    std::vector<std::string> example(scc.count);
    for (const auto& link : graph.links) {
      const int comp = scc.node_component[link.from_node];
      if (comp > 0 && example[comp].empty()) example[comp] = site.roads[link.road].road_id;
    }
    for (int comp = 1; comp < scc.count && comp <= static_cast<int>(kMaxListed); ++comp) {
      warn(report.problems, "roads", example[comp], "",
           "road network is not strongly connected: this road is in a part of " +
               std::to_string(scc.component_size[comp]) +
               " node(s) that cannot reach, or be reached from, the main network; join its ends to "
               "other roads (endpoints within 0.5 m merge) or check its one-way direction");
    }
    if (scc.count - 1 > static_cast<int>(kMaxListed)) {
      warn(report.problems, "roads", "", "",
           std::to_string(scc.count - 1 - static_cast<int>(kMaxListed)) +
               " more disconnected parts not listed");
    }
  }

  const FeederTopology feeders = build_feeder_topology(site);
  std::set<std::string> feeder_ids;
  for (const auto& seg : site.feeders) feeder_ids.insert(seg.feeder_id);
  report.feeders = static_cast<int>(feeder_ids.size());
  report.feeder_segments = static_cast<int>(site.feeders.size());
  report.feeder_buses = static_cast<int>(feeders.bus_ids.size()) - static_cast<int>(site.substations.size());
  report.feeder_loops = static_cast<int>(feeders.loop_segments.size());
  report.unreached_buses = static_cast<int>(feeders.unreached_buses.size());
  for (std::size_t i = 0; i < feeders.loop_segments.size() && i < kMaxListed; ++i) {
    warn(report.problems, "feeders", site.feeders[feeders.loop_segments[i]].segment_id, "to_bus",
         "segment closes a loop: its bus is already fed from a substation; a radial feeder must be a "
         "tree (open a tie switch by removing the segment, or give it another to_bus)");
  }
  for (std::size_t i = 0; i < feeders.unreached_buses.size() && i < kMaxListed; ++i) {
    warn(report.problems, "feeders", feeders.bus_ids[feeders.unreached_buses[i]], "",
         "bus is not connected to any substation");
  }

  const Attachments attach = attach_facilities(site, graph, feeders);
  for (std::size_t f = 0; f < site.facilities.size(); ++f) {
    if (attach.road_node[f] < 0) continue;
    report.max_road_distance_m = std::max(report.max_road_distance_m, attach.road_distance_m[f]);
    if (attach.road_distance_m[f] > kFarFromRoadM) {
      char text[160];
      std::snprintf(text, sizeof text, "nearest road node is %.0f m away", attach.road_distance_m[f]);
      warn(report.problems, "facilities", site.facilities[f].facility_id, "geometry", text);
    }
  }
  if (!site.facilities.empty() && site.roads.empty()) {
    warn(report.problems, "roads", "", "", "no roads: facilities cannot be reached");
  }
  if (!site.gates.empty()) {
    double share = 0.0;
    for (const auto& g : site.gates) share += g.share;
    if (std::abs(share - 1.0) > kShareSlack) {
      char text[160];
      std::snprintf(text, sizeof text, "gate shares sum to %.4f, not 1; external trips will be scaled",
                    share);
      warn(report.problems, "gates", "", "share", text);
    }
  }
}

std::string fmt(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

}  // namespace

InspectReport inspect_sources(const std::vector<std::string>& sources, const ReadOptions& options) {
  SiteReadResult read = read_site(sources, options);
  InspectReport report;
  report.sources = sources;
  report.layers = read.layers;
  report.problems = read.problems;
  analyse(read.site, report);
  // Errors first, then warnings, each in the order found.
  std::stable_partition(report.problems.begin(), report.problems.end(),
                        [](const Problem& p) { return p.severity == Severity::kError; });
  return report;
}

InspectReport inspect_site(const Site& site) {
  InspectReport report;
  analyse(site, report);
  return report;
}

std::string to_text(const InspectReport& report) {
  std::string out;
  out += "Sources: ";
  for (std::size_t i = 0; i < report.sources.size(); ++i) out += (i ? ", " : "") + report.sources[i];
  out += "\nWorking CRS: " + report.crs + "\n\nLayers\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %-12s %-16s %-12s %9s  %s\n", "layer", "geometry", "CRS", "features",
                "source");
  out += line;
  for (const auto& l : report.layers) {
    std::snprintf(line, sizeof line, "  %-12s %-16s %-12s %9lld  %s\n", l.name.c_str(),
                  l.geometry_type.c_str(), l.crs.c_str(), l.features, l.source.c_str());
    out += line;
  }
  out += "\nComplexes (synthetic layouts say so in their README; figures are sums over the layout)\n";
  std::snprintf(line, sizeof line, "  %-15s %-6s %8s %6s %6s %9s %12s %12s %8s %9s %4s\n", "complex", "role",
                "area km2", "facil.", "firms", "employees", "floor m2", "roof m2", "road km", "feeder km",
                "subs");
  out += line;
  ComplexSummary total;
  for (const auto& c : report.complexes) {
    std::snprintf(line, sizeof line, "  %-15s %-6s %8.3f %6d %6lld %9lld %12.0f %12.0f %8.2f %9.2f %4d\n",
                  c.complex_id.c_str(), c.role.c_str(), c.area_km2, c.facilities, c.firms, c.employees,
                  c.floor_area_m2, c.roof_area_m2, c.road_km, c.feeder_km, c.substations);
    out += line;
    total.area_km2 += c.area_km2;
    total.facilities += c.facilities;
    total.firms += c.firms;
    total.employees += c.employees;
    total.floor_area_m2 += c.floor_area_m2;
    total.roof_area_m2 += c.roof_area_m2;
    total.road_km += c.road_km;
    total.feeder_km += c.feeder_km;
    total.substations += c.substations;
  }
  std::snprintf(line, sizeof line, "  %-15s %-6s %8.3f %6d %6lld %9lld %12.0f %12.0f %8.2f %9.2f %4d\n",
                "total", "", total.area_km2, total.facilities, total.firms, total.employees,
                total.floor_area_m2, total.roof_area_m2, total.road_km, total.feeder_km, total.substations);
  out += line;
  out += "\nRoad graph: " + std::to_string(report.road_nodes) + " nodes, " +
         std::to_string(report.road_links) + " directed links, " + fmt("%.2f", report.road_km) +
         " km of road; " + std::to_string(report.road_components) +
         " strongly connected component(s), the largest holding " +
         fmt("%.1f", 100.0 * report.largest_component_share) + " % of nodes\n";
  out += "Feeders: " + std::to_string(report.feeders) + " feeders, " +
         std::to_string(report.feeder_segments) + " segments, " + std::to_string(report.feeder_buses) +
         " buses, " + fmt("%.2f", report.feeder_km) + " km; " + std::to_string(report.feeder_loops) +
         " loop(s), " + std::to_string(report.unreached_buses) + " bus(es) not reached from a substation\n";
  out += "Facilities: farthest from a road node " + fmt("%.0f", report.max_road_distance_m) + " m\n";
  std::size_t errors = 0;
  for (const auto& p : report.problems) errors += p.severity == Severity::kError ? 1 : 0;
  out += "\nProblems: " + std::to_string(errors) + " error(s), " +
         std::to_string(report.problems.size() - errors) + " warning(s)\n";
  for (const auto& p : report.problems) out += "  " + p.to_string() + "\n";
  return out;
}

std::string to_json(const InspectReport& report) {
  nlohmann::ordered_json j;
  j["sources"] = report.sources;
  j["crs"] = report.crs;
  j["layers"] = nlohmann::ordered_json::array();
  for (const auto& l : report.layers) {
    j["layers"].push_back({{"name", l.name},
                           {"source", l.source},
                           {"crs", l.crs},
                           {"geometry_type", l.geometry_type},
                           {"features", l.features}});
  }
  j["complexes"] = nlohmann::ordered_json::array();
  for (const auto& c : report.complexes) {
    j["complexes"].push_back({{"complex_id", c.complex_id},
                              {"name", c.name},
                              {"name_ko", c.name_ko},
                              {"role", c.role},
                              {"area_km2", c.area_km2},
                              {"facilities", c.facilities},
                              {"firms", c.firms},
                              {"employees", c.employees},
                              {"floor_area_m2", c.floor_area_m2},
                              {"roof_area_m2", c.roof_area_m2},
                              {"road_km", c.road_km},
                              {"feeder_km", c.feeder_km},
                              {"substations", c.substations}});
  }
  j["road_graph"] = {{"nodes", report.road_nodes},
                     {"links", report.road_links},
                     {"km", report.road_km},
                     {"strongly_connected_components", report.road_components},
                     {"largest_component_share", report.largest_component_share}};
  j["feeders"] = {{"feeders", report.feeders},    {"segments", report.feeder_segments},
                  {"buses", report.feeder_buses}, {"km", report.feeder_km},
                  {"loops", report.feeder_loops}, {"unreached_buses", report.unreached_buses}};
  j["max_facility_road_distance_m"] = report.max_road_distance_m;
  j["problems"] = nlohmann::ordered_json::array();
  for (const auto& p : report.problems) {
    j["problems"].push_back({{"severity", p.severity == Severity::kError ? "error" : "warning"},
                             {"source", p.source},
                             {"layer", p.layer},
                             {"feature_id", p.feature_id},
                             {"field", p.field},
                             {"message", p.message}});
  }
  return j.dump(2) + "\n";
}

}  // namespace sandan
