#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "core/kinds.hpp"
#include "economics/prices.hpp"
#include "support/fixtures.hpp"

using namespace sandan;

namespace {

const std::string kFuelPricesPath = SANDAN_GIS_DATA_DIR "/prices/fuel_prices.yaml";
const std::string kPvExportPath = SANDAN_GIS_DATA_DIR "/prices/pv_export.yaml";

// The four fuels of a period, all valid, one a line.
const std::string kFuels =
    "    lng: {krw_per_mwh: {value: 83274, source: s, confidence: secondary}}\n"
    "    lpg: {krw_per_mwh: {value: 92219, source: s, confidence: estimate}}\n"
    "    diesel: {krw_per_mwh: {value: 143661, source: s, confidence: secondary}}\n"
    "    fuel_oil: {krw_per_mwh: {value: 77835, source: s, confidence: estimate}}\n";

const std::string kFuelHeader =
    "schema: sandan-fuel-prices\n"
    "version: 1\n"
    "periods:\n";

// The problems of a file that must be refused.
std::vector<std::string> problems_of(const std::string& text, bool pv) {
  const test::TempDir dir(pv ? "pv_export_bad" : "fuel_prices_bad");
  const auto path = dir.path() / "bad.yaml";
  test::write_text(path, text);
  try {
    if (pv) {
      (void)read_pv_export(path.string());
    } else {
      (void)read_fuel_prices(path.string());
    }
  } catch (const ConfigError& error) {
    CHECK(error.code() == ErrorCode::kBadInput);
    std::vector<std::string> problems;
    // Drop the folder, which changes from run to run: "bad.yaml:LINE: …".
    for (const auto& problem : error.problems()) problems.push_back(problem.substr(problem.find("bad.yaml")));
    return problems;
  }
  FAIL("a bad file was accepted");
  return {};
}

}  // namespace

TEST_CASE("the shipped fuel prices load: two periods, KRW/MWh on a net calorific value basis") {
  const FuelPrices prices = read_fuel_prices(kFuelPricesPath);
  REQUIRE(prices.periods.size() == 2);
  CHECK(prices.periods[0].from == Date{2025, 1, 1});
  CHECK(prices.periods[0].until == Date{2025, 12, 31});
  CHECK(prices.periods[1].from == Date{2026, 1, 1});
  // LNG: (19.5338 + 1.3278) KRW/MJ(GCV) × 10,190 / 9,190 × 3,600 = 83,274 KRW/MWh (README).
  CHECK(fuel_krw_per_mwh(prices, Fuel::kLng, 2025) == 83274.0);
  CHECK(fuel_krw_per_mwh(prices, Fuel::kLpg, 2025) == 92219.0);
  CHECK(fuel_krw_per_mwh(prices, Fuel::kDiesel, 2025) == 143661.0);
  CHECK(fuel_krw_per_mwh(prices, Fuel::kFuelOil, 2025) == 77835.0);
  CHECK(fuel_krw_per_mwh(prices, Fuel::kLpg, 2026) == 84595.0);
  CHECK(fuel_krw_per_mwh(prices, Fuel::kNone, 2025) == 0.0);
  // Diesel costs more a MWh than LNG, which costs more than B-C fuel oil, in every period.
  for (const auto& period : prices.periods) {
    CHECK(period.krw_per_mwh[index_of(Fuel::kDiesel)] > period.krw_per_mwh[index_of(Fuel::kLng)]);
    CHECK(period.krw_per_mwh[index_of(Fuel::kLng)] > period.krw_per_mwh[index_of(Fuel::kFuelOil)]);
  }
}

TEST_CASE("years after the last period take it and say so; years before the first take the first") {
  const FuelPrices prices = read_fuel_prices(kFuelPricesPath);
  bool extrapolated = true;
  CHECK(fuel_krw_per_mwh(prices, Fuel::kDiesel, 2026, &extrapolated) == 142577.0);
  CHECK_FALSE(extrapolated);
  CHECK(fuel_krw_per_mwh(prices, Fuel::kDiesel, 2035, &extrapolated) == 142577.0);
  CHECK(extrapolated);
  const FuelPriceLookup later = fuel_price(prices, Fuel::kLng, 2035);
  CHECK(later.choice.beyond_last_period);
  CHECK_FALSE(later.choice.before_first_period);
  CHECK(later.choice.period == 1);
  const FuelPriceLookup earlier = fuel_price(prices, Fuel::kDiesel, 2020);
  CHECK(earlier.choice.before_first_period);
  CHECK(earlier.choice.period == 0);
  CHECK(earlier.krw_per_mwh == 143661.0);
}

TEST_CASE("a year is priced by the period holding 2 July, its midpoint") {
  const test::TempDir dir("fuel_prices_midpoint");
  const auto path = dir.path() / "split.yaml";
  // Two halves of 2025 that meet between 1 and 2 July, listed out of date order.
  test::write_text(path, kFuelHeader +
                             "  - from: 2025-07-02\n"
                             "    until: 2025-12-31\n" +
                             kFuels +
                             "  - from: 2025-01-01\n"
                             "    until: 2025-07-01\n"
                             "    lng: {krw_per_mwh: {value: 1, source: s, confidence: estimate}}\n"
                             "    lpg: {krw_per_mwh: {value: 2, source: s, confidence: estimate}}\n"
                             "    diesel: {krw_per_mwh: {value: 3, source: s, confidence: estimate}}\n"
                             "    fuel_oil: {krw_per_mwh: {value: 4, source: s, confidence: estimate}}\n");
  const FuelPrices prices = read_fuel_prices(path.string());
  REQUIRE(prices.periods.size() == 2);
  CHECK(prices.periods[0].from == Date{2025, 1, 1});  // sorted by date
  // 2025 is common: its midpoint is 182.5 days after 1 January 00:00, 2 July 12:00.
  CHECK(fuel_krw_per_mwh(prices, Fuel::kLng, 2025) == 83274.0);
  CHECK_FALSE(choose_period(prices.periods, 2025).extrapolated());
}

TEST_CASE("the shipped PV export file: net metering up to 1,000 kW, SMP + REC above") {
  const PvExportPrices prices = read_pv_export(kPvExportPath);
  CHECK(prices.rule == PvExportRule::kNetMetering);
  CHECK(prices.net_metering_limit_kw == 1000.0);
  REQUIRE(prices.periods.size() == 2);
  CHECK(pv_export_rule(prices, 500.0) == PvExportRule::kNetMetering);
  CHECK(pv_export_rule(prices, 1000.0) == PvExportRule::kNetMetering);
  CHECK(pv_export_rule(prices, 2500.0) == PvExportRule::kSmpRec);
  // 500 kW under net metering: a surplus left after netting earns SMP only, 115 KRW/kWh in 2025.
  const PvExportLookup small = pv_export(prices, 500.0, 2025);
  CHECK(small.smp_krw_per_kwh == 115.0);
  CHECK(small.rec_krw_per_kwh == doctest::Approx(72.0));  // 72,000 KRW/REC × 1.0 / 1,000 kWh
  CHECK(small.cash_krw_per_kwh == 115.0);
  // 2,500 kW sells at SMP + REC: 115 + 72 = 187 KRW/kWh in 2025, 108 + 72 = 180 in 2026.
  CHECK(pv_export_krw_per_kwh(prices, 2500.0, 2025) == doctest::Approx(187.0));
  bool extrapolated = true;
  CHECK(pv_export_krw_per_kwh(prices, 2500.0, 2026, &extrapolated) == doctest::Approx(180.0));
  CHECK_FALSE(extrapolated);
  CHECK(pv_export_krw_per_kwh(prices, 2500.0, 2040, &extrapolated) == doctest::Approx(180.0));
  CHECK(extrapolated);
  CHECK(std::string(to_string(PvExportRule::kSmpRec)) == "smp_rec");
}

TEST_CASE("a bad fuel prices file reports unknown and missing keys, bad values and dates at once") {
  const auto problems = problems_of(
      "schema: sandan-fuel-prices\n"                                                    // 1
      "version: 1\n"                                                                    // 2
      "currency: KRW\n"                                                                 // 3
      "periods:\n"                                                                      // 4
      "  - from: 2025-01-01\n"                                                          // 5
      "    until: 2025-12-31\n"                                                         // 6
      "    lng: {krw_per_mwh: {value: -5, source: s, confidence: secondary}}\n"         // 7
      "    lpg: {krw_per_mwh: {value: .nan, source: s, confidence: estimate}}\n"        // 8
      "    diesel: {krw_per_mwh: {value: 143661, source: s, confidence: secondary}}\n"  // 9
      "    colour: blue\n"                                                              // 10
      "  - from: 2026-13-01\n"                                                          // 11
      "    until: 2026-12-31\n" +                                                       // 12
          kFuels +                                                                      // 13-16
          "  - from: 2028-01-01\n"                                                      // 17
          "    until: 2027-12-31\n" +                                                   // 18
          kFuels,                                                                       // 19-22
      false);
  REQUIRE(problems.size() == 7);
  CHECK(problems[0].find("bad.yaml:3: currency: unknown key") == 0);
  CHECK(problems[1].find("bad.yaml:10: periods[0].colour: unknown key") == 0);
  CHECK(problems[2].find("bad.yaml:5: periods[0].fuel_oil: missing") == 0);
  CHECK(problems[3].find("bad.yaml:7: periods[0].lng.krw_per_mwh.value: must be >= 0, got -5") == 0);
  CHECK(problems[4].find("bad.yaml:8: periods[0].lpg.krw_per_mwh.value: must be a number") == 0);
  CHECK(problems[5].find("bad.yaml:11: periods[1].from: must be a date YYYY-MM-DD, got '2026-13-01'") == 0);
  CHECK(problems[6].find("bad.yaml:17: periods[2].from: from 2028-01-01 is after until 2027-12-31") == 0);
}

TEST_CASE("periods that overlap or leave days uncovered are reported with both lines") {
  const auto problems = problems_of(kFuelHeader +                    // 1-3
                                        "  - from: 2025-01-01\n"     // 4
                                        "    until: 2025-06-30\n" +  // 5
                                        kFuels +                     // 6-9
                                        "  - from: 2025-06-01\n"     // 10
                                        "    until: 2025-12-31\n" +  // 11
                                        kFuels +                     // 12-15
                                        "  - from: 2026-02-01\n"     // 16
                                        "    until: 2026-12-31\n" +  // 17
                                        kFuels,                      // 18-21
                                    false);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] ==
        "bad.yaml:10: periods[1].from: 2025-06-01 to 2025-12-31 overlaps periods[0] (line 4, 2025-01-01 to "
        "2025-06-30): periods must not overlap");
  CHECK(problems[1] ==
        "bad.yaml:16: periods[2].from: the days 2026-01-01 to 2026-01-31 after periods[1] (line 10, "
        "2025-06-01 to 2025-12-31) are in no period: periods must follow each other without gaps");
}

TEST_CASE("an empty period list and a missing one are refused") {
  CHECK(problems_of("schema: sandan-fuel-prices\nversion: 1\nperiods: []\n", false)
            .at(0)
            .find("bad.yaml:3: periods: must be a non-empty list of periods") == 0);
  CHECK(problems_of("schema: sandan-fuel-prices\nversion: 1\n", false)
            .at(0)
            .find("bad.yaml:1: periods: missing") == 0);
}

TEST_CASE("a bad PV export file reports its rule, values, confidence and a gap at once") {
  const auto problems = problems_of(
      "schema: sandan-pv-export\n"                                                 // 1
      "version: 2\n"                                                               // 2
      "rule:\n"                                                                    // 3
      "  kind: feed_in\n"                                                          // 4
      "  source: s\n"                                                              // 5
      "  confidence: secondary\n"                                                  // 6
      "  net_metering_limit_kw: {value: 1000, source: s, confidence: verified}\n"  // 7
      "periods:\n"                                                                 // 8
      "  - from: 2025-01-01\n"                                                     // 9
      "    until: 2025-12-31\n"                                                    // 10
      "    smp_krw_per_kwh: {value: -115, source: s, confidence: estimate}\n"      // 11
      "    rec_krw_per_rec: {value: 72000, source: s, confidence: secondary}\n"    // 12
      "    rec_weight: {value: 12, source: s, confidence: secondary}\n"            // 13
      "  - from: 2026-03-01\n"                                                     // 14
      "    until: 2026-12-31\n"                                                    // 15
      "    smp_krw_per_kwh: {value: 108, source: s, confidence: sure}\n"           // 16
      "    rec_krw_per_rec: {value: 72000, source: s, confidence: estimate}\n"     // 17
      "    rec_weight: {value: 1.0, source: s, confidence: secondary}\n",          // 18
      true);
  REQUIRE(problems.size() == 6);
  CHECK(problems[0].find("bad.yaml:2: version: must be 1, got 2") == 0);
  CHECK(problems[1].find("bad.yaml:4: rule.kind: must be net_metering or smp_rec, got 'feed_in'") == 0);
  CHECK(problems[2].find("bad.yaml:11: periods[0].smp_krw_per_kwh.value: must be >= 0, got -115") == 0);
  CHECK(problems[3].find("bad.yaml:13: periods[0].rec_weight.value: must be in [0, 10], got 12") == 0);
  CHECK(problems[4].find(
            "bad.yaml:16: periods[1].smp_krw_per_kwh.confidence: must be verified, secondary or estimate") ==
        0);
  CHECK(problems[5].find(
            "bad.yaml:14: periods[1].from: the days 2026-01-01 to 2026-02-28 after periods[0]") == 0);
}
