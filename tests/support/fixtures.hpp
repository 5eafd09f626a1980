// Test fixtures: a tiny, hand-checkable layout built inline, written as GeoJSON text so each
// bad-input test can break exactly one thing.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>

namespace sandan::test {

// A fresh empty folder under the system temp folder, removed when the object goes.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    path_ =
        std::filesystem::temp_directory_path() / ("sandan_test_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::string str(const std::string& child = "") const {
    return child.empty() ? path_.string() : (path_ / child).string();
  }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Origin of the tiny layout in EPSG:5186 (near Juan, Incheon), so reprojection is exercised at
// realistic coordinates.
inline constexpr double kX0 = 170000.0;
inline constexpr double kY0 = 545000.0;

inline std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What a shell command printed, and how it ended.
struct Command {
  int exit_code = -1;  // -1: it did not exit normally
  std::string out;
  std::string err;
};

// Runs a shell command as a user would, capturing stdout, and stderr through a file in `scratch`.
inline Command run_command(const std::string& command, const TempDir& scratch) {
  const auto err_path = scratch.path() / "stderr.txt";
  Command run;
  FILE* pipe = ::popen((command + " 2>" + err_path.string()).c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = read_text_file(err_path);
  return run;
}

inline std::string pt(double x, double y) {
  return "[" + std::to_string(kX0 + x) + ", " + std::to_string(kY0 + y) + "]";
}

inline std::string collection(const std::string& features) {
  return R"({"type": "FeatureCollection",
 "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::5186"}},
 "features": [)" +
         features + "]}\n";
}

inline std::string feature(const std::string& properties, const std::string& geometry) {
  return R"({"type": "Feature", "properties": {)" + properties + R"(}, "geometry": )" + geometry + "}";
}

inline std::string polygon(double x0, double y0, double x1, double y1) {
  return R"({"type": "Polygon", "coordinates": [[)" + pt(x0, y0) + ", " + pt(x1, y0) + ", " + pt(x1, y1) +
         ", " + pt(x0, y1) + ", " + pt(x0, y0) + "]]}";
}

inline std::string line(double x0, double y0, double x1, double y1) {
  return R"({"type": "LineString", "coordinates": [)" + pt(x0, y0) + ", " + pt(x1, y1) + "]}";
}

inline std::string point(double x, double y) {
  return R"({"type": "Point", "coordinates": )" + pt(x, y) + "}";
}

inline std::string road(const std::string& id, double x0, double y0, double x1, double y1,
                        const std::string& cls = "local", int oneway = 0) {
  return feature(R"("road_id": ")" + id +
                     R"(", "lanes": 1, "speed_kmh": 30.0, "capacity_veh_h": 800.0, "oneway": )" +
                     std::to_string(oneway) + R"(, "class": ")" + cls + R"(")",
                 line(x0, y0, x1, y1));
}

// The tiny layout, one GeoJSON text a layer:
// - complex "alpha": the square [0, 1000] m x [0, 1000] m, 1 km².
// - roads: a 3 x 3 grid of nodes at 0/500/1000 m (12 two-way local streets of 500 m) and an
//   external road of 200 m from the gate at (-200, 500) to (0, 500).
// - facilities: f1 [100, 200] x [100, 150] (5,000 m²) on bus b1, and
//   f2 [600, 700] x [600, 680] (8,000 m²) with no bus, a roof field left empty, and an extra field.
// - substation ss1 at (0, 0); feeder fd1: ss1 -> b1 (0,0)-(500,0), b1 -> b2 (500,0)-(500,500).
inline std::map<std::string, std::string> tiny_layers() {
  std::map<std::string, std::string> layers;
  layers["complexes"] = collection(feature(
      R"("complex_id": "alpha", "name": "Alpha Industrial Complex", "name_ko": "알파산업단지", "role": "hub")",
      polygon(0, 0, 1000, 1000)));
  layers["facilities"] = collection(
      feature(R"("facility_id": "f1", "complex_id": "alpha", "name": "Plating works", "ksic": "C25",
                 "floor_area_m2": 10000.0, "roof_area_m2": 5000.0, "employees": 40, "firms": 1, "shift": "continuous",
                 "annual_elec_mwh": 2500.0, "fuel": "lng", "feeder_bus": "b1")",
              polygon(100, 100, 200, 150)) +
      ", " +
      feature(
          R"("facility_id": "f2", "complex_id": "alpha", "name": "Knowledge industry centre", "ksic": "C26",
                 "floor_area_m2": 40000.0, "employees": 300, "firms": 25, "shift": "day", "storeys": 5)",
          polygon(600, 600, 700, 680)));
  std::string roads;
  int n = 0;
  auto add = [&](double x0, double y0, double x1, double y1) {
    if (!roads.empty()) roads += ", ";
    roads += road("r" + std::to_string(++n), x0, y0, x1, y1);
  };
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 2; ++j) {
      add(i * 500.0, j * 500.0, i * 500.0, (j + 1) * 500.0);  // north-south
      add(j * 500.0, i * 500.0, (j + 1) * 500.0, i * 500.0);  // east-west
    }
  }
  roads += ", " + road("x1", -200, 500, 0, 500, "external");
  layers["roads"] = collection(roads);
  layers["gates"] =
      collection(feature(R"("gate_id": "g1", "name": "West interchange", "kind": "expressway", "share": 1.0)",
                         point(-200, 500)));
  layers["substations"] = collection(
      feature(R"("substation_id": "ss1", "voltage_kv": 154.0, "capacity_mva": 60.0)", point(0, 0)));
  layers["feeders"] = collection(
      feature(
          R"("segment_id": "s1", "feeder_id": "fd1", "substation_id": "ss1", "from_bus": "ss1", "to_bus": "b1",
                 "line_type": "ACSR-OC 160")",
          line(0, 0, 500, 0)) +
      ", " +
      feature(
          R"("segment_id": "s2", "feeder_id": "fd1", "substation_id": "ss1", "from_bus": "b1", "to_bus": "b2",
                 "line_type": "ACSR-OC 58")",
          line(500, 0, 500, 500)));
  return layers;
}

// Writes the layers as <folder>/<layer>.geojson and returns the folder.
inline std::string write_layers(const TempDir& dir, const std::map<std::string, std::string>& layers) {
  for (const auto& [name, text] : layers) write_text(dir.path() / (name + ".geojson"), text);
  return dir.str();
}

}  // namespace sandan::test
