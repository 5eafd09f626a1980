// energy/tariff: KEPCO time-of-use tariffs as versioned data files (gis_data/tariffs/*.yaml, schema in
// gis_data/tariffs/README.md) and the monthly bills they give: a basic charge on billing demand and
// energy charges by season and period, add-ons per kWh, the power fund and VAT.
//
// Periods follow KEPCO's billing calendar, not the factory's: Sundays and public holidays are one day
// kind and Saturdays another, while factory days off (Labour Day) and shutdowns are billed as the
// weekday they fall on, as KEPCO's meters know nothing of a plant's holidays.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "energy/battery.hpp"

namespace sandan {

enum class TouPeriod : unsigned char { kLight = 0, kMid = 1, kPeak = 2 };

// The kinds of day of a tariff's period tables, in the order of Tariff::periods.
enum class TariffDayKind : unsigned char { kWeekday = 0, kSaturday = 1, kSundayHoliday = 2 };

// A share taken off the energy charge in some hours (the 2026 reform's spring/fall weekend midday
// discount, for instance); several discounts on one hour multiply: (1 − a)(1 − b).
struct TariffDiscount {
  std::string name;
  std::array<bool, 12> months{};    // index 0 = January
  std::array<bool, 3> day_kinds{};  // by TariffDayKind
  std::array<bool, 24> hours{};     // hour of day, local time
  double share = 0.0;               // 0.5 halves the energy charge
  Date until{9999, 12, 31};         // last day it applies
};

struct Tariff {
  std::string name;            // e.g. "KEPCO industrial (B) high-voltage A option II"
  std::string effective_from;  // "2024-10-24"
  double basic_krw_per_kw_month = 0.0;
  // For each month (index 0 = January): the season's energy rates, KRW/kWh, by period.
  std::array<std::array<double, 3>, 12> energy_krw_per_kwh{};
  // For each month and kind of day (by TariffDayKind: weekday, Saturday, Sunday or public holiday): the
  // period of each hour of day.
  std::array<std::array<std::array<TouPeriod, 24>, 3>, 12> periods{};
  std::vector<TariffDiscount> discounts;
  // Extra charges per kWh (climate-environment plus fuel-cost adjustment) and shares on the bill
  // (power fund, VAT), configurable in the file.
  double addon_krw_per_kwh = 0.0;
  double power_fund_share = 0.0;
  double vat_share = 0.0;
};

// Reads a tariff file. Every hour of every season and day kind must fall in exactly one period:
// overlapping or missing hours are errors naming file, line and the hours concerned; so are unknown keys,
// wrong types, negative rates and months not covered exactly once by the seasons. Throws ConfigError
// with every problem, each "file:line: key.path: message".
[[nodiscard]] Tariff read_tariff(const std::string& path);

// The tariff day kind of each day of the calendar (index 0 = 1 January).
[[nodiscard]] std::vector<TariffDayKind> tariff_day_kinds(const Calendar& calendar);

// The period of each hour of the calendar.
[[nodiscard]] TouPeriods tou_periods(const Tariff& tariff, const Calendar& calendar);

// The energy rate of each hour of the calendar, KRW/kWh, discounts applied, add-ons not included.
[[nodiscard]] std::vector<double> hourly_energy_rates(const Tariff& tariff, const Calendar& calendar);

struct MonthlyBill {
  int month = 1;
  double energy_kwh = 0.0;
  double peak_kw = 0.0;
  double billing_demand_kw = 0.0;
  double basic_krw = 0.0;
  double energy_krw = 0.0;
  double addons_krw = 0.0;      // climate-environment and fuel-cost adjustment
  double power_fund_krw = 0.0;  // power fund share of basic + energy + add-ons
  double vat_krw = 0.0;         // VAT share of basic + energy + add-ons
  double total_krw = 0.0;       // incl. power fund and VAT
};

// Monthly bills of an hourly import series (kW, hour means; negative values count as 0: nothing is
// credited for export). Billing demand (요금적용전력) is the highest of the month's peak and the peaks of
// the months of the heating and cooling seasons (Dec–Feb, Jul–Sep) in the twelve months up to it; with
// one simulated year the year is taken as repeating. contract_kw > 0 sets KEPCO's floor of 30 % of
// contract demand; 0 disables the floor. Peaks are of hour means, while KEPCO meters 15-minute demand,
// so billed peaks of a spiky load are underestimated. Amounts are not rounded to KEPCO's won units.
// Throws Error (kBadInput) if import_kw does not have calendar.hours() values.
[[nodiscard]] std::vector<MonthlyBill> monthly_bills(const Tariff& tariff, const Calendar& calendar,
                                                     std::span<const float> import_kw,
                                                     double contract_kw = 0.0);

// The same with the hourly energy rates already computed (hourly_energy_rates), for loops over many
// meters. Preconditions, not checked: import_kw and hourly_rates have calendar.hours() values. Does
// not throw.
[[nodiscard]] std::vector<MonthlyBill> monthly_bills(const Tariff& tariff, const Calendar& calendar,
                                                     std::span<const float> import_kw,
                                                     std::span<const double> hourly_rates,
                                                     double contract_kw = 0.0);

}  // namespace sandan
