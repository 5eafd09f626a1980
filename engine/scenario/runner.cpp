#include "scenario/runner.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "energy/battery.hpp"
#include "energy/loads.hpp"
#include "energy/rooftop_pv.hpp"
#include "energy/solar_position.hpp"
#include "energy/tariff.hpp"
#include "energy/weather.hpp"
#include "gis/reader.hpp"
#include "gis/synth.hpp"
#include "gis/topology.hpp"
#include "grid/feeders.hpp"
#include "grid/powerflow.hpp"
#include "scenario/emissions_run.hpp"
#include "scenario/traffic_run.hpp"

namespace sandan {
namespace {

// Everything a run reads, checked before any model runs.
struct Inputs {
  Site site;                   // only the facilities of the simulated complexes
  std::vector<int> complexes;  // indices into site.complexes that are simulated
  Calendar calendar;
  Weather weather;
  LoadLibrary library;
  Tariff tariff;
};

// The interventions' targets must exist among the simulated complexes and the layout.
void check_fit(const ScenarioSpec& spec, const Inputs& in) {
  std::vector<std::string> problems;
  const Site& site = in.site;
  const std::vector<int>& complexes = in.complexes;
  auto complex_known = [&](const std::string& id) {
    return std::any_of(complexes.begin(), complexes.end(),
                       [&](int c) { return site.complexes[c].complex_id == id; });
  };
  for (std::size_t i = 0; i < spec.rooftop_pv.size(); ++i) {
    for (const auto& id : spec.rooftop_pv[i].pv.complexes) {
      if (!complex_known(id)) {
        problems.push_back(spec.path + ": interventions: rooftop_pv: complexes: '" + id +
                           "' is not a simulated complex");
      }
    }
  }
  for (const auto& b : spec.batteries) {
    const std::string where = spec.path + ": interventions: battery: at: ";
    if (b.placement == BatteryPlacement::kComplex && !complex_known(b.target_id)) {
      problems.push_back(where + "complex '" + b.target_id + "' is not a simulated complex");
    } else if (b.placement == BatteryPlacement::kFacility &&
               std::none_of(site.facilities.begin(), site.facilities.end(),
                            [&](const Facility& f) { return f.facility_id == b.target_id; })) {
      problems.push_back(where + "facility '" + b.target_id + "' is not in the simulated complexes");
    } else if (b.placement == BatteryPlacement::kSubstation &&
               std::none_of(site.substations.begin(), site.substations.end(),
                            [&](const Substation& s) { return s.substation_id == b.target_id; })) {
      problems.push_back(where + "substation '" + b.target_id + "' is not in the layout");
    }
    for (const auto& id : b.complexes) {
      if (!complex_known(id)) problems.push_back(where + "facilities: complex '" + id + "' is not simulated");
    }
  }
  auto check_filter = [&](const FacilityFilter& where, const std::string& kind) {
    for (const auto& id : where.complexes) {
      if (!complex_known(id)) {
        problems.push_back(spec.path + ": interventions: " + kind + ": complexes: '" + id +
                           "' is not a simulated complex");
      }
    }
  };
  for (const auto& x : spec.efficiency) check_filter(x.where, "efficiency");
  for (const auto& x : spec.fuel_switches) check_filter(x.where, "fuel_switch");
  if (spec.logistics_hub) {
    for (const auto& id : spec.logistics_hub->complexes) {
      if (!complex_known(id)) {
        problems.push_back(spec.path + ": interventions: logistics_hub: complexes: '" + id +
                           "' is not a simulated complex");
      }
    }
    if (!spec.traffic.enabled) {
      problems.push_back(spec.path +
                         ": interventions: logistics_hub needs the traffic model; add "
                         "traffic: {trip_rates: ../gis_data/traffic/trip_rates.yaml}");
    }
  }
  if (spec.ev_trucks && !spec.traffic.enabled) {
    problems.push_back(spec.path +
                       ": interventions: ev_trucks needs the traffic model; add "
                       "traffic: {trip_rates: ../gis_data/traffic/trip_rates.yaml}");
  }
  if (!problems.empty()) {
    const std::string headline = spec.path + ": the scenario does not fit its layout";
    throw ConfigError(headline, std::move(problems));
  }
}

Inputs load_base(const ScenarioSpec& spec) {
  std::vector<std::string> problems;
  Site site = load_site({spec.site});
  std::vector<int> complexes;
  if (spec.complexes.empty()) {
    for (std::size_t c = 0; c < site.complexes.size(); ++c) complexes.push_back(static_cast<int>(c));
  } else {
    for (const auto& id : spec.complexes) {
      auto it = std::find_if(site.complexes.begin(), site.complexes.end(),
                             [&](const Complex& c) { return c.complex_id == id; });
      if (it == site.complexes.end()) {
        std::string known;
        for (const auto& c : site.complexes) known += (known.empty() ? "" : ", ") + c.complex_id;
        problems.push_back(spec.path + ": complexes: '" + id + "' is not a complex of " + spec.site +
                           " (it has " + known + ")");
      } else {
        complexes.push_back(static_cast<int>(it - site.complexes.begin()));
      }
    }
  }
  std::vector<char> simulated(site.complexes.size(), 0);
  for (const int c : complexes) simulated[c] = 1;
  std::erase_if(site.facilities, [&](const Facility& f) { return f.complex < 0 || !simulated[f.complex]; });

  if (!problems.empty()) {
    const std::string headline = spec.path + ": the scenario does not fit its layout";
    throw ConfigError(headline, std::move(problems));
  }
  Calendar calendar = load_calendar(spec.year, spec.holidays);
  Weather weather = read_epw(spec.weather);
  if (static_cast<int>(weather.hours()) != calendar.hours()) {
    throw ConfigError(spec.weather + ": weather does not fit the year",
                      {spec.weather + ": has " + std::to_string(weather.hours()) + " hours but " +
                       std::to_string(spec.year) + " has " + std::to_string(calendar.hours()) +
                       "; use a weather file with " + (calendar.hours() == 8784 ? "" : "no ") +
                       "29 February, or another year"});
  }
  // Radiation where the sun cannot be is a sign of a file in another time zone or a shifted year.
  Observer observer;
  observer.lat_deg = weather.location.lat_deg;
  observer.lon_deg = weather.location.lon_deg;
  observer.elevation_m = weather.location.elevation_m;
  std::vector<double> zenith_deg(weather.hours());
  for (int h = 0; h < calendar.hours(); ++h) {
    const DateTime t = calendar.utc_midpoint(h);
    const CivilTime civil{t.date.year, t.date.month, t.date.day, t.hour, t.minute, 0.0, 0.0};
    zenith_deg[h] = solar_position(civil, spec.delta_t_s, observer).zenith_deg;
  }
  std::vector<std::string> night = night_radiation_problems(weather, zenith_deg);
  if (!night.empty()) {
    throw ConfigError(spec.weather +
                          ": radiation where the sun is below the horizon; check the file's time zone "
                          "and year",
                      std::move(night));
  }
  LoadLibrary library = read_load_library(spec.load_library);
  Tariff tariff = read_tariff(spec.tariff);
  return {std::move(site),    std::move(complexes), std::move(calendar),
          std::move(weather), std::move(library),   std::move(tariff)};
}

double kwh(const std::vector<float>& series, std::size_t offset, int hours) {
  double total = 0.0;
  for (int h = 0; h < hours; ++h) total += series[offset + static_cast<std::size_t>(h)];
  return total;
}

// PV hosting capacity of each feeder (docs/grid-model.md): the largest multiple s of the reference PV
// on the feeder's buses at which no bus rises above vmax and no segment of the feeder exceeds its
// rating, by bisection on s in [0, kMaxScale]. Only the hours with the strongest reverse flow can
// bind (PV output minus the feeder's load, at the reference PV), so each trial solves those hours.
void hosting_capacity(const ScenarioSpec& spec, const GridModel& model,
                      const std::vector<std::size_t>& bus_offset, const std::vector<float>& bus_p_kw,
                      const std::vector<float>& bus_q_kvar, int hours, int threads,
                      const std::vector<double>& reference_kwp_bus, const std::vector<float>& profile,
                      const std::vector<PowerFlowSolver>& solvers, const std::vector<PowerFlowResult>& warm,
                      GridResults& g) {
  constexpr double kMaxScale = 40.0;
  constexpr int kBisections = 14;
  constexpr std::size_t kCandidateHours = 48;
  const auto hours_z = static_cast<std::size_t>(hours);
  const std::size_t n_feeder = model.feeder_ids.size();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t d = 0; d < n_feeder; ++d) {
    const auto n = static_cast<std::size_t>(model.feeder_substation[d]);
    const auto& sn = model.networks[n];
    const std::size_t nb = sn.network.buses.size();
    double feeder_kwp = 0.0;
    std::vector<double> reverse(hours_z, 0.0);
    for (std::size_t b = 0; b < nb; ++b) {
      if (sn.bus_feeder[b] != static_cast<int>(d)) continue;
      const std::size_t gb = bus_offset[n] + b;
      feeder_kwp += reference_kwp_bus[gb];
      for (std::size_t h = 0; h < hours_z; ++h) {
        reverse[h] += reference_kwp_bus[gb] * profile[h] - bus_p_kw[gb * hours_z + h];
      }
    }
    if (feeder_kwp <= 0.0) {
      g.hosting_capacity_kwp[d] = 0.0;
      continue;
    }
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
          const std::size_t gb = bus_offset[n] + b;
          const double extra_kw =
              sn.bus_feeder[b] == static_cast<int>(d) ? scale * reference_kwp_bus[gb] * profile[h] : 0.0;
          pd[b] = (bus_p_kw[gb * hours_z + h] - extra_kw) / 1000.0;
          qd[b] = bus_q_kvar[gb * hours_z + h] / 1000.0;
        }
        const PowerFlowResult r = solvers[n].solve(pd, qd, warm[n].converged ? &warm[n] : nullptr);
        if (!r.converged) return true;
        for (std::size_t b = 0; b < nb; ++b) {
          if (sn.bus_feeder[b] == static_cast<int>(d) && r.vm_pu[b] > spec.grid.vmax_pu) return true;
        }
        for (std::size_t k = 0; k < r.loading.size(); ++k) {
          if (sn.branch_feeder[k] == static_cast<int>(d) && r.loading[k] > spec.grid.max_loading) return true;
        }
      }
      return false;
    };
    // 0 when the feeder already violates without added PV; kMaxScale when even that does not bind.
    double scale = 0.0;
    if (!violates(kMaxScale)) {
      scale = kMaxScale;
    } else if (!violates(0.0)) {
      double hi = kMaxScale;
      for (int i = 0; i < kBisections; ++i) {
        const double mid = 0.5 * (scale + hi);
        (violates(mid) ? hi : scale) = mid;
      }
    }
    g.hosting_capacity_kwp[d] = scale * feeder_kwp;
  }
}

// The 22.9 kV power flow for every hour, parallel over hours. Every hour starts from the same
// converged solution (at the year's mean loads), so results do not depend on the thread count.
void run_grid(const ScenarioSpec& spec, const Site& site, const GridModel& model,
              const std::vector<std::size_t>& bus_offset, const std::vector<float>& bus_p_kw,
              const std::vector<float>& bus_q_kvar, const std::vector<std::size_t>& facility_slot,
              const std::vector<std::string>& complex_ids, int hours, int threads,
              const std::vector<double>& reference_kwp_bus, const std::vector<float>& reference_profile,
              GridResults& g) {
  const auto hours_z = static_cast<std::size_t>(hours);
  g.enabled = true;
  g.year = spec.year;
  g.hours = hours;
  std::vector<std::size_t> branch_offset;
  std::size_t n_branch = 0;
  for (const auto& sn : model.networks) {
    branch_offset.push_back(n_branch);
    n_branch += sn.network.branches.size();
    for (const auto& bus : sn.network.buses) g.bus_ids.push_back(bus.id);
    for (std::size_t k = 0; k < sn.network.branches.size(); ++k) {
      g.branch_ids.push_back(sn.network.branches[k].id);
      g.branch_feeder.push_back(sn.branch_feeder[k] >= 0 ? model.feeder_ids[sn.branch_feeder[k]] : "");
    }
  }
  const std::size_t n_bus = g.bus_ids.size();
  g.bus_vm_pu.assign(n_bus * hours_z, 0.0F);
  g.branch_loading.assign(n_branch * hours_z, 0.0F);
  std::vector<PowerFlowSolver> solvers;
  std::vector<PowerFlowResult> warm;
  for (std::size_t n = 0; n < model.networks.size(); ++n) {
    const Network& net = model.networks[n].network;
    solvers.emplace_back(net);
    std::vector<double> pd(net.buses.size(), 0.0), qd(net.buses.size(), 0.0);
    for (std::size_t b = 0; b < net.buses.size(); ++b) {
      const std::size_t o = (bus_offset[n] + b) * hours_z;
      for (std::size_t h = 0; h < hours_z; ++h) {
        pd[b] += bus_p_kw[o + h];
        qd[b] += bus_q_kvar[o + h];
      }
      pd[b] /= 1000.0 * static_cast<double>(hours);
      qd[b] /= 1000.0 * static_cast<double>(hours);
    }
    warm.push_back(solvers.back().solve(pd, qd));
  }
  std::vector<double> loss_mw(hours_z, 0.0);
  int nonconverged = 0;
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads) reduction(+ : nonconverged)
  for (int h = 0; h < hours; ++h) {
    std::vector<double> pd;
    std::vector<double> qd;
    for (std::size_t n = 0; n < model.networks.size(); ++n) {
      const std::size_t nb = model.networks[n].network.buses.size();
      pd.assign(nb, 0.0);
      qd.assign(nb, 0.0);
      for (std::size_t b = 0; b < nb; ++b) {
        const std::size_t o = (bus_offset[n] + b) * hours_z + static_cast<std::size_t>(h);
        pd[b] = bus_p_kw[o] / 1000.0;
        qd[b] = bus_q_kvar[o] / 1000.0;
      }
      const PowerFlowResult r = solvers[n].solve(pd, qd, warm[n].converged ? &warm[n] : nullptr);
      if (!r.converged) ++nonconverged;
      for (std::size_t b = 0; b < nb; ++b) {
        g.bus_vm_pu[(bus_offset[n] + b) * hours_z + static_cast<std::size_t>(h)] =
            r.converged ? static_cast<float>(r.vm_pu[b]) : std::numeric_limits<float>::quiet_NaN();
      }
      for (std::size_t k = 0; k < r.loading.size(); ++k) {
        g.branch_loading[(branch_offset[n] + k) * hours_z + static_cast<std::size_t>(h)] =
            r.converged ? static_cast<float>(r.loading[k]) : std::numeric_limits<float>::quiet_NaN();
      }
      if (r.converged) loss_mw[static_cast<std::size_t>(h)] += r.total_loss_mw;
    }
  }
  g.nonconverged_hours = nonconverged;
  for (const double l : loss_mw) g.loss_mwh += l;

  // Violations per feeder: hours in which any of its buses or segments is outside the limits.
  const std::size_t n_feeder = model.feeder_ids.size();
  g.feeder_ids = model.feeder_ids;
  g.undervoltage_hours.assign(n_feeder, 0);
  g.overvoltage_hours.assign(n_feeder, 0);
  g.overload_hours.assign(n_feeder, 0);
  g.min_vm_pu.assign(n_feeder, std::numeric_limits<double>::infinity());
  g.max_vm_pu.assign(n_feeder, 0.0);
  g.max_loading.assign(n_feeder, 0.0);
  g.hosting_capacity_kwp.assign(n_feeder, std::numeric_limits<double>::quiet_NaN());
  std::vector<char> under(n_feeder * hours_z, 0), over(n_feeder * hours_z, 0),
      overload(n_feeder * hours_z, 0);
  for (std::size_t n = 0; n < model.networks.size(); ++n) {
    const auto& sn = model.networks[n];
    for (std::size_t b = 0; b < sn.network.buses.size(); ++b) {
      const int d = sn.bus_feeder[b];
      if (d < 0) continue;
      for (std::size_t h = 0; h < hours_z; ++h) {
        const double v = g.bus_vm_pu[(bus_offset[n] + b) * hours_z + h];
        if (std::isnan(v)) continue;
        g.min_vm_pu[d] = std::min(g.min_vm_pu[d], v);
        g.max_vm_pu[d] = std::max(g.max_vm_pu[d], v);
        if (v < spec.grid.vmin_pu) under[d * hours_z + h] = 1;
        if (v > spec.grid.vmax_pu) over[d * hours_z + h] = 1;
      }
    }
    for (std::size_t k = 0; k < sn.network.branches.size(); ++k) {
      const int d = sn.branch_feeder[k];
      if (d < 0) continue;
      for (std::size_t h = 0; h < hours_z; ++h) {
        const double l = g.branch_loading[(branch_offset[n] + k) * hours_z + h];
        if (std::isnan(l)) continue;
        g.max_loading[d] = std::max(g.max_loading[d], l);
        if (l > spec.grid.max_loading) overload[d * hours_z + h] = 1;
      }
    }
  }
  for (std::size_t d = 0; d < n_feeder; ++d) {
    for (std::size_t h = 0; h < hours_z; ++h) {
      g.undervoltage_hours[d] += under[d * hours_z + h];
      g.overvoltage_hours[d] += over[d * hours_z + h];
      g.overload_hours[d] += overload[d * hours_z + h];
    }
  }
  // A feeder counts in the complex most of its facilities belong to.
  std::vector<std::vector<int>> members(n_feeder, std::vector<int>(complex_ids.size(), 0));
  for (std::size_t f = 0; f < site.facilities.size(); ++f) {
    const int n = model.facility_network[f];
    if (n < 0) continue;
    const int d = model.networks[n].bus_feeder[model.facility_bus[f]];
    if (d >= 0) ++members[d][facility_slot[f]];
  }
  for (std::size_t d = 0; d < n_feeder; ++d) {
    const auto best = std::max_element(members[d].begin(), members[d].end()) - members[d].begin();
    g.feeder_complex.push_back(complex_ids[static_cast<std::size_t>(best)]);
  }
  if (spec.grid.hosting_capacity) {
    hosting_capacity(spec, model, bus_offset, bus_p_kw, bus_q_kvar, hours, threads, reference_kwp_bus,
                     reference_profile, solvers, warm, g);
  }
}

}  // namespace

namespace {

RunResult run_with_inputs(const ScenarioSpec& spec, const Inputs& in, const RunOptions& options);

}  // namespace

RunResult run_scenario(const ScenarioSpec& spec, const RunOptions& options) {
  if (options.progress) options.progress("reading inputs", 0.0);
  const Inputs in = load_base(spec);
  return run_with_inputs(spec, in, options);
}

namespace {

RunResult run_with_inputs(const ScenarioSpec& spec, const Inputs& in, const RunOptions& options) {
  auto progress = [&](const std::string& stage, double done) {
    if (options.progress) options.progress(stage, done);
  };
  // Read by the OpenMP pragmas' num_threads clauses, which the analyzer does not see.
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores)
  const int threads = options.threads > 0 ? options.threads : omp_get_num_procs();
  check_fit(spec, in);
  const Site& site = in.site;
  const int hours = in.calendar.hours();
  // The traffic model's inputs are read and checked now, before any model runs.
  std::optional<TrafficStage> traffic;
  if (spec.traffic.enabled) traffic.emplace(spec, site);
  std::optional<EmissionFactors> emission_factors;
  std::vector<double> hourly_grid_factor;
  if (!spec.emission_factors.empty()) {
    emission_factors = read_emission_factors(spec.emission_factors);
    if (!spec.grid_factor_csv.empty())
      hourly_grid_factor = read_hourly_grid_factor(spec.grid_factor_csv, in.calendar.hours());
  }
  const auto n_fac = site.facilities.size();
  const auto hours_z = static_cast<std::size_t>(hours);

  RunResult run;
  // Short gaps of the weather file were filled by interpolation: say so, with the rows concerned.
  for (const auto& gap : in.weather.filled_gaps) run.notes.push_back(spec.weather + ": " + describe(gap));
  run.scenario_name = spec.name;
  run.run_id = spec.name;
  run.scenario_yaml = spec.resolved_yaml;
  run.seed = spec.seed;
  EnergyResults& e = run.energy;
  e.year = spec.year;
  e.hours = hours;

  progress("facility loads", 0.1);
  const LoadModel load_model(site, in.calendar, in.weather.dry_bulb_c, in.library, spec.seed);

  // PV: the last intervention covering a facility sizes it; each intervention has one orientation
  // and so one profile per kWp.
  progress("rooftop PV", 0.15);
  std::vector<double> kwp(n_fac, 0.0);
  std::vector<int> pv_of(n_fac, -1);
  std::vector<std::vector<float>> profiles;
  for (std::size_t i = 0; i < spec.rooftop_pv.size(); ++i) {
    const auto& iv = spec.rooftop_pv[i];
    const std::vector<double> sized = size_rooftop_pv(site, iv.pv);
    for (std::size_t f = 0; f < n_fac; ++f) {
      const auto& cx = site.complexes[site.facilities[f].complex].complex_id;
      const bool covered =
          iv.pv.complexes.empty() ||
          std::find(iv.pv.complexes.begin(), iv.pv.complexes.end(), cx) != iv.pv.complexes.end();
      if (covered) {
        kwp[f] = sized[f];
        pv_of[f] = static_cast<int>(i);
      }
    }
    profiles.push_back(pv_ac_kw_per_kwp(in.weather, in.calendar, iv.pv));
  }

  // Facility batteries.
  std::vector<BatterySpec> battery_of(n_fac);
  std::vector<char> has_battery(n_fac, 0);
  for (const auto& b : spec.batteries) {
    for (std::size_t f = 0; f < n_fac; ++f) {
      const Facility& fac = site.facilities[f];
      if (b.placement == BatteryPlacement::kFacility && fac.facility_id == b.target_id) {
        battery_of[f] = b.battery;
        has_battery[f] = 1;
      } else if (b.placement == BatteryPlacement::kFacilities && kwp[f] > 0.0) {
        const auto& cx = site.complexes[fac.complex].complex_id;
        if (b.complexes.empty() ||
            std::find(b.complexes.begin(), b.complexes.end(), cx) != b.complexes.end()) {
          battery_of[f] = b.battery;
          battery_of[f].energy_kwh = b.battery.energy_kwh * kwp[f];
          battery_of[f].power_kw = b.battery.power_kw * kwp[f];
          has_battery[f] = 1;
        }
      }
    }
  }
  const TouPeriods tou = tou_periods(in.tariff, in.calendar);
  const std::vector<double> rates_krw_per_kwh = hourly_energy_rates(in.tariff, in.calendar);

  // Efficiency and fuel switching, per facility: electricity and fuel factors, and the share of the
  // remaining fuel that heat pumps take over with the electricity they need a kWh of fuel.
  std::vector<float> elec_factor(n_fac, 1.0F), fuel_factor(n_fac, 1.0F), switch_share(n_fac, 0.0F),
      switch_kwh_per_fuel_kwh(n_fac, 0.0F);
  {
    auto matches = [&](const FacilityFilter& where, const Facility& fac) {
      const auto& cx = site.complexes[fac.complex].complex_id;
      const bool in_complex =
          where.complexes.empty() ||
          std::find(where.complexes.begin(), where.complexes.end(), cx) != where.complexes.end();
      const bool in_sector = where.sectors.empty() ||
                             std::any_of(where.sectors.begin(), where.sectors.end(),
                                         [&](const std::string& p) { return fac.ksic.rfind(p, 0) == 0; });
      return in_complex && in_sector;
    };
    for (std::size_t f = 0; f < n_fac; ++f) {
      const Facility& fac = site.facilities[f];
      for (const auto& x : spec.efficiency) {
        if (!matches(x.where, fac)) continue;
        elec_factor[f] *= static_cast<float>(1.0 - x.electricity_saving);
        fuel_factor[f] *= static_cast<float>(1.0 - x.fuel_saving);
      }
      for (const auto& x : spec.fuel_switches) {
        if (!matches(x.where, fac)) continue;
        // Later entries take their share of what earlier ones left.
        const float left = 1.0F - switch_share[f];
        const float taken = left * static_cast<float>(x.share);
        switch_kwh_per_fuel_kwh[f] = (switch_kwh_per_fuel_kwh[f] * switch_share[f] +
                                      taken * static_cast<float>(x.boiler_efficiency / x.cop)) /
                                     std::max(switch_share[f] + taken, 1e-9F);
        switch_share[f] += taken;
      }
    }
  }
  std::vector<double> switched_peak_kw(spec.fuel_switches.empty() ? 0 : n_fac, 0.0);
  e.bill_krw.assign(n_fac, 0.0);
  e.pv_capacity_kwp = kwp;
  std::vector<double> annual_fuel_mwh(n_fac, 0.0);
  for (const auto& f : site.facilities) {
    e.facility_ids.push_back(f.facility_id);
    e.facility_complex.push_back(site.complexes[f.complex].complex_id);
  }
  const std::size_t n_cx = in.complexes.size();
  std::unordered_map<int, std::size_t> slot_of_complex;
  for (std::size_t k = 0; k < n_cx; ++k) {
    slot_of_complex[in.complexes[k]] = k;
    e.complex_ids.push_back(site.complexes[in.complexes[k]].complex_id);
  }
  for (auto* v : {&e.complex_load_kw, &e.complex_pv_kw, &e.complex_curtailed_kw, &e.complex_battery_kw,
                  &e.complex_import_kw, &e.complex_export_kw}) {
    v->assign(n_cx * hours_z, 0.0F);
  }
  std::vector<std::size_t> slot(n_fac);
  for (std::size_t f = 0; f < n_fac; ++f) slot[f] = slot_of_complex.at(site.facilities[f].complex);
  std::vector<float> complex_net(n_cx * hours_z, 0.0F);  // import − export of the facilities

  // Facilities supplied from a substation that holds a shared battery: their net exchange is summed
  // per substation as the blocks go by.
  std::vector<int> substation_slot(n_fac, -1);
  std::vector<int> slot_substation;  // substation index of each slot
  for (const auto& b : spec.batteries) {
    if (b.placement != BatteryPlacement::kSubstation) continue;
    const auto s_it = std::find_if(site.substations.begin(), site.substations.end(),
                                   [&](const Substation& s) { return s.substation_id == b.target_id; });
    const int s_index = static_cast<int>(s_it - site.substations.begin());
    if (std::find(slot_substation.begin(), slot_substation.end(), s_index) == slot_substation.end()) {
      slot_substation.push_back(s_index);
    }
  }
  if (!slot_substation.empty()) {
    const FeederTopology feeders = build_feeder_topology(site);
    const Attachments attach = attach_facilities(site, build_road_graph(site), feeders);
    for (std::size_t f = 0; f < n_fac; ++f) {
      const int bus = attach.bus[f];
      if (bus < 0) continue;
      const auto it = std::find(slot_substation.begin(), slot_substation.end(), feeders.substation[bus]);
      if (it != slot_substation.end()) substation_slot[f] = static_cast<int>(it - slot_substation.begin());
    }
  }
  std::vector<float> substation_net(slot_substation.size() * hours_z, 0.0F);

  // The grid: each facility's net exchange (and the reactive power of its load) summed at its bus.
  GridModel grid_model;
  std::vector<std::size_t> bus_offset;  // first global bus of each network
  std::vector<long long> facility_gbus(n_fac, -1);
  std::size_t n_gbus = 0;
  if (spec.grid.enabled) {
    grid_model = build_grid_model(site, read_line_types(spec.grid.line_types));
    for (const auto& sn : grid_model.networks) {
      bus_offset.push_back(n_gbus);
      n_gbus += sn.network.buses.size();
    }
    for (std::size_t f = 0; f < n_fac; ++f) {
      facility_gbus[f] =
          static_cast<long long>(bus_offset[grid_model.facility_network[f]]) + grid_model.facility_bus[f];
    }
  }
  // The reactive power of each facility's load: its sector's power factor, else the scenario's.
  std::vector<float> tan_phi(n_fac, 0.0F);
  for (std::size_t f = 0; f < n_fac; ++f) {
    const auto it = in.library.sectors.find(site.facilities[f].ksic);
    const double sector_pf = it == in.library.sectors.end() ? 0.0 : it->second.power_factor;
    tan_phi[f] =
        static_cast<float>(std::tan(std::acos(sector_pf > 0.0 ? sector_pf : spec.grid.power_factor)));
  }
  std::vector<float> bus_p_kw(n_gbus * hours_z, 0.0F);
  std::vector<float> bus_q_kvar(n_gbus * hours_z, 0.0F);

  // Facilities are worked through in blocks: all at once when their series are kept, else a few
  // thousand at a time so that memory stays bounded whatever the layout's size.
  constexpr std::size_t kBlockFacilities = 4096;
  const bool keep_facility_series = options.facility_hourly && spec.facility_series;
  const std::size_t block = keep_facility_series ? std::max<std::size_t>(n_fac, 1) : kBlockFacilities;
  std::vector<float>* series[] = {&e.load_kw,    &e.fuel_kw,     &e.pv_kw,     &e.curtailed_kw,
                                  &e.battery_kw, &e.battery_soc, &e.import_kw, &e.export_kw};
  for (auto* v : series) v->assign(std::min(block, n_fac) * hours_z, 0.0F);

  for (std::size_t start = 0; start < n_fac; start += block) {
    const std::size_t count = std::min(block, n_fac - start);
    progress("facility balance", 0.2 + 0.5 * static_cast<double>(start) / static_cast<double>(n_fac));
    if (start > 0) {
      for (auto* v : series) std::fill(v->begin(), v->end(), 0.0F);
    }
    // Each facility is independent: its series are disjoint slices, so threads never share a write.
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t f = start + i;
      const std::size_t o = i * hours_z;
      float* load = &e.load_kw[o];
      annual_fuel_mwh[f] = load_model.facility(f, load, &e.fuel_kw[o]).fuel_mwh;
      if (elec_factor[f] != 1.0F || fuel_factor[f] != 1.0F || switch_share[f] > 0.0F) {
        float* fuel = &e.fuel_kw[o];
        double fuel_kwh = 0.0;
        double peak_added_kw = 0.0;
        for (int h = 0; h < hours; ++h) {
          load[h] *= elec_factor[f];
          fuel[h] *= fuel_factor[f];
          const float switched = fuel[h] * switch_share[f];
          fuel[h] -= switched;
          const float added = switched * switch_kwh_per_fuel_kwh[f];
          load[h] += added;
          peak_added_kw = std::max(peak_added_kw, static_cast<double>(added));
          fuel_kwh += fuel[h];
        }
        annual_fuel_mwh[f] = fuel_kwh / 1000.0;
        if (!switched_peak_kw.empty()) switched_peak_kw[f] = peak_added_kw;
      }
      float* pv = &e.pv_kw[o];
      if (pv_of[f] >= 0 && kwp[f] > 0.0) {
        const auto& profile = profiles[static_cast<std::size_t>(pv_of[f])];
        for (int h = 0; h < hours; ++h) pv[h] = static_cast<float>(kwp[f] * profile[h]);
      }
      float* battery = &e.battery_kw[o];
      if (has_battery[f]) {
        std::vector<float> net(hours_z);
        for (int h = 0; h < hours; ++h) net[h] = load[h] - pv[h];
        const BatteryOperation op = operate_battery(battery_of[f], net, in.calendar, tou);
        std::copy(op.battery_kw.begin(), op.battery_kw.end(), battery);
        std::copy(op.soc.begin(), op.soc.end(), &e.battery_soc[o]);
      }
      const double limit_kw = pv_of[f] >= 0 && spec.rooftop_pv[pv_of[f]].export_limit_kw_per_kwp
                                  ? *spec.rooftop_pv[pv_of[f]].export_limit_kw_per_kwp * kwp[f]
                                  : std::numeric_limits<double>::infinity();
      for (int h = 0; h < hours; ++h) {
        const float residual = load[h] - pv[h] - battery[h];
        if (residual >= 0.0F) {
          e.import_kw[o + h] = residual;
        } else {
          const float surplus = -residual;
          const float exported = static_cast<float>(std::min<double>(surplus, limit_kw));
          e.export_kw[o + h] = exported;
          e.curtailed_kw[o + h] = surplus - exported;
        }
      }
      const auto bills =
          monthly_bills(in.tariff, in.calendar, std::span<const float>(&e.import_kw[o], hours_z));
      double total = 0.0;
      for (const auto& b : bills) total += b.total_krw;
      e.bill_krw[f] = total;
    }
    // Complexes: sums over the block's facilities in facility order, parallel over chunks of hours,
    // so the result does not depend on the thread count; within a chunk each facility's hours are
    // contiguous in memory.
    constexpr int kHoursPerChunk = 256;
    const int chunks = (hours + kHoursPerChunk - 1) / kHoursPerChunk;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int chunk = 0; chunk < chunks; ++chunk) {
      const std::size_t h0 = static_cast<std::size_t>(chunk) * kHoursPerChunk;
      const auto h1 = std::min(h0 + kHoursPerChunk, hours_z);
      for (std::size_t i = 0; i < count; ++i) {
        const std::size_t o = i * hours_z;
        const std::size_t c = slot[start + i] * hours_z;
        const int sub = substation_slot[start + i];
        for (std::size_t h = h0; h < h1; ++h) {
          e.complex_load_kw[c + h] += e.load_kw[o + h];
          e.complex_pv_kw[c + h] += e.pv_kw[o + h];
          e.complex_curtailed_kw[c + h] += e.curtailed_kw[o + h];
          e.complex_battery_kw[c + h] += e.battery_kw[o + h];
          const float net = e.import_kw[o + h] - e.export_kw[o + h];
          complex_net[c + h] += net;
          if (sub >= 0) substation_net[static_cast<std::size_t>(sub) * hours_z + h] += net;
        }
        if (facility_gbus[start + i] >= 0) {
          const auto b = static_cast<std::size_t>(facility_gbus[start + i]) * hours_z;
          for (std::size_t h = h0; h < h1; ++h) {
            bus_p_kw[b + h] += e.import_kw[o + h] - e.export_kw[o + h];
            bus_q_kvar[b + h] += e.load_kw[o + h] * tan_phi[start + i];
          }
        }
      }
    }
  }
  progress("shared batteries", 0.7);

  // Shared batteries act on the net exchange of their complex or substation, one after another.
  for (std::size_t i = 0; i < spec.batteries.size(); ++i) {
    const auto& b = spec.batteries[i];
    if (b.placement != BatteryPlacement::kComplex && b.placement != BatteryPlacement::kSubstation) continue;
    std::vector<float> net(hours_z, 0.0F);
    std::size_t owner = 0;
    if (b.placement == BatteryPlacement::kComplex) {
      for (std::size_t k = 0; k < n_cx; ++k) {
        if (e.complex_ids[k] == b.target_id) owner = k;
      }
      std::copy(&complex_net[owner * hours_z], &complex_net[owner * hours_z] + hours, net.begin());
    } else {
      const auto s_it = std::find_if(site.substations.begin(), site.substations.end(),
                                     [&](const Substation& s) { return s.substation_id == b.target_id; });
      const int s_index = static_cast<int>(s_it - site.substations.begin());
      const auto sub_slot = static_cast<std::size_t>(
          std::find(slot_substation.begin(), slot_substation.end(), s_index) - slot_substation.begin());
      std::copy(&substation_net[sub_slot * hours_z], &substation_net[sub_slot * hours_z] + hours,
                net.begin());
      // The battery counts in the complex most of the substation's facilities belong to.
      std::vector<std::size_t> members(n_cx, 0);
      for (std::size_t f = 0; f < n_fac; ++f) {
        if (substation_slot[f] == static_cast<int>(sub_slot)) ++members[slot[f]];
      }
      owner = static_cast<std::size_t>(std::max_element(members.begin(), members.end()) - members.begin());
    }
    const BatteryOperation op = operate_battery(b.battery, net, in.calendar, tou);
    e.battery_ids.push_back(b.placement == BatteryPlacement::kComplex ? "complex:" + b.target_id
                                                                      : "substation:" + b.target_id);
    e.battery_complex.push_back(e.complex_ids[owner]);
    e.shared_battery_kw.insert(e.shared_battery_kw.end(), op.battery_kw.begin(), op.battery_kw.end());
    e.shared_battery_soc.insert(e.shared_battery_soc.end(), op.soc.begin(), op.soc.end());
    for (int h = 0; h < hours; ++h) {
      e.complex_battery_kw[owner * hours_z + h] += op.battery_kw[h];
      complex_net[owner * hours_z + h] -= op.battery_kw[h];
    }
    if (spec.grid.enabled) {
      // A shared battery sits at the 22.9 kV bus of its substation, or, for a complex, of the
      // substation that supplies most of the complex's facilities.
      std::vector<std::size_t> members(grid_model.networks.size(), 0);
      for (std::size_t f = 0; f < n_fac; ++f) {
        const bool member =
            b.placement == BatteryPlacement::kComplex ? slot[f] == owner : substation_slot[f] >= 0;
        if (member && grid_model.facility_network[f] >= 0) ++members[grid_model.facility_network[f]];
      }
      const auto net_index =
          static_cast<std::size_t>(std::max_element(members.begin(), members.end()) - members.begin());
      const std::size_t gb = (bus_offset[net_index] + 1) * hours_z;
      for (int h = 0; h < hours; ++h) bus_p_kw[gb + h] -= op.battery_kw[h];
    }
  }
  for (std::size_t c = 0; c < n_cx * hours_z; ++c) {
    e.complex_import_kw[c] = std::max(complex_net[c], 0.0F);
    e.complex_export_kw[c] = std::max(-complex_net[c], 0.0F);
  }

  if (spec.grid.enabled) {
    progress("grid power flow", 0.75);
    // Hosting capacity is measured with PV spread over the roofs as a default rooftop_pv would
    // place it (half of every roof, 10 m²/kWp), with the first intervention's orientation.
    std::vector<double> reference_kwp_bus;
    std::vector<float> reference_profile;
    if (spec.grid.hosting_capacity) {
      const RooftopPvSpec reference = spec.rooftop_pv.empty() ? RooftopPvSpec{} : spec.rooftop_pv.front().pv;
      RooftopPvSpec spread = reference;
      spread.complexes.clear();
      spread.roof_share = 0.5;
      spread.m2_per_kwp = 10.0;
      spread.min_roof_m2 = 0.0;
      const std::vector<double> sized = size_rooftop_pv(site, spread);
      reference_kwp_bus.assign(n_gbus, 0.0);
      for (std::size_t f = 0; f < n_fac; ++f) {
        if (facility_gbus[f] >= 0) reference_kwp_bus[static_cast<std::size_t>(facility_gbus[f])] += sized[f];
      }
      reference_profile = pv_ac_kw_per_kwp(in.weather, in.calendar, spread);
    }
    run_grid(spec, site, grid_model, bus_offset, bus_p_kw, bus_q_kvar, slot, e.complex_ids, hours, threads,
             reference_kwp_bus, reference_profile, run.grid);
  }

  if (spec.traffic.enabled) {
    progress("traffic assignment", 0.85);
    traffic->run(e.complex_ids, in.calendar, threads, run.traffic);
  }
  if (emission_factors) {
    account_emissions(*emission_factors, spec.grid_t_per_mwh.value_or(emission_factors->grid_t_per_mwh),
                      hourly_grid_factor, site, annual_fuel_mwh, slot, e, run.traffic, run.emissions);
  }

  // KPIs per complex and for all together.
  progress("indicators", 0.9);
  auto add = [&](const std::string& key, const std::string& cx, double value, const std::string& unit) {
    run.kpis.push_back({key, cx, value, unit});
  };
  std::vector<double> cx_kwp(n_cx, 0.0), cx_bill(n_cx, 0.0), cx_fuel(n_cx, 0.0);
  std::vector<int> cx_facilities(n_cx, 0);
  for (std::size_t f = 0; f < n_fac; ++f) {
    cx_kwp[slot[f]] += kwp[f];
    cx_bill[slot[f]] += e.bill_krw[f];
    cx_fuel[slot[f]] += annual_fuel_mwh[f];
    ++cx_facilities[slot[f]];
  }
  struct Totals {
    double load = 0, pv = 0, curtailed = 0, import = 0, export_ = 0, fuel = 0, kwp = 0, bill = 0, peak = 0;
    int facilities = 0;
    // Energies, capacities, bills and counts add up; the peak does not (it is taken from the sum).
    Totals& operator+=(const Totals& t) {
      load += t.load;
      pv += t.pv;
      curtailed += t.curtailed;
      import += t.import;
      export_ += t.export_;
      fuel += t.fuel;
      kwp += t.kwp;
      bill += t.bill;
      facilities += t.facilities;
      return *this;
    }
  };
  Totals all;
  std::vector<float> all_import(hours_z, 0.0F);
  for (std::size_t k = 0; k < n_cx; ++k) {
    Totals t;
    const std::size_t o = k * hours_z;
    t.load = kwh(e.complex_load_kw, o, hours) / 1e3;
    t.pv = kwh(e.complex_pv_kw, o, hours) / 1e3;
    t.curtailed = kwh(e.complex_curtailed_kw, o, hours) / 1e3;
    t.import = kwh(e.complex_import_kw, o, hours) / 1e3;
    t.export_ = kwh(e.complex_export_kw, o, hours) / 1e3;
    t.peak = *std::max_element(&e.complex_import_kw[o], &e.complex_import_kw[o] + hours);
    t.fuel = cx_fuel[k];
    t.kwp = cx_kwp[k];
    t.bill = cx_bill[k];
    t.facilities = cx_facilities[k];
    for (int h = 0; h < hours; ++h) all_import[h] += e.complex_import_kw[o + h];
    all += t;
    const std::string& cx = e.complex_ids[k];
    auto emit = [&](const Totals& x, const std::string& id) {
      add("facilities", id, x.facilities, "count");
      add("annual_load_mwh", id, x.load, "MWh");
      add("annual_fuel_mwh", id, x.fuel, "MWh");
      add("pv_capacity_kwp", id, x.kwp, "kWp");
      add("annual_pv_mwh", id, x.pv, "MWh");
      add("pv_yield_kwh_per_kwp", id, x.kwp > 0 ? x.pv * 1e3 / x.kwp : 0.0, "kWh/kWp");
      add("curtailed_mwh", id, x.curtailed, "MWh");
      add("annual_import_mwh", id, x.import, "MWh");
      add("annual_export_mwh", id, x.export_, "MWh");
      add("peak_import_kw", id, x.peak, "kW");
      add("self_sufficiency", id, x.load > 0 ? 1.0 - x.import / x.load : 0.0, "share");
      add("bill_krw", id, x.bill, "KRW");
      if (spec.grid.enabled) {
        int under = 0, over = 0, overload = 0;
        double hosting = 0.0;
        for (std::size_t d = 0; d < run.grid.feeder_ids.size(); ++d) {
          if (id != "all" && run.grid.feeder_complex[d] != id) continue;
          under = std::max(under, run.grid.undervoltage_hours[d]);
          over = std::max(over, run.grid.overvoltage_hours[d]);
          overload = std::max(overload, run.grid.overload_hours[d]);
          hosting += run.grid.hosting_capacity_kwp[d];
        }
        add("worst_feeder_undervoltage_hours", id, under, "h");
        add("worst_feeder_overvoltage_hours", id, over, "h");
        add("worst_feeder_overload_hours", id, overload, "h");
        if (spec.grid.hosting_capacity) add("pv_hosting_capacity_kwp", id, hosting, "kWp");
      }
      if (spec.traffic.enabled) {
        // Vehicle-km and -hours on the roads of the complex ("all": every road link, outside too).
        const TrafficResults& tr = run.traffic;
        const std::size_t classes = tr.classes.size();
        std::vector<double> vkt(classes, 0.0), vht(classes, 0.0);
        for (std::size_t a = 0; a < tr.area_ids.size(); ++a) {
          if (id != "all" && tr.area_ids[a] != id) continue;
          for (std::size_t c = 0; c < classes; ++c) {
            vkt[c] += tr.vkt_km[a * classes + c];
            vht[c] += tr.vht_h[a * classes + c];
          }
        }
        const double truck_km = vkt[1] + vkt[2];
        add("car_km", id, vkt[0], "km");
        add("truck_km", id, truck_km, "km");
        add("light_truck_km", id, vkt[1], "km");
        add("heavy_truck_km", id, vkt[2], "km");
        add("electric_truck_km", id, vkt[1] * tr.electric_share[1] + vkt[2] * tr.electric_share[2], "km");
        add("vehicle_hours", id, vht[0] + vht[1] + vht[2], "h");
      }
      if (run.emissions.enabled) {
        // tCO2eq by scope: a complex's own fuel and electricity, and the traffic on its roads ("all":
        // every road, outside the complexes too).
        const EmissionsResults& em = run.emissions;
        double scope1 = 0.0, scope2 = 0.0, transport = 0.0;
        for (std::size_t a = 0; a < em.areas.size(); ++a) {
          if (id != "all" && em.areas[a] != id) continue;
          for (std::size_t s = 0; s < em.sources.size(); ++s) {
            const double tonnes = em.tco2e[a * em.sources.size() + s];
            (em.source_scope[s] == "scope1"   ? scope1
             : em.source_scope[s] == "scope2" ? scope2
                                              : transport) += tonnes;
          }
        }
        add("tco2e_scope1", id, scope1, "tCO2eq");
        add("tco2e_scope2", id, scope2, "tCO2eq");
        add("tco2e_transport", id, transport, "tCO2eq");
        add("tco2e_total", id, scope1 + scope2 + transport, "tCO2eq");
      }
    };
    emit(t, cx);
    if (k + 1 == n_cx) {
      all.peak = *std::max_element(all_import.begin(), all_import.end());
      emit(all, "all");
    }
  }
  // What the interventions cost: investment, and its annuity at the scenario's discount rate.
  {
    auto crf = [&](double years) {
      const double r = spec.discount_rate;
      if (r == 0.0) return 1.0 / years;
      const double g = std::pow(1.0 + r, years);
      return r * g / (g - 1.0);  // capital recovery factor
    };
    double investment = 0.0;
    double annualised = 0.0;
    auto count = [&](const InterventionCost& cost, double units) {
      const double krw = cost.investment_krw + cost.per_unit_krw * units;
      investment += krw;
      annualised += krw * crf(cost.lifetime_years);
    };
    for (std::size_t i = 0; i < spec.rooftop_pv.size(); ++i) {
      double installed_kwp = 0.0;
      for (std::size_t f = 0; f < n_fac; ++f) installed_kwp += pv_of[f] == static_cast<int>(i) ? kwp[f] : 0.0;
      count(spec.rooftop_pv[i].cost, installed_kwp);
    }
    for (const auto& b : spec.batteries) {
      double energy_kwh = b.battery.energy_kwh;
      if (b.placement == BatteryPlacement::kFacilities) {
        energy_kwh = 0.0;
        for (std::size_t f = 0; f < n_fac; ++f) {
          const auto& cx = site.complexes[site.facilities[f].complex].complex_id;
          if (kwp[f] > 0.0 && (b.complexes.empty() ||
                               std::find(b.complexes.begin(), b.complexes.end(), cx) != b.complexes.end())) {
            energy_kwh += b.battery.energy_kwh * kwp[f];
          }
        }
      }
      count(b.cost, energy_kwh);
    }
    if (spec.logistics_hub) count(spec.logistics_hub->cost, 0.0);
    for (const auto& x : spec.efficiency) count(x.cost, 0.0);
    if (!spec.fuel_switches.empty()) {
      // Heat pump capacity: the peak electricity each facility's heat pumps add, split over the
      // entries in proportion to their shares (one entry: all of it).
      double capacity_kw = 0.0;
      for (double peak : switched_peak_kw) capacity_kw += peak;
      double shares = 0.0;
      for (const auto& x : spec.fuel_switches) shares += x.share;
      for (const auto& x : spec.fuel_switches)
        count(x.cost, shares > 0.0 ? capacity_kw * x.share / shares : 0.0);
    }
    if (spec.ev_trucks) count(spec.ev_trucks->cost, 0.0);
    add("investment_krw", "all", investment, "KRW");
    add("annualised_cost_krw", "all", annualised, "KRW/year");
  }
  if (!keep_facility_series) {
    for (auto* v : {&e.load_kw, &e.fuel_kw, &e.pv_kw, &e.curtailed_kw, &e.battery_kw, &e.battery_soc,
                    &e.import_kw, &e.export_kw}) {
      v->clear();
      v->shrink_to_fit();
    }
  }
  progress("done", 1.0);
  return run;
}

}  // namespace

int run_batch(const std::vector<Variant>& variants, const std::set<std::string>& skip,
              const RunOptions& options, ResultSink& sink,
              const std::function<void(int done, int total)>& on_run, const NextRun& next) {
  std::vector<const Variant*> todo;
  for (const Variant& v : variants) {
    if (skip.count(v.run_id) == 0) todo.push_back(&v);
  }
  if (todo.empty()) return 0;
  // Inputs are read once for every distinct set of input files (a sweep over interventions reads
  // them once).
  auto key_of = [](const ScenarioSpec& s) {
    std::string key = s.site + "|" + s.weather + "|" + s.holidays + "|" + s.tariff + "|" + s.load_library +
                      "|" + std::to_string(s.year) + "|" + std::to_string(s.delta_t_s);
    for (const auto& c : s.complexes) key += "|" + c;
    return key;
  };
  std::map<std::string, std::unique_ptr<Inputs>> inputs;
  for (const Variant* v : todo) {
    auto& slot = inputs[key_of(v->spec)];
    if (!slot) slot = std::make_unique<Inputs>(load_base(v->spec));
  }
  // The threads go to the variants; a variant gets the rest when there are fewer variants than threads.
  const int threads = options.threads > 0 ? options.threads : omp_get_num_procs();
  const int outer = std::max(1, std::min(threads, static_cast<int>(todo.size())));
  RunOptions inner = options;
  inner.threads = std::max(1, threads / outer);
  inner.progress = nullptr;
  std::vector<std::exception_ptr> errors(todo.size());
  std::size_t handed_out = 0;
  auto draw = [&]() -> std::optional<std::size_t> {
    std::optional<std::size_t> i;
#pragma omp critical(sandan_batch_next)
    {
      if (next) {
        i = next();
      } else if (handed_out < todo.size()) {
        i = handed_out++;
      }
    }
    return i;
  };
  int made = 0;
  int done = 0;
#pragma omp parallel num_threads(outer) reduction(+ : made)
  for (std::optional<std::size_t> i = draw(); i && *i < todo.size(); i = draw()) {
    ++made;
    try {
      const Variant& v = *todo[*i];
      RunResult run = run_with_inputs(v.spec, *inputs.at(key_of(v.spec)), inner);
      run.run_id = v.run_id;
      run.parameters_json = v.parameters_json;
#pragma omp critical(sandan_batch_sink)
      {
        try {
          sink.write(run);
        } catch (...) {
          errors[*i] = std::current_exception();
        }
        ++done;
        if (on_run) on_run(done, static_cast<int>(todo.size()));
      }
    } catch (...) {
      errors[*i] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return made;
}

}  // namespace sandan
