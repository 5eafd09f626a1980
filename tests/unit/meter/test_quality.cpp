// meter/quality: each check on small hand-made series; expected findings worked out by hand in the
// comments. Stamps are local KST (offset +09:00) unless said otherwise.
#include "meter/quality.hpp"

#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "meter/time_stamp.hpp"

using namespace sandan;
using namespace sandan::meter;

namespace {

const std::int64_t kDay0 = days_from_civil(2018, 1, 1) * 1440;  // 2018-01-01 00:00 local

RawMeter raw_meter(const std::vector<std::pair<std::int64_t, double>>& minute_values,
                   const std::string& unit = "kWh") {
  RawMeter m;
  m.meter_id = "m";
  m.unit = unit;
  m.source = "m.csv";
  int line = 2;
  for (const auto& [minute, value] : minute_values)
    m.readings.push_back({kDay0 + minute, std::nullopt, value, line++});
  return m;
}

RawMeter regular(int count, int interval, double (*value)(int)) {
  std::vector<std::pair<std::int64_t, double>> mv;
  for (int i = 0; i < count; ++i) mv.emplace_back(static_cast<std::int64_t>(i) * interval, value(i));
  return raw_meter(mv);
}

const QualityFinding* find(const CheckedMeter& c, const std::string& check, const std::string& action) {
  for (const auto& f : c.findings) {
    if (f.check == check && f.action == action) return &f;
  }
  return nullptr;
}

CheckOptions start_stamped() {
  CheckOptions o;
  o.stamps = StampMode::kStart;
  return o;
}

}  // namespace

TEST_CASE("gaps: short ones interpolated, long ones left missing") {
  // 20 quarter hours valued i + 1; interval 3 missing (one gap of 1) and 10..14 missing (5 > max_gap 4).
  std::vector<std::pair<std::int64_t, double>> mv;
  for (int i = 0; i < 20; ++i) {
    if (i == 3 || (i >= 10 && i <= 14)) continue;
    mv.emplace_back(i * 15, i + 1.0);
  }
  const CheckedMeter c = check_meter(raw_meter(mv), start_stamped());
  CHECK(c.report.interval_minutes == 15);
  REQUIRE(c.series.energy_kwh.size() == 20);
  CHECK(c.series.energy_kwh[3] == doctest::Approx(4.0));  // halfway between 3 and 5
  CHECK(std::isnan(c.series.energy_kwh[12]));
  const auto* repaired = find(c, "gap", "repaired");
  REQUIRE(repaired);
  CHECK(repaired->count == 1);
  CHECK(repaired->first == "2018-01-01T00:45+09:00");
  const auto* flagged = find(c, "gap", "flagged");
  REQUIRE(flagged);
  CHECK(flagged->count == 5);
  CHECK(flagged->first == "2018-01-01T02:30+09:00");
  CHECK(c.report.missing_intervals == 5);
}

TEST_CASE("duplicates, conflicting duplicates and stamps out of order") {
  // Readings at 0, 30, 15, 15 (same value), 45, 45 (other value), 60:
  // out of order: 15 after 30 (1); duplicate: the second 15 (1); conflict: the second 45 (1, kept 4).
  const CheckedMeter c =
      check_meter(raw_meter({{0, 1}, {30, 3}, {15, 2}, {15, 2}, {45, 4}, {45, 9}, {60, 5}}), start_stamped());
  REQUIRE(find(c, "out_of_order", "repaired"));
  CHECK(find(c, "out_of_order", "repaired")->count == 1);
  REQUIRE(find(c, "duplicate", "dropped"));
  CHECK(find(c, "duplicate", "dropped")->count == 1);
  REQUIRE(find(c, "duplicate_conflict", "dropped"));
  CHECK(find(c, "duplicate_conflict", "dropped")->first == "2018-01-01T00:45+09:00");
  REQUIRE(c.series.energy_kwh.size() == 5);
  CHECK(c.series.energy_kwh[3] == 4.0);
  CHECK(c.report.total_kwh == doctest::Approx(15.0));  // 1 + 2 + 3 + 4 + 5
}

TEST_CASE("negative values are dropped, then filled as a gap") {
  const CheckedMeter c = check_meter(raw_meter({{0, 1}, {15, -7}, {30, 3}, {45, 4}}), start_stamped());
  REQUIRE(find(c, "negative", "dropped"));
  CHECK(find(c, "negative", "dropped")->count == 1);
  CHECK(c.series.energy_kwh[1] == doctest::Approx(2.0));
  CHECK(find(c, "gap", "repaired"));
}

TEST_CASE("spikes: an isolated one replaced, a short run flagged") {
  // Two days of quarter hours cycling 10.0, 10.1, 10.2, 10.3: median ≈ 10.15, MAD = 0.1, σ = 0.148.
  // Interval 100 is 100 (z ≈ 600, a jump in and out of ≈ 90 ≫ 8σ): replaced by (10.3 + 10.1) / 2.
  // Intervals 150..152 are 50 (z ≈ 270): a run of 3 entered and left by a jump: flagged, kept.
  const CheckedMeter c = check_meter(regular(192, 15,
                                             [](int i) {
                                               if (i == 100) return 100.0;
                                               if (i >= 150 && i <= 152) return 50.0;
                                               return 10.0 + 0.1 * (i % 4);
                                             }),
                                     start_stamped());
  const auto* repaired = find(c, "spike", "repaired");
  REQUIRE(repaired);
  CHECK(repaired->count == 1);
  CHECK(repaired->first == "2018-01-02T01:00+09:00");  // 100 × 15 min = 25 h
  CHECK(c.series.energy_kwh[100] == doctest::Approx(10.2));
  const auto* flagged = find(c, "spike", "flagged");
  REQUIRE(flagged);
  CHECK(flagged->count == 3);
  CHECK(c.series.energy_kwh[151] == 50.0);
}

TEST_CASE("flat lines and zero runs are flagged") {
  // Quarter hours: 0..9 varying, 10..41 stuck at 5 (32 intervals = 8 h >= 6 h), 42..51 varying,
  // 52..147 zero (96 intervals = 24 h), 148..159 varying.
  const CheckedMeter c = check_meter(regular(160, 15,
                                             [](int i) {
                                               if (i >= 10 && i <= 41) return 5.0;
                                               if (i >= 52 && i <= 147) return 0.0;
                                               return 1.0 + 0.01 * i;
                                             }),
                                     start_stamped());
  const auto* flat = find(c, "flat_line", "flagged");
  REQUIRE(flat);
  CHECK(flat->count == 32);
  CHECK(flat->first == "2018-01-01T02:30+09:00");
  const auto* zero = find(c, "zero_run", "flagged");
  REQUIRE(zero);
  CHECK(zero->count == 96);
}

TEST_CASE("stamps: end-stamped series and midnight dates detected") {
  // 00:15 .. 24:00 of one day, the closing 00:00 written with the day's own date (as the steel plant
  // export does): one midnight_date repair, end-stamped, 96 intervals from 00:00.
  std::vector<std::pair<std::int64_t, double>> mv;
  for (int i = 1; i <= 95; ++i) mv.emplace_back(i * 15, 1.0 + 0.01 * i);
  mv.emplace_back(0, 2.0);  // "01/01/2018 00:00" after 23:45 of 1 January
  const CheckedMeter c = check_meter(raw_meter(mv), CheckOptions{});
  REQUIRE(find(c, "midnight_date", "repaired"));
  CHECK(find(c, "midnight_date", "repaired")->count == 1);
  CHECK(c.report.stamps == StampMode::kEnd);
  CHECK(c.report.stamps_reason.find("midnight_date") != std::string::npos);
  CHECK(c.series.energy_kwh.size() == 96);
  CHECK(c.report.first_start_utc == kDay0 - 540);
  CHECK(c.series.energy_kwh[95] == 2.0);

  // A whole day stamped 00:00 .. 23:45 is start-stamped; 00:15 .. 24:00 (next day's date) end-stamped.
  std::vector<std::pair<std::int64_t, double>> start;
  std::vector<std::pair<std::int64_t, double>> end;
  for (int i = 0; i < 96; ++i) {
    start.emplace_back(i * 15, 1.0 + 0.01 * i);
    end.emplace_back((i + 1) * 15, 1.0 + 0.01 * i);
  }
  CHECK(check_meter(raw_meter(start), CheckOptions{}).report.stamps == StampMode::kStart);
  const CheckedMeter e = check_meter(raw_meter(end), CheckOptions{});
  CHECK(e.report.stamps == StampMode::kEnd);
  CHECK(!find(e, "midnight_date", "repaired"));
  // Undecided: starts at 06:00.
  std::vector<std::pair<std::int64_t, double>> odd;
  for (int i = 0; i < 8; ++i) odd.emplace_back(360 + i * 15, 1.0 + i);
  const CheckedMeter u = check_meter(raw_meter(odd), CheckOptions{});
  CHECK(u.report.stamps == StampMode::kStart);
  CHECK(find(u, "stamps_undecided", "flagged"));
}

TEST_CASE("power units become energy per interval; other units and intervals are errors") {
  // 4000 W for 15 minutes = 1 kWh.
  const CheckedMeter c =
      check_meter(raw_meter({{0, 4000}, {15, 4000}, {30, 4000}, {45, 4000}}, "W"), start_stamped());
  CHECK(c.series.energy_kwh[0] == doctest::Approx(1.0));
  CHECK(c.report.total_kwh == doctest::Approx(4.0));
  CHECK_THROWS_WITH_AS((void)check_meter(raw_meter({{0, 1}, {15, 1}}, "kVarh"), start_stamped()),
                       doctest::Contains("unknown unit 'kVarh'"), ConfigError);
  CHECK_THROWS_WITH_AS((void)check_meter(raw_meter({{0, 1}, {10, 1}, {20, 1}}), start_stamped()),
                       doctest::Contains("10 minutes apart"), ConfigError);
  CHECK_THROWS_WITH_AS((void)check_meter(raw_meter({{0, 1}, {15, 1}}, ""), start_stamped()),
                       doctest::Contains("no unit"), ConfigError);
}

TEST_CASE("unit scale and implausible totals against the expected annual energy") {
  // One day of hours at 100 and 101 alternating: 2412 kWh, annualised × 365 = 880,380 kWh.
  auto day = [] { return regular(24, 60, [](int i) { return 100.0 + i % 2; }); };
  CheckOptions o = start_stamped();
  o.expected_annual_kwh = 1000.0;  // ratio 880: within a factor 3 of 1000 → rescaled by 1/1000
  const CheckedMeter scaled = check_meter(day(), o);
  REQUIRE(find(scaled, "unit_scale", "repaired"));
  CHECK(scaled.report.scale_applied == 1e-3);
  CHECK(scaled.report.total_kwh == doctest::Approx(2.412));
  o.unit_repair = false;
  const CheckedMeter kept = check_meter(day(), o);
  CHECK(find(kept, "unit_scale", "flagged"));
  CHECK(kept.report.scale_applied == 1.0);
  o.expected_annual_kwh = 80000.0;  // ratio 11 > 10
  CHECK(find(check_meter(day(), o), "implausible_total", "flagged"));
  o.expected_annual_kwh = 800000.0;  // ratio 1.1: nothing
  CHECK(check_meter(day(), o).findings.empty());
}
