// energy/pv: from plane-of-array irradiance to AC power of a PV array. Reflection losses at the
// module cover (incidence angle modifier), cell temperature, PVWatts DC power, system losses and
// the PVWatts inverter with clipping (Dobos 2014, "PVWatts Version 5 Manual", NREL/TP-6A20-62641).
// The functions and their limits follow pvlib, so results can be checked against it.
//
// Units: irradiance W/m², power W, temperature °C, wind speed m/s at the height the temperature
// model was fitted for (10 m for SAPM), angles in degrees. Nothing throws; NaN in gives NaN out.
#pragma once

namespace sandan {

// A flat glass cover: refractive index, extinction coefficient (1/m) and thickness (m). The
// defaults are De Soto et al.'s (2006) for a glass cover with K·L = 0.008.
struct GlassCover {
  double refractive_index = 1.526;
  double extinction_per_m = 4.0;
  double thickness_m = 0.002;
};

// The share of beam light transmitted at an angle of incidence relative to normal incidence, from
// Fresnel reflection and Bouguer absorption (De Soto, Klein & Beckman 2006). 1 at 0°, 0 from 90°
// on; symmetric in the sign of the angle. refractive_index must exceed 1.
[[nodiscard]] double iam_physical(double aoi_deg, const GlassCover& cover = {});

// Coefficients of the Sandia module temperature model (King, Boyson & Kratochvil 2004, SAND2004-3535,
// table 1): module back temperature rises by E·exp(a + b·WS), the cell is delta_t_c hotter at 1000 W/m².
struct SapmTemperature {
  double a = -3.47;
  double b = -0.0594;  // per m/s
  double delta_t_c = 3.0;
};

inline constexpr SapmTemperature kSapmOpenRackGlassGlass{-3.47, -0.0594, 3.0};
inline constexpr SapmTemperature kSapmCloseMountGlassGlass{-2.98, -0.0471, 1.0};
inline constexpr SapmTemperature kSapmOpenRackGlassPolymer{-3.56, -0.0750, 3.0};
inline constexpr SapmTemperature kSapmInsulatedBackGlassPolymer{-2.81, -0.0455, 0.0};

[[nodiscard]] double sapm_module_temperature_c(double poa_global_w_m2, double temp_air_c,
                                               double wind_speed_m_s, const SapmTemperature& model = {});
// Cell temperature: the module temperature plus (E / irradiance_ref_w_m2)·delta_t_c.
[[nodiscard]] double sapm_cell_temperature_c(double poa_global_w_m2, double temp_air_c, double wind_speed_m_s,
                                             const SapmTemperature& model = {},
                                             double irradiance_ref_w_m2 = 1000.0);

// Heat-loss coefficients of Faiman's model: u0 in W/(m²·K), u1 in W·s/(m³·K). The defaults are
// Faiman's (2008) fit, as in pvlib and IEC 61853-2.
struct FaimanTemperature {
  double u0 = 25.0;
  double u1 = 6.84;
};

// Module temperature Ta + E/(u0 + u1·WS) (Faiman 2008).
[[nodiscard]] double faiman_temperature_c(double poa_global_w_m2, double temp_air_c, double wind_speed_m_s,
                                          const FaimanTemperature& model = {});

// PVWatts v5 defaults (Dobos 2014).
inline constexpr double kPvwattsGammaStandardPerC = -0.0047;  // standard (crystalline) module
inline constexpr double kPvwattsGammaPremiumPerC = -0.0035;
inline constexpr double kPvwattsGammaThinFilmPerC = -0.0020;
inline constexpr double kPvwattsEtaInverterNominal = 0.96;
inline constexpr double kPvwattsEtaInverterReference = 0.9637;
inline constexpr double kPvwattsDcAcRatio = 1.1;

// DC power of an array of nameplate pdc0_w (at 1000 W/m² and temp_ref_c): linear in the effective
// irradiance (after reflection and soiling losses) and in the cell temperature. gamma_pdc_per_c is
// the power temperature coefficient, 1/°C (−0.0047 is −0.47 %/°C).
[[nodiscard]] double pvwatts_dc_w(double effective_irradiance_w_m2, double temp_cell_c, double pdc0_w,
                                  double gamma_pdc_per_c, double temp_ref_c = 25.0);

// System losses in percent; PVWatts v5's default breakdown.
struct PvwattsLosses {
  double soiling_pct = 2.0;
  double shading_pct = 3.0;
  double snow_pct = 0.0;
  double mismatch_pct = 2.0;
  double wiring_pct = 2.0;
  double connections_pct = 0.5;
  double lid_pct = 1.5;  // light-induced degradation
  double nameplate_rating_pct = 1.0;
  double age_pct = 0.0;
  double availability_pct = 3.0;
};

// Total loss in percent, the losses combined multiplicatively: 100·(1 − Π(1 − loss/100)).
[[nodiscard]] double pvwatts_losses_pct(const PvwattsLosses& losses = {});

// AC power of the PVWatts inverter. pdc0_w is the inverter's DC input limit, so that its AC limit
// is eta_inverter_nominal·pdc0_w; output is clipped there and is never negative.
[[nodiscard]] double pvwatts_ac_w(double pdc_w, double pdc0_w,
                                  double eta_inverter_nominal = kPvwattsEtaInverterNominal,
                                  double eta_inverter_reference = kPvwattsEtaInverterReference);

}  // namespace sandan
