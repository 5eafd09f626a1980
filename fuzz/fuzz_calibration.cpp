// Calibration YAML (energy/calibration.cpp): read_calibration.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "energy/calibration.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("calibration.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_calibration(path));
  return 0;
}
