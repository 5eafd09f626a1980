#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/rng.hpp"
#include "energy/battery.hpp"

using namespace sandan;

namespace {

const std::string kHolidaysPath = std::string(SANDAN_GIS_DATA_DIR) + "/calendar/holidays_kr.csv";

const Calendar& calendar_2026() {
  static const Calendar kCalendar = load_calendar(2026, kHolidaysPath);
  return kCalendar;
}

// A year of a factory with rooftop PV: a day-shift load of 400-800 kW and midday PV up to 800 kW, so
// that net load swings between surplus and demand; seeded, so every run sees the same series.
std::vector<float> random_net_load_kw(const Calendar& calendar) {
  Rng rng(20260416);
  std::vector<float> net(static_cast<std::size_t>(calendar.hours()));
  for (int hour = 0; hour < calendar.hours(); ++hour) {
    const int hod = calendar.hour_of_day(hour);
    const double load_kw = 400.0 + (hod >= 8 && hod < 18 ? 300.0 : 0.0) + rng.uniform(-100.0, 100.0);
    const double pv_kw = hod >= 9 && hod < 16 ? rng.uniform(0.0, 800.0) : 0.0;
    net[static_cast<std::size_t>(hour)] = static_cast<float>(load_kw - pv_kw);
  }
  return net;
}

// Light 22-08, peak 13-18 on weekdays, mid otherwise: a simple table built here, independent of the
// tariff files.
TouPeriods simple_tou(const Calendar& calendar) {
  TouPeriods tou(static_cast<std::size_t>(calendar.hours()));
  for (int hour = 0; hour < calendar.hours(); ++hour) {
    const int hod = calendar.hour_of_day(hour);
    const bool weekday = calendar.weekday(hour) <= 5;
    tou[static_cast<std::size_t>(hour)] =
        hod >= 22 || hod < 8 ? 0 : (weekday && hod >= 13 && hod < 18 ? 2 : 1);
  }
  return tou;
}

BatterySpec spec_of(BatteryStrategy strategy) {
  BatterySpec spec;
  spec.energy_kwh = 1000.0;
  spec.power_kw = 250.0;
  spec.round_trip_efficiency = 0.88;
  spec.soc_min = 0.1;
  spec.soc_max = 0.95;
  spec.soc_initial = 0.5;
  spec.strategy = strategy;
  return spec;
}

}  // namespace

TEST_CASE("every strategy conserves energy and keeps power and state-of-charge limits every hour") {
  const Calendar& calendar = calendar_2026();
  const auto net = random_net_load_kw(calendar);
  const auto tou = simple_tou(calendar);
  for (const auto strategy :
       {BatteryStrategy::kSelfConsumption, BatteryStrategy::kPeakShaving, BatteryStrategy::kTouArbitrage}) {
    CAPTURE(static_cast<int>(strategy));
    const BatterySpec spec = spec_of(strategy);
    const double sqrt_eta = std::sqrt(spec.round_trip_efficiency);
    const auto operation = operate_battery(spec, net, calendar, tou);
    REQUIRE(operation.battery_kw.size() == net.size());
    REQUIRE(operation.soc.size() == net.size());
    double previous_soc = spec.soc_initial;
    double throughput_kwh = 0.0;
    for (std::size_t hour = 0; hour < net.size(); ++hour) {
      CAPTURE(hour);
      const double battery_kw = operation.battery_kw[hour];
      const double soc = operation.soc[hour];
      // soc[h] − soc[h−1] = (charge·√η − discharge/√η) / E; the outputs are float, so the check allows
      // 1e-6 of the energy capacity.
      const double stored_kwh = battery_kw < 0.0 ? -battery_kw * sqrt_eta : -battery_kw / sqrt_eta;
      CHECK(std::abs((soc - previous_soc) * spec.energy_kwh - stored_kwh) <= 1e-6 * spec.energy_kwh);
      CHECK(std::abs(battery_kw) <= spec.power_kw + 1e-3);
      CHECK(soc >= spec.soc_min - 1e-6);
      CHECK(soc <= spec.soc_max + 1e-6);
      // Never discharging into export.
      CHECK(battery_kw <= std::max(static_cast<double>(net[hour]), 0.0) + 1e-3);
      if (strategy == BatteryStrategy::kSelfConsumption) {
        CHECK(-battery_kw <= std::max(-static_cast<double>(net[hour]), 0.0) + 1e-3);
      }
      throughput_kwh += std::abs(battery_kw);
      previous_soc = soc;
    }
    CHECK(throughput_kwh > 10.0 * spec.energy_kwh);  // the battery did work
  }
}

TEST_CASE("self-consumption stores midday surplus and releases it in the evening") {
  // Hand-built two days: E = 100 kWh usable from 10 to 90 kWh (soc 0.1-0.9), 50 kW, η = 0.81 so
  // √η = 0.9, starting empty (10 kWh).
  BatterySpec spec;
  spec.energy_kwh = 100.0;
  spec.power_kw = 50.0;
  spec.round_trip_efficiency = 0.81;
  spec.soc_min = 0.1;
  spec.soc_max = 0.9;
  spec.soc_initial = 0.1;
  spec.strategy = BatteryStrategy::kSelfConsumption;

  std::vector<float> net(48);
  const auto fill = [&](int first, int last, float kw) {
    for (int hour = first; hour < last; ++hour) net[static_cast<std::size_t>(hour)] = kw;
  };
  fill(0, 10, 20.0F);
  fill(10, 11, -60.0F);
  fill(11, 14, -40.0F);
  fill(14, 18, 0.0F);
  fill(18, 21, 30.0F);
  fill(21, 34, 10.0F);
  fill(34, 37, -50.0F);
  fill(37, 42, 0.0F);
  fill(42, 44, 70.0F);
  fill(44, 48, 15.0F);

  // Expected, by hand (energy e in kWh; soc = e / 100):
  //  h0-9   net 20, battery empty: idle, e = 10
  //  h10    surplus 60, power limit: charge 50 kW, e = 10 + 50·0.9 = 55
  //  h11    surplus 40, room 35 kWh: charge 35 / 0.9 = 38.889 kW, e = 90
  //  h12-13 full: idle
  //  h18    net 30: discharge 30, e = 90 − 30 / 0.9 = 56.667
  //  h19    discharge 30, e = 23.333
  //  h20    left (23.333 − 10)·0.9 = 12 kW: discharge 12, e = 10
  //  h34    surplus 50: charge 50, e = 55
  //  h35    room 35 kWh: charge 38.889, e = 90
  //  h42    net 70, power limit: discharge 50, e = 90 − 50 / 0.9 = 34.444
  //  h43    left (24.444)·0.9 = 22 kW: discharge 22, e = 10
  std::array<double, 48> battery_kw{};
  std::array<double, 48> energy_kwh{};
  energy_kwh.fill(10.0);
  battery_kw[10] = -50.0;
  energy_kwh[10] = 55.0;
  battery_kw[11] = -35.0 / 0.9;
  for (int hour = 11; hour <= 17; ++hour) energy_kwh[static_cast<std::size_t>(hour)] = 90.0;
  battery_kw[18] = 30.0;
  energy_kwh[18] = 90.0 - 30.0 / 0.9;
  battery_kw[19] = 30.0;
  energy_kwh[19] = 90.0 - 60.0 / 0.9;
  battery_kw[20] = 12.0;
  battery_kw[34] = -50.0;
  energy_kwh[34] = 55.0;
  battery_kw[35] = -35.0 / 0.9;
  for (int hour = 35; hour <= 41; ++hour) energy_kwh[static_cast<std::size_t>(hour)] = 90.0;
  battery_kw[42] = 50.0;
  energy_kwh[42] = 90.0 - 50.0 / 0.9;
  battery_kw[43] = 22.0;

  const auto operation = operate_battery(spec, net, calendar_2026(), {});
  for (std::size_t hour = 0; hour < 48; ++hour) {
    CAPTURE(hour);
    CHECK(operation.battery_kw[hour] == doctest::Approx(battery_kw[hour]).epsilon(1e-5));
    CHECK(operation.soc[hour] * spec.energy_kwh == doctest::Approx(energy_kwh[hour]).epsilon(1e-5));
  }
}

TEST_CASE("peak shaving lowers a month's peak by the usable energy spread over the peak hours") {
  // One January day: 50 kW, except 250 kW from 08:00 to 12:00. Battery 300 kWh, 200 kW, η = 0.81
  // (√η = 0.9), soc 0.1-0.9 (240 kWh usable), starting empty.
  // By hand: the battery charges before the peak (it may charge from the grid up to the threshold),
  // fills its 240 kWh, and delivers 240 · 0.9 = 216 kWh over the four peak hours: 54 kW each. The power
  // limit (200 kW) does not bind, so the lowest threshold is 250 − 54 = 196 kW.
  BatterySpec spec;
  spec.energy_kwh = 300.0;
  spec.power_kw = 200.0;
  spec.round_trip_efficiency = 0.81;
  spec.soc_min = 0.1;
  spec.soc_max = 0.9;
  spec.soc_initial = 0.1;
  spec.strategy = BatteryStrategy::kPeakShaving;
  std::vector<float> net(24, 50.0F);
  for (std::size_t hour = 8; hour < 12; ++hour) net[hour] = 250.0F;

  const auto operation = operate_battery(spec, net, calendar_2026(), {});
  double peak_import_kw = 0.0;
  for (std::size_t hour = 0; hour < net.size(); ++hour) {
    peak_import_kw = std::max(peak_import_kw, static_cast<double>(net[hour] - operation.battery_kw[hour]));
  }
  CHECK(peak_import_kw == doctest::Approx(196.0).epsilon(1e-5));
  for (std::size_t hour = 8; hour < 12; ++hour)
    CHECK(operation.battery_kw[hour] == doctest::Approx(54.0).epsilon(1e-5));
  // The battery is exactly empty when the peak ends: no lower threshold is possible.
  CHECK(operation.soc[11] == doctest::Approx(0.1).epsilon(1e-5));
}

TEST_CASE("peak shaving never raises a month's peak import over a year of net load") {
  const Calendar& calendar = calendar_2026();
  const auto net = random_net_load_kw(calendar);
  const auto operation = operate_battery(spec_of(BatteryStrategy::kPeakShaving), net, calendar, {});
  std::array<double, 12> net_peak_kw{};
  std::array<double, 12> import_peak_kw{};
  for (int hour = 0; hour < calendar.hours(); ++hour) {
    const auto month = static_cast<std::size_t>(calendar.month(hour) - 1);
    const auto h = static_cast<std::size_t>(hour);
    net_peak_kw[month] = std::max(net_peak_kw[month], static_cast<double>(net[h]));
    import_peak_kw[month] =
        std::max(import_peak_kw[month], static_cast<double>(net[h] - operation.battery_kw[h]));
  }
  for (std::size_t month = 0; month < 12; ++month) {
    CAPTURE(month);
    CHECK(import_peak_kw[month] < net_peak_kw[month] - 1.0);
  }
}

TEST_CASE("TOU arbitrage charges only in light hours and discharges only in peak hours") {
  const Calendar& calendar = calendar_2026();
  const auto net = random_net_load_kw(calendar);
  const auto tou = simple_tou(calendar);
  const auto operation = operate_battery(spec_of(BatteryStrategy::kTouArbitrage), net, calendar, tou);
  double charged_kwh = 0.0;
  double discharged_kwh = 0.0;
  for (std::size_t hour = 0; hour < net.size(); ++hour) {
    CAPTURE(hour);
    const float battery_kw = operation.battery_kw[hour];
    if (battery_kw < 0.0F) CHECK(tou[hour] == 0);
    if (battery_kw > 0.0F) CHECK(tou[hour] == 2);
    if (tou[hour] == 1) CHECK(battery_kw == 0.0F);
    charged_kwh -= std::min(battery_kw, 0.0F);
    discharged_kwh += std::max(battery_kw, 0.0F);
  }
  CHECK(charged_kwh > 0.0);
  CHECK(discharged_kwh > 0.0);
}

TEST_CASE("a battery of zero energy or zero power stays idle") {
  const Calendar& calendar = calendar_2026();
  const auto net = random_net_load_kw(calendar);
  const auto tou = simple_tou(calendar);
  for (const auto strategy :
       {BatteryStrategy::kSelfConsumption, BatteryStrategy::kPeakShaving, BatteryStrategy::kTouArbitrage}) {
    for (const bool zero_energy : {true, false}) {
      BatterySpec spec = spec_of(strategy);
      (zero_energy ? spec.energy_kwh : spec.power_kw) = 0.0;
      const auto operation = operate_battery(spec, net, calendar, tou);
      REQUIRE(operation.battery_kw.size() == net.size());
      CHECK(std::all_of(operation.battery_kw.begin(), operation.battery_kw.end(),
                        [](float kw) { return kw == 0.0F; }));
      CHECK(std::all_of(operation.soc.begin(), operation.soc.end(), [&](float soc) { return soc == 0.5F; }));
    }
  }
}
