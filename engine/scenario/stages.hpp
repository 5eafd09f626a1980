// scenario/stages: a run as a pipeline of stages, each taking what it needs and returning one typed
// product (docs/architecture.md draws it):
//
//   SiteModel ─┐                       (once per layout and complexes; shared by a batch's runs)
//   RunInputs ─┴─ plan_facilities ──> FacilityPlan
//                 balance_energy ───> EnergyBalance (facility and complex series, bills, injections)
//                 settle_shared_batteries (on the balance)
//                 solve_grid ───────> GridResults
//                 TrafficStage ─────> TrafficResults       (independent of the energy stages)
//                 account_emissions > EmissionsResults
//                 cost_interventions> CostSummary
//                 compute_kpis ─────> the KPI rows (scenario/kpi_catalogue)
//
// Every stage is a plain function of its inputs: no stage reads a file (inputs are read before any
// stage runs) and none throws for bad input (checked before).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "economics/prices.hpp"
#include "energy/battery.hpp"
#include "energy/loads.hpp"
#include "energy/tariff.hpp"
#include "energy/weather.hpp"
#include "grid/feeders.hpp"
#include "scenario/results.hpp"
#include "scenario/scenario.hpp"
#include "site/site.hpp"
#include "site/topology.hpp"

namespace sandan {

// The layout as every run of it sees it: only the simulated complexes' facilities, and the road
// graph, feeder trees and facility attachments built once.
struct SiteModel {
  Site site;
  std::vector<int> complexes;                    // indices into site.complexes, in the scenario's order
  std::vector<std::string> complex_ids;          // of the simulated complexes, in that order
  std::vector<std::size_t> facility_slot;        // index into complex_ids of each facility
  std::vector<std::string> layout_facility_ids;  // every facility of the layout, sorted (also unsimulated)
  RoadGraph roads;
  FeederTopology feeders;
  Attachments attachments;
};

// Reads the scenario's layout and keeps its simulated complexes. Throws ConfigError for an unknown
// complex, Error(kIo) for an unreadable layout.
[[nodiscard]] std::shared_ptr<const SiteModel> load_site_model(const ScenarioSpec& spec);

// Everything else a run reads, checked: the calendar, the weather (its hours fit the year and there is
// no radiation at night), the load archetypes and the tariff.
struct RunInputs {
  std::shared_ptr<const SiteModel> model;
  Calendar calendar;
  Weather weather;
  LoadLibrary library;
  Tariff tariff;
  std::optional<FuelPrices> fuel_prices;    // prices.fuel
  std::optional<PvExportPrices> pv_export;  // prices.pv_export
  std::optional<Calibration> calibration;   // the scenario's `calibration:`
};

// Throws ConfigError for inputs that do not fit each other, Error(kIo) for unreadable files.
[[nodiscard]] RunInputs read_run_inputs(const ScenarioSpec& spec, std::shared_ptr<const SiteModel> model);

// The interventions' targets exist among the simulated complexes and the layout, and the models they
// need are on. Throws ConfigError with every problem.
void check_fit(const ScenarioSpec& spec, const SiteModel& model);

// What each facility gets: PV size and profile, battery, efficiency and fuel-switch factors, its
// export limit, the reactive power of its load, and the shared battery's substation it feeds.
struct FacilityPlan {
  std::vector<double> pv_kwp;                   // per facility
  std::vector<int> pv_intervention;             // index into spec.rooftop_pv of the sizing one, -1: none
  std::vector<std::vector<float>> pv_profiles;  // AC kW per kWp, per rooftop_pv intervention
  std::vector<double> export_limit_kw;          // per facility; infinity: unlimited
  std::vector<BatterySpec> battery;             // behind the meter, per facility
  std::vector<char> has_battery;
  std::vector<float> elec_factor;              // efficiency: electricity kept
  std::vector<float> fuel_factor;              // efficiency: fuel kept
  std::vector<float> switch_share;             // share of the fuel heat pumps take over
  std::vector<float> switch_kwh_per_fuel_kwh;  // electricity heat pumps need a kWh of that fuel
  std::vector<float> tan_phi;                  // reactive over active power of the facility's load
  std::vector<float> pv_yield;                 // a calibrated PV yield factor (1: none), per facility
  // Substations with a shared battery: the slot of each facility whose bus they supply (-1: none),
  // and the substation (index into Site::substations) of each slot.
  std::vector<int> substation_slot;
  std::vector<int> slot_substation;
};

[[nodiscard]] FacilityPlan plan_facilities(const ScenarioSpec& spec, const RunInputs& in);

// Spare float buffers handed from one run to the next, so that a batch's runs write into memory
// already mapped instead of first-touching hundreds of megabytes again each run. Thread-safe.
class BufferPool {
 public:
  // A buffer of `size` zeros (recycled when one large enough is spare).
  [[nodiscard]] std::vector<float> take(std::size_t size);
  void give(std::vector<float>&& buffer);
  // Gives back every float series of a run that has been written.
  void recycle(RunResult& run);

 private:
  std::mutex mutex_;
  std::vector<std::vector<float>> spare_;
};

// Each facility's net exchange summed at its 22.9 kV bus, hour by hour (empty without the grid).
struct GridInjections {
  std::vector<std::size_t> bus_offset;  // first global bus of each substation network
  std::vector<long long> facility_bus;  // global bus of each facility, -1: none
  std::size_t buses = 0;
  std::vector<float> p_kw;    // [bus * hours + hour], > 0 drawn from the grid
  std::vector<float> q_kvar;  // likewise
};

// The energy year: every facility's and complex's hourly series, bills and the grid injections.
struct EnergyBalance {
  EnergyResults energy;
  std::vector<double> annual_fuel_mwh;   // per facility, after efficiency and fuel switching
  std::vector<double> switched_peak_kw;  // per facility: the peak electricity its heat pumps add
  std::vector<float> complex_net_kw;     // [complex * hours + hour]: import − export
  std::vector<float> substation_net_kw;  // [slot * hours + hour], FacilityPlan::slot_substation
  GridInjections injections;
  // Per facility and month ([f * 12 + month − 1]): kWh imported and exported at its meter, and the
  // energy rate its bill paid a kWh (energy charge and add-ons over kWh, before power fund and VAT),
  // for pricing exports under net metering (cost_interventions).
  std::vector<double> monthly_import_kwh, monthly_export_kwh, monthly_rate_krw_per_kwh;
  // Per complex and month ([slot * 12 + month − 1]): the share of the complex's export that shared
  // batteries leave going to the grid (1 without them); its facilities' exports are credited by it.
  std::vector<double> complex_export_kept;
};

struct StageOptions {
  int threads = 1;
  bool keep_facility_series = true;  // else facilities go in blocks and only annual figures stay
  BufferPool* buffers = nullptr;     // optional
  std::function<void(const std::string& stage, double done)> progress;
};

// Loads, efficiency and fuel switching, PV, behind-the-meter batteries, meters and bills of every
// facility, and their sums per complex, per substation with a shared battery and per grid bus.
// `grid` is the run's grid model, or nullptr without the grid.
[[nodiscard]] EnergyBalance balance_energy(const ScenarioSpec& spec, const RunInputs& in,
                                           const FacilityPlan& plan, const GridModel* grid,
                                           const StageOptions& options);

// Shared batteries (at a complex or a substation) act on their aggregate's net exchange, one after
// another; the complexes' import and export are then final.
void settle_shared_batteries(const ScenarioSpec& spec, const RunInputs& in, const FacilityPlan& plan,
                             const GridModel* grid, EnergyBalance& balance);

// The run's grid model (feeders of every substation and where each facility connects). Throws
// ConfigError when the feeders cannot be modelled.
[[nodiscard]] GridModel build_run_grid_model(const ScenarioSpec& spec, const SiteModel& model);

// The AC power flow of every hour, violations per feeder and, on request, hosting capacity.
[[nodiscard]] GridResults solve_grid(const ScenarioSpec& spec, const RunInputs& in, const GridModel& grid,
                                     const EnergyBalance& balance, const StageOptions& options);

// What the interventions cost, and what the facilities pay for fuel and earn for exports
// (docs/economics.md).
struct CostSummary {
  double investment_krw = 0.0;
  double annualised_cost_krw = 0.0;  // capital recovery factor at the discount rate, plus O&M
  double om_krw_per_year = 0.0;
  std::vector<CostLine> items;            // each intervention
  std::vector<double> fuel_cost_krw;      // per facility
  std::vector<double> export_credit_krw;  // per facility
  std::vector<std::string> notes;         // prices carried beyond their data, ...
  std::vector<double> fuel_krw_per_mwh;   // the prices used, by burned fuel (empty: not priced)
  // The share of a bill that is not VAT: energy_cost_krw counts bills without VAT, as fuel prices and
  // export credits are (a firm deducts the VAT it pays); the power fund is a cost and stays.
  double bill_excl_vat_share = 1.0;
};

[[nodiscard]] CostSummary cost_interventions(const ScenarioSpec& spec, const RunInputs& in,
                                             const FacilityPlan& plan, const EnergyBalance& balance);

// Everything compute_kpis reads.
struct KpiSources {
  const ScenarioSpec& spec;
  const FacilityPlan& plan;
  const EnergyResults& energy;
  const std::vector<double>& annual_fuel_mwh;
  const std::vector<std::size_t>& facility_slot;
  const GridResults& grid;
  const TrafficResults& traffic;
  const EmissionsResults& emissions;
  const CostSummary& costs;
};

// The KPI rows of a run: each catalogue entry whose model ran, per complex and "all".
[[nodiscard]] std::vector<Kpi> compute_kpis(const KpiSources& sources);

}  // namespace sandan
