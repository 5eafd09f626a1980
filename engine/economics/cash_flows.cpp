// economics/cash_flows: present values of costs and savings; formulas and sources in cash_flows.hpp.
#include "economics/cash_flows.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace sandan {
namespace {

void check_rate(double r, const char* what) {
  if (!std::isfinite(r) || r <= -1.0) {
    throw Error(ErrorCode::kBadInput,
                std::string(what) + ": the discount rate must be a number > -1, got " + std::to_string(r));
  }
}

void check_years(int years, int least, const char* what) {
  if (years < least) {
    throw Error(ErrorCode::kBadInput, std::string(what) + ": the number of years must be >= " +
                                          std::to_string(least) + ", got " + std::to_string(years));
  }
}

void check_finite(double value, const char* name, const char* what) {
  if (!std::isfinite(value)) {
    throw Error(ErrorCode::kBadInput, std::string(what) + ": " + name + " must be a number");
  }
}

// (1 + r)^-years.
double discount(double r, double years) { return std::exp(-years * std::log1p(r)); }

}  // namespace

double annuity_factor(double r, int years) {
  check_rate(r, "annuity_factor");
  check_years(years, 0, "annuity_factor");
  if (r == 0.0) return years;
  // (1 - (1 + r)^-n) / r, with 1 - e^x = -expm1(x) so that small rates keep their digits.
  return -std::expm1(-years * std::log1p(r)) / r;
}

double capital_recovery_factor(double r, int years) {
  check_rate(r, "capital_recovery_factor");
  check_years(years, 1, "capital_recovery_factor");
  return 1.0 / annuity_factor(r, years);
}

CostPv present_value_of_costs(const CostItem& item, double r, int years) {
  constexpr const char* kWhat = "present_value_of_costs";
  check_rate(r, kWhat);
  check_years(years, 1, kWhat);
  check_finite(item.investment_krw, "the investment", kWhat);
  check_finite(item.om_krw_per_year, "the O&M cost", kWhat);
  if (item.investment_krw < 0.0) {
    throw Error(ErrorCode::kBadInput, std::string(kWhat) + ": the investment must be >= 0");
  }
  if (item.lifetime_years < 1) {
    throw Error(ErrorCode::kBadInput, std::string(kWhat) + ": the lifetime must be >= 1 year, got " +
                                          std::to_string(item.lifetime_years));
  }
  const int life = item.lifetime_years;
  CostPv pv;
  pv.investment = item.investment_krw;
  for (int year = life; year < years; year += life) {
    pv.replacements += item.investment_krw * discount(r, year);
  }
  pv.om = item.om_krw_per_year * annuity_factor(r, years);
  const int last_installation = life * ((years - 1) / life);
  const double remaining_share = 1.0 - static_cast<double>(years - last_installation) / life;
  pv.residual = item.investment_krw * remaining_share * discount(r, years);
  pv.total = pv.investment + pv.replacements + pv.om - pv.residual;
  return pv;
}

double npv(const std::vector<CostItem>& items, double annual_savings_krw, double r, int years) {
  check_finite(annual_savings_krw, "the yearly savings", "npv");
  double costs = 0.0;
  for (const auto& item : items) costs += present_value_of_costs(item, r, years).total;
  return annual_savings_krw * annuity_factor(r, years) - costs;
}

std::optional<double> simple_payback_years(double investment_krw, double annual_net_saving_krw) {
  check_finite(investment_krw, "the investment", "simple_payback_years");
  check_finite(annual_net_saving_krw, "the yearly net saving", "simple_payback_years");
  if (investment_krw < 0.0) {
    throw Error(ErrorCode::kBadInput, "simple_payback_years: the investment must be >= 0");
  }
  if (annual_net_saving_krw <= 0.0) return std::nullopt;
  return investment_krw / annual_net_saving_krw;
}

std::optional<double> levelised_cost_krw_per_tco2e(double pv_costs_net_of_savings_krw, double annual_tco2e,
                                                   double r, int years) {
  constexpr const char* kWhat = "levelised_cost_krw_per_tco2e";
  check_finite(pv_costs_net_of_savings_krw, "the net present cost", kWhat);
  check_finite(annual_tco2e, "the yearly tonnes", kWhat);
  check_rate(r, kWhat);
  check_years(years, 1, kWhat);
  if (annual_tco2e <= 0.0) return std::nullopt;
  return pv_costs_net_of_savings_krw / (annual_tco2e * annuity_factor(r, years));
}

}  // namespace sandan
