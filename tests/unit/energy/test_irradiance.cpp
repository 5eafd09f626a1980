#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

#include "energy/irradiance.hpp"

using namespace sandan;

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// pvlib-python, tests/test_irradiance.py, fixtures irrad_data, ephem_data, dni_et and
// relative_airmass: 32.2 N, 111 W, 700 m, 2014-06-24 at 00, 06, 12 and 18 h MST.
constexpr std::array<double, 4> kGhi{0.0, 79.73860422, 1042.48031487, 257.20751138};
constexpr std::array<double, 4> kDni{0.0, 316.1949056, 939.95469881, 646.22886049};
constexpr std::array<double, 4> kDhi{0.0, 40.46149818, 118.45831879, 62.03376265};
constexpr std::array<double, 4> kApparentZenith{124.0390863, 82.85457044, 10.56413562, 72.41687122};
constexpr std::array<double, 4> kSolarAzimuth{352.69550699, 66.71410338, 144.76567754, 287.04104128};
constexpr std::array<double, 4> kAirmass{kNan, 7.58831596, 1.01688136, 3.27930443};
constexpr double kDniExtra = 1321.1655834833093;
const Surface kSouth40{40.0, 180.0};

SunAngles sun_at(std::size_t i) { return {kApparentZenith[i], kSolarAzimuth[i]}; }
HorizontalIrradiance irradiance_at(std::size_t i) { return {kGhi[i], kDni[i], kDhi[i]}; }

bool close(double actual, double expected, double tolerance) {
  return std::fabs(actual - expected) <= tolerance;
}

}  // namespace

TEST_CASE("extraterrestrial irradiance follows Spencer's series") {
  // 1 January: the series sums to 1.00011 + 0.034221 + 0.000719 = 1.03505 (hand calculation).
  CHECK(extraterrestrial_dni_w_m2(1.0) == doctest::Approx(1366.1 * 1.03505).epsilon(1e-12));
  // pvlib fixture dni_et for 24 June (day 175).
  CHECK(extraterrestrial_dni_w_m2(175.0) == doctest::Approx(kDniExtra).epsilon(1e-12));
}

TEST_CASE("Kasten-Young airmass matches pvlib's fixture and is NaN below the horizon") {
  // pvlib fixture relative_airmass, from the fixture's apparent zenith.
  CHECK(std::isnan(relative_airmass(kApparentZenith[0])));
  for (std::size_t i = 1; i < 4; ++i) {
    CAPTURE(i);
    CHECK(close(relative_airmass(kApparentZenith[i]), kAirmass[i], 1e-8));
  }
  // Kasten & Young 1989: 1/(0 + 0.50572·6.07995^−1.6364) at the horizon, about 38.
  CHECK(relative_airmass(90.0) ==
        doctest::Approx(1.0 / (0.50572 * std::pow(6.07995, -1.6364))).epsilon(1e-12));
}

TEST_CASE("Erbs decomposition matches pvlib's test values") {
  // pvlib-python, tests/test_irradiance.py, test_erbs: 2019-01-01 (day 1) and 2019-06-20 (day 171).
  struct Case {
    double ghi;
    double zenith;
    double day_of_year;
    double dni;
    double dhi;
    double kt;
  };
  const std::array<Case, 4> cases{{
      {0.0, 120.0, 1.0, 0.0, 0.0, 0.0},
      {50.0, 85.0, 1.0, 96.7192672, 41.5703604, 0.405723511},
      {1000.0, 10.0, 1.0, 794.205651, 217.860117, 0.718132729},
      {1000.0, 10.0, 171.0, 842.001578, 170.790318, 0.768214312},
  }};
  for (const Case& c : cases) {
    CAPTURE(c.ghi);
    CAPTURE(c.day_of_year);
    const Decomposition out = erbs(c.ghi, c.zenith, extraterrestrial_dni_w_m2(c.day_of_year));
    CHECK(close(out.dni_w_m2, c.dni, 1e-6));
    CHECK(close(out.dhi_w_m2, c.dhi, 1e-6));
    CHECK(close(out.clearness_index, c.kt, 1e-9));
  }
}

TEST_CASE("Erbs keeps DNI finite near the horizon through its zenith limits") {
  // pvlib-python, tests/test_irradiance.py, test_erbs_min_cos_zenith_max_zenith: GHI 1 W/m² on
  // 2016-07-19 (day 201).
  const double dni_extra = extraterrestrial_dni_w_m2(201.0);
  const Decomposition at_horizon = erbs(1.0, 90.0, dni_extra);
  CHECK(at_horizon.dni_w_m2 == 0.0);
  CHECK(at_horizon.dhi_w_m2 == 1.0);
  CHECK(close(at_horizon.clearness_index, 0.01163776, 1e-8));

  const Decomposition no_zenith_cap = erbs(1.0, 89.99999, dni_extra, ErbsOptions{0.065, 100.0});
  CHECK(no_zenith_cap.dni_w_m2 == doctest::Approx(6001.15286).epsilon(1e-8));
  CHECK(close(no_zenith_cap.dhi_w_m2, 0.998952601, 1e-9));
  CHECK(close(no_zenith_cap.clearness_index, 0.0116377640, 1e-10));

  const Decomposition no_limits = erbs(1.0, 89.99, dni_extra, ErbsOptions{0.0, 100.0});
  CHECK(no_limits.dni_w_m2 == doctest::Approx(4784.19761).epsilon(1e-8));
  CHECK(close(no_limits.dhi_w_m2, 0.165, 1e-12));
  CHECK(no_limits.clearness_index == 1.0);
}

TEST_CASE("angle of incidence matches pvlib's test values") {
  // pvlib-python, tests/test_irradiance.py, test_aoi_and_aoi_projection.
  struct Case {
    Surface surface;
    SunAngles sun;
    double aoi_deg;
    double projection;
  };
  const std::array<Case, 5> cases{{
      {{0.0, 0.0}, {0.0, 0.0}, 0.0, 1.0},
      {{30.0, 180.0}, {30.0, 180.0}, 0.0, 1.0},
      {{30.0, 180.0}, {150.0, 0.0}, 180.0, -1.0},
      {{90.0, 0.0}, {30.0, 60.0}, 75.5224878, 0.25},
      {{90.0, 0.0}, {30.0, 170.0}, 119.4987042, -0.4924038},
  }};
  for (const Case& c : cases) {
    CAPTURE(c.aoi_deg);
    CHECK(close(angle_of_incidence_deg(c.surface, c.sun), c.aoi_deg, 1e-6));
    CHECK(close(aoi_projection(c.surface, c.sun), c.projection, 1e-7));
  }
  // GH 1185: identical sun and normal give a projection of at most 1, not 1 + ε.
  const double zenith = 89.26778228223463;
  const double azimuth = 60.932028605997004;
  CHECK(aoi_projection(Surface{zenith, azimuth}, SunAngles{zenith, azimuth}) <= 1.0);
}

TEST_CASE("isotropic sky diffuse matches pvlib") {
  // pvlib-python, tests/test_irradiance.py, test_isotropic_float and test_isotropic_series.
  CHECK(isotropic_sky_diffuse_w_m2(40.0, 100.0) == doctest::Approx(88.30222215594891).epsilon(1e-12));
  const std::array<double, 4> expected{0.0, 35.728402, 104.601328, 54.777191};
  for (std::size_t i = 0; i < 4; ++i)
    CHECK(close(isotropic_sky_diffuse_w_m2(40.0, kDhi[i]), expected[i], 1e-6));
}

TEST_CASE("Hay-Davies sky diffuse matches pvlib") {
  // pvlib-python, tests/test_irradiance.py, test_haydavies (values to 4 decimals).
  const std::array<double, 4> expected{0.0, 27.1775, 102.9949, 33.1909};
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(close(hay_davies_sky_diffuse_w_m2(kSouth40, sun_at(i), irradiance_at(i), kDniExtra), expected[i],
                5e-5));
  }
}

TEST_CASE("Reindl sky diffuse matches pvlib") {
  // pvlib-python, tests/test_irradiance.py, test_reindl (values to 4 decimals).
  const std::array<double, 4> expected{0.0, 27.9412, 104.1317, 34.1663};
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(
        close(reindl_sky_diffuse_w_m2(kSouth40, sun_at(i), irradiance_at(i), kDniExtra), expected[i], 5e-5));
  }
}

TEST_CASE("Perez sky diffuse matches pvlib") {
  // pvlib-python, tests/test_irradiance.py, test_perez_scalar: the 12:00 row.
  CHECK(perez_sky_diffuse_w_m2(kSouth40, sun_at(2), irradiance_at(2), kDniExtra, kAirmass[2]) ==
        doctest::Approx(109.084332).epsilon(1e-8));
  // test_poa_components (Perez sky column, rows 06:00 and 18:00).
  CHECK(perez_sky_diffuse_w_m2(kSouth40, sun_at(1), irradiance_at(1), kDniExtra, kAirmass[1]) ==
        doctest::Approx(31.4635077).epsilon(1e-8));
  CHECK(perez_sky_diffuse_w_m2(kSouth40, sun_at(3), irradiance_at(3), kDniExtra, kAirmass[3]) ==
        doctest::Approx(45.45978964).epsilon(1e-8));
  // Below the horizon (airmass NaN) the sky contributes nothing; a missing DNI stays missing.
  CHECK(perez_sky_diffuse_w_m2(kSouth40, sun_at(0), irradiance_at(0), kDniExtra, kAirmass[0]) == 0.0);
  HorizontalIrradiance missing_dni = irradiance_at(2);
  missing_dni.dni_w_m2 = kNan;
  CHECK(std::isnan(perez_sky_diffuse_w_m2(kSouth40, sun_at(2), missing_dni, kDniExtra, kAirmass[2])));
}

TEST_CASE("Perez components sum to the total and the horizon band may be negative") {
  // pvlib-python, tests/test_irradiance.py, test_perez_negative_horizon: Goodwin Creek, afternoon of
  // 2019-01-01, surface tilt 34° facing south, DNI_extra 1414 W/m².
  struct Row {
    double dni;
    double dhi;
    double zenith;
    double azimuth;
    double airmass;
    double sky;
    double isotropic;
    double circumsolar;
    double horizon;
  };
  const std::array<Row, 5> rows{{
      {158, 249, 57.746951, 171.003315, 1.869315, 281.410185, 166.785419, 113.548755, 1.076010},
      {19, 165, 57.564205, 187.346924, 1.859981, 152.20879, 142.24475, 16.09757, -6.13353},
      {1, 136, 60.813841, 202.974357, 2.044429, 123.867898, 119.173875, 9.956174, -5.262151},
      {0, 93, 66.989435, 216.725599, 2.544943, 82.836412, 83.525150, 3.142467, -3.831230},
      {0, 50, 75.353368, 228.317233, 3.900136, 43.517015, 45.725931, 0.0, -2.208923},
  }};
  for (const Row& row : rows) {
    CAPTURE(row.zenith);
    const PerezSkyDiffuse out =
        perez_sky_diffuse(Surface{34.0, 180.0}, SunAngles{row.zenith, row.azimuth},
                          HorizontalIrradiance{0.0, row.dni, row.dhi}, 1414.0, row.airmass);
    CHECK(close(out.sky_diffuse_w_m2, row.sky, 1e-6));
    // The table's components are looser than its totals: in the fourth row they sum to 2.5e-5 less
    // than the row's own total (pvlib compares them to two decimals).
    CHECK(close(out.isotropic_w_m2, row.isotropic, 5e-5));
    CHECK(close(out.circumsolar_w_m2, row.circumsolar, 5e-5));
    CHECK(close(out.horizon_w_m2, row.horizon, 5e-5));
    CHECK(close(out.isotropic_w_m2 + out.circumsolar_w_m2 + out.horizon_w_m2, out.sky_diffuse_w_m2, 1e-9));
  }
}

TEST_CASE("ground-reflected irradiance matches pvlib") {
  // pvlib-python, tests/test_irradiance.py, test_get_ground_diffuse_simple_float (albedo 0.25) and
  // test_get_ground_diffuse_albedo_surface ('sand', albedo 0.40).
  CHECK(ground_diffuse_w_m2(40.0, 900.0, 0.25) == doctest::Approx(26.32000014911496).epsilon(1e-12));
  const std::array<double, 4> expected{0.0, 3.731058, 48.778813, 12.035025};
  for (std::size_t i = 0; i < 4; ++i)
    CHECK(close(ground_diffuse_w_m2(40.0, kGhi[i], 0.40), expected[i], 1e-6));
}

TEST_CASE("plane-of-array irradiance combines beam, Perez sky and ground as pvlib does") {
  // pvlib-python, tests/test_irradiance.py, test_poa_components: Perez sky, 'sand' ground (albedo
  // 0.40), tilt 40° facing south. Columns: global, direct, diffuse, sky diffuse, ground diffuse.
  const std::array<std::array<double, 5>, 4> expected{{
      {0.0, 0.0, 0.0, 0.0, 0.0},
      {35.19456561, 0.0, 35.19456561, 31.4635077, 3.73105791},
      {956.18253696, 798.31939281, 157.86314414, 109.08433162, 48.77881252},
      {90.99624896, 33.50143401, 57.49481495, 45.45978964, 12.03502531},
  }};
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    const PoaIrradiance poa =
        plane_of_array(kSouth40, sun_at(i), irradiance_at(i), kDniExtra, PoaOptions{SkyModel::kPerez, 0.40});
    const std::array<double, 5> actual{poa.global_w_m2, poa.direct_w_m2, poa.diffuse_w_m2,
                                       poa.sky_diffuse_w_m2, poa.ground_diffuse_w_m2};
    for (std::size_t k = 0; k < 5; ++k) {
      CAPTURE(k);
      CHECK(close(actual[k], expected[i][k], 1e-6 * std::fmax(1.0, expected[i][k])));
    }
  }
}

TEST_CASE("on a horizontal surface the plane-of-array irradiance is the global horizontal irradiance") {
  // Property: with tilt 0 the beam is DNI·cos(zenith), every sky model returns DHI and the ground is
  // out of view, so POA = DNI·cos(zenith) + DHI = GHI for consistent inputs.
  const Surface horizontal{0.0, 180.0};
  for (const SkyModel model :
       {SkyModel::kIsotropic, SkyModel::kHayDavies, SkyModel::kReindl, SkyModel::kPerez}) {
    for (const double zenith : {5.0, 30.0, 60.0, 80.0}) {
      CAPTURE(zenith);
      const double dni = 700.0;
      const double dhi = 120.0;
      const double ghi = dni * std::cos(zenith * 3.14159265358979323846 / 180.0) + dhi;
      const PoaIrradiance poa =
          plane_of_array(horizontal, SunAngles{zenith, 140.0}, HorizontalIrradiance{ghi, dni, dhi}, 1361.0,
                         PoaOptions{model, 0.2});
      CHECK(poa.global_w_m2 == doctest::Approx(ghi).epsilon(1e-12));
      CHECK(poa.ground_diffuse_w_m2 == 0.0);
    }
  }
}

TEST_CASE("sky diffuse stays bounded as the sun reaches the horizon") {
  // pvlib-python, tests/test_irradiance.py, test_sky_diffuse_zenith_close_to_90 (GH 432).
  const Surface surface{30.0, 180.0};
  const SunAngles sun{89.999, 230.0};
  const HorizontalIrradiance irradiance{51.0, 10.0, 50.0};
  CHECK(isotropic_sky_diffuse_w_m2(surface.tilt_deg, irradiance.dhi_w_m2) < 100.0);
  CHECK(hay_davies_sky_diffuse_w_m2(surface, sun, irradiance, 1360.0) < 100.0);
  CHECK(reindl_sky_diffuse_w_m2(surface, sun, irradiance, 1360.0) < 100.0);
  CHECK(perez_sky_diffuse_w_m2(surface, sun, irradiance, 1360.0, 12.0) < 100.0);
}

TEST_CASE("NaN irradiance gives NaN plane-of-array irradiance without throwing") {
  const PoaIrradiance poa =
      plane_of_array(kSouth40, sun_at(2), HorizontalIrradiance{kNan, kNan, kNan}, kDniExtra);
  CHECK(std::isnan(poa.global_w_m2));
  const Decomposition decomposition = erbs(kNan, 30.0, kDniExtra);
  CHECK(std::isnan(decomposition.dni_w_m2));
  CHECK(std::isnan(decomposition.dhi_w_m2));
}
