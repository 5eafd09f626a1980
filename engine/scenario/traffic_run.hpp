// scenario/traffic_run: the traffic part of a run: the complexes' road network and demand, an
// equilibrium assignment for each hour of the three kinds of day, and the year's totals.
#pragma once

#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "gis/site.hpp"
#include "scenario/results.hpp"
#include "scenario/scenario.hpp"

namespace sandan {

// `complex_ids`: the simulated complexes in the run's order (the areas of the totals). The 72
// assignments are spread over `threads` threads, one assignment a thread, so the results do not
// depend on the thread count. Throws ConfigError for bad rates files or unreachable demand.
void run_traffic(const ScenarioSpec& spec, const Site& site, const std::vector<std::string>& complex_ids,
                 const Calendar& calendar, int threads, TrafficResults& out);

}  // namespace sandan
