#include "solver_commands.hpp"

#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

#include "sandan_solvers.hpp"

namespace sandan::cli {

namespace {

// Iterations of an assignment on stderr: at most one line every 0.2 s, and the last one.
class IterationLine {
 public:
  void operator()(const sandan::IterationRecord& record) {
    last_ = record;
    const auto now = std::chrono::steady_clock::now();
    if (printed_ >= 0 && now - printed_at_ < std::chrono::milliseconds(200)) return;
    print(record);
    printed_at_ = now;
  }
  void finish() {
    if (last_ && last_->iteration != printed_) print(*last_);
  }

 private:
  void print(const sandan::IterationRecord& record) {
    std::fprintf(stderr, "sandan: iteration %d  relative gap %.2g  TSTT %.1f\n", record.iteration,
                 record.relative_gap, record.tstt);
    printed_ = record.iteration;
  }

  std::optional<sandan::IterationRecord> last_;
  int printed_ = -1;
  std::chrono::steady_clock::time_point printed_at_;
};

}  // namespace

int run_powerflow(const PowerflowArgs& args) {
  sandan::PowerFlowOptions options;
  if (args.method == "nr") options.method = sandan::PowerFlowMethod::kNewtonRaphson;
  if (args.method == "nr-dense") options.method = sandan::PowerFlowMethod::kNewtonRaphsonDense;
  if (args.method == "bfs") options.method = sandan::PowerFlowMethod::kBackwardForwardSweep;
  const sandan::CaseSolution solved = sandan::solve_case(args.case_dir, options, args.out_dir);
  const sandan::Network& network = solved.network;
  const sandan::PowerFlowResult& result = solved.result;
  if (!result.refused.empty()) {
    std::fprintf(stderr, "sandan: error: %s: %s\n", args.case_dir.c_str(), result.refused.c_str());
    return static_cast<int>(sandan::ErrorCode::kBadInput);
  }
  if (!result.converged) {
    const std::string bus = result.worst_bus >= 0 ? network.buses[result.worst_bus].id : "?";
    std::fprintf(stderr,
                 "sandan: error: %s: the power flow did not converge after %d iterations (%s); worst "
                 "mismatch %.3g p.u. at bus %s\n",
                 args.case_dir.c_str(), result.iterations, sandan::to_string(result.method).c_str(),
                 result.max_mismatch_pu, bus.c_str());
    return static_cast<int>(sandan::ErrorCode::kBadInput);
  }
  std::printf("Case %s: %zu buses, %zu branches, %zu generators\n", args.case_dir.c_str(),
              network.buses.size(), network.branches.size(), network.generators.size());
  std::printf("  method          %s\n  iterations      %d\n  time            %.3f ms\n",
              sandan::to_string(result.method).c_str(), result.iterations, solved.solve_ms);
  std::printf("  total losses    %.6f MW\n", result.total_loss_mw);
  std::printf("  min voltage     %.6f p.u. at bus %s\n", result.vmin_pu,
              network.buses[result.vmin_bus].id.c_str());
  std::printf("  max voltage     %.6f p.u. at bus %s\n", result.vmax_pu,
              network.buses[result.vmax_bus].id.c_str());
  if (!args.out_dir.empty()) {
    std::printf("  solution        %s/solution_bus.csv, solution_branch.csv, summary.json\n",
                args.out_dir.c_str());
  }
  return 0;
}

int run_assign(const AssignArgs& args) {
  sandan::AssignmentOptions options;
  options.algorithm = sandan::parse_assignment_algorithm(args.algorithm);
  options.target_gap = args.gap;
  options.max_iterations = args.max_iterations;
  options.threads = args.threads;
  auto describe = [&](const sandan::TntpCase& tntp) {
    const sandan::TrafficNetwork& net = tntp.network;
    std::printf("Network %s: %d zones, %d nodes, %zu links\n", net.name.c_str(), net.zone_count,
                net.node_count, net.links.size());
    std::printf("  total demand    %.10g trips\n", tntp.demand.total());
    if (tntp.intrazonal_dropped > 0.0)
      std::printf("  intrazonal      %.10g trips dropped\n", tntp.intrazonal_dropped);
    std::printf("  algorithm       %s, target relative gap %.3g, at most %d iterations\n",
                sandan::to_string(options.algorithm), options.target_gap, options.max_iterations);
    std::fflush(stdout);
  };
  IterationLine progress;
  const sandan::CaseAssignment assigned = sandan::assign_case(
      args.tntp_dir, args.first_thru_node, options, describe,
      [&](const sandan::IterationRecord& record) { progress(record); }, args.out_dir);
  progress.finish();
  const sandan::AssignmentResult& result = assigned.result;
  std::printf("  iterations      %d\n", result.iterations);
  std::printf("  relative gap    %.3g\n", result.relative_gap);
  std::printf("  TSTT            %.3f\n", result.tstt);
  std::printf("  objective       %.3f (Beckmann)\n", result.objective);
  std::printf("  time            %.3f s\n", result.seconds);
  std::printf("  converged       %s\n", result.converged ? "yes" : "no");
  if (!result.converged) {
    std::fprintf(stderr, "sandan: note: the target gap %.3g was not reached in %d iterations\n",
                 options.target_gap, result.iterations);
  }
  if (!args.out_dir.empty())
    std::printf("  outputs         %s/flows.csv, summary.json\n", args.out_dir.c_str());
  return 0;
}

int run_dnl(const DnlArgs& args) {
  const sandan::DnlCaseRun run = sandan::simulate_dnl_case(args.case_dir, args.out_dir);
  const sandan::DnlSummary& s = run.summary;
  std::printf("Case %s: %zu nodes, %zu links, %zu zones, %d vehicles\n", run.dnl.name.c_str(),
              run.dnl.nodes.size(), run.dnl.links.size(), run.dnl.zones.size(), s.vehicles);
  std::printf("  window          %.0f-%.0f s, step %.3g s\n", run.dnl.start_s, run.dnl.end_s, run.dnl.step_s);
  std::printf("  finished        %d of %d\n", s.finished, s.vehicles);
  std::printf("  travel time     %.1f s mean (free flow %.1f s)\n", s.mean_travel_time_s,
              s.mean_free_flow_time_s);
  std::printf("  total delay     %.2f vehicle-hours\n", s.total_delay_veh_h);
  std::printf("  vehicle-steps   %.0f in %.3f s (%.3g a second)\n", s.vehicle_steps, s.seconds,
              s.vehicle_steps_per_s);
  if (s.finished < s.vehicles) {
    std::fprintf(stderr, "sandan: note: %d vehicles had not arrived by end_s\n", s.vehicles - s.finished);
  }
  if (!args.out_dir.empty())
    std::printf("  outputs         %s/vehicles.csv, links.csv, summary.json\n", args.out_dir.c_str());
  return 0;
}

}  // namespace sandan::cli
