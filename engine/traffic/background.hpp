// traffic/background: the traffic on the complexes' roads that is not theirs (through traffic and
// trips of the neighbourhood). A versioned data file (gis_data/traffic/background.yaml) gives external
// zones at the layout's gates and road ends with their daily volumes, daily counts on layout roads,
// hourly profiles by kind of day and the synthesis parameters; from them a doubly constrained gravity
// model balanced by Furness's method gives background OD matrices between the external zones, which
// Spiess's (1990) gradient method then adjusts to the counts. docs/traffic-model.md, "Background
// traffic", describes the model and its sources.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "site/site.hpp"
#include "site/topology.hpp"
#include "traffic/demand.hpp"
#include "traffic/network.hpp"

namespace sandan {

// The two background classes, appended after the three own classes in an hour's DemandClass vector.
inline constexpr int kBackgroundClassCount = 2;
inline constexpr std::array<const char*, kBackgroundClassCount> kBackgroundClassNames{"background_car",
                                                                                      "background_heavy"};

// Where background traffic enters and leaves the layout: at a gate (by gate_id) or at the dead end of
// a road that leaves the layout (by the road_id of its end link).
struct ExternalZoneSpec {
  std::string gate_id;       // one of gate_id and road_end is set
  std::string road_end;      // road_id
  double daily_veh = 0.0;    // background vehicles a day through it, both directions (AADT)
  double heavy_share = 0.0;  // of daily_veh
  int line = 0;              // in the file, for problems found against the layout
};

// A daily count on one layout road.
struct CountSite {
  std::string id;
  std::string name;
  std::string road_id;
  std::string direction = "both";  // both, forward (digitised direction) or backward
  double aadt_veh = 0.0;           // all traffic, own included, vehicles a day (AADT)
  double heavy_share = 0.0;
  std::string confidence;  // of aadt_veh: verified, secondary or estimate
  int line = 0;
};

struct BackgroundTraffic {
  std::string path;
  std::array<double, kBackgroundClassCount> pce{1.0, 2.5};
  double gravity_beta_per_km = 0.1;  // deterrence exp(−β d) between external zones
  int furness_iterations = 100;
  double furness_tolerance = 1e-6;  // largest relative error of a row or column total
  int adjustment_iterations = 20;   // Spiess (1990) gradient steps
  // Daily volume of each kind of day (TrafficDay order) relative to the AADT.
  std::array<double, 3> day_factor{1.0, 1.0, 1.0};
  std::array<std::array<double, 24>, 3> profile{};  // [TrafficDay][hour], each summing to 1
  std::vector<ExternalZoneSpec> zones;
  std::vector<CountSite> counts;
};

// Reads the file; strict (unknown, repeated or missing keys, wrong types, values out of range,
// profiles not summing to 1, zones naming neither or both of gate and road_end): one ConfigError
// listing every problem as file:line: key.path: message.
[[nodiscard]] BackgroundTraffic read_background_traffic(const std::string& path);

// The file checked against a layout: gates and roads that exist, road ends that are dead ends, count
// directions the road has, and counts no road could carry (above 24 h × its capacity in the counted
// directions). Throws one ConfigError (file:line: key.path: message and fix).
void check_background_against_site(const BackgroundTraffic& background, const Site& site,
                                   const RoadGraph& roads);

// Adds a zone (and its connector pair, 0.01 min, capacity 1e6) for every road_end zone that has no
// gate zone on its node, after the model's other zones, renumbering the road nodes; returns each
// external zone's model zone. Call before the own demand is built (its matrices take the zone count).
[[nodiscard]] std::vector<int> add_external_zones(TrafficModel& model, const BackgroundTraffic& background,
                                                  const Site& site, const RoadGraph& roads);

// The network links each count site counts (one or both directions of its road).
[[nodiscard]] std::vector<std::vector<int>> count_links(const TrafficModel& model,
                                                        const BackgroundTraffic& background, const Site& site,
                                                        const RoadGraph& roads);

// Furness's method (iterative proportional fitting; Furness 1965, Traffic Engineering and Control 7;
// Ortúzar & Willumsen 2011, §5.5): scales the rows and columns of `seed` (n × n, row-major) until its
// row sums are `origins` and its column sums `destinations` (which must have equal totals).
struct FurnessResult {
  std::vector<double> matrix;
  int iterations = 0;
  double max_relative_error = 0.0;  // of a row or column sum, after the last iteration
};
[[nodiscard]] FurnessResult furness(const std::vector<double>& seed, const std::vector<double>& origins,
                                    const std::vector<double>& destinations, int max_iterations,
                                    double tolerance);

// Spiess's (1990) gradient method for the adjustment of an OD matrix to counts, with route
// proportions fixed: minimises Z(g) = ½ Σ_a (v_a − v̂_a)² over the cells' demand g, where v_a =
// base_a + Σ_i p_ia g_i. Each step g_i ← g_i (1 − λ ∂Z/∂g_i) with ∂Z/∂g_i = Σ_a p_ia (v_a − v̂_a), the
// optimal λ* = Σ_a v′_a (v̂_a − v_a) / Σ_a v′_a² along v′_a = −Σ_i p_ia g_i ∂Z/∂g_i, bounded so no
// cell turns negative. Multiplicative: a cell with no demand or crossing no count is kept.
// cell_counts[i]: the count indices cell i passes (p_ia = 1 there, 0 elsewhere).
struct AdjustmentResult {
  int iterations = 0;
  double objective_start = 0.0;  // Z before and after
  double objective_end = 0.0;
};
AdjustmentResult spiess_adjust(std::vector<double>& demand, const std::vector<std::vector<int>>& cell_counts,
                               const std::vector<double>& target, const std::vector<double>& base,
                               int iterations);

// The background's daily (AADT) OD matrices by class, on the model's zones, and what the hourly
// adjustment needs: the external zones' model zones, the daily cells between them and the counts each
// cell's route passes.
struct BackgroundDemand {
  std::vector<int> external_zone;                     // model zone of each ExternalZoneSpec
  std::array<OdMatrix, kBackgroundClassCount> daily;  // vehicles a day (AADT level)
  std::array<int, kBackgroundClassCount> furness_iterations{};
  std::array<AdjustmentResult, kBackgroundClassCount> adjustment{};
  std::vector<int> zones;                                        // distinct model zones, n
  std::array<std::vector<double>, kBackgroundClassCount> cells;  // daily, n × n
  std::vector<std::vector<int>> cell_counts;                     // n × n: count sites on the cell's route
};

// Gravity seed exp(−β d_ij) between external zones (d the straight line between their road nodes, no
// intrazonal trips), balanced by Furness to half of each zone's daily volume in and half out by class,
// then adjusted by Spiess's method to the counts minus the own traffic on the counted links
// (own_aadt_veh[class][link], vehicles a day: class 0 light vehicles, 1 heavy), with routes the
// free-flow shortest paths.
[[nodiscard]] BackgroundDemand synthesize_background(
    const TrafficModel& model, const BackgroundTraffic& background, const std::vector<int>& external_zone,
    const std::vector<std::vector<int>>& counted_links,
    const std::array<std::vector<double>, kBackgroundClassCount>& own_aadt_veh);

// The background classes of one hour of a kind of day: daily × day factor × the hour's profile share.
// With own_on_counts ([class][count]: the complexes' own vehicles of the hour on each count site's
// links, class 0 light, 1 heavy), the hour's cells are adjusted again by Spiess's method to the hour's
// count (AADT × day factor × profile share × class share) minus the own vehicles: the profile then
// describes all the traffic at the count sites, and the background fills what the own traffic leaves.
[[nodiscard]] std::vector<DemandClass> background_hourly(
    const BackgroundDemand& demand, const BackgroundTraffic& background, TrafficDay day, int hour,
    const std::array<std::vector<double>, kBackgroundClassCount>* own_on_counts = nullptr);

// GEH statistic (Geoffrey E. Havers; UK DMRB Vol. 12 Sect. 1 Part 1, 1996): sqrt(2 (m − c)² / (m + c))
// for hourly flows m (modelled) and c (counted); 0 when both are 0.
[[nodiscard]] double geh(double modelled, double counted);

}  // namespace sandan
