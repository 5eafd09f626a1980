// DNL case folders (schema sandan-dnl-case v1): case.yaml, nodes.csv, links.csv, zones.csv and
// vehicles.csv, the input's five parts between "%%" lines, read by read_dnl_case; a case that reads is
// then simulated (simulate_dnl) when it is small enough for one input to stay fast.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "core/error.hpp"
#include "fuzz_support.hpp"
#include "traffic/dnl_case.hpp"
#include "traffic/dynamic.hpp"

namespace {

// Bounds of a simulated case: vehicles and links, and the work of the loop (steps × (links +
// vehicles)), which stays under about a second under the sanitizers.
constexpr std::size_t kMaxVehicles = 2000;
constexpr std::size_t kMaxLinks = 2000;
constexpr double kMaxWork = 5e6;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = sandan_fuzz::split_parts(data, size, 5);
  static const std::filesystem::path kDir = [] {
    std::filesystem::path d = sandan_fuzz::scratch() / "case";
    std::filesystem::create_directories(d);
    return d;
  }();
  sandan_fuzz::write_file("case/case.yaml", parts[0]);
  sandan_fuzz::write_file("case/nodes.csv", parts[1]);
  sandan_fuzz::write_file("case/links.csv", parts[2]);
  sandan_fuzz::write_file("case/zones.csv", parts[3]);
  sandan_fuzz::write_file("case/vehicles.csv", parts[4]);
  try {
    const sandan::DnlCase dnl = sandan::read_dnl_case(kDir.string());
    if (dnl.vehicles.size() > kMaxVehicles || dnl.links.size() > kMaxLinks) return 0;
    const double steps = (dnl.end_s - dnl.start_s) / dnl.step_s;
    if (steps * static_cast<double>(dnl.links.size() + dnl.vehicles.size() + 1) > kMaxWork) return 0;
    (void)sandan::simulate_dnl(dnl);
  } catch (const sandan::Error&) {
  }
  return 0;
}
