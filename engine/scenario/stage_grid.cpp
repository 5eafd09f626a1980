// The grid stage: the 22.9 kV power flow of every hour, violations per feeder and hosting capacity.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "energy/rooftop_pv.hpp"
#include "gis/synth.hpp"
#include "grid/powerflow.hpp"
#include "scenario/stages.hpp"

namespace sandan {

GridModel build_run_grid_model(const ScenarioSpec& spec, const SiteModel& model) {
  const std::vector<LineType> line_types = read_line_types(spec.grid.line_types);
  try {
    return build_grid_model(model.site, model.feeders, model.attachments, line_types);
  } catch (const ConfigError& e) {
    // The feeder model's problems are of the layout: name its file, and the line types file.
    std::vector<std::string> problems;
    for (const std::string& p : e.problems()) problems.push_back(spec.site + ": " + p);
    throw ConfigError(spec.site + ": " + e.headline() + " (line types: " + spec.grid.line_types + ")",
                      std::move(problems));
  }
}

namespace {

// The solvers of every substation network, and each one's converged solution at the year's mean loads,
// from which every hour starts (so results do not depend on the thread count).
struct GridSolvers {
  std::vector<PowerFlowSolver> solvers;
  std::vector<PowerFlowResult> warm;
};

GridSolvers prepare_solvers(const GridModel& model, const GridInjections& g, int hours) {
  const auto hours_z = static_cast<std::size_t>(hours);
  GridSolvers s;
  for (std::size_t n = 0; n < model.networks.size(); ++n) {
    const Network& net = model.networks[n].network;
    s.solvers.emplace_back(net);
    std::vector<double> pd(net.buses.size(), 0.0), qd(net.buses.size(), 0.0);
    for (std::size_t b = 0; b < net.buses.size(); ++b) {
      const std::size_t o = (g.bus_offset[n] + b) * hours_z;
      for (std::size_t h = 0; h < hours_z; ++h) {
        pd[b] += g.p_kw[o + h];
        qd[b] += g.q_kvar[o + h];
      }
      pd[b] /= 1000.0 * static_cast<double>(hours);
      qd[b] /= 1000.0 * static_cast<double>(hours);
    }
    s.warm.push_back(s.solvers.back().solve(pd, qd));
  }
  return s;
}

// PV hosting capacity of each feeder (docs/grid-model.md): the largest multiple s of the reference PV
// on the feeder's buses at which no bus rises above vmax and no segment of the feeder exceeds its
// rating, by bisection on s in [0, kMaxScale]. Only the hours with the strongest reverse flow can
// bind (PV output minus the feeder's load, at the reference PV), so each trial solves those hours.
double feeder_hosting_kwp(const ScenarioSpec& spec, const GridModel& model, const GridInjections& g,
                          int hours, const std::vector<double>& reference_kwp_bus,
                          const std::vector<float>& profile, const GridSolvers& s, std::size_t d) {
  constexpr double kMaxScale = 40.0;
  constexpr int kBisections = 14;
  constexpr std::size_t kCandidateHours = 48;
  const auto hours_z = static_cast<std::size_t>(hours);
  const auto n = static_cast<std::size_t>(model.feeder_substation[d]);
  const auto& sn = model.networks[n];
  const std::size_t nb = sn.network.buses.size();
  const auto on_feeder = [&](int feeder) { return feeder == static_cast<int>(d); };
  double feeder_kwp = 0.0;
  std::vector<double> reverse(hours_z, 0.0);
  for (std::size_t b = 0; b < nb; ++b) {
    if (!on_feeder(sn.bus_feeder[b])) continue;
    const std::size_t gb = g.bus_offset[n] + b;
    feeder_kwp += reference_kwp_bus[gb];
    for (std::size_t h = 0; h < hours_z; ++h)
      reverse[h] += reference_kwp_bus[gb] * profile[h] - g.p_kw[gb * hours_z + h];
  }
  if (feeder_kwp <= 0.0) return 0.0;
  std::vector<std::size_t> order(hours_z);
  for (std::size_t h = 0; h < hours_z; ++h) order[h] = h;
  const std::size_t keep = std::min(kCandidateHours, hours_z);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return reverse[a] != reverse[b] ? reverse[a] > reverse[b] : a < b;
                    });
  order.resize(keep);
  std::vector<double> pd(nb), qd(nb);
  auto violates = [&](double scale) {
    for (const std::size_t h : order) {
      for (std::size_t b = 0; b < nb; ++b) {
        const std::size_t gb = g.bus_offset[n] + b;
        const double extra_kw =
            on_feeder(sn.bus_feeder[b]) ? scale * reference_kwp_bus[gb] * profile[h] : 0.0;
        pd[b] = (g.p_kw[gb * hours_z + h] - extra_kw) / 1000.0;
        qd[b] = g.q_kvar[gb * hours_z + h] / 1000.0;
      }
      const PowerFlowResult r = s.solvers[n].solve(pd, qd, s.warm[n].converged ? &s.warm[n] : nullptr);
      if (!r.converged) return true;
      for (std::size_t b = 0; b < nb; ++b) {
        if (on_feeder(sn.bus_feeder[b]) && r.vm_pu[b] > spec.grid.vmax_pu) return true;
      }
      for (std::size_t k = 0; k < r.loading.size(); ++k) {
        if (on_feeder(sn.branch_feeder[k]) && r.loading[k] > spec.grid.max_loading) return true;
      }
    }
    return false;
  };
  // 0 when the feeder already violates without added PV; kMaxScale when even that does not bind.
  if (!violates(kMaxScale)) return kMaxScale * feeder_kwp;
  if (violates(0.0)) return 0.0;
  double scale = 0.0;
  double hi = kMaxScale;
  for (int i = 0; i < kBisections; ++i) {
    const double mid = 0.5 * (scale + hi);
    (violates(mid) ? hi : scale) = mid;
  }
  return scale * feeder_kwp;
}

// Hosting capacity is measured with PV spread over the roofs as a default rooftop_pv would place it
// (half of every roof, 10 m²/kWp), with the first intervention's orientation.
void hosting_capacity(const ScenarioSpec& spec, const RunInputs& in, const GridModel& model,
                      const GridInjections& g, const GridSolvers& s, int threads, GridResults& out) {
  RooftopPvSpec spread = spec.rooftop_pv.empty() ? RooftopPvSpec{} : spec.rooftop_pv.front().pv;
  spread.complexes.clear();
  spread.roof_share = 0.5;
  spread.m2_per_kwp = 10.0;
  spread.min_roof_m2 = 0.0;
  const std::vector<double> sized = size_rooftop_pv(in.model->site, spread);
  std::vector<double> reference_kwp_bus(g.buses, 0.0);
  for (std::size_t f = 0; f < sized.size(); ++f) {
    if (g.facility_bus[f] >= 0) reference_kwp_bus[static_cast<std::size_t>(g.facility_bus[f])] += sized[f];
  }
  const std::vector<float> profile = pv_ac_kw_per_kwp(in.weather, in.calendar, spread);
  const int hours = in.calendar.hours();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t d = 0; d < model.feeder_ids.size(); ++d) {
    out.hosting_capacity_kwp[d] = feeder_hosting_kwp(spec, model, g, hours, reference_kwp_bus, profile, s, d);
  }
}

// Every hour's power flow, parallel over tiles of hours. The series are bus-major ([bus][hour]), so
// a tile reads each bus's injections for its hours as one contiguous run and writes its voltages and
// loadings back the same way: solving hour by hour straight into the series would touch a new cache
// line (and page) for every bus of every hour.
void solve_hours(const GridModel& model, const GridInjections& g, const GridSolvers& s,
                 const std::vector<std::size_t>& branch_offset, int hours, int threads, GridResults& out) {
  constexpr std::size_t kTile = 256;
  const auto hours_z = static_cast<std::size_t>(hours);
  const std::size_t tiles = (hours_z + kTile - 1) / kTile;
  std::vector<double> loss_mw(hours_z, 0.0);
  int nonconverged = 0;
  constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) reduction(+ : nonconverged)
  for (std::size_t tile = 0; tile < tiles; ++tile) {
    const std::size_t h0 = tile * kTile;
    const std::size_t count = std::min(kTile, hours_z - h0);
    std::vector<double> pd;
    std::vector<double> qd;
    std::vector<float> p_tile, q_tile, vm_tile, loading_tile;  // [bus or branch][hour of the tile]
    for (std::size_t n = 0; n < model.networks.size(); ++n) {
      const std::size_t nb = model.networks[n].network.buses.size();
      const std::size_t nk = model.networks[n].network.branches.size();
      p_tile.resize(nb * kTile);
      q_tile.resize(nb * kTile);
      vm_tile.resize(nb * kTile);
      loading_tile.resize(nk * kTile);
      for (std::size_t b = 0; b < nb; ++b) {
        const std::size_t o = (g.bus_offset[n] + b) * hours_z + h0;
        std::copy_n(&g.p_kw[o], count, &p_tile[b * kTile]);
        std::copy_n(&g.q_kvar[o], count, &q_tile[b * kTile]);
      }
      for (std::size_t i = 0; i < count; ++i) {
        pd.assign(nb, 0.0);
        qd.assign(nb, 0.0);
        for (std::size_t b = 0; b < nb; ++b) {
          pd[b] = p_tile[b * kTile + i] / 1000.0;
          qd[b] = q_tile[b * kTile + i] / 1000.0;
        }
        const PowerFlowResult r = s.solvers[n].solve(pd, qd, s.warm[n].converged ? &s.warm[n] : nullptr);
        if (!r.converged) ++nonconverged;
        for (std::size_t b = 0; b < nb; ++b)
          vm_tile[b * kTile + i] = r.converged ? static_cast<float>(r.vm_pu[b]) : kNan;
        for (std::size_t k = 0; k < r.loading.size(); ++k)
          loading_tile[k * kTile + i] = r.converged ? static_cast<float>(r.loading[k]) : kNan;
        if (r.converged) loss_mw[h0 + i] += r.total_loss_mw;
      }
      for (std::size_t b = 0; b < nb; ++b)
        std::copy_n(&vm_tile[b * kTile], count, &out.bus_vm_pu[(g.bus_offset[n] + b) * hours_z + h0]);
      for (std::size_t k = 0; k < nk; ++k)
        std::copy_n(&loading_tile[k * kTile], count,
                    &out.branch_loading[(branch_offset[n] + k) * hours_z + h0]);
    }
  }
  out.nonconverged_hours = nonconverged;
  for (const double l : loss_mw) out.loss_mwh += l;
}

// Violations per feeder: hours in which any of its buses or segments is outside the limits.
void count_violations(const ScenarioSpec& spec, const GridModel& model, const GridInjections& g,
                      const std::vector<std::size_t>& branch_offset, int hours, GridResults& out) {
  const auto hours_z = static_cast<std::size_t>(hours);
  const std::size_t n_feeder = model.feeder_ids.size();
  std::vector<char> under(n_feeder * hours_z, 0), over(n_feeder * hours_z, 0),
      overload(n_feeder * hours_z, 0);
  for (std::size_t n = 0; n < model.networks.size(); ++n) {
    const auto& sn = model.networks[n];
    for (std::size_t b = 0; b < sn.network.buses.size(); ++b) {
      const int d = sn.bus_feeder[b];
      if (d < 0) continue;
      for (std::size_t h = 0; h < hours_z; ++h) {
        const double v = out.bus_vm_pu[(g.bus_offset[n] + b) * hours_z + h];
        if (std::isnan(v)) continue;
        out.min_vm_pu[d] = std::min(out.min_vm_pu[d], v);
        out.max_vm_pu[d] = std::max(out.max_vm_pu[d], v);
        if (v < spec.grid.vmin_pu) under[d * hours_z + h] = 1;
        if (v > spec.grid.vmax_pu) over[d * hours_z + h] = 1;
      }
    }
    for (std::size_t k = 0; k < sn.network.branches.size(); ++k) {
      const int d = sn.branch_feeder[k];
      if (d < 0) continue;
      for (std::size_t h = 0; h < hours_z; ++h) {
        const double l = out.branch_loading[(branch_offset[n] + k) * hours_z + h];
        if (std::isnan(l)) continue;
        out.max_loading[d] = std::max(out.max_loading[d], l);
        if (l > spec.grid.max_loading) overload[d * hours_z + h] = 1;
      }
    }
  }
  for (std::size_t d = 0; d < n_feeder; ++d) {
    for (std::size_t h = 0; h < hours_z; ++h) {
      out.undervoltage_hours[d] += under[d * hours_z + h];
      out.overvoltage_hours[d] += over[d * hours_z + h];
      out.overload_hours[d] += overload[d * hours_z + h];
    }
  }
}

// A feeder counts in the complex most of its facilities belong to.
void assign_feeder_complexes(const SiteModel& m, const GridModel& model, GridResults& out) {
  const std::size_t n_feeder = model.feeder_ids.size();
  std::vector<std::vector<int>> members(n_feeder, std::vector<int>(m.complex_ids.size(), 0));
  for (std::size_t f = 0; f < m.site.facilities.size(); ++f) {
    const int n = model.facility_network[f];
    if (n < 0) continue;
    const int d = model.networks[n].bus_feeder[model.facility_bus[f]];
    if (d >= 0) ++members[d][m.facility_slot[f]];
  }
  for (std::size_t d = 0; d < n_feeder; ++d) {
    const auto best = std::max_element(members[d].begin(), members[d].end()) - members[d].begin();
    out.feeder_complex.push_back(m.complex_ids[static_cast<std::size_t>(best)]);
  }
}

}  // namespace

GridResults solve_grid(const ScenarioSpec& spec, const RunInputs& in, const GridModel& model,
                       const EnergyBalance& balance, const StageOptions& options) {
  const GridInjections& g = balance.injections;
  const int hours = in.calendar.hours();
  const auto hours_z = static_cast<std::size_t>(hours);
  const int threads = std::max(1, options.threads);
  GridResults out;
  out.enabled = true;
  out.year = spec.year;
  out.hours = hours;
  std::vector<std::size_t> branch_offset;
  std::size_t n_branch = 0;
  for (const auto& sn : model.networks) {
    branch_offset.push_back(n_branch);
    n_branch += sn.network.branches.size();
    for (const auto& bus : sn.network.buses) out.bus_ids.push_back(bus.id);
    for (std::size_t k = 0; k < sn.network.branches.size(); ++k) {
      out.branch_ids.push_back(sn.network.branches[k].id);
      out.branch_feeder.push_back(sn.branch_feeder[k] >= 0 ? model.feeder_ids[sn.branch_feeder[k]] : "");
    }
  }
  auto zeros = [&](std::size_t size) {
    return options.buffers ? options.buffers->take(size) : std::vector<float>(size, 0.0F);
  };
  out.bus_vm_pu = zeros(out.bus_ids.size() * hours_z);
  out.branch_loading = zeros(n_branch * hours_z);
  const GridSolvers solvers = prepare_solvers(model, g, hours);
  solve_hours(model, g, solvers, branch_offset, hours, threads, out);
  const std::size_t n_feeder = model.feeder_ids.size();
  out.feeder_ids = model.feeder_ids;
  out.undervoltage_hours.assign(n_feeder, 0);
  out.overvoltage_hours.assign(n_feeder, 0);
  out.overload_hours.assign(n_feeder, 0);
  out.min_vm_pu.assign(n_feeder, std::numeric_limits<double>::infinity());
  out.max_vm_pu.assign(n_feeder, 0.0);
  out.max_loading.assign(n_feeder, 0.0);
  out.hosting_capacity_kwp.assign(n_feeder, std::numeric_limits<double>::quiet_NaN());
  count_violations(spec, model, g, branch_offset, hours, out);
  assign_feeder_complexes(*in.model, model, out);
  if (spec.grid.hosting_capacity) hosting_capacity(spec, in, model, g, solvers, threads, out);
  return out;
}

}  // namespace sandan
