// Hourly grid emission factor CSV: read_hourly_grid_factor. The first byte picks the hours the file
// must hold, a day (24, so that short inputs can be complete and read through) or a year (8760, the
// length a scenario asks for); the rest is the file.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "emissions/factors.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int hours = (data[0] & 1U) != 0 ? 8760 : 24;
  const std::string path = sandan_fuzz::write_file("grid_factor.csv", data + 1, size - 1);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_hourly_grid_factor(path, hours));
  return 0;
}
