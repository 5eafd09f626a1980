#include "app.hpp"

#include <array>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <iostream>

#include "core/interrupt.hpp"
#include "sandan_solvers.hpp"

namespace sandan::cli {

namespace {

// A number as a person writes it: 0, 1e-08, 9999 (CLI11's own range checks print the largest double
// in full, 309 digits).
std::string number_text(double value) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%g", value);
  return buffer.data();
}

// The option's value must be a number of at least `min` (above it when `strict`). CLI11 puts the
// option's name before the message.
CLI::Validator at_least(double min, bool strict) {
  const std::string bound = (strict ? "> " : ">= ") + number_text(min);
  return {[min, strict, bound](std::string& input) -> std::string {
            char* end = nullptr;
            const double value = std::strtod(input.c_str(), &end);
            if (input.empty() || end == input.c_str() || *end != '\0' || std::isnan(value)) {
              return "'" + input + "' is not a number; give a number " + bound;
            }
            if (strict ? !(value > min) : !(value >= min)) {
              return input + " is out of range; give a number " + bound;
            }
            return {};
          },
          "NUMBER " + bound, strict ? "POSITIVE" : "NONNEGATIVE"};
}

CLI::Validator positive() { return at_least(0.0, true); }

// A whole number of at least `min`: a count (threads, iterations).
CLI::Validator count_from(long min) {
  const std::string bound = ">= " + std::to_string(min);
  return {[min, bound](std::string& input) -> std::string {
            char* end = nullptr;
            const long value = std::strtol(input.c_str(), &end, 10);
            if (input.empty() || end == input.c_str() || *end != '\0') {
              return "'" + input + "' is not a whole number; give a whole number " + bound;
            }
            if (value < min) return input + " is out of range; give a whole number " + bound;
            return {};
          },
          "INT " + bound, "COUNT"};
}

// The option's value must be one of `choices`; the message lists them.
CLI::Validator one_of(std::initializer_list<const char*> choices) {
  std::vector<std::string> valid(choices.begin(), choices.end());
  std::string listed;
  for (const std::string& c : valid) listed += (listed.empty() ? "" : ", ") + c;
  return {[valid, listed](std::string& input) -> std::string {
            for (const std::string& c : valid) {
              if (input == c) return {};
            }
            return "'" + input + "' is not a valid choice; valid choices: " + listed;
          },
          "{" + listed + "}", "CHOICE"};
}

// A whole number in [lo, hi].
CLI::Validator whole_in(long lo, long hi) {
  const std::string range = std::to_string(lo) + " to " + std::to_string(hi);
  return {[lo, hi, range](std::string& input) -> std::string {
            char* end = nullptr;
            const long value = std::strtol(input.c_str(), &end, 10);
            if (input.empty() || *end != '\0') return "'" + input + "' is not a whole number; give " + range;
            if (value < lo || value > hi) return input + " is out of range; give " + range;
            return {};
          },
          "INT in " + range, "RANGE"};
}

}  // namespace

App::App() {
  app.set_version_flag("--version", version());
  app.require_subcommand(1);

  inspect_cmd = app.add_subcommand(
      "inspect", "Layers, counts, per-complex figures, connectivity and every problem of a GIS layout");
  inspect_cmd
      ->add_option("sources", inspect.sources, "GIS files or folders (GeoPackage, Shapefile, GeoJSON, ...)")
      ->required();
  inspect_cmd->add_flag("--json", inspect.json, "Print one JSON object instead of tables");
  inspect_cmd->add_option("--crs", inspect.crs, "Working CRS (default EPSG:5186)");

  synth_cmd = app.add_subcommand("synth",
                                 "Synthesise a plausible layout from complex statistics (a facts YAML file)");
  synth_cmd->add_option("facts", synth.facts, "Facts file, e.g. gis_data/complexes.yaml")->required();
  synth_cmd->add_option("-o,--output", synth.output, "Output: a .gpkg file, or a folder with --format")
      ->required();
  auto* scale_opt =
      synth_cmd->add_option("--scale", synth.scale, "Multiply areas, firms and employees by this factor")
          ->check(positive());
  synth_cmd->add_option("--firms", synth.firms, "Total firms wanted (sets the scale)")
      ->check(count_from(1))
      ->excludes(scale_opt);
  synth_cmd->add_option("--seed", synth.seed, "Seed overriding the facts file's");
  synth_cmd->add_option("--format", synth.format, "gpkg, geojson (folder) or shapefile (folder)")
      ->check(one_of({"gpkg", "geojson", "shapefile"}));
  synth_cmd->add_option("--crs", synth.crs, "CRS of the output (default EPSG:5186)");

  run_cmd = app.add_subcommand(
      "run",
      "Run a scenario: a year of energy flows for every facility, the feeders' power flow and "
      "road traffic (as the scenario asks)");
  run_cmd->add_option("scenario", run.scenario, "Scenario file, e.g. scenarios/baseline.yaml")->required();
  run_cmd->add_option("-o,--output", run.output, "HDF5 results file (default: none, print only)");
  run_cmd->add_option("-j,--threads", run.threads, "Threads (default: every core)")->check(count_from(0));
  run_cmd->add_flag("--json", run.json, "Print the KPIs as one JSON object instead of tables");

  compare_cmd = app.add_subcommand(
      "compare",
      "Compare the KPIs of two runs (B against the reference A) and the cost of the tCO2eq abated");
  compare_cmd->add_option("a", compare.a, "Reference run: FILE.h5 or FILE.h5:RUN (e.g. the baseline)")
      ->required();
  compare_cmd->add_option("b", compare.b, "Alternative run: FILE.h5 or FILE.h5:RUN")->required();
  compare_cmd->add_option("--format", compare.format, "table (default), csv, json or markdown")
      ->check(one_of({"table", "csv", "json", "markdown"}));
  compare_cmd->add_option("--counterfactual", compare.counterfactual,
                          "The run of B's background with A's interventions (FILE.h5[:RUN]), when the "
                          "runs' backgrounds differ and it was run elsewhere (default: run it here)");
  compare_cmd->add_flag("--no-attribution", compare.no_attribution,
                        "Compare B with A as they are, without splitting off the background's share");
  compare_cmd
      ->add_option("-j,--threads", compare.threads, "Threads for the counterfactual (default: every core)")
      ->check(count_from(0));

  export_cmd = app.add_subcommand(
      "export",
      "Export a run as GeoPackage layers: facilities with their annual figures, complexes with their "
      "KPIs, road links with their flows and speeds, feeders");
  export_cmd->add_option("results", export_args.run, "Run: FILE.h5 or FILE.h5:RUN")->required();
  export_cmd->add_option("--gpkg", export_args.gpkg, "GeoPackage to write (replaced if it exists)")
      ->required();
  export_cmd->add_option("--site", export_args.site,
                         "Layout the run used (default: the site of the run's scenario)");
  export_cmd->add_option("--crs", export_args.crs, "CRS of the output (default EPSG:5186)");

  weather_cmd = app.add_subcommand(
      "weather", "Generate a synthetic typical weather year (EPW) from monthly climate normals");
  weather_cmd
      ->add_option("normals", weather.normals, "Normals CSV, e.g. gis_data/weather/incheon_normals.csv")
      ->required();
  weather_cmd->add_option("-o,--output", weather.output, "EPW file to write")->required();
  weather_cmd->add_option("--year", weather.year, "Year of the rows (default 2026)")
      ->check(whole_in(1900, 9999));
  weather_cmd->add_option("--seed", weather.seed, "Seed (default 1)");

  ingest_cmd = app.add_subcommand(
      "ingest",
      "Read measured meter data (CSV), check its quality, map each meter to the layout and write a "
      "measured file");
  ingest_cmd->add_option("data", ingest.data, "Meter data CSV files (long, wide or the steel-plant export)")
      ->required();
  ingest_cmd->add_option("--map", ingest.map, "Mapping file: each meter id to what it measures (YAML)")
      ->required();
  ingest_cmd->add_option("-o,--output", ingest.output,
                         "Measured HDF5 file to write (default: none, report only)");
  ingest_cmd->add_option("--site", ingest.site,
                         "Layout the mapping's targets are in (default: gis_data/incheon.gpkg above the "
                         "mapping file or the working directory)");
  ingest_cmd->add_option("--timezone", ingest.timezone,
                         "Zone of stamps without an offset: Asia/Seoul (KST, default), UTC or +hh:mm");
  ingest_cmd->add_option("--stamps", ingest.stamps, "A stamp marks the start or end of its interval, or auto")
      ->check(one_of({"start", "end", "auto"}));
  ingest_cmd->add_option("--interval", ingest.interval, "Interval in minutes (default: detected)")
      ->check(one_of({"5", "15", "30", "60"}));
  ingest_cmd
      ->add_option("--max-gap", ingest.max_gap, "Interpolate gaps of at most this many intervals (default 4)")
      ->check(count_from(0));
  ingest_cmd->add_flag("--no-unit-repair", ingest.no_unit_repair,
                       "Report a unit off by 1000 without rescaling the values");
  ingest_cmd->add_option("--unit", ingest.unit,
                         "Unit of data without a unit column or mapping unit (kWh, kW, ...)");
  ingest_cmd->add_option("-j,--threads", ingest.threads, "Threads (default: every core)")
      ->check(count_from(0));
  ingest_cmd->add_flag("--json", ingest.json, "Print the report as one JSON object");
  forecast_cmd = app.add_subcommand(
      "forecast",
      "Forecast the next hours of metered facilities and their complexes from a calibration, corrected "
      "by the latest measurements, scored against naive references where measurements exist");
  forecast_cmd->add_option("calibration", forecast.calibration, "Calibration file (YAML)")->required();
  forecast_cmd->add_option("--measured", forecast.measured, "Measured file (HDF5, from sandan ingest)")
      ->required();
  forecast_cmd
      ->add_option("--from", forecast.from, "First forecast hour, KST: YYYY-MM-DD (00:00) or YYYY-MM-DDTHH")
      ->required();
  forecast_cmd->add_option("--hours", forecast.hours, "Hours to forecast, 1 to 8760 (default 48)");
  forecast_cmd->add_option(
      "--weather", forecast.weather,
      "Weather (EPW) of the forecast's hours: a forecast file, or a typical year standing in "
      "(default: the calibration's weather file)");
  forecast_cmd->add_option("--holidays", forecast.holidays,
                           "Holidays CSV (default: the repository's gis_data/calendar/holidays_kr.csv)");
  forecast_cmd->add_option(
      "--site", forecast.site,
      "Layout giving each facility's complex (default: the repository's gis_data/incheon.gpkg)");
  forecast_cmd->add_option("-o,--output", forecast.output, "Forecast file to write (HDF5, /forecast)");
  forecast_cmd->add_flag("--json", forecast.json, "Print one JSON object instead of tables");

  serve_cmd = app.add_subcommand(
      "serve",
      "The control-centre view: the runs of results files on a map of the complexes, hour by hour, in "
      "a web browser (docs/view.md)");
  serve_cmd->add_option("results", serve.results, "Results files (HDF5); every run of each is shown")
      ->required();
  serve_cmd->add_option("--measured", serve.measured, "Measured file (HDF5, from sandan ingest)");
  serve_cmd->add_option("--site", serve.site, "Layout, when the runs' own cannot be found");
  serve_cmd->add_option("--host", serve.host,
                        "Address to listen on (default 127.0.0.1: this machine only; another address "
                        "lets other machines read the results)");
  serve_cmd->add_option("--port", serve.port, "Port, 0 for any free one (default 8080)")
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--lang", serve.lang, "Language the page opens in (default ko)")
      ->check(CLI::IsMember({"ko", "en"}));
  serve_cmd
      ->add_option("--vc-alarm", serve.vc_alarm,
                   "Road volume/capacity above which a road is an alarm (default 0.9)")
      ->check(positive());
  serve_cmd->add_option("--assets", serve.assets,
                        "The view's web folder (default: found beside the program)");

  calibrate_cmd = app.add_subcommand(
      "calibrate",
      "Fit facility load models (and PV yield factors) to a measured file; print the Guideline 14 "
      "statistics before and after, and write a calibration file for a scenario's calibration: key");
  calibrate_cmd->add_option("measured", calibrate.measured, "Measured file (sandan ingest -o)")->required();
  calibrate_cmd->add_option("--site", calibrate.site, "Layout the meters' targets are in")->required();
  calibrate_cmd->add_option("-o,--output", calibrate.output, "Calibration file to write (YAML)")->required();
  calibrate_cmd->add_option("--weather", calibrate.weather,
                            "EPW whose hourly temperatures stand for the data's year (default: "
                            "weather/incheon_synthetic.epw beside the layout or in gis_data above it)");
  calibrate_cmd->add_option("--holidays", calibrate.holidays,
                            "Holidays CSV (default: calendar/holidays_kr.csv, found likewise)");
  calibrate_cmd->add_option("--loads", calibrate.loads,
                            "Load archetypes (default: loads/archetypes.yaml, found likewise)");
  calibrate_cmd
      ->add_option("--year", calibrate.year, "Year to calibrate (default: the year holding most data)")
      ->check(whole_in(1900, 9999));
  calibrate_cmd->add_option("--holdout", calibrate.holdout,
                            "Dates held out of the fit and judged out of sample, FROM/TO inclusive, e.g. "
                            "2018-08-01/2018-09-30");
  calibrate_cmd->add_option("-j,--threads", calibrate.threads, "Threads (default: every core)")
      ->check(count_from(0));
  calibrate_cmd->add_flag("--json", calibrate.json, "Print the report as one JSON object");

  powerflow_cmd = app.add_subcommand(
      "powerflow", "AC power flow of a case in CSV form (bus.csv, gen.csv, branch.csv, case.json)");
  powerflow_cmd->add_option("case", powerflow.case_dir, "Case folder")->required();
  powerflow_cmd->add_option("--out", powerflow.out_dir,
                            "Write solution_bus.csv, solution_branch.csv, summary.json here");
  powerflow_cmd
      ->add_option("--method", powerflow.method, "auto (sweep if radial, else Newton), nr, nr-dense or bfs")
      ->check(one_of({"auto", "nr", "nr-dense", "bfs"}));

  assign_cmd = app.add_subcommand(
      "assign", "Static user-equilibrium traffic assignment of a TNTP case (*_net.tntp, *_trips.tntp)");
  assign_cmd->add_option("tntp", assign.tntp_dir, "Case folder, e.g. a TransportationNetworks folder")
      ->required();
  assign_cmd->add_option("--gap", assign.gap, "Target relative gap (default 1e-8)")->check(positive());
  assign_cmd->add_option("--max-iterations", assign.max_iterations, "Iteration limit (default 1000)")
      ->check(count_from(1));
  assign_cmd->add_option("--algorithm", assign.algorithm, "b (Algorithm B, default) or fw (Frank-Wolfe)")
      ->check(one_of({"b", "fw"}));
  assign_cmd
      ->add_option("--first-thru-node", assign.first_thru_node,
                   "Override the network's FIRST THRU NODE (1-based; 0 keeps the file's)")
      ->check(count_from(0));
  assign_cmd->add_option("--out", assign.out_dir, "Write flows.csv and summary.json here");
  assign_cmd->add_option("-j,--threads", assign.threads, "Threads (default: every core)")
      ->check(count_from(0));

  dnl_cmd = app.add_subcommand("dnl",
                               "Dynamic network loading (link transmission model) of a case folder "
                               "(schema sandan-dnl-case), or write the case a scenario's run would simulate");
  dnl_cmd->add_option("case", dnl.case_dir,
                      "Case folder (case.yaml, nodes.csv, links.csv, zones.csv, vehicles.csv)");
  dnl_cmd->add_option("--out", dnl.out_dir, "Write vehicles.csv, links.csv and summary.json here");
  dnl_cmd->add_option("--scenario", dnl.scenario,
                      "Scenario whose `traffic.dynamic` window to write as a case (with --write-case)");
  dnl_cmd->add_option("--write-case", dnl.write_case, "Folder to write the scenario's case into");
  dnl_cmd->callback([this] {
    if (dnl.scenario.empty() == dnl.case_dir.empty()) {
      throw CLI::ValidationError(
          "give a case folder, or --scenario S.yaml with --write-case DIR (one of the two)");
    }
    if (!dnl.scenario.empty() && dnl.write_case.empty()) {
      throw CLI::ValidationError("--scenario needs --write-case DIR");
    }
    if (dnl.scenario.empty() && !dnl.write_case.empty()) {
      throw CLI::ValidationError("--write-case needs --scenario SCENARIO.yaml");
    }
  });
}

std::optional<int> App::parse(int argc, char** argv, bool quiet) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; usage errors are bad input, said as every other error is.
    if (e.get_exit_code() == 0) return quiet ? 0 : app.exit(e);
    if (!quiet) std::cerr << usage_error(argc, argv, e.what());
    return static_cast<int>(ErrorCode::kBadInput);
  }
  return std::nullopt;
}

std::string App::usage_error(int argc, char** argv, const std::string& what) const {
  // The subcommand named on the command line, if any, for the pointer to its options.
  std::string subcommand;
  for (int i = 1; i < argc && subcommand.empty(); ++i) {
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == argv[i]) subcommand = sub->get_name();
    }
  }
  std::string text = "sandan: error: " + what + "\n";
  if (subcommand.empty() && argc > 1 && argv[1][0] != '-') {
    std::string valid;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
      valid += (valid.empty() ? "" : ", ") + sub->get_name();
    text = "sandan: error: unknown subcommand '" + std::string(argv[1]) + "'; valid subcommands: " + valid +
           "\n";
  }
  text += subcommand.empty() ? "run 'sandan --help' for the subcommands\n"
                             : "run 'sandan " + subcommand + " --help' for its options\n";
  return text;
}

namespace {

std::optional<int> integer_from_environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  char* end = nullptr;
  const long parsed = std::strtol(value, &end, 10);
  if (*end != '\0' || parsed < 0) return std::nullopt;
  return static_cast<int>(parsed);
}

}  // namespace

Launch launch_from_environment() {
  const std::pair<const char*, const char*> launchers[] = {{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                                                           {"PMI_RANK", "PMI_SIZE"},
                                                           {"PMIX_RANK", "SLURM_NTASKS"}};
  for (const auto& [rank, size] : launchers) {
    const auto r = integer_from_environment(rank);
    const auto n = integer_from_environment(size);
    if (r && n && *n > 0) return {*r, *n};
  }
  return {};
}

std::string command_line(int argc, char** argv) {
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  return command;
}

int exit_code_of(const sandan::Error& error) {
  if (error.code() == sandan::ErrorCode::kInterrupted) {
    const int signal = sandan::interrupt_signal();
    return 128 + (signal != 0 ? signal : SIGINT);
  }
  return static_cast<int>(error.code());
}

std::string capped_problems(const std::vector<std::string>& problems, std::size_t most) {
  std::string text;
  for (std::size_t i = 0; i < problems.size() && i < most; ++i) text += "  " + problems[i] + "\n";
  if (problems.size() > most) {
    text += "  and " + std::to_string(problems.size() - most) +
            " more (fix these first: many often share a cause)\n";
  }
  return text;
}

int guarded(const std::function<int()>& command) {
  try {
    return command();
  } catch (const sandan::ConfigError& e) {
    std::cerr << "sandan: error: " << e.headline() << "\n" << capped_problems(e.problems());
    return static_cast<int>(e.code());
  } catch (const sandan::Error& e) {
    std::cerr << "sandan: error: " << e.what() << "\n";
    return exit_code_of(e);
  } catch (const std::exception& e) {
    std::cerr << "sandan: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "sandan: internal error\n";
  }
  return static_cast<int>(sandan::ErrorCode::kInternal);
}

}  // namespace sandan::cli
