#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "energy/tariff.hpp"
#include "support/fixtures.hpp"

using namespace sandan;

namespace {

const std::string kHolidaysPath = std::string(SANDAN_GIS_DATA_DIR) + "/calendar/holidays_kr.csv";
const std::string kTariff2024 =
    std::string(SANDAN_GIS_DATA_DIR) + "/tariffs/kepco_industrial_b_hv_a_ii_2024-10-24.yaml";
const std::string kTariff2026 =
    std::string(SANDAN_GIS_DATA_DIR) + "/tariffs/kepco_industrial_b_hv_a_ii_2026-04-16.yaml";

const Calendar& calendar_2026() {
  static const Calendar kCalendar = load_calendar(2026, kHolidaysPath);
  return kCalendar;
}

std::size_t hour_index(const Calendar& calendar, Date date, int hour_of_day) {
  return static_cast<std::size_t>(calendar.first_hour(date) + hour_of_day);
}

std::size_t kind_index(TariffDayKind kind) { return static_cast<std::size_t>(kind); }

// Hours of each period in a day: {light, mid, peak}.
std::array<int, 3> period_hours(const std::array<TouPeriod, 24>& table) {
  std::array<int, 3> counts{};
  for (const auto period : table) ++counts[static_cast<std::size_t>(period)];
  return counts;
}

}  // namespace

TEST_CASE("both shipped KEPCO tariff files load with the figures of FACTS §4") {
  const Tariff old_tariff = read_tariff(kTariff2024);
  const Tariff reform = read_tariff(kTariff2026);
  CHECK(old_tariff.effective_from == "2024-10-24");
  CHECK(reform.effective_from == "2026-04-16");
  for (const Tariff* tariff : {&old_tariff, &reform}) {
    CHECK(tariff->basic_krw_per_kw_month == 8320.0);
    CHECK(tariff->addon_krw_per_kwh == doctest::Approx(9.0 + 5.0));  // climate-environment + fuel-cost
    CHECK(tariff->power_fund_share == doctest::Approx(0.027));
    CHECK(tariff->vat_share == doctest::Approx(0.10));
  }
  CHECK(old_tariff.discounts.empty());
  REQUIRE(reform.discounts.size() == 1);
  CHECK(reform.discounts[0].share == 0.5);
  CHECK(reform.discounts[0].until == Date{2030, 12, 31});
  // FACTS §4, 2024-10-24 table: summer (July) and winter (January) rates, light/mid/peak.
  CHECK(old_tariff.energy_krw_per_kwh[6] == std::array<double, 3>{116.0, 163.8, 229.0});
  CHECK(old_tariff.energy_krw_per_kwh[3] == std::array<double, 3>{116.0, 133.4, 150.9});
  CHECK(old_tariff.energy_krw_per_kwh[0] == std::array<double, 3>{123.0, 164.0, 204.6});
  // The reform: light + 5.1, peak − 16.9 (summer, winter) or − 13.2 (spring/fall), mid unchanged.
  for (std::size_t month = 0; month < 12; ++month) {
    CAPTURE(month);
    const bool spring_fall = (month >= 2 && month <= 4) || month == 8 || month == 9;
    CHECK(reform.energy_krw_per_kwh[month][0] ==
          doctest::Approx(old_tariff.energy_krw_per_kwh[month][0] + 5.1));
    CHECK(reform.energy_krw_per_kwh[month][1] == doctest::Approx(old_tariff.energy_krw_per_kwh[month][1]));
    CHECK(reform.energy_krw_per_kwh[month][2] ==
          doctest::Approx(old_tariff.energy_krw_per_kwh[month][2] - (spring_fall ? 13.2 : 16.9)));
  }
}

TEST_CASE("every hour of every month and day kind has exactly one period, as FACTS §4 counts them") {
  // Weekdays: light 22-08 (10 h), mid 8 h, peak 6 h in every season of both versions; Saturdays: the
  // peak hours billed as mid; Sundays and holidays: light all day.
  for (const auto& path : {kTariff2024, kTariff2026}) {
    CAPTURE(path);
    const Tariff tariff = read_tariff(path);
    for (std::size_t month = 0; month < 12; ++month) {
      CAPTURE(month);
      const auto& tables = tariff.periods[month];
      CHECK(period_hours(tables[kind_index(TariffDayKind::kWeekday)]) == std::array<int, 3>{10, 8, 6});
      CHECK(period_hours(tables[kind_index(TariffDayKind::kSaturday)]) == std::array<int, 3>{10, 14, 0});
      CHECK(period_hours(tables[kind_index(TariffDayKind::kSundayHoliday)]) == std::array<int, 3>{24, 0, 0});
    }
    const auto tou = tou_periods(tariff, calendar_2026());
    REQUIRE(tou.size() == 8760);
    for (const auto period : tou) REQUIRE(period <= 2);
  }
}

TEST_CASE("a July weekday is peak at 229.0 KRW/kWh at 14:00 before the reform and at 16:00 after it") {
  const Calendar& calendar = calendar_2026();
  const Date wednesday{2026, 7, 1};
  REQUIRE(calendar.weekday(calendar.first_hour(wednesday)) == 3);
  const Tariff old_tariff = read_tariff(kTariff2024);
  const Tariff reform = read_tariff(kTariff2026);
  const auto old_periods = tou_periods(old_tariff, calendar);
  const auto old_rates = hourly_energy_rates(old_tariff, calendar);
  const auto new_periods = tou_periods(reform, calendar);
  const auto new_rates = hourly_energy_rates(reform, calendar);

  // FACTS §4: summer peak 11-12 and 13-18 before the reform, at 229.0.
  const std::size_t two_pm = hour_index(calendar, wednesday, 14);
  CHECK(old_periods[two_pm] == static_cast<unsigned char>(TouPeriod::kPeak));
  CHECK(old_rates[two_pm] == doctest::Approx(229.0));
  // After the reform the summer peak is 15-21, at 229.0 − 16.9 = 212.1; 14:00 has become mid (163.8).
  const std::size_t four_pm = hour_index(calendar, wednesday, 16);
  CHECK(new_periods[four_pm] == static_cast<unsigned char>(TouPeriod::kPeak));
  CHECK(new_rates[four_pm] == doctest::Approx(212.1));
  CHECK(new_periods[two_pm] == static_cast<unsigned char>(TouPeriod::kMid));
  CHECK(new_rates[two_pm] == doctest::Approx(163.8));
  // 20:00 was mid and is now peak.
  const std::size_t eight_pm = hour_index(calendar, wednesday, 20);
  CHECK(old_periods[eight_pm] == static_cast<unsigned char>(TouPeriod::kMid));
  CHECK(new_periods[eight_pm] == static_cast<unsigned char>(TouPeriod::kPeak));
}

TEST_CASE("the 2026 reform halves spring/fall weekend and holiday middays and nothing else") {
  const Calendar& calendar = calendar_2026();
  const auto rates = hourly_energy_rates(read_tariff(kTariff2026), calendar);
  // April 2026: Saturday the 4th at noon is mid (133.4) halved; Sunday the 5th light (121.1) halved;
  // 14:00 is outside the 11-14 window; a weekday noon is full mid; a summer Sunday noon is full light.
  CHECK(rates[hour_index(calendar, {2026, 4, 4}, 12)] == doctest::Approx(133.4 / 2));
  CHECK(rates[hour_index(calendar, {2026, 4, 5}, 11)] == doctest::Approx(121.1 / 2));
  CHECK(rates[hour_index(calendar, {2026, 4, 5}, 13)] == doctest::Approx(121.1 / 2));
  CHECK(rates[hour_index(calendar, {2026, 4, 5}, 14)] == doctest::Approx(121.1));
  CHECK(rates[hour_index(calendar, {2026, 4, 6}, 12)] == doctest::Approx(133.4));
  CHECK(rates[hour_index(calendar, {2026, 7, 5}, 12)] == doctest::Approx(121.1));
  // Chuseok (2026-09-25, a Friday public holiday) is a holiday in fall: halved light.
  CHECK(rates[hour_index(calendar, {2026, 9, 25}, 12)] == doctest::Approx(121.1 / 2));
}

TEST_CASE(
    "public holidays are light all day, while factory shutdowns and Labour Day are billed as weekdays") {
  // KEPCO bills by the calendar, not by the plant: a summer shutdown Monday keeps its peak hours.
  const Calendar& calendar = calendar_2026();
  const auto periods = tou_periods(read_tariff(kTariff2026), calendar);
  REQUIRE(calendar.day_type(Date{2026, 7, 27}) == DayType::kShutdown);
  CHECK(periods[hour_index(calendar, {2026, 7, 27}, 16)] == static_cast<unsigned char>(TouPeriod::kPeak));
  REQUIRE(calendar.day_type(Date{2026, 5, 1}) == DayType::kHoliday);  // Labour Day, a factory day off
  CHECK(periods[hour_index(calendar, {2026, 5, 1}, 16)] == static_cast<unsigned char>(TouPeriod::kPeak));
  // Constitution Day, Friday 2026-07-17, is a public holiday.
  CHECK(periods[hour_index(calendar, {2026, 7, 17}, 16)] == static_cast<unsigned char>(TouPeriod::kLight));
}

TEST_CASE("the bill of a flat 100 kW load matches a hand calculation") {
  const Calendar& calendar = calendar_2026();
  const std::vector<float> flat(8760, 100.0F);

  SUBCASE("July 2026 under the 2024-10-24 tariff") {
    // July 2026 has 31 days: 4 Saturdays, 4 Sundays, the public holiday of Friday 17 July, so 22
    // weekdays (the shutdown week 27-31 July is billed as weekdays). 100 kW for 744 h = 74,400 kWh.
    //   weekday:   10 h light · 116.0 + 8 h mid · 163.8 + 6 h peak · 229.0, × 100 kW = 384,440 KRW
    //   Saturday:  10 h light · 116.0 + 14 h mid · 163.8, × 100 kW              = 345,320 KRW
    //   Sunday:    24 h light · 116.0, × 100 kW                                  = 278,400 KRW
    //   energy  = 22 · 384,440 + 4 · 345,320 + 5 · 278,400 = 11,230,960 KRW
    //   basic   = 100 kW (flat all year, so billing demand is 100) · 8,320      =    832,000 KRW
    //   add-ons = 74,400 kWh · (9 + 5)                                          =  1,041,600 KRW
    //   charge  = 13,104,560; power fund 2.7 % = 353,823.12; VAT 10 % = 1,310,456
    //   total   = 14,768,839.12 KRW
    const auto bills = monthly_bills(read_tariff(kTariff2024), calendar, flat);
    REQUIRE(bills.size() == 12);
    const MonthlyBill& july = bills[6];
    CHECK(july.month == 7);
    CHECK(july.energy_kwh == doctest::Approx(74400.0));
    CHECK(july.peak_kw == doctest::Approx(100.0));
    CHECK(july.billing_demand_kw == doctest::Approx(100.0));
    CHECK(july.energy_krw == doctest::Approx(11230960.0));
    CHECK(july.basic_krw == doctest::Approx(832000.0));
    CHECK(july.addons_krw == doctest::Approx(1041600.0));
    CHECK(july.power_fund_krw == doctest::Approx(353823.12));
    CHECK(july.vat_krw == doctest::Approx(1310456.0));
    CHECK(july.total_krw == doctest::Approx(14768839.12));
  }

  SUBCASE("April 2026 under the 2026-04-16 tariff, weekend midday discount included") {
    // April 2026 has 30 days: 4 Saturdays, 4 Sundays, no public holiday, 22 weekdays; 72,000 kWh.
    // Spring/fall rates after the reform: light 121.1, mid 133.4, peak 137.7.
    //   weekday:   10 · 121.1 + 8 · 133.4 + 6 · 137.7, × 100         = 310,440 KRW
    //   Saturday:  10 · 121.1 + 14 · 133.4 − 3 h (11-14, mid) · 133.4 · 0.5, × 100
    //            = 121,100 + 186,760 − 20,010                        = 287,850 KRW
    //   Sunday:    24 · 121.1 − 3 h · 121.1 · 0.5, × 100 = 290,640 − 18,165 = 272,475 KRW
    //   energy  = 22 · 310,440 + 4 · 287,850 + 4 · 272,475 = 9,070,980 KRW
    //   charge  = 9,070,980 + 832,000 + 72,000 · 14 (1,008,000) = 10,910,980 KRW
    //   total   = 10,910,980 · (1 + 0.027 + 0.10) = 12,296,674.46 KRW
    const auto bills = monthly_bills(read_tariff(kTariff2026), calendar, flat);
    const MonthlyBill& april = bills[3];
    CHECK(april.energy_kwh == doctest::Approx(72000.0));
    CHECK(april.energy_krw == doctest::Approx(9070980.0));
    CHECK(april.total_krw == doctest::Approx(12296674.46));
  }
}

TEST_CASE("billing demand carries the winter and summer peaks to every month, with a contract floor") {
  // Flat 100 kW with one hour of 200 kW on 15 January and one of 300 kW on 10 May. Billing demand is
  // the highest of the month's own peak and the Dec-Feb and Jul-Sep peaks of the twelve months up to
  // it: January's 200 kW reaches every month (the year repeats), May's 300 kW only May.
  const Calendar& calendar = calendar_2026();
  std::vector<float> load(8760, 100.0F);
  load[hour_index(calendar, {2026, 1, 15}, 10)] = 200.0F;
  load[hour_index(calendar, {2026, 5, 10}, 10)] = 300.0F;
  const Tariff tariff = read_tariff(kTariff2024);
  const auto bills = monthly_bills(tariff, calendar, load);
  for (std::size_t month = 0; month < 12; ++month) {
    CAPTURE(month);
    CHECK(bills[month].billing_demand_kw == doctest::Approx(month == 4 ? 300.0 : 200.0));
    CHECK(bills[month].basic_krw == doctest::Approx(bills[month].billing_demand_kw * 8320.0));
  }
  CHECK(bills[0].peak_kw == doctest::Approx(200.0));
  CHECK(bills[5].peak_kw == doctest::Approx(100.0));
  // A contract of 1,000 kW sets a floor of 30 %: 300 kW.
  const auto floored = monthly_bills(tariff, calendar, load, 1000.0);
  for (const auto& bill : floored) CHECK(bill.billing_demand_kw == doctest::Approx(300.0));
}

TEST_CASE("an import series that is not one calendar year long is refused") {
  const std::vector<float> short_series(100, 1.0F);
  CHECK_THROWS_AS((void)monthly_bills(read_tariff(kTariff2024), calendar_2026(), short_series), Error);
}

TEST_CASE(
    "a bad tariff file reports overlaps, missing hours and months, unknown keys and negative rates at once") {
  const test::TempDir dir("tariff_bad");
  const auto path = dir.path() / "bad.yaml";
  test::write_text(path,
                   "schema: sandan-tariff\n"                                                             // 1
                   "version: 1\n"                                                                        // 2
                   "name: broken\n"                                                                      // 3
                   "effective_from: 2026-01-01\n"                                                        // 4
                   "basic_charge_krw_per_kw_month: {value: 8320, source: s, confidence: secondary}\n"    // 5
                   "colour: blue\n"                                                                      // 6
                   "seasons:\n"                                                                          // 7
                   "  all_year:\n"                                                                       // 8
                   "    months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n"                                   // 9
                   "    source: s\n"                                                                     // 10
                   "    confidence: estimate\n"                                                          // 11
                   "    energy_krw_per_kwh:\n"                                                           // 12
                   "      light: {value: -116.0, source: s, confidence: secondary}\n"                    // 13
                   "      mid: {value: 163.8, source: s, confidence: secondary}\n"                       // 14
                   "      peak: {value: 229.0, source: s, confidence: secondary}\n"                      // 15
                   "    periods:\n"                                                                      // 16
                   "      weekday:\n"                                                                    // 17
                   "        light: [\"22-08\"]\n"                                                        // 18
                   "        mid: [\"08-12\", \"12-13\", \"18-22\"]\n"                                    // 19
                   "        peak: [\"11-12\", \"13-18\"]\n"                                              // 20
                   "        source: s\n"                                                                 // 21
                   "        confidence: verified\n"                                                      // 22
                   "      saturday:\n"                                                                   // 23
                   "        light: [\"22-08\"]\n"                                                        // 24
                   "        mid: [\"08-12\", \"13-22\"]\n"                                               // 25
                   "        source: s\n"                                                                 // 26
                   "        confidence: estimate\n"                                                      // 27
                   "      sunday_holiday:\n"                                                             // 28
                   "        light: [\"00-24\"]\n"                                                        // 29
                   "        source: s\n"                                                                 // 30
                   "        confidence: estimate\n"                                                      // 31
                   "addons:\n"                                                                           // 32
                   "  climate_environment_krw_per_kwh: {value: 9, source: s, confidence: secondary}\n"   // 33
                   "  fuel_cost_adjustment_krw_per_kwh: {value: 5, source: s, confidence: secondary}\n"  // 34
                   "  power_fund_share: {value: 0.027, source: s, confidence: estimate}\n"               // 35
                   "  vat_share: {value: 0.1, source: s, confidence: verified}\n");                      // 36
  try {
    (void)read_tariff(path.string());
    FAIL("a bad tariff file was accepted");
  } catch (const ConfigError& error) {
    const auto& problems = error.problems();
    REQUIRE(problems.size() == 5);
    const std::string prefix = path.string() + ":";
    CHECK(problems[0].find(prefix + "6: colour: unknown key") == 0);
    CHECK(problems[1].find(prefix + "13: seasons.all_year.energy_krw_per_kwh.light.value: must be >= 0") ==
          0);
    CHECK(problems[2].find(
              prefix +
              "20: seasons.all_year.periods.weekday.peak[0]: hours 11-12 are already mid (line 19)") == 0);
    CHECK(problems[3].find(prefix + "23: seasons.all_year.periods.saturday: hours 12-13 are in no period") ==
          0);
    CHECK(problems[4].find(prefix + "7: seasons: month 12 is in no season") == 0);
    CHECK(error.code() == ErrorCode::kBadInput);
  }
}

TEST_CASE("a month in two seasons and a malformed hour range are reported with their lines") {
  const test::TempDir dir("tariff_months");
  const auto path = dir.path() / "bad.yaml";
  const std::string season_body =
      "    source: s\n"
      "    confidence: estimate\n"
      "    energy_krw_per_kwh:\n"
      "      light: {value: 1, source: s, confidence: estimate}\n"
      "      mid: {value: 2, source: s, confidence: estimate}\n"
      "      peak: {value: 3, source: s, confidence: estimate}\n"
      "    periods:\n"
      "      weekday: {light: [\"00-24\"], source: s, confidence: estimate}\n"
      "      saturday: {light: [\"00-24\"], source: s, confidence: estimate}\n"
      "      sunday_holiday: {light: [\"00-25\"], source: s, confidence: estimate}\n";
  test::write_text(path,
                   "schema: sandan-tariff\n"                                                           // 1
                   "version: 1\n"                                                                      // 2
                   "name: broken\n"                                                                    // 3
                   "effective_from: 2026-01-01\n"                                                      // 4
                   "basic_charge_krw_per_kw_month: {value: 8320, source: s, confidence: secondary}\n"  // 5
                   "seasons:\n"                                                                        // 6
                   "  a:\n"                                                                            // 7
                   "    months: [1, 2, 3, 4, 5, 6]\n" +                                                // 8
                       season_body +                                                                   // 9-18
                       "  b:\n"                                                                        // 19
                       "    months: [6, 7, 8, 9, 10, 11, 12]\n" +                                      // 20
                       season_body +  // 21-30
                       "addons:\n"
                       "  climate_environment_krw_per_kwh: {value: 9, source: s, confidence: secondary}\n"
                       "  fuel_cost_adjustment_krw_per_kwh: {value: 5, source: s, confidence: secondary}\n"
                       "  power_fund_share: {value: 0.027, source: s, confidence: estimate}\n"
                       "  vat_share: {value: 0.1, source: s, confidence: verified}\n");
  try {
    (void)read_tariff(path.string());
    FAIL("a bad tariff file was accepted");
  } catch (const ConfigError& error) {
    const auto& problems = error.problems();
    REQUIRE(problems.size() == 3);
    const std::string prefix = path.string() + ":";
    CHECK(problems[0].find(prefix + "18: seasons.a.periods.sunday_holiday.light[0]: must be hours") == 0);
    CHECK(problems[1].find(prefix + "30: seasons.b.periods.sunday_holiday.light[0]: must be hours") == 0);
    CHECK(problems[2].find(prefix + "20: seasons.b.months[0]: month 6 is already in season a") == 0);
  }
}
