// grid/powerflow: the AC power flow of a Network, as MATPOWER's runpf computes it (Zimmerman, Murillo-
// Sánchez & Thomas 2011; MATPOWER manual, ch. 4): the bus admittance matrix of makeYbus, full
// Newton-Raphson in polar coordinates (Tinney & Hart 1967) and, for radial feeders, the current-
// summation backward-forward sweep (Shirmohammadi, Hong, Semlyen & Luo 1988).
//
// Built for time series: PowerFlowSolver analyses a network once (admittances, Jacobian sparsity,
// symbolic LU, feeder tree) and then solves any number of hours with other loads. solve() is const,
// never throws and is safe to call from several threads at once.
//
// Limits: generators' reactive limits are not enforced (MATPOWER's pf.enforce_q_lims = 0): a PV bus
// holds its voltage whatever reactive power that takes; Qg is reported after convergence. Generators'
// active power is the case's Pg; the slack buses take the balance and the losses.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "grid/network.hpp"

namespace sandan {

enum class PowerFlowMethod {
  kAuto,                  // backward-forward sweep when the network is radial, Newton-Raphson otherwise
  kNewtonRaphson,         // sparse Jacobian, sparse LU
  kNewtonRaphsonDense,    // dense Jacobian and dense LU: a baseline for benchmarks and cross-checks
  kBackwardForwardSweep,  // radial networks only; other networks return converged = false
};

std::string to_string(PowerFlowMethod method);

struct PowerFlowOptions {
  PowerFlowMethod method = PowerFlowMethod::kAuto;
  // Convergence: infinity norm of the bus power mismatch, p.u. on the network's base (MATPOWER pf.tol).
  double tolerance_pu = 1e-8;
  int max_newton_iterations = 20;
  int max_sweeps = 100;
  // Start from 1.0 p.u. and 0° (generator set points kept) instead of the case's Vm/Va.
  bool flat_start = false;
};

struct PowerFlowResult {
  bool converged = false;
  int iterations = 0;  // Newton steps or sweeps
  PowerFlowMethod method = PowerFlowMethod::kNewtonRaphson;
  // Per bus, in network order.
  std::vector<double> vm_pu;
  std::vector<double> va_deg;
  // Per branch, in network order; 0 for branches out of service. Flows enter the branch at its end.
  std::vector<double> pf_mw;
  std::vector<double> qf_mvar;
  std::vector<double> pt_mw;
  std::vector<double> qt_mvar;
  std::vector<double> loading;  // max(|Sf|, |St|) / rate_a; 0 when the branch has no rating
  // Per generator; 0 for generators out of service.
  std::vector<double> pg_mw;
  std::vector<double> qg_mvar;
  double total_loss_mw = 0.0;    // sum of Pf + Pt over branches in service (series I²R)
  double max_mismatch_pu = 0.0;  // at the last iterate
  int worst_bus = -1;            // bus index of max_mismatch_pu
  double vmin_pu = 0.0;
  int vmin_bus = -1;
  double vmax_pu = 0.0;
  int vmax_bus = -1;
  // Why the method could not be used on this network (not converged, 0 iterations), naming the bus or
  // branch: e.g. the sweep on a meshed network. Empty otherwise.
  std::string refused;
};

class PowerFlowSolver {
 public:
  // Analyses the network. Throws ConfigError if it has no slack bus or refers to buses it lacks
  // (read_case reports those with file and line first). The network is copied.
  explicit PowerFlowSolver(const Network& network, const PowerFlowOptions& options = {});
  ~PowerFlowSolver();
  PowerFlowSolver(const PowerFlowSolver&) = delete;
  PowerFlowSolver& operator=(const PowerFlowSolver&) = delete;
  PowerFlowSolver(PowerFlowSolver&&) noexcept;
  PowerFlowSolver& operator=(PowerFlowSolver&&) noexcept;

  // One power flow with these bus loads (MW, MVAr; one a bus, in network order; a size mismatch
  // returns converged = false). A converged warm start from the same network is the starting point
  // instead of the case's voltages. Thread-safe; never throws.
  [[nodiscard]] PowerFlowResult solve(std::span<const double> pd_mw, std::span<const double> qd_mvar,
                                      const PowerFlowResult* warm_start = nullptr) const;
  // With the loads of the network itself.
  [[nodiscard]] PowerFlowResult solve() const;

  // Every bus has one path to the single slack, and no bus but the slack holds its voltage.
  [[nodiscard]] bool radial() const noexcept;
  [[nodiscard]] const Network& network() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One power flow of the network with its own loads.
PowerFlowResult solve_power_flow(const Network& network, const PowerFlowOptions& options = {});

}  // namespace sandan
