// The energy stages: every facility's hourly balance and bill, their sums, and the shared batteries.
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "scenario/stages.hpp"

namespace sandan {

namespace {

// The series of the facilities of one block: all facilities when their series are kept, else a few
// thousand at a time so that memory stays bounded whatever the layout's size.
struct FacilitySeries {
  float* load = nullptr;
  float* fuel = nullptr;
  float* pv = nullptr;
  float* curtailed = nullptr;
  float* battery = nullptr;
  float* soc = nullptr;
  float* imported = nullptr;
  float* exported = nullptr;
};

FacilitySeries slice(EnergyResults& e, std::size_t offset) {
  return {&e.load_kw[offset],    &e.fuel_kw[offset],     &e.pv_kw[offset],     &e.curtailed_kw[offset],
          &e.battery_kw[offset], &e.battery_soc[offset], &e.import_kw[offset], &e.export_kw[offset]};
}

// The fixed context of the facility loop.
struct FacilityContext {
  const RunInputs& in;
  const FacilityPlan& plan;
  const LoadModel& loads;
  const TouPeriods& tou;
  int hours;
};

// Efficiency and fuel switching act on the modelled loads, hour by hour. Returns the year's fuel MWh
// and the peak electricity the heat pumps add.
std::pair<double, double> apply_efficiency(const FacilityPlan& plan, std::size_t f, float* load, float* fuel,
                                           int hours) {
  double fuel_kwh = 0.0;
  double peak_added_kw = 0.0;
  for (int h = 0; h < hours; ++h) {
    load[h] *= plan.elec_factor[f];
    fuel[h] *= plan.fuel_factor[f];
    const float switched = fuel[h] * plan.switch_share[f];
    fuel[h] -= switched;
    const float added = switched * plan.switch_kwh_per_fuel_kwh[f];
    load[h] += added;
    peak_added_kw = std::max(peak_added_kw, static_cast<double>(added));
    fuel_kwh += fuel[h];
  }
  return {fuel_kwh / 1000.0, peak_added_kw};
}

// One facility's year: load and fuel, PV, its battery, the meter (import, export, curtailed) and the
// bill. Independent of every other facility.
void facility_year(const FacilityContext& c, std::size_t f, FacilitySeries s, EnergyBalance& b) {
  const FacilityPlan& plan = c.plan;
  const int hours = c.hours;
  b.annual_fuel_mwh[f] = c.loads.facility(f, s.load, s.fuel).fuel_mwh;
  if (plan.elec_factor[f] != 1.0F || plan.fuel_factor[f] != 1.0F || plan.switch_share[f] > 0.0F) {
    const auto [fuel_mwh, peak_kw] = apply_efficiency(plan, f, s.load, s.fuel, hours);
    b.annual_fuel_mwh[f] = fuel_mwh;
    if (!b.switched_peak_kw.empty()) b.switched_peak_kw[f] = peak_kw;
  }
  if (plan.pv_intervention[f] >= 0 && plan.pv_kwp[f] > 0.0) {
    const auto& profile = plan.pv_profiles[static_cast<std::size_t>(plan.pv_intervention[f])];
    const double kw_per_kwp = plan.pv_kwp[f] * plan.pv_yield[f];
    for (int h = 0; h < hours; ++h) s.pv[h] = static_cast<float>(kw_per_kwp * profile[h]);
  }
  if (plan.has_battery[f]) {
    std::vector<float> net(static_cast<std::size_t>(hours));
    for (int h = 0; h < hours; ++h) net[h] = s.load[h] - s.pv[h];
    const BatteryOperation op = operate_battery(plan.battery[f], net, c.in.calendar, c.tou);
    std::copy(op.battery_kw.begin(), op.battery_kw.end(), s.battery);
    std::copy(op.soc.begin(), op.soc.end(), s.soc);
  }
  const double limit_kw = plan.export_limit_kw[f];
  for (int h = 0; h < hours; ++h) {
    const float residual = s.load[h] - s.pv[h] - s.battery[h];
    if (residual >= 0.0F) {
      s.imported[h] = residual;
    } else {
      const float surplus = -residual;
      const float exported = static_cast<float>(std::min<double>(surplus, limit_kw));
      s.exported[h] = exported;
      s.curtailed[h] = surplus - exported;
    }
  }
  double total = 0.0;
  double* exported = &b.monthly_export_kwh[f * 12];
  for (int h = 0; h < hours; ++h) exported[c.in.calendar.month(h) - 1] += s.exported[h];
  for (const auto& bill : monthly_bills(
           c.in.tariff, c.in.calendar, std::span<const float>(s.imported, static_cast<std::size_t>(hours)))) {
    total += bill.total_krw;
    const std::size_t m = f * 12 + static_cast<std::size_t>(bill.month - 1);
    b.monthly_import_kwh[m] = bill.energy_kwh;
    b.monthly_rate_krw_per_kwh[m] =
        bill.energy_kwh > 0.0 ? (bill.energy_krw + bill.addons_krw) / bill.energy_kwh : 0.0;
  }
  b.energy.bill_krw[f] = total;
}

// Adds a block's facilities to their complexes, substations and buses, in facility order and parallel
// over chunks of hours, so the result does not depend on the thread count; within a chunk each
// facility's hours are contiguous in memory.
void add_block(const FacilityPlan& plan, const std::vector<std::size_t>& slot, std::size_t start,
               std::size_t count, int hours, int threads, EnergyBalance& b) {
  EnergyResults& e = b.energy;
  GridInjections& g = b.injections;
  const auto hours_z = static_cast<std::size_t>(hours);
  constexpr int kHoursPerChunk = 1024;
  const int chunks = (hours + kHoursPerChunk - 1) / kHoursPerChunk;
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int chunk = 0; chunk < chunks; ++chunk) {
    const std::size_t h0 = static_cast<std::size_t>(chunk) * kHoursPerChunk;
    const auto h1 = std::min(h0 + kHoursPerChunk, hours_z);
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t f = start + i;
      const std::size_t o = i * hours_z;
      const std::size_t c = slot[f] * hours_z;
      const int sub = plan.substation_slot[f];
      for (std::size_t h = h0; h < h1; ++h) {
        e.complex_load_kw[c + h] += e.load_kw[o + h];
        e.complex_pv_kw[c + h] += e.pv_kw[o + h];
        e.complex_curtailed_kw[c + h] += e.curtailed_kw[o + h];
        e.complex_battery_kw[c + h] += e.battery_kw[o + h];
        const float net = e.import_kw[o + h] - e.export_kw[o + h];
        b.complex_net_kw[c + h] += net;
        if (sub >= 0) b.substation_net_kw[static_cast<std::size_t>(sub) * hours_z + h] += net;
      }
      if (!g.facility_bus.empty() && g.facility_bus[f] >= 0) {
        const auto bus = static_cast<std::size_t>(g.facility_bus[f]) * hours_z;
        for (std::size_t h = h0; h < h1; ++h) {
          g.p_kw[bus + h] += e.import_kw[o + h] - e.export_kw[o + h];
          g.q_kvar[bus + h] += e.load_kw[o + h] * plan.tan_phi[f];
        }
      }
    }
  }
}

std::vector<float> zeros(const StageOptions& options, std::size_t size) {
  return options.buffers ? options.buffers->take(size) : std::vector<float>(size, 0.0F);
}

// Allocates the balance's series and the grid's bus injections.
EnergyBalance prepare_balance(const ScenarioSpec& spec, const RunInputs& in, const FacilityPlan& plan,
                              const GridModel* grid, const StageOptions& options, std::size_t block) {
  const SiteModel& m = *in.model;
  const std::size_t n_fac = m.site.facilities.size();
  const auto hours_z = static_cast<std::size_t>(in.calendar.hours());
  EnergyBalance b;
  EnergyResults& e = b.energy;
  e.year = spec.year;
  e.hours = in.calendar.hours();
  e.pv_capacity_kwp = plan.pv_kwp;
  e.bill_krw.assign(n_fac, 0.0);
  for (std::size_t f = 0; f < n_fac; ++f) {
    e.facility_ids.push_back(m.site.facilities[f].facility_id);
    e.facility_complex.push_back(m.complex_ids[m.facility_slot[f]]);
  }
  e.complex_ids = m.complex_ids;
  const std::size_t n_cx = m.complex_ids.size();
  for (auto* v : {&e.complex_load_kw, &e.complex_pv_kw, &e.complex_curtailed_kw, &e.complex_battery_kw,
                  &e.complex_import_kw, &e.complex_export_kw}) {
    *v = zeros(options, n_cx * hours_z);
  }
  for (auto* v : {&e.load_kw, &e.fuel_kw, &e.pv_kw, &e.curtailed_kw, &e.battery_kw, &e.battery_soc,
                  &e.import_kw, &e.export_kw}) {
    *v = zeros(options, std::min(block, n_fac) * hours_z);
  }
  b.annual_fuel_mwh.assign(n_fac, 0.0);
  for (auto* v : {&b.monthly_import_kwh, &b.monthly_export_kwh, &b.monthly_rate_krw_per_kwh})
    v->assign(n_fac * 12, 0.0);
  b.switched_peak_kw.assign(spec.fuel_switches.empty() ? 0 : n_fac, 0.0);
  b.complex_net_kw.assign(n_cx * hours_z, 0.0F);
  b.substation_net_kw.assign(plan.slot_substation.size() * hours_z, 0.0F);
  if (grid != nullptr) {
    GridInjections& g = b.injections;
    for (const auto& sn : grid->networks) {
      g.bus_offset.push_back(g.buses);
      g.buses += sn.network.buses.size();
    }
    g.facility_bus.assign(n_fac, -1);
    for (std::size_t f = 0; f < n_fac; ++f) {
      g.facility_bus[f] =
          static_cast<long long>(g.bus_offset[grid->facility_network[f]]) + grid->facility_bus[f];
    }
    g.p_kw = zeros(options, g.buses * hours_z);
    g.q_kvar = zeros(options, g.buses * hours_z);
  }
  return b;
}

}  // namespace

EnergyBalance balance_energy(const ScenarioSpec& spec, const RunInputs& in, const FacilityPlan& plan,
                             const GridModel* grid, const StageOptions& options) {
  const SiteModel& m = *in.model;
  const std::size_t n_fac = m.site.facilities.size();
  const int hours = in.calendar.hours();
  const auto hours_z = static_cast<std::size_t>(hours);
  // Read by the OpenMP pragmas' num_threads clauses, which the analyzer does not see.
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores)
  const int threads = std::max(1, options.threads);
  constexpr std::size_t kBlockFacilities = 4096;
  const std::size_t block = options.keep_facility_series ? std::max<std::size_t>(n_fac, 1) : kBlockFacilities;
  EnergyBalance b = prepare_balance(spec, in, plan, grid, options, block);
  EnergyResults& e = b.energy;
  const LoadModel loads(m.site, in.calendar, in.weather.dry_bulb_c, in.library, spec.seed,
                        in.calibration ? &*in.calibration : nullptr);
  const TouPeriods tou = tou_periods(in.tariff, in.calendar);
  const FacilityContext context{in, plan, loads, tou, hours};
  for (std::size_t start = 0; start < n_fac; start += block) {
    const std::size_t count = std::min(block, n_fac - start);
    if (options.progress) {
      options.progress("facility balance",
                       0.2 + 0.5 * static_cast<double>(start) / static_cast<double>(n_fac));
    }
    if (start > 0) {
      for (auto* v : {&e.load_kw, &e.fuel_kw, &e.pv_kw, &e.curtailed_kw, &e.battery_kw, &e.battery_soc,
                      &e.import_kw, &e.export_kw}) {
        std::fill(v->begin(), v->end(), 0.0F);
      }
    }
    // Each facility is independent: its series are disjoint slices, so threads never share a write.
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
    for (std::size_t i = 0; i < count; ++i) facility_year(context, start + i, slice(e, i * hours_z), b);
    add_block(plan, m.facility_slot, start, count, hours, threads, b);
  }
  if (!options.keep_facility_series) {
    for (auto* v : {&e.load_kw, &e.fuel_kw, &e.pv_kw, &e.curtailed_kw, &e.battery_kw, &e.battery_soc,
                    &e.import_kw, &e.export_kw}) {
      if (options.buffers) options.buffers->give(std::move(*v));
      *v = {};
    }
  }
  return b;
}

namespace {

// The complex slot a shared battery counts in: its complex, or for a substation the complex most of the
// substation's facilities belong to.
std::size_t battery_owner(const BatteryIntervention& battery, const SiteModel& m, const FacilityPlan& plan,
                          std::size_t substation_slot) {
  if (battery.placement == BatteryPlacement::kComplex) {
    const auto it = std::find(m.complex_ids.begin(), m.complex_ids.end(), battery.target_id);
    return it == m.complex_ids.end() ? 0 : static_cast<std::size_t>(it - m.complex_ids.begin());
  }
  std::vector<std::size_t> members(m.complex_ids.size(), 0);
  for (std::size_t f = 0; f < m.site.facilities.size(); ++f) {
    if (plan.substation_slot[f] == static_cast<int>(substation_slot)) ++members[m.facility_slot[f]];
  }
  return static_cast<std::size_t>(std::max_element(members.begin(), members.end()) - members.begin());
}

std::size_t substation_slot_of(const BatteryIntervention& battery, const Site& site,
                               const FacilityPlan& plan) {
  const auto s_it = std::find_if(site.substations.begin(), site.substations.end(),
                                 [&](const Substation& s) { return s.substation_id == battery.target_id; });
  const int s_index = static_cast<int>(s_it - site.substations.begin());
  return static_cast<std::size_t>(
      std::find(plan.slot_substation.begin(), plan.slot_substation.end(), s_index) -
      plan.slot_substation.begin());
}

// A shared battery sits at the 22.9 kV bus of its substation, or, for a complex, of the substation
// that supplies most of the complex's facilities.
std::size_t battery_bus(const BatteryIntervention& battery, const SiteModel& m, const FacilityPlan& plan,
                        const GridModel& grid, const GridInjections& g, std::size_t owner) {
  std::vector<std::size_t> members(grid.networks.size(), 0);
  for (std::size_t f = 0; f < m.site.facilities.size(); ++f) {
    const bool member = battery.placement == BatteryPlacement::kComplex ? m.facility_slot[f] == owner
                                                                        : plan.substation_slot[f] >= 0;
    if (member && grid.facility_network[f] >= 0) ++members[grid.facility_network[f]];
  }
  const auto net_index =
      static_cast<std::size_t>(std::max_element(members.begin(), members.end()) - members.begin());
  return g.bus_offset[net_index] + 1;
}

// The bill of an aggregate meter (a complex's or a substation's connection, as a CEMS aggregator
// is billed): the tariff on the hourly import of the members' summed net exchange.
double meter_bill_krw(const RunInputs& in, std::span<const float> net_kw) {
  std::vector<float> import_kw(net_kw.size());
  for (std::size_t h = 0; h < net_kw.size(); ++h) import_kw[h] = std::max(net_kw[h], 0.0F);
  double total = 0.0;
  for (const auto& bill : monthly_bills(in.tariff, in.calendar, import_kw)) total += bill.total_krw;
  return total;
}

// A shared battery is settled where it acts: the aggregate meter's bill with and without it, and the
// saving allocated back to the member facilities in proportion to their own bills before it (docs/
// economics.md, "Shared batteries"). Returns the saving, KRW a year (negative when the battery's
// charging costs more than it saves).
double settle_at_meter(const RunInputs& in, const FacilityPlan& plan, const SiteModel& m,
                       const BatteryIntervention& b, std::size_t owner, std::size_t sub_slot,
                       const std::vector<float>& net_kw, const BatteryOperation& op, EnergyResults& e) {
  std::vector<float> after(net_kw.size());
  for (std::size_t h = 0; h < net_kw.size(); ++h) after[h] = net_kw[h] - op.battery_kw[h];
  const double saving_krw = meter_bill_krw(in, net_kw) - meter_bill_krw(in, after);
  const auto member = [&](std::size_t f) {
    return b.placement == BatteryPlacement::kComplex ? m.facility_slot[f] == owner
                                                     : plan.substation_slot[f] == static_cast<int>(sub_slot);
  };
  double members_krw = 0.0;
  std::size_t members = 0;
  for (std::size_t f = 0; f < e.bill_krw.size(); ++f) {
    if (!member(f)) continue;
    members_krw += e.bill_krw[f];
    ++members;
  }
  for (std::size_t f = 0; f < e.bill_krw.size(); ++f) {
    if (!member(f)) continue;
    // Members without a bill (all exporting) share equally.
    const double share = members_krw > 0.0 ? e.bill_krw[f] / members_krw : 1.0 / static_cast<double>(members);
    e.bill_krw[f] -= saving_krw * share;
  }
  return saving_krw;
}

// Each complex's export a month, kWh ([slot * 12 + month − 1]), from its net exchange series.
std::vector<double> monthly_complex_export_kwh(const Calendar& calendar, const std::vector<float>& net_kw) {
  const auto hours = static_cast<std::size_t>(calendar.hours());
  const std::size_t complexes = hours > 0 ? net_kw.size() / hours : 0;
  std::vector<double> out(complexes * 12, 0.0);
  for (std::size_t c = 0; c < complexes; ++c) {
    for (std::size_t h = 0; h < hours; ++h) {
      out[c * 12 + static_cast<std::size_t>(calendar.month(static_cast<int>(h)) - 1)] +=
          std::max(-net_kw[c * hours + h], 0.0F);
    }
  }
  return out;
}

}  // namespace

void settle_shared_batteries(const ScenarioSpec& spec, const RunInputs& in, const FacilityPlan& plan,
                             const GridModel* grid, EnergyBalance& balance) {
  const SiteModel& m = *in.model;
  EnergyResults& e = balance.energy;
  const int hours = in.calendar.hours();
  const auto hours_z = static_cast<std::size_t>(hours);
  const TouPeriods tou = tou_periods(in.tariff, in.calendar);
  const std::vector<double> export_before = monthly_complex_export_kwh(in.calendar, balance.complex_net_kw);
  for (const auto& b : spec.batteries) {
    if (b.placement != BatteryPlacement::kComplex && b.placement != BatteryPlacement::kSubstation) continue;
    const std::size_t sub_slot =
        b.placement == BatteryPlacement::kSubstation ? substation_slot_of(b, m.site, plan) : 0;
    const std::size_t owner = battery_owner(b, m, plan, sub_slot);
    const float* source = b.placement == BatteryPlacement::kComplex
                              ? &balance.complex_net_kw[owner * hours_z]
                              : &balance.substation_net_kw[sub_slot * hours_z];
    const std::vector<float> net(source, source + hours);
    const BatteryOperation op = operate_battery(b.battery, net, in.calendar, tou);
    const double saving_krw = settle_at_meter(in, plan, m, b, owner, sub_slot, net, op, e);
    e.shared_battery_saving_krw.push_back(saving_krw);
    e.battery_ids.push_back(b.placement == BatteryPlacement::kComplex ? "complex:" + b.target_id
                                                                      : "substation:" + b.target_id);
    e.battery_complex.push_back(e.complex_ids[owner]);
    e.shared_battery_kw.insert(e.shared_battery_kw.end(), op.battery_kw.begin(), op.battery_kw.end());
    e.shared_battery_soc.insert(e.shared_battery_soc.end(), op.soc.begin(), op.soc.end());
    for (int h = 0; h < hours; ++h) {
      e.complex_battery_kw[owner * hours_z + h] += op.battery_kw[h];
      balance.complex_net_kw[owner * hours_z + h] -= op.battery_kw[h];
    }
    if (grid != nullptr) {
      const std::size_t bus = battery_bus(b, m, plan, *grid, balance.injections, owner) * hours_z;
      for (int h = 0; h < hours; ++h) balance.injections.p_kw[bus + h] -= op.battery_kw[h];
    }
  }
  for (std::size_t c = 0; c < balance.complex_net_kw.size(); ++c) {
    e.complex_import_kw[c] = std::max(balance.complex_net_kw[c], 0.0F);
    e.complex_export_kw[c] = std::max(-balance.complex_net_kw[c], 0.0F);
  }
  // Surplus a shared battery stores never reaches the grid: only the share of each month's export that
  // still leaves the complex is credited to its facilities (cost_interventions); the battery's
  // discharge is credited once, as the saving on the aggregate meter.
  const std::vector<double> export_after = monthly_complex_export_kwh(in.calendar, balance.complex_net_kw);
  balance.complex_export_kept.assign(export_before.size(), 1.0);
  for (std::size_t i = 0; i < export_before.size(); ++i) {
    if (export_before[i] > 0.0)
      balance.complex_export_kept[i] = std::min(1.0, export_after[i] / export_before[i]);
  }
}

}  // namespace sandan
