// Meter mapping YAML: meter::read_meter_map.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "meter/meter_map.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("meter_map.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::meter::read_meter_map(path));
  return 0;
}
