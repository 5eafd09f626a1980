#include "emissions/factors.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>

#include <fstream>

#include "config/yaml_check.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

namespace sandan {

namespace {

using config::MapView;
using config::Problems;
using config::read_figure;

constexpr const char* kSchema = "sandan-emission-factors";
constexpr int kVersion = 1;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kTjPerMwh = 3.6e-3;  // 1 MWh = 3.6 GJ

constexpr std::array<const char*, kFuelCount> kFuelNames{"lng", "lpg", "diesel", "fuel_oil"};
// The file's names of the vehicle classes, in the classes' order (core/kinds).
constexpr std::array<const char*, kVehicleClassCount> kClassNames{"car", "light_truck", "heavy_truck"};

void assign(double& target, std::optional<double> value) {
  if (value) target = *value;
}

}  // namespace

EmissionFactors read_emission_factors(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "emission factors file");
  Problems problems(path, "(top level)");
  EmissionFactors factors;
  factors.path = path;
  const MapView top(
      root, "", problems,
      {"schema", "version", "fuels", "gwp", "grid_t_per_mwh", "vehicles", "electric_kwh_per_km"});
  if (top.ok()) {
    config::check_schema(top, kSchema, kVersion, problems);
    if (const auto node = top.get("fuels")) {
      const std::vector<std::string> names(kFuelNames.begin(), kFuelNames.end());
      const MapView fuels(*node, "fuels", problems, names, {}, top.key_line("fuels"));
      if (fuels.ok()) {
        for (std::size_t i = 0; i < kFuelCount; ++i) {
          const auto fuel_node = fuels.get(kFuelNames[i]);
          if (!fuel_node) continue;
          const MapView fuel(*fuel_node, fuels.path(kFuelNames[i]), problems,
                             {"co2_kg_per_tj", "ch4_kg_per_tj", "n2o_kg_per_tj"}, {},
                             fuels.key_line(kFuelNames[i]));
          if (!fuel.ok()) continue;
          assign(factors.fuels[i].co2_kg_per_tj, read_figure(fuel, "co2_kg_per_tj", 0.0, 200000.0, problems));
          assign(factors.fuels[i].ch4_kg_per_tj, read_figure(fuel, "ch4_kg_per_tj", 0.0, 1000.0, problems));
          assign(factors.fuels[i].n2o_kg_per_tj, read_figure(fuel, "n2o_kg_per_tj", 0.0, 1000.0, problems));
        }
      }
    }
    if (const auto node = top.get("gwp")) {
      const MapView gwp(*node, "gwp", problems, {"ch4", "n2o"}, {}, top.key_line("gwp"));
      if (gwp.ok()) {
        assign(factors.gwp_ch4, read_figure(gwp, "ch4", 0.0, 1000.0, problems));
        assign(factors.gwp_n2o, read_figure(gwp, "n2o", 0.0, 1000.0, problems));
      }
    }
    assign(factors.grid_t_per_mwh, read_figure(top, "grid_t_per_mwh", 0.0, 2.0, problems));
    if (const auto node = top.get("vehicles")) {
      const std::vector<std::string> names(kClassNames.begin(), kClassNames.end());
      const MapView vehicles(*node, "vehicles", problems, names, {}, top.key_line("vehicles"));
      if (vehicles.ok()) {
        for (std::size_t k = 0; k < kVehicleClassCount; ++k) {
          const auto class_node = vehicles.get(kClassNames[k]);
          if (!class_node) continue;
          const MapView curve(*class_node, vehicles.path(kClassNames[k]), problems,
                              {"a", "b", "c", "v_min_kmh", "v_max_kmh"}, {},
                              vehicles.key_line(kClassNames[k]));
          if (!curve.ok()) continue;
          VehicleCurve& v = factors.vehicles[k];
          assign(v.a, read_figure(curve, "a", -kInf, kInf, problems));
          assign(v.b, read_figure(curve, "b", -kInf, kInf, problems));
          assign(v.c, read_figure(curve, "c", -kInf, kInf, problems));
          assign(v.v_min_kmh, read_figure(curve, "v_min_kmh", 0.1, 300.0, problems));
          assign(v.v_max_kmh, read_figure(curve, "v_max_kmh", 0.1, 300.0, problems));
          if (v.v_min_kmh > v.v_max_kmh) {
            problems.add(*class_node, curve.path(), "v_min_kmh must not exceed v_max_kmh");
          }
          // A curve must give a positive emission over its whole speed range (checked on a 1 km/h grid).
          const int steps = static_cast<int>(v.v_max_kmh - v.v_min_kmh);
          for (int step = 0; step <= steps; ++step) {
            const double s = v.v_min_kmh + step;
            if (!(v.a + v.b / s + v.c * s * s > 0.0)) {
              problems.add(
                  *class_node, curve.path(),
                  "the curve is not positive at " + config::format_number(s) + " km/h; check a, b, c");
              break;
            }
          }
        }
      }
    }
    if (const auto node = top.get("electric_kwh_per_km")) {
      const std::vector<std::string> names(kClassNames.begin(), kClassNames.end());
      const MapView electric(*node, "electric_kwh_per_km", problems, names, {},
                             top.key_line("electric_kwh_per_km"));
      if (electric.ok()) {
        for (std::size_t k = 0; k < kVehicleClassCount; ++k) {
          assign(factors.electric_kwh_per_km[k], read_figure(electric, kClassNames[k], 0.0, 10.0, problems));
        }
      }
    }
  }
  if (!problems.list().empty()) throw ConfigError(path + ": invalid emission factors file", problems.list());
  return factors;
}

std::vector<double> read_hourly_grid_factor(const std::string& path, int hours) {
  require_text_input(path, "hourly grid factor file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kBadInput, path + ": cannot read the hourly grid factor file");
  const CsvFile csv = read_csv(in);
  std::vector<std::string> problems;
  std::vector<double> factors;
  constexpr std::size_t kMaxProblems = 20;
  auto problem = [&](int line, const std::string& what) {
    if (problems.size() < kMaxProblems) problems.push_back(path + ":" + std::to_string(line) + ": " + what);
  };
  if (csv.records.empty() || csv.records.front().fields.size() != 2 ||
      trim_blanks(csv.records.front().fields[0]) != "hour" ||
      trim_blanks(csv.records.front().fields[1]) != "t_per_mwh") {
    throw ConfigError(path + ": invalid hourly grid factor file",
                      {path + ":1: the header must be hour,t_per_mwh"});
  }
  for (std::size_t i = 1; i < csv.records.size(); ++i) {
    const CsvRecord& r = csv.records[i];
    if (r.fields.size() != 2) {
      problem(r.line, "expected 2 fields (hour,t_per_mwh), got " + std::to_string(r.fields.size()));
      continue;
    }
    const auto hour = parse_csv_double(trim_blanks(r.fields[0]));
    const auto value = parse_csv_double(trim_blanks(r.fields[1]));
    if (!hour || *hour != static_cast<double>(factors.size())) {
      problem(r.line, "hour must be " + std::to_string(factors.size()) + " (rows in hour order from 0)");
    }
    if (!value || *value < 0.0 || *value > 2.0) {
      problem(r.line, "t_per_mwh must be a number in [0, 2] tCO2eq/MWh");
    }
    factors.push_back(value.value_or(0.0));
  }
  if (static_cast<int>(factors.size()) != hours) {
    problem(csv.line_count,
            "has " + std::to_string(factors.size()) + " hours; the year has " + std::to_string(hours));
  }
  if (!problems.empty()) throw ConfigError(path + ": invalid hourly grid factor file", problems);
  return factors;
}

double stationary_tco2e(Fuel fuel, double fuel_mwh, const EmissionFactors& factors) {
  if (fuel == Fuel::kNone) return 0.0;
  const FuelFactor& f = factors.fuels[index_of(fuel)];
  // IPCC 2006 Tier 1 (vol. 2 eq. 2.1): emissions = fuel consumed (TJ) × default factor (kg/TJ).
  const double kg_per_tj =
      f.co2_kg_per_tj + factors.gwp_ch4 * f.ch4_kg_per_tj + factors.gwp_n2o * f.n2o_kg_per_tj;
  return fuel_mwh * kTjPerMwh * kg_per_tj / 1000.0;
}

double vehicle_g_per_km(VehicleClass vehicle_class, double speed_kmh, const EmissionFactors& factors) {
  const VehicleCurve& c = factors.vehicles[index_of(vehicle_class)];
  const double v = std::clamp(speed_kmh, c.v_min_kmh, c.v_max_kmh);
  return c.a + c.b / v + c.c * v * v;
}

}  // namespace sandan
