// economics/prices: reading the fuel price and PV export files (schemas in gis_data/prices/README.md)
// and looking their periods up by year. Every problem of a file is collected with file, line and key
// path and thrown at once.
#include "economics/prices.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml_check.hpp"
#include "core/error.hpp"

namespace sandan {
namespace {

using config::MapView;
using config::Problems;

constexpr const char* kFuelSchema = "sandan-fuel-prices";
constexpr const char* kPvSchema = "sandan-pv-export";
constexpr int kVersion = 1;
constexpr std::array<const char*, kFuelCount> kFuelNames{"lng", "lpg", "diesel", "fuel_oil"};
constexpr double kKwhPerMwh = 1000.0;
// A REC weight above this is a typing error: Korea's weights have run from 0.25 to 5.
constexpr double kMaxRecWeight = 10.0;

// The day that holds the midpoint of a year (see prices.hpp).
Date midpoint_day(int year) { return Date{year, 7, 2}; }

// One entry of a `periods` list as read: its dates, where it is, and whether all of it was valid.
template <typename Period>
struct ReadPeriod {
  Period period{};
  std::size_t index = 0;  // position in the file's list
  int line = 0;           // line of its `from` key
  bool dates_ok = false;  // both dates valid and from <= until
  bool complete = false;  // dates and every value valid
};

std::string describe_period(const PricePeriod& period) {
  return to_string(period.from) + " to " + to_string(period.until);
}

// A date "YYYY-MM-DD" under a key of a map.
std::optional<Date> read_date(const MapView& map, const std::string& key, Problems& problems) {
  const auto text = config::read_text(map, key, problems);
  if (!text) return std::nullopt;
  const auto date = parse_date(*text);
  if (!date) {
    problems.add(*map.get(key), map.path(key), "must be a date YYYY-MM-DD, got '" + *text + "'");
  }
  return date;
}

// Reports periods that overlap or leave days between them. Periods whose dates are unreadable are left
// out; gaps are then not reported, since an unreadable period may fill them.
template <typename Period>
void check_continuity(std::vector<ReadPeriod<Period>>& entries, Problems& problems) {
  const bool all_dated = std::all_of(entries.begin(), entries.end(),
                                     [](const ReadPeriod<Period>& entry) { return entry.dates_ok; });
  std::vector<const ReadPeriod<Period>*> dated;
  for (const auto& entry : entries) {
    if (entry.dates_ok) dated.push_back(&entry);
  }
  std::stable_sort(dated.begin(), dated.end(),
                   [](const auto* a, const auto* b) { return a->period.from < b->period.from; });
  // The period reaching furthest so far: a later period must start the day after it ends.
  const ReadPeriod<Period>* reach = nullptr;
  for (const auto* entry : dated) {
    if (reach != nullptr) {
      const std::string path = config::indexed("periods", entry->index) + ".from";
      const std::string other = config::indexed("periods", reach->index) + " (line " +
                                std::to_string(reach->line) + ", " + describe_period(reach->period) + ")";
      if (!(reach->period.until < entry->period.from)) {
        problems.add(entry->line, path,
                     describe_period(entry->period) + " overlaps " + other + ": periods must not overlap");
      } else if (all_dated &&
                 days_since_epoch(entry->period.from) > days_since_epoch(reach->period.until) + 1) {
        problems.add(entry->line, path,
                     "the days " + to_string(add_days(reach->period.until, 1)) + " to " +
                         to_string(add_days(entry->period.from, -1)) + " after " + other +
                         " are in no period: periods must follow each other without gaps");
      }
    }
    if (reach == nullptr || reach->period.until < entry->period.until) reach = entry;
  }
}

// The `periods` list of a prices file: each entry a map with `from`, `until`, an optional `note` and the
// keys of `value_keys`, whose values read_values reads into the period (returning whether all were
// valid). Returns the periods in date order; problems are reported, and the caller throws when there
// are any.
template <typename Period, typename ReadValues>
std::vector<Period> read_periods(const MapView& top, const std::vector<std::string>& value_keys,
                                 Problems& problems, ReadValues read_values) {
  const auto node = top.get("periods");
  if (!node) return {};
  if (!node->IsSequence() || node->size() == 0) {
    problems.add(*node, "periods", "must be a non-empty list of periods, got " + config::describe(*node));
    return {};
  }
  std::vector<std::string> required{"from", "until"};
  required.insert(required.end(), value_keys.begin(), value_keys.end());
  std::vector<ReadPeriod<Period>> entries;
  for (std::size_t i = 0; i < node->size(); ++i) {
    const YAML::Node item = (*node)[i];
    const MapView map(item, config::indexed("periods", i), problems, required, {"note"});
    if (!map.ok()) continue;
    ReadPeriod<Period> entry;
    entry.index = i;
    entry.line = map.get("from") ? map.key_line("from") : item.Mark().line + 1;
    const auto from = read_date(map, "from", problems);
    const auto until = read_date(map, "until", problems);
    if (from && until) {
      entry.period.from = *from;
      entry.period.until = *until;
      if (*until < *from) {
        problems.add(entry.line, map.path("from"),
                     "from " + to_string(*from) + " is after until " + to_string(*until));
      } else {
        entry.dates_ok = true;
      }
    }
    (void)config::read_text(map, "note", problems);
    const bool values_ok = read_values(map, entry.period);
    entry.complete = entry.dates_ok && values_ok;
    entries.push_back(entry);
  }
  check_continuity(entries, problems);
  std::vector<Period> periods;
  for (const auto& entry : entries) {
    if (entry.complete) periods.push_back(entry.period);
  }
  std::stable_sort(periods.begin(), periods.end(),
                   [](const Period& a, const Period& b) { return a.from < b.from; });
  return periods;
}

// A figure {value, source, confidence} >= 0 into target; whether it was valid.
bool read_price(const MapView& map, const std::string& key, double hi, double& target, Problems& problems) {
  const auto value = config::read_figure(map, key, 0.0, hi, problems);
  if (value) target = *value;
  return value.has_value();
}

template <typename Period>
PeriodChoice choose(const std::vector<Period>& periods, int year) {
  PeriodChoice choice;
  if (periods.empty()) return choice;
  const Date day = midpoint_day(year);
  if (day < periods.front().from) {
    choice.before_first_period = true;
    return choice;
  }
  if (periods.back().until < day) {
    choice.period = periods.size() - 1;
    choice.beyond_last_period = true;
    return choice;
  }
  const auto found = std::find_if(periods.begin(), periods.end(),
                                  [&](const Period& period) { return !(period.until < day); });
  choice.period = static_cast<std::size_t>(found - periods.begin());
  return choice;
}

}  // namespace

const char* to_string(PvExportRule rule) {
  return rule == PvExportRule::kNetMetering ? "net_metering" : "smp_rec";
}

FuelPrices read_fuel_prices(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "fuel prices file");
  Problems problems(path, "(top level)");
  FuelPrices prices;
  prices.path = path;
  const MapView top(root, "", problems, {"schema", "version", "periods"});
  if (top.ok()) {
    config::check_schema(top, kFuelSchema, kVersion, problems);
    const std::vector<std::string> names(kFuelNames.begin(), kFuelNames.end());
    prices.periods =
        read_periods<FuelPricePeriod>(top, names, problems, [&](const MapView& map, FuelPricePeriod& period) {
          bool ok = true;
          for (std::size_t f = 0; f < kFuelCount; ++f) {
            const auto node = map.get(kFuelNames[f]);
            if (!node) {
              ok = false;
              continue;
            }
            const MapView fuel(*node, map.path(kFuelNames[f]), problems, {"krw_per_mwh"}, {},
                               map.key_line(kFuelNames[f]));
            ok =
                fuel.ok() && read_price(fuel, "krw_per_mwh", HUGE_VAL, period.krw_per_mwh[f], problems) && ok;
          }
          return ok;
        });
  }
  if (!problems.list().empty()) throw ConfigError(path + ": invalid fuel prices file", problems.list());
  return prices;
}

PvExportPrices read_pv_export(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "PV export file");
  Problems problems(path, "(top level)");
  PvExportPrices prices;
  prices.path = path;
  const MapView top(root, "", problems, {"schema", "version", "rule", "periods"});
  if (top.ok()) {
    config::check_schema(top, kPvSchema, kVersion, problems);
    if (const auto node = top.get("rule")) {
      const MapView rule(*node, "rule", problems, {"kind", "source", "confidence", "net_metering_limit_kw"},
                         {}, top.key_line("rule"));
      if (rule.ok()) {
        if (const auto kind = config::read_text(rule, "kind", problems)) {
          if (*kind == "net_metering") {
            prices.rule = PvExportRule::kNetMetering;
          } else if (*kind == "smp_rec") {
            prices.rule = PvExportRule::kSmpRec;
          } else {
            problems.add(*rule.get("kind"), rule.path("kind"),
                         "must be net_metering or smp_rec, got '" + *kind + "'");
          }
        }
        (void)config::read_text(rule, "source", problems);
        (void)config::read_confidence(rule, problems);
        (void)read_price(rule, "net_metering_limit_kw", HUGE_VAL, prices.net_metering_limit_kw, problems);
      }
    }
    prices.periods = read_periods<PvExportPeriod>(
        top, {"smp_krw_per_kwh", "rec_krw_per_rec", "rec_weight"}, problems,
        [&](const MapView& map, PvExportPeriod& period) {
          const bool smp = read_price(map, "smp_krw_per_kwh", HUGE_VAL, period.smp_krw_per_kwh, problems);
          const bool rec = read_price(map, "rec_krw_per_rec", HUGE_VAL, period.rec_krw_per_rec, problems);
          const bool weight = read_price(map, "rec_weight", kMaxRecWeight, period.rec_weight, problems);
          return smp && rec && weight;
        });
  }
  if (!problems.list().empty()) throw ConfigError(path + ": invalid PV export file", problems.list());
  return prices;
}

PeriodChoice choose_period(const std::vector<FuelPricePeriod>& periods, int year) {
  return choose(periods, year);
}

PeriodChoice choose_period(const std::vector<PvExportPeriod>& periods, int year) {
  return choose(periods, year);
}

FuelPriceLookup fuel_price(const FuelPrices& prices, Fuel fuel, int year) {
  FuelPriceLookup lookup;
  lookup.choice = choose_period(prices.periods, year);
  if (fuel != Fuel::kNone && !prices.periods.empty()) {
    lookup.krw_per_mwh = prices.periods[lookup.choice.period].krw_per_mwh[index_of(fuel)];
  }
  return lookup;
}

double fuel_krw_per_mwh(const FuelPrices& prices, Fuel fuel, int year, bool* extrapolated) {
  const FuelPriceLookup lookup = fuel_price(prices, fuel, year);
  if (extrapolated != nullptr) *extrapolated = lookup.choice.extrapolated();
  return lookup.krw_per_mwh;
}

PvExportRule pv_export_rule(const PvExportPrices& prices, double pv_kw) {
  return prices.rule == PvExportRule::kNetMetering && pv_kw <= prices.net_metering_limit_kw
             ? PvExportRule::kNetMetering
             : PvExportRule::kSmpRec;
}

PvExportLookup pv_export(const PvExportPrices& prices, double pv_kw, int year) {
  PvExportLookup lookup;
  lookup.rule = pv_export_rule(prices, pv_kw);
  lookup.choice = choose_period(prices.periods, year);
  if (prices.periods.empty()) return lookup;
  const PvExportPeriod& period = prices.periods[lookup.choice.period];
  lookup.smp_krw_per_kwh = period.smp_krw_per_kwh;
  lookup.rec_krw_per_kwh = period.rec_krw_per_rec * period.rec_weight / kKwhPerMwh;
  lookup.cash_krw_per_kwh =
      lookup.smp_krw_per_kwh + (lookup.rule == PvExportRule::kSmpRec ? lookup.rec_krw_per_kwh : 0.0);
  return lookup;
}

double pv_export_krw_per_kwh(const PvExportPrices& prices, double pv_kw, int year, bool* extrapolated) {
  const PvExportLookup lookup = pv_export(prices, pv_kw, year);
  if (extrapolated != nullptr) *extrapolated = lookup.choice.extrapolated();
  return lookup.cash_krw_per_kwh;
}

}  // namespace sandan
