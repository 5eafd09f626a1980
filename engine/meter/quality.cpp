#include "meter/quality.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "core/error.hpp"
#include "meter/time_stamp.hpp"
#include "meter/units.hpp"

namespace sandan::meter {

namespace {

constexpr std::int64_t kMinutesPerDay = 1440;
constexpr double kMinutesPerYear = 365.0 * 1440.0;

struct Reading {
  std::int64_t local = 0;
  std::int64_t utc = 0;
  double value = 0.0;
  int line = 0;
};

std::int64_t minute_of_day(std::int64_t local) {
  return local - floor_div(local, kMinutesPerDay) * kMinutesPerDay;
}

std::string clock_text(std::int64_t minutes_of_day) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d", static_cast<int>(minutes_of_day / 60),
                static_cast<int>(minutes_of_day % 60));
  return buffer;
}

std::string figure(double value, int digits = 4) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return buffer;
}

[[noreturn]] void fail(const RawMeter& raw, int line, const std::string& message) {
  const std::string place = raw.source + (line > 0 ? ":" + std::to_string(line) : std::string());
  throw ConfigError(raw.source + ": cannot ingest meter " + raw.meter_id,
                    {place + ": meter " + raw.meter_id + ": " + message});
}

// Median of the present (non-NaN) values; NaN when there are none. Reorders `values`.
double median_of(std::vector<double>& values) {
  std::erase_if(values, [](double v) { return std::isnan(v); });
  if (values.empty()) return std::nan("");
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  double m = values[mid];
  if (values.size() % 2 == 0) {
    m = 0.5 * (m + *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid)));
  }
  return m;
}

struct RobustStats {
  double median = 0.0;
  double mad = 0.0;
};

RobustStats robust_stats(const double* begin, const double* end) {
  std::vector<double> values(begin, end);
  RobustStats s;
  s.median = median_of(values);
  for (double& v : values) v = std::abs(v - s.median);
  s.mad = median_of(values);
  if (std::isnan(s.mad)) s.mad = 0.0;
  return s;
}

class Findings {
 public:
  Findings(std::string meter_id, std::vector<QualityFinding>& out)
      : meter_id_(std::move(meter_id)), out_(out) {}
  void add(const std::string& check, std::int64_t count, std::int64_t first_utc, const std::string& action,
           const std::string& detail) {
    out_.push_back({meter_id_, check, count, format_kst(first_utc), action, detail});
  }

 private:
  std::string meter_id_;
  std::vector<QualityFinding>& out_;
};

int detect_interval(const std::vector<Reading>& readings) {
  std::vector<double> steps;
  steps.reserve(readings.size());
  for (std::size_t i = 1; i < readings.size(); ++i) {
    const std::int64_t d = readings[i].utc - readings[i - 1].utc;
    if (d > 0) steps.push_back(static_cast<double>(d));
  }
  const double m = median_of(steps);
  return std::isnan(m) ? 0 : static_cast<int>(std::lround(m));
}

// Spikes: runs of at most kSpikeMaxRunMinutes whose values lie more than kSpikeZ robust standard
// deviations from the median of the day centred on them, entered and left by a jump of the same size.
// The standard deviation is the larger of the day's and the whole series' MAD × 1.4826: a quiet day
// (a weekend of base load) would otherwise make every start of production a "spike". A single
// interval is replaced by the mean of its neighbours; longer runs are flagged.
void check_spikes(std::vector<double>& x, std::int64_t start_utc, int interval, Findings& findings) {
  const std::size_t n = x.size();
  if (n < 3) return;
  const RobustStats all = robust_stats(x.data(), x.data() + n);
  const double sigma_floor = kMadToSigma * all.mad;
  const auto half = static_cast<std::size_t>(12 * 60 / interval);
  const auto max_run = static_cast<std::size_t>(std::max(1, kSpikeMaxRunMinutes / interval));
  auto z_at = [&](std::size_t i, double& sigma) {
    const std::size_t a = i >= half ? i - half : 0;
    const std::size_t b = std::min(n, i + half + 1);
    const RobustStats s = robust_stats(x.data() + a, x.data() + b);
    sigma = std::max({kMadToSigma * s.mad, sigma_floor, 1e-9 * (1.0 + std::abs(s.median))});
    return (x[i] - s.median) / sigma;
  };
  std::int64_t repaired = 0;
  std::int64_t flagged = 0;
  std::int64_t flagged_runs = 0;
  std::int64_t first_repaired = -1;
  std::int64_t first_flagged = -1;
  double largest_z = 0.0;
  for (std::size_t i = 1; i + 1 < n; ++i) {
    if (std::isnan(x[i]) || std::isnan(x[i - 1])) continue;
    const double jump_in = x[i] - x[i - 1];
    // Necessary for a spike: the jump in exceeds kSpikeZ × the smallest sigma the window can give.
    if (std::abs(jump_in) <= kSpikeZ * sigma_floor) continue;
    double sigma = 0.0;
    const double z = z_at(i, sigma);
    if (std::abs(z) <= kSpikeZ || std::abs(jump_in) <= kSpikeZ * sigma || (z > 0) != (jump_in > 0)) continue;
    const bool up = z > 0;
    // The run must start here: a value before it that is itself an outlier on the same side makes this
    // the middle of a longer excursion.
    double sigma_before = 0.0;
    const double z_before = z_at(i - 1, sigma_before);
    if (std::abs(z_before) > kSpikeZ && (z_before > 0) == up) continue;
    std::size_t j = i;
    double sigma_j = sigma;
    bool ended = false;
    double peak = std::abs(z);
    while (j + 1 < n && !std::isnan(x[j + 1])) {
      double sigma_next = 0.0;
      const double z_next = z_at(j + 1, sigma_next);
      if (std::abs(z_next) > kSpikeZ && (z_next > 0) == up) {
        if (j + 1 - i + 1 > max_run) break;
        ++j;
        sigma_j = sigma_next;
        peak = std::max(peak, std::abs(z_next));
        continue;
      }
      ended = true;
      break;
    }
    if (!ended) {
      // A long excursion, or one that runs into a gap: not a meter fault this test can tell.
      i = j;
      continue;
    }
    const double jump_out = x[j] - x[j + 1];
    if (std::abs(jump_out) <= kSpikeZ * sigma_j || (jump_out > 0) != up) {
      i = j;
      continue;
    }
    const std::int64_t stamp = start_utc + static_cast<std::int64_t>(i) * interval;
    largest_z = std::max(largest_z, peak);
    if (j == i) {
      x[i] = 0.5 * (x[i - 1] + x[i + 1]);
      ++repaired;
      if (first_repaired < 0) first_repaired = stamp;
    } else {
      flagged += static_cast<std::int64_t>(j - i + 1);
      ++flagged_runs;
      if (first_flagged < 0) first_flagged = stamp;
    }
    i = j;
  }
  if (repaired > 0) {
    findings.add("spike", repaired, first_repaired, "repaired",
                 std::to_string(repaired) + " isolated single-interval spike(s) (|z| > " + figure(kSpikeZ) +
                     " against the centred one-day median and MAD, up to |z| = " + figure(largest_z, 3) +
                     ") replaced by the mean of the two neighbouring intervals");
  }
  if (flagged > 0) {
    findings.add("spike", flagged, first_flagged, "flagged",
                 std::to_string(flagged_runs) + " run(s) of 2 to " + std::to_string(max_run) +
                     " intervals with |z| > " + figure(kSpikeZ) +
                     " entered and left by a jump (up to |z| = " + figure(largest_z, 3) +
                     "); kept: they may be real operation");
  }
}

// Runs of one repeated value: non-zero for at least kFlatLineMinutes (a stuck meter or a copied
// reading), zero for at least kZeroRunMinutes (a shutdown or a dead meter: shutdowns are real, so
// only flagged).
void check_runs(const std::vector<double>& x, std::int64_t start_utc, int interval, Findings& findings) {
  const std::size_t n = x.size();
  const auto flat_min = static_cast<std::size_t>(kFlatLineMinutes / interval);
  const auto zero_min = static_cast<std::size_t>(kZeroRunMinutes / interval);
  std::int64_t flat_count = 0;
  std::int64_t flat_runs = 0;
  std::int64_t flat_first = -1;
  std::size_t flat_longest = 0;
  std::int64_t zero_count = 0;
  std::int64_t zero_runs = 0;
  std::int64_t zero_first = -1;
  std::size_t zero_longest = 0;
  std::size_t i = 0;
  while (i < n) {
    if (std::isnan(x[i])) {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < n && x[j] == x[i]) ++j;
    const std::size_t length = j - i;
    const std::int64_t stamp = start_utc + static_cast<std::int64_t>(i) * interval;
    if (x[i] == 0.0 && length >= zero_min) {
      zero_count += static_cast<std::int64_t>(length);
      ++zero_runs;
      zero_longest = std::max(zero_longest, length);
      if (zero_first < 0) zero_first = stamp;
    } else if (x[i] != 0.0 && length >= flat_min) {
      flat_count += static_cast<std::int64_t>(length);
      ++flat_runs;
      flat_longest = std::max(flat_longest, length);
      if (flat_first < 0) flat_first = stamp;
    }
    i = j;
  }
  const double hours_per_interval = interval / 60.0;
  if (flat_count > 0) {
    findings.add("flat_line", flat_count, flat_first, "flagged",
                 std::to_string(flat_runs) +
                     " run(s) of one non-zero value for >= " + figure(kFlatLineMinutes / 60.0) +
                     " h (longest " + figure(static_cast<double>(flat_longest) * hours_per_interval) + " h)");
  }
  if (zero_count > 0) {
    findings.add("zero_run", zero_count, zero_first, "flagged",
                 std::to_string(zero_runs) + " run(s) of zeros for >= " + figure(kZeroRunMinutes / 60.0) +
                     " h (longest " + figure(static_cast<double>(zero_longest) * hours_per_interval) +
                     " h); kept: shutdowns are real");
  }
}

// Gaps: runs of missing intervals between two present ones of at most max_gap intervals are filled by
// linear interpolation; longer ones (and missing intervals at either end) are left missing.
void fill_gaps(std::vector<double>& x, std::int64_t start_utc, int interval, int max_gap,
               Findings& findings) {
  const std::size_t n = x.size();
  std::int64_t filled = 0;
  std::int64_t filled_gaps = 0;
  std::int64_t filled_first = -1;
  std::int64_t left = 0;
  std::int64_t left_gaps = 0;
  std::int64_t left_first = -1;
  std::size_t longest = 0;
  std::size_t i = 0;
  while (i < n) {
    if (!std::isnan(x[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < n && std::isnan(x[j])) ++j;
    const std::size_t length = j - i;
    const std::int64_t stamp = start_utc + static_cast<std::int64_t>(i) * interval;
    if (i > 0 && j < n && length <= static_cast<std::size_t>(max_gap)) {
      const double a = x[i - 1];
      const double b = x[j];
      for (std::size_t k = i; k < j; ++k) {
        const double t = static_cast<double>(k - i + 1) / static_cast<double>(length + 1);
        x[k] = a + (b - a) * t;
      }
      filled += static_cast<std::int64_t>(length);
      ++filled_gaps;
      if (filled_first < 0) filled_first = stamp;
    } else {
      left += static_cast<std::int64_t>(length);
      ++left_gaps;
      longest = std::max(longest, length);
      if (left_first < 0) left_first = stamp;
    }
    i = j;
  }
  if (filled > 0) {
    findings.add("gap", filled, filled_first, "repaired",
                 std::to_string(filled_gaps) + " gap(s) of at most " + std::to_string(max_gap) +
                     " intervals filled by linear interpolation (" + std::to_string(filled) + " intervals)");
  }
  if (left > 0) {
    findings.add("gap", left, left_first, "flagged",
                 std::to_string(left_gaps) + " gap(s) longer than " + std::to_string(max_gap) +
                     " intervals (longest " + std::to_string(longest) + ") left missing (" +
                     std::to_string(left) + " intervals)");
  }
}

}  // namespace

const char* to_string(StampMode mode) {
  switch (mode) {
    case StampMode::kStart:
      return "start";
    case StampMode::kEnd:
      return "end";
    case StampMode::kAuto:
      return "auto";
  }
  return "auto";
}

CheckedMeter check_meter(const RawMeter& raw, const CheckOptions& options) {
  CheckedMeter out;
  MeterReport& report = out.report;
  report.meter_id = raw.meter_id;
  report.source = raw.source;
  report.rows = static_cast<std::int64_t>(raw.readings.size());
  report.expected_annual_kwh = options.expected_annual_kwh;
  Findings findings(raw.meter_id, out.findings);
  if (raw.readings.empty()) fail(raw, 0, "no readings; give at least two");

  const int first_line = raw.readings.front().line;
  report.unit = raw.unit.empty() ? options.unit : raw.unit;
  if (report.unit.empty()) {
    fail(raw, first_line,
         "no unit: the data carry none; give `unit:` in the meter's mapping entry or --unit (" +
             std::string(accepted_units()) + ")");
  }
  const auto unit = parse_unit(report.unit);
  if (!unit) fail(raw, first_line, "unknown unit '" + report.unit + "'; sandan reads " + accepted_units());

  // 1. Midnight dates: a 00:00 stamp carrying the date of the day it closes (it follows that day's
  //    23:45 and means the next day's 00:00), as spreadsheet exports that format the end of the day
  //    write it.
  std::vector<Reading> readings;
  readings.reserve(raw.readings.size());
  std::int64_t midnight = 0;
  std::int64_t midnight_first = 0;
  int midnight_line = 0;
  for (std::size_t i = 0; i < raw.readings.size(); ++i) {
    const RawReading& r = raw.readings[i];
    std::int64_t local = r.local_minutes;
    if (i > 0 && minute_of_day(local) == 0) {
      const std::int64_t previous = raw.readings[i - 1].local_minutes;
      if (floor_div(previous, kMinutesPerDay) == floor_div(local, kMinutesPerDay) &&
          minute_of_day(previous) > 0) {
        local += kMinutesPerDay;
        if (midnight++ == 0) {
          midnight_first = local - r.offset_minutes.value_or(options.default_offset_minutes);
          midnight_line = r.line;
        }
      }
    }
    readings.push_back(
        {local, local - r.offset_minutes.value_or(options.default_offset_minutes), r.value, r.line});
  }
  if (midnight > 0) {
    findings.add(
        "midnight_date", midnight, midnight_first, "repaired",
        std::to_string(midnight) + " 00:00 stamps carry the date of the day they close (first at line " +
            std::to_string(midnight_line) + ", after that day's last stamp): read as 00:00 of the next day");
  }

  // 2. Order.
  std::int64_t out_of_order = 0;
  std::int64_t order_first = 0;
  for (std::size_t i = 1; i < readings.size(); ++i) {
    if (readings[i].utc < readings[i - 1].utc && out_of_order++ == 0) order_first = readings[i].utc;
  }
  if (out_of_order > 0) {
    std::stable_sort(readings.begin(), readings.end(),
                     [](const Reading& a, const Reading& b) { return a.utc < b.utc; });
    findings.add("out_of_order", out_of_order, order_first, "repaired",
                 std::to_string(out_of_order) +
                     " readings stamped earlier than the reading before them; sorted by stamp");
  }

  // 3. Duplicates (the sort is stable: the first in the file is kept).
  std::int64_t same = 0;
  std::int64_t same_first = 0;
  std::int64_t conflicting = 0;
  std::int64_t conflict_first = 0;
  double conflict_spread = 0.0;
  {
    std::vector<Reading> unique;
    unique.reserve(readings.size());
    for (const Reading& r : readings) {
      if (!unique.empty() && unique.back().utc == r.utc) {
        const double kept = unique.back().value;
        if (kept == r.value || (std::isnan(kept) && std::isnan(r.value))) {
          if (same++ == 0) same_first = r.utc;
        } else {
          if (conflicting++ == 0) conflict_first = r.utc;
          conflict_spread = std::max(conflict_spread, std::abs(kept - r.value));
        }
        continue;
      }
      unique.push_back(r);
    }
    readings.swap(unique);
  }

  // 4. Interval.
  const int detected = detect_interval(readings);
  if (options.interval_minutes > 0) {
    report.interval_minutes = options.interval_minutes;
    report.interval_reason = "given (--interval)";
  } else {
    report.interval_minutes = detected;
    report.interval_reason = "median stamp difference";
  }
  const int interval = report.interval_minutes;
  if (interval != 5 && interval != 15 && interval != 30 && interval != 60) {
    fail(raw, first_line,
         (options.interval_minutes > 0
              ? "--interval " + std::to_string(interval)
              : "stamps are " + std::to_string(detected) + " minutes apart (median)") +
             "; sandan reads 5-, 15-, 30- and 60-minute data: resample the data, or give --interval if the "
             "median misleads");
  }
  // Report the start stamp of the first interval concerned; these are known once the convention is.
  auto start_of = [&](std::int64_t stamp_utc, bool end_stamped) {
    return stamp_utc - (end_stamped ? interval : 0);
  };

  // 5. Start or end of the interval.
  const std::int64_t first_clock = minute_of_day(readings.front().local);
  const std::int64_t last_clock = minute_of_day(readings.back().local);
  bool end_stamped = false;
  if (options.stamps != StampMode::kAuto) {
    end_stamped = options.stamps == StampMode::kEnd;
    report.stamps_reason = "given (--stamps)";
  } else if (midnight > 0 || (first_clock == interval && last_clock == 0)) {
    end_stamped = true;
    report.stamps_reason =
        "the first stamp is " + clock_text(first_clock) + " and the last " + clock_text(last_clock);
    if (first_clock == interval && last_clock == 0) {
      report.stamps_reason += ": the series starts one interval past midnight and closes its days with 00:00";
    }
    if (midnight > 0) {
      report.stamps_reason += std::string(first_clock == interval && last_clock == 0 ? ";" : ":") +
                              " 00:00 stamps close the day they are dated (midnight_date)";
    }
  } else if (first_clock == 0 && last_clock == kMinutesPerDay - interval) {
    report.stamps_reason = "the first stamp is 00:00 and the last " + clock_text(last_clock) +
                           ": whole days stamped by the start of each interval";
  } else {
    report.stamps_reason = "undecided (first stamp " + clock_text(first_clock) + ", last " +
                           clock_text(last_clock) + "): taken as start; give --stamps if that is wrong";
    findings.add("stamps_undecided", 1, readings.front().utc, "flagged",
                 "the first and last stamps (" + clock_text(first_clock) + ", " + clock_text(last_clock) +
                     ") do not tell whether a stamp starts or ends its interval; taken as the start");
  }
  report.stamps = end_stamped ? StampMode::kEnd : StampMode::kStart;
  if (same > 0) {
    findings.add("duplicate", same, start_of(same_first, end_stamped), "dropped",
                 std::to_string(same) + " repeated readings with the same stamp and value; one kept");
  }
  if (conflicting > 0) {
    findings.add("duplicate_conflict", conflicting, start_of(conflict_first, end_stamped), "dropped",
                 std::to_string(conflicting) +
                     " readings with the stamp of an earlier one and another value (differences up to " +
                     figure(conflict_spread) + " " + report.unit + "); the first in the file kept");
  }

  // 6. The regular series.
  const std::int64_t origin = start_of(readings.front().utc, end_stamped);
  const std::int64_t last = start_of(readings.back().utc, end_stamped);
  const std::int64_t count = (last - origin) / interval + 1;
  NativeSeriesUtc& series = out.series;
  series.start_utc = origin;
  series.interval_minutes = interval;
  series.energy_kwh.assign(static_cast<std::size_t>(count), std::nan(""));
  const double factor = unit->to_kilo * (unit->power ? interval / 60.0 : 1.0);
  std::int64_t off_grid = 0;
  std::int64_t off_grid_first = 0;
  std::int64_t negative = 0;
  std::int64_t negative_first = 0;
  double most_negative = 0.0;
  for (const Reading& r : readings) {
    const std::int64_t start = start_of(r.utc, end_stamped);
    if ((start - origin) % interval != 0) {
      if (off_grid++ == 0) off_grid_first = start;
      continue;
    }
    const auto slot = static_cast<std::size_t>((start - origin) / interval);
    if (r.value < 0.0) {
      if (negative++ == 0) negative_first = start;
      most_negative = std::min(most_negative, r.value);
      continue;
    }
    series.energy_kwh[slot] = r.value * factor;
  }
  if (off_grid > 0) {
    findings.add("off_grid", off_grid, off_grid_first, "dropped",
                 std::to_string(off_grid) + " readings off the " + std::to_string(interval) +
                     "-minute grid of the first stamp; left out");
  }
  if (negative > 0) {
    findings.add("negative", negative, negative_first, "dropped",
                 std::to_string(negative) + " negative readings (down to " + figure(most_negative) + " " +
                     report.unit + ") made missing");
  }

  // 7. Spikes, flat lines and zero runs on the values as measured; then gaps.
  std::vector<double>& x = series.energy_kwh;
  check_spikes(x, origin, interval, findings);
  check_runs(x, origin, interval, findings);
  fill_gaps(x, origin, interval, options.max_gap, findings);

  // 8. The total against the expected annual energy.
  std::int64_t present = 0;
  double total = 0.0;
  for (const double v : x) {
    if (!std::isnan(v)) {
      ++present;
      total += v;
    }
  }
  report.missing_intervals = count - present;
  report.annualised_kwh =
      present > 0 ? total * kMinutesPerYear / (static_cast<double>(present) * interval) : 0.0;
  if (options.expected_annual_kwh && *options.expected_annual_kwh > 0.0 && present > 0) {
    const double expected = *options.expected_annual_kwh;
    const double ratio = report.annualised_kwh / expected;
    double scale = 1.0;
    // A factor 3 either side of 1000: the expected energy is an estimate from floor area and sector
    // intensity, good to a factor of a few, while a unit slip (Wh as kWh, kWh as MWh) is exactly 1000.
    if (ratio >= 1000.0 / 3.0 && ratio <= 3000.0) scale = 1e-3;
    if (ratio >= 1.0 / 3000.0 && ratio <= 3.0 / 1000.0) scale = 1e3;
    const std::string figures = "annualised " + figure(report.annualised_kwh) + " kWh against " +
                                figure(expected) + " kWh expected (ratio " + figure(ratio, 3) + ")";
    if (scale != 1.0 && options.unit_repair) {
      for (double& v : x) v *= scale;
      total *= scale;
      report.annualised_kwh *= scale;
      report.scale_applied = scale;
      findings.add("unit_scale", present, origin, "repaired",
                   figures + ": the unit is off by 1000; values multiplied by " + figure(scale));
    } else if (scale != 1.0) {
      findings.add(
          "unit_scale", present, origin, "flagged",
          figures + ": the unit looks off by 1000 (" + figure(scale) + "); not repaired (--no-unit-repair)");
    } else if (ratio < 0.1 || ratio > 10.0) {
      findings.add("implausible_total", present, origin, "flagged", figures + ": outside [0.1, 10]");
    }
  }
  report.total_kwh = total;
  report.first_start_utc = origin;
  report.end_utc = origin + count * interval;
  return out;
}

}  // namespace sandan::meter
