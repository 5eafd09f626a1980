// gis/result_layers: a run's results as the attribute tables of GIS layers, in plain structs: one
// row a facility, road link, complex or feeder, keyed by the layout's ids. They hold no geometry:
// write_result_layers (gis/writer.hpp) takes that from the layout the run used. docs/export.md lists
// the layers and fields.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/geometry.hpp"

namespace sandan {

enum class ResultFieldType { kReal, kInteger, kText };

// One attribute column: a value a row.
struct ResultField {
  std::string name;  // with its unit, e.g. "load_mwh"
  ResultFieldType type = ResultFieldType::kReal;
  std::vector<double> numbers;     // kReal and kInteger; NaN is written as null
  std::vector<std::string> texts;  // kText; "" is written as null
};

// Rows keyed by the layout's ids; every field holds one value a row.
struct ResultTable {
  std::vector<std::string> ids;
  std::vector<ResultField> fields;
};

// Directed road links: `ids` holds each link's road id, `from` its start node (working CRS, m), which
// says in which direction the link runs along its road.
struct ResultLinks {
  ResultTable table;
  std::vector<XY> from;
};

// Points the run itself placed (the logistics hub): `ids` names each, `at` its position (working CRS,
// m); no layout feature to match.
struct ResultPoints {
  ResultTable table;
  std::vector<XY> at;
};

struct ResultLayers {
  ResultTable facilities;              // ids: facility ids
  ResultTable complexes;               // ids: complex ids
  std::optional<ResultLinks> links;    // when the run has traffic
  std::optional<ResultTable> feeders;  // ids: feeder ids; when the run has the grid
  std::optional<ResultPoints> hub;     // when the run has a logistics hub (traffic/hub)
};

// A layer written, for the summary.
struct WrittenLayer {
  std::string name;
  std::size_t features = 0;
  std::size_t fields = 0;
};

}  // namespace sandan
