// scenario/results: what one run produces, in memory, before a ResultSink stores it. Arrays are
// entity-major ([entity * hours + hour]) float32 hour means; ids are the layout's string ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sandan {

struct Kpi {
  std::string key;      // e.g. "annual_load_mwh"
  std::string complex;  // complex id, or "all"
  double value = 0.0;
  std::string unit;  // e.g. "MWh"
};

// Energy flows of every facility and complex, hour by hour. Sign convention, every hour and entity:
// load = (pv − curtailed) + battery + import − export, with battery > 0 when discharging.
struct EnergyResults {
  int year = 2026;
  int hours = 0;
  std::vector<std::string> facility_ids;
  std::vector<std::string> facility_complex;  // complex id of each facility
  std::vector<double> pv_capacity_kwp;        // per facility
  std::vector<float> load_kw, pv_kw, curtailed_kw, battery_kw, battery_soc, import_kw, export_kw, fuel_kw;
  std::vector<double> bill_krw;  // per facility, the year's electricity bill
  // Per complex: the sums over its facilities plus its shared batteries; import/export at the
  // complex's grid connection, after shared batteries.
  std::vector<std::string> complex_ids;
  std::vector<float> complex_load_kw, complex_pv_kw, complex_curtailed_kw, complex_battery_kw,
      complex_import_kw, complex_export_kw;
  // Shared batteries (at a complex or substation).
  std::vector<std::string> battery_ids;
  std::vector<std::string> battery_complex;
  std::vector<float> shared_battery_kw, shared_battery_soc;
  // What each shared battery saves on its aggregate meter's bill, KRW a year; already taken off the
  // member facilities' bill_krw (in proportion to their bills before it).
  std::vector<double> shared_battery_saving_krw;
};

// One intervention's costs (docs/economics.md), as stored in /runs/<id>/costs.
struct CostLine {
  std::string intervention;  // "interventions[2].battery"
  std::string kind;          // rooftop_pv, battery, ...
  double investment_krw = 0.0;
  double om_krw_per_year = 0.0;
  double lifetime_years = 0.0;
  double annualised_krw = 0.0;  // CRF × investment + O&M
};

// The economic assumptions and cost lines of a run.
struct CostResults {
  double discount_rate = 0.0;
  int analysis_years = 0;
  std::string fuel_prices;  // file, "" when fuel is not priced
  std::string pv_export;    // file, "" when exports earn nothing
  std::string pv_export_rule;
  double fuel_factor = 1.0;
  double export_factor = 1.0;
  std::vector<std::string> fuels;        // lng, lpg, diesel, fuel_oil
  std::vector<double> fuel_krw_per_mwh;  // the year's prices × fuel_factor
  std::vector<CostLine> items;
};

// The 22.9 kV networks, hour by hour: voltages at every bus, loading of every branch (feeder segments
// and substation transformers), and a violation summary per feeder.
struct GridResults {
  bool enabled = false;
  int year = 2026;
  int hours = 0;
  std::vector<std::string> bus_ids;
  std::vector<std::string> branch_ids;
  std::vector<std::string> branch_feeder;  // feeder id, or "" for a transformer
  std::vector<float> bus_vm_pu;            // [bus * hours + hour]
  std::vector<float> branch_loading;       // share of the rating, [branch * hours + hour]
  std::vector<std::string> feeder_ids;
  std::vector<std::string> feeder_complex;
  std::vector<int> undervoltage_hours;  // hours with a bus of the feeder below vmin
  std::vector<int> overvoltage_hours;   // above vmax
  std::vector<int> overload_hours;      // a segment over max_loading
  std::vector<double> min_vm_pu;
  std::vector<double> max_vm_pu;
  std::vector<double> max_loading;
  std::vector<double> hosting_capacity_kwp;  // NaN when not computed
  int nonconverged_hours = 0;
  double loss_mwh = 0.0;
};

// Road traffic of the simulated complexes: an equilibrium assignment for each hour of a workday, a
// Saturday and a rest day (Sunday, holiday, shutdown); annual totals weight the three by the number of
// such days in the year. Links are the road graph's directed links (connectors excluded).
struct TrafficResults {
  bool enabled = false;
  int year = 2026;
  std::vector<std::string> day_types;  // "workday", "saturday", "rest_day"
  std::vector<int> days_in_year;       // by day type
  std::vector<std::string> classes;    // "car", "light_truck", "heavy_truck"
  std::vector<double> pce;             // by class
  std::vector<std::string> link_road_id;
  std::vector<std::string> link_complex;  // complex id covering the link's midpoint, "" outside
  std::vector<double> link_from_x, link_from_y, link_to_x, link_to_y;  // working CRS, m
  std::vector<double> link_length_km, link_capacity_pce_h, link_free_speed_kmh;
  std::vector<float> link_flow_veh_h;  // [day_type][hour][link][class]
  std::vector<float> link_speed_kmh;   // [day_type][hour][link]
  std::vector<float> link_time_min;    // [day_type][hour][link]
  std::vector<float> relative_gap;     // [day_type][hour]
  std::vector<int> iterations;         // [day_type][hour]
  std::vector<double> daily_trips;     // vehicles a day, [day_type][class]
  // Annual vehicle-km and vehicle-hours on the links of each area (the simulated complexes, then
  // "outside" for links no complex covers), [area][class].
  std::vector<std::string> area_ids;
  std::vector<int> link_area;  // index into area_ids of each link
  std::vector<double> vkt_km, vht_h;
  std::vector<double> electric_share;  // of each class's vehicle-km (ev_trucks, the hub's electric tours)
  double seconds = 0.0;                // wall time of the 72 assignments

  // Background traffic (traffic.background, docs/traffic-model.md "Background traffic"): the traffic
  // that is not the complexes' own. It loads the links, so the speeds and times above include it, but
  // link_flow_veh_h, vkt_km, vht_h, the KPIs and the emissions count the own classes only.
  bool background = false;
  std::vector<std::string> background_classes;  // "background_car", "background_heavy"
  std::vector<double> background_pce;           // by background class
  std::vector<std::string> background_zones;    // the external zones' model zone names
  std::vector<float> background_flow_veh_h;     // [day_type][hour][link][background_class]
  std::vector<double> background_daily_trips;   // vehicles a day, [day_type][background_class]
  std::vector<double> background_vkt_km;        // a year on all road links, [background_class]
  // Count sites: the counted AADT, and the modelled flows of all classes (own and background) on the
  // counted links, by hour, with the count spread by the file's day factors and profiles.
  std::vector<std::string> background_count_id;
  std::vector<std::string> background_count_road_id;
  std::vector<double> background_count_aadt_veh;     // counted, vehicles a day
  std::vector<double> background_count_model_veh;    // modelled, a year's average day, vehicles
  std::vector<float> background_count_flow_veh_h;    // modelled [day_type][hour][count]
  std::vector<float> background_count_target_veh_h;  // counted AADT × day factor × profile, same shape
  // Dynamic loading at shift change (traffic.dynamic; docs/traffic-model.md): a link transmission
  // model over the workday window. Written to /runs/<id>/traffic/dynamic when dynamic_enabled.
  bool dynamic_enabled = false;
  double dynamic_start_s = 0.0;  // seconds since midnight: first departure interval
  double dynamic_end_s = 0.0;    // departures end here; the simulation runs on to dynamic_sim_end_s
  double dynamic_sim_end_s = 0.0;
  double dynamic_step_s = 1.0;
  double dynamic_report_s = 300.0;
  std::vector<double> dynamic_time_s;             // start of each report interval
  std::vector<float> dynamic_link_queue_veh;      // [report][link] at the interval's end
  std::vector<float> dynamic_link_queue_m;        // [report][link]: queue_pce / jam density
  std::vector<float> dynamic_link_inflow_veh_h;   // [report][link]: vehicles entering, as an hourly rate
  std::vector<float> dynamic_link_outflow_veh_h;  // [report][link]
  std::vector<std::string> dynamic_zone_name;     // the assignment zones
  std::vector<std::string> dynamic_zone_kind;     // facility, gate, hub, external
  std::vector<float> dynamic_zone_departures;     // [report][zone]: vehicles departing in the interval
  std::vector<float> dynamic_zone_queue_veh;      // [report][zone]: waiting to enter the road at its end
  std::vector<float> dynamic_zone_mean_delay_s;   // [report][zone]: of the interval's departures; NaN: none
  // [report][zone]: a gate's queue: its origin queue plus the queues on the links into its node; 0 for
  // other zones.
  std::vector<float> dynamic_gate_queue_veh;
  std::vector<std::string> dynamic_classes;
  std::vector<int> dynamic_class_vehicles;
  std::vector<int> dynamic_class_finished;
  std::vector<double> dynamic_class_mean_travel_time_s;     // of the finished vehicles
  std::vector<double> dynamic_class_mean_free_flow_time_s;  // of the same vehicles
  std::string dynamic_busiest_gate;                         // the gate zone whose gate queue grows longest
  std::vector<float> dynamic_busiest_gate_queue_veh;        // [report]
  double dynamic_expected_trips = 0.0;                      // of the sub-hourly matrices, before integerising
  int dynamic_vehicles = 0;
  int dynamic_finished = 0;
  double dynamic_vehicle_steps = 0.0;
  double dynamic_seconds = 0.0;  // wall time of the simulation loop
  // Freight tours and the logistics hub (traffic.freight; docs/results-schema.md, tour_* and
  // /runs/<id>/traffic/hub). Truck classes: light_truck, heavy_truck.
  bool tours = false;
  std::vector<double> tour_count;        // tours a day (gate, own-account and hub), [day_type][truck class]
  std::vector<double> tour_stops;        // facility stops a day, [day_type][truck class]
  std::vector<double> tour_trunk_trips;  // vehicles gate ↔ hub a day, [day_type][truck class]
  struct Hub {
    bool enabled = false;
    std::string chosen_by;        // "user" or "min_truck_km"
    double x_m = 0.0, y_m = 0.0;  // working CRS
    double lon_deg = 0.0, lat_deg = 0.0;
    int road_node = -1;
    double node_distance_m = 0.0;  // from the given position to the road node (0 when chosen)
    std::string zone;              // the facility zone nearest the hub's road node
    std::string complex;           // the complex covering the hub, "" outside
    int candidates = 0;            // road nodes evaluated (min_truck_km)
    std::vector<std::string> complexes;
    double share = 0.0;
    double trip_reduction = 0.0;
    double electric_share = 0.0;
    // A workday's truck-km and truck-hours of every truck trip on free-flow shortest paths, with the
    // hub as modelled and without it (the same tours, no consolidation).
    double workday_truck_km_with = 0.0, workday_truck_km_without = 0.0;
    double workday_truck_hours_with = 0.0, workday_truck_hours_without = 0.0;
    double workday_hub_tours = 0.0;
    // Share of each class's truck-km (free flow, the year) on the hub's tours and gate ↔ hub legs.
    std::vector<double> km_share;  // by class (car 0)
    // The links the hub matters for: the workday's three busiest (peak-hour v/c of the run), then the
    // three whose trucks a workday change most; trucks a workday with and without the hub loaded
    // all-or-nothing on free-flow shortest paths.
    std::vector<int> link;                                      // index into the road links
    std::vector<std::string> link_kind;                         // "busiest" or "changed"
    std::vector<double> link_peak_vc;                           // the run's workday peak-hour PCE / capacity
    std::vector<double> link_trucks_with, link_trucks_without;  // trucks a workday, free flow
  } hub;
};

// Annual greenhouse-gas emissions in tCO2eq by area and source. Sources and their scopes:
// lng, lpg, diesel, fuel_oil (scope1: fuel burned in the facilities), electricity (scope2: imports at
// the complexes' grid connections), car, light_truck, heavy_truck (transport: fuel vehicles on the
// area's roads) and electric_vehicles (transport: the grid electricity of the electric share).
// Areas: the simulated complexes, then "outside" (roads outside every complex; transport only).
struct EmissionsResults {
  bool enabled = false;
  std::string factors;  // factors file
  double grid_t_per_mwh = 0.0;
  std::vector<std::string> areas;
  std::vector<std::string> sources;
  std::vector<std::string> source_scope;  // "scope1", "scope2" or "transport" of each source
  std::vector<double> tco2e;              // [area][source]
};

struct RunResult {
  std::string run_id;
  std::string scenario_name;
  std::string scenario_yaml;  // resolved
  std::uint64_t seed = 0;
  std::string parameters_json = "{}";
  std::string status = "ok";
  std::vector<std::string> notes;  // things a user should know about the inputs (filled weather gaps, ...)
  // In a batch: the earlier run (in the batch's order) with the same energy settings, whose energy
  // and grid series this run's equal bit for bit, so a batch file can map them instead of storing
  // them again. Empty for a run alone or the first of its kind.
  std::string series_source_run;
  EnergyResults energy;
  GridResults grid;
  TrafficResults traffic;
  EmissionsResults emissions;
  CostResults costs;
  std::vector<Kpi> kpis;
};

// What a batch of uncertainty samples says as a whole (scenario/batch_analysis; stored under
// /uncertainty and /sensitivity, docs/results-schema.md): every sample's uncertain inputs and output
// figures, their P10/P50/P90, and the sensitivity measures of the design (Sobol' or Morris).
struct UncertaintyAnalysis {
  std::string method;  // monte_carlo, latin_hypercube, sobol, morris
  std::uint64_t seed = 0;
  int samples = 0;  // as stated: draws, base points (Sobol') or trajectories (Morris)
  int levels = 0;   // Morris
  std::string reference;
  std::vector<std::string> inputs;          // key paths
  std::vector<std::string> distributions;   // as stated
  std::vector<std::string> sample_runs;     // run id of each design point
  std::vector<std::string> reference_runs;  // its counterfactual (empty without a reference)
  std::vector<double> sample_values;        // [run × input]
  std::vector<std::string> outputs;         // headline KPIs ("all"), then with a reference the
  std::vector<std::string> output_units;    // abatement and cost figures against the counterfactual
  std::vector<double> output_values;        // [run × output]; NaN when a run lacks it
  std::vector<double> p10, p50, p90, mean;  // by output, over the runs where it is finite
  std::string sensitivity;                  // "sobol", "morris" or "" (none)
  std::vector<double> first, total, first_ci, total_ci;  // Sobol', [output × input]
  std::vector<double> mu, mu_star, sigma;                // Morris, [output × input]
};

// A MACC batch's curve (scenario/batch_analysis; /macc in the results file): each intervention alone,
// then the package and the interaction (package − the sum of the parts), against the reference run.
// The parts are in increasing order of their net cost per tonne, as a MACC draws them.
struct MaccAnalysis {
  std::string reference_run;
  std::vector<std::string> intervention;          // "interventions[2].battery", ..., "package", "interaction"
  std::vector<std::string> run;                   // its run ("" for the interaction)
  std::vector<double> tco2e_abated;               // reference − run, tCO2eq a year
  std::vector<double> delta_annualised_cost_krw;  // run − reference, KRW a year
  std::vector<double> delta_energy_cost_krw;      // run − reference, KRW a year
  std::vector<double> net_annual_cost_krw;        // the sum of the two
  std::vector<double> krw_per_tco2e_net;          // net / abated; NaN when nothing is abated
};

// Where results go: an HDF5 file (io::Hdf5ResultSink) or memory (Python). The runner only sees this.
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  virtual void write(const RunResult& run) = 0;
  // Whether write may be called from several threads at once (a batch then writes finished runs
  // while others are still written); false: one at a time.
  [[nodiscard]] virtual bool concurrent() const { return false; }
};

}  // namespace sandan
