// TNTP traffic cases: the network, trips and node files of a folder (read_tntp_dir) and a flow file,
// the input's four parts between "%%" lines.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "traffic/tntp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = sandan_fuzz::split_parts(data, size, 4);
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = sandan_fuzz::scratch() / "case";
    std::filesystem::create_directories(d);
    return d;
  }();
  sandan_fuzz::write_file("case/Fuzz_net.tntp", parts[0]);
  sandan_fuzz::write_file("case/Fuzz_trips.tntp", parts[1]);
  const std::filesystem::path node = dir / "Fuzz_node.tntp";
  if (parts[2].empty()) {
    std::filesystem::remove(node);
  } else {
    sandan_fuzz::write_file("case/Fuzz_node.tntp", parts[2]);
  }
  SANDAN_FUZZ_EXPECTED((void)sandan::read_tntp_dir(dir.string()));
  const std::string flow = sandan_fuzz::write_file("Fuzz_flow.tntp", parts[3]);
  SANDAN_FUZZ_EXPECTED((void)sandan::read_tntp_flow(flow));
  return 0;
}
