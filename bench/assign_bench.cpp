// Assignment benchmark: static user equilibrium on Sioux Falls (TNTP) and on the complexes' road
// network (the shipped layout and layouts 10× and 100× larger, sandan synth scaling), workday morning
// peak hour, with Frank-Wolfe and Algorithm B side by side in one run, to relative gaps 1e-4 and 1e-8.
//
// Usage: bench_assign [--scales 1,10,100] [--cells 0,250,1000] [--repeat N] [--write-tntp DIR]
// (run from the repository root). --cells gives the zone cell size (m) for each scale: 0 is a zone
// for every road node that facilities attach to. Scales above 1 run the 1e-4 target only, with
// Frank-Wolfe capped at 10 iterations.
// --write-tntp writes the complexes' peak hour (scale 1) as TNTP files for bench/sumo/compare.py.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "gis/synth.hpp"
#include "site/topology.hpp"
#include "traffic/assignment.hpp"
#include "traffic/demand.hpp"
#include "traffic/tntp.hpp"

namespace {

struct Case {
  std::string name;
  sandan::TrafficNetwork net;
  std::vector<sandan::DemandClass> demand;
};

// Median wall time of `repeat` runs, and the last result.
sandan::AssignmentResult timed(const Case& c, sandan::AssignmentAlgorithm algorithm, double gap,
                               int max_iterations, int threads, int repeat, double* seconds) {
  sandan::AssignmentOptions options;
  options.algorithm = algorithm;
  options.target_gap = gap;
  options.max_iterations = max_iterations;
  options.threads = threads;
  std::vector<double> times;
  sandan::AssignmentResult result;
  for (int r = 0; r < repeat; ++r) {
    result = sandan::assign_traffic(c.net, c.demand, options);
    times.push_back(result.seconds);
  }
  std::sort(times.begin(), times.end());
  *seconds = times[times.size() / 2];
  return result;
}

// fw_cap: Frank-Wolfe's iteration limit (its tail is sublinear; the gap it reached is reported).
void report(const Case& c, int repeat, int fw_cap, const std::vector<double>& gaps) {
  double trips = 0.0;
  for (const auto& d : c.demand) trips += d.trips.total();
  std::printf("\n%s: %d zones, %d nodes, %zu links, %.0f trips\n", c.name.c_str(), c.net.zone_count,
              c.net.node_count, c.net.links.size(), trips);
  std::printf("  %-12s %8s %7s %10s %12s %18s %10s\n", "algorithm", "target", "threads", "iterations",
              "gap reached", "TSTT", "seconds");
  double b_seconds = 0.0;
  for (const double gap : gaps) {
    for (const auto algorithm :
         {sandan::AssignmentAlgorithm::kAlgorithmB, sandan::AssignmentAlgorithm::kFrankWolfe}) {
      const bool fw = algorithm == sandan::AssignmentAlgorithm::kFrankWolfe;
      for (const int threads : {1, 2}) {
        if (threads > omp_get_num_procs()) continue;
        double seconds = 0.0;
        const sandan::AssignmentResult r =
            timed(c, algorithm, gap, fw ? fw_cap : 1000, threads, fw ? 1 : repeat, &seconds);
        if (!fw && threads == 1) b_seconds = seconds;
        std::printf("  %-12s %8.0e %7d %10d %12.2e %18.6f %10.4f", sandan::to_string(algorithm), gap, threads,
                    r.iterations, r.relative_gap, r.tstt, seconds);
        std::fflush(stdout);
        if (fw && threads == 1 && b_seconds > 0.0) {
          std::printf("   (%.0fx Algorithm B's time%s)", seconds / b_seconds,
                      r.converged ? "" : ", not converged");
        }
        std::printf("\n");
      }
    }
  }
}

Case complexes_case(const sandan::SiteFacts& facts, const sandan::TripRates& rates, double scale,
                    double cell_m, double factor) {
  sandan::SynthOptions synth;
  synth.scale = scale;
  const sandan::Site site = sandan::synthesize_site(facts, synth);
  const sandan::RoadGraph roads = sandan::build_road_graph(site);
  const sandan::Attachments attachments =
      sandan::attach_facilities(site, roads, sandan::build_feeder_topology(site));
  sandan::TrafficModel model = sandan::build_traffic_model(site, roads, attachments, rates, {}, cell_m);
  const sandan::DailyDemand daily = sandan::daily_demand(model, site, rates, sandan::TrafficDay::kWorkday);
  Case c;
  std::ostringstream name;
  name << "complexes x" << scale << (cell_m > 0.0 ? ", zone cells " : "");
  if (cell_m > 0.0) name << cell_m << " m";
  name << ", workday 08:00" << (factor != 1.0 ? " with demand x" : "");
  if (factor != 1.0) name << factor;
  c.name = name.str();
  c.net = std::move(model.network);
  c.demand = sandan::hourly_demand(daily, rates, 8);
  for (auto& d : c.demand) {
    for (double& v : d.trips.values) v *= factor;
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> scales{1.0, 10.0};
  std::vector<double> cells;
  int repeat = 5;
  std::string tntp_out;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--scales" && i + 1 < argc) {
      scales.clear();
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) scales.push_back(std::stod(item));
    } else if (arg == "--cells" && i + 1 < argc) {
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) cells.push_back(std::stod(item));
    } else if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::stoi(argv[++i]);
    } else if (arg == "--write-tntp" && i + 1 < argc) {
      tntp_out = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: bench_assign [--scales 1,10] [--cells 0,250] [--repeat N] [--write-tntp DIR]\n");
      return 2;
    }
  }
  std::printf(
      "Static user-equilibrium assignment, Algorithm B vs Frank-Wolfe; %d core(s); median of %d runs "
      "(Frank-Wolfe: one run)\n",
      omp_get_num_procs(), repeat);
  {
    const sandan::TntpCase sioux = sandan::read_tntp_dir("tests/validation/data/tntp/SiouxFalls");
    Case c{"Sioux Falls", sioux.network, {{"all", 1.0, sioux.demand}}};
    report(c, repeat, 2000, {1e-4, 1e-8});
  }
  const sandan::SiteFacts facts = sandan::read_site_facts("gis_data/complexes.yaml");
  const sandan::TripRates rates = sandan::read_trip_rates("gis_data/traffic/trip_rates.yaml");
  for (std::size_t s = 0; s < scales.size(); ++s) {
    const double scale = scales[s];
    const double cell_m = s < cells.size() ? cells[s] : 0.0;
    for (const double factor : {1.0, 3.0}) {
      if (scale > 1.0 && factor != 1.0) continue;
      const Case c = complexes_case(facts, rates, scale, cell_m, factor);
      if (scale > 1.0) {
        report(c, 1, 10, {1e-4});
      } else {
        report(c, repeat, 200, {1e-4, 1e-8});
      }
      if (!tntp_out.empty() && scale == 1.0 && factor == 1.0) {
        // One class in PCE for tools that know no classes.
        sandan::OdMatrix pce(c.net.zone_count);
        for (const auto& d : c.demand) {
          for (std::size_t i = 0; i < pce.values.size(); ++i) pce.values[i] += d.pce * d.trips.values[i];
        }
        std::filesystem::create_directories(tntp_out);
        sandan::write_tntp(c.net, pce, tntp_out + "/Complexes_net.tntp", tntp_out + "/Complexes_trips.tntp");
        std::printf("  written as TNTP to %s\n", tntp_out.c_str());
      }
    }
  }
  return 0;
}
