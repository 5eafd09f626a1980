// Energy-year benchmark: every facility of the five complexes for a full year (8760 h) with rooftop
// PV on every eligible roof, behind-the-meter batteries at every PV facility and a shared battery per
// hub, on one thread and on all threads, for the shipped layout and layouts 10× and 100× larger
// (sandan synth scaling). Prints seconds for reading the inputs and for the models, and
// facility-hours per second.
//
// Usage: bench_energy [SCALE ...]   (default: 1 10); run from the repository root.
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sandan.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

struct Timing {
  double inputs_s = 0.0;
  double models_s = 0.0;
  std::size_t facilities = 0;
};

Timing time_run(const sandan::ScenarioSpec& spec, int threads, bool facility_hourly) {
  sandan::RunOptions options;
  options.threads = threads;
  options.facility_hourly = facility_hourly;
  const auto start = Clock::now();
  Clock::time_point models_start = start;
  options.progress = [&](const std::string& stage, double) {
    if (stage == "facility loads") models_start = Clock::now();
  };
  const sandan::RunResult run = sandan::run_scenario(spec, options);
  const auto end = Clock::now();
  return {seconds(start, models_start), seconds(models_start, end), run.energy.facility_ids.size()};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> scales;
  for (int i = 1; i < argc; ++i) scales.push_back(std::stod(argv[i]));
  if (scales.empty()) scales = {1.0, 10.0};
  const std::string root = std::filesystem::current_path().string();
  const auto dir = std::filesystem::temp_directory_path() / "sandan_bench_energy";
  std::filesystem::create_directories(dir);
  const int all_threads = omp_get_num_procs();
  const sandan::SiteFacts facts = sandan::read_site_facts(root + "/gis_data/complexes.yaml");

  std::printf("Energy year with rooftop PV and batteries, 8760 h; %d core(s)\n", all_threads);
  std::printf("%6s %10s %8s %9s | %10s %10s %8s | %12s\n", "scale", "facilities", "threads", "series",
              "inputs s", "models s", "speedup", "fac-h/s");
  for (const double scale : scales) {
    sandan::SynthOptions synth;
    synth.scale = scale;
    const std::string layout =
        (dir / ("layout_x" + std::to_string(static_cast<int>(scale)) + ".gpkg")).string();
    sandan::write_site(sandan::synthesize_site(facts, synth), layout);
    const std::string scenario = (dir / "bench.yaml").string();
    std::ofstream(scenario) << "name: bench\nyear: 2026\nseed: 42\nsite: " << layout << "\nweather: " << root
                            << "/gis_data/weather/incheon_synthetic.epw\nholidays: " << root
                            << "/gis_data/calendar/holidays_kr.csv\ntariff: " << root
                            << "/gis_data/tariffs/kepco_industrial_b_hv_a_ii_2026-04-16.yaml\nload_library: "
                            << root
                            << "/gis_data/loads/archetypes.yaml\n"
                               "interventions:\n"
                               "  - rooftop_pv: {roof_share: 0.5, min_roof_m2: 500}\n"
                               "  - battery: {at: facilities, energy_kwh_per_kwp: 1, power_kw_per_kwp: 0.5}\n"
                               "  - battery: {at: \"complex:juan\", energy_kwh: 20000, power_kw: 5000, "
                               "strategy: peak_shaving}\n"
                               "  - battery: {at: \"complex:bupyeong\", energy_kwh: 10000, power_kw: 2500, "
                               "strategy: peak_shaving}\n";
    const sandan::ScenarioSpec spec = sandan::read_scenario(scenario);
    // Facility series are kept at scale 1 (as `sandan run` does); larger layouts run in blocks.
    const bool keep = scale <= 1.0;
    const Timing one = time_run(spec, 1, keep);
    const Timing all = time_run(spec, all_threads, keep);
    const double facility_hours = static_cast<double>(one.facilities) * 8760.0;
    std::printf("%6.0f %10zu %8d %9s | %10.3f %10.3f %8s | %12.3g\n", scale, one.facilities, 1,
                keep ? "kept" : "blocks", one.inputs_s, one.models_s, "1.00", facility_hours / one.models_s);
    std::printf("%6.0f %10zu %8d %9s | %10.3f %10.3f %8.2f | %12.3g\n", scale, all.facilities, all_threads,
                keep ? "kept" : "blocks", all.inputs_s, all.models_s, one.models_s / all.models_s,
                facility_hours / all.models_s);
    std::fflush(stdout);
    std::filesystem::remove(layout);
  }
  return 0;
}
