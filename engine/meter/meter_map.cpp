#include "meter/meter_map.hpp"

#include <set>

#include "config/yaml_check.hpp"
#include "core/error.hpp"
#include "meter/readers.hpp"
#include "meter/units.hpp"

namespace sandan::meter {

namespace {

constexpr const char* kSchema = "sandan-meter-map";
constexpr int kVersion = 1;

using config::MapView;
using config::Problems;

}  // namespace

const char* to_string(MeterTarget target) {
  switch (target) {
    case MeterTarget::kFacility:
      return "facility";
    case MeterTarget::kFeeder:
      return "feeder";
    case MeterTarget::kSubstation:
      return "substation";
    case MeterTarget::kComplex:
      return "complex";
  }
  return "facility";
}

const char* to_string(MeterQuantity quantity) { return quantity == MeterQuantity::kPv ? "pv" : "load"; }

const MeterMapEntry* MeterMap::find(const std::string& meter_id) const {
  for (const auto& entry : meters) {
    if (entry.meter_id == meter_id) return &entry;
  }
  return nullptr;
}

const MeterMapEntry* MeterMap::find_file(const std::string& data_path) const {
  const std::string name = base_name(data_path);
  for (const auto& entry : meters) {
    if (!entry.file.empty() && (entry.file == name || entry.file == data_path)) return &entry;
  }
  return nullptr;
}

MeterMap read_meter_map(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "meter mapping file");
  Problems problems(path, "(top level)");
  MeterMap map;
  map.path = path;
  const MapView top(root, "", problems, {"schema", "version", "meters"}, {"timezone"});
  if (top.ok()) {
    config::check_schema(top, kSchema, kVersion, problems);
    if (auto zone = config::read_text(top, "timezone", problems)) {
      map.timezone = parse_time_zone(*zone);
      if (!map.timezone) {
        problems.add(*top.get("timezone"), "timezone",
                     "unknown zone '" + *zone + "'; use " + accepted_time_zones());
      }
    }
    const auto list = top.get("meters");
    if (list && (!list->IsSequence() || list->size() == 0)) {
      problems.add(*list, "meters", "must be a non-empty list of meters, got " + config::describe(*list));
    } else if (list) {
      std::set<std::string> seen_ids;
      std::set<std::string> seen_files;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const YAML::Node node = (*list)[i];
        const std::string at = config::indexed("meters", i);
        const MapView m(
            node, at, problems, {"meter"},
            {"file", "facility", "feeder", "substation", "complex", "quantity", "unit", "capacity_kwp"});
        if (!m.ok()) continue;
        MeterMapEntry entry;
        entry.line = node.Mark().line + 1;
        if (auto id = config::read_text(m, "meter", problems)) {
          entry.meter_id = *id;
          if (!seen_ids.insert(*id).second) {
            problems.add(*m.get("meter"), m.path("meter"),
                         "meter '" + *id + "' is mapped twice; give each meter one entry");
          }
        }
        if (auto file = config::read_text(m, "file", problems)) {
          entry.file = *file;
          if (!seen_files.insert(*file).second) {
            problems.add(*m.get("file"), m.path("file"),
                         "file '" + *file + "' is tied to two meters; a single-meter file has one meter");
          }
        }
        int targets = 0;
        for (const MeterTarget target : {MeterTarget::kFacility, MeterTarget::kFeeder,
                                         MeterTarget::kSubstation, MeterTarget::kComplex}) {
          if (auto id = config::read_text(m, to_string(target), problems)) {
            ++targets;
            entry.target = target;
            entry.target_id = *id;
          }
        }
        if (targets != 1) {
          problems.add(node, at,
                       targets == 0
                           ? "names no target; give exactly one of facility, feeder, substation, complex"
                           : "names " + std::to_string(targets) +
                                 " targets; give exactly one of facility, feeder, substation, complex");
        }
        if (auto quantity = config::read_text(m, "quantity", problems)) {
          if (*quantity == "pv") {
            entry.quantity = MeterQuantity::kPv;
          } else if (*quantity != "load") {
            problems.add(*m.get("quantity"), m.path("quantity"),
                         "must be load or pv, got '" + *quantity + "'");
          }
        }
        if (auto unit = config::read_text(m, "unit", problems)) {
          if (!parse_unit(*unit)) {
            problems.add(*m.get("unit"), m.path("unit"),
                         "unknown unit '" + *unit + "'; use " + accepted_units());
          }
          entry.unit = *unit;
        }
        if (const auto kwp = m.get("capacity_kwp")) {
          if (auto value = config::as_number_in(*kwp, m.path("capacity_kwp"), 0.0, 1e9, problems)) {
            entry.capacity_kwp = *value;
          }
          if (entry.quantity != MeterQuantity::kPv) {
            problems.add(*kwp, m.path("capacity_kwp"),
                         "is for pv meters only; remove it or set quantity: pv");
          }
        } else if (entry.quantity == MeterQuantity::kPv) {
          problems.add(node, at, "a pv meter needs capacity_kwp, the system's DC size in kWp; add it");
        }
        if (entry.quantity == MeterQuantity::kPv && entry.capacity_kwp <= 0.0 && m.get("capacity_kwp")) {
          problems.add(*m.get("capacity_kwp"), m.path("capacity_kwp"), "must be > 0 for a pv meter");
        }
        map.meters.push_back(std::move(entry));
      }
    }
  }
  if (!problems.list().empty()) throw ConfigError(path + ": invalid meter mapping file", problems.list());
  return map;
}

}  // namespace sandan::meter
