#include "traffic/profile_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstddef>
#include <limits>

namespace sandan {

using config::as_number;
using config::check_range;
using config::describe;
using config::format_number;
using config::indexed;
using config::MapView;
using config::Problems;
using config::read_confidence;
using config::read_text;

namespace {
constexpr std::size_t kHoursPerDay = 24;
constexpr double kProfileSumTolerance = 1e-6;
constexpr double kInfinity = std::numeric_limits<double>::infinity();
}  // namespace

// {values: [24 numbers >= 0 summing to 1], source, confidence}.
std::optional<std::array<double, 24>> read_profile(const MapView& parent, const std::string& key,
                                                   Problems& problems) {
  const auto node = parent.get(key);
  if (!node) return std::nullopt;
  const MapView map(*node, parent.path(key), problems, {"values", "source", "confidence"}, {},
                    parent.key_line(key));
  if (!map.ok()) return std::nullopt;
  (void)read_text(map, "source", problems);
  (void)read_confidence(map, problems);
  const auto values = map.get("values");
  if (!values) return std::nullopt;
  const std::string path = map.path("values");
  if (!values->IsSequence() || values->size() != kHoursPerDay) {
    problems.add(
        *values, path,
        "must be a list of 24 numbers (hours 0-23), got " +
            (values->IsSequence() ? "a list of " + std::to_string(values->size()) : describe(*values)) +
            "; give one share for each hour");
    return std::nullopt;
  }
  std::array<double, 24> profile{};
  bool ok = true;
  double sum = 0.0;
  for (std::size_t i = 0; i < values->size(); ++i) {
    const YAML::Node item = (*values)[i];
    const std::string item_path = indexed(path, i);
    const auto value = as_number(item, item_path, problems);
    if (!value || !check_range(item, item_path, *value, 0.0, kInfinity, problems)) {
      ok = false;
      continue;
    }
    profile[i] = *value;
    sum += *value;
  }
  if (!ok) return std::nullopt;
  if (std::abs(sum - 1.0) > kProfileSumTolerance) {
    problems.add(*values, path,
                 "must sum to 1 (±1e-6), got " + format_number(sum) +
                     "; divide each share by the sum (the shares of a day by hour)");
    return std::nullopt;
  }
  return profile;
}

}  // namespace sandan
