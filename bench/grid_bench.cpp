// Grid benchmark: the 8760-hour AC power flow of the five complexes' 22.9 kV networks (one a
// substation, built from the layout), with each hour's bus loads from the load model, for the
// shipped layout and layouts 10× and 100× larger (sandan synth scaling). Methods side by side in one
// run: the backward-forward sweep, sparse Newton-Raphson and, as the baseline, Newton-Raphson with a
// dense Jacobian and dense LU (timed on a sample of hours: it is orders of magnitude slower).
//
// Usage: bench_grid [SCALE ...]   (default: 1 10); run from the repository root.
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "energy/loads.hpp"
#include "energy/weather.hpp"
#include "grid/feeders.hpp"
#include "grid/powerflow.hpp"
#include "sandan.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Series {
  double seconds = 0.0;
  long long solves = 0;
  int failed = 0;
};

// Solves hours [0, hours) of every network with the method, on `threads` threads.
Series run_series(const sandan::GridModel& model, const std::vector<std::vector<double>>& pd,
                  const std::vector<std::vector<double>>& qd, int hours, sandan::PowerFlowMethod method,
                  int threads) {
  std::vector<sandan::PowerFlowSolver> solvers;
  std::vector<sandan::PowerFlowResult> warm;
  sandan::PowerFlowOptions options;
  options.method = method;
  for (const auto& sn : model.networks) {
    solvers.emplace_back(sn.network, options);
    warm.push_back(solvers.back().solve());
  }
  const auto start = Clock::now();
  int failed = 0;
#pragma omp parallel for schedule(dynamic, 8) num_threads(threads) reduction(+ : failed)
  for (int h = 0; h < hours; ++h) {
    std::vector<double> p;
    std::vector<double> q;
    for (std::size_t n = 0; n < model.networks.size(); ++n) {
      const std::size_t nb = model.networks[n].network.buses.size();
      p.assign(pd[n].begin() + static_cast<std::ptrdiff_t>(nb * static_cast<std::size_t>(h)),
               pd[n].begin() + static_cast<std::ptrdiff_t>(nb * static_cast<std::size_t>(h + 1)));
      q.assign(qd[n].begin() + static_cast<std::ptrdiff_t>(nb * static_cast<std::size_t>(h)),
               qd[n].begin() + static_cast<std::ptrdiff_t>(nb * static_cast<std::size_t>(h + 1)));
      const auto r = solvers[n].solve(p, q, warm[n].converged ? &warm[n] : nullptr);
      if (!r.converged) ++failed;
    }
  }
  return {std::chrono::duration<double>(Clock::now() - start).count(),
          static_cast<long long>(hours) * static_cast<long long>(model.networks.size()), failed};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> scales;
  for (int i = 1; i < argc; ++i) scales.push_back(std::stod(argv[i]));
  if (scales.empty()) scales = {1.0, 10.0};
  const int all_threads = omp_get_num_procs();
  const sandan::SiteFacts facts = sandan::read_site_facts("gis_data/complexes.yaml");
  const auto line_types = sandan::read_line_types("gis_data/line_types.csv");
  const sandan::Calendar calendar = sandan::load_calendar(2026, "gis_data/calendar/holidays_kr.csv");
  const sandan::Weather weather = sandan::read_epw("gis_data/weather/incheon_synthetic.epw");
  const sandan::LoadLibrary library = sandan::read_load_library("gis_data/loads/archetypes.yaml");
  const int hours = calendar.hours();
  // The Newton-Raphson variants are timed on samples of hours (per-hour cost does not depend on
  // which hours), the sweep on the whole year.
  constexpr int kDenseSampleHours = 8;
  constexpr int kSparseSampleHours = 720;
  constexpr double kTanPhi = 0.4843;  // power factor 0.9

  std::printf("Hourly AC power flow of the complexes' 22.9 kV networks; %d core(s)\n", all_threads);
  std::printf("%6s %9s %6s %8s | %-22s %7s %10s %12s %9s %8s\n", "scale", "networks", "buses", "hours",
              "method", "threads", "seconds", "us/net-hour", "vs dense", "failed");
  for (const double scale : scales) {
    sandan::SynthOptions synth;
    synth.scale = scale;
    const sandan::Site site = sandan::synthesize_site(facts, synth);
    const sandan::GridModel model = sandan::build_grid_model(site, line_types);
    // Bus loads: every facility's hourly demand from the load model, summed at its bus.
    const sandan::LoadModel loads(site, calendar, weather.dry_bulb_c, library, 42);
    std::vector<std::vector<double>> pd(model.networks.size()), qd(model.networks.size());
    std::size_t buses = 0;
    for (std::size_t n = 0; n < model.networks.size(); ++n) {
      const std::size_t nb = model.networks[n].network.buses.size();
      buses += nb;
      pd[n].assign(nb * static_cast<std::size_t>(hours), 0.0);
      qd[n].assign(nb * static_cast<std::size_t>(hours), 0.0);
    }
    std::vector<float> elec(static_cast<std::size_t>(hours)), fuel(static_cast<std::size_t>(hours));
    for (std::size_t f = 0; f < site.facilities.size(); ++f) {
      (void)loads.facility(f, elec.data(), fuel.data());
      const auto n = static_cast<std::size_t>(model.facility_network[f]);
      const auto b = static_cast<std::size_t>(model.facility_bus[f]);
      const std::size_t nb = model.networks[n].network.buses.size();
      for (std::size_t h = 0; h < static_cast<std::size_t>(hours); ++h) {
        pd[n][h * nb + b] += elec[h] / 1000.0;
        qd[n][h * nb + b] += elec[h] * kTanPhi / 1000.0;
      }
    }
    const Series dense =
        run_series(model, pd, qd, kDenseSampleHours, sandan::PowerFlowMethod::kNewtonRaphsonDense, 1);
    const double dense_us = 1e6 * dense.seconds / static_cast<double>(dense.solves);
    std::printf("%6.0f %9zu %6zu %8d | %-22s %7d %10.3f %12.1f %9s %8d\n", scale, model.networks.size(),
                buses, kDenseSampleHours, "Newton-Raphson, dense", 1, dense.seconds, dense_us, "1",
                dense.failed);
    for (const auto method : {sandan::PowerFlowMethod::kNewtonRaphson, sandan::PowerFlowMethod::kAuto}) {
      const int series_hours = method == sandan::PowerFlowMethod::kAuto ? hours : kSparseSampleHours;
      for (const int threads : {1, all_threads}) {
        const Series s = run_series(model, pd, qd, series_hours, method, threads);
        const double us = 1e6 * s.seconds / static_cast<double>(s.solves);
        std::printf("%6.0f %9zu %6zu %8d | %-22s %7d %10.3f %12.1f %8.0fx %8d\n", scale,
                    model.networks.size(), buses, series_hours,
                    method == sandan::PowerFlowMethod::kAuto ? "sweep (auto)" : "Newton-Raphson, sparse",
                    threads, s.seconds, us, dense_us / us, s.failed);
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
