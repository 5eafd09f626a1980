// Irradiance models. Each follows its paper; the numerical guards (floors on cos(zenith), clipping of
// the clearness index, zeroing below the horizon) are pvlib's, so that results match it.
#include "energy/irradiance.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>

namespace sandan {
namespace {

constexpr double kRadPerDeg = std::numbers::pi / 180.0;
constexpr double kDegPerRad = 180.0 / std::numbers::pi;

double sin_deg(double deg) { return std::sin(deg * kRadPerDeg); }
double cos_deg(double deg) { return std::cos(deg * kRadPerDeg); }

// max(value, floor) that keeps a NaN value (std::fmax would drop it).
double floor_at(double value, double floor) { return value < floor ? floor : value; }
// min(value, ceiling), keeping a NaN value.
double cap_at(double value, double ceiling) { return value > ceiling ? ceiling : value; }

}  // namespace

double extraterrestrial_dni_w_m2(double day_of_year, double solar_constant_w_m2) {
  // Spencer (1971), "Fourier series representation of the position of the sun", Search 2(5): the
  // Fourier series of (R0/R)², with day angle Γ = 2π(n − 1)/365.
  const double day_angle = 2.0 * std::numbers::pi / 365.0 * (day_of_year - 1.0);
  const double distance_factor = 1.00011 + 0.034221 * std::cos(day_angle) + 0.00128 * std::sin(day_angle) +
                                 0.000719 * std::cos(2.0 * day_angle) + 0.000077 * std::sin(2.0 * day_angle);
  return solar_constant_w_m2 * distance_factor;
}

double relative_airmass(double apparent_zenith_deg) {
  // Kasten & Young (1989), "Revised optical air mass tables and approximation formula", Applied
  // Optics 28(22): 1/[sin γ + a(γ + b)^−c] for the elevation γ, a = 0.50572, b = 6.07995°,
  // c = 1.6364, written here for the zenith.
  if (apparent_zenith_deg > 90.0) return std::numeric_limits<double>::quiet_NaN();
  return 1.0 /
         (cos_deg(apparent_zenith_deg) + 0.50572 * std::pow(6.07995 + (90.0 - apparent_zenith_deg), -1.6364));
}

double clearness_index(double ghi_w_m2, double zenith_deg, double dni_extra_w_m2, double min_cos_zenith,
                       double max_clearness_index) {
  const double horizontal_extra_w_m2 = dni_extra_w_m2 * floor_at(cos_deg(zenith_deg), min_cos_zenith);
  return cap_at(floor_at(ghi_w_m2 / horizontal_extra_w_m2, 0.0), max_clearness_index);
}

Decomposition erbs(double ghi_w_m2, double zenith_deg, double dni_extra_w_m2, const ErbsOptions& options) {
  const double kt = clearness_index(ghi_w_m2, zenith_deg, dni_extra_w_m2, options.min_cos_zenith, 1.0);
  // Erbs, Klein & Duffie (1982), "Estimation of the diffuse radiation fraction for hourly, daily and
  // monthly-average global radiation", Solar Energy 28(4), eq. 1.
  double diffuse_fraction = 1.0 - 0.09 * kt;
  if (kt > 0.22 && kt <= 0.8) {
    diffuse_fraction = 0.9511 + kt * (-0.1604 + kt * (4.388 + kt * (-16.638 + kt * 12.336)));
  } else if (kt > 0.8) {
    diffuse_fraction = 0.165;
  }
  Decomposition result;
  result.clearness_index = kt;
  result.dhi_w_m2 = diffuse_fraction * ghi_w_m2;
  result.dni_w_m2 = (ghi_w_m2 - result.dhi_w_m2) / cos_deg(zenith_deg);
  if (zenith_deg > options.max_zenith_deg || ghi_w_m2 < 0.0 || result.dni_w_m2 < 0.0) {
    result.dni_w_m2 = 0.0;
    result.dhi_w_m2 = ghi_w_m2;  // keeps GHI = DHI + DNI·cos(zenith)
  }
  return result;
}

double aoi_projection(const Surface& surface, const SunAngles& sun) {
  const double projection =
      cos_deg(surface.tilt_deg) * cos_deg(sun.zenith_deg) +
      sin_deg(surface.tilt_deg) * sin_deg(sun.zenith_deg) * cos_deg(sun.azimuth_deg - surface.azimuth_deg);
  return floor_at(cap_at(projection, 1.0), -1.0);  // rounding can step just outside [−1, 1]
}

double angle_of_incidence_deg(const Surface& surface, const SunAngles& sun) {
  return std::acos(aoi_projection(surface, sun)) * kDegPerRad;
}

double isotropic_sky_diffuse_w_m2(double surface_tilt_deg, double dhi_w_m2) {
  // The sky as a uniform radiance: the plane sees (1 + cos β)/2 of it (Liu & Jordan 1963).
  return dhi_w_m2 * (1.0 + cos_deg(surface_tilt_deg)) * 0.5;
}

namespace {

// Ratio of beam irradiance on the plane to beam on the horizontal, with the sun behind the plane
// counted as 0 and cos(zenith) floored at 0.01745 (zenith ≈ 89°) so that it stays finite at sunrise.
double beam_ratio(const Surface& surface, const SunAngles& sun) {
  return floor_at(aoi_projection(surface, sun), 0.0) / floor_at(cos_deg(sun.zenith_deg), 0.01745);
}

}  // namespace

double hay_davies_sky_diffuse_w_m2(const Surface& surface, const SunAngles& sun,
                                   const HorizontalIrradiance& irradiance, double dni_extra_w_m2) {
  // Hay & Davies (1980), as in Loutzenhiser et al. (2007), Solar Energy 81, eq. 7.
  const double anisotropy_index = irradiance.dni_w_m2 / dni_extra_w_m2;
  const double isotropic =
      floor_at(irradiance.dhi_w_m2 * (1.0 - anisotropy_index) * 0.5 * (1.0 + cos_deg(surface.tilt_deg)), 0.0);
  const double circumsolar = floor_at(irradiance.dhi_w_m2 * anisotropy_index * beam_ratio(surface, sun), 0.0);
  return isotropic + circumsolar;
}

double reindl_sky_diffuse_w_m2(const Surface& surface, const SunAngles& sun,
                               const HorizontalIrradiance& irradiance, double dni_extra_w_m2) {
  // Reindl, Beckman & Duffie (1990), Solar Energy 45(1), as in Loutzenhiser et al. (2007), eq. 8
  // without its beam and ground terms.
  const double anisotropy_index = irradiance.dni_w_m2 / dni_extra_w_m2;
  const double beam_horizontal_w_m2 = floor_at(irradiance.dni_w_m2 * cos_deg(sun.zenith_deg), 0.0);
  const double beam_share = irradiance.ghi_w_m2 == 0.0 ? 0.0 : beam_horizontal_w_m2 / irradiance.ghi_w_m2;
  const double half_tilt_sin = sin_deg(0.5 * surface.tilt_deg);
  const double horizon_brightening =
      1.0 + std::sqrt(beam_share) * half_tilt_sin * half_tilt_sin * half_tilt_sin;
  const double sky = irradiance.dhi_w_m2 * (anisotropy_index * beam_ratio(surface, sun) +
                                            (1.0 - anisotropy_index) * 0.5 *
                                                (1.0 + cos_deg(surface.tilt_deg)) * horizon_brightening);
  return floor_at(sky, 0.0);
}

namespace {

// Perez et al. (1990), "Modeling daylight availability and irradiance components from direct and
// global irradiance", Solar Energy 44(5), table 6 ('allsitescomposite1990'), as printed to three
// decimals: f11, f12, f13, f21, f22, f23 for the eight sky-clearness bins.
constexpr std::array<std::array<double, 6>, 8> kPerezCoefficients{{
    {-0.008, 0.588, -0.062, -0.060, 0.072, -0.022},
    {0.130, 0.683, -0.151, -0.019, 0.066, -0.029},
    {0.330, 0.487, -0.221, 0.055, -0.064, -0.026},
    {0.568, 0.187, -0.295, 0.109, -0.152, -0.014},
    {0.873, -0.392, -0.362, 0.226, -0.462, 0.001},
    {1.132, -1.237, -0.412, 0.288, -0.823, 0.056},
    {1.060, -1.600, -0.359, 0.264, -1.127, 0.131},
    {0.678, -0.327, -0.250, 0.156, -1.377, 0.251},
}};

// Upper bounds of the sky-clearness bins 1–7 (bin 8 is open above; ε below 1.065 falls in bin 1).
constexpr std::array<double, 7> kPerezClearnessBounds{1.065, 1.230, 1.500, 1.950, 2.800, 4.500, 6.200};

}  // namespace

PerezSkyDiffuse perez_sky_diffuse(const Surface& surface, const SunAngles& sun,
                                  const HorizontalIrradiance& irradiance, double dni_extra_w_m2,
                                  double relative_airmass) {
  PerezSkyDiffuse result;
  if (std::isnan(relative_airmass) || irradiance.dhi_w_m2 == 0.0) return result;

  const double dhi = irradiance.dhi_w_m2;
  const double zenith_rad = sun.zenith_deg * kRadPerDeg;
  const double kappa_z3 = 1.041 * zenith_rad * zenith_rad * zenith_rad;
  // Sky brightness Δ and clearness ε, with κ = 1.041 for the zenith in radians.
  const double brightness = dhi * relative_airmass / dni_extra_w_m2;
  const double clearness = ((dhi + irradiance.dni_w_m2) / dhi + kappa_z3) / (1.0 + kappa_z3);
  if (std::isnan(clearness) || std::isnan(brightness) || clearness < 0.0) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan, nan, nan};
  }
  std::size_t bin = 0;
  while (bin < kPerezClearnessBounds.size() && clearness >= kPerezClearnessBounds[bin]) ++bin;
  const std::array<double, 6>& f = kPerezCoefficients[bin];

  // Circumsolar and horizon brightening coefficients F1 and F2 of the bin.
  const double f1 = floor_at(f[0] + f[1] * brightness + f[2] * zenith_rad, 0.0);
  const double f2 = f[3] + f[4] * brightness + f[5] * zenith_rad;
  // a/b of the circumsolar term: the beam projection on the plane over that on the horizontal, with
  // b floored at cos(85°).
  const double a = floor_at(aoi_projection(surface, sun), 0.0);
  const double b = floor_at(cos_deg(sun.zenith_deg), cos_deg(85.0));

  result.isotropic_w_m2 = dhi * 0.5 * (1.0 - f1) * (1.0 + cos_deg(surface.tilt_deg));
  result.circumsolar_w_m2 = dhi * f1 * a / b;
  result.horizon_w_m2 = dhi * f2 * sin_deg(surface.tilt_deg);
  result.sky_diffuse_w_m2 = result.isotropic_w_m2 + result.circumsolar_w_m2 + result.horizon_w_m2;
  if (result.sky_diffuse_w_m2 <= 0.0) result = PerezSkyDiffuse{};
  return result;
}

double perez_sky_diffuse_w_m2(const Surface& surface, const SunAngles& sun,
                              const HorizontalIrradiance& irradiance, double dni_extra_w_m2,
                              double relative_airmass) {
  return perez_sky_diffuse(surface, sun, irradiance, dni_extra_w_m2, relative_airmass).sky_diffuse_w_m2;
}

double ground_diffuse_w_m2(double surface_tilt_deg, double ghi_w_m2, double albedo) {
  // A horizontal, isotropically reflecting ground fills (1 − cos β)/2 of the plane's view.
  return ghi_w_m2 * albedo * (1.0 - cos_deg(surface_tilt_deg)) * 0.5;
}

PoaIrradiance plane_of_array(const Surface& surface, const SunAngles& sun,
                             const HorizontalIrradiance& irradiance, double dni_extra_w_m2,
                             const PoaOptions& options) {
  PoaIrradiance poa;
  const double projection = aoi_projection(surface, sun);
  poa.aoi_deg = std::acos(projection) * kDegPerRad;
  poa.direct_w_m2 = floor_at(irradiance.dni_w_m2 * projection, 0.0);
  switch (options.sky_model) {
    case SkyModel::kIsotropic:
      poa.sky_diffuse_w_m2 = isotropic_sky_diffuse_w_m2(surface.tilt_deg, irradiance.dhi_w_m2);
      break;
    case SkyModel::kHayDavies:
      poa.sky_diffuse_w_m2 = hay_davies_sky_diffuse_w_m2(surface, sun, irradiance, dni_extra_w_m2);
      break;
    case SkyModel::kReindl:
      poa.sky_diffuse_w_m2 = reindl_sky_diffuse_w_m2(surface, sun, irradiance, dni_extra_w_m2);
      break;
    case SkyModel::kPerez:
      poa.sky_diffuse_w_m2 =
          perez_sky_diffuse_w_m2(surface, sun, irradiance, dni_extra_w_m2, relative_airmass(sun.zenith_deg));
      break;
  }
  poa.ground_diffuse_w_m2 = ground_diffuse_w_m2(surface.tilt_deg, irradiance.ghi_w_m2, options.albedo);
  poa.diffuse_w_m2 = poa.sky_diffuse_w_m2 + poa.ground_diffuse_w_m2;
  poa.global_w_m2 = poa.direct_w_m2 + poa.diffuse_w_m2;
  return poa;
}

}  // namespace sandan
