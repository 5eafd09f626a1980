#include "scenario/runner.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "energy/battery.hpp"
#include "energy/loads.hpp"
#include "energy/rooftop_pv.hpp"
#include "energy/solar_position.hpp"
#include "energy/tariff.hpp"
#include "energy/weather.hpp"
#include "gis/reader.hpp"
#include "gis/topology.hpp"

namespace sandan {
namespace {

// Everything a run reads, checked before any model runs.
struct Inputs {
  Site site;                   // only the facilities of the simulated complexes
  std::vector<int> complexes;  // indices into site.complexes that are simulated
  Calendar calendar;
  Weather weather;
  LoadLibrary library;
  Tariff tariff;
};

Inputs load_inputs(const ScenarioSpec& spec) {
  std::vector<std::string> problems;
  Site site = load_site({spec.site});
  std::vector<int> complexes;
  if (spec.complexes.empty()) {
    for (std::size_t c = 0; c < site.complexes.size(); ++c) complexes.push_back(static_cast<int>(c));
  } else {
    for (const auto& id : spec.complexes) {
      auto it = std::find_if(site.complexes.begin(), site.complexes.end(),
                             [&](const Complex& c) { return c.complex_id == id; });
      if (it == site.complexes.end()) {
        std::string known;
        for (const auto& c : site.complexes) known += (known.empty() ? "" : ", ") + c.complex_id;
        problems.push_back(spec.path + ": complexes: '" + id + "' is not a complex of " + spec.site +
                           " (it has " + known + ")");
      } else {
        complexes.push_back(static_cast<int>(it - site.complexes.begin()));
      }
    }
  }
  std::vector<char> simulated(site.complexes.size(), 0);
  for (const int c : complexes) simulated[c] = 1;
  std::erase_if(site.facilities, [&](const Facility& f) { return f.complex < 0 || !simulated[f.complex]; });

  auto complex_known = [&](const std::string& id) {
    return std::any_of(complexes.begin(), complexes.end(),
                       [&](int c) { return site.complexes[c].complex_id == id; });
  };
  for (std::size_t i = 0; i < spec.rooftop_pv.size(); ++i) {
    for (const auto& id : spec.rooftop_pv[i].pv.complexes) {
      if (!complex_known(id)) {
        problems.push_back(spec.path + ": interventions: rooftop_pv: complexes: '" + id +
                           "' is not a simulated complex");
      }
    }
  }
  for (const auto& b : spec.batteries) {
    const std::string where = spec.path + ": interventions: battery: at: ";
    if (b.placement == BatteryPlacement::kComplex && !complex_known(b.target_id)) {
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
      if (!complex_known(id)) problems.push_back(where + "facilities: complex '" + id + "' is not simulated");
    }
  }
  if (!problems.empty()) {
    const std::string headline = spec.path + ": the scenario does not fit its layout";
    throw ConfigError(headline, std::move(problems));
  }

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
  return {std::move(site),    std::move(complexes), std::move(calendar),
          std::move(weather), std::move(library),   std::move(tariff)};
}

double kwh(const std::vector<float>& series, std::size_t offset, int hours) {
  double total = 0.0;
  for (int h = 0; h < hours; ++h) total += series[offset + static_cast<std::size_t>(h)];
  return total;
}

}  // namespace

RunResult run_scenario(const ScenarioSpec& spec, const RunOptions& options) {
  auto progress = [&](const std::string& stage, double done) {
    if (options.progress) options.progress(stage, done);
  };
  // Read by the OpenMP pragmas' num_threads clauses, which the analyzer does not see.
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores)
  const int threads = options.threads > 0 ? options.threads : omp_get_num_procs();
  progress("reading inputs", 0.0);
  Inputs in = load_inputs(spec);
  const Site& site = in.site;
  const int hours = in.calendar.hours();
  const auto n_fac = site.facilities.size();
  const auto hours_z = static_cast<std::size_t>(hours);

  RunResult run;
  run.scenario_name = spec.name;
  run.run_id = spec.name;
  run.scenario_yaml = spec.resolved_yaml;
  run.seed = spec.seed;
  EnergyResults& e = run.energy;
  e.year = spec.year;
  e.hours = hours;

  progress("facility loads", 0.1);
  const LoadModel load_model(site, in.calendar, in.weather.dry_bulb_c, in.library, spec.seed);

  // PV: the last intervention covering a facility sizes it; each intervention has one orientation
  // and so one profile per kWp.
  progress("rooftop PV", 0.15);
  std::vector<double> kwp(n_fac, 0.0);
  std::vector<int> pv_of(n_fac, -1);
  std::vector<std::vector<float>> profiles;
  for (std::size_t i = 0; i < spec.rooftop_pv.size(); ++i) {
    const auto& iv = spec.rooftop_pv[i];
    const std::vector<double> sized = size_rooftop_pv(site, iv.pv);
    for (std::size_t f = 0; f < n_fac; ++f) {
      const auto& cx = site.complexes[site.facilities[f].complex].complex_id;
      const bool covered =
          iv.pv.complexes.empty() ||
          std::find(iv.pv.complexes.begin(), iv.pv.complexes.end(), cx) != iv.pv.complexes.end();
      if (covered) {
        kwp[f] = sized[f];
        pv_of[f] = static_cast<int>(i);
      }
    }
    profiles.push_back(pv_ac_kw_per_kwp(in.weather, in.calendar, iv.pv));
  }

  // Facility batteries.
  std::vector<BatterySpec> battery_of(n_fac);
  std::vector<char> has_battery(n_fac, 0);
  for (const auto& b : spec.batteries) {
    for (std::size_t f = 0; f < n_fac; ++f) {
      const Facility& fac = site.facilities[f];
      if (b.placement == BatteryPlacement::kFacility && fac.facility_id == b.target_id) {
        battery_of[f] = b.battery;
        has_battery[f] = 1;
      } else if (b.placement == BatteryPlacement::kFacilities && kwp[f] > 0.0) {
        const auto& cx = site.complexes[fac.complex].complex_id;
        if (b.complexes.empty() ||
            std::find(b.complexes.begin(), b.complexes.end(), cx) != b.complexes.end()) {
          battery_of[f] = b.battery;
          battery_of[f].energy_kwh = b.battery.energy_kwh * kwp[f];
          battery_of[f].power_kw = b.battery.power_kw * kwp[f];
          has_battery[f] = 1;
        }
      }
    }
  }
  const TouPeriods tou = tou_periods(in.tariff, in.calendar);
  const std::vector<double> rates_krw_per_kwh = hourly_energy_rates(in.tariff, in.calendar);

  e.bill_krw.assign(n_fac, 0.0);
  e.pv_capacity_kwp = kwp;
  std::vector<double> annual_fuel_mwh(n_fac, 0.0);
  for (const auto& f : site.facilities) {
    e.facility_ids.push_back(f.facility_id);
    e.facility_complex.push_back(site.complexes[f.complex].complex_id);
  }
  const std::size_t n_cx = in.complexes.size();
  std::unordered_map<int, std::size_t> slot_of_complex;
  for (std::size_t k = 0; k < n_cx; ++k) {
    slot_of_complex[in.complexes[k]] = k;
    e.complex_ids.push_back(site.complexes[in.complexes[k]].complex_id);
  }
  for (auto* v : {&e.complex_load_kw, &e.complex_pv_kw, &e.complex_curtailed_kw, &e.complex_battery_kw,
                  &e.complex_import_kw, &e.complex_export_kw}) {
    v->assign(n_cx * hours_z, 0.0F);
  }
  std::vector<std::size_t> slot(n_fac);
  for (std::size_t f = 0; f < n_fac; ++f) slot[f] = slot_of_complex.at(site.facilities[f].complex);
  std::vector<float> complex_net(n_cx * hours_z, 0.0F);  // import − export of the facilities

  // Facilities supplied from a substation that holds a shared battery: their net exchange is summed
  // per substation as the blocks go by.
  std::vector<int> substation_slot(n_fac, -1);
  std::vector<int> slot_substation;  // substation index of each slot
  for (const auto& b : spec.batteries) {
    if (b.placement != BatteryPlacement::kSubstation) continue;
    const auto s_it = std::find_if(site.substations.begin(), site.substations.end(),
                                   [&](const Substation& s) { return s.substation_id == b.target_id; });
    const int s_index = static_cast<int>(s_it - site.substations.begin());
    if (std::find(slot_substation.begin(), slot_substation.end(), s_index) == slot_substation.end()) {
      slot_substation.push_back(s_index);
    }
  }
  if (!slot_substation.empty()) {
    const FeederTopology feeders = build_feeder_topology(site);
    const Attachments attach = attach_facilities(site, build_road_graph(site), feeders);
    for (std::size_t f = 0; f < n_fac; ++f) {
      const int bus = attach.bus[f];
      if (bus < 0) continue;
      const auto it = std::find(slot_substation.begin(), slot_substation.end(), feeders.substation[bus]);
      if (it != slot_substation.end()) substation_slot[f] = static_cast<int>(it - slot_substation.begin());
    }
  }
  std::vector<float> substation_net(slot_substation.size() * hours_z, 0.0F);

  // Facilities are worked through in blocks: all at once when their series are kept, else a few
  // thousand at a time so that memory stays bounded whatever the layout's size.
  constexpr std::size_t kBlockFacilities = 4096;
  const std::size_t block = options.facility_hourly ? std::max<std::size_t>(n_fac, 1) : kBlockFacilities;
  std::vector<float>* series[] = {&e.load_kw,    &e.fuel_kw,     &e.pv_kw,     &e.curtailed_kw,
                                  &e.battery_kw, &e.battery_soc, &e.import_kw, &e.export_kw};
  for (auto* v : series) v->assign(std::min(block, n_fac) * hours_z, 0.0F);

  for (std::size_t start = 0; start < n_fac; start += block) {
    const std::size_t count = std::min(block, n_fac - start);
    progress("facility balance", 0.2 + 0.5 * static_cast<double>(start) / static_cast<double>(n_fac));
    if (start > 0) {
      for (auto* v : series) std::fill(v->begin(), v->end(), 0.0F);
    }
    // Each facility is independent: its series are disjoint slices, so threads never share a write.
#pragma omp parallel for schedule(dynamic, 16) num_threads(threads)
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t f = start + i;
      const std::size_t o = i * hours_z;
      float* load = &e.load_kw[o];
      annual_fuel_mwh[f] = load_model.facility(f, load, &e.fuel_kw[o]).fuel_mwh;
      float* pv = &e.pv_kw[o];
      if (pv_of[f] >= 0 && kwp[f] > 0.0) {
        const auto& profile = profiles[static_cast<std::size_t>(pv_of[f])];
        for (int h = 0; h < hours; ++h) pv[h] = static_cast<float>(kwp[f] * profile[h]);
      }
      float* battery = &e.battery_kw[o];
      if (has_battery[f]) {
        std::vector<float> net(hours_z);
        for (int h = 0; h < hours; ++h) net[h] = load[h] - pv[h];
        const BatteryOperation op = operate_battery(battery_of[f], net, in.calendar, tou);
        std::copy(op.battery_kw.begin(), op.battery_kw.end(), battery);
        std::copy(op.soc.begin(), op.soc.end(), &e.battery_soc[o]);
      }
      const double limit_kw = pv_of[f] >= 0 && spec.rooftop_pv[pv_of[f]].export_limit_kw_per_kwp
                                  ? *spec.rooftop_pv[pv_of[f]].export_limit_kw_per_kwp * kwp[f]
                                  : std::numeric_limits<double>::infinity();
      for (int h = 0; h < hours; ++h) {
        const float residual = load[h] - pv[h] - battery[h];
        if (residual >= 0.0F) {
          e.import_kw[o + h] = residual;
        } else {
          const float surplus = -residual;
          const float exported = static_cast<float>(std::min<double>(surplus, limit_kw));
          e.export_kw[o + h] = exported;
          e.curtailed_kw[o + h] = surplus - exported;
        }
      }
      const auto bills =
          monthly_bills(in.tariff, in.calendar, std::span<const float>(&e.import_kw[o], hours_z));
      double total = 0.0;
      for (const auto& b : bills) total += b.total_krw;
      e.bill_krw[f] = total;
    }
    // Complexes: sums over the block's facilities in facility order, parallel over chunks of hours,
    // so the result does not depend on the thread count; within a chunk each facility's hours are
    // contiguous in memory.
    constexpr int kHoursPerChunk = 256;
    const int chunks = (hours + kHoursPerChunk - 1) / kHoursPerChunk;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int chunk = 0; chunk < chunks; ++chunk) {
      const std::size_t h0 = static_cast<std::size_t>(chunk) * kHoursPerChunk;
      const auto h1 = std::min(h0 + kHoursPerChunk, hours_z);
      for (std::size_t i = 0; i < count; ++i) {
        const std::size_t o = i * hours_z;
        const std::size_t c = slot[start + i] * hours_z;
        const int sub = substation_slot[start + i];
        for (std::size_t h = h0; h < h1; ++h) {
          e.complex_load_kw[c + h] += e.load_kw[o + h];
          e.complex_pv_kw[c + h] += e.pv_kw[o + h];
          e.complex_curtailed_kw[c + h] += e.curtailed_kw[o + h];
          e.complex_battery_kw[c + h] += e.battery_kw[o + h];
          const float net = e.import_kw[o + h] - e.export_kw[o + h];
          complex_net[c + h] += net;
          if (sub >= 0) substation_net[static_cast<std::size_t>(sub) * hours_z + h] += net;
        }
      }
    }
  }
  progress("shared batteries", 0.7);

  // Shared batteries act on the net exchange of their complex or substation, one after another.
  for (std::size_t i = 0; i < spec.batteries.size(); ++i) {
    const auto& b = spec.batteries[i];
    if (b.placement != BatteryPlacement::kComplex && b.placement != BatteryPlacement::kSubstation) continue;
    std::vector<float> net(hours_z, 0.0F);
    std::size_t owner = 0;
    if (b.placement == BatteryPlacement::kComplex) {
      for (std::size_t k = 0; k < n_cx; ++k) {
        if (e.complex_ids[k] == b.target_id) owner = k;
      }
      std::copy(&complex_net[owner * hours_z], &complex_net[owner * hours_z] + hours, net.begin());
    } else {
      const auto s_it = std::find_if(site.substations.begin(), site.substations.end(),
                                     [&](const Substation& s) { return s.substation_id == b.target_id; });
      const int s_index = static_cast<int>(s_it - site.substations.begin());
      const auto sub_slot = static_cast<std::size_t>(
          std::find(slot_substation.begin(), slot_substation.end(), s_index) - slot_substation.begin());
      std::copy(&substation_net[sub_slot * hours_z], &substation_net[sub_slot * hours_z] + hours,
                net.begin());
      // The battery counts in the complex most of the substation's facilities belong to.
      std::vector<std::size_t> members(n_cx, 0);
      for (std::size_t f = 0; f < n_fac; ++f) {
        if (substation_slot[f] == static_cast<int>(sub_slot)) ++members[slot[f]];
      }
      owner = static_cast<std::size_t>(std::max_element(members.begin(), members.end()) - members.begin());
    }
    const BatteryOperation op = operate_battery(b.battery, net, in.calendar, tou);
    e.battery_ids.push_back(b.placement == BatteryPlacement::kComplex ? "complex:" + b.target_id
                                                                      : "substation:" + b.target_id);
    e.battery_complex.push_back(e.complex_ids[owner]);
    e.shared_battery_kw.insert(e.shared_battery_kw.end(), op.battery_kw.begin(), op.battery_kw.end());
    e.shared_battery_soc.insert(e.shared_battery_soc.end(), op.soc.begin(), op.soc.end());
    for (int h = 0; h < hours; ++h) {
      e.complex_battery_kw[owner * hours_z + h] += op.battery_kw[h];
      complex_net[owner * hours_z + h] -= op.battery_kw[h];
    }
  }
  for (std::size_t c = 0; c < n_cx * hours_z; ++c) {
    e.complex_import_kw[c] = std::max(complex_net[c], 0.0F);
    e.complex_export_kw[c] = std::max(-complex_net[c], 0.0F);
  }

  // KPIs per complex and for all together.
  progress("indicators", 0.9);
  auto add = [&](const std::string& key, const std::string& cx, double value, const std::string& unit) {
    run.kpis.push_back({key, cx, value, unit});
  };
  std::vector<double> cx_kwp(n_cx, 0.0), cx_bill(n_cx, 0.0), cx_fuel(n_cx, 0.0);
  std::vector<int> cx_facilities(n_cx, 0);
  for (std::size_t f = 0; f < n_fac; ++f) {
    cx_kwp[slot[f]] += kwp[f];
    cx_bill[slot[f]] += e.bill_krw[f];
    cx_fuel[slot[f]] += annual_fuel_mwh[f];
    ++cx_facilities[slot[f]];
  }
  struct Totals {
    double load = 0, pv = 0, curtailed = 0, import = 0, export_ = 0, fuel = 0, kwp = 0, bill = 0, peak = 0;
    int facilities = 0;
  };
  Totals all;
  std::vector<float> all_import(hours_z, 0.0F);
  for (std::size_t k = 0; k < n_cx; ++k) {
    Totals t;
    const std::size_t o = k * hours_z;
    t.load = kwh(e.complex_load_kw, o, hours) / 1e3;
    t.pv = kwh(e.complex_pv_kw, o, hours) / 1e3;
    t.curtailed = kwh(e.complex_curtailed_kw, o, hours) / 1e3;
    t.import = kwh(e.complex_import_kw, o, hours) / 1e3;
    t.export_ = kwh(e.complex_export_kw, o, hours) / 1e3;
    t.peak = *std::max_element(&e.complex_import_kw[o], &e.complex_import_kw[o] + hours);
    t.fuel = cx_fuel[k];
    t.kwp = cx_kwp[k];
    t.bill = cx_bill[k];
    t.facilities = cx_facilities[k];
    for (int h = 0; h < hours; ++h) all_import[h] += e.complex_import_kw[o + h];
    all.load += t.load;
    all.pv += t.pv;
    all.curtailed += t.curtailed;
    all.import += t.import;
    all.export_ += t.export_;
    all.fuel += t.fuel;
    all.kwp += t.kwp;
    all.bill += t.bill;
    all.facilities += t.facilities;
    const std::string& cx = e.complex_ids[k];
    auto emit = [&](const Totals& x, const std::string& id) {
      add("facilities", id, x.facilities, "count");
      add("annual_load_mwh", id, x.load, "MWh");
      add("annual_fuel_mwh", id, x.fuel, "MWh");
      add("pv_capacity_kwp", id, x.kwp, "kWp");
      add("annual_pv_mwh", id, x.pv, "MWh");
      add("pv_yield_kwh_per_kwp", id, x.kwp > 0 ? x.pv * 1e3 / x.kwp : 0.0, "kWh/kWp");
      add("curtailed_mwh", id, x.curtailed, "MWh");
      add("annual_import_mwh", id, x.import, "MWh");
      add("annual_export_mwh", id, x.export_, "MWh");
      add("peak_import_kw", id, x.peak, "kW");
      add("self_sufficiency", id, x.load > 0 ? 1.0 - x.import / x.load : 0.0, "share");
      add("bill_krw", id, x.bill, "KRW");
    };
    emit(t, cx);
    if (k + 1 == n_cx) {
      all.peak = *std::max_element(all_import.begin(), all_import.end());
      emit(all, "all");
    }
  }
  if (!options.facility_hourly) {
    for (auto* v : {&e.load_kw, &e.fuel_kw, &e.pv_kw, &e.curtailed_kw, &e.battery_kw, &e.battery_soc,
                    &e.import_kw, &e.export_kw}) {
      v->clear();
      v->shrink_to_fit();
    }
  }
  progress("done", 1.0);
  return run;
}

}  // namespace sandan
