#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>

#include "energy/pv.hpp"

using namespace sandan;

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

bool close(double actual, double expected, double tolerance) {
  return std::fabs(actual - expected) <= tolerance;
}

}  // namespace

TEST_CASE("physical IAM matches pvlib for De Soto's glass") {
  // pvlib-python, tests/test_iam.py, test_physical: n = 1.526, K = 4 /m, L = 2 mm.
  struct Case {
    double aoi_deg;
    double iam;
  };
  const std::array<Case, 9> cases{{
      {-90.0, 0.0},
      {-67.5, 0.8893998},
      {-45.0, 0.98797788},
      {-22.5, 0.99926198},
      {0.0, 1.0},
      {22.5, 0.99926198},
      {45.0, 0.98797788},
      {67.5, 0.8893998},
      {90.0, 0.0},
  }};
  for (const Case& c : cases) {
    CAPTURE(c.aoi_deg);
    CHECK(close(iam_physical(c.aoi_deg), c.iam, 1e-7));
  }
  CHECK(iam_physical(100.0) == 0.0);
  CHECK(std::isnan(iam_physical(kNan)));
}

TEST_CASE("IAM falls monotonically from 1 at normal incidence to 0 at grazing incidence") {
  double previous = iam_physical(0.0);
  for (double aoi = 1.0; aoi <= 90.0; aoi += 1.0) {
    const double current = iam_physical(aoi);
    CHECK(current < previous);
    previous = current;
  }
}

TEST_CASE("SAPM module and cell temperatures match the published example") {
  // Validation README: POA 900 W/m², air 20 °C, wind 5 m/s, open rack glass/glass (King et al.
  // 2004, table 1: a −3.47, b −0.0594, ΔT 3 °C): module 40.809 °C, cell 43.509 °C.
  CHECK(close(sapm_module_temperature_c(900.0, 20.0, 5.0, kSapmOpenRackGlassGlass), 40.809, 1e-3));
  CHECK(close(sapm_cell_temperature_c(900.0, 20.0, 5.0, kSapmOpenRackGlassGlass), 43.509, 1e-3));
  // pvlib-python, pvlib/temperature.py, sapm_cell docstring example: 1000 W/m², 10 °C, calm.
  CHECK(sapm_cell_temperature_c(1000.0, 10.0, 0.0, kSapmOpenRackGlassGlass) ==
        doctest::Approx(44.11703066106086).epsilon(1e-12));
}

TEST_CASE("Faiman module temperature matches the published example") {
  // Validation README: u0 25, u1 6.84, POA 900 W/m², air 20 °C, wind 5 m/s: 35.203 °C; exactly
  // 20 + 900/59.2 by hand.
  const double temperature = faiman_temperature_c(900.0, 20.0, 5.0);
  CHECK(close(temperature, 35.203, 1e-3));
  CHECK(temperature == doctest::Approx(20.0 + 900.0 / 59.2).epsilon(1e-14));
}

TEST_CASE("PVWatts DC power is linear in irradiance and temperature") {
  // Validation README: G 900 W/m², cell 30 °C, Pdc0 100 W, γ −0.003/°C: 88.65 W.
  CHECK(pvwatts_dc_w(900.0, 30.0, 100.0, -0.003) == doctest::Approx(88.65).epsilon(1e-9));
  // At standard test conditions the array delivers its nameplate.
  CHECK(pvwatts_dc_w(1000.0, 25.0, 250.0, kPvwattsGammaStandardPerC) ==
        doctest::Approx(250.0).epsilon(1e-15));
}

TEST_CASE("PVWatts default losses combine multiplicatively to 14.08 %") {
  // Validation README and pvlib's pvwatts_losses: 14.075660688264469 %.
  CHECK(pvwatts_losses_pct() == doctest::Approx(14.075660688264469).epsilon(1e-9));
  CHECK(pvwatts_losses_pct(PvwattsLosses{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}) == 0.0);
}

TEST_CASE("PVWatts inverter matches pvlib and clips at its AC rating") {
  // Validation README and pvlib's inverter.pvwatts: pdc 90, pdc0 100, η_nom 0.95, η_ref 0.9637.
  CHECK(pvwatts_ac_w(90.0, 100.0, 0.95) == doctest::Approx(85.58556604752516).epsilon(1e-9));
  // Above its DC rating the inverter delivers η_nom·pdc0 and no more.
  CHECK(pvwatts_ac_w(130.0, 100.0, 0.96) == doctest::Approx(96.0).epsilon(1e-15));
  CHECK(pvwatts_ac_w(100.0, 100.0) <= 96.0);
  // No DC, no AC; below 0.6 % load the efficiency curve turns negative and the output is floored.
  CHECK(pvwatts_ac_w(0.0, 100.0) == 0.0);
  CHECK(pvwatts_ac_w(0.1, 100.0) == 0.0);
  CHECK(pvwatts_ac_w(-5.0, 100.0) == 0.0);
  CHECK(std::isnan(pvwatts_ac_w(kNan, 100.0)));
}
