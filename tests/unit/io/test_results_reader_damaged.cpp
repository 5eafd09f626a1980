// Results files damaged in ways fuzzing found (docs/reliability.md, "Fuzzing"); the inputs are kept
// in fuzz/corpus/results.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/results_reader.hpp"

using namespace sandan;

namespace {

std::string error_of(const auto& read) {
  try {
    read();
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kBadInput);
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a dataset declaring more values than its file can hold is refused, not allocated") {
  // uncertainty/p50's header says 8,589,934,594 int32 values (a damaged extent) in a 21 kB file:
  // reading it asked for 64 GiB (out of memory under the sanitizers, std::bad_alloc without).
  const std::string path = std::string(SANDAN_FUZZ_CORPUS_DIR) + "/results/regress_huge_extent.h5";
  const ResultsReader reader(path);
  REQUIRE(reader.exists("uncertainty/p50"));
  const std::string expected = "the dataset uncertainty/p50 declares more values than the file can hold";
  CHECK(error_of([&] { (void)reader.numbers("uncertainty/p50"); }).find(expected) != std::string::npos);
  CHECK(error_of([&] { (void)reader.floats("uncertainty/p50"); }).find(expected) != std::string::npos);
  // The file's intact datasets still read.
  std::vector<std::size_t> dims;
  CHECK(reader.floats("runs/baseline/energy/complex_kw", &dims).size() == 8);
  CHECK(dims == std::vector<std::size_t>{2, 4});
}
