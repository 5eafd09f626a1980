// The results writer's storage of hourly series (docs/results-schema.md, "How the hourly series are
// stored"): deduplicated and byte-plane-compressed series read back bit for bit through the
// engine's reader, and a batch's parts written from several threads at once merge into the same file.
#include <doctest/doctest.h>

#include <unistd.h>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/rng.hpp"
#include "io/hdf5_results.hpp"
#include "io/results_reader.hpp"

namespace sandan {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kFacilities = 70;  // two whole chunks of 32 and an edge chunk of 6
constexpr std::size_t kHours = 240;

// A run whose load is noisy (random low mantissa bytes: stored planes), import equal to the load,
// PV only on facilities 40–49 (the first chunk of pv_kw is all zero, the second is not), fuel of a
// few levels, and batteries, curtailment and export all zero.
RunResult synthetic_run(const std::string& id, std::uint64_t seed) {
  RunResult run;
  run.run_id = id;
  run.scenario_name = "synthetic";
  run.kpis = {{"annual_load_mwh", "all", 1.0, "MWh"}};
  EnergyResults& e = run.energy;
  e.hours = static_cast<int>(kHours);
  for (std::size_t f = 0; f < kFacilities; ++f) {
    e.facility_ids.push_back("f" + std::to_string(f));
    e.facility_complex.push_back(f < 35 ? "a" : "b");
  }
  e.pv_capacity_kwp.assign(kFacilities, 0.0);
  e.bill_krw.assign(kFacilities, 1000.0);
  e.complex_ids = {"a", "b"};
  Rng rng(seed, 0);
  const std::size_t n = kFacilities * kHours;
  e.load_kw.resize(n);
  for (float& v : e.load_kw) v = static_cast<float>(50.0 + 100.0 * rng.uniform());
  e.import_kw = e.load_kw;
  e.pv_kw.assign(n, 0.0F);
  for (std::size_t f = 40; f < 50; ++f) {
    for (std::size_t h = 0; h < kHours; ++h)
      e.pv_kw[f * kHours + h] = static_cast<float>(h % 24 < 12 ? 3 : 0);
  }
  e.fuel_kw.resize(n);
  for (std::size_t i = 0; i < n; ++i) e.fuel_kw[i] = static_cast<float>((i / 7) % 4) * 2.5F;
  for (auto* zero : {&e.curtailed_kw, &e.battery_kw, &e.battery_soc, &e.export_kw}) zero->assign(n, 0.0F);
  for (auto* series : {&e.complex_load_kw, &e.complex_import_kw}) series->assign(2 * kHours, 7.0F);
  for (auto* series :
       {&e.complex_pv_kw, &e.complex_curtailed_kw, &e.complex_battery_kw, &e.complex_export_kw})
    series->assign(2 * kHours, 0.0F);
  return run;
}

const std::vector<std::pair<const char*, std::vector<float> EnergyResults::*>> kSeries{
    {"load_kw", &EnergyResults::load_kw},           {"pv_kw", &EnergyResults::pv_kw},
    {"curtailed_kw", &EnergyResults::curtailed_kw}, {"battery_kw", &EnergyResults::battery_kw},
    {"battery_soc", &EnergyResults::battery_soc},   {"import_kw", &EnergyResults::import_kw},
    {"export_kw", &EnergyResults::export_kw},       {"fuel_kw", &EnergyResults::fuel_kw}};

// Bit for bit: the stored floats must be exactly the written ones.
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i])) return false;
  }
  return true;
}

void check_series(const std::string& path, const RunResult& run) {
  const ResultsReader reader(path);
  for (const auto& [name, member] : kSeries) {
    std::vector<std::size_t> dims;
    const std::vector<float> read = reader.floats("runs/" + run.run_id + "/energy/" + name, &dims);
    CHECK_MESSAGE(same_bits(read, run.energy.*member), name);
    CHECK(dims == std::vector<std::size_t>{kFacilities, kHours});
  }
}

TEST_CASE("deduplicated, byte-plane series read back bit for bit, and what was not stored is recorded") {
  const fs::path folder = fs::temp_directory_path() / ("sandan_test_io_" + std::to_string(::getpid()));
  fs::create_directories(folder);
  const RunResult run = synthetic_run("r", 7);
  const std::string plain = (folder / "plain.h5").string();
  const std::string sandan = (folder / "sandan.h5").string();
  {
    Hdf5ResultFile file(plain, "test", SeriesStorage{false, false, 32, 1});
    file.write(run);
    file.commit();
  }
  {
    Hdf5ResultFile file(sandan, "test");
    file.write(run);
    file.commit();
  }
  check_series(plain, run);
  check_series(sandan, run);
  const ResultsReader reader(sandan);
  const auto record = nlohmann::json::parse(reader.string_attribute("runs/r/energy", "deduplicated").value());
  CHECK(record["same_as"] ==
        nlohmann::json{{"import_kw", "load_kw"}, {"complex_import_kw", "complex_load_kw"}});
  CHECK(record["zero"] == nlohmann::json{"curtailed_kw", "battery_kw", "battery_soc", "export_kw",
                                         "complex_pv_kw", "complex_curtailed_kw", "complex_battery_kw",
                                         "complex_export_kw"});
  CHECK_FALSE(ResultsReader(plain).string_attribute("runs/r/energy", "deduplicated").has_value());
  // import_kw (a copy of the noisy load, ≥ 2 of its 4 bytes random) is not stored again.
  CHECK(fs::file_size(sandan) + kFacilities * kHours * 2 < fs::file_size(plain));
  fs::remove_all(folder);
}

TEST_CASE("a batch's parts written from several threads at once merge into the file written one at a time") {
  const fs::path folder = fs::temp_directory_path() / ("sandan_test_io_batch_" + std::to_string(::getpid()));
  fs::create_directories(folder);
  std::vector<RunResult> runs;
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(synthetic_run("run-" + std::to_string(i), 100 + static_cast<std::uint64_t>(i)));
    ids.push_back(runs.back().run_id);
  }
  const std::string together = (folder / "together.h5").string();
  const std::string in_turn = (folder / "in_turn.h5").string();
  {
    Hdf5BatchFile batch(together, "test", "fingerprint");
    std::vector<std::thread> writers;
    for (const RunResult& run : runs) writers.emplace_back([&batch, &run] { batch.write(run); });
    for (std::thread& t : writers) t.join();
    batch.commit(ids);
  }
  {
    Hdf5BatchFile batch(in_turn, "test", "fingerprint");
    for (const RunResult& run : runs) batch.write(run);
    batch.commit(ids);
  }
  CHECK_FALSE(fs::exists(together + ".parts"));
  CHECK(ResultsReader(together).runs() == ResultsReader(in_turn).runs());
  for (const RunResult& run : runs) {
    check_series(together, run);
    check_series(in_turn, run);
  }
  fs::remove_all(folder);
}

}  // namespace
}  // namespace sandan
