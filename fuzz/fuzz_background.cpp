// Background traffic YAML: read_background_traffic.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "traffic/background.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("background.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_background_traffic(path));
  return 0;
}
