// MATPOWER case folders (grid/case_io): case.json, bus.csv, gen.csv and branch.csv, the input's four
// parts between "%%" lines.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "grid/case_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = sandan_fuzz::split_parts(data, size, 4);
  sandan_fuzz::write_file("case.json", parts[0]);
  sandan_fuzz::write_file("bus.csv", parts[1]);
  sandan_fuzz::write_file("gen.csv", parts[2]);
  sandan_fuzz::write_file("branch.csv", parts[3]);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_case(sandan_fuzz::scratch().string()));
  return 0;
}
