// meter/readers: the long, wide and steel plant forms, and what cannot be read.
#include "meter/readers.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "core/error.hpp"

using namespace sandan;
using namespace sandan::meter;

namespace {
RawFile read(const std::string& text, const std::string& single = "") {
  std::istringstream in(text);
  return read_meter_csv(in, "m.csv", single);
}
std::string message_of(const std::string& text, const std::string& single = "") {
  try {
    (void)read(text, single);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("long form: meter, timestamp, value, unit; header names in any case") {
  const RawFile f = read(
      "Meter_ID,DateTime,Value,Unit\n"
      "a,2018-01-01T00:00,1.5,kWh\n"
      "b,2018-01-01T00:00,2,kWh\n"
      "a,2018-01-01T00:15,,kWh\n");
  CHECK(f.form == FileForm::kLong);
  REQUIRE(f.meters.size() == 2);
  CHECK(f.meters[0].meter_id == "a");
  CHECK(f.meters[0].unit == "kWh");
  REQUIRE(f.meters[0].readings.size() == 2);
  CHECK(f.meters[0].readings[0].value == 1.5);
  CHECK(std::isnan(f.meters[0].readings[1].value));  // an empty field is a missing reading
  CHECK(f.meters[0].readings[1].line == 4);
  CHECK(f.meters[1].readings.size() == 1);
}

TEST_CASE("long form without a unit column leaves the unit to the mapping") {
  const RawFile f = read("meter,time,value\nx,2018-01-01 00:00,1\n");
  REQUIRE(f.meters.size() == 1);
  CHECK(f.meters[0].unit.empty());
}

TEST_CASE("wide form: a timestamp column, then one column per meter") {
  const RawFile f = read("timestamp,m1,m2\n2018-01-01T00:00,1,2\n2018-01-01T01:00,3,\n");
  CHECK(f.form == FileForm::kWide);
  REQUIRE(f.meters.size() == 2);
  CHECK(f.meters[1].meter_id == "m2");
  REQUIRE(f.meters[1].readings.size() == 2);
  CHECK(f.meters[0].readings[1].value == 3.0);
  CHECK(std::isnan(f.meters[1].readings[1].value));
}

TEST_CASE("steel plant form: BOM, day-first stamps, Usage_kWh, meter id from the mapping") {
  const std::string text =
      "\xEF\xBB\xBF"
      "date,Usage_kWh,Lagging_Current_Reactive.Power_kVarh,NSM\r\n"
      "01/01/2018 00:15,3.17,2.95,900\r\n"
      "01/01/2018 00:30,4,4.46,1800\r\n";
  const RawFile f = read(text, "steel_plant");
  CHECK(f.form == FileForm::kSteelPlant);
  REQUIRE(f.meters.size() == 1);
  CHECK(f.meters[0].meter_id == "steel_plant");
  CHECK(f.meters[0].unit == "kWh");
  CHECK(f.meters[0].readings[1].value == 4.0);
  CHECK(message_of(text).find("name it in the mapping") != std::string::npos);
}

TEST_CASE("what cannot be read names the file, the line and the fix") {
  const std::string bad_stamp = message_of("meter,timestamp,value\na,2018-13-01 00:00,1\n");
  CHECK(bad_stamp.find("m.csv:2: cannot read the stamp '2018-13-01 00:00'") != std::string::npos);
  CHECK(bad_stamp.find("ISO 8601") != std::string::npos);
  const std::string bad_value = message_of("meter,timestamp,value\na,2018-01-01 00:00,1,5\n");
  CHECK(bad_value.find("m.csv:2: has 4 fields") != std::string::npos);
  const std::string not_number = message_of("meter,timestamp,value\na,2018-01-01 00:00,one\n");
  CHECK(not_number.find("'one' is not a number") != std::string::npos);
  CHECK(message_of("a,b,c\n1,2,3\n").find("matches no form") != std::string::npos);
  CHECK(message_of("meter,timestamp,value,unit\na,2018-01-01 00:00,1,kWh\na,2018-01-01 00:15,1,Wh\n")
            .find("differs from its earlier 'kWh'") != std::string::npos);
  CHECK_THROWS_AS((void)read_meter_file("/nonexistent/meter.csv", ""), ConfigError);
}
