// Line types CSV: read_line_types.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "gis/synth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("line_types.csv", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_line_types(path));
  return 0;
}
