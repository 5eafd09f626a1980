// scenario/batch_analysis: what an uncertainty batch's runs say together: the distribution of every
// headline figure (P10, P50, P90: percentiles by linear interpolation between order statistics,
// Hyndman & Fan 1996 definition 7, as numpy and R compute them by default) and, for a Sobol' or
// Morris design, each uncertain input's sensitivity indices. With a reference, each sample is set
// against its counterfactual (the same sampled background, the reference's interventions), so that
// abatement and KRW per tCO2eq have distributions of their own (docs/uncertainty.md).
#pragma once

#include <span>
#include <vector>

#include "scenario/results.hpp"
#include "scenario/scenario.hpp"

namespace sandan {

// The p-quantile (0 ≤ p ≤ 1) of the finite values, Hyndman & Fan definition 7; NaN if none is.
[[nodiscard]] double percentile(std::span<const double> values, double p);

// Output names of the figures against the counterfactual (the "all" row): B = sample, C = its
// counterfactual.
inline constexpr const char* kAbatedOutput = "tco2e_abated";                   // C − B of tco2e_total
inline constexpr const char* kNetCostOutput = "net_annual_cost_krw";           // Δ annualised + Δ energy
inline constexpr const char* kKrwPerTonneOutput = "krw_per_tco2e_net";         // net / abated
inline constexpr const char* kGrossKrwPerTonneOutput = "krw_per_tco2e_gross";  // Δ annualised / abated

// variants: expand_batch(spec); kpis: each variant's KPI rows, in the same order. spec must carry an
// uncertainty. Does not throw; a missing figure is NaN (and indices of an output with NaNs are NaN).
[[nodiscard]] UncertaintyAnalysis analyse_uncertainty(const ScenarioSpec& spec,
                                                      const std::vector<Variant>& variants,
                                                      const std::vector<std::vector<Kpi>>& kpis);

// The curve of a MACC batch (spec.macc): variants and kpis as for analyse_uncertainty.
[[nodiscard]] MaccAnalysis analyse_macc(const std::vector<Variant>& variants,
                                        const std::vector<std::vector<Kpi>>& kpis);

}  // namespace sandan
