// Layout pipeline benchmark: synthesise the five complexes at several scales, write them as a
// GeoPackage, read them back, and build the road graph, its strongly connected components, the
// feeder trees and the facility attachments. Prints seconds per stage and per-feature rates.
//
// Usage: bench_layout [FACTS.yaml] [SCALE ...]   (defaults: gis_data/complexes.yaml, scales 1 10)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "sandan.hpp"
#include "site/topology.hpp"

namespace {
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

int main(int argc, char** argv) {
  const std::string facts_path = argc > 1 ? argv[1] : "gis_data/complexes.yaml";
  std::vector<double> scales;
  for (int i = 2; i < argc; ++i) scales.push_back(std::stod(argv[i]));
  if (scales.empty()) scales = {1.0, 10.0};
  const sandan::SiteFacts facts = sandan::read_site_facts(facts_path);
  const auto dir = std::filesystem::temp_directory_path() / "sandan_bench_layout";
  std::filesystem::create_directories(dir);
  std::printf("%6s %9s %9s %8s %9s | %8s %8s %8s %8s %8s %8s\n", "scale", "facil.", "roads", "segments",
              "firms", "synth s", "write s", "read s", "graph s", "scc s", "attach s");
  for (const double scale : scales) {
    sandan::SynthOptions options;
    options.scale = scale;
    auto t = std::chrono::steady_clock::now();
    const sandan::Site site = sandan::synthesize_site(facts, options);
    const double synth_s = seconds_since(t);
    const std::string path =
        (dir / ("layout_x" + std::to_string(static_cast<int>(scale)) + ".gpkg")).string();
    t = std::chrono::steady_clock::now();
    sandan::write_site(site, path);
    const double write_s = seconds_since(t);
    t = std::chrono::steady_clock::now();
    const sandan::Site loaded = sandan::load_site({path});
    const double read_s = seconds_since(t);
    t = std::chrono::steady_clock::now();
    const sandan::RoadGraph graph = sandan::build_road_graph(loaded);
    const double graph_s = seconds_since(t);
    t = std::chrono::steady_clock::now();
    const sandan::Components scc = sandan::strongly_connected_components(graph);
    const double scc_s = seconds_since(t);
    t = std::chrono::steady_clock::now();
    const sandan::FeederTopology feeders = sandan::build_feeder_topology(loaded);
    const sandan::Attachments attach = sandan::attach_facilities(loaded, graph, feeders);
    const double attach_s = seconds_since(t);
    long long firms = 0;
    for (const auto& f : loaded.facilities) firms += f.firms;
    std::printf("%6.0f %9zu %9zu %8zu %9lld | %8.3f %8.3f %8.3f %8.4f %8.4f %8.4f   (%d SCC, %zu attached)\n",
                scale, loaded.facilities.size(), loaded.roads.size(), loaded.feeders.size(), firms, synth_s,
                write_s, read_s, graph_s, scc_s, attach_s, scc.count, attach.road_node.size());
    std::filesystem::remove(path);
  }
  return 0;
}
