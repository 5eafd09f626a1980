#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "gis/crs.hpp"
#include "gis/synth.hpp"

using namespace sandan;

namespace {

const std::string kFactsPath = SANDAN_GIS_DATA_DIR "/complexes.yaml";

const SiteFacts& shipped_facts() {
  static const SiteFacts facts = read_site_facts(kFactsPath);
  return facts;
}

const Site& shipped_site() {
  static const Site site = synthesize_site(shipped_facts());
  return site;
}

std::string extra_of(const ExtraFields& extra, const std::string& key) {
  for (const auto& [k, v] : extra) {
    if (k == key) return v;
  }
  return "";
}

// A scratch directory for hand-written facts files, removed with the test process's files.
std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("sandan_test_synth_" + name);
  std::filesystem::create_directories(dir);
  return dir;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// Separating-axis test for two convex rings: true when their interiors overlap by more than tolerance.
bool convex_overlap(const Ring& p, const Ring& q, double tolerance_m) {
  for (const Ring* ring : {&p, &q}) {
    for (std::size_t i = 0; i + 1 < ring->size(); ++i) {
      double nx = -((*ring)[i + 1].y_m - (*ring)[i].y_m);
      double ny = (*ring)[i + 1].x_m - (*ring)[i].x_m;
      const double norm = std::hypot(nx, ny);
      nx /= norm;
      ny /= norm;
      double p_min = 1e300, p_max = -1e300, q_min = 1e300, q_max = -1e300;
      for (const XY& pt : p) {
        p_min = std::min(p_min, pt.x_m * nx + pt.y_m * ny);
        p_max = std::max(p_max, pt.x_m * nx + pt.y_m * ny);
      }
      for (const XY& pt : q) {
        q_min = std::min(q_min, pt.x_m * nx + pt.y_m * ny);
        q_max = std::max(q_max, pt.x_m * nx + pt.y_m * ny);
      }
      if (p_max <= q_min + tolerance_m || q_max <= p_min + tolerance_m) return false;
    }
  }
  return true;
}

double distance_to_segment_m(const XY& p, const XY& a, const XY& b) {
  const double dx = b.x_m - a.x_m;
  const double dy = b.y_m - a.y_m;
  const double t = std::clamp(((p.x_m - a.x_m) * dx + (p.y_m - a.y_m) * dy) / (dx * dx + dy * dy), 0.0, 1.0);
  return std::hypot(p.x_m - a.x_m - t * dx, p.y_m - a.y_m - t * dy);
}

double distance_to_ring_m(const XY& p, const Ring& ring) {
  double best = 1e300;
  for (std::size_t i = 0; i + 1 < ring.size(); ++i)
    best = std::min(best, distance_to_segment_m(p, ring[i], ring[i + 1]));
  return best;
}

bool segments_cross(const XY& a, const XY& b, const XY& c, const XY& d) {
  const auto orient = [](const XY& p, const XY& q, const XY& r) {
    return (q.x_m - p.x_m) * (r.y_m - p.y_m) - (q.y_m - p.y_m) * (r.x_m - p.x_m);
  };
  const double d1 = orient(c, d, a), d2 = orient(c, d, b), d3 = orient(a, b, c), d4 = orient(a, b, d);
  return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0));
}

struct UnionFind {
  std::vector<int> parent;
  int find(int i) {
    while (parent[static_cast<std::size_t>(i)] != i)
      i = parent[static_cast<std::size_t>(i)] =
          parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(i)])];
    return i;
  }
};

// Estimated peak of a facility as the generator sizes feeders (docs/synth.md: annual electricity from
// floor area x sector intensity, load factor 0.5).
double peak_kw(const Facility& facility, const SiteFacts& facts) {
  return facility.floor_area_m2 * facts.sector_elec_kwh_per_m2.at(facility.ksic) / (8760.0 * 0.5);
}

std::string fingerprint(const Site& site) {
  std::string text;
  char buffer[64];
  const auto number = [&](double v) {
    std::snprintf(buffer, sizeof buffer, "%a,", v);
    text += buffer;
  };
  for (const auto& c : site.complexes) {
    text += c.complex_id;
    for (const XY& p : c.boundary.front().outer) number(p.x_m), number(p.y_m);
  }
  for (const auto& f : site.facilities) {
    text += f.facility_id + f.ksic + f.feeder_bus + to_string(f.shift);
    number(f.floor_area_m2);
    number(f.employees);
    number(f.firms);
    for (const XY& p : f.footprint.front().outer) number(p.x_m), number(p.y_m);
  }
  for (const auto& r : site.roads) {
    text += r.road_id;
    for (const XY& p : r.geometry) number(p.x_m), number(p.y_m);
  }
  for (const auto& g : site.gates) number(g.position.x_m), number(g.position.y_m);
  for (const auto& s : site.feeders) text += s.segment_id + s.from_bus + s.to_bus + s.line_type;
  return text;
}

}  // namespace

TEST_CASE("the shipped facts file loads with its five complexes, gates and line types") {
  const SiteFacts& facts = shipped_facts();
  REQUIRE(facts.complexes.size() == 5);
  const std::vector<std::string> ids{"juan", "bupyeong", "machinery", "local", "beautiful_park"};
  for (std::size_t i = 0; i < ids.size(); ++i) CHECK(facts.complexes[i].complex_id == ids[i]);
  // Juan: 1.17 km², 1,205 firms and 12,560 employees in Feb 2022 (Korean press, cited in the file).
  CHECK(facts.complexes[0].area_km2.value == 1.17);
  CHECK(facts.complexes[0].firms.value == 1205);
  CHECK(facts.complexes[0].employees.value == 12560);
  CHECK(facts.complexes[0].area_km2.confidence == "verified");
  CHECK(facts.complexes[4].firms.confidence == "estimate");
  CHECK(facts.complexes[0].adjoins == "machinery");
  double shares = 0.0;
  for (const auto& gate : facts.gates) shares += gate.share;
  CHECK(shares == doctest::Approx(1.0));
  CHECK(facts.gates.size() >= 8);
  for (const auto& c : facts.complexes) {
    double sum = 0.0;
    for (const auto& [code, share] : c.sector_mix) {
      sum += share;
      CHECK(facts.shift_mix.count(code) == 1);
    }
    CHECK(sum == doctest::Approx(1.0));
  }
  // Juan: machinery + electrical/electronics above 70 %; Bupyeong: electrical/electronics 62 % (2015).
  const auto& juan = facts.complexes[0].sector_mix;
  CHECK(juan.at("C29") + juan.at("C26") + juan.at("C27") + juan.at("C28") > 0.70);
  const auto& bupyeong = facts.complexes[1].sector_mix;
  CHECK(bupyeong.at("C26") + bupyeong.at("C27") + bupyeong.at("C28") == doctest::Approx(0.62));
  const auto has_type = [&](const std::string& name) {
    return std::any_of(facts.line_types.begin(), facts.line_types.end(),
                       [&](const LineType& t) { return t.name == name; });
  };
  CHECK(has_type(facts.trunk_line_type));
  CHECK(has_type(facts.branch_line_type));
  for (const auto& t : facts.line_types) CHECK(t.confidence == "estimate");
}

TEST_CASE("a facts file with an unknown key, a negative area and a wrong type reports all three with lines") {
  const auto dir = scratch_dir("bad");
  write_text(dir / "types.csv",
             "name,r_ohm_per_km,x_ohm_per_km,ampacity_a,underground,source,confidence\n"
             "A,0.2,0.4,400,false,test,estimate\n");
  write_text(dir / "bad.yaml",
             "schema: sandan-complexes\n"                                                 // 1
             "version: 1\n"                                                               // 2
             "seed: 7\n"                                                                  // 3
             "line_types: {file: types.csv, trunk: A, branch: A}\n"                       // 4
             "sectors:\n"                                                                 // 5
             "  C29: {name: m, shifts: {day: 1, two: 0, continuous: 0}, fuel: none,\n"    // 6
             "        elec_kwh_per_m2: {value: 185, source: s, confidence: estimate},\n"  // 7
             "        source: s, confidence: estimate}\n"                                 // 8
             "complexes:\n"                                                               // 9
             "  - id: a\n"                                                                // 10
             "    name: A\n"                                                              // 11
             "    name_ko: 가\n"                                                          // 12
             "    colour: red\n"                                                          // 13
             "    role: hub\n"                                                            // 14
             "    source: s\n"                                                            // 15
             "    confidence: verified\n"                                                 // 16
             "    centre: {lat: 37.5, lon: 126.7, source: s, confidence: secondary}\n"    // 17
             "    area_km2: {value: -1, source: s, confidence: verified}\n"               // 18
             "    firms: {value: many, source: s, confidence: verified}\n"                // 19
             "    employees: {value: 100, source: s, confidence: verified}\n"             // 20
             "    sector_mix: {shares: {C29: 1.0}, source: s, confidence: estimate}\n"    // 21
             "gates: []\n");                                                              // 22
  const std::string file = (dir / "bad.yaml").string();
  try {
    (void)read_site_facts(file);
    FAIL("no error thrown");
  } catch (const ConfigError& e) {
    const auto& problems = e.problems();
    REQUIRE(problems.size() == 3);
    CHECK(problems[0] == file + ":13: complexes[0].colour: unknown key");
    CHECK(problems[1] == file + ":19: complexes[0].firms.value: must be a number, got 'many'");
    CHECK(problems[2] == file + ":18: complexes[0].area_km2.value: must be > 0, got -1");
    CHECK(e.code() == ErrorCode::kBadInput);
    CHECK(e.headline() == file + ": invalid facts file");
  }
}

TEST_CASE("shares that do not sum to 1, a quoted number and a dangling neighbour are all reported") {
  const auto dir = scratch_dir("shares");
  write_text(dir / "types.csv",
             "name,r_ohm_per_km,x_ohm_per_km,ampacity_a,underground,source,confidence\n"
             "A,0.2,0.4,400,false,test,estimate\n");
  write_text(dir / "shares.yaml",
             "schema: sandan-complexes\n"
             "version: 1\n"
             "seed: 7\n"
             "line_types: {file: types.csv, trunk: A, branch: B}\n"
             "sectors:\n"
             "  C29: {name: m, shifts: {day: 0.5, two: 0, continuous: 0}, fuel: coal,\n"
             "        elec_kwh_per_m2: {value: \"185\", source: s, confidence: guess},\n"
             "        source: s, confidence: estimate}\n"
             "complexes:\n"
             "  - {id: a, name: A, name_ko: 가, role: hub, source: s, confidence: verified, adjoins: b,\n"
             "     centre: {lat: 37.5, lon: 126.7, source: s, confidence: secondary},\n"
             "     area_km2: {value: 1, source: s, confidence: verified},\n"
             "     firms: {value: 10, source: s, confidence: verified},\n"
             "     employees: {value: 100, source: s, confidence: verified},\n"
             "     sector_mix: {shares: {C29: 0.9}, source: s, confidence: estimate}}\n"
             "gates:\n"
             "  - {id: g, name: G, kind: ferry, position: {lat: 37.5, lon: 126.6, source: s, confidence: "
             "verified},\n"
             "     share: {value: 0.5, source: s, confidence: estimate}}\n");
  const std::string file = (dir / "shares.yaml").string();
  try {
    (void)read_site_facts(file);
    FAIL("no error thrown");
  } catch (const ConfigError& e) {
    const std::string all = e.what();
    CHECK(all.find(":4: line_types.branch: names no line type") != std::string::npos);
    CHECK(all.find(":6: sectors.C29.shifts: shares must sum to 1, got 0.5") != std::string::npos);
    CHECK(all.find(":6: sectors.C29.fuel: must be none, lng, lpg, diesel or fuel_oil") != std::string::npos);
    CHECK(all.find(":7: sectors.C29.elec_kwh_per_m2.value: must be a number, got the text \"185\"") !=
          std::string::npos);
    CHECK(all.find(":7: sectors.C29.elec_kwh_per_m2.confidence: must be verified, secondary or estimate") !=
          std::string::npos);
    CHECK(all.find(":10: complexes[0].adjoins: names no complex: 'b'") != std::string::npos);
    CHECK(all.find(":15: complexes[0].sector_mix.shares: shares must sum to 1, got 0.9") !=
          std::string::npos);
    CHECK(all.find(":17: gates[0].kind: must be expressway, port or city") != std::string::npos);
    CHECK(all.find(":16: gates: shares must sum to 1, got 0.5") != std::string::npos);
  }
}

TEST_CASE("a missing facts file is bad input naming the file") {
  try {
    (void)read_site_facts("no/such/complexes.yaml");
    FAIL("no error thrown");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kBadInput);
    CHECK(std::string(e.what()).find("no/such/complexes.yaml") != std::string::npos);
  }
}

TEST_CASE(
    "a line types header with a column besides the seven is refused, its rows not read (found by fuzzing)") {
  // Before, a header of the seven columns and an unknown one passed when every known column was found,
  // and the rows of seven fields were read by the header's indices: 'confidence', the eighth column,
  // read past the end of the row.
  const auto dir = scratch_dir("line_types_header");
  const std::string known = "name,r_ohm_per_km,x_ohm_per_km,ampacity_a,underground,source,confidence";
  const std::string fix = "; the header is " + known + ", each column once, in any order";
  const std::string row = "A,0.2,0.4,400,false,test,estimate\n";
  write_text(dir / "unknown.csv", "colour," + known + "\n" + row + row);
  write_text(dir / "repeated.csv", known + ",name\n" + row + row);
  for (const auto& [name, problem] :
       {std::pair<std::string, std::string>{"unknown.csv", ":1: colour: unknown column" + fix},
        {"repeated.csv", ":1: name: repeated column" + fix}}) {
    CAPTURE(name);
    const std::string file = (dir / name).string();
    try {
      (void)read_line_types(file);
      FAIL("no error thrown");
    } catch (const ConfigError& e) {
      // The header's one problem, and none of the rows (the second repeats the line type 'A').
      REQUIRE(e.problems().size() == 1);
      CHECK(e.problems()[0] == file + problem);
      CHECK(e.headline() == file + ": invalid line types file");
    }
  }
}

TEST_CASE("each complex has the stated area around the stated centre, and the stated firms and employees") {
  const SiteFacts& facts = shipped_facts();
  const Site& site = shipped_site();
  CHECK(site.crs == "EPSG:5186");
  REQUIRE(site.complexes.size() == facts.complexes.size());
  std::map<int, long> firms;
  std::map<int, long> employees;
  for (const auto& f : site.facilities) {
    firms[f.complex] += f.firms;
    employees[f.complex] += f.employees;
  }
  for (std::size_t i = 0; i < facts.complexes.size(); ++i) {
    const ComplexFacts& cf = facts.complexes[i];
    const Complex& c = site.complexes[i];
    CAPTURE(cf.complex_id);
    CHECK(c.complex_id == cf.complex_id);
    CHECK(area_m2(c.boundary) == doctest::Approx(cf.area_km2.value * 1e6).epsilon(0.005));
    CHECK(distance_m(centroid(c.boundary), lonlat_to_working(cf.centre)) < 1.0);
    CHECK(firms[static_cast<int>(i)] == static_cast<long>(cf.firms.value));
    CHECK(employees[static_cast<int>(i)] == static_cast<long>(cf.employees.value));
    CHECK(extra_of(c.extra, "layout") == "synthetic");
  }
}

TEST_CASE("no two complex boundaries overlap, and Juan and Machinery share an edge") {
  const Site& site = shipped_site();
  for (std::size_t i = 0; i < site.complexes.size(); ++i) {
    for (std::size_t j = i + 1; j < site.complexes.size(); ++j) {
      CAPTURE(site.complexes[i].complex_id);
      CAPTURE(site.complexes[j].complex_id);
      CHECK_FALSE(convex_overlap(site.complexes[i].boundary.front().outer,
                                 site.complexes[j].boundary.front().outer, 0.01));
    }
  }
  // Machinery's corners on the shared edge lie on Juan's boundary (within 1 m), and vice versa the
  // midpoint between the two centres lies on both.
  const Ring& juan = site.complexes[0].boundary.front().outer;
  const Ring& machinery = site.complexes[2].boundary.front().outer;
  int on_juan = 0;
  for (std::size_t k = 0; k + 1 < machinery.size(); ++k)
    on_juan += distance_to_ring_m(machinery[k], juan) < 1.0;
  CHECK(on_juan == 2);
  const XY cj = centroid(site.complexes[0].boundary);
  const XY cm = centroid(site.complexes[2].boundary);
  const XY mid{(cj.x_m + cm.x_m) / 2.0, (cj.y_m + cm.y_m) / 2.0};
  CHECK(distance_to_ring_m(mid, juan) < 1.0);
  CHECK(distance_to_ring_m(mid, machinery) < 1.0);
  // The bus-stop centroids of the two complexes are about 770 m apart.
  CHECK(distance_m(cj, cm) == doctest::Approx(770.0).epsilon(0.03));
}

TEST_CASE("all roads form one connected graph, every road is a two-point segment, and gates are road ends") {
  const Site& site = shipped_site();
  std::map<std::pair<double, double>, int> node_of;
  const auto node = [&](const XY& p) {
    return node_of.emplace(std::make_pair(p.x_m, p.y_m), static_cast<int>(node_of.size())).first->second;
  };
  std::vector<std::pair<int, int>> links;
  std::map<RoadClass, int> classes;
  std::set<std::string> ids;
  for (const auto& road : site.roads) {
    REQUIRE(road.geometry.size() == 2);
    CHECK(length_m(road.geometry) > 0.0);
    CHECK_FALSE(road.oneway);
    CHECK(ids.insert(road.road_id).second);
    ++classes[road.road_class];
    links.emplace_back(node(road.geometry.front()), node(road.geometry.back()));
    const double per_lane = road.capacity_veh_h / road.lanes;
    switch (road.road_class) {
      case RoadClass::kArterial:
        CHECK(per_lane == 1800.0);
        CHECK(road.lanes >= 2);
        CHECK(road.speed_kmh >= 50.0);
        break;
      case RoadClass::kCollector:
        CHECK(per_lane == 1300.0);
        break;
      case RoadClass::kLocal:
        CHECK(per_lane == 800.0);
        CHECK(road.lanes == 1);
        break;
      case RoadClass::kExternal:
        CHECK(road.lanes == 2);
        CHECK(road.speed_kmh >= 60.0);
        break;
    }
  }
  CHECK(classes[RoadClass::kArterial] > 0);
  CHECK(classes[RoadClass::kCollector] > 0);
  CHECK(classes[RoadClass::kLocal] > classes[RoadClass::kCollector]);
  CHECK(classes[RoadClass::kExternal] > 0);
  UnionFind uf{std::vector<int>(node_of.size())};
  std::iota(uf.parent.begin(), uf.parent.end(), 0);
  for (const auto& [a, b] : links) uf.parent[static_cast<std::size_t>(uf.find(a))] = uf.find(b);
  std::set<int> roots;
  for (int i = 0; i < static_cast<int>(node_of.size()); ++i) roots.insert(uf.find(i));
  CHECK(roots.size() == 1);
  REQUIRE(site.gates.size() == shipped_facts().gates.size());
  for (const auto& gate : site.gates) {
    CAPTURE(gate.gate_id);
    CHECK(node_of.count({gate.position.x_m, gate.position.y_m}) == 1);
  }
}

TEST_CASE("facility footprints lie inside their complex, clear of every road, at a plausible coverage") {
  const Site& site = shipped_site();
  std::map<int, int> kic;
  std::map<int, int> facilities;
  std::vector<double> plot_areas;
  for (const auto& f : site.facilities) {
    CAPTURE(f.facility_id);
    const Polygon& boundary = site.complexes[static_cast<std::size_t>(f.complex)].boundary.front();
    for (const XY& p : f.footprint.front().outer) CHECK(contains(boundary, p));
    const double footprint = area_m2(f.footprint);
    CHECK(f.floor_area_m2 >= footprint * (1.0 - 1e-9));
    CHECK(f.roof_area_m2 == doctest::Approx(footprint));
    const double plot = std::stod(extra_of(f.extra, "plot_area_m2"));
    plot_areas.push_back(plot);
    CHECK(footprint / plot >= 0.4);
    CHECK(footprint / plot <= 0.8);
    const int storeys = std::stoi(extra_of(f.extra, "storeys"));
    CHECK(f.floor_area_m2 == doctest::Approx(footprint * storeys));
    CHECK(f.firms >= 1);
    CHECK(f.employees >= f.firms);
    CHECK_FALSE(f.annual_elec_mwh.has_value());
    CHECK_FALSE(f.annual_fuel_mwh.has_value());
    if (extra_of(f.extra, "building") == "knowledge_industry_centre") {
      ++kic[f.complex];
      CHECK(storeys >= 5);
      CHECK(storeys <= 12);
    } else {
      CHECK(storeys >= 1);
      CHECK(storeys <= 4);
    }
    ++facilities[f.complex];
  }
  // Most plots 1,000-3,000 m² (typical SME plots), nearly all within 500-5,000 m².
  std::sort(plot_areas.begin(), plot_areas.end());
  const double median = plot_areas[plot_areas.size() / 2];
  CHECK(median >= 1000.0);
  CHECK(median <= 3000.0);
  const auto outside =
      std::count_if(plot_areas.begin(), plot_areas.end(), [](double a) { return a < 400.0 || a > 7500.0; });
  CHECK(static_cast<double>(outside) < 0.03 * static_cast<double>(plot_areas.size()));
  // Bupyeong (1,648 firms on 0.61 km²) needs multi-tenant buildings; Machinery (183 firms) does not.
  CHECK(kic[1] >= 3);
  CHECK(kic[2] == 0);
  CHECK(facilities[1] < 1648);
  // No footprint edge crosses a road centreline (roads here are two-point segments).
  for (const auto& f : site.facilities) {
    const Ring& ring = f.footprint.front().outer;
    XY lo = ring.front(), hi = ring.front();
    for (const XY& p : ring) {
      lo = {std::min(lo.x_m, p.x_m), std::min(lo.y_m, p.y_m)};
      hi = {std::max(hi.x_m, p.x_m), std::max(hi.y_m, p.y_m)};
    }
    for (const auto& road : site.roads) {
      const XY& a = road.geometry.front();
      const XY& b = road.geometry.back();
      if (std::max(a.x_m, b.x_m) < lo.x_m || std::min(a.x_m, b.x_m) > hi.x_m ||
          std::max(a.y_m, b.y_m) < lo.y_m || std::min(a.y_m, b.y_m) > hi.y_m) {
        continue;
      }
      bool crosses = contains(f.footprint.front(), a) || contains(f.footprint.front(), b);
      for (std::size_t k = 0; k + 1 < ring.size() && !crosses; ++k)
        crosses = segments_cross(ring[k], ring[k + 1], a, b);
      CAPTURE(f.facility_id);
      CAPTURE(road.road_id);
      CHECK_FALSE(crosses);
    }
  }
}

TEST_CASE("sectors follow each complex's mix and shifts and fuels follow the sector") {
  const SiteFacts& facts = shipped_facts();
  const Site& site = shipped_site();
  std::map<int, std::map<std::string, int>> count;
  std::map<int, int> total;
  for (const auto& f : site.facilities) {
    ++count[f.complex][f.ksic];
    ++total[f.complex];
    CHECK(f.fuel == facts.sector_fuel.at(f.ksic));
  }
  for (std::size_t i = 0; i < facts.complexes.size(); ++i) {
    for (const auto& [code, share] : facts.complexes[i].sector_mix) {
      // Largest remainder: each count within one building of share x buildings.
      CHECK(std::abs(count[static_cast<int>(i)][code] - share * total[static_cast<int>(i)]) <= 1.0);
    }
  }
  // Machinery mostly on a day shift, SMT/electronics mostly on two shifts (the sectors' shift mix).
  std::map<std::string, std::map<Shift, int>> shifts;
  for (const auto& f : site.facilities) ++shifts[f.ksic][f.shift];
  CHECK(shifts["C29"][Shift::kDay] > 3 * (shifts["C29"][Shift::kTwo] + shifts["C29"][Shift::kContinuous]));
  CHECK(shifts["C26"][Shift::kTwo] > shifts["C26"][Shift::kDay]);
}

TEST_CASE("feeders are trees rooted at their substation's bus, and every facility hangs on one") {
  const SiteFacts& facts = shipped_facts();
  const Site& site = shipped_site();
  REQUIRE(site.substations.size() >= site.complexes.size() - 1);
  std::set<std::string> substation_ids;
  for (const auto& s : site.substations) {
    CHECK(s.voltage_kv == 154.0);
    // Banks of 60 MVA transformers, two to four a substation at scale 1.
    CHECK(std::fmod(s.capacity_mva, 60.0) == 0.0);
    CHECK(s.capacity_mva >= 120.0);
    CHECK(s.capacity_mva <= 240.0);
    substation_ids.insert(s.substation_id);
  }
  std::map<std::string, std::vector<const FeederSegment*>> by_feeder;
  std::set<std::string> segment_ids;
  std::set<std::string> line_types;
  for (const auto& t : facts.line_types) line_types.insert(t.name);
  for (const auto& seg : site.feeders) {
    CHECK(segment_ids.insert(seg.segment_id).second);
    CHECK(line_types.count(seg.line_type) == 1);
    CHECK(seg.length_m == doctest::Approx(length_m(seg.geometry)));
    by_feeder[seg.feeder_id].push_back(&seg);
  }
  std::map<std::string, std::string> feeder_of_bus;
  std::map<std::string, double> feeder_length;
  for (const auto& [feeder, segments] : by_feeder) {
    CAPTURE(feeder);
    const std::string root =
        site.substations[static_cast<std::size_t>(segments.front()->substation)].substation_id;
    std::map<std::string, std::string> parent;
    std::map<std::string, XY> position;
    position[root] = site.substations[static_cast<std::size_t>(segments.front()->substation)].position;
    for (const auto* seg : segments) {
      CHECK(seg->substation == segments.front()->substation);
      CHECK(parent.emplace(seg->to_bus, seg->from_bus).second);  // each bus fed once
      CHECK(seg->to_bus != root);
      feeder_of_bus[seg->to_bus] = feeder;
      feeder_length[feeder] += seg->length_m;
    }
    // Walking up from every bus reaches the root without revisiting a bus, and segments join end to end.
    for (const auto& [bus, from] : parent) {
      std::set<std::string> seen{bus};
      std::string up = from;
      while (up != root) {
        REQUIRE(parent.count(up) == 1);
        REQUIRE(seen.insert(up).second);
        up = parent.at(up);
      }
    }
    for (const auto* seg : segments) position[seg->to_bus] = seg->geometry.back();
    for (const auto* seg : segments) CHECK(position.at(seg->from_bus) == seg->geometry.front());
    // The first segment leaves the substation on the heavier trunk type.
    CHECK(segments.front()->from_bus == root);
    CHECK(segments.front()->line_type == facts.trunk_line_type);
  }
  std::map<std::string, double> feeder_kw;
  for (const auto& f : site.facilities) {
    CAPTURE(f.facility_id);
    REQUIRE(feeder_of_bus.count(f.feeder_bus) == 1);
    feeder_kw[feeder_of_bus.at(f.feeder_bus)] += peak_kw(f, facts);
  }
  for (const auto& [feeder, kw] : feeder_kw) {
    CAPTURE(feeder);
    CHECK(kw <= 12000.0);  // KEPCO 22.9 kV feeders carry about 10 MW
    CHECK(kw > 0.0);
    CHECK(feeder_length.at(feeder) < 6000.0);
  }
}

TEST_CASE("the same seed gives an identical site and another seed a different one") {
  SynthOptions options;
  options.seed = 99;
  const Site a = synthesize_site(shipped_facts(), options);
  const Site b = synthesize_site(shipped_facts(), options);
  CHECK(fingerprint(a) == fingerprint(b));
  options.seed = 100;
  const Site c = synthesize_site(shipped_facts(), options);
  CHECK(fingerprint(a) != fingerprint(c));
  CHECK(fingerprint(shipped_site()) == fingerprint(synthesize_site(shipped_facts())));
}

TEST_CASE("scale 10 gives ten times the firms, employees and area, still without overlaps") {
  const SiteFacts& facts = shipped_facts();
  SynthOptions options;
  options.scale = 10.0;
  const Site site = synthesize_site(facts, options);
  long firms = 0;
  long employees = 0;
  for (const auto& f : site.facilities) {
    firms += f.firms;
    employees += f.employees;
  }
  double facts_firms = 0.0;
  double facts_employees = 0.0;
  double facts_area = 0.0;
  for (const auto& c : facts.complexes) {
    facts_firms += c.firms.value;
    facts_employees += c.employees.value;
    facts_area += c.area_km2.value * 1e6;
  }
  CHECK(firms == std::lround(10.0 * facts_firms));
  CHECK(employees == std::lround(10.0 * facts_employees));
  double area = 0.0;
  for (const auto& c : site.complexes) area += area_m2(c.boundary);
  CHECK(area == doctest::Approx(10.0 * facts_area).epsilon(0.005));
  for (std::size_t i = 0; i < site.complexes.size(); ++i) {
    for (std::size_t j = i + 1; j < site.complexes.size(); ++j) {
      CHECK_FALSE(convex_overlap(site.complexes[i].boundary.front().outer,
                                 site.complexes[j].boundary.front().outer, 0.01));
    }
  }
  std::map<std::string, double> feeder_kw;
  std::map<std::string, std::string> feeder_of_bus;
  for (const auto& seg : site.feeders) feeder_of_bus[seg.to_bus] = seg.feeder_id;
  for (const auto& f : site.facilities) feeder_kw[feeder_of_bus.at(f.feeder_bus)] += peak_kw(f, facts);
  for (const auto& [feeder, kw] : feeder_kw) CHECK(kw <= 12000.0);
}

TEST_CASE("a total firm count sets the scale and is met exactly") {
  SynthOptions options;
  options.total_firms = 2500;
  const Site site = synthesize_site(shipped_facts(), options);
  long firms = 0;
  for (const auto& f : site.facilities) firms += f.firms;
  CHECK(firms == 2500);
  options.total_firms = 0;
  CHECK_THROWS_AS((void)synthesize_site(shipped_facts(), options), Error);
}

TEST_CASE("a scale whose layout cannot fit in memory is refused before anything is generated") {
  // --scale 1e6: 4,614 × 10⁶ firms at about 1 kB each, terabytes; the process used to grow until killed.
  SynthOptions options;
  options.scale = 1e6;
  try {
    (void)synthesize_site(shipped_facts(), options);
    FAIL("a layout of 4.6e9 firms was generated");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kBadInput);
    const std::string what = e.what();
    CHECK(what.find("a synthetic layout of 4.61e+09 firms (scale 1e+06) needs about 4.61 TB") !=
          std::string::npos);
    CHECK(what.find("give a smaller --scale or --firms (the shipped facts hold 4614 firms at scale 1)") !=
          std::string::npos);
  }
}
