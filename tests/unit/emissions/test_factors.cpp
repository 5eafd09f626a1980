#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "emissions/factors.hpp"
#include "support/fixtures.hpp"

using namespace sandan;
using namespace sandan::test;

namespace {

const std::string kFactorsPath = SANDAN_GIS_DATA_DIR "/emissions/factors.yaml";

}  // namespace

TEST_CASE("the shipped emission factors load with the IPCC 2006 defaults and the 2023 grid factor") {
  const EmissionFactors f = read_emission_factors(kFactorsPath);
  // FACTS §6: IPCC 2006 default CO2 factors, kg/TJ.
  CHECK(f.fuels[0].co2_kg_per_tj == 56100.0);  // LNG
  CHECK(f.fuels[1].co2_kg_per_tj == 63100.0);  // LPG
  CHECK(f.fuels[2].co2_kg_per_tj == 74100.0);  // diesel
  CHECK(f.fuels[3].co2_kg_per_tj == 77400.0);  // residual fuel oil
  CHECK(f.grid_t_per_mwh == 0.4173);           // FACTS §3
  CHECK(f.vehicles[2].b == 8320.0);
}

TEST_CASE("stationary fuel emissions are energy in TJ times the CO2-equivalent factor") {
  const EmissionFactors f = read_emission_factors(kFactorsPath);
  // 1,000 MWh = 3.6 TJ. LNG: 56,100 + 28 × 1 + 265 × 0.1 = 56,154.5 kg/TJ → 202.1562 t (by hand).
  CHECK(stationary_tco2e(Fuel::kLng, 1000.0, f) == doctest::Approx(202.1562).epsilon(1e-12));
  // Diesel: 74,100 + 28 × 3 + 265 × 0.6 = 74,343 kg/TJ → 267.6348 t.
  CHECK(stationary_tco2e(Fuel::kDiesel, 1000.0, f) == doctest::Approx(267.6348).epsilon(1e-12));
  CHECK(stationary_tco2e(Fuel::kNone, 1000.0, f) == 0.0);
}

TEST_CASE("vehicle CO2 follows a + b/v + c v² within the clamped speed range") {
  const EmissionFactors f = read_emission_factors(kFactorsPath);
  // Car at 50 km/h: 93 + 1665 / 50 + 0.00473 × 2500 = 138.125 g/km (by hand).
  CHECK(vehicle_g_per_km(VehicleClass::kCar, 50.0, f) == doctest::Approx(138.125).epsilon(1e-12));
  // Below 5 km/h the curve is held at 5 km/h: 93 + 333 + 0.11825.
  CHECK(vehicle_g_per_km(VehicleClass::kCar, 2.0, f) == doctest::Approx(426.11825).epsilon(1e-12));
  // Heavy trucks emit more than light trucks, which emit more than cars, at every speed.
  for (double v = 5.0; v <= 120.0; v += 5.0) {
    CHECK(vehicle_g_per_km(VehicleClass::kHeavyTruck, v, f) >
          vehicle_g_per_km(VehicleClass::kLightTruck, v, f));
    CHECK(vehicle_g_per_km(VehicleClass::kLightTruck, v, f) > vehicle_g_per_km(VehicleClass::kCar, v, f));
  }
}

TEST_CASE("a bad factors file reports every problem with file, line and key") {
  TempDir dir("emission_factors_bad");
  std::string text = read_text_file(kFactorsPath);
  auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  replace("co2_kg_per_tj: {value: 56100", "co2_kg_per_tj: {value: -5");
  replace("grid_t_per_mwh: {value: 0.4173", "grid_t_per_mwh: {value: 4.173");
  replace("a: {value: 93,", "a: {value: -2000,");
  text += "extra_key: 1\n";
  write_text(dir.path() / "factors.yaml", text);
  try {
    (void)read_emission_factors(dir.str("factors.yaml"));
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(what.find("factors.yaml:24: fuels.lng.co2_kg_per_tj.value") != std::string::npos);
    CHECK(what.find("grid_t_per_mwh.value") != std::string::npos);
    CHECK(what.find("vehicles.car: the curve is not positive") != std::string::npos);
    CHECK(what.find("extra_key") != std::string::npos);
  }
}
