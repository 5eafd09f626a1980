#include "scenario/batch_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "scenario/kpi_catalogue.hpp"
#include "uncertainty/morris.hpp"
#include "uncertainty/sobol.hpp"

namespace sandan {

double percentile(std::span<const double> values, double p) {
  std::vector<double> finite;
  finite.reserve(values.size());
  for (const double v : values) {
    if (std::isfinite(v)) finite.push_back(v);
  }
  if (finite.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(finite.begin(), finite.end());
  // Definition 7: h = (n − 1)p, between the order statistics ⌊h⌋ and ⌊h⌋ + 1 (0-based).
  const double h = static_cast<double>(finite.size() - 1) * std::clamp(p, 0.0, 1.0);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, finite.size() - 1);
  return finite[lo] + (h - static_cast<double>(lo)) * (finite[hi] - finite[lo]);
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char* method_name(UncertaintyMethod m) {
  switch (m) {
    case UncertaintyMethod::kMonteCarlo:
      return "monte_carlo";
    case UncertaintyMethod::kLatinHypercube:
      return "latin_hypercube";
    case UncertaintyMethod::kSobol:
      return "sobol";
    case UncertaintyMethod::kMorris:
      return "morris";
  }
  return "";
}

double all_value(const std::vector<Kpi>& rows, KpiId id) { return kpi_value(rows, id).value_or(kNaN); }

// The annual energy cost a run pays: its energy_cost_krw (bill, fuel, less export credit) when the
// run reports it, else its electricity bill.
double energy_cost(const std::vector<Kpi>& rows) {
  if (const auto v = kpi_value(rows, KpiId::kEnergyCostKrw)) return *v;
  return all_value(rows, KpiId::kBillKrw);
}

// The figures of a sample against its counterfactual: abated, net annual cost, KRW/t net and gross.
std::vector<double> against(const std::vector<Kpi>& sample, const std::vector<Kpi>& counterfactual) {
  const double abated = all_value(counterfactual, KpiId::kTco2eTotal) - all_value(sample, KpiId::kTco2eTotal);
  const double annualised =
      all_value(sample, KpiId::kAnnualisedCostKrw) - all_value(counterfactual, KpiId::kAnnualisedCostKrw);
  const double net = annualised + energy_cost(sample) - energy_cost(counterfactual);
  const bool per_tonne = std::isfinite(abated) && abated > 0.0;
  return {abated, net, per_tonne ? net / abated : kNaN, per_tonne ? annualised / abated : kNaN};
}

void add_sensitivity(const UncertaintySpec& u, UncertaintyAnalysis& a) {
  const std::size_t k = a.inputs.size();
  const std::size_t n_out = a.outputs.size();
  const std::size_t rows = a.sample_runs.size();
  std::vector<double> column(rows);
  const auto output_column = [&](std::size_t o) {
    for (std::size_t r = 0; r < rows; ++r) column[r] = a.output_values[r * n_out + o];
    return std::all_of(column.begin(), column.end(), [](double v) { return std::isfinite(v); });
  };
  if (u.method == UncertaintyMethod::kSobol) {
    a.sensitivity = "sobol";
    const SaltelliDesign design = saltelli_design(static_cast<std::size_t>(u.samples), k, u.seed);
    for (auto* v : {&a.first, &a.total, &a.first_ci, &a.total_ci}) v->assign(n_out * k, kNaN);
    for (std::size_t o = 0; o < n_out; ++o) {
      if (!output_column(o)) continue;
      const SobolIndices s = sobol_indices(design, column);
      for (std::size_t i = 0; i < k; ++i) {
        a.first[o * k + i] = s.first[i];
        a.total[o * k + i] = s.total[i];
        a.first_ci[o * k + i] = s.first_ci[i];
        a.total_ci[o * k + i] = s.total_ci[i];
      }
    }
  } else if (u.method == UncertaintyMethod::kMorris) {
    a.sensitivity = "morris";
    const MorrisDesign design = morris_design(static_cast<std::size_t>(u.samples), k, u.levels, u.seed);
    // The levels were squeezed into [ε, 1 − ε] (unit_design): effects per unit of the squeezed scale.
    const double scale = 1.0 / (1.0 - 2.0 * morris_margin(u.levels));
    for (auto* v : {&a.mu, &a.mu_star, &a.sigma}) v->assign(n_out * k, kNaN);
    for (std::size_t o = 0; o < n_out; ++o) {
      if (!output_column(o)) continue;
      const MorrisEffects e = morris_effects(design, column);
      for (std::size_t i = 0; i < k; ++i) {
        a.mu[o * k + i] = e.mu[i] * scale;
        a.mu_star[o * k + i] = e.mu_star[i] * scale;
        a.sigma[o * k + i] = e.sigma[i] * scale;
      }
    }
  }
}

}  // namespace

MaccAnalysis analyse_macc(const std::vector<Variant>& variants, const std::vector<std::vector<Kpi>>& kpis) {
  MaccAnalysis m;
  const auto ref = std::find_if(variants.begin(), variants.end(),
                                [](const Variant& v) { return v.macc_role == "reference"; });
  if (ref == variants.end()) return m;
  const std::vector<Kpi>& base = kpis[static_cast<std::size_t>(ref - variants.begin())];
  m.reference_run = ref->run_id;
  struct Row {
    std::string intervention, run;
    double abated, annualised, energy;
  };
  const auto row_of = [&](std::size_t v) {
    const std::vector<Kpi>& rows = kpis[v];
    return Row{variants[v].macc_role, variants[v].run_id,
               all_value(base, KpiId::kTco2eTotal) - all_value(rows, KpiId::kTco2eTotal),
               all_value(rows, KpiId::kAnnualisedCostKrw) - all_value(base, KpiId::kAnnualisedCostKrw),
               energy_cost(rows) - energy_cost(base)};
  };
  std::vector<Row> parts;
  std::optional<Row> package;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    if (variants[v].macc_role == "reference" || variants[v].macc_role.empty()) continue;
    (variants[v].macc_role == "package" ? package.emplace(row_of(v)) : parts.emplace_back(row_of(v)));
  }
  const auto per_tonne = [](const Row& r) {
    return r.abated > 0.0 ? (r.annualised + r.energy) / r.abated : std::numeric_limits<double>::infinity();
  };
  std::stable_sort(parts.begin(), parts.end(),
                   [&](const Row& a, const Row& b) { return per_tonne(a) < per_tonne(b); });
  if (package) {
    Row interaction{"interaction", "", package->abated, package->annualised, package->energy};
    for (const Row& p : parts) {
      interaction.abated -= p.abated;
      interaction.annualised -= p.annualised;
      interaction.energy -= p.energy;
    }
    parts.push_back(*package);
    parts.push_back(interaction);
  }
  for (const Row& r : parts) {
    m.intervention.push_back(r.intervention);
    m.run.push_back(r.run);
    m.tco2e_abated.push_back(r.abated);
    m.delta_annualised_cost_krw.push_back(r.annualised);
    m.delta_energy_cost_krw.push_back(r.energy);
    m.net_annual_cost_krw.push_back(r.annualised + r.energy);
    m.krw_per_tco2e_net.push_back(r.abated > 0.0 ? (r.annualised + r.energy) / r.abated : kNaN);
  }
  return m;
}

UncertaintyAnalysis analyse_uncertainty(const ScenarioSpec& spec, const std::vector<Variant>& variants,
                                        const std::vector<std::vector<Kpi>>& kpis) {
  const UncertaintySpec& u = *spec.uncertainty;
  UncertaintyAnalysis a;
  a.method = method_name(u.method);
  a.seed = u.seed;
  a.samples = u.samples;
  a.levels = u.method == UncertaintyMethod::kMorris ? u.levels : 0;
  a.reference = u.reference;
  for (const UncertainInput& input : u.inputs) {
    a.inputs.push_back(input.key_path);
    a.distributions.push_back(input.description);
  }
  // The runs of each design point, in design order.
  std::map<int, std::size_t> sample_of, reference_of;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    if (variants[v].sample_index < 0) continue;
    (variants[v].counterfactual ? reference_of : sample_of)[variants[v].sample_index] = v;
  }
  // The headline KPIs the runs report (a model not run reports none).
  const auto reported = [&](KpiId id) {
    return std::any_of(kpis.begin(), kpis.end(),
                       [&](const std::vector<Kpi>& rows) { return kpi_value(rows, id).has_value(); });
  };
  std::vector<KpiId> headline;
  for (const KpiInfo& info : kpi_catalogue()) {
    if (!info.in_index || !reported(info.id)) continue;
    headline.push_back(info.id);
    a.outputs.emplace_back(info.key);
    a.output_units.emplace_back(info.unit);
  }
  const bool paired = !reference_of.empty();
  if (paired) {
    a.outputs.insert(a.outputs.end(),
                     {kAbatedOutput, kNetCostOutput, kKrwPerTonneOutput, kGrossKrwPerTonneOutput});
    a.output_units.insert(a.output_units.end(), {"tCO2eq/year", "KRW/year", "KRW/tCO2eq", "KRW/tCO2eq"});
  }
  for (const auto& [index, v] : sample_of) {
    a.sample_runs.push_back(variants[v].run_id);
    a.sample_values.insert(a.sample_values.end(), variants[v].sample.begin(), variants[v].sample.end());
    const std::vector<Kpi>& rows = kpis[v];
    for (const KpiId id : headline) a.output_values.push_back(all_value(rows, id));
    if (!paired) continue;
    const auto ref = reference_of.find(index);
    a.reference_runs.push_back(ref == reference_of.end() ? std::string() : variants[ref->second].run_id);
    const std::vector<double> figures =
        ref == reference_of.end() ? std::vector<double>(4, kNaN) : against(rows, kpis[ref->second]);
    a.output_values.insert(a.output_values.end(), figures.begin(), figures.end());
  }
  const std::size_t n_out = a.outputs.size();
  const std::size_t rows = a.sample_runs.size();
  std::vector<double> column(rows);
  for (std::size_t o = 0; o < n_out; ++o) {
    double sum = 0.0;
    std::size_t finite = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      column[r] = a.output_values[r * n_out + o];
      if (std::isfinite(column[r])) {
        sum += column[r];
        ++finite;
      }
    }
    a.p10.push_back(percentile(column, 0.10));
    a.p50.push_back(percentile(column, 0.50));
    a.p90.push_back(percentile(column, 0.90));
    a.mean.push_back(finite > 0 ? sum / static_cast<double>(finite) : kNaN);
  }
  add_sensitivity(u, a);
  return a;
}

}  // namespace sandan
