// Scenario YAML: read_scenario on the input, which extends a fixed base file (or not), then the
// batch it asks for (sweep, zip, monte_carlo, uncertainty, macc) when it is small.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "scenario/scenario.hpp"

namespace {

// What the input may extend (`extends: base.yaml`) or name as a reference: valid settings whose
// paths need not exist (read_scenario does not open them).
constexpr const char* kBase = R"(name: base
year: 2026
seed: 42
site: layout.gpkg
weather: weather.epw
holidays: holidays.csv
tariff: tariff.yaml
load_library: archetypes.yaml
discount_rate: 0.045
analysis_years: 20
complexes: [juan, bupyeong]
emission_factors: factors.yaml
grid_emission_factor: {t_per_mwh: 0.4173}
interventions:
  - rooftop_pv: {complexes: [juan], roof_share: 0.6, min_roof_m2: 1000}
  - battery: {at: "complex:juan", energy_kwh: 20000, power_kw: 5000, strategy: peak_shaving}
)";

// Batches larger than this are not expanded: the size is what the input asks for, not a bug.
constexpr double kMaxRuns = 64;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string base = sandan_fuzz::write_file("base.yaml", kBase);
  static const std::string reference =
      sandan_fuzz::write_file("reference.yaml", "extends: base.yaml\nname: ref\n");
  (void)base;
  (void)reference;
  const std::string path = sandan_fuzz::write_file("scenario.yaml", data, size);
  SANDAN_FUZZ_EXPECTED({
    const sandan::ScenarioSpec spec = sandan::read_scenario(path);
    double runs = 1;
    for (const sandan::SweepAxis& axis : spec.sweep) runs *= static_cast<double>(axis.values.size());
    if (spec.monte_carlo) runs *= spec.monte_carlo->runs;
    if (spec.uncertainty) {
      runs = static_cast<double>(spec.uncertainty->samples) *
             static_cast<double>(spec.uncertainty->inputs.size() + 2) * 2;
    }
    if (spec.macc) runs = 2.0 * static_cast<double>(spec.rooftop_pv.size() + spec.batteries.size() + 4);
    if (runs <= kMaxRuns) {
      const std::vector<sandan::Variant> variants = sandan::expand_batch(spec);
      (void)variants;
    }
  });
  return 0;
}
