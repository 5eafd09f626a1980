// io/compare: reads the KPI table of a run in a results file (schema sandan-results,
// docs/results-schema.md) and compares two runs: every KPI of both, and a headline of the carbon
// abated and what it costs. Plain structs only; the file is read through io/results_reader.
#pragma once

#include <optional>
#include <string>
#include <vector>

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
  std::optional<double> tco2e_abated;               // A.tco2e_total − B.tco2e_total, tCO2eq/year
  std::optional<double> delta_annualised_cost_krw;  // B − A annualised_cost_krw, KRW/year
  std::optional<double> delta_bill_krw;             // B − A bill_krw, KRW/year
  std::optional<double> net_annual_cost_krw;        // delta annualised cost + delta bill, KRW/year
  std::optional<double> krw_per_tco2e_gross;        // delta annualised cost / abated, KRW/tCO2eq
  std::optional<double> krw_per_tco2e_net;          // net annual cost / abated, KRW/tCO2eq
};

// Run B (the alternative) against run A (the reference, e.g. the baseline).
struct Comparison {
  RunRef a;  // run: the run read
  RunRef b;
  std::vector<KpiDelta> kpis;     // every key × complex in both runs, in A's order
  std::vector<KpiRow> only_in_a;  // key × complex in one run only (value: that run's)
  std::vector<KpiRow> only_in_b;
  ComparisonHeadline headline;
  // What makes the headline misleading: one run modelled road traffic and the other did not (its
  // transport emissions are then 0, so the other's count as abated or added), or the runs simulated
  // different complexes.
  std::vector<std::string> warnings;
};

// Compares two KPI tables. a and b name the runs in the result and in messages. Throws
// Error(kBadInput) if a KPI has different units in the two runs or repeats within one.
[[nodiscard]] Comparison compare_kpis(const RunRef& a, const std::vector<KpiRow>& a_kpis, const RunRef& b,
                                      const std::vector<KpiRow>& b_kpis);

// Reads both runs (read_run_kpis) and compares them.
[[nodiscard]] Comparison compare_runs(const RunRef& a, const RunRef& b);

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
