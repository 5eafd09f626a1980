#include "grid/powerflow.hpp"

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <Eigen/SparseLU>
#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <mutex>
#include <numbers>
#include <utility>

#include "core/error.hpp"

namespace sandan {

namespace {

using Complex = std::complex<double>;
using SparseMatrix = Eigen::SparseMatrix<double>;
using SparseLu = Eigen::SparseLU<SparseMatrix, Eigen::COLAMDOrdering<int>>;

constexpr double kDegPerRad = 180.0 / std::numbers::pi;
constexpr Complex kJ{0.0, 1.0};

enum class Role { kNone, kSlack, kPv, kPq };

// Power mismatch S(V) - S_spec at the buses whose equations are solved: P at PV and PQ buses, Q at
// PQ buses (MATPOWER newtonpf); its infinity norm and where it is.
struct Mismatch {
  double norm_pu = std::numeric_limits<double>::infinity();
  int bus = -1;
};

}  // namespace

std::string to_string(PowerFlowMethod method) {
  switch (method) {
    case PowerFlowMethod::kAuto:
      return "auto";
    case PowerFlowMethod::kNewtonRaphson:
      return "newton-raphson";
    case PowerFlowMethod::kNewtonRaphsonDense:
      return "newton-raphson-dense";
    case PowerFlowMethod::kBackwardForwardSweep:
      return "backward-forward-sweep";
  }
  return "unknown";
}

struct PowerFlowSolver::Impl {
  Network network;
  PowerFlowOptions options;
  int bus_count = 0;

  // Bus admittance matrix in compressed rows, diagonal always stored (MATPOWER makeYbus).
  std::vector<int> y_start;
  std::vector<int> y_col;
  std::vector<Complex> y_val;
  // Two-port admittances of each branch (zero when out of service): I_f = yff V_f + yft V_t,
  // I_t = ytf V_f + ytt V_t.
  std::vector<Complex> yff, yft, ytf, ytt;
  std::vector<Complex> y_shunt;  // bus shunts, p.u.

  std::vector<Role> role;
  std::vector<int> solved_buses;  // PV and PQ buses, in bus order
  std::vector<int> theta_index;   // Jacobian column (and P row) of each bus's angle, -1 if none
  std::vector<int> vm_index;      // Jacobian column (and Q row) of each bus's magnitude, -1 if none
  int dimension = 0;
  std::vector<Complex> s_gen_pu;  // scheduled generation at each bus
  std::vector<double> v_set_pu;   // magnitudes held at PV and slack buses

  // Jacobian sparsity and, for each stored admittance, the value slots of its four Jacobian entries
  // (dP/dθ, dP/dVm, dQ/dθ, dQ/dVm), -1 where the entry does not exist.
  SparseMatrix jacobian_pattern;
  std::vector<std::array<int, 4>> jacobian_slot;

  // Analysed sparse LU solvers. Eigen's SparseLU is neither copyable nor safe to factorize from two
  // threads, so each concurrent solve() takes one from this pool (analysing a new one only when the
  // pool is empty) and gives it back: the symbolic analysis is done once per concurrent thread.
  mutable std::mutex pool_mutex;
  mutable std::vector<std::unique_ptr<SparseLu>> pool;

  // Feeder tree for the sweep: buses in breadth-first order from the slack (slack excluded), each
  // with its parent bus and the two-port of its parent branch seen from the parent side.
  bool radial = false;
  std::string not_radial;  // why not, naming the bus or branch, when radial is false
  int slack = -1;
  std::vector<int> tree_order;
  std::vector<int> parent;
  std::vector<Complex> sweep_a;  // I_parent-end = sweep_a V_parent - sweep_b J_child
  std::vector<Complex> sweep_b;
  std::vector<Complex> sweep_ycp;  // V_child = -(J_child + ycp V_parent) / ycc
  std::vector<Complex> sweep_ycc;

  void build_admittances();
  void classify_buses();
  void build_jacobian_pattern();
  void build_tree();

  [[nodiscard]] bool bus_active(int bus) const { return network.buses[bus].type != BusType::kIsolated; }
  [[nodiscard]] bool branch_active(const Branch& branch) const {
    return branch.in_service && bus_active(branch.from) && bus_active(branch.to);
  }

  void injections(const std::vector<Complex>& v, std::vector<Complex>& current) const;
  Mismatch mismatch(const std::vector<Complex>& v, const std::vector<Complex>& s_spec,
                    std::vector<Complex>& current, Eigen::VectorXd* f) const;
  void fill_jacobian(const std::vector<Complex>& v, const std::vector<Complex>& current,
                     SparseMatrix& jacobian) const;
  int newton(std::vector<Complex>& v, const std::vector<Complex>& s_spec, bool dense, Mismatch& last,
             bool& converged) const;
  int sweep(std::vector<Complex>& v, const std::vector<Complex>& s_spec, Mismatch& last,
            bool& converged) const;
  void fill_result(const std::vector<Complex>& v, std::span<const double> pd_mw,
                   std::span<const double> qd_mvar, PowerFlowResult& result) const;
  [[nodiscard]] PowerFlowResult run(std::span<const double> pd_mw, std::span<const double> qd_mvar,
                                    const PowerFlowResult* warm_start) const;
};

void PowerFlowSolver::Impl::build_admittances() {
  const auto n = static_cast<std::size_t>(bus_count);
  std::vector<std::vector<std::pair<int, Complex>>> rows(n);
  const auto add = [&](int i, int k, Complex y) {
    auto& row = rows[static_cast<std::size_t>(i)];
    for (auto& [col, val] : row) {
      if (col == k) {
        val += y;
        return;
      }
    }
    row.emplace_back(k, y);
  };
  y_shunt.assign(n, Complex{});
  for (int i = 0; i < bus_count; ++i) {
    const Bus& bus = network.buses[static_cast<std::size_t>(i)];
    // Shunts are given as MW and MVAr at 1 p.u. (MATPOWER manual, table B-1).
    if (bus_active(i))
      y_shunt[static_cast<std::size_t>(i)] = Complex(bus.gs_mw, bus.bs_mvar) / network.base_mva;
    add(i, i, y_shunt[static_cast<std::size_t>(i)]);
  }
  const std::size_t m = network.branches.size();
  yff.assign(m, Complex{});
  yft.assign(m, Complex{});
  ytf.assign(m, Complex{});
  ytt.assign(m, Complex{});
  for (std::size_t b = 0; b < m; ++b) {
    const Branch& branch = network.branches[b];
    if (!branch_active(branch)) continue;
    // MATPOWER makeYbus: pi model with the ideal transformer (ratio tap∠shift) at the from end.
    const Complex ys = 1.0 / Complex(branch.r_pu, branch.x_pu);
    const double tap_ratio = branch.tap == 0.0 ? 1.0 : branch.tap;
    const Complex tap = std::polar(tap_ratio, branch.shift_deg / kDegPerRad);
    const Complex charging = kJ * (branch.b_pu / 2.0);
    ytt[b] = ys + charging;
    yff[b] = ytt[b] / std::norm(tap);
    yft[b] = -ys / std::conj(tap);
    ytf[b] = -ys / tap;
    add(branch.from, branch.from, yff[b]);
    add(branch.from, branch.to, yft[b]);
    add(branch.to, branch.from, ytf[b]);
    add(branch.to, branch.to, ytt[b]);
  }
  y_start.assign(n + 1, 0);
  y_col.clear();
  y_val.clear();
  for (std::size_t i = 0; i < n; ++i) {
    auto& row = rows[i];
    std::sort(row.begin(), row.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [col, val] : row) {
      y_col.push_back(col);
      y_val.push_back(val);
    }
    y_start[i + 1] = static_cast<int>(y_col.size());
  }
}

void PowerFlowSolver::Impl::classify_buses() {
  const auto n = static_cast<std::size_t>(bus_count);
  std::vector<bool> has_generator(n, false);
  s_gen_pu.assign(n, Complex{});
  v_set_pu.assign(n, 0.0);
  for (const Generator& gen : network.generators) {
    if (!gen.in_service || !bus_active(gen.bus)) continue;
    const auto bus = static_cast<std::size_t>(gen.bus);
    has_generator[bus] = true;
    s_gen_pu[bus] += Complex(gen.pg_mw, gen.qg_mvar) / network.base_mva;
  }
  role.assign(n, Role::kNone);
  for (std::size_t i = 0; i < n; ++i) {
    const Bus& bus = network.buses[i];
    v_set_pu[i] = bus.vm_pu;
    switch (bus.type) {
      case BusType::kSlack:
        role[i] = Role::kSlack;
        break;
      // A PV bus without a generator in service holds nothing: MATPOWER bustypes makes it PQ.
      case BusType::kPv:
        role[i] = has_generator[i] ? Role::kPv : Role::kPq;
        break;
      case BusType::kPq:
        role[i] = Role::kPq;
        break;
      case BusType::kIsolated:
        break;
    }
  }
  // The set point of a voltage-controlled bus is its generators' Vg, the last one's when there are
  // several (MATPOWER runpf assigns them in order).
  for (const Generator& gen : network.generators) {
    if (!gen.in_service || !bus_active(gen.bus)) continue;
    const auto bus = static_cast<std::size_t>(gen.bus);
    if (role[bus] == Role::kSlack || role[bus] == Role::kPv) v_set_pu[bus] = gen.vg_pu;
  }
  theta_index.assign(n, -1);
  vm_index.assign(n, -1);
  solved_buses.clear();
  int next = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (role[i] == Role::kPv || role[i] == Role::kPq) {
      theta_index[i] = next++;
      solved_buses.push_back(static_cast<int>(i));
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (role[i] == Role::kPq) vm_index[i] = next++;
  }
  dimension = next;
}

void PowerFlowSolver::Impl::build_jacobian_pattern() {
  // Entries as (column, row), then compressed by hand: the Jacobian has an entry wherever Y does, in
  // each of its four blocks that the bus roles keep.
  std::vector<std::pair<int, int>> entries;
  for (int i = 0; i < bus_count; ++i) {
    const int p_row = theta_index[static_cast<std::size_t>(i)];
    const int q_row = vm_index[static_cast<std::size_t>(i)];
    if (p_row < 0) continue;
    for (int e = y_start[static_cast<std::size_t>(i)]; e < y_start[static_cast<std::size_t>(i) + 1]; ++e) {
      const auto k = static_cast<std::size_t>(y_col[static_cast<std::size_t>(e)]);
      for (const int row : {p_row, q_row}) {
        if (row < 0) continue;
        for (const int col : {theta_index[k], vm_index[k]}) {
          if (col >= 0) entries.emplace_back(col, row);
        }
      }
    }
  }
  std::sort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  std::vector<int> outer(static_cast<std::size_t>(dimension) + 1, 0);
  std::vector<int> inner;
  inner.reserve(entries.size());
  for (const auto& [col, row] : entries) {
    ++outer[static_cast<std::size_t>(col) + 1];
    inner.push_back(row);
  }
  for (std::size_t c = 0; c < static_cast<std::size_t>(dimension); ++c) outer[c + 1] += outer[c];
  const std::vector<double> zeros(inner.size(), 0.0);
  jacobian_pattern = Eigen::Map<const SparseMatrix>(dimension, dimension, static_cast<int>(inner.size()),
                                                    outer.data(), inner.data(), zeros.data());
  jacobian_pattern.makeCompressed();
  const auto slot = [&](int row, int col) {
    if (row < 0 || col < 0) return -1;
    const int* rows = jacobian_pattern.innerIndexPtr();
    const int begin = jacobian_pattern.outerIndexPtr()[col];
    const int end = jacobian_pattern.outerIndexPtr()[col + 1];
    const int* found = std::lower_bound(rows + begin, rows + end, row);
    return static_cast<int>(found - rows);
  };
  jacobian_slot.assign(y_col.size(), {-1, -1, -1, -1});
  for (int i = 0; i < bus_count; ++i) {
    const int p_row = theta_index[static_cast<std::size_t>(i)];
    const int q_row = vm_index[static_cast<std::size_t>(i)];
    if (p_row < 0) continue;
    for (int e = y_start[static_cast<std::size_t>(i)]; e < y_start[static_cast<std::size_t>(i) + 1]; ++e) {
      const auto k = static_cast<std::size_t>(y_col[static_cast<std::size_t>(e)]);
      jacobian_slot[static_cast<std::size_t>(e)] = {slot(p_row, theta_index[k]), slot(p_row, vm_index[k]),
                                                    slot(q_row, theta_index[k]), slot(q_row, vm_index[k])};
    }
  }
  auto prototype = std::make_unique<SparseLu>();
  prototype->analyzePattern(jacobian_pattern);
  pool.push_back(std::move(prototype));
}

void PowerFlowSolver::Impl::build_tree() {
  const auto n = static_cast<std::size_t>(bus_count);
  radial = false;
  tree_order.clear();
  parent.assign(n, -1);
  sweep_a.assign(n, Complex{});
  sweep_b.assign(n, Complex{});
  sweep_ycp.assign(n, Complex{});
  sweep_ycc.assign(n, Complex{});
  int slack_count = 0;
  int active_count = 0;
  int first_pv = -1;
  for (std::size_t i = 0; i < n; ++i) {
    if (role[i] == Role::kSlack) {
      ++slack_count;
      slack = static_cast<int>(i);
    }
    // The sweep has no PV buses; the tree is still walked below, to name a loop first.
    if (role[i] == Role::kPv && first_pv < 0) first_pv = static_cast<int>(i);
    if (role[i] != Role::kNone) ++active_count;
  }
  if (slack_count != 1) {
    not_radial = "the network has " + std::to_string(slack_count) + " slack buses, not one";
    return;
  }
  std::vector<std::vector<int>> incident(n);
  for (std::size_t b = 0; b < network.branches.size(); ++b) {
    const Branch& branch = network.branches[b];
    if (!branch_active(branch)) continue;
    incident[static_cast<std::size_t>(branch.from)].push_back(static_cast<int>(b));
    incident[static_cast<std::size_t>(branch.to)].push_back(static_cast<int>(b));
  }
  std::vector<int> parent_branch(n, -1);
  std::vector<bool> seen(n, false);
  seen[static_cast<std::size_t>(slack)] = true;
  std::vector<int> queue{slack};
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const int p = queue[head];
    for (const int b : incident[static_cast<std::size_t>(p)]) {
      if (b == parent_branch[static_cast<std::size_t>(p)]) continue;
      const Branch& branch = network.branches[static_cast<std::size_t>(b)];
      const int c = branch.from == p ? branch.to : branch.from;
      const auto ci = static_cast<std::size_t>(c);
      if (seen[ci]) {  // a loop or parallel branches
        const std::string name = branch.id.empty() ? std::to_string(b + 1) : branch.id;
        not_radial = "branch " + name + " (bus " + network.buses[static_cast<std::size_t>(branch.from)].id +
                     " to bus " + network.buses[static_cast<std::size_t>(branch.to)].id +
                     ") closes a loop: the network is meshed";
        return;
      }
      seen[ci] = true;
      parent[ci] = p;
      parent_branch[ci] = b;
      queue.push_back(c);
      tree_order.push_back(c);
      const auto bi = static_cast<std::size_t>(b);
      const bool forward = branch.from == p;
      const Complex ypp = forward ? yff[bi] : ytt[bi];
      const Complex ypc = forward ? yft[bi] : ytf[bi];
      const Complex ycp = forward ? ytf[bi] : yft[bi];
      const Complex ycc = forward ? ytt[bi] : yff[bi];
      sweep_a[ci] = ypp - ypc * ycp / ycc;
      sweep_b[ci] = ypc / ycc;
      sweep_ycp[ci] = ycp;
      sweep_ycc[ci] = ycc;
    }
  }
  if (first_pv >= 0) {
    not_radial = "bus " + network.buses[static_cast<std::size_t>(first_pv)].id +
                 " is a PV bus (a generator holds its voltage)";
    return;
  }
  radial = static_cast<int>(queue.size()) == active_count;
  if (!radial) not_radial = "some buses are not reached from the slack bus";
}

void PowerFlowSolver::Impl::injections(const std::vector<Complex>& v, std::vector<Complex>& current) const {
  current.assign(v.size(), Complex{});
  for (std::size_t i = 0; i < v.size(); ++i) {
    Complex sum{};
    for (int e = y_start[i]; e < y_start[i + 1]; ++e) {
      sum += y_val[static_cast<std::size_t>(e)] *
             v[static_cast<std::size_t>(y_col[static_cast<std::size_t>(e)])];
    }
    current[i] = sum;
  }
}

Mismatch PowerFlowSolver::Impl::mismatch(const std::vector<Complex>& v, const std::vector<Complex>& s_spec,
                                         std::vector<Complex>& current, Eigen::VectorXd* f) const {
  injections(v, current);
  Mismatch worst{0.0, -1};
  bool finite = true;
  for (const int bus : solved_buses) {
    const auto i = static_cast<std::size_t>(bus);
    const Complex mis = v[i] * std::conj(current[i]) - s_spec[i];
    const double p_mis = mis.real();
    const double q_mis = role[i] == Role::kPq ? mis.imag() : 0.0;
    if (f != nullptr) {
      (*f)[theta_index[i]] = p_mis;
      if (vm_index[i] >= 0) (*f)[vm_index[i]] = q_mis;
    }
    const double size = std::max(std::abs(p_mis), std::abs(q_mis));
    if (!std::isfinite(size)) finite = false;
    if (size > worst.norm_pu || worst.bus < 0) worst = {size, bus};
  }
  if (!finite) worst.norm_pu = std::numeric_limits<double>::infinity();
  return worst;
}

void PowerFlowSolver::Impl::fill_jacobian(const std::vector<Complex>& v, const std::vector<Complex>& current,
                                          SparseMatrix& jacobian) const {
  // Partial derivatives of the complex bus injections (MATPOWER dSbus_dV, polar form):
  //   dS/dθ = j diag(V) conj(diag(I) - Y diag(V)),  dS/dVm = diag(V) conj(Y diag(V/|V|)) + conj(diag(I))
  //   diag(V/|V|).
  double* values = jacobian.valuePtr();
  std::fill(values, values + jacobian.nonZeros(), 0.0);
  for (const int bus : solved_buses) {
    const auto i = static_cast<std::size_t>(bus);
    for (int e = y_start[i]; e < y_start[i + 1]; ++e) {
      const auto ei = static_cast<std::size_t>(e);
      const auto k = static_cast<std::size_t>(y_col[ei]);
      const Complex vk_unit = v[k] / std::abs(v[k]);
      Complex ds_dtheta = -kJ * v[i] * std::conj(y_val[ei] * v[k]);
      Complex ds_dvm = v[i] * std::conj(y_val[ei] * vk_unit);
      if (k == i) {
        ds_dtheta += kJ * v[i] * std::conj(current[i]);
        ds_dvm += std::conj(current[i]) * vk_unit;
      }
      const auto& slot = jacobian_slot[ei];
      if (slot[0] >= 0) values[slot[0]] += ds_dtheta.real();
      if (slot[1] >= 0) values[slot[1]] += ds_dvm.real();
      if (slot[2] >= 0) values[slot[2]] += ds_dtheta.imag();
      if (slot[3] >= 0) values[slot[3]] += ds_dvm.imag();
    }
  }
}

int PowerFlowSolver::Impl::newton(std::vector<Complex>& v, const std::vector<Complex>& s_spec, bool dense,
                                  Mismatch& last, bool& converged) const {
  // Full Newton-Raphson in polar coordinates (Tinney & Hart 1967), step for step as MATPOWER newtonpf:
  // unknowns θ at PV and PQ buses and Vm at PQ buses, convergence on the infinity norm of the mismatch.
  Eigen::VectorXd f(dimension);
  std::vector<Complex> current;
  last = mismatch(v, s_spec, current, &f);
  converged = last.norm_pu < options.tolerance_pu;
  if (dimension == 0) return 0;

  std::unique_ptr<SparseLu> lu;
  if (!dense) {
    const std::lock_guard<std::mutex> lock(pool_mutex);
    if (!pool.empty()) {
      lu = std::move(pool.back());
      pool.pop_back();
    }
  }
  if (!dense && !lu) {
    lu = std::make_unique<SparseLu>();
    lu->analyzePattern(jacobian_pattern);
  }
  SparseMatrix jacobian = jacobian_pattern;
  std::vector<double> vm(v.size());
  std::vector<double> va(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    vm[i] = std::abs(v[i]);
    va[i] = std::arg(v[i]);
  }
  int iteration = 0;
  while (!converged && iteration < options.max_newton_iterations) {
    ++iteration;
    fill_jacobian(v, current, jacobian);
    Eigen::VectorXd dx;
    if (dense) {
      const Eigen::MatrixXd full = Eigen::MatrixXd(jacobian);
      dx = full.partialPivLu().solve(-f);
    } else {
      lu->factorize(jacobian);
      if (lu->info() != Eigen::Success) break;
      dx = lu->solve(-f);
    }
    if (!dx.allFinite()) break;
    for (const int bus : solved_buses) {
      const auto i = static_cast<std::size_t>(bus);
      va[i] += dx[theta_index[i]];
      if (vm_index[i] >= 0) vm[i] += dx[vm_index[i]];
      v[i] = std::polar(vm[i], va[i]);
      vm[i] = std::abs(v[i]);
      va[i] = std::arg(v[i]);
    }
    const Mismatch next = mismatch(v, s_spec, current, &f);
    if (!std::isfinite(next.norm_pu)) break;
    last = next;
    converged = last.norm_pu < options.tolerance_pu;
  }
  if (lu) {
    const std::lock_guard<std::mutex> lock(pool_mutex);
    pool.push_back(std::move(lu));
  }
  return iteration;
}

int PowerFlowSolver::Impl::sweep(std::vector<Complex>& v, const std::vector<Complex>& s_spec, Mismatch& last,
                                 bool& converged) const {
  // Current-summation backward-forward sweep (Shirmohammadi et al. 1988), generalised to the full
  // two-port of each branch so that line charging, taps and shifts are exact: with J_c the current
  // drawn by the subtree below bus c, the parent branch gives V_c = -(J_c + Y_cp V_p) / Y_cc and draws
  // I_p = Y_pp V_p + Y_pc V_c from its parent. Constant-power loads are currents conj(S / V).
  std::vector<Complex> current;
  last = mismatch(v, s_spec, current, nullptr);
  converged = last.norm_pu < options.tolerance_pu;
  std::vector<Complex> drawn(v.size());
  int iteration = 0;
  while (!converged && iteration < options.max_sweeps) {
    ++iteration;
    std::fill(drawn.begin(), drawn.end(), Complex{});
    for (auto it = tree_order.rbegin(); it != tree_order.rend(); ++it) {
      const auto c = static_cast<std::size_t>(*it);
      const auto p = static_cast<std::size_t>(parent[c]);
      drawn[c] += std::conj(-s_spec[c] / v[c]) + y_shunt[c] * v[c];
      drawn[p] += sweep_a[c] * v[p] - sweep_b[c] * drawn[c];
    }
    for (const int bus : tree_order) {
      const auto c = static_cast<std::size_t>(bus);
      v[c] = -(drawn[c] + sweep_ycp[c] * v[static_cast<std::size_t>(parent[c])]) / sweep_ycc[c];
    }
    const Mismatch next = mismatch(v, s_spec, current, nullptr);
    if (!std::isfinite(next.norm_pu)) break;
    last = next;
    converged = last.norm_pu < options.tolerance_pu;
  }
  return iteration;
}

void PowerFlowSolver::Impl::fill_result(const std::vector<Complex>& v, std::span<const double> pd_mw,
                                        std::span<const double> qd_mvar, PowerFlowResult& result) const {
  const double base = network.base_mva;
  const auto n = v.size();
  result.vm_pu.resize(n);
  result.va_deg.resize(n);
  result.vmin_pu = std::numeric_limits<double>::infinity();
  result.vmax_pu = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < n; ++i) {
    result.vm_pu[i] = std::abs(v[i]);
    result.va_deg[i] = std::arg(v[i]) * kDegPerRad;
    if (role[i] == Role::kNone) continue;
    if (result.vm_pu[i] < result.vmin_pu) {
      result.vmin_pu = result.vm_pu[i];
      result.vmin_bus = static_cast<int>(i);
    }
    if (result.vm_pu[i] > result.vmax_pu) {
      result.vmax_pu = result.vm_pu[i];
      result.vmax_bus = static_cast<int>(i);
    }
  }
  const std::size_t m = network.branches.size();
  result.pf_mw.assign(m, 0.0);
  result.qf_mvar.assign(m, 0.0);
  result.pt_mw.assign(m, 0.0);
  result.qt_mvar.assign(m, 0.0);
  result.loading.assign(m, 0.0);
  result.total_loss_mw = 0.0;
  for (std::size_t b = 0; b < m; ++b) {
    const Branch& branch = network.branches[b];
    if (!branch_active(branch)) continue;
    const Complex vf = v[static_cast<std::size_t>(branch.from)];
    const Complex vt = v[static_cast<std::size_t>(branch.to)];
    const Complex sf = vf * std::conj(yff[b] * vf + yft[b] * vt) * base;
    const Complex st = vt * std::conj(ytf[b] * vf + ytt[b] * vt) * base;
    result.pf_mw[b] = sf.real();
    result.qf_mvar[b] = sf.imag();
    result.pt_mw[b] = st.real();
    result.qt_mvar[b] = st.imag();
    if (branch.rate_a_mva > 0.0) result.loading[b] = std::max(std::abs(sf), std::abs(st)) / branch.rate_a_mva;
    result.total_loss_mw += sf.real() + st.real();
  }

  // Generator dispatch after convergence (MATPOWER pfsoln): Q at every bus with generators and P at
  // the slack from the bus injection; several generators at a bus share Q in proportion to their
  // reactive ranges (equally when the ranges are zero); the slack's first generator takes the P balance.
  std::vector<Complex> current;
  injections(v, current);
  const std::size_t g_count = network.generators.size();
  result.pg_mw.assign(g_count, 0.0);
  result.qg_mvar.assign(g_count, 0.0);
  std::vector<double> q_total(n, 0.0);
  std::vector<double> q_min_sum(n, 0.0);
  std::vector<double> q_range_sum(n, 0.0);
  std::vector<int> gen_count(n, 0);
  std::vector<double> p_other(n, 0.0);
  std::vector<int> first_gen(n, -1);
  for (std::size_t g = 0; g < g_count; ++g) {
    const Generator& gen = network.generators[g];
    if (!gen.in_service || !bus_active(gen.bus)) continue;
    const auto i = static_cast<std::size_t>(gen.bus);
    const Complex s_inj = v[i] * std::conj(current[i]) * base;
    q_total[i] = s_inj.imag() + qd_mvar[i];
    q_min_sum[i] += gen.qmin_mvar;
    q_range_sum[i] += std::abs(gen.qmax_mvar - gen.qmin_mvar);
    ++gen_count[i];
    result.pg_mw[g] = gen.pg_mw;
    if (first_gen[i] < 0) {
      first_gen[i] = static_cast<int>(g);
    } else {
      p_other[i] += gen.pg_mw;
    }
  }
  for (std::size_t g = 0; g < g_count; ++g) {
    const Generator& gen = network.generators[g];
    if (!gen.in_service || !bus_active(gen.bus)) continue;
    const auto i = static_cast<std::size_t>(gen.bus);
    if (gen_count[i] == 1) {
      result.qg_mvar[g] = q_total[i];
    } else if (q_range_sum[i] > 0.0) {
      result.qg_mvar[g] = gen.qmin_mvar + (q_total[i] - q_min_sum[i]) / q_range_sum[i] *
                                              std::abs(gen.qmax_mvar - gen.qmin_mvar);
    } else {
      result.qg_mvar[g] = q_total[i] / gen_count[i];
    }
    if (role[i] == Role::kSlack && first_gen[i] == static_cast<int>(g)) {
      const Complex s_inj = v[i] * std::conj(current[i]) * base;
      result.pg_mw[g] = s_inj.real() + pd_mw[i] - p_other[i];
    }
  }
}

PowerFlowResult PowerFlowSolver::Impl::run(std::span<const double> pd_mw, std::span<const double> qd_mvar,
                                           const PowerFlowResult* warm_start) const {
  PowerFlowResult result;
  PowerFlowMethod method = options.method;
  if (method == PowerFlowMethod::kAuto) {
    method = radial ? PowerFlowMethod::kBackwardForwardSweep : PowerFlowMethod::kNewtonRaphson;
  }
  result.method = method;
  result.max_mismatch_pu = std::numeric_limits<double>::infinity();
  const auto n = static_cast<std::size_t>(bus_count);
  if (pd_mw.size() != n || qd_mvar.size() != n) return result;
  if (method == PowerFlowMethod::kBackwardForwardSweep && !radial) {
    result.refused =
        "the backward/forward sweep needs a radial network with one slack bus and no PV bus, "
        "and here " +
        not_radial + "; use Newton-Raphson (sandan powerflow --method nr, or auto)";
    return result;
  }

  std::vector<Complex> s_spec(n);
  for (std::size_t i = 0; i < n; ++i) {
    s_spec[i] = s_gen_pu[i] - Complex(pd_mw[i], qd_mvar[i]) / network.base_mva;
  }
  const bool warm = warm_start != nullptr && warm_start->converged && warm_start->vm_pu.size() == n &&
                    warm_start->va_deg.size() == n;
  std::vector<Complex> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Bus& bus = network.buses[i];
    double vm = options.flat_start ? 1.0 : bus.vm_pu;
    double va = options.flat_start ? 0.0 : bus.va_deg;
    if (warm) {
      vm = warm_start->vm_pu[i];
      va = warm_start->va_deg[i];
    }
    if (role[i] == Role::kSlack || role[i] == Role::kPv) vm = v_set_pu[i];
    v[i] = std::polar(vm, va / kDegPerRad);
  }

  Mismatch last;
  bool converged = false;
  if (method == PowerFlowMethod::kBackwardForwardSweep) {
    result.iterations = sweep(v, s_spec, last, converged);
  } else {
    result.iterations = newton(v, s_spec, method == PowerFlowMethod::kNewtonRaphsonDense, last, converged);
  }
  result.converged = converged;
  result.max_mismatch_pu = last.norm_pu;
  result.worst_bus = last.bus;
  fill_result(v, pd_mw, qd_mvar, result);
  return result;
}

PowerFlowSolver::PowerFlowSolver(const Network& network, const PowerFlowOptions& options)
    : impl_(std::make_unique<Impl>()) {
  std::vector<std::string> problems;
  const int n = static_cast<int>(network.buses.size());
  bool has_slack = false;
  for (const Bus& bus : network.buses) has_slack = has_slack || bus.type == BusType::kSlack;
  if (!has_slack) problems.emplace_back("the network has no slack bus");
  if (!(network.base_mva > 0.0)) problems.emplace_back("base_mva must be positive");
  for (std::size_t b = 0; b < network.branches.size(); ++b) {
    const Branch& branch = network.branches[b];
    if (branch.from < 0 || branch.from >= n || branch.to < 0 || branch.to >= n) {
      problems.push_back("branch " + std::to_string(b) + ": refers to a bus the network lacks");
    } else if (branch.in_service && branch.r_pu == 0.0 && branch.x_pu == 0.0) {
      problems.push_back("branch " + std::to_string(b) + ": zero impedance");
    }
  }
  for (std::size_t g = 0; g < network.generators.size(); ++g) {
    const int bus = network.generators[g].bus;
    if (bus < 0 || bus >= n)
      problems.push_back("generator " + std::to_string(g) + ": refers to a bus the network lacks");
  }
  if (!problems.empty()) throw ConfigError("power flow: invalid network '" + network.name + "'", problems);

  Impl& impl = *impl_;
  impl.network = network;
  impl.options = options;
  impl.bus_count = n;
  impl.build_admittances();
  impl.classify_buses();
  impl.build_jacobian_pattern();
  impl.build_tree();
}

PowerFlowSolver::~PowerFlowSolver() = default;
PowerFlowSolver::PowerFlowSolver(PowerFlowSolver&&) noexcept = default;
PowerFlowSolver& PowerFlowSolver::operator=(PowerFlowSolver&&) noexcept = default;

PowerFlowResult PowerFlowSolver::solve(std::span<const double> pd_mw, std::span<const double> qd_mvar,
                                       const PowerFlowResult* warm_start) const {
  try {
    return impl_->run(pd_mw, qd_mvar, warm_start);
  } catch (const std::exception&) {
    // Only allocation can fail here; report it as a power flow that did not converge.
    PowerFlowResult result;
    result.max_mismatch_pu = std::numeric_limits<double>::infinity();
    return result;
  }
}

PowerFlowResult PowerFlowSolver::solve() const {
  std::vector<double> pd_mw;
  std::vector<double> qd_mvar;
  try {
    for (const Bus& bus : impl_->network.buses) {
      pd_mw.push_back(bus.pd_mw);
      qd_mvar.push_back(bus.qd_mvar);
    }
  } catch (const std::exception&) {
    PowerFlowResult result;
    result.max_mismatch_pu = std::numeric_limits<double>::infinity();
    return result;
  }
  return solve(pd_mw, qd_mvar);
}

bool PowerFlowSolver::radial() const noexcept { return impl_->radial; }

const Network& PowerFlowSolver::network() const noexcept { return impl_->network; }

PowerFlowResult solve_power_flow(const Network& network, const PowerFlowOptions& options) {
  return PowerFlowSolver(network, options).solve();
}

}  // namespace sandan
