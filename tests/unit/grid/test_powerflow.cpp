#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "grid/case_io.hpp"
#include "grid/powerflow.hpp"

using namespace sandan;

namespace {

namespace fs = std::filesystem;

const std::string kCase33 = std::string(SANDAN_TEST_DATA_DIR) + "/../validation/data/powerflow/case33bw";

// A slack bus at 1.0 p.u. feeding a 50 MW, 0 MVAr load over a lossless line x = 0.1 p.u. (100 MVA base).
Network two_bus() {
  Network network;
  network.name = "two-bus";
  network.base_mva = 100.0;
  Bus slack;
  slack.id = "1";
  slack.type = BusType::kSlack;
  Bus load;
  load.id = "2";
  load.pd_mw = 50.0;
  network.buses = {slack, load};
  Branch line;
  line.from = 0;
  line.to = 1;
  line.x_pu = 0.1;
  line.rate_a_mva = 100.0;
  network.branches = {line};
  Generator gen;
  gen.bus = 0;
  network.generators = {gen};
  return network;
}

// A folder holding a case whose files are given as text; removed at the end of the test.
class CaseFolder {
 public:
  explicit CaseFolder(const std::string& name) : path_(fs::temp_directory_path() / ("sandan_pf_" + name)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
    write("case.json", R"({"case": "three-bus", "baseMVA": 100})");
    write("bus.csv",
          "bus_i,type,Pd,Qd,Gs,Bs,area,Vm,Va,baseKV,zone,Vmax,Vmin\n"
          "1,3,0,0,0,0,1,1,0,20,1,1.1,0.9\n"
          "2,1,10,5,0,0,1,1,0,20,1,1.1,0.9\n"
          "3,1,10,5,0,0,1,1,0,20,1,1.1,0.9\n");
    write("gen.csv",
          "bus,Pg,Qg,Qmax,Qmin,Vg,mBase,status,Pmax,Pmin\n"
          "1,0,0,100,-100,1,100,1,100,0\n");
    write("branch.csv",
          "fbus,tbus,r,x,b,rateA,rateB,rateC,ratio,angle,status\n"
          "1,2,0.01,0.03,0,0,0,0,0,0,1\n"
          "2,3,0.01,0.03,0,0,0,0,0,0,1\n");
  }
  ~CaseFolder() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  CaseFolder(const CaseFolder&) = delete;
  CaseFolder& operator=(const CaseFolder&) = delete;

  void write(const std::string& file, const std::string& text) const {
    std::ofstream out(path_ / file, std::ios::binary | std::ios::trunc);
    out << text;
  }
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// The problems read_case reports for the folder, one string.
std::string case_problems(const CaseFolder& folder) {
  try {
    read_case(folder.path());
  } catch (const ConfigError& error) {
    std::string text;
    for (const auto& problem : error.problems()) text += problem + "\n";
    return text;
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<double> scaled(const Network& network, double factor, bool reactive) {
  std::vector<double> values;
  for (const Bus& bus : network.buses) values.push_back(factor * (reactive ? bus.qd_mvar : bus.pd_mw));
  return values;
}

}  // namespace

TEST_CASE("a two-bus lossless line matches the hand calculation") {
  // With V1 = 1∠0, V2 = V∠-δ and a lossless line x, the receiving end gets
  //   P2 = V sin δ / x  and  Q2 = (V cos δ - V²) / x.
  // Q2 = 0 gives V = cos δ, so P2 = sin δ cos δ / x = sin 2δ / (2x) = 0.5 p.u.
  //   sin 2δ = 2 · 0.1 · 0.5 = 0.1  →  δ = asin(0.1) / 2 = 0.0500837 rad = 2.869624°, V = cos δ = 0.9987461.
  // The slack sends P1 = 0.5 p.u. (no losses) and Q1 = (1 - V cos δ) / x = sin²δ / x = 0.02506281 p.u.
  const double delta_rad = std::asin(0.1) / 2.0;
  const double delta_deg = delta_rad * 180.0 / std::numbers::pi;
  const double v2_pu = std::cos(delta_rad);
  const double q1_mvar = std::pow(std::sin(delta_rad), 2) / 0.1 * 100.0;
  for (const auto method : {PowerFlowMethod::kNewtonRaphson, PowerFlowMethod::kBackwardForwardSweep}) {
    PowerFlowOptions options;
    options.method = method;
    options.tolerance_pu = 1e-12;  // so that the check is of the model, not of the stopping rule
    const PowerFlowResult result = solve_power_flow(two_bus(), options);
    REQUIRE(result.converged);
    CHECK(result.vm_pu[1] == doctest::Approx(v2_pu).epsilon(1e-9));
    CHECK(result.va_deg[1] == doctest::Approx(-delta_deg).epsilon(1e-8));
    CHECK(result.pf_mw[0] == doctest::Approx(50.0).epsilon(1e-8));
    CHECK(result.qf_mvar[0] == doctest::Approx(q1_mvar).epsilon(1e-6));
    CHECK(result.pt_mw[0] == doctest::Approx(-50.0).epsilon(1e-8));
    CHECK(std::abs(result.qt_mvar[0]) < 1e-6);
    CHECK(std::abs(result.total_loss_mw) < 1e-9);
    CHECK(result.pg_mw[0] == doctest::Approx(50.0).epsilon(1e-8));
    CHECK(result.qg_mvar[0] == doctest::Approx(q1_mvar).epsilon(1e-6));
    CHECK(result.loading[0] == doctest::Approx(std::hypot(50.0, q1_mvar) / 100.0).epsilon(1e-8));
    CHECK(result.vmin_bus == 1);
    CHECK(result.vmax_bus == 0);
  }
}

TEST_CASE("solve gives identical results from several threads at once") {
  const Network network = read_case(kCase33);
  for (const auto method : {PowerFlowMethod::kNewtonRaphson, PowerFlowMethod::kBackwardForwardSweep}) {
    PowerFlowOptions options;
    options.method = method;
    const PowerFlowSolver solver(network, options);
    constexpr int kHours = 64;
    std::vector<PowerFlowResult> serial;
    for (int hour = 0; hour < kHours; ++hour) {
      const double factor = 0.3 + 0.02 * hour;
      serial.push_back(solver.solve(scaled(network, factor, false), scaled(network, factor, true)));
    }
    std::vector<PowerFlowResult> parallel(kHours);
    std::vector<std::thread> threads;
    constexpr int kThreads = 4;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int hour = t; hour < kHours; hour += kThreads) {
          const double factor = 0.3 + 0.02 * hour;
          parallel[static_cast<std::size_t>(hour)] =
              solver.solve(scaled(network, factor, false), scaled(network, factor, true));
        }
      });
    }
    for (auto& thread : threads) thread.join();
    for (int hour = 0; hour < kHours; ++hour) {
      const auto& a = serial[static_cast<std::size_t>(hour)];
      const auto& b = parallel[static_cast<std::size_t>(hour)];
      REQUIRE(a.converged);
      CHECK(b.converged);
      CHECK(a.iterations == b.iterations);
      CHECK(a.vm_pu == b.vm_pu);
      CHECK(a.va_deg == b.va_deg);
      CHECK(a.pf_mw == b.pf_mw);
      CHECK(a.total_loss_mw == b.total_loss_mw);
    }
  }
}

TEST_CASE("a warm start from the previous hour needs no more iterations") {
  const Network network = read_case(kCase33);
  PowerFlowOptions options;
  options.method = PowerFlowMethod::kNewtonRaphson;
  const PowerFlowSolver solver(network, options);
  const PowerFlowResult previous = solver.solve(scaled(network, 0.9, false), scaled(network, 0.9, true));
  const PowerFlowResult cold = solver.solve(scaled(network, 0.95, false), scaled(network, 0.95, true));
  const PowerFlowResult warm =
      solver.solve(scaled(network, 0.95, false), scaled(network, 0.95, true), &previous);
  REQUIRE(cold.converged);
  REQUIRE(warm.converged);
  CHECK(warm.iterations <= cold.iterations);
  for (std::size_t i = 0; i < network.buses.size(); ++i)
    CHECK(warm.vm_pu[i] == doctest::Approx(cold.vm_pu[i]).epsilon(1e-9));
}

TEST_CASE("a load the feeder cannot carry returns converged = false with the worst bus, and is not written") {
  const Network network = read_case(kCase33);
  for (const auto method : {PowerFlowMethod::kNewtonRaphson, PowerFlowMethod::kNewtonRaphsonDense,
                            PowerFlowMethod::kBackwardForwardSweep}) {
    PowerFlowOptions options;
    options.method = method;
    const PowerFlowSolver solver(network, options);
    const PowerFlowResult result = solver.solve(scaled(network, 50.0, false), scaled(network, 50.0, true));
    CHECK_FALSE(result.converged);
    CHECK(result.max_mismatch_pu > 1e-8);
    CHECK(result.worst_bus > 0);
    CHECK(result.worst_bus < static_cast<int>(network.buses.size()));
    CHECK_THROWS_WITH_AS(
        write_solution(network, result, (fs::temp_directory_path() / "sandan_pf_never").string()),
        doctest::Contains("did not converge: worst mismatch"), Error);
    CHECK_FALSE(fs::exists(fs::temp_directory_path() / "sandan_pf_never" / "summary.json"));
  }
}

TEST_CASE("loads of the wrong size return converged = false instead of throwing") {
  const PowerFlowSolver solver(two_bus());
  const std::vector<double> one{1.0};
  const PowerFlowResult result = solver.solve(one, one);
  CHECK_FALSE(result.converged);
}

TEST_CASE("a meshed network is not radial and the sweep refuses it") {
  Network network = two_bus();
  network.branches.push_back(network.branches.front());
  PowerFlowOptions options;
  options.method = PowerFlowMethod::kBackwardForwardSweep;
  const PowerFlowSolver solver(network, options);
  CHECK_FALSE(solver.radial());
  const PowerFlowResult refused = solver.solve();
  CHECK_FALSE(refused.converged);
  // The refusal says why, names the branch that closes the loop and the method to use instead.
  CHECK(refused.refused.find("needs a radial network") != std::string::npos);
  CHECK(refused.refused.find("closes a loop") != std::string::npos);
  CHECK(refused.refused.find("--method nr") != std::string::npos);
  const PowerFlowSolver automatic(network);
  const PowerFlowResult result = automatic.solve();
  CHECK(result.converged);
  CHECK(result.method == PowerFlowMethod::kNewtonRaphson);
}

TEST_CASE("a valid case folder reads, solves and writes its solution") {
  const CaseFolder folder("valid");
  const Network network = read_case(folder.path());
  CHECK(network.name == "three-bus");
  CHECK(network.buses.size() == 3);
  const PowerFlowResult result = solve_power_flow(network);
  REQUIRE(result.converged);
  const std::string out = folder.path() + "/out";
  write_solution(network, result, out);
  CHECK(fs::exists(out + "/solution_bus.csv"));
  CHECK(fs::exists(out + "/solution_branch.csv"));
  CHECK(fs::exists(out + "/summary.json"));
  std::ifstream in(out + "/solution_bus.csv");
  std::string header;
  std::getline(in, header);
  CHECK(header == "bus_i,Vm,Va");
}

TEST_CASE("a missing column is reported with file and line") {
  const CaseFolder folder("missing_column");
  folder.write("bus.csv",
               "bus_i,type,Pd,Qd,Gs,Bs,area,Va,baseKV,zone,Vmax,Vmin\n"
               "1,3,0,0,0,0,1,0,20,1,1.1,0.9\n");
  CHECK(contains(case_problems(folder), "bus.csv:1: Vm: missing column"));
}

TEST_CASE("an unknown bus, a non-number and a duplicate bus are all reported at once") {
  const CaseFolder folder("unknown_bus");
  folder.write("gen.csv",
               "bus,Pg,Qg,Qmax,Qmin,Vg,mBase,status,Pmax,Pmin\n"
               "9,0,0,100,-100,1,100,1,100,0\n");
  folder.write("bus.csv",
               "bus_i,type,Pd,Qd,Gs,Bs,area,Vm,Va,baseKV,zone,Vmax,Vmin\n"
               "1,3,0,0,0,0,1,1,0,20,1,1.1,0.9\n"
               "2,1,ten,5,0,0,1,1,0,20,1,1.1,0.9\n"
               "3,1,10,5,0,0,1,1,0,20,1,1.1,0.9\n"
               "3,1,10,5,0,0,1,1,0,20,1,1.1,0.9\n");
  const std::string problems = case_problems(folder);
  CHECK(contains(problems, "gen.csv:2: bus: unknown bus 9"));
  CHECK(contains(problems, "bus.csv:3: Pd: must be a number, got 'ten'"));
  CHECK(contains(problems, "bus.csv:5: bus_i: duplicate bus 3 (first on line 4)"));
}

TEST_CASE("a case without a slack bus is reported") {
  const CaseFolder folder("no_slack");
  folder.write("bus.csv",
               "bus_i,type,Pd,Qd,Gs,Bs,area,Vm,Va,baseKV,zone,Vmax,Vmin\n"
               "1,2,0,0,0,0,1,1,0,20,1,1.1,0.9\n"
               "2,1,10,5,0,0,1,1,0,20,1,1.1,0.9\n"
               "3,1,10,5,0,0,1,1,0,20,1,1.1,0.9\n");
  CHECK(contains(case_problems(folder), "bus.csv:2: type: no slack bus (type 3)"));
}

TEST_CASE("a bus.csv with only its header is refused by name instead of indexing bus -1") {
  const CaseFolder folder("header_only");
  folder.write("bus.csv", "bus_i,type,Pd,Qd,Gs,Bs,area,Vm,Va,baseKV,zone,Vmax,Vmin\n");
  const std::string problems = case_problems(folder);
  CHECK(contains(problems, "bus.csv: no buses (only a header)"));
  CHECK_THROWS_AS(read_case(folder.path()), ConfigError);
}

TEST_CASE("a bus number too large for an integer is refused, not converted (found by fuzzing)") {
  const CaseFolder folder("huge_bus_number");
  // 2e21 overflowed the conversion to long long (undefined behaviour under UBSan).
  folder.write("bus.csv",
               "bus_i,type,Pd,Qd,Gs,Bs,area,Vm,Va,baseKV,zone,Vmax,Vmin\n"
               "99999999999999999999,3,0,0,0,0,1,1,0,23,1,1.1,0.9\n");
  folder.write("branch.csv",
               "fbus,tbus,r,x,b,rateA,rateB,rateC,ratio,angle,status\n"
               "99999999999999999999,2,0.01,0.03,0,0,0,0,0,0,1\n");
  const std::string problems = case_problems(folder);
  CHECK(contains(problems, "bus.csv:2: bus_i: must be a positive whole number up to 2147483647, got 1e+20"));
  CHECK_THROWS_AS(read_case(folder.path()), ConfigError);
}

TEST_CASE("a bus cut off by an open branch is reported as islanded") {
  const CaseFolder folder("islanded");
  folder.write("branch.csv",
               "fbus,tbus,r,x,b,rateA,rateB,rateC,ratio,angle,status\n"
               "1,2,0.01,0.03,0,0,0,0,0,0,1\n"
               "2,3,0.01,0.03,0,0,0,0,0,0,0\n");
  CHECK(contains(case_problems(folder), "bus.csv:4: bus_i: bus 3 is islanded"));
}

TEST_CASE("a branch in service with zero impedance or negative resistance is reported") {
  const CaseFolder folder("zero_impedance");
  folder.write("branch.csv",
               "fbus,tbus,r,x,b,rateA,rateB,rateC,ratio,angle,status\n"
               "1,2,0,0,0,0,0,0,0,0,1\n"
               "2,3,-0.01,0.03,0,0,0,0,0,0,1\n");
  const std::string problems = case_problems(folder);
  CHECK(contains(problems, "branch.csv:2: x: zero impedance"));
  CHECK(contains(problems, "branch.csv:3: r: must not be negative"));
}

TEST_CASE("a missing file is reported by name") {
  const CaseFolder folder("missing_file");
  fs::remove(fs::path(folder.path()) / "gen.csv");
  CHECK(contains(case_problems(folder), "gen.csv: no such readable file"));
}
