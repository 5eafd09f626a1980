// Load archetypes YAML: read_load_library.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "energy/loads.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("archetypes.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_load_library(path));
  return 0;
}
