// twin/forecast: day-ahead forecast of metered facilities and their complexes (docs/twin.md,
// "Forecast"). Each facility with a fitted model (CalibrationMethod::kModel) and a load meter in the
// measured data is forecast by its model at the hours' day type, hour of day and outdoor temperature,
// corrected by its latest measurements: an AR(1) model of the residuals (regression with AR(1)
// errors; Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., 2021, §10.1
// and §10.3). Every forecast is scored, where measurements exist in the window, against the
// measurements and side by side with two naive references (seasonal naive with a season of one day
// and of one week; §5.2), so the user sees whether the model adds anything.
#pragma once

#include <array>
#include <functional>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "energy/calibration.hpp"
#include "energy/rooftop_pv.hpp"
#include "energy/weather.hpp"
#include "twin/measured.hpp"

namespace sandan {

// The residuals' recent level is the mean over this many hours ending at the last measured hour,
// and a facility needs a measured hour this close before the forecast's first hour to be corrected.
inline constexpr int kForecastResidualWindowH = 7 * 24;
// A forecast covers at most a year.
inline constexpr int kForecastMaxHours = 8760;

// The forecasts every series is scored with, in this order (the `forecaster` coordinate of the file).
enum class ForecastMethod { kForecast, kModel, kPersistenceDay, kPersistenceWeek };
inline constexpr int kForecastMethods = 4;
[[nodiscard]] const char* to_string(ForecastMethod method);  // forecast, model, persistence_day, ...

// Scores of one forecast against measurements over the hours where both exist (NaN and hours = 0
// when there are none).
struct ForecastMetrics {
  int hours = 0;  // hours scored
  // Mean absolute percentage error over the scored hours with a measurement > 0, %.
  double mape_pct = std::numeric_limits<double>::quiet_NaN();
  // Coefficient of variation of the RMSE, % of the mean measurement: ASHRAE Guideline 14-2014,
  // eq. for CV(RMSE) with n − p in the denominator, p = 0 as the forecast is out of sample.
  double cv_rmse_pct = std::numeric_limits<double>::quiet_NaN();
  double peak_error_kw = std::numeric_limits<double>::quiet_NaN();   // forecast peak − measured peak
  double peak_error_pct = std::numeric_limits<double>::quiet_NaN();  // of the measured peak
  double peak_timing_h = std::numeric_limits<double>::quiet_NaN();   // hour of forecast peak − of measured
};

// Scores `forecast_kw` against `measured_kw` (same length) over the hours where `scored` is true and
// the measurement is finite. Peaks are the first maximum of each series over those hours.
[[nodiscard]] ForecastMetrics forecast_metrics(std::span<const double> forecast_kw,
                                               std::span<const double> measured_kw,
                                               const std::vector<bool>& scored);

// The forecast residual at lead k hours after the last measured hour, for AR(1) errors about a level:
// r̂_k = level + φ^k (last − level) (Hyndman & Athanasopoulos 2021, §9.3 and §9.8: the AR(1) forecast
// c/(1−φ) + φ^k (y_T − c/(1−φ)), with the mean c/(1−φ) taken as the recent level).
[[nodiscard]] double residual_correction_kw(double level_kw, double last_kw, double phi, int lead_h);

// One forecast series: a facility, or a complex (the sum of its metered facilities).
struct ForecastSeries {
  std::string id;
  std::string complex_id;  // a facility's complex; a complex's own id
  std::string meter_id;    // the facility's meter (a complex: its complex meter, "" without)
  // The correction: the last measured hour before the forecast (hour of the forecast's year; −1: no
  // measured hour in the kForecastResidualWindowH hours before, the model stands alone), the residuals'
  // mean over the window ending there, the residual at that hour, the residuals' lag-1
  // autocorrelation φ and how many residuals the window had. Complexes: NaN and −1.
  int last_measured_hour = -1;
  double residual_level_kw = std::numeric_limits<double>::quiet_NaN();
  double residual_last_kw = std::numeric_limits<double>::quiet_NaN();
  double noise_autocorrelation = std::numeric_limits<double>::quiet_NaN();
  int residual_hours = 0;
  // The forecast window's hours (Forecast::hours each), kW (the mean of the hour): the corrected
  // forecast, the model alone, the measurements (NaN where none), and the two naive references
  // (NaN where the measurement they repeat is missing).
  std::vector<double> forecast_kw, model_kw, measured_kw, persistence_day_kw, persistence_week_kw;
  std::array<ForecastMetrics, kForecastMethods> metrics{};  // by ForecastMethod
};

// The PV forecast of a facility with a metered PV system and a yield factor.
struct PvForecastSeries {
  std::string facility_id;
  std::string meter_id;
  double capacity_kwp = 0.0;
  double yield_factor = 1.0;
  std::vector<double> forecast_kw, measured_kw;
  ForecastMetrics metrics;
};

struct ForecastOptions {
  // Each metered facility's complex (the layout's facility → complex ids). A metered facility that
  // is not in it is an error.
  std::map<std::string, std::string> facility_complex;
  // Weather with radiation for the PV forecast (calendar.hours() rows, the year's hours); none: no PV
  // forecast. The metered systems' orientation and losses are the rooftop defaults (`pv_system`).
  const Weather* weather = nullptr;
  RooftopPvSpec pv_system;
  // Provenance, stored in the file.
  std::string calibration_file, measured_file, weather_file, holidays_file;
  // Asked before each facility's and complex's forecast and before the PV forecast: true stops the
  // forecast with Error(kInterrupted) (core/interrupt.hpp). Cheap and thread-safe (an atomic flag).
  std::function<bool()> cancelled;
};

struct Forecast {
  int year = 0;
  int from_hour = 0;  // the first forecast hour, hours after year-01-01 00:00 KST
  int hours = 0;
  // The latest last_measured_hour of the facilities (−1: none), and the hours from the end of it
  // to the first forecast hour (0 when the forecast starts right after the measurements).
  int issued_at_hour = -1;
  int correction_age_h = 0;
  std::vector<ForecastSeries> facilities;
  std::vector<ForecastSeries> complexes;
  // Complex meters (MeterTarget::kComplex, load): their measurements in the window, [complex × hours],
  // NaN for a complex without one. A complex meter also counts facilities without a meter: it is
  // shown, not compared with the sum of the metered ones.
  std::vector<double> complex_meter_kw;
  std::vector<PvForecastSeries> pv;
  std::vector<std::string> notes;  // what was skipped and why, in words
  ForecastOptions provenance;      // the options' files (facility_complex and weather left empty)
};

// Forecasts `hours` hours from `from_hour` (hours after calendar.year()-01-01 00:00 KST) for every
// kModel calibration whose facility has a load meter in `measured` (the calibration's meter_id if it
// is there, else the facility's only load meter), and for every complex of those facilities.
// `dry_bulb_c` holds the outdoor temperature of each hour of the calendar year (calendar.hours()
// values; a forecast weather file, or a typical year standing in for one).
// Throws Error(kBadInput) when hours is not 1..8760, the window leaves the calendar year, from_hour
// is before the measured data's first hour, no metered facility has a measured hour in the
// kForecastResidualWindowH hours before from_hour, no kModel calibration has a meter, the
// temperatures are not calendar.hours() values, or a metered facility has no complex.
[[nodiscard]] Forecast forecast(const Calibration& calibration, const MeasuredData& measured,
                                const Calendar& calendar, std::span<const double> dry_bulb_c, int from_hour,
                                int hours, const ForecastOptions& options = {});

// Writes `/forecast` (docs/results-schema.md, "Forecast files") to a temporary file renamed at the
// end; `command` is stored in the root's attributes. Throws Error(kIo).
void write_forecast(const std::string& path, const Forecast& forecast, const std::string& command);

// The start of an hour of `year` as text, KST: "2026-03-10 14:00" (hours before or after the year
// give dates of the years around it).
[[nodiscard]] std::string hour_label(int year, long long hour);

// The forecast as the command line prints it: per complex and facility the window's energy, peak
// and its hour, then the scores of the forecast, the model alone and the two naive references where
// measurements exist, and the notes.
[[nodiscard]] std::string forecast_text(const Forecast& forecast, const std::string& output);

// The same as one JSON object (with every series; NaN as null).
[[nodiscard]] std::string forecast_json(const Forecast& forecast, const std::string& output);

}  // namespace sandan
