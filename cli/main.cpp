// sandan: the command line. Each subcommand parses its options into a struct, calls the facade once,
// and prints a summary on stdout; errors go to stderr as one message and become the exit code of
// their sandan::ErrorCode (2 for bad input).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sandan.hpp"

namespace {

struct InspectArgs {
  std::vector<std::string> sources;
  bool json = false;
  std::string crs = sandan::kDefaultCrs;
};

struct SynthArgs {
  std::string facts;
  std::string output;
  std::optional<double> scale;
  std::optional<long> firms;
  std::optional<std::uint64_t> seed;
  std::string format;  // "", gpkg, geojson, shapefile
  std::string crs = sandan::kDefaultCrs;
};

struct RunArgs {
  std::string scenario;
  std::string output;
  int threads = 0;
  bool json = false;
};

// Progress on stderr with an ETA, once a run has taken more than a second.
class ProgressLine {
 public:
  void operator()(const std::string& stage, double done) {
    const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (elapsed_s < 1.0 && done < 1.0) return;
    const double eta_s = done > 0.0 ? elapsed_s * (1.0 - done) / done : 0.0;
    std::fprintf(stderr, "sandan: %-18s %3.0f %%  %6.1f s elapsed, ETA %.1f s\n", stage.c_str(), 100.0 * done,
                 elapsed_s, eta_s);
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// A batch: the runs' progress with an ETA, then one line a run with its swept values and headline KPIs.
int run_batch(const RunArgs& args, const std::string& command) {
  sandan::RunOptions options;
  options.threads = args.threads;
  ProgressLine progress;
  const auto start = std::chrono::steady_clock::now();
  const sandan::BatchSummary batch =
      sandan::run_batch_file(args.scenario, args.output, command, options, [&](int done, int total) {
        progress("run " + std::to_string(done) + " of " + std::to_string(total), double(done) / total);
      });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (batch.skipped > 0) {
    std::fprintf(stderr, "sandan: resumed: %d of %d runs were already finished\n", batch.skipped, batch.runs);
  }
  if (args.json) {
    std::vector<sandan::RunKpis> runs;
    for (std::size_t i = 0; i < batch.run_ids.size(); ++i) {
      std::vector<sandan::KpiRow> kpis;
      for (const auto& k : batch.kpis[i]) kpis.push_back({k.key, k.complex, k.value, k.unit});
      runs.push_back({batch.run_ids[i], kpis});
    }
    std::cout << sandan::run_kpis_json(batch.scenario, runs, args.output);
  } else {
    std::printf("Batch %s: %d runs\n\n", batch.scenario.c_str(), batch.runs);
    std::printf("%-28s %10s %10s %7s %10s %10s  %s\n", "run", "load MWh", "PV MWh", "self %", "tCO2eq",
                "bill MKRW", "parameters");
    for (std::size_t i = 0; i < batch.run_ids.size(); ++i) {
      const std::vector<sandan::Kpi>& k = batch.kpis[i];
      auto all = [&](sandan::KpiId id) { return sandan::kpi_value(k, id).value_or(std::nan("")); };
      if (k.empty()) {
        std::printf("%-28s %10s %10s %7s %10s %10s  %s\n", batch.run_ids[i].c_str(), "(earlier)", "", "", "",
                    "", batch.parameters[i].c_str());
        continue;
      }
      std::printf("%-28s %10.0f %10.0f %7.1f %10.0f %10.0f  %s\n", batch.run_ids[i].c_str(),
                  all(sandan::KpiId::kAnnualLoadMwh), all(sandan::KpiId::kAnnualPvMwh),
                  100.0 * all(sandan::KpiId::kSelfSufficiency), all(sandan::KpiId::kTco2eTotal),
                  all(sandan::KpiId::kBillKrw) / 1e6, batch.parameters[i].c_str());
    }
    if (!args.output.empty())
      std::printf("\nResults: %s (one group a run under runs/, /index)\n", args.output.c_str());
  }
  std::fprintf(stderr, "sandan: ran %d runs of %s in %.2f s (%.1f runs a minute)\n",
               batch.runs - batch.skipped, args.scenario.c_str(), seconds,
               60.0 * (batch.runs - batch.skipped) / std::max(seconds, 1e-9));
  return 0;
}

int run_run(const RunArgs& args, const std::string& command) {
  if (sandan::is_batch(args.scenario)) return run_batch(args, command);
  sandan::RunOptions options;
  options.threads = args.threads;
  ProgressLine progress;
  options.progress = [&](const std::string& stage, double done) { progress(stage, done); };
  const auto start = std::chrono::steady_clock::now();
  const sandan::RunResult run = sandan::run_scenario_file(args.scenario, args.output, command, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& note : run.notes) std::cerr << "sandan: note: " << note << "\n";
  if (args.json) {
    std::vector<sandan::KpiRow> kpis;
    kpis.reserve(run.kpis.size());
    for (const auto& k : run.kpis) kpis.push_back({k.key, k.complex, k.value, k.unit});
    std::cout << sandan::run_kpis_json(run.scenario_name, {{run.run_id, kpis}}, args.output);
    std::fprintf(stderr, "sandan: ran %s in %.2f s\n", args.scenario.c_str(), seconds);
    return 0;
  }
  std::cout << "Scenario " << run.scenario_name << " (run " << run.run_id << ", " << run.energy.hours
            << " hours, " << run.energy.facility_ids.size() << " facilities)\n\n";
  std::cout << sandan::kpi_table(run);
  if (!args.output.empty())
    std::cout << "\nResults: " << args.output << " (group runs/" << run.run_id << ")\n";
  std::fprintf(stderr, "sandan: ran %s in %.2f s\n", args.scenario.c_str(), seconds);
  return 0;
}

struct CompareArgs {
  std::string a;
  std::string b;
  std::string format = "table";
};

int run_compare(const CompareArgs& args) {
  const sandan::Comparison comparison =
      sandan::compare_runs(sandan::parse_run_ref(args.a), sandan::parse_run_ref(args.b));
  std::cout << sandan::format_comparison(comparison, args.format);
  // CSV holds numbers only; the other formats carry the warnings themselves.
  if (args.format == "csv") {
    for (const auto& w : comparison.warnings) std::cerr << "sandan: warning: " << w << "\n";
  }
  return 0;
}

struct ExportArgs {
  std::string run;  // FILE or FILE:RUN
  std::string gpkg;
  std::string site;
  std::string crs = sandan::kDefaultCrs;
};

int run_export(const ExportArgs& args) {
  sandan::ExportOptions options;
  options.site = args.site;
  options.crs = args.crs;
  const auto start = std::chrono::steady_clock::now();
  const sandan::ExportSummary summary =
      sandan::export_gpkg(sandan::parse_run_ref(args.run), args.gpkg, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("Run %s of %s, geometry from %s\n\n", summary.run.c_str(), summary.file.c_str(),
              summary.site.c_str());
  std::printf("%-12s %9s %7s\n", "layer", "features", "fields");
  for (const auto& layer : summary.layers)
    std::printf("%-12s %9zu %7zu\n", layer.name.c_str(), layer.features, layer.fields);
  std::printf("\nGeoPackage: %s (%s)\n", summary.output.c_str(), summary.crs.c_str());
  std::fprintf(stderr, "sandan: exported in %.2f s\n", seconds);
  return 0;
}

struct WeatherArgs {
  std::string normals;
  std::string output;
  int year = 2026;
  std::uint64_t seed = 1;
};

int run_weather(const WeatherArgs& args) {
  const sandan::Weather weather =
      sandan::synthesize_weather_file(args.normals, args.output, args.year, args.seed);
  double ghi_wh_m2 = 0.0;
  double temp_c = 0.0;
  for (std::size_t h = 0; h < weather.hours(); ++h) {
    ghi_wh_m2 += weather.ghi_wh_m2[h];
    temp_c += weather.dry_bulb_c[h];
  }
  std::printf("Synthetic weather for %s, %d (seed %llu): %zu hours\n", weather.location.city.c_str(),
              args.year, static_cast<unsigned long long>(args.seed), weather.hours());
  std::printf("  annual global horizontal irradiation %.1f kWh/m2, mean temperature %.2f C\n",
              ghi_wh_m2 / 1e3, temp_c / static_cast<double>(weather.hours()));
  std::printf("  written to %s\n", args.output.c_str());
  return 0;
}

struct PowerflowArgs {
  std::string case_dir;
  std::string out_dir;
  std::string method = "auto";
};

int run_powerflow(const PowerflowArgs& args) {
  const sandan::Network network = sandan::read_case(args.case_dir);
  sandan::PowerFlowOptions options;
  if (args.method == "nr") options.method = sandan::PowerFlowMethod::kNewtonRaphson;
  if (args.method == "nr-dense") options.method = sandan::PowerFlowMethod::kNewtonRaphsonDense;
  if (args.method == "bfs") options.method = sandan::PowerFlowMethod::kBackwardForwardSweep;
  const auto start = std::chrono::steady_clock::now();
  const sandan::PowerFlowResult result = sandan::solve_power_flow(network, options);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!result.converged) {
    const std::string bus = result.worst_bus >= 0 ? network.buses[result.worst_bus].id : "?";
    std::fprintf(stderr,
                 "sandan: error: %s: the power flow did not converge after %d iterations (%s); worst "
                 "mismatch %.3g p.u. at bus %s\n",
                 args.case_dir.c_str(), result.iterations, sandan::to_string(result.method).c_str(),
                 result.max_mismatch_pu, bus.c_str());
    return static_cast<int>(sandan::ErrorCode::kBadInput);
  }
  std::printf("Case %s: %zu buses, %zu branches, %zu generators\n", args.case_dir.c_str(),
              network.buses.size(), network.branches.size(), network.generators.size());
  std::printf("  method          %s\n  iterations      %d\n  time            %.3f ms\n",
              sandan::to_string(result.method).c_str(), result.iterations, ms);
  std::printf("  total losses    %.6f MW\n", result.total_loss_mw);
  std::printf("  min voltage     %.6f p.u. at bus %s\n", result.vmin_pu,
              network.buses[result.vmin_bus].id.c_str());
  std::printf("  max voltage     %.6f p.u. at bus %s\n", result.vmax_pu,
              network.buses[result.vmax_bus].id.c_str());
  if (!args.out_dir.empty()) {
    sandan::write_solution(network, result, args.out_dir);
    std::printf("  solution        %s/solution_bus.csv, solution_branch.csv, summary.json\n",
                args.out_dir.c_str());
  }
  return 0;
}

struct AssignArgs {
  std::string tntp_dir;
  std::string out_dir;
  std::string algorithm = "b";
  double gap = 1e-8;
  int max_iterations = 1000;
  int first_thru_node = 0;
  int threads = 0;
};

// Iterations of an assignment on stderr: at most one line every 0.2 s, and the last one.
class IterationLine {
 public:
  void operator()(const sandan::IterationRecord& record) {
    last_ = record;
    const auto now = std::chrono::steady_clock::now();
    if (printed_ >= 0 && now - printed_at_ < std::chrono::milliseconds(200)) return;
    print(record);
    printed_at_ = now;
  }
  void finish() {
    if (last_ && last_->iteration != printed_) print(*last_);
  }

 private:
  void print(const sandan::IterationRecord& record) {
    std::fprintf(stderr, "sandan: iteration %d  relative gap %.2g  TSTT %.1f\n", record.iteration,
                 record.relative_gap, record.tstt);
    printed_ = record.iteration;
  }

  std::optional<sandan::IterationRecord> last_;
  int printed_ = -1;
  std::chrono::steady_clock::time_point printed_at_;
};

int run_assign(const AssignArgs& args) {
  sandan::AssignmentOptions options;
  options.algorithm = sandan::parse_assignment_algorithm(args.algorithm);
  options.target_gap = args.gap;
  options.max_iterations = args.max_iterations;
  options.threads = args.threads;
  const sandan::TntpCase tntp = sandan::read_tntp_dir(args.tntp_dir, args.first_thru_node);
  const sandan::TrafficNetwork& net = tntp.network;
  std::printf("Network %s: %d zones, %d nodes, %zu links\n", net.name.c_str(), net.zone_count, net.node_count,
              net.links.size());
  std::printf("  total demand    %.10g trips\n", tntp.demand.total());
  if (tntp.intrazonal_dropped > 0.0)
    std::printf("  intrazonal      %.10g trips dropped\n", tntp.intrazonal_dropped);
  std::printf("  algorithm       %s, target relative gap %.3g, at most %d iterations\n",
              sandan::to_string(options.algorithm), options.target_gap, options.max_iterations);
  std::fflush(stdout);

  const std::vector<sandan::DemandClass> demand{{"vehicles", 1.0, tntp.demand}};
  IterationLine progress;
  const sandan::AssignmentResult result = sandan::assign_traffic(
      net, demand, options, [&](const sandan::IterationRecord& record) { progress(record); });
  progress.finish();
  std::printf("  iterations      %d\n", result.iterations);
  std::printf("  relative gap    %.3g\n", result.relative_gap);
  std::printf("  TSTT            %.3f\n", result.tstt);
  std::printf("  objective       %.3f (Beckmann)\n", result.objective);
  std::printf("  time            %.3f s\n", result.seconds);
  std::printf("  converged       %s\n", result.converged ? "yes" : "no");
  if (!result.converged) {
    std::fprintf(stderr, "sandan: note: the target gap %.3g was not reached in %d iterations\n",
                 options.target_gap, result.iterations);
  }
  if (!args.out_dir.empty()) {
    sandan::write_assignment_outputs(net, result, sandan::to_string(options.algorithm), args.out_dir);
    std::printf("  outputs         %s/flows.csv, summary.json\n", args.out_dir.c_str());
  }
  return 0;
}

int run_inspect(const InspectArgs& args) {
  sandan::ReadOptions options;
  options.target_crs = args.crs;
  const sandan::InspectReport report = sandan::inspect_sources(args.sources, options);
  if (report.has_errors()) {
    // Nothing on stdout: a script reading the JSON never sees a report of a broken layout.
    std::size_t errors = 0;
    for (const auto& p : report.problems) errors += p.severity == sandan::Severity::kError ? 1 : 0;
    std::cerr << "sandan: the layout has " << errors << " error(s):\n";
    for (const auto& p : report.problems) std::cerr << "  " << p.to_string() << "\n";
    return static_cast<int>(sandan::ErrorCode::kBadInput);
  }
  std::cout << (args.json ? sandan::to_json(report) : sandan::to_text(report));
  return 0;
}

sandan::VectorFormat output_format(const SynthArgs& args) {
  if (args.format == "gpkg") return sandan::VectorFormat::kGeoPackage;
  if (args.format == "geojson") return sandan::VectorFormat::kGeoJsonFolder;
  if (args.format == "shapefile") return sandan::VectorFormat::kShapefileFolder;
  return sandan::format_from_path(args.output);
}

int run_synth(const SynthArgs& args) {
  sandan::SynthOptions options;
  if (args.scale) options.scale = *args.scale;
  options.total_firms = args.firms;
  options.seed = args.seed;
  sandan::WriteOptions write;
  write.format = output_format(args);
  write.crs = args.crs;
  const auto start = std::chrono::steady_clock::now();
  std::cerr << "sandan: synthesising a layout from " << args.facts << " ...\n";
  const sandan::Site site = sandan::synthesize_to_file(args.facts, args.output, options, write);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "sandan: wrote %s in %.2f s\n", args.output.c_str(), seconds);
  // The summary is read back from what was written, so it also shows the output loads cleanly.
  sandan::ReadOptions read;
  read.target_crs = sandan::kDefaultCrs;
  const sandan::InspectReport report = sandan::inspect_sources({args.output}, read);
  std::cout << sandan::to_text(report);
  std::fprintf(stderr, "sandan: %zu facilities, %zu roads, %zu feeder segments\n", site.facilities.size(),
               site.roads.size(), site.feeders.size());
  return report.has_errors() ? static_cast<int>(sandan::ErrorCode::kInternal) : 0;
}

int run(int argc, char** argv) {
  CLI::App app{"sandan: digital-twin simulation of industrial complexes", "sandan"};
  app.set_version_flag("--version", sandan::version());
  app.require_subcommand(1);

  InspectArgs inspect;
  CLI::App* inspect_cmd = app.add_subcommand(
      "inspect", "Layers, counts, per-complex figures, connectivity and every problem of a GIS layout");
  inspect_cmd
      ->add_option("sources", inspect.sources, "GIS files or folders (GeoPackage, Shapefile, GeoJSON, ...)")
      ->required();
  inspect_cmd->add_flag("--json", inspect.json, "Print one JSON object instead of tables");
  inspect_cmd->add_option("--crs", inspect.crs, "Working CRS (default EPSG:5186)");

  SynthArgs synth;
  CLI::App* synth_cmd = app.add_subcommand(
      "synth", "Synthesise a plausible layout from complex statistics (a facts YAML file)");
  synth_cmd->add_option("facts", synth.facts, "Facts file, e.g. gis_data/complexes.yaml")->required();
  synth_cmd->add_option("-o,--output", synth.output, "Output: a .gpkg file, or a folder with --format")
      ->required();
  auto* scale_opt =
      synth_cmd->add_option("--scale", synth.scale, "Multiply areas, firms and employees by this factor")
          ->check(CLI::PositiveNumber);
  synth_cmd->add_option("--firms", synth.firms, "Total firms wanted (sets the scale)")
      ->check(CLI::PositiveNumber)
      ->excludes(scale_opt);
  synth_cmd->add_option("--seed", synth.seed, "Seed overriding the facts file's");
  synth_cmd->add_option("--format", synth.format, "gpkg, geojson (folder) or shapefile (folder)")
      ->check(CLI::IsMember({"gpkg", "geojson", "shapefile"}));
  synth_cmd->add_option("--crs", synth.crs, "CRS of the output (default EPSG:5186)");

  RunArgs run_args;
  CLI::App* run_cmd = app.add_subcommand(
      "run",
      "Run a scenario: a year of energy flows for every facility, the feeders' power flow and "
      "road traffic (as the scenario asks)");
  run_cmd->add_option("scenario", run_args.scenario, "Scenario file, e.g. scenarios/baseline.yaml")
      ->required();
  run_cmd->add_option("-o,--output", run_args.output, "HDF5 results file (default: none, print only)");
  run_cmd->add_option("-j,--threads", run_args.threads, "Threads (default: every core)")
      ->check(CLI::NonNegativeNumber);
  run_cmd->add_flag("--json", run_args.json, "Print the KPIs as one JSON object instead of tables");

  CompareArgs compare_args;
  CLI::App* compare_cmd = app.add_subcommand(
      "compare",
      "Compare the KPIs of two runs (B against the reference A) and the cost of the tCO2eq abated");
  compare_cmd->add_option("a", compare_args.a, "Reference run: FILE.h5 or FILE.h5:RUN (e.g. the baseline)")
      ->required();
  compare_cmd->add_option("b", compare_args.b, "Alternative run: FILE.h5 or FILE.h5:RUN")->required();
  compare_cmd->add_option("--format", compare_args.format, "table (default), csv, json or markdown")
      ->check(CLI::IsMember({"table", "csv", "json", "markdown"}));

  ExportArgs export_args;
  CLI::App* export_cmd = app.add_subcommand(
      "export",
      "Export a run as GeoPackage layers: facilities with their annual figures, complexes with their "
      "KPIs, road links with their flows and speeds, feeders");
  export_cmd->add_option("results", export_args.run, "Run: FILE.h5 or FILE.h5:RUN")->required();
  export_cmd->add_option("--gpkg", export_args.gpkg, "GeoPackage to write (replaced if it exists)")
      ->required();
  export_cmd->add_option("--site", export_args.site,
                         "Layout the run used (default: the site of the run's scenario)");
  export_cmd->add_option("--crs", export_args.crs, "CRS of the output (default EPSG:5186)");

  WeatherArgs weather_args;
  CLI::App* weather_cmd = app.add_subcommand(
      "weather", "Generate a synthetic typical weather year (EPW) from monthly climate normals");
  weather_cmd
      ->add_option("normals", weather_args.normals, "Normals CSV, e.g. gis_data/weather/incheon_normals.csv")
      ->required();
  weather_cmd->add_option("-o,--output", weather_args.output, "EPW file to write")->required();
  weather_cmd->add_option("--year", weather_args.year, "Year of the rows (default 2026)")
      ->check(CLI::Range(1900, 9999));
  weather_cmd->add_option("--seed", weather_args.seed, "Seed (default 1)");

  PowerflowArgs powerflow_args;
  CLI::App* powerflow_cmd = app.add_subcommand(
      "powerflow", "AC power flow of a case in CSV form (bus.csv, gen.csv, branch.csv, case.json)");
  powerflow_cmd->add_option("case", powerflow_args.case_dir, "Case folder")->required();
  powerflow_cmd->add_option("--out", powerflow_args.out_dir,
                            "Write solution_bus.csv, solution_branch.csv, summary.json here");
  powerflow_cmd
      ->add_option("--method", powerflow_args.method,
                   "auto (sweep if radial, else Newton), nr, nr-dense or bfs")
      ->check(CLI::IsMember({"auto", "nr", "nr-dense", "bfs"}));

  AssignArgs assign_args;
  CLI::App* assign_cmd = app.add_subcommand(
      "assign", "Static user-equilibrium traffic assignment of a TNTP case (*_net.tntp, *_trips.tntp)");
  assign_cmd->add_option("tntp", assign_args.tntp_dir, "Case folder, e.g. a TransportationNetworks folder")
      ->required();
  assign_cmd->add_option("--gap", assign_args.gap, "Target relative gap (default 1e-8)")
      ->check(CLI::PositiveNumber);
  assign_cmd->add_option("--max-iterations", assign_args.max_iterations, "Iteration limit (default 1000)")
      ->check(CLI::PositiveNumber);
  assign_cmd->add_option("--algorithm", assign_args.algorithm,
                         "b (Algorithm B, default) or fw (Frank-Wolfe)");
  assign_cmd
      ->add_option("--first-thru-node", assign_args.first_thru_node,
                   "Override the network's FIRST THRU NODE (1-based; 0 keeps the file's)")
      ->check(CLI::NonNegativeNumber);
  assign_cmd->add_option("--out", assign_args.out_dir, "Write flows.csv and summary.json here");
  assign_cmd->add_option("-j,--threads", assign_args.threads, "Threads (default: every core)")
      ->check(CLI::NonNegativeNumber);

  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // Usage errors are bad input; --help and --version exit 0.
    return code == 0 ? 0 : static_cast<int>(sandan::ErrorCode::kBadInput);
  }

  try {
    if (*inspect_cmd) return run_inspect(inspect);
    if (*synth_cmd) return run_synth(synth);
    if (*run_cmd) return run_run(run_args, command);
    if (*compare_cmd) return run_compare(compare_args);
    if (*export_cmd) return run_export(export_args);
    if (*weather_cmd) return run_weather(weather_args);
    if (*powerflow_cmd) return run_powerflow(powerflow_args);
    if (*assign_cmd) return run_assign(assign_args);
  } catch (const sandan::Error& e) {
    std::cerr << "sandan: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "sandan: internal error: " << e.what() << "\n";
    return static_cast<int>(sandan::ErrorCode::kInternal);
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "sandan: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "sandan: internal error\n";
  }
  return static_cast<int>(sandan::ErrorCode::kInternal);
}
