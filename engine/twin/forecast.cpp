#include "twin/forecast.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace sandan {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// The measured data of a facility or complex, indexed by hour of the forecast's year.
class MeterView {
 public:
  MeterView(const MeasuredData& data, std::size_t meter, long long offset_h)
      : data_(data), meter_(meter), offset_h_(offset_h) {}
  // NaN outside the measured axis.
  [[nodiscard]] double at(long long hour) const {
    const long long i = hour + offset_h_;
    if (i < 0 || i >= data_.hours) return kNan;
    return data_.at(meter_, static_cast<int>(i));
  }

 private:
  const MeasuredData& data_;
  std::size_t meter_;
  long long offset_h_;
};

// The seasonal naive forecast of hour `hour` (lead k = hour − origin ≥ 1 from the origin, the hour
// before the first forecast hour): the measurement of the same hour in the last complete season
// before the origin, y(T + k − m(⌊(k − 1)/m⌋ + 1)) (Hyndman & Athanasopoulos 2021, §5.2).
double seasonal_naive(const MeterView& meter, int origin, int hour, int season_h) {
  const int k = hour - origin;
  return meter.at(static_cast<long long>(hour) - static_cast<long long>(season_h) * ((k - 1) / season_h + 1));
}

// The hours a series is scored on: a measurement and both naive references exist, so the four
// forecasts are compared on the same hours.
std::vector<bool> scored_hours(const ForecastSeries& s) {
  std::vector<bool> scored(s.measured_kw.size());
  for (std::size_t i = 0; i < scored.size(); ++i) {
    scored[i] = std::isfinite(s.measured_kw[i]) && std::isfinite(s.persistence_day_kw[i]) &&
                std::isfinite(s.persistence_week_kw[i]);
  }
  return scored;
}

void score(ForecastSeries& s) {
  const std::vector<bool> scored = scored_hours(s);
  s.metrics[static_cast<std::size_t>(ForecastMethod::kForecast)] =
      forecast_metrics(s.forecast_kw, s.measured_kw, scored);
  s.metrics[static_cast<std::size_t>(ForecastMethod::kModel)] =
      forecast_metrics(s.model_kw, s.measured_kw, scored);
  s.metrics[static_cast<std::size_t>(ForecastMethod::kPersistenceDay)] =
      forecast_metrics(s.persistence_day_kw, s.measured_kw, scored);
  s.metrics[static_cast<std::size_t>(ForecastMethod::kPersistenceWeek)] =
      forecast_metrics(s.persistence_week_kw, s.measured_kw, scored);
}

// The meter of `target_id` among `candidates` (indices into data.meters): the one named `preferred`,
// else the only one; npos when there is none or the choice is ambiguous.
std::size_t pick_meter(const MeasuredData& data, const std::vector<std::size_t>* candidates,
                       const std::string& preferred) {
  if (candidates == nullptr || candidates->empty()) return std::string::npos;
  for (const std::size_t m : *candidates) {
    if (data.meters[m].meter_id == preferred) return m;
  }
  return candidates->size() == 1 ? candidates->front() : std::string::npos;
}

using MeterIndex = std::unordered_map<std::string, std::vector<std::size_t>>;

MeterIndex index_meters(const MeasuredData& data, MeterTarget target, MeterQuantity quantity) {
  MeterIndex index;
  for (std::size_t m = 0; m < data.meters.size(); ++m) {
    const MeterInfo& info = data.meters[m];
    if (info.target == target && info.quantity == quantity) index[info.target_id].push_back(m);
  }
  return index;
}

const std::vector<std::size_t>* find_meters(const MeterIndex& index, const std::string& id) {
  const auto it = index.find(id);
  return it == index.end() ? nullptr : &it->second;
}

}  // namespace

std::string hour_label(int year, long long hour) {
  const long long day = hour >= 0 ? hour / 24 : -((-hour + 23) / 24);
  const Date date = add_days(Date{year, 1, 1}, day);
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, " %02d:00", static_cast<int>(hour - 24 * day));
  return to_string(date) + buffer;
}

const char* to_string(ForecastMethod method) {
  switch (method) {
    case ForecastMethod::kForecast:
      return "forecast";
    case ForecastMethod::kModel:
      return "model";
    case ForecastMethod::kPersistenceDay:
      return "persistence_day";
    case ForecastMethod::kPersistenceWeek:
      return "persistence_week";
  }
  return "forecast";
}

ForecastMetrics forecast_metrics(std::span<const double> forecast_kw, std::span<const double> measured_kw,
                                 const std::vector<bool>& scored) {
  ForecastMetrics m;
  double ape_sum = 0.0;
  int ape_hours = 0;
  double squared_error_sum = 0.0;
  double measured_sum = 0.0;
  double peak_forecast_kw = -std::numeric_limits<double>::infinity();
  double peak_measured_kw = -std::numeric_limits<double>::infinity();
  std::size_t peak_forecast_at = 0;
  std::size_t peak_measured_at = 0;
  for (std::size_t i = 0; i < measured_kw.size(); ++i) {
    const double y = measured_kw[i];
    const double f = forecast_kw[i];
    if (!scored[i] || !std::isfinite(y) || !std::isfinite(f)) continue;
    ++m.hours;
    if (y > 0.0) {
      ape_sum += std::abs(y - f) / y;
      ++ape_hours;
    }
    squared_error_sum += (y - f) * (y - f);
    measured_sum += y;
    if (f > peak_forecast_kw) {
      peak_forecast_kw = f;
      peak_forecast_at = i;
    }
    if (y > peak_measured_kw) {
      peak_measured_kw = y;
      peak_measured_at = i;
    }
  }
  if (m.hours == 0) return m;
  const double n = m.hours;
  if (ape_hours > 0) m.mape_pct = 100.0 * ape_sum / ape_hours;
  // ASHRAE Guideline 14-2014: CV(RMSE) = 100 · sqrt(Σ(y − ŷ)² / (n − p)) / ȳ, p = 0 out of sample.
  const double mean_kw = measured_sum / n;
  if (mean_kw > 0.0) m.cv_rmse_pct = 100.0 * std::sqrt(squared_error_sum / n) / mean_kw;
  m.peak_error_kw = peak_forecast_kw - peak_measured_kw;
  if (peak_measured_kw > 0.0) m.peak_error_pct = 100.0 * m.peak_error_kw / peak_measured_kw;
  m.peak_timing_h = static_cast<double>(peak_forecast_at) - static_cast<double>(peak_measured_at);
  return m;
}

double residual_correction_kw(double level_kw, double last_kw, double phi, int lead_h) {
  return level_kw + std::pow(phi, lead_h) * (last_kw - level_kw);
}

Forecast forecast(const Calibration& calibration, const MeasuredData& measured, const Calendar& calendar,
                  std::span<const double> dry_bulb_c, int from_hour, int hours,
                  const ForecastOptions& options) {
  const int year = calendar.year();
  const std::string from_label = hour_label(year, from_hour);
  if (hours < 1 || hours > kForecastMaxHours) {
    throw Error(ErrorCode::kBadInput, "forecast: hours = " + std::to_string(hours) + ": give 1 to " +
                                          std::to_string(kForecastMaxHours) + " hours (e.g. 48)");
  }
  if (from_hour < 0 || from_hour + hours > calendar.hours()) {
    throw Error(ErrorCode::kBadInput,
                "forecast: " + std::to_string(hours) + " hours from " + from_label + " leave the year " +
                    std::to_string(year) +
                    ": a forecast stays within one calendar year; start earlier or forecast "
                    "fewer hours");
  }
  if (dry_bulb_c.size() != static_cast<std::size_t>(calendar.hours())) {
    throw Error(ErrorCode::kBadInput, "forecast: " + std::to_string(dry_bulb_c.size()) +
                                          " hourly temperatures for the year " + std::to_string(year) +
                                          ", which has " + std::to_string(calendar.hours()) +
                                          " hours: give one temperature an hour of the year");
  }
  // Hour t of the forecast's year is hour t + offset_h of the measured axis.
  const long long offset_h =
      24 * (days_since_epoch(Date{year, 1, 1}) - days_since_epoch(Date{measured.start_year, 1, 1})) -
      measured.first_hour;
  const std::string data_start = hour_label(measured.start_year, measured.first_hour);
  const std::string data_end =
      hour_label(measured.start_year, static_cast<long long>(measured.first_hour) + measured.hours);
  if (from_hour + offset_h <= 0 || measured.hours <= 0) {
    throw Error(ErrorCode::kBadInput, "forecast: --from " + from_label +
                                          " is not after the start of the measured data, which run from " +
                                          data_start + " to " + data_end +
                                          " (KST): start the forecast after some measured hours");
  }

  Forecast out;
  out.year = year;
  out.from_hour = from_hour;
  out.hours = hours;
  out.provenance = options;
  out.provenance.facility_complex.clear();
  out.provenance.weather = nullptr;
  out.provenance.cancelled = nullptr;

  const MeterIndex load_meters = index_meters(measured, MeterTarget::kFacility, MeterQuantity::kLoad);
  const auto window_start = std::max(0, from_hour - kForecastResidualWindowH);
  if (from_hour - kForecastResidualWindowH < 0) {
    out.notes.push_back("the residuals' window is cut to the " + std::to_string(from_hour) + " hours of " +
                        std::to_string(year) + " before " + from_label +
                        " (the model is evaluated within the forecast's year only)");
  }
  const auto n_hours = static_cast<std::size_t>(hours);
  std::vector<std::string> problems;
  std::size_t without_meter = 0;
  std::size_t scaled = 0;
  std::vector<std::string> uncorrected;
  for (const LoadCalibration& c : calibration.loads) {
    stop_if_asked(options.cancelled,
                  "before forecasting facility " + c.facility_id + "; nothing was written");
    if (c.method != CalibrationMethod::kModel) {
      ++scaled;
      continue;
    }
    const std::vector<std::size_t>* candidates = find_meters(load_meters, c.facility_id);
    const std::size_t meter = pick_meter(measured, candidates, c.meter_id);
    if (meter == std::string::npos) {
      if (candidates != nullptr && candidates->size() > 1) {
        out.notes.push_back("facility " + c.facility_id + " has " + std::to_string(candidates->size()) +
                            " load meters and none is its calibration's meter " + c.meter_id +
                            ": not forecast");
      } else {
        ++without_meter;
      }
      continue;
    }
    const auto complex = options.facility_complex.find(c.facility_id);
    if (complex == options.facility_complex.end()) {
      problems.push_back("facility " + c.facility_id + " (meter " + measured.meters[meter].meter_id +
                         ") is not in the layout: give the layout the calibration was made for");
      continue;
    }
    const MeterView y(measured, meter, offset_h);
    const auto model_kw = [&](int t) {
      return calibrated_kw(c, calendar.day_type(t), calendar.hour_of_day(t),
                           dry_bulb_c[static_cast<std::size_t>(t)]);
    };
    ForecastSeries s;
    s.id = c.facility_id;
    s.complex_id = complex->second;
    s.meter_id = measured.meters[meter].meter_id;
    s.noise_autocorrelation = c.noise_autocorrelation;
    // The residuals of the window before the forecast: their mean is the recent level, the last one
    // the starting point of the AR(1) decay.
    double residual_sum_kw = 0.0;
    for (int t = window_start; t < from_hour; ++t) {
      const double value = y.at(t);
      if (!std::isfinite(value)) continue;
      const double r = value - model_kw(t);
      residual_sum_kw += r;
      ++s.residual_hours;
      s.last_measured_hour = t;
      s.residual_last_kw = r;
    }
    if (s.residual_hours > 0) {
      s.residual_level_kw = residual_sum_kw / s.residual_hours;
    } else {
      uncorrected.push_back(c.facility_id);
    }
    s.forecast_kw.resize(n_hours);
    s.model_kw.resize(n_hours);
    s.measured_kw.resize(n_hours);
    s.persistence_day_kw.resize(n_hours);
    s.persistence_week_kw.resize(n_hours);
    for (std::size_t i = 0; i < n_hours; ++i) {
      const int t = from_hour + static_cast<int>(i);
      const double model = model_kw(t);
      double correction = 0.0;
      if (s.residual_hours > 0) {
        correction = residual_correction_kw(s.residual_level_kw, s.residual_last_kw, c.noise_autocorrelation,
                                            t - s.last_measured_hour);
      }
      s.model_kw[i] = model;
      // A load is never negative: a correction below −model is cut at 0.
      s.forecast_kw[i] = std::max(0.0, model + correction);
      s.measured_kw[i] = y.at(t);
      s.persistence_day_kw[i] = seasonal_naive(y, from_hour - 1, t, 24);
      s.persistence_week_kw[i] = seasonal_naive(y, from_hour - 1, t, 7 * 24);
    }
    score(s);
    out.issued_at_hour = std::max(out.issued_at_hour, s.last_measured_hour);
    out.facilities.push_back(std::move(s));
  }
  if (!problems.empty()) throw ConfigError("forecast: metered facilities without a complex", problems);
  if (out.facilities.empty()) {
    throw Error(ErrorCode::kBadInput,
                "forecast: no facility has both a fitted model (method model) in the calibration and a load "
                "meter in the measured data: calibrate against these measured data first (sandan calibrate)");
  }
  if (out.issued_at_hour < 0) {
    throw Error(ErrorCode::kBadInput,
                "forecast: no metered facility has a measured hour in the 7 days before " + from_label +
                    " (the measured data run from " + data_start + " to " + data_end +
                    " KST): start the forecast within a week of the data's end");
  }
  out.correction_age_h = from_hour - (out.issued_at_hour + 1);
  if (without_meter > 0) {
    out.notes.push_back(
        std::to_string(without_meter) +
        " facilities with a fitted model have no load meter in the measured data: not forecast");
  }
  if (scaled > 0) {
    out.notes.push_back(
        std::to_string(scaled) +
        " scaled facilities (archetype × factor) are metered only as part of a group: not forecast");
  }
  if (!uncorrected.empty()) {
    out.notes.push_back(std::to_string(uncorrected.size()) + " facilities (first " + uncorrected.front() +
                        ") have no measured hour in the 7 days before " + from_label +
                        ": their forecast is the model alone");
  }
  if (out.correction_age_h > 0) {
    out.notes.push_back("the latest measurement ends " + std::to_string(out.correction_age_h) +
                        " hours before " + from_label + ": the correction has decayed by that much more");
  }

  // Complexes: the sums of their metered facilities, in order of first appearance.
  stop_if_asked(options.cancelled, "before forecasting the complexes; nothing was written");
  std::map<std::string, std::size_t> complex_index;
  for (const ForecastSeries& f : out.facilities) {
    auto [it, added] = complex_index.try_emplace(f.complex_id, out.complexes.size());
    if (added) {
      ForecastSeries s;
      s.id = f.complex_id;
      s.complex_id = f.complex_id;
      s.forecast_kw.assign(n_hours, 0.0);
      s.model_kw.assign(n_hours, 0.0);
      s.measured_kw.assign(n_hours, 0.0);
      s.persistence_day_kw.assign(n_hours, 0.0);
      s.persistence_week_kw.assign(n_hours, 0.0);
      out.complexes.push_back(std::move(s));
    }
    ForecastSeries& s = out.complexes[it->second];
    // A missing measurement of any member makes the complex's sum missing (NaN propagates).
    for (std::size_t i = 0; i < n_hours; ++i) {
      s.forecast_kw[i] += f.forecast_kw[i];
      s.model_kw[i] += f.model_kw[i];
      s.measured_kw[i] += f.measured_kw[i];
      s.persistence_day_kw[i] += f.persistence_day_kw[i];
      s.persistence_week_kw[i] += f.persistence_week_kw[i];
    }
  }
  const MeterIndex complex_meters = index_meters(measured, MeterTarget::kComplex, MeterQuantity::kLoad);
  out.complex_meter_kw.assign(out.complexes.size() * n_hours, kNan);
  for (std::size_t x = 0; x < out.complexes.size(); ++x) {
    ForecastSeries& s = out.complexes[x];
    score(s);
    const std::vector<std::size_t>* meters = find_meters(complex_meters, s.id);
    if (meters == nullptr) continue;
    if (meters->size() > 1) {
      out.notes.push_back("complex " + s.id + " has " + std::to_string(meters->size()) +
                          " complex meters: " + measured.meters[meters->front()].meter_id + " is shown");
    }
    s.meter_id = measured.meters[meters->front()].meter_id;
    const MeterView y(measured, meters->front(), offset_h);
    for (std::size_t i = 0; i < n_hours; ++i)
      out.complex_meter_kw[x * n_hours + i] = y.at(from_hour + static_cast<int>(i));
  }

  // PV: the rooftop model's output per kWp × the metered system's size × its yield factor.
  stop_if_asked(options.cancelled, "before the PV forecast; nothing was written");
  if (!calibration.pv.empty()) {
    const Weather* weather = options.weather;
    std::string skipped;
    if (weather == nullptr) {
      skipped = "no weather file was given";
    } else if (weather->hours() != static_cast<std::size_t>(calendar.hours())) {
      skipped = "the weather file has " + std::to_string(weather->hours()) + " hours, the year " +
                std::to_string(year) + " " + std::to_string(calendar.hours());
    } else {
      double ghi_wh_m2 = 0.0;
      for (const double g : weather->ghi_wh_m2) ghi_wh_m2 += g;
      if (!(ghi_wh_m2 > 0.0)) skipped = "the weather file has no radiation";
    }
    const MeterIndex pv_meters = index_meters(measured, MeterTarget::kFacility, MeterQuantity::kPv);
    std::vector<float> per_kwp;
    if (skipped.empty()) per_kwp = pv_ac_kw_per_kwp(*weather, calendar, options.pv_system);
    std::size_t without_size = 0;
    for (const PvCalibration& p : calibration.pv) {
      const std::size_t meter = pick_meter(measured, find_meters(pv_meters, p.facility_id), p.meter_id);
      if (meter == std::string::npos || !skipped.empty()) continue;
      const MeterInfo& info = measured.meters[meter];
      if (!(info.capacity_kwp > 0.0)) {
        ++without_size;
        continue;
      }
      PvForecastSeries s;
      s.facility_id = p.facility_id;
      s.meter_id = info.meter_id;
      s.capacity_kwp = info.capacity_kwp;
      s.yield_factor = p.yield_factor;
      s.forecast_kw.resize(n_hours);
      s.measured_kw.resize(n_hours);
      const MeterView y(measured, meter, offset_h);
      for (std::size_t i = 0; i < n_hours; ++i) {
        const int t = from_hour + static_cast<int>(i);
        s.forecast_kw[i] =
            static_cast<double>(per_kwp[static_cast<std::size_t>(t)]) * s.capacity_kwp * s.yield_factor;
        s.measured_kw[i] = y.at(t);
      }
      s.metrics = forecast_metrics(s.forecast_kw, s.measured_kw, std::vector<bool>(n_hours, true));
      out.pv.push_back(std::move(s));
    }
    if (!skipped.empty()) {
      out.notes.push_back("no PV forecast for the " + std::to_string(calibration.pv.size()) +
                          " calibrated PV systems: " + skipped +
                          " (give --weather with radiation for the year)");
    }
    if (without_size > 0) {
      out.notes.push_back(std::to_string(without_size) +
                          " PV meters have no capacity_kwp in the measured data: no PV forecast for them");
    }
  }
  return out;
}

}  // namespace sandan
