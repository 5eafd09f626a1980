// scenario/scenario: a scenario file (YAML) parsed into a typed ScenarioSpec. A scenario names its
// inputs (layout, weather, holidays, tariff, load archetypes), the year, the complexes to simulate and
// the interventions to apply. `extends:` inherits another scenario file and overrides what it states.
// The language is described in docs/scenarios.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/files.hpp"
#include "energy/battery.hpp"
#include "energy/rooftop_pv.hpp"
#include "uncertainty/distribution.hpp"

namespace sandan {

// What an intervention costs: a lump sum plus a price per unit installed (kWp of PV, kWh of battery),
// spread over its lifetime at the scenario's discount rate (capital recovery factor), and operation
// and maintenance each year as a share of the investment (docs/economics.md gives each kind's default
// and its source). Within the scenario's analysis period it is replaced at the end of each lifetime.
struct InterventionCost {
  double investment_krw = 0.0;
  double per_unit_krw = 0.0;
  double lifetime_years = 20.0;
  double om_share_per_year = 0.0;
};

// Rooftop PV on the roofs of the listed complexes; later interventions override earlier ones for the
// facilities they cover.
struct RooftopPvIntervention {
  RooftopPvSpec pv;
  // Export allowed per kWp of PV (kW/kWp); surplus beyond it is curtailed. nullopt: unlimited.
  std::optional<double> export_limit_kw_per_kwp;
  InterventionCost cost;  // per_unit_krw: KRW per kWp
};

// Where a battery sits:
// - kFacility: one facility's meter (facility_id);
// - kFacilities: every facility with PV in `complexes` (all if empty), sized per kWp of its PV;
// - kComplex / kSubstation: shared, on the aggregate net load of a complex, or of the facilities
//   supplied from a substation's feeders.
enum class BatteryPlacement { kFacility, kFacilities, kComplex, kSubstation };

struct BatteryIntervention {
  BatteryPlacement placement = BatteryPlacement::kComplex;
  std::string target_id;               // facility, complex or substation id
  std::vector<std::string> complexes;  // for kFacilities
  BatterySpec battery;                 // energy_kwh and power_kw (for kFacilities: per kWp)
  InterventionCost cost;               // per_unit_krw: KRW per kWh of storage
};

// The 22.9 kV power flow, hour by hour (docs/grid-model.md). Off unless the scenario has `grid:`.
struct GridSpec {
  bool enabled = false;
  std::string line_types;     // line types CSV (Ω/km, ampacity)
  double power_factor = 0.9;  // of facility loads, lagging (KEPCO's industrial minimum)
  double vmin_pu = 0.95;      // voltage limits for the violation counts
  double vmax_pu = 1.05;
  double max_loading = 1.0;       // of a branch's rating
  bool hosting_capacity = false;  // bisect the PV each feeder can host
};

// Road traffic of the complexes, hour by hour on a workday, a Saturday and a rest day
// (docs/traffic-model.md). Off unless the scenario has `traffic:`.
struct TrafficSpec {
  bool enabled = false;
  std::string trip_rates;       // trip rates YAML
  std::string algorithm = "b";  // assignment algorithm: b (Algorithm B) or fw (Frank-Wolfe)
  double target_gap = 1e-4;     // relative gap each hour's assignment reaches
  int max_iterations = 200;
  double zone_cell_m = 0.0;       // > 0: facility zones aggregated by square cells of this size
  double trip_rate_factor = 1.0;  // multiplies every trip rate (an uncertain input, say)
  std::string background;         // background traffic YAML; empty: none (through traffic left out)
  // Dynamic loading at shift change (`dynamic:`; docs/traffic-model.md, "Dynamic loading at shift
  // change"): a link transmission model over the workday window [start, end) of local time.
  bool dynamic = false;
  std::string dynamic_profiles;      // sandan-dynamic-traffic YAML (sub-hourly departure shares, ...)
  double dynamic_start_s = 57600.0;  // seconds since midnight, "16:00"
  double dynamic_end_s = 72000.0;    // "20:00"
  // Freight tours file (gis_data/traffic/freight_tours.yaml): trucks run tours; empty: single trips.
  std::string freight;
};

// A shared logistics hub (needs traffic.freight): `share` of the stops that gate tours make at the
// listed complexes' facilities are consolidated: their goods reach the hub in fewer, fuller vehicles
// and hub tours with more stops deliver them (docs/traffic-model.md, "Freight tours and the
// logistics hub").
struct LogisticsHubIntervention {
  std::vector<std::string> complexes;
  double share = 0.5;
  // Fewer vehicles gate ↔ hub than the gate tours replaced; default: from the freight file's
  // load-factor gain, 1 − 1 / (1 + gain).
  std::optional<double> trip_reduction;
  double electric_share = 0.0;    // of the hub tours' vehicle-km
  std::optional<double> lat_deg;  // where the hub stands; default: the road node of least truck-km
  std::optional<double> lon_deg;
  std::string where;  // "file:line" of the entry, for problems found against the layout
  InterventionCost cost;
};

// Facilities that match: in one of `complexes` (all if empty) and of a KSIC code starting with one of
// `sectors` (all if empty).
struct FacilityFilter {
  std::vector<std::string> complexes;
  std::vector<std::string> sectors;
};

// Energy efficiency: the matching facilities use `electricity_saving` less electricity and
// `fuel_saving` less fuel, every hour (shares, 0..0.9). Entries compound.
struct EfficiencyIntervention {
  FacilityFilter where;
  double electricity_saving = 0.0;
  double fuel_saving = 0.0;
  InterventionCost cost;
};

// Fuel switching to heat pumps: `share` of the matching facilities' fuel (process heat) is replaced,
// hour by hour, by heat pumps: the heat the boilers delivered (fuel × boiler_efficiency) comes from
// electricity at coefficient of performance `cop`.
struct FuelSwitchIntervention {
  FacilityFilter where;
  double share = 0.5;
  double boiler_efficiency = 0.9;
  double cop = 3.0;
  InterventionCost cost;  // per_unit_krw: KRW per kW of heat pump electric capacity (peak added load)
};

// Electric trucks: a share of each truck class's vehicle-km runs on electricity.
struct EvTrucksIntervention {
  double light_truck_share = 0.0;
  double heavy_truck_share = 0.0;
  InterventionCost cost;
};

// One axis of a sweep: a key path into the scenario (as in the resolved YAML, e.g.
// "interventions[0].rooftop_pv.roof_share") and the values it takes, as YAML scalars. Axes of one
// `zip` group advance together (the battery's power follows its energy): the batch is the product
// of the groups, each ungrouped axis a group of its own.
struct SweepAxis {
  std::string key_path;
  std::vector<std::string> values;
  int line = 0;    // of the key in the file that states it
  int group = -1;  // zip group (index among the sweep's zips), -1: an axis of its own
};

// Prices of what the facilities buy and sell besides grid electricity (docs/economics.md): fuel
// (gis_data/prices/fuel_prices.yaml) and PV exported (gis_data/prices/pv_export.yaml); the factors
// scale every price of the file (an uncertain input). Empty paths: not priced.
struct PriceSpec {
  std::string fuel;
  std::string pv_export;
  double fuel_factor = 1.0;
  double export_factor = 1.0;
};

// An input the scenario is unsure of: a key path of the resolved scenario and its distribution.
struct UncertainInput {
  std::string key_path;
  Distribution distribution;
  std::string description;  // as stated, e.g. "normal(mean 0.26, sd 0.02) in [0.2, 0.32]"
  int line = 0;
};

// Uncertainty and sensitivity (docs/uncertainty.md): samples of the uncertain inputs, each a run.
// kMonteCarlo: `samples` independent draws; kLatinHypercube: one draw in each of `samples` equal-
// probability strata of every input; kSobol: Saltelli's design of `samples` base points, samples ×
// (k + 2) runs, Sobol' first and total indices; kMorris: `samples` trajectories of k + 1 runs on a
// `levels`-level grid, elementary effects. With a `reference` scenario each sample also runs the
// reference's interventions under the sample's background (its counterfactual), so that abatement
// and KRW/tCO2eq have a distribution of their own.
enum class UncertaintyMethod { kMonteCarlo, kLatinHypercube, kSobol, kMorris };
// Morris levels sit at the centres of `levels` equal-probability bins: u' = ε + (1 − 2ε)u, ε = this.
[[nodiscard]] constexpr double morris_margin(int levels) { return 0.5 / levels; }
struct UncertaintySpec {
  UncertaintyMethod method = UncertaintyMethod::kLatinHypercube;
  int samples = 100;
  std::uint64_t seed = 1;
  int levels = 4;
  std::string reference;  // a scenario file whose interventions form each sample's counterfactual
  std::vector<UncertainInput> inputs;
  int line = 0;
};

// Monte Carlo: `runs` runs of every sweep point, each with its own seed drawn from `seed` (the load
// model's noise is what varies).
struct MonteCarloSpec {
  int runs = 0;
  std::uint64_t seed = 1;
};

// A marginal abatement cost curve (docs/economics.md, "MACC"): the runs of each intervention alone
// (with the reference's interventions), the package (all of them) and the reference, all in this
// scenario's background.
struct MaccSpec {
  std::string reference;  // a scenario file whose interventions every run keeps
  int line = 0;
};

struct ScenarioSpec {
  std::string name;
  std::string path;                // the scenario file
  std::vector<std::string> files;  // the scenario file and every file it extends, child first
  // Each input file's path -> "file:line: key" of the setting that states it (for messages).
  std::map<std::string, std::string> stated_at;
  std::string resolved_yaml;  // every setting after `extends`, as YAML (stored with the results)
  int year = 2026;
  std::uint64_t seed = 1;
  double discount_rate = 0.045;  // annualises the interventions' investments
  int analysis_years = 20;       // the period of net present values (docs/economics.md)
  // Background: every facility's electricity and fuel demand × load_growth (1.1: 10 % more than the
  // layout states), every PV system's output × pv_yield_factor.
  double load_growth = 1.0;
  double pv_yield_factor = 1.0;
  PriceSpec prices;
  bool facility_series = true;  // keep every facility's hourly series (false: complexes' only)
  std::string site;             // GIS source; relative paths are resolved against the file that states them
  std::string weather;          // EPW file
  std::string holidays;         // holidays CSV
  std::string tariff;           // tariff YAML
  std::string load_library;     // load archetypes YAML
  // Facility models fitted to meter data (`sandan calibrate`; docs/twin.md); empty: none. The
  // calibrated facilities then are the twin's baseline, and every intervention acts on them.
  std::string calibration;
  std::vector<std::string> complexes;  // empty: every complex of the layout
  double delta_t_s = 69.0;             // TT − UT for the solar position (≈69 s in 2024–2030)
  std::vector<RooftopPvIntervention> rooftop_pv;
  std::vector<BatteryIntervention> batteries;
  GridSpec grid;
  TrafficSpec traffic;
  // Carbon accounting (docs/emissions.md): off unless `emission_factors` names a factors file.
  std::string emission_factors;
  std::optional<double> grid_t_per_mwh;  // `grid_emission_factor: {t_per_mwh}`; default: the file's
  std::string grid_factor_csv;           // `grid_emission_factor: {hourly_csv}`: an hourly series
  std::optional<LogisticsHubIntervention> logistics_hub;
  std::optional<EvTrucksIntervention> ev_trucks;
  std::vector<EfficiencyIntervention> efficiency;
  std::vector<FuelSwitchIntervention> fuel_switches;
  // Batches: the cartesian product of the sweep's axes, times the Monte Carlo runs.
  std::vector<SweepAxis> sweep;
  std::optional<MonteCarloSpec> monte_carlo;
  std::optional<UncertaintySpec> uncertainty;
  std::optional<MaccSpec> macc;
  std::vector<std::string> models;  // as stated (empty: every model the scenario configures)
};

// One run of a batch: its settings, a deterministic id (the scenario's name and the variant's index)
// and the swept values as a JSON object.
struct Variant {
  ScenarioSpec spec;
  std::string run_id;
  std::string parameters_json = "{}";
  int index = 0;
  // Uncertainty batches: the sample's values of the uncertain inputs (in UncertaintySpec::inputs'
  // order), and whether the run is a sample's counterfactual (the reference's interventions).
  std::vector<double> sample;
  int sample_index = -1;
  bool counterfactual = false;
  // MACC batches: "reference", "package", or the intervention the run holds alone
  // ("interventions[2].battery").
  std::string macc_role;
};

// The runs a scenario asks for: one (run id = the scenario's name) without sweep, monte_carlo or
// uncertainty; for an uncertainty, one run a design point ("<name>-0000", ...) and, with a reference,
// each point's counterfactual ("<name>-reference-0000", ... after its sample); else the cartesian
// product of the sweep's dimensions (an axis, or a zip of axes; the last fastest) times the Monte
// Carlo runs,
// ids "<name>-0000", "<name>-0001", ... Every variant is parsed as a scenario of its own; a key path
// that does not exist or a value the scenario refuses is reported with the sweep's file and line
// (ConfigError, all at once).
[[nodiscard]] std::vector<Variant> expand_batch(const ScenarioSpec& spec);

// The scenario with settings changed at key paths of its resolved form, as a sweep's axes name them
// (e.g. {"interventions[0].rooftop_pv.roof_share", "0.4"}; values are YAML scalars, or flow lists
// such as "[juan, local]" that replace a list), parsed again
// with every check of a scenario file; its sweep, monte_carlo and models are kept. A key path that
// does not lead into the scenario, or a value it refuses, is a ConfigError (all at once).
[[nodiscard]] ScenarioSpec with_settings(const ScenarioSpec& spec,
                                         const std::vector<std::pair<std::string, std::string>>& settings);

// The counterfactual of attribution (docs/economics.md): `background`'s settings (year, grid factor,
// tariff, load growth, ...) with `interventions`' interventions, named `name`. Throws ConfigError when
// the interventions do not fit the background (a complex it does not simulate, say).
[[nodiscard]] ScenarioSpec with_interventions_of(const ScenarioSpec& background,
                                                 const ScenarioSpec& interventions, const std::string& name);

// The scenario with a batch setting given as YAML (or JSON) text: key "sweep" (axes and zips, as a
// scenario file's sweep), "monte_carlo" or "uncertainty", checked as in a scenario file. Throws
// ConfigError with every problem.
[[nodiscard]] ScenarioSpec with_batch(const ScenarioSpec& spec, const std::string& key,
                                      const std::string& yaml);

// A resolved scenario (ScenarioSpec::resolved_yaml, as stored with each run of a results file) as a
// spec again; its paths stay as they are (relative to the folder the run ran in). label names it in
// messages. Throws ConfigError.
[[nodiscard]] ScenarioSpec scenario_from_resolved(const std::string& resolved_yaml, const std::string& label);

// The top-level settings of two scenarios' backgrounds that differ (all but name, interventions and
// facility_series), each "key: <a's value> -> <b's value>" in flow YAML.
[[nodiscard]] std::vector<std::string> background_differences(const ScenarioSpec& a, const ScenarioSpec& b);

// `spec` with `source`'s grid emission factor, named `name`.
[[nodiscard]] ScenarioSpec with_grid_factor_of(const ScenarioSpec& spec, const ScenarioSpec& source,
                                               const std::string& name);

// Reads a scenario file and the files it extends. Every problem in every file (unknown key, wrong
// type, out-of-range value, missing required key, a cycle of `extends`) is reported at once, each
// with file, line and key path. Throws ConfigError.
[[nodiscard]] ScenarioSpec read_scenario(const std::string& path);

// Every file a run of the scenario reads (the scenario file and the files it extends, the layout,
// weather, holidays, tariff, load library, calibration, prices, line types, trip rates, emission
// factors, hourly grid factor, reference scenarios), named for messages: no output may be one of them.
[[nodiscard]] std::vector<NamedInput> input_files(const ScenarioSpec& spec);

// Refuses (ConfigError, every problem at the file, line and key that states the path) input files
// of the scenario that do not exist, or are folders where a file belongs (the layout may be a folder
// of layers), before anything is computed: a path a user mistyped is named where it was written.
void check_inputs_exist(const ScenarioSpec& spec);

// Refuses (ConfigError, every problem at the file, line and key that states the path) input files
// of the scenario that do not exist, or are folders where a file belongs (the layout may be a folder
// of layers), before anything is computed: a path a user mistyped is named where it was written.
void check_inputs_exist(const ScenarioSpec& spec);

// The layout (`site`) a resolved scenario names (ScenarioSpec::resolved_yaml, as stored with each run
// of a results file): relative to the folder the run ran in. Empty if the text is not such a
// scenario.
[[nodiscard]] std::string site_of_resolved(const std::string& resolved_yaml);

}  // namespace sandan
