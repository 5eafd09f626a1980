// gis/synth: reading and checking the facts file (schema in docs/synth.md). Every problem is collected
// with file, line and key path, and all of them are thrown together in one ConfigError.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/yaml_check.hpp"
#include "core/csv.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "gis/synth.hpp"

namespace sandan {
namespace {

constexpr const char* kSchema = "sandan-complexes";
constexpr int kVersion = 1;
// Shares written with two or three decimals in a hand-edited file may miss 1 by rounding; more than this
// is a mistake rather than rounding.
constexpr double kShareTolerance = 0.01;

using config::as_number;
using config::describe;
using config::format_number;
using config::indexed;
using config::MapView;
using config::Problems;
using config::read_confidence;
using config::read_number;
using config::read_text;

void check_range(const MapView& map, const std::string& key, std::optional<double> value, double lo,
                 double hi, Problems& problems) {
  if (value) config::check_range(*map.get(key), map.path(key), *value, lo, hi, problems);
}

// {value, source, confidence}: a figure and where it comes from.
std::optional<Sourced> read_fact(const MapView& parent, const std::string& key, Problems& problems) {
  const auto figure = config::read_sourced(parent, key, problems);
  if (!figure) return std::nullopt;
  return Sourced{figure->value, figure->source, figure->confidence};
}

void require_positive(const MapView& parent, const std::string& key, const std::optional<Sourced>& figure,
                      bool integral, Problems& problems) {
  if (!figure) return;
  const std::string path = parent.path(key) + ".value";
  const YAML::Node value_node = (*parent.get(key))["value"];
  if (figure->value <= 0.0) {
    problems.add(value_node, path, "must be > 0, got " + format_number(figure->value));
  } else if (integral && figure->value != std::floor(figure->value)) {
    problems.add(value_node, path, "must be a whole number, got " + format_number(figure->value));
  }
}

struct Located {
  LonLat position;
  std::string source;
  std::string confidence;
};

// {lat, lon, source, confidence} in WGS84 degrees.
std::optional<Located> read_position(const MapView& parent, const std::string& key, Problems& problems) {
  const auto node = parent.get(key);
  if (!node) return std::nullopt;
  const MapView map(*node, parent.path(key), problems, {"lat", "lon", "source", "confidence"});
  if (!map.ok()) return std::nullopt;
  const auto lat = read_number(map, "lat", problems);
  const auto lon = read_number(map, "lon", problems);
  check_range(map, "lat", lat, -90.0, 90.0, problems);
  check_range(map, "lon", lon, -180.0, 180.0, problems);
  const auto source = read_text(map, "source", problems);
  const auto confidence = read_confidence(map, problems);
  if (!lat || !lon || !source || !confidence) return std::nullopt;
  return Located{{*lon, *lat}, *source, *confidence};
}

bool is_identifier(const std::string& text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// KSIC divisions are a section letter and two digits, e.g. C29.
bool is_ksic_division(const std::string& text) {
  return text.size() == 3 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= '0' && text[1] <= '9' &&
         text[2] >= '0' && text[2] <= '9';
}

void read_sectors(const MapView& top, SiteFacts& facts, std::set<std::string>& sector_codes,
                  Problems& problems) {
  const auto node = top.get("sectors");
  if (!node) return;
  if (!node->IsMap() || node->size() == 0) {
    problems.add(*node, "sectors", "must be a non-empty map of KSIC divisions, got " + describe(*node));
    return;
  }
  for (const auto& entry : *node) {
    const std::string code = entry.first.Scalar();
    const std::string path = "sectors." + code;
    if (!is_ksic_division(code)) {
      problems.add(entry.first, path, "must be a KSIC division such as C29");
      continue;
    }
    if (!sector_codes.insert(code).second) {
      problems.add(entry.first, path, "repeated key");
      continue;
    }
    const MapView sector(entry.second, path, problems,
                         {"name", "shifts", "fuel", "elec_kwh_per_m2", "source", "confidence"});
    if (!sector.ok()) continue;
    read_text(sector, "name", problems);
    read_text(sector, "source", problems);
    read_confidence(sector, problems);

    if (const auto shifts_node = sector.get("shifts")) {
      const MapView shifts(*shifts_node, sector.path("shifts"), problems, {"day", "two", "continuous"});
      if (shifts.ok()) {
        std::vector<double> mix;
        for (const char* key : {"day", "two", "continuous"}) {
          const auto share = read_number(shifts, key, problems);
          check_range(shifts, key, share, 0.0, 1.0, problems);
          if (share) mix.push_back(*share);
        }
        if (mix.size() == 3) {
          const double sum = mix[0] + mix[1] + mix[2];
          if (std::abs(sum - 1.0) > kShareTolerance) {
            problems.add(*shifts_node, sector.path("shifts"),
                         "shares must sum to 1, got " + format_number(sum));
          }
          facts.shift_mix[code] = mix;
        }
      }
    }
    if (const auto fuel_word = read_text(sector, "fuel", problems)) {
      const auto fuel = *fuel_word == "none" ? std::optional<Fuel>(Fuel::kNone) : parse_fuel(*fuel_word);
      if (!fuel || (*fuel == Fuel::kNone && *fuel_word != "none")) {
        problems.add(*sector.get("fuel"), sector.path("fuel"),
                     "must be none, lng, lpg, diesel or fuel_oil, got '" + *fuel_word + "'");
      } else {
        facts.sector_fuel[code] = *fuel;
      }
    }
    const auto intensity = read_fact(sector, "elec_kwh_per_m2", problems);
    require_positive(sector, "elec_kwh_per_m2", intensity, false, problems);
    if (intensity) facts.sector_elec_kwh_per_m2[code] = intensity->value;
  }
}

void read_complexes(const MapView& top, const std::set<std::string>& sector_codes, SiteFacts& facts,
                    Problems& problems) {
  const auto node = top.get("complexes");
  if (!node) return;
  if (!node->IsSequence() || node->size() == 0) {
    problems.add(*node, "complexes", "must be a non-empty list, got " + describe(*node));
    return;
  }
  std::vector<int> lines;  // of each complex read, for problems found across complexes
  std::vector<int> adjoins_lines;
  for (std::size_t i = 0; i < node->size(); ++i) {
    const YAML::Node item = (*node)[i];
    const MapView map(item, indexed("complexes", i), problems,
                      {"id", "name", "name_ko", "role", "source", "confidence", "centre", "area_km2", "firms",
                       "employees", "sector_mix"},
                      {"adjoins"});
    if (!map.ok()) continue;
    ComplexFacts complex;
    const auto id = read_text(map, "id", problems);
    if (id && !is_identifier(*id)) {
      problems.add(*map.get("id"), map.path("id"), "must use only a-z, 0-9 and _, got '" + *id + "'");
    }
    const auto name = read_text(map, "name", problems);
    const auto name_ko = read_text(map, "name_ko", problems);
    read_text(map, "source", problems);
    read_confidence(map, problems);
    if (const auto role_word = read_text(map, "role", problems)) {
      if (const auto role = parse_complex_role(*role_word)) {
        complex.role = *role;
      } else {
        problems.add(*map.get("role"), map.path("role"), "must be hub or linked, got '" + *role_word + "'");
      }
    }
    const auto centre = read_position(map, "centre", problems);
    const auto area = read_fact(map, "area_km2", problems);
    const auto firms = read_fact(map, "firms", problems);
    const auto employees = read_fact(map, "employees", problems);
    require_positive(map, "area_km2", area, false, problems);
    require_positive(map, "firms", firms, true, problems);
    require_positive(map, "employees", employees, true, problems);

    if (const auto mix_node = map.get("sector_mix")) {
      const MapView mix(*mix_node, map.path("sector_mix"), problems, {"shares", "source", "confidence"});
      if (mix.ok()) {
        const auto source = read_text(mix, "source", problems);
        const auto confidence = read_confidence(mix, problems);
        complex.sector_mix_source = source.value_or("");
        complex.sector_mix_confidence = confidence.value_or("");
        if (const auto shares = mix.get("shares")) {
          if (!shares->IsMap() || shares->size() == 0) {
            problems.add(*shares, mix.path("shares"), "must be a non-empty map, got " + describe(*shares));
          } else {
            double sum = 0.0;
            bool all_read = true;
            for (const auto& entry : *shares) {
              const std::string code = entry.first.Scalar();
              const std::string path = mix.path("shares") + "." + code;
              if (sector_codes.count(code) == 0) {
                problems.add(entry.first, path, "is not a sector defined under sectors");
              }
              const auto share = as_number(entry.second, path, problems);
              if (!share) {
                all_read = false;
                continue;
              }
              if (*share < 0.0 || *share > 1.0) {
                problems.add(entry.second, path, "must be in [0, 1], got " + format_number(*share));
              }
              if (!complex.sector_mix.emplace(code, *share).second) {
                problems.add(entry.first, path, "repeated key");
              }
              sum += *share;
            }
            if (all_read && std::abs(sum - 1.0) > kShareTolerance) {
              problems.add(*shares, mix.path("shares"), "shares must sum to 1, got " + format_number(sum));
            }
          }
        }
      }
    }
    if (const auto adjoins = map.get("adjoins")) {
      if (const auto word = read_text(map, "adjoins", problems)) complex.adjoins = *word;
      adjoins_lines.push_back(adjoins->Mark().line + 1);
    } else {
      adjoins_lines.push_back(item.Mark().line + 1);
    }

    if (!(id && name && name_ko && centre && area && firms && employees)) {
      lines.push_back(item.Mark().line + 1);
      facts.complexes.push_back(ComplexFacts{});
      continue;
    }
    complex.complex_id = *id;
    complex.name = *name;
    complex.name_ko = *name_ko;
    complex.centre = centre->position;
    complex.centre_source = centre->source;
    complex.centre_confidence = centre->confidence;
    complex.area_km2 = *area;
    complex.firms = *firms;
    complex.employees = *employees;
    lines.push_back(item.Mark().line + 1);
    facts.complexes.push_back(std::move(complex));
  }

  // Ids unique; each complex in at most one adjoining pair, with a partner that exists.
  std::map<std::string, std::size_t> by_id;
  for (std::size_t i = 0; i < facts.complexes.size(); ++i) {
    const std::string& id = facts.complexes[i].complex_id;
    if (id.empty()) continue;
    if (!by_id.emplace(id, i).second) {
      problems.add(lines[i], indexed("complexes", i) + ".id", "repeats the id '" + id + "'");
    }
  }
  std::map<std::string, std::set<std::string>> partners;
  for (std::size_t i = 0; i < facts.complexes.size(); ++i) {
    const ComplexFacts& complex = facts.complexes[i];
    if (complex.adjoins.empty() || complex.complex_id.empty()) continue;
    const std::string path = indexed("complexes", i) + ".adjoins";
    if (complex.adjoins == complex.complex_id) {
      problems.add(adjoins_lines[i], path, "a complex cannot adjoin itself");
    } else if (by_id.count(complex.adjoins) == 0) {
      problems.add(adjoins_lines[i], path, "names no complex: '" + complex.adjoins + "'");
    } else {
      partners[complex.complex_id].insert(complex.adjoins);
      partners[complex.adjoins].insert(complex.complex_id);
    }
  }
  for (std::size_t i = 0; i < facts.complexes.size(); ++i) {
    const auto it = partners.find(facts.complexes[i].complex_id);
    if (it != partners.end() && it->second.size() > 1) {
      problems.add(adjoins_lines[i], indexed("complexes", i) + ".adjoins",
                   "a complex may adjoin only one other (adjoining pairs share a street frame)");
    }
  }
}

void read_gates(const MapView& top, SiteFacts& facts, Problems& problems) {
  const auto node = top.get("gates");
  if (!node) return;
  if (!node->IsSequence()) {
    problems.add(*node, "gates", "must be a list, got " + describe(*node));
    return;
  }
  std::set<std::string> ids;
  double sum = 0.0;
  bool all_read = true;
  for (std::size_t i = 0; i < node->size(); ++i) {
    const MapView map((*node)[i], indexed("gates", i), problems, {"id", "name", "kind", "position", "share"});
    if (!map.ok()) {
      all_read = false;
      continue;
    }
    GateFacts gate;
    const auto id = read_text(map, "id", problems);
    if (id && !is_identifier(*id)) {
      problems.add(*map.get("id"), map.path("id"), "must use only a-z, 0-9 and _, got '" + *id + "'");
    } else if (id && !ids.insert(*id).second) {
      problems.add(*map.get("id"), map.path("id"), "repeats the id '" + *id + "'");
    }
    const auto name = read_text(map, "name", problems);
    if (const auto kind_word = read_text(map, "kind", problems)) {
      if (const auto kind = parse_gate_kind(*kind_word)) {
        gate.kind = *kind;
      } else {
        problems.add(*map.get("kind"), map.path("kind"),
                     "must be expressway, port or city, got '" + *kind_word + "'");
      }
    }
    const auto position = read_position(map, "position", problems);
    const auto share = read_fact(map, "share", problems);
    if (share && (share->value < 0.0 || share->value > 1.0)) {
      problems.add((*map.get("share"))["value"], map.path("share") + ".value",
                   "must be in [0, 1], got " + format_number(share->value));
    }
    if (!id || !name || !position || !share) {
      all_read = false;
      continue;
    }
    gate.gate_id = *id;
    gate.name = *name;
    gate.position = position->position;
    gate.position_source = position->source;
    gate.position_confidence = position->confidence;
    gate.share = share->value;
    gate.share_source = share->source;
    gate.share_confidence = share->confidence;
    sum += share->value;
    facts.gates.push_back(std::move(gate));
  }
  if (all_read && !facts.gates.empty() && std::abs(sum - 1.0) > kShareTolerance) {
    problems.add(top.key_line("gates"), "gates", "shares must sum to 1, got " + format_number(sum));
  }
}

std::optional<double> parse_csv_number(const std::string& text) {
  std::size_t used = 0;
  try {
    const double value = std::stod(text, &used);
    if (used != text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void read_line_type_csv(const std::string& csv_path, SiteFacts& facts, std::vector<std::string>& out) {
  Problems problems(csv_path);
  if (std::string reason = unreadable_text_input(csv_path, "line types file"); !reason.empty()) {
    out.push_back(std::move(reason));
    return;
  }
  std::ifstream in(csv_path);
  if (!in) {
    out.push_back(csv_path + ": cannot open line types file");
    return;
  }
  const std::vector<std::string> columns{"name",        "r_ohm_per_km", "x_ohm_per_km", "ampacity_a",
                                         "underground", "source",       "confidence"};
  std::map<std::string, std::size_t> column_of;
  std::set<std::string> names;
  for (const CsvRecord& record : read_csv(in).records) {
    const int line_number = record.line;
    if (record.unbalanced_quotes) {
      problems.add(line_number, "record", "unbalanced quotes");
      continue;
    }
    const std::vector<std::string>& fields = record.fields;
    if (column_of.empty()) {
      const std::string fix =
          "; the header is name,r_ohm_per_km,x_ohm_per_km,ampacity_a,underground,source,"
          "confidence, each column once, in any order";
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string& name = fields[i];
        if (std::find(columns.begin(), columns.end(), name) == columns.end()) {
          problems.add(line_number, name, "unknown column" + fix);
        } else if (!column_of.emplace(name, i).second) {
          problems.add(line_number, name, "repeated column" + fix);
        }
      }
      for (const auto& name : columns) {
        if (column_of.count(name) == 0) problems.add(line_number, name, "missing column" + fix);
      }
      // Rows are read only under a header of exactly the seven columns: with an unknown or repeated
      // column besides them, a column's index could lie beyond a row of seven fields (found by fuzzing:
      // a read past the end of the row).
      if (column_of.size() != columns.size() || fields.size() != columns.size()) break;
      continue;
    }
    if (fields.size() != columns.size()) {
      problems.add(
          line_number, "record",
          "has " + std::to_string(fields.size()) + " fields, the header " + std::to_string(columns.size()));
      continue;
    }
    const auto field = [&](const std::string& name) -> const std::string& {
      return fields[column_of.at(name)];
    };
    LineType type;
    type.name = field("name");
    if (type.name.empty()) problems.add(line_number, "name", "must not be empty");
    if (!names.insert(type.name).second) {
      problems.add(line_number, "name", "repeats the line type '" + type.name + "'");
    }
    bool ok = !type.name.empty();
    // Upper bounds far beyond any distribution conductor, to catch wrong units and overflowing values
    // (1e308 Ω/km made every hour fail to converge): 22.9 kV overhead and cable conductors are about
    // 0.05-3 Ω/km and 100-1,000 A (the file's own rows; IEC 60228 conductor tables).
    struct Bound {
      const char* name;
      double* target;
      double max;
      const char* unit;
    };
    for (const Bound& b : {Bound{"r_ohm_per_km", &type.r_ohm_per_km, 100.0, "Ω/km"},
                           Bound{"x_ohm_per_km", &type.x_ohm_per_km, 100.0, "Ω/km"},
                           Bound{"ampacity_a", &type.ampacity_a, 100000.0, "A"}}) {
      const char* name = b.name;
      double* target = b.target;
      const auto value = parse_csv_number(field(name));
      if (!value || *value <= 0.0) {
        problems.add(line_number, name, "must be a number > 0, got '" + field(name) + "'");
        ok = false;
      } else if (*value > b.max) {
        problems.add(line_number, name,
                     "must be at most " + format_number(b.max) + " " + b.unit +
                         " (a conductor's figure per km; check the unit), got '" + field(name) + "'");
        ok = false;
      } else {
        *target = *value;
      }
    }
    const std::string& underground = field("underground");
    if (underground == "true" || underground == "false") {
      type.underground = underground == "true";
    } else {
      problems.add(line_number, "underground", "must be true or false, got '" + underground + "'");
      ok = false;
    }
    type.source = field("source");
    type.confidence = field("confidence");
    if (type.source.empty()) problems.add(line_number, "source", "must not be empty");
    if (type.confidence != "verified" && type.confidence != "secondary" && type.confidence != "estimate") {
      problems.add(line_number, "confidence",
                   "must be verified, secondary or estimate, got '" + type.confidence + "'");
    }
    if (ok) facts.line_types.push_back(std::move(type));
  }
  if (column_of.empty()) problems.add(1, "header", "missing");
  for (auto& problem : problems.list()) out.push_back(std::move(problem));
}

void read_line_types(const MapView& top, const std::string& facts_path, SiteFacts& facts,
                     Problems& problems) {
  const auto node = top.get("line_types");
  if (!node) return;
  const MapView map(*node, "line_types", problems, {"file", "trunk", "branch"});
  if (!map.ok()) return;
  const auto file = read_text(map, "file", problems);
  const auto trunk = read_text(map, "trunk", problems);
  const auto branch = read_text(map, "branch", problems);
  if (!file) return;
  // Relative to the facts file, so the pair can be moved together.
  const std::filesystem::path csv_path = std::filesystem::path(facts_path).parent_path() / *file;
  const std::size_t before = problems.list().size();
  read_line_type_csv(csv_path.lexically_normal().string(), facts, problems.list());
  if (problems.list().size() != before) return;
  for (const auto& [key, name] :
       {std::pair<const char*, const std::optional<std::string>&>{"trunk", trunk}, {"branch", branch}}) {
    if (!name) continue;
    const std::string& wanted = *name;
    const bool found = std::any_of(facts.line_types.begin(), facts.line_types.end(),
                                   [&](const LineType& type) { return type.name == wanted; });
    if (!found) {
      problems.add(*map.get(key), map.path(key), "names no line type of " + *file + ": '" + *name + "'");
    }
  }
  facts.trunk_line_type = trunk.value_or("");
  facts.branch_line_type = branch.value_or("");
}

}  // namespace

SiteFacts read_site_facts(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "facts file");

  Problems problems(path);
  SiteFacts facts;
  const MapView top(root, "", problems,
                    {"schema", "version", "seed", "line_types", "sectors", "complexes", "gates"});
  if (top.ok()) {
    if (const auto schema = read_text(top, "schema", problems); schema && *schema != kSchema) {
      problems.add(*top.get("schema"), "schema",
                   std::string("must be ") + kSchema + ", got '" + *schema + "'");
    }
    if (const auto version = read_number(top, "version", problems); version && *version != kVersion) {
      problems.add(*top.get("version"), "version",
                   "must be " + std::to_string(kVersion) + ", got " + format_number(*version));
    }
    if (const auto seed = top.get("seed")) {
      std::uint64_t value = 0;
      if (!seed->IsScalar() || seed->Tag() == "!" || !YAML::convert<std::uint64_t>::decode(*seed, value) ||
          seed->Scalar().front() == '-') {
        problems.add(*seed, "seed", "must be a whole number >= 0, got " + describe(*seed));
      } else {
        facts.seed = value;
      }
    }
    read_line_types(top, path, facts, problems);
    std::set<std::string> sector_codes;
    read_sectors(top, facts, sector_codes, problems);
    read_complexes(top, sector_codes, facts, problems);
    read_gates(top, facts, problems);
  }
  if (!problems.list().empty()) throw ConfigError(path + ": invalid facts file", problems.list());
  return facts;
}

std::vector<LineType> read_line_types(const std::string& csv_path) {
  SiteFacts facts;
  std::vector<std::string> problems;
  read_line_type_csv(csv_path, facts, problems);
  if (!problems.empty()) {
    const std::string headline = csv_path + ": invalid line types file";
    throw ConfigError(headline, std::move(problems));
  }
  return facts.line_types;
}

}  // namespace sandan
