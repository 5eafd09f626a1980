// The traffic stage of a scenario run (engine/scenario/traffic_run.cpp) timed with and without the
// scenario's background traffic: the model's set-up (network, demand, background file and checks) and
// the 72 hourly assignments, each the best of a few repeats. Usage:
//   bench_traffic_stage [scenario.yaml] [threads] [repeats]
// Defaults: scenarios/baseline.yaml, 1 thread, 3 repeats. Prints one line a variant.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "scenario/scenario.hpp"
#include "scenario/stages.hpp"
#include "scenario/traffic_run.hpp"

using namespace sandan;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void time_variant(const char* name, const ScenarioSpec& spec, int threads, int repeats) {
  const auto model = load_site_model(spec);
  const RunInputs inputs = read_run_inputs(spec, model);
  double best_setup = 1e300;
  double best_run = 1e300;
  double vkt = 0.0;
  double background_vkt = 0.0;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const TrafficStage stage(spec, *model);
    best_setup = std::min(best_setup, seconds_since(t0));
    const auto t1 = std::chrono::steady_clock::now();
    const TrafficResults out = stage.run(model->complex_ids, inputs.calendar, threads);
    best_run = std::min(best_run, seconds_since(t1));
    vkt = 0.0;
    for (const double v : out.vkt_km) vkt += v;
    background_vkt = 0.0;
    for (const double v : out.background_vkt_km) background_vkt += v;
  }
  std::printf("%-16s set-up %.3f s  72 assignments %.3f s  own vehicle-km %.4e  background vehicle-km %.4e\n",
              name, best_setup, best_run, vkt, background_vkt);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : SANDAN_SOURCE_DIR "/scenarios/baseline.yaml";
  const int threads = argc > 2 ? std::stoi(argv[2]) : 1;
  const int repeats = argc > 3 ? std::stoi(argv[3]) : 3;
  ScenarioSpec spec = read_scenario(path);
  std::printf("%s, %d thread(s), best of %d\n", path.c_str(), threads, repeats);
  time_variant("with background", spec, threads, repeats);
  spec.traffic.background.clear();
  time_variant("without", spec, threads, repeats);
  return 0;
}
