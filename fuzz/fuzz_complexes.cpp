// Complex facts YAML (gis_data/complexes.yaml, the input of `sandan synth`): read_site_facts. The facts
// name their line types file beside them (`line_types: {file: line_types.csv}`); the harness puts a
// fixed, valid one there (two rows of gis_data/line_types.csv) so that the checks of trunk and branch
// against it are reached. The line types CSV has its own harness (fuzz_line_types).
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "gis/synth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string line_types =
      sandan_fuzz::write_file("line_types.csv",
                              "name,r_ohm_per_km,x_ohm_per_km,ampacity_a,underground,source,confidence\n"
                              "ACSR-OC 160,0.182,0.391,460,false,typical 22.9 kV conductor,estimate\n"
                              "ACSR-OC 58,0.497,0.424,240,false,typical 22.9 kV conductor,estimate\n");
  (void)line_types;
  const std::string path = sandan_fuzz::write_file("complexes.yaml", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_site_facts(path));
  return 0;
}
