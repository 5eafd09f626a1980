// Emission factors YAML: read_emission_factors.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "emissions/factors.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("factors.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_emission_factors(path));
  return 0;
}
