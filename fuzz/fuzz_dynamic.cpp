// Dynamic demand profiles YAML: read_dynamic_profiles.
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "traffic/dynamic_demand.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("dynamic.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_dynamic_profiles(path));
  return 0;
}
