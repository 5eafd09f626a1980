// traffic/profile_yaml: the reader of an hourly profile entry, shared by the traffic data files
// (trip rates, background traffic): {values: [24 numbers >= 0 summing to 1], source, confidence}.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "config/yaml_check.hpp"

namespace sandan {

// The profile under `key` of `parent`, or nullopt when it is absent or wrong (each problem added,
// with its line and a fix).
[[nodiscard]] std::optional<std::array<double, 24>> read_profile(const config::MapView& parent,
                                                                 const std::string& key,
                                                                 config::Problems& problems);

}  // namespace sandan
