#include "io/run_layers.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "io/results_reader.hpp"
#include "scenario/kpi_catalogue.hpp"

namespace sandan {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
// Facilities whose hourly series are read at once: the file's chunks are 32 facilities × the year,
// so a block of whole chunks costs about 9 MB whatever the layout's size.
constexpr std::size_t kFacilitiesPerBlock = 256;

// Reads one run; every problem is bad input naming the file and the run.
class RunReader {
 public:
  RunReader(const ResultsReader& reader, std::string run_id)
      : reader_(reader), run_id_(std::move(run_id)), base_("runs/" + run_id_ + "/") {}

  [[noreturn]] void fail(const std::string& message) const {
    throw Error(ErrorCode::kBadInput, reader_.path() + ": run '" + run_id_ + "': " + message);
  }

  [[nodiscard]] bool has(const std::string& name) const { return reader_.exists(base_ + name); }

  [[nodiscard]] std::vector<std::string> strings(const std::string& name, std::size_t size) const {
    std::vector<std::string> values = reader_.strings(base_ + name);
    expect(name, values.size(), size);
    return values;
  }

  [[nodiscard]] std::vector<double> numbers(const std::string& name, std::size_t size) const {
    std::vector<double> values = reader_.numbers(base_ + name);
    expect(name, values.size(), size);
    return values;
  }

  [[nodiscard]] std::vector<double> numbers(const std::string& name) const {
    return reader_.numbers(base_ + name);
  }

  [[nodiscard]] std::vector<std::string> strings(const std::string& name) const {
    return reader_.strings(base_ + name);
  }

  [[nodiscard]] std::vector<float> floats(const std::string& name,
                                          const std::vector<std::size_t>& shape) const {
    std::vector<std::size_t> dims;
    std::vector<float> values = reader_.floats(base_ + name, &dims);
    if (dims != shape) fail(name + " does not have the shape of its coordinates");
    return values;
  }

  [[nodiscard]] std::vector<float> rows(const std::string& name, std::size_t first, std::size_t count,
                                        std::size_t& columns) const {
    return reader_.float_rows(base_ + name, first, count, columns);
  }

  void expect(const std::string& name, std::size_t size, std::size_t wanted) const {
    if (size != wanted) {
      fail(name + " holds " + std::to_string(size) + " values where " + std::to_string(wanted) +
           " are expected");
    }
  }

 private:
  const ResultsReader& reader_;
  std::string run_id_;
  std::string base_;
};

ResultField real(std::string name, std::vector<double> values) {
  return {std::move(name), ResultFieldType::kReal, std::move(values), {}};
}

ResultField integer(std::string name, std::vector<double> values) {
  return {std::move(name), ResultFieldType::kInteger, std::move(values), {}};
}

ResultField text(std::string name, std::vector<std::string> values) {
  return {std::move(name), ResultFieldType::kText, {}, std::move(values)};
}

// A facility series' yearly sum (kWh: each value is the mean power over its hour) and its largest
// hour, summed in double.
struct SeriesTotals {
  std::vector<double> kwh;
  std::vector<double> peak_kw;
};

SeriesTotals series_totals(const RunReader& run, const std::string& name, std::size_t facilities) {
  SeriesTotals totals{std::vector<double>(facilities, 0.0), std::vector<double>(facilities, 0.0)};
  for (std::size_t first = 0; first < facilities; first += kFacilitiesPerBlock) {
    const std::size_t count = std::min(kFacilitiesPerBlock, facilities - first);
    std::size_t hours = 0;
    const std::vector<float> block = run.rows(name, first, count, hours);
    for (std::size_t i = 0; i < count; ++i) {
      double sum = 0.0;
      float peak = hours > 0 ? block[i * hours] : 0.0F;
      for (std::size_t h = 0; h < hours; ++h) {
        sum += block[i * hours + h];
        peak = std::max(peak, block[i * hours + h]);
      }
      totals.kwh[first + i] = sum;
      totals.peak_kw[first + i] = peak;
    }
  }
  return totals;
}

std::vector<double> mwh(const std::vector<double>& kwh) {
  std::vector<double> out(kwh.size());
  std::transform(kwh.begin(), kwh.end(), out.begin(), [](double v) { return v / 1e3; });
  return out;
}

ResultTable facility_table(const RunReader& run) {
  ResultTable table;
  table.ids = run.strings("energy/facility");
  const std::size_t n = table.ids.size();
  const std::vector<double> kwp = run.numbers("energy/pv_capacity_kwp", n);
  table.fields.push_back(real("pv_capacity_kwp", kwp));
  table.fields.push_back(real("bill_krw", run.numbers("energy/bill_krw", n)));
  // Each series the file holds (all or none of them, unless the file was edited).
  std::map<std::string, SeriesTotals> series;
  for (const char* name : {"load", "pv", "curtailed", "import", "export", "fuel"}) {
    const std::string dataset = std::string("energy/") + name + "_kw";
    if (!run.has(dataset)) continue;
    series[name] = series_totals(run, dataset, n);
    table.fields.push_back(real(std::string(name) + "_mwh", mwh(series[name].kwh)));
  }
  const auto load = series.find("load");
  const auto imported = series.find("import");
  const auto pv = series.find("pv");
  if (imported != series.end())
    table.fields.push_back(real(kpi_key(KpiId::kPeakImportKw), imported->second.peak_kw));
  if (load != series.end() && imported != series.end()) {
    // As the KPI of that name (scenario/kpi_catalogue): 1 − import / load, 0 without load.
    std::vector<double> share(n, 0.0);
    for (std::size_t f = 0; f < n; ++f) {
      const double load_kwh = load->second.kwh[f];
      if (load_kwh > 0.0) share[f] = 1.0 - imported->second.kwh[f] / load_kwh;
    }
    table.fields.push_back(real(kpi_key(KpiId::kSelfSufficiency), share));
  }
  if (pv != series.end()) {
    // Null without PV, so that a map does not show facilities without panels as yielding nothing.
    std::vector<double> yield(n, kNan);
    for (std::size_t f = 0; f < n; ++f) {
      if (kwp[f] > 0.0) yield[f] = pv->second.kwh[f] / kwp[f];
    }
    table.fields.push_back(real(kpi_key(KpiId::kPvYieldKwhPerKwp), yield));
  }
  return table;
}

// Every KPI of each complex, a field a key in the table's order (null where a complex lacks a key).
ResultTable complex_table(const RunReader& run, const std::vector<KpiRow>& kpis) {
  ResultTable table;
  table.ids = run.strings("energy/complex");
  std::map<std::string, std::size_t> row_of;
  for (std::size_t i = 0; i < table.ids.size(); ++i) row_of[table.ids[i]] = i;
  std::map<std::string, std::size_t> field_of;
  for (const auto& k : kpis) {
    const auto row = row_of.find(k.complex);
    if (row == row_of.end()) continue;
    auto field = field_of.find(k.key);
    if (field == field_of.end()) {
      field = field_of.emplace(k.key, table.fields.size()).first;
      table.fields.push_back(real(k.key, std::vector<double>(table.ids.size(), kNan)));
    }
    table.fields[field->second].numbers[row->second] = k.value;
  }
  return table;
}

std::size_t index_of(const RunReader& run, const std::vector<std::string>& values, const std::string& value,
                     const std::string& coordinate) {
  const auto it = std::find(values.begin(), values.end(), value);
  if (it == values.end()) run.fail("traffic/" + coordinate + " has no '" + value + "'");
  return static_cast<std::size_t>(it - values.begin());
}

ResultLinks link_layer(const RunReader& run) {
  const std::vector<std::string> day_types = run.strings("traffic/day_type");
  const std::vector<std::string> classes = run.strings("traffic/class");
  const std::size_t days = day_types.size();
  const std::size_t hours = run.numbers("traffic/hour").size();
  const std::vector<double> link = run.numbers("traffic/link");
  const std::size_t links = link.size();
  const std::size_t nk = classes.size();
  const std::size_t workday = index_of(run, day_types, "workday", "day_type");

  ResultLinks out;
  out.table.ids = run.strings("traffic/link_road_id", links);
  const std::vector<double> from_x = run.numbers("traffic/link_from_x", links);
  const std::vector<double> from_y = run.numbers("traffic/link_from_y", links);
  for (std::size_t l = 0; l < links; ++l) out.from.push_back({from_x[l], from_y[l]});
  const std::vector<double> length_km = run.numbers("traffic/link_length_km", links);
  const std::vector<double> capacity = run.numbers("traffic/link_capacity_pce_h", links);
  const std::vector<double> pce = run.numbers("traffic/pce", nk);
  const std::vector<double> days_in_year = run.numbers("traffic/days_in_year", days);
  const std::vector<float> flow = run.floats("traffic/link_flow_veh_h", {days, hours, links, nk});
  const std::vector<float> speed = run.floats("traffic/link_speed_kmh", {days, hours, links});
  // Background traffic (traffic.background) loads the links too: it counts in the peak's PCE and v/c,
  // as it does in the speeds, but not in the complexes' vehicle-km.
  std::vector<float> background;
  std::vector<double> background_pce;
  std::size_t nb = 0;
  if (run.has("traffic/background_flow_veh_h")) {
    background_pce = run.numbers("traffic/background_pce");
    nb = background_pce.size();
    background = run.floats("traffic/background_flow_veh_h", {days, hours, links, nb});
  }

  // The year's vehicle-km, summed as the traffic KPIs are (docs/results-schema.md): each kind of day
  // weighted by its days in the year.
  std::vector<double> vkt(links, 0.0);
  for (std::size_t d = 0; d < days; ++d) {
    for (std::size_t h = 0; h < hours; ++h) {
      const float* slot = &flow[(d * hours + h) * links * nk];
      for (std::size_t l = 0; l < links; ++l) {
        double vehicles = 0.0;
        for (std::size_t k = 0; k < nk; ++k) vehicles += slot[l * nk + k];
        vkt[l] += days_in_year[d] * vehicles * length_km[l];
      }
    }
  }
  // The workday: each class's vehicles of the day, and the link's own busiest hour (most PCE/h; the
  // earliest of equal hours), with its volume over capacity and speed, and the day's lowest speed.
  std::vector<std::vector<double>> daily(nk, std::vector<double>(links, 0.0));
  std::vector<double> peak_hour(links, kNan), peak_pce(links, 0.0), peak_vc(links, 0.0);
  std::vector<double> peak_speed(links, kNan), min_speed(links, kNan);
  std::vector<double> background_daily(links, 0.0);
  for (std::size_t h = 0; h < hours; ++h) {
    const std::size_t slot = workday * hours + h;
    for (std::size_t l = 0; l < links; ++l) {
      double pce_h = 0.0;
      for (std::size_t k = 0; k < nk; ++k) {
        const double vehicles = flow[(slot * links + l) * nk + k];
        daily[k][l] += vehicles;
        pce_h += vehicles * pce[k];
      }
      for (std::size_t k = 0; k < nb; ++k) {
        const double vehicles = background[(slot * links + l) * nb + k];
        background_daily[l] += vehicles;
        pce_h += vehicles * background_pce[k];
      }
      const double kmh = speed[slot * links + l];
      if (h == 0 || kmh < min_speed[l]) min_speed[l] = kmh;
      if (h == 0) peak_speed[l] = kmh;
      if (pce_h > peak_pce[l]) {
        peak_pce[l] = pce_h;
        peak_hour[l] = static_cast<double>(h);
        peak_speed[l] = kmh;
      }
    }
  }
  for (std::size_t l = 0; l < links; ++l) peak_vc[l] = capacity[l] > 0.0 ? peak_pce[l] / capacity[l] : kNan;

  std::vector<ResultField>& fields = out.table.fields;
  fields.push_back(integer("link", link));
  fields.push_back(text("road_id", out.table.ids));
  fields.push_back(text("complex_id", run.strings("traffic/link_complex", links)));
  fields.push_back(real("length_km", length_km));
  fields.push_back(real("capacity_pce_h", capacity));
  fields.push_back(real("free_speed_kmh", run.numbers("traffic/link_free_speed_kmh", links)));
  for (std::size_t k = 0; k < nk; ++k) fields.push_back(real(classes[k] + "_veh_day", daily[k]));
  fields.push_back(real("background_veh_day", background_daily));
  fields.push_back(real("annual_vkt_km", vkt));
  fields.push_back(integer("peak_hour", peak_hour));
  fields.push_back(real("peak_flow_pce_h", peak_pce));
  fields.push_back(real("peak_vc", peak_vc));
  fields.push_back(real("peak_speed_kmh", peak_speed));
  fields.push_back(real("min_speed_kmh", min_speed));
  return out;
}

// The logistics hub of traffic/hub: one point with its attributes (docs/export.md).
ResultPoints hub_layer(const ResultsReader& reader, const std::string& run_id) {
  const std::string group = "runs/" + run_id + "/traffic/hub";
  const auto num = [&](const char* name) { return reader.number_attribute(group, name).value_or(kNan); };
  const auto str = [&](const char* name) { return reader.string_attribute(group, name).value_or(""); };
  ResultPoints out;
  out.table.ids = {"hub"};
  out.at = {XY{num("x_m"), num("y_m")}};
  std::string members;
  for (const std::string& c : reader.strings(group + "/complexes"))
    members += (members.empty() ? "" : ",") + c;
  std::vector<ResultField>& fields = out.table.fields;
  fields.push_back(text("complexes", {members}));
  fields.push_back(text("chosen_by", {str("chosen_by")}));
  fields.push_back(real("lon", {num("lon")}));
  fields.push_back(real("lat", {num("lat")}));
  fields.push_back(integer("road_node", {num("road_node")}));
  fields.push_back(text("zone", {str("zone")}));
  fields.push_back(text("complex_id", {str("complex")}));
  fields.push_back(real("share", {num("share")}));
  fields.push_back(real("trip_reduction", {num("trip_reduction")}));
  fields.push_back(real("electric_share", {num("electric_share")}));
  fields.push_back(real("workday_truck_km_with_hub", {num("workday_truck_km_with_hub")}));
  fields.push_back(real("workday_truck_km_without_hub", {num("workday_truck_km_without_hub")}));
  fields.push_back(real("workday_truck_hours_with_hub", {num("workday_truck_hours_with_hub")}));
  fields.push_back(real("workday_truck_hours_without_hub", {num("workday_truck_hours_without_hub")}));
  fields.push_back(real("workday_hub_tours", {num("workday_hub_tours")}));
  return out;
}

ResultTable feeder_table(const RunReader& run) {
  ResultTable table;
  table.ids = run.strings("grid/feeder");
  const std::size_t n = table.ids.size();
  if (run.has("grid/feeder_complex"))
    table.fields.push_back(text("complex_id", run.strings("grid/feeder_complex", n)));
  for (const char* name : {"undervoltage_hours", "overvoltage_hours", "overload_hours"}) {
    if (run.has(std::string("grid/") + name))
      table.fields.push_back(integer(name, run.numbers(std::string("grid/") + name, n)));
  }
  for (const char* name : {"min_vm_pu", "max_vm_pu", "max_loading", "hosting_capacity_kwp"}) {
    if (run.has(std::string("grid/") + name))
      table.fields.push_back(real(name, run.numbers(std::string("grid/") + name, n)));
  }
  return table;
}

}  // namespace

RunLayers read_run_layers(const std::string& path, const std::string& run) {
  const ResultsReader reader(path);
  RunLayers out;
  out.file = path;
  out.run_id = reader.select_run(run);
  reader.check_run(out.run_id);
  const RunReader run_reader(reader, out.run_id);
  out.scenario_yaml = reader.string_attribute("runs/" + out.run_id, "scenario").value_or("");
  const std::vector<KpiRow> kpis = reader.kpis(out.run_id);
  if (!run_reader.has("energy")) run_reader.fail("no energy group");
  out.layers.facilities = facility_table(run_reader);
  out.layers.complexes = complex_table(run_reader, kpis);
  if (run_reader.has("traffic")) out.layers.links = link_layer(run_reader);
  if (run_reader.has("grid")) out.layers.feeders = feeder_table(run_reader);
  if (run_reader.has("traffic/hub")) out.layers.hub = hub_layer(reader, out.run_id);
  return out;
}

std::string locate_run_input(const std::string& stored, const std::string& results_file) {
  std::error_code ec;
  const std::filesystem::path p(stored);
  if (stored.empty() || p.is_absolute() || std::filesystem::exists(p, ec)) return stored;
  const std::filesystem::path folder = std::filesystem::absolute(results_file, ec).parent_path();
  for (const auto& base : {folder, folder.parent_path()}) {
    if (std::filesystem::exists(base / p, ec)) return (base / p).lexically_normal().string();
  }
  return stored;
}

}  // namespace sandan
