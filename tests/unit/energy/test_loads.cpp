#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "energy/loads.hpp"
#include "gis/synth.hpp"
#include "support/fixtures.hpp"

using namespace sandan;

namespace {

const std::string kLibraryPath = SANDAN_GIS_DATA_DIR "/loads/archetypes.yaml";
const std::string kHolidaysPath = SANDAN_GIS_DATA_DIR "/calendar/holidays_kr.csv";
constexpr std::uint64_t kSeed = 20260101;

const LoadLibrary& shipped_library() {
  static const LoadLibrary library = read_load_library(kLibraryPath);
  return library;
}

const Calendar& calendar_2026() {
  static const Calendar calendar = load_calendar(2026, kHolidaysPath);
  return calendar;
}

// Incheon monthly mean, mean daily maximum and minimum temperatures (FACTS §5, KMA station 112,
// 1991-2020 normals), as a smooth diurnal cosine peaking at 15:00 local time.
std::vector<double> incheon_temperature_c(const Calendar& calendar) {
  constexpr double kMean[12] = {-1.5, 0.9, 5.6, 11.3, 16.6, 21.0, 24.4, 25.7, 21.8, 15.6, 8.2, 1.1};
  constexpr double kMax[12] = {2.6, 5.1, 10.2, 16.1, 21.4, 25.4, 27.8, 29.2, 25.6, 19.8, 11.9, 4.7};
  constexpr double kMin[12] = {-4.8, -2.6, 1.8, 7.3, 12.7, 17.6, 21.8, 22.9, 18.6, 12.2, 5.2, -1.9};
  std::vector<double> t(static_cast<std::size_t>(calendar.hours()));
  for (int h = 0; h < calendar.hours(); ++h) {
    const auto m = static_cast<std::size_t>(calendar.month(h) - 1);
    const double phase = 2.0 * std::numbers::pi * (calendar.hour_of_day(h) + 0.5 - 15.0) / 24.0;
    t[static_cast<std::size_t>(h)] = kMean[m] + 0.5 * (kMax[m] - kMin[m]) * std::cos(phase);
  }
  return t;
}

Facility facility(const std::string& id, const std::string& ksic, Shift shift, double floor_area_m2,
                  Fuel fuel) {
  Facility f;
  f.facility_id = id;
  f.complex = 0;
  f.ksic = ksic;
  f.shift = shift;
  f.floor_area_m2 = floor_area_m2;
  f.roof_area_m2 = floor_area_m2;
  f.fuel = fuel;
  return f;
}

// Four facilities: a day-shift machinery shop (intensity-derived, no fuel), a two-shift electronics
// plant with metered totals, a continuous chemicals plant on gas (intensity-derived), and one of a
// sector the library does not list (fallback archetype).
Site tiny_site() {
  Site site;
  Complex c;
  c.complex_id = "juan";
  site.complexes.push_back(c);
  site.facilities.push_back(facility("day", "C29", Shift::kDay, 2000.0, Fuel::kNone));
  Facility metered = facility("two", "C26", Shift::kTwo, 1000.0, Fuel::kNone);
  metered.annual_elec_mwh = 1234.5;
  metered.annual_fuel_mwh = 56.7;
  site.facilities.push_back(metered);
  site.facilities.push_back(facility("continuous", "C20", Shift::kContinuous, 1500.0, Fuel::kLng));
  site.facilities.push_back(facility("other", "C99", Shift::kDay, 1000.0, Fuel::kLpg));
  return site;
}

constexpr std::size_t kDay = 0;
constexpr std::size_t kTwo = 1;
constexpr std::size_t kContinuous = 2;
constexpr std::size_t kOther = 3;

double sum_kwh(const std::vector<float>& kw, std::size_t facility_index, int hours) {
  const auto begin =
      kw.begin() + static_cast<std::ptrdiff_t>(facility_index * static_cast<std::size_t>(hours));
  return std::accumulate(begin, begin + hours, 0.0,
                         [](double a, float b) { return a + static_cast<double>(b); });
}

float at(const FacilityLoads& loads, std::size_t facility_index, int hour) {
  return loads
      .elec_kw[facility_index * static_cast<std::size_t>(loads.hours) + static_cast<std::size_t>(hour)];
}

double day_kwh(const FacilityLoads& loads, std::size_t facility_index, const Calendar& calendar,
               const Date& date) {
  double total = 0.0;
  const int first = calendar.first_hour(date);
  for (int h = first; h < first + 24; ++h) total += at(loads, facility_index, h);
  return total;
}

LoadLibrary without_noise() {
  LoadLibrary library = shipped_library();
  library.noise_sd = 0.0;
  return library;
}

bool close_relative(double actual, double expected, double tolerance) {
  return std::fabs(actual - expected) <= tolerance * std::fabs(expected);
}

// A valid archetype file small enough to count its lines; flat profiles of 24 equal values.
std::string profile(const std::string& value) {
  std::string list;
  for (int h = 0; h < 24; ++h) list += (h == 0 ? "" : ", ") + value;
  return "{values: [" + list + "], source: s, confidence: estimate}";
}

std::string shift_block(const std::string& name) {
  return "  " + name + ":\n" +                                                               //
         "    weekday: " + profile("1") + "\n" + "    saturday: " + profile("0.5") + "\n" +  //
         "    sunday: " + profile("0.2") + "\n" + "    shutdown: " + profile("0.2") + "\n";
}

std::string sector_block(const std::string& elec_value) {
  return "    elec_kwh_per_m2: {value: " + elec_value + ", source: s, confidence: estimate}\n" +
         "    fuel_kwh_per_m2: {value: 100, source: s, confidence: estimate}\n" +
         "    cooling_share: {value: 0.1, source: s, confidence: estimate}\n" +
         "    heating_share: {value: 0.05, source: s, confidence: estimate}\n" +
         "    fuel_space_heating_share: {value: 0.5, source: s, confidence: estimate}\n";
}

}  // namespace

TEST_CASE("the shipped archetype file loads with every shift and the sectors of the layout") {
  const LoadLibrary& library = shipped_library();
  CHECK(library.shifts.size() == 3);
  for (const char* code : {"C10", "C20", "C22", "C23", "C24", "C25", "C26", "C27", "C28", "C29"}) {
    CAPTURE(code);
    CHECK(library.sectors.count(code) == 1);
  }
  CHECK(library.fallback.elec_kwh_per_m2 > 0.0);
  // Values written in the file (gis_data/loads/archetypes.yaml).
  CHECK(library.cooling_balance_c == 22.0);
  CHECK(library.heating_balance_c == 15.0);
  CHECK(library.noise_sd == 0.05);
}

TEST_CASE("archetype electricity intensities agree with the layout generator's") {
  // gis_data/complexes.yaml sizes feeders with its own elec_kwh_per_m2; loads must use the same figures.
  const SiteFacts facts = read_site_facts(SANDAN_GIS_DATA_DIR "/complexes.yaml");
  REQUIRE(!facts.sector_elec_kwh_per_m2.empty());
  for (const auto& [code, intensity] : facts.sector_elec_kwh_per_m2) {
    CAPTURE(code);
    REQUIRE(shipped_library().sectors.count(code) == 1);
    CHECK(shipped_library().sectors.at(code).elec_kwh_per_m2 == intensity);
  }
}

TEST_CASE("annual totals are reproduced for metered and intensity-derived facilities") {
  const Calendar& calendar = calendar_2026();
  const FacilityLoads loads =
      model_loads(tiny_site(), calendar, incheon_temperature_c(calendar), shipped_library(), kSeed);
  REQUIRE(loads.hours == 8760);
  REQUIRE(loads.elec_kw.size() == 4 * 8760);
  // Expected totals: intensity × floor area with the shipped intensities (C29 185, C20 275 and 500 fuel,
  // fallback 300 and 250 fuel kWh/m²), or the layout's own figures. The model promises float rounding
  // (≈1e-7 per value); 1e-5 is far inside the 1 % the load model is required to meet.
  struct Expected {
    std::size_t index;
    double elec_mwh;
    double fuel_mwh;
  };
  const Expected expected[] = {
      {kDay, 2000.0 * 185.0 / 1000.0, 0.0},  // Fuel::kNone: burns no fuel
      {kTwo, 1234.5, 56.7},                  // the layout's totals win over intensity × area
      {kContinuous, 1500.0 * 275.0 / 1000.0, 1500.0 * 500.0 / 1000.0},
      {kOther, 1000.0 * 300.0 / 1000.0, 1000.0 * 250.0 / 1000.0},
  };
  for (const Expected& e : expected) {
    CAPTURE(e.index);
    const double elec_mwh = sum_kwh(loads.elec_kw, e.index, loads.hours) / 1000.0;
    const double fuel_mwh = sum_kwh(loads.fuel_kw, e.index, loads.hours) / 1000.0;
    CHECK(close_relative(elec_mwh, e.elec_mwh, 1e-5));
    CHECK(close_relative(loads.annual_elec_mwh[e.index], elec_mwh, 1e-12));
    if (e.fuel_mwh == 0.0) {
      CHECK(fuel_mwh == 0.0);
    } else {
      CHECK(close_relative(fuel_mwh, e.fuel_mwh, 1e-5));
      CHECK(close_relative(loads.annual_fuel_mwh[e.index], fuel_mwh, 1e-12));
    }
  }
}

TEST_CASE("a day-shift facility draws far more on weekday mornings than at night") {
  const Calendar& calendar = calendar_2026();
  const FacilityLoads loads =
      model_loads(tiny_site(), calendar, incheon_temperature_c(calendar), shipped_library(), kSeed);
  double day_kw = 0.0;
  double night_kw = 0.0;
  int days = 0;
  for (int h = 0; h < calendar.hours(); h += 24) {
    if (calendar.day_type(h) != DayType::kWeekday) continue;
    for (int hour = 9; hour < 12; ++hour) day_kw += at(loads, kDay, h + hour);
    for (int hour = 0; hour < 5; ++hour) night_kw += at(loads, kDay, h + hour);
    ++days;
  }
  day_kw /= 3.0 * days;
  night_kw /= 5.0 * days;
  // The day profile is 1.0 from 09 to 12 and 0.2 at night (archetypes.yaml): a ratio of 5 before the
  // temperature shares (7 % of C29's electricity) blur it; more than 3 leaves room for them.
  CHECK(day_kw > 3.0 * night_kw);
}

TEST_CASE("holidays and shutdown days draw less than working days") {
  const Calendar& calendar = calendar_2026();
  // Noise off, so a single day can be compared with the mean of its neighbours.
  const FacilityLoads loads =
      model_loads(tiny_site(), calendar, incheon_temperature_c(calendar), without_noise(), kSeed);
  // holidays_kr.csv, 2026: Seollal 17 February (Tuesday, public), shutdown 19 February (Thursday).
  const Date holiday{2026, 2, 17};
  const Date shutdown{2026, 2, 19};
  REQUIRE(calendar.day_type(holiday) == DayType::kHoliday);
  REQUIRE(calendar.day_type(shutdown) == DayType::kShutdown);
  // The working weekdays around them: Monday-Friday of the weeks before and after.
  const Date working[] = {{2026, 2, 9},  {2026, 2, 10}, {2026, 2, 11}, {2026, 2, 12}, {2026, 2, 13},
                          {2026, 2, 23}, {2026, 2, 24}, {2026, 2, 25}, {2026, 2, 26}, {2026, 2, 27}};
  for (const std::size_t index : {kDay, kTwo, kContinuous}) {
    CAPTURE(index);
    double weekday_kwh = 0.0;
    for (const Date& date : working) {
      REQUIRE(calendar.day_type(date) == DayType::kWeekday);
      weekday_kwh += day_kwh(loads, index, calendar, date) / 10.0;
    }
    CHECK(day_kwh(loads, index, calendar, holiday) < weekday_kwh);
    CHECK(day_kwh(loads, index, calendar, shutdown) < weekday_kwh);
  }
  // A day-shift factory idles at its base load (0.2 and 0.17 of a weekday's 1.0 peak, whose daily mean is
  // ≈0.52): well under 60 % of a working day.
  double weekday_kwh = 0.0;
  for (const Date& date : working) weekday_kwh += day_kwh(loads, kDay, calendar, date) / 10.0;
  CHECK(day_kwh(loads, kDay, calendar, holiday) < 0.6 * weekday_kwh);
  CHECK(day_kwh(loads, kDay, calendar, shutdown) < 0.6 * weekday_kwh);
}

TEST_CASE("a continuous facility is nearly flat on working days, a day-shift one is not") {
  const Calendar& calendar = calendar_2026();
  const FacilityLoads loads =
      model_loads(tiny_site(), calendar, incheon_temperature_c(calendar), without_noise(), kSeed);
  // Weekdays of May: mild (FACTS §5: 12.7-21.4 °C), so little cooling or heating blurs the shift shape.
  auto ratio = [&](std::size_t index) {
    float lo = 1e30F;
    float hi = 0.0F;
    for (int h = calendar.first_hour({2026, 5, 1}); h < calendar.first_hour({2026, 6, 1}); ++h) {
      if (calendar.day_type(h) != DayType::kWeekday) continue;
      lo = std::min(lo, at(loads, index, h));
      hi = std::max(hi, at(loads, index, h));
    }
    return static_cast<double>(hi / lo);
  };
  // The continuous weekday profile spans 0.90-1.00 (ratio 1.11); night heating below 15 °C (1 % of
  // C20's electricity) adds a little. The day profile spans 0.20-1.00 (ratio 5).
  CHECK(ratio(kContinuous) < 1.2);
  CHECK(ratio(kDay) > 4.0);
}

TEST_CASE("a hot hour raises the load of a facility with a cooling share") {
  const Calendar& calendar = calendar_2026();
  std::vector<double> mild = incheon_temperature_c(calendar);
  // Wednesday 15 July 2026, 14:00-15:00, a working hour; 35 °C instead of ≈27.4 °C.
  const int hour = calendar.first_hour({2026, 7, 15}) + 14;
  REQUIRE(calendar.day_type(hour) == DayType::kWeekday);
  std::vector<double> hot = mild;
  hot[static_cast<std::size_t>(hour)] = 35.0;
  const FacilityLoads base = model_loads(tiny_site(), calendar, mild, shipped_library(), kSeed);
  const FacilityLoads heat = model_loads(tiny_site(), calendar, hot, shipped_library(), kSeed);
  // C29's cooling term (share 0.03) grows (35 − 22) / (27.4 − 22) ≈ 2.4-fold: from ≈14 % of the hour's
  // load to ≈28 %, so the hour rises by ≈20 %.
  CHECK(at(heat, kDay, hour) > 1.1F * at(base, kDay, hour));
  CHECK(at(heat, kContinuous, hour) > at(base, kContinuous, hour));
}

TEST_CASE("the same seed gives identical loads and another seed different ones with the same totals") {
  const Calendar& calendar = calendar_2026();
  const auto t = incheon_temperature_c(calendar);
  const FacilityLoads a = model_loads(tiny_site(), calendar, t, shipped_library(), kSeed);
  const FacilityLoads b = model_loads(tiny_site(), calendar, t, shipped_library(), kSeed);
  const FacilityLoads c = model_loads(tiny_site(), calendar, t, shipped_library(), kSeed + 1);
  CHECK(a.elec_kw == b.elec_kw);
  CHECK(a.fuel_kw == b.fuel_kw);
  CHECK(a.elec_kw != c.elec_kw);
  for (std::size_t f = 0; f < 4; ++f) CHECK(close_relative(c.annual_elec_mwh[f], a.annual_elec_mwh[f], 1e-5));
}

TEST_CASE("noise of the shipped size moves hours by a few per cent around the noiseless shape") {
  const Calendar& calendar = calendar_2026();
  const auto t = incheon_temperature_c(calendar);
  const FacilityLoads noisy = model_loads(tiny_site(), calendar, t, shipped_library(), kSeed);
  const FacilityLoads smooth = model_loads(tiny_site(), calendar, t, without_noise(), kSeed);
  double sum = 0.0;
  double sum_sq = 0.0;
  for (int h = 0; h < calendar.hours(); ++h) {
    const double r =
        static_cast<double>(at(noisy, kContinuous, h)) / static_cast<double>(at(smooth, kContinuous, h));
    sum += r;
    sum_sq += r * r;
  }
  const double mean = sum / calendar.hours();
  const double sd = std::sqrt(sum_sq / calendar.hours() - mean * mean);
  // The multiplier (1 + σz/2)² has relative standard deviation ≈ σ = 0.05 (archetypes.yaml); AR(1)
  // correlation over ≈3 h makes a year's sample estimate scatter by ≈10 %.
  CHECK(sd > 0.04);
  CHECK(sd < 0.06);
  CHECK(std::fabs(mean - 1.0) < 0.01);
}

TEST_CASE("no load is ever negative, even with noise as large as the file allows") {
  const Calendar& calendar = calendar_2026();
  LoadLibrary library = shipped_library();
  library.noise_sd = 1.0;  // the file's upper limit
  const FacilityLoads loads =
      model_loads(tiny_site(), calendar, incheon_temperature_c(calendar), library, kSeed);
  CHECK(*std::min_element(loads.elec_kw.begin(), loads.elec_kw.end()) >= 0.0F);
  CHECK(*std::min_element(loads.fuel_kw.begin(), loads.fuel_kw.end()) >= 0.0F);
}

TEST_CASE("a temperature series that never needs cooling still reproduces the annual total") {
  const Calendar& calendar = calendar_2026();
  const std::vector<double> cool(static_cast<std::size_t>(calendar.hours()), 18.0);  // between 15 and 22 °C
  const FacilityLoads loads = model_loads(tiny_site(), calendar, cool, shipped_library(), kSeed);
  CHECK(close_relative(sum_kwh(loads.elec_kw, kDay, loads.hours), 2000.0 * 185.0, 1e-5));
  CHECK(close_relative(sum_kwh(loads.fuel_kw, kContinuous, loads.hours), 1500.0 * 500.0, 1e-5));
}

TEST_CASE("an unknown key, a quoted number and a negative intensity are all reported with lines") {
  const sandan::test::TempDir dir("loads_bad");
  const std::string text = std::string("schema: sandan-load-archetypes\n") +                            // 1
                           "version: 1\n" +                                                             // 2
                           "cooling_balance_c: {value: 22, source: s, confidence: estimate}\n" +        // 3
                           "heating_balance_c: {value: 15, source: s, confidence: estimate}\n" +        // 4
                           "hvac_unoccupied_weight: {value: 0.3, source: s, confidence: estimate}\n" +  // 5
                           "noise_sd: {value: \"0.05\", source: s, confidence: estimate}\n" +           // 6
                           "noise_autocorrelation: {value: 0.7, source: s, confidence: estimate}\n" +   // 7
                           "colour: red\n" +                                                            // 8
                           "shifts:\n" +                                                                // 9
                           shift_block("day") +         // 10-14
                           shift_block("two") +         // 15-19
                           shift_block("continuous") +  // 20-24
                           "sectors:\n" +               // 25
                           "  C29:\n" +                 // 26
                           "    name: machinery\n" +    // 27
                           sector_block("-5") +         // 28-32
                           "fallback:\n" +              // 33
                           "    name: other\n" +        // 34
                           sector_block("300");         // 35-39
  const std::string file = dir.str("archetypes.yaml");
  sandan::test::write_text(file, text);
  try {
    (void)read_load_library(file);
    FAIL("no error thrown");
  } catch (const ConfigError& e) {
    const auto& problems = e.problems();
    REQUIRE(problems.size() == 3);
    CHECK(problems[0] == file + ":8: colour: unknown key");
    CHECK(problems[1] == file + ":6: noise_sd.value: must be a number, got the text \"0.05\"");
    CHECK(problems[2] == file + ":28: sectors.C29.elec_kwh_per_m2.value: must be >= 0, got -5");
    CHECK(e.code() == ErrorCode::kBadInput);
  }
  // The same file without the three mistakes loads.
  std::string fixed = text;
  fixed.replace(fixed.find("colour: red\n"), 12, "");
  fixed.replace(fixed.find("\"0.05\""), 6, "0.05");
  fixed.replace(fixed.find("value: -5"), 9, "value: 5");
  sandan::test::write_text(file, fixed);
  const LoadLibrary library = read_load_library(file);
  CHECK(library.sectors.at("C29").elec_kwh_per_m2 == 5.0);
  CHECK(library.fallback.elec_kwh_per_m2 == 300.0);
}

TEST_CASE("short profiles, shares over 1, a bad sector code and a missing shift are all reported") {
  const sandan::test::TempDir dir("loads_bad_shapes");
  std::string day = shift_block("day");
  day.replace(day.find("0.5, 0.5]"), 9, "0.5]");  // saturday: 23 values
  std::string sector = sector_block("185");
  sector.replace(sector.find("heating_share: {value: 0.05"), 27, "heating_share: {value: 0.95");
  const std::string text = std::string("schema: sandan-load-archetypes\n") +                            // 1
                           "version: 2\n" +                                                             // 2
                           "cooling_balance_c: {value: 12, source: s, confidence: estimate}\n" +        // 3
                           "heating_balance_c: {value: 15, source: s, confidence: guess}\n" +           // 4
                           "hvac_unoccupied_weight: {value: 0.3, source: s, confidence: estimate}\n" +  // 5
                           "noise_sd: {value: 0.05, source: s, confidence: estimate}\n" +               // 6
                           "noise_autocorrelation: {value: 0.7, source: s, confidence: estimate}\n" +   // 7
                           "shifts:\n" +                                                                // 8
                           day +                      // 9-13
                           shift_block("two") +       // 14-18
                           "sectors:\n" +             // 19
                           "  machinery:\n" +         // 20
                           "    name: machinery\n" +  // 21
                           sector_block("185") +      // 22-26
                           "  C29:\n" +               // 27
                           "    name: machinery\n" +  // 28
                           sector +                   // 29-33
                           "fallback:\n" +            // 34
                           "    name: other\n" +      // 35
                           sector_block("300");       // 36-40
  const std::string file = dir.str("archetypes.yaml");
  sandan::test::write_text(file, text);
  try {
    (void)read_load_library(file);
    FAIL("no error thrown");
  } catch (const ConfigError& e) {
    const std::string all = e.what();
    CHECK(all.find(file + ":2: version: must be 1, got 2") != std::string::npos);
    CHECK(all.find(file + ":4: heating_balance_c.value: must be <= cooling_balance_c (12), got 15") !=
          std::string::npos);
    CHECK(all.find(file + ":4: heating_balance_c.confidence: must be verified, secondary or estimate") !=
          std::string::npos);
    CHECK(all.find(file + ":8: shifts.continuous: missing") != std::string::npos);
    CHECK(all.find(file + ":11: shifts.day.saturday.values: must be a list of 24 numbers (hours 0-23), got a "
                          "list of 23") != std::string::npos);
    CHECK(all.find(file + ":20: sectors: keys must be KSIC divisions") != std::string::npos);
    CHECK(all.find(file +
                   ":32: sectors.C29.heating_share: cooling_share + heating_share must be <= 1, got 1.05") !=
          std::string::npos);
    CHECK(e.problems().size() == 7);
  }
}

TEST_CASE("a missing archetype file is bad input naming the file") {
  try {
    (void)read_load_library("no/such/archetypes.yaml");
    FAIL("no error thrown");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kBadInput);
    CHECK(std::string(e.what()).find("no/such/archetypes.yaml") != std::string::npos);
  }
}

TEST_CASE("a facility's series does not depend on which other facilities are simulated or their order") {
  const Calendar& calendar = calendar_2026();
  const auto t = incheon_temperature_c(calendar);
  const Site all = tiny_site();
  // The continuous plant alone, and the four in reverse order: its noise is keyed by its id.
  Site alone = all;
  alone.facilities = {all.facilities[kContinuous]};
  Site reversed = all;
  std::reverse(reversed.facilities.begin(), reversed.facilities.end());
  const FacilityLoads a = model_loads(all, calendar, t, shipped_library(), kSeed);
  const FacilityLoads b = model_loads(alone, calendar, t, shipped_library(), kSeed);
  const FacilityLoads c = model_loads(reversed, calendar, t, shipped_library(), kSeed);
  const auto hours = static_cast<std::size_t>(a.hours);
  const auto series = [&](const FacilityLoads& loads, std::size_t index) {
    return std::vector<float>(loads.elec_kw.begin() + static_cast<std::ptrdiff_t>(index * hours),
                              loads.elec_kw.begin() + static_cast<std::ptrdiff_t>((index + 1) * hours));
  };
  CHECK(series(a, kContinuous) == series(b, 0));
  CHECK(series(a, kContinuous) == series(c, 3 - kContinuous));
  // Two facilities of the same archetype and size but other ids get different noise.
  Site twins;
  twins.complexes = all.complexes;
  twins.facilities = {all.facilities[kDay], all.facilities[kDay]};
  twins.facilities[1].facility_id = "day-2";
  const FacilityLoads d = model_loads(twins, calendar, t, shipped_library(), kSeed);
  CHECK(series(d, 0) != series(d, 1));
}

namespace {

// A calibration of the two-shift plant: a base load of 100 kW at night and 300 kW from 08:00 to 18:00
// on weekdays, 80 kW all day otherwise, heating 4 kW/K below 10 °C and cooling 6 kW/K above 24 °C.
LoadCalibration model_calibration() {
  LoadCalibration c;
  c.facility_id = "two";
  c.meter_id = "m-two";
  c.method = CalibrationMethod::kModel;
  for (auto& day : c.base_kw) day.fill(80.0);
  for (int h = 0; h < 24; ++h) c.base_kw[0][static_cast<std::size_t>(h)] = (h >= 8 && h < 18) ? 300.0 : 100.0;
  c.heating_change_c = 10.0;
  c.heating_slope_kw_per_k = 4.0;
  c.cooling_change_c = 24.0;
  c.cooling_slope_kw_per_k = 6.0;
  return c;
}

}  // namespace

TEST_CASE("a calibrated facility follows its fitted model hour by hour and the others are unchanged") {
  const Calendar& calendar = calendar_2026();
  const auto t = incheon_temperature_c(calendar);
  Calibration calibration;
  calibration.loads.push_back(model_calibration());
  const LoadLibrary library = without_noise();
  const FacilityLoads plain = model_loads(tiny_site(), calendar, t, library, kSeed);
  const FacilityLoads calibrated = model_loads(tiny_site(), calendar, t, library, kSeed, &calibration);
  const LoadModel model(tiny_site(), calendar, t, library, kSeed, &calibration);
  CHECK(model.calibrated_facilities() == 1);
  double expected_kwh = 0.0;
  for (int h = 0; h < calendar.hours(); ++h) {
    // The model evaluated by hand: base + 4·(10 − T)⁺ + 6·(T − 24)⁺.
    const auto hz = static_cast<std::size_t>(h);
    const DayType type = calendar.day_type(h);
    const double base =
        type == DayType::kWeekday && calendar.hour_of_day(h) >= 8 && calendar.hour_of_day(h) < 18
            ? 300.0
            : (type == DayType::kWeekday ? 100.0 : 80.0);
    const double kw = base + 4.0 * std::max(0.0, 10.0 - t[hz]) + 6.0 * std::max(0.0, t[hz] - 24.0);
    expected_kwh += kw;
    if (h % 97 == 0) CHECK(at(calibrated, kTwo, h) == doctest::Approx(kw).epsilon(1e-5));
  }
  CHECK(calibrated.annual_elec_mwh[kTwo] == doctest::Approx(expected_kwh / 1000.0).epsilon(1e-6));
  // Not the layout's metered 1,234.5 MWh any more: the meter wins.
  CHECK(calibrated.annual_elec_mwh[kTwo] != doctest::Approx(1234.5));
  // Fuel is not metered: the archetype's.
  CHECK(calibrated.annual_fuel_mwh[kTwo] == doctest::Approx(plain.annual_fuel_mwh[kTwo]));
  for (const std::size_t f : {kDay, kContinuous, kOther}) {
    CHECK(sum_kwh(calibrated.elec_kw, f, calibrated.hours) == sum_kwh(plain.elec_kw, f, plain.hours));
  }
}

TEST_CASE("a calibrated facility's fitted noise moves its hours but keeps the fitted model's year") {
  const Calendar& calendar = calendar_2026();
  const auto t = incheon_temperature_c(calendar);
  Calibration calibration;
  calibration.loads.push_back(model_calibration());
  calibration.loads[0].noise_sd = 0.08;
  calibration.loads[0].noise_autocorrelation = 0.6;
  Calibration quiet = calibration;
  quiet.loads[0].noise_sd = 0.0;
  const FacilityLoads noisy = model_loads(tiny_site(), calendar, t, shipped_library(), kSeed, &calibration);
  const FacilityLoads smooth = model_loads(tiny_site(), calendar, t, shipped_library(), kSeed, &quiet);
  CHECK(noisy.annual_elec_mwh[kTwo] == doctest::Approx(smooth.annual_elec_mwh[kTwo]).epsilon(1e-5));
  // Relative hourly deviations: their spread is the fitted 8 % (to ±25 % over 8,760 correlated hours).
  double sum_sq = 0.0;
  for (int h = 0; h < noisy.hours; ++h) {
    const double ratio = at(noisy, kTwo, h) / at(smooth, kTwo, h) - 1.0;
    sum_sq += ratio * ratio;
  }
  const double sd = std::sqrt(sum_sq / noisy.hours);
  CHECK(sd > 0.06);
  CHECK(sd < 0.10);
}

TEST_CASE("a facility scaled by an aggregate meter keeps its archetype shape times the factor") {
  const Calendar& calendar = calendar_2026();
  const auto t = incheon_temperature_c(calendar);
  Calibration calibration;
  LoadCalibration scaled;
  scaled.facility_id = "day";
  scaled.method = CalibrationMethod::kScaled;
  scaled.elec_scale = 0.8;
  calibration.loads.push_back(scaled);
  const FacilityLoads plain = model_loads(tiny_site(), calendar, t, shipped_library(), kSeed);
  const FacilityLoads calibrated =
      model_loads(tiny_site(), calendar, t, shipped_library(), kSeed, &calibration);
  CHECK(calibrated.annual_elec_mwh[kDay] == doctest::Approx(0.8 * plain.annual_elec_mwh[kDay]).epsilon(1e-6));
  for (int h = 0; h < plain.hours; h += 101)
    CHECK(at(calibrated, kDay, h) == doctest::Approx(0.8 * at(plain, kDay, h)).epsilon(1e-5));
}
