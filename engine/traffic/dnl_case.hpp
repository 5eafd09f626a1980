// traffic/dnl_case: the case folder of a dynamic network loading, schema sandan-dnl-case v1
// (docs/traffic-model.md, "The case folder"): case.yaml, nodes.csv, links.csv, zones.csv and
// vehicles.csv in, vehicles.csv, links.csv and summary.json out. The same folder feeds other tools
// (bench/sumo compares SUMO's mesoscopic model on it).
#pragma once

#include <string>

#include "traffic/dynamic.hpp"

namespace sandan {

inline constexpr const char* kDnlCaseSchema = "sandan-dnl-case";
inline constexpr int kDnlCaseVersion = 1;

// Reads a case folder. Strict: every problem (a missing file or column, a bad number, NaN, a negative
// time or length, an unknown node, zone or link, a route that does not start at its origin, end at its
// destination or hold together, rows out of order) is collected, and one ConfigError lists them as
// "file:line: what; fix".
[[nodiscard]] DnlCase read_dnl_case(const std::string& dir);

// Writes a case folder (creating it); Error(kIo) when it cannot be written.
void write_dnl_case(const DnlCase& dnl, const std::string& dir);

// Writes vehicles.csv, links.csv and summary.json of a simulated case into `dir`.
void write_dnl_outputs(const DnlCase& dnl, const DnlResult& result, const std::string& dir);

// The figures of summary.json.
struct DnlSummary {
  int vehicles = 0;
  int finished = 0;
  double mean_travel_time_s = 0.0;     // of the finished vehicles, from departure to arrival
  double mean_free_flow_time_s = 0.0;  // of the same vehicles
  double total_delay_veh_h = 0.0;      // Σ (travel time − free-flow time) of the finished
  double vehicle_steps = 0.0;
  double seconds = 0.0;
  double vehicle_steps_per_s = 0.0;
};
[[nodiscard]] DnlSummary summarize_dnl(const DnlCase& dnl, const DnlResult& result);

}  // namespace sandan
