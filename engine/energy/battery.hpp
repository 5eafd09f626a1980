// energy/battery: hourly operation of a battery on a net-load series. Energy is conserved every hour:
// soc[h+1] = soc[h] + charge·√η − discharge/√η (round-trip efficiency η split evenly), and power and
// state-of-charge limits hold every hour.
#pragma once

#include <span>
#include <vector>

#include "core/calendar.hpp"

namespace sandan {

enum class BatteryStrategy {
  kSelfConsumption,  // charge from surplus (negative net load), discharge to cover net load
  kPeakShaving,      // keep each month's import below the lowest threshold the battery can hold
  kTouArbitrage,     // charge in light-load periods, discharge in peak periods
};

struct BatterySpec {
  double energy_kwh = 0.0;
  double power_kw = 0.0;
  double round_trip_efficiency = 0.9;
  double soc_min = 0.1;  // share of energy_kwh
  double soc_max = 0.95;
  double soc_initial = 0.5;
  BatteryStrategy strategy = BatteryStrategy::kSelfConsumption;
};

// Tariff period of each hour, for kTouArbitrage: 0 light, 1 mid, 2 peak.
using TouPeriods = std::vector<unsigned char>;

struct BatteryOperation {
  std::vector<float> battery_kw;  // > 0 discharging (supplies load), < 0 charging
  std::vector<float> soc;         // state of charge at the END of each hour, share of energy_kwh
};

// Operates the battery on net_load_kw (load − PV, kW; negative is surplus). tou may be empty unless
// the strategy is kTouArbitrage. Never throws; a battery of zero energy or power stays idle.
//
// The battery never discharges into export: discharge ≤ max(net load, 0). Self-consumption charges only
// from surplus; peak shaving and TOU arbitrage may charge from the grid. Peak shaving finds, for each
// calendar month, the lowest import threshold the battery can hold with perfect foresight of that
// month's net load (the threshold is at least 0 kW); the state of charge carries over between months.
// TOU arbitrage charges at full power in light hours, discharges in peak hours, idles in mid hours and
// in hours tou does not cover.
//
// Hours follow the calendar (hour 0 = 1 January 00:00); net_load_kw may be shorter than the year, and
// hours beyond the calendar count as December. Out-of-range parameters are clamped, not rejected: shares
// to [0, 1] with soc_max ≥ soc_min and soc_initial in between, efficiency to at most 1; a battery with
// zero energy, power or efficiency idles, and non-finite net loads count as 0 kW.
[[nodiscard]] BatteryOperation operate_battery(const BatterySpec& spec, std::span<const float> net_load_kw,
                                               const Calendar& calendar, const TouPeriods& tou);

}  // namespace sandan
