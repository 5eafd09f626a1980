// gis/inspect: what a layout holds and what is wrong with it: layers, counts, per-complex figures,
// road-graph connectivity, feeder trees and every problem found.
#pragma once

#include <string>
#include <vector>

#include "gis/reader.hpp"

namespace sandan {

struct ComplexSummary {
  std::string complex_id;
  std::string name;
  std::string name_ko;
  std::string role;
  double area_km2 = 0.0;
  int facilities = 0;
  long long firms = 0;
  long long employees = 0;
  double floor_area_m2 = 0.0;
  double roof_area_m2 = 0.0;
  double road_km = 0.0;    // roads whose midpoint lies in the complex
  double feeder_km = 0.0;  // feeder segments whose midpoint lies in the complex
  int substations = 0;     // substations inside the complex
};

struct InspectReport {
  std::vector<std::string> sources;
  std::string crs;
  std::vector<LayerInfo> layers;
  std::vector<ComplexSummary> complexes;
  // Road graph.
  int road_nodes = 0;
  int road_links = 0;
  double road_km = 0.0;
  int road_components = 0;             // strongly connected components
  double largest_component_share = 0;  // of nodes
  // Feeders.
  int feeders = 0;
  int feeder_segments = 0;
  int feeder_buses = 0;
  double feeder_km = 0.0;
  int feeder_loops = 0;
  int unreached_buses = 0;
  double max_road_distance_m = 0.0;  // from a facility's centroid to its road node
  std::vector<Problem> problems;
  [[nodiscard]] bool has_errors() const;
};

// Reads the sources and inspects them. Problems in the content go into the report; throws only if
// target_crs is unknown.
[[nodiscard]] InspectReport inspect_sources(const std::vector<std::string>& sources,
                                            const ReadOptions& options = {});

// Same figures for a Site already in memory (problems hold the topology findings only).
[[nodiscard]] InspectReport inspect_site(const Site& site);

[[nodiscard]] std::string to_text(const InspectReport& report);
[[nodiscard]] std::string to_json(const InspectReport& report);

}  // namespace sandan
