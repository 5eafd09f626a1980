#include "sandan_solvers.hpp"

#include <chrono>
#include <vector>

#include "core/files.hpp"

namespace sandan {

const char* version() { return SANDAN_VERSION; }

CaseSolution solve_case(const std::string& case_dir, const PowerFlowOptions& options,
                        const std::string& out_dir) {
  check_output_folder(out_dir, {{"case folder", case_dir}}, "solution");
  CaseSolution out{read_case(case_dir), {}, 0.0};
  const auto start = std::chrono::steady_clock::now();
  out.result = solve_power_flow(out.network, options);
  out.solve_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (out.result.converged && !out_dir.empty()) write_solution(out.network, out.result, out_dir);
  return out;
}

CaseAssignment assign_case(const std::string& tntp_dir, int first_thru_node, const AssignmentOptions& options,
                           const std::function<void(const TntpCase&)>& on_read,
                           const std::function<void(const IterationRecord&)>& on_iteration,
                           const std::string& out_dir) {
  check_output_folder(out_dir, {{"case folder", tntp_dir}}, "assignment's outputs");
  CaseAssignment out{read_tntp_dir(tntp_dir, first_thru_node), {}};
  if (on_read) on_read(out.tntp);
  const std::vector<DemandClass> demand{{"vehicles", 1.0, out.tntp.demand}};
  out.result = assign_traffic(out.tntp.network, demand, options, on_iteration);
  if (!out_dir.empty())
    write_assignment_outputs(out.tntp.network, out.result, to_string(options.algorithm), out_dir);
  return out;
}

DnlCaseRun simulate_dnl_case(const std::string& case_dir, const std::string& out_dir) {
  check_output_folder(out_dir, {{"case folder", case_dir}}, "dynamic loading's outputs");
  DnlCaseRun out;
  out.dnl = read_dnl_case(case_dir);
  out.result = simulate_dnl(out.dnl);
  out.summary = summarize_dnl(out.dnl, out.result);
  if (!out_dir.empty()) write_dnl_outputs(out.dnl, out.result, out_dir);
  return out;
}

}  // namespace sandan
