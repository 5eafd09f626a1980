// Every reader of a text input refuses a folder (and a device) with bad input naming it, instead of opening
// it as a stream that then fails inside the standard library ("basic_filebuf::underflow", exit 4).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "emissions/factors.hpp"
#include "energy/weather.hpp"
#include "energy/weather_synth.hpp"
#include "gis/synth.hpp"
#include "grid/case_io.hpp"
#include "meter/readers.hpp"
#include "traffic/tntp.hpp"

using namespace sandan;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the system's temporary folder, removed at the end.
class Folder {
 public:
  explicit Folder(const std::string& name)
      : path_(fs::temp_directory_path() / ("sandan_text_inputs_" + name)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~Folder() {
    std::error_code error;
    fs::remove_all(path_, error);
  }
  Folder(const Folder&) = delete;
  Folder& operator=(const Folder&) = delete;
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// The text of the error `read` throws (ConfigError's problems included); "" if it returns.
std::string error_of(const std::function<void()>& read, ErrorCode& code) {
  try {
    read();
  } catch (const ConfigError& e) {
    code = e.code();
    std::string text = e.what();
    for (const auto& problem : e.problems()) text += "\n" + problem;
    return text;
  } catch (const Error& e) {
    code = e.code();
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the shared check names a folder, a missing file and accepts a readable file") {
  const Folder folder("check");
  CHECK(unreadable_text_input(folder.path(), "weather file") ==
        folder.path() + ": is a folder, not a weather file; name the file itself");
  const std::string missing = folder.path() + "/missing.csv";
  CHECK(unreadable_text_input(missing, "holidays file").find("no such readable file") != std::string::npos);
  const std::string file = folder.path() + "/x.csv";
  { std::ofstream(file) << "a\n"; }
  CHECK(unreadable_text_input(file, "holidays file").empty());
  CHECK_THROWS_AS(require_text_input(folder.path(), "x"), Error);
}

TEST_CASE("every reader of a text input refuses a folder as bad input naming it") {
  const Folder folder("readers");
  const std::string dir = folder.path();
  const std::vector<std::pair<std::string, std::function<void()>>> readers{
      {"EPW weather", [&] { (void)read_epw(dir); }},
      {"climate normals", [&] { (void)read_climate_normals(dir); }},
      {"holidays", [&] { (void)read_holidays(dir); }},
      {"line types", [&] { (void)read_line_types(dir); }},
      {"hourly grid factor", [&] { (void)read_hourly_grid_factor(dir, 8760); }},
      {"TNTP network", [&] { (void)read_tntp_network(dir); }},
      {"TNTP flow", [&] { (void)read_tntp_flow(dir); }},
      {"meter CSV", [&] { (void)meter::read_meter_file(dir, ""); }},
  };
  for (const auto& [name, read] : readers) {
    CAPTURE(name);
    ErrorCode code = ErrorCode::kInternal;
    const std::string text = error_of(read, code);
    CHECK(code == ErrorCode::kBadInput);
    CHECK(text.find(dir + ": is a folder") != std::string::npos);
  }
}

TEST_CASE("a power flow case whose bus.csv is a folder is refused naming it") {
  const Folder folder("case");
  fs::create_directories(folder.path() + "/bus.csv");
  ErrorCode code = ErrorCode::kInternal;
  const std::string text = error_of([&] { (void)read_case(folder.path()); }, code);
  CHECK(code == ErrorCode::kBadInput);
  CHECK(text.find(folder.path() + "/bus.csv: is a folder") != std::string::npos);
}

TEST_CASE("a device is refused as a text input, not read without end (found by fuzzing)") {
  // /dev/zero opens and reads like a file that never ends: before, a facts file naming it as its line
  // types file made the CSV reader grow one line until memory ran out (fuzz_complexes, input
  // fuzz/corpus/complexes/regress_line_types_device.yaml). The YAML loader read it the same way.
  CHECK(unreadable_text_input("/dev/zero", "line types file") ==
        "/dev/zero: is a device, not a line types file; name a file");
  ErrorCode code = ErrorCode::kInternal;
  CHECK(error_of([] { (void)read_line_types("/dev/zero"); }, code).find("/dev/zero: is a device") !=
        std::string::npos);
  CHECK(code == ErrorCode::kBadInput);
  code = ErrorCode::kInternal;
  CHECK(error_of([] { (void)read_site_facts("/dev/zero"); }, code) ==
        "/dev/zero: is a device, not a facts file; name a file");
  CHECK(code == ErrorCode::kBadInput);
  const Folder folder("device");
  const std::string facts = folder.path() + "/complexes.yaml";
  {
    std::ofstream(facts) << "schema: sandan-complexes\nversion: 1\nseed: 1\n"
                            "line_types: {file: /dev/zero, trunk: A, branch: A}\n";
  }
  code = ErrorCode::kInternal;
  CHECK(error_of([&] { (void)read_site_facts(facts); }, code)
            .find("/dev/zero: is a device, not a line types file; name a file") != std::string::npos);
  CHECK(code == ErrorCode::kBadInput);
}
