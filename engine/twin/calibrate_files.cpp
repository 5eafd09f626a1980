// twin/calibrate_files: `sandan calibrate` on files: reads the measured data, the layout, the calendar,
// the weather and the load archetypes, calibrates, and writes the calibration file.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/search_path.hpp"
#include "scenario/scenario.hpp"
#include "twin/calibrate.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

// A data file as given, else `relative` beside the layout (gis_data/ holds both), else in a gis_data
// folder above the layout or the working directory — as `sandan ingest` finds the load archetypes.
std::string resolve(const std::string& given, const std::string& site_path, const fs::path& relative,
                    const std::string& option) {
  if (!given.empty()) return given;
  const fs::path folder =
      fs::path(site_path).parent_path().empty() ? fs::path(".") : fs::path(site_path).parent_path();
  std::error_code ec;
  if (fs::is_regular_file(folder / relative, ec)) return (folder / relative).string();
  std::string found = find_upward(folder, fs::path("gis_data") / relative);
  if (found.empty()) found = find_upward(fs::current_path(), fs::path("gis_data") / relative);
  if (found.empty()) {
    throw Error(ErrorCode::kBadInput,
                site_path + ": no " + relative.string() +
                    " beside the layout or in a gis_data folder above it or the working "
                    "directory; give it with " +
                    option);
  }
  return found;
}

}  // namespace

CalibrationOutcome calibrate_files(const CalibrateFiles& given, const CalibrationOptions& options) {
  CalibrateFiles files = given;
  files.weather =
      resolve(files.weather, files.site, fs::path("weather") / "incheon_synthetic.epw", "--weather EPW");
  files.holidays =
      resolve(files.holidays, files.site, fs::path("calendar") / "holidays_kr.csv", "--holidays CSV");
  files.loads = resolve(files.loads, files.site, fs::path("loads") / "archetypes.yaml", "--loads ARCHETYPES");
  check_output_path(files.output,
                    {{"measured data", files.measured},
                     {"layout", files.site},
                     {"weather", files.weather},
                     {"holidays", files.holidays},
                     {"load archetypes", files.loads}},
                    "calibration file");
  // Stopping points between the files read (calibrate() has its own between meters).
  const auto stop_point = [&](const std::string& after) {
    stop_if_asked(options.cancelled, "after " + after + "; nothing was written");
  };
  const MeasuredData measured = read_measured(files.measured, options.cancelled);
  stop_point("reading the measured file " + files.measured);
  ScenarioSpec spec;
  spec.site = files.site;
  spec.path = files.site;
  const std::shared_ptr<const SiteModel> site = load_site_model(spec);
  stop_point("reading the layout " + files.site);
  const std::vector<Holiday> holidays = read_holidays(files.holidays);
  const Weather weather = read_epw(files.weather);
  const LoadLibrary library = read_load_library(files.loads);
  stop_point("reading the weather, holidays and load archetypes");
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
    // The last point: the calibration file is written whole (temporary file, then rename) or not at all.
    stop_point("calibrating, before writing " + files.output);
    write_calibration(files.output, outcome.calibration, calibration_metrics_yaml(outcome.report));
  }
  return outcome;
}

}  // namespace sandan
