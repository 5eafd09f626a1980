// Fuel prices YAML: read_fuel_prices.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "economics/prices.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("fuel_prices.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_fuel_prices(path));
  return 0;
}
