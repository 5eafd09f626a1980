// Holidays CSV: read_holidays and the calendar of the year it is for.
#include <cstddef>
#include <cstdint>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sandan_fuzz::write_file("holidays.csv", data, size);
  SANDAN_FUZZ_EXPECTED((void)sandan::load_calendar(2026, path));
  return 0;
}
