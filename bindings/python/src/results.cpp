// A run's results as Python objects: the KPIs as a list (and a pandas DataFrame), every hourly series
// as a read-only NumPy array that shares the run's memory (a year of a facility's load is not copied).
#include <pybind11/stl.h>
#include <nlohmann/json.hpp>

#include "bindings.hpp"
#include "sandan.hpp"

namespace sandan::python {

namespace {

using Self = py::object;

// The hours of the year as numpy datetime64[h], local time KST, like the results file's `time`.
py::object hour_axis(int year, int hours) {
  py::module_ np = py::module_::import("numpy");
  const py::object start = np.attr("datetime64")(std::to_string(year) + "-01-01T00", "h");
  return start + np.attr("arange")(hours).attr("astype")("timedelta64[h]");
}

py::ssize_t n(std::size_t size) { return static_cast<py::ssize_t>(size); }

void bind_energy(py::module_& m) {
  using E = EnergyResults;
  py::class_<E> c(m, "EnergyResults",
                  "Energy flows of every facility and complex, hour by hour, for one run.\n\n"
                  "Hourly series are float32 arrays [entity, hour] of hour means in kW (battery_soc: "
                  "share 0..1); every hour load = (pv - curtailed) + battery + import - export, "
                  "battery > 0 when discharging. Facility series are None when the scenario had "
                  "`facility_series: false`. Arrays are read-only views of the run's memory.");
  c.def_readonly("year", &E::year)
      .def_readonly("hours", &E::hours)
      .def_property_readonly(
          "time", [](const E& e) { return hour_axis(e.year, e.hours); },
          "The hours as numpy datetime64[h], local time KST; each stands for [t, t + 1 h).")
      .def_readonly("facility_ids", &E::facility_ids)
      .def_readonly("facility_complex", &E::facility_complex, "Complex id of each facility.")
      .def_property_readonly(
          "pv_capacity_kwp", [](const E& e) { return copy_array(e.pv_capacity_kwp); },
          "[facility], kWp (DC).")
      .def_property_readonly(
          "bill_krw", [](const E& e) { return copy_array(e.bill_krw); },
          "[facility], the year's electricity bill, KRW.")
      .def_readonly("complex_ids", &E::complex_ids)
      .def_readonly("battery_ids", &E::battery_ids, "Shared batteries (at a complex or substation).")
      .def_readonly("battery_complex", &E::battery_complex);
  // An [entity × hour] series whose entities are listed in `ids`.
  const auto series = [&c](const char* name, std::vector<float> E::*member, std::vector<std::string> E::*ids,
                           const char* doc) {
    c.def_property_readonly(
        name,
        [member, ids](const Self& self) {
          const E& e = self.cast<const E&>();
          return view(e.*member, {n((e.*ids).size()), e.hours}, self);
        },
        doc);
  };
  const auto facility = &E::facility_ids;
  series("load_kw", &E::load_kw, facility, "[facility, hour] float32, kW: electricity demand.");
  series("pv_kw", &E::pv_kw, facility, "[facility, hour] float32, kW: PV output (AC).");
  series("curtailed_kw", &E::curtailed_kw, facility, "[facility, hour] float32, kW: PV curtailed.");
  series("battery_kw", &E::battery_kw, facility, "[facility, hour] float32, kW: > 0 discharging.");
  series("battery_soc", &E::battery_soc, facility, "[facility, hour] float32, share 0..1.");
  series("import_kw", &E::import_kw, facility, "[facility, hour] float32, kW from the grid.");
  series("export_kw", &E::export_kw, facility, "[facility, hour] float32, kW to the grid.");
  series("fuel_kw", &E::fuel_kw, facility, "[facility, hour] float32, kW of fuel burned (process heat).");
  const auto complex = &E::complex_ids;
  series("complex_load_kw", &E::complex_load_kw, complex, "[complex, hour] float32, kW.");
  series("complex_pv_kw", &E::complex_pv_kw, complex, "[complex, hour] float32, kW.");
  series("complex_curtailed_kw", &E::complex_curtailed_kw, complex, "[complex, hour] float32, kW.");
  series("complex_battery_kw", &E::complex_battery_kw, complex,
         "[complex, hour] float32, kW: its facilities' and shared batteries.");
  series("complex_import_kw", &E::complex_import_kw, complex,
         "[complex, hour] float32, kW at the complex's grid connection.");
  series("complex_export_kw", &E::complex_export_kw, complex, "[complex, hour] float32, kW.");
  series("shared_battery_kw", &E::shared_battery_kw, &E::battery_ids,
         "[battery, hour] float32, kW (None without shared batteries).");
  series("shared_battery_soc", &E::shared_battery_soc, &E::battery_ids,
         "[battery, hour] float32, share 0..1.");
}

void bind_grid(py::module_& m) {
  using G = GridResults;
  py::class_<G>(m, "GridResults",
                "The 22.9 kV networks of one run, hour by hour: bus voltages, branch loadings and a "
                "violation summary per feeder.")
      .def_readonly("year", &G::year)
      .def_readonly("hours", &G::hours)
      .def_property_readonly("time", [](const G& g) { return hour_axis(g.year, g.hours); })
      .def_readonly("bus_ids", &G::bus_ids)
      .def_readonly("branch_ids", &G::branch_ids)
      .def_readonly("branch_feeder", &G::branch_feeder, "Feeder id of each branch ('' for a transformer).")
      .def_property_readonly(
          "bus_vm_pu",
          [](const Self& self) {
            const G& g = self.cast<const G&>();
            return view(g.bus_vm_pu, {n(g.bus_ids.size()), g.hours}, self);
          },
          "[bus, hour] float32, voltage magnitude p.u. (NaN in an hour that did not converge).")
      .def_property_readonly(
          "branch_loading",
          [](const Self& self) {
            const G& g = self.cast<const G&>();
            return view(g.branch_loading, {n(g.branch_ids.size()), g.hours}, self);
          },
          "[branch, hour] float32, share of the rating.")
      .def_readonly("feeder_ids", &G::feeder_ids)
      .def_readonly("feeder_complex", &G::feeder_complex)
      .def_property_readonly("undervoltage_hours",
                             [](const G& g) { return copy_array(g.undervoltage_hours); })
      .def_property_readonly("overvoltage_hours", [](const G& g) { return copy_array(g.overvoltage_hours); })
      .def_property_readonly("overload_hours", [](const G& g) { return copy_array(g.overload_hours); })
      .def_property_readonly("min_vm_pu", [](const G& g) { return copy_array(g.min_vm_pu); })
      .def_property_readonly("max_vm_pu", [](const G& g) { return copy_array(g.max_vm_pu); })
      .def_property_readonly("max_loading", [](const G& g) { return copy_array(g.max_loading); })
      .def_property_readonly(
          "hosting_capacity_kwp", [](const G& g) { return copy_array(g.hosting_capacity_kwp); },
          "[feeder], kWp (NaN unless the scenario asked for it).")
      .def_readonly("nonconverged_hours", &G::nonconverged_hours)
      .def_readonly("loss_mwh", &G::loss_mwh);
}

void bind_traffic(py::module_& m) {
  using T = TrafficResults;
  py::class_<T>(m, "TrafficResults",
                "Road traffic of one run: an equilibrium assignment for each hour of a workday, a "
                "Saturday and a rest day, on the road graph's directed links.")
      .def_readonly("year", &T::year)
      .def_readonly("day_types", &T::day_types, "workday, saturday, rest_day.")
      .def_readonly("days_in_year", &T::days_in_year)
      .def_readonly("classes", &T::classes, "car, light_truck, heavy_truck.")
      .def_property_readonly("pce", [](const T& t) { return copy_array(t.pce); })
      .def_readonly("link_road_id", &T::link_road_id)
      .def_readonly("link_complex", &T::link_complex, "Complex covering each link's midpoint, '' outside.")
      .def_property_readonly("link_from_x", [](const T& t) { return copy_array(t.link_from_x); })
      .def_property_readonly("link_from_y", [](const T& t) { return copy_array(t.link_from_y); })
      .def_property_readonly("link_to_x", [](const T& t) { return copy_array(t.link_to_x); })
      .def_property_readonly("link_to_y", [](const T& t) { return copy_array(t.link_to_y); })
      .def_property_readonly("link_length_km", [](const T& t) { return copy_array(t.link_length_km); })
      .def_property_readonly("link_capacity_pce_h",
                             [](const T& t) { return copy_array(t.link_capacity_pce_h); })
      .def_property_readonly("link_free_speed_kmh",
                             [](const T& t) { return copy_array(t.link_free_speed_kmh); })
      .def_property_readonly(
          "link_flow_veh_h",
          [](const Self& self) {
            const T& t = self.cast<const T&>();
            return view(t.link_flow_veh_h,
                        {n(t.day_types.size()), 24, n(t.link_road_id.size()), n(t.classes.size())}, self);
          },
          "[day_type, hour, link, class] float32, vehicles/h.")
      .def_property_readonly(
          "link_speed_kmh",
          [](const Self& self) {
            const T& t = self.cast<const T&>();
            return view(t.link_speed_kmh, {n(t.day_types.size()), 24, n(t.link_road_id.size())}, self);
          },
          "[day_type, hour, link] float32, km/h.")
      .def_property_readonly(
          "link_time_min",
          [](const Self& self) {
            const T& t = self.cast<const T&>();
            return view(t.link_time_min, {n(t.day_types.size()), 24, n(t.link_road_id.size())}, self);
          },
          "[day_type, hour, link] float32, min.")
      .def_property_readonly(
          "relative_gap",
          [](const Self& self) {
            const T& t = self.cast<const T&>();
            return view(t.relative_gap, {n(t.day_types.size()), 24}, self);
          },
          "[day_type, hour] float32: the relative gap each hour's assignment reached.")
      .def_property_readonly(
          "iterations",
          [](const Self& self) {
            const T& t = self.cast<const T&>();
            return view(t.iterations, {n(t.day_types.size()), 24}, self);
          },
          "[day_type, hour] int32.")
      .def_property_readonly(
          "daily_trips",
          [](const Self& self) {
            const T& t = self.cast<const T&>();
            return view(t.daily_trips, {n(t.day_types.size()), n(t.classes.size())}, self);
          },
          "[day_type, class], vehicles a day.")
      .def_readonly("area_ids", &T::area_ids, "The simulated complexes, then 'outside'.")
      .def_property_readonly(
          "vkt_km",
          [](const Self& self) {
            const T& t = self.cast<const T&>();
            return view(t.vkt_km, {n(t.area_ids.size()), n(t.classes.size())}, self);
          },
          "[area, class], vehicle-km a year on the area's links.")
      .def_property_readonly(
          "vht_h",
          [](const Self& self) {
            const T& t = self.cast<const T&>();
            return view(t.vht_h, {n(t.area_ids.size()), n(t.classes.size())}, self);
          },
          "[area, class], vehicle-hours a year.")
      .def_property_readonly("electric_share", [](const T& t) { return copy_array(t.electric_share); })
      .def_readonly("seconds", &T::seconds, "Wall time of the 72 assignments, s.");
}

void bind_emissions(py::module_& m) {
  using X = EmissionsResults;
  py::class_<X>(m, "EmissionsResults",
                "The year's greenhouse-gas emissions of one run, tCO2eq by area and source.")
      .def_readonly("factors", &X::factors, "The emission factors file.")
      .def_readonly("grid_t_per_mwh", &X::grid_t_per_mwh, "The grid factor used (annual mean), tCO2eq/MWh.")
      .def_readonly("areas", &X::areas, "The simulated complexes, then 'outside'.")
      .def_readonly("sources", &X::sources)
      .def_readonly("source_scope", &X::source_scope, "scope1, scope2 or transport of each source.")
      .def_property_readonly(
          "tco2e",
          [](const Self& self) {
            const X& x = self.cast<const X&>();
            return view(x.tco2e, {n(x.areas.size()), n(x.sources.size())}, self);
          },
          "[area, source] float64, tCO2eq.");
}

// A group is None when the scenario did not run its model.
template <typename G>
py::object group(const py::object& run, const G RunResult::*member) {
  const RunResult& r = run.cast<const RunResult&>();
  if (!(r.*member).enabled) return py::none();
  return py::cast(&(r.*member), py::return_value_policy::reference_internal, run);
}

}  // namespace

void bind_results(py::module_& m) {
  py::class_<Kpi>(m, "Kpi", "One key performance indicator of a run, for a complex or 'all'.")
      .def_readonly("key", &Kpi::key)
      .def_readonly("complex", &Kpi::complex)
      .def_readonly("value", &Kpi::value)
      .def_readonly("unit", &Kpi::unit)
      .def("__repr__", [](const Kpi& k) {
        return "Kpi(" + k.key + ", " + k.complex + ", " + std::to_string(k.value) + " " + k.unit + ")";
      });
  bind_energy(m);
  bind_grid(m);
  bind_traffic(m);
  bind_emissions(m);
  py::class_<RunResult, std::shared_ptr<RunResult>>(
      m, "Run", "The results of one run, in memory: KPIs and every model's series as NumPy arrays.")
      .def_readonly("run_id", &RunResult::run_id)
      .def_readonly("scenario_name", &RunResult::scenario_name)
      .def_readonly("scenario_yaml", &RunResult::scenario_yaml, "The resolved scenario, YAML.")
      .def_readonly("seed", &RunResult::seed)
      .def_property_readonly(
          "parameters",
          [](const RunResult& r) { return py::module_::import("json").attr("loads")(r.parameters_json); },
          "A batch run's swept values (and Monte Carlo run and seed), as a dict.")
      .def_readonly("status", &RunResult::status)
      .def_readonly("notes", &RunResult::notes,
                    "What a user should know about the inputs (filled weather gaps, ...).")
      .def_readonly("kpis", &RunResult::kpis)
      .def(
          "kpi_frame",
          [](const RunResult& r) {
            py::list key, complex, value, unit;
            for (const Kpi& k : r.kpis) {
              key.append(k.key);
              complex.append(k.complex);
              value.append(k.value);
              unit.append(k.unit);
            }
            py::dict columns;
            columns["key"] = key;
            columns["complex"] = complex;
            columns["value"] = value;
            columns["unit"] = unit;
            return py::module_::import("pandas").attr("DataFrame")(columns);
          },
          "The KPIs as a pandas DataFrame with columns key, complex, value, unit.")
      .def(
          "kpi",
          [](const RunResult& r, const std::string& key, const std::string& complex) {
            for (const Kpi& k : r.kpis) {
              if (k.key == key && k.complex == complex) return k.value;
            }
            throw py::key_error("the run has no KPI " + key + " for " + complex);
          },
          py::arg("key"), py::arg("complex") = "all", "One KPI's value, e.g. run.kpi('tco2e_total').")
      .def_property_readonly("energy",
                             [](const py::object& self) {
                               return py::cast(&self.cast<const RunResult&>().energy,
                                               py::return_value_policy::reference_internal, self);
                             })
      .def_property_readonly(
          "grid", [](const py::object& self) { return group(self, &RunResult::grid); },
          "GridResults, or None when the scenario has no `grid:`.")
      .def_property_readonly(
          "traffic", [](const py::object& self) { return group(self, &RunResult::traffic); },
          "TrafficResults, or None when the scenario has no `traffic:`.")
      .def_property_readonly(
          "emissions", [](const py::object& self) { return group(self, &RunResult::emissions); },
          "EmissionsResults, or None when the scenario has no `emission_factors`.")
      .def("__repr__", [](const RunResult& r) {
        return "<sandan.Run " + r.run_id + ": " + std::to_string(r.energy.facility_ids.size()) +
               " facilities, " + std::to_string(r.energy.hours) + " hours>";
      });
}

}  // namespace sandan::python
