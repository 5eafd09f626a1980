// The power flow reproduces MATPOWER's own Newton solutions of case33bw (Baran & Wu 1989) and case14
// (IEEE 14-bus), stored next to the cases in data/powerflow (see its README), to the tolerances the
// reference data suggests: |ΔVm| ≤ 1e-6 p.u., |ΔVa| ≤ 1e-4°, losses within 1e-6 relative.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "grid/case_io.hpp"
#include "grid/powerflow.hpp"

using namespace sandan;

namespace {

const std::string kDataDir = std::string(SANDAN_VALIDATION_DATA_DIR) + "/powerflow";

// A CSV file with a header as columns of numbers, keyed by header name.
std::map<std::string, std::vector<double>> read_columns(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  const CsvFile file = read_csv(in);
  REQUIRE(!file.records.empty());
  const auto& header = file.records.front().fields;
  std::map<std::string, std::vector<double>> columns;
  for (std::size_t r = 1; r < file.records.size(); ++r) {
    const auto& fields = file.records[r].fields;
    REQUIRE(fields.size() == header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
      const auto value = parse_csv_double(trim_blanks(fields[c]));
      REQUIRE(value.has_value());
      columns[header[c]].push_back(*value);
    }
  }
  return columns;
}

double summary_number(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string body = text.str();
  const auto at = body.find("\"" + key + "\":");
  REQUIRE(at != std::string::npos);
  return std::stod(body.substr(at + key.size() + 3));
}

struct Deviation {
  double vm_pu = 0.0;
  double va_deg = 0.0;
  double loss_relative = 0.0;
  double flow_mva = 0.0;
};

Deviation compare_with_matpower(const std::string& case_name, PowerFlowMethod method) {
  const std::string dir = kDataDir + "/" + case_name;
  const Network network = read_case(dir);
  PowerFlowOptions options;
  options.method = method;
  const PowerFlowResult result = solve_power_flow(network, options);
  REQUIRE(result.converged);
  CHECK(result.max_mismatch_pu < 1e-8);
  CHECK(result.method == method);

  const auto bus = read_columns(dir + "/solution_bus.csv");
  REQUIRE(bus.at("Vm").size() == network.buses.size());
  Deviation deviation;
  for (std::size_t i = 0; i < network.buses.size(); ++i) {
    CHECK(network.buses[i].id == std::to_string(static_cast<int>(bus.at("bus_i")[i])));
    deviation.vm_pu = std::max(deviation.vm_pu, std::abs(result.vm_pu[i] - bus.at("Vm")[i]));
    deviation.va_deg = std::max(deviation.va_deg, std::abs(result.va_deg[i] - bus.at("Va")[i]));
  }
  const auto branch = read_columns(dir + "/solution_branch.csv");
  REQUIRE(branch.at("Pf").size() == network.branches.size());
  for (std::size_t b = 0; b < network.branches.size(); ++b) {
    for (const auto& [ours, name] : {std::pair{result.pf_mw[b], "Pf"}, std::pair{result.qf_mvar[b], "Qf"},
                                     std::pair{result.pt_mw[b], "Pt"}, std::pair{result.qt_mvar[b], "Qt"}}) {
      deviation.flow_mva = std::max(deviation.flow_mva, std::abs(ours - branch.at(name)[b]));
    }
  }
  const double loss_mw = summary_number(dir + "/solution_summary.json", "total_loss_MW");
  deviation.loss_relative = std::abs(result.total_loss_mw - loss_mw) / loss_mw;
  MESSAGE(case_name << " " << to_string(method) << ": " << result.iterations << " iterations, max |dVm| "
                    << deviation.vm_pu << " p.u., max |dVa| " << deviation.va_deg << " deg, loss "
                    << result.total_loss_mw << " MW (relative error " << deviation.loss_relative
                    << "), max flow error " << deviation.flow_mva << " MW/MVAr");
  return deviation;
}

void check_tolerances(const Deviation& deviation) {
  CHECK(deviation.vm_pu <= 1e-6);
  CHECK(deviation.va_deg <= 1e-4);
  CHECK(deviation.loss_relative <= 1e-6);
}

}  // namespace

TEST_CASE("Newton-Raphson reproduces MATPOWER's solution of the Baran & Wu 33-bus feeder") {
  check_tolerances(compare_with_matpower("case33bw", PowerFlowMethod::kNewtonRaphson));
}

TEST_CASE("Newton-Raphson reproduces MATPOWER's solution of the IEEE 14-bus case") {
  check_tolerances(compare_with_matpower("case14", PowerFlowMethod::kNewtonRaphson));
}

TEST_CASE("the dense Newton-Raphson baseline gives the same solutions") {
  check_tolerances(compare_with_matpower("case33bw", PowerFlowMethod::kNewtonRaphsonDense));
  check_tolerances(compare_with_matpower("case14", PowerFlowMethod::kNewtonRaphsonDense));
}

TEST_CASE("the backward-forward sweep reproduces MATPOWER's solution of the 33-bus feeder") {
  check_tolerances(compare_with_matpower("case33bw", PowerFlowMethod::kBackwardForwardSweep));
}

TEST_CASE("the 33-bus feeder matches Baran & Wu's published losses and minimum voltage") {
  // Baran & Wu 1989 base case: 202.67 kW, Vmin 0.9131 p.u. at bus 18 (see the case README).
  const Network network = read_case(kDataDir + "/case33bw");
  const PowerFlowSolver solver(network);
  CHECK(solver.radial());
  const PowerFlowResult result = solver.solve();
  REQUIRE(result.converged);
  CHECK(result.method == PowerFlowMethod::kBackwardForwardSweep);
  CHECK(result.total_loss_mw * 1e3 == doctest::Approx(202.67).epsilon(0.1 / 202.67));
  CHECK(result.vmin_pu == doctest::Approx(0.9131).epsilon(1e-4));
  CHECK(network.buses[static_cast<std::size_t>(result.vmin_bus)].id == "18");
}

TEST_CASE("the IEEE 14-bus case is meshed, so the solver picks Newton-Raphson, and MATPOWER's generator Q") {
  const std::string dir = kDataDir + "/case14";
  const Network network = read_case(dir);
  const PowerFlowSolver solver(network);
  CHECK_FALSE(solver.radial());
  const PowerFlowResult result = solver.solve();
  REQUIRE(result.converged);
  CHECK(result.method == PowerFlowMethod::kNewtonRaphson);
  CHECK(result.iterations == static_cast<int>(summary_number(dir + "/solution_summary.json", "iterations")));
  const auto gen = read_columns(dir + "/solution_gen.csv");
  REQUIRE(gen.at("Pg").size() == network.generators.size());
  for (std::size_t g = 0; g < network.generators.size(); ++g) {
    CHECK(result.pg_mw[g] == doctest::Approx(gen.at("Pg")[g]).epsilon(1e-7));
    CHECK(result.qg_mvar[g] == doctest::Approx(gen.at("Qg")[g]).epsilon(1e-6));
  }
}
