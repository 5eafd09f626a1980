// traffic/tours: the freight tours file reader and the tours cut from streams of stops
// (docs/traffic-model.md, "Freight tours and the logistics hub").
#include "traffic/tours.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <optional>

#include "config/yaml_check.hpp"
#include "core/error.hpp"

namespace sandan {
namespace {

constexpr const char* kSchema = "sandan-freight-tours";
constexpr int kVersion = 1;
constexpr double kMaxStops = 100.0;
constexpr double kMaxTourKm = 2000.0;
constexpr double kMaxLoadGain = 10.0;
// The Hilbert curve's grid: 2^16 cells a side (sub-metre cells on a layout of tens of km).
constexpr int kHilbertOrder = 16;

constexpr std::array<const char*, kTruckClassCount> kTruckKeys{"light_truck", "heavy_truck"};

using config::MapView;
using config::Problems;
using config::read_figure;

void assign(double& target, std::optional<double> value) {
  if (value) target = *value;
}

// Position along the Hilbert curve of cell (x, y) of an n × n grid, n a power of two (the classic
// iterative conversion: at each scale, the quadrant's index, then the rotation into its frame).
std::uint64_t hilbert_index(std::uint32_t n, std::uint32_t x, std::uint32_t y) {
  std::uint64_t d = 0;
  for (std::uint32_t s = n / 2; s > 0; s /= 2) {
    const std::uint32_t rx = (x & s) != 0 ? 1 : 0;
    const std::uint32_t ry = (y & s) != 0 ? 1 : 0;
    d += static_cast<std::uint64_t>(s) * s * ((3 * rx) ^ ry);
    if (ry == 0) {
      if (rx == 1) {
        x = s - 1 - x;
        y = s - 1 - y;
      }
      std::swap(x, y);
    }
  }
  return d;
}

// The length of [lo, hi) that falls in each stream interval [cum[i], cum[i + 1]), added as
// weight × overlap to trips(from, zones[i]); lo < hi ≤ total, both within [0, total].
void add_overlaps(const StopStream& stream, const std::vector<double>& cum, double lo, double hi, int from,
                  double weight, OdMatrix& trips) {
  if (!(hi > lo)) return;
  // First interval whose end lies beyond lo.
  auto it = std::upper_bound(cum.begin() + 1, cum.end(), lo);
  for (auto i = static_cast<std::size_t>(it - cum.begin()) - 1; i < stream.zones.size() && cum[i] < hi; ++i) {
    const double overlap = std::min(hi, cum[i + 1]) - std::max(lo, cum[i]);
    if (overlap > 0.0) trips.at(from, stream.zones[i]) += weight * overlap;
  }
}

// Adds weight × m_δ(i, j) for every pair: the measure of the stream positions p in zone i whose
// position p + δ (cyclically) is in zone j.
void add_shifted(const StopStream& stream, const std::vector<double>& cum, double shift, double weight,
                 OdMatrix& trips) {
  const double total = cum.back();
  double delta = std::fmod(shift, total);
  if (delta < 0.0) delta += total;
  for (std::size_t i = 0; i < stream.zones.size(); ++i) {
    const double lo = cum[i] + delta;
    const double hi = cum[i + 1] + delta;
    const int from = stream.zones[i];
    if (hi <= total) {
      add_overlaps(stream, cum, lo, hi, from, weight, trips);
    } else if (lo >= total) {
      add_overlaps(stream, cum, lo - total, hi - total, from, weight, trips);
    } else {
      add_overlaps(stream, cum, lo, total, from, weight, trips);
      add_overlaps(stream, cum, 0.0, hi - total, from, weight, trips);
    }
  }
}

}  // namespace

FreightTours read_freight_tours(const std::string& path) {
  const YAML::Node root = config::load_yaml_file(path, "freight tours file");
  Problems problems(path, "(top level)");
  FreightTours tours;
  tours.path = path;
  const MapView top(root, "", problems, {"schema", "version", "light_truck", "heavy_truck", "hub"});
  if (top.ok()) {
    config::check_schema(top, kSchema, kVersion, problems);
    for (std::size_t k = 0; k < kTruckKeys.size(); ++k) {
      const auto node = top.get(kTruckKeys[k]);
      if (!node) continue;
      const MapView map(*node, kTruckKeys[k], problems,
                        {"stops_per_tour", "gate_share", "tour_length_km", "hub_stops_per_tour"}, {},
                        top.key_line(kTruckKeys[k]));
      if (!map.ok()) continue;
      TruckTourRates& r = tours.trucks[k];
      assign(r.stops_per_tour, read_figure(map, "stops_per_tour", 1.0, kMaxStops, problems));
      assign(r.gate_share, read_figure(map, "gate_share", 0.0, 1.0, problems));
      if (map.get("gate_share")) tours.gate_share_line[k] = map.key_line("gate_share");
      assign(r.tour_length_km, read_figure(map, "tour_length_km", 0.0, kMaxTourKm, problems));
      assign(r.hub_stops_per_tour, read_figure(map, "hub_stops_per_tour", 1.0, kMaxStops, problems));
    }
    if (const auto node = top.get("hub")) {
      const MapView hub(*node, "hub", problems, {"load_factor_gain"}, {}, top.key_line("hub"));
      if (hub.ok())
        assign(tours.hub_load_factor_gain, read_figure(hub, "load_factor_gain", 0.0, kMaxLoadGain, problems));
    }
  }
  if (!problems.list().empty()) throw ConfigError(path + ": invalid freight tours file", problems.list());
  return tours;
}

std::vector<int> space_filling_order(const std::vector<XY>& positions) {
  std::vector<int> order(positions.size());
  std::iota(order.begin(), order.end(), 0);
  if (positions.empty()) return order;
  double x0 = positions.front().x_m;
  double x1 = x0;
  double y0 = positions.front().y_m;
  double y1 = y0;
  for (const XY& p : positions) {
    x0 = std::min(x0, p.x_m);
    x1 = std::max(x1, p.x_m);
    y0 = std::min(y0, p.y_m);
    y1 = std::max(y1, p.y_m);
  }
  constexpr std::uint32_t kCells = 1U << kHilbertOrder;
  // One scale for both axes, so the curve's cells are square.
  const double span = std::max({x1 - x0, y1 - y0, 1e-9});
  const auto cell = [&](double v, double v0) {
    const double c = std::floor((v - v0) / span * (kCells - 1));
    return static_cast<std::uint32_t>(std::clamp(c, 0.0, static_cast<double>(kCells - 1)));
  };
  std::vector<std::uint64_t> key(positions.size());
  for (std::size_t i = 0; i < positions.size(); ++i)
    key[i] = hilbert_index(kCells, cell(positions[i].x_m, x0), cell(positions[i].y_m, y0));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return key[static_cast<std::size_t>(a)] < key[static_cast<std::size_t>(b)];
  });
  return order;
}

double add_tours(const StopStream& stream, double stops_per_tour, int origin, OdMatrix& trips) {
  std::vector<double> cum(stream.zones.size() + 1, 0.0);
  for (std::size_t i = 0; i < stream.zones.size(); ++i) cum[i + 1] = cum[i] + std::max(0.0, stream.stops[i]);
  const double total = cum.back();
  if (!(total > 0.0)) return 0.0;
  // A tour cannot have more stops than the stream holds (one tour then visits them all), nor fewer
  // than one.
  const double s = std::max(1.0, std::min(stops_per_tour, total));
  const double cut = 1.0 / s;
  // Within a tour: stop p → stop p + 1.
  if (cut < 1.0) add_shifted(stream, cum, 1.0, 1.0 - cut, trips);
  if (origin >= 0) {
    // At a cut: back to the origin, and the next tour leaves from it to its first stop.
    for (std::size_t i = 0; i < stream.zones.size(); ++i) {
      const double a = std::max(0.0, stream.stops[i]);
      trips.at(stream.zones[i], origin) += cut * a;
      trips.at(origin, stream.zones[i]) += cut * a;
    }
  } else {
    // A closed tour: from its last stop back to its first, s − 1 stops earlier.
    add_shifted(stream, cum, 1.0 - s, cut, trips);
  }
  return total / s;
}

}  // namespace sandan
