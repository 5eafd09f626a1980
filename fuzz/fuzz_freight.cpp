// Freight tours YAML: read_freight_tours.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "traffic/tours.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("freight_tours.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_freight_tours(path));
  return 0;
}
