#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "twin/forecast.hpp"

using namespace sandan;

namespace {

const std::string kHolidaysPath = SANDAN_GIS_DATA_DIR "/calendar/holidays_kr.csv";

const Calendar& calendar_2026() {
  static const Calendar kCalendar = load_calendar(2026, kHolidaysPath);
  return kCalendar;
}

// A facility model: 100 kW at night, 250 kW from 08:00 to 18:00 on weekdays, 120 kW on other
// days' day hours; cooling 4 kW/K above 22 °C.
LoadCalibration facility_model(const std::string& id) {
  LoadCalibration c;
  c.facility_id = id;
  c.meter_id = "m_" + id;
  for (int d = 0; d < kCalibrationDayTypes; ++d) {
    for (int h = 0; h < 24; ++h) {
      const bool day = h >= 8 && h < 18;
      c.base_kw[static_cast<std::size_t>(d)][static_cast<std::size_t>(h)] =
          !day ? 100.0 : (d == 0 ? 250.0 : 120.0);
    }
  }
  c.cooling_change_c = 22.0;
  c.cooling_slope_kw_per_k = 4.0;
  c.noise_autocorrelation = 0.8;
  return c;
}

// Temperatures of the year: a daily cosine of ±5 K about a seasonal mean of 13 ± 13 °C (warmest in
// early August), enough to switch the cooling term on and off.
std::vector<double> temperatures_c(const Calendar& calendar) {
  std::vector<double> t(static_cast<std::size_t>(calendar.hours()));
  for (int h = 0; h < calendar.hours(); ++h) {
    const double season = std::cos(2.0 * std::numbers::pi * (h / 24.0 - 213.0) / 365.0);
    const double day = std::cos(2.0 * std::numbers::pi * ((h % 24) - 15.0) / 24.0);
    t[static_cast<std::size_t>(h)] = 13.0 + 13.0 * season + 5.0 * day;
  }
  return t;
}

// Measured data of the facilities: each the model plus, for `phi` given, an AR(1) residual
// e_t = φ e_{t−1} + σ ε_t with a stationary standard deviation of `sd_kw`, on the 2026 axis.
MeasuredData synthetic_measured(const std::vector<LoadCalibration>& models, const Calendar& calendar,
                                const std::vector<double>& temperature_c, double phi, double sd_kw,
                                std::uint64_t seed) {
  MeasuredData data;
  data.start_year = 2026;
  data.first_hour = 0;
  data.hours = calendar.hours();
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, sd_kw * std::sqrt(1.0 - phi * phi));
  for (const LoadCalibration& c : models) {
    data.meters.push_back({c.meter_id, MeterTarget::kFacility, c.facility_id, MeterQuantity::kLoad, 60, "kWh",
                           1.0, 0.0, "synthetic"});
    double e = normal(rng) / std::sqrt(1.0 - phi * phi);
    for (int h = 0; h < data.hours; ++h) {
      e = phi * e + normal(rng);
      data.energy_kwh.push_back(calibrated_kw(c, calendar.day_type(h), calendar.hour_of_day(h),
                                              temperature_c[static_cast<std::size_t>(h)]) +
                                e);
    }
  }
  return data;
}

}  // namespace

TEST_CASE("AR(1) correction: r̂_k = b + φ^k (r_last − b), by hand") {
  // b = 2 kW, r_last = 10 kW, φ = 0.5: r̂_1 = 2 + 0.5 · 8 = 6, r̂_2 = 2 + 0.25 · 8 = 4,
  // r̂_3 = 2 + 0.125 · 8 = 3; at lead 0 it is the last residual, and far ahead the level.
  CHECK(residual_correction_kw(2.0, 10.0, 0.5, 0) == doctest::Approx(10.0));
  CHECK(residual_correction_kw(2.0, 10.0, 0.5, 1) == doctest::Approx(6.0));
  CHECK(residual_correction_kw(2.0, 10.0, 0.5, 2) == doctest::Approx(4.0));
  CHECK(residual_correction_kw(2.0, 10.0, 0.5, 3) == doctest::Approx(3.0));
  CHECK(residual_correction_kw(2.0, 10.0, 0.5, 60) == doctest::Approx(2.0));
  // φ = 0: the level from the first hour on.
  CHECK(residual_correction_kw(-3.0, 7.0, 0.0, 1) == doctest::Approx(-3.0));
}

TEST_CASE("forecast metrics against a hand computation") {
  const std::vector<double> measured{10.0, 20.0, 0.0, 40.0};
  const std::vector<double> forecast{12.0, 18.0, 1.0, 30.0};
  const std::vector<bool> all(4, true);
  const ForecastMetrics m = forecast_metrics(forecast, measured, all);
  CHECK(m.hours == 4);
  // MAPE over the hours measured > 0: (2/10 + 2/20 + 10/40) / 3 = 0.55 / 3 = 18.333… %.
  CHECK(m.mape_pct == doctest::Approx(100.0 * 0.55 / 3.0));
  // CV(RMSE): squared errors 4 + 4 + 1 + 100 = 109 over n − p = 4 − 0, sqrt(27.25) = 5.2202 kW over the
  // mean 70 / 4 = 17.5 kW: 29.830 %.
  CHECK(m.cv_rmse_pct == doctest::Approx(100.0 * std::sqrt(109.0 / 4.0) / 17.5));
  CHECK(m.cv_rmse_pct == doctest::Approx(29.830).epsilon(1e-4));
  // Peaks: forecast 30 kW, measured 40 kW, both at the fourth hour.
  CHECK(m.peak_error_kw == doctest::Approx(-10.0));
  CHECK(m.peak_error_pct == doctest::Approx(-25.0));
  CHECK(m.peak_timing_h == doctest::Approx(0.0));

  // A forecast peaking three hours early, 10 kW (25 %) too high.
  const std::vector<double> early{50.0, 18.0, 1.0, 30.0};
  const ForecastMetrics e = forecast_metrics(early, measured, all);
  CHECK(e.peak_error_kw == doctest::Approx(10.0));
  CHECK(e.peak_error_pct == doctest::Approx(25.0));
  CHECK(e.peak_timing_h == doctest::Approx(-3.0));

  // Hours not scored and missing measurements are left out: only the first two hours count.
  std::vector<double> gappy = measured;
  gappy[2] = std::nan("");
  const ForecastMetrics g = forecast_metrics(forecast, gappy, {true, true, true, false});
  CHECK(g.hours == 2);
  CHECK(g.mape_pct == doctest::Approx(15.0));                   // (20 % + 10 %) / 2
  CHECK(g.cv_rmse_pct == doctest::Approx(100.0 * 2.0 / 15.0));  // sqrt(8 / 2) = 2 kW over 15 kW
  CHECK(forecast_metrics(forecast, measured, std::vector<bool>(4, false)).hours == 0);
  CHECK(std::isnan(forecast_metrics(forecast, measured, std::vector<bool>(4, false)).mape_pct));
}

TEST_CASE("the AR(1) correction lowers the first hours' error where the residuals are AR(1), φ = 0.8") {
  // Measured = model + AR(1) residual with φ = 0.8 and a stationary sd of 5 kW. The model alone errs
  // by the residual itself, variance σ² / (1 − φ²). The corrected forecast at lead k errs by the
  // innovations since the last measurement, variance σ² (1 − φ^{2k}) / (1 − φ²) (the k-step AR(1)
  // forecast error; Hyndman & Athanasopoulos 2021, §9.8), plus the small error of the estimated level:
  // the ratio of mean squared errors is ≈ 1 − φ^{2k}: 0.36 at lead 1, 0.59 at lead 2, 0.74 at lead 3.
  const Calendar& calendar = calendar_2026();
  const std::vector<double> temperature = temperatures_c(calendar);
  Calibration calibration;
  calibration.loads = {facility_model("f1")};
  const MeasuredData measured = synthetic_measured(calibration.loads, calendar, temperature, 0.8, 5.0, 7);
  ForecastOptions options;
  options.facility_complex = {{"f1", "juan"}};
  constexpr int kLeads = 3;
  std::vector<double> corrected_sse(kLeads, 0.0), model_sse(kLeads, 0.0);
  int origins = 0;
  // 340 origins a day apart, from the 9th day (a full week of residuals before each).
  for (int from = 8 * 24 + 5; from + kLeads <= calendar.hours(); from += 24 + 1) {
    const Forecast f = forecast(calibration, measured, calendar, temperature, from, kLeads, options);
    const ForecastSeries& s = f.facilities.at(0);
    CHECK(s.last_measured_hour == from - 1);
    for (int k = 0; k < kLeads; ++k) {
      const auto i = static_cast<std::size_t>(k);
      corrected_sse[i] += std::pow(s.forecast_kw[i] - s.measured_kw[i], 2);
      model_sse[i] += std::pow(s.model_kw[i] - s.measured_kw[i], 2);
    }
    ++origins;
  }
  REQUIRE(origins > 300);
  const double ratio_1 = corrected_sse[0] / model_sse[0];
  const double ratio_3 = corrected_sse[2] / model_sse[2];
  MESSAGE("MSE ratio corrected / model: lead 1 ", ratio_1, ", lead 2 ", corrected_sse[1] / model_sse[1],
          ", lead 3 ", ratio_3, " over ", origins, " origins");
  // With ~340 origins the ratios' sampling error is about 10 % of their value.
  CHECK(ratio_1 < 0.5);
  CHECK(ratio_1 > 0.25);
  CHECK(ratio_3 < 0.95);
  CHECK(ratio_1 < ratio_3);
}

TEST_CASE(
    "complexes are the sums of their metered facilities; naive references repeat the last day and week") {
  const Calendar& calendar = calendar_2026();
  const std::vector<double> temperature = temperatures_c(calendar);
  Calibration calibration;
  calibration.loads = {facility_model("a1"), facility_model("a2"), facility_model("b1"),
                       facility_model("unmetered")};
  calibration.loads[1].base_kw[0][10] = 400.0;
  MeasuredData measured =
      synthetic_measured({calibration.loads[0], calibration.loads[1], calibration.loads[2]}, calendar,
                         temperature, 0.8, 5.0, 11);
  // A complex meter of juan: shown, not summed.
  measured.meters.push_back(
      {"cx_juan", MeterTarget::kComplex, "juan", MeterQuantity::kLoad, 60, "kWh", 1.0, 0.0, "x"});
  for (int h = 0; h < measured.hours; ++h) measured.energy_kwh.push_back(1000.0 + h);
  ForecastOptions options;
  options.facility_complex = {{"a1", "juan"}, {"a2", "juan"}, {"b1", "bupyeong"}};
  const int from = 24 * 100;  // 2026-04-11 00:00
  const Forecast f = forecast(calibration, measured, calendar, temperature, from, 48, options);
  REQUIRE(f.facilities.size() == 3);
  REQUIRE(f.complexes.size() == 2);
  CHECK(f.complexes[0].id == "juan");
  CHECK(f.complexes[0].meter_id == "cx_juan");
  CHECK(f.complexes[1].id == "bupyeong");
  for (std::size_t i = 0; i < 48; ++i) {
    CHECK(f.complexes[0].forecast_kw[i] ==
          doctest::Approx(f.facilities[0].forecast_kw[i] + f.facilities[1].forecast_kw[i]));
    CHECK(f.complexes[0].model_kw[i] ==
          doctest::Approx(f.facilities[0].model_kw[i] + f.facilities[1].model_kw[i]));
    CHECK(f.complexes[1].forecast_kw[i] == doctest::Approx(f.facilities[2].forecast_kw[i]));
    CHECK(f.complex_meter_kw[i] == doctest::Approx(1000.0 + from + static_cast<double>(i)));
    CHECK(std::isnan(f.complex_meter_kw[48 + i]));
    // Lead k = i + 1: the day reference repeats hour from − 24 + (i mod 24), the week one from − 168 + i.
    const std::size_t day_source = static_cast<std::size_t>(from - 24) + i % 24;
    const std::size_t week_source = static_cast<std::size_t>(from - 168) + i;
    CHECK(f.facilities[0].persistence_day_kw[i] == measured.energy_kwh[day_source]);
    CHECK(f.facilities[0].persistence_week_kw[i] == measured.energy_kwh[week_source]);
  }
  // Every hour measured: every method scored on the 48 hours.
  for (const ForecastMetrics& m : f.complexes[0].metrics) CHECK(m.hours == 48);
  CHECK(f.issued_at_hour == from - 1);
  CHECK(f.correction_age_h == 0);
}

TEST_CASE("a forecast after the data decays from the last measured hour and has no scores") {
  const Calendar& calendar = calendar_2026();
  const std::vector<double> temperature = temperatures_c(calendar);
  Calibration calibration;
  calibration.loads = {facility_model("f1")};
  MeasuredData measured = synthetic_measured(calibration.loads, calendar, temperature, 0.8, 5.0, 3);
  // The data end at hour 3000; the forecast starts 10 hours later.
  measured.hours = 3000;
  measured.energy_kwh.resize(3000);
  ForecastOptions options;
  options.facility_complex = {{"f1", "juan"}};
  const Forecast f = forecast(calibration, measured, calendar, temperature, 3010, 24, options);
  const ForecastSeries& s = f.facilities.at(0);
  CHECK(s.last_measured_hour == 2999);
  CHECK(f.correction_age_h == 10);
  CHECK(s.residual_hours == 158);  // hours 2842..2999 of the week before hour 3010
  for (const ForecastMetrics& m : s.metrics) CHECK(m.hours == 0);
  for (std::size_t i = 0; i < 24; ++i) {
    CHECK(std::isnan(s.measured_kw[i]));
    // Lead from the last measured hour: 11 for the first forecast hour.
    const double expected =
        s.model_kw[i] + s.residual_level_kw +
        std::pow(0.8, 11 + static_cast<int>(i)) * (s.residual_last_kw - s.residual_level_kw);
    CHECK(s.forecast_kw[i] == doctest::Approx(std::max(0.0, expected)));
  }
}

TEST_CASE("bad forecast requests are refused with the fix") {
  const Calendar& calendar = calendar_2026();
  const std::vector<double> temperature = temperatures_c(calendar);
  Calibration calibration;
  calibration.loads = {facility_model("f1")};
  MeasuredData measured = synthetic_measured(calibration.loads, calendar, temperature, 0.8, 5.0, 5);
  // The data start at hour 1000 of 2026 and end at hour 4000.
  measured.first_hour = 1000;
  measured.hours = 3000;
  measured.energy_kwh.resize(3000);
  ForecastOptions options;
  options.facility_complex = {{"f1", "juan"}};
  auto code = [&](int from, int hours, const ForecastOptions& o) {
    try {
      (void)forecast(calibration, measured, calendar, temperature, from, hours, o);
    } catch (const Error& e) {
      MESSAGE(std::string(e.what()));
      return static_cast<int>(e.code());
    }
    return 0;
  };
  CHECK(code(2000, 48, options) == 0);
  CHECK(code(500, 48, options) == 2);   // before the data
  CHECK(code(1000, 48, options) == 2);  // at the data's first hour: nothing measured before it
  CHECK(code(2000, 0, options) == 2);
  CHECK(code(2000, -5, options) == 2);
  CHECK(code(0, 8761, options) == 2);
  CHECK(code(8760 - 10, 48, options) == 2);  // leaves the year
  // The last measured hour is 3999: from 4167 it is the first of the week before, from 4168 outside it.
  CHECK(code(3999 + 7 * 24, 48, options) == 0);
  CHECK(code(3999 + 7 * 24 + 1, 48, options) == 2);
  CHECK(code(2000, 48, ForecastOptions{}) == 2);  // a metered facility without a complex
  Calibration none;
  none.loads = {facility_model("other")};
  CHECK_THROWS_AS((void)forecast(none, measured, calendar, temperature, 2000, 48, options), Error);
  CHECK_THROWS_AS(
      (void)forecast(calibration, measured, calendar, std::vector<double>(10, 0.0), 2000, 48, options),
      Error);
}

TEST_CASE("a cancelled forecast stops at each of its stopping points with kInterrupted") {
  const Calendar& calendar = calendar_2026();
  const std::vector<double> temperature = temperatures_c(calendar);
  Calibration calibration;
  calibration.loads = {facility_model("a1"), facility_model("a2"), facility_model("unmetered")};
  const MeasuredData measured =
      synthetic_measured({calibration.loads[0], calibration.loads[1]}, calendar, temperature, 0.8, 5.0, 3);
  ForecastOptions options;
  options.facility_complex = {{"a1", "juan"}, {"a2", "juan"}};
  const int from = 24 * 100;
  // Uncancelled, counting the times it is asked: before each of the 3 calibrations' facilities, before
  // the complexes and before the PV forecast: 3 + 1 + 1 = 5.
  int asked = 0;
  options.cancelled = [&asked] {
    ++asked;
    return false;
  };
  const Forecast f = forecast(calibration, measured, calendar, temperature, from, 48, options);
  CHECK(f.facilities.size() == 2);
  CHECK(asked == 5);
  for (int stop_at = 1; stop_at <= 5; ++stop_at) {
    CAPTURE(stop_at);
    int count = 0;
    options.cancelled = [&count, stop_at] { return ++count >= stop_at; };
    try {
      (void)forecast(calibration, measured, calendar, temperature, from, 48, options);
      FAIL("the cancelled forecast returned");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kInterrupted);
    }
  }
}
