// EPW weather files: read_epw.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "energy/weather.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("weather.epw", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_epw(path));
  return 0;
}
