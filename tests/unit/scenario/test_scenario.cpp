#include <doctest/doctest.h>

#include <algorithm>

#include "core/error.hpp"
#include "scenario/scenario.hpp"
#include "support/fixtures.hpp"

using namespace sandan;
using namespace sandan::test;

namespace {

const char* const kBase = R"(name: base
year: 2026
seed: 7
site: data/layout.gpkg
weather: data/weather.epw
holidays: data/holidays.csv
tariff: data/tariff.yaml
load_library: data/archetypes.yaml
complexes: [juan, bupyeong]
)";

std::vector<std::string> problems_of(const std::string& path) {
  try {
    (void)read_scenario(path);
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

bool any_contains(const std::vector<std::string>& problems, const std::string& text) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("a scenario file parses into a spec with paths resolved against its folder") {
  TempDir dir("scenario_basic");
  write_text(dir.path() / "base.yaml", kBase);
  const ScenarioSpec spec = read_scenario(dir.str("base.yaml"));
  CHECK(spec.name == "base");
  CHECK(spec.year == 2026);
  CHECK(spec.seed == 7);
  CHECK(spec.site == dir.str("data/layout.gpkg"));
  CHECK(spec.complexes == std::vector<std::string>{"juan", "bupyeong"});
  CHECK(spec.rooftop_pv.empty());
  CHECK(spec.resolved_yaml.find("name: base") != std::string::npos);
}

TEST_CASE("extends inherits every setting and the child overrides what it states") {
  TempDir dir("scenario_extends");
  std::filesystem::create_directories(dir.path() / "variants");
  write_text(dir.path() / "base.yaml", kBase);
  write_text(dir.path() / "variants" / "pv.yaml", R"(name: pv
extends: ../base.yaml
weather: other.epw
interventions:
  - rooftop_pv: {complexes: [juan], roof_share: 0.6, min_roof_m2: 1000, export_limit_kw_per_kwp: 0}
  - battery: {at: "complex:juan", energy_kwh: 20000, power_kw: 5000, strategy: peak_shaving}
  - battery: {at: facilities, energy_kwh_per_kwp: 1, power_kw_per_kwp: 0.5}
)");
  const ScenarioSpec spec = read_scenario(dir.str("variants/pv.yaml"));
  CHECK(spec.name == "pv");
  CHECK(spec.seed == 7);                                 // inherited
  CHECK(spec.site == dir.str("data/layout.gpkg"));       // resolved against base.yaml's folder
  CHECK(spec.weather == dir.str("variants/other.epw"));  // resolved against pv.yaml's folder
  REQUIRE(spec.rooftop_pv.size() == 1);
  CHECK(spec.rooftop_pv[0].pv.roof_share == doctest::Approx(0.6));
  CHECK(spec.rooftop_pv[0].pv.m2_per_kwp == doctest::Approx(10.0));  // the default
  CHECK(spec.rooftop_pv[0].export_limit_kw_per_kwp.value() == doctest::Approx(0.0));
  REQUIRE(spec.batteries.size() == 2);
  CHECK(spec.batteries[0].placement == BatteryPlacement::kComplex);
  CHECK(spec.batteries[0].target_id == "juan");
  CHECK(spec.batteries[0].battery.strategy == BatteryStrategy::kPeakShaving);
  CHECK(spec.batteries[1].placement == BatteryPlacement::kFacilities);
  CHECK(spec.batteries[1].battery.energy_kwh == doctest::Approx(1.0));
}

TEST_CASE("every problem of a scenario file is reported at once with file, line and key path") {
  TempDir dir("scenario_errors");
  write_text(dir.path() / "bad.yaml", R"(name: bad
extends: base.yaml
colour: blue
year: "2026"
interventions:
  - rooftop_pv: {roof_share: 1.5, tilt: 10}
  - battery: {at: "garage", energy_kwh: 100, power_kw: 50, strategy: cheapest}
  - wind_farm: {}
)");
  write_text(dir.path() / "base.yaml", kBase);
  const auto problems = problems_of(dir.str("bad.yaml"));
  INFO(problems.size());
  CHECK(any_contains(problems, "bad.yaml:3: colour: unknown key"));
  CHECK(any_contains(problems, "bad.yaml:4: year: expected a number"));
  CHECK(any_contains(problems,
                     "bad.yaml:6: interventions[0].rooftop_pv.roof_share: value 1.5 is out of range [0, 1]"));
  CHECK(any_contains(problems, "bad.yaml:6: interventions[0].rooftop_pv.tilt: unknown key"));
  CHECK(any_contains(problems, "bad.yaml:7: interventions[1].battery.at: 'garage' is not a place"));
  CHECK(any_contains(problems, "interventions[1].battery.strategy: unknown strategy 'cheapest'"));
  CHECK(any_contains(problems, "bad.yaml:8: interventions[2].wind_farm: unknown intervention"));
  CHECK(problems.size() == 7);
}

TEST_CASE("missing required settings are reported, and a cycle of extends as its one problem") {
  TempDir dir("scenario_missing");
  write_text(dir.path() / "a.yaml", "name: a\nextends: b.yaml\n");
  write_text(dir.path() / "b.yaml", "name: b\nextends: a.yaml\n");
  const auto cycle = problems_of(dir.str("a.yaml"));
  REQUIRE(cycle.size() == 1);
  CHECK(any_contains(
      cycle, "a cycle: " + dir.str("a.yaml") + " -> " + dir.str("b.yaml") + " -> " + dir.str("a.yaml")));
  CHECK(any_contains(cycle, "remove or change the `extends` of one of these files"));
  CHECK_FALSE(any_contains(cycle, ": missing"));
  write_text(dir.path() / "c.yaml", "name: c\nsite: x.gpkg\n");
  const auto missing = problems_of(dir.str("c.yaml"));
  CHECK(any_contains(missing, "weather: missing"));
  CHECK(any_contains(missing, "tariff: missing"));
  CHECK_FALSE(any_contains(missing, "site: missing"));
}

TEST_CASE("a file that is not YAML or not there is reported by name") {
  TempDir dir("scenario_unreadable");
  write_text(dir.path() / "broken.yaml", "name: [unclosed\n");
  CHECK(any_contains(problems_of(dir.str("broken.yaml")), "broken.yaml:"));
  CHECK(any_contains(problems_of(dir.str("absent.yaml")), "absent.yaml: cannot read"));
  // The settings such a file would have given are not listed as missing as well.
  CHECK(problems_of(dir.str("absent.yaml")).size() == 1);
  write_text(dir.path() / "child.yaml", "name: child\nextends: absent.yaml\n");
  const auto chained = problems_of(dir.str("child.yaml"));
  REQUIRE(chained.size() == 1);
  CHECK(any_contains(chained, "absent.yaml: cannot read"));
}

TEST_CASE(
    "a repeated key, a second document, a folder and an empty complexes list are refused, not ignored") {
  TempDir dir("scenario_silent");
  // yaml-cpp alone keeps the first `year` and drops the second document without a word.
  write_text(dir.path() / "dup.yaml", std::string(kBase) + "year: 2030\n");
  const auto dup = problems_of(dir.str("dup.yaml"));
  REQUIRE(dup.size() == 1);
  CHECK(any_contains(dup, "dup.yaml:10: year: repeated key (first at line 2)"));
  write_text(dir.path() / "two.yaml", std::string(kBase) + "---\nname: other\n");
  CHECK(any_contains(problems_of(dir.str("two.yaml")), "two.yaml:11: a second YAML document"));
  std::filesystem::create_directories(dir.path() / "folder.yaml");
  const auto folder = problems_of(dir.str("folder.yaml"));
  REQUIRE(folder.size() == 1);
  CHECK(any_contains(folder, "folder.yaml: is a folder, not a scenario file"));
  // `complexes: []` used to run every complex.
  std::string empty = kBase;
  empty.replace(empty.find("complexes: [juan, bupyeong]"), 27, "complexes: []");
  write_text(dir.path() / "empty.yaml", empty);
  CHECK(any_contains(problems_of(dir.str("empty.yaml")), "empty.yaml:9: complexes: an empty list"));
}

TEST_CASE("a run name that cannot be a group of the results file is refused at load") {
  TempDir dir("scenario_names");
  for (const std::string name : {"a/b", ".", "''", "a\\\\b"}) {
    std::string text = kBase;
    text.replace(0, std::string("name: base").size(), "name: " + name);
    write_text(dir.path() / "named.yaml", text);
    CHECK_MESSAGE(any_contains(problems_of(dir.str("named.yaml")), "named.yaml:1: name: "), name);
  }
  write_text(dir.path() / "fine.yaml", std::string(kBase));
  CHECK(problems_of(dir.str("fine.yaml")).empty());
}

TEST_CASE("a list that names an entry twice is reported with its index") {
  TempDir dir("scenario_twice");
  write_text(dir.path() / "twice.yaml", std::string(kBase) + "models: [energy, grid, energy]\n");
  const auto problems = problems_of(dir.str("twice.yaml"));
  CHECK(any_contains(problems, "models[2]: 'energy' is listed twice"));
}

TEST_CASE("with_settings changes values at key paths and checks the result as a scenario file") {
  TempDir dir("scenario_settings");
  write_text(dir.path() / "s.yaml",
             std::string(kBase) + "interventions:\n  - rooftop_pv: {roof_share: 0.5}\n");
  const ScenarioSpec base = read_scenario(dir.str("s.yaml"));
  const ScenarioSpec changed = with_settings(
      base, {{"interventions[0].rooftop_pv.roof_share", "0.25"}, {"seed", "9"}, {"complexes", "[local]"}});
  REQUIRE(changed.rooftop_pv.size() == 1);
  CHECK(changed.rooftop_pv[0].pv.roof_share == doctest::Approx(0.25));
  CHECK(changed.seed == 9);
  CHECK(changed.complexes == std::vector<std::string>{"local"});
  CHECK(changed.site == base.site);  // paths stay resolved as they were
  CHECK(base.rooftop_pv[0].pv.roof_share == doctest::Approx(0.5));

  try {
    (void)with_settings(base, {{"interventions[0].rooftop_pv.roof_share", "2"}, {"nowhere.deep", "1"}});
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(any_contains(e.problems(), "nowhere.deep: the scenario has no 'nowhere' here"));
  }
  try {
    (void)with_settings(base, {{"interventions[0].rooftop_pv.roof_share", "2"}});
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    CHECK(any_contains(e.problems(), "roof_share: value 2 is out of range"));
  }
}

TEST_CASE("a zip's axes advance together and the batch is the product of the sweep's dimensions") {
  TempDir dir("scenario_zip");
  write_text(dir.path() / "zip.yaml", std::string(kBase) + R"(interventions:
  - rooftop_pv: {roof_share: 0.5}
  - battery: {at: "complex:juan", energy_kwh: 1000, power_kw: 250}
sweep:
  interventions[0].rooftop_pv.roof_share: [0.2, 0.4]
  zip:
    interventions[1].battery.energy_kwh: [0, 4000, 8000]
    interventions[1].battery.power_kw: [0, 1000, 2000]
)");
  const ScenarioSpec spec = read_scenario(dir.str("zip.yaml"));
  const std::vector<Variant> runs = expand_batch(spec);
  REQUIRE(runs.size() == 6);  // 2 × 3, not 2 × 3 × 3
  for (const Variant& v : runs) {
    CHECK(v.spec.batteries[0].battery.power_kw * 4.0 == v.spec.batteries[0].battery.energy_kwh);
  }
  // The zip (the last dimension) varies fastest.
  CHECK(runs[0].spec.rooftop_pv[0].pv.roof_share == 0.2);
  CHECK(runs[2].spec.batteries[0].battery.energy_kwh == 8000.0);
  CHECK(runs[3].spec.rooftop_pv[0].pv.roof_share == 0.4);
  CHECK(runs[3].spec.batteries[0].battery.energy_kwh == 0.0);
}

// The text of a list of n seeds, 1..n, for a sweep.
std::string seeds(int n) {
  std::string text = "[";
  for (int i = 1; i <= n; ++i) text += (i > 1 ? ", " : "") + std::to_string(i);
  return text + "]";
}

TEST_CASE("a batch of more than 20,000 runs is refused before any variant is expanded") {
  TempDir dir("scenario_too_many");
  // 150 seeds × 150 load growths = 22,500 runs (docs/scenarios.md: at most 20,000).
  std::string growth = "[";
  for (int i = 0; i < 150; ++i) growth += (i > 0 ? ", " : "") + std::to_string(0.9 + 0.001 * i);
  growth += "]";
  write_text(dir.path() / "big.yaml",
             std::string(kBase) + "sweep:\n  seed: " + seeds(150) + "\n  load_growth: " + growth + "\n");
  try {
    (void)expand_batch(read_scenario(dir.str("big.yaml")));
    FAIL("a batch of 22,500 runs was expanded");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("22500 runs, more than a batch may have (20,000)") != std::string::npos);
    CHECK(any_contains(e.problems(), "split the sweep"));
  }
  // 100,000 Monte Carlo runs of each of 100 sweep points: 10^7, refused by count alone.
  write_text(dir.path() / "huge.yaml", std::string(kBase) + "monte_carlo: {runs: 100000, seed: 1}\nsweep:\n" +
                                           "  load_growth: " + growth.substr(0, growth.find(", 1.0")) +
                                           "]\n");
  try {
    (void)expand_batch(read_scenario(dir.str("huge.yaml")));
    FAIL("a batch of 10^7 runs was expanded");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("10000000 runs") != std::string::npos);  // 100 points × 100,000
  }
}

TEST_CASE(
    "an uncertainty block samples its inputs within their distributions, each run with its counterfactual") {
  TempDir dir("scenario_uncertainty");
  write_text(dir.path() / "ref.yaml", kBase);
  write_text(dir.path() / "u.yaml", std::string(kBase) + R"(interventions:
  - rooftop_pv: {roof_share: 0.5, cost_krw_per_kwp: 1200000}
uncertainty:
  method: latin_hypercube
  samples: 10
  seed: 3
  reference: ref.yaml
  inputs:
    load_growth: {dist: uniform, min: 0.9, max: 1.1}
    interventions[0].rooftop_pv.cost_krw_per_kwp: {dist: triangular, min: 1000000, mode: 1200000, max: 1500000}
)");
  const ScenarioSpec spec = read_scenario(dir.str("u.yaml"));
  REQUIRE(spec.uncertainty.has_value());
  const std::vector<Variant> runs = expand_batch(spec);
  REQUIRE(runs.size() == 20);
  std::vector<int> strata(10, 0);
  for (std::size_t i = 0; i < runs.size(); i += 2) {
    const Variant& sample = runs[i];
    const Variant& cf = runs[i + 1];
    CHECK(cf.counterfactual);
    CHECK(cf.sample_index == sample.sample_index);
    CHECK(sample.spec.load_growth == cf.spec.load_growth);  // the same background
    CHECK(cf.spec.rooftop_pv.empty());                      // the reference's interventions
    CHECK(sample.spec.load_growth == sample.sample[0]);
    CHECK(sample.spec.rooftop_pv[0].cost.per_unit_krw == sample.sample[1]);
    // Latin hypercube: one load growth in each tenth of [0.9, 1.1].
    ++strata[static_cast<std::size_t>((sample.spec.load_growth - 0.9) / 0.02)];
  }
  CHECK(std::all_of(strata.begin(), strata.end(), [](int n) { return n == 1; }));
}

TEST_CASE(
    "impossible distributions, unknown uncertain keys and zips of unequal length are reported with lines") {
  TempDir dir("scenario_uncertainty_bad");
  write_text(dir.path() / "bad.yaml", std::string(kBase) + R"(uncertainty:
  samples: 4
  inputs:
    load_growth: {dist: normal, mean: 1, sd: -0.1}
    seed: {dist: triangular, min: 1, mode: 5, max: 3}
    year: {dist: discrete, values: [2026, 2030], probabilities: [0.5, 0.7]}
    delta_t_s: {dist: weibull, k: 2}
)");
  const auto problems = problems_of(dir.str("bad.yaml"));
  CHECK(any_contains(problems, "bad.yaml:13: uncertainty.inputs.load_growth"));
  CHECK(any_contains(problems, "bad.yaml:14: uncertainty.inputs.seed"));
  CHECK(any_contains(problems, "bad.yaml:15: uncertainty.inputs.year"));
  CHECK(any_contains(problems,
                     "bad.yaml:16: uncertainty.inputs.delta_t_s.dist: unknown distribution 'weibull'"));
  write_text(dir.path() / "missing.yaml", std::string(kBase) + R"(uncertainty:
  samples: 4
  inputs:
    no_such_setting: {dist: uniform, min: 0, max: 1}
)");
  const ScenarioSpec spec = read_scenario(dir.str("missing.yaml"));
  try {
    (void)expand_batch(spec);
    FAIL("an unknown uncertain key was accepted");
  } catch (const ConfigError& e) {
    CHECK(any_contains(
        e.problems(),
        "missing.yaml:13: uncertainty.inputs.no_such_setting: the scenario has no such setting"));
  }
  write_text(dir.path() / "zip.yaml", std::string(kBase) + R"(sweep:
  zip:
    seed: [1, 2, 3]
    year: [2026, 2030]
)");
  CHECK(any_contains(problems_of(dir.str("zip.yaml")), "zip.yaml:13: sweep.zip.year: has 2 values"));
}

TEST_CASE(
    "a MACC set runs the reference, each intervention alone and the package, the reference's own once") {
  TempDir dir("scenario_macc");
  const std::string pv = "  - rooftop_pv: {roof_share: 0.5}\n";
  write_text(dir.path() / "ref.yaml", std::string(kBase) + "interventions:\n" + pv);
  write_text(dir.path() / "macc.yaml",
             std::string(kBase) + "interventions:\n" + pv +
                 "  - efficiency: {electricity_saving: 0.1}\n"
                 "  - battery: {at: \"complex:juan\", energy_kwh: 100, power_kw: 50}\n"
                 "macc: {reference: ref.yaml}\n");
  const std::vector<Variant> runs = expand_batch(read_scenario(dir.str("macc.yaml")));
  std::vector<std::string> roles;
  for (const Variant& v : runs) roles.push_back(v.macc_role);
  // The PV is the reference's: in every run, never a part of its own.
  CHECK(roles == std::vector<std::string>{"reference", "interventions[1].battery",
                                          "interventions[2].efficiency", "package"});
  for (const Variant& v : runs) CHECK(v.spec.rooftop_pv.size() == 1);
  CHECK(runs[1].spec.batteries.size() == 1);
  CHECK(runs[1].spec.efficiency.empty());
  CHECK(runs[3].spec.batteries.size() == 1);
  CHECK(runs[3].spec.efficiency.size() == 1);
}

TEST_CASE("traffic.dynamic reads its profiles and window, and refuses bad times and keys") {
  TempDir dir("scenario_dynamic");
  write_text(dir.path() / "good.yaml",
             std::string(kBase) +
                 "traffic:\n  trip_rates: rates.yaml\n"
                 "  dynamic: {profiles: dyn.yaml, start: \"16:00\", end: \"20:00\"}\n");
  const ScenarioSpec spec = read_scenario(dir.str("good.yaml"));
  CHECK(spec.traffic.dynamic);
  CHECK(spec.traffic.dynamic_profiles == dir.str("dyn.yaml"));
  CHECK(spec.traffic.dynamic_start_s == 16 * 3600.0);
  CHECK(spec.traffic.dynamic_end_s == 20 * 3600.0);
  // The resolved scenario (stored in results) says the same.
  CHECK(spec.resolved_yaml.find("dynamic: {profiles:") != std::string::npos);
  CHECK(spec.resolved_yaml.find("start: \"16:00\"") != std::string::npos);

  write_text(dir.path() / "bad.yaml", std::string(kBase) +
                                          "traffic:\n  trip_rates: rates.yaml\n"  // 10-11
                                          "  dynamic: {profiles: dyn.yaml, start: \"25:00\", end: \"16:00\", "
                                          "colour: red}\n");  // 12
  const auto problems = problems_of(dir.str("bad.yaml"));
  CHECK(any_contains(problems, "bad.yaml:12: traffic.dynamic.start: '25:00' is not a time of day HH:MM"));
  CHECK(any_contains(problems, "bad.yaml:12: traffic.dynamic.colour: unknown key"));
  write_text(dir.path() / "late.yaml",
             std::string(kBase) +
                 "traffic:\n  trip_rates: rates.yaml\n"
                 "  dynamic: {profiles: dyn.yaml, start: \"18:00\", end: \"17:00\"}\n");
  CHECK(any_contains(problems_of(dir.str("late.yaml")), "traffic.dynamic.end: must be after start"));
}

TEST_CASE("traffic.freight resolves against the scenario's folder; the hub's keys are checked") {
  TempDir dir("scenario_freight");
  write_text(dir.path() / "base.yaml", kBase);
  write_text(dir.path() / "ok.yaml", R"(name: ok
extends: base.yaml
traffic: {trip_rates: data/rates.yaml, freight: data/tours.yaml}
interventions:
  - logistics_hub: {complexes: [juan], share: 0.4, electric_share: 0.5}
)");
  const ScenarioSpec spec = read_scenario(dir.str("ok.yaml"));
  CHECK(spec.traffic.freight == (dir.path() / "data/tours.yaml").lexically_normal().string());
  REQUIRE(spec.logistics_hub);
  CHECK(spec.logistics_hub->electric_share == 0.5);
  CHECK_FALSE(spec.logistics_hub->trip_reduction);  // from the freight file's load-factor gain
  CHECK(spec.logistics_hub->where == dir.str("ok.yaml") + ":5");
  // The resolved scenario keeps the freight file and the hub's electric share.
  CHECK(spec.resolved_yaml.find("freight:") != std::string::npos);
  CHECK(spec.resolved_yaml.find("electric_share: 0.5") != std::string::npos);

  write_text(dir.path() / "bad.yaml", R"(name: bad
extends: base.yaml
traffic: {trip_rates: data/rates.yaml, freight: [a, b], frieght: x}
interventions:
  - logistics_hub: {complexes: [juan], electric_share: 1.5, depot: gate_1}
)");
  const auto problems = problems_of(dir.str("bad.yaml"));
  CHECK(any_contains(problems, "bad.yaml:3: traffic.freight: expected a text value"));
  CHECK(any_contains(problems, "bad.yaml:3: traffic.frieght: unknown key"));
  CHECK(any_contains(
      problems,
      "bad.yaml:5: interventions[0].logistics_hub.electric_share: value 1.5 is out of range [0, 1]"));
  CHECK(any_contains(problems, "bad.yaml:5: interventions[0].logistics_hub.depot: unknown key"));
}

TEST_CASE("an input that does not exist or is a folder is refused at the file, line and key that state it") {
  TempDir dir("scenario_inputs_exist");
  std::filesystem::create_directories(dir.path() / "data" / "weather.epw");  // a folder, not a file
  write_text(dir.path() / "data" / "layout.gpkg", "");
  write_text(dir.path() / "data" / "holidays.csv", "");
  write_text(dir.path() / "data" / "archetypes.yaml", "");
  write_text(dir.path() / "base.yaml", kBase);  // data/tariff.yaml is not there
  write_text(dir.path() / "child.yaml",
             "extends: base.yaml\nname: child\nemission_factors: no/factors.yaml\n");
  const ScenarioSpec spec = read_scenario(dir.str("child.yaml"));
  std::vector<std::string> problems;
  try {
    check_inputs_exist(spec);
  } catch (const ConfigError& e) {
    problems = e.problems();
  }
  REQUIRE(problems.size() == 3);
  // kBase states weather on its line 5 and tariff on line 7; the child its factors on line 3.
  CHECK(any_contains(problems, dir.str("base.yaml") + ":5: weather: " + dir.str("data/weather.epw") +
                                   ": is a folder, not a file (the weather)"));
  CHECK(any_contains(problems, dir.str("base.yaml") + ":7: tariff: " + dir.str("data/tariff.yaml") +
                                   ": no such file (the tariff)"));
  CHECK(any_contains(problems, dir.str("child.yaml") + ":3: emission_factors: " + dir.str("no/factors.yaml") +
                                   ": no such file (the emission factors)"));

  // Every input there: nothing to say.
  write_text(dir.path() / "data" / "tariff.yaml", "");
  std::filesystem::remove(dir.path() / "data" / "weather.epw");
  write_text(dir.path() / "data" / "weather.epw", "");
  write_text(dir.path() / "base2.yaml", kBase);
  CHECK_NOTHROW(check_inputs_exist(read_scenario(dir.str("base2.yaml"))));
}
