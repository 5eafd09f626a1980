// energy/battery: hourly dispatch of a battery. Energy is tracked in kWh in double precision and written
// out as float; each hour is one step of one hour, so kW and kWh of an hour are the same number.
#include "energy/battery.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace sandan {
namespace {

// Codes of TouPeriods (battery.hpp): the same values as TouPeriod in tariff.hpp.
constexpr unsigned char kLightPeriod = 0;
constexpr unsigned char kPeakPeriod = 2;

// The battery's limits after clamping the spec, in kWh and kW.
struct Limits {
  double energy_kwh = 0.0;
  double energy_min_kwh = 0.0;
  double energy_max_kwh = 0.0;
  double power_kw = 0.0;
  // Round-trip efficiency split evenly between charging and discharging (√η each way), the usual
  // choice when only the round-trip figure is known.
  double sqrt_efficiency = 1.0;
  double energy_initial_kwh = 0.0;
  bool idle = true;
};

double finite_or(double value, double fallback) { return std::isfinite(value) ? value : fallback; }

Limits limits_of(const BatterySpec& spec) {
  Limits limits;
  const double soc_min = std::clamp(finite_or(spec.soc_min, 0.0), 0.0, 1.0);
  const double soc_max = std::clamp(finite_or(spec.soc_max, 1.0), soc_min, 1.0);
  const double soc_initial = std::clamp(finite_or(spec.soc_initial, soc_min), soc_min, soc_max);
  const double efficiency = std::min(finite_or(spec.round_trip_efficiency, 0.0), 1.0);
  limits.energy_kwh = std::max(finite_or(spec.energy_kwh, 0.0), 0.0);
  limits.power_kw = std::max(finite_or(spec.power_kw, 0.0), 0.0);
  limits.energy_min_kwh = soc_min * limits.energy_kwh;
  limits.energy_max_kwh = soc_max * limits.energy_kwh;
  limits.energy_initial_kwh = soc_initial * limits.energy_kwh;
  limits.idle = !(limits.energy_kwh > 0.0 && limits.power_kw > 0.0 && efficiency > 0.0);
  limits.sqrt_efficiency = limits.idle ? 1.0 : std::sqrt(efficiency);
  return limits;
}

// The most the battery can deliver (kW at its terminals) or take in one hour from stored energy e.
double max_discharge_kw(const Limits& limits, double energy_kwh) {
  return std::clamp((energy_kwh - limits.energy_min_kwh) * limits.sqrt_efficiency, 0.0, limits.power_kw);
}

double max_charge_kw(const Limits& limits, double energy_kwh) {
  return std::clamp((limits.energy_max_kwh - energy_kwh) / limits.sqrt_efficiency, 0.0, limits.power_kw);
}

// Stored energy after one hour at battery_kw (> 0 discharging), which the callers keep within the
// limits above; the clamp only removes rounding at the bounds.
double step(const Limits& limits, double energy_kwh, double battery_kw) {
  const double next_kwh = battery_kw >= 0.0 ? energy_kwh - battery_kw / limits.sqrt_efficiency
                                            : energy_kwh - battery_kw * limits.sqrt_efficiency;
  return std::clamp(next_kwh, limits.energy_min_kwh, limits.energy_max_kwh);
}

double net_at(std::span<const float> net_load_kw, std::size_t hour) {
  return finite_or(static_cast<double>(net_load_kw[hour]), 0.0);
}

// Battery power that holds import at threshold_kw as far as the limits allow: discharge the excess above
// the threshold, recharge with the headroom below it (never lifting import above the threshold).
double shaving_kw(const Limits& limits, double energy_kwh, double net_kw, double threshold_kw) {
  if (net_kw > threshold_kw) return std::min(net_kw - threshold_kw, max_discharge_kw(limits, energy_kwh));
  return -std::min(threshold_kw - net_kw, max_charge_kw(limits, energy_kwh));
}

// Whether shaving at threshold_kw keeps import at or below it in every hour of [first, last).
bool holds(const Limits& limits, double energy_kwh, std::span<const float> net_load_kw, std::size_t first,
           std::size_t last, double threshold_kw, double tolerance_kw) {
  for (std::size_t hour = first; hour < last; ++hour) {
    const double net_kw = net_at(net_load_kw, hour);
    const double battery_kw = shaving_kw(limits, energy_kwh, net_kw, threshold_kw);
    if (net_kw - battery_kw > threshold_kw + tolerance_kw) return false;
    energy_kwh = step(limits, energy_kwh, battery_kw);
  }
  return true;
}

// The lowest threshold the battery holds over [first, last) from stored energy energy_kwh, by bisection.
// Feasibility is monotone in the threshold: a higher threshold asks for less discharge and allows more
// recharge, and the stored energy after each hour never decreases with it, so bisection finds the least
// feasible threshold. The threshold never goes below 0 kW: the battery does not discharge into export.
double lowest_threshold_kw(const Limits& limits, double energy_kwh, std::span<const float> net_load_kw,
                           std::size_t first, std::size_t last) {
  double peak_kw = 0.0;
  for (std::size_t hour = first; hour < last; ++hour) peak_kw = std::max(peak_kw, net_at(net_load_kw, hour));
  // Below peak − power no amount of energy helps; at the peak nothing needs discharging.
  double lo_kw = std::max(0.0, peak_kw - limits.power_kw);
  double hi_kw = peak_kw;
  const double scale_kw = std::max(1.0, peak_kw);
  const double tolerance_kw = 1e-9 * scale_kw;
  if (holds(limits, energy_kwh, net_load_kw, first, last, lo_kw, tolerance_kw)) return lo_kw;
  // 1e-7 of the peak is far below metering resolution; as hi − lo starts at most at the peak, the loop
  // ends within 24 halvings.
  const double resolution_kw = 1e-7 * scale_kw;
  while (hi_kw - lo_kw > resolution_kw) {
    const double mid_kw = 0.5 * (lo_kw + hi_kw);
    if (holds(limits, energy_kwh, net_load_kw, first, last, mid_kw, tolerance_kw)) {
      hi_kw = mid_kw;
    } else {
      lo_kw = mid_kw;
    }
  }
  return hi_kw;
}

// [first, last) hour ranges of the calendar months, clipped to the series; hours past the calendar join
// the last month.
std::vector<std::pair<std::size_t, std::size_t>> month_ranges(const Calendar& calendar, std::size_t hours) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (int month = 1; month <= 12; ++month) {
    const auto first = static_cast<std::size_t>(calendar.first_hour(Date{calendar.year(), month, 1}));
    const auto last =
        month == 12 ? hours
                    : static_cast<std::size_t>(calendar.first_hour(Date{calendar.year(), month + 1, 1}));
    if (first >= hours) break;
    ranges.emplace_back(first, std::min(last, hours));
  }
  return ranges;
}

}  // namespace

BatteryOperation operate_battery(const BatterySpec& spec, std::span<const float> net_load_kw,
                                 const Calendar& calendar, const TouPeriods& tou) {
  const Limits limits = limits_of(spec);
  const std::size_t hours = net_load_kw.size();
  BatteryOperation operation;
  operation.battery_kw.assign(hours, 0.0F);
  const double soc_initial = limits.energy_kwh > 0.0 ? limits.energy_initial_kwh / limits.energy_kwh
                                                     : std::clamp(finite_or(spec.soc_initial, 0.0), 0.0, 1.0);
  operation.soc.assign(hours, static_cast<float>(soc_initial));
  if (limits.idle) return operation;

  double energy_kwh = limits.energy_initial_kwh;
  const auto record = [&](std::size_t hour, double battery_kw) {
    energy_kwh = step(limits, energy_kwh, battery_kw);
    operation.battery_kw[hour] = static_cast<float>(battery_kw);
    operation.soc[hour] = static_cast<float>(energy_kwh / limits.energy_kwh);
  };

  switch (spec.strategy) {
    case BatteryStrategy::kSelfConsumption:
      for (std::size_t hour = 0; hour < hours; ++hour) {
        const double net_kw = net_at(net_load_kw, hour);
        const double battery_kw = net_kw < 0.0 ? -std::min(-net_kw, max_charge_kw(limits, energy_kwh))
                                               : std::min(net_kw, max_discharge_kw(limits, energy_kwh));
        record(hour, battery_kw);
      }
      break;
    case BatteryStrategy::kPeakShaving:
      for (const auto& [first, last] : month_ranges(calendar, hours)) {
        const double threshold_kw = lowest_threshold_kw(limits, energy_kwh, net_load_kw, first, last);
        for (std::size_t hour = first; hour < last; ++hour) {
          record(hour, shaving_kw(limits, energy_kwh, net_at(net_load_kw, hour), threshold_kw));
        }
      }
      break;
    case BatteryStrategy::kTouArbitrage:
      for (std::size_t hour = 0; hour < hours; ++hour) {
        // Hours tou does not cover idle, as mid hours do.
        const bool light = hour < tou.size() && tou[hour] == kLightPeriod;
        const bool peak = hour < tou.size() && tou[hour] == kPeakPeriod;
        double battery_kw = 0.0;
        if (light) {
          battery_kw = -max_charge_kw(limits, energy_kwh);
        } else if (peak) {
          battery_kw =
              std::min(std::max(net_at(net_load_kw, hour), 0.0), max_discharge_kw(limits, energy_kwh));
        }
        record(hour, battery_kw);
      }
      break;
  }
  return operation;
}

}  // namespace sandan
