// twin/calibrate: fitting facility load models and PV yield factors to meter data (docs/twin.md,
// "Calibration").
#include "twin/calibrate.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/threads.hpp"
#include "energy/rooftop_pv.hpp"

namespace sandan {
namespace {

constexpr int kHoursPerDay = 24;
constexpr int kCells = kCalibrationDayTypes * kHoursPerDay;
// A (day type, hour) cell needs two training days: one day fixes its mean but leaves no residual, so
// the cell would copy that day's noise into the model (and its residual would be 0 by construction).
constexpr int kMinCellDays = 2;
// A heating or cooling term needs two days' worth of hours beyond its change point, so that one warm
// or cold spell cannot create a term from a single day's anomaly.
constexpr int kMinActiveHours = 48;
// The lag-1 autocorrelation a calibration file accepts is below 1 in magnitude (a unit root would
// make the noise wander off); a fitted value at the limit is kept just inside it.
constexpr double kMaxAutocorrelation = 0.999;
// Guards against dividing by sums that are 0 up to rounding.
constexpr double kTiny = 1e-12;

std::string format(const char* pattern, double value) {
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), pattern, value);
  return text.data();
}

const char* target_name(MeterTarget target) {
  switch (target) {
    case MeterTarget::kFacility:
      return "facility";
    case MeterTarget::kFeeder:
      return "feeder";
    case MeterTarget::kSubstation:
      return "substation";
    case MeterTarget::kComplex:
      return "complex";
  }
  return "facility";
}

// The fallbacks of a day type with too few training days, nearest first: a holiday is run like a
// Sunday, a shutdown like a holiday, a Sunday like a Saturday and a Saturday like a weekday.
std::vector<int> fallback_chain(int day_type) {
  switch (static_cast<DayType>(day_type)) {
    case DayType::kWeekday:
      return {};
    case DayType::kSaturday:
      return {0};
    case DayType::kSunday:
      return {1, 0};
    case DayType::kHoliday:
      return {2, 1, 0};
    case DayType::kShutdown:
      return {3, 2, 1, 0};
  }
  return {};
}

// Which hours of the year a statistic or a fit uses.
struct YearMasks {
  std::vector<char> training;  // in the data, outside the holdout
  std::vector<char> holdout;   // in the data and the holdout
};

// Monthly sums over the hours valid in both series (Guideline 14 judges monthly data as sums).
void monthly_sums(const std::vector<double>& y, const std::vector<double>& y_hat,
                  const std::vector<char>& mask, const Calendar& calendar, std::vector<double>& y_month,
                  std::vector<double>& y_hat_month) {
  std::array<double, 12> sum_y{};
  std::array<double, 12> sum_hat{};
  std::array<int, 12> count{};
  for (int h = 0; h < calendar.hours(); ++h) {
    const auto i = static_cast<std::size_t>(h);
    if (mask[i] == 0 || !std::isfinite(y[i]) || !std::isfinite(y_hat[i])) continue;
    const auto m = static_cast<std::size_t>(calendar.month(h) - 1);
    sum_y[m] += y[i];
    sum_hat[m] += y_hat[i];
    ++count[m];
  }
  y_month.clear();
  y_hat_month.clear();
  for (std::size_t m = 0; m < 12; ++m) {
    if (count[m] == 0) continue;
    y_month.push_back(sum_y[m]);
    y_hat_month.push_back(sum_hat[m]);
  }
}

// Hourly and monthly statistics over the hours of `mask`; p counts for the hourly ones only (see the
// note in calibrate()).
PeriodStatistics period_statistics(const std::vector<double>& y, const std::vector<double>& y_hat,
                                   const std::vector<char>& mask, const Calendar& calendar, int parameters) {
  PeriodStatistics stats;
  std::vector<double> y_in;
  std::vector<double> hat_in;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (mask[i] == 0) continue;
    y_in.push_back(y[i]);
    hat_in.push_back(y_hat[i]);
  }
  stats.hourly = fit_statistics(y_in, hat_in, parameters, false);
  std::vector<double> y_month;
  std::vector<double> hat_month;
  monthly_sums(y, y_hat, mask, calendar, y_month, hat_month);
  stats.monthly = fit_statistics(y_month, hat_month, 0, true);
  return stats;
}

ModelStatistics model_statistics(const std::vector<double>& y, const std::vector<double>& y_hat,
                                 const YearMasks& masks, const Calendar& calendar, int parameters) {
  return {period_statistics(y, y_hat, masks.training, calendar, parameters),
          period_statistics(y, y_hat, masks.holdout, calendar, 0)};
}

// The candidate change points: whole degrees within the training temperatures.
struct Grid {
  int first_c = 0;
  int count = 0;
};

// Sums of one change-point feature x (heating (t − T)⁺ or cooling (T − t)⁺) over the training hours.
struct FeatureSums {
  std::array<double, kCells> cell_sum{};  // Σx in each cell
  double xx = 0.0;                        // Σx², raw
  double xy = 0.0;                        // Σx·ỹ, ỹ demeaned within its cell
  double demeaned_xx = 0.0;               // Σx̃², x̃ demeaned within its cell
  int active = 0;                         // hours with x > 0
};

struct TermFit {
  double rss = 0.0;
  double heating_slope = 0.0;
  double cooling_slope = 0.0;
  int heating_index = -1;  // into the grid
  int cooling_index = -1;
};

// Shift pattern of a fitted weekday profile: the hours at or above the midpoint between the profile's
// lowest and highest load are its working hours. A profile whose lowest hour is ≥ 70 % of its highest,
// or with more than 20 working hours, runs around the clock; more than 12 working hours is two shifts
// (06-22 in the archetypes); up to 12 is a day shift (08:30-17:30 with overtime). The archetypes of
// gis_data/loads/archetypes.yaml classify as themselves by this rule.
std::string shift_pattern(const std::array<double, 24>& weekday) {
  const auto [lo_it, hi_it] = std::minmax_element(weekday.begin(), weekday.end());
  const double lo = *lo_it;
  const double hi = *hi_it;
  if (!(hi > 0.0)) return "continuous";
  if (lo >= 0.7 * hi) return "continuous";
  const double threshold = lo + 0.5 * (hi - lo);
  const auto working =
      std::count_if(weekday.begin(), weekday.end(), [&](double v) { return v >= threshold; });
  if (working > 20) return "continuous";
  return working > 12 ? "two" : "day";
}

struct ModelResult {
  LoadCalibration calibration;
  int parameters = 0;
  std::vector<std::string> fallbacks;
  std::string problem;  // a reason the meter cannot be fitted (empty: fitted)
};

// The TOWT-with-change-points fit of one facility meter (docs/twin.md): hourly y (kWh in the hour =
// mean kW) on the hours of the year, T the outdoor temperature.
ModelResult fit_model(const std::vector<double>& y, const std::vector<char>& training,
                      const std::vector<double>& temperature_c, const Calendar& calendar) {
  ModelResult result;
  const int hours = calendar.hours();
  std::vector<int> index;  // training hours with a value
  std::vector<int> cell_of;
  index.reserve(static_cast<std::size_t>(hours));
  double t_min = INFINITY;
  double t_max = -INFINITY;
  for (int h = 0; h < hours; ++h) {
    const auto i = static_cast<std::size_t>(h);
    if (training[i] == 0 || !std::isfinite(y[i]) || !std::isfinite(temperature_c[i])) continue;
    index.push_back(h);
    cell_of.push_back(static_cast<int>(calendar.day_type(h)) * kHoursPerDay + calendar.hour_of_day(h));
    t_min = std::min(t_min, temperature_c[i]);
    t_max = std::max(t_max, temperature_c[i]);
  }
  const std::size_t n = index.size();
  std::array<int, kCells> cell_n{};
  std::array<double, kCells> cell_y{};
  for (std::size_t k = 0; k < n; ++k) {
    ++cell_n[static_cast<std::size_t>(cell_of[k])];
    cell_y[static_cast<std::size_t>(cell_of[k])] += y[static_cast<std::size_t>(index[k])];
  }
  std::array<double, kCells> cell_mean{};
  for (std::size_t c = 0; c < kCells; ++c) cell_mean[c] = cell_n[c] > 0 ? cell_y[c] / cell_n[c] : 0.0;
  // ỹ: y demeaned within its cell, so the slopes' normal equations involve only demeaned sums.
  std::vector<double> y_tilde(n);
  std::vector<double> temp(n);
  for (std::size_t k = 0; k < n; ++k) {
    y_tilde[k] = y[static_cast<std::size_t>(index[k])] - cell_mean[static_cast<std::size_t>(cell_of[k])];
    temp[k] = temperature_c[static_cast<std::size_t>(index[k])];
  }
  double syy = 0.0;
  for (const double v : y_tilde) syy += v * v;

  // Whole-degree change points within the training temperatures: beyond them a term is 0 everywhere.
  Grid grid;
  if (n > 0) {
    grid.first_c = static_cast<int>(std::ceil(t_min));
    grid.count = std::max(0, static_cast<int>(std::floor(t_max)) - grid.first_c + 1);
  }
  const auto sums = [&](bool heating) {
    std::vector<FeatureSums> out(static_cast<std::size_t>(grid.count));
    for (int g = 0; g < grid.count; ++g) {
      const double t = grid.first_c + g;
      FeatureSums& s = out[static_cast<std::size_t>(g)];
      for (std::size_t k = 0; k < n; ++k) {
        const double x = heating ? t - temp[k] : temp[k] - t;
        if (x <= 0.0) continue;
        s.cell_sum[static_cast<std::size_t>(cell_of[k])] += x;
        s.xx += x * x;
        s.xy += x * y_tilde[k];
        ++s.active;
      }
      double between = 0.0;  // Σ_c (Σx)²/n_c: the part of Σx² the cell means explain
      for (std::size_t c = 0; c < kCells; ++c) {
        if (cell_n[c] > 0) between += s.cell_sum[c] * s.cell_sum[c] / cell_n[c];
      }
      s.demeaned_xx = s.xx - between;
    }
    return out;
  };
  const std::vector<FeatureSums> heat = sums(true);
  const std::vector<FeatureSums> cool = sums(false);

  // Every candidate is a least-squares fit with non-negative slopes; with two slopes the constrained
  // optimum is one of: both (if both come out ≥ 0), one alone (if ≥ 0), none. The least RSS wins.
  TermFit best;
  best.rss = syy;
  const auto usable = [](const FeatureSums& s) {
    return s.active >= kMinActiveHours && s.demeaned_xx > kTiny;
  };
  for (int g = 0; g < grid.count; ++g) {
    const FeatureSums& h = heat[static_cast<std::size_t>(g)];
    if (usable(h) && h.xy > 0.0) {
      const double rss = syy - h.xy * h.xy / h.demeaned_xx;
      if (rss < best.rss) best = {rss, h.xy / h.demeaned_xx, 0.0, g, -1};
    }
    const FeatureSums& c = cool[static_cast<std::size_t>(g)];
    if (usable(c) && c.xy > 0.0) {
      const double rss = syy - c.xy * c.xy / c.demeaned_xx;
      if (rss < best.rss) best = {rss, 0.0, c.xy / c.demeaned_xx, -1, g};
    }
  }
  for (int gh = 0; gh < grid.count; ++gh) {
    const FeatureSums& h = heat[static_cast<std::size_t>(gh)];
    if (!usable(h)) continue;
    for (int gc = gh; gc < grid.count; ++gc) {
      const FeatureSums& c = cool[static_cast<std::size_t>(gc)];
      if (!usable(c)) continue;
      // With Th ≤ Tc no hour has both terms, so Σ xh·xc = 0 and the demeaned cross product is
      // −Σ_c (Σxh)(Σxc)/n_c: 120 terms a pair instead of a pass over the year.
      double shc = 0.0;
      for (std::size_t cell = 0; cell < kCells; ++cell) {
        if (cell_n[cell] > 0) shc -= h.cell_sum[cell] * c.cell_sum[cell] / cell_n[cell];
      }
      const double det = h.demeaned_xx * c.demeaned_xx - shc * shc;
      if (!(det > kTiny * h.demeaned_xx * c.demeaned_xx)) continue;
      const double bh = (c.demeaned_xx * h.xy - shc * c.xy) / det;
      const double bc = (h.demeaned_xx * c.xy - shc * h.xy) / det;
      if (!(bh > 0.0) || !(bc > 0.0)) continue;
      const double rss = syy - bh * h.xy - bc * c.xy;
      if (rss < best.rss) best = {rss, bh, bc, gh, gc};
    }
  }

  LoadCalibration& cal = result.calibration;
  cal.heating_slope_kw_per_k = best.heating_slope;
  cal.cooling_slope_kw_per_k = best.cooling_slope;
  if (best.heating_index >= 0) cal.heating_change_c = grid.first_c + best.heating_index;
  if (best.cooling_index >= 0) cal.cooling_change_c = grid.first_c + best.cooling_index;
  // The struct's defaults stay for a term the fit dropped; keep them ordered for the file's check.
  if (best.heating_index < 0 && cal.heating_change_c > cal.cooling_change_c)
    cal.heating_change_c = cal.cooling_change_c;
  if (best.cooling_index < 0 && cal.cooling_change_c < cal.heating_change_c)
    cal.cooling_change_c = cal.heating_change_c;
  const auto mean_x = [&](const std::vector<FeatureSums>& s, int g, std::size_t cell) {
    return g < 0 || cell_n[cell] == 0 ? 0.0 : s[static_cast<std::size_t>(g)].cell_sum[cell] / cell_n[cell];
  };
  // Base load of a cell: its mean less the terms' contribution at its mean temperature feature.
  std::array<bool, kCells> own{};
  int fitted_cells = 0;
  for (std::size_t cell = 0; cell < kCells; ++cell) {
    if (cell_n[cell] < kMinCellDays) continue;
    own[cell] = true;
    ++fitted_cells;
    const double base = cell_mean[cell] - best.heating_slope * mean_x(heat, best.heating_index, cell) -
                        best.cooling_slope * mean_x(cool, best.cooling_index, cell);
    cal.base_kw[cell / kHoursPerDay][cell % kHoursPerDay] = std::max(0.0, base);
  }
  for (int d = 0; d < kCalibrationDayTypes; ++d) {
    std::map<int, int> hours_by_source;  // fallback day type → hours of day it served
    for (int hod = 0; hod < kHoursPerDay; ++hod) {
      const auto cell = static_cast<std::size_t>(d) * kHoursPerDay + static_cast<std::size_t>(hod);
      if (own[cell]) continue;
      bool found = false;
      for (const int source : fallback_chain(d)) {
        const auto from = static_cast<std::size_t>(source) * kHoursPerDay + static_cast<std::size_t>(hod);
        if (!own[from]) continue;
        cal.base_kw[static_cast<std::size_t>(d)][static_cast<std::size_t>(hod)] =
            cal.base_kw[static_cast<std::size_t>(source)][static_cast<std::size_t>(hod)];
        ++hours_by_source[source];
        found = true;
        break;
      }
      if (!found) {
        result.problem = "too few training days of " + std::string(to_string(static_cast<DayType>(d))) +
                         " at hour " + std::to_string(hod) +
                         " and of every day type it falls back to (at least 2 are needed); give data of more "
                         "days, or a shorter holdout";
        return result;
      }
    }
    for (const auto& [source, count] : hours_by_source) {
      std::string chain = std::string(to_string(static_cast<DayType>(d)));
      for (const int step : fallback_chain(d)) {
        chain += " -> " + std::string(to_string(static_cast<DayType>(step)));
        if (step == source) break;
      }
      result.fallbacks.push_back(chain + " (" + std::to_string(count) + " hours of day)");
    }
  }
  result.parameters = fitted_cells + (best.heating_index >= 0 ? 2 : 0) + (best.cooling_index >= 0 ? 2 : 0);

  // Noise: the load model applies noise as a multiplier around 1 (energy/loads.cpp), so residuals
  // r = y − ŷ have variance σ²ŷ². σ is estimated as √(Σr² / Σŷ²): a ratio of sums, which stays stable
  // where ŷ is near 0 (a per-hour ratio r/ŷ would explode at a closed plant's night hours). The lag-1
  // autocorrelation is that of the residuals over consecutive training hours.
  std::vector<double> residual(static_cast<std::size_t>(hours), kMissing);
  double sum_r2 = 0.0;
  double sum_model2 = 0.0;
  for (const int h : index) {
    const auto i = static_cast<std::size_t>(h);
    const double model_kw =
        calibrated_kw(cal, calendar.day_type(h), calendar.hour_of_day(h), temperature_c[i]);
    residual[i] = y[i] - model_kw;
    sum_r2 += residual[i] * residual[i];
    sum_model2 += model_kw * model_kw;
  }
  if (sum_model2 > 0.0) cal.noise_sd = std::sqrt(sum_r2 / sum_model2);
  double lag = 0.0;
  double first_sq = 0.0;
  double second_sq = 0.0;
  for (int h = 1; h < hours; ++h) {
    const double a = residual[static_cast<std::size_t>(h - 1)];
    const double b = residual[static_cast<std::size_t>(h)];
    if (!std::isfinite(a) || !std::isfinite(b)) continue;
    lag += a * b;
    first_sq += a * a;
    second_sq += b * b;
  }
  if (first_sq > 0.0 && second_sq > 0.0) {
    cal.noise_autocorrelation =
        std::clamp(lag / std::sqrt(first_sq * second_sq), -kMaxAutocorrelation, kMaxAutocorrelation);
  }
  return result;
}

// The hours of `year` in the data's axis: axis index = year hour + offset.
int year_offset(const MeasuredData& data, int year) {
  const long long days = days_since_epoch({year, 1, 1}) - days_since_epoch({data.start_year, 1, 1});
  return static_cast<int>(24 * days) - data.first_hour;
}

int overlap_hours(const MeasuredData& data, int year) {
  const int offset = year_offset(data, year);
  const int first = std::max(0, offset);
  const int last = std::min(data.hours, offset + 24 * days_in_year(year));
  return std::max(0, last - first);
}

// A meter's values on the hours of the year (NaN outside the data).
std::vector<double> year_series(const MeasuredData& data, std::size_t meter, const Calendar& calendar) {
  std::vector<double> out(static_cast<std::size_t>(calendar.hours()), kMissing);
  const int offset = year_offset(data, calendar.year());
  for (int h = 0; h < calendar.hours(); ++h) {
    const int a = h + offset;
    if (a >= 0 && a < data.hours) out[static_cast<std::size_t>(h)] = data.at(meter, a);
  }
  return out;
}

void add_facility_archetype(const LoadModel& model, std::size_t facility, double scale,
                            std::vector<double>& sum, std::vector<float>& elec, std::vector<float>& fuel) {
  (void)model.facility(facility, elec.data(), fuel.data());
  for (std::size_t h = 0; h < sum.size(); ++h) sum[h] += scale * static_cast<double>(elec[h]);
}

}  // namespace

std::optional<Holdout> parse_holdout(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  const auto from = parse_date(std::string_view(text).substr(0, slash));
  const auto to = parse_date(std::string_view(text).substr(slash + 1));
  if (!from || !to || *to < *from) return std::nullopt;
  return Holdout{*from, *to};
}

FitStatistics fit_statistics(const std::vector<double>& measured, const std::vector<double>& modelled,
                             int parameters, bool monthly) {
  FitStatistics stats;
  stats.p = parameters;
  double sum_y = 0.0;
  double sum_error = 0.0;
  double sum_sq = 0.0;
  for (std::size_t i = 0; i < measured.size() && i < modelled.size(); ++i) {
    if (!std::isfinite(measured[i]) || !std::isfinite(modelled[i])) continue;
    const double error = measured[i] - modelled[i];
    sum_y += measured[i];
    sum_error += error;
    sum_sq += error * error;
    ++stats.n;
  }
  if (stats.n <= parameters || stats.n == 0) return stats;
  const double mean_y = sum_y / stats.n;
  if (!(mean_y > 0.0)) return stats;
  const double dof = stats.n - parameters;
  stats.nmbe_pct = 100.0 * sum_error / (dof * mean_y);
  stats.cv_rmse_pct = 100.0 * std::sqrt(sum_sq / dof) / mean_y;
  const double cv_limit = monthly ? kG14MonthlyCvPct : kG14HourlyCvPct;
  const double nmbe_limit = monthly ? kG14MonthlyNmbePct : kG14HourlyNmbePct;
  stats.passes = stats.cv_rmse_pct <= cv_limit && std::abs(stats.nmbe_pct) <= nmbe_limit;
  return stats;
}

CalibrationOutcome calibrate(const CalibrationInputs& inputs, const CalibrationOptions& options) {
  const MeasuredData& data = *inputs.measured;
  const SiteModel& model = *inputs.site;
  const Site& site = model.site;
  const std::string& file =
      inputs.measured_path.empty() ? std::string("measured data") : inputs.measured_path;
  std::vector<std::string> problems;
  const auto fail = [&](const std::string& headline) {
    if (!problems.empty()) throw ConfigError(file + ": " + headline, problems);
  };

  // The year: the one asked for, else the calendar year holding most of the data's hours.
  // The axis starts first_hour after 1 January of start_year; a year has at least 8760 hours.
  const int first_year = data.start_year + data.first_hour / 8784;
  const int last_year = data.start_year + (data.first_hour + data.hours) / 8760 + 1;
  int year = 0;
  if (options.year) {
    year = *options.year;
    if (overlap_hours(data, year) == 0) {
      problems.push_back(file + ": the data (" + std::to_string(data.hours) + " hours from " +
                         std::to_string(data.start_year) + "-01-01 + " + std::to_string(data.first_hour) +
                         " h) do not overlap " + std::to_string(year) +
                         "; calibrate a year the data cover (--year), or leave --year out");
      fail("no data in the year");
    }
  } else {
    int most = 0;
    for (int y = first_year; y <= last_year; ++y) {
      if (const int overlap = overlap_hours(data, y); overlap > most) {
        most = overlap;
        year = y;
      }
    }
    if (most == 0) {
      problems.push_back(file + ": the data hold no hours; ingest meter data first (sandan ingest)");
      fail("no data");
    }
  }
  const bool covered = std::any_of(inputs.holidays->begin(), inputs.holidays->end(),
                                   [&](const Holiday& h) { return h.date.year == year; });
  if (!covered) {
    throw ConfigError(inputs.holidays_path + ": no holidays of " + std::to_string(year),
                      {inputs.holidays_path + ": lists no holiday of " + std::to_string(year) +
                       ", the year of the data; add that year's public holidays and shutdown days"});
  }
  const Calendar calendar(year, *inputs.holidays);
  const Weather& weather = *inputs.weather;
  if (static_cast<int>(weather.hours()) != calendar.hours()) {
    throw ConfigError(
        inputs.weather_path + ": weather does not fit the year",
        {inputs.weather_path + ": has " + std::to_string(weather.hours()) + " hours but " +
         std::to_string(year) + " has " + std::to_string(calendar.hours()) + "; use a weather file " +
         (calendar.hours() == 8784 ? "with" : "without") + " 29 February"});
  }
  CalibrationOutcome outcome;
  CalibrationReport& report = outcome.report;
  report.measured = inputs.measured_path;
  report.weather = inputs.weather_path;
  report.year = year;
  report.holdout = options.holdout_text;
  if (!weather.year.empty() && weather.year.front() != year) {
    report.notes.push_back("the weather file's rows are of " + std::to_string(weather.year.front()) +
                           "; its temperatures and irradiance stand for " + std::to_string(year) +
                           " hour by hour of the year (same length, no 29 February mismatch): fitted slopes "
                           "and yield factors are only as good as that stand-in");
  }

  // Hours of the year in the data, and in the holdout.
  const int offset = year_offset(data, year);
  const int first_in = std::max(0, -offset);
  const int last_in = std::min(calendar.hours(), data.hours - offset) - 1;  // inclusive
  YearMasks masks;
  masks.training.assign(static_cast<std::size_t>(calendar.hours()), 0);
  masks.holdout.assign(static_cast<std::size_t>(calendar.hours()), 0);
  int holdout_first = -1;
  int holdout_last = -1;
  if (options.holdout) {
    const Holdout& holdout = *options.holdout;
    const std::string text = options.holdout_text.empty()
                                 ? to_string(holdout.from) + "/" + to_string(holdout.to)
                                 : options.holdout_text;
    const std::string span = to_string(calendar.date(first_in)) + " to " + to_string(calendar.date(last_in));
    if (holdout.from.year != year || holdout.to.year != year) {
      problems.push_back(file + ": holdout " + text + " is not within " + std::to_string(year) +
                         ", the year calibrated (data " + span + "); hold out dates of that year");
    } else {
      holdout_first = calendar.first_hour(holdout.from);
      holdout_last = calendar.first_hour(holdout.to) + 23;
      if (holdout_first < first_in || holdout_last > last_in) {
        problems.push_back(file + ": holdout " + text + " is outside the data of " + std::to_string(year) +
                           " (" + span + "); hold out dates within the data");
      }
    }
    fail("bad holdout");
  }
  for (int h = first_in; h <= last_in; ++h) {
    const bool held = h >= holdout_first && h <= holdout_last;
    (held ? masks.holdout : masks.training)[static_cast<std::size_t>(h)] = 1;
  }

  // Which meter measures what.
  std::map<std::string, std::size_t> facility_index;
  for (std::size_t f = 0; f < site.facilities.size(); ++f) facility_index[site.facilities[f].facility_id] = f;
  std::vector<int> load_meter_of(site.facilities.size(), -1);
  std::vector<int> pv_meter_of(site.facilities.size(), -1);
  std::vector<std::size_t> facility_meters;
  std::vector<std::size_t> pv_meters;
  std::vector<std::size_t> aggregate_meters;
  std::set<std::string> known_feeders;
  for (const auto& segment : site.feeders) known_feeders.insert(segment.feeder_id);
  for (std::size_t m = 0; m < data.meters.size(); ++m) {
    const MeterInfo& meter = data.meters[m];
    const std::string where = file + ": meter '" + meter.meter_id + "'";
    if (meter.target == MeterTarget::kFacility) {
      const auto it = facility_index.find(meter.target_id);
      if (it == facility_index.end()) {
        problems.push_back(
            where + ": facility '" + meter.target_id +
            "' is not in the layout; correct the meter mapping or give the layout that has it (--site)");
        continue;
      }
      auto& slot = meter.quantity == MeterQuantity::kPv ? pv_meter_of[it->second] : load_meter_of[it->second];
      if (slot >= 0) {
        problems.push_back(where + ": facility '" + meter.target_id + "' already has " +
                           (meter.quantity == MeterQuantity::kPv ? "PV" : "load") + " meter '" +
                           data.meters[static_cast<std::size_t>(slot)].meter_id +
                           "'; sum them in the data or map one to another facility");
        continue;
      }
      slot = static_cast<int>(m);
      (meter.quantity == MeterQuantity::kPv ? pv_meters : facility_meters).push_back(m);
      if (meter.quantity == MeterQuantity::kPv && !(meter.capacity_kwp > 0.0)) {
        problems.push_back(where +
                           ": PV meter without a capacity_kwp; give the system's DC size in the mapping");
      }
      continue;
    }
    if (meter.quantity == MeterQuantity::kPv) {
      problems.push_back(where + ": a PV meter must measure one facility's system, not a " +
                         target_name(meter.target) + "; map it to its facility");
      continue;
    }
    bool known = false;
    if (meter.target == MeterTarget::kFeeder) known = known_feeders.count(meter.target_id) > 0;
    if (meter.target == MeterTarget::kSubstation) {
      known = std::any_of(site.substations.begin(), site.substations.end(),
                          [&](const Substation& s) { return s.substation_id == meter.target_id; });
    }
    if (meter.target == MeterTarget::kComplex) {
      known = std::any_of(site.complexes.begin(), site.complexes.end(),
                          [&](const Complex& c) { return c.complex_id == meter.target_id; });
    }
    if (!known) {
      problems.push_back(
          where + ": " + target_name(meter.target) + " '" + meter.target_id +
          "' is not in the layout; correct the meter mapping or give the layout that has it (--site)");
      continue;
    }
    aggregate_meters.push_back(m);
  }
  fail("meters that do not fit the layout");

  // Stopping points between the phases and the meters (never inside a fit); nothing is written here.
  const auto stop_point = [&](const std::string& where) {
    stop_if_asked(options.cancelled, where + "; nothing was written");
  };
  stop_point("before the archetype loads");
  const std::vector<double>& temperature_c = weather.dry_bulb_c;
  // The archetypes' expected loads: noise off, as a random draw of it could not be matched hour by hour.
  LoadLibrary library = *inputs.library;
  library.noise_sd = 0.0;
  const LoadModel archetypes(site, calendar, temperature_c, library, options.seed);
  const auto hours = static_cast<std::size_t>(calendar.hours());

  // Facility meters: the TOWT-with-change-points model, one meter a task.
  std::vector<MeterCalibrationReport> facility_reports(facility_meters.size());
  std::vector<LoadCalibration> facility_fits(facility_meters.size());
  std::vector<std::string> facility_problems(facility_meters.size());
  // Read by the OpenMP pragma's num_threads clause, which the analyzer does not see.
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores)
  const int threads = checked_threads(options.threads) > 0 ? options.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::size_t k = 0; k < facility_meters.size(); ++k) {
    // Once asked to stop, the fits left are skipped (nothing may throw out of the loop); the stop is
    // thrown after it.
    if (stop_asked(options.cancelled)) continue;
    const std::size_t m = facility_meters[k];
    const MeterInfo& meter = data.meters[m];
    const std::size_t f = facility_index.at(meter.target_id);
    const std::vector<double> y = year_series(data, m, calendar);
    MeterCalibrationReport& r = facility_reports[k];
    r.meter_id = meter.meter_id;
    r.target = meter.target;
    r.target_id = meter.target_id;
    r.quantity = meter.quantity;
    r.method = "model";
    for (std::size_t h = 0; h < hours; ++h) {
      if (!std::isfinite(y[h])) continue;
      if (masks.training[h] != 0) {
        ++r.training_hours;
        r.measured_training_kwh += y[h];
      }
      if (masks.holdout[h] != 0) ++r.holdout_hours;
    }
    if (r.training_hours == 0) {
      facility_problems[k] = file + ": meter '" + meter.meter_id + "' has no valid hour in " +
                             std::to_string(year) +
                             " outside the holdout; give its data or leave it out of the mapping";
      continue;
    }
    ModelResult fit = fit_model(y, masks.training, temperature_c, calendar);
    if (!fit.problem.empty()) {
      facility_problems[k] = file + ": meter '" + meter.meter_id + "': " + fit.problem;
      continue;
    }
    LoadCalibration& cal = fit.calibration;
    cal.facility_id = meter.target_id;
    cal.meter_id = meter.meter_id;
    cal.method = CalibrationMethod::kModel;
    r.heating_slope_kw_per_k = cal.heating_slope_kw_per_k;
    r.cooling_slope_kw_per_k = cal.cooling_slope_kw_per_k;
    r.heating_change_c = cal.heating_slope_kw_per_k > 0.0 ? cal.heating_change_c : kMissing;
    r.cooling_change_c = cal.cooling_slope_kw_per_k > 0.0 ? cal.cooling_change_c : kMissing;
    r.noise_sd = cal.noise_sd;
    r.noise_autocorrelation = cal.noise_autocorrelation;
    r.parameters = fit.parameters;
    r.fallbacks = fit.fallbacks;
    r.shift_pattern = shift_pattern(cal.base_kw[0]);
    std::vector<double> after(hours);
    for (int h = 0; h < calendar.hours(); ++h) {
      after[static_cast<std::size_t>(h)] = calibrated_kw(cal, calendar.day_type(h), calendar.hour_of_day(h),
                                                         temperature_c[static_cast<std::size_t>(h)]);
    }
    std::vector<double> before(hours, 0.0);
    std::vector<float> elec(hours);
    std::vector<float> fuel(hours);
    add_facility_archetype(archetypes, f, 1.0, before, elec, fuel);
    r.before = model_statistics(y, before, masks, calendar, 0);
    r.after = model_statistics(y, after, masks, calendar, fit.parameters);
    facility_fits[k] = std::move(cal);
  }
  stop_point("while fitting the facility meters");
  for (const auto& problem : facility_problems) {
    if (!problem.empty()) problems.push_back(problem);
  }
  fail("meters that cannot be calibrated");
  for (std::size_t k = 0; k < facility_meters.size(); ++k) {
    outcome.calibration.loads.push_back(facility_fits[k]);
    report.meters.push_back(facility_reports[k]);
  }

  // Aggregate meters, most specific first: a facility under a feeder meter and a complex meter takes
  // the feeder's scale, and the complex meter counts it as already calibrated.
  std::vector<double> scale_of(site.facilities.size(), kMissing);
  std::vector<float> elec(hours);
  std::vector<float> fuel(hours);
  const auto feeder_of = [&](std::size_t f) -> std::string {
    const int bus = model.attachments.bus.empty() ? -1 : model.attachments.bus[f];
    if (bus < 0) return "";
    const int segment = model.feeders.parent_segment[static_cast<std::size_t>(bus)];
    return segment < 0 ? "" : site.feeders[static_cast<std::size_t>(segment)].feeder_id;
  };
  const auto substation_of = [&](std::size_t f) -> std::string {
    const int bus = model.attachments.bus.empty() ? -1 : model.attachments.bus[f];
    if (bus < 0) return "";
    const int s = model.feeders.substation[static_cast<std::size_t>(bus)];
    return s < 0 ? "" : site.substations[static_cast<std::size_t>(s)].substation_id;
  };
  for (const MeterTarget level : {MeterTarget::kFeeder, MeterTarget::kSubstation, MeterTarget::kComplex}) {
    for (const std::size_t m : aggregate_meters) {
      const MeterInfo& meter = data.meters[m];
      if (meter.target != level) continue;
      stop_point("before calibrating meter '" + meter.meter_id + "'");
      MeterCalibrationReport r;
      r.meter_id = meter.meter_id;
      r.target = meter.target;
      r.target_id = meter.target_id;
      r.quantity = meter.quantity;
      r.method = "scaled";
      std::vector<double> y = year_series(data, m, calendar);
      std::vector<double> archetype_sum(hours, 0.0);
      std::vector<std::size_t> members;
      for (std::size_t f = 0; f < site.facilities.size(); ++f) {
        const bool below =
            level == MeterTarget::kComplex
                ? site.facilities[f].complex >= 0 &&
                      site.complexes[static_cast<std::size_t>(site.facilities[f].complex)].complex_id ==
                          meter.target_id
                : (level == MeterTarget::kFeeder ? feeder_of(f) : substation_of(f)) == meter.target_id;
        if (!below) continue;
        if (load_meter_of[f] >= 0) {
          // Its own meter's reading comes off the aggregate; an hour it misses leaves the rest unknown.
          const std::vector<double> own =
              year_series(data, static_cast<std::size_t>(load_meter_of[f]), calendar);
          for (std::size_t h = 0; h < hours; ++h) y[h] -= own[h];
          r.subtracted.push_back(data.meters[static_cast<std::size_t>(load_meter_of[f])].meter_id);
        } else if (std::isfinite(scale_of[f])) {
          std::vector<double> estimate(hours, 0.0);
          add_facility_archetype(archetypes, f, scale_of[f], estimate, elec, fuel);
          for (std::size_t h = 0; h < hours; ++h) y[h] -= estimate[h];
          r.subtracted.push_back(site.facilities[f].facility_id);
        } else {
          members.push_back(f);
          add_facility_archetype(archetypes, f, 1.0, archetype_sum, elec, fuel);
        }
      }
      if (members.empty()) {
        report.notes.push_back("meter '" + meter.meter_id + "': every facility of " + target_name(level) +
                               " '" + meter.target_id + "' has its own calibration; nothing left to scale");
        continue;
      }
      double measured_kwh = 0.0;
      double archetype_kwh = 0.0;
      for (std::size_t h = 0; h < hours; ++h) {
        if (masks.training[h] != 0 && std::isfinite(y[h])) {
          ++r.training_hours;
          measured_kwh += y[h];
          archetype_kwh += archetype_sum[h];
        }
        if (masks.holdout[h] != 0 && std::isfinite(y[h])) ++r.holdout_hours;
      }
      r.measured_training_kwh = measured_kwh;
      const std::string where = file + ": meter '" + meter.meter_id + "'";
      if (r.training_hours == 0) {
        problems.push_back(
            where + " has no valid hour in " + std::to_string(year) +
            " outside the holdout (with its sub-meters); give its data or leave it out of the mapping");
        continue;
      }
      if (!(archetype_kwh > 0.0)) {
        problems.push_back(where +
                           ": the archetype loads of its facilities sum to 0; give them floor areas or "
                           "annual_elec_mwh in the layout");
        continue;
      }
      const double scale = measured_kwh / archetype_kwh;
      if (!(scale > 0.0) || scale > 100.0) {
        problems.push_back(where +
                           ": the meter less its sub-meters over its facilities' archetype loads is " +
                           format("%.4g", scale) + ", outside (0, 100]; check the meter's unit and mapping");
        continue;
      }
      r.elec_scale = scale;
      r.parameters = 1;
      std::vector<double> after(hours);
      for (std::size_t h = 0; h < hours; ++h) after[h] = scale * archetype_sum[h];
      r.before = model_statistics(y, archetype_sum, masks, calendar, 0);
      r.after = model_statistics(y, after, masks, calendar, 1);
      for (const std::size_t f : members) {
        scale_of[f] = scale;
        r.facilities.push_back(site.facilities[f].facility_id);
        LoadCalibration cal;
        cal.facility_id = site.facilities[f].facility_id;
        cal.meter_id = meter.meter_id;
        cal.method = CalibrationMethod::kScaled;
        cal.elec_scale = scale;
        outcome.calibration.loads.push_back(std::move(cal));
      }
      report.meters.push_back(std::move(r));
    }
  }
  fail("meters that cannot be calibrated");

  // PV meters: measured over modelled AC energy of the project's rooftop model at the stated size.
  if (!pv_meters.empty()) {
    const std::vector<float> ac_kw_per_kwp = pv_ac_kw_per_kwp(weather, calendar, RooftopPvSpec{});
    for (const std::size_t m : pv_meters) {
      const MeterInfo& meter = data.meters[m];
      stop_point("before calibrating meter '" + meter.meter_id + "'");
      MeterCalibrationReport r;
      r.meter_id = meter.meter_id;
      r.target = meter.target;
      r.target_id = meter.target_id;
      r.quantity = meter.quantity;
      r.method = "pv";
      const std::vector<double> y = year_series(data, m, calendar);
      std::vector<double> modelled(hours);
      YearMasks daylight = masks;  // statistics over the hours the sun is up (model output > 0)
      double measured_kwh = 0.0;
      double modelled_kwh = 0.0;
      for (std::size_t h = 0; h < hours; ++h) {
        modelled[h] = meter.capacity_kwp * static_cast<double>(ac_kw_per_kwp[h]);
        if (!(modelled[h] > 0.0)) daylight.training[h] = daylight.holdout[h] = 0;
        if (masks.training[h] != 0 && std::isfinite(y[h])) {
          ++r.training_hours;
          measured_kwh += y[h];
          modelled_kwh += modelled[h];
        }
        if (masks.holdout[h] != 0 && std::isfinite(y[h])) ++r.holdout_hours;
      }
      r.measured_training_kwh = measured_kwh;
      const std::string where = file + ": meter '" + meter.meter_id + "'";
      if (!(modelled_kwh > 0.0)) {
        problems.push_back(where + " has no valid daylight hour in " + std::to_string(year) +
                           " outside the holdout; give its data or leave it out of the mapping");
        continue;
      }
      const double factor = measured_kwh / modelled_kwh;
      if (!(factor > 0.0) || factor > 3.0) {
        problems.push_back(where + ": measured over modelled AC energy is " + format("%.4g", factor) +
                           ", outside (0, 3]; check the meter's capacity_kwp and unit");
        continue;
      }
      r.yield_factor = factor;
      r.parameters = 1;
      std::vector<double> after(hours);
      for (std::size_t h = 0; h < hours; ++h) after[h] = factor * modelled[h];
      r.before = model_statistics(y, modelled, daylight, calendar, 0);
      r.after = model_statistics(y, after, daylight, calendar, 1);
      outcome.calibration.pv.push_back({meter.target_id, meter.meter_id, factor});
      report.meters.push_back(std::move(r));
    }
  }
  fail("meters that cannot be calibrated");

  outcome.calibration.measured = inputs.measured_path;
  outcome.calibration.weather = inputs.weather_path;
  outcome.calibration.year = year;
  return outcome;
}

}  // namespace sandan
