// sandan: the command line. Each subcommand parses its options into a struct, calls the facade once,
// and prints a summary on stdout; errors go to stderr as one message and become the exit code of
// their sandan::ErrorCode (2 for bad input).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
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
