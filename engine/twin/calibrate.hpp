// twin/calibrate: fitting facility load models and PV yield factors to meter data (docs/twin.md,
// "Calibration"), with the goodness of fit before and after by ASHRAE Guideline 14-2014.
//
// - A facility's own load meter gives it a kModel calibration: hourly base loads by (day type, hour
//   of day) — the time-of-week part of the TOWT model (Mathieu, Price, Kiliccote & Piette 2011, IEEE
//   Trans. Smart Grid 2(3)) — plus change-point heating and cooling terms in the outdoor temperature
//   (ASHRAE RP-1050 inverse modelling toolkit, Kissock, Haberl & Claridge 2003, ASHRAE Trans. 109(2)).
// - A feeder, substation or complex load meter scales the archetype loads of the facilities below it
//   that have no meter of their own (kScaled, one elec_scale for the group).
// - A facility's PV meter gives it a yield factor: measured over modelled AC energy.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "energy/calibration.hpp"
#include "energy/loads.hpp"
#include "energy/weather.hpp"
#include "scenario/stages.hpp"
#include "twin/measured.hpp"

namespace sandan {

// Inclusive dates of the hours held out of the fit.
struct Holdout {
  Date from;
  Date to;
};

// "YYYY-MM-DD/YYYY-MM-DD", from ≤ to; nothing if the text is not that.
[[nodiscard]] std::optional<Holdout> parse_holdout(const std::string& text);

// Goodness of fit of one series against the measured one (ASHRAE Guideline 14-2014, §4.3.2.4 for the
// criteria and §5.2.11.3 / Annex B for the statistics):
//   NMBE     = 100 · Σ(y − ŷ) / ((n − p) · ȳ)
//   CV(RMSE) = 100 · √(Σ(y − ŷ)² / (n − p)) / ȳ
// with y measured, ŷ modelled, ȳ the mean of y over the n values and p the parameters fitted to them.
struct FitStatistics {
  int n = 0;
  int p = 0;
  double nmbe_pct = kMissing;
  double cv_rmse_pct = kMissing;
  bool passes = false;  // within Guideline 14's criterion for its resolution (hourly or monthly)
};

// Guideline 14-2014 §4.3.2.4: hourly CV(RMSE) ≤ 30 % and |NMBE| ≤ 10 %; monthly ≤ 15 % and ≤ 5 %.
inline constexpr double kG14HourlyCvPct = 30.0;
inline constexpr double kG14HourlyNmbePct = 10.0;
inline constexpr double kG14MonthlyCvPct = 15.0;
inline constexpr double kG14MonthlyNmbePct = 5.0;

// NMBE and CV(RMSE) of the pairs (measured[i], modelled[i]) where both are finite; nothing passes when
// n ≤ p or ȳ ≤ 0 (the statistics are then undefined and stay NaN).
[[nodiscard]] FitStatistics fit_statistics(const std::vector<double>& measured,
                                           const std::vector<double>& modelled, int parameters, bool monthly);

struct PeriodStatistics {
  FitStatistics hourly;
  FitStatistics monthly;  // sums per calendar month over the hours valid in both series
};

// In sample (the training hours) and out of sample (the holdout), for one model of a meter.
struct ModelStatistics {
  PeriodStatistics in_sample;
  PeriodStatistics holdout;
};

struct MeterCalibrationReport {
  std::string meter_id;
  MeterTarget target = MeterTarget::kFacility;
  std::string target_id;
  MeterQuantity quantity = MeterQuantity::kLoad;
  std::string method;                   // model, scaled or pv
  std::vector<std::string> facilities;  // scaled: the facilities given the group's elec_scale
  std::vector<std::string> subtracted;  // scaled: meters and facilities taken off the aggregate
  int training_hours = 0;
  int holdout_hours = 0;
  double measured_training_kwh = 0.0;  // Σ measured over the training hours
  // model:
  double heating_change_c = kMissing;  // NaN when there is no heating term
  double heating_slope_kw_per_k = 0.0;
  double cooling_change_c = kMissing;
  double cooling_slope_kw_per_k = 0.0;
  double noise_sd = 0.0;
  double noise_autocorrelation = 0.0;
  int parameters = 0;                  // p of the in-sample hourly statistics
  std::string shift_pattern;           // day, two or continuous, from the fitted weekday profile
  std::vector<std::string> fallbacks;  // "shutdown → holiday → sunday (24 hours)", …
  // scaled / pv:
  double elec_scale = kMissing;
  double yield_factor = kMissing;
  ModelStatistics before;  // the archetype (loads) or the default PV model, uncalibrated
  ModelStatistics after;
};

struct CalibrationReport {
  std::string measured;  // the measured file (may be empty in memory)
  std::string weather;
  int year = 0;
  std::string holdout;  // "FROM/TO", empty: none
  std::vector<std::string> notes;
  std::vector<MeterCalibrationReport> meters;
};

struct CalibrationOptions {
  std::optional<int> year;         // default: the calendar year holding most of the data's hours
  std::optional<Holdout> holdout;  // hours not used in the fit; judged out of sample
  std::string holdout_text;        // as the user wrote it, for messages and the report
  int threads = 0;                 // 0: every core
  std::uint64_t seed = 1;          // of the archetype load model (its noise is off here: see calibrate())
  // Asked between the input files, before the archetype loads, before each facility meter's fit (also
  // from OpenMP's threads: cheap and thread-safe, an atomic flag), between the aggregate and PV
  // meters and before writing: true stops the calibration with Error(kInterrupted) and nothing
  // written (the Python bindings set it on Ctrl-C; the command line's SIGINT and SIGTERM stop it at
  // the same points).
  std::function<bool()> cancelled;
};

struct CalibrationInputs {
  const MeasuredData* measured = nullptr;
  std::string measured_path;  // names the data in messages and in the calibration file
  const SiteModel* site = nullptr;
  const std::vector<Holiday>* holidays = nullptr;
  std::string holidays_path;
  const Weather* weather = nullptr;
  std::string weather_path;
  const LoadLibrary* library = nullptr;
};

struct CalibrationOutcome {
  Calibration calibration;
  CalibrationReport report;
};

// Fits every meter of `inputs.measured` (docs/twin.md, "Calibration"). Throws ConfigError naming the
// measured file, the meter and the fix for data that cannot be calibrated: a meter whose target is not in
// the layout, a facility with two load meters, data that do not overlap the year, a holdout outside the
// data, a meter without a valid training hour, a weather file whose hours do not fit the year.
[[nodiscard]] CalibrationOutcome calibrate(const CalibrationInputs& inputs,
                                           const CalibrationOptions& options);

// The report as a table (before and after, in sample and on the holdout, per meter) and as one JSON
// object; the metrics as a YAML mapping for the calibration file's `metrics:`.
[[nodiscard]] std::string calibration_table(const CalibrationReport& report);
[[nodiscard]] std::string calibration_json(const CalibrationReport& report);
[[nodiscard]] std::string calibration_metrics_yaml(const CalibrationReport& report);

// The files a `sandan calibrate` reads and writes.
struct CalibrateFiles {
  std::string measured;  // measured.h5
  std::string site;      // the layout
  std::string output;    // calibration.yaml; empty: nothing written
  std::string weather;
  std::string holidays;
  std::string loads;  // load archetypes
};

// Reads the files, calibrates, and writes the calibration file (atomically) with the metrics. Refuses an
// output equal to an input. Throws Error(kBadInput) / ConfigError for bad input (nothing is written),
// Error(kIo) when the output cannot be written.
[[nodiscard]] CalibrationOutcome calibrate_files(const CalibrateFiles& files,
                                                 const CalibrationOptions& options);

}  // namespace sandan
