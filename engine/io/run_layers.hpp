// io/run_layers: what a GIS export of one run needs from a results file, as the plain attribute
// tables of gis/result_layers.hpp: each facility's annual figures from its hourly series, each
// complex's KPIs, each road link's workday flows, busiest hour and vehicle-km of the year, and each
// feeder's summary. docs/export.md defines every field.
#pragma once

#include <string>

#include "gis/result_layers.hpp"

namespace sandan {

struct RunLayers {
  std::string file;
  std::string run_id;
  std::string scenario_yaml;  // the run's resolved scenario (its attribute `scenario`)
  ResultLayers layers;        // links only with a traffic group, feeders only with a grid group
};

// Reads run `run` of a results file; an empty `run` names the file's only run (the rules of
// read_run_kpis). Facility series the file lacks (a scenario with `facility_series: false`) leave
// out the fields made from them. Throws Error(kBadInput) naming the file if it is not a results file,
// for an unknown run (listing the file's runs), and for a run whose datasets are missing or do not
// fit together.
[[nodiscard]] RunLayers read_run_layers(const std::string& path, const std::string& run);

// A file a run's stored scenario names (its layout, holidays, ...), relative to the folder the run
// ran in, which the results file does not record: `stored` itself if it exists (or is absolute), else
// the same relative path in the results file's folder or its parent (a results/ folder next to
// gis_data/), else `stored` unchanged (the caller reports it missing).
[[nodiscard]] std::string locate_run_input(const std::string& stored, const std::string& results_file);

}  // namespace sandan
