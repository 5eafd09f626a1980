// The synthetic typical year. Each variable follows a published model chosen to need nothing but the
// monthly normals; the random parts are seeded sandan::Rng streams, one per variable, so that changing
// one model does not reshuffle the others. Monthly totals and means are then forced to the normals
// exactly, as the normals are the only facts the file carries.
#include "energy/weather_synth.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <map>
#include <numbers>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/calendar.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/rng.hpp"
#include "energy/irradiance.hpp"
#include "energy/solar_position.hpp"

namespace sandan {
namespace {

constexpr int kDays = 365;
constexpr int kHours = kDays * 24;
constexpr std::array<int, 12> kMonthDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
constexpr double kRadPerDeg = std::numbers::pi / 180.0;
// ΔT = TT − UT for the 2020s (IERS Bulletin A: 69 s in 2024); a few seconds either way move the sun
// by less than 1e-4°.
constexpr double kDeltaTS = 69.0;
// Any common year gives the month and day of a day index of the 365-day typical year.
constexpr int kCommonYear = 2001;

// Daily clearness index bounds: the darkest overcast days transmit about 5 % of the extraterrestrial
// irradiation, and the clearest days of a humid coastal site stay below 80 %.
constexpr double kDailyKtMin = 0.05;
constexpr double kDailyKtMax = 0.8;
// The monthly mean clearness the generator accepts: the truncated distribution needs its mean well
// inside the bounds. Real monthly means run from about 0.25 (a cloudy winter month in northern
// Europe) to 0.75 (a desert summer).
constexpr double kMonthlyKtMin = 0.1;
constexpr double kMonthlyKtMax = 0.75;
// Lag-one autocorrelation of the Gaussian-transformed daily clearness: weather persists over a few days
// (a front passes in two or three). Graham, Hollands & Unny (1988), "A time series model for Kt with
// application to global synthetic weather generation", Solar Energy 40(2), model the transformed series
// as a first-order autoregression; 0.3 is a typical mid-latitude coefficient (an estimate, not fitted
// to Incheon).
constexpr double kDailyKtLag1 = 0.3;
// No hour receives more than this share of the extraterrestrial irradiation on the horizontal: a
// clear, dry atmosphere transmits about 75–80 % at high sun.
constexpr double kHourlyKtMax = 0.8;
// Hour-to-hour variation of the clearness within a day: a lognormal factor with this largest standard
// deviation, reached at intermediate daily clearness (broken cloud); clear and overcast days are smooth.
constexpr double kHourlyNoiseSigma = 0.3;
constexpr double kHourlyNoiseLag1 = 0.6;

// Diurnal temperature shape of Parton & Logan (1981), "A model for diurnal variation in soil and air
// temperature", Agricultural Meteorology 23, fitted for air at 150 cm: the maximum lags solar noon by
// a hours, the night decays with coefficient b, the minimum lags sunrise by c hours.
constexpr double kPartonLagMaxH = 1.86;
constexpr double kPartonNightDecay = 2.20;
constexpr double kPartonLagMinH = -0.17;
// Day-to-day temperature anomaly, a first-order autoregression as in the WGEN generator (Richardson
// 1981, "Stochastic simulation of daily precipitation, temperature, and solar radiation", Water
// Resources Research 17(1), whose daily temperature residuals have lag-one correlations near 0.6). Its
// standard deviation (an estimate) peaks in January, with the cold surges of the winter monsoon, and is
// smallest in the steady summer monsoon.
constexpr double kTemperatureLag1 = 0.65;
constexpr double kTemperatureSigmaMeanC = 2.25;
constexpr double kTemperatureSigmaSwingC = 0.75;
// Clear days have a wider daily range and overcast days a narrower one (Bristow & Campbell 1984,
// "On the relationship between incoming solar radiation and daily maximum and minimum temperature",
// Agricultural and Forest Meteorology 31): the range moves by this share of the day's relative
// departure of Kt from the monthly mean.
constexpr double kRangeKtSensitivity = 0.6;
constexpr double kMinDailyRangeC = 1.0;

// Dew point below the daily minimum temperature, °C, by month. In humid climates the dew point sits
// near the daily minimum (Kimball, Running & Nemani 1997, "An improved method for estimating surface
// humidity from daily minimum temperature", Agricultural and Forest Meteorology 85). The depressions
// are estimates that give the Korean west coast's seasonal humidity: about 60 % relative humidity in
// the dry winter monsoon, 80–85 % in the rainy season of July and August.
constexpr std::array<double, 12> kDewPointDepressionC{3.7, 3.4, 3.2, 2.8, 1.9, 0.7,
                                                      0.0, 0.7, 1.9, 3.3, 3.4, 3.6};
// Cloudy days are humid and clear days dry: the depression moves by this share of Kt's departure.
constexpr double kDepressionKtSensitivity = 1.0;

// Wind speed: Weibull marginal with shape 2 (Justus, Hargraves, Mikhail & Graber 1978, "Methods for
// estimating wind speed frequency distributions", Journal of Applied Meteorology 17: k ≈ 2 at most
// sites), hourly persistence, and an afternoon maximum of the daytime mixing and sea breeze.
constexpr double kWindWeibullShape = 2.0;
constexpr double kWindLag1 = 0.9;
constexpr double kWindDiurnalAmplitude = 0.25;
constexpr double kWindPeakHour = 15.0;
// Wind direction wanders around the prevailing direction day by day, with hourly turbulence.
constexpr double kWindDirectionLag1 = 0.7;
constexpr double kWindDirectionSigmaDeg = 50.0;
constexpr double kWindDirectionHourlySigmaDeg = 15.0;

// Independent random streams of one seed.
enum class Stream : std::uint64_t { kDailyKt = 1, kHourlyKt, kTemperature, kWindSpeed, kWindDirection };

std::string number_text(double value) {
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return std::string(buffer.data(), result.ptr);
}

// To a tenth, as a value whose shortest decimal form is one digit after the point (dividing the rounded
// integer by 10 is exact to the nearest double; multiplying by 0.1 is not).
double round_to_tenth(double value) { return std::round(value * 10.0) / 10.0; }

// The standard normal distribution function.
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// The sun during each hour of the typical year.
struct SunHour {
  double extraterrestrial_wh_m2 = 0.0;  // on the horizontal, integrated over the hour
  double dni_extra_w_m2 = 0.0;
  double zenith_deg = 0.0;           // geometric, mid-hour
  double apparent_zenith_deg = 0.0;  // refraction-corrected, mid-hour
  double hour_angle_deg = 0.0;       // mid-hour, [−180, 180], 0 at solar noon
  double sunset_hour_angle_deg = 0.0;
};

// The sun at each mid-hour by the SPA, and the extraterrestrial irradiation on the horizontal
// integrated over the hour in closed form over the hour angle (Duffie & Beckman, "Solar Engineering
// of Thermal Processes", eq. 1.10.4), limited to the part of the hour the sun is above the geometric
// horizon. An hour the sun spends wholly below the horizon gets exactly 0.
std::vector<SunHour> sun_hours(const WeatherLocation& location, int year) {
  const Observer observer{location.lat_deg, location.lon_deg, location.elevation_m};
  const double sin_lat = std::sin(location.lat_deg * kRadPerDeg);
  const double cos_lat = std::cos(location.lat_deg * kRadPerDeg);
  std::vector<SunHour> hours(kHours);
  for (int hour = 0; hour < kHours; ++hour) {
    const Date date = date_of_day(kCommonYear, hour / 24 + 1);
    const CivilTime mid_hour{year, date.month, date.day, hour % 24, 30, 0.0, location.utc_offset_h};
    const SolarPosition sun = solar_position(mid_hour, kDeltaTS, observer);
    SunHour& out = hours[static_cast<std::size_t>(hour)];
    const int day_of_year = hour / 24 + 1;
    out.dni_extra_w_m2 = extraterrestrial_dni_w_m2(day_of_year);
    out.zenith_deg = sun.geometric_zenith_deg;
    out.apparent_zenith_deg = sun.zenith_deg;
    out.hour_angle_deg = std::remainder(sun.hour_angle_deg, 360.0);
    const double sin_dec = std::sin(sun.declination_deg * kRadPerDeg);
    const double cos_dec = std::cos(sun.declination_deg * kRadPerDeg);
    const double cos_sunset = std::clamp(-sin_lat * sin_dec / (cos_lat * cos_dec), -1.0, 1.0);
    out.sunset_hour_angle_deg = std::acos(cos_sunset) / kRadPerDeg;
    // The sun's hour angle turns 15° an hour.
    const double start = std::max(out.hour_angle_deg - 7.5, -out.sunset_hour_angle_deg);
    const double end = std::min(out.hour_angle_deg + 7.5, out.sunset_hour_angle_deg);
    if (end <= start) continue;
    const double integral = sin_lat * sin_dec * (end - start) * kRadPerDeg +
                            cos_lat * cos_dec * (std::sin(end * kRadPerDeg) - std::sin(start * kRadPerDeg));
    out.extraterrestrial_wh_m2 = std::max(0.0, out.dni_extra_w_m2 * 12.0 / std::numbers::pi * integral);
  }
  return hours;
}

int month_start_day(int month_index) {
  int day = 0;
  for (int m = 0; m < month_index; ++m) day += kMonthDays[static_cast<std::size_t>(m)];
  return day;
}

// Monthly mean daily extraterrestrial irradiation on the horizontal, kWh/m²/day.
std::array<double, 12> monthly_extraterrestrial_kwh_m2_day(const std::vector<SunHour>& hours) {
  std::array<double, 12> totals{};
  for (int hour = 0; hour < kHours; ++hour) {
    const int month = date_of_day(kCommonYear, hour / 24 + 1).month;
    totals[static_cast<std::size_t>(month - 1)] +=
        hours[static_cast<std::size_t>(hour)].extraterrestrial_wh_m2;
  }
  for (std::size_t m = 0; m < 12; ++m) totals[m] /= 1000.0 * kMonthDays[m];
  return totals;
}

// A periodic piecewise-linear curve through one anchor a month at mid-month whose average over each
// month's samples equals that month's target, evaluated at the samples. Plain interpolation between
// monthly means would flatten the annual cycle (the mean of a curved stretch is not its mid value);
// the anchors are adjusted iteratively until the means match, as in Killworth (1996), "Time
// interpolation of forcing fields in ocean models", Journal of Physical Oceanography 26. The curve has
// no step at the turn of a month.
class MonthlyCurve {
 public:
  // position_days: each sample's time in days since 1 January 00:00, in [0, 365).
  explicit MonthlyCurve(std::span<const double> position_days) : samples_(position_days.size()) {
    std::array<double, 12> anchor_days{};
    for (int m = 0; m < 12; ++m) {
      anchor_days[static_cast<std::size_t>(m)] =
          month_start_day(m) + 0.5 * kMonthDays[static_cast<std::size_t>(m)];
    }
    for (std::size_t i = 0; i < samples_.size(); ++i) {
      const double x = position_days[i];
      Sample& sample = samples_[i];
      sample.month = date_of_day(kCommonYear, std::clamp(static_cast<int>(x) + 1, 1, kDays)).month - 1;
      // The anchors on either side, wrapping round the year.
      int upper = 0;
      while (upper < 12 && anchor_days[static_cast<std::size_t>(upper)] <= x) ++upper;
      const int lower = (upper + 11) % 12;
      upper %= 12;
      double lower_day = anchor_days[static_cast<std::size_t>(lower)];
      double upper_day = anchor_days[static_cast<std::size_t>(upper)];
      if (upper_day <= lower_day) upper_day += kDays;
      double at = x;
      if (at < lower_day) at += kDays;
      sample.lower = lower;
      sample.upper = upper;
      sample.weight = (at - lower_day) / (upper_day - lower_day);
      ++counts_[static_cast<std::size_t>(sample.month)];
    }
  }

  [[nodiscard]] std::vector<double> values(const std::array<double, 12>& targets) const {
    std::array<double, 12> anchors = targets;
    std::vector<double> out(samples_.size());
    // The mean over a month weighs its own anchor about 3/4 and each neighbour 1/8, so this Jacobi
    // iteration halves the error each step at worst.
    constexpr int kMaxIterations = 100;
    for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
      std::array<double, 12> sums{};
      for (std::size_t i = 0; i < samples_.size(); ++i) {
        const Sample& s = samples_[i];
        out[i] = anchors[static_cast<std::size_t>(s.lower)] * (1.0 - s.weight) +
                 anchors[static_cast<std::size_t>(s.upper)] * s.weight;
        sums[static_cast<std::size_t>(s.month)] += out[i];
      }
      double worst = 0.0;
      for (std::size_t m = 0; m < 12; ++m) {
        if (counts_[m] == 0) continue;
        const double error = targets[m] - sums[m] / static_cast<double>(counts_[m]);
        anchors[m] += error;
        worst = std::max(worst, std::abs(error));
      }
      if (worst < 1e-12) break;
    }
    return out;
  }

 private:
  struct Sample {
    int month = 0;
    int lower = 0;
    int upper = 0;
    double weight = 0.0;
  };
  std::vector<Sample> samples_;
  std::array<int, 12> counts_{};
};

// The truncated exponential density of daily clearness of Bendt, Collares-Pereira & Rabl (1981),
// "The frequency distribution of daily insolation values", Solar Energy 27: p(Kt) ∝ exp(γ Kt) on
// [kDailyKtMin, kDailyKtMax], γ chosen so that the mean is the monthly mean clearness.
class BendtDistribution {
 public:
  explicit BendtDistribution(double mean_kt) {
    const double target = std::clamp(mean_kt, kMonthlyKtMin, kMonthlyKtMax) - kDailyKtMin;
    double lo = -200.0;
    double hi = 200.0;
    for (int i = 0; i < 200; ++i) {
      const double mid = 0.5 * (lo + hi);
      (offset_mean(mid) < target ? lo : hi) = mid;
    }
    gamma_ = 0.5 * (lo + hi);
  }

  // The clearness with distribution function value u in [0, 1].
  [[nodiscard]] double quantile(double u) const {
    if (std::abs(gamma_ * kSpan) < 1e-9) return kDailyKtMin + u * kSpan;
    return kDailyKtMin + std::log1p(u * std::expm1(gamma_ * kSpan)) / gamma_;
  }

 private:
  static constexpr double kSpan = kDailyKtMax - kDailyKtMin;

  // The mean of Kt − kDailyKtMin for a given γ, written to stay finite for large |γ|.
  static double offset_mean(double gamma) {
    if (std::abs(gamma * kSpan) < 1e-6) return 0.5 * kSpan + gamma * kSpan * kSpan / 12.0;
    if (gamma < 0.0) return kSpan - offset_mean(-gamma);
    return kSpan / -std::expm1(-gamma * kSpan) - 1.0 / gamma;
  }

  double gamma_ = 0.0;
};

// Scales the free values of x so that Σ x·w equals target, fixing at their bounds those that cross
// them and scaling the rest again. The target must lie between Σ lo·w and Σ hi·w.
void scale_to_total(std::span<double> x, std::span<const double> w, double target, std::span<const double> lo,
                    std::span<const double> hi) {
  std::vector<bool> fixed(x.size(), false);
  for (std::size_t pass = 0; pass <= x.size(); ++pass) {
    double fixed_sum = 0.0;
    double free_sum = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) (fixed[i] ? fixed_sum : free_sum) += x[i] * w[i];
    if (free_sum <= 0.0) return;
    const double factor = (target - fixed_sum) / free_sum;
    bool clipped = false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (fixed[i]) continue;
      x[i] *= factor;
      if (x[i] > hi[i] || x[i] < lo[i]) {
        x[i] = std::clamp(x[i], lo[i], hi[i]);
        fixed[i] = true;
        clipped = true;
      }
    }
    if (!clipped) return;
  }
}

// Daily clearness: a Gaussian first-order autoregression (lag one kDailyKtLag1) mapped through each
// month's Bendt distribution (the transformation approach of Graham, Hollands & Unny 1988), then
// every month scaled so that its total irradiation is the normal exactly.
std::vector<double> daily_clearness(const ClimateNormals& normals, const std::vector<SunHour>& hours,
                                    std::uint64_t seed) {
  std::vector<double> daily_extra_wh(kDays, 0.0);
  for (int hour = 0; hour < kHours; ++hour) {
    daily_extra_wh[static_cast<std::size_t>(hour / 24)] +=
        hours[static_cast<std::size_t>(hour)].extraterrestrial_wh_m2;
  }
  const auto extra_kwh = monthly_extraterrestrial_kwh_m2_day(hours);
  std::vector<BendtDistribution> distributions;
  for (std::size_t m = 0; m < 12; ++m) {
    distributions.emplace_back(normals.months[m].ghi_kwh_m2_day / extra_kwh[m]);
  }
  Rng rng(seed, static_cast<std::uint64_t>(Stream::kDailyKt));
  std::vector<double> kt(kDays);
  const double innovation = std::sqrt(1.0 - kDailyKtLag1 * kDailyKtLag1);
  double z = rng.normal();
  for (int day = 0; day < kDays; ++day) {
    if (day > 0) z = kDailyKtLag1 * z + innovation * rng.normal();
    const int month = date_of_day(kCommonYear, day + 1).month;
    kt[static_cast<std::size_t>(day)] =
        distributions[static_cast<std::size_t>(month - 1)].quantile(std::clamp(normal_cdf(z), 0.0, 1.0));
  }
  const std::vector<double> lo(kDays, kDailyKtMin);
  const std::vector<double> hi(kDays, kDailyKtMax);
  for (int m = 0; m < 12; ++m) {
    const auto first = static_cast<std::size_t>(month_start_day(m));
    const auto count = static_cast<std::size_t>(kMonthDays[static_cast<std::size_t>(m)]);
    const double target_wh =
        normals.months[static_cast<std::size_t>(m)].ghi_kwh_m2_day * 1000.0 * static_cast<double>(count);
    scale_to_total(std::span(kt).subspan(first, count), std::span(daily_extra_wh).subspan(first, count),
                   target_wh, std::span(lo).subspan(first, count), std::span(hi).subspan(first, count));
  }
  return kt;
}

// Hourly global horizontal irradiation, Wh/m², each day summing to its Kt × H0. The shape within the
// day is that of Collares-Pereira & Rabl (1979), "The average distribution of solar radiation —
// correlations between diffuse and hemispherical and between daily and hourly insolation values",
// Solar Energy 22, eq. for r_t: the hour's share of the extraterrestrial irradiation (the Liu & Jordan
// ratio) times a + b·cos ω, which puts relatively more of the day's light around noon, when the air
// mass is small. A lognormal hourly factor adds passing cloud. Hours above kHourlyKtMax of the
// extraterrestrial irradiation are capped and their excess spread over the other hours of the day.
std::vector<double> hourly_ghi(const std::vector<SunHour>& hours, const std::vector<double>& kt,
                               std::uint64_t seed) {
  Rng rng(seed, static_cast<std::uint64_t>(Stream::kHourlyKt));
  std::vector<double> ghi(kHours, 0.0);
  static constexpr std::array<double, 24> kZeros{};
  static constexpr std::array<double, 24> kOnes{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                                1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  std::array<double, 24> weights{};
  std::array<double, 24> caps{};
  std::array<double, 24> extra{};
  const double innovation = std::sqrt(1.0 - kHourlyNoiseLag1 * kHourlyNoiseLag1);
  for (int day = 0; day < kDays; ++day) {
    const double day_kt = kt[static_cast<std::size_t>(day)];
    // Largest at Kt = 0.4, a tenth of that at the bounds.
    const double relative = (day_kt - 0.4) / 0.4;
    const double sigma = kHourlyNoiseSigma * std::max(0.1, 1.0 - relative * relative);
    double z = rng.normal();
    double day_extra = 0.0;
    for (int h = 0; h < 24; ++h) {
      const SunHour& sun = hours[static_cast<std::size_t>(day) * 24 + static_cast<std::size_t>(h)];
      z = kHourlyNoiseLag1 * z + innovation * rng.normal();
      const double sin_term = std::sin((sun.sunset_hour_angle_deg - 60.0) * kRadPerDeg);
      const double a = 0.409 + 0.5016 * sin_term;
      const double b = 0.6609 - 0.4767 * sin_term;
      const double shape = std::max(0.0, a + b * std::cos(sun.hour_angle_deg * kRadPerDeg));
      const double noise = std::exp(sigma * z - 0.5 * sigma * sigma);
      const auto i = static_cast<std::size_t>(h);
      extra[i] = sun.extraterrestrial_wh_m2;
      weights[i] = extra[i] * shape * noise;
      caps[i] = kHourlyKtMax * extra[i];
      day_extra += extra[i];
    }
    const double day_wh = day_kt * day_extra;
    double weight_sum = 0.0;
    for (const double w : weights) weight_sum += w;
    if (weight_sum <= 0.0) continue;
    std::array<double, 24> values{};
    for (std::size_t i = 0; i < 24; ++i) values[i] = day_wh * weights[i] / weight_sum;
    scale_to_total(values, kOnes, day_wh, kZeros, caps);
    for (std::size_t i = 0; i < 24; ++i) ghi[static_cast<std::size_t>(day) * 24 + i] = values[i];
  }
  return ghi;
}

// Rounds to whole Wh/m² carrying the remainder from hour to hour, so that each month's total stays
// the exact total to within half a Wh/m². An hour at 0 stays 0.
void round_month_totals(std::vector<double>& ghi) {
  for (int m = 0; m < 12; ++m) {
    const auto first = static_cast<std::size_t>(month_start_day(m)) * 24;
    const auto count = static_cast<std::size_t>(kMonthDays[static_cast<std::size_t>(m)]) * 24;
    double cumulative = 0.0;
    double rounded_before = 0.0;
    for (std::size_t i = first; i < first + count; ++i) {
      cumulative += ghi[i];
      const double rounded = std::round(cumulative);
      ghi[i] = rounded - rounded_before;
      rounded_before = rounded;
    }
  }
}

// Direct normal and diffuse by Erbs, Klein & Duffie (1982), with the direct part also capped at a
// clear sky's: Meinel & Meinel (1976), "Applied Solar Energy", DNI = E0·0.7^(AM^0.678). What the cap
// removes from the beam goes to the diffuse, so DHI + DNI·cos z = GHI holds (to the rounding).
void decompose(const std::vector<SunHour>& hours, Weather& weather) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(kHours); ++i) {
    const double ghi = weather.ghi_wh_m2[i];
    const SunHour& sun = hours[i];
    const Decomposition parts = erbs(ghi, sun.zenith_deg, sun.dni_extra_w_m2);
    double dni = parts.dni_w_m2;
    const double cos_zenith = std::cos(sun.zenith_deg * kRadPerDeg);
    const double airmass = relative_airmass(sun.apparent_zenith_deg);
    if (dni > 0.0 && std::isfinite(airmass)) {
      dni = std::min(dni, sun.dni_extra_w_m2 * std::pow(0.7, std::pow(airmass, 0.678)));
    } else {
      dni = 0.0;
    }
    const double dhi = std::clamp(std::round(ghi - dni * cos_zenith), 0.0, ghi);
    weather.dhi_wh_m2[i] = dhi;
    weather.dni_wh_m2[i] = dni > 0.0 ? std::max(0.0, std::round((ghi - dhi) / cos_zenith)) : 0.0;
  }
}

// Daily sunrise and sunset, local hours.
struct SunDay {
  double sunrise_h = 6.0;
  double sunset_h = 18.0;
};

std::vector<SunDay> sun_days(const WeatherLocation& location, int year) {
  const Observer observer{location.lat_deg, location.lon_deg, location.elevation_m};
  std::vector<SunDay> days(kDays);
  for (int day = 0; day < kDays; ++day) {
    const Date date = date_of_day(kCommonYear, day + 1);
    const SunTimes times = sun_times(year, date.month, date.day, location.utc_offset_h, kDeltaTS, observer);
    if (times.kind == DayKind::kNormal && std::isfinite(times.sunrise_h) && std::isfinite(times.sunset_h)) {
      days[static_cast<std::size_t>(day)] = SunDay{times.sunrise_h, times.sunset_h};
    }
  }
  return days;
}

// Parton & Logan (1981): a sine from the minimum (sunrise + c) to sunset peaking a hours after the
// middle of the day, then an exponential decay to the next day's minimum. The decay is written
// (e^{−b·n/Z} − e^{−b}) / (1 − e^{−b}) so that it reaches the next minimum exactly; the paper's form
// leaves a step of about a tenth of the range at sunrise.
class DiurnalTemperature {
 public:
  DiurnalTemperature(const std::vector<SunDay>& sun, const std::vector<double>& t_max_c,
                     const std::vector<double>& t_min_c)
      : sun_(sun), t_max_c_(t_max_c), t_min_c_(t_min_c) {}

  // The temperature of a day (0-based, wrapping round the year) at local hour t in [0, 24].
  [[nodiscard]] double at(int day, double t_h) const {
    const SunDay& today = sun_day(day);
    const double min_h = today.sunrise_h + kPartonLagMinH;
    if (t_h < min_h) return night(day - 1, t_h + 24.0);
    if (t_h > today.sunset_h) return night(day, t_h);
    return daytime(day, t_h);
  }

 private:
  [[nodiscard]] static std::size_t wrap(int day) {
    return static_cast<std::size_t>((day % kDays + kDays) % kDays);
  }
  [[nodiscard]] const SunDay& sun_day(int day) const { return sun_[wrap(day)]; }

  [[nodiscard]] double daytime(int day, double t_h) const {
    const SunDay& s = sun_day(day);
    const double day_length_h = s.sunset_h - s.sunrise_h;
    const double since_min_h = t_h - (s.sunrise_h + kPartonLagMinH);
    const double t_min = t_min_c_[wrap(day)];
    return t_min + (t_max_c_[wrap(day)] - t_min) *
                       std::sin(std::numbers::pi * since_min_h / (day_length_h + 2.0 * kPartonLagMaxH));
  }

  // From the sunset of `day` to the minimum of the next day; t_h counts from the start of `day`.
  [[nodiscard]] double night(int day, double t_h) const {
    const SunDay& s = sun_day(day);
    const double sunset_c = daytime(day, s.sunset_h);
    const double next_min_h = 24.0 + sun_day(day + 1).sunrise_h + kPartonLagMinH;
    const double night_h = next_min_h - s.sunset_h;
    const double since_sunset_h = t_h - s.sunset_h;
    const double tail = std::exp(-kPartonNightDecay);
    const double share = (std::exp(-kPartonNightDecay * since_sunset_h / night_h) - tail) / (1.0 - tail);
    const double next_min_c = t_min_c_[wrap(day + 1)];
    return next_min_c + (sunset_c - next_min_c) * share;
  }

  const std::vector<SunDay>& sun_;
  const std::vector<double>& t_max_c_;
  const std::vector<double>& t_min_c_;
};

// Saturation vapour pressure over water, hPa: the Magnus form with the coefficients of Alduchov &
// Eskridge (1996), "Improved Magnus form approximation of saturation vapor pressure", Journal of
// Applied Meteorology 35.
double saturation_hpa(double t_c) { return 6.1094 * std::exp(17.625 * t_c / (t_c + 243.04)); }

// Temperature, dew point and relative humidity.
void temperature_and_humidity(const ClimateNormals& normals, const std::vector<SunDay>& sun,
                              const std::vector<double>& kt, std::uint64_t seed, Weather& weather) {
  std::vector<double> day_positions(kDays);
  for (int day = 0; day < kDays; ++day) day_positions[static_cast<std::size_t>(day)] = day + 0.5;
  const MonthlyCurve daily_curve(day_positions);
  std::array<double, 12> monthly_max{};
  std::array<double, 12> monthly_min{};
  std::array<double, 12> monthly_mean{};
  std::array<double, 12> monthly_kt{};
  for (std::size_t m = 0; m < 12; ++m) {
    monthly_max[m] = normals.months[m].t_max_c;
    monthly_min[m] = normals.months[m].t_min_c;
    monthly_mean[m] = normals.months[m].t_mean_c;
  }
  for (int day = 0; day < kDays; ++day) {
    monthly_kt[static_cast<std::size_t>(date_of_day(kCommonYear, day + 1).month - 1)] +=
        kt[static_cast<std::size_t>(day)];
  }
  for (std::size_t m = 0; m < 12; ++m) monthly_kt[m] /= kMonthDays[m];
  const std::vector<double> normal_max = daily_curve.values(monthly_max);
  const std::vector<double> normal_min = daily_curve.values(monthly_min);
  const std::vector<double> depression = daily_curve.values(kDewPointDepressionC);

  Rng rng(seed, static_cast<std::uint64_t>(Stream::kTemperature));
  std::vector<double> t_max(kDays);
  std::vector<double> t_min(kDays);
  std::vector<double> kt_departure(kDays);
  const double innovation = std::sqrt(1.0 - kTemperatureLag1 * kTemperatureLag1);
  double z = rng.normal();
  for (int day = 0; day < kDays; ++day) {
    const auto d = static_cast<std::size_t>(day);
    if (day > 0) z = kTemperatureLag1 * z + innovation * rng.normal();
    // Mid-January (day 15) has the largest spread.
    const double sigma = kTemperatureSigmaMeanC +
                         kTemperatureSigmaSwingC * std::cos(2.0 * std::numbers::pi * (day - 14) / kDays);
    const double anomaly = sigma * z;
    const double mean_kt = monthly_kt[static_cast<std::size_t>(date_of_day(kCommonYear, day + 1).month - 1)];
    kt_departure[d] = (kt[d] - mean_kt) / mean_kt;
    const double normal_range = normal_max[d] - normal_min[d];
    const double range =
        std::max(kMinDailyRangeC, normal_range * (1.0 + kRangeKtSensitivity * kt_departure[d]));
    const double middle = 0.5 * (normal_max[d] + normal_min[d]) + anomaly;
    t_max[d] = middle + 0.5 * range;
    t_min[d] = middle - 0.5 * range;
  }

  // Hourly values at each row's stamp (the end of its hour: the EPW data dictionary gives dry bulb and
  // dew point "at the time indicated").
  const DiurnalTemperature diurnal(sun, t_max, t_min);
  std::vector<double> raw(kHours);
  std::vector<double> hour_positions(kHours);
  std::array<double, 12> raw_mean{};
  for (int hour = 0; hour < kHours; ++hour) {
    const auto i = static_cast<std::size_t>(hour);
    raw[i] = diurnal.at(hour / 24, hour % 24 + 1.0);
    hour_positions[i] = (hour + 0.5) / 24.0;
    raw_mean[static_cast<std::size_t>(date_of_day(kCommonYear, hour / 24 + 1).month - 1)] += raw[i];
  }
  // A smooth correction, not a step on the 1st, brings each month's mean to the normal exactly.
  std::array<double, 12> shortfall{};
  for (std::size_t m = 0; m < 12; ++m) shortfall[m] = monthly_mean[m] - raw_mean[m] / (24.0 * kMonthDays[m]);
  const std::vector<double> correction = MonthlyCurve(hour_positions).values(shortfall);
  for (std::size_t i = 0; i < static_cast<std::size_t>(kHours); ++i) {
    weather.dry_bulb_c[i] = round_to_tenth(raw[i] + correction[i]);
  }

  // The day's dew point: its lowest temperature less the depression, which shrinks on cloudy days.
  std::vector<double> day_dew_point(kDays);
  for (int day = 0; day < kDays; ++day) {
    const auto d = static_cast<std::size_t>(day);
    const auto first = weather.dry_bulb_c.begin() + static_cast<std::ptrdiff_t>(day) * 24;
    const double lowest = *std::min_element(first, first + 24);
    const double factor = std::clamp(1.0 + kDepressionKtSensitivity * kt_departure[d], 0.0, 2.5);
    day_dew_point[d] = lowest - depression[d] * factor;
  }
  // Hourly dew point: linear between the days' noons, never above the air temperature.
  for (int hour = 0; hour < kHours; ++hour) {
    const auto i = static_cast<std::size_t>(hour);
    const double t_h = hour % 24 + 1.0;
    const int day = hour / 24;
    const int other = t_h < 12.0 ? day - 1 : day + 1;
    const double share = std::abs(t_h - 12.0) / 24.0;
    const double dew_point = day_dew_point[static_cast<std::size_t>(day)] * (1.0 - share) +
                             day_dew_point[static_cast<std::size_t>((other + kDays) % kDays)] * share;
    const double t = weather.dry_bulb_c[i];
    weather.dew_point_c[i] = std::min(round_to_tenth(dew_point), t);
    const double rh = 100.0 * saturation_hpa(weather.dew_point_c[i]) / saturation_hpa(t);
    weather.relative_humidity_pct[i] = std::clamp(std::round(rh), 0.0, 100.0);
  }
}

// Wind speed (a Weibull marginal through a Gaussian autoregression, as for the clearness) and
// direction; the speed is scaled so that the year's mean is the normal.
void wind(const ClimateNormals& normals, std::uint64_t seed, Weather& weather) {
  Rng speed_rng(seed, static_cast<std::uint64_t>(Stream::kWindSpeed));
  Rng direction_rng(seed, static_cast<std::uint64_t>(Stream::kWindDirection));
  const double speed_innovation = std::sqrt(1.0 - kWindLag1 * kWindLag1);
  const double direction_innovation = std::sqrt(1.0 - kWindDirectionLag1 * kWindDirectionLag1);
  double z = speed_rng.normal();
  double wander = direction_rng.normal();
  double sum = 0.0;
  for (int hour = 0; hour < kHours; ++hour) {
    const auto i = static_cast<std::size_t>(hour);
    if (hour > 0) z = kWindLag1 * z + speed_innovation * speed_rng.normal();
    if (hour > 0 && hour % 24 == 0) {
      wander = kWindDirectionLag1 * wander + direction_innovation * direction_rng.normal();
    }
    const double u = std::clamp(normal_cdf(z), 1e-12, 1.0 - 1e-12);
    const double weibull = std::pow(-std::log1p(-u), 1.0 / kWindWeibullShape);
    const double diurnal = 1.0 + kWindDiurnalAmplitude * std::cos(2.0 * std::numbers::pi *
                                                                  (hour % 24 + 1.0 - kWindPeakHour) / 24.0);
    weather.wind_speed_m_s[i] = weibull * diurnal;
    sum += weather.wind_speed_m_s[i];
    const double direction = normals.wind_direction_deg + kWindDirectionSigmaDeg * wander +
                             kWindDirectionHourlySigmaDeg * direction_rng.normal();
    double wrapped = std::fmod(std::round(direction), 360.0);
    if (wrapped < 0.0) wrapped += 360.0;
    weather.wind_direction_deg[i] = wrapped;
  }
  const double scale = normals.wind_speed_m_s * kHours / sum;
  for (double& speed : weather.wind_speed_m_s) speed = std::min(round_to_tenth(speed * scale), 40.0);
}

// Station pressure of the ICAO standard atmosphere (ISO 2533:1975) at the station's elevation.
double standard_pressure_pa(double elevation_m) {
  return 101325.0 * std::pow(1.0 - 2.25577e-5 * elevation_m, 5.25588);
}

std::string weekday_name(int iso_weekday) {
  static constexpr std::array<const char*, 7> kNames{"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                     "Friday", "Saturday", "Sunday"};
  return kNames[static_cast<std::size_t>(iso_weekday - 1)];
}

// The reader's location keys.
struct KeySpec {
  const char* key;
  bool required;
};
constexpr std::array<KeySpec, 11> kKeys{{{"city", true},
                                         {"region", false},
                                         {"country", false},
                                         {"wmo", false},
                                         {"lat_deg", true},
                                         {"lon_deg", true},
                                         {"elevation_m", true},
                                         {"utc_offset_h", true},
                                         {"wind_speed_m_s", false},
                                         {"wind_direction_deg", false},
                                         {"source", true}}};
constexpr std::array<const char*, 6> kColumns{"month",   "t_mean_c",       "t_max_c",
                                              "t_min_c", "ghi_kwh_m2_day", "sunshine_h"};
// The temperature model needs a sunrise and a sunset every day.
constexpr double kMaxAbsLatitudeDeg = 66.0;

}  // namespace

ClimateNormals read_climate_normals(const std::string& path) {
  std::vector<std::string> problems;
  const auto add = [&](int line, const std::string& field, const std::string& message) {
    problems.push_back(path + ":" + std::to_string(line) + ": " + field + ": " + message);
  };
  if (std::string reason = unreadable_text_input(path, "climate normals file"); !reason.empty())
    throw ConfigError(path + ": cannot open the climate normals file", {std::move(reason)});
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(path + ": cannot open the climate normals file", {path + ": no such readable file"});
  }

  ClimateNormals normals;
  std::map<std::string, int> key_lines;
  std::map<std::string, std::size_t> column_of;
  bool in_table = false;
  bool table_usable = false;
  int header_line = 0;
  std::array<int, 12> month_lines{};
  int last_line = 0;

  const auto read_number = [&](int at, const std::string& field, std::string_view text, double min,
                               double max) -> std::optional<double> {
    const auto value = parse_csv_double(text);
    if (!value) {
      add(at, field, "must be a number, got '" + std::string(text) + "'");
      return std::nullopt;
    }
    if (*value < min || *value > max) {
      add(at, field,
          number_text(*value) + " is outside [" + number_text(min) + ", " + number_text(max) + "]");
      return std::nullopt;
    }
    return value;
  };

  for (const CsvRecord& record : read_csv(in).records) {
    const int line_number = record.line;
    last_line = line_number;
    if (record.unbalanced_quotes) {
      add(line_number, "record", "unbalanced double quotes");
      continue;
    }
    // Spaces around a field never matter here, quoted or not.
    std::vector<std::string> fields;
    for (const auto& field : record.fields) fields.emplace_back(trim_blanks(field));
    if (!in_table && fields.front() == "month") {
      in_table = true;
      header_line = line_number;
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string& name = fields[i];
        if (std::find_if(kColumns.begin(), kColumns.end(), [&](const char* c) { return name == c; }) ==
            kColumns.end()) {
          add(line_number, name.empty() ? "(empty)" : name,
              "unknown column (expected month, t_mean_c, t_max_c, t_min_c, ghi_kwh_m2_day, sunshine_h)");
        } else if (!column_of.emplace(name, i).second) {
          add(line_number, name, "repeated column");
        }
      }
      for (const char* name : kColumns) {
        if (column_of.count(name) == 0) add(line_number, name, "missing column");
      }
      table_usable = column_of.size() == kColumns.size() && fields.size() == kColumns.size();
      continue;
    }
    if (!in_table) {
      if (fields.size() != 2) {
        add(line_number, fields.front(),
            "expected 'key,value' (quote a value that contains commas), got " +
                std::to_string(fields.size()) + " fields");
        continue;
      }
      const std::string& key = fields[0];
      const std::string& value = fields[1];
      const auto spec =
          std::find_if(kKeys.begin(), kKeys.end(), [&](const KeySpec& k) { return key == k.key; });
      if (spec == kKeys.end()) {
        add(line_number, key,
            "unknown key (expected city, region, country, wmo, lat_deg, lon_deg, elevation_m, utc_offset_h, "
            "wind_speed_m_s, wind_direction_deg, source, then the month table)");
        continue;
      }
      if (!key_lines.emplace(key, line_number).second) {
        add(line_number, key, "repeated key (first on line " + std::to_string(key_lines[key]) + ")");
        continue;
      }
      auto& location = normals.location;
      const auto number = [&](double min, double max, double& target) {
        if (const auto parsed = read_number(line_number, key, value, min, max)) target = *parsed;
      };
      const auto text = [&](std::string& target) {
        if (value.find_first_of(",\r\n") != std::string::npos) {
          add(line_number, key, "must not contain a comma (it goes into the EPW LOCATION line)");
        }
        target = value;
      };
      if (key == "city") {
        text(location.city);
        if (value.empty()) add(line_number, key, "must not be empty");
      } else if (key == "region") {
        text(location.region);
      } else if (key == "country") {
        text(location.country);
      } else if (key == "wmo") {
        text(location.wmo);
      } else if (key == "lat_deg") {
        number(-kMaxAbsLatitudeDeg, kMaxAbsLatitudeDeg, location.lat_deg);
      } else if (key == "lon_deg") {
        number(-180.0, 180.0, location.lon_deg);
      } else if (key == "elevation_m") {
        number(-1000.0, 9999.9, location.elevation_m);
      } else if (key == "utc_offset_h") {
        number(-12.0, 12.0, location.utc_offset_h);
      } else if (key == "wind_speed_m_s") {
        number(0.0, 40.0, normals.wind_speed_m_s);
      } else if (key == "wind_direction_deg") {
        number(0.0, 360.0, normals.wind_direction_deg);
      } else {
        normals.source = value;
        if (value.empty()) add(line_number, key, "must not be empty");
      }
      continue;
    }
    if (!table_usable) continue;
    if (fields.size() != kColumns.size()) {
      add(line_number, "record",
          "has " + std::to_string(fields.size()) + " fields, expected " + std::to_string(kColumns.size()));
      continue;
    }
    const auto field = [&](const char* name) -> const std::string& { return fields[column_of.at(name)]; };
    const auto month = read_number(line_number, "month", field("month"), 1.0, 12.0);
    if (month && *month != std::floor(*month)) add(line_number, "month", "must be a whole number 1–12");
    const int month_index = month ? static_cast<int>(*month) - 1 : -1;
    if (month_index >= 0 && month_lines[static_cast<std::size_t>(month_index)] != 0) {
      add(line_number, "month",
          "month " + std::to_string(month_index + 1) + " repeated (first on line " +
              std::to_string(month_lines[static_cast<std::size_t>(month_index)]) + ")");
      continue;
    }
    const double days = month_index >= 0 ? kMonthDays[static_cast<std::size_t>(month_index)] : 31.0;
    MonthlyNormal normal;
    const auto t_mean = read_number(line_number, "t_mean_c", field("t_mean_c"), -70.0, 70.0);
    const auto t_max = read_number(line_number, "t_max_c", field("t_max_c"), -70.0, 70.0);
    const auto t_min = read_number(line_number, "t_min_c", field("t_min_c"), -70.0, 70.0);
    // The extraterrestrial irradiation never reaches 13 kWh/m²/day on the horizontal.
    const auto ghi = read_number(line_number, "ghi_kwh_m2_day", field("ghi_kwh_m2_day"), 0.0, 13.0);
    const auto sunshine = read_number(line_number, "sunshine_h", field("sunshine_h"), 0.0, 24.0 * days);
    if (t_min && t_max && *t_min > *t_max) {
      add(line_number, "t_min_c",
          number_text(*t_min) + " °C is above t_max_c " + number_text(*t_max) + " °C");
    } else if (t_min && t_max && t_mean && (*t_mean < *t_min || *t_mean > *t_max)) {
      add(line_number, "t_mean_c",
          number_text(*t_mean) + " °C is outside [t_min_c, t_max_c] = [" + number_text(*t_min) + ", " +
              number_text(*t_max) + "] °C");
    }
    if (ghi && *ghi == 0.0) add(line_number, "ghi_kwh_m2_day", "must be above 0");
    if (month_index < 0) continue;
    month_lines[static_cast<std::size_t>(month_index)] = line_number;
    normal.t_mean_c = t_mean.value_or(0.0);
    normal.t_max_c = t_max.value_or(0.0);
    normal.t_min_c = t_min.value_or(0.0);
    normal.ghi_kwh_m2_day = ghi.value_or(0.0);
    normal.sunshine_h = sunshine.value_or(0.0);
    normals.months[static_cast<std::size_t>(month_index)] = normal;
  }

  const int end_line = std::max(last_line, 1);
  for (const auto& spec : kKeys) {
    if (spec.required && key_lines.count(spec.key) == 0) {
      add(in_table ? header_line : end_line, spec.key, "missing key (it must come before the month table)");
    }
  }
  if (!in_table) {
    add(end_line, "month table",
        "missing: no header line 'month,t_mean_c,t_max_c,t_min_c,ghi_kwh_m2_day,sunshine_h'");
  } else if (table_usable) {
    int found = 0;
    for (const int at : month_lines) found += at != 0 ? 1 : 0;
    for (std::size_t m = 0; m < 12; ++m) {
      if (month_lines[m] == 0) {
        add(end_line, "month",
            "month " + std::to_string(m + 1) + " is missing (the table has " + std::to_string(found) +
                " of 12 months)");
      }
    }
  }

  // Only a complete file is checked against the sky: the monthly irradiation must be a clearness the
  // generator can draw days for.
  if (problems.empty()) {
    const auto extra = monthly_extraterrestrial_kwh_m2_day(sun_hours(normals.location, kCommonYear));
    for (std::size_t m = 0; m < 12; ++m) {
      const double kt = normals.months[m].ghi_kwh_m2_day / extra[m];
      if (kt < kMonthlyKtMin || kt > kMonthlyKtMax) {
        add(month_lines[m], "ghi_kwh_m2_day",
            number_text(normals.months[m].ghi_kwh_m2_day) + " kWh/m²/day is " +
                number_text(std::round(kt * 1000.0) / 10.0) + " % of the extraterrestrial " +
                number_text(std::round(extra[m] * 100.0) / 100.0) +
                " kWh/m²/day; the clearness index must be " + number_text(kMonthlyKtMin) + "–" +
                number_text(kMonthlyKtMax));
      }
    }
  }
  if (!problems.empty()) throw ConfigError(path + ": invalid climate normals file", std::move(problems));
  return normals;
}

Weather synthesize_weather(const ClimateNormals& normals, int year, std::uint64_t seed) {
  Weather weather;
  weather.location = normals.location;
  weather.location.source = "sandan synthetic";
  weather.leap_day = false;
  weather.comments_1 =
      "SYNTHETIC weather generated by sandan from monthly climate normals; not measured. Normals: " +
      normals.source;
  weather.comments_2 =
      "sandan synthesize_weather year " + std::to_string(year) + " seed " + std::to_string(seed) +
      ": daily clearness Bendt et al. 1981 with Gaussian AR(1) lag 0.3 scaled to the monthly GHI; hourly "
      "Collares-Pereira & Rabl 1979; DNI/DHI Erbs 1982 with a Meinel clear-sky DNI cap; temperature Parton "
      "& Logan 1981 with AR(1) daily anomalies and monthly means matched; dew point below the daily minimum; "
      "standard-atmosphere pressure; Weibull wind around the prevailing direction";
  // The rows run 1 January to 31 December of the typical year; its first day's weekday is that of the
  // requested year, so that a simulation of that year sees its own weekdays.
  weather.header.data_periods =
      "DATA PERIODS,1,1,Data," + weekday_name(iso_weekday(Date{year, 1, 1})) + ", 1/ 1,12/31";

  const auto n = static_cast<std::size_t>(kHours);
  weather.year.assign(n, year);
  weather.dry_bulb_c.assign(n, 0.0);
  weather.dew_point_c.assign(n, 0.0);
  weather.relative_humidity_pct.assign(n, 0.0);
  weather.pressure_pa.assign(n, std::round(standard_pressure_pa(normals.location.elevation_m)));
  weather.ghi_wh_m2.assign(n, 0.0);
  weather.dni_wh_m2.assign(n, 0.0);
  weather.dhi_wh_m2.assign(n, 0.0);
  weather.wind_direction_deg.assign(n, 0.0);
  weather.wind_speed_m_s.assign(n, 0.0);

  const std::vector<SunHour> hours = sun_hours(normals.location, year);
  const std::vector<double> kt = daily_clearness(normals, hours, seed);
  weather.ghi_wh_m2 = hourly_ghi(hours, kt, seed);
  round_month_totals(weather.ghi_wh_m2);
  decompose(hours, weather);
  temperature_and_humidity(normals, sun_days(normals.location, year), kt, seed, weather);
  wind(normals, seed, weather);
  return weather;
}

}  // namespace sandan
