// scenario/traffic_run: the traffic part of a run: the complexes' road network and demand, an
// equilibrium assignment for each hour of the three kinds of day, and the year's totals.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "scenario/results.hpp"
#include "scenario/scenario.hpp"
#include "site/site.hpp"

namespace sandan {

// Built when a run's inputs are read, so that a bad rates file or demand between zones the roads do
// not connect stops the run before any model runs (ConfigError).
class TrafficStage {
 public:
  TrafficStage(const ScenarioSpec& spec, const Site& site);
  ~TrafficStage();
  TrafficStage(const TrafficStage&) = delete;
  TrafficStage& operator=(const TrafficStage&) = delete;

  // `complex_ids`: the simulated complexes in the run's order (the areas of the totals). The 72
  // assignments are spread over `threads` threads, one assignment a thread, so the results do not
  // depend on the thread count.
  void run(const std::vector<std::string>& complex_ids, const Calendar& calendar, int threads,
           TrafficResults& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sandan
