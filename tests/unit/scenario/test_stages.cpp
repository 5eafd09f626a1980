// The run's stages one by one, on small inline fixtures; the figures expected are worked out by hand
// in the comments.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/error.hpp"
#include "energy/tariff.hpp"
#include "scenario/kpi_catalogue.hpp"
#include "scenario/runner.hpp"
#include "scenario/stages.hpp"
#include "scenario/traffic_run.hpp"
#include "support/fixtures.hpp"

using namespace sandan;
using namespace sandan::test;

namespace {

// Two complexes (a with facilities 0 and 1, b with facility 2), three hours.
struct Fixture {
  ScenarioSpec spec;
  FacilityPlan plan;
  EnergyResults energy;
  std::vector<double> fuel_mwh{1.0, 2.0, 4.0};
  std::vector<std::size_t> slot{0, 0, 1};
  GridResults grid;
  TrafficResults traffic;
  EmissionsResults emissions;
  CostSummary costs = [] {
    CostSummary c;
    c.investment_krw = 1000.0;
    c.annualised_cost_krw = 80.0;
    return c;
  }();

  Fixture() {
    plan.pv_kwp = {10.0, 0.0, 5.0};
    energy.hours = 3;
    energy.complex_ids = {"a", "b"};
    energy.bill_krw = {100.0, 200.0, 400.0};
    // a: load 10, 20, 30 kW; b: 30, 5, 5 kW. a imports everything, b has PV at hour 0.
    energy.complex_load_kw = {10, 20, 30, 30, 5, 5};
    energy.complex_pv_kw = {0, 0, 0, 6, 0, 0};
    energy.complex_curtailed_kw = {0, 0, 0, 0, 0, 0};
    energy.complex_import_kw = {10, 20, 30, 24, 5, 5};
    energy.complex_export_kw = {0, 0, 0, 0, 0, 0};
    grid.enabled = true;
    grid.feeder_ids = {"fa1", "fa2", "fb"};
    grid.feeder_complex = {"a", "a", "b"};
    grid.undervoltage_hours = {3, 7, 1};
    grid.overvoltage_hours = {0, 2, 9};
    grid.overload_hours = {4, 0, 0};
    grid.hosting_capacity_kwp = {100.0, 50.0, 25.0};
    spec.grid.hosting_capacity = true;
    traffic.enabled = true;
    traffic.classes = {"car", "light_truck", "heavy_truck"};
    traffic.area_ids = {"a", "b", "outside"};
    traffic.vkt_km = {100, 10, 1, 200, 20, 2, 1000, 100, 10};  // [area][class]
    traffic.vht_h = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    traffic.electric_share = {0.0, 0.5, 0.25};
    emissions.enabled = true;
    emissions.areas = {"a", "b", "outside"};
    emissions.sources = {"lng", "electricity", "car"};
    emissions.source_scope = {"scope1", "scope2", "transport"};
    emissions.tco2e = {1, 2, 3, 10, 20, 30, 0, 0, 300};
  }

  [[nodiscard]] std::vector<Kpi> kpis() const {
    return compute_kpis({spec, plan, energy, fuel_mwh, slot, grid, traffic, emissions, costs});
  }
};

// Inputs around a site model: the 2026 calendar; no weather, archetypes or tariff.
RunInputs inputs_for(std::shared_ptr<SiteModel> model) {
  return {std::move(model),
          load_calendar(2026, std::string(SANDAN_GIS_DATA_DIR) + "/calendar/holidays_kr.csv"),
          {},
          {},
          {},
          std::nullopt,
          std::nullopt,
          std::nullopt};
}

// The same with the shipped 2026 tariff.
RunInputs inputs_with_tariff(std::shared_ptr<SiteModel> model) {
  RunInputs in = inputs_for(std::move(model));
  in.tariff =
      read_tariff(std::string(SANDAN_GIS_DATA_DIR) + "/tariffs/kepco_industrial_b_hv_a_ii_2026-04-16.yaml");
  return in;
}

// A scenario with one shared battery at complex "a".
ScenarioSpec battery_at_a(double energy_kwh, double power_kw, BatteryStrategy strategy) {
  ScenarioSpec spec;
  BatteryIntervention b;
  b.placement = BatteryPlacement::kComplex;
  b.target_id = "a";
  b.battery.energy_kwh = energy_kwh;
  b.battery.power_kw = power_kw;
  b.battery.strategy = strategy;
  spec.batteries = {b};
  return spec;
}

double value(const std::vector<Kpi>& rows, KpiId id, const std::string& complex) {
  const auto v = kpi_value(rows, id, complex);
  REQUIRE_MESSAGE(v.has_value(), kpi_key(id) << " for " << complex);
  return *v;
}

}  // namespace

TEST_CASE("the KPI catalogue lists each key once, in id order, with a unit and a description") {
  std::set<std::string_view> keys;
  std::size_t index_columns = 0;
  for (std::size_t i = 0; i < kpi_catalogue().size(); ++i) {
    const KpiInfo& k = kpi_catalogue()[i];
    CHECK(static_cast<std::size_t>(k.id) == i);
    CHECK(keys.insert(k.key).second);
    CHECK(!k.unit.empty());
    CHECK(!k.description.empty());
    CHECK(find_kpi(k.key) == k.id);
    index_columns += k.in_index ? 1 : 0;
  }
  CHECK(index_columns == 11);
  CHECK(!find_kpi("annual_load_kwh").has_value());
  CHECK(kpi_key(KpiId::kTco2eTotal) == "tco2e_total");
}

TEST_CASE("compute_kpis forms each complex's row and the all row as the catalogue says") {
  const Fixture f;
  const std::vector<Kpi> rows = f.kpis();
  // Sums: load a = 60 kWh = 0.06 MWh, b = 0.04 MWh, all 0.1 MWh.
  CHECK(value(rows, KpiId::kAnnualLoadMwh, "a") == doctest::Approx(0.06));
  CHECK(value(rows, KpiId::kAnnualLoadMwh, "all") == doctest::Approx(0.10));
  CHECK(value(rows, KpiId::kFacilities, "a") == 2);
  CHECK(value(rows, KpiId::kFacilities, "all") == 3);
  CHECK(value(rows, KpiId::kAnnualFuelMwh, "b") == 4.0);
  CHECK(value(rows, KpiId::kBillKrw, "all") == 700.0);
  // The peak of the sum: hours 0..2 import 34, 25, 35 kW → 35, not 30 + 24 = 54.
  CHECK(value(rows, KpiId::kPeakImportKw, "a") == 30.0);
  CHECK(value(rows, KpiId::kPeakImportKw, "b") == 24.0);
  CHECK(value(rows, KpiId::kPeakImportKw, "all") == 35.0);
  // Ratios of sums: self-sufficiency of all = 1 − 94 / 100 = 0.06; PV yield of b = 6 kWh / 5 kWp.
  CHECK(value(rows, KpiId::kSelfSufficiency, "all") == doctest::Approx(0.06));
  CHECK(value(rows, KpiId::kPvYieldKwhPerKwp, "b") == doctest::Approx(1.2));
  CHECK(value(rows, KpiId::kPvYieldKwhPerKwp, "all") == doctest::Approx(6.0 / 15.0));
  // Worst feeder: a's worst undervoltage feeder has 7 h; all: max over every feeder.
  CHECK(value(rows, KpiId::kWorstFeederUndervoltageHours, "a") == 7);
  CHECK(value(rows, KpiId::kWorstFeederOvervoltageHours, "all") == 9);
  CHECK(value(rows, KpiId::kPvHostingCapacityKwp, "all") == 175.0);
  // Traffic: all counts the roads outside the complexes too.
  CHECK(value(rows, KpiId::kCarKm, "a") == 100.0);
  CHECK(value(rows, KpiId::kCarKm, "all") == 1300.0);
  CHECK(value(rows, KpiId::kTruckKm, "b") == 22.0);
  CHECK(value(rows, KpiId::kElectricTruckKm, "all") == doctest::Approx(130 * 0.5 + 13 * 0.25));
  CHECK(value(rows, KpiId::kVehicleHours, "all") == 45.0);
  // Emissions by scope; the total adds the three.
  CHECK(value(rows, KpiId::kTco2eScope2, "b") == 20.0);
  CHECK(value(rows, KpiId::kTco2eTransport, "all") == 333.0);
  CHECK(value(rows, KpiId::kTco2eTotal, "all") == 366.0);
  // Costs are for the whole run only.
  CHECK(value(rows, KpiId::kInvestmentKrw, "all") == 1000.0);
  CHECK(!kpi_value(rows, KpiId::kInvestmentKrw, "a").has_value());
  // Rows carry the catalogue's units, and appear in its order within a complex.
  for (const Kpi& k : rows) CHECK(k.unit == kpi_info(*find_kpi(k.key)).unit);
  CHECK(rows.front().key == "facilities");
}

TEST_CASE("compute_kpis reports only the models that ran") {
  Fixture f;
  f.grid.enabled = false;
  f.traffic.enabled = false;
  f.emissions.enabled = false;
  const std::vector<Kpi> rows = f.kpis();
  for (const Kpi& k : rows) {
    const KpiModel model = kpi_info(*find_kpi(k.key)).model;
    CHECK((model == KpiModel::kEnergy || model == KpiModel::kCosts));
  }
  CHECK(rows.size() == 3 * 15 + 3);  // 15 energy KPIs for a, b and all; three costs
}

TEST_CASE("cost_interventions annualises each investment with the capital recovery factor") {
  auto model = std::make_shared<SiteModel>();
  model->site.complexes = {Complex{"a", "A", "에이", ComplexRole::kHub, {}, {}}};
  model->site.facilities.resize(2);
  model->complex_ids = {"a"};
  model->facility_slot = {0, 0};
  const RunInputs in = inputs_for(model);
  ScenarioSpec spec;
  spec.discount_rate = 0.05;
  RooftopPvIntervention pv;
  pv.cost = {1e6, 1.2e6, 20.0};  // 1 M KRW plus 1.2 M KRW per kWp, 20 years
  spec.rooftop_pv = {pv};
  BatteryIntervention battery;
  battery.placement = BatteryPlacement::kComplex;
  battery.battery.energy_kwh = 2000.0;
  battery.cost = {0.0, 5e5, 10.0};  // 0.5 M KRW per kWh, 10 years
  spec.batteries = {battery};
  FacilityPlan plan;
  plan.pv_kwp = {100.0, 50.0};
  plan.pv_intervention = {0, 0};
  const CostSummary c = cost_interventions(spec, in, plan, EnergyBalance{});
  // PV: 1e6 + 1.2e6 × 150 = 181e6 KRW; battery: 5e5 × 2000 = 1e9 KRW.
  CHECK(c.investment_krw == doctest::Approx(181e6 + 1e9));
  // CRF(5 %, 20 y) = 0.05 × 1.05^20 / (1.05^20 − 1) = 0.0802425872; CRF(5 %, 10 y) = 0.1295045750.
  CHECK(c.annualised_cost_krw == doctest::Approx(181e6 * 0.0802425872 + 1e9 * 0.1295045750).epsilon(1e-9));
  spec.discount_rate = 0.0;  // straight line
  CHECK(cost_interventions(spec, in, plan, EnergyBalance{}).annualised_cost_krw ==
        doctest::Approx(181e6 / 20.0 + 1e9 / 10.0));
  // O&M of 1 % of PV's investment a year adds 1.81e6 KRW to the annualised cost and is reported.
  spec.rooftop_pv[0].cost.om_share_per_year = 0.01;
  const CostSummary with_om = cost_interventions(spec, in, plan, EnergyBalance{});
  CHECK(with_om.om_krw_per_year == doctest::Approx(1.81e6));
  CHECK(with_om.annualised_cost_krw == doctest::Approx(181e6 / 20.0 + 1e9 / 10.0 + 1.81e6));
  REQUIRE(with_om.items.size() == 2);
  CHECK(with_om.items[0].intervention == "interventions[0].rooftop_pv");
  CHECK(with_om.items[1].intervention == "interventions[1].battery");
}

TEST_CASE("cost_interventions prices fuel burned and credits exports by net metering, surplus at SMP") {
  const std::string gis(SANDAN_GIS_DATA_DIR);
  auto model = std::make_shared<SiteModel>();
  model->site.complexes = {Complex{"a", "A", "에이", ComplexRole::kHub, {}, {}}};
  model->site.facilities.resize(2);
  model->site.facilities[0].fuel = Fuel::kLng;
  model->complex_ids = {"a"};
  model->facility_slot = {0, 0};
  RunInputs in = inputs_for(model);
  in.fuel_prices = read_fuel_prices(gis + "/prices/fuel_prices.yaml");
  in.pv_export = read_pv_export(gis + "/prices/pv_export.yaml");
  ScenarioSpec spec;  // 2026
  FacilityPlan plan;
  plan.pv_kwp = {0.0, 500.0};  // under the 1,000 kW net metering limit
  plan.pv_intervention = {-1, 0};
  EnergyBalance b;
  b.annual_fuel_mwh = {1000.0, 0.0};
  for (auto* v : {&b.monthly_import_kwh, &b.monthly_export_kwh, &b.monthly_rate_krw_per_kwh})
    v->assign(24, 0.0);
  // Facility 1: January exports 100 kWh and buys 300 at 150 KRW/kWh; July exports 500 and buys 200.
  b.monthly_export_kwh[12 + 0] = 100.0;
  b.monthly_import_kwh[12 + 0] = 300.0;
  b.monthly_rate_krw_per_kwh[12 + 0] = 150.0;
  b.monthly_export_kwh[12 + 6] = 500.0;
  b.monthly_import_kwh[12 + 6] = 200.0;
  b.monthly_rate_krw_per_kwh[12 + 6] = 150.0;
  const CostSummary c = cost_interventions(spec, in, plan, b);
  // LNG in 2026: 83,274 KRW/MWh (gis_data/prices/fuel_prices.yaml) × 1,000 MWh.
  CHECK(c.fuel_cost_krw[0] == doctest::Approx(83274.0 * 1000.0));
  CHECK(c.fuel_cost_krw[1] == 0.0);
  // January: 100 × 150 = 15,000; July: 200 netted × 150 + 300 surplus × SMP 108 (2026) = 62,400.
  CHECK(c.export_credit_krw[1] == doctest::Approx(15000.0 + 30000.0 + 300.0 * 108.0));
  // Prices scale with the scenario's factors.
  spec.prices.fuel_factor = 1.2;
  spec.prices.export_factor = 0.5;
  const CostSummary scaled = cost_interventions(spec, in, plan, b);
  CHECK(scaled.fuel_cost_krw[0] == doctest::Approx(1.2 * 83274.0 * 1000.0));
  CHECK(scaled.export_credit_krw[1] == doctest::Approx(0.5 * (45000.0 + 300.0 * 108.0)));
}

TEST_CASE("plan_facilities compounds efficiency entries and shares fuel switching between entries") {
  auto model = std::make_shared<SiteModel>();
  model->site.complexes = {Complex{"a", "A", "에이", ComplexRole::kHub, {}, {}}};
  model->site.facilities.resize(2);
  model->site.facilities[0].ksic = "C24";
  model->site.facilities[1].ksic = "C26";
  model->complex_ids = {"a"};
  model->facility_slot = {0, 0};
  model->attachments.bus = {-1, -1};
  const RunInputs in = inputs_for(model);
  ScenarioSpec spec;
  EfficiencyIntervention e;
  e.electricity_saving = 0.1;
  e.fuel_saving = 0.2;
  spec.efficiency = {e, e};
  e.where.sectors = {"C24"};
  spec.efficiency.push_back(e);
  FuelSwitchIntervention s;
  s.share = 0.5;
  s.boiler_efficiency = 0.9;
  s.cop = 3.0;
  spec.fuel_switches = {s};
  s.cop = 4.5;
  spec.fuel_switches.push_back(s);
  const FacilityPlan plan = plan_facilities(spec, in);
  // C24 gets all three efficiency entries, C26 the two unfiltered ones.
  CHECK(plan.elec_factor[0] == doctest::Approx(0.9 * 0.9 * 0.9));
  CHECK(plan.elec_factor[1] == doctest::Approx(0.9 * 0.9));
  CHECK(plan.fuel_factor[1] == doctest::Approx(0.8 * 0.8));
  // Fuel switching: 0.5, then half of the rest: 0.75 in all; the electricity per kWh of fuel is the
  // share-weighted mean of 0.9 / 3 and 0.9 / 4.5: (0.5 × 0.3 + 0.25 × 0.2) / 0.75.
  CHECK(plan.switch_share[0] == doctest::Approx(0.75));
  CHECK(plan.switch_kwh_per_fuel_kwh[0] == doctest::Approx((0.5 * 0.3 + 0.25 * 0.2) / 0.75));
  CHECK(plan.pv_kwp == std::vector<double>{0.0, 0.0});
}

TEST_CASE("a shared battery at a complex acts on the complex's net exchange and the balance stays closed") {
  auto model = std::make_shared<SiteModel>();
  model->complex_ids = {"a"};
  const RunInputs in = inputs_with_tariff(model);
  const auto hours = static_cast<std::size_t>(in.calendar.hours());
  const ScenarioSpec spec = battery_at_a(400.0, 100.0, BatteryStrategy::kPeakShaving);
  EnergyBalance balance;
  EnergyResults& e = balance.energy;
  e.complex_ids = {"a"};
  e.hours = static_cast<int>(hours);
  // 500 kW all day, 1,000 kW from 10:00 to 12:00 every day.
  balance.complex_net_kw.assign(hours, 500.0F);
  for (std::size_t h = 0; h < hours; ++h) {
    if (h % 24 >= 10 && h % 24 < 12) balance.complex_net_kw[h] = 1000.0F;
  }
  const std::vector<float> before = balance.complex_net_kw;
  for (auto* v : {&e.complex_battery_kw, &e.complex_import_kw, &e.complex_export_kw}) v->assign(hours, 0.0F);
  settle_shared_batteries(spec, in, FacilityPlan{}, nullptr, balance);
  REQUIRE(e.battery_ids == std::vector<std::string>{"complex:a"});
  REQUIRE(e.shared_battery_kw.size() == hours);
  float peak = 0.0F;
  for (std::size_t h = 0; h < hours; ++h) {
    // import − export = the net before the battery − the battery's discharge, every hour.
    CHECK(e.complex_import_kw[h] - e.complex_export_kw[h] ==
          doctest::Approx(before[h] - e.shared_battery_kw[h]));
    CHECK(e.complex_battery_kw[h] == e.shared_battery_kw[h]);
    peak = std::max(peak, e.complex_import_kw[h]);
  }
  // The battery shaves the two-hour peak by up to its power.
  CHECK(peak < 1000.0F);
  CHECK(peak >= 900.0F - 1e-3F);
}

TEST_CASE(
    "a shared battery is settled on its complex's meter and its saving shared by the facilities' bills") {
  auto model = std::make_shared<SiteModel>();
  model->complex_ids = {"a", "b"};
  // Facilities 0 and 1 in complex a, 2 in complex b.
  model->facility_slot = {0, 0, 1};
  const RunInputs in = inputs_with_tariff(model);
  const auto hours = static_cast<std::size_t>(in.calendar.hours());
  const ScenarioSpec spec = battery_at_a(400.0, 100.0, BatteryStrategy::kPeakShaving);
  FacilityPlan plan;
  plan.substation_slot = {-1, -1, -1};
  EnergyBalance balance;
  EnergyResults& e = balance.energy;
  e.complex_ids = {"a", "b"};
  e.hours = static_cast<int>(hours);
  e.bill_krw = {3.0e8, 1.0e8, 5.0e7};
  // Complex a: 500 kW, 1,000 kW from 10:00 to 12:00; complex b: 200 kW flat.
  balance.complex_net_kw.assign(2 * hours, 200.0F);
  for (std::size_t h = 0; h < hours; ++h)
    balance.complex_net_kw[h] = h % 24 >= 10 && h % 24 < 12 ? 1000.0F : 500.0F;
  const std::vector<float> before(balance.complex_net_kw.begin(),
                                  balance.complex_net_kw.begin() + static_cast<std::ptrdiff_t>(hours));
  for (auto* v : {&e.complex_battery_kw, &e.complex_import_kw, &e.complex_export_kw})
    v->assign(2 * hours, 0.0F);
  settle_shared_batteries(spec, in, plan, nullptr, balance);
  // The saving, recomputed: the tariff on complex a's import without and with the battery.
  std::vector<float> after(hours);
  for (std::size_t h = 0; h < hours; ++h) after[h] = std::max(before[h] - e.shared_battery_kw[h], 0.0F);
  const auto year_krw = [&](const std::vector<float>& import_kw) {
    double total = 0.0;
    for (const auto& bill : monthly_bills(in.tariff, in.calendar, import_kw)) total += bill.total_krw;
    return total;
  };
  const double saving = year_krw(before) - year_krw(after);
  REQUIRE(e.shared_battery_saving_krw.size() == 1);
  CHECK(e.shared_battery_saving_krw[0] == doctest::Approx(saving));
  // Shaving ~100 kW of billing demand every month saves at least a few million KRW a year.
  CHECK(saving > 1.0e6);
  // Allocated 3:1 as the facilities' bills before it; complex b's facility keeps its bill.
  CHECK(e.bill_krw[0] == doctest::Approx(3.0e8 - 0.75 * saving));
  CHECK(e.bill_krw[1] == doctest::Approx(1.0e8 - 0.25 * saving));
  CHECK(e.bill_krw[2] == 5.0e7);
}

namespace {

// The two-facility layout of support/fixtures.hpp (one complex, one feeder ss1 → b1 → b2) with the
// shipped calendar, weather, archetypes, tariff and line types; PV on half of every roof and a battery
// at every PV facility.
ScenarioSpec tiny_spec(const TempDir& dir) {
  const std::string gis(SANDAN_GIS_DATA_DIR);
  ScenarioSpec spec;
  spec.path = dir.str("tiny.yaml");
  spec.site = write_layers(dir, tiny_layers());
  spec.weather = gis + "/weather/incheon_synthetic.epw";
  spec.holidays = gis + "/calendar/holidays_kr.csv";
  spec.tariff = gis + "/tariffs/kepco_industrial_b_hv_a_ii_2026-04-16.yaml";
  spec.load_library = gis + "/loads/archetypes.yaml";
  spec.grid.enabled = true;
  spec.grid.line_types = gis + "/line_types.csv";
  RooftopPvIntervention pv;
  pv.pv.roof_share = 0.5;
  pv.pv.min_roof_m2 = 0.0;
  spec.rooftop_pv = {pv};
  BatteryIntervention battery;
  battery.placement = BatteryPlacement::kFacilities;
  battery.battery.energy_kwh = 1.0;  // per kWp
  battery.battery.power_kw = 0.5;
  spec.batteries = {battery};
  return spec;
}

}  // namespace

TEST_CASE("balance_energy closes each facility's hours and sums them into the complex and the buses") {
  TempDir dir("stages_balance");
  const ScenarioSpec spec = tiny_spec(dir);
  const auto model = load_site_model(spec);
  REQUIRE(model->site.facilities.size() == 2);
  const RunInputs in = read_run_inputs(spec, model);
  const GridModel grid = build_run_grid_model(spec, *model);
  const FacilityPlan plan = plan_facilities(spec, in);
  CHECK(plan.pv_kwp[0] > 0.0);
  CHECK(plan.has_battery[0] == 1);
  const EnergyBalance b = balance_energy(spec, in, plan, &grid, StageOptions{});
  const EnergyResults& e = b.energy;
  const auto hours = static_cast<std::size_t>(e.hours);
  REQUIRE(e.load_kw.size() == 2 * hours);
  REQUIRE(b.injections.p_kw.size() == b.injections.buses * hours);
  double pv_kwh = 0.0;
  for (std::size_t h = 0; h < hours; ++h) {
    double net_kw = 0.0;
    for (std::size_t f = 0; f < 2; ++f) {
      const std::size_t i = f * hours + h;
      // load = (pv − curtailed) + battery + import − export, to float precision.
      CHECK(e.pv_kw[i] - e.curtailed_kw[i] + e.battery_kw[i] + e.import_kw[i] - e.export_kw[i] ==
            doctest::Approx(e.load_kw[i]).epsilon(1e-5));
      net_kw += e.import_kw[i] - e.export_kw[i];
      pv_kwh += e.pv_kw[i];
    }
    CHECK(e.complex_load_kw[h] == doctest::Approx(e.load_kw[h] + e.load_kw[hours + h]));
    CHECK(b.complex_net_kw[h] == doctest::Approx(net_kw));
    double bus_kw = 0.0;
    for (std::size_t bus = 0; bus < b.injections.buses; ++bus) bus_kw += b.injections.p_kw[bus * hours + h];
    CHECK(bus_kw == doctest::Approx(net_kw));
  }
  CHECK(pv_kwh > 0.0);
  // A bill for each facility; the complex's import waits for the shared batteries.
  CHECK(e.bill_krw[0] > 0.0);
  CHECK(e.complex_import_kw == std::vector<float>(hours, 0.0F));
}

TEST_CASE("a feeder model error names the layout file, the feeder and the segment") {
  TempDir dir("stages_feeder_error");
  ScenarioSpec spec = tiny_spec(dir);
  auto layers = tiny_layers();
  const auto at = layers["feeders"].find("ACSR-OC 58");
  REQUIRE(at != std::string::npos);
  layers["feeders"].replace(at, 10, "ACSR-XX 99");
  spec.site = write_layers(dir, layers);
  const auto model = load_site_model(spec);
  try {
    (void)build_run_grid_model(spec, *model);
    FAIL("no error for an unknown line type");
  } catch (const ConfigError& e) {
    CHECK(e.headline().find(spec.site + ": the layout's feeders cannot be modelled (line types: " +
                            spec.grid.line_types + ")") != std::string::npos);
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0] == spec.site +
                                 ": layer 'feeders': feeder 'fd1', segment 's2': unknown line type "
                                 "'ACSR-XX 99'; use a type of the line types file or add it there");
  }
}

TEST_CASE("solve_grid converges every hour and voltage falls along the radial feeder") {
  TempDir dir("stages_grid");
  const ScenarioSpec spec = tiny_spec(dir);
  const auto model = load_site_model(spec);
  const RunInputs in = read_run_inputs(spec, model);
  const GridModel grid = build_run_grid_model(spec, *model);
  const FacilityPlan plan = plan_facilities(spec, in);
  EnergyBalance b = balance_energy(spec, in, plan, &grid, StageOptions{});
  settle_shared_batteries(spec, in, plan, &grid, b);
  const GridResults g = solve_grid(spec, in, grid, b, StageOptions{2, true, nullptr, {}});
  REQUIRE(g.feeder_ids == std::vector<std::string>{"fd1"});
  CHECK(g.nonconverged_hours == 0);
  const auto hours = static_cast<std::size_t>(g.hours);
  auto bus = [&](const std::string& id) {
    const auto it = std::find(g.bus_ids.begin(), g.bus_ids.end(), id);
    REQUIRE(it != g.bus_ids.end());
    return static_cast<std::size_t>(it - g.bus_ids.begin());
  };
  const std::size_t b1 = bus("b1");
  const std::size_t b2 = bus("b2");
  std::size_t importing = 0;
  for (std::size_t h = 0; h < hours; ++h) {
    if (b.complex_net_kw[h] <= 0.0F) continue;  // the feeder draws power: the far bus is lowest
    ++importing;
    CHECK(g.bus_vm_pu[b2 * hours + h] <= g.bus_vm_pu[b1 * hours + h] + 1e-9F);
  }
  CHECK(importing > 0);
  CHECK(g.loss_mwh > 0.0);
  CHECK(g.max_loading[0] > 0.0);
  // The same on one thread (results do not depend on the tiles' threads).
  const GridResults one = solve_grid(spec, in, grid, b, StageOptions{});
  CHECK(one.bus_vm_pu == g.bus_vm_pu);
}

TEST_CASE(
    "surplus a shared battery stores is not credited as export: the kept share is export after / before") {
  auto model = std::make_shared<SiteModel>();
  model->complex_ids = {"a"};
  model->facility_slot = {0};
  const RunInputs in = inputs_with_tariff(model);
  const auto hours = static_cast<std::size_t>(in.calendar.hours());
  const ScenarioSpec spec = battery_at_a(200.0, 50.0, BatteryStrategy::kSelfConsumption);
  FacilityPlan plan;
  plan.substation_slot = {-1};
  EnergyBalance balance;
  EnergyResults& e = balance.energy;
  e.complex_ids = {"a"};
  e.hours = static_cast<int>(hours);
  e.bill_krw = {1.0e8};
  // 100 kW exported from 10:00 to 14:00, 300 kW imported otherwise: the battery stores midday surplus.
  balance.complex_net_kw.assign(hours, 300.0F);
  for (std::size_t h = 0; h < hours; ++h) {
    if (h % 24 >= 10 && h % 24 < 14) balance.complex_net_kw[h] = -100.0F;
  }
  for (auto* v : {&e.complex_battery_kw, &e.complex_import_kw, &e.complex_export_kw}) v->assign(hours, 0.0F);
  settle_shared_batteries(spec, in, plan, nullptr, balance);
  REQUIRE(balance.complex_export_kept.size() == 12);
  // January: 31 days × 4 h × 100 kW exported before; after, what the complex still exports.
  double after = 0.0;
  for (int h = 0; h < 31 * 24; ++h) after += e.complex_export_kw[static_cast<std::size_t>(h)];
  const double before = 31.0 * 4.0 * 100.0;
  CHECK(after < before);
  CHECK(balance.complex_export_kept[0] == doctest::Approx(after / before));
}

TEST_CASE(
    "a calibrated baseline replaces f1's archetype, and efficiency and PV act on the calibrated facility") {
  TempDir dir("stages_calibrated");
  ScenarioSpec spec = tiny_spec(dir);
  spec.batteries.clear();
  spec.grid.enabled = false;
  const auto model = load_site_model(spec);
  const RunInputs plain_in = read_run_inputs(spec, model);
  const FacilityPlan plain_plan = plan_facilities(spec, plain_in);
  const EnergyBalance plain = balance_energy(spec, plain_in, plain_plan, nullptr, StageOptions{});

  // f1 metered: 50 kW flat on every day type, no temperature term, no noise; its PV yields 80 % of the
  // model (a metered inverter).
  Calibration calibration;
  calibration.year = 2018;  // the year of the data; the run's is 2026
  LoadCalibration c;
  c.facility_id = "f1";
  c.meter_id = "m1";
  for (auto& day : c.base_kw) day.fill(50.0);
  calibration.loads.push_back(c);
  calibration.pv.push_back(PvCalibration{"f1", "pv1", 0.8});
  spec.calibration = dir.str("calibration.yaml");
  write_calibration(spec.calibration, calibration, "");
  EfficiencyIntervention efficiency;
  efficiency.electricity_saving = 0.1;
  spec.efficiency = {efficiency};
  const RunInputs in = read_run_inputs(spec, model);
  REQUIRE(in.calibration);
  const FacilityPlan plan = plan_facilities(spec, in);
  const EnergyBalance b = balance_energy(spec, in, plan, nullptr, StageOptions{});
  const auto hours = static_cast<std::size_t>(b.energy.hours);
  for (std::size_t h = 0; h < hours; h += 37) {
    // 50 kW × (1 − 0.1): the intervention saves a tenth of the calibrated load.
    CHECK(b.energy.load_kw[h] == doctest::Approx(45.0).epsilon(1e-5));
    CHECK(b.energy.pv_kw[h] == doctest::Approx(0.8 * plain.energy.pv_kw[h]).epsilon(1e-5));
    // f2 is not calibrated: its load is the archetype's, less the same tenth.
    CHECK(b.energy.load_kw[hours + h] ==
          doctest::Approx(0.9 * plain.energy.load_kw[hours + h]).epsilon(1e-5));
  }

  // A calibration of a facility the layout does not have is refused before any model runs.
  calibration.loads[0].facility_id = "f9";
  write_calibration(spec.calibration, calibration, "");
  try {
    (void)read_run_inputs(spec, model);
    FAIL("a calibration of an unknown facility was accepted");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].find("facility 'f9' is not in the layout") != std::string::npos);
  }
}

TEST_CASE(
    "a layout with an empty facilities layer, or an empty roads layer under traffic, is refused before "
    "running") {
  // Both ran to the end with exit 0 and reported zeros (every KPI 0, no trips assigned).
  TempDir dir("stages_empty_layers");
  ScenarioSpec spec = tiny_spec(dir);
  // A second complex, "beta", without facilities, and a run of it alone.
  auto layers = tiny_layers();
  layers["complexes"] =
      collection(feature(R"("complex_id": "alpha", "name": "Alpha", "name_ko": "알파", "role": "hub")",
                         polygon(0, 0, 1000, 1000)) +
                 ", " +
                 feature(R"("complex_id": "beta", "name": "Beta", "name_ko": "베타", "role": "linked")",
                         polygon(2000, 0, 3000, 1000)));
  spec.site = write_layers(dir, layers);
  spec.complexes = {"beta"};
  try {
    (void)load_site_model(spec);
    FAIL("no error for a layout without facilities");
  } catch (const ConfigError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].find("layer 'facilities' has no facility in the complexes simulated") !=
          std::string::npos);
    CHECK(e.problems()[0].find(spec.site) != std::string::npos);
  }

  // The shipped layout with its roads layer emptied (ogrinfo, from gdal-bin): the layer and its fields
  // stay, no feature does.
  TempDir roads_dir("stages_empty_roads");
  ScenarioSpec with_traffic = tiny_spec(roads_dir);
  const std::filesystem::path gpkg = roads_dir.path() / "no_roads.gpkg";
  std::filesystem::copy_file(std::string(SANDAN_GIS_DATA_DIR) + "/incheon.gpkg", gpkg);
  REQUIRE(std::system(
              ("ogrinfo -q " + gpkg.string() + " -dialect SQLite -sql 'DELETE FROM roads' > /dev/null 2>&1")
                  .c_str()) == 0);
  with_traffic.site = gpkg.string();
  with_traffic.complexes = {"local"};
  with_traffic.rooftop_pv.clear();
  with_traffic.batteries.clear();
  with_traffic.traffic.enabled = true;
  with_traffic.traffic.trip_rates = std::string(SANDAN_GIS_DATA_DIR) + "/traffic/trip_rates.yaml";
  try {
    const auto model = load_site_model(with_traffic);
    const TrafficStage stage(with_traffic, *model);
    FAIL("no error for traffic on a layout without roads");
  } catch (const ConfigError& e) {
    CHECK(e.headline().find("layer 'roads' has no roads") != std::string::npos);
  }
}

TEST_CASE("freight tours from gates on a layout without gates are refused naming the freight file's line") {
  // The shipped layout with every gate's share set to 0 (ogrinfo, from gdal-bin): tours from a gate
  // would have no gate to start from (an unknown depot).
  TempDir dir("stages_no_gates");
  ScenarioSpec spec = tiny_spec(dir);
  const std::filesystem::path gpkg = dir.path() / "no_gates.gpkg";
  std::filesystem::copy_file(std::string(SANDAN_GIS_DATA_DIR) + "/incheon.gpkg", gpkg);
  REQUIRE(std::system(("ogrinfo -q " + gpkg.string() +
                       " -dialect SQLite -sql 'UPDATE gates SET share = 0' > /dev/null 2>&1")
                          .c_str()) == 0);
  spec.site = gpkg.string();
  spec.complexes = {"local"};
  spec.rooftop_pv.clear();
  spec.batteries.clear();
  spec.traffic.enabled = true;
  spec.traffic.trip_rates = std::string(SANDAN_GIS_DATA_DIR) + "/traffic/trip_rates.yaml";
  spec.traffic.freight = std::string(SANDAN_GIS_DATA_DIR) + "/traffic/freight_tours.yaml";
  try {
    const auto model = load_site_model(spec);
    const TrafficStage stage(spec, *model);
    FAIL("no error for tours from gates without gates");
  } catch (const ConfigError& e) {
    CHECK(e.headline().find("tours from unknown depots") != std::string::npos);
    REQUIRE(e.problems().size() == 3);  // light and heavy trucks' gate_share, then the fix
    CHECK(e.problems()[0].find("freight_tours.yaml:") != std::string::npos);
    CHECK(e.problems()[0].find("light_truck.gate_share") != std::string::npos);
    CHECK(e.problems()[1].find("heavy_truck.gate_share") != std::string::npos);
    CHECK(e.problems()[2].find("set gate_share to 0") != std::string::npos);
  }
}
