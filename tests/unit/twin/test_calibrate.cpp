#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "energy/loads.hpp"
#include "energy/rooftop_pv.hpp"
#include "energy/weather.hpp"
#include "twin/calibrate.hpp"

using namespace sandan;

namespace {

const std::string kHolidaysPath = std::string(SANDAN_GIS_DATA_DIR) + "/calendar/holidays_kr.csv";
const std::string kWeatherPath = std::string(SANDAN_GIS_DATA_DIR) + "/weather/incheon_synthetic.epw";
const std::string kLoadsPath = std::string(SANDAN_GIS_DATA_DIR) + "/loads/archetypes.yaml";
// 2025: a non-leap year the holidays file covers, so the 2026 synthetic weather serves it hour by hour
// of the year (the calibration notes the stand-in).
constexpr int kYear = 2025;

const std::vector<Holiday>& holidays() {
  static const std::vector<Holiday> kHolidays = read_holidays(kHolidaysPath);
  return kHolidays;
}
const Weather& weather() {
  static const Weather kWeather = read_epw(kWeatherPath);
  return kWeather;
}
const LoadLibrary& library() {
  static const LoadLibrary kLibrary = read_load_library(kLoadsPath);
  return kLibrary;
}
const Calendar& calendar() {
  static const Calendar kCalendar(kYear, holidays());
  return kCalendar;
}

// One complex "alpha" with three machinery facilities (KSIC C29, day shift) and no grid: the tests
// of facility, complex and PV meters need no feeders.
SiteModel tiny_site() {
  SiteModel model;
  Complex alpha;
  alpha.complex_id = "alpha";
  model.site.complexes.push_back(alpha);
  for (const char* id : {"f1", "f2", "f3"}) {
    Facility f;
    f.facility_id = id;
    f.complex = 0;
    f.ksic = "C29";
    f.floor_area_m2 = 5000.0;
    f.shift = Shift::kDay;
    model.site.facilities.push_back(f);
  }
  model.complexes = {0};
  model.complex_ids = {"alpha"};
  model.facility_slot = {0, 0, 0};
  return model;
}

MeasuredData year_data(int meters) {
  MeasuredData data;
  data.start_year = kYear;
  data.first_hour = 0;
  data.hours = calendar().hours();
  data.energy_kwh.assign(static_cast<std::size_t>(meters) * static_cast<std::size_t>(data.hours), kMissing);
  return data;
}

MeterInfo meter(const std::string& id, MeterTarget target, const std::string& target_id,
                MeterQuantity quantity = MeterQuantity::kLoad, double capacity_kwp = 0.0) {
  MeterInfo m;
  m.meter_id = id;
  m.target = target;
  m.target_id = target_id;
  m.quantity = quantity;
  m.unit = "kWh";
  m.capacity_kwp = capacity_kwp;
  return m;
}

CalibrationOutcome run(const MeasuredData& data, const SiteModel& site,
                       const CalibrationOptions& options = {}) {
  CalibrationInputs inputs;
  inputs.measured = &data;
  inputs.measured_path = "measured.h5";
  inputs.site = &site;
  inputs.holidays = &holidays();
  inputs.holidays_path = kHolidaysPath;
  inputs.weather = &weather();
  inputs.weather_path = kWeatherPath;
  inputs.library = &library();
  return calibrate(inputs, options);
}

// The known facility of the recovery test: a day-shift profile (night base 40 kW, working hours
// 200 kW, lunch dip), a lighter Saturday, base load on Sundays, holidays and shutdowns, and
// change-point terms Th = 12 °C at 3 kW/K and Tc = 24 °C at 5 kW/K.
LoadCalibration known_facility() {
  LoadCalibration c;
  c.facility_id = "f1";
  c.meter_id = "m1";
  for (std::size_t h = 0; h < 24; ++h) {
    const bool working = h >= 8 && h < 18;
    c.base_kw[0][h] = working ? (h == 12 ? 120.0 : 200.0) : 40.0;
    c.base_kw[1][h] = h >= 8 && h < 13 ? 110.0 : 40.0;
    c.base_kw[2][h] = 35.0;
    c.base_kw[3][h] = 35.0;
    c.base_kw[4][h] = 25.0;
  }
  c.heating_change_c = 12.0;
  c.heating_slope_kw_per_k = 3.0;
  c.cooling_change_c = 24.0;
  c.cooling_slope_kw_per_k = 5.0;
  return c;
}

// The model's hourly load times the project's noise form (energy/loads.cpp fill_noise): multiplier
// (1 + σz/2)² of a unit-variance AR(1) z with coefficient φ, relative sd ≈ σ.
std::vector<double> synthetic_load(const LoadCalibration& c, double sd, double phi, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  const Calendar& cal = calendar();
  std::vector<double> y(static_cast<std::size_t>(cal.hours()));
  double z = normal(rng);
  for (int h = 0; h < cal.hours(); ++h) {
    if (h > 0) z = phi * z + std::sqrt(1.0 - phi * phi) * normal(rng);
    const double root = 1.0 + 0.5 * sd * z;
    y[static_cast<std::size_t>(h)] = calibrated_kw(c, cal.day_type(h), cal.hour_of_day(h),
                                                   weather().dry_bulb_c[static_cast<std::size_t>(h)]) *
                                     root * root;
  }
  return y;
}

void put(MeasuredData& data, std::size_t m, const std::vector<double>& series) {
  for (std::size_t h = 0; h < series.size(); ++h)
    data.energy_kwh[m * static_cast<std::size_t>(data.hours) + h] = series[h];
}

const MeterCalibrationReport& report_of(const CalibrationOutcome& outcome, const std::string& meter_id) {
  for (const auto& r : outcome.report.meters) {
    if (r.meter_id == meter_id) return r;
  }
  FAIL("no report for meter " << meter_id);
  return outcome.report.meters.front();
}

}  // namespace

TEST_CASE("calibration recovers a facility's known profile, change points, slopes and noise") {
  const SiteModel site = tiny_site();
  MeasuredData data = year_data(1);
  data.meters.push_back(meter("m1", MeterTarget::kFacility, "f1"));
  const LoadCalibration truth = known_facility();
  put(data, 0, synthetic_load(truth, 0.05, 0.6, 42));
  const CalibrationOutcome outcome = run(data, site);
  REQUIRE(outcome.calibration.loads.size() == 1);
  const LoadCalibration& fit = outcome.calibration.loads[0];
  CHECK(fit.method == CalibrationMethod::kModel);
  CHECK(outcome.calibration.year == kYear);
  // Change points: the grid is whole degrees and the truth lies on it; with 5 % noise a neighbouring
  // degree can fit as well, so ±1 °C.
  CHECK(std::abs(fit.heating_change_c - 12.0) <= 1.0);
  CHECK(std::abs(fit.cooling_change_c - 24.0) <= 1.0);
  // Slopes: a change point one degree off shifts the slope that best fits the same hours by a few per
  // cent, and the noise adds its own; ±15 % covers both (the tolerance).
  CHECK(fit.heating_slope_kw_per_k == doctest::Approx(3.0).epsilon(0.15));
  CHECK(fit.cooling_slope_kw_per_k == doctest::Approx(5.0).epsilon(0.15));
  // Annual energy: least squares with a mean per (day type, hour) cell reproduces the training total
  // exactly; the truth differs from the data only by the noise's mean, (σ/2)² = 0.06 %, and its
  // sampling error over 8760 autocorrelated hours (≈ 0.05 · √(1.6/0.4) / √8760 ≈ 0.1 %), so ±1 %.
  const Calendar& cal = calendar();
  double truth_kwh = 0.0;
  double fit_kwh = 0.0;
  for (int h = 0; h < cal.hours(); ++h) {
    const double t = weather().dry_bulb_c[static_cast<std::size_t>(h)];
    truth_kwh += calibrated_kw(truth, cal.day_type(h), cal.hour_of_day(h), t);
    fit_kwh += calibrated_kw(fit, cal.day_type(h), cal.hour_of_day(h), t);
  }
  CHECK(fit_kwh == doctest::Approx(truth_kwh).epsilon(0.01));
  // Noise: √(Σr²/Σŷ²) estimates σ = 0.05 of the multiplier (1 + σz/2)², whose relative sd is
  // σ·√(1 + σ²/8) ≈ σ, less the small part of the noise the 124 fitted parameters absorb: ±20 % relative. Its
  // lag-1 autocorrelation estimates φ = 0.6; the AR(1) sample autocorrelation has sd ≈ √((1 − φ²)/n) ≈ 0.01,
  // so ±0.1 is wide.
  CHECK(fit.noise_sd == doctest::Approx(0.05).epsilon(0.20));
  CHECK(fit.noise_autocorrelation == doctest::Approx(0.6).epsilon(0.1 / 0.6));
  // The weekday base: within 5 % of the truth in working hours (a cell has ≈ 250 days of noise 5 %).
  CHECK(fit.base_kw[0][10] == doctest::Approx(200.0).epsilon(0.05));
  CHECK(fit.base_kw[0][3] == doctest::Approx(40.0).epsilon(0.05));
  const auto& r = report_of(outcome, "m1");
  CHECK(r.shift_pattern == "day");
  CHECK(r.fallbacks.empty());
  // The fitted model meets Guideline 14 in sample; 5 % noise alone gives an hourly CV(RMSE) near 5 %.
  CHECK(r.after.in_sample.hourly.passes);
  CHECK(r.after.in_sample.hourly.cv_rmse_pct < 10.0);
  CHECK(r.after.in_sample.monthly.passes);
  CHECK(std::abs(r.after.in_sample.hourly.nmbe_pct) < 0.5);
  // p: 120 cells with data (every day type has ≥ 2 days in 2025) + 2 slopes + 2 change points.
  CHECK(r.after.in_sample.hourly.p == 124);
  // The 2026 weather stands for 2025: the report says so.
  REQUIRE(!outcome.report.notes.empty());
  CHECK(outcome.report.notes[0].find("stand for 2025") != std::string::npos);
}

TEST_CASE("Guideline 14 NMBE and CV(RMSE) match a hand computation") {
  // y = 10, 12, 8, 10 and ŷ = 9, 11, 9, 9: errors 1, 1, −1, 1, Σe = 2, Σe² = 4, ȳ = 10. With p = 1,
  // n − p = 3: NMBE = 100 · 2 / (3 · 10) = 6.667 %, CV(RMSE) = 100 · √(4/3) / 10 = 11.547 %.
  const std::vector<double> y{10.0, 12.0, 8.0, 10.0};
  const std::vector<double> y_hat{9.0, 11.0, 9.0, 9.0};
  const FitStatistics hourly = fit_statistics(y, y_hat, 1, false);
  CHECK(hourly.n == 4);
  CHECK(hourly.nmbe_pct == doctest::Approx(20.0 / 3.0));
  CHECK(hourly.cv_rmse_pct == doctest::Approx(100.0 * std::sqrt(4.0 / 3.0) / 10.0));
  CHECK(hourly.passes);  // hourly: CV ≤ 30 %, |NMBE| ≤ 10 %
  const FitStatistics monthly = fit_statistics(y, y_hat, 1, true);
  CHECK_FALSE(monthly.passes);  // monthly: |NMBE| 6.7 % > 5 %
  // A NaN pair is left out; p = 0 divides by n.
  const FitStatistics skipped = fit_statistics({10.0, kMissing, 12.0}, {9.0, 5.0, 11.0}, 0, false);
  CHECK(skipped.n == 2);
  CHECK(skipped.nmbe_pct == doctest::Approx(100.0 * 2.0 / (2.0 * 11.0)));
  // n ≤ p: undefined, not passing.
  const FitStatistics too_few = fit_statistics({10.0}, {9.0}, 1, false);
  CHECK(std::isnan(too_few.cv_rmse_pct));
  CHECK_FALSE(too_few.passes);
}

TEST_CASE("a day type without training days falls back, and the fallback is reported") {
  const SiteModel site = tiny_site();
  MeasuredData data = year_data(1);
  data.meters.push_back(meter("m1", MeterTarget::kFacility, "f1"));
  std::vector<double> y = synthetic_load(known_facility(), 0.05, 0.6, 7);
  // No shutdown day has data: the shutdown profile must come from holidays.
  const Calendar& cal = calendar();
  for (int h = 0; h < cal.hours(); ++h) {
    if (cal.day_type(h) == DayType::kShutdown) y[static_cast<std::size_t>(h)] = kMissing;
  }
  put(data, 0, y);
  const CalibrationOutcome outcome = run(data, site);
  const LoadCalibration& fit = outcome.calibration.loads[0];
  CHECK(fit.base_kw[4] == fit.base_kw[3]);
  const auto& r = report_of(outcome, "m1");
  REQUIRE(r.fallbacks.size() == 1);
  CHECK(r.fallbacks[0] == "shutdown -> holiday (24 hours of day)");
  CHECK(r.after.in_sample.hourly.p == 96 + 4);
}

TEST_CASE("an aggregate meter scales the archetypes of the facilities without their own meter") {
  const SiteModel site = tiny_site();
  MeasuredData data = year_data(2);
  data.meters.push_back(meter("m1", MeterTarget::kFacility, "f1"));
  data.meters.push_back(meter("alpha_main", MeterTarget::kComplex, "alpha"));
  const std::vector<double> f1 = synthetic_load(known_facility(), 0.05, 0.6, 3);
  // The archetypes of f2 and f3 as the calibration sees them (noise off), times 1.3, plus f1's meter.
  LoadLibrary quiet = library();
  quiet.noise_sd = 0.0;
  const LoadModel model(site.site, calendar(), weather().dry_bulb_c, quiet, 1);
  const auto hours = static_cast<std::size_t>(calendar().hours());
  std::vector<float> elec(hours);
  std::vector<float> fuel(hours);
  std::vector<double> archetypes(hours, 0.0);
  for (std::size_t f : {1U, 2U}) {
    (void)model.facility(f, elec.data(), fuel.data());
    for (std::size_t h = 0; h < hours; ++h) archetypes[h] += elec[h];
  }
  std::vector<double> total(hours);
  for (std::size_t h = 0; h < hours; ++h)
    total[h] = f1[h] + 1.3 * archetypes[h] * (1.0 + 0.1 * std::sin(0.1 * static_cast<double>(h)));
  total[1000] = kMissing;  // an hour the aggregate misses is left out of the scaling
  put(data, 0, f1);
  put(data, 1, total);
  CalibrationOptions options;
  options.holdout = parse_holdout("2025-08-01/2025-09-30");
  options.holdout_text = "2025-08-01/2025-09-30";
  const CalibrationOutcome outcome = run(data, site, options);
  REQUIRE(outcome.calibration.loads.size() == 3);
  const auto& r = report_of(outcome, "alpha_main");
  CHECK(r.method == "scaled");
  CHECK(r.facilities == std::vector<std::string>{"f2", "f3"});
  CHECK(r.subtracted == std::vector<std::string>{"m1"});
  // The scaled sum matches the meter less f1 over the training hours, by construction of the scale.
  double measured = 0.0;
  double scaled = 0.0;
  const int holdout_first = calendar().first_hour({2025, 8, 1});
  const int holdout_last = calendar().first_hour({2025, 9, 30}) + 23;
  for (std::size_t h = 0; h < hours; ++h) {
    const bool held = static_cast<int>(h) >= holdout_first && static_cast<int>(h) <= holdout_last;
    if (held || !std::isfinite(total[h])) continue;
    measured += total[h] - f1[h];
    scaled += r.elec_scale * archetypes[h];
  }
  CHECK(scaled == doctest::Approx(measured).epsilon(1e-9));
  CHECK(r.elec_scale == doctest::Approx(1.3).epsilon(0.02));  // the sine averages out over the year
  for (const auto& load : outcome.calibration.loads) {
    if (load.facility_id == "f1") continue;
    CHECK(load.method == CalibrationMethod::kScaled);
    CHECK(load.elec_scale == r.elec_scale);
  }
  // After: no bias in sample (p = 1); before: the archetypes miss by the 30 %.
  CHECK(std::abs(r.after.in_sample.hourly.nmbe_pct) < 1e-6);
  CHECK(r.before.in_sample.hourly.nmbe_pct == doctest::Approx(100.0 * 0.3 / 1.3).epsilon(0.05));
  CHECK(r.after.holdout.hourly.n == (holdout_last - holdout_first + 1));
}

TEST_CASE("a PV meter's yield factor is measured over modelled AC energy") {
  const SiteModel site = tiny_site();
  MeasuredData data = year_data(1);
  data.meters.push_back(meter("pv1", MeterTarget::kFacility, "f2", MeterQuantity::kPv, 100.0));
  const std::vector<float> ac = pv_ac_kw_per_kwp(weather(), calendar(), RooftopPvSpec{});
  std::vector<double> y(ac.size());
  for (std::size_t h = 0; h < ac.size(); ++h) y[h] = 0.9 * 100.0 * ac[h];
  put(data, 0, y);
  const CalibrationOutcome outcome = run(data, site);
  REQUIRE(outcome.calibration.pv.size() == 1);
  CHECK(outcome.calibration.pv[0].facility_id == "f2");
  CHECK(outcome.calibration.pv[0].yield_factor == doctest::Approx(0.9).epsilon(1e-12));
  const auto& r = report_of(outcome, "pv1");
  CHECK(r.after.in_sample.hourly.cv_rmse_pct == doctest::Approx(0.0).epsilon(1e-9));
  // Before: the model is 1/0.9 of the data, NMBE = 100 · (0.9 − 1) / 0.9 = −11.1 %.
  CHECK(r.before.in_sample.hourly.nmbe_pct == doctest::Approx(-100.0 / 9.0).epsilon(1e-9));
}

TEST_CASE("data that cannot be calibrated are refused naming the file, the meter and the fix") {
  const SiteModel site = tiny_site();
  MeasuredData data = year_data(1);
  data.meters.push_back(meter("m1", MeterTarget::kFacility, "f1"));
  std::vector<double> y = synthetic_load(known_facility(), 0.05, 0.6, 5);
  // Data only from January to June.
  const int july = calendar().first_hour({2025, 7, 1});
  for (std::size_t h = static_cast<std::size_t>(july); h < y.size(); ++h) y[h] = kMissing;
  data.hours = july;
  data.energy_kwh.assign(y.begin(), y.begin() + july);
  const auto message = [&](const MeasuredData& d, const SiteModel& s,
                           const CalibrationOptions& o) -> std::string {
    try {
      (void)run(d, s, o);
    } catch (const ConfigError& e) {
      CHECK(e.code() == ErrorCode::kBadInput);
      return e.what();
    }
    return "accepted";
  };
  SUBCASE("a holdout outside the data") {
    CalibrationOptions options;
    options.holdout = parse_holdout("2025-08-01/2025-09-30");
    options.holdout_text = "2025-08-01/2025-09-30";
    const std::string what = message(data, site, options);
    CHECK(what.find("measured.h5: holdout 2025-08-01/2025-09-30 is outside the data of 2025 (2025-01-01 to "
                    "2025-06-30)") != std::string::npos);
  }
  SUBCASE("a meter of a facility the layout lacks") {
    MeasuredData other = data;
    other.meters[0].target_id = "f9";
    const std::string what = message(other, site, {});
    CHECK(what.find("measured.h5: meter 'm1': facility 'f9' is not in the layout") != std::string::npos);
  }
  SUBCASE("data outside the year") {
    CalibrationOptions options;
    options.year = 2027;
    const std::string what = message(data, site, options);
    CHECK(what.find("do not overlap 2027") != std::string::npos);
  }
  SUBCASE("a holdout that is not a date range") {
    CHECK_FALSE(parse_holdout("2025-09-30/2025-08-01"));
    CHECK_FALSE(parse_holdout("2025-08-01"));
    CHECK_FALSE(parse_holdout("2025-02-30/2025-03-01"));
  }
}

TEST_CASE("feeder and substation meters: the feeder's facilities take its scale, the substation the rest") {
  // Substation S1 feeds bus B1 by segment 0 (feeder F1) and bus B2 by segment 1 (feeder F2); f1 and f2
  // hang on B1, f3 on B2. Built by hand: the topology's fields are what calibrate() reads.
  SiteModel site = tiny_site();
  Substation s1;
  s1.substation_id = "S1";
  site.site.substations.push_back(s1);
  for (const auto& [segment_id, feeder_id, to_bus] :
       {std::tuple<const char*, const char*, const char*>{"s0", "F1", "B1"}, {"s1", "F2", "B2"}}) {
    FeederSegment segment;
    segment.segment_id = segment_id;
    segment.feeder_id = feeder_id;
    segment.substation = 0;
    segment.from_bus = "S1";
    segment.to_bus = to_bus;
    site.site.feeders.push_back(segment);
  }
  site.feeders.bus_ids = {"S1", "B1", "B2"};
  site.feeders.bus_positions.resize(3);
  site.feeders.parent_bus = {-1, 0, 0};
  site.feeders.parent_segment = {-1, 0, 1};
  site.feeders.substation = {0, 0, 0};
  site.attachments.bus = {1, 1, 2};

  LoadLibrary quiet = library();
  quiet.noise_sd = 0.0;
  const LoadModel model(site.site, calendar(), weather().dry_bulb_c, quiet, 1);
  const auto hours = static_cast<std::size_t>(calendar().hours());
  std::vector<float> elec(hours);
  std::vector<float> fuel(hours);
  std::vector<std::vector<double>> archetype(3, std::vector<double>(hours));
  for (std::size_t f = 0; f < 3; ++f) {
    (void)model.facility(f, elec.data(), fuel.data());
    for (std::size_t h = 0; h < hours; ++h) archetype[f][h] = elec[h];
  }
  // Feeder F1 reads 0.8 × (f1 + f2); the substation reads that plus 1.5 × f3.
  std::vector<double> feeder(hours);
  std::vector<double> substation(hours);
  for (std::size_t h = 0; h < hours; ++h) {
    feeder[h] = 0.8 * (archetype[0][h] + archetype[1][h]);
    substation[h] = feeder[h] + 1.5 * archetype[2][h];
  }
  MeasuredData data = year_data(2);
  // Listed substation first: calibrate() still takes the feeder (the more specific meter) first.
  data.meters.push_back(meter("sub", MeterTarget::kSubstation, "S1"));
  data.meters.push_back(meter("fdr", MeterTarget::kFeeder, "F1"));
  put(data, 0, substation);
  put(data, 1, feeder);
  const CalibrationOutcome outcome = run(data, site);
  const auto& f1 = report_of(outcome, "fdr");
  CHECK(f1.facilities == std::vector<std::string>{"f1", "f2"});
  CHECK(f1.elec_scale == doctest::Approx(0.8).epsilon(1e-9));
  const auto& s = report_of(outcome, "sub");
  CHECK(s.facilities == std::vector<std::string>{"f3"});
  CHECK(s.subtracted == std::vector<std::string>{"f1", "f2"});
  CHECK(s.elec_scale == doctest::Approx(1.5).epsilon(1e-9));
  CHECK(outcome.calibration.loads.size() == 3);
  // An unknown feeder is refused naming the meter.
  MeasuredData wrong = data;
  wrong.meters[1].target_id = "F9";
  CHECK_THROWS_WITH_AS((void)run(wrong, site),
                       doctest::Contains("meter 'fdr': feeder 'F9' is not in the layout"), ConfigError);
}

TEST_CASE("a cancelled calibration stops at each of its stopping points with kInterrupted") {
  const SiteModel site = tiny_site();
  MeasuredData data = year_data(3);
  data.meters.push_back(meter("m1", MeterTarget::kFacility, "f1"));
  data.meters.push_back(meter("m2", MeterTarget::kFacility, "f2"));
  data.meters.push_back(meter("c", MeterTarget::kComplex, "alpha"));
  const std::vector<double> load = synthetic_load(known_facility(), 0.05, 0.6, 7);
  put(data, 0, load);
  put(data, 1, load);
  // The complex meter: both metered facilities and 50 kW more for f3, whose archetype it scales.
  std::vector<double> complex_kw(load.size());
  for (std::size_t h = 0; h < load.size(); ++h) complex_kw[h] = 2.0 * load[h] + 50.0;
  put(data, 2, complex_kw);
  CalibrationOptions options;
  options.threads = 1;
  // Uncancelled, counting the times it is asked: before the archetype loads, before each of the two
  // facility fits, after the fits, and before the complex meter: 1 + 2 + 1 + 1 = 5.
  int asked = 0;
  options.cancelled = [&asked] {
    ++asked;
    return false;
  };
  const CalibrationOutcome outcome = run(data, site, options);
  CHECK(outcome.report.meters.size() == 3);
  CHECK(asked == 5);
  for (int stop_at = 1; stop_at <= 5; ++stop_at) {
    CAPTURE(stop_at);
    int count = 0;
    options.cancelled = [&count, stop_at] { return ++count >= stop_at; };
    try {
      (void)run(data, site, options);
      FAIL("the cancelled calibration returned");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kInterrupted);
    }
  }
}
