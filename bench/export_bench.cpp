// GeoPackage export benchmark: the stages of `sandan export` on a run of a results file, each timed
// on its own (the median of several repeats): reading the run's tables (the facilities' hourly
// series summed, the links' 72 hourly flows), reading the layout, and writing the GeoPackage.
//
// Usage: bench_export [RESULTS.h5[:RUN]] [REPEATS]   (defaults: results/baseline.h5, 5), run from the
// folder the run ran in so that the layout its scenario names is found.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "io/run_layers.hpp"
#include "sandan.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const sandan::RunRef ref = sandan::parse_run_ref(argc > 1 ? argv[1] : "results/baseline.h5");
  const int repeats = argc > 2 ? std::max(1, std::stoi(argv[2])) : 5;
  const auto output = std::filesystem::temp_directory_path() / "sandan_bench_export.gpkg";
  std::vector<double> read_s, layout_s, write_s, total_s;
  sandan::RunLayers run;
  sandan::Site site;
  std::vector<sandan::WrittenLayer> layers;
  for (int r = 0; r < repeats; ++r) {
    auto t = std::chrono::steady_clock::now();
    run = sandan::read_run_layers(ref.file, ref.run);
    read_s.push_back(seconds_since(t));
    t = std::chrono::steady_clock::now();
    const std::string layout = sandan::site_of_resolved(run.scenario_yaml);
    site = sandan::load_site({layout});
    layout_s.push_back(seconds_since(t));
    t = std::chrono::steady_clock::now();
    layers = sandan::write_result_layers(run.layers, site, layout, output.string());
    write_s.push_back(seconds_since(t));
    t = std::chrono::steady_clock::now();
    (void)sandan::export_gpkg(ref, output.string());
    total_s.push_back(seconds_since(t));
  }
  std::printf("run %s of %s: %zu facilities, %zu road links, %zu feeders\n", run.run_id.c_str(),
              ref.file.c_str(), run.layers.facilities.ids.size(),
              run.layers.links ? run.layers.links->table.ids.size() : 0,
              run.layers.feeders ? run.layers.feeders->ids.size() : 0);
  for (const auto& layer : layers) std::printf("  %-10s %6zu features\n", layer.name.c_str(), layer.features);
  std::printf(
      "median of %d: read run %.3f s, read layout %.3f s, write GeoPackage %.3f s; export_gpkg %.3f s\n",
      repeats, median(read_s), median(layout_s), median(write_s), median(total_s));
  std::printf("GeoPackage: %.2f MB\n", static_cast<double>(std::filesystem::file_size(output)) / 1e6);
  std::filesystem::remove(output);
  return 0;
}
