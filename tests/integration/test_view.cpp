// The view's API (engine/view) on real results: two runs of the Incheon Local complex made with the
// `sandan` executable (the baseline and rooftop PV), each endpoint's values checked against the
// results file read independently (ResultsReader) or against the run's own KPIs, every bad request a
// 4xx with a message, and `sandan serve` as a user starts it: the address, the files it serves and
// those it refuses.
#include <doctest/doctest.h>

#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "io/results_reader.hpp"
#include "support/fixtures.hpp"
#include "twin/measured.hpp"
#include "view/server.hpp"
#include "view/view_data.hpp"

using namespace sandan::test;
using json = nlohmann::json;

namespace {

Command run_sandan(const std::string& args, const TempDir& scratch) {
  return run_command(std::string(SANDAN_EXE) + " " + args, scratch);
}

// The baseline and rooftop PV of the Incheon Local complex (grid, traffic and carbon as the baseline),
// made once.
struct Runs {
  TempDir dir{"view_runs"};
  std::string baseline = dir.str("baseline.h5");
  std::string pv = dir.str("pv.h5");
  Command a;
  Command b;
  Runs() {
    const std::string scenarios = std::string(SANDAN_SOURCE_DIR) + "/scenarios/";
    write_text(dir.path() / "baseline.yaml",
               "name: base\nextends: " + scenarios + "baseline.yaml\ncomplexes: [local]\n");
    write_text(dir.path() / "pv.yaml",
               "name: pv\nextends: " + scenarios + "rooftop_pv.yaml\ncomplexes: [local]\n");
    // Relative paths of the scenarios (the layout, ...) are as the repository's: run from its folder.
    a = run_command("cd " + std::string(SANDAN_SOURCE_DIR) + " && " + SANDAN_EXE + " run " +
                        dir.str("baseline.yaml") + " -o " + baseline,
                    dir);
    b = run_command("cd " + std::string(SANDAN_SOURCE_DIR) + " && " + SANDAN_EXE + " run " +
                        dir.str("pv.yaml") + " -o " + pv,
                    dir);
  }
};

const Runs& runs() {
  static const Runs r;
  INFO(r.a.err << r.b.err);
  REQUIRE(r.a.exit_code == 0);
  REQUIRE(r.b.exit_code == 0);
  return r;
}

sandan::ViewData& view() {
  static sandan::ViewData data([] {
    sandan::ViewOptions o;
    o.results = {runs().baseline, runs().pv};
    o.site = std::string(SANDAN_GIS_DATA_DIR) + "/incheon.gpkg";
    return o;
  }());
  return data;
}

json get_json(const std::string& path, const sandan::ViewQuery& query, int status = 200) {
  const sandan::ViewReply reply = view().get(path, query);
  INFO(path << " " << reply.body.substr(0, 300));
  CHECK(reply.status == status);
  CHECK(reply.content_type == "application/json");
  return json::parse(reply.body);
}

std::vector<float> frame(const sandan::ViewQuery& query) {
  const sandan::ViewReply reply = view().get("/api/frame", query);
  INFO(reply.body.substr(0, 300));
  REQUIRE(reply.status == 200);
  REQUIRE(reply.content_type == "application/octet-stream");
  REQUIRE(reply.body.size() % sizeof(float) == 0);
  std::vector<float> values(reply.body.size() / sizeof(float));
  std::memcpy(values.data(), reply.body.data(), reply.body.size());
  return values;
}

// The index of each layout feature's id in a results coordinate.
std::map<std::string, std::size_t> rows_of(const std::vector<std::string>& ids) {
  std::map<std::string, std::size_t> rows;
  for (std::size_t i = 0; i < ids.size(); ++i) rows[ids[i]] = i;
  return rows;
}

double kpi(const std::string& file, const std::string& run, const std::string& key,
           const std::string& complex) {
  const sandan::ResultsReader reader(file);
  for (const auto& row : reader.kpis(run))
    if (row.key == key && row.complex == complex) return row.value;
  FAIL("no KPI " << key);
  return 0;
}

}  // namespace

TEST_CASE("the view's meta lists both files' runs with their plain-words scenarios and the peak hour") {
  const json meta = get_json("/api/meta", {});
  REQUIRE(meta["runs"].size() == 2);
  CHECK(meta["runs"][0]["id"] == "0:base");
  CHECK(meta["runs"][1]["id"] == "1:pv");
  CHECK(meta["runs"][0]["hours"] == 8760);
  CHECK(meta["runs"][0]["has_grid"] == true);
  CHECK(meta["runs"][0]["has_traffic"] == true);
  // rooftop_pv.yaml: roof_share 0.5 and min_roof_m2 1000, said in both languages.
  const json& pv = meta["runs"][1]["interventions"];
  REQUIRE(pv.size() == 1);
  CHECK(pv[0]["kind"] == "rooftop_pv");
  CHECK(pv[0]["text"]["en"].get<std::string>().find("roof share 50 %") != std::string::npos);
  CHECK(pv[0]["text"]["ko"].get<std::string>().find("지붕 활용률 50 %") != std::string::npos);
  CHECK(pv[0]["text"]["en"].get<std::string>().find("1,000 m²") != std::string::npos);
  CHECK(meta["synthetic"] == true);
  CHECK(meta["caveat"]["ko"].get<std::string>().find("합성") != std::string::npos);

  // The peak hour is the hour of the largest total import of the complexes, read independently.
  const sandan::ResultsReader reader(runs().baseline);
  std::size_t columns = 0;
  const auto imports = reader.float_rows("runs/base/energy/complex_import_kw", 0, 1, columns);
  const auto peak = static_cast<int>(std::max_element(imports.begin(), imports.end()) - imports.begin());
  CHECK(meta["runs"][0]["peak_hour"] == peak);
}

TEST_CASE(
    "a facility frame is each facility's value of the hour in the layout's order, NaN outside the run") {
  const json layout = json::parse(view().get("/api/layout", {{"run", "0:base"}}).body);
  const json& facilities = layout["facilities"]["features"];
  REQUIRE(facilities.size() == 1810);  // the whole layout: the run simulated one complex
  CHECK(layout["complexes"]["features"].size() == 5);
  const int hour = 4000;
  const std::vector<float> load = frame(
      {{"run", "0:base"}, {"layer", "facilities"}, {"quantity", "load_kw"}, {"hour", std::to_string(hour)}});
  REQUIRE(load.size() == facilities.size());
  const sandan::ResultsReader reader(runs().baseline);
  const auto rows = rows_of(reader.strings("runs/base/energy/facility"));
  std::size_t columns = 0;
  const auto series = reader.float_rows("runs/base/energy/load_kw", 0, rows.size(), columns);
  std::size_t checked = 0;
  for (std::size_t i = 0; i < facilities.size(); ++i) {
    const std::string id = facilities[i]["properties"]["id"];
    CHECK(facilities[i]["id"] == i);
    const auto row = rows.find(id);
    if (row == rows.end()) {
      CHECK(std::isnan(load[i]));
      continue;
    }
    CHECK(load[i] == series[row->second * columns + hour]);
    ++checked;
  }
  CHECK(checked == rows.size());
  CHECK(facilities[0]["geometry"]["type"] == "MultiPolygon");
  // WGS84 near Incheon.
  const double lon = facilities[0]["geometry"]["coordinates"][0][0][0][0];
  const double lat = facilities[0]["geometry"]["coordinates"][0][0][0][1];
  CHECK(lon > 126.5);
  CHECK(lon < 126.9);
  CHECK(lat > 37.3);
  CHECK(lat < 37.7);
}

TEST_CASE(
    "the difference PV − baseline has lower import on PV roofs at noon and equals the two frames' "
    "difference") {
  const sandan::ViewQuery base{
      {"run", "0:base"}, {"layer", "facilities"}, {"quantity", "import_kw"}, {"hour", "4140"}};
  sandan::ViewQuery pv = base;
  pv.find("run")->second = "1:pv";
  sandan::ViewQuery diff = pv;
  diff.emplace("base", "0:base");
  const auto a = frame(base);
  const auto b = frame(pv);
  const auto d = frame(diff);
  // 4140 = 22 June (day 172) 12:00 KST, a Monday.
  const auto pv_kw =
      frame({{"run", "1:pv"}, {"layer", "facilities"}, {"quantity", "pv_kw"}, {"hour", "4140"}});
  std::size_t with_pv = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (std::isnan(a[i])) continue;
    CHECK(d[i] == b[i] - a[i]);
    if (pv_kw[i] > 1.0F) {
      ++with_pv;
      CHECK(d[i] < 0.0F);
    }
  }
  CHECK(with_pv > 10);
  const json scale =
      get_json("/api/scale",
               {{"run", "1:pv"}, {"base", "0:base"}, {"layer", "facilities"}, {"quantity", "import_kw"}});
  CHECK(scale["min"].get<double>() == -scale["max"].get<double>());
  CHECK(scale["max"].get<double>() > 0);
}

TEST_CASE(
    "self-sufficiency is one less import over load, and facilities' yearly tCO2eq add up to the complex's "
    "scopes 1 and 2") {
  const sandan::ViewQuery q{{"run", "1:pv"}, {"layer", "facilities"}, {"hour", "4140"}};
  auto with = [&](const char* quantity) {
    sandan::ViewQuery x = q;
    x.emplace("quantity", quantity);
    return frame(x);
  };
  const auto load = with("load_kw");
  const auto imports = with("import_kw");
  const auto share = with("self_sufficiency");
  for (std::size_t i = 0; i < load.size(); ++i) {
    if (std::isnan(load[i]) || load[i] <= 0) continue;
    CHECK(share[i] == doctest::Approx(1.0 - imports[i] / load[i]).epsilon(1e-6));
  }
  // Electricity pro rata to import and each fuel pro rata to its use: the shares sum to the complex's
  // scope 1 + scope 2 (KPIs of the run, computed by the emissions account).
  const auto tco2e = with("tco2e");
  double sum = 0;
  for (const float t : tco2e)
    if (!std::isnan(t)) sum += t;
  const double expected =
      kpi(runs().pv, "pv", "tco2e_scope1", "local") + kpi(runs().pv, "pv", "tco2e_scope2", "local");
  CHECK(sum == doctest::Approx(expected).epsilon(1e-4));
  // The yearly bill is the file's bill_krw; its sum is the complex's bill KPI.
  const auto bill = with("bill_krw");
  double bills = 0;
  for (const float x : bill)
    if (!std::isnan(x)) bills += x;
  CHECK(bills == doctest::Approx(kpi(runs().pv, "pv", "bill_krw", "local")).epsilon(1e-5));
}

TEST_CASE(
    "road flows are the links' vehicles (own and background) of the hour's day type, and feeder frames the "
    "segments' loading and "
    "voltage") {
  const sandan::ResultsReader reader(runs().baseline);
  std::vector<std::size_t> dims;
  const auto flow = reader.floats("runs/base/traffic/link_flow_veh_h", &dims);  // [day × hour × link × class]
  const std::size_t links = dims[2];
  const std::size_t classes = dims[3];
  // The baseline's background traffic is on the roads too (traffic.background).
  std::vector<std::size_t> bg_dims;
  const auto background = reader.floats("runs/base/traffic/background_flow_veh_h", &bg_dims);
  REQUIRE(bg_dims.size() == 4);
  const std::size_t bg_classes = bg_dims[3];
  // Hour 8 of the year is 1 January 08:00, a public holiday (rest day, index 2); hour 24 × 5 + 8 is
  // Tuesday 6 January 2026 08:00, a workday (index 0).
  for (const auto& [hour, day] : std::vector<std::pair<int, std::size_t>>{{8, 2}, {128, 0}}) {
    double expected = 0;
    for (std::size_t l = 0; l < links; ++l) {
      for (std::size_t c = 0; c < classes; ++c) expected += flow[((day * 24 + 8) * links + l) * classes + c];
      for (std::size_t c = 0; c < bg_classes; ++c)
        expected += background[((day * 24 + 8) * links + l) * bg_classes + c];
    }
    const auto roads =
        frame({{"run", "0:base"}, {"layer", "roads"}, {"quantity", "flow"}, {"hour", std::to_string(hour)}});
    double total = 0;
    for (const float x : roads)
      if (!std::isnan(x)) total += x;
    CHECK(total == doctest::Approx(expected).epsilon(1e-5));
  }
  const auto vc = frame({{"run", "0:base"}, {"layer", "roads"}, {"quantity", "vc"}, {"hour", "128"}});
  CHECK(std::any_of(vc.begin(), vc.end(), [](float x) { return x > 0; }));

  const auto loading =
      frame({{"run", "0:base"}, {"layer", "feeders"}, {"quantity", "loading"}, {"hour", "4140"}});
  const auto voltage =
      frame({{"run", "0:base"}, {"layer", "feeders"}, {"quantity", "voltage"}, {"hour", "4140"}});
  const json layout = json::parse(view().get("/api/layout", {{"run", "0:base"}}).body);
  const json& segments = layout["feeders"]["features"];
  REQUIRE(loading.size() == segments.size());
  const auto branches = rows_of(reader.strings("runs/base/grid/branch"));
  const auto buses = rows_of(reader.strings("runs/base/grid/bus"));
  std::size_t columns = 0;
  const auto branch_loading = reader.float_rows("runs/base/grid/branch_loading", 0, branches.size(), columns);
  const auto vm = reader.float_rows("runs/base/grid/bus_vm_pu", 0, buses.size(), columns);
  std::size_t checked = 0;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const auto branch = branches.find(segments[i]["properties"]["id"].get<std::string>());
    const auto bus = buses.find(segments[i]["properties"]["to_bus"].get<std::string>());
    if (branch == branches.end()) continue;
    CHECK(loading[i] == branch_loading[branch->second * columns + 4140]);
    REQUIRE(bus != buses.end());
    CHECK(voltage[i] == vm[bus->second * columns + 4140]);
    ++checked;
  }
  CHECK(checked > 0);
}

TEST_CASE(
    "the shift change's queues: each road the longest of its links' queues, totals and gates as stored") {
  const sandan::ResultsReader reader(runs().baseline);
  const std::string g = "runs/base/traffic/dynamic";
  std::vector<std::size_t> dims;
  const auto queue_m = reader.floats(g + "/link_queue_m", &dims);  // [time × link]
  REQUIRE(dims.size() == 2);
  const std::size_t steps = dims[0];
  const std::size_t links = dims[1];
  const auto queue_veh = reader.floats(g + "/link_queue_veh");
  const json d = get_json("/api/dynamic", {{"run", "0:base"}});
  REQUIRE(d["time_s"].size() == steps);
  CHECK(d["busiest_gate"].get<std::string>() == reader.string_attribute(g, "busiest_gate").value_or("?"));
  // Vehicles queued on all roads: the sum over the links, recomputed here.
  double max_m = 0;
  for (std::size_t t = 0; t < steps; ++t) {
    double sum = 0;
    for (std::size_t l = 0; l < links; ++l) {
      sum += queue_veh[t * links + l];
      max_m = std::max(max_m, double{queue_m[t * links + l]});
    }
    CHECK(d["queued_veh"][t].get<double>() == doctest::Approx(sum).epsilon(1e-6));
  }
  CHECK(d["max_queue_m"].get<double>() == doctest::Approx(max_m));
  // Each layout road at a step: the longest queue of the links that carry its id.
  const auto road_ids = reader.strings("runs/base/traffic/link_road_id");
  const json layout = json::parse(view().get("/api/layout", {{"run", "0:base"}}).body);
  const json& roads = layout["roads"]["features"];
  const std::size_t step = steps / 2;
  const sandan::ViewReply reply =
      view().get("/api/dynamic_frame", {{"run", "0:base"}, {"step", std::to_string(step)}});
  REQUIRE(reply.status == 200);
  std::vector<float> values(reply.body.size() / sizeof(float));
  std::memcpy(values.data(), reply.body.data(), reply.body.size());
  REQUIRE(values.size() == roads.size());
  std::size_t checked = 0;
  for (std::size_t i = 0; i < roads.size(); ++i) {
    const std::string id = roads[i]["properties"]["id"].get<std::string>();
    float expected = -1;
    for (std::size_t l = 0; l < links; ++l)
      if (road_ids[l] == id) expected = std::max(expected, queue_m[step * links + l]);
    if (expected < 0) continue;
    CHECK(values[i] == expected);
    ++checked;
  }
  CHECK(checked > 0);
  // Class travel times as stored.
  const auto travel = reader.numbers(g + "/class_mean_travel_time_s");
  REQUIRE(d["classes"].size() == travel.size());
  CHECK(d["classes"][0]["mean_travel_time_s"].get<double>() == travel[0]);
  // Bad requests.
  get_json("/api/dynamic_frame", {{"run", "0:base"}}, 400);
  get_json("/api/dynamic_frame", {{"run", "0:base"}, {"step", std::to_string(steps)}}, 400);
}

TEST_CASE("every alarm is beyond its limit at its worst hour, and a series is the hours of the file") {
  const json alarms = get_json("/api/alarms", {{"run", "0:base"}, {"vc", "0.05"}});
  REQUIRE(alarms["alarms"].is_array());
  CHECK(alarms["shown"].get<std::size_t>() == alarms["alarms"].size());
  std::size_t checked = 0;
  for (const json& a : alarms["alarms"]) {
    const std::string kind = a["kind"];
    const std::string layer = a["layer"];
    const std::string quantity = kind == "congestion" ? "vc" : kind == "overload" ? "loading" : "voltage";
    if (layer == "facilities") continue;
    const auto values = frame({{"run", "0:base"},
                               {"layer", layer},
                               {"quantity", quantity},
                               {"hour", std::to_string(a["worst_hour"].get<int>())}});
    const float at = values.at(a["feature"].get<std::size_t>());
    CHECK(at == doctest::Approx(a["value"].get<double>()).epsilon(1e-6));
    if (kind == "undervoltage") CHECK(at < a["limit"].get<double>());
    if (kind == "overvoltage" || kind == "overload" || kind == "congestion")
      CHECK(at > a["limit"].get<double>());
    CHECK(a["lon"].get<double>() > 126.5);
    ++checked;
  }
  CHECK(checked > 0);  // the local complex's busiest roads pass v/c 0.05 (0.22 at most)

  const json day = get_json("/api/series", {{"run", "0:base"},
                                            {"layer", "facilities"},
                                            {"feature", "1700"},
                                            {"quantity", "load_kw"},
                                            {"from", "4128"},
                                            {"hours", "24"}});
  const auto at_noon =
      frame({{"run", "0:base"}, {"layer", "facilities"}, {"quantity", "load_kw"}, {"hour", "4140"}});
  REQUIRE(day["values"].size() == 24);
  if (!std::isnan(at_noon[1700])) CHECK(day["values"][12].get<double>() == doctest::Approx(at_noon[1700]));
  const json year = get_json(
      "/api/series",
      {{"run", "0:base"}, {"layer", "complexes"}, {"feature", "3"}, {"quantity", "load_kw"}, {"step", "24"}});
  CHECK(year["values"].size() == 365);
  // The complexes' daily means average to the year's mean: annual_load_mwh × 1000 / 8760 kW.
  double mean = 0;
  std::size_t days = 0;
  for (const json& v : year["values"]) {
    if (v.is_null()) continue;
    mean += v.get<double>();
    ++days;
  }
  if (days == 365)
    CHECK(mean / 365 ==
          doctest::Approx(kpi(runs().baseline, "base", "annual_load_mwh", "local") * 1000 / 8760)
              .epsilon(1e-4));
  const json k = get_json("/api/kpis", {{"run", "1:pv"}, {"base", "0:base"}});
  CHECK(k["complexes"].back()["id"] == "all");
  for (const json& item : k["complexes"].back()["kpis"])
    if (item["key"] == "annual_load_mwh")
      CHECK(item["base"].get<double>() ==
            doctest::Approx(kpi(runs().baseline, "base", "annual_load_mwh", "all")));
}

TEST_CASE("bad requests get a 4xx JSON error naming the parameter, never a crash") {
  struct Case {
    std::string path;
    sandan::ViewQuery query;
    int status;
    std::string says;
  };
  const std::vector<Case> cases{
      {"/api/frame",
       {{"run", "7:nothing"}, {"layer", "facilities"}, {"quantity", "load_kw"}, {"hour", "1"}},
       404,
       "unknown run"},
      {"/api/frame",
       {{"run", "0:base"}, {"layer", "facilities"}, {"quantity", "load_kw"}, {"hour", "8760"}},
       400,
       "out of range"},
      {"/api/frame",
       {{"run", "0:base"}, {"layer", "facilities"}, {"quantity", "load_kw"}, {"hour", "-1"}},
       400,
       "out of range"},
      {"/api/frame",
       {{"run", "0:base"}, {"layer", "facilities"}, {"quantity", "load_kw"}, {"hour", "1e3"}},
       400,
       "whole number"},
      {"/api/frame",
       {{"run", "0:base"},
        {"layer", "facilities"},
        {"quantity", "load_kw"},
        {"hour", "99999999999999999999"}},
       400,
       "whole number"},
      {"/api/frame", {{"run", "0:base"}, {"layer", "facilities"}, {"quantity", "load_kw"}}, 400, "hour"},
      {"/api/frame",
       {{"run", "0:base"}, {"layer", "buildings"}, {"quantity", "load_kw"}, {"hour", "1"}},
       400,
       "layer"},
      {"/api/frame",
       {{"run", "0:base"}, {"layer", "facilities"}, {"quantity", "kw"}, {"hour", "1"}},
       400,
       "quantity"},
      {"/api/frame",
       {{"run", "0:base"}, {"layer", "facilities"}, {"quantity", "battery_soc"}, {"hour", "1"}},
       400,
       "batteries"},
      {"/api/frame",
       {{"run", "0:base"}, {"base", "9:x"}, {"layer", "facilities"}, {"quantity", "load_kw"}, {"hour", "1"}},
       404,
       "unknown base"},
      {"/api/frame",
       {{"run", "0:base"},
        {"layer", "facilities"},
        {"quantity", "load_kw"},
        {"hour", "1"},
        {"format", "xml"}},
       400,
       "format"},
      {"/api/layout", {}, 400, "run"},
      {"/api/series",
       {{"run", "0:base"}, {"layer", "facilities"}, {"feature", "1810"}, {"quantity", "load_kw"}},
       400,
       "feature"},
      // Found by fuzz/fuzz_view.cpp: without `feature` the series read row -1.
      {"/api/series", {{"run", "0:base"}, {"layer", "facilities"}, {"quantity", "load_kw"}}, 400, "feature"},
      {"/api/series",
       {{"run", "0:base"}, {"layer", "facilities"}, {"feature", "1"}, {"quantity", "bill_krw"}},
       400,
       "hourly"},
      {"/api/series",
       {{"run", "0:base"}, {"layer", "facilities"}, {"feature", "1"}, {"quantity", "load_kw"}, {"step", "7"}},
       400,
       "step"},
      {"/api/series",
       {{"run", "0:base"},
        {"layer", "facilities"},
        {"feature", "1"},
        {"quantity", "load_kw"},
        {"from", "8000"},
        {"hours", "800"}},
       400,
       "hours"},
      {"/api/alarms", {{"run", "0:base"}, {"vc", "nan"}}, 400, "vc"},
      {"/api/alarms", {{"run", "0:base"}, {"limit", "0"}}, 400, "limit"},
      {"/api/nothing", {}, 404, "no endpoint"},
  };
  for (const Case& c : cases) {
    const sandan::ViewReply reply = view().get(c.path, c.query);
    INFO(c.path << " → " << reply.body);
    CHECK(reply.status == c.status);
    const json body = json::parse(reply.body);
    CHECK(body["error"].get<std::string>().find(c.says) != std::string::npos);
  }
}

TEST_CASE(
    "the view refuses at start a missing file, a file that is not a results file, and a run whose layout is "
    "gone") {
  const TempDir dir("view_start");
  auto open = [](const std::vector<std::string>& files, const std::string& site = "") {
    sandan::ViewOptions o;
    o.results = files;
    o.site = site;
    sandan::ViewData data(o);
  };
  try {
    open({dir.str("missing.h5")});
    FAIL("no error");
  } catch (const sandan::Error& e) {
    CHECK(e.code() == sandan::ErrorCode::kBadInput);
    CHECK(std::string(e.what()).find("missing.h5") != std::string::npos);
  }
  write_text(dir.path() / "text.h5", "not HDF5\n");
  CHECK_THROWS_AS(open({dir.str("text.h5")}), sandan::Error);
  // Copied away from the repository, the baseline's relative layout cannot be found: the message says --site.
  std::filesystem::copy_file(runs().baseline, dir.path() / "moved.h5");
  try {
    open({dir.str("moved.h5")});
    // Found from the working folder (the tests run in the build folder, not the repository): also fine.
  } catch (const sandan::Error& e) {
    CHECK(std::string(e.what()).find("--site") != std::string::npos);
  }
}

TEST_CASE("the web folder serves its page and MapLibre's files and nothing else") {
  const std::string web = "/srv/web";
  CHECK(sandan::asset_file(web, "/") == std::string("/srv/web/src/index.html"));
  CHECK(sandan::asset_file(web, "/app.js") == std::string("/srv/web/src/app.js"));
  CHECK(sandan::asset_file(web, "/vendor/maplibre-gl.js") ==
        std::string("/srv/web/node_modules/maplibre-gl/dist/maplibre-gl.js"));
  for (const char* path : {"/../CMakeLists.txt", "/..", "/.", "/.git", "/src/index.html", "/vendor/../../x",
                           "/vendor/other.js", "/%2e%2e/x", "/a/b", "//etc/passwd", "/app.js/", ""})
    CHECK_MESSAGE(!sandan::asset_file(web, path), path);
}

TEST_CASE(
    "sandan serve listens on 127.0.0.1, answers the API and its files, refuses traversal, and stops on "
    "SIGTERM") {
  const TempDir dir("view_serve");
  // A web folder of the view's shape; the page itself is tested in the browser (web/tests).
  std::filesystem::create_directories(dir.path() / "web/src");
  std::filesystem::create_directories(dir.path() / "web/node_modules/maplibre-gl/dist");
  write_text(dir.path() / "web/src/index.html", "<!doctype html><title>view</title>\n");
  write_text(dir.path() / "web/node_modules/maplibre-gl/dist/maplibre-gl.js", "/* map */\n");
  write_text(dir.path() / "secret.txt", "not for the web\n");
  const std::string out = dir.str("out.txt");
  const std::string command = "cd " + std::string(SANDAN_SOURCE_DIR) + " && (" + SANDAN_EXE + " serve " +
                              runs().baseline + " " + runs().pv + " --port 0 --assets " + dir.str("web") +
                              " > " + out + " 2> " + dir.str("err.txt") + " & echo $! > " + dir.str("pid") +
                              "; wait $!; echo $? > " + dir.str("rc") + ") > /dev/null 2>&1 &";
  REQUIRE(std::system(command.c_str()) == 0);
  std::string line;
  for (int i = 0; i < 600 && line.find("serving") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    line = read_text_file(out);
  }
  INFO(line << read_text_file(dir.path() / "err.txt"));
  REQUIRE(line.find("sandan: serving http://127.0.0.1:") != std::string::npos);
  const int port = std::stoi(line.substr(line.find("127.0.0.1:") + 10));
  httplib::Client client("127.0.0.1", port);
  auto meta = client.Get("/api/meta");
  REQUIRE(meta);
  CHECK(meta->status == 200);
  CHECK(json::parse(meta->body)["runs"].size() == 2);
  auto page = client.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("<title>view</title>") != std::string::npos);
  auto bad = client.Get("/api/frame?run=0:base&layer=facilities&quantity=load_kw&hour=99999");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(json::parse(bad->body)["error"].get<std::string>().find("hour") != std::string::npos);
  auto binary = client.Get("/api/frame?run=0:base&layer=facilities&quantity=load_kw&hour=1");
  REQUIRE(binary);
  CHECK(binary->body.size() == 1810 * sizeof(float));
  for (const char* path :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/vendor/../../secret.txt",
        "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/.%2e/secret.txt"}) {
    auto res = client.Get(path);
    if (!res) continue;  // the library refused to send it: nothing was served
    INFO(path);
    CHECK(res->status == 404);
    CHECK(res->body.find("not for the web") == std::string::npos);
    CHECK(res->body.find("root:") == std::string::npos);
  }
  // A second server on the same port is refused (exit 3), not started beside the first.
  const Command second = run_sandan(
      "serve " + runs().baseline + " --port " + std::to_string(port) + " --assets " + dir.str("web"), dir);
  CHECK(second.exit_code == 3);
  CHECK(second.err.find("cannot listen on 127.0.0.1:" + std::to_string(port)) != std::string::npos);
  const pid_t pid = std::stoi(read_text_file(dir.path() / "pid"));
  REQUIRE(::kill(pid, SIGTERM) == 0);
  std::string rc;
  for (int i = 0; i < 200 && rc.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    rc = read_text_file(dir.path() / "rc");
  }
  CHECK(rc == "0\n");
}

TEST_CASE(
    "sandan serve warns when it listens beyond this machine, and a corrupt results file stops it at start") {
  const TempDir dir("view_serve_errors");
  write_text(dir.path() / "broken.h5", std::string("\x89HDF\r\n\x1a\n", 8) + std::string(4000, '\0'));
  const Command broken = run_sandan("serve " + dir.str("broken.h5") + " --port 0", dir);
  CHECK(broken.exit_code == 2);
  CHECK(broken.err.find("broken.h5") != std::string::npos);
  CHECK(broken.out.find("serving") == std::string::npos);
  const Command missing = run_sandan("serve " + dir.str("none.h5") + " --port 0", dir);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("none.h5") != std::string::npos);
  const Command lang = run_sandan("serve " + runs().baseline + " --lang fr", dir);
  CHECK(lang.exit_code == 2);
  // --host beyond loopback: the warning comes before anything is opened (here the file is missing).
  const Command open = run_sandan("serve " + dir.str("none.h5") + " --host 0.0.0.0 --port 0", dir);
  CHECK(open.err.find("warning: listening on 0.0.0.0") != std::string::npos);
  CHECK(open.exit_code == 2);
}

TEST_CASE(
    "with measured data a metered facility's chart has its meter aligned weekday on weekday, and a deviation "
    "alarm its CV(RMSE)") {
  const TempDir dir("view_measured");
  const std::string measured = dir.str("measured.h5");
  const Command ingest =
      run_sandan("ingest " + std::string(SANDAN_TEST_DATA_DIR) +
                     "/steel_plant_2018/Steel_industry_data_jan-sep.csv --map " + SANDAN_SOURCE_DIR +
                     "/docs/examples/steel_plant_meter_map.yaml -o " + measured,
                 dir);
  INFO(ingest.err);
  REQUIRE(ingest.exit_code == 0);
  sandan::ViewOptions o;
  o.results = {runs().baseline};
  o.site = std::string(SANDAN_GIS_DATA_DIR) + "/incheon.gpkg";
  o.measured = measured;
  sandan::ViewData data(o);
  const json meta = json::parse(data.get("/api/meta", {}).body);
  REQUIRE(meta["measured"]["facilities"] == json::array({"machinery_f0058"}));
  const json layout = json::parse(data.get("/api/layout", {{"run", "0:base"}}).body);
  std::size_t feature = 0;
  for (const json& f : layout["facilities"]["features"])
    if (f["properties"]["id"] == "machinery_f0058") feature = f["id"];
  // The run (2026, local complex only) has no series for this Incheon Machinery facility: the chart
  // still shows the meter. 1 January 2018 is a Monday, 1 January 2026 a Thursday: the meter's first
  // hour is the run's hour 96 (Monday 5 January 2026 00:00).
  const json year = json::parse(data.get("/api/series", {{"run", "0:base"},
                                                         {"layer", "facilities"},
                                                         {"feature", std::to_string(feature)},
                                                         {"quantity", "load_kw"}})
                                    .body);
  REQUIRE(year.contains("measured"));
  const sandan::MeasuredData m = sandan::read_measured(measured);
  REQUIRE(m.start_year == 2018);
  for (int k : {0, 1, 500, m.hours - 1}) {
    const double expected = m.at(0, k);
    const json& got = year["measured"][static_cast<std::size_t>(96 + k)];
    if (std::isnan(expected))
      CHECK(got.is_null());
    else
      CHECK(got.get<double>() == doctest::Approx(expected).epsilon(1e-6));
  }
  CHECK(year["measured"][95].is_null());
  // No simulated series for the facility here, so no deviation to score: no deviation alarm.
  const json alarms = json::parse(data.get("/api/alarms", {{"run", "0:base"}, {"limit", "100000"}}).body);
  for (const json& a : alarms["alarms"]) CHECK(a["kind"] != "deviation");

  // A run of Incheon Machinery (energy only): the archetype's load against the real plant's meter.
  write_text(dir.path() / "machinery.yaml",
             "name: machinery\nextends: " + std::string(SANDAN_SOURCE_DIR) +
                 "/scenarios/baseline.yaml\ncomplexes: [machinery]\nmodels: [energy]\n");
  const Command run = run_command("cd " + std::string(SANDAN_SOURCE_DIR) + " && " + SANDAN_EXE + " run " +
                                      dir.str("machinery.yaml") + " -o " + dir.str("machinery.h5"),
                                  dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  o.results = {dir.str("machinery.h5")};
  sandan::ViewData machinery(o);
  const json both = json::parse(machinery
                                    .get("/api/series", {{"run", "0:machinery"},
                                                         {"layer", "facilities"},
                                                         {"feature", std::to_string(feature)},
                                                         {"quantity", "load_kw"}})
                                    .body);
  // CV(RMSE) over the hours with both, recomputed from the chart's two series.
  double squares = 0;
  double sum = 0;
  int n = 0;
  for (std::size_t h = 0; h < both["values"].size(); ++h) {
    if (both["measured"][h].is_null() || both["values"][h].is_null()) continue;
    const double x = both["measured"][h];
    const double s = both["values"][h];
    squares += (x - s) * (x - s);
    sum += x;
    ++n;
  }
  REQUIRE(n > 6000);
  const double cv = std::sqrt(squares / n) / (sum / n);
  const json found =
      json::parse(machinery.get("/api/alarms", {{"run", "0:machinery"}, {"limit", "100000"}}).body);
  std::size_t deviations = 0;
  for (const json& a : found["alarms"]) {
    if (a["kind"] != "deviation") continue;
    ++deviations;
    CHECK(a["name"] == "machinery_f0058");
    CHECK(a["value"].get<double>() == doctest::Approx(cv).epsilon(1e-5));
    CHECK(a["limit"].get<double>() == 0.30);  // ASHRAE Guideline 14, hourly
    CHECK(a["hours"].get<int>() == n);
  }
  CHECK(deviations == (cv > 0.30 ? 1 : 0));
}
