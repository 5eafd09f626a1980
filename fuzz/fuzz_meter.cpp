// Meter data CSV (engine/meter): read_meter_csv in each of its forms, then check_meter on every
// meter read, and parse_stamp / parse_time_zone on the input's first line.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "meter/quality.hpp"
#include "meter/readers.hpp"
#include "meter/time_stamp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string_view first_line = std::string_view(text).substr(0, text.find('\n'));
  (void)sandan::meter::parse_stamp(first_line);
  (void)sandan::meter::parse_time_zone(first_line);
  try {
    std::istringstream in(text);
    const sandan::meter::RawFile file = sandan::meter::read_meter_csv(in, "fuzz.csv", "M1");
    sandan::meter::CheckOptions options;
    options.unit = "kWh";
    options.expected_annual_kwh = 1.0e6;
    for (const sandan::meter::RawMeter& meter : file.meters) {
      try {
        (void)sandan::meter::check_meter(meter, options);
      } catch (const sandan::Error&) {
      }
    }
  } catch (const sandan::Error&) {
  }
  return 0;
}
