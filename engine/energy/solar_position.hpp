// energy/solar_position: where the sun is, seen from a point on the Earth, by NREL's Solar Position
// Algorithm (Reda & Andreas 2004, NREL/TP-560-34302, revised January 2008), implemented from the
// paper's equations. Uncertainty ±0.0003° in zenith and azimuth for the years −2000 to 6000.
//
// Conventions: angles in degrees; azimuth eastward from north in [0, 360) (90 = east, 180 = south);
// latitude +N, longitude +E; time in UT (Julian day) or civil time with its offset from UTC.
// Pure functions: nothing throws, NaN in gives NaN out.
#pragma once

#include <span>

namespace sandan {

// A civil date and time in a zone utc_offset_h hours ahead of UTC (KST: +9, MST: −7).
struct CivilTime {
  int year = 2000;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;   // 0..23
  int minute = 0;
  double second = 0.0;
  double utc_offset_h = 0.0;
};

// Where the sun is observed from. Pressure and temperature are annual means; they only scale the
// atmospheric refraction correction.
struct Observer {
  double lat_deg = 0.0;  // geodetic latitude, +N, [−90, 90]
  double lon_deg = 0.0;  // longitude, +E, [−180, 180]
  double elevation_m = 0.0;
  double pressure_mbar = 1013.25;
  double temperature_c = 12.0;
  double atmos_refraction_deg = 0.5667;  // refraction at sunrise and sunset
};

// A plane: tilt from horizontal (0 faces up, 90 is vertical) and the azimuth of its normal's
// horizontal projection, eastward from north (180 faces south). The paper's surface azimuth
// rotation γ (from south, positive toward west) is azimuth_deg − 180.
struct Surface {
  double tilt_deg = 0.0;
  double azimuth_deg = 180.0;
};

// The location-independent part of SPA at one instant (paper sections 3.1–3.10 and A.1). It costs
// about 320 sines and cosines; compute it once per time step and share it between sites.
struct SunEphemeris {
  double julian_day = 0.0;                  // UT
  double julian_ephemeris_day = 0.0;        // TT = UT + ΔT
  double heliocentric_longitude_deg = 0.0;  // L, [0, 360)
  double heliocentric_latitude_deg = 0.0;   // B
  double earth_sun_distance_au = 0.0;       // R
  double nutation_longitude_deg = 0.0;      // Δψ
  double nutation_obliquity_deg = 0.0;      // Δε
  double true_obliquity_deg = 0.0;          // ε
  double apparent_longitude_deg = 0.0;      // λ
  double sidereal_time_deg = 0.0;           // ν, apparent sidereal time at Greenwich, [0, 360)
  double right_ascension_deg = 0.0;         // α, geocentric, [0, 360)
  double declination_deg = 0.0;             // δ, geocentric
  double equation_of_time_min = 0.0;        // apparent minus mean solar time, |E| ≤ 20 min
};

struct SolarPosition {
  double julian_day = 0.0;            // UT
  double zenith_deg = 0.0;            // topocentric, refraction-corrected (apparent)
  double geometric_zenith_deg = 0.0;  // topocentric, without refraction
  double azimuth_deg = 0.0;           // topocentric, eastward from north, [0, 360)
  double declination_deg = 0.0;       // geocentric
  double topocentric_declination_deg = 0.0;
  double right_ascension_deg = 0.0;  // geocentric, [0, 360)
  double hour_angle_deg = 0.0;       // topocentric local hour angle, [0, 360)
  double equation_of_time_min = 0.0;
  double earth_sun_distance_au = 0.0;
  double incidence_deg = 0.0;  // on the requested surface; the zenith if horizontal
};

// Is the sun up at all on a day at this latitude?
enum class DayKind { kNormal, kPolarDay, kPolarNight };

// Sunrise, transit and sunset in local hours [0, 24). Sunrise and sunset are when the sun's upper
// limb touches the refracted horizon (elevation −(0.26667° + atmos_refraction_deg)); they are NaN
// on polar days and nights.
struct SunTimes {
  DayKind kind = DayKind::kNormal;
  double sunrise_h = 0.0;
  double transit_h = 0.0;
  double sunset_h = 0.0;
};

// Julian day (UT) of a civil time (paper eq. 4): Gregorian calendar from 1582-10-15, Julian before.
[[nodiscard]] double julian_day(const CivilTime& time);

// delta_t_s is ΔT = TT − UT in seconds (about 64 s in 2003, 69 s in 2024; IERS Bulletin A). An
// error of a few seconds moves the sun by less than 1e-4°.
[[nodiscard]] SunEphemeris sun_ephemeris(double julian_day_ut, double delta_t_s);

// The sun seen from an observer (paper sections 3.11–3.16), given the ephemeris of the instant.
[[nodiscard]] SolarPosition observe_sun(const SunEphemeris& sun, const Observer& observer,
                                        const Surface& surface = {});

[[nodiscard]] SolarPosition solar_position(double julian_day_ut, double delta_t_s, const Observer& observer,
                                           const Surface& surface = {});
[[nodiscard]] SolarPosition solar_position(const CivilTime& time, double delta_t_s, const Observer& observer,
                                           const Surface& surface = {});

// Positions for a time series at several sites, the ephemeris computed once per instant. out is
// site-major, out[site * julian_days_ut.size() + t], and must hold sites × times entries (otherwise
// nothing is written). Incidence is on a horizontal surface.
void solar_positions(std::span<const double> julian_days_ut, double delta_t_s,
                     std::span<const Observer> observers, std::span<SolarPosition> out);

// Which day's events sun_times returns. Appendix A.2 of the paper works on the UT day that starts at
// 0 UT of the date, so far from Greenwich an event can belong to a neighbouring civil day: the
// paper's own example sunset, 17:20:19 MST for 17 October 2003, is that of the 16th, and in Korea
// the sunrise would be the next morning's. kCivil returns the events of the civil day in the zone.
enum class EventDay { kCivil, kUniversal };

// Sunrise, transit and sunset (paper appendix A.2) of a day, in local hours of the zone
// utc_offset_h hours ahead of UTC.
[[nodiscard]] SunTimes sun_times(int year, int month, int day, double utc_offset_h, double delta_t_s,
                                 const Observer& observer, EventDay event_day = EventDay::kCivil);

}  // namespace sandan
