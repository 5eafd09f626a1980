// traffic/dnl_case: reading and writing the case folder of a dynamic network loading (dnl_case.hpp).
#include "traffic/dnl_case.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "config/yaml_check.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "traffic/number_text.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

// Problems listed per file before the rest are only counted.
constexpr std::size_t kMaxProblemsPerFile = 50;
constexpr double kMaxStepS = 60.0;
constexpr double kDayS = 86400.0;
constexpr double kMaxSpeedKmh = 200.0;
constexpr double kMaxPce = 10.0;
// The same lower bound as the trip rates' PCE (read_trip_rates): a link's FIFO holds its storage
// divided by the smallest PCE, so a tiny PCE would make it unbounded (shown with the dnl_case fuzz
// harness: UBSan, an int overflow).
constexpr double kMinPce = 0.1;
// Bounds that keep a link's state in the simulation finite (shown with the dnl_case fuzz harness: a
// link of 10^9 m made simulate_dnl allocate gigabytes for its history and FIFO, one of 10^15 m
// overflowed their sizes).
// 100 km is beyond any road between two junctions of an industrial complex's network; a stopped car
// takes at least 4 m of a lane (its length plus a gap), so jam densities above 1000 / 4 = 250 PCE/km
// a lane are not physical; an hour to cross a link (at free speed, or for the backward wave) bounds
// the steps of history the LTM keeps for it.
constexpr double kMaxLengthM = 100000.0;
constexpr double kMaxJamPerLaneKm = 250.0;
constexpr double kMaxLinkTimeS = 3600.0;
constexpr int kMaxLanes = 20;

const char* const kNodesHeader = "node,x_m,y_m";
const char* const kLinksHeader =
    "link,from,to,length_m,lanes,free_speed_kmh,capacity_veh_h,jam_density_veh_km,road_id";
const char* const kZonesHeader = "zone,name,kind,node";
const char* const kVehiclesHeader = "vehicle,depart_s,class,pce,origin,destination,route";

class Problems {
 public:
  void add(const std::string& file, int line, const std::string& message) {
    if (++per_file_[file] > kMaxProblemsPerFile) return;
    list_.push_back(file + ":" + std::to_string(line) + ": " + message);
  }
  void add(const std::string& text) { list_.push_back(text); }
  [[nodiscard]] bool empty() const { return list_.empty(); }
  [[nodiscard]] std::vector<std::string> list() const {
    std::vector<std::string> all = list_;
    for (const auto& [file, n] : per_file_) {
      if (n > kMaxProblemsPerFile)
        all.push_back(file + ": … and " + std::to_string(n - kMaxProblemsPerFile) + " more problems");
    }
    return all;
  }

 private:
  std::vector<std::string> list_;
  std::map<std::string, std::size_t> per_file_;
};

std::vector<std::string_view> split(std::string_view line, char separator) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = line.find(separator, start);
    fields.push_back(line.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return fields;
    start = at + 1;
  }
}

// The rows of a CSV file after its header (which must be `header`), each with its line number.
struct Rows {
  std::string file;
  std::vector<std::pair<int, std::vector<std::string>>> rows;
};

std::optional<Rows> read_rows(const std::string& dir, const std::string& name, const char* header,
                              Problems& problems) {
  Rows out;
  out.file = (fs::path(dir) / name).string();
  const std::string why = unreadable_text_input(out.file, name);
  if (!why.empty()) {
    problems.add(why);
    return std::nullopt;
  }
  std::ifstream in(out.file, std::ios::binary);
  std::string line;
  int number = 0;
  const std::size_t columns = split(header, ',').size();
  bool have_header = false;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    if (line.empty()) continue;
    if (!have_header) {
      if (line != header) {
        problems.add(out.file, number,
                     "the header must be '" + std::string(header) + "', got '" + line +
                         "'; write the columns of schema sandan-dnl-case v1 in this order");
        return std::nullopt;
      }
      have_header = true;
      continue;
    }
    const std::vector<std::string_view> fields = split(line, ',');
    if (fields.size() != columns) {
      problems.add(out.file, number,
                   std::to_string(fields.size()) + " fields, expected " + std::to_string(columns) + " (" +
                       header + "); names must not contain commas");
      continue;
    }
    std::vector<std::string> row;
    row.reserve(fields.size());
    for (const std::string_view f : fields) row.emplace_back(f);
    out.rows.emplace_back(number, std::move(row));
  }
  if (!have_header) {
    problems.add(out.file, 1, "empty; the first line must be the header '" + std::string(header) + "'");
    return std::nullopt;
  }
  return out;
}

// A number of a row; NaN and infinities are refused.
std::optional<double> number(const Rows& rows, int line, const std::string& text, const char* column,
                             Problems& problems) {
  const auto value = parse_number(text);
  if (!value || !std::isfinite(*value)) {
    problems.add(rows.file, line,
                 std::string(column) + ": '" + text + "' is not a finite number; write a decimal number");
    return std::nullopt;
  }
  return value;
}

std::optional<int> whole(const Rows& rows, int line, const std::string& text, const char* column,
                         Problems& problems) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
    problems.add(rows.file, line, std::string(column) + ": '" + text + "' is not a whole number");
    return std::nullopt;
  }
  return value;
}

// Ids must be 0, 1, 2, … in row order, so that they index the rows.
bool check_id(const Rows& rows, int line, const std::string& text, std::size_t expected, const char* column,
              Problems& problems) {
  const auto id = whole(rows, line, text, column, problems);
  if (!id) return false;
  if (*id < 0 || static_cast<std::size_t>(*id) != expected) {
    problems.add(rows.file, line,
                 std::string(column) + " " + text + " out of order: expected " + std::to_string(expected) +
                     "; number the rows 0, 1, 2, … in order");
    return false;
  }
  return true;
}

void read_case_yaml(const std::string& dir, DnlCase& out, Problems& all) {
  const std::string file = (fs::path(dir) / "case.yaml").string();
  const std::string why = unreadable_text_input(file, "case file");
  if (!why.empty()) {
    all.add(why);
    return;
  }
  std::vector<std::string> parse_problems;
  const YAML::Node root = config::parse_yaml_file(file, "case file", parse_problems);
  for (const std::string& p : parse_problems) all.add(p);
  if (!parse_problems.empty()) return;
  config::Problems problems(file);
  const config::MapView top(root, "", problems, {"schema", "version", "name", "crs", "start_s", "end_s"},
                            {"step_s", "report_s"});
  if (top.ok()) {
    config::check_schema(top, kDnlCaseSchema, kDnlCaseVersion, problems);
    if (auto v = config::read_text(top, "name", problems)) out.name = *v;
    if (auto v = config::read_text(top, "crs", problems)) out.crs = *v;
    auto in_range = [&](const char* key, double lo, double hi) -> std::optional<double> {
      const auto node = top.get(key);
      if (!node) return std::nullopt;
      return config::as_number_in(*node, key, lo, hi, problems);
    };
    if (auto v = in_range("start_s", 0.0, 7 * kDayS)) out.start_s = *v;
    if (auto v = in_range("end_s", 0.0, 8 * kDayS)) out.end_s = *v;
    if (auto v = in_range("step_s", 0.01, kMaxStepS)) out.step_s = *v;
    if (auto v = in_range("report_s", 0.01, kDayS)) out.report_s = *v;
    // Only when end_s is there: a missing end_s is already listed, and its default (3600) may lie
    // before a given start_s (shown with the dnl_case fuzz harness: the check used the absent key's node).
    const auto end_node = top.get("end_s");
    if (end_node && out.end_s <= out.start_s) {
      problems.add(*end_node, "end_s",
                   "must be after start_s (" + number_text(out.start_s) + "), got " + number_text(out.end_s));
    }
    if (out.report_s < out.step_s && top.get("report_s")) {
      problems.add(*top.get("report_s"), "report_s",
                   "must be at least step_s (" + number_text(out.step_s) + ")");
    }
  }
  for (const std::string& p : problems.list()) all.add(p);
}

}  // namespace

DnlCase read_dnl_case(const std::string& dir) {
  DnlCase out;
  Problems problems;
  if (!fs::is_directory(dir)) {
    throw ConfigError(dir + ": not a case folder",
                      {"give a folder with case.yaml, nodes.csv, links.csv, zones.csv and vehicles.csv "
                       "(schema sandan-dnl-case v1, docs/traffic-model.md)"});
  }
  read_case_yaml(dir, out, problems);

  if (auto rows = read_rows(dir, "nodes.csv", kNodesHeader, problems)) {
    for (const auto& [line, r] : rows->rows) {
      check_id(*rows, line, r[0], out.nodes.size(), "node", problems);
      const auto x = number(*rows, line, r[1], "x_m", problems);
      const auto y = number(*rows, line, r[2], "y_m", problems);
      out.nodes.push_back({x.value_or(0.0), y.value_or(0.0)});
    }
  }
  const auto n_nodes = static_cast<int>(out.nodes.size());
  auto known_node = [&](const Rows& rows, int line, const std::string& text, const char* column) -> int {
    const auto id = whole(rows, line, text, column, problems);
    if (!id) return -1;
    if (*id < 0 || *id >= n_nodes) {
      problems.add(rows.file, line,
                   std::string(column) + " " + text + " is not a node of nodes.csv (0.." +
                       std::to_string(n_nodes - 1) + ")");
      return -1;
    }
    return *id;
  };

  if (auto rows = read_rows(dir, "links.csv", kLinksHeader, problems)) {
    for (const auto& [line, r] : rows->rows) {
      DnlLink link;
      check_id(*rows, line, r[0], out.links.size(), "link", problems);
      link.from = known_node(*rows, line, r[1], "from");
      link.to = known_node(*rows, line, r[2], "to");
      if (link.from >= 0 && link.from == link.to)
        problems.add(rows->file, line, "from and to are the same node; a link joins two nodes");
      const auto length = number(*rows, line, r[3], "length_m", problems);
      if (length && (*length <= 0.0 || *length > kMaxLengthM))
        problems.add(rows->file, line,
                     "length_m must be in (0, 100000], got " + r[3] + "; split a longer road");
      link.length_m = length.value_or(1.0);
      const auto lanes = whole(*rows, line, r[4], "lanes", problems);
      if (lanes && (*lanes < 1 || *lanes > kMaxLanes))
        problems.add(rows->file, line, "lanes must be in [1, 20], got " + r[4]);
      link.lanes = lanes.value_or(1);
      const auto speed = number(*rows, line, r[5], "free_speed_kmh", problems);
      if (speed && (*speed <= 0.0 || *speed > kMaxSpeedKmh))
        problems.add(rows->file, line, "free_speed_kmh must be in (0, 200], got " + r[5]);
      const auto capacity = number(*rows, line, r[6], "capacity_veh_h", problems);
      if (capacity && *capacity <= 0.0)
        problems.add(rows->file, line, "capacity_veh_h must be > 0, got " + r[6]);
      const auto jam = number(*rows, line, r[7], "jam_density_veh_km", problems);
      if (speed && capacity && jam && *speed > 0.0 && *jam <= *capacity / *speed) {
        problems.add(rows->file, line,
                     "jam_density_veh_km " + r[7] + " must exceed capacity / free speed (" +
                         number_text(*capacity / *speed) +
                         " PCE/km, the critical density), else the backward wave speed is not positive; "
                         "≈145 PCE/km a lane is typical");
      }
      if (jam && lanes && *lanes >= 1 && *jam > kMaxJamPerLaneKm * *lanes) {
        problems.add(rows->file, line,
                     "jam_density_veh_km " + r[7] + " is above 250 PCE/km a lane (" +
                         number_text(kMaxJamPerLaneKm * *lanes) + " for " + r[4] +
                         " lanes); the jam density is of the whole link, ≈145 PCE/km a lane");
      }
      link.free_speed_kmh = speed.value_or(50.0);
      link.capacity_veh_h = capacity.value_or(1800.0);
      link.jam_density_veh_km = jam.value_or(145.0);
      link.road_id = r[8];
      // The times to cross the link, once its numbers are valid (else they are already listed).
      if (length && speed && capacity && jam && link.length_m > 0.0 && link.length_m <= kMaxLengthM &&
          link.free_speed_kmh > 0.0 && link.free_speed_kmh <= kMaxSpeedKmh && link.capacity_veh_h > 0.0 &&
          link.jam_density_veh_km > link.capacity_veh_h / link.free_speed_kmh) {
        const double free_s = link.length_m / (link.free_speed_kmh / 3.6);
        const double wave_s = link.length_m / (backward_wave_kmh(link) / 3.6);
        if (!(free_s <= kMaxLinkTimeS) || !(wave_s <= kMaxLinkTimeS)) {
          problems.add(rows->file, line,
                       "takes " + number_text(std::round(std::max(free_s, wave_s))) +
                           " s to cross (at free speed, or for the backward wave: length / speed), more "
                           "than 3600; split the link, or check its speed, capacity and jam density");
        }
      }
      out.links.push_back(link);
    }
  }
  const auto n_links = static_cast<int>(out.links.size());

  if (auto rows = read_rows(dir, "zones.csv", kZonesHeader, problems)) {
    for (const auto& [line, r] : rows->rows) {
      DnlZone zone;
      check_id(*rows, line, r[0], out.zones.size(), "zone", problems);
      zone.name = r[1];
      zone.kind = r[2];
      if (zone.kind != "facility" && zone.kind != "gate" && zone.kind != "hub" && zone.kind != "external") {
        problems.add(rows->file, line,
                     "kind '" + zone.kind + "' is not one of facility, gate, hub, external");
      }
      zone.node = known_node(*rows, line, r[3], "node");
      out.zones.push_back(zone);
    }
  }
  const auto n_zones = static_cast<int>(out.zones.size());

  if (auto rows = read_rows(dir, "vehicles.csv", kVehiclesHeader, problems)) {
    std::map<std::string, int> class_index;
    double last_depart = -1.0;
    for (const auto& row : rows->rows) {
      const int line = row.first;  // a plain variable: the lambda below captures it
      const std::vector<std::string>& r = row.second;
      DnlVehicle v;
      const std::string& file = rows->file;
      check_id(*rows, line, r[0], out.vehicles.size(), "vehicle", problems);
      const auto depart = number(*rows, line, r[1], "depart_s", problems);
      if (depart) {
        if (*depart < out.start_s || *depart > out.end_s) {
          problems.add(file, line,
                       "depart_s " + r[1] + " is outside the case's start_s..end_s (" +
                           number_text(out.start_s) + ".." + number_text(out.end_s) + ")");
        } else if (*depart < last_depart) {
          problems.add(file, line,
                       "depart_s " + r[1] + " is before the previous row's (" + number_text(last_depart) +
                           "); sort the rows by depart_s, then vehicle, and number them in that order");
        }
        v.depart_s = *depart;
        last_depart = std::max(last_depart, *depart);
      }
      if (r[2].empty()) problems.add(file, line, "class is empty; name the vehicle class, e.g. car");
      const auto [it, added] = class_index.try_emplace(r[2], static_cast<int>(out.classes.size()));
      if (added) out.classes.push_back(r[2]);
      v.vehicle_class = it->second;
      const auto pce = number(*rows, line, r[3], "pce", problems);
      if (pce && (*pce < kMinPce || *pce > kMaxPce))
        problems.add(file, line, "pce must be in [0.1, 10], got " + r[3]);
      v.pce = pce.value_or(1.0);
      auto zone = [&](const std::string& text, const char* column) -> int {
        const auto id = whole(*rows, line, text, column, problems);
        if (!id) return -1;
        if (*id < 0 || *id >= n_zones) {
          problems.add(file, line,
                       std::string(column) + " " + text + " is not a zone of zones.csv (0.." +
                           std::to_string(n_zones - 1) + ")");
          return -1;
        }
        return *id;
      };
      v.origin = zone(r[4], "origin");
      v.destination = zone(r[5], "destination");
      v.route_begin = static_cast<int>(out.route_links.size());
      bool route_ok = true;
      std::vector<int> route;
      for (const std::string_view part : split(r[6], ' ')) {
        const auto id = whole(*rows, line, std::string(part), "route", problems);
        if (!id || *id < 0 || *id >= n_links) {
          if (id) {
            problems.add(file, line,
                         "route: link " + std::string(part) + " is not a link of links.csv (0.." +
                             std::to_string(n_links - 1) + ")");
          }
          route_ok = false;
          break;
        }
        route.push_back(*id);
      }
      if (route_ok) {
        for (std::size_t i = 1; i < route.size(); ++i) {
          const DnlLink& a = out.links[static_cast<std::size_t>(route[i - 1])];
          const DnlLink& b = out.links[static_cast<std::size_t>(route[i])];
          if (a.to != b.from) {
            problems.add(file, line,
                         "route is not contiguous: link " + std::to_string(route[i - 1]) + " ends at node " +
                             std::to_string(a.to) + " but link " + std::to_string(route[i]) +
                             " starts at node " + std::to_string(b.from) +
                             "; list the links one after another along the path");
            route_ok = false;
            break;
          }
        }
      }
      if (route_ok && v.origin >= 0 &&
          out.links[static_cast<std::size_t>(route.front())].from !=
              out.zones[static_cast<std::size_t>(v.origin)].node) {
        problems.add(file, line,
                     "route: the first link " + std::to_string(route.front()) +
                         " does not leave the origin zone's node " +
                         std::to_string(out.zones[static_cast<std::size_t>(v.origin)].node));
      }
      if (route_ok && v.destination >= 0 &&
          out.links[static_cast<std::size_t>(route.back())].to !=
              out.zones[static_cast<std::size_t>(v.destination)].node) {
        problems.add(file, line,
                     "route: the last link " + std::to_string(route.back()) +
                         " does not enter the destination zone's node " +
                         std::to_string(out.zones[static_cast<std::size_t>(v.destination)].node));
      }
      if (route_ok) out.route_links.insert(out.route_links.end(), route.begin(), route.end());
      v.route_end = static_cast<int>(out.route_links.size());
      out.vehicles.push_back(v);
    }
  }
  if (!problems.empty()) {
    throw ConfigError(dir + ": the DNL case (schema sandan-dnl-case v1) has problems", problems.list());
  }
  return out;
}

void write_dnl_case(const DnlCase& dnl, const std::string& dir) {
  // The name goes in double quotes: a quote or backslash in it would end or escape them.
  std::string name = dnl.name;
  for (char& ch : name) {
    if (ch == '"' || ch == '\\') ch = '\'';
  }
  std::ostringstream yaml;
  yaml << "schema: " << kDnlCaseSchema << "\nversion: " << kDnlCaseVersion << "\nname: \"" << name
       << "\"\ncrs: " << dnl.crs << "\nstart_s: " << number_text(dnl.start_s)
       << "\nend_s: " << number_text(dnl.end_s) << "\nstep_s: " << number_text(dnl.step_s)
       << "\nreport_s: " << number_text(dnl.report_s) << "\n";
  std::string nodes = std::string(kNodesHeader) + "\n";
  for (std::size_t n = 0; n < dnl.nodes.size(); ++n) {
    nodes +=
        std::to_string(n) + "," + number_text(dnl.nodes[n].x_m) + "," + number_text(dnl.nodes[n].y_m) + "\n";
  }
  std::string links = std::string(kLinksHeader) + "\n";
  for (std::size_t l = 0; l < dnl.links.size(); ++l) {
    const DnlLink& k = dnl.links[l];
    links += std::to_string(l) + "," + std::to_string(k.from) + "," + std::to_string(k.to) + "," +
             number_text(k.length_m) + "," + std::to_string(k.lanes) + "," + number_text(k.free_speed_kmh) +
             "," + number_text(k.capacity_veh_h) + "," + number_text(k.jam_density_veh_km) + "," + k.road_id +
             "\n";
  }
  std::string zones = std::string(kZonesHeader) + "\n";
  for (std::size_t z = 0; z < dnl.zones.size(); ++z) {
    const DnlZone& k = dnl.zones[z];
    zones += std::to_string(z) + "," + k.name + "," + k.kind + "," + std::to_string(k.node) + "\n";
  }
  std::string vehicles = std::string(kVehiclesHeader) + "\n";
  for (std::size_t i = 0; i < dnl.vehicles.size(); ++i) {
    const DnlVehicle& v = dnl.vehicles[i];
    vehicles += std::to_string(i) + "," + number_text(v.depart_s) + "," +
                dnl.classes[static_cast<std::size_t>(v.vehicle_class)] + "," + number_text(v.pce) + "," +
                std::to_string(v.origin) + "," + std::to_string(v.destination) + ",";
    for (int r = v.route_begin; r < v.route_end; ++r) {
      if (r > v.route_begin) vehicles += ' ';
      vehicles += std::to_string(dnl.route_links[static_cast<std::size_t>(r)]);
    }
    vehicles += '\n';
  }
  write_files_into_folder(dir, {{"case.yaml", yaml.str()},
                                {"nodes.csv", nodes},
                                {"links.csv", links},
                                {"zones.csv", zones},
                                {"vehicles.csv", vehicles}});
}

DnlSummary summarize_dnl(const DnlCase& dnl, const DnlResult& result) {
  DnlSummary s;
  s.vehicles = static_cast<int>(dnl.vehicles.size());
  double travel = 0.0;
  double free_flow = 0.0;
  for (std::size_t i = 0; i < dnl.vehicles.size(); ++i) {
    if (std::isnan(result.arrived_s[i])) continue;
    ++s.finished;
    travel += result.arrived_s[i] - dnl.vehicles[i].depart_s;
    free_flow += result.free_flow_s[i];
  }
  if (s.finished > 0) {
    s.mean_travel_time_s = travel / s.finished;
    s.mean_free_flow_time_s = free_flow / s.finished;
  }
  s.total_delay_veh_h = (travel - free_flow) / 3600.0;
  s.vehicle_steps = static_cast<double>(result.vehicle_steps);
  s.seconds = result.seconds;
  s.vehicle_steps_per_s = result.seconds > 0.0 ? s.vehicle_steps / result.seconds : 0.0;
  return s;
}

void write_dnl_outputs(const DnlCase& dnl, const DnlResult& result, const std::string& dir) {
  std::string vehicles = "vehicle,depart_s,entered_s,arrived_s,travel_time_s,free_flow_time_s\n";
  for (std::size_t i = 0; i < dnl.vehicles.size(); ++i) {
    const double depart = dnl.vehicles[i].depart_s;
    vehicles += std::to_string(i) + "," + number_text(depart) + ",";
    if (!std::isnan(result.entered_s[i])) vehicles += number_text(result.entered_s[i]);
    vehicles += ",";
    if (!std::isnan(result.arrived_s[i])) {
      vehicles += number_text(result.arrived_s[i]) + "," + number_text(result.arrived_s[i] - depart);
    } else {
      vehicles += ",";
    }
    vehicles += "," + number_text(result.free_flow_s[i]) + "\n";
  }
  std::string links = "t_s,link,inflow_veh,outflow_veh,vehicles,queue_veh\n";
  const std::size_t n_links = dnl.links.size();
  for (std::size_t r = 0; r < result.report_t_s.size(); ++r) {
    for (std::size_t l = 0; l < n_links; ++l) {
      const std::size_t cell = r * n_links + l;
      if (result.link_inflow[cell] == 0 && result.link_outflow[cell] == 0 && result.link_vehicles[cell] == 0)
        continue;
      links += number_text(result.report_t_s[r]) + "," + std::to_string(l) + "," +
               std::to_string(result.link_inflow[cell]) + "," + std::to_string(result.link_outflow[cell]) +
               "," + std::to_string(result.link_vehicles[cell]) + "," +
               std::to_string(result.link_queue[cell]) + "\n";
    }
  }
  const DnlSummary s = summarize_dnl(dnl, result);
  nlohmann::ordered_json summary;
  summary["vehicles"] = s.vehicles;
  summary["finished"] = s.finished;
  summary["mean_travel_time_s"] = s.mean_travel_time_s;
  summary["mean_free_flow_time_s"] = s.mean_free_flow_time_s;
  summary["total_delay_veh_h"] = s.total_delay_veh_h;
  summary["vehicle_steps"] = result.vehicle_steps;
  summary["seconds"] = s.seconds;
  summary["vehicle_steps_per_s"] = s.vehicle_steps_per_s;
  write_files_into_folder(
      dir, {{"vehicles.csv", vehicles}, {"links.csv", links}, {"summary.json", summary.dump(2) + "\n"}});
}

}  // namespace sandan
