// core/calendar: the hourly time axis of a simulated year and the kind of each of its days.
//
// Time is local Korean Standard Time (KST, UTC+9, no daylight saving since 1988). A year has 8760
// hours, 8784 in a leap year; hour index h = 0 is 1 January 00:00–01:00 local time, so h covers the
// local interval [h, h + 1) hours from the start of the year. Models that need the sun evaluate it at
// the hour's midpoint (utc_midpoint), as hourly weather data are integrals over the hour.
//
// Which days are holidays comes from a data file users can extend (gis_data/calendar/holidays_kr.csv,
// read by read_holidays), never from rules compiled in: substitute holidays, elections and temporary
// holidays are decided year by year by the government.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sandan {

// Korean Standard Time, hours ahead of UTC.
inline constexpr double kKstUtcOffsetH = 9.0;

// A date of the proleptic Gregorian calendar.
struct Date {
  int year = 2026;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  friend bool operator==(const Date&, const Date&) = default;
  friend bool operator<(const Date& a, const Date& b) {
    return a.year != b.year ? a.year < b.year : (a.month != b.month ? a.month < b.month : a.day < b.day);
  }
};

// A civil date and time to the minute; which zone it is in is said where it is returned.
struct DateTime {
  Date date;
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  friend bool operator==(const DateTime&, const DateTime&) = default;
};

[[nodiscard]] bool is_leap_year(int year);
[[nodiscard]] int days_in_year(int year);
[[nodiscard]] int days_in_month(int year, int month);  // 0 if month is not 1..12
[[nodiscard]] bool is_valid(const Date& date);
// ISO 8601 weekday: Monday = 1 … Sunday = 7.
[[nodiscard]] int iso_weekday(const Date& date);
// 1 for 1 January; precondition: is_valid(date).
[[nodiscard]] int day_of_year(const Date& date);
// The date of the day_of_year-th day (1-based) of a year; precondition: 1 ≤ day_of_year ≤ days_in_year.
[[nodiscard]] Date date_of_day(int year, int day_of_year);
// Days since 1970-01-01 (negative before it).
[[nodiscard]] long long days_since_epoch(const Date& date);
[[nodiscard]] Date add_days(const Date& date, long long days);
// "YYYY-MM-DD", exactly ten characters; nothing if the text is not a valid date.
[[nodiscard]] std::optional<Date> parse_date(std::string_view text);
[[nodiscard]] std::string to_string(const Date& date);           // "2026-01-01"
[[nodiscard]] std::string to_string(const DateTime& date_time);  // "2026-01-01 00:30"

// What kind of day a model sees. A day that is several kinds at once takes the first that applies
// in this order: shutdown, holiday, Sunday, Saturday, weekday (a public holiday on a Saturday is a
// holiday: nobody works the Saturday morning shift then).
enum class DayType { kWeekday, kSaturday, kSunday, kHoliday, kShutdown };

// The kind of a row of the holidays file:
// - kPublic: a public holiday for everyone (관공서의 공휴일, incl. substitute holidays, election days
//   and temporary holidays);
// - kFactory: a day off in private firms that is not a public holiday (Labour Day, 1 May);
// - kShutdown: a factory shutdown day around Seollal, Chuseok or the summer holiday week.
enum class HolidayKind { kPublic, kFactory, kShutdown };

[[nodiscard]] std::string_view to_string(DayType type);
[[nodiscard]] std::string_view to_string(HolidayKind kind);

// One row of the holidays file.
struct Holiday {
  Date date;
  std::string name;
  HolidayKind kind = HolidayKind::kPublic;
  std::string source;
  std::string confidence;  // "verified", "secondary" or "estimate"
};

// Reads a holidays CSV file: a header naming the columns date, name, kind, source, confidence (in any
// order), then one row a holiday. date is YYYY-MM-DD; kind is public, factory or shutdown; confidence is
// verified, secondary or estimate; name and source must not be empty. Fields may be double-quoted (RFC
// 4180, "" for a quote); lines starting with '#' and blank lines are skipped. A date may appear in
// several rows (Children's Day and Buddha's Birthday fell on the same day in 2025), but not twice with
// the same name.
// Throws ConfigError with every problem found, each naming the file, line and field.
[[nodiscard]] std::vector<Holiday> read_holidays(const std::string& path);

// The hours of one year with the type of each day.
class Calendar {
 public:
  // holidays may span several years; only those of `year` are kept. Throws ConfigError if the year is
  // outside 1900–9999 or if no public holiday of that year is listed (the holidays file does not cover
  // it: a calendar without holidays would silently treat Seollal as a working day).
  Calendar(int year, const std::vector<Holiday>& holidays);

  [[nodiscard]] int year() const { return year_; }
  [[nodiscard]] int hours() const { return 24 * days(); }  // 8760 or 8784
  [[nodiscard]] int days() const { return static_cast<int>(day_types_.size()); }

  // Functions of an hour index take 0 ≤ hour < hours() (not checked: they are called in hot loops).
  [[nodiscard]] Date date(int hour) const { return date_of_day(year_, hour / 24 + 1); }
  [[nodiscard]] int month(int hour) const { return month_of_day_[static_cast<std::size_t>(hour / 24)]; }
  [[nodiscard]] int day_of_year(int hour) const { return hour / 24 + 1; }
  [[nodiscard]] int weekday(int hour) const { return (first_weekday_ - 1 + hour / 24) % 7 + 1; }  // ISO
  [[nodiscard]] int hour_of_day(int hour) const { return hour % 24; }  // 0..23, local
  [[nodiscard]] DayType day_type(int hour) const { return day_types_[static_cast<std::size_t>(hour / 24)]; }
  // The UTC time of the middle of the hour (local start + 30 min − 9 h): where solar geometry for
  // hourly data is evaluated. Hour 0 of 2026 gives 2025-12-31 15:30 UTC.
  [[nodiscard]] DateTime utc_midpoint(int hour) const;

  // The hour index of 00:00 local time on a date of this year; precondition: date.year == year().
  [[nodiscard]] int first_hour(const Date& date) const { return 24 * (sandan::day_of_year(date) - 1); }
  [[nodiscard]] DayType day_type(const Date& date) const;
  // The holidays file's rows for a date of this year (none on an ordinary day).
  [[nodiscard]] std::vector<Holiday> holidays_on(const Date& date) const;
  // The holidays file's rows for this year, in date order.
  [[nodiscard]] const std::vector<Holiday>& holidays() const { return holidays_; }

 private:
  int year_;
  int first_weekday_;  // ISO weekday of 1 January
  std::vector<Holiday> holidays_;
  std::vector<DayType> day_types_;           // one a day of the year
  std::vector<unsigned char> month_of_day_;  // 1..12, one a day: month() is called in hot loops
};

// read_holidays then Calendar: the usual way to get a year.
[[nodiscard]] Calendar load_calendar(int year, const std::string& holidays_path);

}  // namespace sandan
