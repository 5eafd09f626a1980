#include "site/topology.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <queue>
#include <unordered_map>

namespace sandan {
namespace {

// Uniform grid over points for merging and nearest-neighbour queries. Cells are keyed by their
// integer coordinates, so the index needs no bounds known in advance.
class PointGrid {
 public:
  explicit PointGrid(double cell_m) : cell_m_(cell_m) {}

  void insert(const XY& p, int id) { cells_[key(cell_of(p.x_m), cell_of(p.y_m))].push_back({p, id}); }

  // Nearest point within max_distance_m, or -1.
  [[nodiscard]] int within(const XY& p, double max_distance_m) const {
    const auto cx = cell_of(p.x_m);
    const auto cy = cell_of(p.y_m);
    const auto reach = static_cast<std::int64_t>(std::ceil(max_distance_m / cell_m_));
    int best = -1;
    double best_d = max_distance_m;
    for (auto ix = cx - reach; ix <= cx + reach; ++ix) {
      for (auto iy = cy - reach; iy <= cy + reach; ++iy) {
        auto it = cells_.find(key(ix, iy));
        if (it == cells_.end()) continue;
        for (const auto& [q, id] : it->second) {
          const double d = distance_m(p, q);
          if (d <= best_d && (best < 0 || d < best_d || id < best)) {
            best_d = d;
            best = id;
          }
        }
      }
    }
    return best;
  }

  // Nearest point at any distance (rings of cells outward), or -1 if the grid is empty.
  // finish() must have been called after the last insert.
  [[nodiscard]] int nearest(const XY& p, double* distance) const {
    if (cells_.empty()) return -1;
    const auto cx = cell_of(p.x_m);
    const auto cy = cell_of(p.y_m);
    const std::int64_t last_ring =
        std::max({std::abs(cx - lo_x_), std::abs(cx - hi_x_), std::abs(cy - lo_y_), std::abs(cy - hi_y_)});
    int best = -1;
    double best_d = std::numeric_limits<double>::infinity();
    auto visit = [&](std::int64_t ix, std::int64_t iy) {
      auto it = cells_.find(key(ix, iy));
      if (it == cells_.end()) return;
      for (const auto& [q, id] : it->second) {
        const double d = distance_m(p, q);
        if (d < best_d || (d == best_d && id < best)) {
          best_d = d;
          best = id;
        }
      }
    };
    for (std::int64_t ring = 0; ring <= last_ring; ++ring) {
      if (ring == 0) {
        visit(cx, cy);
      } else {
        for (auto ix = cx - ring; ix <= cx + ring; ++ix) {
          visit(ix, cy - ring);
          visit(ix, cy + ring);
        }
        for (auto iy = cy - ring + 1; iy <= cy + ring - 1; ++iy) {
          visit(cx - ring, iy);
          visit(cx + ring, iy);
        }
      }
      // Every point outside the rings searched so far is at least ring * cell away.
      if (best >= 0 && best_d <= static_cast<double>(ring) * cell_m_) break;
    }
    if (distance != nullptr) *distance = best_d;
    return best;
  }

  void finish() {
    for (const auto& [k, v] : cells_) {
      (void)v;
      lo_x_ = std::min(lo_x_, k.first);
      hi_x_ = std::max(hi_x_, k.first);
      lo_y_ = std::min(lo_y_, k.second);
      hi_y_ = std::max(hi_y_, k.second);
    }
  }

 private:
  struct PairHash {
    std::size_t operator()(const std::pair<std::int64_t, std::int64_t>& k) const {
      return std::hash<std::int64_t>()(k.first * 73856093) ^ std::hash<std::int64_t>()(k.second * 19349663);
    }
  };
  [[nodiscard]] std::int64_t cell_of(double v) const {
    return static_cast<std::int64_t>(std::floor(v / cell_m_));
  }
  static std::pair<std::int64_t, std::int64_t> key(std::int64_t x, std::int64_t y) { return {x, y}; }

  double cell_m_;
  std::int64_t lo_x_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi_x_ = std::numeric_limits<std::int64_t>::min();
  std::int64_t lo_y_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi_y_ = std::numeric_limits<std::int64_t>::min();
  std::unordered_map<std::pair<std::int64_t, std::int64_t>, std::vector<std::pair<XY, int>>, PairHash> cells_;
};

}  // namespace

RoadGraph build_road_graph(const Site& site, double snap_tolerance_m) {
  RoadGraph graph;
  PointGrid grid(std::max(snap_tolerance_m, 1e-6) * 4.0);
  auto node_at = [&](const XY& p) {
    const int found = grid.within(p, snap_tolerance_m);
    if (found >= 0) return found;
    const int id = static_cast<int>(graph.nodes.size());
    graph.nodes.push_back(p);
    grid.insert(p, id);
    return id;
  };
  for (std::size_t r = 0; r < site.roads.size(); ++r) {
    const Road& road = site.roads[r];
    if (road.geometry.size() < 2) continue;
    const int a = node_at(road.geometry.front());
    const int b = node_at(road.geometry.back());
    if (a == b) continue;  // a loop road shorter than the tolerance joins nothing
    RoadLink link;
    link.road = static_cast<int>(r);
    link.length_m = length_m(road.geometry);
    link.speed_kmh = road.speed_kmh;
    link.capacity_veh_h = road.capacity_veh_h;
    link.lanes = road.lanes;
    link.road_class = road.road_class;
    link.from_node = a;
    link.to_node = b;
    graph.links.push_back(link);
    if (!road.oneway) {
      std::swap(link.from_node, link.to_node);
      graph.links.push_back(link);
    }
  }
  const std::size_t n = graph.nodes.size();
  graph.out_offset.assign(n + 1, 0);
  for (const auto& link : graph.links) ++graph.out_offset[link.from_node + 1];
  std::partial_sum(graph.out_offset.begin(), graph.out_offset.end(), graph.out_offset.begin());
  graph.out_link.assign(graph.links.size(), 0);
  std::vector<int> fill(graph.out_offset.begin(), graph.out_offset.end() - 1);
  for (std::size_t l = 0; l < graph.links.size(); ++l)
    graph.out_link[fill[graph.links[l].from_node]++] = static_cast<int>(l);
  return graph;
}

Components strongly_connected_components(const RoadGraph& graph) {
  const int n = static_cast<int>(graph.nodes.size());
  std::vector<int> index(n, -1);
  std::vector<int> low(n, 0);
  std::vector<char> on_stack(n, 0);
  std::vector<int> stack;
  std::vector<int> raw_component(n, -1);
  int next_index = 0;
  int count = 0;
  // Explicit call stack of (node, position in its out-links).
  std::vector<std::pair<int, int>> call;
  for (int start = 0; start < n; ++start) {
    if (index[start] >= 0) continue;
    call.emplace_back(start, graph.out_offset[start]);
    index[start] = low[start] = next_index++;
    stack.push_back(start);
    on_stack[start] = 1;
    while (!call.empty()) {
      auto& [v, pos] = call.back();
      if (pos < graph.out_offset[v + 1]) {
        const int w = graph.links[graph.out_link[pos]].to_node;
        ++pos;
        if (index[w] < 0) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          on_stack[w] = 1;
          call.emplace_back(w, graph.out_offset[w]);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        int w = -1;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = 0;
          raw_component[w] = count;
        } while (w != v);
        ++count;
      }
      const int finished = v;
      call.pop_back();
      if (!call.empty()) low[call.back().first] = std::min(low[call.back().first], low[finished]);
    }
  }
  // Renumber largest first (ties by first node) so reports are stable.
  std::vector<int> size(count, 0);
  std::vector<int> first(count, n);
  for (int v = 0; v < n; ++v) {
    ++size[raw_component[v]];
    first[raw_component[v]] = std::min(first[raw_component[v]], v);
  }
  std::vector<int> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return size[a] != size[b] ? size[a] > size[b] : first[a] < first[b]; });
  std::vector<int> rank(count);
  Components result;
  result.count = count;
  for (int i = 0; i < count; ++i) {
    rank[order[i]] = i;
    result.component_size.push_back(size[order[i]]);
  }
  result.node_component.resize(n);
  for (int v = 0; v < n; ++v) result.node_component[v] = rank[raw_component[v]];
  return result;
}

int FeederTopology::find_bus(const std::string& id) const {
  auto it = std::find(bus_ids.begin(), bus_ids.end(), id);
  return it == bus_ids.end() ? -1 : static_cast<int>(it - bus_ids.begin());
}

FeederTopology build_feeder_topology(const Site& site) {
  FeederTopology topo;
  std::unordered_map<std::string, int> bus_of;
  auto bus = [&](const std::string& id, const XY& position) {
    auto [it, inserted] = bus_of.emplace(id, static_cast<int>(topo.bus_ids.size()));
    if (inserted) {
      topo.bus_ids.push_back(id);
      topo.bus_positions.push_back(position);
    }
    return it->second;
  };
  for (const auto& s : site.substations) bus(s.substation_id, s.position);
  // Undirected adjacency (bus, segment) pairs.
  std::vector<std::pair<int, int>> ends(site.feeders.size());
  for (std::size_t i = 0; i < site.feeders.size(); ++i) {
    const auto& seg = site.feeders[i];
    const XY a = seg.geometry.empty() ? XY{} : seg.geometry.front();
    const XY b = seg.geometry.empty() ? XY{} : seg.geometry.back();
    ends[i] = {bus(seg.from_bus, a), bus(seg.to_bus, b)};
  }
  const std::size_t n = topo.bus_ids.size();
  std::vector<std::vector<std::pair<int, int>>> adjacent(n);
  for (std::size_t i = 0; i < ends.size(); ++i) {
    // An open switch joins nothing: a normally open tie between two feeders is not a loop.
    if (!site.feeders[i].in_service) continue;
    adjacent[ends[i].first].emplace_back(ends[i].second, static_cast<int>(i));
    adjacent[ends[i].second].emplace_back(ends[i].first, static_cast<int>(i));
  }
  topo.parent_bus.assign(n, -1);
  topo.parent_segment.assign(n, -1);
  topo.substation.assign(n, -1);
  std::vector<char> segment_used(site.feeders.size(), 0);
  // One breadth-first search from all substations at once: a segment that meets a bus already in
  // some tree closes a loop, within one substation's network or between two.
  std::queue<int> queue;
  for (std::size_t s = 0; s < site.substations.size(); ++s) {
    const int root = bus_of.at(site.substations[s].substation_id);
    if (topo.substation[root] >= 0) continue;
    topo.substation[root] = static_cast<int>(s);
    queue.push(root);
  }
  while (!queue.empty()) {
    const int v = queue.front();
    queue.pop();
    for (const auto& [w, seg] : adjacent[v]) {
      if (segment_used[seg]) continue;
      segment_used[seg] = 1;
      if (topo.substation[w] >= 0) {
        topo.loop_segments.push_back(seg);
        continue;
      }
      topo.substation[w] = topo.substation[v];
      topo.parent_bus[w] = v;
      topo.parent_segment[w] = seg;
      queue.push(w);
    }
  }
  std::sort(topo.loop_segments.begin(), topo.loop_segments.end());
  for (std::size_t b = 0; b < n; ++b) {
    if (topo.substation[b] < 0) topo.unreached_buses.push_back(static_cast<int>(b));
  }
  return topo;
}

Attachments attach_facilities(const Site& site, const RoadGraph& roads, const FeederTopology& feeders) {
  Attachments out;
  const std::size_t n = site.facilities.size();
  out.road_node.assign(n, -1);
  out.road_distance_m.assign(n, std::numeric_limits<double>::infinity());
  out.bus.assign(n, -1);
  out.bus_distance_m.assign(n, std::numeric_limits<double>::infinity());
  constexpr double kCellM = 100.0;
  PointGrid road_grid(kCellM);
  for (std::size_t i = 0; i < roads.nodes.size(); ++i) road_grid.insert(roads.nodes[i], static_cast<int>(i));
  road_grid.finish();
  PointGrid bus_grid(kCellM);
  std::unordered_map<std::string, int> bus_of;
  for (std::size_t b = 0; b < feeders.bus_ids.size(); ++b) {
    bus_of.emplace(feeders.bus_ids[b], static_cast<int>(b));
    if (feeders.substation[b] >= 0) bus_grid.insert(feeders.bus_positions[b], static_cast<int>(b));
  }
  bus_grid.finish();
  for (std::size_t f = 0; f < n; ++f) {
    const Facility& facility = site.facilities[f];
    const XY c = centroid(facility.footprint);
    out.road_node[f] = road_grid.nearest(c, &out.road_distance_m[f]);
    if (!facility.feeder_bus.empty()) {
      auto it = bus_of.find(facility.feeder_bus);
      if (it != bus_of.end()) {
        out.bus[f] = it->second;
        out.bus_distance_m[f] = distance_m(c, feeders.bus_positions[it->second]);
      }
    } else {
      out.bus[f] = bus_grid.nearest(c, &out.bus_distance_m[f]);
    }
  }
  return out;
}

}  // namespace sandan
