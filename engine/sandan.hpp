// sandan: the facade the command line and the Python bindings use. Everything here is a thin call
// into the modules; see each module's header for units, CRS and what is thrown.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "energy/weather.hpp"
#include "energy/weather_synth.hpp"
#include "gis/inspect.hpp"
#include "gis/reader.hpp"
#include "gis/synth.hpp"
#include "gis/writer.hpp"
#include "io/compare.hpp"
#include "io/run_layers.hpp"
#include "sandan_solvers.hpp"
#include "scenario/batch_analysis.hpp"
#include "scenario/kpi_catalogue.hpp"
#include "scenario/results.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "site/site.hpp"
#include "twin/calibrate.hpp"
#include "twin/forecast.hpp"
#include "twin/ingest.hpp"
#include "twin/measured.hpp"
#include "view/server.hpp"

namespace sandan {

// Synthesises a layout from a facts file and writes it. Returns the Site written (in EPSG:5186).
// Throws ConfigError for a bad facts file, Error(kIo) if the output cannot be written.
Site synthesize_to_file(const std::string& facts_path, const std::string& output_path,
                        const SynthOptions& synth_options, const WriteOptions& write_options);

// Runs a scenario file and, if output_path is not empty, writes its results to an HDF5 file
// (schema sandan-results v1) that appears only when complete. command is stored in the file.
// Throws ConfigError for bad input, Error(kIo) if the results cannot be written.
RunResult run_scenario_file(const std::string& scenario_path, const std::string& output_path,
                            const std::string& command, const RunOptions& options);

// The same for a scenario already read (e.g. changed with with_settings). Throws Error(kBadInput)
// for a batch.
RunResult run_scenario_spec(const ScenarioSpec& spec, const std::string& output_path,
                            const std::string& command, const RunOptions& options);

// Writes the dynamic loading case (schema sandan-dnl-case v1) of a scenario's `traffic.dynamic`
// window into `dir`: the network, zones and the vehicles with their routes that a run would simulate
// (for comparisons with other tools, e.g. bench/sumo). Throws ConfigError for bad input or a scenario
// without the window, Error(kIo) when dir cannot be written.
DnlCase write_scenario_dnl_case(const std::string& scenario_path, const std::string& dir);

// What a batch (a scenario with `sweep` or `monte_carlo`) ran: every run's id, swept values and KPIs.
struct BatchSummary {
  std::string scenario;
  std::string output;
  int runs = 0;     // in the batch
  int skipped = 0;  // finished by an earlier, stopped attempt (resumed)
  std::vector<std::string> run_ids;
  std::vector<std::string> parameters;             // JSON, by run
  std::vector<std::vector<Kpi>> kpis;              // by run (empty for a skipped run)
  std::optional<UncertaintyAnalysis> uncertainty;  // an uncertainty batch's percentiles and indices
  std::optional<MaccAnalysis> macc;                // a MACC batch's curve
};

// Whether a scenario file asks for more than one run.
[[nodiscard]] bool is_batch(const std::string& scenario_path);
[[nodiscard]] bool is_batch(const ScenarioSpec& spec);

// Runs a batch in parallel over its runs; with output_path, each finished run is kept in
// `<output>.parts` until all are done and then merged into the results file (a stopped batch run
// again skips the runs it finished). on_run is called after every run with (done, to do).
BatchSummary run_batch_file(const std::string& scenario_path, const std::string& output_path,
                            const std::string& command, const RunOptions& options,
                            const std::function<void(int done, int total)>& on_run = {});
// The same for a scenario already read; one that is not a batch runs as a batch of one.
BatchSummary run_batch_spec(const ScenarioSpec& spec, const std::string& output_path,
                            const std::string& command, const RunOptions& options,
                            const std::function<void(int done, int total)>& on_run = {});

// Processes that share one batch, e.g. the ranks of an MPI job (mpi/batch_group.hpp). Process 0
// leads: it opens the results file and decides which runs an earlier attempt finished, gets every
// run's KPIs and merges the runs into the results file once all processes are done. Calls marked
// collective are made by every process, in the same order.
class BatchGroup {
 public:
  struct Failure {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
  };
  BatchGroup() = default;
  virtual ~BatchGroup() = default;
  BatchGroup(const BatchGroup&) = delete;
  BatchGroup& operator=(const BatchGroup&) = delete;

  [[nodiscard]] virtual int rank() const = 0;  // 0 leads
  [[nodiscard]] virtual int size() const = 0;
  // Collective: the failure of the lowest-ranked process that failed, on every process (its message
  // names the process when that is not 0); nullopt when none did.
  virtual std::optional<Failure> agree(const std::optional<Failure>& mine) = 0;
  // Collective: the leader's text, on every process.
  virtual std::string broadcast(const std::string& from_leader) = 0;
  // Collective: every process's text on the leader, by rank; nothing on the others.
  virtual std::vector<std::string> gather(const std::string& mine) = 0;
  // Collective: starts handing out the indices 0 … total − 1, each once, to whichever process asks.
  virtual void start_runs(std::size_t total) = 0;
  // The next index, or nullopt when all are handed out. Called by one thread at a time.
  virtual std::optional<std::size_t> next() = 0;
  // The indices handed out so far to all processes, as far as this process knows (the leader knows).
  [[nodiscard]] virtual std::size_t handed_out() const = 0;
  // This process draws no more; the leader waits until every process has stopped drawing.
  virtual void end_runs() = 0;
};

// A batch shared by the processes of `group`: each process makes the runs it draws, with its own
// threads (options.threads), and keeps them in `<output>.parts` (a folder every process must reach);
// the leader then merges them into one results file, identical to one process's. Only the leader's
// summary has every run's KPIs; on_run is called on the leader only, with the runs handed out so far
// and the runs to do. Every process throws the same Error when any process fails (finished runs stay
// in `<output>.parts` for the next attempt).
BatchSummary run_batch_shared(const std::string& scenario_path, const std::string& output_path,
                              const std::string& command, const RunOptions& options, BatchGroup& group,
                              const std::function<void(int started, int total)>& on_run = {});

// Generates a synthetic typical year from monthly climate normals and writes it as an EPW file.
// Throws ConfigError for a bad normals file, Error(kIo) if the file cannot be written.
Weather synthesize_weather_file(const std::string& normals_path, const std::string& output_path, int year,
                                std::uint64_t seed);

struct ExportOptions {
  std::string site;               // the layout; empty: the one the run's scenario names (`site:`)
  std::string crs = kDefaultCrs;  // of the output
};

// What an export wrote.
struct ExportSummary {
  std::string file;  // the results file
  std::string run;   // the run exported
  std::string site;  // the layout the geometry came from
  std::string output;
  std::string crs;
  std::vector<WrittenLayer> layers;
};

// Exports a run of a results file as a GeoPackage (docs/export.md): facilities with their annual
// figures, complexes with their KPIs, and road links with their flows and speeds and feeders with
// their summary when the run has traffic and the grid. The geometry comes from the layout the run
// used: options.site, else the `site` of the run's scenario (relative to the folder the run ran in;
// tried from the current folder, then the results file's folder and its parent).
// Throws Error(kBadInput) for a missing or foreign results file, an unknown run, a layout that cannot
// be read or does not match the run (nothing is written then), Error(kIo) if the output cannot be
// written.
ExportSummary export_gpkg(const RunRef& run, const std::string& output_path,
                          const ExportOptions& options = {});
// The same for FILE.h5 or FILE.h5:RUN, as the command line takes it.
ExportSummary export_gpkg(const std::string& run, const std::string& output_path,
                          const ExportOptions& options = {});

// Run b against the reference run a (each FILE.h5 or FILE.h5:RUN, as the command line takes them):
// KPI deltas, tCO2eq abated and KRW per tCO2eq (format it with format_comparison). Throws
// Error(kBadInput) for a file that is not a sandan results file or a run it does not have.
//
// Attribution (docs/economics.md): when the runs' backgrounds differ (year, grid factor, tariff, load
// growth, ...), the counterfactual C (B's background with A's interventions, both as stored in the
// files) is run in memory, or read from options.counterfactual, and the headline is the
// interventions' share. When C cannot be run here (its input files are not where the stored scenario
// says), the comparison says so and carries C's scenario to run (status kCounterfactualNeeded).
struct CompareOptions {
  bool attribute = true;
  std::string counterfactual;  // FILE.h5[:RUN] of C, run elsewhere; empty: run it here
  int threads = 0;             // for the counterfactual's runs
  // Asked between the counterfactual's stages and runs; true stops them (Cancelled is thrown), as
  // RunOptions::cancelled. Python's Ctrl-C sets it.
  std::function<bool()> cancelled;
};
[[nodiscard]] Comparison compare_files(const std::string& a, const std::string& b,
                                       const CompareOptions& options = {});
[[nodiscard]] Comparison compare_files(const RunRef& a, const RunRef& b, const CompareOptions& options = {});

// Reads and checks a GIS layout (one or more sources) in the working CRS `crs` and reports its
// layers, counts, per-complex figures, connectivity and every problem found (docs/gis-schema.md).
[[nodiscard]] InspectReport inspect_layout(const std::vector<std::string>& sources,
                                           const std::string& crs = kDefaultCrs);

// What `sandan forecast` and sandan.forecast() take (docs/twin.md, "Forecast").
struct ForecastRequest {
  std::string calibration;  // calibration file (YAML, schema sandan-calibration)
  std::string measured;     // measured file (HDF5, /measured)
  std::string from;         // the first forecast hour, KST: YYYY-MM-DD (00:00) or YYYY-MM-DDTHH
  int hours = 48;
  // Weather for the temperatures (and the PV forecast): a forecast EPW, or a typical year standing in
  // for one. Empty: the calibration's weather file, else the repository's typical year.
  std::string weather;
  std::string holidays;  // empty: the repository's gis_data/calendar/holidays_kr.csv
  std::string site;      // the layout (facility → complex); empty: the repository's gis_data/incheon.gpkg
  std::string output;    // forecast file (HDF5, /forecast) to write; empty: none
  // Asked between the files read, between the facilities forecast and before writing: true stops
  // the forecast with Error(kInterrupted) and nothing written (the Python bindings set it on Ctrl-C;
  // the command line's SIGINT and SIGTERM stop it at the same points). Cheap and thread-safe.
  std::function<bool()> cancelled;
};

// Reads the files, forecasts (twin/forecast.hpp) and writes request.output if given. A default file
// of the repository is looked for in the current folder, the calibration file's folder and the
// program's folder, and each of their parents. Throws Error(kBadInput) naming the file and the fix
// for bad input (nothing is written then), Error(kIo) if the output cannot be written.
[[nodiscard]] Forecast forecast_files(const ForecastRequest& request, const std::string& command);

// A table of a run's KPIs, one row a complex and one for all together.
[[nodiscard]] std::string kpi_table(const RunResult& run);

}  // namespace sandan
