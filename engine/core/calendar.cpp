#include "core/calendar.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <map>
#include <set>
#include <utility>

#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/files.hpp"

namespace sandan {
namespace {

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 9999;

long long floor_div(long long a, long long b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Day counts from and to civil dates: Howard Hinnant, "chrono-Compatible Low-Level Date
// Algorithms" (days_from_civil, civil_from_days), exact over the proleptic Gregorian calendar.
long long days_from_civil(int year, int month, int day) {
  const long long y = static_cast<long long>(year) - (month <= 2 ? 1 : 0);
  const long long era = floor_div(y, 400);
  const long long yoe = y - era * 400;                          // [0, 399]
  const long long mp = (month + 9) % 12;                        // March = 0
  const long long doy = (153 * mp + 2) / 5 + day - 1;           // [0, 365]
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;
}

Date civil_from_days(long long days) {
  const long long z = days + 719468;
  const long long era = floor_div(z, 146097);
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return Date{year, month, day};
}

std::string two_digits(int value) { return (value < 10 ? "0" : "") + std::to_string(value); }

std::optional<HolidayKind> parse_kind(std::string_view text) {
  if (text == "public") return HolidayKind::kPublic;
  if (text == "factory") return HolidayKind::kFactory;
  if (text == "shutdown") return HolidayKind::kShutdown;
  return std::nullopt;
}

}  // namespace

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_year(int year) { return is_leap_year(year) ? 366 : 365; }

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap_year(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

bool is_valid(const Date& date) {
  return date.month >= 1 && date.month <= 12 && date.day >= 1 &&
         date.day <= days_in_month(date.year, date.month);
}

long long days_since_epoch(const Date& date) { return days_from_civil(date.year, date.month, date.day); }

Date add_days(const Date& date, long long days) { return civil_from_days(days_since_epoch(date) + days); }

int iso_weekday(const Date& date) {
  // 1970-01-01 was a Thursday (ISO 4).
  const long long days = days_since_epoch(date);
  return static_cast<int>(((days % 7 + 7) % 7 + 3) % 7 + 1);
}

int day_of_year(const Date& date) {
  return static_cast<int>(days_since_epoch(date) - days_from_civil(date.year, 1, 1)) + 1;
}

Date date_of_day(int year, int day_of_year) {
  return civil_from_days(days_from_civil(year, 1, 1) + day_of_year - 1);
}

std::optional<Date> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto number = [&](std::size_t first, std::size_t count) -> std::optional<int> {
    int value = 0;
    for (std::size_t i = first; i < first + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const auto year = number(0, 4);
  const auto month = number(5, 2);
  const auto day = number(8, 2);
  if (!year || !month || !day) return std::nullopt;
  const Date date{*year, *month, *day};
  if (!is_valid(date)) return std::nullopt;
  return date;
}

std::string to_string(const Date& date) {
  std::string year = std::to_string(date.year);
  if (year.size() < 4) year.insert(0, 4 - year.size(), '0');
  return year + "-" + two_digits(date.month) + "-" + two_digits(date.day);
}

std::string to_string(const DateTime& date_time) {
  return to_string(date_time.date) + " " + two_digits(date_time.hour) + ":" + two_digits(date_time.minute);
}

std::string_view to_string(DayType type) {
  switch (type) {
    case DayType::kWeekday:
      return "weekday";
    case DayType::kSaturday:
      return "saturday";
    case DayType::kSunday:
      return "sunday";
    case DayType::kHoliday:
      return "holiday";
    case DayType::kShutdown:
      return "shutdown";
  }
  return "unknown";
}

std::string_view to_string(HolidayKind kind) {
  switch (kind) {
    case HolidayKind::kPublic:
      return "public";
    case HolidayKind::kFactory:
      return "factory";
    case HolidayKind::kShutdown:
      return "shutdown";
  }
  return "unknown";
}

std::vector<Holiday> read_holidays(const std::string& path) {
  std::vector<std::string> problems;
  const auto add = [&](int line, const std::string& field, const std::string& message) {
    problems.push_back(path + ":" + std::to_string(line) + ": " + field + ": " + message);
  };
  if (std::string reason = unreadable_text_input(path, "holidays file"); !reason.empty())
    throw ConfigError(path + ": cannot open the holidays file", {std::move(reason)});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the holidays file", {path + ": no such readable file"});

  const std::array<std::string, 5> columns{"date", "name", "kind", "source", "confidence"};
  std::map<std::string, std::size_t> column_of;
  bool header_read = false;
  std::set<std::pair<Date, std::string>> seen;
  std::vector<Holiday> holidays;
  const CsvFile file = read_csv(in);
  for (const CsvRecord& record : file.records) {
    const int line_number = record.line;
    if (record.unbalanced_quotes) {
      add(line_number, "record", "unbalanced double quotes");
      continue;
    }
    const std::vector<std::string>& fields = record.fields;
    if (!header_read) {
      header_read = true;
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string name(trim_blanks(fields[i]));
        if (std::find(columns.begin(), columns.end(), name) == columns.end()) {
          add(line_number, name, "unknown column (expected date, name, kind, source, confidence)");
        } else if (!column_of.emplace(name, i).second) {
          add(line_number, name, "repeated column");
        }
      }
      for (const auto& name : columns) {
        if (column_of.count(name) == 0) add(line_number, name, "missing column");
      }
      if (column_of.size() != columns.size() || fields.size() != columns.size()) break;
      continue;
    }
    if (fields.size() != columns.size()) {
      add(line_number, "record",
          "has " + std::to_string(fields.size()) + " fields, expected " + std::to_string(columns.size()));
      continue;
    }
    const auto field = [&](const std::string& name) {
      return std::string(trim_blanks(fields[column_of.at(name)]));
    };
    Holiday holiday;
    bool ok = true;
    const std::string date_text = field("date");
    if (const auto date = parse_date(date_text)) {
      holiday.date = *date;
    } else {
      add(line_number, "date", "must be a valid date YYYY-MM-DD, got '" + date_text + "'");
      ok = false;
    }
    holiday.name = field("name");
    if (holiday.name.empty()) {
      add(line_number, "name", "must not be empty");
      ok = false;
    }
    const std::string kind_text = field("kind");
    if (const auto kind = parse_kind(kind_text)) {
      holiday.kind = *kind;
    } else {
      add(line_number, "kind", "must be public, factory or shutdown, got '" + kind_text + "'");
      ok = false;
    }
    holiday.source = field("source");
    if (holiday.source.empty()) {
      add(line_number, "source", "must not be empty");
      ok = false;
    }
    holiday.confidence = field("confidence");
    if (holiday.confidence != "verified" && holiday.confidence != "secondary" &&
        holiday.confidence != "estimate") {
      add(line_number, "confidence",
          "must be verified, secondary or estimate, got '" + holiday.confidence + "'");
      ok = false;
    }
    if (ok && !seen.emplace(holiday.date, holiday.name).second) {
      add(line_number, "name", "'" + holiday.name + "' is listed twice on " + to_string(holiday.date));
      ok = false;
    }
    if (ok) holidays.push_back(std::move(holiday));
  }
  if (!header_read) add(file.line_count, "header", "no header line (date,name,kind,source,confidence)");
  if (!problems.empty()) throw ConfigError(path + ": invalid holidays file", std::move(problems));
  return holidays;
}

Calendar::Calendar(int year, const std::vector<Holiday>& holidays)
    : year_(year), first_weekday_(iso_weekday(Date{year, 1, 1})) {
  if (year < kMinYear || year > kMaxYear) {
    throw ConfigError("calendar: unsupported year",
                      {"year " + std::to_string(year) + " is outside " + std::to_string(kMinYear) + "–" +
                       std::to_string(kMaxYear)});
  }
  for (const auto& holiday : holidays) {
    if (holiday.date.year == year) holidays_.push_back(holiday);
  }
  const bool covered = std::any_of(holidays_.begin(), holidays_.end(),
                                   [](const Holiday& h) { return h.kind == HolidayKind::kPublic; });
  if (!covered) {
    throw ConfigError("calendar: no holidays for " + std::to_string(year),
                      {"the holidays file lists no public holiday in " + std::to_string(year) +
                       "; add that year's rows to it"});
  }
  std::stable_sort(holidays_.begin(), holidays_.end(),
                   [](const Holiday& a, const Holiday& b) { return a.date < b.date; });

  day_types_.resize(static_cast<std::size_t>(days_in_year(year)));
  month_of_day_.resize(day_types_.size());
  for (std::size_t day = 0; day < month_of_day_.size(); ++day) {
    month_of_day_[day] = static_cast<unsigned char>(date_of_day(year, static_cast<int>(day) + 1).month);
  }
  for (int day = 1; day <= days_in_year(year); ++day) {
    const int weekday_iso = iso_weekday(date_of_day(year, day));
    day_types_[static_cast<std::size_t>(day - 1)] = weekday_iso == 7   ? DayType::kSunday
                                                    : weekday_iso == 6 ? DayType::kSaturday
                                                                       : DayType::kWeekday;
  }
  for (const auto& holiday : holidays_) {
    auto& type = day_types_[static_cast<std::size_t>(sandan::day_of_year(holiday.date) - 1)];
    if (holiday.kind == HolidayKind::kShutdown) {
      type = DayType::kShutdown;
    } else if (type != DayType::kShutdown) {
      type = DayType::kHoliday;
    }
  }
}

DateTime Calendar::utc_midpoint(int hour) const {
  constexpr long long kMinutesPerDay = 24LL * 60;
  constexpr long long kOffsetMin = static_cast<long long>(kKstUtcOffsetH * 60.0);
  const long long minutes = static_cast<long long>(hour) * 60 + 30 - kOffsetMin;
  const long long day = floor_div(minutes, kMinutesPerDay);
  const long long minute_of_day = minutes - day * kMinutesPerDay;
  return DateTime{add_days(Date{year_, 1, 1}, day), static_cast<int>(minute_of_day / 60),
                  static_cast<int>(minute_of_day % 60)};
}

DayType Calendar::day_type(const Date& date) const {
  return day_types_[static_cast<std::size_t>(sandan::day_of_year(date) - 1)];
}

std::vector<Holiday> Calendar::holidays_on(const Date& date) const {
  std::vector<Holiday> found;
  for (const auto& holiday : holidays_) {
    if (holiday.date == date) found.push_back(holiday);
  }
  return found;
}

Calendar load_calendar(int year, const std::string& holidays_path) {
  std::vector<Holiday> holidays = read_holidays(holidays_path);
  // A year the file does not cover: name the file, the years it covers and how to extend it.
  int first = 0;
  int last = 0;
  bool covered = false;
  for (const Holiday& h : holidays) {
    if (h.kind != HolidayKind::kPublic) continue;
    first = first == 0 ? h.date.year : std::min(first, h.date.year);
    last = std::max(last, h.date.year);
    covered = covered || h.date.year == year;
  }
  if (!covered) {
    const std::string years =
        first == 0 ? std::string("no year") : std::to_string(first) + "–" + std::to_string(last);
    throw ConfigError(holidays_path + ": no public holidays of " + std::to_string(year),
                      {holidays_path + ": the file covers " + years + ", not " + std::to_string(year) +
                       ": simulate a year it covers, or extend it with " + std::to_string(year) +
                       "'s rows (date,name,kind,source,confidence: its public holidays, e.g. Seollal and "
                       "Chuseok, and any factory "
                       "shutdowns), or point the scenario's `holidays:` at a file that covers " +
                       std::to_string(year)});
  }
  return Calendar(year, holidays);
}

}  // namespace sandan
