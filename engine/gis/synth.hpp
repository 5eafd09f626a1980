// gis/synth: a deterministic generator of plausible industrial-complex layouts from complex
// statistics (gis_data/complexes.yaml). The result is synthetic: anchored to public figures (centre,
// area, firms, employees, sector mix, access points), not to surveyed boundaries or buildings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "site/site.hpp"

namespace sandan {

// A value from the facts file with its provenance. confidence is "verified", "secondary" or
// "estimate" (FACTS tags [V], [S], [E]).
struct Sourced {
  double value = 0.0;
  std::string source;
  std::string confidence;
};

struct ComplexFacts {
  std::string complex_id;
  std::string name;
  std::string name_ko;
  ComplexRole role = ComplexRole::kLinked;
  LonLat centre;
  std::string centre_source;
  std::string centre_confidence;
  Sourced area_km2;
  Sourced firms;
  Sourced employees;
  std::map<std::string, double> sector_mix;  // KSIC division -> share of firms, sums to 1
  std::string sector_mix_source;
  std::string sector_mix_confidence;
  std::string adjoins;  // complex_id of a neighbour sharing a boundary, or ""
};

struct GateFacts {
  std::string gate_id;
  std::string name;
  GateKind kind = GateKind::kCity;
  LonLat position;
  std::string position_source;
  std::string position_confidence;
  double share = 0.0;
  std::string share_source;
  std::string share_confidence;
};

struct SiteFacts {
  std::uint64_t seed = 1;
  std::vector<ComplexFacts> complexes;
  std::vector<GateFacts> gates;
  // KSIC division -> probabilities of day / two / continuous shifts.
  std::map<std::string, std::vector<double>> shift_mix;
  // KSIC division -> fuel of its process heat (kNone: electricity only).
  std::map<std::string, Fuel> sector_fuel;
  // KSIC division -> electricity use per m² of floor area and year, kWh; the generator
  // uses it only to size substations and split feeders.
  std::map<std::string, double> sector_elec_kwh_per_m2;
  std::vector<LineType> line_types;
  std::string trunk_line_type;   // name in line_types used for feeder trunks
  std::string branch_line_type;  // name in line_types used for feeder branches
};

// Reads a facts file (schema in docs/synth.md and at the top of gis_data/complexes.yaml). Every problem
// (unknown key, wrong type, out-of-range value, missing field) is reported at once with file, line and key
// path. Throws ConfigError.
[[nodiscard]] SiteFacts read_site_facts(const std::string& path);

// Reads a line types CSV (gis_data/line_types.csv: name, r_ohm_per_km, x_ohm_per_km, ampacity_a,
// underground, source, confidence). Throws ConfigError with every problem (file, line, column).
[[nodiscard]] std::vector<LineType> read_line_types(const std::string& csv_path);

struct SynthOptions {
  // Multiplies areas, firms and employees; positions spread from the layout's centre by sqrt(scale)
  // so that complexes keep their shape and never overlap. Must be > 0.
  double scale = 1.0;
  // Alternatively, the total number of firms wanted; sets scale = firms / facts' firms.
  std::optional<long> total_firms;
  std::optional<std::uint64_t> seed;  // overrides the facts file's seed
};

// Generates the layout in EPSG:5186 (algorithm and estimated parameters: docs/synth.md). Same facts,
// options and seed give the same Site. Throws Error(kBadInput) for a scale or firm total <= 0, for
// adjoining complexes whose centres are too far apart to share an edge, and for complexes that cannot
// be placed without overlapping.
[[nodiscard]] Site synthesize_site(const SiteFacts& facts, const SynthOptions& options = {});

}  // namespace sandan
