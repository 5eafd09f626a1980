// Results-writing benchmark: one run of a scenario (the baseline by default) simulated once, then
// written to an HDF5 results file with each storage of the hourly series side by side in one
// process: the earlier path (every series, level 1 deflate over whole chunks), deduplication alone,
// the byte-plane deflate alone, and both (what sandan writes). Each write is timed (median of
// several), with the file's size, and reading the run back as `sandan export` does (every facility
// series inflated and summed).
//
// Usage: bench_write [SCENARIO] [REPEATS] [THREADS]   (defaults: scenarios/baseline.yaml, 3, all),
// run from the repository root.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "io/hdf5_results.hpp"
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

struct Storage {
  const char* name;
  sandan::SeriesStorage storage;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string scenario = argc > 1 ? argv[1] : "scenarios/baseline.yaml";
  const int repeats = argc > 2 ? std::max(1, std::stoi(argv[2])) : 3;
  const int threads = argc > 3 ? std::max(1, std::stoi(argv[3])) : omp_get_num_procs();
  omp_set_num_threads(threads);
  sandan::RunOptions options;
  options.threads = threads;
  auto start = std::chrono::steady_clock::now();
  const sandan::RunResult run = sandan::run_scenario_file(scenario, "", "bench_write", options);
  const double run_s = seconds_since(start);
  std::printf("%s: run %s simulated in %.2f s on %d thread(s); writes: median of %d\n", scenario.c_str(),
              run.run_id.c_str(), run_s, threads, repeats);

  const std::vector<Storage> storages{
      {"every series, deflate whole chunks (before)", {false, false, 32}},
      {"deduplicated, deflate whole chunks", {true, false, 32}},
      {"every series, byte planes stored or deflated", {false, true, 32}},
      {"deduplicated, byte planes (sandan)", {true, true, 32}},
      {"deduplicated, byte planes, 8 rows a chunk", {true, true, 8}},
      {"deduplicated, byte planes, 128 rows a chunk", {true, true, 128}},
  };
  // Writes go round-robin over the storages, so that other work on a shared machine slows them alike.
  const auto folder = std::filesystem::temp_directory_path();
  std::vector<std::vector<double>> write_s(storages.size()), read_s(storages.size());
  std::vector<double> size_mb(storages.size());
  for (int r = 0; r < repeats; ++r) {
    for (std::size_t i = 0; i < storages.size(); ++i) {
      const std::string path = (folder / "sandan_bench_write.h5").string();
      start = std::chrono::steady_clock::now();
      sandan::Hdf5ResultFile file(path, "bench_write", storages[i].storage);
      file.write(run);
      file.commit();
      write_s[i].push_back(seconds_since(start));
      start = std::chrono::steady_clock::now();
      (void)sandan::read_run_layers(path, run.run_id);
      read_s[i].push_back(seconds_since(start));
      size_mb[i] = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
      std::filesystem::remove(path);
    }
  }
  std::printf("%-46s %8s %9s %11s %8s %8s\n", "storage", "write s", "vs before", "write share", "file MB",
              "read s");
  const double before_s = median(write_s[0]);
  for (std::size_t i = 0; i < storages.size(); ++i) {
    const double w = median(write_s[i]);
    std::printf("%-46s %8.3f %8.2fx %10.0f %% %8.1f %8.3f\n", storages[i].name, w, before_s / w,
                100.0 * w / (run_s + w), size_mb[i], median(read_s[i]));
  }
  return 0;
}
