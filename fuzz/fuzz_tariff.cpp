// Tariff YAML: read_tariff.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "energy/tariff.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("tariff.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_tariff(path));
  return 0;
}
