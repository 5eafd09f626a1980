// site/site: the layout of one or more industrial complexes as plain structs in one metric CRS.
// A Site holds no GDAL handles; models read it, and only engine/gis fills it from or writes it to
// GIS sources. Layers and fields follow docs/gis-schema.md.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/geometry.hpp"
#include "core/kinds.hpp"

namespace sandan {

// The working CRS: Korea 2000 / Central Belt 2010, metres.
inline constexpr const char* kDefaultCrs = "EPSG:5186";

// Fields a source carried beyond the schema, kept as text in source order.
using ExtraFields = std::vector<std::pair<std::string, std::string>>;

enum class ComplexRole { kHub, kLinked };
enum class Shift { kDay, kTwo, kContinuous };
enum class GateKind { kExpressway, kPort, kCity };
enum class RoadClass { kArterial, kCollector, kLocal, kExternal };

struct Complex {
  std::string complex_id;
  std::string name;
  std::string name_ko;
  ComplexRole role = ComplexRole::kLinked;
  MultiPolygon boundary;
  ExtraFields extra;
};

struct Facility {
  std::string facility_id;
  int complex = -1;  // index into Site::complexes
  std::string name;
  std::string ksic;  // Korean Standard Industrial Classification division, e.g. "C29"
  double floor_area_m2 = 0.0;
  double roof_area_m2 = 0.0;  // defaults to the footprint area when the source leaves it empty
  int employees = 0;
  int firms = 1;  // tenant firms in the building (multi-tenant "knowledge industry centres" > 1)
  Shift shift = Shift::kDay;
  std::optional<double> annual_elec_mwh;
  std::optional<double> annual_fuel_mwh;
  Fuel fuel = Fuel::kNone;
  std::string feeder_bus;  // empty: attach to the nearest bus
  MultiPolygon footprint;
  ExtraFields extra;
};

struct Road {
  std::string road_id;
  int lanes = 1;                // per direction
  double speed_kmh = 50.0;      // free-flow speed
  double capacity_veh_h = 900;  // per direction
  bool oneway = false;          // true: only in digitised direction
  RoadClass road_class = RoadClass::kLocal;
  LineString geometry;
  ExtraFields extra;
};

struct Gate {
  std::string gate_id;
  std::string name;
  GateKind kind = GateKind::kCity;
  double share = 0.0;  // share of the external trips that use this gate, 0..1
  XY position;
  ExtraFields extra;
};

struct Substation {
  std::string substation_id;
  double voltage_kv = 154.0;
  double capacity_mva = 0.0;
  XY position;
  ExtraFields extra;
};

// A conductor a feeder segment's line_type names: impedance and rating per km, with the source of the
// figures (the facts file's catalogue; the grid builds its branches from it).
struct LineType {
  std::string name;
  double r_ohm_per_km = 0.0;
  double x_ohm_per_km = 0.0;
  double ampacity_a = 0.0;
  bool underground = false;
  std::string source;
  std::string confidence;
};

// One segment of a radial feeder between two buses. The substation's own bus has the substation's id.
struct FeederSegment {
  std::string segment_id;
  std::string feeder_id;
  int substation = -1;  // index into Site::substations
  std::string from_bus;
  std::string to_bus;
  std::string line_type;
  double length_m = 0.0;   // defaults to the geometry's length
  bool in_service = true;  // false: an open switch (a normally open tie); the segment carries nothing
  LineString geometry;
  ExtraFields extra;
};

struct Site {
  std::string crs = kDefaultCrs;
  std::vector<Complex> complexes;
  std::vector<Facility> facilities;
  std::vector<Road> roads;
  std::vector<Gate> gates;
  std::vector<Substation> substations;
  std::vector<FeederSegment> feeders;
};

// Text forms used in GIS fields, and their inverses (nullopt for an unknown word).
const char* to_string(ComplexRole role);
const char* to_string(Shift shift);
const char* to_string(Fuel fuel);  // "" for kNone
const char* to_string(GateKind kind);
const char* to_string(RoadClass road_class);
std::optional<ComplexRole> parse_complex_role(const std::string& text);
std::optional<Shift> parse_shift(const std::string& text);
std::optional<Fuel> parse_fuel(const std::string& text);
std::optional<GateKind> parse_gate_kind(const std::string& text);
std::optional<RoadClass> parse_road_class(const std::string& text);

}  // namespace sandan
