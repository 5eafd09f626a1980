// twin/calibrate_report: the calibration report as a table, as JSON and as the YAML under a calibration
// file's `metrics:`.
#include <array>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "meter/meter_map.hpp"
#include "twin/calibrate.hpp"

namespace sandan {
namespace {

std::string number(const char* pattern, double value) {
  if (!std::isfinite(value)) return "-";
  std::array<char, 64> text{};
  std::snprintf(text.data(), text.size(), pattern, value);
  return text.data();
}

nlohmann::ordered_json finite_or_null(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json to_json(const FitStatistics& s) {
  return {{"n", s.n},
          {"p", s.p},
          {"nmbe_pct", finite_or_null(s.nmbe_pct)},
          {"cv_rmse_pct", finite_or_null(s.cv_rmse_pct)},
          {"passes", s.passes}};
}

nlohmann::ordered_json to_json(const ModelStatistics& s) {
  return {{"in_sample", {{"hourly", to_json(s.in_sample.hourly)}, {"monthly", to_json(s.in_sample.monthly)}}},
          {"holdout", {{"hourly", to_json(s.holdout.hourly)}, {"monthly", to_json(s.holdout.monthly)}}}};
}

nlohmann::ordered_json to_json(const MeterCalibrationReport& r) {
  nlohmann::ordered_json j;
  j["meter"] = r.meter_id;
  j["target"] = meter::to_string(r.target);
  j["target_id"] = r.target_id;
  j["quantity"] = r.quantity == MeterQuantity::kPv ? "pv" : "load";
  j["method"] = r.method;
  j["training_hours"] = r.training_hours;
  j["holdout_hours"] = r.holdout_hours;
  j["measured_training_kwh"] = r.measured_training_kwh;
  if (r.method == "model") {
    j["heating_change_c"] = finite_or_null(r.heating_change_c);
    j["heating_slope_kw_per_k"] = r.heating_slope_kw_per_k;
    j["cooling_change_c"] = finite_or_null(r.cooling_change_c);
    j["cooling_slope_kw_per_k"] = r.cooling_slope_kw_per_k;
    j["noise_sd"] = r.noise_sd;
    j["noise_autocorrelation"] = r.noise_autocorrelation;
    j["shift_pattern"] = r.shift_pattern;
    j["fallbacks"] = r.fallbacks;
  }
  if (r.method == "scaled") {
    j["elec_scale"] = finite_or_null(r.elec_scale);
    j["facilities"] = r.facilities;
    j["subtracted"] = r.subtracted;
  }
  if (r.method == "pv") j["yield_factor"] = finite_or_null(r.yield_factor);
  j["parameters"] = r.parameters;
  j["before"] = to_json(r.before);
  j["after"] = to_json(r.after);
  return j;
}

std::string yaml_number(double value) {
  if (!std::isfinite(value)) return ".nan";
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.6g", value);
  return text.data();
}

std::string yaml_statistics(const FitStatistics& s) {
  return "{n: " + std::to_string(s.n) + ", p: " + std::to_string(s.p) +
         ", nmbe_pct: " + yaml_number(s.nmbe_pct) + ", cv_rmse_pct: " + yaml_number(s.cv_rmse_pct) +
         ", passes: " + (s.passes ? "true" : "false") + "}";
}

std::string yaml_model(const ModelStatistics& s, const std::string& indent) {
  return indent + "in_sample:\n" + indent + "  hourly: " + yaml_statistics(s.in_sample.hourly) + "\n" +
         indent + "  monthly: " + yaml_statistics(s.in_sample.monthly) + "\n" + indent + "holdout:\n" +
         indent + "  hourly: " + yaml_statistics(s.holdout.hourly) + "\n" + indent +
         "  monthly: " + yaml_statistics(s.holdout.monthly) + "\n";
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// One line of the table: a model's statistics over one period.
std::string table_line(const std::string& meter, const std::string& model, const std::string& period,
                       const PeriodStatistics& s) {
  std::array<char, 256> line{};
  const auto pass = [](const FitStatistics& f) { return f.n == 0 ? "-" : (f.passes ? "yes" : "no"); };
  std::snprintf(line.data(), line.size(), "%-24s %-7s %-9s %7d %9s %9s %-4s %6d %9s %9s %-4s\n",
                meter.c_str(), model.c_str(), period.c_str(), s.hourly.n,
                number("%.2f", s.hourly.nmbe_pct).c_str(), number("%.2f", s.hourly.cv_rmse_pct).c_str(),
                pass(s.hourly), s.monthly.n, number("%.2f", s.monthly.nmbe_pct).c_str(),
                number("%.2f", s.monthly.cv_rmse_pct).c_str(), pass(s.monthly));
  return line.data();
}

}  // namespace

std::string calibration_table(const CalibrationReport& report) {
  std::string text =
      "Calibration of " + (report.measured.empty() ? std::string("meter data") : report.measured) + " for " +
      std::to_string(report.year) +
      (report.holdout.empty() ? std::string(", no holdout") : ", holdout " + report.holdout) + "\n\n";
  text += "Meters\n";
  for (const auto& r : report.meters) {
    text += "  " + r.meter_id + " (" + meter::to_string(r.target) + " " + r.target_id + "): " + r.method;
    if (r.method == "model") {
      text += ", heating " +
              (r.heating_slope_kw_per_k > 0.0 ? number("%.3g", r.heating_slope_kw_per_k) + " kW/K below " +
                                                    number("%.0f", r.heating_change_c) + " C"
                                              : std::string("none")) +
              ", cooling " +
              (r.cooling_slope_kw_per_k > 0.0 ? number("%.3g", r.cooling_slope_kw_per_k) + " kW/K above " +
                                                    number("%.0f", r.cooling_change_c) + " C"
                                              : std::string("none")) +
              ", noise sd " + number("%.3f", r.noise_sd) + " AR " + number("%.2f", r.noise_autocorrelation) +
              ", shift " + r.shift_pattern + ", p = " + std::to_string(r.parameters);
      for (const auto& fallback : r.fallbacks) text += "\n      fallback: " + fallback;
    } else if (r.method == "scaled") {
      text += " x " + number("%.4f", r.elec_scale) + " on " + std::to_string(r.facilities.size()) +
              " facilities" +
              (r.subtracted.empty() ? std::string()
                                    : ", less " + std::to_string(r.subtracted.size()) + " sub-metered");
    } else {
      text += ", yield factor " + number("%.4f", r.yield_factor);
    }
    text += "\n";
  }
  text += "\nASHRAE Guideline 14-2014: hourly CV(RMSE) <= 30 %, |NMBE| <= 10 %; monthly <= 15 %, <= 5 %\n";
  std::array<char, 256> head{};
  std::snprintf(head.data(), head.size(), "%-24s %-7s %-9s %7s %9s %9s %-4s %6s %9s %9s %-4s\n", "meter",
                "model", "period", "hours", "NMBE %", "CV %", "pass", "months", "NMBE %", "CV %", "pass");
  text += head.data();
  for (const auto& r : report.meters) {
    text += table_line(r.meter_id, "before", "in sample", r.before.in_sample);
    text += table_line(r.meter_id, "after", "in sample", r.after.in_sample);
    if (!report.holdout.empty()) {
      text += table_line(r.meter_id, "before", "holdout", r.before.holdout);
      text += table_line(r.meter_id, "after", "holdout", r.after.holdout);
    }
  }
  for (const auto& note : report.notes) text += "\nNote: " + note;
  if (!report.notes.empty()) text += "\n";
  return text;
}

std::string calibration_json(const CalibrationReport& report) {
  nlohmann::ordered_json j;
  j["measured"] = report.measured;
  j["weather"] = report.weather;
  j["year"] = report.year;
  j["holdout"] =
      report.holdout.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(report.holdout);
  j["notes"] = report.notes;
  j["meters"] = nlohmann::ordered_json::array();
  for (const auto& r : report.meters) j["meters"].push_back(to_json(r));
  return j.dump(2) + "\n";
}

std::string calibration_metrics_yaml(const CalibrationReport& report) {
  std::string text =
      "standard: " +
      quoted("ASHRAE Guideline 14-2014: hourly CV(RMSE) <= 30 %, |NMBE| <= 10 %; monthly <= 15 %, <= 5 %") +
      "\n";
  text += "holdout: " + (report.holdout.empty() ? std::string("null") : quoted(report.holdout)) + "\n";
  text += "meters:\n";
  for (const auto& r : report.meters) {
    text += "  " + quoted(r.meter_id) + ":\n";
    text += "    method: " + r.method + "\n";
    text += "    training_hours: " + std::to_string(r.training_hours) + "\n";
    text += "    holdout_hours: " + std::to_string(r.holdout_hours) + "\n";
    text += "    before:\n" + yaml_model(r.before, "      ");
    text += "    after:\n" + yaml_model(r.after, "      ");
  }
  return text;
}

}  // namespace sandan
