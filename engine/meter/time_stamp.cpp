#include "meter/time_stamp.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace sandan::meter {

namespace {

bool digits(std::string_view text, std::size_t at, std::size_t count, int& value) {
  if (at + count > text.size()) return false;
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

bool valid_civil(int year, int month, int day, int hour, int minute) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || hour > 23 || minute > 59) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int days = kDays[static_cast<std::size_t>(month - 1)] + (month == 2 && leap ? 1 : 0);
  return day >= 1 && day <= days;
}

// "HH:MM[:SS[.fff]]" at `at`; returns the position after it, or npos. Seconds must be zero.
std::size_t parse_clock(std::string_view text, std::size_t at, int& hour, int& minute) {
  if (!digits(text, at, 2, hour) || at + 2 >= text.size() || text[at + 2] != ':' ||
      !digits(text, at + 3, 2, minute)) {
    return std::string_view::npos;
  }
  std::size_t pos = at + 5;
  if (pos < text.size() && text[pos] == ':') {
    int second = 0;
    if (!digits(text, pos + 1, 2, second) || second != 0) return std::string_view::npos;
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      const std::size_t start = pos;
      while (pos < text.size() && text[pos] == '0') ++pos;
      if (pos == start) return std::string_view::npos;
    }
  }
  return pos;
}

}  // namespace

std::optional<TimeZone> parse_time_zone(std::string_view text) {
  if (text == "UTC" || text == "Z") return TimeZone{std::string(text), 0};
  if (text == "Asia/Seoul" || text == "KST") return TimeZone{std::string(text), kKstOffsetMinutes};
  if (text.size() == 6 && (text[0] == '+' || text[0] == '-') && text[3] == ':') {
    int hours = 0;
    int minutes = 0;
    if (digits(text, 1, 2, hours) && digits(text, 4, 2, minutes) && hours <= 14 && minutes < 60) {
      const int sign = text[0] == '-' ? -1 : 1;
      return TimeZone{std::string(text), sign * (hours * 60 + minutes)};
    }
  }
  return std::nullopt;
}

const char* accepted_time_zones() {
  return "UTC, Asia/Seoul (or KST, UTC+9 without daylight saving) or a fixed offset such as +09:00";
}

std::int64_t days_from_civil(int year, int month, int day) {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return {static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

std::optional<ParsedStamp> parse_stamp(std::string_view text) {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  std::size_t pos = 0;
  if (text.size() >= 16 && text[2] == '/' && text[5] == '/') {
    // Day-first, as Korean and European spreadsheet exports write it.
    if (!digits(text, 0, 2, day) || !digits(text, 3, 2, month) || !digits(text, 6, 4, year) ||
        text[10] != ' ') {
      return std::nullopt;
    }
    pos = parse_clock(text, 11, hour, minute);
    if (pos != text.size()) return std::nullopt;
  } else {
    if (text.size() < 16 || !digits(text, 0, 4, year) || text[4] != '-' || !digits(text, 5, 2, month) ||
        text[7] != '-' || !digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != ' ')) {
      return std::nullopt;
    }
    pos = parse_clock(text, 11, hour, minute);
    if (pos == std::string_view::npos) return std::nullopt;
  }
  if (!valid_civil(year, month, day, hour, minute)) return std::nullopt;
  ParsedStamp stamp;
  stamp.local_minutes =
      days_from_civil(year, month, day) * 1440 + static_cast<std::int64_t>(hour) * 60 + minute;
  if (pos == text.size()) return stamp;
  const std::string_view zone = text.substr(pos);
  if (zone == "Z") {
    stamp.offset_minutes = 0;
    return stamp;
  }
  int oh = 0;
  int om = 0;
  if ((zone[0] == '+' || zone[0] == '-') && digits(zone, 1, 2, oh) &&
      ((zone.size() == 6 && zone[3] == ':' && digits(zone, 4, 2, om)) ||
       (zone.size() == 5 && digits(zone, 3, 2, om))) &&
      oh <= 14 && om < 60) {
    stamp.offset_minutes = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
    return stamp;
  }
  return std::nullopt;
}

std::string format_kst(std::int64_t utc_minutes) {
  const std::int64_t local = utc_minutes + kKstOffsetMinutes;
  const std::int64_t days = floor_div(local, 1440);
  const auto minute_of_day = static_cast<int>(local - days * 1440);
  const CivilDate date = civil_from_days(days);
  std::array<char, 40> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02d-%02dT%02d:%02d+09:00", date.year, date.month,
                date.day, minute_of_day / 60, minute_of_day % 60);
  return buffer.data();
}

}  // namespace sandan::meter
