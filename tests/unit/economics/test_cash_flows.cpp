#include <doctest/doctest.h>

#include <vector>

#include "core/error.hpp"
#include "economics/cash_flows.hpp"

using namespace sandan;

namespace {

constexpr double kRate = 0.045;

// Powers of 1.045, by hand:
//   1.045^2  = 1.092025
//   1.045^4  = 1.092025^2          = 1.192518600625
//   1.045^5  = 1.192518600625 × 1.045 = 1.246181937653
//   1.045^10 = 1.246181937653^2    = 1.552969421733
//   1.045^20 = 1.552969421733^2    = 2.411714024837
//   1.045^25 = 2.411714024837 × 1.246181937653 = 3.005434456537
constexpr double kPow10 = 1.552969421733;
constexpr double kPow20 = 2.411714024837;
constexpr double kPow25 = 3.005434456537;
// Annuity factor, 4.5 %, 25 years: (1 - 1 / 3.005434456537) / 0.045 = (1 - 0.332730566) / 0.045
// = 14.828208963.
constexpr double kAnnuity25 = 14.828208963;

}  // namespace

TEST_CASE("the annuity factor is the sum of the discount factors and n at a zero rate") {
  CHECK(annuity_factor(kRate, 25) == doctest::Approx(kAnnuity25).epsilon(1e-9));
  // Σ_{y=1..3} 1.1^-y = 0.909090909 + 0.826446281 + 0.751314801 = 2.486851991.
  CHECK(annuity_factor(0.10, 3) == doctest::Approx(2.486851991).epsilon(1e-9));
  CHECK(annuity_factor(0.0, 25) == 25.0);
  CHECK(annuity_factor(0.0, 0) == 0.0);
  // A tiny rate keeps its digits (the plain closed form would lose them): Σ (1 + r)^-y ≈ Σ (1 - y r)
  // = 25 - 325 r = 25 - 3.25e-10 for r = 1e-12.
  CHECK(annuity_factor(1e-12, 25) == doctest::Approx(25.0 - 3.25e-10).epsilon(1e-14));
}

TEST_CASE("the capital recovery factor is the inverse of the annuity factor, 1/n at a zero rate") {
  // 0.045 × 3.005434456537 / (3.005434456537 - 1) = 0.135244550544 / 2.005434456537 = 0.067439028.
  CHECK(capital_recovery_factor(kRate, 25) == doctest::Approx(0.067439028).epsilon(1e-8));
  CHECK(capital_recovery_factor(kRate, 25) * annuity_factor(kRate, 25) == doctest::Approx(1.0));
  CHECK(capital_recovery_factor(0.0, 20) == doctest::Approx(0.05).epsilon(1e-15));
  CHECK(capital_recovery_factor(0.0, 1) == 1.0);
}

TEST_CASE("100 KRW with a 10-year life over 25 years at 4.5 %: replacements at 10 and 20, half left at 25") {
  const CostItem item{100.0, 2.0, 10};
  const CostPv pv = present_value_of_costs(item, kRate, 25);
  CHECK(pv.investment == 100.0);
  // Replacements at years 10 and 20: 100 / 1.552969421733 + 100 / 2.411714024837
  // = 64.392768203 + 41.464285968 = 105.857054171.
  CHECK(pv.replacements == doctest::Approx(100.0 / kPow10 + 100.0 / kPow20).epsilon(1e-10));
  CHECK(pv.replacements == doctest::Approx(105.857054171).epsilon(1e-9));
  // The year-20 installation has 5 of its 10 years left at year 25: 50 % of 100, discounted 25 years:
  // 50 / 3.005434456537 = 16.636529834.
  CHECK(pv.residual == doctest::Approx(50.0 / kPow25).epsilon(1e-10));
  CHECK(pv.residual == doctest::Approx(16.636529834).epsilon(1e-9));
  // O&M of 2 a year: 2 × 14.828208963 = 29.656417925.
  CHECK(pv.om == doctest::Approx(29.656417925).epsilon(1e-9));
  // Total: 100 + 105.857054171 + 29.656417925 - 16.636529834 = 218.876942262.
  CHECK(pv.total == doctest::Approx(218.876942262).epsilon(1e-9));
}

TEST_CASE("no replacement falls at the end of the period, and a long life leaves a residual") {
  // L = 10, T = 20: one replacement at 10; the one due at 20 would be salvaged at once and is left out;
  // the year-10 installation is fully depreciated at 20, so no residual.
  const CostPv twenty = present_value_of_costs(CostItem{100.0, 0.0, 10}, kRate, 20);
  CHECK(twenty.replacements == doctest::Approx(100.0 / kPow10).epsilon(1e-10));
  CHECK(twenty.residual == 0.0);
  // L = 25 = T: no replacement, nothing left.
  const CostPv whole = present_value_of_costs(CostItem{100.0, 0.0, 25}, kRate, 25);
  CHECK(whole.replacements == 0.0);
  CHECK(whole.residual == 0.0);
  CHECK(whole.total == 100.0);
  // L = 30, T = 25: the first installation keeps 5/30 of its value: 100 × (1/6) / 3.005434456537
  // = 5.545509945.
  const CostPv long_life = present_value_of_costs(CostItem{100.0, 0.0, 30}, kRate, 25);
  CHECK(long_life.residual == doctest::Approx(5.545509945).epsilon(1e-9));
  // At a zero rate nothing is discounted: 100 + 100 + 100 (at 10 and 20) + 25 × 2 - 50 = 300.
  CHECK(present_value_of_costs(CostItem{100.0, 2.0, 10}, 0.0, 25).total == doctest::Approx(300.0));
}

TEST_CASE("NPV is the present value of the savings less the present value of the costs") {
  // Savings of 30 a year: 30 × 14.828208963 = 444.846268890; less 218.876942262 = 225.969326628.
  CHECK(npv({CostItem{100.0, 2.0, 10}}, 30.0, kRate, 25) == doctest::Approx(225.969326628).epsilon(1e-9));
  // Two items add their costs: a second item of 50 with no O&M, life 25, costs exactly 50.
  CHECK(npv({CostItem{100.0, 2.0, 10}, CostItem{50.0, 0.0, 25}}, 30.0, kRate, 25) ==
        doctest::Approx(175.969326628).epsilon(1e-9));
  CHECK(npv({}, 0.0, kRate, 25) == 0.0);
}

TEST_CASE("simple payback is investment over yearly net saving, and never without a saving") {
  CHECK(simple_payback_years(100.0, 25.0) == doctest::Approx(4.0));
  CHECK(simple_payback_years(0.0, 25.0) == doctest::Approx(0.0));
  CHECK_FALSE(simple_payback_years(100.0, 0.0).has_value());
  CHECK_FALSE(simple_payback_years(100.0, -5.0).has_value());
}

TEST_CASE("the levelised cost per tonne divides the net present cost by the discounted tonnes") {
  // 218.876942262 net cost (no savings), 2.5 t a year: 218.876942262 / (2.5 × 14.828208963) = 5.904339.
  const auto cost = levelised_cost_krw_per_tco2e(218.876942262, 2.5, kRate, 25);
  REQUIRE(cost.has_value());
  CHECK(*cost == doctest::Approx(5.904339299).epsilon(1e-9));
  // The same as the annualised cost (× CRF) over the yearly tonnes: 218.876942262 × 0.067439028 / 2.5.
  CHECK(*cost == doctest::Approx(218.876942262 * capital_recovery_factor(kRate, 25) / 2.5).epsilon(1e-12));
  // Savings above the costs give a negative cost: -225.969326628 / 37.070522408 = -6.095660701.
  const auto saving =
      levelised_cost_krw_per_tco2e(-npv({CostItem{100.0, 2.0, 10}}, 30.0, kRate, 25), 2.5, kRate, 25);
  REQUIRE(saving.has_value());
  CHECK(*saving == doctest::Approx(-6.095660701).epsilon(1e-9));
  // At a zero rate: tonnes and money add up undiscounted: 300 / (2.5 × 25) = 4.8.
  CHECK(*levelised_cost_krw_per_tco2e(300.0, 2.5, 0.0, 25) == doctest::Approx(4.8));
  CHECK_FALSE(levelised_cost_krw_per_tco2e(100.0, 0.0, kRate, 25).has_value());
  CHECK_FALSE(levelised_cost_krw_per_tco2e(100.0, -1.0, kRate, 25).has_value());
}

TEST_CASE("arguments outside their ranges are refused") {
  CHECK_THROWS_AS((void)annuity_factor(-1.0, 10), Error);
  CHECK_THROWS_AS((void)annuity_factor(kRate, -1), Error);
  CHECK_THROWS_AS((void)capital_recovery_factor(kRate, 0), Error);
  CHECK_THROWS_AS((void)present_value_of_costs(CostItem{100.0, 0.0, 0}, kRate, 25), Error);
  CHECK_THROWS_AS((void)present_value_of_costs(CostItem{-1.0, 0.0, 10}, kRate, 25), Error);
  CHECK_THROWS_AS((void)present_value_of_costs(CostItem{100.0, 0.0, 10}, kRate, 0), Error);
  CHECK_THROWS_AS((void)simple_payback_years(-1.0, 10.0), Error);
  try {
    (void)annuity_factor(-2.0, 10);
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kBadInput);
  }
}
