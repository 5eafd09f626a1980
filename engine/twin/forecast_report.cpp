// The forecast as text and as JSON, for the command line and scripts.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "twin/forecast.hpp"

namespace sandan {
namespace {

struct Summary {
  double energy_kwh = 0.0;
  double peak_kw = 0.0;
  int peak_hour = 0;  // of the year
};

// The window's energy (each value is the mean kW of its hour: kWh) and its first peak.
Summary summarise(const std::vector<double>& kw, int from_hour) {
  Summary s;
  s.peak_kw = -1.0;
  for (std::size_t i = 0; i < kw.size(); ++i) {
    s.energy_kwh += kw[i];
    if (kw[i] > s.peak_kw) {
      s.peak_kw = kw[i];
      s.peak_hour = from_hour + static_cast<int>(i);
    }
  }
  return s;
}

std::string number(double value, int decimals) {
  if (!std::isfinite(value)) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

void forecast_rows(std::ostringstream& out, const Forecast& f, const std::vector<ForecastSeries>& series,
                   const char* kind) {
  char line[256];
  for (const ForecastSeries& s : series) {
    const Summary sum = summarise(s.forecast_kw, f.from_hour);
    std::snprintf(line, sizeof line, "  %-9s %-24s %-16s %12s %10s  %s\n", kind, s.id.c_str(),
                  s.complex_id.c_str(), number(sum.energy_kwh / 1000.0, 3).c_str(),
                  number(sum.peak_kw, 1).c_str(), hour_label(f.year, sum.peak_hour).c_str());
    out << line;
  }
}

void score_rows(std::ostringstream& out, const std::vector<ForecastSeries>& series, const char* kind) {
  char line[320];
  for (const ForecastSeries& s : series) {
    const ForecastMetrics& first = s.metrics[0];
    if (first.hours == 0) continue;
    std::string mape, cv, peak, timing;
    for (const ForecastMetrics& m : s.metrics) {
      mape += " " + std::string(7 - std::min<std::size_t>(7, number(m.mape_pct, 1).size()), ' ') +
              number(m.mape_pct, 1);
      cv += " " + std::string(7 - std::min<std::size_t>(7, number(m.cv_rmse_pct, 1).size()), ' ') +
            number(m.cv_rmse_pct, 1);
      peak += " " + std::string(7 - std::min<std::size_t>(7, number(m.peak_error_pct, 1).size()), ' ') +
              number(m.peak_error_pct, 1);
      timing += " " + std::string(4 - std::min<std::size_t>(4, number(m.peak_timing_h, 0).size()), ' ') +
                number(m.peak_timing_h, 0);
    }
    std::snprintf(line, sizeof line, "  %-9s %-24s %4d |%s |%s |%s |%s\n", kind, s.id.c_str(), first.hours,
                  mape.c_str(), cv.c_str(), peak.c_str(), timing.c_str());
    out << line;
  }
}

nlohmann::json metrics_json(const ForecastMetrics& m) {
  const auto value = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  return {{"hours", m.hours},
          {"mape_pct", value(m.mape_pct)},
          {"cv_rmse_pct", value(m.cv_rmse_pct)},
          {"peak_error_kw", value(m.peak_error_kw)},
          {"peak_error_pct", value(m.peak_error_pct)},
          {"peak_timing_h", value(m.peak_timing_h)}};
}

nlohmann::json series_json(const std::vector<double>& values) {
  nlohmann::json array = nlohmann::json::array();
  for (const double v : values)
    array.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
  return array;
}

nlohmann::json entities_json(const Forecast& f, const std::vector<ForecastSeries>& series) {
  nlohmann::json array = nlohmann::json::array();
  const auto value = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  for (const ForecastSeries& s : series) {
    const Summary sum = summarise(s.forecast_kw, f.from_hour);
    nlohmann::json metrics = nlohmann::json::object();
    for (int m = 0; m < kForecastMethods; ++m) {
      metrics[to_string(static_cast<ForecastMethod>(m))] =
          metrics_json(s.metrics[static_cast<std::size_t>(m)]);
    }
    array.push_back({{"id", s.id},
                     {"complex", s.complex_id},
                     {"meter", s.meter_id},
                     {"energy_kwh", sum.energy_kwh},
                     {"peak_kw", sum.peak_kw},
                     {"peak_at", hour_label(f.year, sum.peak_hour)},
                     {"last_measured", s.last_measured_hour >= 0
                                           ? nlohmann::json(hour_label(f.year, s.last_measured_hour))
                                           : nlohmann::json(nullptr)},
                     {"residual_level_kw", value(s.residual_level_kw)},
                     {"residual_last_kw", value(s.residual_last_kw)},
                     {"noise_autocorrelation", value(s.noise_autocorrelation)},
                     {"metrics", metrics},
                     {"forecast_kw", series_json(s.forecast_kw)},
                     {"model_kw", series_json(s.model_kw)},
                     {"measured_kw", series_json(s.measured_kw)},
                     {"persistence_day_kw", series_json(s.persistence_day_kw)},
                     {"persistence_week_kw", series_json(s.persistence_week_kw)}});
  }
  return array;
}

}  // namespace

std::string forecast_text(const Forecast& f, const std::string& output) {
  std::ostringstream out;
  out << "Forecast of " << f.facilities.size() << " metered facilities and " << f.complexes.size()
      << " complexes, " << f.hours << " h from " << hour_label(f.year, f.from_hour) << " KST\n";
  out << "Latest measurement: " << hour_label(f.year, f.issued_at_hour) << " (the hour starting then; "
      << f.correction_age_h << " h before the forecast's first hour)\n\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-9s %-24s %-16s %12s %10s  %s\n", "", "id", "complex", "energy MWh",
                "peak kW", "peak hour (KST)");
  out << line;
  forecast_rows(out, f, f.complexes, "complex");
  forecast_rows(out, f, f.facilities, "facility");
  for (const PvForecastSeries& p : f.pv) {
    const Summary sum = summarise(p.forecast_kw, f.from_hour);
    std::snprintf(line, sizeof line, "  %-9s %-24s %-16s %12s %10s  %s\n", "pv", p.facility_id.c_str(), "",
                  number(sum.energy_kwh / 1000.0, 3).c_str(), number(sum.peak_kw, 1).c_str(),
                  hour_label(f.year, sum.peak_hour).c_str());
    out << line;
  }
  bool any_scored = false;
  for (const auto* set : {&f.complexes, &f.facilities})
    for (const ForecastSeries& s : *set) any_scored = any_scored || s.metrics[0].hours > 0;
  if (any_scored) {
    out << "\nScores against the measurements in the window (h: hours scored; each block: forecast, model "
           "alone,\n"
           "same hour a day earlier, a week earlier)\n";
    std::snprintf(line, sizeof line, "  %-9s %-24s %4s | %-31s| %-31s| %-31s| %s\n", "", "id", "h", "MAPE %",
                  "CV(RMSE) %", "peak error %", "peak timing h");
    out << line;
    score_rows(out, f.complexes, "complex");
    score_rows(out, f.facilities, "facility");
  } else {
    out << "\nNo measurements in the forecast's window: nothing to score.\n";
  }
  for (const std::string& note : f.notes) out << "note: " << note << "\n";
  if (!output.empty()) out << "\nForecast: " << output << " (group /forecast)\n";
  return out.str();
}

std::string forecast_json(const Forecast& f, const std::string& output) {
  nlohmann::json pv = nlohmann::json::array();
  for (const PvForecastSeries& p : f.pv) {
    const Summary sum = summarise(p.forecast_kw, f.from_hour);
    pv.push_back({{"facility", p.facility_id},
                  {"meter", p.meter_id},
                  {"capacity_kwp", p.capacity_kwp},
                  {"yield_factor", p.yield_factor},
                  {"energy_kwh", sum.energy_kwh},
                  {"peak_kw", sum.peak_kw},
                  {"peak_at", hour_label(f.year, sum.peak_hour)},
                  {"metrics", metrics_json(p.metrics)},
                  {"forecast_kw", series_json(p.forecast_kw)},
                  {"measured_kw", series_json(p.measured_kw)}});
  }
  const nlohmann::json root = {
      {"from", hour_label(f.year, f.from_hour)},
      {"hours", f.hours},
      {"time_zone", "KST (UTC+9)"},
      {"issued_at", f.issued_at_hour >= 0 ? nlohmann::json(hour_label(f.year, f.issued_at_hour))
                                          : nlohmann::json(nullptr)},
      {"correction_age_h", f.correction_age_h},
      {"calibration", f.provenance.calibration_file},
      {"measured", f.provenance.measured_file},
      {"weather", f.provenance.weather_file},
      {"holidays", f.provenance.holidays_file},
      {"output", output},
      {"notes", f.notes},
      {"complexes", entities_json(f, f.complexes)},
      {"facilities", entities_json(f, f.facilities)},
      {"pv", pv}};
  return root.dump(2) + "\n";
}

}  // namespace sandan
