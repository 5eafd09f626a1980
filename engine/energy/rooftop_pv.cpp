// energy/rooftop_pv: sizing rooftop PV from roofs, and the hourly AC output per kWp (docs/energy-model.md,
// "Rooftop PV").
#include "energy/rooftop_pv.hpp"

#include <cmath>
#include <cstddef>
#include <cstdio>

#include "core/error.hpp"
#include "energy/irradiance.hpp"
#include "energy/pv.hpp"
#include "energy/solar_position.hpp"

namespace sandan {
namespace {

// ΔT = TT − UT for the 2020s (IERS Bulletin A: ≈69 s in 2024); a few seconds either way move the
// sun by less than 1e-4°.
constexpr double kDeltaTS = 69.0;
constexpr double kWattsPerKw = 1000.0;
// Station pressures outside this range are not a real atmosphere (the EPW reader's own limits).
constexpr double kMinPressurePa = 31000.0;
constexpr double kMaxPressurePa = 120000.0;

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

void check_range(std::vector<std::string>& problems, const char* name, double value, double lo, double hi,
                 bool lo_open = false) {
  const bool ok = std::isfinite(value) && (lo_open ? value > lo : value >= lo) && value <= hi;
  if (ok) return;
  problems.push_back(std::string(name) + ": must be in " + (lo_open ? "(" : "[") + format_number(lo) + ", " +
                     format_number(hi) + "], got " + format_number(value));
}

// Pressure of the ICAO standard atmosphere at an elevation (ISO 2533): the fallback when the weather
// has no station pressure. Pressure only scales SPA's refraction correction.
double standard_pressure_mbar(double elevation_m) {
  return 1013.25 * std::pow(1.0 - 2.25577e-5 * elevation_m, 5.25588);
}

}  // namespace

std::vector<double> size_rooftop_pv(const Site& site, const RooftopPvSpec& spec) {
  std::vector<std::string> problems;
  check_range(problems, "roof_share", spec.roof_share, 0.0, 1.0);
  check_range(problems, "m2_per_kwp", spec.m2_per_kwp, 0.0, 1e6, true);
  check_range(problems, "min_roof_m2", spec.min_roof_m2, 0.0, 1e12);
  std::vector<bool> chosen(site.complexes.size(), spec.complexes.empty());
  for (const std::string& id : spec.complexes) {
    bool found = false;
    for (std::size_t c = 0; c < site.complexes.size(); ++c) {
      if (site.complexes[c].complex_id == id) {
        chosen[c] = true;
        found = true;
      }
    }
    if (!found) problems.push_back("complexes: the site has no complex '" + id + "'");
  }
  if (!problems.empty()) throw ConfigError("rooftop PV: invalid specification", problems);

  std::vector<double> kwp(site.facilities.size(), 0.0);
  for (std::size_t f = 0; f < site.facilities.size(); ++f) {
    const Facility& facility = site.facilities[f];
    const bool in_complex =
        facility.complex >= 0 && static_cast<std::size_t>(facility.complex) < chosen.size()
            ? chosen[static_cast<std::size_t>(facility.complex)]
            : spec.complexes.empty();
    const double roof_m2 = facility.roof_area_m2;
    if (!in_complex || !(roof_m2 > 0.0) || roof_m2 < spec.min_roof_m2) continue;
    kwp[f] = roof_m2 * spec.roof_share / spec.m2_per_kwp;
  }
  return kwp;
}

std::vector<float> pv_ac_kw_per_kwp(const Weather& weather, const Calendar& calendar,
                                    const RooftopPvSpec& spec) {
  std::vector<std::string> problems;
  check_range(problems, "tilt_deg", spec.tilt_deg, 0.0, 90.0);
  check_range(problems, "azimuth_deg", spec.azimuth_deg, 0.0, 360.0);
  check_range(problems, "dc_ac_ratio", spec.dc_ac_ratio, 0.0, 10.0, true);
  check_range(problems, "inverter_efficiency", spec.inverter_efficiency, 0.0, 1.0, true);
  check_range(problems, "gamma_per_c", spec.gamma_per_c, -0.1, 0.1);
  check_range(problems, "system_losses_pct", spec.system_losses_pct, 0.0, 100.0);
  check_range(problems, "albedo", spec.albedo, 0.0, 1.0);
  const auto hours = static_cast<std::size_t>(calendar.hours());
  const auto check_hours = [&](const char* name, std::size_t size) {
    if (size != hours) {
      problems.push_back(std::string("weather ") + name + ": " + std::to_string(size) +
                         " hours, the calendar of " + std::to_string(calendar.year()) + " has " +
                         std::to_string(hours));
    }
  };
  check_hours("dry_bulb_c", weather.dry_bulb_c.size());
  check_hours("ghi_wh_m2", weather.ghi_wh_m2.size());
  check_hours("dni_wh_m2", weather.dni_wh_m2.size());
  check_hours("dhi_wh_m2", weather.dhi_wh_m2.size());
  check_hours("wind_speed_m_s", weather.wind_speed_m_s.size());
  if (!problems.empty()) throw ConfigError("rooftop PV: cannot model the PV output", problems);

  const Surface surface{spec.tilt_deg, spec.azimuth_deg};
  const PoaOptions poa_options{SkyModel::kPerez, spec.albedo};
  Observer observer;
  observer.lat_deg = weather.location.lat_deg;
  observer.lon_deg = weather.location.lon_deg;
  observer.elevation_m = weather.location.elevation_m;
  const double fallback_pressure_mbar = standard_pressure_mbar(weather.location.elevation_m);
  const bool has_pressure = weather.pressure_pa.size() == hours;

  // One kWp of modules (PVWatts pdc0 = 1000 W at 1000 W/m² and 25 °C). The inverter's AC rating is
  // the DC rating over the DC:AC ratio, and PVWatts' inverter pdc0 is its DC input at that rating
  // (Dobos 2014, section on the inverter): AC nameplate / η_nom.
  const double pdc0_w = kWattsPerKw;
  const double inverter_pdc0_w = pdc0_w / spec.dc_ac_ratio / spec.inverter_efficiency;
  const double loss_factor = 1.0 - spec.system_losses_pct / 100.0;

  std::vector<float> kw_per_kwp(hours, 0.0F);
  for (std::size_t h = 0; h < hours; ++h) {
    HorizontalIrradiance irradiance{weather.ghi_wh_m2[h], weather.dni_wh_m2[h], weather.dhi_wh_m2[h]};
    const bool dark =
        !(irradiance.ghi_w_m2 > 0.0) && !(irradiance.dni_w_m2 > 0.0) && !(irradiance.dhi_w_m2 > 0.0);
    if (dark) continue;

    // Hourly radiation is the integral of the hour, so the sun is taken at mid-hour.
    const int hour = static_cast<int>(h);
    const DateTime utc = calendar.utc_midpoint(hour);
    const CivilTime time{utc.date.year, utc.date.month, utc.date.day, utc.hour, utc.minute, 0.0, 0.0};
    const double pressure_pa = has_pressure ? weather.pressure_pa[h] : 0.0;
    observer.pressure_mbar = pressure_pa > kMinPressurePa && pressure_pa < kMaxPressurePa
                                 ? pressure_pa / 100.0
                                 : fallback_pressure_mbar;
    observer.temperature_c = std::isfinite(weather.dry_bulb_c[h]) ? weather.dry_bulb_c[h] : 12.0;
    const SolarPosition sun = solar_position(time, kDeltaTS, observer);
    const double dni_extra_w_m2 = extraterrestrial_dni_w_m2(calendar.day_of_year(hour));

    // A file with global radiation only (both components missing or 0): split it by Erbs.
    if (!(irradiance.dni_w_m2 > 0.0) && !(irradiance.dhi_w_m2 > 0.0) && irradiance.ghi_w_m2 > 0.0) {
      const Decomposition split = erbs(irradiance.ghi_w_m2, sun.geometric_zenith_deg, dni_extra_w_m2);
      irradiance.dni_w_m2 = split.dni_w_m2;
      irradiance.dhi_w_m2 = split.dhi_w_m2;
    }
    // With the sun below the horizon at mid-hour, the hour's beam came after sunrise or before sunset
    // from a direction the midpoint does not know; a tilted plane could otherwise "see" a sun that the
    // horizon hides. Diffuse light still counts.
    if (sun.zenith_deg >= 90.0) irradiance.dni_w_m2 = 0.0;

    const PoaIrradiance poa = plane_of_array(surface, SunAngles{sun.zenith_deg, sun.azimuth_deg}, irradiance,
                                             dni_extra_w_m2, poa_options);
    // PVWatts v5 applies the cover's reflection loss to the beam only (Dobos 2014, section on
    // the angle of incidence; its glass cover is De Soto's, n = 1.526).
    const double effective_w_m2 = poa.direct_w_m2 * iam_physical(poa.aoi_deg) + poa.diffuse_w_m2;
    // SAPM takes the global POA irradiance, before reflection losses (King et al. 2004, eq. 11).
    const double cell_c = sapm_cell_temperature_c(poa.global_w_m2, weather.dry_bulb_c[h],
                                                  weather.wind_speed_m_s[h], spec.temperature_model);
    const double dc_w = pvwatts_dc_w(effective_w_m2, cell_c, pdc0_w, spec.gamma_per_c) * loss_factor;
    const double ac_w = pvwatts_ac_w(dc_w, inverter_pdc0_w, spec.inverter_efficiency);
    if (std::isfinite(ac_w) && ac_w > 0.0) kw_per_kwp[h] = static_cast<float>(ac_w / kWattsPerKw);
  }
  return kw_per_kwp;
}

}  // namespace sandan
