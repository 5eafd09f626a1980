// twin/measured: meter data as sandan keeps it after ingest (docs/twin.md): every meter's series on
// one hourly axis in Korean standard time, the mapping of each meter to what it measures, and what
// the quality checks found and did. Written to and read from a measured HDF5 file (`/measured`).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace sandan {

// What a meter measures.
enum class MeterTarget { kFacility, kFeeder, kSubstation, kComplex };
enum class MeterQuantity { kLoad, kPv };  // electricity drawn, or AC energy a PV system produced

struct MeterInfo {
  std::string meter_id;
  MeterTarget target = MeterTarget::kFacility;
  std::string target_id;  // facility, feeder, substation or complex id of the layout
  MeterQuantity quantity = MeterQuantity::kLoad;
  int interval_minutes = 60;   // native interval of the data: 5, 15, 30 or 60
  std::string unit;            // as the data gave it (kWh, Wh, MWh, kW, W, MW)
  double scale_applied = 1.0;  // a unit repair multiplied the values by this (1: none)
  double capacity_kwp = 0.0;   // PV meters: the system's DC size
  std::string source;          // the data file it came from
};

// One thing a quality check found in one meter's data, and what ingest did about it.
struct QualityFinding {
  std::string meter_id;
  std::string check;       // gap, duplicate, out_of_order, midnight_date, negative, spike, flat_line,
                           // unit_scale, implausible_total, outside_year, ...
  std::int64_t count = 0;  // intervals (or values) concerned
  std::string first;       // first stamp concerned, ISO 8601 with offset
  std::string action;      // repaired, dropped, flagged
  std::string detail;      // in words, with the figures
};

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// One meter's series at its own interval, after repairs, before aggregation to hours: interval i
// covers [first_minute + i × interval_minutes, + interval_minutes) minutes after
// start_year-01-01 00:00 KST. NaN where missing.
struct NativeSeries {
  int interval_minutes = 60;
  std::int64_t first_minute = 0;
  std::vector<double> energy_kwh;
};

struct MeasuredData {
  // The hourly axis: hour h starts at start_year-01-01 00:00 KST + first_hour + h hours.
  int start_year = 0;
  int first_hour = 0;  // hours after start_year-01-01 00:00 KST (may exceed a year: the axis is continuous)
  int hours = 0;
  std::vector<MeterInfo> meters;
  // Energy of each meter in each hour, kWh (the mean kW), meter-major: [m * hours + h]. NaN where the
  // hour is not fully covered after repairs.
  std::vector<double> energy_kwh;
  std::vector<QualityFinding> findings;
  std::vector<std::string> sources;  // data files and the mapping file, as given
  // The native-interval series, one per meter in the order of `meters`; empty when not kept.
  std::vector<NativeSeries> native;

  [[nodiscard]] double at(std::size_t meter, int hour) const {
    return energy_kwh[meter * static_cast<std::size_t>(hours) + static_cast<std::size_t>(hour)];
  }
};

// Writes `/measured` (docs/results-schema.md, "Measured files") through a temporary file renamed at
// the end. Throws Error(kIo).
void write_measured(const std::string& path, const MeasuredData& data);

// Reads a measured file and checks its structure (schema, dimensions, ids); throws Error naming the
// file and dataset. `cancelled` (may be empty) is asked between the meters' native series, the bulk
// of a large file: true stops the reading with Error(kInterrupted) (core/interrupt.hpp).
[[nodiscard]] MeasuredData read_measured(const std::string& path,
                                         const std::function<bool()>& cancelled = {});

}  // namespace sandan
