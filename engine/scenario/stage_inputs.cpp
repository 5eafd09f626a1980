// The stages before any model runs: the site model, the inputs and their checks, the facility plan.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.hpp"
#include "energy/rooftop_pv.hpp"
#include "energy/solar_position.hpp"
#include "gis/reader.hpp"
#include "scenario/stages.hpp"

namespace sandan {

namespace {

[[noreturn]] void throw_misfit(const ScenarioSpec& spec, std::vector<std::string> problems) {
  throw ConfigError(spec.path + ": the scenario does not fit its layout", std::move(problems));
}

bool is_in(const std::vector<std::string>& ids, const std::string& id) {
  return ids.empty() || std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

std::shared_ptr<const SiteModel> load_site_model(const ScenarioSpec& spec) {
  auto model = std::make_shared<SiteModel>();
  model->site = load_site({spec.site});
  Site& site = model->site;
  std::vector<std::string> problems;
  if (spec.complexes.empty()) {
    for (std::size_t c = 0; c < site.complexes.size(); ++c) model->complexes.push_back(static_cast<int>(c));
  }
  for (const auto& id : spec.complexes) {
    auto it = std::find_if(site.complexes.begin(), site.complexes.end(),
                           [&](const Complex& c) { return c.complex_id == id; });
    if (it == site.complexes.end()) {
      std::string known;
      for (const auto& c : site.complexes) known += (known.empty() ? "" : ", ") + c.complex_id;
      problems.push_back(spec.path + ": complexes: '" + id + "' is not a complex of " + spec.site +
                         " (it has " + known + ")");
    } else {
      model->complexes.push_back(static_cast<int>(it - site.complexes.begin()));
    }
  }
  if (!problems.empty()) throw_misfit(spec, std::move(problems));
  std::vector<int> slot_of(site.complexes.size(), -1);
  for (std::size_t k = 0; k < model->complexes.size(); ++k) {
    slot_of[model->complexes[k]] = static_cast<int>(k);
    model->complex_ids.push_back(site.complexes[model->complexes[k]].complex_id);
  }
  for (const Facility& f : site.facilities) model->layout_facility_ids.push_back(f.facility_id);
  std::sort(model->layout_facility_ids.begin(), model->layout_facility_ids.end());
  std::erase_if(site.facilities, [&](const Facility& f) { return f.complex < 0 || slot_of[f.complex] < 0; });
  // Without facilities a run reports zeros everywhere, which reads like a result.
  if (site.facilities.empty()) {
    std::string which;
    for (const auto& id : model->complex_ids) which += (which.empty() ? "" : ", ") + id;
    throw_misfit(spec,
                 {spec.site + ": layer 'facilities' has no facility in the complexes simulated (" + which +
                  "): a run would report zeros; give a layout with facilities (docs/gis-schema.md), or "
                  "`complexes:` that have some"});
  }
  for (const Facility& f : site.facilities) model->facility_slot.push_back(slot_of[f.complex]);
  model->roads = build_road_graph(site);
  model->feeders = build_feeder_topology(site);
  model->attachments = attach_facilities(site, model->roads, model->feeders);
  return model;
}

RunInputs read_run_inputs(const ScenarioSpec& spec, std::shared_ptr<const SiteModel> model) {
  Calendar calendar = load_calendar(spec.year, spec.holidays);
  Weather weather = read_epw(spec.weather);
  if (static_cast<int>(weather.hours()) != calendar.hours()) {
    throw ConfigError(spec.weather + ": weather does not fit the year",
                      {spec.weather + ": has " + std::to_string(weather.hours()) + " hours but " +
                       std::to_string(spec.year) + " has " + std::to_string(calendar.hours()) +
                       "; use a weather file with " + (calendar.hours() == 8784 ? "" : "no ") +
                       "29 February, or another year"});
  }
  // Radiation where the sun cannot be is a sign of a file in another time zone or a shifted year.
  Observer observer;
  observer.lat_deg = weather.location.lat_deg;
  observer.lon_deg = weather.location.lon_deg;
  observer.elevation_m = weather.location.elevation_m;
  std::vector<double> zenith_deg(weather.hours());
  for (int h = 0; h < calendar.hours(); ++h) {
    const DateTime t = calendar.utc_midpoint(h);
    const CivilTime civil{t.date.year, t.date.month, t.date.day, t.hour, t.minute, 0.0, 0.0};
    zenith_deg[h] = solar_position(civil, spec.delta_t_s, observer).zenith_deg;
  }
  std::vector<std::string> night = night_radiation_problems(weather, zenith_deg);
  if (!night.empty()) {
    throw ConfigError(spec.weather +
                          ": radiation where the sun is below the horizon; check the file's time zone "
                          "and year",
                      std::move(night));
  }
  LoadLibrary library = read_load_library(spec.load_library);
  Tariff tariff = read_tariff(spec.tariff);
  RunInputs in{std::move(model),  std::move(calendar), std::move(weather), std::move(library),
               std::move(tariff), std::nullopt,        std::nullopt,       std::nullopt};
  if (!spec.prices.fuel.empty()) in.fuel_prices = read_fuel_prices(spec.prices.fuel);
  if (!spec.prices.pv_export.empty()) in.pv_export = read_pv_export(spec.prices.pv_export);
  if (!spec.calibration.empty()) {
    in.calibration = read_calibration(spec.calibration);
    // A facility of an unsimulated complex is simply not used; one the layout lacks is a mistake
    // (a calibration of another layout, or a facility renamed since).
    std::vector<std::string> unknown;
    auto check = [&](const std::string& id) {
      if (!std::binary_search(in.model->layout_facility_ids.begin(), in.model->layout_facility_ids.end(), id))
        unknown.push_back(spec.calibration + ": facility '" + id + "' is not in the layout " + spec.site +
                          "; calibrate against this layout (sandan calibrate --site " + spec.site + ")");
    };
    for (const auto& c : in.calibration->loads) check(c.facility_id);
    for (const auto& c : in.calibration->pv) check(c.facility_id);
    if (!unknown.empty()) throw ConfigError(spec.path + ": the calibration does not fit the layout", unknown);
  }
  return in;
}

void check_fit(const ScenarioSpec& spec, const SiteModel& model) {
  std::vector<std::string> problems;
  const Site& site = model.site;
  auto simulated = [&](const std::string& id) {
    return std::find(model.complex_ids.begin(), model.complex_ids.end(), id) != model.complex_ids.end();
  };
  auto check_complexes = [&](const std::vector<std::string>& ids, const std::string& where) {
    for (const auto& id : ids) {
      if (!simulated(id)) problems.push_back(where + "'" + id + "' is not a simulated complex");
    }
  };
  const std::string interventions = spec.path + ": interventions: ";
  for (const auto& pv : spec.rooftop_pv)
    check_complexes(pv.pv.complexes, interventions + "rooftop_pv: complexes: ");
  for (const auto& b : spec.batteries) {
    const std::string where = interventions + "battery: at: ";
    if (b.placement == BatteryPlacement::kComplex && !simulated(b.target_id)) {
      problems.push_back(where + "complex '" + b.target_id + "' is not a simulated complex");
    } else if (b.placement == BatteryPlacement::kFacility &&
               std::none_of(site.facilities.begin(), site.facilities.end(),
                            [&](const Facility& f) { return f.facility_id == b.target_id; })) {
      problems.push_back(where + "facility '" + b.target_id + "' is not in the simulated complexes");
    } else if (b.placement == BatteryPlacement::kSubstation &&
               std::none_of(site.substations.begin(), site.substations.end(),
                            [&](const Substation& s) { return s.substation_id == b.target_id; })) {
      problems.push_back(where + "substation '" + b.target_id + "' is not in the layout");
    }
    for (const auto& id : b.complexes) {
      if (!simulated(id)) problems.push_back(where + "facilities: complex '" + id + "' is not simulated");
    }
  }
  for (const auto& x : spec.efficiency)
    check_complexes(x.where.complexes, interventions + "efficiency: complexes: ");
  for (const auto& x : spec.fuel_switches)
    check_complexes(x.where.complexes, interventions + "fuel_switch: complexes: ");
  const std::string add_traffic = "; add traffic: {trip_rates: ../gis_data/traffic/trip_rates.yaml}";
  if (spec.logistics_hub) {
    check_complexes(spec.logistics_hub->complexes, interventions + "logistics_hub: complexes: ");
    if (!spec.traffic.enabled)
      problems.push_back(interventions + "logistics_hub needs the traffic model" + add_traffic);
    else if (spec.traffic.freight.empty())
      problems.push_back(interventions +
                         "logistics_hub consolidates freight tours; add traffic.freight: "
                         "../gis_data/traffic/freight_tours.yaml");
  }
  if (spec.ev_trucks && !spec.traffic.enabled) {
    problems.push_back(interventions + "ev_trucks needs the traffic model" + add_traffic);
  }
  if (!problems.empty()) throw_misfit(spec, std::move(problems));
}

namespace {

// PV: the last intervention covering a facility sizes it; each intervention has one orientation and
// so one profile per kWp.
void plan_pv(const ScenarioSpec& spec, const RunInputs& in, FacilityPlan& plan) {
  const SiteModel& m = *in.model;
  const std::size_t n_fac = m.site.facilities.size();
  for (std::size_t i = 0; i < spec.rooftop_pv.size(); ++i) {
    const auto& iv = spec.rooftop_pv[i];
    const std::vector<double> sized = size_rooftop_pv(m.site, iv.pv);
    for (std::size_t f = 0; f < n_fac; ++f) {
      if (!is_in(iv.pv.complexes, m.complex_ids[m.facility_slot[f]])) continue;
      plan.pv_kwp[f] = sized[f];
      plan.pv_intervention[f] = static_cast<int>(i);
      plan.export_limit_kw[f] = iv.export_limit_kw_per_kwp ? *iv.export_limit_kw_per_kwp * sized[f]
                                                           : std::numeric_limits<double>::infinity();
    }
    std::vector<float> profile = pv_ac_kw_per_kwp(in.weather, in.calendar, iv.pv);
    // The yield factor scales what every system delivers (soiling, degradation, model error).
    if (spec.pv_yield_factor != 1.0) {
      for (float& kw : profile) kw = static_cast<float>(kw * spec.pv_yield_factor);
    }
    plan.pv_profiles.push_back(std::move(profile));
  }
}

// Behind-the-meter batteries: at one facility, or at every PV facility sized per kWp.
void plan_batteries(const ScenarioSpec& spec, const SiteModel& m, FacilityPlan& plan) {
  for (const auto& b : spec.batteries) {
    for (std::size_t f = 0; f < m.site.facilities.size(); ++f) {
      if (b.placement == BatteryPlacement::kFacility && m.site.facilities[f].facility_id == b.target_id) {
        plan.battery[f] = b.battery;
        plan.has_battery[f] = 1;
      } else if (b.placement == BatteryPlacement::kFacilities && plan.pv_kwp[f] > 0.0 &&
                 is_in(b.complexes, m.complex_ids[m.facility_slot[f]])) {
        plan.battery[f] = b.battery;
        plan.battery[f].energy_kwh = b.battery.energy_kwh * plan.pv_kwp[f];
        plan.battery[f].power_kw = b.battery.power_kw * plan.pv_kwp[f];
        plan.has_battery[f] = 1;
      }
    }
  }
}

// Efficiency and fuel switching, per facility: electricity and fuel factors, and the share of the
// remaining fuel that heat pumps take over with the electricity they need a kWh of fuel.
void plan_efficiency(const ScenarioSpec& spec, const SiteModel& m, FacilityPlan& plan) {
  auto matches = [&](const FacilityFilter& where, std::size_t f) {
    const Facility& fac = m.site.facilities[f];
    const bool in_sector =
        where.sectors.empty() || std::any_of(where.sectors.begin(), where.sectors.end(),
                                             [&](const std::string& p) { return fac.ksic.rfind(p, 0) == 0; });
    return is_in(where.complexes, m.complex_ids[m.facility_slot[f]]) && in_sector;
  };
  for (std::size_t f = 0; f < m.site.facilities.size(); ++f) {
    for (const auto& x : spec.efficiency) {
      if (!matches(x.where, f)) continue;
      plan.elec_factor[f] *= static_cast<float>(1.0 - x.electricity_saving);
      plan.fuel_factor[f] *= static_cast<float>(1.0 - x.fuel_saving);
    }
    for (const auto& x : spec.fuel_switches) {
      if (!matches(x.where, f)) continue;
      // Later entries take their share of what earlier ones left.
      const float left = 1.0F - plan.switch_share[f];
      const float taken = left * static_cast<float>(x.share);
      plan.switch_kwh_per_fuel_kwh[f] = (plan.switch_kwh_per_fuel_kwh[f] * plan.switch_share[f] +
                                         taken * static_cast<float>(x.boiler_efficiency / x.cop)) /
                                        std::max(plan.switch_share[f] + taken, 1e-9F);
      plan.switch_share[f] += taken;
    }
  }
}

// Facilities supplied from a substation that holds a shared battery.
void plan_substations(const ScenarioSpec& spec, const SiteModel& m, FacilityPlan& plan) {
  const Site& site = m.site;
  for (const auto& b : spec.batteries) {
    if (b.placement != BatteryPlacement::kSubstation) continue;
    const auto s_it = std::find_if(site.substations.begin(), site.substations.end(),
                                   [&](const Substation& s) { return s.substation_id == b.target_id; });
    const int s_index = static_cast<int>(s_it - site.substations.begin());
    if (std::find(plan.slot_substation.begin(), plan.slot_substation.end(), s_index) ==
        plan.slot_substation.end()) {
      plan.slot_substation.push_back(s_index);
    }
  }
  if (plan.slot_substation.empty()) return;
  for (std::size_t f = 0; f < site.facilities.size(); ++f) {
    const int bus = m.attachments.bus[f];
    if (bus < 0) continue;
    const auto it =
        std::find(plan.slot_substation.begin(), plan.slot_substation.end(), m.feeders.substation[bus]);
    if (it != plan.slot_substation.end())
      plan.substation_slot[f] = static_cast<int>(it - plan.slot_substation.begin());
  }
}

}  // namespace

FacilityPlan plan_facilities(const ScenarioSpec& spec, const RunInputs& in) {
  const SiteModel& m = *in.model;
  const std::size_t n_fac = m.site.facilities.size();
  FacilityPlan plan;
  plan.pv_kwp.assign(n_fac, 0.0);
  plan.pv_intervention.assign(n_fac, -1);
  plan.export_limit_kw.assign(n_fac, std::numeric_limits<double>::infinity());
  plan.battery.assign(n_fac, BatterySpec{});
  plan.has_battery.assign(n_fac, 0);
  // Load growth scales demand before the interventions act on it.
  plan.elec_factor.assign(n_fac, static_cast<float>(spec.load_growth));
  plan.fuel_factor.assign(n_fac, static_cast<float>(spec.load_growth));
  plan.switch_share.assign(n_fac, 0.0F);
  plan.switch_kwh_per_fuel_kwh.assign(n_fac, 0.0F);
  plan.substation_slot.assign(n_fac, -1);
  plan.pv_yield.assign(n_fac, 1.0F);
  if (in.calibration) {
    // A facility whose PV inverter was metered: its systems deliver what the meter showed against the
    // model (on top of the scenario's pv_yield_factor, which acts on every system).
    std::map<std::string, double> factor;
    for (const auto& c : in.calibration->pv) factor[c.facility_id] = c.yield_factor;
    for (std::size_t f = 0; f < n_fac; ++f) {
      const auto it = factor.find(m.site.facilities[f].facility_id);
      if (it != factor.end()) plan.pv_yield[f] = static_cast<float>(it->second);
    }
  }
  plan_pv(spec, in, plan);
  plan_batteries(spec, m, plan);
  plan_efficiency(spec, m, plan);
  plan_substations(spec, m, plan);
  // The reactive power of each facility's load: its sector's power factor, else the scenario's.
  plan.tan_phi.assign(n_fac, 0.0F);
  for (std::size_t f = 0; f < n_fac; ++f) {
    const auto it = in.library.sectors.find(m.site.facilities[f].ksic);
    const double sector_pf = it == in.library.sectors.end() ? 0.0 : it->second.power_factor;
    plan.tan_phi[f] =
        static_cast<float>(std::tan(std::acos(sector_pf > 0.0 ? sector_pf : spec.grid.power_factor)));
  }
  return plan;
}

std::vector<float> BufferPool::take(std::size_t size) {
  std::vector<float> buffer;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    // The smallest spare buffer that is large enough.
    auto best = spare_.end();
    for (auto it = spare_.begin(); it != spare_.end(); ++it) {
      if (it->capacity() >= size && (best == spare_.end() || it->capacity() < best->capacity())) best = it;
    }
    if (best != spare_.end()) {
      buffer = std::move(*best);
      spare_.erase(best);
    }
  }
  buffer.assign(size, 0.0F);
  return buffer;
}

void BufferPool::give(std::vector<float>&& buffer) {
  // Small buffers are not worth keeping: the allocator serves them from memory already mapped.
  constexpr std::size_t kMinKept = std::size_t{1} << 16;
  if (buffer.capacity() < kMinKept) return;
  buffer.clear();
  const std::lock_guard<std::mutex> lock(mutex_);
  spare_.push_back(std::move(buffer));
}

void BufferPool::recycle(RunResult& run) {
  EnergyResults& e = run.energy;
  for (auto* v :
       {&e.load_kw, &e.pv_kw, &e.curtailed_kw, &e.battery_kw, &e.battery_soc, &e.import_kw, &e.export_kw,
        &e.fuel_kw, &e.complex_load_kw, &e.complex_pv_kw, &e.complex_curtailed_kw, &e.complex_battery_kw,
        &e.complex_import_kw, &e.complex_export_kw, &run.grid.bus_vm_pu, &run.grid.branch_loading}) {
    give(std::move(*v));
    *v = {};
  }
}

}  // namespace sandan
