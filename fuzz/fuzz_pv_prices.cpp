// PV export prices YAML: read_pv_export (its own schema beside the fuel prices', so a harness of its own).
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "economics/prices.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("pv_export.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_pv_export(path));
  return 0;
}
