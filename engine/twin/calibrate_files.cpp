// twin/calibrate_files: `sandan calibrate` on files: reads the measured data, the layout, the calendar,
// the weather and the load archetypes, calibrates, and writes the calibration file.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "scenario/scenario.hpp"
#include "twin/calibrate.hpp"

namespace sandan {
namespace {

// The same file under two names (or the same name): an output must never replace an input.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec) && !ec) return true;
  const auto canonical_a = std::filesystem::weakly_canonical(a, ec);
  const auto canonical_b = std::filesystem::weakly_canonical(b, ec);
  return !ec && canonical_a == canonical_b;
}

}  // namespace

CalibrationOutcome calibrate_files(const CalibrateFiles& files, const CalibrationOptions& options) {
  if (!files.output.empty()) {
    const std::vector<std::pair<const char*, std::string>> inputs{{"measured data", files.measured},
                                                                  {"layout", files.site},
                                                                  {"weather", files.weather},
                                                                  {"holidays", files.holidays},
                                                                  {"load archetypes", files.loads}};
    for (const auto& [what, path] : inputs) {
      if (!path.empty() && same_file(files.output, path)) {
        throw Error(ErrorCode::kBadInput, files.output + ": the output is the " + std::string(what) +
                                              " input; write the calibration to another file (-o)");
      }
    }
  }
  const MeasuredData measured = read_measured(files.measured);
  ScenarioSpec spec;
  spec.site = files.site;
  spec.path = files.site;
  const std::shared_ptr<const SiteModel> site = load_site_model(spec);
  const std::vector<Holiday> holidays = read_holidays(files.holidays);
  const Weather weather = read_epw(files.weather);
  const LoadLibrary library = read_load_library(files.loads);
  CalibrationInputs inputs;
  inputs.measured = &measured;
  inputs.measured_path = files.measured;
  inputs.site = site.get();
  inputs.holidays = &holidays;
  inputs.holidays_path = files.holidays;
  inputs.weather = &weather;
  inputs.weather_path = files.weather;
  inputs.library = &library;
  CalibrationOutcome outcome = calibrate(inputs, options);
  if (!files.output.empty()) {
    write_calibration(files.output, outcome.calibration, calibration_metrics_yaml(outcome.report));
  }
  return outcome;
}

}  // namespace sandan
