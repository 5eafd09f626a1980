// scenario/runner: runs one scenario: loads its inputs, applies its interventions, runs the energy
// models for every facility, closes the balance per facility and complex, and computes the KPIs.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/results.hpp"
#include "scenario/scenario.hpp"

namespace sandan {

struct RunOptions {
  int threads = 0;  // 0: every core; results are identical for any count
  // Keep every facility's hourly series (needed for the results file). false keeps only the
  // complexes' hourly series and per-facility annual figures, so layouts far larger than memory
  // would hold at facility resolution still run (benchmarks).
  bool facility_hourly = true;
  // Called with a stage name and the share of the run done, 0..1.
  std::function<void(const std::string& stage, double done)> progress;
  // Asked between a run's stages and between a batch's runs (from the engine's threads, so it must be
  // cheap and thread-safe, e.g. an atomic flag): when it returns true, the run stops at the next such
  // point and throws Cancelled; a batch hands out no more runs and throws Cancelled once the runs under
  // way stop, the finished ones handed to the sink (the Python bindings set it on Ctrl-C).
  std::function<bool()> cancelled;
};

// Thrown when RunOptions::cancelled asked a run or a batch to stop.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("the run was cancelled") {}
};

// Throws ConfigError for bad inputs (files, ids named in the scenario, weather that does not fit the
// year or the sun), Error(kIo) for unreadable files.
[[nodiscard]] RunResult run_scenario(const ScenarioSpec& spec, const RunOptions& options = {});

// Runs the variants of a batch (expand_batch) except those whose run ids are in `skip`, in parallel
// over variants (each variant's results do not depend on the thread count, so neither do the
// batch's), and hands every run to the sink as it finishes, one at a time; `on_run` is then called
// with the runs finished and the runs to do. Inputs are read once for each distinct set of input
// files. Returns the number of runs made. Throws the first variant's error after the others finish.
//
// `next`, when given, hands out the runs this process makes: each call returns an index into the
// runs to do (the variants not in `skip`, in the variants' order), or nullopt when none is left. It is
// called from the batch's threads one at a time. Without it every run to do is made here; with it
// several processes share one batch (MPI: a counter all ranks draw from), each making the runs it
// draws. `on_run` then counts this process's runs.
using NextRun = std::function<std::optional<std::size_t>()>;
int run_batch(const std::vector<Variant>& variants, const std::set<std::string>& skip,
              const RunOptions& options, ResultSink& sink,
              const std::function<void(int done, int total)>& on_run = {}, const NextRun& next = {});

}  // namespace sandan
