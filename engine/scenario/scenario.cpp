#include "scenario/scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "config/yaml_check.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "uncertainty/design.hpp"
#include "uncertainty/morris.hpp"
#include "uncertainty/sobol.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

// What one file states; unset members are inherited from the file it extends.
struct PartialScenario {
  std::map<std::string, std::string> stated_at;  // input path -> "file:line: key"
  std::optional<std::string> name;
  std::optional<std::string> extends;
  std::optional<int> year;
  std::optional<std::uint64_t> seed;
  std::optional<double> discount_rate;
  std::optional<int> analysis_years;
  std::optional<double> load_growth;
  std::optional<double> pv_yield_factor;
  std::optional<PriceSpec> prices;
  std::optional<bool> facility_series;
  std::optional<std::string> site;
  std::optional<std::string> weather;
  std::optional<std::string> holidays;
  std::optional<std::string> tariff;
  std::optional<std::string> load_library;
  std::optional<std::string> calibration;
  std::optional<std::vector<std::string>> complexes;
  std::optional<double> delta_t_s;
  std::optional<GridSpec> grid;
  std::optional<TrafficSpec> traffic;
  std::optional<std::string> emission_factors;
  std::optional<double> grid_t_per_mwh;
  std::optional<std::string> grid_factor_csv;
  bool has_interventions = false;
  std::optional<LogisticsHubIntervention> logistics_hub;
  std::optional<EvTrucksIntervention> ev_trucks;
  std::vector<EfficiencyIntervention> efficiency;
  std::vector<FuelSwitchIntervention> fuel_switches;
  std::vector<RooftopPvIntervention> rooftop_pv;
  std::vector<BatteryIntervention> batteries;
  std::optional<std::vector<SweepAxis>> sweep;
  std::optional<MonteCarloSpec> monte_carlo;
  std::optional<UncertaintySpec> uncertainty;
  std::optional<MaccSpec> macc;
  std::optional<std::vector<std::string>> models;
  bool unreadable = false;  // not read, not YAML, or a structure yaml-cpp would accept silently
};

// Reads typed values from one file's YAML, collecting every problem as "file:line: key.path: message".
class Reader {
 public:
  Reader(std::string file, std::vector<std::string>& problems, bool resolve_paths = true)
      : file_(std::move(file)), problems_(problems), resolve_paths_(resolve_paths) {}

  void problem(const YAML::Node& node, const std::string& path, const std::string& message) {
    const int line = node.IsDefined() ? node.Mark().line + 1 : 0;
    problems_.push_back(file_ + (line > 0 ? ":" + std::to_string(line) : "") + ": " + path + ": " + message);
  }

  [[nodiscard]] std::size_t count() const { return problems_.size(); }

  // "file:line" of a node, for problems found later (against the layout).
  [[nodiscard]] std::string where(const YAML::Node& node) const {
    const int line = node.IsDefined() ? node.Mark().line + 1 : 0;
    return file_ + (line > 0 ? ":" + std::to_string(line) : "");
  }

  // Reports keys of a map that are not in `known`.
  void check_keys(const YAML::Node& map, const std::string& path, const std::set<std::string>& known) {
    for (const auto& item : map) {
      const std::string key = item.first.as<std::string>();
      if (known.count(key) == 0) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        problem(item.first, config::join_path(path, key), "unknown key; known keys here: " + list);
      }
    }
  }

  std::optional<std::string> text(const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar()) {
      problem(node, path, "expected a text value");
      return std::nullopt;
    }
    return node.as<std::string>();
  }

  // A number in [lo, hi]; quoted numbers are text, not numbers.
  std::optional<double> number(const YAML::Node& node, const std::string& path, double lo, double hi) {
    if (!node.IsScalar() || node.Tag() == "!") {
      problem(node, path, "expected a number");
      return std::nullopt;
    }
    double value = 0.0;
    try {
      value = node.as<double>();
    } catch (const YAML::BadConversion&) {
      problem(node, path, "expected a number, got '" + node.as<std::string>() + "'");
      return std::nullopt;
    }
    if (!std::isfinite(value) || value < lo || value > hi) {
      problem(node, path,
              "value " + node.as<std::string>() + " is out of range [" + config::format_number(lo) + ", " +
                  config::format_number(hi) + "]");
      return std::nullopt;
    }
    return value;
  }

  std::optional<long long> integer(const YAML::Node& node, const std::string& path, long long lo,
                                   long long hi) {
    const auto value = number(node, path, static_cast<double>(lo), static_cast<double>(hi));
    if (!value) return std::nullopt;
    if (std::floor(*value) != *value) {
      problem(node, path, "expected a whole number");
      return std::nullopt;
    }
    return static_cast<long long>(*value);
  }

  std::optional<std::vector<std::string>> text_list(const YAML::Node& node, const std::string& path) {
    if (!node.IsSequence()) {
      problem(node, path, "expected a list, e.g. [juan, bupyeong]");
      return std::nullopt;
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string item_path = path + "[" + std::to_string(i) + "]";
      if (auto v = text(node[i], item_path)) {
        // A complex or sector named twice would be counted twice.
        if (std::find(values.begin(), values.end(), *v) != values.end()) {
          problem(node[i], item_path, "'" + *v + "' is listed twice");
        } else {
          values.push_back(*v);
        }
      }
    }
    return values;
  }

  // A path of an input file stated at `node` (key path `key`), made relative to the working folder;
  // where it is stated is kept, so that an input that turns out not to exist is reported at its line.
  std::string input(const YAML::Node& node, const std::string& key, const std::string& path) {
    std::string resolved = resolve(path);
    if (resolve_paths_) stated_at[resolved] = where(node) + ": " + key;
    return resolved;
  }

  // Resolved input path -> "file:line: key" of the setting that states it.
  std::map<std::string, std::string> stated_at;

  // A path stated in this file, made relative to the working folder.
  std::string resolve(const std::string& path) const {
    const fs::path p(path);
    if (p.is_absolute() || !resolve_paths_) return p.lexically_normal().string();
    return (fs::path(file_).parent_path() / p).lexically_normal().string();
  }

 private:
  std::string file_;
  std::vector<std::string>& problems_;
  bool resolve_paths_ = true;
};

constexpr double kInf = std::numeric_limits<double>::infinity();

// "HH:MM" (00:00 to 24:00) as seconds since midnight.
std::optional<double> parse_clock(const std::string& text) {
  constexpr int kMinutesPerHour = 60;
  constexpr int kHoursPerDay = 24;
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (const std::size_t i : {0U, 1U, 3U, 4U}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes >= kMinutesPerHour || hours > kHoursPerDay || (hours == kHoursPerDay && minutes > 0))
    return std::nullopt;
  return (hours * kMinutesPerHour + minutes) * 60.0;
}

std::string clock_text(double seconds) {
  const auto minutes = static_cast<int>(std::lround(seconds / 60.0));
  std::string text = std::to_string(minutes / 60) + ":" + std::to_string(minutes % 60);
  if (minutes / 60 < 10) text.insert(0, "0");
  if (minutes % 60 < 10) text.insert(text.size() - 1, "0");
  return text;
}

// traffic.dynamic: {profiles: PATH, start: "HH:MM", end: "HH:MM"}.
void read_traffic_dynamic(Reader& r, const YAML::Node& node, TrafficSpec& traffic) {
  const std::string path = "traffic.dynamic";
  if (!node.IsMap()) {
    r.problem(node, path,
              "expected a map, e.g. {profiles: ../gis_data/traffic/dynamic.yaml, start: \"16:00\", end: "
              "\"20:00\"}");
    return;
  }
  r.check_keys(node, path, {"profiles", "start", "end"});
  traffic.dynamic = true;
  if (!node["profiles"]) {
    r.problem(node, path + ".profiles", "missing; e.g. profiles: ../gis_data/traffic/dynamic.yaml");
  } else if (auto v = r.text(node["profiles"], path + ".profiles")) {
    traffic.dynamic_profiles = r.input(node["profiles"], path + ".profiles", *v);
  }
  bool times_ok = true;
  for (const char* key : {"start", "end"}) {
    const std::string key_path = path + "." + key;
    if (!node[key]) {
      r.problem(node, key_path,
                std::string("missing; e.g. ") + key + ": \"" + (key[0] == 's' ? "16:00" : "20:00") + "\"");
      times_ok = false;
      continue;
    }
    const auto text = r.text(node[key], key_path);
    const auto seconds = text ? parse_clock(*text) : std::nullopt;
    if (!seconds) {
      if (text)
        r.problem(node[key], key_path,
                  "'" + *text + "' is not a time of day HH:MM (00:00-24:00), e.g. \"16:00\"");
      times_ok = false;
      continue;
    }
    (key[0] == 's' ? traffic.dynamic_start_s : traffic.dynamic_end_s) = *seconds;
  }
  if (times_ok && traffic.dynamic_end_s <= traffic.dynamic_start_s) {
    r.problem(node["end"], path + ".end",
              "must be after start (the window is one workday's, within 00:00-24:00)");
  }
}

std::optional<BatteryStrategy> parse_strategy(const std::string& text) {
  if (text == "self_consumption") return BatteryStrategy::kSelfConsumption;
  if (text == "peak_shaving") return BatteryStrategy::kPeakShaving;
  if (text == "tou_arbitrage") return BatteryStrategy::kTouArbitrage;
  return std::nullopt;
}

// cost_krw, <per_unit_key> (if any) and lifetime_years of an intervention.
void read_cost(Reader& r, const YAML::Node& node, const std::string& path, const char* per_unit_key,
               InterventionCost& cost) {
  if (node["cost_krw"]) {
    if (auto v = r.number(node["cost_krw"], path + ".cost_krw", 0.0, 1e15)) cost.investment_krw = *v;
  }
  if (per_unit_key != nullptr && node[per_unit_key]) {
    if (auto v = r.number(node[per_unit_key], path + "." + per_unit_key, 0.0, 1e12)) cost.per_unit_krw = *v;
  }
  if (node["lifetime_years"]) {
    if (auto v = r.number(node["lifetime_years"], path + ".lifetime_years", 1.0, 100.0))
      cost.lifetime_years = *v;
  }
  if (node["om_share_per_year"]) {
    if (auto v = r.number(node["om_share_per_year"], path + ".om_share_per_year", 0.0, 0.5))
      cost.om_share_per_year = *v;
  }
}

// Operation and maintenance a year as a share of the investment, by kind, when a scenario does not
// say (docs/economics.md: sources and confidence).
constexpr double kPvOmShare = 0.01;
constexpr double kBatteryOmShare = 0.025;
constexpr double kHeatPumpOmShare = 0.02;

void emit_cost(YAML::Emitter& e, const InterventionCost& cost, const char* per_unit_key) {
  e << YAML::Key << "cost_krw" << YAML::Value << cost.investment_krw;
  if (per_unit_key != nullptr) e << YAML::Key << per_unit_key << YAML::Value << cost.per_unit_krw;
  e << YAML::Key << "lifetime_years" << YAML::Value << cost.lifetime_years;
  e << YAML::Key << "om_share_per_year" << YAML::Value << cost.om_share_per_year;
}

void read_rooftop_pv(Reader& r, const YAML::Node& node, const std::string& path, PartialScenario& out) {
  if (!node.IsMap()) {
    r.problem(node, path, "expected a map of settings, e.g. {complexes: [juan], roof_share: 0.6}");
    return;
  }
  r.check_keys(
      node, path,
      {"complexes", "roof_share", "m2_per_kwp", "min_roof_m2", "tilt_deg", "azimuth_deg", "dc_ac_ratio",
       "inverter_efficiency", "gamma_per_c", "system_losses_pct", "albedo", "export_limit_kw_per_kwp",
       "cost_krw", "cost_krw_per_kwp", "lifetime_years", "om_share_per_year"});
  RooftopPvIntervention pv;
  pv.cost.om_share_per_year = kPvOmShare;
  read_cost(r, node, path, "cost_krw_per_kwp", pv.cost);
  auto set = [&](const char* key, double& target, double lo, double hi) {
    if (node[key]) {
      if (auto v = r.number(node[key], config::join_path(path, key), lo, hi)) target = *v;
    }
  };
  if (node["complexes"]) {
    if (auto v = r.text_list(node["complexes"], config::join_path(path, "complexes"))) pv.pv.complexes = *v;
  }
  set("roof_share", pv.pv.roof_share, 0.0, 1.0);
  set("m2_per_kwp", pv.pv.m2_per_kwp, 1.0, 100.0);
  set("min_roof_m2", pv.pv.min_roof_m2, 0.0, kInf);
  set("tilt_deg", pv.pv.tilt_deg, 0.0, 90.0);
  set("azimuth_deg", pv.pv.azimuth_deg, 0.0, 360.0);
  set("dc_ac_ratio", pv.pv.dc_ac_ratio, 0.5, 3.0);
  set("inverter_efficiency", pv.pv.inverter_efficiency, 0.5, 1.0);
  set("gamma_per_c", pv.pv.gamma_per_c, -0.02, 0.0);
  set("system_losses_pct", pv.pv.system_losses_pct, 0.0, 100.0);
  set("albedo", pv.pv.albedo, 0.0, 1.0);
  if (node["export_limit_kw_per_kwp"]) {
    pv.export_limit_kw_per_kwp = r.number(node["export_limit_kw_per_kwp"],
                                          config::join_path(path, "export_limit_kw_per_kwp"), 0.0, kInf);
  }
  out.rooftop_pv.push_back(pv);
}

void read_filter(Reader& r, const YAML::Node& node, const std::string& path, FacilityFilter& where) {
  if (node["complexes"]) {
    if (auto v = r.text_list(node["complexes"], path + ".complexes")) where.complexes = *v;
  }
  if (node["sectors"]) {
    if (auto v = r.text_list(node["sectors"], path + ".sectors")) {
      for (std::size_t i = 0; i < v->size(); ++i) {
        const std::string& code = (*v)[i];
        const bool ok = !code.empty() && code.size() <= 6 &&
                        std::isupper(static_cast<unsigned char>(code[0])) &&
                        std::all_of(code.begin() + 1, code.end(),
                                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
        if (!ok) {
          r.problem(node["sectors"][i], path + ".sectors[" + std::to_string(i) + "]",
                    "'" + code +
                        "' is not a KSIC code or prefix (a capital letter and up to five digits, e.g. C29)");
        }
      }
      where.sectors = *v;
    }
  }
}

void read_efficiency(Reader& r, const YAML::Node& node, const std::string& path, PartialScenario& out) {
  if (!node.IsMap()) {
    r.problem(node, path, "expected a map, e.g. {sectors: [C29], electricity_saving: 0.1, fuel_saving: 0.1}");
    return;
  }
  r.check_keys(node, path,
               {"complexes", "sectors", "electricity_saving", "fuel_saving", "cost_krw", "lifetime_years",
                "om_share_per_year"});
  EfficiencyIntervention e;
  read_filter(r, node, path, e.where);
  if (node["electricity_saving"]) {
    if (auto v = r.number(node["electricity_saving"], path + ".electricity_saving", 0.0, 0.9))
      e.electricity_saving = *v;
  }
  if (node["fuel_saving"]) {
    if (auto v = r.number(node["fuel_saving"], path + ".fuel_saving", 0.0, 0.9)) e.fuel_saving = *v;
  }
  if (!node["electricity_saving"] && !node["fuel_saving"]) {
    r.problem(node, path, "give electricity_saving, fuel_saving or both (shares, e.g. 0.1)");
  }
  read_cost(r, node, path, nullptr, e.cost);
  out.efficiency.push_back(e);
}

void read_fuel_switch(Reader& r, const YAML::Node& node, const std::string& path, PartialScenario& out) {
  if (!node.IsMap()) {
    r.problem(node, path, "expected a map, e.g. {sectors: [C10, C20], share: 0.5, cop: 3.0}");
    return;
  }
  r.check_keys(node, path,
               {"complexes", "sectors", "share", "boiler_efficiency", "cop", "cost_krw", "cost_krw_per_kw",
                "lifetime_years", "om_share_per_year"});
  FuelSwitchIntervention f;
  f.cost.om_share_per_year = kHeatPumpOmShare;
  read_filter(r, node, path, f.where);
  if (node["share"]) {
    if (auto v = r.number(node["share"], path + ".share", 0.0, 1.0)) f.share = *v;
  }
  if (node["boiler_efficiency"]) {
    if (auto v = r.number(node["boiler_efficiency"], path + ".boiler_efficiency", 0.3, 1.0))
      f.boiler_efficiency = *v;
  }
  if (node["cop"]) {
    if (auto v = r.number(node["cop"], path + ".cop", 1.0, 10.0)) f.cop = *v;
  }
  read_cost(r, node, path, "cost_krw_per_kw", f.cost);
  out.fuel_switches.push_back(f);
}

void emit_filter(YAML::Emitter& e, const FacilityFilter& where) {
  e << YAML::Key << "complexes" << YAML::Value << YAML::Flow << where.complexes;
  e << YAML::Key << "sectors" << YAML::Value << YAML::Flow << where.sectors;
}

void read_logistics_hub(Reader& r, const YAML::Node& node, const std::string& path, PartialScenario& out) {
  if (!node.IsMap()) {
    r.problem(node, path, "expected a map, e.g. {complexes: [juan], share: 0.5, trip_reduction: 0.3}");
    return;
  }
  r.check_keys(node, path,
               {"complexes", "share", "trip_reduction", "electric_share", "lat", "lon", "cost_krw",
                "lifetime_years", "om_share_per_year"});
  LogisticsHubIntervention hub;
  hub.where = r.where(node);
  read_cost(r, node, path, nullptr, hub.cost);
  if (!node["complexes"]) {
    r.problem(node, path + ".complexes", "missing; the complexes whose firms join the hub, e.g. [juan]");
  } else if (auto v = r.text_list(node["complexes"], path + ".complexes")) {
    hub.complexes = *v;
    if (v->empty()) r.problem(node["complexes"], path + ".complexes", "empty; name at least one complex");
  }
  if (node["share"]) {
    if (auto v = r.number(node["share"], path + ".share", 0.0, 1.0)) hub.share = *v;
  }
  if (node["trip_reduction"]) {
    if (auto v = r.number(node["trip_reduction"], path + ".trip_reduction", 0.0, 0.95))
      hub.trip_reduction = *v;
  }
  if (node["electric_share"]) {
    if (auto v = r.number(node["electric_share"], path + ".electric_share", 0.0, 1.0))
      hub.electric_share = *v;
  }
  if (node["lat"].IsDefined() != node["lon"].IsDefined()) {
    r.problem(node, path, "give both lat and lon of the hub, or neither (the road node of least truck-km)");
  } else if (node["lat"]) {
    hub.lat_deg = r.number(node["lat"], path + ".lat", 33.0, 39.0);
    hub.lon_deg = r.number(node["lon"], path + ".lon", 124.0, 132.0);
  }
  if (out.logistics_hub) r.problem(node, path, "a scenario has one logistics hub; merge the two entries");
  out.logistics_hub = hub;
}

void read_ev_trucks(Reader& r, const YAML::Node& node, const std::string& path, PartialScenario& out) {
  if (!node.IsMap()) {
    r.problem(node, path, "expected a map, e.g. {light_truck_share: 0.3, heavy_truck_share: 0.1}");
    return;
  }
  r.check_keys(node, path,
               {"light_truck_share", "heavy_truck_share", "cost_krw", "lifetime_years", "om_share_per_year"});
  EvTrucksIntervention ev;
  read_cost(r, node, path, nullptr, ev.cost);
  if (node["light_truck_share"]) {
    if (auto v = r.number(node["light_truck_share"], path + ".light_truck_share", 0.0, 1.0)) {
      ev.light_truck_share = *v;
    }
  }
  if (node["heavy_truck_share"]) {
    if (auto v = r.number(node["heavy_truck_share"], path + ".heavy_truck_share", 0.0, 1.0)) {
      ev.heavy_truck_share = *v;
    }
  }
  if (out.ev_trucks) r.problem(node, path, "a scenario has one ev_trucks entry; merge the two entries");
  out.ev_trucks = ev;
}

void read_battery(Reader& r, const YAML::Node& node, const std::string& path, PartialScenario& out) {
  if (!node.IsMap()) {
    r.problem(node, path,
              "expected a map of settings, e.g. {at: complex:juan, energy_kwh: 20000, power_kw: 5000}");
    return;
  }
  r.check_keys(node, path,
               {"at", "complexes", "energy_kwh", "power_kw", "energy_kwh_per_kwp", "power_kw_per_kwp",
                "round_trip_efficiency", "soc_min", "soc_max", "soc_initial", "strategy", "cost_krw",
                "cost_krw_per_kwh", "lifetime_years", "om_share_per_year"});
  BatteryIntervention b;
  b.cost.om_share_per_year = kBatteryOmShare;
  read_cost(r, node, path, "cost_krw_per_kwh", b.cost);
  bool ok = true;
  if (!node["at"]) {
    r.problem(node, path + ".at",
              "missing; say where the battery sits: facility:<id>, facilities, complex:<id> "
              "or substation:<id>");
    ok = false;
  } else if (auto at = r.text(node["at"], path + ".at")) {
    const auto colon = at->find(':');
    const std::string kind = at->substr(0, colon);
    b.target_id = colon == std::string::npos ? "" : at->substr(colon + 1);
    if (kind == "facility" && !b.target_id.empty()) {
      b.placement = BatteryPlacement::kFacility;
    } else if (*at == "facilities") {
      b.placement = BatteryPlacement::kFacilities;
    } else if (kind == "complex" && !b.target_id.empty()) {
      b.placement = BatteryPlacement::kComplex;
    } else if (kind == "substation" && !b.target_id.empty()) {
      b.placement = BatteryPlacement::kSubstation;
    } else {
      r.problem(
          node["at"], path + ".at",
          "'" + *at + "' is not a place; use facility:<id>, facilities, complex:<id> or substation:<id>");
      ok = false;
    }
  }
  const bool per_kwp = ok && b.placement == BatteryPlacement::kFacilities;
  const char* energy_key = per_kwp ? "energy_kwh_per_kwp" : "energy_kwh";
  const char* power_key = per_kwp ? "power_kw_per_kwp" : "power_kw";
  for (const char* key : {"energy_kwh", "power_kw", "energy_kwh_per_kwp", "power_kw_per_kwp"}) {
    const bool wanted = std::string(key) == energy_key || std::string(key) == power_key;
    if (ok && node[key] && !wanted) {
      r.problem(node[key], config::join_path(path, key),
                per_kwp ? "batteries at 'facilities' are sized per kWp of PV: use energy_kwh_per_kwp and "
                          "power_kw_per_kwp"
                        : "a single battery is sized in kWh and kW: use energy_kwh and power_kw");
    }
  }
  if (ok) {
    for (const char* key : {energy_key, power_key}) {
      if (!node[key]) {
        r.problem(node, config::join_path(path, key), "missing");
        continue;
      }
      const auto v = r.number(node[key], config::join_path(path, key), 0.0, kInf);
      if (!v) continue;
      (std::string(key) == energy_key ? b.battery.energy_kwh : b.battery.power_kw) = *v;
    }
  }
  if (node["complexes"]) {
    if (ok && b.placement != BatteryPlacement::kFacilities) {
      r.problem(node["complexes"], path + ".complexes",
                "only batteries at 'facilities' take a list of complexes");
    } else if (auto v = r.text_list(node["complexes"], path + ".complexes")) {
      b.complexes = *v;
    }
  }
  auto set = [&](const char* key, double& target, double lo, double hi) {
    if (node[key]) {
      if (auto v = r.number(node[key], config::join_path(path, key), lo, hi)) target = *v;
    }
  };
  set("round_trip_efficiency", b.battery.round_trip_efficiency, 0.01, 1.0);
  set("soc_min", b.battery.soc_min, 0.0, 1.0);
  set("soc_max", b.battery.soc_max, 0.0, 1.0);
  set("soc_initial", b.battery.soc_initial, 0.0, 1.0);
  if (b.battery.soc_min >= b.battery.soc_max) {
    r.problem(node, path, "soc_min must be below soc_max");
  } else if (b.battery.soc_initial < b.battery.soc_min || b.battery.soc_initial > b.battery.soc_max) {
    r.problem(node, path, "soc_initial must lie between soc_min and soc_max");
  }
  if (node["strategy"]) {
    if (auto s = r.text(node["strategy"], path + ".strategy")) {
      if (auto strategy = parse_strategy(*s)) {
        b.battery.strategy = *strategy;
      } else {
        r.problem(node["strategy"], path + ".strategy",
                  "unknown strategy '" + *s + "'; use self_consumption, peak_shaving or tou_arbitrage");
      }
    }
  }
  out.batteries.push_back(b);
}

// The values of one sweep axis.
std::optional<SweepAxis> read_axis(Reader& r, const YAML::Node& key, const YAML::Node& list,
                                   const std::string& where, int group) {
  SweepAxis axis;
  axis.key_path = key.as<std::string>();
  axis.line = key.Mark().line + 1;
  axis.group = group;
  if (!list.IsSequence() || list.size() == 0) {
    r.problem(list, where, "expected a non-empty list of values");
    return std::nullopt;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].IsScalar()) {
      r.problem(list[i], where + "[" + std::to_string(i) + "]", "expected a single value");
      continue;
    }
    axis.values.push_back(list[i].Scalar());
  }
  return axis;
}

// sweep: {key.path: [values], ..., zip: {key.path: [values], ...}} or zip: [{...}, {...}]: the axes
// of a zip take their values together, so they must be equally long.
void read_sweep(Reader& r, const YAML::Node& sweep, PartialScenario& out) {
  if (!sweep.IsMap() || sweep.size() == 0) {
    r.problem(sweep, "sweep",
              "expected a map of key paths to lists of values, e.g. "
              "{interventions[0].rooftop_pv.roof_share: [0, 0.5, 1]}");
    return;
  }
  std::vector<SweepAxis> axes;
  int groups = 0;
  const auto read_zip = [&](const YAML::Node& zip, const std::string& where) {
    if (!zip.IsMap() || zip.size() < 2) {
      r.problem(zip, where,
                "expected a map of two or more key paths whose lists advance together, e.g. "
                "{interventions[1].battery.energy_kwh: [0, 20000], interventions[1].battery.power_kw: "
                "[0, 5000]}");
      return;
    }
    const int group = groups++;
    std::optional<std::size_t> length;
    for (const auto& item : zip) {
      const std::string path = where + "." + item.first.as<std::string>();
      auto axis = read_axis(r, item.first, item.second, path, group);
      if (!axis) continue;
      if (length && *length != axis->values.size()) {
        r.problem(item.first, path,
                  "has " + std::to_string(axis->values.size()) + " values and the zip's first axis " +
                      std::to_string(*length) +
                      "; the axes of a zip advance together, so give each as "
                      "many values");
      }
      if (!length) length = axis->values.size();
      axes.push_back(*axis);
    }
  };
  for (const auto& item : sweep) {
    const std::string key = item.first.as<std::string>();
    if (key == "zip") {
      if (item.second.IsSequence()) {
        for (std::size_t i = 0; i < item.second.size(); ++i)
          read_zip(item.second[i], "sweep.zip[" + std::to_string(i) + "]");
      } else {
        read_zip(item.second, "sweep.zip");
      }
      continue;
    }
    if (auto axis = read_axis(r, item.first, item.second, "sweep." + key, -1)) axes.push_back(*axis);
  }
  out.sweep = axes;
}

void read_prices(Reader& r, const YAML::Node& node, PartialScenario& out) {
  if (!node.IsMap()) {
    r.problem(node, "prices",
              "expected a map, e.g. {fuel: ../gis_data/prices/fuel_prices.yaml, pv_export: "
              "../gis_data/prices/pv_export.yaml}");
    return;
  }
  r.check_keys(node, "prices", {"fuel", "pv_export", "fuel_factor", "export_factor"});
  PriceSpec prices;
  if (node["fuel"]) {
    if (auto v = r.text(node["fuel"], "prices.fuel")) prices.fuel = r.input(node["fuel"], "prices.fuel", *v);
  }
  if (node["pv_export"]) {
    if (auto v = r.text(node["pv_export"], "prices.pv_export"))
      prices.pv_export = r.input(node["pv_export"], "prices.pv_export", *v);
  }
  if (node["fuel_factor"]) {
    if (auto v = r.number(node["fuel_factor"], "prices.fuel_factor", 0.0, 10.0)) prices.fuel_factor = *v;
  }
  if (node["export_factor"]) {
    if (auto v = r.number(node["export_factor"], "prices.export_factor", 0.0, 10.0))
      prices.export_factor = *v;
  }
  out.prices = prices;
}

std::string describe(const Distribution& d) {
  const auto n = [](double x) { return config::format_number(x); };
  std::string text;
  switch (d.kind) {
    case DistributionKind::kUniform:
      return "uniform(" + n(d.min) + ", " + n(d.max) + ")";
    case DistributionKind::kTriangular:
      return "triangular(" + n(d.min) + ", " + n(d.mode) + ", " + n(d.max) + ")";
    case DistributionKind::kNormal:
      text = "normal(mean " + n(d.mean) + ", sd " + n(d.sd) + ")";
      break;
    case DistributionKind::kLognormal:
      text = "lognormal(mu " + n(d.mu) + ", sigma " + n(d.sigma) + ")";
      break;
    case DistributionKind::kDiscrete: {
      text = "discrete(";
      for (std::size_t i = 0; i < d.values.size(); ++i) {
        text += (i > 0 ? ", " : "") + n(d.values[i]) + ": " +
                (i < d.probabilities.size() ? n(d.probabilities[i]) : std::string("?"));
      }
      return text + ")";
    }
  }
  if (d.lower || d.upper) {
    text += " in [" + (d.lower ? n(*d.lower) : std::string("-inf")) + ", " +
            (d.upper ? n(*d.upper) : std::string("inf")) + "]";
  }
  return text;
}

// {dist: normal, mean: 0.26, sd: 0.02, min: 0.2, max: 0.32}, {dist: uniform, min, max},
// {dist: triangular, min, mode, max}, {dist: lognormal, mu, sigma (of ln X) or median, sigma, min?,
// max?}, {dist: discrete, values: [...], probabilities: [...]}.
std::optional<Distribution> read_distribution(Reader& r, const YAML::Node& node, const std::string& path) {
  if (!node.IsMap() || !node["dist"]) {
    r.problem(node, path,
              "expected a distribution, e.g. {dist: normal, mean: 0.26, sd: 0.02} or "
              "{dist: uniform, min: 0.9, max: 1.1}");
    return std::nullopt;
  }
  const auto kind = r.text(node["dist"], path + ".dist");
  if (!kind) return std::nullopt;
  static const std::map<std::string, std::pair<DistributionKind, std::set<std::string>>> kKinds{
      {"uniform", {DistributionKind::kUniform, {"dist", "min", "max"}}},
      {"triangular", {DistributionKind::kTriangular, {"dist", "min", "mode", "max"}}},
      {"normal", {DistributionKind::kNormal, {"dist", "mean", "sd", "min", "max"}}},
      {"lognormal", {DistributionKind::kLognormal, {"dist", "mu", "median", "sigma", "min", "max"}}},
      {"discrete", {DistributionKind::kDiscrete, {"dist", "values", "probabilities"}}}};
  const auto it = kKinds.find(*kind);
  if (it == kKinds.end()) {
    r.problem(node["dist"], path + ".dist",
              "unknown distribution '" + *kind + "'; use uniform, normal, triangular, lognormal or discrete");
    return std::nullopt;
  }
  const std::size_t before = r.count();
  r.check_keys(node, path, it->second.second);
  Distribution d;
  d.kind = it->second.first;
  constexpr double kBig = 1e300;
  const auto number = [&](const char* key, bool required) -> std::optional<double> {
    if (!node[key]) {
      if (required) r.problem(node, path + "." + key, "missing");
      return std::nullopt;
    }
    return r.number(node[key], path + "." + key, -kBig, kBig);
  };
  const auto list = [&](const char* key) {
    std::vector<double> values;
    if (!node[key] || !node[key].IsSequence()) {
      r.problem(node, path + "." + key, "expected a list of numbers");
      return values;
    }
    for (std::size_t i = 0; i < node[key].size(); ++i) {
      if (auto v = r.number(node[key][i], path + "." + key + "[" + std::to_string(i) + "]", -kBig, kBig))
        values.push_back(*v);
    }
    return values;
  };
  switch (d.kind) {
    case DistributionKind::kUniform:
    case DistributionKind::kTriangular:
      d.min = number("min", true).value_or(0.0);
      d.max = number("max", true).value_or(1.0);
      if (d.kind == DistributionKind::kTriangular) d.mode = number("mode", true).value_or(d.min);
      break;
    case DistributionKind::kNormal:
      d.mean = number("mean", true).value_or(0.0);
      d.sd = number("sd", true).value_or(1.0);
      d.lower = number("min", false);
      d.upper = number("max", false);
      break;
    case DistributionKind::kLognormal:
      if (node["median"].IsDefined() == node["mu"].IsDefined()) {
        r.problem(node, path, "give mu (the mean of ln X) or median (exp(mu)), one of the two");
      } else if (node["median"]) {
        const auto median = number("median", true);
        if (median && *median <= 0.0) r.problem(node["median"], path + ".median", "must be > 0");
        d.mu = median && *median > 0.0 ? std::log(*median) : 0.0;
      } else {
        d.mu = number("mu", true).value_or(0.0);
      }
      d.sigma = number("sigma", true).value_or(1.0);
      d.lower = number("min", false);
      d.upper = number("max", false);
      break;
    case DistributionKind::kDiscrete:
      d.values = list("values");
      d.probabilities = list("probabilities");
      break;
  }
  if (r.count() > before) return std::nullopt;
  for (std::string problem : distribution_problems(d)) {
    // The module calls truncation bounds lower and upper; a scenario file states them as min and max.
    for (const auto& [from, to] :
         {std::pair<std::string, std::string>{"lower (", "min ("}, {"upper (", "max ("}}) {
      for (auto at = problem.find(from); at != std::string::npos; at = problem.find(from, at + to.size()))
        problem.replace(at, from.size(), to);
    }
    r.problem(node, path, problem);
  }
  if (r.count() > before) return std::nullopt;
  return d;
}

void read_uncertainty(Reader& r, const YAML::Node& node, PartialScenario& out) {
  if (!node.IsMap()) {
    r.problem(node, "uncertainty",
              "expected a map, e.g. {method: latin_hypercube, samples: 200, seed: 7, inputs: "
              "{load_growth: {dist: normal, mean: 1, sd: 0.05}}}");
    return;
  }
  r.check_keys(node, "uncertainty", {"method", "samples", "seed", "levels", "reference", "inputs"});
  UncertaintySpec u;
  u.line = node.Mark().line + 1;
  if (node["method"]) {
    static const std::map<std::string, UncertaintyMethod> kMethods{
        {"monte_carlo", UncertaintyMethod::kMonteCarlo},
        {"latin_hypercube", UncertaintyMethod::kLatinHypercube},
        {"sobol", UncertaintyMethod::kSobol},
        {"morris", UncertaintyMethod::kMorris}};
    if (auto v = r.text(node["method"], "uncertainty.method")) {
      const auto it = kMethods.find(*v);
      if (it == kMethods.end()) {
        r.problem(node["method"], "uncertainty.method",
                  "unknown method '" + *v + "'; use monte_carlo, latin_hypercube, sobol or morris");
      } else {
        u.method = it->second;
      }
    }
  }
  if (node["samples"]) {
    if (auto v = r.integer(node["samples"], "uncertainty.samples", 2, 100000))
      u.samples = static_cast<int>(*v);
  }
  if (node["seed"]) {
    if (auto v = r.integer(node["seed"], "uncertainty.seed", 0, 9007199254740992LL))
      u.seed = static_cast<std::uint64_t>(*v);
  }
  if (node["levels"]) {
    if (auto v = r.integer(node["levels"], "uncertainty.levels", 2, 100)) {
      if (*v % 2 != 0) {
        r.problem(node["levels"], "uncertainty.levels",
                  "Morris' levels must be even (so each step Δ = p / (2(p − 1)) keeps to the grid), e.g. 4");
      }
      u.levels = static_cast<int>(*v);
    }
  }
  if (node["reference"]) {
    if (auto v = r.text(node["reference"], "uncertainty.reference"))
      u.reference = r.input(node["reference"], "uncertainty.reference", *v);
  }
  if (!node["inputs"] || !node["inputs"].IsMap() || node["inputs"].size() == 0) {
    r.problem(node["inputs"] ? node["inputs"] : node, "uncertainty.inputs",
              "expected a map of key paths to distributions, e.g. "
              "{grid_emission_factor.t_per_mwh: {dist: triangular, min: 0.22, mode: 0.26, max: 0.3}}");
  } else {
    for (const auto& item : node["inputs"]) {
      UncertainInput input;
      input.key_path = item.first.as<std::string>();
      input.line = item.first.Mark().line + 1;
      if (auto d = read_distribution(r, item.second, "uncertainty.inputs." + input.key_path)) {
        input.distribution = *d;
        input.description = describe(*d);
        u.inputs.push_back(input);
      }
    }
  }
  out.uncertainty = u;
}

PartialScenario read_partial_root(const YAML::Node& root, Reader& r, const std::string& file,
                                  std::vector<std::string>& problems);

PartialScenario read_partial(const std::string& file, std::vector<std::string>& problems) {
  Reader r(file, problems);
  const std::size_t before = problems.size();
  const YAML::Node root = config::parse_yaml_file(file, "scenario file", problems);
  if (problems.size() != before) {
    PartialScenario unread;
    unread.unreadable = true;
    return unread;
  }
  PartialScenario partial = read_partial_root(root, r, file, problems);
  partial.stated_at = std::move(r.stated_at);
  return partial;
}

PartialScenario read_partial_root(const YAML::Node& root, Reader& r, const std::string& file,
                                  std::vector<std::string>& problems) {
  PartialScenario out;
  if (!root.IsMap()) {
    problems.push_back(file + ": a scenario file is a map of settings (name:, site:, interventions: ...)");
    return out;
  }
  r.check_keys(root, "",
               {"name",
                "extends",
                "year",
                "seed",
                "discount_rate",
                "analysis_years",
                "load_growth",
                "pv_yield_factor",
                "prices",
                "facility_series",
                "site",
                "weather",
                "holidays",
                "tariff",
                "load_library",
                "calibration",
                "complexes",
                "delta_t_s",
                "interventions",
                "grid",
                "traffic",
                "emission_factors",
                "grid_emission_factor",
                "sweep",
                "monte_carlo",
                "uncertainty",
                "macc",
                "models"});
  if (root["name"]) {
    out.name = r.text(root["name"], "name");
    // The name is the run's id: a group name in the results file (HDF5 splits paths at '/', and '.'
    // names the group itself) and a part of file names in a batch's .parts folder.
    if (out.name) {
      const std::string& name = *out.name;
      const bool control = std::any_of(
          name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
      if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
          name.find('\\') != std::string::npos || control || name.size() > 200) {
        r.problem(root["name"], "name",
                  "'" + (control ? std::string("(a name with control characters)") : name.substr(0, 200)) +
                      "' cannot be a run id: use 1-200 characters without '/', '\\' or control characters, "
                      "and not '.' or '..' (e.g. green_2030)");
      }
    }
  }
  if (root["extends"]) {
    if (auto v = r.text(root["extends"], "extends")) out.extends = r.resolve(*v);
  }
  if (root["year"]) {
    // The holidays data cover 2018–2030; the calendar refuses a year the file does not list.
    if (auto v = r.integer(root["year"], "year", 1900, 9999)) out.year = static_cast<int>(*v);
  }
  if (root["facility_series"]) {
    try {
      out.facility_series = root["facility_series"].as<bool>();
    } catch (const YAML::Exception&) {
      r.problem(root["facility_series"], "facility_series", "expected true or false");
    }
  }
  if (root["discount_rate"]) {
    if (auto v = r.number(root["discount_rate"], "discount_rate", 0.0, 0.3)) out.discount_rate = *v;
  }
  if (root["seed"]) {
    if (auto v = r.integer(root["seed"], "seed", 0, 9007199254740992LL))
      out.seed = static_cast<std::uint64_t>(*v);
  }
  if (root["analysis_years"]) {
    if (auto v = r.integer(root["analysis_years"], "analysis_years", 1, 100))
      out.analysis_years = static_cast<int>(*v);
  }
  if (root["load_growth"]) {
    if (auto v = r.number(root["load_growth"], "load_growth", 0.1, 10.0)) out.load_growth = *v;
  }
  if (root["pv_yield_factor"]) {
    if (auto v = r.number(root["pv_yield_factor"], "pv_yield_factor", 0.1, 2.0)) out.pv_yield_factor = *v;
  }
  if (root["prices"]) read_prices(r, root["prices"], out);
  if (root["uncertainty"]) read_uncertainty(r, root["uncertainty"], out);
  if (root["macc"]) {
    const YAML::Node m = root["macc"];
    if (!m.IsMap()) {
      r.problem(m, "macc", "expected a map, e.g. {reference: baseline_2030.yaml}");
    } else {
      r.check_keys(m, "macc", {"reference"});
      MaccSpec macc;
      macc.line = m.Mark().line + 1;
      if (!m["reference"]) {
        r.problem(m, "macc.reference",
                  "missing; the scenario whose interventions every run keeps, e.g. baseline_2030.yaml");
      } else if (auto v = r.text(m["reference"], "macc.reference")) {
        macc.reference = r.input(m["reference"], "macc.reference", *v);
      }
      out.macc = macc;
    }
  }
  for (const auto& [key, target] : std::initializer_list<std::pair<const char*, std::optional<std::string>*>>{
           {"site", &out.site},
           {"weather", &out.weather},
           {"holidays", &out.holidays},
           {"tariff", &out.tariff},
           {"load_library", &out.load_library},
           {"calibration", &out.calibration}}) {
    if (root[key]) {
      if (auto v = r.text(root[key], key)) *target = r.input(root[key], key, *v);
    }
  }
  if (root["complexes"]) {
    out.complexes = r.text_list(root["complexes"], "complexes");
    // An empty list would mean "every complex", the opposite of what a user who emptied it wants.
    if (out.complexes && out.complexes->empty()) {
      r.problem(root["complexes"], "complexes",
                "an empty list; name at least one complex, or leave complexes out to simulate them all");
    }
  }
  if (root["delta_t_s"]) out.delta_t_s = r.number(root["delta_t_s"], "delta_t_s", -100.0, 200.0);
  if (root["grid"]) {
    const YAML::Node g = root["grid"];
    if (!g.IsMap()) {
      r.problem(g, "grid", "expected a map, e.g. {line_types: ../gis_data/line_types.csv}");
    } else {
      r.check_keys(g, "grid",
                   {"line_types", "power_factor", "vmin_pu", "vmax_pu", "max_loading", "hosting_capacity"});
      GridSpec grid;
      grid.enabled = true;
      if (!g["line_types"]) {
        r.problem(g, "grid.line_types", "missing; e.g. line_types: ../gis_data/line_types.csv");
      } else if (auto v = r.text(g["line_types"], "grid.line_types")) {
        grid.line_types = r.input(g["line_types"], "grid.line_types", *v);
      }
      auto set = [&](const char* key, double& target, double lo, double hi) {
        if (g[key]) {
          if (auto v = r.number(g[key], std::string("grid.") + key, lo, hi)) target = *v;
        }
      };
      set("power_factor", grid.power_factor, 0.5, 1.0);
      set("vmin_pu", grid.vmin_pu, 0.5, 1.0);
      set("vmax_pu", grid.vmax_pu, 1.0, 1.5);
      set("max_loading", grid.max_loading, 0.1, 10.0);
      if (g["hosting_capacity"]) {
        try {
          grid.hosting_capacity = g["hosting_capacity"].as<bool>();
        } catch (const YAML::BadConversion&) {
          r.problem(g["hosting_capacity"], "grid.hosting_capacity", "expected true or false");
        }
      }
      out.grid = grid;
    }
  }
  if (root["sweep"]) read_sweep(r, root["sweep"], out);
  if (root["monte_carlo"]) {
    const YAML::Node mc = root["monte_carlo"];
    if (!mc.IsMap()) {
      r.problem(mc, "monte_carlo", "expected a map, e.g. {runs: 20, seed: 42}");
    } else {
      r.check_keys(mc, "monte_carlo", {"runs", "seed"});
      MonteCarloSpec spec;
      if (!mc["runs"]) {
        r.problem(mc, "monte_carlo.runs", "missing; e.g. runs: 20");
      } else if (auto v = r.integer(mc["runs"], "monte_carlo.runs", 1, 100000)) {
        spec.runs = static_cast<int>(*v);
      }
      if (mc["seed"]) {
        if (auto v = r.integer(mc["seed"], "monte_carlo.seed", 0, 9007199254740992LL)) {
          spec.seed = static_cast<std::uint64_t>(*v);
        }
      }
      out.monte_carlo = spec;
    }
  }
  if (root["models"]) {
    if (auto v = r.text_list(root["models"], "models")) {
      for (std::size_t i = 0; i < v->size(); ++i) {
        const std::string& m = (*v)[i];
        if (m != "energy" && m != "grid" && m != "traffic" && m != "emissions") {
          r.problem(root["models"][i], "models[" + std::to_string(i) + "]",
                    "unknown model '" + m + "'; use energy, grid, traffic, emissions");
        }
      }
      if (std::find(v->begin(), v->end(), "energy") == v->end()) {
        r.problem(root["models"], "models", "energy is always run; list it with the models to add");
      }
      out.models = *v;
    }
  }
  if (root["emission_factors"]) {
    if (auto v = r.text(root["emission_factors"], "emission_factors"))
      out.emission_factors = r.input(root["emission_factors"], "emission_factors", *v);
  }
  if (root["grid_emission_factor"]) {
    const YAML::Node g = root["grid_emission_factor"];
    if (!g.IsMap()) {
      r.problem(g, "grid_emission_factor", "expected a map, e.g. {t_per_mwh: 0.4173}");
    } else {
      r.check_keys(g, "grid_emission_factor", {"t_per_mwh", "hourly_csv"});
      if (g["t_per_mwh"].IsDefined() == g["hourly_csv"].IsDefined()) {
        r.problem(g, "grid_emission_factor",
                  "give t_per_mwh (an annual factor, e.g. 0.4173) or hourly_csv (a file of hour,t_per_mwh)");
      } else if (g["t_per_mwh"]) {
        if (auto v = r.number(g["t_per_mwh"], "grid_emission_factor.t_per_mwh", 0.0, 2.0))
          out.grid_t_per_mwh = *v;
      } else if (auto v = r.text(g["hourly_csv"], "grid_emission_factor.hourly_csv")) {
        out.grid_factor_csv = r.input(g["hourly_csv"], "grid_emission_factor.hourly_csv", *v);
      }
    }
  }
  if (root["traffic"]) {
    const YAML::Node t = root["traffic"];
    if (!t.IsMap()) {
      r.problem(t, "traffic", "expected a map, e.g. {trip_rates: ../gis_data/traffic/trip_rates.yaml}");
    } else {
      r.check_keys(t, "traffic",
                   {"trip_rates", "algorithm", "gap", "max_iterations", "zone_cell_m", "trip_rate_factor",
                    "background", "dynamic", "freight"});
      TrafficSpec traffic;
      traffic.enabled = true;
      if (!t["trip_rates"]) {
        r.problem(t, "traffic.trip_rates", "missing; e.g. trip_rates: ../gis_data/traffic/trip_rates.yaml");
      } else if (auto v = r.text(t["trip_rates"], "traffic.trip_rates")) {
        traffic.trip_rates = r.input(t["trip_rates"], "traffic.trip_rates", *v);
      }
      if (t["algorithm"]) {
        if (auto v = r.text(t["algorithm"], "traffic.algorithm")) {
          if (*v == "b" || *v == "algorithm-b" || *v == "fw" || *v == "frank-wolfe") {
            traffic.algorithm = *v;
          } else {
            r.problem(t["algorithm"], "traffic.algorithm", "unknown algorithm '" + *v + "'; use b or fw");
          }
        }
      }
      if (t["gap"]) {
        if (auto v = r.number(t["gap"], "traffic.gap", 1e-14, 0.5)) traffic.target_gap = *v;
      }
      if (t["max_iterations"]) {
        if (auto v = r.integer(t["max_iterations"], "traffic.max_iterations", 1, 100000)) {
          traffic.max_iterations = static_cast<int>(*v);
        }
      }
      if (t["zone_cell_m"]) {
        if (auto v = r.number(t["zone_cell_m"], "traffic.zone_cell_m", 0.0, 100000.0))
          traffic.zone_cell_m = *v;
      }
      if (t["trip_rate_factor"]) {
        if (auto v = r.number(t["trip_rate_factor"], "traffic.trip_rate_factor", 0.0, 10.0))
          traffic.trip_rate_factor = *v;
      }
      if (t["background"]) {
        if (auto v = r.text(t["background"], "traffic.background"))
          traffic.background = r.input(t["background"], "traffic.background", *v);
      }
      if (t["dynamic"]) read_traffic_dynamic(r, t["dynamic"], traffic);
      if (t["freight"]) {
        if (auto v = r.text(t["freight"], "traffic.freight"))
          traffic.freight = r.input(t["freight"], "traffic.freight", *v);
      }
      out.traffic = traffic;
    }
  }
  if (root["interventions"]) {
    out.has_interventions = true;
    const YAML::Node list = root["interventions"];
    if (!list.IsSequence()) {
      r.problem(list, "interventions", "expected a list of interventions, e.g. - rooftop_pv: {...}");
    } else {
      for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string path = "interventions[" + std::to_string(i) + "]";
        const YAML::Node item = list[i];
        if (!item.IsMap() || item.size() != 1) {
          r.problem(item, path, "each intervention is one key (rooftop_pv or battery) with its settings");
          continue;
        }
        const std::string kind = item.begin()->first.as<std::string>();
        const YAML::Node settings = item.begin()->second;
        if (kind == "rooftop_pv") {
          read_rooftop_pv(r, settings, path + ".rooftop_pv", out);
        } else if (kind == "battery") {
          read_battery(r, settings, path + ".battery", out);
        } else if (kind == "logistics_hub") {
          read_logistics_hub(r, settings, path + ".logistics_hub", out);
        } else if (kind == "ev_trucks") {
          read_ev_trucks(r, settings, path + ".ev_trucks", out);
        } else if (kind == "efficiency") {
          read_efficiency(r, settings, path + ".efficiency", out);
        } else if (kind == "fuel_switch") {
          read_fuel_switch(r, settings, path + ".fuel_switch", out);
        } else {
          r.problem(item.begin()->first, path + "." + kind,
                    "unknown intervention; this version of sandan knows rooftop_pv, battery, "
                    "logistics_hub, ev_trucks, efficiency and fuel_switch");
        }
      }
    }
  }
  return out;
}

template <typename T>
void inherit(std::optional<T>& child, const std::optional<T>& parent) {
  if (!child && parent) child = parent;
}

std::string emit_resolved(const ScenarioSpec& s) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << s.name;
  e << YAML::Key << "year" << YAML::Value << s.year;
  e << YAML::Key << "seed" << YAML::Value << s.seed;
  e << YAML::Key << "discount_rate" << YAML::Value << s.discount_rate;
  e << YAML::Key << "analysis_years" << YAML::Value << s.analysis_years;
  e << YAML::Key << "load_growth" << YAML::Value << s.load_growth;
  e << YAML::Key << "pv_yield_factor" << YAML::Value << s.pv_yield_factor;
  e << YAML::Key << "prices" << YAML::Value << YAML::Flow << YAML::BeginMap;
  if (!s.prices.fuel.empty()) e << YAML::Key << "fuel" << YAML::Value << s.prices.fuel;
  if (!s.prices.pv_export.empty()) e << YAML::Key << "pv_export" << YAML::Value << s.prices.pv_export;
  e << YAML::Key << "fuel_factor" << YAML::Value << s.prices.fuel_factor;
  e << YAML::Key << "export_factor" << YAML::Value << s.prices.export_factor << YAML::EndMap;
  e << YAML::Key << "facility_series" << YAML::Value << s.facility_series;
  e << YAML::Key << "site" << YAML::Value << s.site;
  e << YAML::Key << "weather" << YAML::Value << s.weather;
  e << YAML::Key << "holidays" << YAML::Value << s.holidays;
  e << YAML::Key << "tariff" << YAML::Value << s.tariff;
  e << YAML::Key << "load_library" << YAML::Value << s.load_library;
  if (!s.calibration.empty()) e << YAML::Key << "calibration" << YAML::Value << s.calibration;
  e << YAML::Key << "complexes" << YAML::Value << YAML::Flow << s.complexes;
  e << YAML::Key << "delta_t_s" << YAML::Value << s.delta_t_s;
  if (s.grid.enabled) {
    e << YAML::Key << "grid" << YAML::Value << YAML::Flow << YAML::BeginMap;
    e << YAML::Key << "line_types" << YAML::Value << s.grid.line_types;
    e << YAML::Key << "power_factor" << YAML::Value << s.grid.power_factor;
    e << YAML::Key << "vmin_pu" << YAML::Value << s.grid.vmin_pu;
    e << YAML::Key << "vmax_pu" << YAML::Value << s.grid.vmax_pu;
    e << YAML::Key << "max_loading" << YAML::Value << s.grid.max_loading;
    e << YAML::Key << "hosting_capacity" << YAML::Value << s.grid.hosting_capacity;
    e << YAML::EndMap;
  }
  if (!s.emission_factors.empty()) e << YAML::Key << "emission_factors" << YAML::Value << s.emission_factors;
  if (s.grid_t_per_mwh) {
    e << YAML::Key << "grid_emission_factor" << YAML::Value << YAML::Flow << YAML::BeginMap;
    e << YAML::Key << "t_per_mwh" << YAML::Value << *s.grid_t_per_mwh << YAML::EndMap;
  } else if (!s.grid_factor_csv.empty()) {
    e << YAML::Key << "grid_emission_factor" << YAML::Value << YAML::Flow << YAML::BeginMap;
    e << YAML::Key << "hourly_csv" << YAML::Value << s.grid_factor_csv << YAML::EndMap;
  }
  if (s.traffic.enabled) {
    e << YAML::Key << "traffic" << YAML::Value << YAML::Flow << YAML::BeginMap;
    e << YAML::Key << "trip_rates" << YAML::Value << s.traffic.trip_rates;
    e << YAML::Key << "algorithm" << YAML::Value << s.traffic.algorithm;
    e << YAML::Key << "gap" << YAML::Value << s.traffic.target_gap;
    e << YAML::Key << "max_iterations" << YAML::Value << s.traffic.max_iterations;
    e << YAML::Key << "zone_cell_m" << YAML::Value << s.traffic.zone_cell_m;
    e << YAML::Key << "trip_rate_factor" << YAML::Value << s.traffic.trip_rate_factor;
    if (!s.traffic.background.empty()) e << YAML::Key << "background" << YAML::Value << s.traffic.background;
    if (s.traffic.dynamic) {
      e << YAML::Key << "dynamic" << YAML::Value << YAML::Flow << YAML::BeginMap;
      e << YAML::Key << "profiles" << YAML::Value << s.traffic.dynamic_profiles;
      e << YAML::Key << "start" << YAML::Value << YAML::DoubleQuoted << clock_text(s.traffic.dynamic_start_s);
      e << YAML::Key << "end" << YAML::Value << YAML::DoubleQuoted << clock_text(s.traffic.dynamic_end_s);
      e << YAML::EndMap;
    }
    if (!s.traffic.freight.empty()) e << YAML::Key << "freight" << YAML::Value << s.traffic.freight;
    e << YAML::EndMap;
  }
  e << YAML::Key << "interventions" << YAML::Value << YAML::BeginSeq;
  for (const auto& pv : s.rooftop_pv) {
    e << YAML::BeginMap << YAML::Key << "rooftop_pv" << YAML::Value << YAML::Flow << YAML::BeginMap;
    e << YAML::Key << "complexes" << YAML::Value << YAML::Flow << pv.pv.complexes;
    e << YAML::Key << "roof_share" << YAML::Value << pv.pv.roof_share;
    e << YAML::Key << "m2_per_kwp" << YAML::Value << pv.pv.m2_per_kwp;
    e << YAML::Key << "min_roof_m2" << YAML::Value << pv.pv.min_roof_m2;
    e << YAML::Key << "tilt_deg" << YAML::Value << pv.pv.tilt_deg;
    e << YAML::Key << "azimuth_deg" << YAML::Value << pv.pv.azimuth_deg;
    e << YAML::Key << "dc_ac_ratio" << YAML::Value << pv.pv.dc_ac_ratio;
    e << YAML::Key << "inverter_efficiency" << YAML::Value << pv.pv.inverter_efficiency;
    e << YAML::Key << "gamma_per_c" << YAML::Value << pv.pv.gamma_per_c;
    e << YAML::Key << "system_losses_pct" << YAML::Value << pv.pv.system_losses_pct;
    e << YAML::Key << "albedo" << YAML::Value << pv.pv.albedo;
    if (pv.export_limit_kw_per_kwp) {
      e << YAML::Key << "export_limit_kw_per_kwp" << YAML::Value << *pv.export_limit_kw_per_kwp;
    }
    emit_cost(e, pv.cost, "cost_krw_per_kwp");
    e << YAML::EndMap << YAML::EndMap;
  }
  for (const auto& b : s.batteries) {
    static const char* const kPlaces[] = {"facility:", "facilities", "complex:", "substation:"};
    const bool per_kwp = b.placement == BatteryPlacement::kFacilities;
    e << YAML::BeginMap << YAML::Key << "battery" << YAML::Value << YAML::Flow << YAML::BeginMap;
    e << YAML::Key << "at" << YAML::Value
      << std::string(kPlaces[static_cast<int>(b.placement)]) + (per_kwp ? "" : b.target_id);
    if (per_kwp) e << YAML::Key << "complexes" << YAML::Value << YAML::Flow << b.complexes;
    e << YAML::Key << (per_kwp ? "energy_kwh_per_kwp" : "energy_kwh") << YAML::Value << b.battery.energy_kwh;
    e << YAML::Key << (per_kwp ? "power_kw_per_kwp" : "power_kw") << YAML::Value << b.battery.power_kw;
    e << YAML::Key << "round_trip_efficiency" << YAML::Value << b.battery.round_trip_efficiency;
    e << YAML::Key << "soc_min" << YAML::Value << b.battery.soc_min;
    e << YAML::Key << "soc_max" << YAML::Value << b.battery.soc_max;
    e << YAML::Key << "soc_initial" << YAML::Value << b.battery.soc_initial;
    static const char* const kStrategies[] = {"self_consumption", "peak_shaving", "tou_arbitrage"};
    e << YAML::Key << "strategy" << YAML::Value << kStrategies[static_cast<int>(b.battery.strategy)];
    emit_cost(e, b.cost, "cost_krw_per_kwh");
    e << YAML::EndMap << YAML::EndMap;
  }
  if (s.logistics_hub) {
    const LogisticsHubIntervention& h = *s.logistics_hub;
    e << YAML::BeginMap << YAML::Key << "logistics_hub" << YAML::Value << YAML::Flow << YAML::BeginMap;
    e << YAML::Key << "complexes" << YAML::Value << YAML::Flow << h.complexes;
    e << YAML::Key << "share" << YAML::Value << h.share;
    if (h.trip_reduction) e << YAML::Key << "trip_reduction" << YAML::Value << *h.trip_reduction;
    if (h.electric_share > 0.0) e << YAML::Key << "electric_share" << YAML::Value << h.electric_share;
    if (h.lat_deg && h.lon_deg) {
      e << YAML::Key << "lat" << YAML::Value << *h.lat_deg;
      e << YAML::Key << "lon" << YAML::Value << *h.lon_deg;
    }
    emit_cost(e, h.cost, nullptr);
    e << YAML::EndMap << YAML::EndMap;
  }
  if (s.ev_trucks) {
    e << YAML::BeginMap << YAML::Key << "ev_trucks" << YAML::Value << YAML::Flow << YAML::BeginMap;
    e << YAML::Key << "light_truck_share" << YAML::Value << s.ev_trucks->light_truck_share;
    e << YAML::Key << "heavy_truck_share" << YAML::Value << s.ev_trucks->heavy_truck_share;
    emit_cost(e, s.ev_trucks->cost, nullptr);
    e << YAML::EndMap << YAML::EndMap;
  }
  for (const auto& x : s.efficiency) {
    e << YAML::BeginMap << YAML::Key << "efficiency" << YAML::Value << YAML::Flow << YAML::BeginMap;
    emit_filter(e, x.where);
    e << YAML::Key << "electricity_saving" << YAML::Value << x.electricity_saving;
    e << YAML::Key << "fuel_saving" << YAML::Value << x.fuel_saving;
    emit_cost(e, x.cost, nullptr);
    e << YAML::EndMap << YAML::EndMap;
  }
  for (const auto& x : s.fuel_switches) {
    e << YAML::BeginMap << YAML::Key << "fuel_switch" << YAML::Value << YAML::Flow << YAML::BeginMap;
    emit_filter(e, x.where);
    e << YAML::Key << "share" << YAML::Value << x.share;
    e << YAML::Key << "boiler_efficiency" << YAML::Value << x.boiler_efficiency;
    e << YAML::Key << "cop" << YAML::Value << x.cop;
    emit_cost(e, x.cost, "cost_krw_per_kw");
    e << YAML::EndMap << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace

// The merged settings of a chain of files as a ScenarioSpec; throws ConfigError with every problem.
ScenarioSpec finalize(const PartialScenario& merged, const std::string& path, const std::string& file,
                      std::vector<std::string>& problems) {
  ScenarioSpec spec;
  spec.path = path;
  auto require = [&](const std::optional<std::string>& value, const char* key, const char* example) {
    if (!value) problems.push_back(file + ": " + key + ": missing; e.g. " + key + ": " + example);
    return value.value_or("");
  };
  spec.name = require(merged.name, "name", "baseline");
  spec.site = require(merged.site, "site", "../gis_data/incheon.gpkg");
  spec.weather = require(merged.weather, "weather", "../gis_data/weather/incheon_synthetic.epw");
  spec.holidays = require(merged.holidays, "holidays", "../gis_data/calendar/holidays_kr.csv");
  spec.tariff =
      require(merged.tariff, "tariff", "../gis_data/tariffs/kepco_industrial_b_hv_a_ii_2024-10-24.yaml");
  spec.load_library = require(merged.load_library, "load_library", "../gis_data/loads/archetypes.yaml");
  spec.calibration = merged.calibration.value_or("");
  spec.year = merged.year.value_or(2026);
  spec.seed = merged.seed.value_or(1);
  spec.discount_rate = merged.discount_rate.value_or(0.045);
  spec.analysis_years = merged.analysis_years.value_or(20);
  spec.load_growth = merged.load_growth.value_or(1.0);
  spec.pv_yield_factor = merged.pv_yield_factor.value_or(1.0);
  spec.prices = merged.prices.value_or(PriceSpec{});
  spec.facility_series = merged.facility_series.value_or(true);
  spec.complexes = merged.complexes.value_or(std::vector<std::string>{});
  spec.delta_t_s = merged.delta_t_s.value_or(69.0);
  spec.grid = merged.grid.value_or(GridSpec{});
  spec.traffic = merged.traffic.value_or(TrafficSpec{});
  spec.emission_factors = merged.emission_factors.value_or("");
  spec.grid_t_per_mwh = merged.grid_t_per_mwh;
  spec.grid_factor_csv = merged.grid_factor_csv.value_or("");
  spec.logistics_hub = merged.logistics_hub;
  spec.ev_trucks = merged.ev_trucks;
  spec.efficiency = merged.efficiency;
  spec.fuel_switches = merged.fuel_switches;
  spec.rooftop_pv = merged.rooftop_pv;
  spec.batteries = merged.batteries;
  if (merged.models) {
    // `models:` switches configured models off; it cannot switch on one the scenario does not configure.
    const auto& m = *merged.models;
    spec.models = m;
    const auto has = [&](const char* name) { return std::find(m.begin(), m.end(), name) != m.end(); };
    if (!has("grid")) spec.grid.enabled = false;
    if (!has("traffic")) {
      spec.traffic.enabled = false;
      spec.logistics_hub.reset();
      spec.ev_trucks.reset();
    }
    if (!has("emissions")) spec.emission_factors.clear();
  }
  if (merged.macc && (merged.sweep || merged.monte_carlo || merged.uncertainty)) {
    problems.push_back(file + ":" + std::to_string(merged.macc->line) +
                       ": macc: a MACC set is a batch of its own; drop sweep, monte_carlo and uncertainty");
  }
  if (merged.uncertainty && (merged.sweep || merged.monte_carlo)) {
    problems.push_back(file + ":" + std::to_string(merged.uncertainty->line) +
                       ": uncertainty: a scenario samples its uncertain inputs or sweeps settings, not both; "
                       "drop sweep and monte_carlo, or put the uncertainty in a scenario of its own");
  }
  if (!problems.empty()) {
    const std::string headline =
        path + ": invalid scenario (" + std::to_string(problems.size()) + " problems)";
    throw ConfigError(headline, std::move(problems));
  }
  spec.resolved_yaml = emit_resolved(spec);
  spec.sweep = merged.sweep.value_or(std::vector<SweepAxis>{});
  spec.monte_carlo = merged.monte_carlo;
  spec.uncertainty = merged.uncertainty;
  spec.macc = merged.macc;
  return spec;
}
ScenarioSpec read_scenario(const std::string& path) {
  std::vector<std::string> problems;
  // The chain from the file given to the root it extends, child first.
  std::vector<PartialScenario> chain;
  std::vector<std::string> files;
  std::string next = fs::path(path).lexically_normal().string();
  while (true) {
    if (std::find(files.begin(), files.end(), next) != files.end()) {
      // The one problem: the settings the chain never reaches a root for would all be listed as
      // missing too.
      std::string loop;
      for (auto it = std::find(files.begin(), files.end(), next); it != files.end(); ++it)
        loop += *it + " -> ";
      problems.push_back(files.back() + ": extends: '" + next +
                         "' is already in the chain of extends (a cycle: " + loop + next +
                         "); remove or change the `extends` of one of these files");
      throw ConfigError(path + ": invalid scenario", std::move(problems));
    }
    files.push_back(next);
    const std::size_t known = problems.size();
    chain.push_back(read_partial(next, problems));
    // A file that cannot be read or parsed is the one problem worth reporting: every setting it
    // would have given would otherwise be listed as missing too.
    if (chain.back().unreadable) {
      throw ConfigError(
          path + ": invalid scenario",
          std::vector<std::string>(problems.begin() + static_cast<std::ptrdiff_t>(known), problems.end()));
    }
    if (!chain.back().extends) break;
    next = *chain.back().extends;
  }
  // Merge from the root down: the child's settings win.
  PartialScenario merged;
  std::map<std::string, std::string> stated_at;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (const auto& [input, where] : it->stated_at) stated_at[input] = where;
    PartialScenario child = *it;
    inherit(child.name, merged.name);
    inherit(child.year, merged.year);
    inherit(child.seed, merged.seed);
    inherit(child.discount_rate, merged.discount_rate);
    inherit(child.analysis_years, merged.analysis_years);
    inherit(child.load_growth, merged.load_growth);
    inherit(child.pv_yield_factor, merged.pv_yield_factor);
    inherit(child.prices, merged.prices);
    inherit(child.uncertainty, merged.uncertainty);
    inherit(child.macc, merged.macc);
    inherit(child.facility_series, merged.facility_series);
    inherit(child.site, merged.site);
    inherit(child.weather, merged.weather);
    inherit(child.holidays, merged.holidays);
    inherit(child.tariff, merged.tariff);
    inherit(child.load_library, merged.load_library);
    inherit(child.calibration, merged.calibration);
    inherit(child.complexes, merged.complexes);
    inherit(child.delta_t_s, merged.delta_t_s);
    inherit(child.grid, merged.grid);
    inherit(child.sweep, merged.sweep);
    inherit(child.monte_carlo, merged.monte_carlo);
    inherit(child.models, merged.models);
    inherit(child.traffic, merged.traffic);
    inherit(child.emission_factors, merged.emission_factors);
    // A child's grid factor, annual or hourly, replaces the parent's.
    if (!child.grid_t_per_mwh && !child.grid_factor_csv) {
      child.grid_t_per_mwh = merged.grid_t_per_mwh;
      child.grid_factor_csv = merged.grid_factor_csv;
    }
    if (!child.has_interventions) {
      child.has_interventions = merged.has_interventions;
      child.rooftop_pv = merged.rooftop_pv;
      child.batteries = merged.batteries;
      child.logistics_hub = merged.logistics_hub;
      child.ev_trucks = merged.ev_trucks;
      child.efficiency = merged.efficiency;
      child.fuel_switches = merged.fuel_switches;
    }
    merged = child;
  }
  ScenarioSpec spec = finalize(merged, path, files.front(), problems);
  spec.files = files;
  spec.stated_at = std::move(stated_at);
  return spec;
}

std::vector<NamedInput> input_files(const ScenarioSpec& spec) {
  std::vector<NamedInput> inputs;
  for (std::size_t i = 0; i < spec.files.size(); ++i)
    inputs.push_back({i == 0 ? "scenario file" : "extended scenario file", spec.files[i]});
  if (spec.files.empty()) inputs.push_back({"scenario file", spec.path});
  const std::vector<NamedInput> named{
      {"layout (site)", spec.site},
      {"weather", spec.weather},
      {"holidays", spec.holidays},
      {"tariff", spec.tariff},
      {"load library", spec.load_library},
      {"calibration", spec.calibration},
      {"fuel prices", spec.prices.fuel},
      {"PV export prices", spec.prices.pv_export},
      {"line types", spec.grid.line_types},
      {"trip rates", spec.traffic.trip_rates},
      {"background traffic", spec.traffic.background},
      {"dynamic traffic profiles", spec.traffic.dynamic_profiles},
      {"freight tours", spec.traffic.freight},
      {"emission factors", spec.emission_factors},
      {"hourly grid emission factor", spec.grid_factor_csv},
      {"uncertainty reference scenario", spec.uncertainty ? spec.uncertainty->reference : std::string()},
      {"MACC reference scenario", spec.macc ? spec.macc->reference : std::string()},
  };
  for (const NamedInput& input : named) {
    if (!input.path.empty()) inputs.push_back(input);
  }
  return inputs;
}

void check_inputs_exist(const ScenarioSpec& spec) {
  std::vector<std::string> problems;
  const std::vector<NamedInput> inputs = input_files(spec);
  for (const NamedInput& input : inputs) {
    if (input.what.find("scenario file") != std::string::npos) continue;  // read already
    std::error_code ec;
    const fs::file_status status = fs::status(input.path, ec);
    const auto stated = spec.stated_at.find(input.path);
    const std::string where = stated != spec.stated_at.end()
                                  ? stated->second
                                  : (spec.path.empty() ? input.what : spec.path + ": " + input.what);
    if (!fs::exists(status)) {
      problems.push_back(
          where + ": " + input.path + ": no such file (the " + input.what +
          "); a relative path is taken from the folder of the file that states it: correct the "
          "path or the file's name");
    } else if (fs::is_directory(status) && input.what != "layout (site)") {
      problems.push_back(where + ": " + input.path + ": is a folder, not a file (the " + input.what +
                         "); name the file itself");
    }
  }
  if (!problems.empty()) {
    throw ConfigError((spec.path.empty() ? std::string("scenario") : spec.path) + ": " +
                          std::to_string(problems.size()) + (problems.size() == 1 ? " input" : " inputs") +
                          " of the scenario cannot be read",
                      problems);
  }
}

namespace {

// Rebinds `node` to the value at a key path such as "interventions[0].rooftop_pv.roof_share" and sets
// it; returns a description of what is missing when the path does not lead into the document.
std::optional<std::string> set_path(const YAML::Node& root, const std::string& key_path,
                                    const YAML::Node& value) {
  YAML::Node current;
  current.reset(root);
  std::vector<std::string> parts;
  std::stringstream stream(key_path);
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  if (parts.empty()) return std::string("an empty key path");
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string key = parts[i];
    std::optional<std::size_t> index;
    const auto bracket = key.find('[');
    if (bracket != std::string::npos) {
      const auto close = key.find(']', bracket);
      if (close == std::string::npos || close + 1 != key.size())
        return "'" + key + "' is not key or key[index]";
      try {
        index = std::stoul(key.substr(bracket + 1, close - bracket - 1));
      } catch (const std::exception&) {
        return "'" + key + "' has no whole-number index";
      }
      key = key.substr(0, bracket);
    }
    const bool last = i + 1 == parts.size();
    if (!current.IsMap()) return "'" + key + "' is not inside a map";
    if (!current[key]) {
      if (last && !index) {
        current[key] = value;
        return std::nullopt;
      }
      return "the scenario has no '" + key + "' here";
    }
    YAML::Node next;
    next.reset(current[key]);
    if (index) {
      if (!next.IsSequence() || *index >= next.size()) {
        return "'" + key + "' has no element " + std::to_string(*index);
      }
      YAML::Node element;
      element.reset(next[*index]);
      next.reset(element);
    }
    if (last) {
      // A list replaces a list, a single value a single value.
      if (value.IsSequence() ? !next.IsSequence() : !next.IsScalar())
        return "'" + key + "' is not " + (value.IsSequence() ? "a list" : "a single value");
      next = value;
      return std::nullopt;
    }
    current.reset(next);
  }
  return std::nullopt;
}

// Whether a key path leads to a value the document has (set_path would add a missing last key).
bool has_path(const YAML::Node& root, const std::string& key_path) {
  YAML::Node current;
  current.reset(root);
  std::stringstream stream(key_path);
  for (std::string part; std::getline(stream, part, '.');) {
    std::optional<std::size_t> index;
    const auto bracket = part.find('[');
    if (bracket != std::string::npos) {
      try {
        index = std::stoul(part.substr(bracket + 1));
      } catch (const std::exception&) {
        return false;
      }
      part = part.substr(0, bracket);
    }
    if (!current.IsMap() || !current[part]) return false;
    YAML::Node next;
    next.reset(current[part]);
    if (index) {
      if (!next.IsSequence() || *index >= next.size()) return false;
      YAML::Node element;
      element.reset(next[*index]);
      next.reset(element);
    }
    current.reset(next);
  }
  return true;
}

std::optional<std::string> set_path(const YAML::Node& root, const std::string& key_path,
                                    const std::string& value) {
  return set_path(root, key_path, YAML::Node(value));
}

std::string json_scalar(const std::string& value) {
  // Numbers stay numbers in the parameters JSON; anything else is a string.
  char* end = nullptr;
  std::strtod(value.c_str(), &end);
  if (!value.empty() && end != nullptr && *end == '\0') return value;
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

// A resolved scenario document, changed, parsed again as a scenario of its own (its paths are
// already resolved). label names it in messages. Throws ConfigError.
ScenarioSpec reparse(const YAML::Node& node, const ScenarioSpec& spec, const std::string& label) {
  std::vector<std::string> problems;
  Reader r(label, problems, false);
  PartialScenario partial = read_partial_root(node, r, label, problems);
  partial.sweep.reset();
  partial.monte_carlo.reset();
  partial.uncertainty.reset();
  partial.macc.reset();
  if (!problems.empty()) throw ConfigError(label, problems);
  return finalize(partial, spec.path, label, problems);
}

}  // namespace

ScenarioSpec with_settings(const ScenarioSpec& spec,
                           const std::vector<std::pair<std::string, std::string>>& settings) {
  YAML::Node node = YAML::Load(spec.resolved_yaml);
  std::vector<std::string> problems;
  std::string label = spec.path + " (with";
  for (const auto& [key_path, value] : settings) {
    YAML::Node parsed;
    try {
      parsed = YAML::Load(value);
    } catch (const YAML::Exception& e) {
      problems.push_back(spec.path + ": " + key_path + ": '" + value + "' is not YAML: " + e.msg);
      continue;
    }
    // A list is set as a list; anything else as the text given (as a sweep's values are).
    if (auto missing = set_path(node, key_path, parsed.IsSequence() ? parsed : YAML::Node(value))) {
      problems.push_back(spec.path + ": " + key_path + ": " + *missing +
                         " (key paths follow the resolved scenario, e.g. "
                         "interventions[0].rooftop_pv.roof_share)");
    }
    label += " " + key_path + "=" + value;
  }
  label += ")";
  if (!problems.empty()) throw ConfigError(spec.path + ": settings that do not apply", problems);
  ScenarioSpec changed = reparse(node, spec, label);
  changed.sweep = spec.sweep;
  changed.monte_carlo = spec.monte_carlo;
  changed.uncertainty = spec.uncertainty;
  changed.macc = spec.macc;
  changed.models = spec.models;
  return changed;
}

namespace {

// The sweep's dimensions: each a list of axes that advance together (a zip, or one axis alone), in
// the order their first axis is stated.
std::vector<std::vector<std::size_t>> sweep_dimensions(const std::vector<SweepAxis>& axes) {
  std::vector<std::vector<std::size_t>> dims;
  std::map<int, std::size_t> zip_dim;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    if (axes[a].group < 0) {
      dims.push_back({a});
      continue;
    }
    const auto [it, added] = zip_dim.emplace(axes[a].group, dims.size());
    if (added) dims.emplace_back();
    dims[it->second].push_back(a);
  }
  return dims;
}

std::string run_suffix(std::size_t index, std::size_t total) {
  const int width = total > 9999 ? static_cast<int>(std::to_string(total - 1).size()) : 4;
  char id[32];
  std::snprintf(id, sizeof id, "-%0*zu", width, index);
  return id;
}

// A number as YAML and JSON text that reads back to the same double.
std::string exact_number(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string key_path_hint() {
  return " (key paths follow the resolved scenario, e.g. interventions[0].rooftop_pv.roof_share)";
}

// The points of the uncertainty's design on the unit hypercube, row-major [run × input].
std::vector<double> unit_design(const UncertaintySpec& u) {
  const std::size_t n = static_cast<std::size_t>(u.samples);
  const std::size_t k = u.inputs.size();
  switch (u.method) {
    case UncertaintyMethod::kMonteCarlo:
      return random_design(n, k, u.seed);
    case UncertaintyMethod::kLatinHypercube:
      return latin_hypercube(n, k, u.seed);
    case UncertaintyMethod::kSobol:
      return saltelli_design(n, k, u.seed).points;
    case UncertaintyMethod::kMorris: {
      // The grid's ends 0 and 1 map to ±∞ for a normal or lognormal: the levels are taken at the
      // centres of p equal-probability bins instead, u' = ε + (1 − 2ε)u with ε = 1/(2p).
      std::vector<double> points = morris_design(n, k, u.levels, u.seed).points;
      const double eps = morris_margin(u.levels);
      for (double& x : points) x = eps + (1.0 - 2.0 * eps) * x;
      return points;
    }
  }
  return {};
}

// Each uncertain input at both ends of its distribution, parsed: a distribution that reaches values
// the scenario refuses is reported once, at its own line, not once a run.
void probe_inputs(const ScenarioSpec& spec, const YAML::Node& base, std::vector<std::string>& problems) {
  const UncertaintySpec& u = *spec.uncertainty;
  for (const UncertainInput& input : u.inputs) {
    const std::string where =
        spec.path + ":" + std::to_string(input.line) + ": uncertainty.inputs." + input.key_path + ": ";
    // An uncertain input must be a setting the scenario has: a distribution over a key that is not
    // there is a typo, not a new setting.
    if (!has_path(base, input.key_path)) {
      problems.push_back(where + "the scenario has no such setting" + key_path_hint());
      continue;
    }
    for (const double p : {1e-9, 1.0 - 1e-9}) {
      const double value = quantile(input.distribution, p);
      YAML::Node probe = YAML::Clone(base);
      if (auto missing = set_path(probe, input.key_path, exact_number(value))) {
        problems.push_back(where + *missing + key_path_hint());
        break;
      }
      try {
        (void)reparse(probe, spec, spec.path);
      } catch (const ConfigError& e) {
        const std::string first = e.problems().empty() ? e.what() : e.problems().front();
        problems.push_back(where + "the distribution reaches " + config::format_number(value) +
                           ", which the scenario refuses (" + first.substr(first.find(": ") + 2) +
                           "); narrow it or bound it with min and max");
        break;
      }
    }
  }
}

std::vector<Variant> expand_uncertainty(const ScenarioSpec& spec) {
  const UncertaintySpec& u = *spec.uncertainty;
  const YAML::Node base = YAML::Load(spec.resolved_yaml);
  std::vector<std::string> problems;
  probe_inputs(spec, base, problems);
  if (!problems.empty()) throw ConfigError(spec.path + ": invalid uncertainty", problems);
  std::optional<YAML::Node> reference_interventions;
  if (!u.reference.empty()) {
    const ScenarioSpec reference = read_scenario(u.reference);
    reference_interventions = YAML::Load(reference.resolved_yaml)["interventions"];
  }
  const std::size_t k = u.inputs.size();
  const std::vector<double> design = unit_design(u);
  // The cap of every batch (expand_batch): checked on the design, before any run is expanded.
  const std::size_t design_runs = (k == 0 ? 0 : design.size() / k) * (u.reference.empty() ? 1 : 2);
  if (design_runs > 20000) {
    throw ConfigError(
        spec.path + ": the batch has " + std::to_string(design_runs) +
            " runs, more than a batch may have (20,000)",
        {spec.path + ": uncertainty: " + std::to_string(u.samples) + " samples of " + std::to_string(k) +
         " inputs" + (u.reference.empty() ? "" : " with their counterfactuals") + " give " +
         std::to_string(design_runs) +
         " runs; a batch runs at most 20,000: take fewer samples or split the inputs"});
  }
  const std::size_t rows = k == 0 ? 0 : design.size() / k;
  std::vector<Variant> variants;
  variants.reserve(rows * (reference_interventions ? 2 : 1));
  for (std::size_t row = 0; row < rows; ++row) {
    YAML::Node node = YAML::Clone(base);
    Variant v;
    std::string json = "{";
    for (std::size_t j = 0; j < k; ++j) {
      const double value = quantile(u.inputs[j].distribution, design[row * k + j]);
      v.sample.push_back(value);
      (void)set_path(node, u.inputs[j].key_path, exact_number(value));
      json += (j > 0 ? ", \"" : "\"") + u.inputs[j].key_path + "\": " + exact_number(value);
    }
    v.parameters_json = json + ", \"sample\": " + std::to_string(row) + "}";
    v.run_id = spec.name + run_suffix(row, rows);
    v.sample_index = static_cast<int>(row);
    v.index = static_cast<int>(variants.size());
    v.spec = reparse(node, spec, spec.path + " (run " + v.run_id + ")");
    v.spec.models = spec.models;
    if (reference_interventions) {
      // The sample's counterfactual: the same background, the reference's interventions.
      Variant cf = v;
      node["interventions"] = YAML::Clone(*reference_interventions);
      cf.run_id = spec.name + "-reference" + run_suffix(row, rows);
      cf.counterfactual = true;
      cf.parameters_json = json + ", \"sample\": " + std::to_string(row) + ", \"counterfactual\": true}";
      cf.spec = reparse(node, spec, spec.path + " (run " + cf.run_id + ")");
      cf.spec.models = spec.models;
      variants.push_back(std::move(v));
      cf.index = static_cast<int>(variants.size());
      variants.push_back(std::move(cf));
    } else {
      variants.push_back(std::move(v));
    }
  }
  return variants;
}

}  // namespace

namespace {

std::vector<Variant> expand_macc(const ScenarioSpec& spec) {
  const ScenarioSpec reference = read_scenario(spec.macc->reference);
  const YAML::Node base = YAML::Load(spec.resolved_yaml);
  const YAML::Node kept = YAML::Load(reference.resolved_yaml)["interventions"];
  const YAML::Node all = base["interventions"];
  std::vector<Variant> variants;
  const auto add = [&](const std::string& id, const std::string& role, const YAML::Node& interventions) {
    YAML::Node node = YAML::Clone(base);
    node["interventions"] = interventions;
    Variant v;
    v.run_id = spec.name + "-" + id;
    v.macc_role = role;
    v.parameters_json = "{\"macc\": " + json_scalar(role) + "}";
    v.index = static_cast<int>(variants.size());
    v.spec = reparse(node, spec, spec.path + " (run " + v.run_id + ")");
    v.spec.models = spec.models;
    variants.push_back(std::move(v));
  };
  add("reference", "reference", YAML::Clone(kept));
  // An intervention the reference has already is part of every run, not a part of the curve.
  std::set<std::string> in_reference;
  for (const YAML::Node& entry : kept) in_reference.insert(YAML::Dump(entry));
  const auto own = [&](std::size_t i) { return in_reference.count(YAML::Dump(all[i])) == 0; };
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!own(i)) continue;
    YAML::Node alone = YAML::Clone(kept);
    alone.push_back(YAML::Clone(all[i]));
    const std::string kind = all[i].begin()->first.as<std::string>();
    char id[64];
    std::snprintf(id, sizeof id, "%02zu-%s", i, kind.c_str());
    add(id, "interventions[" + std::to_string(i) + "]." + kind, alone);
  }
  YAML::Node package = YAML::Clone(kept);
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (own(i)) package.push_back(YAML::Clone(all[i]));
  }
  add("package", "package", package);
  return variants;
}

}  // namespace

std::vector<Variant> expand_batch(const ScenarioSpec& spec) {
  if (spec.macc) return expand_macc(spec);
  if (spec.uncertainty) return expand_uncertainty(spec);
  if (spec.sweep.empty() && !spec.monte_carlo) return {Variant{spec, spec.name, "{}", 0, {}, -1, false, {}}};
  const std::vector<std::vector<std::size_t>> dims = sweep_dimensions(spec.sweep);
  // The most runs a batch expands to (docs/scenarios.md). Expanding and checking 10^5 variants took
  // 76 s before the first run, silently; 20,000 keep that to about 15 s. The product saturates so
  // that many long lists cannot wrap around to a small count.
  constexpr std::size_t kMaxVariants = 20000;
  const auto times = [](std::size_t a, std::size_t b) {
    return b != 0 && a > std::numeric_limits<std::size_t>::max() / b ? std::numeric_limits<std::size_t>::max()
                                                                     : a * b;
  };
  std::size_t points = 1;
  for (const auto& dim : dims) points = times(points, spec.sweep[dim.front()].values.size());
  const std::size_t runs = spec.monte_carlo ? static_cast<std::size_t>(spec.monte_carlo->runs) : 1;
  const std::size_t total = times(points, runs);
  std::vector<std::string> problems;
  if (total > kMaxVariants) {
    const std::string count =
        total == std::numeric_limits<std::size_t>::max() ? "more than 10^19" : std::to_string(total);
    throw ConfigError(spec.path + ": the batch has " + count + " runs, more than a batch may have (20,000)",
                      {spec.path + ": sweep and monte_carlo multiply to " + count +
                       " runs; a batch runs at most 20,000: split the sweep into several scenario files "
                       "(or fewer values a list) and run them as separate batches"});
  }
  const YAML::Node base = YAML::Load(spec.resolved_yaml);
  // Every axis once, on the first value: a key path that does not exist is one problem, not one a run.
  for (const SweepAxis& axis : spec.sweep) {
    YAML::Node probe = YAML::Clone(base);
    if (auto missing = set_path(probe, axis.key_path, axis.values.front())) {
      problems.push_back(spec.path + ":" + std::to_string(axis.line) + ": sweep." + axis.key_path + ": " +
                         *missing + key_path_hint());
    }
  }
  if (!problems.empty()) throw ConfigError(spec.path + ": invalid sweep", problems);

  std::vector<Variant> variants;
  variants.reserve(total);
  for (std::size_t v = 0; v < total; ++v) {
    std::size_t point = v / runs;
    const std::size_t run = v % runs;
    YAML::Node node = YAML::Clone(base);
    // The value index of each axis: the last dimension fastest; a zip's axes share their index.
    std::vector<std::size_t> choice(spec.sweep.size());
    for (std::size_t d = dims.size(); d-- > 0;) {
      const std::size_t n = spec.sweep[dims[d].front()].values.size();
      for (const std::size_t a : dims[d]) choice[a] = point % n;
      point /= n;
    }
    std::string json = "{";
    for (std::size_t a = 0; a < spec.sweep.size(); ++a) {
      const std::string& value = spec.sweep[a].values[choice[a]];
      (void)set_path(node, spec.sweep[a].key_path, value);
      json += (a > 0 ? ", \"" : "\"") + spec.sweep[a].key_path + "\": " + json_scalar(value);
    }
    if (spec.monte_carlo) {
      // Seeds drawn from the batch's seed, 53 bits so they survive YAML and JSON as exact numbers.
      constexpr std::uint64_t kMask53 = (std::uint64_t{1} << 53U) - 1U;
      const std::uint64_t seed = splitmix64(spec.monte_carlo->seed ^ (0x5A4D43ULL + run)) & kMask53;
      node["seed"] = std::to_string(seed);
      json += std::string(spec.sweep.empty() ? "\"" : ", \"") + "monte_carlo_run\": " + std::to_string(run) +
              ", \"seed\": " + std::to_string(seed);
    }
    json += "}";
    const std::string run_id = spec.name + run_suffix(v, total);
    ScenarioSpec variant;
    try {
      variant = reparse(node, spec, spec.path + " (run " + run_id + ")");
    } catch (const ConfigError& e) {
      for (const auto& p : e.problems()) problems.push_back(p);
      if (problems.size() > 20) break;
      continue;
    }
    variant.models = spec.models;
    variants.push_back(Variant{std::move(variant), run_id, json, static_cast<int>(v), {}, -1, false, {}});
  }
  if (!problems.empty()) throw ConfigError(spec.path + ": the sweep gives invalid runs", problems);
  return variants;
}

ScenarioSpec with_batch(const ScenarioSpec& spec, const std::string& key, const std::string& yaml) {
  if (key != "sweep" && key != "monte_carlo" && key != "uncertainty") {
    throw ConfigError(spec.path + ": " + key + ": not a batch setting",
                      {spec.path + ": " + key + ": use sweep, monte_carlo or uncertainty"});
  }
  const std::string label = spec.path + " (" + key + " given)";
  YAML::Node root(YAML::NodeType::Map);
  try {
    root[key] = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw ConfigError(label + ": not YAML", {label + ": " + key + ": " + e.msg});
  }
  std::vector<std::string> problems;
  // Relative paths (an uncertainty's reference) count from the scenario's own file.
  Reader r(spec.path, problems);
  PartialScenario partial = read_partial_root(root, r, label, problems);
  if (!problems.empty()) throw ConfigError(label + ": invalid " + key, problems);
  ScenarioSpec out = spec;
  if (partial.sweep) out.sweep = *partial.sweep;
  if (partial.monte_carlo) out.monte_carlo = partial.monte_carlo;
  if (partial.uncertainty) out.uncertainty = partial.uncertainty;
  if (out.uncertainty && (!out.sweep.empty() || out.monte_carlo)) {
    throw ConfigError(
        label + ": invalid " + key,
        {label + ": uncertainty: a scenario samples its uncertain inputs or sweeps settings, not both"});
  }
  return out;
}

ScenarioSpec scenario_from_resolved(const std::string& resolved_yaml, const std::string& label) {
  YAML::Node node;
  try {
    node = YAML::Load(resolved_yaml);
  } catch (const YAML::Exception& e) {
    throw ConfigError(label + ": the stored scenario is not YAML", {label + ": " + e.msg});
  }
  ScenarioSpec base;
  base.path = label;
  return reparse(node, base, label);
}

// The top-level settings of two resolved scenarios that differ, besides name and interventions (and
// what only selects the output), as "key: a -> b".
namespace {

// A node as flow YAML for people: numbers in their shortest form that reads back the same (0.26,
// not the emitter's 0.26000000000000001).
std::string readable(const YAML::Node& n) {
  if (n.IsScalar()) {
    const std::string& text = n.Scalar();
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return text;
    std::array<char, 32> buffer{};
    const auto out = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return {buffer.data(), out.ptr};
  }
  std::string out = n.IsMap() ? "{" : "[";
  for (auto it = n.begin(); it != n.end(); ++it) {
    out += out.size() > 1 ? ", " : "";
    out += n.IsMap() ? it->first.Scalar() + ": " + readable(it->second) : readable(*it);
  }
  return out + (n.IsMap() ? "}" : "]");
}

}  // namespace

std::vector<std::string> background_differences(const ScenarioSpec& a, const ScenarioSpec& b) {
  const YAML::Node ya = YAML::Load(a.resolved_yaml);
  const YAML::Node yb = YAML::Load(b.resolved_yaml);
  const auto text = [](const YAML::Node& n) { return n ? readable(n) : std::string("(none)"); };
  std::vector<std::string> keys;
  for (const auto& item : ya) keys.push_back(item.first.as<std::string>());
  for (const auto& item : yb) {
    const std::string key = item.first.as<std::string>();
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  std::vector<std::string> out;
  for (const std::string& key : keys) {
    if (key == "name" || key == "interventions" || key == "facility_series") continue;
    const std::string ta = text(ya[key]);
    const std::string tb = text(yb[key]);
    if (ta != tb) out.push_back(key + ": " + ta + " -> " + tb);
  }
  return out;
}

ScenarioSpec with_grid_factor_of(const ScenarioSpec& spec, const ScenarioSpec& source,
                                 const std::string& name) {
  YAML::Node node = YAML::Load(spec.resolved_yaml);
  const YAML::Node from = YAML::Load(source.resolved_yaml);
  if (from["grid_emission_factor"]) {
    node["grid_emission_factor"] = from["grid_emission_factor"];
  } else {
    node.remove("grid_emission_factor");
  }
  node["name"] = name;
  ScenarioSpec out = reparse(node, spec, spec.path + " (" + name + ")");
  out.models = spec.models;
  return out;
}

ScenarioSpec with_interventions_of(const ScenarioSpec& background, const ScenarioSpec& interventions,
                                   const std::string& name) {
  YAML::Node node = YAML::Load(background.resolved_yaml);
  node["interventions"] = YAML::Load(interventions.resolved_yaml)["interventions"];
  node["name"] = name;
  ScenarioSpec out = reparse(node, background, background.path + " (counterfactual " + name + ")");
  out.models = background.models;
  return out;
}

std::string site_of_resolved(const std::string& resolved_yaml) {
  try {
    const YAML::Node root = YAML::Load(resolved_yaml);
    if (root.IsMap() && root["site"] && root["site"].IsScalar()) return root["site"].as<std::string>();
  } catch (const YAML::Exception&) {
    return "";  // not YAML: the caller reports that the run names no layout
  }
  return "";
}

}  // namespace sandan
