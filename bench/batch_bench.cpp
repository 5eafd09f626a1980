// Batch-writing benchmark: a batch (bench/batch_series.yaml by default: 16 runs keeping every
// facility's hourly series) run three times side by side in one process: without a results file
// (the runs alone), into a results file with the earlier storage (every series deflated whole, and
// one thread compressing a run's part, as a batch's worker got), and with sandan's. For each: the
// time until the last run's part is written, the merge of the parts into one file (commit), runs a
// minute and the file's size.
//
// Usage: bench_batch [SCENARIO] [THREADS]   (defaults: bench/batch_series.yaml, every core), run from
// the repository root.
#include <omp.h>

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

// Keeps nothing: the runs' own cost.
class NoSink : public sandan::ResultSink {
 public:
  void write(const sandan::RunResult& /*run*/) override {}
};

}  // namespace

int main(int argc, char** argv) {
  const std::string scenario = argc > 1 ? argv[1] : "bench/batch_series.yaml";
  const int threads = argc > 2 ? std::max(1, std::stoi(argv[2])) : omp_get_num_procs();
  const sandan::ScenarioSpec spec = sandan::read_scenario(scenario);
  const std::vector<sandan::Variant> variants = sandan::expand_batch(spec);
  std::vector<std::string> ids;
  for (const auto& v : variants) ids.push_back(v.run_id);
  sandan::RunOptions options;
  options.threads = threads;
  const double runs = static_cast<double>(variants.size());
  std::printf("%s: %zu runs on %d thread(s)\n", scenario.c_str(), variants.size(), threads);
  std::printf("%-52s %8s %8s %8s %10s %9s\n", "results", "runs s", "merge s", "total s", "runs/min",
              "file MB");

  auto start = std::chrono::steady_clock::now();
  NoSink none;
  (void)sandan::run_batch(variants, {}, options, none);
  const double alone_s = seconds_since(start);
  std::printf("%-52s %8.1f %8s %8.1f %10.1f %9s\n", "none (the runs alone)", alone_s, "-", alone_s,
              60.0 * runs / alone_s, "-");

  struct Case {
    const char* name;
    sandan::SeriesStorage storage;
  };
  const std::vector<Case> cases{
      {"every series deflated whole, 1 thread a part (before)", {false, false, 32, 1}},
      {"deduplicated, byte planes, every core a part (sandan)", {}},
  };
  const auto out = (std::filesystem::temp_directory_path() / "sandan_bench_batch.h5").string();
  for (const Case& c : cases) {
    std::filesystem::remove_all(out + ".parts");
    start = std::chrono::steady_clock::now();
    sandan::Hdf5BatchFile file(out, "bench_batch", spec.resolved_yaml, c.storage);
    (void)sandan::run_batch(variants, {}, options, file);
    const double runs_s = seconds_since(start);
    start = std::chrono::steady_clock::now();
    file.commit(ids);
    const double merge_s = seconds_since(start);
    std::printf("%-52s %8.1f %8.1f %8.1f %10.1f %9.0f\n", c.name, runs_s, merge_s, runs_s + merge_s,
                60.0 * runs / (runs_s + merge_s), static_cast<double>(std::filesystem::file_size(out)) / 1e6);
    std::filesystem::remove(out);
  }
  return 0;
}
