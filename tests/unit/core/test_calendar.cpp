#include <doctest/doctest.h>

#include <string>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "support/fixtures.hpp"

using namespace sandan;

namespace {

const std::string kHolidaysPath = std::string(SANDAN_GIS_DATA_DIR) + "/calendar/holidays_kr.csv";

// Zeller's congruence for the Gregorian calendar (Zeller 1887), an independent check of iso_weekday:
// h = 0 is Saturday, 1 Sunday, 2 Monday … 6 Friday; January and February count as months 13 and 14
// of the previous year.
int zeller_iso_weekday(int year, int month, int day) {
  if (month < 3) {
    month += 12;
    year -= 1;
  }
  const int k = year % 100;
  const int j = year / 100;
  const int h = (day + 13 * (month + 1) / 5 + k + k / 4 + j / 4 + 5 * j) % 7;
  return (h + 5) % 7 + 1;
}

Calendar calendar_of(int year) { return load_calendar(year, kHolidaysPath); }

}  // namespace

TEST_CASE("a leap year has 8784 hours and a common year 8760") {
  CHECK(calendar_of(2024).hours() == 8784);
  CHECK(calendar_of(2026).hours() == 8760);
  CHECK(calendar_of(2028).hours() == 8784);
  CHECK(days_in_year(2100) == 365);  // divisible by 100, not by 400
  CHECK(days_in_year(2000) == 366);
}

TEST_CASE("2026-01-01 is a Thursday, as Zeller's congruence says") {
  CHECK(zeller_iso_weekday(2026, 1, 1) == 4);
  CHECK(iso_weekday(Date{2026, 1, 1}) == 4);
  CHECK(calendar_of(2026).weekday(0) == 4);
  // Every day of 2018–2030 agrees with the independent formula.
  for (int year = 2018; year <= 2030; ++year) {
    const Calendar calendar = calendar_of(year);
    for (int hour = 0; hour < calendar.hours(); hour += 24) {
      const Date date = calendar.date(hour);
      REQUIRE(calendar.weekday(hour) == zeller_iso_weekday(date.year, date.month, date.day));
    }
  }
}

TEST_CASE("the last hour of 2026 is 31 December 23:00") {
  const Calendar calendar = calendar_of(2026);
  const int last = 8760 - 1;
  CHECK(calendar.date(last) == Date{2026, 12, 31});
  CHECK(calendar.hour_of_day(last) == 23);
  CHECK(calendar.month(last) == 12);
  CHECK(calendar.day_of_year(last) == 365);
  CHECK(calendar.first_hour(Date{2026, 12, 31}) == 8760 - 24);
}

TEST_CASE("hour 0 of 2026 is centred on 2025-12-31 15:30 UTC, nine hours behind KST") {
  const Calendar calendar = calendar_of(2026);
  CHECK(calendar.utc_midpoint(0) == DateTime{Date{2025, 12, 31}, 15, 30});
  CHECK(to_string(calendar.utc_midpoint(0)) == "2025-12-31 15:30");
  // 09:00–10:00 local is 00:30 UTC the same day.
  CHECK(calendar.utc_midpoint(9) == DateTime{Date{2026, 1, 1}, 0, 30});
  CHECK(calendar.utc_midpoint(8759) == DateTime{Date{2026, 12, 31}, 14, 30});
}

TEST_CASE("Seollal 2026 (17 February) is a holiday and 1 May is a factory holiday") {
  const Calendar calendar = calendar_of(2026);
  for (const int day : {16, 17, 18}) CHECK(calendar.day_type(Date{2026, 2, day}) == DayType::kHoliday);
  CHECK(calendar.day_type(calendar.first_hour(Date{2026, 2, 17}) + 12) == DayType::kHoliday);
  const auto may_day = calendar.holidays_on(Date{2026, 5, 1});
  REQUIRE(may_day.size() == 1);
  CHECK(may_day[0].kind == HolidayKind::kFactory);
  CHECK(calendar.day_type(Date{2026, 5, 1}) == DayType::kHoliday);
}

TEST_CASE(
    "ordinary days are weekdays, Saturdays and Sundays; shutdowns and weekend holidays take precedence") {
  const Calendar calendar = calendar_of(2026);
  CHECK(calendar.day_type(Date{2026, 1, 2}) == DayType::kWeekday);  // Friday
  CHECK(calendar.day_type(Date{2026, 1, 3}) == DayType::kSaturday);
  CHECK(calendar.day_type(Date{2026, 1, 4}) == DayType::kSunday);
  CHECK(calendar.day_type(Date{2026, 7, 28}) == DayType::kShutdown);  // summer week
  CHECK(calendar.day_type(Date{2026, 9, 26}) == DayType::kHoliday);   // Chuseok on a Saturday
}

TEST_CASE("the shipped holidays cover every year from 2018 to 2030 with both festivals") {
  const auto holidays = read_holidays(kHolidaysPath);
  for (int year = 2018; year <= 2030; ++year) {
    int seollal = 0;
    int chuseok = 0;
    for (const auto& holiday : holidays) {
      if (holiday.date.year != year || holiday.kind != HolidayKind::kPublic) continue;
      if (holiday.name.find("Seollal") != std::string::npos) ++seollal;
      if (holiday.name.find("Chuseok") != std::string::npos) ++chuseok;
    }
    CAPTURE(year);
    CHECK(seollal >= 3);
    CHECK(chuseok >= 3);
  }
  // Lunar dates that differ between the Korean and the Chinese calendar (KASI): Seollal 2027 and 2028.
  CHECK(calendar_of(2027).holidays_on(Date{2027, 2, 7}).size() == 1);
  CHECK(calendar_of(2028).day_type(Date{2028, 1, 28}) == DayType::kHoliday);
  CHECK(calendar_of(2027).day_type(Date{2027, 9, 15}) == DayType::kHoliday);  // Chuseok
}

TEST_CASE(
    "2018–2023 have the substitute holidays of the rules then in force, elections and temporary holidays") {
  // Substitute holidays 2014 to 2021-08 only for Seollal, Chuseok and Children's Day (Regulations on
  // Public Holidays of Government Offices art. 3 as amended 2013-11-05; Kukmin Ilbo 2013-08-27).
  // Children's Day 2018 on a Saturday and the day before Chuseok 2018 on a Sunday: KASI 월력요항 2018
  // applies both substitutes (ZDNet Korea 2017-02-27).
  CHECK(calendar_of(2018).day_type(Date{2018, 5, 7}) == DayType::kHoliday);
  CHECK(calendar_of(2018).day_type(Date{2018, 9, 26}) == DayType::kHoliday);
  // KASI 월력요항 2019 (JoongAng Ilbo 2018-03-15): Children's Day and Buddha's Birthday on a Sunday, a
  // substitute for Children's Day only; Monday 2019-05-13 is an ordinary day.
  CHECK(calendar_of(2019).day_type(Date{2019, 5, 6}) == DayType::kHoliday);
  CHECK(calendar_of(2019).day_type(Date{2019, 5, 12}) == DayType::kHoliday);
  CHECK(calendar_of(2019).day_type(Date{2019, 5, 13}) == DayType::kWeekday);
  // MSIT 월력요항 2020 (Edaily 2019-06-03): Independence Movement Day on a Sunday, no substitute.
  CHECK(calendar_of(2020).day_type(Date{2020, 3, 2}) == DayType::kWeekday);
  // Temporary holiday 2020-08-17 (Cabinet 2020-07-21, Kukmin Ilbo 2020-07-21).
  CHECK(calendar_of(2020).day_type(Date{2020, 8, 17}) == DayType::kHoliday);
  // The national days got substitutes from Liberation Day 2021 (Regulations amended, Cabinet
  // 2021-08-03: 2021-08-16, 10-04, 10-11), Christmas not before 2023 (2021-12-27 a working day).
  CHECK(calendar_of(2021).day_type(Date{2021, 8, 16}) == DayType::kHoliday);
  CHECK(calendar_of(2021).day_type(Date{2021, 10, 11}) == DayType::kHoliday);
  CHECK(calendar_of(2021).day_type(Date{2021, 12, 27}) == DayType::kWeekday);
  // MSIT 월력요항 2022 (Asia Economy 2021-08-11): Buddha's Birthday 2022-05-08 on a Sunday with no
  // substitute; substitutes for Chuseok (09-12) and Hangul Day (10-10).
  CHECK(calendar_of(2022).day_type(Date{2022, 5, 9}) == DayType::kWeekday);
  CHECK(calendar_of(2022).day_type(Date{2022, 9, 12}) == DayType::kHoliday);
  CHECK(calendar_of(2022).day_type(Date{2022, 10, 10}) == DayType::kHoliday);
  // Buddha's Birthday got a substitute from 2023-05 (Ministry of Personnel Management on korea.kr
  // 2023-05-02: 2023-05-29); temporary holiday 2023-10-02 (korea.kr 2023-09-05).
  CHECK(calendar_of(2023).day_type(Date{2023, 5, 29}) == DayType::kHoliday);
  CHECK(calendar_of(2023).day_type(Date{2023, 10, 2}) == DayType::kHoliday);
  // Election days: 2018-06-13 local (월력요항 2018), 2020-04-15 National Assembly (월력요항 2020),
  // 2022-03-09 presidential and 2022-06-01 local (월력요항 2022); all Wednesdays.
  for (const Date date : {Date{2018, 6, 13}, Date{2020, 4, 15}, Date{2022, 3, 9}, Date{2022, 6, 1}}) {
    CAPTURE(to_string(date));
    const Calendar calendar = calendar_of(date.year);
    CHECK(calendar.weekday(calendar.first_hour(date)) == 3);
    const auto rows = calendar.holidays_on(date);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].kind == HolidayKind::kPublic);
  }
}

TEST_CASE("2018–2023 count the days off the 월력요항 publish, plus the holidays designated later") {
  // Public holidays including Sundays (관공서의 공휴일 수) and days off of a five-day week (Saturdays,
  // Sundays and public holidays, 주 5일제 휴일 수) as each year's 월력요항 states them, plus days
  // designated after it was published: 2018 69/119 (ZDNet Korea 2017-02-27); 2019 66/117 (JoongAng
  // Ilbo 2018-03-15); 2020 67/115 (Edaily 2019-06-03) + 2020-08-17; 2021 64/113 (Daily Grid
  // 2020-06-15) + 08-16, 10-04, 10-11; 2022 67/118 (Asia Economy 2021-08-11); 2023 67/116 (Newspim
  // 2022-06-11) + 05-29, 10-02.
  struct Expected {
    int year;
    int public_days;
    int days_off;
  };
  const auto holidays = read_holidays(kHolidaysPath);
  for (const Expected expected :
       {Expected{2018, 69, 119}, Expected{2019, 66, 117}, Expected{2020, 68, 116}, Expected{2021, 67, 116},
        Expected{2022, 67, 118}, Expected{2023, 69, 118}}) {
    CAPTURE(expected.year);
    const Calendar calendar(expected.year, holidays);
    int public_days = 0;
    int days_off = 0;
    for (int hour = 0; hour < calendar.hours(); hour += 24) {
      bool is_public = calendar.weekday(hour) == 7;
      for (const auto& row : calendar.holidays_on(calendar.date(hour))) {
        if (row.kind == HolidayKind::kPublic) is_public = true;
      }
      public_days += is_public ? 1 : 0;
      days_off += is_public || calendar.weekday(hour) == 6 ? 1 : 0;
    }
    CHECK(public_days == expected.public_days);
    CHECK(days_off == expected.days_off);
  }
}

TEST_CASE("bad holiday rows are all reported at once with their line numbers") {
  const test::TempDir dir("calendar_bad_rows");
  const auto path = dir.path() / "holidays.csv";
  test::write_text(path,
                   "# comment line\n"                                             // 1
                   "date,name,kind,source,confidence\n"                           // 2
                   "2026-01-01,New Year's Day,public,law,verified\n"              // 3
                   "2026-02-30,Impossible day,public,law,verified\n"              // 4
                   "2026-03-01,Independence Movement Day,holiday,law,verified\n"  // 5
                   "2026-05-05,Children's Day,public,law\n"                       // 6
                   "\n"                                                           // 7
                   "2026-06-06,Memorial Day,public,law,maybe\n");                 // 8
  try {
    (void)read_holidays(path.string());
    FAIL("a bad holidays file was accepted");
  } catch (const ConfigError& error) {
    const auto& problems = error.problems();
    REQUIRE(problems.size() == 4);
    CHECK(problems[0].find(":4: date:") != std::string::npos);
    CHECK(problems[1].find(":5: kind:") != std::string::npos);
    CHECK(problems[2].find(":6: record:") != std::string::npos);
    CHECK(problems[3].find(":8: confidence:") != std::string::npos);
    CHECK(problems[0].find(path.string()) == 0);
    CHECK(error.code() == ErrorCode::kBadInput);
  }
}

TEST_CASE("quoted fields may hold commas, and columns may come in any order") {
  const test::TempDir dir("calendar_quoted");
  const auto path = dir.path() / "holidays.csv";
  test::write_text(path,
                   "kind,date,name,confidence,source\r\n"
                   "public,2031-01-01,\"New Year's Day, 2031\",estimate,\"rule, not yet published\"\r\n");
  const auto holidays = read_holidays(path.string());
  REQUIRE(holidays.size() == 1);
  CHECK(holidays[0].name == "New Year's Day, 2031");
  CHECK(holidays[0].source == "rule, not yet published");
  CHECK(holidays[0].date == Date{2031, 1, 1});
  // A user who adds a year's rows can simulate it.
  CHECK(Calendar(2031, holidays).hours() == 8760);
}

TEST_CASE("a year the holidays file does not cover is refused") {
  CHECK_THROWS_AS(Calendar(2031, read_holidays(kHolidaysPath)), ConfigError);
}

TEST_CASE("dates are parsed strictly") {
  CHECK(parse_date("2024-02-29") == Date{2024, 2, 29});
  CHECK_FALSE(parse_date("2025-02-29"));
  CHECK_FALSE(parse_date("2025-2-01"));
  CHECK_FALSE(parse_date("2025/02/01"));
  CHECK(to_string(Date{2026, 3, 9}) == "2026-03-09");
  CHECK(add_days(Date{2024, 12, 31}, 1) == Date{2025, 1, 1});
  CHECK(day_of_year(Date{2024, 12, 31}) == 366);
  CHECK(date_of_day(2024, 60) == Date{2024, 2, 29});
}

TEST_CASE(
    "a year the holidays file does not cover names the file, the years it covers and how to extend it") {
  for (const int year : {1900, 2031}) {
    try {
      (void)load_calendar(year, kHolidaysPath);
      FAIL("no error for " << year);
    } catch (const ConfigError& e) {
      const std::string text = e.what();
      CHECK(text.find(kHolidaysPath + ": no public holidays of " + std::to_string(year)) !=
            std::string::npos);
      CHECK(text.find("the file covers 2018–2030, not " + std::to_string(year)) != std::string::npos);
      CHECK(text.find("extend it with " + std::to_string(year) + "'s rows") != std::string::npos);
      CHECK(text.find("`holidays:`") != std::string::npos);
    }
  }
}
