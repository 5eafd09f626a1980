// energy/rooftop_pv: rooftop PV sized from roof areas, and the hourly AC output of a PV system per
// kWp from weather (solar position, Erbs decomposition, Perez transposition, physical IAM, SAPM cell
// temperature, PVWatts DC and inverter; PVWatts v5 defaults). All systems of one orientation share
// one profile, so a year for thousands of roofs costs one profile and a scaling.
#pragma once

#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "energy/pv.hpp"
#include "energy/weather.hpp"
#include "site/site.hpp"

namespace sandan {

struct RooftopPvSpec {
  std::vector<std::string> complexes;  // empty: every complex
  double roof_share = 0.5;             // usable share of the roof area, 0..1 (FACTS §7: ≈50 %)
  double m2_per_kwp = 10.0;            // roof area per kWp (FACTS §7: ≈10 m²/kWp)
  double min_roof_m2 = 0.0;            // roofs smaller than this get no PV
  double tilt_deg = 15.0;
  double azimuth_deg = 180.0;                     // 180 = south
  double dc_ac_ratio = 1.1;                       // PVWatts v5 engine default
  double inverter_efficiency = 0.96;              // PVWatts v5 nominal
  double gamma_per_c = -0.0047;                   // PVWatts v5 standard module
  double system_losses_pct = 14.075660688264469;  // PVWatts default breakdown
  double albedo = 0.2;
  // Rooftop arrays sit close to the roof: SAPM glass/cell/glass close-roof-mount coefficients (King,
  // Boyson & Kratochvil 2004, table 1). kSapmOpenRackGlassGlass for racked, ventilated arrays runs
  // ≈15 °C cooler at noon and yields ≈5 % more a year.
  SapmTemperature temperature_model = kSapmCloseMountGlassGlass;
};

// kWp (DC) for each facility: roof_area_m2 × roof_share / m2_per_kwp for facilities of the listed
// complexes with roof_area_m2 >= min_roof_m2, 0 elsewhere. Throws ConfigError if roof_share is outside
// [0, 1], m2_per_kwp is not > 0, min_roof_m2 is negative or a listed complex is not in the site.
[[nodiscard]] std::vector<double> size_rooftop_pv(const Site& site, const RooftopPvSpec& spec);

// AC output per kWp of DC capacity for each hour of the calendar (kW/kWp), at the weather file's
// location. The sun is evaluated at each hour's midpoint (Calendar::utc_midpoint). The file's DNI and
// DHI are used; Erbs splits GHI only in hours where both are missing or 0. Throws ConfigError if the
// weather does not have calendar.hours() rows or a parameter of spec is out of range.
[[nodiscard]] std::vector<float> pv_ac_kw_per_kwp(const Weather& weather, const Calendar& calendar,
                                                  const RooftopPvSpec& spec);

}  // namespace sandan
