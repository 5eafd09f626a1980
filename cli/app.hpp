// cli/app: the command line's subcommands and options, shared by the two programs of the CLI: `sandan`
// (parses every subcommand, solves `powerflow`, `assign` and `dnl CASE` itself and hands the others on) and
// `sandan-full` (every subcommand). One definition keeps --help, usage errors and exit codes alike.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "site/site.hpp"

namespace sandan::cli {

struct InspectArgs {
  std::vector<std::string> sources;
  bool json = false;
  std::string crs = kDefaultCrs;
};

struct SynthArgs {
  std::string facts;
  std::string output;
  std::optional<double> scale;
  std::optional<long> firms;
  std::optional<std::uint64_t> seed;
  std::string format;  // "", gpkg, geojson, shapefile
  std::string crs = kDefaultCrs;
};

struct RunArgs {
  std::string scenario;
  std::string output;
  int threads = 0;
  bool json = false;
};

struct CompareArgs {
  std::string a;
  std::string b;
  std::string format = "table";
  std::string counterfactual;
  bool no_attribution = false;
  int threads = 0;
};

struct ExportArgs {
  std::string run;  // FILE or FILE:RUN
  std::string gpkg;
  std::string site;
  std::string crs = kDefaultCrs;
};

struct WeatherArgs {
  std::string normals;
  std::string output;
  int year = 2026;
  std::uint64_t seed = 1;
};

struct ForecastArgs {
  std::string calibration;
  std::string measured;
  std::string from;
  int hours = 48;
  std::string weather;
  std::string holidays;
  std::string site;
  std::string output;
  bool json = false;
};

struct ServeArgs {
  std::vector<std::string> results;
  std::string measured;
  std::string site;
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string lang = "ko";
  double vc_alarm = 0.9;
  std::string assets;
};

struct PowerflowArgs {
  std::string case_dir;
  std::string out_dir;
  std::string method = "auto";
};

struct AssignArgs {
  std::string tntp_dir;
  std::string out_dir;
  std::string algorithm = "b";
  double gap = 1e-8;
  int max_iterations = 1000;
  int first_thru_node = 0;
  int threads = 0;
};

struct DnlArgs {
  std::string case_dir;
  std::string out_dir;
  std::string scenario;
  std::string write_case;
};

struct IngestArgs {
  std::vector<std::string> data;
  std::string map;
  std::string output;
  std::string site;
  std::string timezone;
  std::string stamps = "auto";
  int interval = 0;
  int max_gap = 4;
  bool no_unit_repair = false;
  std::string unit;
  int threads = 0;
  bool json = false;
};

struct CalibrateArgs {
  std::string measured;
  std::string site;
  std::string output;
  std::string weather;
  std::string holidays;
  std::string loads;
  std::optional<int> year;
  std::string holdout;
  int threads = 0;
  bool json = false;
};

// The parser and where each subcommand's options land. Not copyable: the parser keeps pointers to
// the members.
struct App {
  App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Parses argv. Returns the exit code when the program should stop here (usage error: 2 after the
  // message; --help and --version: 0), nullopt to go on. `quiet` keeps the messages back (every rank
  // but the first of a launcher would print the same).
  std::optional<int> parse(int argc, char** argv, bool quiet);
  // The message of a usage error: "sandan: error: " and CLI11's text (which names the option, and
  // the valid choices or range for a bad value), then where to read the subcommand's options.
  [[nodiscard]] std::string usage_error(int argc, char** argv, const std::string& what) const;

  CLI::App app{"sandan: digital-twin simulation of industrial complexes", "sandan"};
  InspectArgs inspect;
  SynthArgs synth;
  RunArgs run;
  CompareArgs compare;
  ExportArgs export_args;
  WeatherArgs weather;
  ForecastArgs forecast;
  PowerflowArgs powerflow;
  AssignArgs assign;
  DnlArgs dnl;
  IngestArgs ingest;
  CalibrateArgs calibrate;
  ServeArgs serve;
  CLI::App* inspect_cmd = nullptr;
  CLI::App* synth_cmd = nullptr;
  CLI::App* run_cmd = nullptr;
  CLI::App* compare_cmd = nullptr;
  CLI::App* export_cmd = nullptr;
  CLI::App* weather_cmd = nullptr;
  CLI::App* forecast_cmd = nullptr;
  CLI::App* powerflow_cmd = nullptr;
  CLI::App* assign_cmd = nullptr;
  CLI::App* dnl_cmd = nullptr;
  CLI::App* ingest_cmd = nullptr;
  CLI::App* calibrate_cmd = nullptr;
  CLI::App* serve_cmd = nullptr;
};

// The processes a launcher (mpirun, srun) started this one among, from its environment, without MPI:
// Open MPI's OMPI_COMM_WORLD_RANK/SIZE, PMI_RANK/SIZE (MPICH's Hydra, Slurm's PMI-2), or PMIX_RANK with
// SLURM_NTASKS (Slurm's PMIx). One process of rank 0 when none is set.
struct Launch {
  int rank = 0;
  int size = 1;
};
[[nodiscard]] Launch launch_from_environment();

// Runs a command as both programs' main does: a sandan::Error becomes "sandan: error: …" on stderr and
// its code; any other exception an internal error (code 4).
int guarded(const std::function<int()>& command);

// The exit code of an error: its code, or 128 + the signal (130 SIGINT, 143 SIGTERM) when a signal
// stopped the command (ErrorCode::kInterrupted).
[[nodiscard]] int exit_code_of(const sandan::Error& error);

// Problems as the CLI prints them, one a line and indented: at most `most`, then "and N more".
[[nodiscard]] std::string capped_problems(const std::vector<std::string>& problems, std::size_t most = 50);

// The command line as one string, stored in results files.
[[nodiscard]] std::string command_line(int argc, char** argv);

}  // namespace sandan::cli
