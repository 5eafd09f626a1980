// Power flow benchmark: one power flow of case33bw and case14, then a year (8760 hours) of case33bw
// with every load scaled by a seeded hourly profile, with the sparse Newton-Raphson, the backward-
// forward sweep and a dense-matrix Newton-Raphson baseline (dense Jacobian, dense LU), on 1 and 2
// threads. Prints milliseconds per solve and each method's time relative to sparse Newton-Raphson.
//
// Usage: bench_powerflow [CASE_DIR]   (default: the validation cases shipped with the tests)
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "grid/case_io.hpp"
#include "grid/powerflow.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using sandan::PowerFlowMethod;

constexpr int kHours = 8760;
constexpr std::uint64_t kSeed = 20260416;

double milliseconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Load factor of each hour: a daily shape (night 0.45, evening peak 1.0) with a seasonal swing and
// seeded noise, so that every run solves the same year.
std::vector<double> load_profile() {
  sandan::Rng rng(kSeed);
  std::vector<double> factors(kHours);
  for (int hour = 0; hour < kHours; ++hour) {
    const double day = 0.725 - 0.275 * std::cos(2.0 * 3.141592653589793 * ((hour % 24) - 3) / 24.0);
    const double season = 1.0 + 0.15 * std::cos(2.0 * 3.141592653589793 * (hour / 24 - 15) / 365.0);
    factors[static_cast<std::size_t>(hour)] =
        std::clamp(day * season * (1.0 + 0.05 * rng.normal()), 0.2, 1.3);
  }
  return factors;
}

double time_single(const sandan::Network& network, PowerFlowMethod method) {
  sandan::PowerFlowOptions options;
  options.method = method;
  const sandan::PowerFlowSolver solver(network, options);
  constexpr int kRepeats = 2000;
  int converged = 0;
  const auto start = Clock::now();
  for (int i = 0; i < kRepeats; ++i) converged += solver.solve().converged ? 1 : 0;
  const auto stop = Clock::now();
  if (converged != kRepeats) std::printf("  (%d of %d did not converge)\n", kRepeats - converged, kRepeats);
  return milliseconds(start, stop) / kRepeats;
}

struct YearRun {
  double ms_per_solve = 0.0;
  int failures = 0;
  double loss_mwh = 0.0;
};

YearRun time_year(const sandan::Network& network, PowerFlowMethod method, int threads,
                  const std::vector<double>& factors) {
  sandan::PowerFlowOptions options;
  options.method = method;
  const sandan::PowerFlowSolver solver(network, options);
  const std::size_t n = network.buses.size();
  std::vector<double> losses(kHours, 0.0);
  int failures = 0;
  const auto start = Clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : failures)
  {
    std::vector<double> pd_mw(n);
    std::vector<double> qd_mvar(n);
#pragma omp for schedule(static)
    for (int hour = 0; hour < kHours; ++hour) {
      const double factor = factors[static_cast<std::size_t>(hour)];
      for (std::size_t i = 0; i < n; ++i) {
        pd_mw[i] = factor * network.buses[i].pd_mw;
        qd_mvar[i] = factor * network.buses[i].qd_mvar;
      }
      const sandan::PowerFlowResult result = solver.solve(pd_mw, qd_mvar);
      if (!result.converged) ++failures;
      losses[static_cast<std::size_t>(hour)] = result.total_loss_mw;
    }
  }
  const auto stop = Clock::now();
  YearRun run;
  run.ms_per_solve = milliseconds(start, stop) / kHours;
  run.failures = failures;
  for (const double loss : losses) run.loss_mwh += loss;
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string root = argc > 1 ? argv[1] : SANDAN_POWERFLOW_DATA_DIR;
  const sandan::Network case33 = sandan::read_case(root + "/case33bw");
  const sandan::Network case14 = sandan::read_case(root + "/case14");
  const std::vector<PowerFlowMethod> methods{PowerFlowMethod::kNewtonRaphson,
                                             PowerFlowMethod::kBackwardForwardSweep,
                                             PowerFlowMethod::kNewtonRaphsonDense};

  std::printf("one power flow (mean of 2000 solves, ms per solve; ratio to sparse NR)\n");
  for (const auto* network : {&case33, &case14}) {
    double reference = 0.0;
    for (const PowerFlowMethod method : methods) {
      if (method == PowerFlowMethod::kBackwardForwardSweep && network == &case14) continue;
      const double ms = time_single(*network, method);
      if (method == PowerFlowMethod::kNewtonRaphson) reference = ms;
      std::printf("  %-9s %-24s %9.4f ms  x%.2f\n", network->name.c_str(), sandan::to_string(method).c_str(),
                  ms, ms / reference);
    }
  }

  const std::vector<double> factors = load_profile();
  std::printf("case33bw, %d hours with a seeded load profile (ms per solve; ratio to sparse NR, 1 thread)\n",
              kHours);
  double reference = 0.0;
  for (const int threads : {1, 2}) {
    for (const PowerFlowMethod method : methods) {
      const YearRun run = time_year(case33, method, threads, factors);
      if (method == PowerFlowMethod::kNewtonRaphson && threads == 1) reference = run.ms_per_solve;
      std::printf("  %d thread%s %-24s %9.4f ms  x%.2f  (%.3f MWh lost, %d not converged, %.0f solves/s)\n",
                  threads, threads == 1 ? " " : "s", sandan::to_string(method).c_str(), run.ms_per_solve,
                  run.ms_per_solve / reference, run.loss_mwh, run.failures, 1e3 / run.ms_per_solve);
    }
  }
  return 0;
}
