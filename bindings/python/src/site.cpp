// A layout (gis/site) as a Python object: ids and attributes as lists and NumPy arrays, geometries as
// (k, 2) arrays of x, y in metres of the Site's CRS, for maps and for joining results to places.
#include <pybind11/stl.h>

#include <memory>

#include "bindings.hpp"
#include "sandan.hpp"

namespace sandan::python {

namespace {

py::array_t<double> points(const std::vector<XY>& line) {
  py::array_t<double> array({static_cast<py::ssize_t>(line.size()), py::ssize_t{2}});
  auto a = array.mutable_unchecked<2>();
  for (std::size_t i = 0; i < line.size(); ++i) {
    a(static_cast<py::ssize_t>(i), 0) = line[i].x_m;
    a(static_cast<py::ssize_t>(i), 1) = line[i].y_m;
  }
  return array;
}

// [polygon][ring] with the outer ring first.
py::list polygons(const MultiPolygon& shape) {
  py::list out;
  for (const Polygon& polygon : shape) {
    py::list rings;
    rings.append(points(polygon.outer));
    for (const Ring& hole : polygon.holes) rings.append(points(hole));
    out.append(rings);
  }
  return out;
}

template <typename T, typename F>
py::list each(const std::vector<T>& items, F f) {
  py::list out;
  for (const T& item : items) out.append(f(item));
  return out;
}

template <typename T, typename V, typename F>
py::array_t<V> column(const std::vector<T>& items, F f) {
  py::array_t<V> array(static_cast<py::ssize_t>(items.size()));
  V* data = array.mutable_data();
  for (const T& item : items) *data++ = f(item);
  return array;
}

}  // namespace

void bind_site(py::module_& m) {
  py::class_<Site, std::shared_ptr<Site>>(
      m, "Site",
      "A layout of industrial complexes (docs/gis-schema.md) in one metric CRS: complexes, facilities, "
      "roads, gates, substations and feeders. Geometries are (k, 2) float64 arrays of x, y in metres.")
      .def_readonly("crs", &Site::crs)
      .def_property_readonly(
          "complex_ids",
          [](const Site& s) { return each(s.complexes, [](const Complex& c) { return c.complex_id; }); })
      .def_property_readonly(
          "complex_names",
          [](const Site& s) { return each(s.complexes, [](const Complex& c) { return c.name; }); })
      .def(
          "complex_boundaries",
          [](const Site& s) {
            return each(s.complexes, [](const Complex& c) { return polygons(c.boundary); });
          },
          "Per complex, its polygons, each a list of rings (the outer ring first).")
      .def_property_readonly(
          "facility_ids",
          [](const Site& s) { return each(s.facilities, [](const Facility& f) { return f.facility_id; }); })
      .def_property_readonly(
          "facility_complex",
          [](const Site& s) {
            return each(s.facilities, [&s](const Facility& f) {
              return f.complex >= 0 ? s.complexes[static_cast<std::size_t>(f.complex)].complex_id
                                    : std::string();
            });
          },
          "Complex id of each facility.")
      .def_property_readonly(
          "facility_ksic",
          [](const Site& s) { return each(s.facilities, [](const Facility& f) { return f.ksic; }); })
      .def_property_readonly("facility_floor_area_m2",
                             [](const Site& s) {
                               return column<Facility, double>(
                                   s.facilities, [](const Facility& f) { return f.floor_area_m2; });
                             })
      .def_property_readonly("facility_roof_area_m2",
                             [](const Site& s) {
                               return column<Facility, double>(
                                   s.facilities, [](const Facility& f) { return f.roof_area_m2; });
                             })
      .def_property_readonly("facility_employees",
                             [](const Site& s) {
                               return column<Facility, int>(s.facilities,
                                                            [](const Facility& f) { return f.employees; });
                             })
      .def_property_readonly(
          "facility_xy",
          [](const Site& s) {
            std::vector<XY> centres;
            centres.reserve(s.facilities.size());
            for (const Facility& f : s.facilities) centres.push_back(centroid(f.footprint));
            return points(centres);
          },
          "(n, 2) float64: the footprints' area-weighted centroids, m.")
      .def(
          "facility_footprints",
          [](const Site& s) {
            return each(s.facilities, [](const Facility& f) { return polygons(f.footprint); });
          },
          "Per facility, its footprint polygons, each a list of rings (the outer ring first).")
      .def_property_readonly(
          "road_ids", [](const Site& s) { return each(s.roads, [](const Road& r) { return r.road_id; }); })
      .def_property_readonly(
          "road_lanes",
          [](const Site& s) { return column<Road, int>(s.roads, [](const Road& r) { return r.lanes; }); })
      .def(
          "road_lines",
          [](const Site& s) { return each(s.roads, [](const Road& r) { return points(r.geometry); }); },
          "Per road, its centre line as a (k, 2) array.")
      .def_property_readonly(
          "gate_ids", [](const Site& s) { return each(s.gates, [](const Gate& g) { return g.gate_id; }); })
      .def_property_readonly("gate_xy",
                             [](const Site& s) {
                               std::vector<XY> xy;
                               for (const Gate& g : s.gates) xy.push_back(g.position);
                               return points(xy);
                             })
      .def_property_readonly("substation_ids",
                             [](const Site& s) {
                               return each(s.substations,
                                           [](const Substation& x) { return x.substation_id; });
                             })
      .def_property_readonly("substation_xy",
                             [](const Site& s) {
                               std::vector<XY> xy;
                               for (const Substation& x : s.substations) xy.push_back(x.position);
                               return points(xy);
                             })
      .def_property_readonly(
          "feeder_segment_ids",
          [](const Site& s) { return each(s.feeders, [](const FeederSegment& f) { return f.segment_id; }); })
      .def(
          "feeder_lines",
          [](const Site& s) {
            return each(s.feeders, [](const FeederSegment& f) { return points(f.geometry); });
          },
          "Per feeder segment, its line as a (k, 2) array.")
      .def("__repr__", [](const Site& s) {
        return "<sandan.Site " + std::to_string(s.complexes.size()) + " complexes, " +
               std::to_string(s.facilities.size()) + " facilities, " + std::to_string(s.roads.size()) +
               " roads, " + s.crs + ">";
      });

  m.def(
      "load_site",
      [](const py::object& sources, const std::string& crs) {
        std::vector<std::string> paths;
        if (py::isinstance<py::str>(sources) || py::hasattr(sources, "__fspath__")) {
          paths.push_back(py::str(py::module_::import("os").attr("fspath")(sources)));
        } else {
          for (const py::handle item : sources)
            paths.push_back(py::str(py::module_::import("os").attr("fspath")(item)));
        }
        ReadOptions options;
        options.target_crs = crs;
        py::gil_scoped_release release;
        return std::make_shared<Site>(load_site(paths, options));
      },
      py::arg("sources"), py::arg("crs") = kDefaultCrs,
      "Reads a layout from a GIS source (GeoPackage, Shapefile, GeoJSON, ...; a path, or a list of "
      "files or folders) into the given metric CRS, checking it as `sandan inspect` does.\n\n"
      "Raises BadInputError listing every error found.");
}

}  // namespace sandan::python
