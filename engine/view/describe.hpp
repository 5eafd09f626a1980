// view/describe: a scenario in plain words, in English and Korean, from the resolved scenario a
// results file stores with each run: its year, grid factor and each intervention with its settings
// ("Rooftop PV: 60 % of each roof of at least 1,000 m²…"), for the view's scenario list.
#pragma once

#include <string>
#include <vector>

namespace sandan {

struct Words {
  std::string en;
  std::string ko;
};

struct InterventionWords {
  std::string kind;  // rooftop_pv, battery, ...
  Words text;
};

struct ScenarioWords {
  Words summary;  // one sentence: year, grid factor, how many interventions
  std::vector<InterventionWords> interventions;
};

// Never throws: text that is not a scenario gives an empty description.
[[nodiscard]] ScenarioWords describe_scenario(const std::string& resolved_yaml);

}  // namespace sandan
