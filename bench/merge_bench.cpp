// Merge benchmark: the end of a batch that MPI ranks (or threads) shared. Every run waits in
// `<out>.parts/<run>.h5` until the batch is done; then one process copies them, in the batch's order,
// into the results file (Hdf5BatchFile::commit). This writes N parts of one run of a sweep (by default
// scenarios/sweep_pv_battery.yaml's first: the five complexes' energy year and carbon account, the
// complexes' hourly series) and times writing them and merging them, for each N asked.
//
// Usage: bench_merge [SCENARIO.yaml] [N...]   (defaults: scenarios/sweep_pv_battery.yaml, 16 64 256),
// run from the repository root.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "io/hdf5_results.hpp"
#include "sandan.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string scenario = argc > 1 ? argv[1] : "scenarios/sweep_pv_battery.yaml";
  std::vector<int> counts;
  for (int i = 2; i < argc; ++i) counts.push_back(std::stoi(argv[i]));
  if (counts.empty()) counts = {16, 64, 256};
  const sandan::ScenarioSpec spec = sandan::read_scenario(scenario);
  const std::vector<sandan::Variant> variants = sandan::expand_batch(spec);
  auto start = std::chrono::steady_clock::now();
  sandan::RunOptions options;
  options.threads = 1;
  sandan::RunResult run = sandan::run_scenario(variants.front().spec, options);
  std::printf("one run of %s: %.2f s on one thread\n", scenario.c_str(), seconds_since(start));
  const auto folder = std::filesystem::temp_directory_path() / "sandan_bench_merge";
  std::printf("%6s %12s %14s %12s %14s %12s\n", "parts", "part MB", "write s/part", "merge s", "merge s/part",
              "file MB");
  for (const int n : counts) {
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    const std::string out = (folder / "merged.h5").string();
    sandan::Hdf5BatchFile batch(out, "bench_merge", spec.resolved_yaml);
    std::vector<std::string> order;
    start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "run-%04d", i);
      run.run_id = id;
      batch.write(run);
      order.emplace_back(id);
    }
    const double write_s = seconds_since(start);
    const double part_mb =
        static_cast<double>(std::filesystem::file_size(folder / "merged.h5.parts" / "run-0000.h5")) / 1e6;
    start = std::chrono::steady_clock::now();
    batch.commit(order);
    const double merge_s = seconds_since(start);
    const double file_mb = static_cast<double>(std::filesystem::file_size(out)) / 1e6;
    std::printf("%6d %12.2f %14.3f %12.2f %14.4f %12.0f\n", n, part_mb, write_s / n, merge_s, merge_s / n,
                file_mb);
    std::fflush(stdout);
  }
  std::filesystem::remove_all(folder);
  return 0;
}
