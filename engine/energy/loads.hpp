// energy/loads: hourly electricity and fuel demand of every facility for one year, from load
// archetypes by sector (KSIC division) and shift pattern, the calendar's day types, and the outdoor
// temperature. Annual totals come from the layout (annual_elec_mwh, annual_fuel_mwh) when given,
// else from intensity × floor area (gis_data/loads/archetypes.yaml, FACTS §7 ranges).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "energy/calibration.hpp"
#include "site/site.hpp"

namespace sandan {

// The hourly shape of one shift pattern: relative load for each hour of day (0..23) on each kind
// of day, before temperature and noise. Scaled so that the year sums to the annual total.
struct ShiftProfile {
  std::vector<double> weekday;   // 24 values, relative
  std::vector<double> saturday;  // 24
  std::vector<double> sunday;    // 24 (also holidays)
  std::vector<double> shutdown;  // 24 (factory shutdowns: base load only)
};

struct SectorArchetype {
  std::string name;
  double elec_kwh_per_m2 = 0.0;  // floor area intensity, per year
  double fuel_kwh_per_m2 = 0.0;
  // Share of electricity that follows the outdoor temperature (cooling above, heating below the
  // balance points); the rest follows the shift profile.
  double cooling_share = 0.0;
  double heating_share = 0.0;
  // Share of fuel that is space heating (follows heating degree-hours); the rest is process heat
  // following the shift profile.
  double fuel_space_heating_share = 0.0;
  // Power factor of the load (lagging), for the power flow; 0: the scenario's default.
  double power_factor = 0.0;
};

struct LoadLibrary {
  std::map<std::string, SectorArchetype> sectors;  // by KSIC division, e.g. "C29"
  SectorArchetype fallback;                        // for a sector not listed
  std::map<Shift, ShiftProfile> shifts;
  double cooling_balance_c = 22.0;  // degree-hours above this drive cooling
  double heating_balance_c = 15.0;  // degree-hours below this drive heating
  // Weight of a degree-hour when the shift profile is at 0 (1 at the profile's peak, linear in
  // between): cooling and heating are set back, not switched off, outside working hours.
  double hvac_unoccupied_weight = 0.3;
  double noise_sd = 0.05;              // relative standard deviation of hourly noise
  double noise_autocorrelation = 0.7;  // AR(1) coefficient hour to hour
};

// Reads gis_data/loads/archetypes.yaml. Throws ConfigError with every problem (file, line, key path).
[[nodiscard]] LoadLibrary read_load_library(const std::string& path);

// Hourly demand, facility-major: value [f * hours + h].
struct FacilityLoads {
  int hours = 0;
  std::vector<float> elec_kw;
  std::vector<float> fuel_kw;
  std::vector<double> annual_elec_mwh;  // per facility, equal to the sum of elec_kw / 1000
  std::vector<double> annual_fuel_mwh;
};

// Demand of every facility. dry_bulb_c has calendar.hours() values (an hour without one, or with
// NaN, counts as between the balance points). A facility whose layout gives no annual_fuel_mwh and
// names no fuel (Fuel::kNone) burns none: its halls are heated electrically. Random noise is seeded from
// (seed, facility id), so a facility's series depends neither on thread count nor on what else is
// simulated. Annual totals are reproduced
// exactly (the profile is rescaled after noise and temperature terms). Does not throw.
// The same model one facility at a time, for runners that work through a layout in blocks or threads.
// The constructor builds the hourly shape of every (sector, shift) pair the site uses; facility() is
// const and thread-safe. Facility f's noise is seeded from (seed, its facility id), as in model_loads.
//
// With a calibration (energy/calibration.hpp), a facility it lists is modelled as it says: a kModel
// facility's electricity follows its fitted day-type profiles and change-point temperature terms on
// this calendar and weather, with its fitted noise (rescaled so the noise leaves the year's total as
// the fitted model gives it); a kScaled facility's archetype electricity is multiplied by its factor.
// Fuel is not metered and stays the archetype's. The calibration must outlive the model.
class LoadModel {
 public:
  LoadModel(const Site& site, const Calendar& calendar, const std::vector<double>& dry_bulb_c,
            const LoadLibrary& library, std::uint64_t seed, const Calibration* calibration = nullptr);
  ~LoadModel();
  LoadModel(const LoadModel&) = delete;
  LoadModel& operator=(const LoadModel&) = delete;

  [[nodiscard]] int hours() const;
  struct Annual {
    double elec_mwh = 0.0;
    double fuel_mwh = 0.0;
  };
  // Writes hours() values of electricity and fuel demand (kW) for facility f.
  Annual facility(std::size_t f, float* elec_kw, float* fuel_kw) const;
  // How many of the site's facilities the calibration covers.
  [[nodiscard]] std::size_t calibrated_facilities() const;

 private:
  // A kModel facility's year: the fitted model with its own noise; returns the kWh written.
  double calibrated_year(const LoadCalibration& calibration, std::size_t f, float* elec_kw) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

[[nodiscard]] FacilityLoads model_loads(const Site& site, const Calendar& calendar,
                                        const std::vector<double>& dry_bulb_c, const LoadLibrary& library,
                                        std::uint64_t seed, const Calibration* calibration = nullptr);

}  // namespace sandan
