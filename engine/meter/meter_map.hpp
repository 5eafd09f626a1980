// meter/meter_map: the mapping file (`sandan ingest --map`, schema sandan-meter-map version 1) that
// ties each meter id of the data to what it measures in the layout (docs/twin.md, "Mapping").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "meter/time_stamp.hpp"
#include "twin/measured.hpp"

namespace sandan::meter {

struct MeterMapEntry {
  std::string meter_id;
  std::string file;  // "" unless the entry ties a single-meter file to this meter
  MeterTarget target = MeterTarget::kFacility;
  std::string target_id;
  MeterQuantity quantity = MeterQuantity::kLoad;
  std::string unit;  // "" when the data carry units
  double capacity_kwp = 0.0;
  int line = 0;  // of the entry, for messages
};

struct MeterMap {
  std::string path;
  std::optional<TimeZone> timezone;
  std::vector<MeterMapEntry> meters;
  [[nodiscard]] const MeterMapEntry* find(const std::string& meter_id) const;
  // The entry whose `file` is this data file's name (its folders left out), or nullptr.
  [[nodiscard]] const MeterMapEntry* find_file(const std::string& data_path) const;
};

// Throws ConfigError with every problem (file:line: key: message and the fix).
[[nodiscard]] MeterMap read_meter_map(const std::string& path);

[[nodiscard]] const char* to_string(MeterTarget target);
[[nodiscard]] const char* to_string(MeterQuantity quantity);

}  // namespace sandan::meter
