// Trip rates YAML: read_trip_rates.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "traffic/demand.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("trip_rates.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_trip_rates(path));
  return 0;
}
