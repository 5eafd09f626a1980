// meter/quality: one meter's readings made into a regular series of energy per interval, with every
// check of docs/twin.md ("Quality checks"): midnight dates, order, duplicates, negative values, the
// interval, whether stamps start or end their interval, spikes, flat lines, zero runs, gaps, a unit
// off by 1000 and an implausible total. Each finding says what was done: repaired, dropped, flagged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meter/readers.hpp"
#include "twin/measured.hpp"

namespace sandan::meter {

enum class StampMode { kStart, kEnd, kAuto };
[[nodiscard]] const char* to_string(StampMode mode);

struct CheckOptions {
  int default_offset_minutes = 9 * 60;  // zone of stamps without an offset (KST)
  StampMode stamps = StampMode::kAuto;
  int interval_minutes = 0;  // 0: detect from the median stamp difference
  int max_gap = 4;           // gaps of at most this many intervals are interpolated
  bool unit_repair = true;
  std::string unit;  // the unit when the data carry none (the mapping's, else --unit)
  // The facility's (or feeder's...) expected energy in a year, kWh, for the unit and total checks;
  // nothing skips them.
  std::optional<double> expected_annual_kwh;
};

// What a meter's data were and what was detected, for the report.
struct MeterReport {
  std::string meter_id;
  std::string source;
  std::int64_t rows = 0;             // readings in the file
  std::int64_t first_start_utc = 0;  // start of the first interval, minutes since 1970 UTC
  std::int64_t end_utc = 0;          // end of the last interval
  int interval_minutes = 0;
  std::string interval_reason;  // "given" or how it was detected
  StampMode stamps = StampMode::kStart;
  std::string stamps_reason;
  std::string unit;
  double scale_applied = 1.0;
  double total_kwh = 0.0;  // of the regular series after repairs (missing intervals left out)
  std::int64_t missing_intervals = 0;
  std::optional<double> expected_annual_kwh;
  double annualised_kwh = 0.0;  // total × a year / the span of present intervals
};

// A regular series: value i is the energy (kWh) of the interval starting at start_utc + i × interval.
struct NativeSeriesUtc {
  std::int64_t start_utc = 0;
  int interval_minutes = 60;
  std::vector<double> energy_kwh;  // NaN where missing
};

struct CheckedMeter {
  MeterReport report;
  NativeSeriesUtc series;
  std::vector<QualityFinding> findings;
};

// Runs every check on one meter. Throws ConfigError (file, line, meter, fix) for what cannot be
// repaired: an interval other than 5, 15, 30 or 60 minutes, an unknown unit, no unit, no readings.
[[nodiscard]] CheckedMeter check_meter(const RawMeter& raw, const CheckOptions& options);

// Robust spike test parameters (docs/twin.md): window of one day centred on the value, |z| > 8.
inline constexpr double kSpikeZ = 8.0;
// Scale of the median absolute deviation to a normal standard deviation (1/Φ⁻¹(3/4); Rousseeuw &
// Croux 1993, J. Am. Stat. Assoc. 88:1273).
inline constexpr double kMadToSigma = 1.4826;
// A spike is a run of at most this many intervals (an hour of 15-minute data): longer excursions
// are operation, not meter faults.
inline constexpr int kSpikeMaxRunMinutes = 60;
inline constexpr int kFlatLineMinutes = 6 * 60;
inline constexpr int kZeroRunMinutes = 24 * 60;

}  // namespace sandan::meter
