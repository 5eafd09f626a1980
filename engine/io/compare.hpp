// io/compare: reads the KPI table of a run in a results file (schema sandan-results,
// docs/results-schema.md) and compares two runs: every KPI of both, and a headline of the carbon
// abated and what it costs. Plain structs only; the file is read through io/results_reader.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scenario/results.hpp"

namespace sandan {

// One row of /runs/<run_id>/kpi.
struct KpiRow {
  std::string key;      // e.g. "annual_load_mwh"
  std::string complex;  // complex id, or "all"
  double value = 0.0;
  std::string unit;  // e.g. "MWh"
};

// The run ids of a results file, in name order. Throws Error(kBadInput) naming the file if it is
// missing, unreadable, not HDF5 or not a sandan results file (root attribute schema).
[[nodiscard]] std::vector<std::string> list_runs(const std::string& path);

// The KPI table of one run of a results file, in the file's row order. run: in, the run id, or empty
// for the file's only run; out, the run read. Throws Error(kBadInput) naming the file as list_runs
// does, and for an unknown run or an empty run in a file of several runs (listing the file's runs).
[[nodiscard]] std::vector<KpiRow> read_run_kpis(const std::string& path, std::string& run);

// The KPI tables of several runs of one results file (all of them when `runs` is empty, in name
// order), each in the file's row order, the file opened once. Throws Error(kBadInput) as list_runs
// does, for an unknown run (listing the file's runs) and for a run without a KPI table.
[[nodiscard]] std::vector<std::vector<KpiRow>> read_kpis_of_runs(const std::string& path,
                                                                 const std::vector<std::string>& runs);

// A run of a results file, written FILE or FILE:RUN on the command line.
struct RunRef {
  std::string file;
  std::string run;  // empty: the file's only run
};

// Splits FILE:RUN at the last ':', unless the whole text names an existing file or what follows the
// ':' holds a '/' (then it is all the file's name).
[[nodiscard]] RunRef parse_run_ref(const std::string& text);

// One KPI (key × complex) of both runs.
struct KpiDelta {
  std::string key;
  std::string complex;
  std::string unit;
  double a = 0.0;
  double b = 0.0;
  double delta = 0.0;               // b − a
  std::optional<double> delta_pct;  // 100 (b − a) / |a|; empty when a is 0
};

// The headline, from the KPIs of complex "all". Each figure is empty when a KPI it needs is missing
// from either run; the costs per tCO2eq are also empty when nothing is abated (abated ≤ 0).
struct ComparisonHeadline {
  // A.tco2e_total − B.tco2e_total, tCO2eq/year; attributed: C − B, the interventions' share.
  std::optional<double> tco2e_abated;
  std::optional<double> tco2e_change_total;         // B − A of tco2e_total, whatever its cause
  std::optional<double> tco2e_change_background;    // attributed: C − A
  std::optional<double> delta_annualised_cost_krw;  // B − A annualised_cost_krw, KRW/year
  std::optional<double> delta_bill_krw;             // B − A bill_krw, KRW/year
  // B − A energy_cost_krw (bill + fuel − export credit), KRW/year; the net annual cost uses it when
  // both runs report it, else the bill.
  std::optional<double> delta_energy_cost_krw;
  // Over the analysis period at the discount rate (docs/economics.md): NPV of the interventions'
  // costs (investments, replacements, O&M, residual value) against their energy savings; simple
  // payback; levelised cost per tCO2eq abated. Empty without the runs' cost lines.
  std::optional<double> npv_krw;
  std::optional<double> payback_years;
  std::optional<double> levelised_krw_per_tco2e;
  double discount_rate = 0.0;
  int analysis_years = 0;
  std::optional<double> net_annual_cost_krw;  // delta annualised cost + delta bill, KRW/year
  std::optional<double> krw_per_tco2e_gross;  // delta annualised cost / abated, KRW/tCO2eq
  std::optional<double> krw_per_tco2e_net;    // net annual cost / abated, KRW/tCO2eq
};

// The change B − A of one KPI split by cause (docs/economics.md, "Attribution"). C is the
// counterfactual: B's background (year, calendar, weather, tariff, load growth, grid factor, ...) with
// A's interventions; C_g is C with A's grid emission factor. Then, exactly,
//   B − A = (B − C) interventions + (C − C_g) grid factor + (C_g − A) other background.
struct AttributionRow {
  std::string key;
  std::string complex;
  std::string unit;
  double total = 0.0;             // B − A
  double interventions = 0.0;     // B − C
  double grid_factor = 0.0;       // C − C_g
  double other_background = 0.0;  // C_g − A
};

enum class AttributionStatus {
  kSameBackground,        // A and B differ in interventions only: all of B − A is the interventions'
  kAttributed,            // the counterfactual was run (or given) and the rows split B − A
  kCounterfactualNeeded,  // the backgrounds differ and the counterfactual could not be run here
  kNotAttributed,         // not asked for, or a run's scenario is not in its file
};
[[nodiscard]] const char* to_string(AttributionStatus status);

struct Attribution {
  AttributionStatus status = AttributionStatus::kNotAttributed;
  std::vector<std::string> background;  // what differs between A's and B's backgrounds, "year: 2026 -> 2030"
  std::string counterfactual;           // where C came from
  std::string counterfactual_yaml;      // kCounterfactualNeeded: the scenario to run
  std::string message;                  // why there is no attribution, and what to do
  std::vector<AttributionRow> rows;     // every KPI of c.kpis that C (and C_g) report too
};

// A figure of an uncertainty batch over its samples (/uncertainty of the results file).
struct PercentileRow {
  std::string output;
  std::string unit;
  double p10 = 0.0;
  double p50 = 0.0;
  double p90 = 0.0;
};

// Run B (the alternative) against run A (the reference, e.g. the baseline).
struct Comparison {
  RunRef a;  // run: the run read
  RunRef b;
  std::vector<KpiDelta> kpis;     // every key × complex in both runs, in A's order
  std::vector<KpiRow> only_in_a;  // key × complex in one run only (value: that run's)
  std::vector<KpiRow> only_in_b;
  ComparisonHeadline headline;
  // With a counterfactual the headline is the interventions' share (B against C), not B − A.
  Attribution attribution;
  // B is an uncertainty batch (its file, no run named): the P10/P50/P90 of its figures, each sample
  // against its own counterfactual; kpis and headline are then empty. `uncertainty_note` says what
  // the samples were set against.
  std::vector<PercentileRow> percentiles;
  std::string uncertainty_note;
  // What makes the headline misleading: one run modelled road traffic and the other did not (its
  // transport emissions are then 0, so the other's count as abated or added), or the runs simulated
  // different complexes.
  std::vector<std::string> warnings;
};

// Compares two KPI tables. a and b name the runs in the result and in messages. Throws
// Error(kBadInput) if a KPI has different units in the two runs or repeats within one.
[[nodiscard]] Comparison compare_kpis(const RunRef& a, const std::vector<KpiRow>& a_kpis, const RunRef& b,
                                      const std::vector<KpiRow>& b_kpis);

// The cost lines of a run (/runs/<run>/costs) with its discount rate and analysis period; empty
// lines for a file written before costs were stored.
struct RunCosts {
  double discount_rate = 0.0;
  int analysis_years = 0;
  std::vector<CostLine> items;
  bool present = false;
};
[[nodiscard]] RunCosts read_run_costs(const std::string& path, const std::string& run);

// Adds NPV, payback and levelised cost to the headline: B's cost lines against the reference's (A, or
// the counterfactual, which has A's interventions), the energy savings and tonnes of the headline,
// at B's discount rate over B's analysis period.
void add_cash_flows(ComparisonHeadline& headline, const RunCosts& reference, const RunCosts& alternative);

// The percentiles of a results file's uncertainty batch (/uncertainty), empty without one; `note`
// receives the method, the samples and the reference.
[[nodiscard]] std::vector<PercentileRow> read_percentiles(const std::string& path, std::string& note);

// Reads both runs (read_run_kpis) and compares them.
[[nodiscard]] Comparison compare_runs(const RunRef& a, const RunRef& b);

// Splits the comparison's differences by cause with the KPIs of the counterfactual C (B's background,
// A's interventions) and of C_g (C with A's grid factor: A's own table when the grid factor is all that
// differs, C's when it is the same in both runs). The headline becomes the interventions' share: B
// against C. `counterfactual` names C in the result.
void attribute(Comparison& comparison, const RunRef& counterfactual, const std::vector<KpiRow>& c_kpis,
               const std::vector<KpiRow>& grid_step_kpis);

// The comparison as text: "table" (aligned, for people), "csv" (a header row, then one row a KPI),
// "json" (one object: a, b, headline, kpis, only_in_a, only_in_b) or "markdown" (a pipe table and
// the headline as a list). Throws Error(kBadInput) for another format.
[[nodiscard]] std::string format_comparison(const Comparison& comparison, const std::string& format);

// The KPIs of the runs of a scenario as one JSON object:
// {"scenario", "runs": [{"run_id", "kpis": [{key, complex, value, unit}]}], "output": file or null
// (output empty)}.
struct RunKpis {
  std::string run_id;
  std::vector<KpiRow> kpis;
};
[[nodiscard]] std::string run_kpis_json(const std::string& scenario, const std::vector<RunKpis>& runs,
                                        const std::string& output);

}  // namespace sandan
