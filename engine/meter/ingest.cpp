#include "meter/ingest.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include <omp.h>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/threads.hpp"
#include "meter/readers.hpp"
#include "meter/units.hpp"

namespace sandan::meter {

void aggregate_hourly(const std::vector<NativeSeriesUtc>& series, MeasuredData& data) {
  if (series.empty()) {
    data.hours = 0;
    data.energy_kwh.clear();
    return;
  }
  std::int64_t begin = std::numeric_limits<std::int64_t>::max();
  std::int64_t end = std::numeric_limits<std::int64_t>::min();
  for (const auto& s : series) {
    const std::int64_t local = s.start_utc + kKstOffsetMinutes;
    begin = std::min(begin, local);
    end = std::max(end, local + static_cast<std::int64_t>(s.energy_kwh.size()) * s.interval_minutes);
  }
  const CivilDate first_date = civil_from_days(floor_div(begin, 1440));
  data.start_year = first_date.year;
  const std::int64_t year_start = days_from_civil(first_date.year, 1, 1) * 1440;
  data.first_hour = static_cast<int>(floor_div(begin - year_start, 60));
  const std::int64_t last_hour = floor_div(end - 1 - year_start, 60);
  data.hours = static_cast<int>(last_hour - data.first_hour + 1);
  const auto hours = static_cast<std::size_t>(data.hours);
  data.energy_kwh.assign(series.size() * hours, kMissing);
  for (std::size_t m = 0; m < series.size(); ++m) {
    const NativeSeriesUtc& s = series[m];
    std::vector<double> sum(hours, 0.0);
    std::vector<int> present(hours, 0);
    const std::int64_t local = s.start_utc + kKstOffsetMinutes;
    for (std::size_t i = 0; i < s.energy_kwh.size(); ++i) {
      const double v = s.energy_kwh[i];
      if (std::isnan(v)) continue;
      const std::int64_t start = local + static_cast<std::int64_t>(i) * s.interval_minutes;
      const auto h = static_cast<std::size_t>(floor_div(start - year_start, 60) - data.first_hour);
      sum[h] += v;
      ++present[h];
    }
    const int per_hour = 60 / s.interval_minutes;
    for (std::size_t h = 0; h < hours; ++h) {
      if (present[h] == per_hour) data.energy_kwh[m * hours + h] = sum[h];
    }
  }
}

IngestResult ingest(const std::vector<std::string>& data_files, const MeterMap& map,
                    const IngestOptions& options, const std::map<std::string, double>& expected_annual_kwh) {
  IngestResult result;
  const TimeZone zone = options.timezone
                            ? *options.timezone
                            : (map.timezone ? *map.timezone : TimeZone{"Asia/Seoul", kKstOffsetMinutes});
  result.timezone = zone.name;

  std::vector<RawMeter> raws;
  std::vector<std::string> problems;
  for (const std::string& path : data_files) {
    stop_if_asked(options.cancelled, "before reading " + path + "; nothing was written");
    const MeterMapEntry* tied = map.find_file(path);
    RawFile file = read_meter_file(path, tied != nullptr ? tied->meter_id : std::string());
    result.files.emplace_back(to_string(file.form));
    for (RawMeter& meter : file.meters) {
      const MeterMapEntry* entry = map.find(meter.meter_id);
      const int line = meter.readings.empty() ? 1 : meter.readings.front().line;
      if (entry == nullptr) {
        problems.push_back(path + ":" + std::to_string(line) + ": meter " + meter.meter_id +
                           " is not in the mapping " + map.path + "; add an entry `- meter: " +
                           meter.meter_id + "` with its facility, feeder, substation or complex");
        continue;
      }
      if (!meter.unit.empty() && !entry->unit.empty()) {
        const auto a = parse_unit(meter.unit);
        const auto b = parse_unit(entry->unit);
        if (a && b && (a->power != b->power || a->to_kilo != b->to_kilo)) {
          problems.push_back(path + ":" + std::to_string(line) + ": meter " + meter.meter_id +
                             ": the data say '" + meter.unit + "', the mapping (" + map.path + ":" +
                             std::to_string(entry->line) + ") says '" + entry->unit + "'; make them agree");
        }
      }
      for (const RawMeter& earlier : raws) {
        if (earlier.meter_id == meter.meter_id) {
          problems.push_back(path + ": meter " + meter.meter_id + " is also in " + earlier.source +
                             "; give each meter's data in one file");
        }
      }
      raws.push_back(std::move(meter));
    }
  }
  if (!problems.empty()) throw ConfigError("the meter data do not fit the mapping " + map.path, problems);

  const auto n = static_cast<std::ptrdiff_t>(raws.size());
  std::vector<CheckedMeter> checked(raws.size());
  std::vector<std::exception_ptr> errors(raws.size());
  // Meters are independent. Read by the pragma's num_threads clause, which the analyzer does not see.
  // NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores)
  const int threads = checked_threads(options.threads) > 0 ? options.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic) num_threads(threads)
  for (std::ptrdiff_t m = 0; m < n; ++m) {
    // Once asked to stop, the meters left are skipped (nothing may throw out of the loop); the stop is
    // thrown after it.
    if (stop_asked(options.cancelled)) continue;
    try {
      const RawMeter& raw = raws[static_cast<std::size_t>(m)];
      const MeterMapEntry* entry = map.find(raw.meter_id);
      CheckOptions check;
      check.default_offset_minutes = zone.offset_minutes;
      check.stamps = options.stamps;
      check.interval_minutes = options.interval_minutes;
      check.max_gap = options.max_gap;
      check.unit_repair = options.unit_repair;
      check.unit = entry->unit.empty() ? options.unit : entry->unit;
      if (auto it = expected_annual_kwh.find(raw.meter_id); it != expected_annual_kwh.end()) {
        check.expected_annual_kwh = it->second;
      }
      checked[static_cast<std::size_t>(m)] = check_meter(raw, check);
    } catch (...) {
      errors[static_cast<std::size_t>(m)] = std::current_exception();
    }
  }
  stop_if_asked(options.cancelled, "while checking the meters; nothing was written");
  std::vector<std::string> failures;
  for (const auto& error : errors) {
    if (!error) continue;
    try {
      std::rethrow_exception(error);
    } catch (const ConfigError& e) {
      failures.insert(failures.end(), e.problems().begin(), e.problems().end());
    }
  }
  if (!failures.empty()) throw ConfigError("cannot ingest the meter data", failures);

  MeasuredData& data = result.data;
  std::vector<NativeSeriesUtc> series;
  for (std::size_t m = 0; m < raws.size(); ++m) {
    const MeterMapEntry* entry = map.find(raws[m].meter_id);
    CheckedMeter& c = checked[m];
    MeterInfo info;
    info.meter_id = raws[m].meter_id;
    info.target = entry->target;
    info.target_id = entry->target_id;
    info.quantity = entry->quantity;
    info.interval_minutes = c.report.interval_minutes;
    info.unit = c.report.unit;
    info.scale_applied = c.report.scale_applied;
    info.capacity_kwp = entry->capacity_kwp;
    info.source = raws[m].source;
    data.meters.push_back(info);
    data.findings.insert(data.findings.end(), c.findings.begin(), c.findings.end());
    series.push_back(std::move(c.series));
    result.reports.push_back(std::move(c.report));
  }
  aggregate_hourly(series, data);
  const std::int64_t year_start = days_from_civil(data.start_year, 1, 1) * 1440;
  for (std::size_t m = 0; m < series.size(); ++m) {
    NativeSeries native;
    native.first_minute = series[m].start_utc + kKstOffsetMinutes - year_start;
    native.interval_minutes = series[m].interval_minutes;
    native.energy_kwh = std::move(series[m].energy_kwh);
    data.native.push_back(std::move(native));
  }
  data.sources = data_files;
  data.sources.push_back(map.path);
  return result;
}

}  // namespace sandan::meter
