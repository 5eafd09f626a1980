// meter/time_stamp: the stamps of meter data: parsing the forms meter exports use, the time zones a
// stamp without an offset can be in, and formatting a stamp back as ISO 8601 in Korean standard time.
// Times are whole minutes since 1970-01-01 00:00 UTC: meter intervals are whole minutes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sandan::meter {

// A zone for stamps without an offset. Only fixed offsets: Korea has kept UTC+9 without daylight
// saving since 1988, and a named zone with daylight saving would need the tz database.
struct TimeZone {
  std::string name;        // as given: "Asia/Seoul", "KST", "UTC", "+09:00"
  int offset_minutes = 0;  // local time minus UTC
};

inline constexpr int kKstOffsetMinutes = 9 * 60;

// "UTC", "Asia/Seoul" or "KST", or a fixed offset "+hh:mm" / "-hh:mm"; nullopt otherwise.
[[nodiscard]] std::optional<TimeZone> parse_time_zone(std::string_view text);
// The forms parse_time_zone accepts, for messages.
[[nodiscard]] const char* accepted_time_zones();

// One stamp as written: the local civil time in minutes since 1970-01-01 00:00 of its own clock, and
// its offset when the stamp carries one.
struct ParsedStamp {
  std::int64_t local_minutes = 0;
  std::optional<int> offset_minutes;
  [[nodiscard]] std::int64_t utc(int default_offset_minutes) const {
    return local_minutes - offset_minutes.value_or(default_offset_minutes);
  }
};

// ISO 8601 `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±hh:mm|±hhmm]` or day-first `dd/mm/yyyy HH:MM[:SS]`.
// Seconds must be zero (meter intervals are whole minutes). nullopt for anything else.
[[nodiscard]] std::optional<ParsedStamp> parse_stamp(std::string_view text);

// Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant, "chrono-Compatible
// Low-Level Date Algorithms", days_from_civil).
[[nodiscard]] std::int64_t days_from_civil(int year, int month, int day);
struct CivilDate {
  int year = 1970;
  int month = 1;
  int day = 1;
};
[[nodiscard]] CivilDate civil_from_days(std::int64_t days);

// Floor division of minutes into days, for times before 1970 too.
[[nodiscard]] inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// "2018-01-01T00:15+09:00": a UTC minute as Korean standard time.
[[nodiscard]] std::string format_kst(std::int64_t utc_minutes);

}  // namespace sandan::meter
