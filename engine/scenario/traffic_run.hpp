// scenario/traffic_run: the traffic part of a run: the complexes' road network and demand, an
// equilibrium assignment for each hour of the three kinds of day, and the year's totals.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "scenario/results.hpp"
#include "scenario/scenario.hpp"
#include "scenario/stages.hpp"
#include "site/site.hpp"
#include "traffic/dynamic.hpp"

namespace sandan {

// Built when a run's inputs are read, so that a bad rates file or demand between zones the roads do
// not connect stops the run before any model runs (ConfigError). It reads only the settings that
// traffic_key names, so every run whose key is the same can share one stage and its results. The
// spec and the site model must outlive the stage.
class TrafficStage {
 public:
  TrafficStage(const ScenarioSpec& spec, const SiteModel& site_model);
  ~TrafficStage();
  TrafficStage(const TrafficStage&) = delete;
  TrafficStage& operator=(const TrafficStage&) = delete;

  // `complex_ids`: the simulated complexes in the run's order (the areas of the totals). The 72
  // assignments are spread over `threads` threads, one assignment a thread, so the results do not
  // depend on the thread count.
  // The results carry no electric share (apply_ev_trucks adds the run's).
  [[nodiscard]] TrafficResults run(const std::vector<std::string>& complex_ids, const Calendar& calendar,
                                   int threads) const;

  // The dynamic loading case of the scenario's `traffic.dynamic` window: what run() with the same
  // arguments simulates (it runs the stage's assignments, background traffic included, and keeps the
  // case); ConfigError when the scenario has no such window.
  [[nodiscard]] DnlCase dynamic_case(const std::vector<std::string>& complex_ids, const Calendar& calendar,
                                     int threads) const;
  struct Impl;  // public so that the file's helpers can fill it

 private:
  std::unique_ptr<Impl> impl_;
};

// The settings the traffic stage reads, as one text: runs with the same key have the same traffic.
// Electric trucks are not among them: they change emissions, not flows (apply_ev_trucks).
[[nodiscard]] std::string traffic_key(const ScenarioSpec& spec);

// The electric share of each vehicle class's vehicle-km: the scenario's ev_trucks, and the logistics
// hub's electric_share of the hub's share of truck-km (0 without either).
void apply_ev_trucks(const ScenarioSpec& spec, TrafficResults& traffic);

}  // namespace sandan
