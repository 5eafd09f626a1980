// Dynamic loading benchmark: the link transmission model (engine/traffic/dynamic.hpp) on the case a
// scenario's `traffic.dynamic` window makes (default scenarios/baseline.yaml: the workday's
// 16:00-20:00), or on a case folder; with --demand K every vehicle is repeated K times (K× the
// demand, same routes) to load the network into congestion. Prints vehicles, vehicle-steps, the
// median wall time of the simulation and vehicle-steps a second.
//
// Usage: bench_dnl [--scenario S.yaml | --case DIR] [--demand 1,2,3] [--repeat N]
// (run from the repository root).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "sandan.hpp"
#include "traffic/dnl_case.hpp"
#include "traffic/dynamic.hpp"

namespace {

// Every vehicle `k` times, in departure order.
sandan::DnlCase scaled(const sandan::DnlCase& c, int k) {
  sandan::DnlCase out = c;
  out.vehicles.clear();
  for (const sandan::DnlVehicle& v : c.vehicles) {
    for (int i = 0; i < k; ++i) out.vehicles.push_back(v);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string scenario = "scenarios/baseline.yaml";
  std::string case_dir;
  std::vector<int> demands{1, 2, 3};
  int repeat = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--scenario") scenario = argv[i + 1];
    if (a == "--case") case_dir = argv[i + 1];
    if (a == "--repeat") repeat = std::max(1, std::atoi(argv[i + 1]));
    if (a == "--demand") {
      demands.clear();
      std::stringstream list(argv[i + 1]);
      std::string item;
      while (std::getline(list, item, ',')) demands.push_back(std::max(1, std::atoi(item.c_str())));
    }
  }
  try {
    sandan::DnlCase base;
    if (case_dir.empty()) {
      const std::string dir =
          (std::filesystem::temp_directory_path() / ("sandan_bench_dnl_" + std::to_string(::getpid())))
              .string();
      base = sandan::write_scenario_dnl_case(scenario, dir);
      std::filesystem::remove_all(dir);
      std::printf("Case of %s: ", scenario.c_str());
    } else {
      base = sandan::read_dnl_case(case_dir);
      std::printf("Case %s: ", case_dir.c_str());
    }
    std::printf("%zu nodes, %zu links, %zu zones, %zu vehicles, %.0f-%.0f s, step %.3g s\n",
                base.nodes.size(), base.links.size(), base.zones.size(), base.vehicles.size(), base.start_s,
                base.end_s, base.step_s);
    std::printf("%7s %9s %9s %13s %11s %16s %12s %12s\n", "demand", "vehicles", "finished", "vehicle-steps",
                "seconds", "veh-steps/s", "mean tt s", "mean ff s");
    for (const int k : demands) {
      const sandan::DnlCase c = scaled(base, k);
      std::vector<double> times;
      sandan::DnlResult result;
      for (int r = 0; r < repeat; ++r) {
        result = sandan::simulate_dnl(c);
        times.push_back(result.seconds);
      }
      std::sort(times.begin(), times.end());
      const double median = times[times.size() / 2];
      const sandan::DnlSummary s = sandan::summarize_dnl(c, result);
      std::printf("%6dx %9d %9d %13.0f %11.4f %16.3g %12.1f %12.1f\n", k, s.vehicles, s.finished,
                  s.vehicle_steps, median, s.vehicle_steps / median, s.mean_travel_time_s,
                  s.mean_free_flow_time_s);
    }
  } catch (const sandan::Error& e) {
    std::fprintf(stderr, "bench_dnl: %s\n", e.what());
    return 2;
  }
  return 0;
}
