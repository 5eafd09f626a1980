#include "energy/weather.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/calendar.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

namespace sandan {
namespace {

constexpr int kCommonYearRows = 8760;
constexpr int kLeapYearRows = 8784;
constexpr std::size_t kMaxProblemsPerKind = 20;
// The extraterrestrial irradiance is 1361 W/m² at 1 AU (Kopp & Lean 2011) and 3.4 % more at
// perihelion; no hour on the ground receives more than that, and 1500 leaves a margin for
// cloud-edge enhancement within the hour.
constexpr double kMaxRadiationWhM2 = 1500.0;
// Half an hour of the sun's fastest change in elevation, 15°/h.
constexpr double kHalfHourSunMotionDeg = 7.5;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMissingRadiationWhM2 = 9999.0;

// The fields sandan keeps, with the data dictionary's limits and missing markers (EnergyPlus
// Auxiliary Programs, "EnergyPlus Weather File (EPW) Data Dictionary"; a value ≥ the marker is
// missing). Relative humidity stops at 100 % here although the dictionary allows 110 %: above
// saturation is a measurement or conversion error for hourly means.
struct FieldSpec {
  std::vector<double> Weather::*member;
  const char* member_name;
  const char* epw_name;
  int column;  // 0-based
  double missing;
  double min;
  double max;
  bool exclusive;  // the limits themselves are invalid
  const char* unit;
};

const std::array<FieldSpec, 9>& field_specs() {
  static const std::array<FieldSpec, 9> kSpecs{{
      {&Weather::dry_bulb_c, "dry_bulb_c", "dry bulb temperature", 6, 99.9, -70.0, 70.0, true, "°C"},
      {&Weather::dew_point_c, "dew_point_c", "dew point temperature", 7, 99.9, -70.0, 70.0, true, "°C"},
      {&Weather::relative_humidity_pct, "relative_humidity_pct", "relative humidity", 8, 999.0, 0.0, 100.0,
       false, "%"},
      {&Weather::pressure_pa, "pressure_pa", "atmospheric station pressure", 9, 999999.0, 31000.0, 120000.0,
       true, "Pa"},
      {&Weather::ghi_wh_m2, "ghi_wh_m2", "global horizontal radiation", 13, kMissingRadiationWhM2, 0.0,
       kMaxRadiationWhM2, false, "Wh/m²"},
      {&Weather::dni_wh_m2, "dni_wh_m2", "direct normal radiation", 14, kMissingRadiationWhM2, 0.0,
       kMaxRadiationWhM2, false, "Wh/m²"},
      {&Weather::dhi_wh_m2, "dhi_wh_m2", "diffuse horizontal radiation", 15, kMissingRadiationWhM2, 0.0,
       kMaxRadiationWhM2, false, "Wh/m²"},
      {&Weather::wind_direction_deg, "wind_direction_deg", "wind direction", 20, 999.0, 0.0, 360.0, false,
       "°"},
      {&Weather::wind_speed_m_s, "wind_speed_m_s", "wind speed", 21, 999.0, 0.0, 40.0, false, "m/s"},
  }};
  return kSpecs;
}

const std::array<const char*, kEpwHeaderLines>& header_keywords() {
  static const std::array<const char*, kEpwHeaderLines> kKeywords{"LOCATION",
                                                                  "DESIGN CONDITIONS",
                                                                  "TYPICAL/EXTREME PERIODS",
                                                                  "GROUND TEMPERATURES",
                                                                  "HOLIDAYS/DAYLIGHT SAVING",
                                                                  "COMMENTS 1",
                                                                  "COMMENTS 2",
                                                                  "DATA PERIODS"};
  return kKeywords;
}

int line_of_row(std::size_t row) { return static_cast<int>(row) + kEpwHeaderLines + 1; }

std::string column_label(const FieldSpec& spec) {
  return std::string(spec.epw_name) + " (column " + std::to_string(spec.column + 1) + ")";
}

// Every problem, with at most kMaxProblemsPerKind of one kind listed so that a file broken on every
// line gives a readable report rather than 8760 copies of one message.
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}

  void add(const std::string& kind, const std::string& where, const std::string& field,
           const std::string& message) {
    if (++counts_[kind] > kMaxProblemsPerKind) return;
    list_.push_back(file_ + (where.empty() ? "" : ":" + where) + ": " + field + ": " + message);
  }
  void add(const std::string& kind, int line, const std::string& field, const std::string& message) {
    add(kind, std::to_string(line), field, message);
  }
  [[nodiscard]] bool empty() const { return counts_.empty(); }
  [[nodiscard]] std::vector<std::string> finish() {
    for (const auto& [kind, count] : counts_) {
      if (count > kMaxProblemsPerKind) {
        list_.push_back(file_ + ": and " + std::to_string(count - kMaxProblemsPerKind) + " more: " + kind);
      }
    }
    return std::move(list_);
  }

 private:
  std::string file_;
  std::vector<std::string> list_;
  std::map<std::string, std::size_t> counts_;
};

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    fields.push_back(trim_blanks(
        line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

std::optional<int> parse_int(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// Shortest decimal that reads back to the same double, never in exponent form (EPW readers expect
// plain decimals).
std::string format_number(double value) {
  if (value == 0.0) value = 0.0;  // no "-0"
  std::array<char, 64> buffer{};
  const auto result =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
  return std::string(buffer.data(), result.ptr);
}

std::string stamp_text(const EpwStamp& stamp) {
  const auto two = [](int value) { return (value < 10 ? "0" : "") + std::to_string(value); };
  return two(stamp.month) + "-" + two(stamp.day) + " hour " + std::to_string(stamp.hour);
}

EpwStamp stamp_of(bool leap_day, std::size_t row) {
  // Any leap year (2000) or common year (2001) gives the month and day of the day index.
  const Date date = date_of_day(leap_day ? 2000 : 2001, static_cast<int>(row / 24) + 1);
  return EpwStamp{date.month, date.day, static_cast<int>(row % 24) + 1};
}

EpwStamp next_stamp(const EpwStamp& stamp, bool leap_day) {
  if (stamp.hour < 24) return EpwStamp{stamp.month, stamp.day, stamp.hour + 1};
  const int month_days = stamp.month == 2 ? (leap_day ? 29 : 28) : days_in_month(2001, stamp.month);
  if (stamp.day < month_days) return EpwStamp{stamp.month, stamp.day + 1, 1};
  return EpwStamp{stamp.month % 12 + 1, 1, 1};
}

bool same_stamp(const EpwStamp& a, const EpwStamp& b) {
  return a.month == b.month && a.day == b.day && a.hour == b.hour;
}

bool is_missing(double value, const FieldSpec& spec) { return value >= spec.missing; }

// Fills runs of missing values of one field (at most kMaxFilledGapHours long) and reports longer runs.
// Unparsable values (NaN) are neither missing nor usable; they were reported already.
void fill_gaps(std::vector<double>& values, const FieldSpec& spec, Weather& weather, Problems& problems) {
  const std::size_t n = values.size();
  std::size_t row = 0;
  while (row < n) {
    if (!is_missing(values[row], spec)) {
      ++row;
      continue;
    }
    const std::size_t first = row;
    while (row < n && is_missing(values[row], spec)) ++row;
    const std::size_t last = row - 1;
    const std::size_t count = last - first + 1;
    if (count > static_cast<std::size_t>(kMaxFilledGapHours)) {
      problems.add("long runs of missing values",
                   std::to_string(line_of_row(first)) + "–" + std::to_string(line_of_row(last)),
                   column_label(spec),
                   std::to_string(count) + " consecutive hours missing (at most " +
                       std::to_string(kMaxFilledGapHours) + " are interpolated)");
      continue;
    }
    const bool has_before = first > 0;
    const bool has_after = row < n;
    if (!has_before && !has_after) continue;  // nothing to fill from: the row count is wrong anyway
    const double before = has_before ? values[first - 1] : values[row];
    const double after = has_after ? values[row] : values[first - 1];
    const bool is_direction = spec.member == &Weather::wind_direction_deg;
    // Wind direction goes the shorter way round: from 350° to 10° passes north, not south.
    double span = after - before;
    if (is_direction) span = std::remainder(span, 360.0);
    for (std::size_t i = first; i <= last; ++i) {
      const double t = static_cast<double>(i - first + 1) / static_cast<double>(count + 1);
      double value = has_before && has_after ? before + span * t : (has_before ? before : after);
      if (is_direction) {
        value = std::fmod(value, 360.0);
        if (value < 0.0) value += 360.0;
      }
      values[i] = value;
    }
    weather.filled_gaps.push_back(
        FilledGap{spec.member_name, static_cast<int>(first), static_cast<int>(last)});
  }
}

// The data dictionary's limits and the physical checks. Reading skips the missing values that could
// not be filled (reported already); writing checks them, as they would be read back as missing.
void check_values(const Weather& weather, bool skip_missing, Problems& problems) {
  const auto& specs = field_specs();
  for (const auto& spec : specs) {
    const auto& values = weather.*spec.member;
    for (std::size_t row = 0; row < values.size(); ++row) {
      const double value = values[row];
      if (std::isnan(value) || (skip_missing && is_missing(value, spec))) continue;
      const bool below = spec.exclusive ? value <= spec.min : value < spec.min;
      const bool above = spec.exclusive ? value >= spec.max : value > spec.max;
      if (!below && !above) continue;
      const std::string limits = (spec.exclusive ? "(" : "[") + format_number(spec.min) + ", " +
                                 format_number(spec.max) + (spec.exclusive ? ")" : "]");
      problems.add(std::string(spec.epw_name) + " out of range", line_of_row(row), column_label(spec),
                   format_number(value) + " " + spec.unit + " is outside " + limits + " " + spec.unit);
    }
  }
  const std::size_t n = std::min(weather.ghi_wh_m2.size(), weather.dhi_wh_m2.size());
  for (std::size_t row = 0; row < n; ++row) {
    const double ghi = weather.ghi_wh_m2[row];
    const double dhi = weather.dhi_wh_m2[row];
    if (skip_missing && (ghi >= kMissingRadiationWhM2 || dhi >= kMissingRadiationWhM2)) continue;
    if (dhi > ghi + kDiffuseExcessToleranceWhM2) {
      problems.add("diffuse above global", line_of_row(row), "diffuse horizontal radiation (column 16)",
                   format_number(dhi) + " Wh/m² exceeds the global " + format_number(ghi) + " Wh/m²");
    }
  }
}

void read_location(std::string_view line, Weather& weather, Problems& problems) {
  const auto fields = split_fields(line);
  if (fields.size() < 10) {
    problems.add(
        "header", 1, "LOCATION",
        "has " + std::to_string(fields.size()) +
            " fields, expected 10 (LOCATION, city, region, country, source, WMO, latitude, longitude, "
            "time zone, elevation)");
    return;
  }
  auto& location = weather.location;
  location.city = std::string(fields[1]);
  location.region = std::string(fields[2]);
  location.country = std::string(fields[3]);
  location.source = std::string(fields[4]);
  location.wmo = std::string(fields[5]);
  struct Numeric {
    const char* name;
    std::size_t index;
    double* target;
    double min;
    double max;
  };
  const std::array<Numeric, 4> numerics{{{"latitude", 6, &location.lat_deg, -90.0, 90.0},
                                         {"longitude", 7, &location.lon_deg, -180.0, 180.0},
                                         {"time zone", 8, &location.utc_offset_h, -12.0, 12.0},
                                         {"elevation", 9, &location.elevation_m, -1000.0, 9999.9}}};
  for (const auto& numeric : numerics) {
    const auto value = parse_csv_double(fields[numeric.index]);
    if (!value) {
      problems.add("header", 1, std::string("LOCATION ") + numeric.name,
                   "must be a number, got '" + std::string(fields[numeric.index]) + "'");
    } else if (*value < numeric.min || *value > numeric.max) {
      problems.add("header", 1, std::string("LOCATION ") + numeric.name,
                   format_number(*value) + " is outside [" + format_number(numeric.min) + ", " +
                       format_number(numeric.max) + "]");
    } else {
      *numeric.target = *value;
    }
  }
}

void read_data_periods(std::string_view line, Problems& problems) {
  const auto fields = split_fields(line);
  const auto periods = fields.size() > 1 ? parse_int(fields[1]) : std::nullopt;
  const auto per_hour = fields.size() > 2 ? parse_int(fields[2]) : std::nullopt;
  if (!periods || *periods != 1) {
    problems.add(
        "header", kEpwHeaderLines, "DATA PERIODS",
        "number of data periods must be 1, got '" + std::string(fields.size() > 1 ? fields[1] : "") + "'");
  }
  if (!per_hour || *per_hour != 1) {
    problems.add("header", kEpwHeaderLines, "DATA PERIODS",
                 "records per hour must be 1 (hourly data), got '" +
                     std::string(fields.size() > 2 ? fields[2] : "") + "'");
  }
}

std::string text_after_keyword(const std::string& line) {
  const auto comma = line.find(',');
  return comma == std::string::npos ? std::string() : line.substr(comma + 1);
}

void resize_values(Weather& weather, std::size_t rows) {
  weather.year.assign(rows, 0);
  for (const auto& spec : field_specs()) (weather.*spec.member).assign(rows, kNaN);
}

// The HOLIDAYS/DAYLIGHT SAVINGS line with its leap-year field set to the rows' content.
std::string holidays_line(const std::string& line, bool leap_day) {
  std::vector<std::string> fields;
  for (const auto field : split_fields(line)) fields.emplace_back(field);
  if (fields.size() < 5) fields = {"HOLIDAYS/DAYLIGHT SAVINGS", "No", "0", "0", "0"};
  fields[1] = leap_day ? "Yes" : "No";
  std::string text;
  for (std::size_t i = 0; i < fields.size(); ++i) text += (i ? "," : "") + fields[i];
  return text;
}

}  // namespace

std::string describe(const FilledGap& gap) {
  const int first_line = gap.first_row + kEpwHeaderLines + 1;
  const int last_line = gap.last_row + kEpwHeaderLines + 1;
  const std::string lines = first_line == last_line
                                ? "line " + std::to_string(first_line)
                                : "lines " + std::to_string(first_line) + "–" + std::to_string(last_line);
  return lines + ": " + gap.field + ": " + std::to_string(gap.hours()) + " missing hour" +
         (gap.hours() == 1 ? "" : "s") + " interpolated";
}

EpwStamp Weather::stamp(std::size_t row) const { return stamp_of(leap_day, row); }

Weather read_epw(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // A scenario's `weather:` naming the folder of the weather files: point at an EPW file in it.
    std::vector<std::string> epw;
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.path().extension() == ".epw") epw.push_back(entry.path().string());
    }
    std::sort(epw.begin(), epw.end());
    throw ConfigError(
        path + ": is a folder, not a weather file",
        {path + ": name an EPW weather file (.epw)" +
         (epw.empty() ? std::string("; the folder holds none")
                      : ", e.g. " + epw.front() + " (" + std::to_string(epw.size()) + " in the folder)")});
  }
  if (std::string reason = unreadable_text_input(path, "weather file (EPW)"); !reason.empty())
    throw ConfigError(path + ": cannot open the weather file", {std::move(reason)});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the weather file", {path + ": no such readable file"});
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  while (!lines.empty() && trim_blanks(lines.back()).empty()) lines.pop_back();
  if (!lines.empty() && lines.front().starts_with("\xEF\xBB\xBF")) lines.front().erase(0, 3);

  Problems problems(path);
  Weather weather;
  const auto& keywords = header_keywords();
  const std::size_t header_count = std::min<std::size_t>(lines.size(), kEpwHeaderLines);
  if (lines.size() < static_cast<std::size_t>(kEpwHeaderLines)) {
    problems.add("header", static_cast<int>(lines.size()), "header",
                 "the file ends before the 8 header lines are complete");
  }
  for (std::size_t i = 0; i < header_count; ++i) {
    const std::string& line = lines[i];
    const int line_number = static_cast<int>(i) + 1;
    if (!line.starts_with(keywords[i])) {
      problems.add("header", line_number, keywords[i],
                   i == 0 ? std::string("missing: the first line must be the LOCATION header")
                          : "expected the " + std::string(keywords[i]) + " header line");
      continue;
    }
    switch (i) {
      case 0:
        read_location(line, weather, problems);
        break;
      case 1:
        weather.header.design_conditions = line;
        break;
      case 2:
        weather.header.typical_extreme_periods = line;
        break;
      case 3:
        weather.header.ground_temperatures = line;
        break;
      case 4:
        weather.header.holidays_daylight_savings = line;
        break;
      case 5:
        weather.comments_1 = text_after_keyword(line);
        break;
      case 6:
        weather.comments_2 = text_after_keyword(line);
        break;
      default:
        weather.header.data_periods = line;
        read_data_periods(line, problems);
        break;
    }
  }

  const std::size_t rows = lines.size() > header_count ? lines.size() - header_count : 0;
  if (rows != static_cast<std::size_t>(kCommonYearRows) && rows != static_cast<std::size_t>(kLeapYearRows)) {
    problems.add("row count", static_cast<int>(lines.size()), "data rows",
                 "the file has " + std::to_string(rows) + " data rows, expected " +
                     std::to_string(kCommonYearRows) + " (" + std::to_string(kLeapYearRows) +
                     " with 29 February)");
  }
  // A file of the wrong length is checked as a leap year if it is longer than a common year, so that
  // stamps are compared with the likelier calendar.
  weather.leap_day = rows > static_cast<std::size_t>(kCommonYearRows);
  resize_values(weather, rows);

  // The stamp of the previous row, when it could be read: each row must follow it.
  EpwStamp previous;
  bool has_previous = false;
  for (std::size_t row = 0; row < rows; ++row) {
    const int line_number = line_of_row(row);
    const auto fields = split_fields(lines[row + header_count]);
    if (fields.size() != static_cast<std::size_t>(kEpwFields)) {
      problems.add(
          "wrong column count", line_number, "record",
          "has " + std::to_string(fields.size()) + " fields, expected " + std::to_string(kEpwFields));
      has_previous = false;
      continue;
    }
    static constexpr std::array<const char*, 5> kStampNames{
        "year (column 1)", "month (column 2)", "day (column 3)", "hour (column 4)", "minute (column 5)"};
    std::array<int, 5> stamp_fields{};
    bool stamp_ok = true;
    for (std::size_t i = 0; i < kStampNames.size(); ++i) {
      if (const auto value = parse_int(fields[i])) {
        stamp_fields[i] = *value;
      } else {
        problems.add("non-numeric field", line_number, kStampNames[i],
                     "must be a whole number, got '" + std::string(fields[i]) + "'");
        stamp_ok = false;
      }
    }
    for (const auto& spec : field_specs()) {
      const auto text = fields[static_cast<std::size_t>(spec.column)];
      if (const auto value = parse_csv_double(text)) {
        (weather.*spec.member)[row] = *value;
      } else {
        problems.add("non-numeric field", line_number, column_label(spec),
                     "must be a number, got '" + std::string(text) + "'");
      }
    }
    if (!stamp_ok) {
      has_previous = false;
      continue;
    }
    weather.year[row] = stamp_fields[0];
    const EpwStamp found{stamp_fields[1], stamp_fields[2], stamp_fields[3]};
    const EpwStamp expected = row == 0       ? EpwStamp{1, 1, 1}
                              : has_previous ? next_stamp(previous, weather.leap_day)
                                             : stamp_of(weather.leap_day, row);
    if (!same_stamp(found, expected)) {
      problems.add("hours out of order", line_number, "month, day, hour (columns 2–4)",
                   "expected " + stamp_text(expected) + ", found " + stamp_text(found));
    }
    previous = found;
    has_previous = true;
  }

  for (const auto& spec : field_specs()) fill_gaps(weather.*spec.member, spec, weather, problems);
  check_values(weather, true, problems);
  if (!problems.empty()) throw ConfigError(path + ": invalid EPW weather file", problems.finish());
  return weather;
}

void write_epw(const Weather& weather, const std::string& path) {
  Problems problems(path);
  const std::size_t rows = weather.hours();
  const std::size_t expected_rows = weather.leap_day ? kLeapYearRows : kCommonYearRows;
  if (rows != expected_rows) {
    problems.add("size", "", "dry_bulb_c",
                 "has " + std::to_string(rows) + " hours, expected " + std::to_string(expected_rows) +
                     (weather.leap_day ? " (leap_day is set)" : " (leap_day is not set)"));
  }
  if (weather.year.size() != rows) {
    problems.add(
        "size", "", "year",
        "has " + std::to_string(weather.year.size()) + " entries, dry_bulb_c " + std::to_string(rows));
  }
  for (const auto& spec : field_specs()) {
    const auto& values = weather.*spec.member;
    if (values.size() != rows) {
      problems.add("size", "", spec.member_name,
                   "has " + std::to_string(values.size()) + " entries, dry_bulb_c " + std::to_string(rows));
      continue;
    }
    for (std::size_t row = 0; row < rows; ++row) {
      if (!std::isfinite(values[row])) {
        problems.add("not a number", line_of_row(row), spec.member_name, "is not a finite number");
      }
    }
  }
  const auto& location = weather.location;
  for (const auto& [name, text] : {std::pair<const char*, const std::string*>{"city", &location.city},
                                   {"region", &location.region},
                                   {"country", &location.country},
                                   {"source", &location.source},
                                   {"wmo", &location.wmo}}) {
    if (text->find_first_of(",\r\n") != std::string::npos) {
      problems.add("location", 1, std::string("location.") + name,
                   "must not contain a comma or a line break");
    }
  }
  struct Comment {
    const char* name;
    int line;
    const std::string* text;
  };
  for (const auto& comment :
       {Comment{"comments_1", 6, &weather.comments_1}, Comment{"comments_2", 7, &weather.comments_2}}) {
    if (comment.text->find_first_of("\r\n") != std::string::npos) {
      problems.add("comments", comment.line, comment.name, "must not contain a line break");
    }
  }
  if (problems.empty()) check_values(weather, false, problems);
  if (!problems.empty()) throw ConfigError(path + ": cannot write inconsistent weather", problems.finish());

  std::string text;
  text.reserve(rows * 160 + 1024);
  text += "LOCATION," + location.city + "," + location.region + "," + location.country + "," +
          location.source + "," + location.wmo + "," + format_number(location.lat_deg) + "," +
          format_number(location.lon_deg) + "," + format_number(location.utc_offset_h) + "," +
          format_number(location.elevation_m) + "\n";
  text += weather.header.design_conditions + "\n";
  text += weather.header.typical_extreme_periods + "\n";
  text += weather.header.ground_temperatures + "\n";
  text += holidays_line(weather.header.holidays_daylight_savings, weather.leap_day) + "\n";
  text += "COMMENTS 1," + weather.comments_1 + "\n";
  text += "COMMENTS 2," + weather.comments_2 + "\n";
  text += weather.header.data_periods + "\n";

  // Columns 0–34 in the data dictionary's order. Fields sandan does not keep get the dictionary's
  // missing markers; the flags field says "source and uncertainty unknown" ('?' and '9' in the TMY2
  // convention the Weather Converter keeps).
  const std::string flags = "?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9";
  for (std::size_t row = 0; row < rows; ++row) {
    const EpwStamp stamp = weather.stamp(row);
    const auto value = [&](const std::vector<double>& values) { return format_number(values[row]); };
    text += std::to_string(weather.year[row]) + "," + std::to_string(stamp.month) + "," +
            std::to_string(stamp.day) + "," + std::to_string(stamp.hour) + ",60," + flags + ",";
    text += value(weather.dry_bulb_c) + "," + value(weather.dew_point_c) + "," +
            value(weather.relative_humidity_pct) + "," + value(weather.pressure_pa) + ",";
    text += "9999,9999,9999,";  // extraterrestrial horizontal and direct normal, horizontal infrared
    text += value(weather.ghi_wh_m2) + "," + value(weather.dni_wh_m2) + "," + value(weather.dhi_wh_m2) + ",";
    text += "999999,999999,999999,9999,";  // illuminances, zenith luminance
    text += value(weather.wind_direction_deg) + "," + value(weather.wind_speed_m_s) + ",";
    // sky cover ×2, visibility, ceiling height, present weather observation and codes, precipitable
    // water, aerosol optical depth, snow depth, days since snowfall, albedo, precipitation depth and
    // quantity.
    text += "99,99,9999,99999,9,999999999,999,0.999,999,99,999,999,99\n";
  }

  namespace fs = std::filesystem;
  const fs::path target(path);
  remove_stale_temporaries(path);  // what a killed `sandan weather` left beside the output
  const fs::path temporary = target.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      throw Error(ErrorCode::kIo, path + ": cannot write the weather file");
    }
  }
  try {
    rename_onto_file(temporary.string(), target.string());
  } catch (const Error&) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw;
  }
}

std::vector<std::string> night_radiation_problems(const Weather& weather,
                                                  std::span<const double> zenith_deg_midhour) {
  std::vector<std::string> problems;
  if (zenith_deg_midhour.size() != weather.hours()) {
    problems.push_back("night radiation check: " + std::to_string(zenith_deg_midhour.size()) +
                       " zenith angles for " + std::to_string(weather.hours()) + " hours of weather");
    return problems;
  }
  const double night_zenith_deg = 90.0 + kNightSunDepressionDeg + kHalfHourSunMotionDeg;
  for (std::size_t row = 0; row < weather.hours(); ++row) {
    const double ghi = weather.ghi_wh_m2[row];
    const double zenith = zenith_deg_midhour[row];
    if (zenith > night_zenith_deg && ghi > kNightGhiLimitWhM2) {
      problems.push_back(
          "line " + std::to_string(line_of_row(row)) + " (" + stamp_text(weather.stamp(row)) +
          "): global horizontal radiation (column 14): " + format_number(ghi) + " Wh/m² while the sun is " +
          format_number(std::round((zenith - 90.0) * 10.0) / 10.0) +
          "° below the horizon at mid-hour; is the file's time zone or hour convention shifted?");
    }
  }
  return problems;
}

}  // namespace sandan
