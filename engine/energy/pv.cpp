// PV array models: incidence angle modifier, cell temperature, PVWatts DC, losses and inverter.
#include "energy/pv.hpp"

#include <cmath>
#include <initializer_list>
#include <limits>
#include <numbers>

namespace sandan {
namespace {

// max(value, floor) and min(value, ceiling) that keep a NaN value (std::fmax/fmin would drop it).
double floor_at(double value, double floor) { return value < floor ? floor : value; }
double cap_at(double value, double ceiling) { return value > ceiling ? ceiling : value; }

}  // namespace

double iam_physical(double aoi_deg, const GlassCover& cover) {
  // De Soto, Klein & Beckman (2006), "Improvement and validation of a model for photovoltaic array
  // performance", Solar Energy 80(1), after Duffie & Beckman (2006, ch. 5): transmittance
  // τ(θ) = exp(−KL/cos θr)·[1 − (rs + rp)/2] over τ(0). The Fresnel reflectances are written with
  // cosines, which stay finite at normal incidence where the paper's sin/tan form is 0/0.
  if (std::isnan(aoi_deg)) return std::numeric_limits<double>::quiet_NaN();
  if (std::fabs(aoi_deg) >= 90.0) return 0.0;
  const double n = cover.refractive_index;
  const double kl = cover.extinction_per_m * cover.thickness_m;
  const double cos_incidence = std::cos(aoi_deg * std::numbers::pi / 180.0);
  const double sin_incidence = std::sqrt(1.0 - cos_incidence * cos_incidence);
  const double sin_refraction = sin_incidence / n;  // Snell
  const double cos_refraction = std::sqrt(1.0 - sin_refraction * sin_refraction);
  const double r_s = std::pow((cos_incidence - n * cos_refraction) / (cos_incidence + n * cos_refraction), 2);
  const double r_p = std::pow((cos_refraction - n * cos_incidence) / (cos_refraction + n * cos_incidence), 2);
  const double transmittance = std::exp(-kl / cos_refraction) * (1.0 - 0.5 * (r_s + r_p));
  const double r_normal = std::pow((n - 1.0) / (n + 1.0), 2);
  const double transmittance_normal = std::exp(-kl) * (1.0 - r_normal);
  return transmittance / transmittance_normal;
}

double sapm_module_temperature_c(double poa_global_w_m2, double temp_air_c, double wind_speed_m_s,
                                 const SapmTemperature& model) {
  // King, Boyson & Kratochvil (2004), "Photovoltaic Array Performance Model", SAND2004-3535, eq. 11.
  return poa_global_w_m2 * std::exp(model.a + model.b * wind_speed_m_s) + temp_air_c;
}

double sapm_cell_temperature_c(double poa_global_w_m2, double temp_air_c, double wind_speed_m_s,
                               const SapmTemperature& model, double irradiance_ref_w_m2) {
  // King et al. (2004), eq. 12.
  return sapm_module_temperature_c(poa_global_w_m2, temp_air_c, wind_speed_m_s, model) +
         poa_global_w_m2 / irradiance_ref_w_m2 * model.delta_t_c;
}

double faiman_temperature_c(double poa_global_w_m2, double temp_air_c, double wind_speed_m_s,
                            const FaimanTemperature& model) {
  // Faiman (2008), "Assessing the outdoor operating temperature of photovoltaic modules", Progress
  // in Photovoltaics 16(4).
  return temp_air_c + poa_global_w_m2 / (model.u0 + model.u1 * wind_speed_m_s);
}

double pvwatts_dc_w(double effective_irradiance_w_m2, double temp_cell_c, double pdc0_w,
                    double gamma_pdc_per_c, double temp_ref_c) {
  // Dobos (2014), "PVWatts Version 5 Manual", NREL/TP-6A20-62641, section on module power.
  return effective_irradiance_w_m2 / 1000.0 * pdc0_w * (1.0 + gamma_pdc_per_c * (temp_cell_c - temp_ref_c));
}

double pvwatts_losses_pct(const PvwattsLosses& losses) {
  // Dobos (2014), section on system losses: independent losses multiply.
  double remaining = 1.0;
  for (const double loss_pct : {losses.soiling_pct, losses.shading_pct, losses.snow_pct, losses.mismatch_pct,
                                losses.wiring_pct, losses.connections_pct, losses.lid_pct,
                                losses.nameplate_rating_pct, losses.age_pct, losses.availability_pct}) {
    remaining *= 1.0 - loss_pct / 100.0;
  }
  return 100.0 * (1.0 - remaining);
}

double pvwatts_ac_w(double pdc_w, double pdc0_w, double eta_inverter_nominal, double eta_inverter_reference) {
  // Dobos (2014), section on the inverter: part-load efficiency from the CEC curve of a typical
  // inverter, η = η_nom/η_ref·(−0.0162ζ − 0.0059/ζ + 0.9858) with ζ = Pdc/Pdc0, clipped at
  // Pac0 = η_nom·Pdc0. The curve turns negative below ζ ≈ 0.006, where the output is floored at 0.
  if (pdc_w == 0.0) return 0.0;
  const double load_fraction = pdc_w / pdc0_w;
  const double efficiency = eta_inverter_nominal / eta_inverter_reference *
                            (-0.0162 * load_fraction - 0.0059 / load_fraction + 0.9858);
  const double pac0_w = eta_inverter_nominal * pdc0_w;
  return floor_at(cap_at(efficiency * pdc_w, pac0_w), 0.0);
}

}  // namespace sandan
