// economics/prices: fuel prices and the value of exported PV electricity as versioned data files
// (gis_data/prices/*.yaml, schemas in gis_data/prices/README.md), with lookups by year.
//
// Both files are lists of periods, each a range of dates [from, until] (both days included). The
// periods must follow each other without gaps or overlaps, so every day between the first `from` and
// the last `until` has exactly one period.
//
// A year is priced by the period holding its midpoint. Half a year after 1 January 00:00 is 2 July
// (12:00 in a common year, 00:00 in a leap year: 182.5 or 183 days), so the lookups take the period
// covering 2 July of the year. A year whose 2 July lies after the last period takes the last period,
// one before the first period the first; the lookup says so in its flags, for the caller to report
// that prices were carried beyond the data.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/kinds.hpp"

namespace sandan {

// The days a set of prices applies to, both included.
struct PricePeriod {
  Date from;
  Date until;
};

// Fuel prices of one period, KRW a MWh of fuel on a net calorific value basis (the basis of every fuel
// quantity in sandan), VAT excluded.
struct FuelPricePeriod : PricePeriod {
  std::array<double, kFuelCount> krw_per_mwh{};  // index: index_of(Fuel)
};

struct FuelPrices {
  std::string path;
  std::vector<FuelPricePeriod> periods;  // in date order, contiguous
};

// How exported PV electricity is paid.
enum class PvExportRule {
  // KEPCO net metering (상계거래): exported kWh are subtracted from the kWh bought in the month, so they
  // earn the tariff's energy rate; the basic charge stays on the metered demand; a surplus left after
  // netting is paid at SMP, with no RECs.
  kNetMetering,
  // Sale at the system marginal price plus renewable energy certificates: SMP + REC price × weight per
  // MWh.
  kSmpRec,
};

[[nodiscard]] const char* to_string(PvExportRule rule);  // "net_metering", "smp_rec"

struct PvExportPeriod : PricePeriod {
  double smp_krw_per_kwh = 0.0;  // system marginal price, mainland
  double rec_krw_per_rec = 0.0;  // one REC certifies 1 MWh × weight
  double rec_weight = 1.0;       // RECs issued per MWh exported
};

struct PvExportPrices {
  std::string path;
  PvExportRule rule = PvExportRule::kNetMetering;
  // Net metering is open to PV up to this capacity; larger PV sells at SMP + REC whatever `rule` says.
  double net_metering_limit_kw = 0.0;
  std::vector<PvExportPeriod> periods;  // in date order, contiguous
};

// Reads a fuel prices file (schema sandan-fuel-prices, version 1). Throws ConfigError with every
// problem at once, each "file:line: key.path: message": unknown or missing keys, values of the wrong
// type, negative or non-numeric prices (NaN included), malformed dates, a period whose `from` is after
// its `until`, periods that overlap or leave days between them. Throws Error (kBadInput) if the file
// cannot be opened.
[[nodiscard]] FuelPrices read_fuel_prices(const std::string& path);

// Reads a PV export file (schema sandan-pv-export, version 1), with the same checks; the rule must be
// net_metering or smp_rec, the REC weight in [0, 10].
[[nodiscard]] PvExportPrices read_pv_export(const std::string& path);

// Which period prices a year, and whether the year lies outside the data.
struct PeriodChoice {
  std::size_t period = 0;            // index into the periods
  bool before_first_period = false;  // 2 July of the year is before the first period: the first is used
  bool beyond_last_period = false;   // 2 July of the year is after the last period: the last is used
  [[nodiscard]] bool extrapolated() const { return before_first_period || beyond_last_period; }
};

// The period of a year (see the top of this header). Precondition: periods is not empty (the readers
// guarantee it). Does not throw.
[[nodiscard]] PeriodChoice choose_period(const std::vector<FuelPricePeriod>& periods, int year);
[[nodiscard]] PeriodChoice choose_period(const std::vector<PvExportPeriod>& periods, int year);

struct FuelPriceLookup {
  double krw_per_mwh = 0.0;
  PeriodChoice choice;
};

// The price of a fuel in a year, KRW/MWh (net calorific value). Fuel::kNone costs 0.
[[nodiscard]] FuelPriceLookup fuel_price(const FuelPrices& prices, Fuel fuel, int year);

// The same as a number; *extrapolated, when given, is set when the year lies outside the periods.
[[nodiscard]] double fuel_krw_per_mwh(const FuelPrices& prices, Fuel fuel, int year,
                                      bool* extrapolated = nullptr);

struct PvExportLookup {
  PvExportRule rule = PvExportRule::kNetMetering;  // the rule for the PV's capacity
  double smp_krw_per_kwh = 0.0;
  double rec_krw_per_kwh = 0.0;  // REC price × weight / 1,000 kWh a MWh
  // What a kWh exported and not netted earns: SMP + REC under kSmpRec, SMP (a net-metering surplus
  // left after netting, no RECs) under kNetMetering.
  double cash_krw_per_kwh = 0.0;
  PeriodChoice choice;
};

// The rule for PV of a capacity: the file's rule up to its net metering limit, kSmpRec above it.
[[nodiscard]] PvExportRule pv_export_rule(const PvExportPrices& prices, double pv_kw);

// The export prices of a year for PV of a capacity (kW).
[[nodiscard]] PvExportLookup pv_export(const PvExportPrices& prices, double pv_kw, int year);

// The cash a kWh exported and not netted earns in a year, KRW/kWh (PvExportLookup::cash_krw_per_kwh);
// *extrapolated, when given, is set when the year lies outside the periods.
[[nodiscard]] double pv_export_krw_per_kwh(const PvExportPrices& prices, double pv_kw, int year,
                                           bool* extrapolated = nullptr);

}  // namespace sandan
