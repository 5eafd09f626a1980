// meter/time_stamp: the stamp forms and zones ingest accepts.
#include "meter/time_stamp.hpp"

#include <doctest/doctest.h>

using namespace sandan::meter;

TEST_CASE("days_from_civil and civil_from_days agree with the Unix epoch") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  // 2018-01-01 00:00 UTC is Unix time 1514764800 s = 17532 days × 86400 s.
  CHECK(days_from_civil(2018, 1, 1) == 17532);
  CHECK(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28) == 2);  // 2024 is a leap year
  const CivilDate d = civil_from_days(17532 + 273);                        // 273 days after 1 January 2018
  CHECK(d.year == 2018);
  CHECK(d.month == 10);
  CHECK(d.day == 1);
}

TEST_CASE("ISO 8601 stamps with and without offsets") {
  const std::int64_t day = days_from_civil(2018, 1, 1) * 1440;
  auto a = parse_stamp("2018-01-01T00:15");
  REQUIRE(a);
  CHECK(a->local_minutes == day + 15);
  CHECK(!a->offset_minutes);
  CHECK(a->utc(9 * 60) == day + 15 - 540);
  auto b = parse_stamp("2018-01-01 00:15:00");
  REQUIRE(b);
  CHECK(b->local_minutes == day + 15);
  auto c = parse_stamp("2018-01-01T00:15Z");
  REQUIRE(c);
  CHECK(*c->offset_minutes == 0);
  auto d = parse_stamp("2018-01-01T09:15+09:00");
  REQUIRE(d);
  CHECK(d->utc(0) == day + 15);  // 09:15 KST is 00:15 UTC
  auto e = parse_stamp("2018-01-01T00:00:00.000-0130");
  REQUIRE(e);
  CHECK(*e->offset_minutes == -90);
  CHECK(!parse_stamp("2018-01-01T00:15:30"));  // seconds must be zero
  CHECK(!parse_stamp("2018-02-30T00:15"));
  CHECK(!parse_stamp("2018-01-01"));
  CHECK(!parse_stamp("yesterday"));
  CHECK(!parse_stamp("2018-01-01T00:15+9"));
}

TEST_CASE("day-first stamps") {
  auto s = parse_stamp("02/01/2018 23:45");
  REQUIRE(s);
  CHECK(s->local_minutes == days_from_civil(2018, 1, 2) * 1440 + 23 * 60 + 45);
  CHECK(!parse_stamp("32/01/2018 00:00"));
  CHECK(!parse_stamp("01/13/2018 00:00"));  // month-first is not read
}

TEST_CASE("time zones: UTC, Asia/Seoul, KST and fixed offsets only") {
  CHECK(parse_time_zone("UTC")->offset_minutes == 0);
  CHECK(parse_time_zone("Asia/Seoul")->offset_minutes == 540);
  CHECK(parse_time_zone("KST")->offset_minutes == 540);
  CHECK(parse_time_zone("+09:00")->offset_minutes == 540);
  CHECK(parse_time_zone("-03:30")->offset_minutes == -210);
  CHECK(!parse_time_zone("Europe/Berlin"));
  CHECK(!parse_time_zone("+9"));
}

TEST_CASE("format_kst writes a UTC minute in Korean standard time") {
  const std::int64_t utc = days_from_civil(2017, 12, 31) * 1440 + 15 * 60;  // 2017-12-31 15:00 UTC
  CHECK(format_kst(utc) == "2018-01-01T00:00+09:00");
}
