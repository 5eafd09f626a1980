// sandan-full: every subcommand of the command line, with the whole engine (GIS, HDF5 and, when built
// with it, MPI). `sandan` hands it the subcommands it does not solve itself (cli/main.cpp). Each
// subcommand parses its options into a struct, calls the facade once, and prints a summary on stdout;
// errors go to stderr as one message and become the exit code of their sandan::ErrorCode.
//
// Started by a launcher as several processes (mpirun -n N, srun), a batch of `run` is shared by the
// ranks (built with MPI) or refused (built without); every other subcommand, and a run that is not a
// batch, is done once, by rank 0, while the other ranks exit 0.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app.hpp"
#include "core/interrupt.hpp"
#include "sandan.hpp"
#include "solver_commands.hpp"
#ifdef SANDAN_WITH_MPI
#include "mpi/batch_group.hpp"
#endif

namespace sandan::cli {
namespace {

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

// What a batch made: one line a run with its swept values and headline KPIs (or the KPIs as JSON).
// `where` says how it was run, e.g. " on 4 MPI ranks".
// The percentiles of every output, then the inputs ranked by their total Sobol' index (or Morris'
// mu*) on the first output with a range: abatement when there is a reference.
void print_uncertainty(const sandan::UncertaintyAnalysis& a) {
  std::printf("\nUncertainty (%s, %zu samples): P10 / P50 / P90\n", a.method.c_str(), a.sample_runs.size());
  for (std::size_t o = 0; o < a.outputs.size(); ++o) {
    std::printf("  %-28s %16.6g %16.6g %16.6g  %s\n", a.outputs[o].c_str(), a.p10[o], a.p50[o], a.p90[o],
                a.output_units[o].c_str());
  }
  if (a.sensitivity.empty()) return;
  const auto it = std::find(a.outputs.begin(), a.outputs.end(), std::string(sandan::kAbatedOutput));
  const std::size_t o = it != a.outputs.end() ? static_cast<std::size_t>(it - a.outputs.begin()) : 0;
  const std::size_t k = a.inputs.size();
  const bool sobol = a.sensitivity == "sobol";
  const std::vector<double>& measure = sobol ? a.total : a.mu_star;
  std::vector<std::size_t> order(k);
  for (std::size_t i = 0; i < k; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t x, std::size_t y) { return measure[o * k + x] > measure[o * k + y]; });
  std::printf("\nSensitivity of %s (%s)\n", a.outputs[o].c_str(),
              sobol ? "Sobol' first / total index" : "Morris mu* / sigma");
  for (const std::size_t i : order) {
    const double first = sobol ? a.first[o * k + i] : a.mu_star[o * k + i];
    const double second = sobol ? a.total[o * k + i] : a.sigma[o * k + i];
    std::printf("  %-44s %12.4g %12.4g\n", a.inputs[i].c_str(), first, second);
  }
}

// The curve: each intervention alone in increasing cost per tonne, the package and the interaction.
void print_macc(const sandan::MaccAnalysis& m) {
  std::printf("\nMarginal abatement cost (against %s; a year)\n", m.reference_run.c_str());
  std::printf("  %-34s %14s %18s %14s\n", "intervention", "tCO2eq abated", "net cost MKRW", "KRW/tCO2eq");
  for (std::size_t i = 0; i < m.intervention.size(); ++i) {
    std::printf("  %-34s %14.0f %18.0f %14.0f\n", m.intervention[i].c_str(), m.tco2e_abated[i],
                m.net_annual_cost_krw[i] / 1e6, m.krw_per_tco2e_net[i]);
  }
}

void print_batch(const RunArgs& args, const sandan::BatchSummary& batch, double seconds,
                 const std::string& where) {
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
    if (batch.uncertainty) print_uncertainty(*batch.uncertainty);
    if (batch.macc) print_macc(*batch.macc);
    if (!args.output.empty())
      std::printf("\nResults: %s (one group a run under runs/, /index%s)\n", args.output.c_str(),
                  batch.uncertainty ? ", /uncertainty" : (batch.macc ? ", /macc" : ""));
  }
  std::fprintf(stderr, "sandan: ran %d runs of %s in %.2f s (%.1f runs a minute)%s\n",
               batch.runs - batch.skipped, args.scenario.c_str(), seconds,
               60.0 * (batch.runs - batch.skipped) / std::max(seconds, 1e-9), where.c_str());
}

// A batch in this process: the runs' progress with an ETA, then the table.
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
  print_batch(args, batch, seconds, "");
  return 0;
}

// One scenario that is not a batch: its progress, then its tables.
int run_single(const RunArgs& args, const std::string& command) {
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

#ifdef SANDAN_WITH_MPI
// `run` under an MPI launcher. A batch is shared by the ranks: each draws runs from one counter and
// makes them with its own threads (-j); rank 0 merges the results file and prints. A run that is
// not a batch is made by rank 0 while the others wait. Every rank exits with the same code.
int run_run_mpi(const RunArgs& args, const std::string& command, int* argc, char*** argv) {
  sandan::mpi::Group group(argc, argv);
  const bool leader = group.rank() == 0;
  std::optional<sandan::BatchGroup::Failure> failure;
  bool batch = false;
  try {
    batch = sandan::is_batch(args.scenario);
  } catch (const sandan::Error& e) {
    failure = sandan::BatchGroup::Failure{e.code(), e.what()};
  } catch (const std::exception& e) {
    failure =
        sandan::BatchGroup::Failure{sandan::ErrorCode::kInternal, std::string("internal error: ") + e.what()};
  }
  if (const auto first = group.agree(failure)) {
    if (leader) std::cerr << "sandan: error: " << first->message << "\n";
    return static_cast<int>(first->code);
  }
  if (!batch) {
    const int code = leader ? guarded([&] { return run_single(args, command); }) : 0;
    std::optional<sandan::BatchGroup::Failure> mine;
    if (code != 0) mine = sandan::BatchGroup::Failure{static_cast<sandan::ErrorCode>(code), ""};
    const auto first = group.agree(mine);
    return first ? static_cast<int>(first->code) : 0;
  }
  sandan::RunOptions options;
  options.threads = args.threads;
  ProgressLine progress;
  std::function<void(int, int)> on_run;
  if (leader) {
    on_run = [&](int started, int total) {
      progress("run " + std::to_string(started) + " of " + std::to_string(total) + " drawn",
               double(started) / total);
    };
  }
  const auto start = std::chrono::steady_clock::now();
  sandan::BatchSummary summary;
  try {
    summary = sandan::run_batch_shared(args.scenario, args.output, command, options, group, on_run);
  } catch (const sandan::Error& e) {
    // Every rank has the same error; rank 0 tells it.
    if (leader) std::cerr << "sandan: error: " << e.what() << "\n";
    return exit_code_of(e);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (leader) print_batch(args, summary, seconds, " on " + std::to_string(group.size()) + " MPI ranks");
  return 0;
}
#endif

// `run`: one scenario, or a batch over this process's threads or, under a launcher, its ranks.
int run_run(const RunArgs& args, const std::string& command, const Launch& launch, int* argc, char*** argv) {
  if (launch.size > 1) {
#ifdef SANDAN_WITH_MPI
    return run_run_mpi(args, command, argc, argv);
#else
    (void)argc;
    (void)argv;
    if (!sandan::is_batch(args.scenario)) return launch.rank == 0 ? run_single(args, command) : 0;
    // Each rank would make the whole batch and write the same files. Rank 0 refuses; the others
    // exit 0 so that the launcher does not end the job before rank 0 has spoken.
    if (launch.rank != 0) return 0;
    std::cerr << "sandan: error: this sandan was built without MPI support, but it was started as "
              << launch.size
              << " processes (mpirun, srun); run the batch as one process (its threads: -j), or build "
                 "sandan with MPI (Debian: libopenmpi-dev; cmake -DSANDAN_MPI=ON)\n";
    return static_cast<int>(sandan::ErrorCode::kBadInput);
#endif
  }
  (void)argc;
  (void)argv;
  return sandan::is_batch(args.scenario) ? run_batch(args, command) : run_single(args, command);
}

int run_compare(const CompareArgs& args) {
  sandan::CompareOptions options;
  options.attribute = !args.no_attribution;
  options.counterfactual = args.counterfactual;
  options.threads = args.threads;
  const sandan::Comparison comparison = sandan::compare_files(args.a, args.b, options);
  std::cout << sandan::format_comparison(comparison, args.format);
  // CSV holds numbers only; the other formats carry the warnings themselves.
  if (args.format == "csv") {
    for (const auto& w : comparison.warnings) std::cerr << "sandan: warning: " << w << "\n";
    if (comparison.attribution.status == sandan::AttributionStatus::kCounterfactualNeeded)
      std::cerr << "sandan: warning: " << comparison.attribution.message << "\n";
  }
  return 0;
}

int run_export(const ExportArgs& args) {
  sandan::ExportOptions options;
  options.site = args.site;
  options.crs = args.crs;
  const auto start = std::chrono::steady_clock::now();
  const sandan::ExportSummary summary = sandan::export_gpkg(args.run, args.gpkg, options);
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

int run_ingest(const IngestArgs& args) {
  sandan::IngestRequest request;
  request.data_files = args.data;
  request.map_path = args.map;
  request.output = args.output;
  request.site = args.site;
  request.timezone = args.timezone;
  request.stamps = args.stamps;
  request.interval_minutes = args.interval;
  request.max_gap = args.max_gap;
  request.unit_repair = !args.no_unit_repair;
  request.unit = args.unit;
  request.threads = args.threads;
  const auto start = std::chrono::steady_clock::now();
  const sandan::IngestReport report = sandan::ingest(request);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << (args.json ? sandan::ingest_report_json(report) : sandan::ingest_report_text(report));
  std::fprintf(stderr, "sandan: ingested %zu meter(s) in %.2f s\n", report.result.data.meters.size(),
               seconds);
  return 0;
}

int run_forecast(const ForecastArgs& args, const std::string& command) {
  sandan::ForecastRequest request;
  request.calibration = args.calibration;
  request.measured = args.measured;
  request.from = args.from;
  request.hours = args.hours;
  request.weather = args.weather;
  request.holidays = args.holidays;
  request.site = args.site;
  request.output = args.output;
  const auto start = std::chrono::steady_clock::now();
  const sandan::Forecast forecast = sandan::forecast_files(request, command);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << (args.json ? sandan::forecast_json(forecast, args.output)
                          : sandan::forecast_text(forecast, args.output));
  std::fprintf(stderr, "sandan: forecast %zu facilities in %.2f s\n", forecast.facilities.size(), seconds);
  return 0;
}

int run_calibrate(const CalibrateArgs& args) {
  sandan::CalibrationOptions options;
  options.year = args.year;
  options.threads = args.threads;
  if (!args.holdout.empty()) {
    options.holdout = sandan::parse_holdout(args.holdout);
    if (!options.holdout) {
      std::cerr << "sandan: error: --holdout " << args.holdout
                << ": must be FROM/TO, two dates YYYY-MM-DD with FROM <= TO, e.g. 2018-08-01/2018-09-30\n";
      return static_cast<int>(sandan::ErrorCode::kBadInput);
    }
    options.holdout_text = args.holdout;
  }
  sandan::CalibrateFiles files;
  files.measured = args.measured;
  files.site = args.site;
  files.output = args.output;
  files.weather = args.weather;
  files.holidays = args.holidays;
  files.loads = args.loads;
  const auto start = std::chrono::steady_clock::now();
  const sandan::CalibrationOutcome outcome = sandan::calibrate_files(files, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << (args.json ? sandan::calibration_json(outcome.report)
                          : sandan::calibration_table(outcome.report));
  if (!args.json) std::cout << "\nCalibration: " << args.output << "\n";
  std::fprintf(stderr, "sandan: calibrated %zu meter(s) in %.2f s\n", outcome.report.meters.size(), seconds);
  return 0;
}

int run_inspect(const InspectArgs& args) {
  const sandan::InspectReport report = sandan::inspect_layout(args.sources, args.crs);
  if (report.has_errors()) {
    // Nothing on stdout: a script reading the JSON never sees a report of a broken layout.
    std::size_t errors = 0;
    for (const auto& p : report.problems) errors += p.severity == sandan::Severity::kError ? 1 : 0;
    std::cerr << "sandan: error: the layout has " << errors << " error(s):\n";
    std::vector<std::string> lines = sandan::grouped_problems(report.problems, sandan::Severity::kError);
    for (std::string& w : sandan::grouped_problems(report.problems, sandan::Severity::kWarning))
      lines.push_back(std::move(w));
    std::cerr << capped_problems(lines);
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
  const sandan::InspectReport report = sandan::inspect_layout({args.output});
  std::cout << sandan::to_text(report);
  std::fprintf(stderr, "sandan: %zu facilities, %zu roads, %zu feeder segments\n", site.facilities.size(),
               site.roads.size(), site.feeders.size());
  return report.has_errors() ? static_cast<int>(sandan::ErrorCode::kInternal) : 0;
}

int run_serve(const ServeArgs& args) {
  sandan::ServeOptions options;
  options.view.results = args.results;
  options.view.measured = args.measured;
  options.view.site = args.site;
  options.view.lang = args.lang;
  options.view.vc_alarm = args.vc_alarm;
  options.host = args.host;
  options.port = args.port;
  options.assets = args.assets;
  if (args.host != "127.0.0.1" && args.host != "localhost" && args.host != "::1") {
    std::fprintf(stderr,
                 "sandan: warning: listening on %s: other machines that reach it can read these results "
                 "(the view has no login); the default 127.0.0.1 serves this machine only\n",
                 args.host.c_str());
  }
  sandan::install_interrupt_handlers();
  const auto start = std::chrono::steady_clock::now();
  sandan::serve(options, std::cout, nullptr);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "sandan: stopped after %.0f s\n", seconds);
  return 0;
}

// `sandan dnl --scenario S --write-case DIR`: the case a run of S would simulate at shift change.
int run_dnl_write_case(const DnlArgs& args) {
  const sandan::DnlCase dnl = sandan::write_scenario_dnl_case(args.scenario, args.write_case);
  std::printf("Case %s: %zu nodes, %zu links, %zu zones, %zu vehicles, %.0f-%.0f s\n", dnl.name.c_str(),
              dnl.nodes.size(), dnl.links.size(), dnl.zones.size(), dnl.vehicles.size(), dnl.start_s,
              dnl.end_s);
  std::printf("  written         %s (case.yaml, nodes.csv, links.csv, zones.csv, vehicles.csv)\n",
              args.write_case.c_str());
  return 0;
}

}  // namespace
}  // namespace sandan::cli

int main(int argc, char** argv) {
  using namespace sandan::cli;
  return guarded([&] {
    const Launch launch = launch_from_environment();
    App cli;
    // Every rank of a launcher would print the same usage error: rank 0 does, and exits with its
    // code. The others exit 0, so that the launcher does not end the job before rank 0 has spoken.
    if (const auto code = cli.parse(argc, argv, launch.rank != 0)) return launch.rank == 0 ? *code : 0;
    const std::string command = command_line(argc, argv);
    if (*cli.run_cmd) {
      // SIGINT and SIGTERM stop a run between its stages, and a batch between its runs, keeping its
      // finished runs (docs/reliability.md); ingest, calibrate and forecast stop between their
      // phases (below); the other commands end at once on a signal.
      sandan::install_interrupt_handlers();
      // Under MPI every rank takes part (and reports through rank 0); without it only rank 0 speaks.
      try {
        return run_run(cli.run, command, launch, &argc, &argv);
      } catch (const sandan::Error& e) {
        // Without MPI every rank meets the same error (reading the scenario): rank 0 tells it.
        if (launch.rank != 0) return 0;
        std::cerr << "sandan: error: " << e.what() << "\n";
        return exit_code_of(e);
      }
    }
    // Everything else is done once, by rank 0.
    if (launch.rank != 0) return 0;
    if (*cli.inspect_cmd) return run_inspect(cli.inspect);
    // ingest, calibrate and forecast stop the same way, between their files, meters and phases, with
    // nothing written (their engine calls ask interrupt_signal() at each stopping point).
    if (*cli.ingest_cmd || *cli.calibrate_cmd || *cli.forecast_cmd) sandan::install_interrupt_handlers();
    if (*cli.ingest_cmd) return run_ingest(cli.ingest);
    if (*cli.calibrate_cmd) return run_calibrate(cli.calibrate);
    if (*cli.synth_cmd) return run_synth(cli.synth);
    if (*cli.compare_cmd) return run_compare(cli.compare);
    if (*cli.export_cmd) return run_export(cli.export_args);
    if (*cli.weather_cmd) return run_weather(cli.weather);
    if (*cli.forecast_cmd) return run_forecast(cli.forecast, command);
    if (*cli.serve_cmd) return run_serve(cli.serve);
    if (*cli.powerflow_cmd) return run_powerflow(cli.powerflow);
    if (*cli.assign_cmd) return run_assign(cli.assign);
    if (*cli.dnl_cmd) return cli.dnl.scenario.empty() ? run_dnl(cli.dnl) : run_dnl_write_case(cli.dnl);
    return 0;
  });
}
