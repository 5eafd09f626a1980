// energy/tariff: reading tariff files (schema in gis_data/tariffs/README.md) and billing an import
// series. Every problem of a file is collected with file, line and key path and thrown at once.
#include "energy/tariff.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml_check.hpp"
#include "core/error.hpp"

namespace sandan {
namespace {

constexpr const char* kSchema = "sandan-tariff";
constexpr int kVersion = 1;
constexpr std::array<const char*, 3> kPeriodNames{"light", "mid", "peak"};
constexpr std::array<const char*, 3> kDayKindNames{"weekday", "saturday", "sunday_holiday"};
// KEPCO's floor of billing demand: 30 % of contract demand (기본공급약관, 요금적용전력).
constexpr double kContractFloorShare = 0.3;

using config::as_number_in;
using config::as_text;
using config::as_whole;
using config::describe;
using config::format_number;
using config::indexed;
using config::MapView;
using config::Problems;
using config::read_confidence;
using config::read_text;

// {value, source, confidence}: a figure and where it comes from; value must lie in [lo, hi].
std::optional<double> read_sourced(const MapView& parent, const std::string& key, double lo, double hi,
                                   Problems& problems) {
  const auto node = parent.get(key);
  if (!node) return std::nullopt;
  const MapView map(*node, parent.path(key), problems, {"value", "source", "confidence"});
  if (!map.ok()) return std::nullopt;
  (void)read_text(map, "source", problems);
  read_confidence(map, problems);
  const auto value_node = map.get("value");
  if (!value_node) return std::nullopt;
  return as_number_in(*value_node, map.path("value"), lo, hi, problems);
}

// "HH-HH": the hours from the first up to (not including) the second, local time; "22-08" runs past
// midnight and "00-24" is the whole day.
std::optional<std::array<bool, 24>> as_hours(const YAML::Node& node, const std::string& path,
                                             Problems& problems) {
  const auto text = as_text(node, path, problems);
  if (!text) return std::nullopt;
  const auto dash = text->find('-');
  const auto number = [&](std::size_t first, std::size_t last) -> std::optional<int> {
    if (last <= first || last - first > 2) return std::nullopt;
    int value = 0;
    for (std::size_t i = first; i < last; ++i) {
      const char c = (*text)[i];
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    return value;
  };
  const auto start = dash == std::string::npos ? std::nullopt : number(0, dash);
  const auto end = dash == std::string::npos ? std::nullopt : number(dash + 1, text->size());
  if (!start || !end || *start > 23 || *end > 24 || *end == 0 || *start == *end) {
    problems.add(node, path,
                 "must be hours \"HH-HH\" (start 00-23, end 01-24, not equal), got '" + *text + "'");
    return std::nullopt;
  }
  std::array<bool, 24> hours{};
  const int count = *end > *start ? *end - *start : *end + 24 - *start;
  for (int k = 0; k < count; ++k) hours[static_cast<std::size_t>((*start + k) % 24)] = true;
  return hours;
}

// "11-12, 13-18": the hours of a set as ranges, for messages.
std::string describe_hours(const std::array<bool, 24>& hours) {
  std::string text;
  for (int hour = 0; hour < 24;) {
    if (!hours[static_cast<std::size_t>(hour)]) {
      ++hour;
      continue;
    }
    int end = hour;
    while (end < 24 && hours[static_cast<std::size_t>(end)]) ++end;
    char range[16];
    std::snprintf(range, sizeof range, "%02d-%02d", hour, end);
    text += (text.empty() ? "" : ", ") + std::string(range);
    hour = end;
  }
  return text;
}

// A list of "HH-HH" texts: the union of their hours.
std::optional<std::array<bool, 24>> read_hour_list(const YAML::Node& node, const std::string& path,
                                                   Problems& problems) {
  if (!node.IsSequence() || node.size() == 0) {
    problems.add(node, path, "must be a non-empty list of hours \"HH-HH\", got " + describe(node));
    return std::nullopt;
  }
  std::array<bool, 24> all{};
  bool ok = true;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto hours = as_hours(node[i], indexed(path, i), problems);
    if (!hours) {
      ok = false;
      continue;
    }
    for (std::size_t hour = 0; hour < 24; ++hour) all[hour] = all[hour] || (*hours)[hour];
  }
  if (!ok) return std::nullopt;
  return all;
}

using DayTable = std::array<TouPeriod, 24>;

// One day kind's table: {light: [hours…], mid: […], peak: […], source, confidence}. Each hour of the day
// must be in exactly one period.
std::optional<DayTable> read_day_table(const MapView& parent, const std::string& key, Problems& problems) {
  const auto node = parent.get(key);
  if (!node) return std::nullopt;
  const MapView map(*node, parent.path(key), problems, {"source", "confidence"}, {"light", "mid", "peak"});
  if (!map.ok()) return std::nullopt;
  (void)read_text(map, "source", problems);
  read_confidence(map, problems);
  DayTable table{};
  std::array<bool, 24> assigned{};
  std::array<int, 24> assigned_line{};
  bool unreadable = false;  // a range that does not parse leaves its hours unknown
  bool overlap = false;
  for (std::size_t period = 0; period < kPeriodNames.size(); ++period) {
    const auto list = map.get(kPeriodNames[period]);
    if (!list) continue;
    const std::string path = map.path(kPeriodNames[period]);
    if (!list->IsSequence() || list->size() == 0) {
      problems.add(*list, path, "must be a non-empty list of hours \"HH-HH\", got " + describe(*list));
      unreadable = true;
      continue;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const YAML::Node range = (*list)[i];
      const auto hours = as_hours(range, indexed(path, i), problems);
      if (!hours) {
        unreadable = true;
        continue;
      }
      // Overlaps are reported once per earlier (period, line), so a user sees which two ranges collide.
      std::map<std::pair<std::size_t, int>, std::array<bool, 24>> clashes;
      for (std::size_t hour = 0; hour < 24; ++hour) {
        if (!(*hours)[hour]) continue;
        if (assigned[hour]) {
          clashes[{static_cast<std::size_t>(table[hour]), assigned_line[hour]}][hour] = true;
          continue;
        }
        assigned[hour] = true;
        assigned_line[hour] = range.Mark().line + 1;
        table[hour] = static_cast<TouPeriod>(period);
      }
      for (const auto& [earlier, clash_hours] : clashes) {
        problems.add(range, indexed(path, i),
                     "hours " + describe_hours(clash_hours) + " are already " + kPeriodNames[earlier.first] +
                         " (line " + std::to_string(earlier.second) +
                         "): each hour must be in exactly one period");
        overlap = true;
      }
    }
  }
  std::array<bool, 24> missing{};
  for (std::size_t hour = 0; hour < 24; ++hour) missing[hour] = !assigned[hour];
  const bool any_missing = std::find(missing.begin(), missing.end(), true) != missing.end();
  if (any_missing && !unreadable) {
    problems.add(parent.key_line(key), map.path(),
                 "hours " + describe_hours(missing) + " are in no period: each hour must be in exactly one");
  }
  const bool ok = !unreadable && !overlap && !any_missing;
  if (!ok) return std::nullopt;
  return table;
}

struct Season {
  std::string name;
  std::vector<int> months;
  std::array<double, 3> rates{};
  std::array<DayTable, 3> tables{};
  bool complete = false;
};

Season read_season(const std::string& name, const YAML::Node& node, const std::string& path,
                   Problems& problems) {
  Season season;
  season.name = name;
  const MapView map(node, path, problems,
                    {"months", "source", "confidence", "energy_krw_per_kwh", "periods"});
  if (!map.ok()) return season;
  (void)read_text(map, "source", problems);
  read_confidence(map, problems);
  bool complete = true;
  if (const auto months = map.get("months")) {
    if (!months->IsSequence() || months->size() == 0) {
      problems.add(*months, map.path("months"), "must be a list of months 1-12, got " + describe(*months));
    } else {
      for (std::size_t i = 0; i < months->size(); ++i) {
        const YAML::Node month_node = (*months)[i];
        const auto month = as_whole(month_node, indexed(map.path("months"), i), problems);
        if (month && (*month < 1 || *month > 12)) {
          problems.add(month_node, indexed(map.path("months"), i),
                       "must be a month 1-12, got " + std::to_string(*month));
        } else if (month) {
          season.months.push_back(*month);
        }
      }
    }
  }
  if (const auto rates_node = map.get("energy_krw_per_kwh")) {
    const MapView rates(*rates_node, map.path("energy_krw_per_kwh"), problems, {"light", "mid", "peak"});
    if (rates.ok()) {
      for (std::size_t period = 0; period < kPeriodNames.size(); ++period) {
        const auto rate = read_sourced(rates, kPeriodNames[period], 0.0, HUGE_VAL, problems);
        if (rate) {
          season.rates[period] = *rate;
        } else {
          complete = false;
        }
      }
    } else {
      complete = false;
    }
  } else {
    complete = false;
  }
  if (const auto periods_node = map.get("periods")) {
    const MapView periods(*periods_node, map.path("periods"), problems,
                          {kDayKindNames[0], kDayKindNames[1], kDayKindNames[2]});
    if (periods.ok()) {
      for (std::size_t kind = 0; kind < kDayKindNames.size(); ++kind) {
        const auto table = read_day_table(periods, kDayKindNames[kind], problems);
        if (table) {
          season.tables[kind] = *table;
        } else {
          complete = false;
        }
      }
    } else {
      complete = false;
    }
  } else {
    complete = false;
  }
  season.complete = complete;
  return season;
}

void read_seasons(const MapView& top, Tariff& tariff, std::vector<Season>& seasons, Problems& problems) {
  const auto node = top.get("seasons");
  if (!node) return;
  if (!node->IsMap() || node->size() == 0) {
    problems.add(*node, "seasons", "must be a map of season names to seasons, got " + describe(*node));
    return;
  }
  std::array<std::string, 12> month_season{};
  for (const auto& entry : *node) {
    if (!entry.first.IsScalar()) {
      problems.add(entry.first, "seasons", "season names must be words, got " + describe(entry.first));
      continue;
    }
    const std::string& name = entry.first.Scalar();
    const std::string path = "seasons." + name;
    if (std::any_of(seasons.begin(), seasons.end(), [&](const Season& s) { return s.name == name; })) {
      problems.add(entry.first, path, "repeated season");
      continue;
    }
    seasons.push_back(read_season(name, entry.second, path, problems));
    const Season& season = seasons.back();
    const YAML::Node months = entry.second.IsMap() ? entry.second["months"] : YAML::Node();
    for (std::size_t i = 0; i < season.months.size(); ++i) {
      const auto month_index = static_cast<std::size_t>(season.months[i] - 1);
      if (!month_season[month_index].empty()) {
        const std::string where = month_season[month_index] == name
                                      ? "earlier in this season"
                                      : "in season " + month_season[month_index];
        problems.add(months.IsSequence() && i < months.size() ? months[i] : entry.second,
                     indexed(path + ".months", i),
                     "month " + std::to_string(season.months[i]) + " is already " + where +
                         ": each month must be in exactly one season");
        continue;
      }
      month_season[month_index] = name;
      if (season.complete) {
        tariff.energy_krw_per_kwh[month_index] = season.rates;
        tariff.periods[month_index] = season.tables;
      }
    }
  }
  std::string missing;
  for (std::size_t month = 0; month < 12; ++month) {
    if (month_season[month].empty()) missing += (missing.empty() ? "" : ", ") + std::to_string(month + 1);
  }
  if (!missing.empty()) {
    const bool one = missing.find(',') == std::string::npos;
    problems.add(top.key_line("seasons"), "seasons",
                 (one ? "month " : "months ") + missing + (one ? " is" : " are") +
                     " in no season: each month must be in exactly one");
  }
}

void read_discounts(const MapView& top, const std::vector<Season>& seasons, Tariff& tariff,
                    Problems& problems) {
  const auto node = top.get("discounts");
  if (!node) return;
  if (!node->IsSequence()) {
    problems.add(*node, "discounts", "must be a list, got " + describe(*node));
    return;
  }
  for (std::size_t i = 0; i < node->size(); ++i) {
    const std::string path = indexed("discounts", i);
    const MapView map((*node)[i], path, problems, {"name", "seasons", "days", "hours", "share"}, {"until"});
    if (!map.ok()) continue;
    TariffDiscount discount;
    bool ok = true;
    if (const auto name = read_text(map, "name", problems)) {
      discount.name = *name;
    } else {
      ok = false;
    }
    const auto read_names = [&](const std::string& key, const auto& on_name) {
      const auto list = map.get(key);
      if (!list) {
        ok = false;
        return;
      }
      if (!list->IsSequence() || list->size() == 0) {
        problems.add(*list, map.path(key), "must be a non-empty list, got " + describe(*list));
        ok = false;
        return;
      }
      for (std::size_t j = 0; j < list->size(); ++j) {
        const auto word = as_text((*list)[j], indexed(map.path(key), j), problems);
        if (!word || !on_name(*word, (*list)[j], indexed(map.path(key), j))) ok = false;
      }
    };
    read_names("seasons", [&](const std::string& word, const YAML::Node& at, const std::string& at_path) {
      const auto season =
          std::find_if(seasons.begin(), seasons.end(), [&](const Season& s) { return s.name == word; });
      if (season == seasons.end()) {
        problems.add(at, at_path, "no season named '" + word + "'");
        return false;
      }
      for (const int month : season->months) discount.months[static_cast<std::size_t>(month - 1)] = true;
      return true;
    });
    read_names("days", [&](const std::string& word, const YAML::Node& at, const std::string& at_path) {
      const auto kind = std::find(kDayKindNames.begin(), kDayKindNames.end(), word);
      if (kind == kDayKindNames.end()) {
        problems.add(at, at_path, "must be weekday, saturday or sunday_holiday, got '" + word + "'");
        return false;
      }
      discount.day_kinds[static_cast<std::size_t>(kind - kDayKindNames.begin())] = true;
      return true;
    });
    if (const auto hours = map.get("hours")) {
      const auto set = read_hour_list(*hours, map.path("hours"), problems);
      if (set) {
        discount.hours = *set;
      } else {
        ok = false;
      }
    }
    if (const auto share = read_sourced(map, "share", 0.0, 1.0, problems)) {
      discount.share = *share;
    } else {
      ok = false;
    }
    if (const auto until = map.get("until")) {
      const auto text = as_text(*until, map.path("until"), problems);
      const auto date = text ? parse_date(*text) : std::nullopt;
      if (text && !date)
        problems.add(*until, map.path("until"), "must be a date YYYY-MM-DD, got '" + *text + "'");
      if (date) {
        discount.until = *date;
      } else {
        ok = false;
      }
    }
    if (ok) tariff.discounts.push_back(discount);
  }
}

void read_addons(const MapView& top, Tariff& tariff, Problems& problems) {
  const auto node = top.get("addons");
  if (!node) return;
  const MapView map(*node, "addons", problems,
                    {"climate_environment_krw_per_kwh", "fuel_cost_adjustment_krw_per_kwh",
                     "power_fund_share", "vat_share"});
  if (!map.ok()) return;
  const auto climate = read_sourced(map, "climate_environment_krw_per_kwh", 0.0, HUGE_VAL, problems);
  // The fuel-cost adjustment moves both ways each quarter (KEPCO's band is ±5 KRW/kWh), so it may be
  // negative.
  const auto fuel = read_sourced(map, "fuel_cost_adjustment_krw_per_kwh", -HUGE_VAL, HUGE_VAL, problems);
  tariff.addon_krw_per_kwh = climate.value_or(0.0) + fuel.value_or(0.0);
  tariff.power_fund_share = read_sourced(map, "power_fund_share", 0.0, 1.0, problems).value_or(0.0);
  tariff.vat_share = read_sourced(map, "vat_share", 0.0, 1.0, problems).value_or(0.0);
}

std::size_t kind_index(TariffDayKind kind) { return static_cast<std::size_t>(kind); }

}  // namespace

Tariff read_tariff(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "tariff file");

  Problems problems(path, "(top)");
  Tariff tariff;
  const MapView top(
      root, "", problems,
      {"schema", "version", "name", "effective_from", "basic_charge_krw_per_kw_month", "seasons", "addons"},
      {"name_ko", "discounts"});
  if (top.ok()) {
    if (const auto schema = read_text(top, "schema", problems); schema && *schema != kSchema) {
      problems.add(*top.get("schema"), "schema",
                   std::string("must be ") + kSchema + ", got '" + *schema + "'");
    }
    if (const auto version_node = top.get("version")) {
      const auto version = as_whole(*version_node, "version", problems);
      if (version && *version != kVersion) {
        problems.add(*version_node, "version",
                     "must be " + std::to_string(kVersion) + ", got " + std::to_string(*version));
      }
    }
    tariff.name = read_text(top, "name", problems).value_or("");
    (void)read_text(top, "name_ko", problems);
    if (const auto effective = read_text(top, "effective_from", problems)) {
      if (parse_date(*effective)) {
        tariff.effective_from = *effective;
      } else {
        problems.add(*top.get("effective_from"), "effective_from",
                     "must be a date YYYY-MM-DD, got '" + *effective + "'");
      }
    }
    tariff.basic_krw_per_kw_month =
        read_sourced(top, "basic_charge_krw_per_kw_month", 0.0, HUGE_VAL, problems).value_or(0.0);
    std::vector<Season> seasons;
    read_seasons(top, tariff, seasons, problems);
    read_discounts(top, seasons, tariff, problems);
    read_addons(top, tariff, problems);
  }
  if (!problems.list().empty()) throw ConfigError(path + ": invalid tariff file", problems.list());
  return tariff;
}

std::vector<TariffDayKind> tariff_day_kinds(const Calendar& calendar) {
  std::vector<TariffDayKind> kinds(static_cast<std::size_t>(calendar.days()));
  for (int day = 0; day < calendar.days(); ++day) {
    const int weekday = calendar.weekday(24 * day);
    kinds[static_cast<std::size_t>(day)] = weekday == 7   ? TariffDayKind::kSundayHoliday
                                           : weekday == 6 ? TariffDayKind::kSaturday
                                                          : TariffDayKind::kWeekday;
  }
  // Only public holidays (관공서의 공휴일: fixed, lunar, substitute and election days) are light all day;
  // factory days off and shutdowns keep the kind of their date.
  for (const auto& holiday : calendar.holidays()) {
    if (holiday.kind == HolidayKind::kPublic) {
      kinds[static_cast<std::size_t>(day_of_year(holiday.date) - 1)] = TariffDayKind::kSundayHoliday;
    }
  }
  return kinds;
}

TouPeriods tou_periods(const Tariff& tariff, const Calendar& calendar) {
  const auto kinds = tariff_day_kinds(calendar);
  TouPeriods periods(static_cast<std::size_t>(calendar.hours()));
  for (int day = 0; day < calendar.days(); ++day) {
    const auto month_index = static_cast<std::size_t>(calendar.month(24 * day) - 1);
    const auto& table = tariff.periods[month_index][kind_index(kinds[static_cast<std::size_t>(day)])];
    for (std::size_t hour = 0; hour < 24; ++hour) {
      periods[static_cast<std::size_t>(day) * 24 + hour] = static_cast<unsigned char>(table[hour]);
    }
  }
  return periods;
}

std::vector<double> hourly_energy_rates(const Tariff& tariff, const Calendar& calendar) {
  const auto kinds = tariff_day_kinds(calendar);
  std::vector<double> rates(static_cast<std::size_t>(calendar.hours()));
  for (int day = 0; day < calendar.days(); ++day) {
    const Date date = calendar.date(24 * day);
    const auto month_index = static_cast<std::size_t>(date.month - 1);
    const std::size_t kind = kind_index(kinds[static_cast<std::size_t>(day)]);
    for (std::size_t hour = 0; hour < 24; ++hour) {
      const auto period = static_cast<std::size_t>(tariff.periods[month_index][kind][hour]);
      double rate = tariff.energy_krw_per_kwh[month_index][period];
      for (const auto& discount : tariff.discounts) {
        if (discount.months[month_index] && discount.day_kinds[kind] && discount.hours[hour] &&
            !(discount.until < date)) {
          rate *= 1.0 - discount.share;
        }
      }
      rates[static_cast<std::size_t>(day) * 24 + hour] = rate;
    }
  }
  return rates;
}

std::vector<MonthlyBill> monthly_bills(const Tariff& tariff, const Calendar& calendar,
                                       std::span<const float> import_kw, double contract_kw) {
  if (import_kw.size() != static_cast<std::size_t>(calendar.hours())) {
    throw Error(ErrorCode::kBadInput, "monthly_bills: the import series has " +
                                          std::to_string(import_kw.size()) + " hours, the calendar year " +
                                          std::to_string(calendar.hours()));
  }
  const auto rates = hourly_energy_rates(tariff, calendar);
  return monthly_bills(tariff, calendar, import_kw, rates, contract_kw);
}

std::vector<MonthlyBill> monthly_bills(const Tariff& tariff, const Calendar& calendar,
                                       std::span<const float> import_kw, std::span<const double> rates,
                                       double contract_kw) {
  std::vector<MonthlyBill> bills(12);
  for (int month = 1; month <= 12; ++month) bills[static_cast<std::size_t>(month - 1)].month = month;
  for (int day = 0; day < calendar.days(); ++day) {
    MonthlyBill& bill = bills[static_cast<std::size_t>(calendar.month(24 * day) - 1)];
    const std::size_t first = static_cast<std::size_t>(day) * 24;
    for (std::size_t hour = first; hour < first + 24; ++hour) {
      const double kw = std::max(static_cast<double>(import_kw[hour]), 0.0);
      bill.energy_kwh += kw;
      bill.energy_krw += kw * rates[hour];
      bill.peak_kw = std::max(bill.peak_kw, kw);
    }
  }
  // 요금적용전력 (KEPCO 기본공급약관): the highest of this month's peak and the peaks of December, January,
  // February, July, August and September among the twelve months up to and including it. With the year
  // repeating, those months are this year's.
  constexpr std::array<bool, 12> kDemandSeason{true, true, false, false, false, false,
                                               true, true, true,  false, false, true};
  const double floor_kw = contract_kw > 0.0 ? kContractFloorShare * contract_kw : 0.0;
  for (std::size_t month = 0; month < 12; ++month) {
    MonthlyBill& bill = bills[month];
    double demand_kw = bill.peak_kw;
    for (std::size_t back = 1; back < 12; ++back) {
      const std::size_t earlier = (month + 12 - back) % 12;
      if (kDemandSeason[earlier]) demand_kw = std::max(demand_kw, bills[earlier].peak_kw);
    }
    bill.billing_demand_kw = std::max(demand_kw, floor_kw);
    bill.basic_krw = bill.billing_demand_kw * tariff.basic_krw_per_kw_month;
    bill.addons_krw = bill.energy_kwh * tariff.addon_krw_per_kwh;
    // KEPCO's bill: the electricity charge (전기요금계) is basic + energy + climate-environment ± fuel-cost
    // adjustment; VAT (부가가치세) and the power fund (전력산업기반기금) are each a share of that charge,
    // and neither is charged on the other.
    const double charge_krw = bill.basic_krw + bill.energy_krw + bill.addons_krw;
    bill.power_fund_krw = charge_krw * tariff.power_fund_share;
    bill.vat_krw = charge_krw * tariff.vat_share;
    bill.total_krw = charge_krw + bill.power_fund_krw + bill.vat_krw;
  }
  return bills;
}

}  // namespace sandan
