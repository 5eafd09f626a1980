#include "view/view_data.hpp"

#include <yaml-cpp/yaml.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "core/geometry.hpp"
#include "core/search_path.hpp"
#include "gis/crs.hpp"
#include "gis/reader.hpp"
#include "io/compare.hpp"
#include "io/results_reader.hpp"
#include "io/run_layers.hpp"
#include "scenario/scenario.hpp"
#include "twin/measured.hpp"
#include "view/describe.hpp"

namespace sandan {

namespace {

using json = nlohmann::json;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// An error a request caused: its status and message become the reply.
struct RequestError {
  int status;
  std::string message;
};

[[noreturn]] void bad_request(const std::string& message) { throw RequestError{400, message}; }
[[noreturn]] void not_found(const std::string& message) { throw RequestError{404, message}; }

json lonlat_of(const XY& p) {
  const LonLat ll = working_to_lonlat(p);
  // 1e-7 degrees is about 1 cm: enough for a map, and keeps the layout's JSON small.
  return json::array({std::round(ll.lon_deg * 1e7) / 1e7, std::round(ll.lat_deg * 1e7) / 1e7});
}

json ring_json(const Ring& ring) {
  json out = json::array();
  for (const XY& p : ring) out.push_back(lonlat_of(p));
  return out;
}

json multipolygon_json(const MultiPolygon& mp) {
  json polys = json::array();
  for (const Polygon& poly : mp) {
    json rings = json::array({ring_json(poly.outer)});
    for (const Ring& hole : poly.holes) rings.push_back(ring_json(hole));
    polys.push_back(rings);
  }
  return {{"type", "MultiPolygon"}, {"coordinates", polys}};
}

json line_json(const LineString& line) { return {{"type", "LineString"}, {"coordinates", ring_json(line)}}; }

json feature(std::size_t index, json geometry, json properties) {
  return {{"type", "Feature"},
          {"id", index},
          {"geometry", std::move(geometry)},
          {"properties", std::move(properties)}};
}

// A vertex in the middle of a line: where an alarm on it points the map.
XY middle_vertex(const LineString& line) { return line.empty() ? XY{} : line[line.size() / 2]; }

// A layout as the map shows it.
struct Layout {
  std::string path;
  Site site;
  std::string geojson;                 // the body of /api/layout
  std::vector<XY> facility_at;         // centroid of each facility
  std::vector<XY> road_at;             // middle point of each road
  std::vector<XY> segment_at;          // middle point of each feeder segment
  std::vector<XY> complex_at;          // centroid of each complex
  std::array<double, 4> bounds_deg{};  // west, south, east, north
};

std::unique_ptr<Layout> make_layout(const std::string& path) {
  auto layout = std::make_unique<Layout>();
  layout->path = path;
  layout->site = load_site({path});
  const Site& site = layout->site;
  double west = 180;
  double south = 90;
  double east = -180;
  double north = -90;
  auto extend = [&](const XY& p) {
    const LonLat ll = working_to_lonlat(p);
    west = std::min(west, ll.lon_deg);
    east = std::max(east, ll.lon_deg);
    south = std::min(south, ll.lat_deg);
    north = std::max(north, ll.lat_deg);
  };
  json complexes = json::array();
  for (std::size_t i = 0; i < site.complexes.size(); ++i) {
    const Complex& c = site.complexes[i];
    for (const Polygon& poly : c.boundary)
      for (const XY& p : poly.outer) extend(p);
    const XY at = centroid(c.boundary);
    layout->complex_at.push_back(at);
    complexes.push_back(feature(i, multipolygon_json(c.boundary),
                                {{"id", c.complex_id},
                                 {"name", c.name},
                                 {"name_ko", c.name_ko.empty() ? c.name : c.name_ko},
                                 {"role", to_string(c.role)},
                                 {"label", lonlat_of(at)}}));
  }
  json facilities = json::array();
  for (std::size_t i = 0; i < site.facilities.size(); ++i) {
    const Facility& f = site.facilities[i];
    layout->facility_at.push_back(centroid(f.footprint));
    const std::string complex_id =
        f.complex >= 0 ? site.complexes[static_cast<std::size_t>(f.complex)].complex_id : std::string();
    facilities.push_back(feature(i, multipolygon_json(f.footprint),
                                 {{"id", f.facility_id},
                                  {"complex", complex_id},
                                  {"name", f.name},
                                  {"ksic", f.ksic},
                                  {"employees", f.employees}}));
  }
  json roads = json::array();
  for (std::size_t i = 0; i < site.roads.size(); ++i) {
    const Road& r = site.roads[i];
    layout->road_at.push_back(middle_vertex(r.geometry));
    for (const XY& p : r.geometry) extend(p);
    roads.push_back(
        feature(i, line_json(r.geometry),
                {{"id", r.road_id}, {"road_class", to_string(r.road_class)}, {"lanes", r.lanes}}));
  }
  json feeders = json::array();
  for (std::size_t i = 0; i < site.feeders.size(); ++i) {
    const FeederSegment& s = site.feeders[i];
    layout->segment_at.push_back(middle_vertex(s.geometry));
    feeders.push_back(feature(
        i, line_json(s.geometry),
        {{"id", s.segment_id}, {"feeder", s.feeder_id}, {"from_bus", s.from_bus}, {"to_bus", s.to_bus}}));
  }
  json substations = json::array();
  for (std::size_t i = 0; i < site.substations.size(); ++i) {
    const Substation& s = site.substations[i];
    substations.push_back(
        feature(i, {{"type", "Point"}, {"coordinates", lonlat_of(s.position)}},
                {{"id", s.substation_id}, {"voltage_kv", s.voltage_kv}, {"capacity_mva", s.capacity_mva}}));
  }
  json gates = json::array();
  for (std::size_t i = 0; i < site.gates.size(); ++i) {
    const Gate& g = site.gates[i];
    gates.push_back(feature(i, {{"type", "Point"}, {"coordinates", lonlat_of(g.position)}},
                            {{"id", g.gate_id}, {"name", g.name}, {"kind", to_string(g.kind)}}));
  }
  auto collection = [](json features) {
    return json{{"type", "FeatureCollection"}, {"features", std::move(features)}};
  };
  layout->bounds_deg = {west, south, east, north};
  const json body{{"bounds", json::array({west, south, east, north})},
                  {"complexes", collection(std::move(complexes))},
                  {"facilities", collection(std::move(facilities))},
                  {"roads", collection(std::move(roads))},
                  {"feeders", collection(std::move(feeders))},
                  {"substations", collection(std::move(substations))},
                  {"gates", collection(std::move(gates))}};
  layout->geojson = body.dump();
  return layout;
}

// The day types traffic is assigned for: 0 workday, 1 saturday, 2 rest day (Sunday, holiday,
// shutdown), as in traffic_run.
int traffic_day_type(DayType type) {
  switch (type) {
    case DayType::kWeekday:
      return 0;
    case DayType::kSaturday:
      return 1;
    default:
      return 2;
  }
}

struct Quantity {
  const char* key;
  const char* unit;
  bool per_year;
  const char* en;
  const char* ko;
};

constexpr std::array<Quantity, 8> kFacilityQuantities{{
    {"load_kw", "kW", false, "Load", "부하"},
    {"pv_kw", "kW", false, "PV generation", "태양광 발전"},
    {"import_kw", "kW", false, "Grid import", "계통 수전"},
    {"export_kw", "kW", false, "Export to grid", "계통 역송"},
    {"self_sufficiency", "1", false, "Self-sufficiency", "자급률"},
    {"battery_soc", "1", false, "Battery state of charge", "배터리 충전 상태"},
    {"bill_krw", "KRW", true, "Electricity bill (year)", "전기요금 (연간)"},
    {"tco2e", "tCO2eq", true, "Emissions (year)", "온실가스 배출 (연간)"},
}};
constexpr std::array<Quantity, 2> kFeederQuantities{{
    {"loading", "1", false, "Loading (share of rating)", "부하율 (정격 대비)"},
    {"voltage", "p.u.", false, "Voltage", "전압"},
}};
constexpr std::array<Quantity, 2> kRoadQuantities{{
    {"flow", "veh/h", false, "Traffic flow", "교통량"},
    {"vc", "1", false, "Volume/capacity", "용량 대비 교통량 (V/C)"},
}};
constexpr std::array<const char*, 4> kComplexQuantities{"load_kw", "pv_kw", "import_kw", "export_kw"};

template <std::size_t N>
const Quantity* find_quantity(const std::array<Quantity, N>& list, const std::string& key) {
  for (const Quantity& q : list)
    if (key == q.key) return &q;
  return nullptr;
}

// A run of a file, with what ties its results to its layout's features.
struct RunView {
  std::string id;
  std::size_t file = 0;
  std::string run;
  std::string scenario_yaml;
  std::string scenario_name;
  std::string weather;
  int year = 0;
  int hours = 0;
  bool has_grid = false;
  bool has_traffic = false;
  bool has_battery = false;
  bool has_emissions = false;
  bool has_dynamic = false;  // traffic/dynamic: the dynamic loading at shift change
  Layout* layout = nullptr;
  std::vector<int> facility_row;             // per layout facility: its row in energy/facility, or −1
  std::vector<int> complex_row;              // per layout complex: its row in energy/complex, or −1
  std::vector<int> segment_branch;           // per layout feeder segment: its branch row, or −1
  std::vector<int> segment_bus;              // per layout feeder segment: its downstream bus row, or −1
  std::vector<std::vector<int>> road_links;  // per layout road: its directed links
  std::vector<int> day_type;                 // per day of the year: 0 workday, 1 saturday, 2 rest day
  std::array<double, 3> days_in_year{};      // of each traffic day type
  double vmin_pu = 0.95;
  double vmax_pu = 1.05;
  double max_loading = 1.0;
  double soc_min = 0.0;
  double soc_max = 1.0;
  int peak_hour = 0;
  bool holidays_known = true;  // false: the year's holidays were not found, weekends only
};

// A [rows × columns] series read from a file.
struct Series {
  std::vector<float> values;
  std::size_t rows = 0;
  std::size_t columns = 0;
  [[nodiscard]] float at(std::size_t row, std::size_t column) const { return values[row * columns + column]; }
};

// The most recently used series, within a byte budget.
class SeriesCache {
 public:
  explicit SeriesCache(std::size_t budget) : budget_(budget) {}
  std::shared_ptr<const Series> find(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }
  void put(const std::string& key, std::shared_ptr<const Series> series) {
    bytes_ += series->values.size() * sizeof(float);
    order_.emplace_front(key, std::move(series));
    index_[key] = order_.begin();
    while (bytes_ > budget_ && order_.size() > 1) {
      bytes_ -= order_.back().second->values.size() * sizeof(float);
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

 private:
  std::size_t budget_;
  std::size_t bytes_ = 0;
  std::list<std::pair<std::string, std::shared_ptr<const Series>>> order_;
  std::map<std::string, std::list<std::pair<std::string, std::shared_ptr<const Series>>>::iterator> index_;
};

}  // namespace

struct ViewData::Impl {
  ViewOptions options;
  std::vector<std::unique_ptr<ResultsReader>> readers;
  std::map<std::string, std::unique_ptr<Layout>> layouts;  // by path
  std::vector<RunView> runs;
  std::optional<MeasuredData> measured;
  std::vector<int> measured_meter_of_facility;  // per layout facility of the first layout, −1
  std::mutex mutex;
  SeriesCache cache;
  std::map<std::string, std::shared_ptr<const std::vector<float>>> annual;  // per run and quantity
  std::map<std::string, std::shared_ptr<const Series>> traffic;             // per run: link PCE and vc
  std::map<std::string, std::string> scales;  // /api/scale bodies, by run, base, layer and quantity

  explicit Impl(const ViewOptions& o) : options(o), cache(o.cache_bytes) {}

  void open();
  void open_run(std::size_t file, const std::string& run_id);
  void map_measured();

  const RunView& run_of(const ViewQuery& query, const char* name = "run") const;
  const RunView* base_of(const ViewQuery& query, const RunView& run) const;

  std::shared_ptr<const Series> series(const RunView& run, const std::string& dataset);
  // The run's hour of the measured axis' first hour. Of the same year: the same hour. Of another
  // year (a run of 2026 against meters of 2018): moved by up to six days so that weekdays meet
  // weekdays (1 January 2018, a Monday, meets Monday 5 January 2026), as load follows the week.
  [[nodiscard]] int measured_offset(const RunView& run) const {
    if (measured->start_year == run.year) return measured->first_hour;
    const int shift =
        ((iso_weekday(Date{measured->start_year, 1, 1}) - iso_weekday(Date{run.year, 1, 1})) % 7 + 7) % 7;
    return measured->first_hour + 24 * shift;
  }
  std::shared_ptr<const std::vector<float>> annual_values(const RunView& run, const std::string& quantity);
  std::shared_ptr<const Series> road_values(const RunView& run);  // [day type × 24 hours × link] PCE
  std::vector<float> frame(const RunView& run, const std::string& layer, const std::string& quantity,
                           int hour);

  json meta();
  json kpis(const RunView& run, const RunView* base);
  json alarms(const RunView& run, double vc, std::size_t limit);
  json scale(const RunView& run, const RunView* base, const std::string& layer, const std::string& quantity);
  json series_json(const RunView& run, const RunView* base, const ViewQuery& query);
  json dynamic_json(const RunView& run);
  std::vector<float> dynamic_frame(const RunView& run, int step);
};

void ViewData::Impl::open() {
  init_gdal();
  if (options.results.empty())
    throw Error(ErrorCode::kBadInput, "sandan serve: give at least one results file");
  if (options.lang != "ko" && options.lang != "en")
    throw Error(ErrorCode::kBadInput, "--lang " + options.lang + ": give ko or en");
  for (std::size_t f = 0; f < options.results.size(); ++f) {
    readers.push_back(std::make_unique<ResultsReader>(options.results[f]));
    const auto ids = readers.back()->runs();
    if (ids.empty()) throw Error(ErrorCode::kBadInput, options.results[f] + ": the file holds no runs");
    for (const std::string& id : ids) open_run(f, id);
  }
  if (!options.measured.empty()) map_measured();
}

void ViewData::Impl::open_run(std::size_t file, const std::string& run_id) {
  const ResultsReader& r = *readers[file];
  r.check_run(run_id);
  const std::string g = "runs/" + run_id;
  RunView run;
  run.id = std::to_string(file) + ":" + run_id;
  run.file = file;
  run.run = run_id;
  run.scenario_yaml = r.string_attribute(g, "scenario").value_or("");
  run.scenario_name = r.string_attribute(g, "scenario_name").value_or(run_id);
  const std::vector<double> time = r.numbers(g + "/energy/time");
  run.hours = static_cast<int>(time.size());
  const std::string where = r.path() + ": run '" + run_id + "'";
  std::string site_path = options.site;
  std::string holidays;
  if (!run.scenario_yaml.empty()) {
    try {
      const YAML::Node node = YAML::Load(run.scenario_yaml);
      run.year = node["year"] ? node["year"].as<int>() : 0;
      if (site_path.empty() && node["site"])
        site_path = locate_run_input(node["site"].as<std::string>(), r.path());
      if (node["holidays"]) holidays = locate_run_input(node["holidays"].as<std::string>(), r.path());
      if (node["weather"]) run.weather = node["weather"].as<std::string>();
      if (const YAML::Node grid = node["grid"]; grid && grid.IsMap()) {
        run.vmin_pu = grid["vmin_pu"] ? grid["vmin_pu"].as<double>() : run.vmin_pu;
        run.vmax_pu = grid["vmax_pu"] ? grid["vmax_pu"].as<double>() : run.vmax_pu;
        run.max_loading = grid["max_loading"] ? grid["max_loading"].as<double>() : run.max_loading;
      }
    } catch (const YAML::Exception& e) {
      throw Error(ErrorCode::kBadInput, where + ": its scenario attribute is not YAML: " + e.what());
    }
  }
  if (run.year == 0) run.year = 2026;
  if (site_path.empty())
    throw Error(ErrorCode::kBadInput,
                where + ": its scenario names no layout (site); pass the layout it used with --site LAYOUT");
  std::error_code ec;
  if (!std::filesystem::exists(site_path, ec))
    throw Error(ErrorCode::kBadInput, where + ": cannot find its layout " + site_path +
                                          " (relative to the folder the run ran in, or to the results "
                                          "file's folder or its parent); pass it with --site LAYOUT");
  auto it = layouts.find(site_path);
  if (it == layouts.end()) {
    try {
      it = layouts.emplace(site_path, make_layout(site_path)).first;
    } catch (const Error& e) {
      throw Error(ErrorCode::kBadInput, where + ": cannot read its layout " + site_path + "\n" + e.what());
    }
  }
  run.layout = it->second.get();
  const Site& site = run.layout->site;

  // Results rows of the layout's features, by id.
  auto row_map = [](const std::vector<std::string>& ids) {
    std::map<std::string, int> rows;
    for (std::size_t i = 0; i < ids.size(); ++i) rows.emplace(ids[i], static_cast<int>(i));
    return rows;
  };
  auto row_of = [](const std::map<std::string, int>& rows, const std::string& id) {
    const auto found = rows.find(id);
    return found == rows.end() ? -1 : found->second;
  };
  const auto facility_rows = row_map(r.strings(g + "/energy/facility"));
  for (const Facility& f : site.facilities) run.facility_row.push_back(row_of(facility_rows, f.facility_id));
  const auto complex_rows = row_map(r.strings(g + "/energy/complex"));
  for (const Complex& c : site.complexes) run.complex_row.push_back(row_of(complex_rows, c.complex_id));
  if (std::none_of(run.facility_row.begin(), run.facility_row.end(), [](int i) { return i >= 0; }) &&
      !facility_rows.empty()) {
    throw Error(ErrorCode::kBadInput, where + ": none of its facilities is in the layout " + site_path +
                                          "; pass the layout the run used with --site LAYOUT");
  }
  // A run without batteries stores battery_soc as all zeros (recorded in `deduplicated`).
  if (r.exists(g + "/energy/battery_soc")) {
    run.has_battery = true;
    const std::string dedup = r.string_attribute(g + "/energy", "deduplicated").value_or("");
    if (!dedup.empty()) {
      const json d = json::parse(dedup, nullptr, false);
      if (d.is_object() && d.contains("zero") && d["zero"].is_array())
        for (const auto& z : d["zero"])
          if (z.is_string() && z.get<std::string>() == "battery_soc") run.has_battery = false;
    }
  }
  run.has_emissions = r.exists(g + "/emissions/tco2e");

  run.has_grid = r.exists(g + "/grid/bus_vm_pu");
  if (run.has_grid) {
    const auto branch_rows = row_map(r.strings(g + "/grid/branch"));
    const auto bus_rows = row_map(r.strings(g + "/grid/bus"));
    for (const FeederSegment& s : site.feeders) {
      run.segment_branch.push_back(row_of(branch_rows, s.segment_id));
      run.segment_bus.push_back(row_of(bus_rows, s.to_bus));
    }
  }
  run.has_traffic = r.exists(g + "/traffic/link_flow_veh_h");
  if (run.has_traffic) {
    const auto road_ids = r.strings(g + "/traffic/link_road_id");
    const auto road_rows = row_map([&] {
      std::vector<std::string> ids;
      for (const Road& road : site.roads) ids.push_back(road.road_id);
      return ids;
    }());
    run.road_links.assign(site.roads.size(), {});
    for (std::size_t l = 0; l < road_ids.size(); ++l) {
      const int road = row_of(road_rows, road_ids[l]);
      if (road >= 0) run.road_links[static_cast<std::size_t>(road)].push_back(static_cast<int>(l));
    }
    run.has_dynamic = r.exists(g + "/traffic/dynamic/link_queue_m");
    const auto days = r.numbers(g + "/traffic/days_in_year");
    for (std::size_t d = 0; d < std::min<std::size_t>(3, days.size()); ++d) run.days_in_year[d] = days[d];
  }

  // Day types of the run's year: the holidays file its scenario used, else the repository's.
  if (holidays.empty() || !std::filesystem::exists(holidays, ec))
    holidays = find_upward(std::filesystem::current_path(ec), "gis_data/calendar/holidays_kr.csv");
  std::vector<Holiday> listed;
  if (!holidays.empty()) {
    try {
      listed = read_holidays(holidays);
    } catch (const Error&) {
      listed.clear();  // weekends only; the days still have their weekday
    }
  }
  try {
    const Calendar calendar(run.year, listed);
    for (int d = 0; d < calendar.days(); ++d)
      run.day_type.push_back(traffic_day_type(calendar.day_type(d * 24)));
  } catch (const Error&) {
    // The holidays file does not cover the year: weekdays and weekends only (meta says so).
    run.holidays_known = false;
    const int first = iso_weekday(Date{run.year, 1, 1}) - 1;  // 0 Monday
    for (int d = 0; d < (run.hours + 23) / 24; ++d) {
      const int wd = (first + d) % 7;
      run.day_type.push_back(wd == 5 ? 1 : wd == 6 ? 2 : 0);
    }
  }
  run.day_type.resize(static_cast<std::size_t>((run.hours + 23) / 24), 0);

  // The hour of the highest total import of the complexes: where "jump to peak" goes.
  std::size_t columns = 0;
  const std::vector<float> imports = r.float_rows(g + "/energy/complex_import_kw", 0,
                                                  r.shape(g + "/energy/complex_import_kw").at(0), columns);
  std::vector<double> total(columns, 0.0);
  for (std::size_t i = 0; i < imports.size(); ++i) total[i % columns] += imports[i];
  run.peak_hour = static_cast<int>(std::max_element(total.begin(), total.end()) - total.begin());
  runs.push_back(std::move(run));
}

void ViewData::Impl::map_measured() {
  measured = read_measured(options.measured);
  const Site& site = runs.front().layout->site;
  measured_meter_of_facility.assign(site.facilities.size(), -1);
  std::map<std::string, int> index;
  for (std::size_t i = 0; i < site.facilities.size(); ++i) index.emplace(site.facilities[i].facility_id, i);
  std::size_t mapped = 0;
  for (std::size_t m = 0; m < measured->meters.size(); ++m) {
    const MeterInfo& meter = measured->meters[m];
    if (meter.target != MeterTarget::kFacility || meter.quantity != MeterQuantity::kLoad) continue;
    const auto it = index.find(meter.target_id);
    if (it == index.end()) continue;
    measured_meter_of_facility[static_cast<std::size_t>(it->second)] = static_cast<int>(m);
    ++mapped;
  }
  if (mapped == 0)
    throw Error(ErrorCode::kBadInput,
                options.measured + ": none of its meters measures the load of a facility of the layout " +
                    runs.front().layout->path + "; give the measured file of this layout");
}

const RunView& ViewData::Impl::run_of(const ViewQuery& query, const char* name) const {
  const auto it = query.find(name);
  if (it == query.end())
    bad_request(std::string("missing parameter '") + name + "': give a run id from /api/meta");
  for (const RunView& r : runs)
    if (r.id == it->second) return r;
  std::string known;
  for (const RunView& r : runs) known += (known.empty() ? "" : ", ") + r.id;
  not_found(std::string("unknown ") + name + " '" + it->second + "'; the runs are " + known);
}

const RunView* ViewData::Impl::base_of(const ViewQuery& query, const RunView& run) const {
  if (query.find("base") == query.end()) return nullptr;
  const RunView& base = run_of(query, "base");
  if (base.layout != run.layout)
    bad_request("run '" + run.id + "' and base '" + base.id + "' use different layouts (" + run.layout->path +
                ", " + base.layout->path + "): a difference needs the same layout");
  if (base.hours != run.hours)
    bad_request("run '" + run.id + "' and base '" + base.id + "' have years of different lengths");
  return &base;
}

std::shared_ptr<const Series> ViewData::Impl::series(const RunView& run, const std::string& dataset) {
  const std::string key = run.id + "/" + dataset;
  if (auto found = cache.find(key)) return found;
  const ResultsReader& r = *readers[run.file];
  auto s = std::make_shared<Series>();
  const std::string path = "runs/" + run.run + "/" + dataset;
  const auto shape = r.shape(path);
  s->rows = shape.at(0);
  s->values = r.float_rows(path, 0, s->rows, s->columns);
  cache.put(key, s);
  return s;
}

std::shared_ptr<const std::vector<float>> ViewData::Impl::annual_values(const RunView& run,
                                                                        const std::string& quantity) {
  const std::string key = run.id + "/" + quantity;
  if (const auto it = annual.find(key); it != annual.end()) return it->second;
  const ResultsReader& r = *readers[run.file];
  const std::string g = "runs/" + run.run;
  const Site& site = run.layout->site;
  auto out = std::make_shared<std::vector<float>>(site.facilities.size(), kNaN);
  if (quantity == "bill_krw") {
    const std::vector<double> bill = r.numbers(g + "/energy/bill_krw");
    for (std::size_t i = 0; i < out->size(); ++i)
      if (run.facility_row[i] >= 0)
        (*out)[i] = static_cast<float>(bill.at(static_cast<std::size_t>(run.facility_row[i])));
  } else if (quantity == "tco2e" && run.has_emissions) {
    // A facility's share of its complex's emissions: electricity in proportion to its grid import,
    // each fuel in proportion to its use of that fuel. With one grid factor for the year (or an hourly
    // one, pro rata to the energy) and the fuels' factors linear in the energy, these shares are the
    // facility's own emissions (docs/view.md, "Quantities").
    const auto imports = series(run, "energy/import_kw");
    const auto fuels = series(run, "energy/fuel_kw");
    const auto areas = r.strings(g + "/emissions/area");
    const auto sources = r.strings(g + "/emissions/source");
    std::vector<std::size_t> dims;
    const std::vector<double> tco2e = r.numbers(g + "/emissions/tco2e", &dims);
    auto sum_row = [](const Series& s, int row) {
      double total = 0.0;
      if (row < 0) return total;
      for (std::size_t t = 0; t < s.columns; ++t) total += s.at(static_cast<std::size_t>(row), t);
      return total / 1000.0;  // kWh → MWh (hourly means in kW)
    };
    const std::size_t n = site.facilities.size();
    std::vector<double> import_mwh(n);
    std::vector<double> fuel_mwh(n);
    for (std::size_t i = 0; i < n; ++i) {
      import_mwh[i] = sum_row(*imports, run.facility_row[i]);
      fuel_mwh[i] = sum_row(*fuels, run.facility_row[i]);
    }
    std::map<std::pair<std::string, std::string>, double> totals;  // (complex, source) → MWh
    auto complex_id = [&](std::size_t i) {
      const int c = site.facilities[i].complex;
      return c >= 0 ? site.complexes[static_cast<std::size_t>(c)].complex_id : std::string();
    };
    for (std::size_t i = 0; i < n; ++i) {
      totals[{complex_id(i), "electricity"}] += import_mwh[i];
      if (site.facilities[i].fuel != Fuel::kNone)
        totals[{complex_id(i), to_string(site.facilities[i].fuel)}] += fuel_mwh[i];
    }
    auto emitted = [&](const std::string& area, const std::string& source) {
      const auto a = std::find(areas.begin(), areas.end(), area);
      const auto s = std::find(sources.begin(), sources.end(), source);
      if (a == areas.end() || s == sources.end() || dims.size() != 2) return 0.0;
      return tco2e[static_cast<std::size_t>(a - areas.begin()) * dims[1] +
                   static_cast<std::size_t>(s - sources.begin())];
    };
    for (std::size_t i = 0; i < n; ++i) {
      if (run.facility_row[i] < 0) continue;
      const std::string c = complex_id(i);
      double t = 0.0;
      if (const double total = totals[{c, "electricity"}]; total > 0)
        t += emitted(c, "electricity") * import_mwh[i] / total;
      if (site.facilities[i].fuel != Fuel::kNone) {
        const std::string fuel = to_string(site.facilities[i].fuel);
        if (const double total = totals[{c, fuel}]; total > 0) t += emitted(c, fuel) * fuel_mwh[i] / total;
      }
      (*out)[i] = static_cast<float>(t);
    }
  }
  annual[key] = out;
  return out;
}

std::shared_ptr<const Series> ViewData::Impl::road_values(const RunView& run) {
  if (const auto it = traffic.find(run.id); it != traffic.end()) return it->second;
  const ResultsReader& r = *readers[run.file];
  const std::string g = "runs/" + run.run + "/traffic/";
  std::vector<std::size_t> dims;
  const std::vector<float> flow = r.floats(g + "link_flow_veh_h", &dims);  // [day × hour × link × class]
  const std::vector<double> pce = r.numbers(g + "pce");
  const std::vector<double> capacity = r.numbers(g + "link_capacity_pce_h");
  std::vector<float> background;
  std::vector<double> background_pce;
  if (r.exists(g + "background_flow_veh_h")) {
    background = r.floats(g + "background_flow_veh_h");
    background_pce = r.numbers(g + "background_pce");
  }
  const std::size_t bg_classes = background_pce.size();
  auto out = std::make_shared<Series>();
  const std::size_t days = dims.at(0);
  const std::size_t hours = dims.at(1);
  const std::size_t links = dims.at(2);
  const std::size_t classes = dims.at(3);
  // Two planes: vehicles/h, then volume/capacity, each [day × hour × link].
  out->rows = 2;
  out->columns = days * hours * links;
  out->values.assign(2 * out->columns, 0.0F);
  for (std::size_t k = 0; k < days * hours; ++k) {
    for (std::size_t l = 0; l < links; ++l) {
      double vehicles = 0.0;
      double pce_h = 0.0;
      for (std::size_t c = 0; c < classes; ++c) {
        const double v = flow[(k * links + l) * classes + c];
        vehicles += v;
        pce_h += v * (c < pce.size() ? pce[c] : 1.0);
      }
      for (std::size_t c = 0; c < bg_classes; ++c) {
        // Background traffic (traffic.background) is on the road too.
        const double v = background[(k * links + l) * bg_classes + c];
        vehicles += v;
        pce_h += v * background_pce.at(c);
      }
      out->values[k * links + l] = static_cast<float>(vehicles);
      out->values[out->columns + k * links + l] =
          capacity.at(l) > 0 ? static_cast<float>(pce_h / capacity[l]) : kNaN;
    }
  }
  traffic[run.id] = out;
  return out;
}

std::vector<float> ViewData::Impl::frame(const RunView& run, const std::string& layer,
                                         const std::string& quantity, int hour) {
  const Site& site = run.layout->site;
  const auto h = static_cast<std::size_t>(hour);
  if (layer == "facilities") {
    std::vector<float> out(site.facilities.size(), kNaN);
    if (quantity == "bill_krw" || quantity == "tco2e") return *annual_values(run, quantity);
    if (quantity == "self_sufficiency") {
      const auto load = series(run, "energy/load_kw");
      const auto imports = series(run, "energy/import_kw");
      for (std::size_t i = 0; i < out.size(); ++i) {
        const int row = run.facility_row[i];
        if (row < 0) continue;
        const float l = load->at(static_cast<std::size_t>(row), h);
        out[i] = l > 0 ? 1.0F - imports->at(static_cast<std::size_t>(row), h) / l : kNaN;
      }
      return out;
    }
    const auto s = series(run, "energy/" + quantity);
    for (std::size_t i = 0; i < out.size(); ++i)
      if (run.facility_row[i] >= 0) out[i] = s->at(static_cast<std::size_t>(run.facility_row[i]), h);
    return out;
  }
  if (layer == "feeders") {
    std::vector<float> out(site.feeders.size(), kNaN);
    const bool loading = quantity == "loading";
    const auto s = series(run, loading ? "grid/branch_loading" : "grid/bus_vm_pu");
    const std::vector<int>& rows = loading ? run.segment_branch : run.segment_bus;
    for (std::size_t i = 0; i < out.size(); ++i)
      if (rows[i] >= 0) out[i] = s->at(static_cast<std::size_t>(rows[i]), h);
    return out;
  }
  // roads
  std::vector<float> out(site.roads.size(), kNaN);
  const auto v = road_values(run);
  const std::size_t links = v->columns / (std::size_t{3} * 24);
  const std::size_t k = static_cast<std::size_t>(run.day_type[h / 24]) * 24 + h % 24;
  const bool vc = quantity == "vc";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (run.road_links[i].empty()) continue;
    float value = 0.0F;
    for (const int l : run.road_links[i]) {
      const float x = v->values[(vc ? v->columns : 0) + k * links + static_cast<std::size_t>(l)];
      value = vc ? std::max(value, x) : value + x;
    }
    out[i] = value;
  }
  return out;
}

namespace {

template <std::size_t N>
json quantities_json(const std::array<Quantity, N>& list, const std::function<bool(const Quantity&)>& keep) {
  json out = json::array();
  for (const Quantity& q : list) {
    if (!keep(q)) continue;
    out.push_back({{"key", q.key},
                   {"unit", q.unit},
                   {"per", q.per_year ? "year" : "hour"},
                   {"label", {{"en", q.en}, {"ko", q.ko}}}});
  }
  return out;
}

json words_json(const Words& w) { return {{"en", w.en}, {"ko", w.ko}}; }

// The shipped layout and weather are synthetic (gis_data/README.md): a run on them carries the caveat.
bool synthetic_inputs(const RunView& run) {
  const std::string layout = std::filesystem::path(run.layout->path).filename().string();
  const std::string folder = std::filesystem::path(run.layout->path).parent_path().filename().string();
  return run.weather.find("synthetic") != std::string::npos ||
         (layout == "incheon.gpkg" && folder == "gis_data");
}

// A value of a float series written into JSON: null for NaN and infinities.
json number_json(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

int int_parameter(const ViewQuery& query, const std::string& name, int fallback, int low, int high) {
  const auto it = query.find(name);
  if (it == query.end()) return fallback;
  const std::string& text = it->second;
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || end == text.c_str() || *end != '\0' || errno != 0)
    bad_request("parameter '" + name + "': '" + text.substr(0, 40) + "' is not a whole number");
  if (v < low || v > high)
    bad_request("parameter '" + name + "': " + text + " is out of range; give " + std::to_string(low) +
                " to " + std::to_string(high));
  return static_cast<int>(v);
}

double number_parameter(const ViewQuery& query, const std::string& name, double fallback, double low,
                        double high) {
  const auto it = query.find(name);
  if (it == query.end()) return fallback;
  const std::string& text = it->second;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end == text.c_str() || *end != '\0' || !std::isfinite(v))
    bad_request("parameter '" + name + "': '" + text.substr(0, 40) + "' is not a number");
  if (v < low || v > high)
    bad_request("parameter '" + name + "': " + text + " is out of range; give a number from " +
                json(low).dump() + " to " + json(high).dump());
  return v;
}

std::string text_parameter(const ViewQuery& query, const std::string& name) {
  const auto it = query.find(name);
  if (it == query.end()) bad_request("missing parameter '" + name + "'");
  return it->second;
}

double percentile(std::vector<float> values, double p) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto k = static_cast<std::size_t>(std::floor(p * static_cast<double>(values.size() - 1)));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace

json ViewData::Impl::meta() {
  json out;
  out["sandan_version"] = SANDAN_VERSION;
  out["lang"] = options.lang;
  bool synthetic = false;
  json list = json::array();
  for (const RunView& run : runs) {
    synthetic = synthetic || synthetic_inputs(run);
    const ScenarioWords words = describe_scenario(run.scenario_yaml);
    json interventions = json::array();
    for (const auto& i : words.interventions)
      interventions.push_back({{"kind", i.kind}, {"text", words_json(i.text)}});
    std::array<char, 16> start{};
    std::snprintf(start.data(), start.size(), "%04d-01-01", run.year);
    list.push_back({{"id", run.id},
                    {"file", options.results[run.file]},
                    {"run", run.run},
                    {"scenario_name", run.scenario_name},
                    {"description", words_json(words.summary)},
                    {"interventions", interventions},
                    {"year", run.year},
                    {"hours", run.hours},
                    {"start", start.data()},
                    {"site", run.layout->path},
                    {"has_grid", run.has_grid},
                    {"has_traffic", run.has_traffic},
                    {"has_dynamic", run.has_dynamic},
                    {"has_battery", run.has_battery},
                    {"holidays_known", run.holidays_known},
                    {"peak_hour", run.peak_hour}});
  }
  out["runs"] = list;
  out["synthetic"] = synthetic;
  out["caveat"] =
      synthetic ? json{{"en",
                        "Synthetic data: the layout (plots, buildings, streets, feeders) and the weather are "
                        "made from public statistics and climate normals. Places, areas, firm counts and "
                        "industry mix are right; single buildings, lines and hours are not surveyed."},
                       {"ko",
                        "합성 데이터: 부지·건물·도로·배전선로 배치와 기상은 공공 통계와 기후 평년값으로 만든 "
                        "자료입니다. 위치·면적·업체 수·업종 구성은 실제와 같지만, 개별 건물·선로·시간별 "
                        "값은 실측이 아닙니다."}}
                : json{{"en", "Simulated results: a model of the complexes, not measurements."},
                       {"ko", "시뮬레이션 결과입니다. 실측값이 아닙니다."}};
  json complexes = json::array();
  for (const Complex& c : runs.front().layout->site.complexes)
    complexes.push_back(
        {{"id", c.complex_id}, {"name", c.name}, {"name_ko", c.name_ko.empty() ? c.name : c.name_ko}});
  out["complexes"] = complexes;
  const bool any_grid = std::any_of(runs.begin(), runs.end(), [](const RunView& r) { return r.has_grid; });
  const bool any_traffic =
      std::any_of(runs.begin(), runs.end(), [](const RunView& r) { return r.has_traffic; });
  const bool any_battery =
      std::any_of(runs.begin(), runs.end(), [](const RunView& r) { return r.has_battery; });
  const bool any_emissions =
      std::any_of(runs.begin(), runs.end(), [](const RunView& r) { return r.has_emissions; });
  out["quantities"] = {
      {"facilities", quantities_json(kFacilityQuantities,
                                     [&](const Quantity& q) {
                                       const std::string k = q.key;
                                       return (k != "battery_soc" || any_battery) &&
                                              (k != "tco2e" || any_emissions);
                                     })},
      {"feeders", quantities_json(kFeederQuantities, [&](const Quantity&) { return any_grid; })},
      {"roads", quantities_json(kRoadQuantities, [&](const Quantity&) { return any_traffic; })}};
  const RunView& first = runs.front();
  out["limits"] = {{"vmin_pu", first.vmin_pu},
                   {"vmax_pu", first.vmax_pu},
                   {"max_loading", first.max_loading},
                   {"vc_alarm", options.vc_alarm}};
  if (measured) {
    json facilities = json::array();
    const Site& site = first.layout->site;
    for (std::size_t i = 0; i < measured_meter_of_facility.size(); ++i)
      if (measured_meter_of_facility[i] >= 0) facilities.push_back(site.facilities[i].facility_id);
    out["measured"] = {
        {"file", options.measured}, {"meters", measured->meters.size()}, {"facilities", facilities}};
  } else {
    out["measured"] = nullptr;
  }
  return out;
}

json ViewData::Impl::kpis(const RunView& run, const RunView* base) {
  const std::vector<KpiRow> rows = readers[run.file]->kpis(run.run);
  std::vector<KpiRow> base_rows;
  if (base) base_rows = readers[base->file]->kpis(base->run);
  std::vector<std::pair<std::string, std::string>> order;  // id, name
  std::map<std::string, std::string> korean;
  for (const Complex& c : run.layout->site.complexes) {
    order.emplace_back(c.complex_id, c.name);
    korean[c.complex_id] = c.name_ko.empty() ? c.name : c.name_ko;
  }
  order.emplace_back("all", "All complexes");
  korean["all"] = "전체";
  json list = json::array();
  for (const auto& [id, name] : order) {
    json items = json::array();
    for (const KpiRow& row : rows) {
      if (row.complex != id) continue;
      json item{{"key", row.key}, {"value", number_json(row.value)}, {"unit", row.unit}};
      if (base) {
        item["base"] = nullptr;
        for (const KpiRow& b : base_rows)
          if (b.key == row.key && b.complex == id) item["base"] = number_json(b.value);
      }
      items.push_back(item);
    }
    if (items.empty()) continue;
    list.push_back({{"id", id}, {"name", name}, {"name_ko", korean[id]}, {"kpis", items}});
  }
  return {{"complexes", list}};
}

json ViewData::Impl::alarms(const RunView& run, double vc_limit, std::size_t limit) {
  struct Alarm {
    std::string kind;
    std::string layer;
    std::size_t feature = 0;
    std::string name;
    double hours = 0;
    int worst_hour = 0;
    double value = 0;
    double limit = 0;
    std::string unit;
    XY at;
    double severity = 0;  // how far beyond its limit, relative
  };
  std::vector<Alarm> found;
  const Site& site = run.layout->site;
  const auto t_count = static_cast<std::size_t>(run.hours);
  if (run.has_grid) {
    const auto vm = series(run, "grid/bus_vm_pu");
    const auto loading = series(run, "grid/branch_loading");
    for (std::size_t i = 0; i < site.feeders.size(); ++i) {
      const std::string& name = site.feeders[i].segment_id;
      if (const int b = run.segment_bus[i]; b >= 0 && static_cast<std::size_t>(b) < vm->rows) {
        Alarm under{"undervoltage",           "feeders", i, name, 0, 0, 10.0, run.vmin_pu, "p.u.",
                    run.layout->segment_at[i]};
        Alarm over{
            "overvoltage", "feeders", i, name, 0, 0, 0.0, run.vmax_pu, "p.u.", run.layout->segment_at[i]};
        for (std::size_t t = 0; t < std::min(t_count, vm->columns); ++t) {
          const float v = vm->at(static_cast<std::size_t>(b), t);
          if (!std::isfinite(v)) continue;
          if (v < run.vmin_pu) {
            ++under.hours;
            if (v < under.value)
              under = {under.kind,          under.layer, i,           name,   under.hours,
                       static_cast<int>(t), v,           run.vmin_pu, "p.u.", under.at};
          }
          if (v > run.vmax_pu) {
            ++over.hours;
            if (v > over.value)
              over = {over.kind,           over.layer, i,           name,   over.hours,
                      static_cast<int>(t), v,          run.vmax_pu, "p.u.", over.at};
          }
        }
        under.severity = (run.vmin_pu - under.value) / run.vmin_pu;
        over.severity = (over.value - run.vmax_pu) / run.vmax_pu;
        if (under.hours > 0) found.push_back(under);
        if (over.hours > 0) found.push_back(over);
      }
      if (const int br = run.segment_branch[i]; br >= 0 && static_cast<std::size_t>(br) < loading->rows) {
        Alarm a{"overload", "feeders", i, name, 0, 0, 0.0, run.max_loading, "1", run.layout->segment_at[i]};
        for (std::size_t t = 0; t < std::min(t_count, loading->columns); ++t) {
          const float v = loading->at(static_cast<std::size_t>(br), t);
          if (v > run.max_loading) {
            ++a.hours;
            if (v > a.value) {
              a.value = v;
              a.worst_hour = static_cast<int>(t);
            }
          }
        }
        a.severity = (a.value - run.max_loading) / run.max_loading;
        if (a.hours > 0) found.push_back(a);
      }
    }
  }
  if (run.has_traffic) {
    const auto v = road_values(run);
    const std::size_t links = v->columns / (std::size_t{3} * 24);
    // The day of each day type nearest the day of the year's peak import: where a road alarm's
    // worst hour goes (its traffic is the same on every day of the type).
    std::array<int, 3> first_day{-1, -1, -1};
    const int peak_day = run.peak_hour / 24;
    for (std::size_t d = 0; d < run.day_type.size(); ++d) {
      const auto type = static_cast<std::size_t>(run.day_type[d]);
      if (first_day[type] < 0 ||
          std::abs(static_cast<int>(d) - peak_day) < std::abs(first_day[type] - peak_day))
        first_day[type] = static_cast<int>(d);
    }
    for (std::size_t i = 0; i < site.roads.size(); ++i) {
      if (run.road_links[i].empty()) continue;
      Alarm a{"congestion", "roads",  i,   site.roads[i].road_id, 0, 0,
              0.0,          vc_limit, "1", run.layout->road_at[i]};
      for (std::size_t d = 0; d < 3; ++d) {
        for (std::size_t h = 0; h < 24; ++h) {
          float worst = 0.0F;
          for (const int l : run.road_links[i])
            worst =
                std::max(worst, v->values[v->columns + (d * 24 + h) * links + static_cast<std::size_t>(l)]);
          if (worst > vc_limit) {
            a.hours += run.days_in_year[d];
            if (worst > a.value && first_day[d] >= 0) {
              a.value = worst;
              a.worst_hour = first_day[d] * 24 + static_cast<int>(h);
            }
          }
        }
      }
      a.severity = (a.value - vc_limit) / vc_limit;
      if (a.hours > 0) found.push_back(a);
    }
  }
  if (run.has_battery) {
    const auto soc = series(run, "energy/battery_soc");
    for (std::size_t i = 0; i < site.facilities.size(); ++i) {
      const int row = run.facility_row[i];
      if (row < 0) continue;
      float high = 0.0F;
      for (std::size_t t = 0; t < soc->columns; ++t)
        high = std::max(high, soc->at(static_cast<std::size_t>(row), t));
      if (high <= 0.0F) continue;  // no battery here
      float low = high;
      for (std::size_t t = 0; t < soc->columns; ++t)
        low = std::min(low, soc->at(static_cast<std::size_t>(row), t));
      // At a limit: within 0.5 % of the state of charge the battery reached at most (or least) in the
      // year, its soc_max (soc_min) when it got there: hours it could not charge (discharge) more.
      Alarm full{"battery_full", "facilities", i,   site.facilities[i].facility_id, 0, -1,
                 high,           high,         "1", run.layout->facility_at[i]};
      Alarm empty{
          "battery_empty",           "facilities", i, site.facilities[i].facility_id, 0, -1, low, low, "1",
          run.layout->facility_at[i]};
      for (std::size_t t = 0; t < soc->columns; ++t) {
        const float x = soc->at(static_cast<std::size_t>(row), t);
        if (x >= high - 0.005F) {
          ++full.hours;
          if (full.worst_hour < 0) full.worst_hour = static_cast<int>(t);
        }
        if (x <= low + 0.005F) {
          ++empty.hours;
          if (empty.worst_hour < 0) empty.worst_hour = static_cast<int>(t);
        }
      }
      full.severity = full.hours / static_cast<double>(run.hours) * 0.01;
      empty.severity = empty.hours / static_cast<double>(run.hours) * 0.01;
      found.push_back(full);
      found.push_back(empty);
    }
  }
  if (measured && run.layout == runs.front().layout) {
    // Measured against simulated load, hour by hour over the hours both have: an alarm when the
    // CV(RMSE) passes ASHRAE Guideline 14's 30 % for hourly calibration, on the hours of
    // measured_offset's alignment.
    const auto load = series(run, "energy/load_kw");
    for (std::size_t i = 0; i < measured_meter_of_facility.size(); ++i) {
      const int m = measured_meter_of_facility[i];
      const int row = run.facility_row[i];
      if (m < 0 || row < 0) continue;
      double squares = 0;
      double sum = 0;
      double worst = -1;
      int worst_hour = 0;
      int n = 0;
      for (int k = 0; k < measured->hours; ++k) {
        const int h = measured_offset(run) + k;
        if (h < 0 || h >= run.hours) continue;
        const double x = measured->at(static_cast<std::size_t>(m), k);
        if (!std::isfinite(x)) continue;
        const double s = load->at(static_cast<std::size_t>(row), static_cast<std::size_t>(h));
        squares += (x - s) * (x - s);
        sum += x;
        ++n;
        if (std::fabs(x - s) > worst) {
          worst = std::fabs(x - s);
          worst_hour = h;
        }
      }
      if (n < 24 || sum <= 0) continue;
      const double cv = std::sqrt(squares / n) / (sum / n);
      if (cv <= 0.30) continue;
      found.push_back({"deviation", "facilities", i, site.facilities[i].facility_id, static_cast<double>(n),
                       worst_hour, cv, 0.30, "1", run.layout->facility_at[i], (cv - 0.30) / 0.30});
    }
  }
  std::stable_sort(found.begin(), found.end(), [](const Alarm& a, const Alarm& b) {
    return a.severity != b.severity ? a.severity > b.severity : a.hours > b.hours;
  });
  json list = json::array();
  for (std::size_t i = 0; i < std::min(limit, found.size()); ++i) {
    const Alarm& a = found[i];
    const LonLat ll = working_to_lonlat(a.at);
    list.push_back({{"kind", a.kind},
                    {"layer", a.layer},
                    {"feature", a.feature},
                    {"name", a.name},
                    {"hours", a.hours},
                    {"worst_hour", a.worst_hour},
                    {"value", number_json(a.value)},
                    {"limit", number_json(a.limit)},
                    {"unit", a.unit},
                    {"lon", ll.lon_deg},
                    {"lat", ll.lat_deg}});
  }
  return {{"alarms", list}, {"total", found.size()}, {"shown", list.size()}};
}

json ViewData::Impl::scale(const RunView& run, const RunView* base, const std::string& layer,
                           const std::string& quantity) {
  // Over every hour of the year: one frame for the yearly quantities, and for roads one a day type
  // and hour of the day (every day of a type has the same traffic). Minimum and maximum over every
  // value; the 98th percentile over every 7th (7 is prime to 24: every hour of the day takes part).
  const bool yearly = layer == "facilities" && (quantity == "bill_krw" || quantity == "tco2e");
  std::vector<int> hours;
  if (yearly) {
    hours.push_back(0);
  } else if (layer == "roads") {
    std::array<bool, 3> seen{false, false, false};
    for (std::size_t d = 0; d < run.day_type.size(); ++d) {
      const auto type = static_cast<std::size_t>(run.day_type[d]);
      if (seen[type]) continue;
      seen[type] = true;
      for (int h = 0; h < 24; ++h) hours.push_back(static_cast<int>(d) * 24 + h);
    }
  } else {
    hours.resize(static_cast<std::size_t>(run.hours));
    std::iota(hours.begin(), hours.end(), 0);
  }
  std::vector<float> sample;
  double min = std::numeric_limits<double>::infinity();
  double max = -min;
  std::size_t count = 0;
  for (const int h : hours) {
    std::vector<float> v = frame(run, layer, quantity, h);
    if (base) {
      const std::vector<float> b = frame(*base, layer, quantity, h);
      for (std::size_t i = 0; i < v.size(); ++i) v[i] -= b[i];
    }
    for (const float x : v) {
      if (!std::isfinite(x)) continue;
      min = std::min(min, static_cast<double>(x));
      max = std::max(max, static_cast<double>(x));
      if (count++ % 7 == 0) sample.push_back(base ? std::fabs(x) : x);
    }
  }
  const Quantity* q = layer == "facilities" ? find_quantity(kFacilityQuantities, quantity)
                      : layer == "feeders"  ? find_quantity(kFeederQuantities, quantity)
                                            : find_quantity(kRoadQuantities, quantity);
  json out{{"unit", q ? q->unit : ""}, {"hours_sampled", hours.size()}};
  if (count == 0) {
    out["min"] = 0;
    out["max"] = 0;
    out["p98"] = 0;
    return out;
  }
  double p98 = percentile(sample, 0.98);
  if (base) {
    // Symmetric about 0, so that white is "no change".
    max = std::max(std::fabs(min), std::fabs(max));
    min = -max;
  }
  out["min"] = min;
  out["max"] = max;
  out["p98"] = p98;
  return out;
}

json ViewData::Impl::series_json(const RunView& run, const RunView* base, const ViewQuery& query) {
  const std::string layer = text_parameter(query, "layer");
  const std::string quantity = text_parameter(query, "quantity");
  const Site& site = run.layout->site;
  const int from = int_parameter(query, "from", 0, 0, run.hours - 1);
  const int hours = int_parameter(query, "hours", run.hours - from, 1, run.hours - from);
  const int step = int_parameter(query, "step", 1, 1, 24 * 366);
  if (step != 1 && step != 24) bad_request("parameter 'step': give 1 (hours) or 24 (daily means)");
  std::size_t count = 0;
  if (layer == "facilities")
    count = site.facilities.size();
  else if (layer == "feeders")
    count = site.feeders.size();
  else if (layer == "complexes")
    count = site.complexes.size();
  else
    bad_request("parameter 'layer': '" + layer.substr(0, 40) +
                "' is not one of facilities, feeders, complexes");
  if (count == 0) not_found("layer '" + layer + "' has no features");
  // Without `feature` the index would be -1 (found by fuzz/fuzz_view.cpp).
  if (query.find("feature") == query.end())
    bad_request("missing parameter 'feature': give 0 to " + std::to_string(count - 1));
  const auto feature =
      static_cast<std::size_t>(int_parameter(query, "feature", -1, 0, static_cast<int>(count) - 1));
  std::string unit;
  // One run's hourly values of the feature over [from, from + hours).
  auto values_of = [&](const RunView& r) {
    std::vector<float> out(static_cast<std::size_t>(hours), kNaN);
    std::shared_ptr<const Series> s;
    int row = -1;
    std::shared_ptr<const Series> divisor;
    if (layer == "complexes") {
      if (std::find(kComplexQuantities.begin(), kComplexQuantities.end(), quantity) ==
          kComplexQuantities.end())
        bad_request("parameter 'quantity': '" + quantity.substr(0, 40) +
                    "' is not one of load_kw, pv_kw, import_kw, export_kw for complexes");
      s = series(r, "energy/complex_" + quantity);
      row = r.complex_row[feature];
      unit = "kW";
    } else if (layer == "facilities") {
      const Quantity* q = find_quantity(kFacilityQuantities, quantity);
      if (!q || q->per_year)
        bad_request("parameter 'quantity': '" + quantity.substr(0, 40) +
                    "' has no hourly series; give one of load_kw, pv_kw, import_kw, export_kw, "
                    "self_sufficiency, battery_soc");
      if (quantity == "battery_soc" && !r.has_battery) bad_request("run '" + r.id + "' has no batteries");
      unit = q->unit;
      row = r.facility_row[feature];
      if (quantity == "self_sufficiency") {
        s = series(r, "energy/import_kw");
        divisor = series(r, "energy/load_kw");
      } else {
        s = series(r, "energy/" + quantity);
      }
    } else {
      const Quantity* q = find_quantity(kFeederQuantities, quantity);
      if (!q)
        bad_request("parameter 'quantity': '" + quantity.substr(0, 40) + "' is not one of loading, voltage");
      if (!r.has_grid) bad_request("run '" + r.id + "' has no grid results");
      unit = q->unit;
      const bool loading = quantity == "loading";
      s = series(r, loading ? "grid/branch_loading" : "grid/bus_vm_pu");
      row = loading ? r.segment_branch[feature] : r.segment_bus[feature];
    }
    if (row < 0) return out;
    for (int k = 0; k < hours; ++k) {
      const auto t = static_cast<std::size_t>(from) + static_cast<std::size_t>(k);
      float x = s->at(static_cast<std::size_t>(row), t);
      if (divisor) {
        const float l = divisor->at(static_cast<std::size_t>(row), t);
        x = l > 0 ? 1.0F - x / l : kNaN;
      }
      out[static_cast<std::size_t>(k)] = x;
    }
    return out;
  };
  std::vector<float> values = values_of(run);
  if (base) {
    const std::vector<float> b = values_of(*base);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] -= b[i];
  }
  auto stepped = [&](const std::vector<float>& v) {
    json out = json::array();
    for (std::size_t i = 0; i < v.size(); i += static_cast<std::size_t>(step)) {
      double sum = 0;
      int n = 0;
      for (std::size_t j = i; j < std::min(v.size(), i + static_cast<std::size_t>(step)); ++j) {
        if (std::isfinite(v[j])) {
          sum += v[j];
          ++n;
        }
      }
      out.push_back(n > 0 ? json(sum / n) : json(nullptr));
    }
    return out;
  };
  json out{{"unit", unit}, {"from", from}, {"step", step}, {"values", stepped(values)}};
  if (measured && layer == "facilities" && quantity == "load_kw" && !base &&
      run.layout == runs.front().layout) {
    if (const int m = measured_meter_of_facility[feature]; m >= 0) {
      std::vector<float> mv(static_cast<std::size_t>(hours), kNaN);
      for (int k = 0; k < hours; ++k) {
        const int idx = from + k - measured_offset(run);
        if (idx >= 0 && idx < measured->hours)
          mv[static_cast<std::size_t>(k)] =
              static_cast<float>(measured->at(static_cast<std::size_t>(m), idx));
      }
      out["measured"] = stepped(mv);
    }
  }
  return out;
}

// The dynamic loading at shift change (docs/view.md, "Shift change"): its time axis, the busiest
// gate's queue, the queues of every gate that has one, the vehicles queued on all links, and each
// class's mean travel and free-flow times.
json ViewData::Impl::dynamic_json(const RunView& run) {
  const ResultsReader& r = *readers[run.file];
  const std::string g = "runs/" + run.run + "/traffic/dynamic";
  const std::vector<double> time = r.numbers(g + "/time_s");
  const auto link_queue = series(run, "traffic/dynamic/link_queue_veh");
  const auto link_queue_m = series(run, "traffic/dynamic/link_queue_m");
  const auto gate_queue = series(run, "traffic/dynamic/gate_queue_veh");
  const std::vector<std::string> zones = r.strings(g + "/zone");
  const std::vector<std::string> kinds = r.strings(g + "/zone_kind");
  json queued = json::array();
  json longest = json::array();
  double max_m = 0.0;
  for (std::size_t t = 0; t < link_queue->rows; ++t) {
    double sum = 0.0;
    for (std::size_t l = 0; l < link_queue->columns; ++l) sum += link_queue->at(t, l);
    queued.push_back(sum);
    double m = 0.0;
    for (std::size_t l = 0; l < link_queue_m->columns; ++l) m = std::max(m, double{link_queue_m->at(t, l)});
    longest.push_back(m);
    max_m = std::max(max_m, m);
  }
  json gates = json::array();
  for (std::size_t z = 0; z < zones.size() && z < kinds.size() && z < gate_queue->columns; ++z) {
    if (kinds[z] != "gate") continue;
    json q = json::array();
    double peak = 0.0;
    for (std::size_t t = 0; t < gate_queue->rows; ++t) {
      q.push_back(gate_queue->at(t, z));
      peak = std::max(peak, double{gate_queue->at(t, z)});
    }
    gates.push_back({{"zone", zones[z]}, {"peak_veh", peak}, {"queue_veh", q}});
  }
  const std::vector<std::string> classes = r.strings(g + "/class");
  const std::vector<double> vehicles = r.numbers(g + "/class_vehicles");
  const std::vector<double> travel = r.numbers(g + "/class_mean_travel_time_s");
  const std::vector<double> free_flow = r.numbers(g + "/class_mean_free_flow_time_s");
  json class_list = json::array();
  for (std::size_t k = 0;
       k < classes.size() && k < vehicles.size() && k < travel.size() && k < free_flow.size(); ++k) {
    class_list.push_back({{"class", classes[k]},
                          {"vehicles", vehicles[k]},
                          {"mean_travel_time_s", number_json(travel[k])},
                          {"mean_free_flow_time_s", number_json(free_flow[k])}});
  }
  return json{{"time_s", time},
              {"report_s", r.number_attribute(g, "report_s").value_or(300.0)},
              {"start_s", r.number_attribute(g, "start_s").value_or(time.empty() ? 0.0 : time.front())},
              {"end_s", r.number_attribute(g, "end_s").value_or(0.0)},
              {"vehicles", r.number_attribute(g, "vehicles").value_or(0.0)},
              {"busiest_gate", r.string_attribute(g, "busiest_gate").value_or("")},
              {"gates", gates},
              {"queued_veh", queued},
              {"longest_queue_m", longest},
              {"max_queue_m", max_m},
              {"classes", class_list}};
}

// Each layout road's queue at a report step: the longest of its directed links' (m).
std::vector<float> ViewData::Impl::dynamic_frame(const RunView& run, int step) {
  const auto queue = series(run, "traffic/dynamic/link_queue_m");
  std::vector<float> out(run.road_links.size(), kNaN);
  for (std::size_t i = 0; i < run.road_links.size(); ++i) {
    if (run.road_links[i].empty()) continue;
    float m = 0.0F;
    for (const int l : run.road_links[i]) {
      if (static_cast<std::size_t>(l) < queue->columns)
        m = std::max(m, queue->at(static_cast<std::size_t>(step), static_cast<std::size_t>(l)));
    }
    out[i] = m;
  }
  return out;
}

ViewData::ViewData(const ViewOptions& options) : impl_(std::make_unique<Impl>(options)) { impl_->open(); }
ViewData::~ViewData() = default;

std::vector<std::string> ViewData::run_ids() const {
  std::vector<std::string> ids;
  for (const RunView& r : impl_->runs) ids.push_back(r.id);
  return ids;
}

ViewReply ViewData::get(const std::string& path, const ViewQuery& query) {
  ViewReply reply;
  const std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl& d = *impl_;
  try {
    if (path == "/api/meta") {
      reply.body = d.meta().dump();
    } else if (path == "/api/layout") {
      reply.body = d.run_of(query).layout->geojson;
    } else if (path == "/api/frame" || path == "/api/scale") {
      const RunView& run = d.run_of(query);
      const RunView* base = d.base_of(query, run);
      const std::string layer = text_parameter(query, "layer");
      const std::string quantity = text_parameter(query, "quantity");
      const Quantity* q = nullptr;
      if (layer == "facilities") {
        q = find_quantity(kFacilityQuantities, quantity);
        if (q && std::string(q->key) == "battery_soc" && !(run.has_battery || (base && base->has_battery)))
          bad_request("quantity 'battery_soc': run '" + run.id + "' has no batteries");
        if (q && std::string(q->key) == "tco2e" && !run.has_emissions)
          bad_request("quantity 'tco2e': run '" + run.id + "' has no emissions account");
      } else if (layer == "feeders") {
        q = find_quantity(kFeederQuantities, quantity);
        if (!run.has_grid || (base && !base->has_grid))
          bad_request("layer 'feeders': run '" + run.id + "' has no grid results");
      } else if (layer == "roads") {
        q = find_quantity(kRoadQuantities, quantity);
        if (!run.has_traffic || (base && !base->has_traffic))
          bad_request("layer 'roads': run '" + run.id + "' has no traffic results");
      } else {
        bad_request("parameter 'layer': '" + layer.substr(0, 40) +
                    "' is not one of facilities, feeders, roads");
      }
      if (!q)
        bad_request("parameter 'quantity': '" + quantity.substr(0, 40) + "' is not a quantity of layer '" +
                    layer + "' (see /api/meta)");
      if (path == "/api/scale") {
        // A year of frames takes a second: each scale is made once.
        const std::string key = run.id + "|" + (base ? base->id : "") + "|" + layer + "|" + quantity;
        auto found = d.scales.find(key);
        if (found == d.scales.end())
          found = d.scales.emplace(key, d.scale(run, base, layer, quantity).dump()).first;
        reply.body = found->second;
      } else {
        const int hour = q->per_year ? int_parameter(query, "hour", 0, 0, run.hours - 1)
                                     : int_parameter(query, "hour", -1, 0, run.hours - 1);
        if (!q->per_year && query.find("hour") == query.end())
          bad_request("missing parameter 'hour': give 0 to " + std::to_string(run.hours - 1));
        std::vector<float> values = d.frame(run, layer, quantity, hour);
        if (base) {
          const std::vector<float> b = d.frame(*base, layer, quantity, hour);
          for (std::size_t i = 0; i < values.size(); ++i) values[i] -= b[i];
        }
        reply.headers.emplace_back("X-Sandan-Unit", q->unit);
        const auto format = query.find("format");
        if (format != query.end() && format->second == "json") {
          json list = json::array();
          for (const float v : values) list.push_back(number_json(v));
          reply.body = json{{"values", list}, {"unit", q->unit}}.dump();
        } else if (format != query.end() && format->second != "binary") {
          bad_request("parameter 'format': give json or binary");
        } else {
          reply.content_type = "application/octet-stream";
          // Little-endian float32, as every browser's Float32Array on the machines sandan runs on.
          reply.body.resize(values.size() * sizeof(float));
          if (!values.empty()) std::memcpy(reply.body.data(), values.data(), reply.body.size());
        }
      }
    } else if (path == "/api/series") {
      const RunView& run = d.run_of(query);
      reply.body = d.series_json(run, d.base_of(query, run), query).dump();
    } else if (path == "/api/dynamic" || path == "/api/dynamic_frame") {
      const RunView& run = d.run_of(query);
      if (!run.has_dynamic)
        bad_request("run '" + run.id + "' has no dynamic loading (traffic.dynamic in its scenario)");
      if (path == "/api/dynamic") {
        reply.body = d.dynamic_json(run).dump();
      } else {
        const int steps = static_cast<int>(d.series(run, "traffic/dynamic/link_queue_m")->rows);
        if (query.find("step") == query.end())
          bad_request("missing parameter 'step': give 0 to " + std::to_string(steps - 1));
        const int step = int_parameter(query, "step", 0, 0, steps - 1);
        const std::vector<float> values = d.dynamic_frame(run, step);
        reply.content_type = "application/octet-stream";
        reply.headers.emplace_back("X-Sandan-Unit", "m");
        reply.body.resize(values.size() * sizeof(float));
        if (!values.empty()) std::memcpy(reply.body.data(), values.data(), reply.body.size());
      }
    } else if (path == "/api/kpis") {
      const RunView& run = d.run_of(query);
      reply.body = d.kpis(run, d.base_of(query, run)).dump();
    } else if (path == "/api/alarms") {
      const RunView& run = d.run_of(query);
      const double vc = number_parameter(query, "vc", d.options.vc_alarm, 0.0, 100.0);
      const int limit = int_parameter(query, "limit", 200, 1, 100000);
      reply.body = d.alarms(run, vc, static_cast<std::size_t>(limit)).dump();
    } else {
      not_found("no endpoint " + path.substr(0, 80) +
                "; the API is /api/meta, /api/layout, /api/frame, /api/scale, "
                "/api/series, /api/kpis, /api/alarms, /api/dynamic, /api/dynamic_frame (docs/view.md)");
    }
  } catch (const RequestError& e) {
    reply = ViewReply{e.status,
                      "application/json",
                      json{{"error", e.message}}.dump(-1, ' ', false, json::error_handler_t::replace),
                      {}};
  } catch (const std::exception& e) {
    // The files were checked at start: what fails now is the file itself (changed or damaged since).
    reply = ViewReply{500,
                      "application/json",
                      json{{"error", std::string("reading the results failed: ") + e.what()}}.dump(
                          -1, ' ', false, json::error_handler_t::replace),
                      {}};
  }
  return reply;
}

}  // namespace sandan
