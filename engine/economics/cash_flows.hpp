// economics/cash_flows: present values of the costs and savings of an intervention (rooftop PV, a
// battery, a heat pump, …) over an analysis period, and the figures derived from them: net present
// value, simple payback and the levelised cost of a tonne of CO2eq avoided.
//
// Conventions (NIST Handbook 135, Fuller & Petersen, "Life-Cycle Costing Manual for the Federal Energy
// Management Program", 1995 ed.; EN 15459 and Commission Delegated Regulation (EU) No 244/2012,
// Annex I, for the residual value):
// - Years are whole. The investment is paid at t = 0 (the start of year 1); yearly amounts (O&M,
//   savings, tonnes) fall at the end of years 1 … T and are discounted by (1 + r)^-y.
// - r is a real discount rate (prices held at today's level), r > -1. Korea's public-investment
//   appraisal (KDI preliminary feasibility studies) uses a social discount rate of 4.5 % since 2017
//   (5.5 % before; Ministry of Economy and Finance, 2017-08-11); a firm would use its own cost of
//   capital.
// - Amounts are KRW; quantities and discount rate are plain doubles.
//
// Every function throws Error (kBadInput) on arguments outside the stated ranges; none throws
// otherwise.
#pragma once

#include <optional>
#include <vector>

namespace sandan {

// One intervention's costs: an investment, repeated at the end of each lifetime within the analysis
// period, and a yearly operation and maintenance cost.
struct CostItem {
  double investment_krw = 0.0;   // >= 0, paid at t = 0 and at each replacement
  double om_krw_per_year = 0.0;  // paid at the end of each year 1 … T (may be < 0: a yearly gain)
  int lifetime_years = 1;        // >= 1
};

// The present values (t = 0) of an item's costs over the analysis period, KRW.
struct CostPv {
  double investment = 0.0;    // the first installation, I
  double replacements = 0.0;  // Σ I (1 + r)^-(kL) over k >= 1 with kL < T
  double om = 0.0;            // O&M × annuity_factor(r, T)
  double residual = 0.0;      // value left at T, discounted; subtracted from the total
  double total = 0.0;         // investment + replacements + om - residual
};

// Annuity (uniform series present worth) factor: the present value of 1 KRW paid at the end of each
// of `years` years, Σ_{y=1..n} (1 + r)^-y = (1 - (1 + r)^-n) / r, and n when r = 0 (NIST Handbook 135,
// "uniform present value factor"; computed as -expm1(-n log1p(r)) / r, exact near r = 0). years >= 0.
[[nodiscard]] double annuity_factor(double r, int years);

// Capital recovery factor: the level yearly payment over `years` years whose present value is 1,
// r (1 + r)^n / ((1 + r)^n - 1) = 1 / annuity_factor(r, n), and 1 / n when r = 0 (NREL, "Simple
// Levelized Cost of Energy (LCOE) Calculator Documentation"; Short et al. 1995, NREL/TP-462-5173).
// years >= 1.
[[nodiscard]] double capital_recovery_factor(double r, int years);

// Present value of an item's costs over an analysis period of `years` years (T >= 1):
// - investment: I at t = 0;
// - replacements: the same investment I again at every multiple kL of the lifetime L with kL < T (a
//   replacement falling exactly at T would be worth nothing within the period and is left out),
//   each discounted by (1 + r)^-(kL);
// - O&M: om × annuity_factor(r, T);
// - residual (salvage) value: the last installation, made at t_last = L·floor((T - 1) / L), is
//   depreciated in a straight line over its lifetime; at T it keeps I (1 - (T - t_last) / L), which
//   is discounted by (1 + r)^-T and subtracted (EU 244/2012 Annex I: "the residual value shall be
//   determined by a straight-line depreciation of the initial investment or replacement cost … until
//   the end of the calculation period discounted to the beginning of the calculation period").
// Example: L = 10, T = 25: replacements at years 10 and 20; the year-20 installation has 5 of its 10
// years left at 25, residual 0.5 I (1 + r)^-25.
[[nodiscard]] CostPv present_value_of_costs(const CostItem& item, double r, int years);

// Net present value of a set of items that together save a level `annual_savings_krw` a year from
// year 1 to T: NPV = annual_savings × annuity_factor(r, T) - Σ present_value_of_costs(item).total.
// Positive: the savings repay the costs at the discount rate.
[[nodiscard]] double npv(const std::vector<CostItem>& items, double annual_savings_krw, double r, int years);

// Simple payback: investment / yearly net saving (saving after O&M), undiscounted, in years; nothing
// when the net saving is <= 0 (the investment is never repaid). investment >= 0.
[[nodiscard]] std::optional<double> simple_payback_years(double investment_krw, double annual_net_saving_krw);

// Levelised cost of a tonne of CO2eq avoided, KRW/tCO2eq:
//   (PV costs - PV savings) / Σ_{y=1..T} t (1 + r)^-y = pv_costs_net_of_savings / (t × annuity_factor(r, T)),
// with t the tonnes avoided each year. The tonnes are discounted at the same rate as the money: this is
// the levelised cost of conserved carbon, the carbon analogue of the cost of conserved energy and of the
// LCOE (whose denominator is the discounted energy). It equals the annualised net cost
// (pv_costs_net_of_savings × capital_recovery_factor(r, T)) divided by the yearly tonnes, the
// measure of the McKinsey abatement cost curves ("Pathways to a Low-Carbon Economy", 2009) and of the
// bottom-up mitigation cost estimates of IPCC AR4 WGIII (ch. 11). Negative when the savings exceed
// the costs. Nothing when annual_tco2e <= 0 (no tonnes to spread the cost over).
// pv_costs_net_of_savings is -npv(…) for the same items and savings.
[[nodiscard]] std::optional<double> levelised_cost_krw_per_tco2e(double pv_costs_net_of_savings_krw,
                                                                 double annual_tco2e, double r, int years);

}  // namespace sandan
