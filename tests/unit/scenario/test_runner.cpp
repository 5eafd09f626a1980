#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "core/error.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "support/fixtures.hpp"

using namespace sandan;
using namespace sandan::test;

namespace {

// A scenario on the shipped data, restricted to Incheon Local (the smallest complex) for speed.
std::string write_scenario(const TempDir& dir, const std::string& name, const std::string& body) {
  const std::string gis(SANDAN_GIS_DATA_DIR);
  const std::string text =
      "name: " + name + "\nyear: 2026\nseed: 3\nsite: " + gis + "/incheon.gpkg\nweather: " + gis +
      "/weather/incheon_synthetic.epw\nholidays: " + gis + "/calendar/holidays_kr.csv\ntariff: " + gis +
      "/tariffs/kepco_industrial_b_hv_a_ii_2026-04-16.yaml\nload_library: " + gis +
      "/loads/archetypes.yaml\ncomplexes: [local]\n" + body;
  write_text(dir.path() / (name + ".yaml"), text);
  return dir.str(name + ".yaml");
}

std::map<std::string, double> kpis(const RunResult& run, const std::string& complex) {
  std::map<std::string, double> out;
  for (const auto& k : run.kpis) {
    if (k.complex == complex) out[k.key] = k.value;
  }
  return out;
}

}  // namespace

TEST_CASE("the energy balance closes every hour for every facility and complex") {
  TempDir dir("runner_balance");
  const auto spec = read_scenario(write_scenario(dir, "pv", R"(interventions:
  - rooftop_pv: {roof_share: 0.8, min_roof_m2: 500, export_limit_kw_per_kwp: 0.2}
  - battery: {at: facilities, energy_kwh_per_kwp: 1, power_kw_per_kwp: 0.5}
  - battery: {at: "complex:local", energy_kwh: 4000, power_kw: 1000, strategy: peak_shaving}
)"));
  const RunResult run = run_scenario(spec);
  const EnergyResults& e = run.energy;
  REQUIRE(e.hours == 8760);
  REQUIRE(e.facility_ids.size() == 112);
  double worst = 0.0;
  double curtailed = 0.0;
  for (std::size_t i = 0; i < e.load_kw.size(); ++i) {
    const double supply = e.pv_kw[i] - e.curtailed_kw[i] + e.battery_kw[i] + e.import_kw[i] - e.export_kw[i];
    worst = std::max(worst, std::abs(supply - e.load_kw[i]) / std::max(1.0F, e.load_kw[i]));
    curtailed += e.curtailed_kw[i];
    REQUIRE(e.import_kw[i] >= 0.0F);
    REQUIRE(e.export_kw[i] >= 0.0F);
    REQUIRE(e.import_kw[i] * e.export_kw[i] == 0.0F);
  }
  CHECK(worst < 1e-5);
  CHECK(curtailed > 0.0);  // an export limit of 0.2 kW/kWp bites at midday
  for (std::size_t i = 0; i < e.complex_load_kw.size(); ++i) {
    const double supply = e.complex_pv_kw[i] - e.complex_curtailed_kw[i] + e.complex_battery_kw[i] +
                          e.complex_import_kw[i] - e.complex_export_kw[i];
    REQUIRE(std::abs(supply - e.complex_load_kw[i]) < 1e-3 * std::max(1.0F, e.complex_load_kw[i]));
  }
  REQUIRE(e.battery_ids == std::vector<std::string>{"complex:local"});
}

TEST_CASE("rooftop PV and a peak-shaving battery lower imports and the peak against the baseline") {
  TempDir dir("runner_compare");
  const RunResult base = run_scenario(read_scenario(write_scenario(dir, "base", "")));
  const RunResult pv = run_scenario(read_scenario(write_scenario(dir, "pvb", R"(interventions:
  - rooftop_pv: {roof_share: 0.5, min_roof_m2: 1000}
  - battery: {at: "complex:local", energy_kwh: 8000, power_kw: 2000, strategy: peak_shaving}
)")));
  const auto b = kpis(base, "local");
  const auto p = kpis(pv, "local");
  CHECK(b.at("pv_capacity_kwp") == 0.0);
  CHECK(p.at("pv_capacity_kwp") > 0.0);
  CHECK(p.at("annual_load_mwh") == doctest::Approx(b.at("annual_load_mwh")).epsilon(1e-9));  // same loads
  CHECK(p.at("annual_import_mwh") < b.at("annual_import_mwh"));
  CHECK(p.at("peak_import_kw") < b.at("peak_import_kw"));
  CHECK(p.at("bill_krw") < b.at("bill_krw"));
  CHECK(p.at("self_sufficiency") > 0.0);
}

TEST_CASE("results do not depend on the thread count or on keeping facility series") {
  TempDir dir("runner_threads");
  const auto spec = read_scenario(write_scenario(dir, "t", R"(interventions:
  - rooftop_pv: {roof_share: 0.5}
  - battery: {at: facilities, energy_kwh_per_kwp: 1, power_kw_per_kwp: 0.5, strategy: tou_arbitrage}
)"));
  RunOptions one;
  one.threads = 1;
  RunOptions two;
  two.threads = 2;
  RunOptions lean;
  lean.threads = 2;
  lean.facility_hourly = false;
  const RunResult a = run_scenario(spec, one);
  const RunResult b = run_scenario(spec, two);
  const RunResult c = run_scenario(spec, lean);
  CHECK(a.energy.load_kw == b.energy.load_kw);
  CHECK(a.energy.import_kw == b.energy.import_kw);
  CHECK(a.energy.complex_import_kw == b.energy.complex_import_kw);
  CHECK(a.energy.complex_import_kw == c.energy.complex_import_kw);
  CHECK(c.energy.load_kw.empty());
  REQUIRE(a.kpis.size() == c.kpis.size());
  for (std::size_t i = 0; i < a.kpis.size(); ++i) CHECK(a.kpis[i].value == c.kpis[i].value);
}

TEST_CASE("ids the layout does not have are reported before anything runs") {
  TempDir dir("runner_ids");
  const auto spec = read_scenario(write_scenario(dir, "ids", R"(interventions:
  - rooftop_pv: {complexes: [atlantis]}
  - battery: {at: "substation:ss_nowhere", energy_kwh: 10, power_kw: 5}
)"));
  try {
    (void)run_scenario(spec);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find("'atlantis' is not a simulated complex") != std::string::npos);
    CHECK(what.find("substation 'ss_nowhere' is not in the layout") != std::string::npos);
  }
}

TEST_CASE("the hourly power flow of the feeders converges every hour and is the same on 1 and 2 threads") {
  TempDir dir("runner_grid");
  const std::string gis(SANDAN_GIS_DATA_DIR);
  const auto spec = read_scenario(write_scenario(dir, "grid",
                                                 "grid: {line_types: " + gis + "/line_types.csv}\n" +
                                                     R"(interventions:
  - rooftop_pv: {roof_share: 0.5}
)"));
  RunOptions one;
  one.threads = 1;
  RunOptions two;
  two.threads = 2;
  const RunResult a = run_scenario(spec, one);
  const RunResult b = run_scenario(spec, two);
  const GridResults& g = a.grid;
  REQUIRE(g.enabled);
  CHECK(g.nonconverged_hours == 0);
  CHECK(g.bus_vm_pu == b.grid.bus_vm_pu);
  CHECK(g.branch_loading == b.grid.branch_loading);
  REQUIRE_FALSE(g.feeder_ids.empty());
  // 22.9 kV feeders of a few km stay within a few per cent of nominal.
  for (const float v : g.bus_vm_pu) {
    REQUIRE(v > 0.9F);
    REQUIRE(v < 1.1F);
  }
  // Losses are a small positive share of the energy drawn (well under 5 % on short urban feeders).
  double imported_mwh = 0.0;
  for (const float p : a.energy.complex_import_kw) imported_mwh += p / 1000.0;
  CHECK(g.loss_mwh > 0.0);
  CHECK(g.loss_mwh < 0.05 * imported_mwh);
  for (std::size_t d = 0; d < g.feeder_ids.size(); ++d) CHECK(g.feeder_complex[d] == "local");
}

TEST_CASE("a feeder hosts more PV when the voltage and loading limits are looser") {
  TempDir dir("runner_hosting");
  const std::string gis(SANDAN_GIS_DATA_DIR);
  const RunResult tight = run_scenario(read_scenario(
      write_scenario(dir, "tight",
                     "grid: {line_types: " + gis +
                         "/line_types.csv, hosting_capacity: true, vmax_pu: 1.03, max_loading: 0.5}\n")));
  const RunResult loose = run_scenario(read_scenario(write_scenario(
      dir, "loose", "grid: {line_types: " + gis + "/line_types.csv, hosting_capacity: true}\n")));
  REQUIRE(tight.grid.hosting_capacity_kwp.size() == loose.grid.hosting_capacity_kwp.size());
  double total_tight = 0.0;
  double total_loose = 0.0;
  for (std::size_t d = 0; d < tight.grid.hosting_capacity_kwp.size(); ++d) {
    CHECK(tight.grid.hosting_capacity_kwp[d] >= 0.0);
    CHECK(tight.grid.hosting_capacity_kwp[d] <= loose.grid.hosting_capacity_kwp[d] + 1e-6);
    total_tight += tight.grid.hosting_capacity_kwp[d];
    total_loose += loose.grid.hosting_capacity_kwp[d];
  }
  CHECK(total_tight < total_loose);
}

TEST_CASE("a feeder line type missing from the line types file is bad input naming the segment") {
  TempDir dir("runner_line_types");
  // Only the trunk conductor: the layout's branch segments use ACSR-OC 58, which is now unknown.
  write_text(dir.path() / "line_types.csv",
             "name,r_ohm_per_km,x_ohm_per_km,ampacity_a,underground,source,confidence\n"
             "ACSR-OC 160,0.182,0.391,460,false,test,estimate\n");
  const auto spec =
      read_scenario(write_scenario(dir, "lt", "grid: {line_types: " + dir.str("line_types.csv") + "}\n"));
  try {
    (void)run_scenario(spec);
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.code() == ErrorCode::kBadInput);
    const std::string what = e.what();
    CHECK(what.find("unknown line type 'ACSR-OC 58'") != std::string::npos);
    CHECK(what.find("segment '") != std::string::npos);
  }
}

TEST_CASE(
    "a line type's resistance, reactance or ampacity beyond any conductor is refused naming the line and "
    "field") {
  TempDir dir("runner_line_type_bounds");
  // 1e308 Ω/km made every hour of the power flow fail to converge with exit 0; 5000 A is a plausible
  // busbar, 200000 A is not a conductor.
  write_text(dir.path() / "line_types.csv",
             "name,r_ohm_per_km,x_ohm_per_km,ampacity_a,underground,source,confidence\n"
             "ACSR-OC 160,1e308,0.391,460,false,test,estimate\n"
             "ACSR-OC 58,0.5,0.4,200000,false,test,estimate\n");
  try {
    (void)run_scenario(
        read_scenario(write_scenario(dir, "lt", "grid: {line_types: " + dir.str("line_types.csv") + "}\n")));
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(e.code() == ErrorCode::kBadInput);
    std::string all = e.what();
    for (const auto& p : e.problems()) all += "\n" + p;
    CHECK(all.find("r_ohm_per_km") != std::string::npos);
    CHECK(all.find("must be at most 100 Ω/km") != std::string::npos);
    CHECK(all.find("ampacity_a") != std::string::npos);
    CHECK(all.find(":3") != std::string::npos);  // the line of the ampacity
  }
}

namespace {

// Keeps a batch's runs in memory.
class MemorySink : public ResultSink {
 public:
  void write(const RunResult& run) override { runs[run.run_id] = run; }
  std::map<std::string, RunResult> runs;
};

void require_same_floats(const std::vector<float>& a, const std::vector<float>& b, const std::string& what) {
  INFO(what);
  REQUIRE(a.size() == b.size());
  // Bit for bit (NaN where the other has NaN).
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))))
      FAIL(what << "[" << i << "] " << a[i] << " vs " << b[i]);
  }
}

}  // namespace

TEST_CASE("a batch whose runs share traffic and energy products gives what each run gives alone") {
  TempDir dir("runner_shared");
  const std::string gis(SANDAN_GIS_DATA_DIR);
  // 2 battery sizes x 2 electric truck shares: the energy year (and the grid) is shared by the runs
  // of one battery size, the traffic by all four.
  const auto spec = read_scenario(write_scenario(dir, "shared",
                                                 "grid: {line_types: " + gis +
                                                     "/line_types.csv}\ntraffic: {trip_rates: " + gis +
                                                     "/traffic/trip_rates.yaml, zone_cell_m: 250}\n"
                                                     "emission_factors: " +
                                                     gis + "/emissions/factors.yaml\n" + R"(interventions:
  - battery: {at: "complex:local", energy_kwh: 2000, power_kw: 500, strategy: peak_shaving}
  - ev_trucks: {light_truck_share: 0.1, heavy_truck_share: 0.0}
sweep:
  interventions[0].battery.energy_kwh: [2000, 6000]
  interventions[1].ev_trucks.light_truck_share: [0.1, 0.6]
)"));
  const std::vector<Variant> variants = expand_batch(spec);
  REQUIRE(variants.size() == 4);
  RunOptions options;
  options.threads = 2;
  MemorySink sink;
  REQUIRE(run_batch(variants, {}, options, sink) == 4);
  double traffic_seconds = -1.0;
  for (const Variant& v : variants) {
    const RunResult alone = run_scenario(v.spec, options);
    const RunResult& shared = sink.runs.at(v.run_id);
    const EnergyResults& a = alone.energy;
    const EnergyResults& s = shared.energy;
    for (const auto& [x, y, name] :
         {std::tuple{&a.load_kw, &s.load_kw, "load_kw"},
          {&a.import_kw, &s.import_kw, "import_kw"},
          {&a.battery_kw, &s.battery_kw, "battery_kw"},
          {&a.complex_import_kw, &s.complex_import_kw, "complex_import_kw"},
          {&a.shared_battery_kw, &s.shared_battery_kw, "shared_battery_kw"},
          {&alone.grid.bus_vm_pu, &shared.grid.bus_vm_pu, "bus_vm_pu"},
          {&alone.traffic.link_flow_veh_h, &shared.traffic.link_flow_veh_h, "link_flow_veh_h"}}) {
      require_same_floats(*x, *y, v.run_id + " " + name);
    }
    CHECK(alone.emissions.tco2e == shared.emissions.tco2e);
    REQUIRE(alone.kpis.size() == shared.kpis.size());
    for (std::size_t k = 0; k < alone.kpis.size(); ++k) {
      CHECK_MESSAGE(alone.kpis[k].value == shared.kpis[k].value, v.run_id << " " << alone.kpis[k].key);
    }
    // The four runs of the batch took one traffic assignment (its wall time is the same number).
    if (traffic_seconds < 0.0) traffic_seconds = shared.traffic.seconds;
    CHECK(shared.traffic.seconds == traffic_seconds);
  }
  // The electric share differs between runs that share the flows.
  CHECK(kpis(sink.runs.at(variants[0].run_id), "all").at("electric_truck_km") <
        kpis(sink.runs.at(variants[1].run_id), "all").at("electric_truck_km"));
}
