// meter/ingest: meter data files and their mapping into MeasuredData (twin/measured.hpp): every
// file read, every meter checked (meters are independent: in parallel), and the series aggregated to
// the hourly axis in Korean standard time. Knows nothing of the layout: the caller checks the
// mapping's targets and gives each meter's expected annual energy.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meter/meter_map.hpp"
#include "meter/quality.hpp"
#include "twin/measured.hpp"

namespace sandan::meter {

struct IngestOptions {
  std::optional<TimeZone> timezone;  // overrides the mapping's; default Asia/Seoul
  StampMode stamps = StampMode::kAuto;
  int interval_minutes = 0;  // 0: detect
  int max_gap = 4;
  bool unit_repair = true;
  std::string unit;  // for data without units whose mapping entry gives none
  int threads = 0;   // 0: OpenMP's default
  // Asked between files and before each meter's checks (from OpenMP's threads: cheap and thread-safe,
  // e.g. an atomic flag); true stops the ingest with Error(kInterrupted) (core/interrupt.hpp).
  std::function<bool()> cancelled;
};

struct IngestResult {
  MeasuredData data;
  std::vector<MeterReport> reports;  // parallel to data.meters
  std::vector<std::string> files;    // form of each data file, parallel to the inputs ("long", ...)
  std::string timezone;              // the zone stamps without offset were read in
};

// Reads, checks and aggregates. expected_annual_kwh: by meter id (meters without one skip the unit
// and total checks). Throws ConfigError for bad input (unreadable files or stamps, unmapped meters,
// units, intervals), naming the file, line, meter and fix.
[[nodiscard]] IngestResult ingest(const std::vector<std::string>& data_files, const MeterMap& map,
                                  const IngestOptions& options,
                                  const std::map<std::string, double>& expected_annual_kwh);

// Aggregates regular series onto one hourly axis (KST): an hour's energy is the sum of its intervals
// when all are present, else NaN. Sets start_year, first_hour, hours and energy_kwh.
void aggregate_hourly(const std::vector<NativeSeriesUtc>& series, MeasuredData& data);

}  // namespace sandan::meter
