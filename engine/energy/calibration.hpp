// energy/calibration: facility models fitted to meter data (docs/twin.md), as a scenario's
// `calibration:` file holds them and the load model applies them.
//
// A metered facility's electricity is either
// - kModel: its own hourly model, fitted to its meter: a base load in kW for every (day type, hour of
//   day) plus change-point heating and cooling terms in the outdoor temperature (the hourly
//   time-of-week-and-temperature form of Mathieu et al. 2011, with the change points of ASHRAE
//   RP-1050 / Kissock et al. 2003), and the noise of its residuals; or
// - kScaled: its archetype load, scaled by a factor, when it is only metered together with others
//   (a feeder, substation or complex meter: the factor makes the group's sum match the meter while
//   each facility keeps its archetype shape).
// A facility with a metered PV inverter gets a yield factor (measured over modelled AC energy) that
// multiplies the output of any rooftop PV the scenario puts on it.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/calendar.hpp"

namespace sandan {

enum class CalibrationMethod { kModel, kScaled };

inline constexpr int kCalibrationDayTypes = 5;  // indexed by static_cast<int>(DayType)

struct LoadCalibration {
  std::string facility_id;
  std::string meter_id;  // the meter it was fitted to (provenance)
  CalibrationMethod method = CalibrationMethod::kModel;
  // kModel: base load, kW, by day type (DayType order) and hour of day (local time), at outdoor
  // temperatures between the change points.
  std::array<std::array<double, 24>, kCalibrationDayTypes> base_kw{};
  // Change-point terms: + heating_slope · (heating_change_c − T)⁺ + cooling_slope · (T − cooling_change_c)⁺.
  // A slope of 0 means no such term (its change point is then not used).
  double heating_change_c = 15.0;
  double heating_slope_kw_per_k = 0.0;
  double cooling_change_c = 22.0;
  double cooling_slope_kw_per_k = 0.0;
  // Residuals of the fit relative to the model: standard deviation and lag-1 autocorrelation (hourly).
  double noise_sd = 0.0;
  double noise_autocorrelation = 0.0;
  // kScaled: multiplies the facility's archetype electricity.
  double elec_scale = 1.0;
};

struct PvCalibration {
  std::string facility_id;
  std::string meter_id;
  double yield_factor = 1.0;  // measured / modelled AC energy of the metered system
};

struct Calibration {
  std::string path;      // where it was read from (empty when built in memory)
  std::string measured;  // the measured file it was fitted to
  int year = 0;          // the year of the data the fit used
  std::string weather;   // the weather file whose temperatures the fit used
  std::vector<LoadCalibration> loads;
  std::vector<PvCalibration> pv;
};

// Electricity of a kModel facility in one hour, kW (never negative).
[[nodiscard]] inline double calibrated_kw(const LoadCalibration& c, DayType day_type, int hour_of_day,
                                          double dry_bulb_c) {
  double kw = c.base_kw[static_cast<std::size_t>(day_type)][static_cast<std::size_t>(hour_of_day)];
  // A NaN temperature fails both comparisons: no heating or cooling term.
  if (c.heating_slope_kw_per_k > 0.0 && dry_bulb_c < c.heating_change_c)
    kw += c.heating_slope_kw_per_k * (c.heating_change_c - dry_bulb_c);
  if (c.cooling_slope_kw_per_k > 0.0 && dry_bulb_c > c.cooling_change_c)
    kw += c.cooling_slope_kw_per_k * (dry_bulb_c - c.cooling_change_c);
  return kw > 0.0 ? kw : 0.0;
}

// Reads a calibration file (schema sandan-calibration, version 1; docs/twin.md). Throws ConfigError
// naming the file, line and key of every problem (unknown keys, missing fields, 24 values a day type,
// finite non-negative loads, slopes ≥ 0, shares in range, a facility listed twice).
[[nodiscard]] Calibration read_calibration(const std::string& path);

// Writes `calibration` as YAML, with `metrics_yaml` (a YAML mapping as text, may be empty) stored
// under `metrics:` for people to read; read_calibration ignores it. Written to a temporary file and
// renamed, so a failure leaves no partial file. Throws Error(kIo).
void write_calibration(const std::string& path, const Calibration& calibration,
                       const std::string& metrics_yaml);

}  // namespace sandan
