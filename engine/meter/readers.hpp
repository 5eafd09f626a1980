// meter/readers: the CSV forms meter data arrive in, read into one list of readings per meter, in file
// order, before any check. The form is told by the header:
//  - long:  a meter id, a timestamp, a value and optionally a unit column, one reading a row;
//  - wide:  a timestamp column, then one column per meter (the header names the meter id);
//  - steel: the export of the UCI "Steel Industry Energy Consumption" data set (`date`, `Usage_kWh`,
//           ...): one meter, energy per interval in kWh, day-first stamps.
// Throws ConfigError naming the file, line and fix for anything it cannot read.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace sandan::meter {

enum class FileForm { kLong, kWide, kSteelPlant };
[[nodiscard]] const char* to_string(FileForm form);

struct RawReading {
  std::int64_t local_minutes = 0;  // the stamp's civil time on its own clock (see ParsedStamp)
  std::optional<int> offset_minutes;
  double value = 0.0;  // NaN for an empty field (a reading the meter did not deliver)
  int line = 0;
};

struct RawMeter {
  std::string meter_id;
  std::string unit;  // from the data ("" when the file has none)
  std::string source;
  std::vector<RawReading> readings;
};

struct RawFile {
  std::string path;
  FileForm form = FileForm::kLong;
  std::vector<RawMeter> meters;
};

// single_meter_id names the meter of a single-meter file (the steel form), from the mapping entry
// whose `file` is this file; "" when none does (then reading such a file is an error).
[[nodiscard]] RawFile read_meter_csv(std::istream& in, const std::string& path,
                                     const std::string& single_meter_id);
[[nodiscard]] RawFile read_meter_file(const std::string& path, const std::string& single_meter_id);

// The file name without its folders, as a mapping's `file` names it.
[[nodiscard]] std::string base_name(const std::string& path);

}  // namespace sandan::meter
