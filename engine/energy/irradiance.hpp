// energy/irradiance: sunlight from the top of the atmosphere to the plane of a PV array.
// Extraterrestrial irradiance, airmass, decomposition of global horizontal irradiance into direct and
// diffuse parts (Erbs), the angle of incidence and transposition to a tilted plane (isotropic,
// Hay-Davies, Reindl, Perez) with ground reflection. The models and their limits follow pvlib
// (Holmgren, Hansen & Mikofski 2018), so results can be checked against it value by value.
//
// Conventions: irradiance in W/m²; angles in degrees; a Surface's azimuth eastward from north (180
// faces south); the sun's azimuth likewise. Transposition takes the apparent (refraction-corrected)
// zenith, decomposition the true (geometric) one, as pvlib does. Nothing throws: NaN in gives NaN
// out, except where a note says the sun is down.
#pragma once

#include "energy/solar_position.hpp"

namespace sandan {

inline constexpr double kSolarConstantWm2 = 1366.1;  // pvlib's default (Gueymard 2004)

// The sun as the transposition models need it.
struct SunAngles {
  double zenith_deg = 0.0;   // apparent (refraction-corrected)
  double azimuth_deg = 0.0;  // eastward from north
};

// Global, direct normal and diffuse horizontal irradiance, W/m².
struct HorizontalIrradiance {
  double ghi_w_m2 = 0.0;
  double dni_w_m2 = 0.0;
  double dhi_w_m2 = 0.0;
};

// Extraterrestrial irradiance on a plane normal to the sun: the solar constant scaled by the
// Earth-Sun distance factor of Spencer (1971) for a day of the year (1 = 1 January).
[[nodiscard]] double extraterrestrial_dni_w_m2(double day_of_year,
                                               double solar_constant_w_m2 = kSolarConstantWm2);

// Relative optical airmass of Kasten & Young (1989); NaN when the zenith is above 90°.
[[nodiscard]] double relative_airmass(double apparent_zenith_deg);

// GHI over horizontal extraterrestrial irradiance, with cos(zenith) floored at min_cos_zenith
// (0.065 ≈ 86.3°) and the result clipped to [0, max_clearness_index].
[[nodiscard]] double clearness_index(double ghi_w_m2, double zenith_deg, double dni_extra_w_m2,
                                     double min_cos_zenith = 0.065, double max_clearness_index = 2.0);

struct Decomposition {
  double dni_w_m2 = 0.0;
  double dhi_w_m2 = 0.0;
  double clearness_index = 0.0;  // kt
};

struct ErbsOptions {
  double min_cos_zenith = 0.065;  // floor of cos(zenith) in the clearness index
  double max_zenith_deg = 87.0;   // above this, DNI is 0 and all of GHI is diffuse
};

// Erbs, Klein & Duffie (1982): the diffuse fraction from the clearness index (kt clipped to
// [0, 1]); DHI = fraction × GHI, DNI = (GHI − DHI) / cos(zenith). When the zenith exceeds
// max_zenith_deg, GHI is negative or DNI would be, DNI is 0 and DHI = GHI. zenith_deg is the true
// (geometric) zenith.
[[nodiscard]] Decomposition erbs(double ghi_w_m2, double zenith_deg, double dni_extra_w_m2,
                                 const ErbsOptions& options = {});

// cos of the angle between the sun and the surface normal, in [−1, 1]; negative when the sun is
// behind the surface.
[[nodiscard]] double aoi_projection(const Surface& surface, const SunAngles& sun);
// The angle of incidence of the sun on the surface, [0, 180].
[[nodiscard]] double angle_of_incidence_deg(const Surface& surface, const SunAngles& sun);

// Sky diffuse irradiance on a tilted plane, isotropic sky (Hottel & Woertz; Liu & Jordan).
[[nodiscard]] double isotropic_sky_diffuse_w_m2(double surface_tilt_deg, double dhi_w_m2);

// Hay & Davies (1980): circumsolar share DNI/DNI_extra projected like the beam, the rest isotropic.
// Each part is floored at 0; cos(zenith) is floored at 0.01745 in the beam ratio.
[[nodiscard]] double hay_davies_sky_diffuse_w_m2(const Surface& surface, const SunAngles& sun,
                                                 const HorizontalIrradiance& irradiance,
                                                 double dni_extra_w_m2);

// Reindl, Beckman & Duffie (1990): Hay-Davies with a horizon-brightening term √(beam/GHI)·sin³(β/2).
[[nodiscard]] double reindl_sky_diffuse_w_m2(const Surface& surface, const SunAngles& sun,
                                             const HorizontalIrradiance& irradiance, double dni_extra_w_m2);

// The parts of the Perez sky; their sum is the total before it is floored at 0.
struct PerezSkyDiffuse {
  double sky_diffuse_w_m2 = 0.0;  // max(isotropic + circumsolar + horizon, 0)
  double isotropic_w_m2 = 0.0;
  double circumsolar_w_m2 = 0.0;
  double horizon_w_m2 = 0.0;
};

// Perez, Ineichen, Seals, Michalsky & Stewart (1990) with the 'allsitescomposite1990' coefficients
// of the paper's table 6. relative_airmass is not pressure-corrected; when it is NaN (sun down) the
// result is 0, and when DHI is 0 it is 0. Other NaN inputs give NaN.
[[nodiscard]] PerezSkyDiffuse perez_sky_diffuse(const Surface& surface, const SunAngles& sun,
                                                const HorizontalIrradiance& irradiance, double dni_extra_w_m2,
                                                double relative_airmass);
[[nodiscard]] double perez_sky_diffuse_w_m2(const Surface& surface, const SunAngles& sun,
                                            const HorizontalIrradiance& irradiance, double dni_extra_w_m2,
                                            double relative_airmass);

// Ground-reflected irradiance on a tilted plane from an isotropic ground of the given albedo.
[[nodiscard]] double ground_diffuse_w_m2(double surface_tilt_deg, double ghi_w_m2, double albedo);

enum class SkyModel { kIsotropic, kHayDavies, kReindl, kPerez };

struct PoaOptions {
  SkyModel sky_model = SkyModel::kPerez;  // PVWatts v5 uses Perez
  double albedo = 0.25;
};

// Irradiance in the plane of an array, W/m².
struct PoaIrradiance {
  double global_w_m2 = 0.0;   // direct + diffuse
  double direct_w_m2 = 0.0;   // DNI · cos(aoi), floored at 0
  double diffuse_w_m2 = 0.0;  // sky + ground
  double sky_diffuse_w_m2 = 0.0;
  double ground_diffuse_w_m2 = 0.0;
  double aoi_deg = 0.0;
};

// Beam + sky diffuse (the chosen model) + ground-reflected irradiance on the surface. The Perez model
// takes the Kasten-Young airmass of the sun's apparent zenith.
[[nodiscard]] PoaIrradiance plane_of_array(const Surface& surface, const SunAngles& sun,
                                           const HorizontalIrradiance& irradiance, double dni_extra_w_m2,
                                           const PoaOptions& options = {});

}  // namespace sandan
