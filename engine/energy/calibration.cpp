// energy/calibration: reading and writing calibration files (schema sandan-calibration, version 1;
// docs/twin.md). Every problem of a file is collected with file, line and key path and thrown at once.
#include "energy/calibration.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml_check.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

namespace sandan {
namespace {

constexpr const char* kSchema = "sandan-calibration";
constexpr int kVersion = 1;
// Change points outside the range of outdoor temperatures anywhere in Korea (record lows near
// −33 °C, highs near 41 °C) cannot have come from a fit; a wide margin keeps odd climates readable.
constexpr double kMinChangeC = -50.0;
constexpr double kMaxChangeC = 60.0;
// A yield factor above 3 means a metered system three times larger than its stated capacity: a
// wrong capacity_kwp or unit, not a better module.
constexpr double kMaxYieldFactor = 3.0;
// An archetype scaled by more than 100 is a wrong floor area or annual total, not a calibration.
constexpr double kMaxElecScale = 100.0;

using config::as_number;
using config::as_number_in;
using config::describe;
using config::format_number;
using config::indexed;
using config::MapView;
using config::Problems;
using config::read_text;

const std::vector<std::string> kModelKeys{"base_kw",
                                          "heating_change_c",
                                          "heating_slope_kw_per_k",
                                          "cooling_change_c",
                                          "cooling_slope_kw_per_k",
                                          "noise_sd",
                                          "noise_autocorrelation"};

std::string day_type_name(int index) { return std::string(to_string(static_cast<DayType>(index))); }

// base_kw: {weekday: [24], saturday: [24], sunday: [24], holiday: [24], shutdown: [24]}, each value a
// finite load ≥ 0 kW.
bool read_base(const MapView& entry, LoadCalibration& load, Problems& problems) {
  const auto node = entry.get("base_kw");
  if (!node) return false;
  std::vector<std::string> names;
  names.reserve(kCalibrationDayTypes);
  for (int d = 0; d < kCalibrationDayTypes; ++d) names.push_back(day_type_name(d));
  const MapView map(*node, entry.path("base_kw"), problems, names, {}, entry.key_line("base_kw"));
  if (!map.ok()) return false;
  bool ok = true;
  for (int d = 0; d < kCalibrationDayTypes; ++d) {
    const auto list = map.get(names[static_cast<std::size_t>(d)]);
    if (!list) {
      ok = false;
      continue;
    }
    const std::string path = map.path(names[static_cast<std::size_t>(d)]);
    if (!list->IsSequence() || list->size() != 24) {
      problems.add(*list, path,
                   "must be a list of 24 loads in kW (hours 0..23 local time), got " +
                       (list->IsSequence() ? std::to_string(list->size()) + " values" : describe(*list)));
      ok = false;
      continue;
    }
    for (std::size_t h = 0; h < 24; ++h) {
      const auto value = as_number_in((*list)[h], indexed(path, h), 0.0, INFINITY, problems);
      if (!value) {
        ok = false;
        continue;
      }
      load.base_kw[static_cast<std::size_t>(d)][h] = *value;
    }
  }
  return ok;
}

void read_model(const MapView& entry, LoadCalibration& load, Problems& problems) {
  read_base(entry, load, problems);
  const auto number = [&](const std::string& key, double lo, double hi, double& out) {
    if (const auto node = entry.get(key)) {
      if (const auto value = as_number_in(*node, entry.path(key), lo, hi, problems)) out = *value;
    }
  };
  number("heating_change_c", kMinChangeC, kMaxChangeC, load.heating_change_c);
  number("heating_slope_kw_per_k", 0.0, INFINITY, load.heating_slope_kw_per_k);
  number("cooling_change_c", kMinChangeC, kMaxChangeC, load.cooling_change_c);
  number("cooling_slope_kw_per_k", 0.0, INFINITY, load.cooling_slope_kw_per_k);
  number("noise_sd", 0.0, INFINITY, load.noise_sd);
  // An AR(1) coefficient of magnitude 1 or more is not stationary: the noise would wander off.
  if (const auto node = entry.get("noise_autocorrelation")) {
    if (const auto value = as_number(*node, entry.path("noise_autocorrelation"), problems)) {
      if (std::abs(*value) >= 1.0) {
        problems.add(*node, entry.path("noise_autocorrelation"),
                     "must be in (-1, 1) (a lag-1 autocorrelation), got " + format_number(*value));
      } else {
        load.noise_autocorrelation = *value;
      }
    }
  }
  if (load.heating_slope_kw_per_k > 0.0 && load.cooling_slope_kw_per_k > 0.0 &&
      load.heating_change_c > load.cooling_change_c) {
    // One of the two is stated (their defaults are in order): the problem goes to the one that is.
    if (const auto heating = entry.get("heating_change_c")) {
      problems.add(
          *heating, entry.path("heating_change_c"),
          "must not exceed cooling_change_c (" + format_number(load.cooling_change_c) +
              ") when both slopes are above 0: a facility cannot heat and cool at the same temperature");
    } else if (const auto cooling = entry.get("cooling_change_c")) {
      problems.add(*cooling, entry.path("cooling_change_c"),
                   "must not be below heating_change_c (" + format_number(load.heating_change_c) +
                       ", the default) when both slopes are above 0: a facility cannot heat and cool at the "
                       "same temperature");
    }
  }
}

void read_loads(const MapView& top, Calibration& calibration, Problems& problems) {
  const auto list = top.get("loads");
  if (!list) return;
  if (!list->IsSequence()) {
    problems.add(*list, top.path("loads"), "must be a list of facility loads, got " + describe(*list));
    return;
  }
  std::map<std::string, int> seen;  // facility id → line of its first entry
  for (std::size_t i = 0; i < list->size(); ++i) {
    const YAML::Node node = (*list)[i];
    const std::string path = indexed("loads", i);
    std::vector<std::string> optional = kModelKeys;
    optional.emplace_back("elec_scale");
    const MapView entry(node, path, problems, {"facility", "meter", "method"}, optional);
    if (!entry.ok()) continue;
    LoadCalibration load;
    if (const auto id = read_text(entry, "facility", problems)) {
      load.facility_id = *id;
      const int line = entry.key_line("facility");
      if (const auto [it, fresh] = seen.emplace(*id, line); !fresh) {
        problems.add(line, entry.path("facility"),
                     "facility '" + *id + "' is listed twice (first on line " + std::to_string(it->second) +
                         "): keep one entry a facility");
      }
    }
    if (const auto meter = read_text(entry, "meter", problems)) load.meter_id = *meter;
    const auto method = read_text(entry, "method", problems);
    if (!method) continue;
    if (*method == "model") {
      load.method = CalibrationMethod::kModel;
      for (const auto& key : kModelKeys) {
        if (!entry.get(key)) problems.add(node, entry.path(key), "missing (method model needs it)");
      }
      if (const auto scale = entry.get("elec_scale")) {
        problems.add(*scale, entry.path("elec_scale"),
                     "only method scaled takes elec_scale: remove it or set method: scaled");
      }
      read_model(entry, load, problems);
    } else if (*method == "scaled") {
      load.method = CalibrationMethod::kScaled;
      for (const auto& key : kModelKeys) {
        if (const auto extra = entry.get(key)) {
          problems.add(*extra, entry.path(key),
                       "only method model takes " + key + ": remove it or set method: model");
        }
      }
      if (const auto scale = entry.get("elec_scale")) {
        if (const auto value = as_number(*scale, entry.path("elec_scale"), problems)) {
          if (*value <= 0.0 || *value > kMaxElecScale) {
            problems.add(
                *scale, entry.path("elec_scale"),
                "must be in (0, " + format_number(kMaxElecScale) + "], got " + format_number(*value));
          } else {
            load.elec_scale = *value;
          }
        }
      } else {
        problems.add(node, entry.path("elec_scale"), "missing (method scaled needs it)");
      }
    } else {
      problems.add(*entry.get("method"), entry.path("method"),
                   "must be model or scaled, got '" + *method + "'");
      continue;
    }
    calibration.loads.push_back(std::move(load));
  }
}

void read_pv(const MapView& top, Calibration& calibration, Problems& problems) {
  const auto list = top.get("pv");
  if (!list) return;
  if (!list->IsSequence()) {
    problems.add(*list, top.path("pv"), "must be a list of PV systems, got " + describe(*list));
    return;
  }
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const MapView entry((*list)[i], indexed("pv", i), problems, {"facility", "meter", "yield_factor"});
    if (!entry.ok()) continue;
    PvCalibration pv;
    if (const auto id = read_text(entry, "facility", problems)) {
      pv.facility_id = *id;
      const int line = entry.key_line("facility");
      if (const auto [it, fresh] = seen.emplace(*id, line); !fresh) {
        problems.add(line, entry.path("facility"),
                     "facility '" + *id + "' is listed twice (first on line " + std::to_string(it->second) +
                         "): keep one entry a facility");
      }
    }
    if (const auto meter = read_text(entry, "meter", problems)) pv.meter_id = *meter;
    if (const auto node = entry.get("yield_factor")) {
      if (const auto value = as_number(*node, entry.path("yield_factor"), problems)) {
        if (*value <= 0.0 || *value > kMaxYieldFactor) {
          problems.add(*node, entry.path("yield_factor"),
                       "must be in (0, " + format_number(kMaxYieldFactor) +
                           "] (measured / modelled AC energy), got " + format_number(*value) +
                           ": check the meter's capacity_kwp and unit");
        } else {
          pv.yield_factor = *value;
        }
      }
    }
    calibration.pv.push_back(std::move(pv));
  }
}

// The shortest text that reads back as the same double (std::to_chars without a precision).
std::string exact(double value) {
  std::array<char, 40> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), result.ptr};
}

// A text as a double-quoted YAML scalar, so ids and paths with ':' or '#' survive.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Calibration read_calibration(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "calibration file");
  Problems problems(path, "calibration file");
  Calibration calibration;
  calibration.path = path;
  const MapView top(root, "", problems, {"schema", "version", "year"},
                    {"measured", "weather", "loads", "pv", "metrics"});
  if (top.ok()) {
    config::check_schema(top, kSchema, kVersion, problems);
    if (const auto node = top.get("year")) {
      if (const auto year = config::as_whole(*node, "year", problems)) {
        if (*year < 1900 || *year > 9999) {
          problems.add(*node, "year", "must be in [1900, 9999], got " + std::to_string(*year));
        } else {
          calibration.year = *year;
        }
      }
    }
    if (top.get("measured")) calibration.measured = read_text(top, "measured", problems).value_or("");
    if (top.get("weather")) calibration.weather = read_text(top, "weather", problems).value_or("");
    read_loads(top, calibration, problems);
    read_pv(top, calibration, problems);
    // metrics: written for people to read; not read back.
    if (!top.get("loads") && !top.get("pv")) {
      problems.add(root, "loads", "missing: a calibration file needs loads, pv or both");
    }
  }
  if (!problems.list().empty()) throw ConfigError(path + ": invalid calibration file", problems.list());
  return calibration;
}

void write_calibration(const std::string& path, const Calibration& calibration,
                       const std::string& metrics_yaml) {
  std::string text;
  text += "# sandan calibration: facility models fitted to meter data (docs/twin.md).\n";
  text += "schema: " + std::string(kSchema) + "\n";
  text += "version: " + std::to_string(kVersion) + "\n";
  text += "year: " + std::to_string(calibration.year) + "\n";
  if (!calibration.measured.empty()) text += "measured: " + quoted(calibration.measured) + "\n";
  if (!calibration.weather.empty()) text += "weather: " + quoted(calibration.weather) + "\n";
  if (!calibration.loads.empty()) {
    text += "loads:\n";
    for (const auto& load : calibration.loads) {
      text += "  - facility: " + quoted(load.facility_id) + "\n";
      text += "    meter: " + quoted(load.meter_id) + "\n";
      if (load.method == CalibrationMethod::kScaled) {
        text += "    method: scaled\n";
        text += "    elec_scale: " + exact(load.elec_scale) + "\n";
        continue;
      }
      text += "    method: model\n";
      text += "    base_kw:\n";
      for (int d = 0; d < kCalibrationDayTypes; ++d) {
        text += "      " + day_type_name(d) + ": [";
        for (std::size_t h = 0; h < 24; ++h) {
          text += (h == 0 ? "" : ", ") + exact(load.base_kw[static_cast<std::size_t>(d)][h]);
        }
        text += "]\n";
      }
      text += "    heating_change_c: " + exact(load.heating_change_c) + "\n";
      text += "    heating_slope_kw_per_k: " + exact(load.heating_slope_kw_per_k) + "\n";
      text += "    cooling_change_c: " + exact(load.cooling_change_c) + "\n";
      text += "    cooling_slope_kw_per_k: " + exact(load.cooling_slope_kw_per_k) + "\n";
      text += "    noise_sd: " + exact(load.noise_sd) + "\n";
      text += "    noise_autocorrelation: " + exact(load.noise_autocorrelation) + "\n";
    }
  }
  if (!calibration.pv.empty()) {
    text += "pv:\n";
    for (const auto& pv : calibration.pv) {
      text += "  - facility: " + quoted(pv.facility_id) + "\n";
      text += "    meter: " + quoted(pv.meter_id) + "\n";
      text += "    yield_factor: " + exact(pv.yield_factor) + "\n";
    }
  }
  if (!metrics_yaml.empty()) {
    // Indented under `metrics:` line by line, so any mapping text nests as it was written.
    text += "metrics:\n";
    std::size_t start = 0;
    while (start < metrics_yaml.size()) {
      auto end = metrics_yaml.find('\n', start);
      if (end == std::string::npos) end = metrics_yaml.size();
      const std::string line = metrics_yaml.substr(start, end - start);
      if (!line.empty()) text += "  " + line + "\n";
      start = end + 1;
    }
  }
  write_files_atomically({{path, text}});
}

}  // namespace sandan
