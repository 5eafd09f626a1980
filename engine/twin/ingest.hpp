// twin/ingest: `sandan ingest` (docs/twin.md, "Ingest"): meter data files and their mapping read and
// checked by engine/meter, the mapping's targets checked against the layout, each meter's expected
// annual energy taken from the layout and the load archetypes (for the unit-scale and plausibility
// checks), and the result written as a measured file (twin/measured.hpp) with a report.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "meter/ingest.hpp"
#include "meter/meter_map.hpp"
#include "site/site.hpp"
#include "twin/measured.hpp"

namespace sandan {

struct LoadLibrary;

struct IngestRequest {
  std::vector<std::string> data_files;
  std::string map_path;
  std::string output;  // measured file to write; "" writes nothing (a dry run: the report only)
  // The layout the mapping's targets are in. "": gis_data/incheon.gpkg found upward from the mapping
  // file's folder, else from the working directory (as the shipped scenarios point at it).
  std::string site;
  std::string timezone;         // "": the mapping's `timezone`, else Asia/Seoul
  std::string stamps = "auto";  // start, end or auto
  int interval_minutes = 0;     // 0: detect
  int max_gap = 4;              // gaps of at most this many intervals are interpolated
  bool unit_repair = true;
  std::string unit;  // for data without a unit column whose mapping entry gives none
  int threads = 0;   // 0: every core (OpenMP's default)
  // Asked between the files, the meters and the phases (mapping, layout, expected energy, checks,
  // writing), also from OpenMP's threads: cheap and thread-safe (an atomic flag). true stops the
  // ingest with Error(kInterrupted) and nothing written (the Python bindings set it on Ctrl-C; the
  // command line's SIGINT and SIGTERM stop it at the same points).
  std::function<bool()> cancelled;
};

// How a meter's expected annual energy was found, for the report.
struct Expectation {
  double annual_kwh = 0.0;
  std::string basis;  // in words, e.g. "floor area 12,000 m² × 250 kWh/m² (C24)"
};

struct IngestReport {
  meter::IngestResult result;
  std::string map_path;
  std::string site;
  std::string load_library;
  std::string output;                           // "" when nothing was written
  std::map<std::string, Expectation> expected;  // by meter id
};

// Reads, checks and (unless request.output is "") writes. Throws ConfigError / Error(kBadInput) with
// file, line, meter and the fix for bad input, before anything is written; Error(kIo) if the output
// cannot be written (no partial file is left).
[[nodiscard]] IngestReport ingest(const IngestRequest& request);

// The mapping's targets checked against a layout, and each meter's expected annual energy, kWh:
// facility: its annual_elec_mwh, else floor area × its sector's elec_kwh_per_m2; feeder, substation,
// complex: the sum over the facilities below; PV: capacity × kPvYieldKwhPerKwp. Throws ConfigError
// naming the mapping file and line of every unknown target.
[[nodiscard]] std::map<std::string, Expectation> expected_annual_energy(const meter::MeterMap& map,
                                                                        const Site& site,
                                                                        const LoadLibrary& library,
                                                                        const std::string& site_path);

// A PV meter's expected yield: sandan's own PV model gives ≈1,080 kWh/kWp for the default rooftop
// system in the synthetic Incheon year, ≈1,130–1,175 with open-rack mounting (docs/energy-model.md,
// "Yield"); 1,100 sits in that range and only has to be right within the checks' factor of 10.
inline constexpr double kPvYieldKwhPerKwp = 1100.0;

// The report as text (one block a meter, then a summary) and as one JSON object with the same content.
[[nodiscard]] std::string ingest_report_text(const IngestReport& report);
[[nodiscard]] std::string ingest_report_json(const IngestReport& report);

}  // namespace sandan
