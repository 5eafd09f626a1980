// Results files (io/results_reader): open, then read every run's KPIs and every dataset and
// attribute the readers of sandan look at.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "io/results_reader.hpp"

namespace {

// Reads a dataset every way the reader offers; a type or shape it refuses is an expected Error.
void read_dataset(const sandan::ResultsReader& reader, const std::string& name) {
  if (!reader.exists(name)) return;
  (void)reader.string_attribute(name, "units");
  (void)reader.number_attribute(name, "interval_minutes");
  try {
    (void)reader.strings(name);
  } catch (const sandan::Error&) {
  }
  try {
    std::vector<std::size_t> dims;
    (void)reader.numbers(name, &dims);
  } catch (const sandan::Error&) {
  }
  try {
    std::vector<std::size_t> dims;
    (void)reader.floats(name, &dims);
  } catch (const sandan::Error&) {
  }
  try {
    std::size_t columns = 0;
    (void)reader.float_rows(name, 0, 2, columns);
    (void)reader.float_rows(name, 1, 1, columns);
  } catch (const sandan::Error&) {
  }
}

void read_all(const sandan::ResultsReader& reader) {
  for (const char* name : {"index/run", "uncertainty/output", "uncertainty/p50", "macc/intervention"}) {
    read_dataset(reader, name);
  }
  for (const std::string& run : reader.runs()) {
    try {
      (void)reader.kpis(run);
    } catch (const sandan::Error&) {
    }
    const std::string group = "runs/" + run;
    (void)reader.string_attribute(group, "scenario");
    (void)reader.number_attribute(group, "seed");
    for (const char* dataset : {"/time", "/kpi/key", "/kpi/value", "/energy/complex_kw", "/energy/complex"}) {
      read_dataset(reader, group + dataset);
    }
  }
  try {
    (void)reader.select_run("");
  } catch (const sandan::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("results.h5", data, size);
  try {
    const sandan::ResultsReader reader(path);
    read_all(reader);
  } catch (const sandan::Error&) {
  }
  return 0;
}
