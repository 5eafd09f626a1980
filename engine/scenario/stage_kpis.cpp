// The last stages: what the interventions cost, and the run's KPIs (scenario/kpi_catalogue).
#include <algorithm>
#include <cmath>

#include "economics/cash_flows.hpp"
#include "scenario/kpi_catalogue.hpp"
#include "scenario/stages.hpp"

namespace sandan {

namespace {

bool covers(const std::vector<std::string>& complexes, const std::string& id) {
  return complexes.empty() || std::find(complexes.begin(), complexes.end(), id) != complexes.end();
}

// What a facility's exports earn in the year (docs/economics.md, "PV exports"): under net metering
// (PV up to the file's limit) each month's exports are netted against the month's purchases at the
// energy rate the bill paid, and a surplus is paid at SMP; above it every kWh earns SMP + REC.
double export_credit_krw(const PvExportPrices& prices, const EnergyBalance& b, std::size_t f,
                         std::size_t slot, double pv_kw, int year, bool& extrapolated) {
  const PvExportLookup lookup = pv_export(prices, pv_kw, year);
  extrapolated = extrapolated || lookup.choice.extrapolated();
  double credit = 0.0;
  for (std::size_t m = f * 12; m < f * 12 + 12; ++m) {
    // What a shared battery of the complex stored is not exported (settle_shared_batteries).
    const std::size_t month = m - f * 12;
    const double kept =
        slot * 12 + month < b.complex_export_kept.size() ? b.complex_export_kept[slot * 12 + month] : 1.0;
    const double exported = b.monthly_export_kwh[m] * kept;
    if (exported <= 0.0) continue;
    if (lookup.rule == PvExportRule::kNetMetering) {
      const double netted = std::min(exported, b.monthly_import_kwh[m]);
      credit += netted * b.monthly_rate_krw_per_kwh[m] + (exported - netted) * lookup.cash_krw_per_kwh;
    } else {
      credit += exported * lookup.cash_krw_per_kwh;
    }
  }
  return credit;
}

void price_energy(const ScenarioSpec& spec, const RunInputs& in, const FacilityPlan& plan,
                  const EnergyBalance& balance, CostSummary& out) {
  const Site& site = in.model->site;
  const std::size_t n_fac = site.facilities.size();
  out.fuel_cost_krw.assign(n_fac, 0.0);
  out.export_credit_krw.assign(n_fac, 0.0);
  if (in.fuel_prices) {
    bool extrapolated = false;
    for (const Fuel fuel : kBurnedFuels) {
      out.fuel_krw_per_mwh.push_back(fuel_krw_per_mwh(*in.fuel_prices, fuel, spec.year, &extrapolated) *
                                     spec.prices.fuel_factor);
    }
    for (std::size_t f = 0; f < n_fac; ++f) {
      const Fuel fuel = site.facilities[f].fuel;
      if (fuel == Fuel::kNone) continue;
      out.fuel_cost_krw[f] = balance.annual_fuel_mwh[f] * out.fuel_krw_per_mwh[index_of(fuel)];
    }
    if (extrapolated) {
      out.notes.push_back(in.fuel_prices->path + ": no prices for " + std::to_string(spec.year) +
                          "; the nearest period's are used");
    }
  }
  if (in.pv_export) {
    bool extrapolated = false;
    for (std::size_t f = 0; f < n_fac; ++f) {
      if (plan.pv_kwp[f] <= 0.0) continue;
      out.export_credit_krw[f] = export_credit_krw(*in.pv_export, balance, f, in.model->facility_slot[f],
                                                   plan.pv_kwp[f], spec.year, extrapolated) *
                                 spec.prices.export_factor;
    }
    if (extrapolated) {
      out.notes.push_back(in.pv_export->path + ": no prices for " + std::to_string(spec.year) +
                          "; the nearest period's are used");
    }
  }
}

}  // namespace

CostSummary cost_interventions(const ScenarioSpec& spec, const RunInputs& in, const FacilityPlan& plan,
                               const EnergyBalance& balance) {
  const SiteModel& m = *in.model;
  const std::size_t n_fac = m.site.facilities.size();
  CostSummary out;
  auto count = [&](const std::string& where, const char* kind, const InterventionCost& cost, double units) {
    CostLine line;
    line.intervention = where;
    line.kind = kind;
    line.investment_krw = cost.investment_krw + cost.per_unit_krw * units;
    line.om_krw_per_year = line.investment_krw * cost.om_share_per_year;
    line.lifetime_years = cost.lifetime_years;
    // Capital recovery factor: the annuity of 1 KRW over the lifetime at the discount rate (NREL,
    // docs/economics.md); lifetimes are whole years there.
    const int years = std::max(1, static_cast<int>(std::lround(cost.lifetime_years)));
    line.annualised_krw =
        line.investment_krw * capital_recovery_factor(spec.discount_rate, years) + line.om_krw_per_year;
    out.investment_krw += line.investment_krw;
    out.om_krw_per_year += line.om_krw_per_year;
    out.annualised_cost_krw += line.annualised_krw;
    out.items.push_back(line);
  };
  // Interventions are numbered as in the resolved scenario's list: rooftop PV, batteries, the hub,
  // electric trucks, efficiency, fuel switching.
  std::size_t position = 0;
  const auto where = [&](const char* kind) {
    return "interventions[" + std::to_string(position++) + "]." + kind;
  };
  for (std::size_t i = 0; i < spec.rooftop_pv.size(); ++i) {
    double installed_kwp = 0.0;
    for (std::size_t f = 0; f < n_fac; ++f) {
      installed_kwp += plan.pv_intervention[f] == static_cast<int>(i) ? plan.pv_kwp[f] : 0.0;
    }
    count(where("rooftop_pv"), "rooftop_pv", spec.rooftop_pv[i].cost, installed_kwp);
  }
  for (const auto& b : spec.batteries) {
    double energy_kwh = b.battery.energy_kwh;
    if (b.placement == BatteryPlacement::kFacilities) {
      energy_kwh = 0.0;
      for (std::size_t f = 0; f < n_fac; ++f) {
        if (plan.pv_kwp[f] > 0.0 && covers(b.complexes, m.complex_ids[m.facility_slot[f]]))
          energy_kwh += b.battery.energy_kwh * plan.pv_kwp[f];
      }
    }
    count(where("battery"), "battery", b.cost, energy_kwh);
  }
  if (spec.logistics_hub) count(where("logistics_hub"), "logistics_hub", spec.logistics_hub->cost, 0.0);
  if (spec.ev_trucks) count(where("ev_trucks"), "ev_trucks", spec.ev_trucks->cost, 0.0);
  for (const auto& x : spec.efficiency) count(where("efficiency"), "efficiency", x.cost, 0.0);
  if (!spec.fuel_switches.empty()) {
    // Heat pump capacity: the peak electricity each facility's heat pumps add, split over the entries
    // in proportion to their shares (one entry: all of it).
    double capacity_kw = 0.0;
    for (const double peak : balance.switched_peak_kw) capacity_kw += peak;
    double shares = 0.0;
    for (const auto& x : spec.fuel_switches) shares += x.share;
    for (const auto& x : spec.fuel_switches)
      count(where("fuel_switch"), "fuel_switch", x.cost, shares > 0.0 ? capacity_kw * x.share / shares : 0.0);
  }
  price_energy(spec, in, plan, balance, out);
  // Bills are (charges) × (1 + power fund + VAT) (energy/tariff.hpp): the share without VAT.
  out.bill_excl_vat_share =
      (1.0 + in.tariff.power_fund_share) / (1.0 + in.tariff.power_fund_share + in.tariff.vat_share);
  return out;
}

namespace {

double kwh(const std::vector<float>& series, std::size_t offset, int hours) {
  double total = 0.0;
  for (int h = 0; h < hours; ++h) total += series[offset + static_cast<std::size_t>(h)];
  return total;
}

// The energy figures of a complex, or of all of them together.
struct EnergyTotals {
  double load = 0, pv = 0, curtailed = 0, import = 0, export_ = 0, fuel = 0, kwp = 0, bill = 0, peak = 0;
  double fuel_krw = 0, export_krw = 0;
  int facilities = 0;
  // Energies, capacities, bills and counts add up; the peak does not (it is taken from the sum).
  EnergyTotals& operator+=(const EnergyTotals& t) {
    load += t.load;
    pv += t.pv;
    curtailed += t.curtailed;
    import += t.import;
    export_ += t.export_;
    fuel += t.fuel;
    kwp += t.kwp;
    bill += t.bill;
    fuel_krw += t.fuel_krw;
    export_krw += t.export_krw;
    facilities += t.facilities;
    return *this;
  }
};

// Per complex, then "all" (last).
std::vector<EnergyTotals> energy_totals(const KpiSources& s) {
  const EnergyResults& e = s.energy;
  const int hours = e.hours;
  const std::size_t n_cx = e.complex_ids.size();
  std::vector<EnergyTotals> t(n_cx + 1);
  for (std::size_t f = 0; f < s.facility_slot.size(); ++f) {
    EnergyTotals& x = t[s.facility_slot[f]];
    x.kwp += s.plan.pv_kwp[f];
    x.bill += e.bill_krw[f];
    x.fuel += s.annual_fuel_mwh[f];
    if (!s.costs.fuel_cost_krw.empty()) x.fuel_krw += s.costs.fuel_cost_krw[f];
    if (!s.costs.export_credit_krw.empty()) x.export_krw += s.costs.export_credit_krw[f];
    ++x.facilities;
  }
  std::vector<float> all_import(static_cast<std::size_t>(hours), 0.0F);
  for (std::size_t k = 0; k < n_cx; ++k) {
    const std::size_t o = k * static_cast<std::size_t>(hours);
    EnergyTotals& x = t[k];
    x.load = kwh(e.complex_load_kw, o, hours) / 1e3;
    x.pv = kwh(e.complex_pv_kw, o, hours) / 1e3;
    x.curtailed = kwh(e.complex_curtailed_kw, o, hours) / 1e3;
    x.import = kwh(e.complex_import_kw, o, hours) / 1e3;
    x.export_ = kwh(e.complex_export_kw, o, hours) / 1e3;
    x.peak = hours > 0 ? *std::max_element(&e.complex_import_kw[o], &e.complex_import_kw[o] + hours) : 0.0;
    for (int h = 0; h < hours; ++h) all_import[h] += e.complex_import_kw[o + h];
    t[n_cx] += x;
  }
  t[n_cx].peak = all_import.empty() ? 0.0 : *std::max_element(all_import.begin(), all_import.end());
  return t;
}

using Rows = std::vector<Kpi>;

void energy_kpis(const EnergyTotals& x, double bill_excl_vat_share, const std::string& id, Rows& rows) {
  auto add = [&](KpiId k, double v) { rows.push_back(make_kpi(k, id, v)); };
  add(KpiId::kFacilities, x.facilities);
  add(KpiId::kAnnualLoadMwh, x.load);
  add(KpiId::kAnnualFuelMwh, x.fuel);
  add(KpiId::kPvCapacityKwp, x.kwp);
  add(KpiId::kAnnualPvMwh, x.pv);
  add(KpiId::kPvYieldKwhPerKwp, x.kwp > 0 ? x.pv * 1e3 / x.kwp : 0.0);
  add(KpiId::kCurtailedMwh, x.curtailed);
  add(KpiId::kAnnualImportMwh, x.import);
  add(KpiId::kAnnualExportMwh, x.export_);
  add(KpiId::kPeakImportKw, x.peak);
  add(KpiId::kSelfSufficiency, x.load > 0 ? 1.0 - x.import / x.load : 0.0);
  add(KpiId::kBillKrw, x.bill);
  add(KpiId::kFuelCostKrw, x.fuel_krw);
  add(KpiId::kExportCreditKrw, x.export_krw);
  add(KpiId::kEnergyCostKrw, x.bill * bill_excl_vat_share + x.fuel_krw - x.export_krw);
}

bool counts_in(const std::string& row, const std::string& area) {
  return row == kAllComplexes || area == row;
}

void grid_kpis(const ScenarioSpec& spec, const GridResults& g, const std::string& id, Rows& rows) {
  int under = 0, over = 0, overload = 0;
  double hosting = 0.0;
  for (std::size_t d = 0; d < g.feeder_ids.size(); ++d) {
    if (!counts_in(id, g.feeder_complex[d])) continue;
    under = std::max(under, g.undervoltage_hours[d]);
    over = std::max(over, g.overvoltage_hours[d]);
    overload = std::max(overload, g.overload_hours[d]);
    hosting += g.hosting_capacity_kwp[d];
  }
  rows.push_back(make_kpi(KpiId::kWorstFeederUndervoltageHours, id, under));
  rows.push_back(make_kpi(KpiId::kWorstFeederOvervoltageHours, id, over));
  rows.push_back(make_kpi(KpiId::kWorstFeederOverloadHours, id, overload));
  if (spec.grid.hosting_capacity) rows.push_back(make_kpi(KpiId::kPvHostingCapacityKwp, id, hosting));
}

// Vehicle-km and -hours on the roads of the complex ("all": every road link, outside too).
void traffic_kpis(const TrafficResults& tr, const std::string& id, Rows& rows) {
  const std::size_t classes = tr.classes.size();
  std::vector<double> vkt(classes, 0.0), vht(classes, 0.0);
  for (std::size_t a = 0; a < tr.area_ids.size(); ++a) {
    if (!counts_in(id, tr.area_ids[a])) continue;
    for (std::size_t c = 0; c < classes; ++c) {
      vkt[c] += tr.vkt_km[a * classes + c];
      vht[c] += tr.vht_h[a * classes + c];
    }
  }
  double truck_km = 0.0, electric_km = 0.0, hours = 0.0;
  for (const VehicleClass c : kVehicleClasses) {
    const std::size_t k = index_of(c);
    hours += vht[k];
    if (!is_truck(c)) continue;
    truck_km += vkt[k];
    electric_km += vkt[k] * tr.electric_share[k];
  }
  rows.push_back(make_kpi(KpiId::kCarKm, id, vkt[index_of(VehicleClass::kCar)]));
  rows.push_back(make_kpi(KpiId::kTruckKm, id, truck_km));
  rows.push_back(make_kpi(KpiId::kLightTruckKm, id, vkt[index_of(VehicleClass::kLightTruck)]));
  rows.push_back(make_kpi(KpiId::kHeavyTruckKm, id, vkt[index_of(VehicleClass::kHeavyTruck)]));
  rows.push_back(make_kpi(KpiId::kElectricTruckKm, id, electric_km));
  rows.push_back(make_kpi(KpiId::kVehicleHours, id, hours));
}

// tCO2eq by scope: a complex's own fuel and electricity, and the traffic on its roads ("all": every
// road, outside the complexes too).
void emission_kpis(const EmissionsResults& em, const std::string& id, Rows& rows) {
  double scope1 = 0.0, scope2 = 0.0, transport = 0.0;
  for (std::size_t a = 0; a < em.areas.size(); ++a) {
    if (!counts_in(id, em.areas[a])) continue;
    for (std::size_t s = 0; s < em.sources.size(); ++s) {
      const double tonnes = em.tco2e[a * em.sources.size() + s];
      (em.source_scope[s] == "scope1"   ? scope1
       : em.source_scope[s] == "scope2" ? scope2
                                        : transport) += tonnes;
    }
  }
  rows.push_back(make_kpi(KpiId::kTco2eScope1, id, scope1));
  rows.push_back(make_kpi(KpiId::kTco2eScope2, id, scope2));
  rows.push_back(make_kpi(KpiId::kTco2eTransport, id, transport));
  rows.push_back(make_kpi(KpiId::kTco2eTotal, id, scope1 + scope2 + transport));
}

}  // namespace

std::vector<Kpi> compute_kpis(const KpiSources& s) {
  const std::vector<EnergyTotals> totals = energy_totals(s);
  const std::size_t n_cx = s.energy.complex_ids.size();
  Rows rows;
  // Per complex, then all together; nothing without a complex.
  for (std::size_t k = 0; k < n_cx + (n_cx > 0 ? 1 : 0); ++k) {
    const std::string id = k < n_cx ? s.energy.complex_ids[k] : std::string(kAllComplexes);
    energy_kpis(totals[k], s.costs.bill_excl_vat_share, id, rows);
    if (s.grid.enabled) grid_kpis(s.spec, s.grid, id, rows);
    if (s.traffic.enabled) traffic_kpis(s.traffic, id, rows);
    if (s.emissions.enabled) emission_kpis(s.emissions, id, rows);
  }
  rows.push_back(make_kpi(KpiId::kInvestmentKrw, std::string(kAllComplexes), s.costs.investment_krw));
  rows.push_back(
      make_kpi(KpiId::kAnnualisedCostKrw, std::string(kAllComplexes), s.costs.annualised_cost_krw));
  rows.push_back(make_kpi(KpiId::kOmCostKrw, std::string(kAllComplexes), s.costs.om_krw_per_year));
  return rows;
}

}  // namespace sandan
