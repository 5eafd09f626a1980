// gis/synth: the layout generator. docs/synth.md describes the algorithm and lists every estimated
// parameter below with its reasoning; all of them are estimates.
#include "gis/synth.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <numbers>
#include <queue>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/rng.hpp"
#include "gis/crs.hpp"

namespace sandan {
namespace {

// Estimated parameters (docs/synth.md, "Parameters").

// Street hierarchy of Korean industrial complexes of the 1960s-70s. Per-lane capacities are the Korean
// Highway Capacity Manual order of magnitude; speeds follow the "safe speed 5030" limits of
// Korean cities (50 km/h on arterials, 30 km/h on local streets) with 60 km/h on the wide cross arterials.
enum class StreetKind { kRing, kArterial, kCollector, kLocal };
struct StreetSpec {
  RoadClass road_class;
  int lanes;  // per direction
  double speed_kmh;
  double lane_capacity_veh_h;
  double half_width_m;  // half the right of way: blocks are inset by it
};
constexpr StreetSpec kStreetSpecs[] = {
    {RoadClass::kArterial, 2, 50.0, 1800.0, 15.0},   // ring arterial on the boundary
    {RoadClass::kArterial, 3, 60.0, 1800.0, 15.0},   // arterial across the complex
    {RoadClass::kCollector, 2, 40.0, 1300.0, 10.0},  // collector
    {RoadClass::kLocal, 1, 30.0, 800.0, 5.0},        // local street
};
const StreetSpec& spec_of(StreetKind kind) { return kStreetSpecs[static_cast<int>(kind)]; }
constexpr StreetSpec kExternalSpec{RoadClass::kExternal, 2, 70.0, 1800.0, 10.0};
constexpr double kExternalPieceM = 500.0;  // external roads are split into links of at most this

constexpr double kAspectRatio = 1.3;  // long : short side of a free-standing complex
constexpr double kMaxRotationDeg = 30.0;
constexpr int kPlacementAttempts = 24;
constexpr double kMinPairAspect = 0.25;  // width / height limits of an adjoining pair's rectangles
constexpr double kMinCrossArterialSideM = 600.0;
constexpr double kArterialSpacingM = 900.0;
constexpr double kArterialJitter = 0.05;           // fraction of the spacing
constexpr double kCollectorSpacingAlongM = 300.0;  // along the blocks' long axis
constexpr double kCollectorSpacingAcrossM = 200.0;
constexpr double kBlockDepthM = 100.0;  // between local street centrelines
constexpr double kBlockLengthM = 150.0;
constexpr double kStreetJitter = 0.12;  // fraction of the spacing
constexpr double kLongBlockProbability = 0.25;
constexpr double kAlignedCrossProbability = 0.5;
constexpr double kTurnedStripsProbability = 0.15;  // superblocks whose strips run across the long axis
constexpr double kGreenBlockShare = 0.08;  // blocks kept for parks, buffer green and support facilities

constexpr double kMinBlockSideM = 20.0;  // after the inset; narrower slivers stay green
constexpr double kTwoRowMinDepthM = 60.0;
constexpr double kPlotMedianM2 = 1650.0;  // most SMEs at 1,000-3,000 m²
constexpr double kPlotMedianMaxM2 = 4000.0;
constexpr double kPlotSigma = 0.45;  // of the log of the plot area
constexpr double kPlotMinM2 = 500.0;
constexpr double kPlotMaxM2 = 5000.0;
constexpr double kMinFrontageM = 12.0;  // a truck gate
constexpr double kMeanToMedian = 1.1;   // exp(sigma² / 2) for sigma 0.45

constexpr double kCoverageMin = 0.5;
constexpr double kCoverageMax = 0.7;
constexpr double kKicCoverageMax = 0.6;
constexpr double kFrontYardShare = 0.65;  // of the unbuilt depth, at the street: loading yard
constexpr double kStoreyWeights[] = {0.35, 0.35, 0.20, 0.10};  // 1..4 storeys
constexpr int kKicStoreysMin = 5;
constexpr int kKicStoreysMax = 12;
constexpr double kKicFirmsEach = 100.0;       // tenants per knowledge industry centre, order
constexpr double kKicFloorPerFirmM2 = 250.0;  // floor area a tenant takes in a KIC
constexpr double kFactoryFloorPerFirmM2 = 1500.0;
constexpr long kKicMinExtraFirms = 30;  // fewer extra tenants than this share ordinary buildings

constexpr double kLoadFactor = 0.5;   // annual energy / (8760 h x peak)
constexpr double kPowerFactor = 0.9;  // at the 22.9 kV bus
constexpr double kHoursPerYear = 8760.0;
constexpr double kFeederTargetKw = 8000.0;  // KEPCO 22.9 kV feeders run at ~10 MW normal capacity
constexpr double kFeederMaxKw = 10000.0;
constexpr double kTrunkShare = 0.3;  // of a feeder's load carried downstream: trunk line type
constexpr double kTransformerMva = 60.0;
constexpr double kTransformerUtilisation = 0.75;  // firm capacity with one bank out
constexpr int kMaxTransformers = 4;

// Random streams: one per complex and purpose, so that changing one purpose does not shift another.
enum Stream : std::uint64_t {
  kStreamPlacement = 1,
  kStreamStreets,
  kStreamPlots,
  kStreamVacancy,
  kStreamBuildings,
  kStreamSectors,
  kStreamShifts,
  kStreamSubstation,
  kStreamGreen,
};
Rng stream(std::uint64_t seed, int complex, Stream purpose) {
  return Rng(seed, static_cast<std::uint64_t>(complex + 1) * 64U + purpose);
}

std::string numbered(const std::string& prefix, long number, int width) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%0*ld", width, number);
  return prefix + digits;
}

std::string fixed1(double value) {
  char text[48];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// Largest-remainder (Hamilton) apportionment of total over weights: sums exactly to total, ties to
// the lower index.
std::vector<long> largest_remainder(long total, const std::vector<double>& weights) {
  const std::size_t n = weights.size();
  std::vector<long> shares(n, 0);
  if (n == 0 || total <= 0) return shares;
  double sum = 0.0;
  for (const double w : weights) sum += std::max(w, 0.0);
  std::vector<std::pair<double, std::size_t>> remainders;
  remainders.reserve(n);
  long given = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double quota = sum > 0.0 ? static_cast<double>(total) * std::max(weights[i], 0.0) / sum
                                   : static_cast<double>(total) / static_cast<double>(n);
    const double whole = std::floor(quota);
    shares[i] = static_cast<long>(whole);
    given += shares[i];
    remainders.emplace_back(quota - whole, i);
  }
  std::sort(remainders.begin(), remainders.end(), [](const auto& x, const auto& y) {
    return x.first > y.first || (x.first == y.first && x.second < y.second);
  });
  for (long k = 0; given + k < total; ++k) ++shares[remainders[static_cast<std::size_t>(k) % n].second];
  return shares;
}

template <typename T>
void shuffle(std::vector<T>& items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng.uniform_int(0, static_cast<int>(i) - 1));
    std::swap(items[i - 1], items[j]);
  }
}

// A right-handed local frame: a along u, b along v = u turned 90° counter-clockwise.
struct Frame {
  XY origin;
  XY u{1.0, 0.0};
  XY v{0.0, 1.0};

  [[nodiscard]] XY to_world(double a, double b) const {
    return {origin.x_m + a * u.x_m + b * v.x_m, origin.y_m + a * u.y_m + b * v.y_m};
  }
  [[nodiscard]] std::pair<double, double> to_local(const XY& p) const {
    const double dx = p.x_m - origin.x_m;
    const double dy = p.y_m - origin.y_m;
    return {dx * u.x_m + dy * u.y_m, dx * v.x_m + dy * v.y_m};
  }
};

struct Rect {
  double lo[2] = {0.0, 0.0};  // a, b
  double hi[2] = {0.0, 0.0};
  [[nodiscard]] double size(int axis) const { return hi[axis] - lo[axis]; }
  [[nodiscard]] bool holds(double a, double b) const {
    return a >= lo[0] && a <= hi[0] && b >= lo[1] && b <= hi[1];
  }
};

Ring world_ring(const Frame& frame, const Rect& r) {
  return {frame.to_world(r.lo[0], r.lo[1]), frame.to_world(r.hi[0], r.lo[1]),
          frame.to_world(r.hi[0], r.hi[1]), frame.to_world(r.lo[0], r.hi[1]),
          frame.to_world(r.lo[0], r.lo[1])};
}

// Separating-axis test for convex rings: true when the interiors overlap (touching is not overlap).
bool convex_overlap(const Ring& p, const Ring& q) {
  for (const Ring* ring : {&p, &q}) {
    for (std::size_t i = 0; i + 1 < ring->size(); ++i) {
      const double nx = -((*ring)[i + 1].y_m - (*ring)[i].y_m);
      const double ny = (*ring)[i + 1].x_m - (*ring)[i].x_m;
      double p_min = std::numeric_limits<double>::max();
      double p_max = -p_min;
      double q_min = p_min;
      double q_max = -p_min;
      for (const XY& pt : p) {
        const double d = pt.x_m * nx + pt.y_m * ny;
        p_min = std::min(p_min, d);
        p_max = std::max(p_max, d);
      }
      for (const XY& pt : q) {
        const double d = pt.x_m * nx + pt.y_m * ny;
        q_min = std::min(q_min, d);
        q_max = std::max(q_max, d);
      }
      const double tolerance = 1e-6 * std::hypot(nx, ny);
      if (p_max <= q_min + tolerance || q_max <= p_min + tolerance) return false;
    }
  }
  return true;
}

// Points bucketed on a square grid for nearest-point queries in O(1) expected time.
class PointGrid {
 public:
  PointGrid(std::vector<XY> points, double cell_m) : points_(std::move(points)), cell_m_(cell_m) {
    if (points_.empty()) return;
    min_ = points_.front();
    XY max = min_;
    for (const XY& p : points_) {
      min_.x_m = std::min(min_.x_m, p.x_m);
      min_.y_m = std::min(min_.y_m, p.y_m);
      max.x_m = std::max(max.x_m, p.x_m);
      max.y_m = std::max(max.y_m, p.y_m);
    }
    nx_ = static_cast<int>((max.x_m - min_.x_m) / cell_m_) + 1;
    ny_ = static_cast<int>((max.y_m - min_.y_m) / cell_m_) + 1;
    start_.assign(static_cast<std::size_t>(nx_) * static_cast<std::size_t>(ny_) + 1, 0);
    for (const XY& p : points_) ++start_[cell_of(p) + 1];
    for (std::size_t i = 1; i < start_.size(); ++i) start_[i] += start_[i - 1];
    items_.resize(points_.size());
    std::vector<int> fill(start_.begin(), start_.end() - 1);
    for (std::size_t i = 0; i < points_.size(); ++i)
      items_[static_cast<std::size_t>(fill[cell_of(points_[i])]++)] = static_cast<int>(i);
  }

  // Index of the point nearest to p among those accepted by keep (ties: lower index), -1 if none.
  [[nodiscard]] int nearest(const XY& p, const std::function<bool(int)>& keep = {}) const {
    if (points_.empty()) return -1;
    const int cx = std::clamp(static_cast<int>(std::floor((p.x_m - min_.x_m) / cell_m_)), 0, nx_ - 1);
    const int cy = std::clamp(static_cast<int>(std::floor((p.y_m - min_.y_m) / cell_m_)), 0, ny_ - 1);
    // Every point in ring R (Chebyshev distance R cells from p's clamped cell) is at least
    // max(outside, (R - 1) cells) away, where outside is p's distance to the grid's box.
    const double outside = std::hypot(std::max({min_.x_m - p.x_m, 0.0, p.x_m - (min_.x_m + nx_ * cell_m_)}),
                                      std::max({min_.y_m - p.y_m, 0.0, p.y_m - (min_.y_m + ny_ * cell_m_)}));
    int best = -1;
    double best_d = std::numeric_limits<double>::max();
    const int max_ring = std::max(nx_, ny_);
    for (int ring = 0; ring <= max_ring; ++ring) {
      if (best >= 0 && best_d < std::max(outside, (ring - 1) * cell_m_)) break;
      for (int gy = cy - ring; gy <= cy + ring; ++gy) {
        if (gy < 0 || gy >= ny_) continue;
        const bool edge_row = gy == cy - ring || gy == cy + ring;
        for (int gx = cx - ring; gx <= cx + ring; gx += (edge_row ? 1 : 2 * ring)) {
          if (gx >= 0 && gx < nx_) {
            const std::size_t cell =
                static_cast<std::size_t>(gy) * static_cast<std::size_t>(nx_) + static_cast<std::size_t>(gx);
            for (int k = start_[cell]; k < start_[cell + 1]; ++k) {
              const int i = items_[static_cast<std::size_t>(k)];
              if (keep && !keep(i)) continue;
              const double d = distance_m(p, points_[static_cast<std::size_t>(i)]);
              if (d < best_d || (d == best_d && i < best)) {
                best_d = d;
                best = i;
              }
            }
          }
          if (ring == 0) break;
        }
      }
    }
    return best;
  }

 private:
  [[nodiscard]] std::size_t cell_of(const XY& p) const {
    const int gx = std::min(static_cast<int>((p.x_m - min_.x_m) / cell_m_), nx_ - 1);
    const int gy = std::min(static_cast<int>((p.y_m - min_.y_m) / cell_m_), ny_ - 1);
    return static_cast<std::size_t>(gy) * static_cast<std::size_t>(nx_) + static_cast<std::size_t>(gx);
  }

  std::vector<XY> points_;
  double cell_m_;
  XY min_;
  int nx_ = 0;
  int ny_ = 0;
  std::vector<int> start_;
  std::vector<int> items_;
};

struct ComplexPlan {
  int group = -1;
  Rect rect;             // in the group's frame
  int partner = -1;      // the adjoining complex sharing the group, or -1
  int long_axis = 0;     // axis along which blocks are long
  double area_m2 = 0.0;  // scaled
  long firms = 0;
  long employees = 0;
  XY centre;  // scaled, EPSG:5186
};

struct Group {
  Frame frame;
  std::vector<int> members;  // one complex, or an adjoining pair (owner first)
  XY centre;
};

// An axis-aligned street centreline in a group frame. axis: the direction it runs (0: along a, with b
// fixed). stops: positions along it where other streets meet or cross it.
struct Line {
  int axis = 0;
  double fixed = 0.0;
  double lo = 0.0;
  double hi = 0.0;
  StreetKind kind = StreetKind::kLocal;
  int owner = -1;
  std::vector<double> stops;
};

struct Node {
  int group = -1;
  double a = 0.0;
  double b = 0.0;
  XY world;
};

struct Edge {
  int from = -1;
  int to = -1;
  double length_m = 0.0;
};

struct Block {
  int complex = -1;
  Rect inset;  // the buildable cell between street rights of way
};

struct Plot {
  int complex = -1;
  Rect rect;
  int depth_axis = 1;  // axis from the street front into the plot
  int front_side = 0;  // 0: the street is at rect.lo[depth_axis]; 1: at rect.hi
  [[nodiscard]] double area_m2() const { return rect.size(0) * rect.size(1); }
};

struct Major {
  double position = 0.0;
  StreetKind kind = StreetKind::kCollector;
};

// Street positions along one axis of a complex: the boundary (ring), arterials across when the side is
// long enough, and collectors between them, each jittered around an even spacing.
std::vector<Major> major_positions(double lo, double hi, double collector_spacing_m, Rng& rng) {
  const double length = hi - lo;
  std::vector<double> arterials{lo};
  const int gaps = length < kMinCrossArterialSideM
                       ? 1
                       : std::max(2, static_cast<int>(std::lround(length / kArterialSpacingM)));
  const double gap = length / gaps;
  for (int k = 1; k < gaps; ++k)
    arterials.push_back(lo + k * gap + rng.uniform(-1.0, 1.0) * kArterialJitter * gap);
  arterials.push_back(hi);
  std::vector<Major> majors;
  for (std::size_t k = 0; k + 1 < arterials.size(); ++k) {
    majors.push_back({arterials[k], k == 0 ? StreetKind::kRing : StreetKind::kArterial});
    const double span = arterials[k + 1] - arterials[k];
    const int parts = std::max(1, static_cast<int>(std::lround(span / collector_spacing_m)));
    const double step = span / parts;
    for (int j = 1; j < parts; ++j) {
      majors.push_back(
          {arterials[k] + j * step + rng.uniform(-1.0, 1.0) * kStreetJitter * step, StreetKind::kCollector});
    }
  }
  majors.push_back({hi, StreetKind::kRing});
  return majors;
}

// Interior positions splitting [lo, hi] into about length / spacing parts, jittered.
std::vector<double> split_positions(double lo, double hi, int parts, Rng& rng) {
  std::vector<double> positions;
  const double step = (hi - lo) / parts;
  for (int k = 1; k < parts; ++k)
    positions.push_back(lo + k * step + rng.uniform(-1.0, 1.0) * kStreetJitter * step);
  return positions;
}

class Synthesizer {
 public:
  Synthesizer(const SiteFacts& facts, const SynthOptions& options) : facts_(facts) {
    seed_ = options.seed.value_or(facts.seed);
    double firms_total = 0.0;
    for (const auto& c : facts.complexes) firms_total += c.firms.value;
    if (options.total_firms) {
      if (*options.total_firms <= 0) throw Error(ErrorCode::kBadInput, "total_firms must be > 0");
      scale_ = static_cast<double>(*options.total_firms) / firms_total;
    } else {
      scale_ = options.scale;
    }
    if (!(scale_ > 0.0) || !std::isfinite(scale_)) {
      throw Error(ErrorCode::kBadInput, "synthesis scale must be > 0, got " + std::to_string(scale_));
    }
    total_firms_ = options.total_firms ? *options.total_firms : std::lround(firms_total * scale_);
    // About 1 kB a firm with its plot, footprint, streets and feeders, on top of 64 MB (sandan synth of
    // the shipped facts: 100 MB at scale 10, 225 MB at scale 40, 4,614 firms at scale 1), checked
    // before anything is generated: --scale 1e6 asked for terabytes and grew until killed.
    const double firms = firms_total * scale_;
    char figures[96];
    std::snprintf(figures, sizeof figures, "a synthetic layout of %.3g firms (scale %.3g)", firms, scale_);
    require_memory(64e6 + 1e3 * firms, figures,
                   "give a smaller --scale or --firms (the shipped facts hold " +
                       std::to_string(std::lround(firms_total)) + " firms at scale 1)");
  }

  Site run() {
    plan_complexes();
    build_streets();
    build_plots_and_facilities();
    build_external_roads();
    build_feeders();
    return std::move(site_);
  }

 private:
  void plan_complexes() {
    const auto& cs = facts_.complexes;
    const std::size_t n = cs.size();
    plans_.resize(n);
    std::vector<XY> projected(n);
    XY mean;
    for (std::size_t i = 0; i < n; ++i) {
      projected[i] = lonlat_to_working(cs[i].centre);
      mean.x_m += projected[i].x_m / static_cast<double>(n);
      mean.y_m += projected[i].y_m / static_cast<double>(n);
    }
    spread_ = [mean, k = std::sqrt(scale_)](const XY& p) {
      return XY{mean.x_m + (p.x_m - mean.x_m) * k, mean.y_m + (p.y_m - mean.y_m) * k};
    };
    std::vector<double> firm_weights;
    std::vector<double> employee_weights;
    double employees_total = 0.0;
    for (const auto& c : cs) {
      firm_weights.push_back(c.firms.value);
      employee_weights.push_back(c.employees.value);
      employees_total += c.employees.value;
    }
    const auto firms = largest_remainder(total_firms_, firm_weights);
    const auto employees = largest_remainder(std::lround(employees_total * scale_), employee_weights);
    for (std::size_t i = 0; i < n; ++i) {
      plans_[i].centre = spread_(projected[i]);
      plans_[i].area_m2 = cs[i].area_km2.value * 1e6 * scale_;
      plans_[i].firms = firms[i];
      plans_[i].employees = employees[i];
    }

    std::map<std::string, int> index_of;
    for (std::size_t i = 0; i < n; ++i) index_of[cs[i].complex_id] = static_cast<int>(i);
    for (std::size_t i = 0; i < n; ++i) {
      if (plans_[i].group >= 0) continue;
      int partner = -1;
      if (!cs[i].adjoins.empty()) partner = index_of.at(cs[i].adjoins);
      for (std::size_t j = 0; j < n && partner < 0; ++j) {
        if (cs[j].adjoins == cs[i].complex_id) partner = static_cast<int>(j);
      }
      if (partner >= 0 && plans_[static_cast<std::size_t>(partner)].group < 0) {
        plan_pair(static_cast<int>(i), partner);
      } else {
        plan_single(static_cast<int>(i));
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const ComplexPlan& plan = plans_[i];
      Complex complex;
      complex.complex_id = cs[i].complex_id;
      complex.name = cs[i].name;
      complex.name_ko = cs[i].name_ko;
      complex.role = cs[i].role;
      complex.boundary = {
          Polygon{world_ring(groups_[static_cast<std::size_t>(plan.group)].frame, plan.rect), {}}};
      complex.extra = {{"layout", "synthetic"},
                       {"area_m2", fixed1(plan.area_m2)},
                       {"firms", std::to_string(plan.firms)},
                       {"employees", std::to_string(plan.employees)},
                       {"centre_confidence", cs[i].centre_confidence},
                       {"area_confidence", cs[i].area_km2.confidence},
                       {"firms_confidence", cs[i].firms.confidence},
                       {"employees_confidence", cs[i].employees.confidence},
                       {"sector_mix_confidence", cs[i].sector_mix_confidence}};
      site_.complexes.push_back(std::move(complex));
    }
  }

  // Two adjoining complexes: rectangles aligned with the line between their centres, each as wide as the
  // distance between the centres, so they share the edge through the midpoint.
  void plan_pair(int first, int second) {
    ComplexPlan& p = plans_[static_cast<std::size_t>(first)];
    ComplexPlan& q = plans_[static_cast<std::size_t>(second)];
    const double d = distance_m(p.centre, q.centre);
    Group group;
    group.frame.origin = {(p.centre.x_m + q.centre.x_m) / 2.0, (p.centre.y_m + q.centre.y_m) / 2.0};
    group.frame.u = {(q.centre.x_m - p.centre.x_m) / d, (q.centre.y_m - p.centre.y_m) / d};
    group.frame.v = {-group.frame.u.y_m, group.frame.u.x_m};
    group.members = {first, second};
    group.centre = group.frame.origin;
    const int g = static_cast<int>(groups_.size());
    for (const auto& [plan, lo, partner] :
         {std::tuple<ComplexPlan&, double, int>{p, -d, second}, {q, 0.0, first}}) {
      const double height = plan.area_m2 / d;
      if (d / height < kMinPairAspect || height / d < kMinPairAspect) {
        throw Error(ErrorCode::kBadInput,
                    "adjoining complexes " + facts_.complexes[static_cast<std::size_t>(first)].complex_id +
                        " and " + facts_.complexes[static_cast<std::size_t>(second)].complex_id + " are " +
                        fixed1(d) + " m apart: their side-by-side rectangles would be narrower than 1:4");
      }
      plan.group = g;
      plan.partner = partner;
      plan.rect.lo[0] = lo;
      plan.rect.hi[0] = lo + d;
      plan.rect.lo[1] = -height / 2.0;
      plan.rect.hi[1] = height / 2.0;
      plan.long_axis = d >= height ? 0 : 1;
    }
    check_clear_of_others(g, group);
    groups_.push_back(std::move(group));
  }

  // A free-standing complex: a 1:1.3 rectangle at a seeded rotation, retried until it clears the others.
  void plan_single(int index) {
    ComplexPlan& plan = plans_[static_cast<std::size_t>(index)];
    Rng rng = stream(seed_, index, kStreamPlacement);
    const double long_m = std::sqrt(plan.area_m2 * kAspectRatio);
    const double short_m = plan.area_m2 / long_m;
    const int g = static_cast<int>(groups_.size());
    plan.group = g;
    plan.rect.lo[0] = -long_m / 2.0;
    plan.rect.hi[0] = long_m / 2.0;
    plan.rect.lo[1] = -short_m / 2.0;
    plan.rect.hi[1] = short_m / 2.0;
    plan.long_axis = 0;
    for (int attempt = 0; attempt < kPlacementAttempts; ++attempt) {
      double angle_deg = rng.uniform(-kMaxRotationDeg, kMaxRotationDeg);
      if (rng.uniform() < 0.5) angle_deg += 90.0;
      const double angle = angle_deg * std::numbers::pi / 180.0;
      Group group;
      group.frame.origin = plan.centre;
      group.frame.u = {std::cos(angle), std::sin(angle)};
      group.frame.v = {-std::sin(angle), std::cos(angle)};
      group.members = {index};
      group.centre = plan.centre;
      if (clear_of_others(group)) {
        groups_.push_back(std::move(group));
        return;
      }
    }
    throw Error(ErrorCode::kBadInput,
                "complex " + facts_.complexes[static_cast<std::size_t>(index)].complex_id +
                    " cannot be placed without overlapping a neighbour: check its centre and area");
  }

  [[nodiscard]] bool clear_of_others(const Group& group) const {
    for (const int m : group.members) {
      const Ring ring = world_ring(group.frame, plans_[static_cast<std::size_t>(m)].rect);
      for (const Group& other : groups_) {
        for (const int o : other.members) {
          if (convex_overlap(ring, world_ring(other.frame, plans_[static_cast<std::size_t>(o)].rect)))
            return false;
        }
      }
    }
    return true;
  }

  void check_clear_of_others(int g, const Group& group) const {
    if (!clear_of_others(group)) {
      throw Error(ErrorCode::kBadInput, "the adjoining pair of group " + std::to_string(g) +
                                            " overlaps another complex: check the centres and areas");
    }
  }

  int add_line(int axis, double fixed, double lo, double hi, StreetKind kind, int owner) {
    lines_.push_back(Line{axis, fixed, lo, hi, kind, owner, {}});
    return static_cast<int>(lines_.size()) - 1;
  }

  void build_streets() {
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      const std::size_t first_line = lines_.size();
      build_group_lines(static_cast<int>(g));
      materialize(static_cast<int>(g), first_line);
    }
  }

  // The grid of arterials and collectors of each member, then local streets in each superblock.
  void build_group_lines(int g) {
    const Group& group = groups_[static_cast<std::size_t>(g)];
    int shared_line = -1;
    for (const int c : group.members) {
      ComplexPlan& plan = plans_[static_cast<std::size_t>(c)];
      Rng rng = stream(seed_, c, kStreamStreets);
      const Rect& r = plan.rect;
      std::vector<Major> majors[2];
      for (int axis = 0; axis < 2; ++axis) {
        const double spacing = axis == plan.long_axis ? kCollectorSpacingAlongM : kCollectorSpacingAcrossM;
        majors[axis] = major_positions(r.lo[axis], r.hi[axis], spacing, rng);
      }
      // lines_at[axis][k]: the line whose fixed coordinate on axis is majors[axis][k].
      std::vector<int> lines_at[2];
      for (const Major& m : majors[0]) {
        const bool on_shared_edge = plan.partner >= 0 && m.position == 0.0;
        if (on_shared_edge && shared_line >= 0) {
          Line& shared = lines_[static_cast<std::size_t>(shared_line)];
          shared.lo = std::min(shared.lo, r.lo[1]);
          shared.hi = std::max(shared.hi, r.hi[1]);
          lines_at[0].push_back(shared_line);
          continue;
        }
        lines_at[0].push_back(add_line(1, m.position, r.lo[1], r.hi[1], m.kind, c));
        if (on_shared_edge) shared_line = lines_at[0].back();
      }
      for (const Major& m : majors[1])
        lines_at[1].push_back(add_line(0, m.position, r.lo[0], r.hi[0], m.kind, c));
      for (const int line : lines_at[0]) {
        for (const Major& m : majors[1]) lines_[static_cast<std::size_t>(line)].stops.push_back(m.position);
      }
      for (const int line : lines_at[1]) {
        for (const Major& m : majors[0]) lines_[static_cast<std::size_t>(line)].stops.push_back(m.position);
      }
      for (std::size_t i = 0; i + 1 < majors[0].size(); ++i) {
        for (std::size_t j = 0; j + 1 < majors[1].size(); ++j) {
          Rect cell;
          cell.lo[0] = majors[0][i].position;
          cell.hi[0] = majors[0][i + 1].position;
          cell.lo[1] = majors[1][j].position;
          cell.hi[1] = majors[1][j + 1].position;
          const int sides[2][2] = {{lines_at[0][i], lines_at[0][i + 1]},
                                   {lines_at[1][j], lines_at[1][j + 1]}};
          build_superblock(c, cell, sides, rng);
        }
      }
    }
  }

  // Local streets of one superblock: strips about 100 m deep along the blocks' long axis, each cut into
  // blocks about 150 m long; cross streets either continue through all strips or are staggered, which
  // gives the T-junctions of the older complexes. sides[f][s]: the line with coordinate f fixed at the
  // low (s = 0) or high (s = 1) edge.
  void build_superblock(int c, const Rect& cell, const int (&sides)[2][2], Rng& rng) {
    int p = plans_[static_cast<std::size_t>(c)].long_axis;  // strips run along p
    if (rng.uniform() < kTurnedStripsProbability) p = 1 - p;
    const int q = 1 - p;
    const int n_strips = std::max(1, static_cast<int>(std::lround(cell.size(q) / kBlockDepthM)));
    std::vector<double> q_pos{cell.lo[q]};
    std::vector<int> q_line{sides[q][0]};
    for (const double y : split_positions(cell.lo[q], cell.hi[q], n_strips, rng)) {
      q_pos.push_back(y);
      q_line.push_back(add_line(p, y, cell.lo[p], cell.hi[p], StreetKind::kLocal, c));
      lines_[static_cast<std::size_t>(sides[p][0])].stops.push_back(y);
      lines_[static_cast<std::size_t>(sides[p][1])].stops.push_back(y);
    }
    q_pos.push_back(cell.hi[q]);
    q_line.push_back(sides[q][1]);

    int n_blocks = std::max(1, static_cast<int>(std::lround(cell.size(p) / kBlockLengthM)));
    if (n_blocks > 1 && rng.uniform() < kLongBlockProbability) --n_blocks;
    const bool aligned = rng.uniform() < kAlignedCrossProbability;
    const std::vector<double> shared_cross = split_positions(cell.lo[p], cell.hi[p], n_blocks, rng);
    for (std::size_t s = 0; s + 1 < q_pos.size(); ++s) {
      const std::vector<double> cross =
          aligned ? shared_cross : split_positions(cell.lo[p], cell.hi[p], n_blocks, rng);
      std::vector<double> p_pos{cell.lo[p]};
      std::vector<int> p_line{sides[p][0]};
      for (const double x : cross) {
        p_pos.push_back(x);
        p_line.push_back(add_line(q, x, q_pos[s], q_pos[s + 1], StreetKind::kLocal, c));
        lines_[static_cast<std::size_t>(q_line[s])].stops.push_back(x);
        lines_[static_cast<std::size_t>(q_line[s + 1])].stops.push_back(x);
      }
      p_pos.push_back(cell.hi[p]);
      p_line.push_back(sides[p][1]);
      for (std::size_t t = 0; t + 1 < p_pos.size(); ++t) {
        Block block;
        block.complex = c;
        block.inset.lo[p] = p_pos[t] + half_width(p_line[t]);
        block.inset.hi[p] = p_pos[t + 1] - half_width(p_line[t + 1]);
        block.inset.lo[q] = q_pos[s] + half_width(q_line[s]);
        block.inset.hi[q] = q_pos[s + 1] - half_width(q_line[s + 1]);
        if (block.inset.size(0) >= kMinBlockSideM && block.inset.size(1) >= kMinBlockSideM) {
          blocks_.push_back(block);
        }
      }
    }
  }

  [[nodiscard]] double half_width(int line) const {
    return spec_of(lines_[static_cast<std::size_t>(line)].kind).half_width_m;
  }

  // Nodes at every stop of every line (one node per exact position, so shared intersections are one
  // point), and one road a pair of consecutive stops.
  void materialize(int g, std::size_t first_line) {
    const Group& group = groups_[static_cast<std::size_t>(g)];
    std::map<std::pair<double, double>, int> node_at;
    const auto node_of = [&](double a, double b) {
      const auto [it, inserted] = node_at.emplace(std::make_pair(a, b), static_cast<int>(nodes_.size()));
      if (inserted) nodes_.push_back(Node{g, a, b, group.frame.to_world(a, b)});
      return it->second;
    };
    for (std::size_t l = first_line; l < lines_.size(); ++l) {
      Line& line = lines_[l];
      std::vector<double>& stops = line.stops;
      stops.push_back(line.lo);
      stops.push_back(line.hi);
      std::sort(stops.begin(), stops.end());
      stops.erase(std::unique(stops.begin(), stops.end()), stops.end());
      const StreetSpec& spec = spec_of(line.kind);
      for (std::size_t k = 0; k + 1 < stops.size(); ++k) {
        const auto at = [&](double s) {
          return line.axis == 0 ? node_of(s, line.fixed) : node_of(line.fixed, s);
        };
        const int from = at(stops[k]);
        const int to = at(stops[k + 1]);
        // A segment of the shared edge belongs to whichever member holds both its ends.
        int owner = line.owner;
        const Node& nf = nodes_[static_cast<std::size_t>(from)];
        const Node& nt = nodes_[static_cast<std::size_t>(to)];
        if (!plans_[static_cast<std::size_t>(owner)].rect.holds(nf.a, nf.b) ||
            !plans_[static_cast<std::size_t>(owner)].rect.holds(nt.a, nt.b)) {
          owner = plans_[static_cast<std::size_t>(owner)].partner;
        }
        add_road(from, to, spec, owner_prefix(owner));
      }
    }
  }

  std::string owner_prefix(int complex) {
    return facts_.complexes[static_cast<std::size_t>(complex)].complex_id + "_r";
  }

  void add_road(int from, int to, const StreetSpec& spec, const std::string& prefix) {
    long& counter = road_counters_[prefix];
    Road road;
    road.road_id = numbered(prefix, ++counter, 4);
    road.lanes = spec.lanes;
    road.speed_kmh = spec.speed_kmh;
    road.capacity_veh_h = spec.lanes * spec.lane_capacity_veh_h;
    road.oneway = false;
    road.road_class = spec.road_class;
    road.geometry = {nodes_[static_cast<std::size_t>(from)].world,
                     nodes_[static_cast<std::size_t>(to)].world};
    edges_.push_back(Edge{from, to, length_m(road.geometry)});
    site_.roads.push_back(std::move(road));
  }

  // A complex's street graph: the nodes inside or on its rectangle and the streets between them.
  struct Net {
    std::vector<int> nodes;                             // global ids, ascending
    std::vector<std::vector<std::pair<int, int>>> adj;  // local index -> (local neighbour, edge)
    std::vector<int> perimeter;                         // global ids on the outer boundary
    std::vector<XY> world;                              // of nodes
  };

  [[nodiscard]] bool in_complex(int node, int c) const {
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    const ComplexPlan& plan = plans_[static_cast<std::size_t>(c)];
    return n.group == plan.group && plan.rect.holds(n.a, n.b);
  }

  void build_nets() {
    nets_.assign(plans_.size(), Net{});
    std::vector<int> local(nodes_.size(), -1);
    for (std::size_t c = 0; c < plans_.size(); ++c) {
      Net& net = nets_[c];
      const ComplexPlan& plan = plans_[c];
      for (std::size_t i = 0; i < nodes_.size(); ++i) {
        if (!in_complex(static_cast<int>(i), static_cast<int>(c))) continue;
        local[i] = static_cast<int>(net.nodes.size());
        net.nodes.push_back(static_cast<int>(i));
        net.world.push_back(nodes_[i].world);
        const Node& n = nodes_[i];
        const bool on_edge = n.a == plan.rect.lo[0] || n.a == plan.rect.hi[0] || n.b == plan.rect.lo[1] ||
                             n.b == plan.rect.hi[1];
        bool facing_partner = false;
        if (plan.partner >= 0) {
          const Rect& other = plans_[static_cast<std::size_t>(plan.partner)].rect;
          facing_partner = n.a == 0.0 && n.b > other.lo[1] && n.b < other.hi[1];
        }
        if (on_edge && !facing_partner) net.perimeter.push_back(static_cast<int>(i));
      }
      net.adj.assign(net.nodes.size(), {});
      for (std::size_t e = 0; e < edges_.size(); ++e) {
        const Edge& edge = edges_[e];
        const int lf = local[static_cast<std::size_t>(edge.from)];
        const int lt = local[static_cast<std::size_t>(edge.to)];
        if (lf < 0 || lt < 0) continue;
        net.adj[static_cast<std::size_t>(lf)].emplace_back(lt, static_cast<int>(e));
        net.adj[static_cast<std::size_t>(lt)].emplace_back(lf, static_cast<int>(e));
      }
      for (const int i : net.nodes) local[static_cast<std::size_t>(i)] = -1;
    }
  }

  // Two back-to-back rows along the block's long side, cut into plots of seeded lognormal area.
  void cut_block(const Block& block, double median_m2, Rng& rng, std::vector<Plot>& plots) const {
    const int along = block.inset.size(0) >= block.inset.size(1) ? 0 : 1;
    const int depth_axis = 1 - along;
    const double depth = block.inset.size(depth_axis);
    const int rows = depth >= kTwoRowMinDepthM ? 2 : 1;
    const double row_depth = depth / rows;
    const double length = block.inset.size(along);
    for (int row = 0; row < rows; ++row) {
      std::vector<double> fronts;
      double used = 0.0;
      while (used < length) {
        const double area =
            std::clamp(median_m2 * std::exp(kPlotSigma * rng.normal()), kPlotMinM2, kPlotMaxM2);
        const double front = std::max(area / row_depth, kMinFrontageM);
        const double left = length - used;
        if (left - front < 0.5 * std::max(front, kMinFrontageM)) {
          // What is left is too narrow for a plot of its own: give it to this plot, or the previous one
          // when this one would be a sliver.
          if (left < 0.5 * front && !fronts.empty()) {
            fronts.back() += left;
          } else {
            fronts.push_back(left);
          }
          used = length;
        } else {
          fronts.push_back(front);
          used += front;
        }
      }
      double start = block.inset.lo[along];
      for (std::size_t k = 0; k < fronts.size(); ++k) {
        Plot plot;
        plot.complex = block.complex;
        plot.depth_axis = depth_axis;
        plot.front_side = row == 0 ? 0 : 1;
        plot.rect.lo[along] = start;
        plot.rect.hi[along] = k + 1 == fronts.size() ? block.inset.hi[along] : start + fronts[k];
        plot.rect.lo[depth_axis] = block.inset.lo[depth_axis] + row * row_depth;
        plot.rect.hi[depth_axis] =
            row + 1 == rows ? block.inset.hi[depth_axis] : block.inset.lo[depth_axis] + (row + 1) * row_depth;
        start = plot.rect.hi[along];
        if (plot.rect.size(along) > 0.0) plots.push_back(plot);
      }
    }
  }

  void build_plots_and_facilities() {
    build_nets();
    for (std::size_t c = 0; c < plans_.size(); ++c) build_complex_facilities(static_cast<int>(c));
  }

  void build_complex_facilities(int c) {
    const ComplexPlan& plan = plans_[static_cast<std::size_t>(c)];
    const ComplexFacts& cf = facts_.complexes[static_cast<std::size_t>(c)];
    const Frame& frame = groups_[static_cast<std::size_t>(plan.group)].frame;
    // Some blocks stay green or hold support facilities (the industrial land of Korean complexes is
    // about two thirds of their area, the rest streets, green and public uses).
    std::vector<const Block*> built;
    std::vector<const Block*> all;
    Rng green = stream(seed_, c, kStreamGreen);
    for (const Block& block : blocks_) {
      if (block.complex != c) continue;
      all.push_back(&block);
      if (green.uniform() >= kGreenBlockShare) built.push_back(&block);
    }
    if (built.empty()) built = all;
    site_.complexes[static_cast<std::size_t>(c)].extra.emplace_back(
        "green_or_support_blocks", std::to_string(all.size() - built.size()));
    double usable_m2 = 0.0;
    for (const Block* block : built) usable_m2 += block->inset.size(0) * block->inset.size(1);
    // Plot size: the SME norm, larger where few firms share much land (facilities ≈ min(firms, plots)).
    const double per_firm_m2 = usable_m2 / static_cast<double>(std::max(plan.firms, 1L)) / kMeanToMedian;
    const double median_m2 = std::clamp(per_firm_m2, kPlotMedianM2, kPlotMedianMaxM2);
    std::vector<Plot> plots;
    Rng plot_rng = stream(seed_, c, kStreamPlots);
    for (const Block* block : built) cut_block(*block, median_m2, plot_rng, plots);
    if (plots.empty() && plan.firms > 0) {
      throw Error(ErrorCode::kBadInput, "complex " + cf.complex_id + " is too small at scale " +
                                            std::to_string(scale_) + " to hold a single plot");
    }
    // More plots than firms: the surplus stays vacant (yards, parking, unbuilt land), chosen at random.
    if (static_cast<long>(plots.size()) > plan.firms) {
      std::vector<std::size_t> order(plots.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      Rng vacancy = stream(seed_, c, kStreamVacancy);
      shuffle(order, vacancy);
      order.resize(static_cast<std::size_t>(plan.firms));
      std::sort(order.begin(), order.end());
      std::vector<Plot> kept;
      kept.reserve(order.size());
      for (const std::size_t i : order) kept.push_back(plots[i]);
      plots = std::move(kept);
    }
    const std::size_t n = plots.size();
    const long extra_firms = plan.firms - static_cast<long>(n);

    // Knowledge industry centres on the largest plots take most of the firms that do not have a
    // building of their own.
    std::vector<bool> kic(n, false);
    if (extra_firms >= kKicMinExtraFirms) {
      const auto wanted = static_cast<std::size_t>(
          std::max(1L, std::lround(static_cast<double>(extra_firms) / kKicFirmsEach)));
      const std::size_t count = std::min(wanted, std::max<std::size_t>(1, n / 6));
      std::vector<std::size_t> by_area(n);
      for (std::size_t i = 0; i < n; ++i) by_area[i] = i;
      std::stable_sort(by_area.begin(), by_area.end(),
                       [&](std::size_t x, std::size_t y) { return plots[x].area_m2() > plots[y].area_m2(); });
      for (std::size_t k = 0; k < count; ++k) kic[by_area[k]] = true;
    }

    Rng build = stream(seed_, c, kStreamBuildings);
    const std::size_t first = site_.facilities.size();
    std::vector<double> floor_m2(n);
    std::vector<double> tenant_weight(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Plot& plot = plots[i];
      const double coverage = build.uniform(kCoverageMin, kic[i] ? kKicCoverageMax : kCoverageMax);
      int storeys = 1;
      if (kic[i]) {
        storeys = build.uniform_int(kKicStoreysMin, kKicStoreysMax);
      } else {
        double u = build.uniform();
        for (const double w : kStoreyWeights) {
          if (u < w) break;
          u -= w;
          ++storeys;
        }
        storeys = std::min(storeys, 4);
      }
      const double k = std::sqrt(coverage);
      const int along = 1 - plot.depth_axis;
      const int depth = plot.depth_axis;
      Rect foot;
      const double width = plot.rect.size(along) * k;
      const double deep = plot.rect.size(depth) * k;
      foot.lo[along] = plot.rect.lo[along] + (plot.rect.size(along) - width) / 2.0;
      foot.hi[along] = foot.lo[along] + width;
      const double front_gap = kFrontYardShare * (plot.rect.size(depth) - deep);
      if (plot.front_side == 0) {
        foot.lo[depth] = plot.rect.lo[depth] + front_gap;
        foot.hi[depth] = foot.lo[depth] + deep;
      } else {
        foot.hi[depth] = plot.rect.hi[depth] - front_gap;
        foot.lo[depth] = foot.hi[depth] - deep;
      }
      const double footprint_m2 = width * deep;
      Facility facility;
      facility.facility_id = numbered(cf.complex_id + "_f", static_cast<long>(i + 1), 4);
      facility.complex = c;
      facility.name = cf.name + (kic[i] ? " knowledge industry centre " : " factory ") +
                      numbered("", static_cast<long>(i + 1), 4);
      facility.floor_area_m2 = footprint_m2 * storeys;
      facility.roof_area_m2 = footprint_m2;
      facility.footprint = {Polygon{world_ring(frame, foot), {}}};
      facility.extra = {{"building", kic[i] ? "knowledge_industry_centre" : "factory"},
                        {"storeys", std::to_string(storeys)},
                        {"plot_area_m2", fixed1(plot.area_m2())},
                        {"layout", "synthetic"}};
      floor_m2[i] = facility.floor_area_m2;
      tenant_weight[i] = facility.floor_area_m2 / (kic[i] ? kKicFloorPerFirmM2 : kFactoryFloorPerFirmM2);
      site_.facilities.push_back(std::move(facility));
    }

    // Firms: one a building, the rest by tenant capacity; employees: one a firm, the rest by floor area.
    const auto extra = largest_remainder(extra_firms, tenant_weight);
    std::vector<long> firms(n, 0);
    for (std::size_t i = 0; i < n; ++i) firms[i] = 1 + extra[i];
    const long base = plan.employees >= plan.firms ? 1 : 0;
    const auto staff = largest_remainder(plan.employees - base * plan.firms, floor_m2);

    // Sectors: counts by largest remainder on the mix, then a seeded shuffle over the buildings.
    std::vector<std::string> codes;
    std::vector<double> shares;
    for (const auto& [code, share] : cf.sector_mix) {
      codes.push_back(code);
      shares.push_back(share);
    }
    const auto counts = largest_remainder(static_cast<long>(n), shares);
    std::vector<std::size_t> sector_of;
    for (std::size_t s = 0; s < counts.size(); ++s)
      sector_of.insert(sector_of.end(), static_cast<std::size_t>(counts[s]), s);
    Rng sector_rng = stream(seed_, c, kStreamSectors);
    shuffle(sector_of, sector_rng);
    Rng shift_rng = stream(seed_, c, kStreamShifts);
    for (std::size_t i = 0; i < n; ++i) {
      Facility& facility = site_.facilities[first + i];
      facility.firms = static_cast<int>(firms[i]);
      facility.employees = static_cast<int>(base * firms[i] + staff[i]);
      facility.ksic = codes[sector_of[i]];
      const std::vector<double>& mix = facts_.shift_mix.at(facility.ksic);
      const double u = shift_rng.uniform();
      facility.shift = u < mix[0] ? Shift::kDay : (u < mix[0] + mix[1] ? Shift::kTwo : Shift::kContinuous);
      const auto fuel = facts_.sector_fuel.find(facility.ksic);
      facility.fuel = fuel == facts_.sector_fuel.end() ? Fuel::kNone : fuel->second;
    }
  }

  void add_external(const XY& from, const XY& to) {
    const double length = distance_m(from, to);
    const int pieces = std::max(1, static_cast<int>(std::ceil(length / kExternalPieceM)));
    XY previous = from;
    for (int k = 1; k <= pieces; ++k) {
      const double t = static_cast<double>(k) / pieces;
      const XY next =
          k == pieces ? to : XY{from.x_m + t * (to.x_m - from.x_m), from.y_m + t * (to.y_m - from.y_m)};
      Road road;
      road.road_id = numbered("ext_r", ++external_roads_, 4);
      road.lanes = kExternalSpec.lanes;
      road.speed_kmh = kExternalSpec.speed_kmh;
      road.capacity_veh_h = kExternalSpec.lanes * kExternalSpec.lane_capacity_veh_h;
      road.oneway = false;
      road.road_class = RoadClass::kExternal;
      road.geometry = {previous, next};
      site_.roads.push_back(std::move(road));
      previous = next;
    }
  }

  void build_external_roads() {
    // Complexes (adjoining pairs count as one) joined by a minimum spanning tree over centre distances
    // (Kruskal), each edge a road between the nearest perimeter nodes of the two.
    const std::size_t n = groups_.size();
    std::vector<std::tuple<double, std::size_t, std::size_t>> pairs;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = i + 1; j < n; ++j)
        pairs.emplace_back(distance_m(groups_[i].centre, groups_[j].centre), i, j);
    }
    std::sort(pairs.begin(), pairs.end());
    std::vector<std::size_t> parent(n);
    for (std::size_t i = 0; i < n; ++i) parent[i] = i;
    const std::function<std::size_t(std::size_t)> root = [&](std::size_t i) {
      return parent[i] == i ? i : parent[i] = root(parent[i]);
    };
    const auto perimeter_of = [&](std::size_t g) {
      std::vector<int> nodes;
      for (const int c : groups_[g].members) {
        const auto& p = nets_[static_cast<std::size_t>(c)].perimeter;
        nodes.insert(nodes.end(), p.begin(), p.end());
      }
      return nodes;
    };
    for (const auto& [d, i, j] : pairs) {
      if (root(i) == root(j)) continue;
      parent[root(i)] = root(j);
      const auto from = perimeter_of(i);
      const auto to = perimeter_of(j);
      double best = std::numeric_limits<double>::max();
      std::pair<int, int> ends{-1, -1};
      for (const int a : from) {
        for (const int b : to) {
          const double dist = distance_m(nodes_[static_cast<std::size_t>(a)].world,
                                         nodes_[static_cast<std::size_t>(b)].world);
          if (dist < best) {
            best = dist;
            ends = {a, b};
          }
        }
      }
      if (ends.first >= 0)
        add_external(nodes_[static_cast<std::size_t>(ends.first)].world,
                     nodes_[static_cast<std::size_t>(ends.second)].world);
    }

    // Gates: an external road from the gate to the nearest perimeter node; a gate that falls inside a
    // complex (a station on its streets) is placed on the complex's nearest street node instead.
    std::vector<int> perimeter;
    for (const Net& net : nets_)
      perimeter.insert(perimeter.end(), net.perimeter.begin(), net.perimeter.end());
    std::sort(perimeter.begin(), perimeter.end());
    for (const GateFacts& gf : facts_.gates) {
      Gate gate;
      gate.gate_id = gf.gate_id;
      gate.name = gf.name;
      gate.kind = gf.kind;
      gate.share = gf.share;
      const XY position = spread_(lonlat_to_working(gf.position));
      gate.extra = {{"position_confidence", gf.position_confidence},
                    {"share_confidence", gf.share_confidence}};
      int inside = -1;
      for (std::size_t c = 0; c < plans_.size() && inside < 0; ++c) {
        const auto [a, b] = groups_[static_cast<std::size_t>(plans_[c].group)].frame.to_local(position);
        if (plans_[c].rect.holds(a, b)) inside = static_cast<int>(c);
      }
      if (inside >= 0) {
        const Net& net = nets_[static_cast<std::size_t>(inside)];
        const PointGrid grid(net.world, 100.0);
        gate.position = net.world[static_cast<std::size_t>(grid.nearest(position))];
        gate.extra.emplace_back("moved_to_street_m", fixed1(distance_m(position, gate.position)));
      } else {
        int best = -1;
        double best_d = std::numeric_limits<double>::max();
        for (const int node : perimeter) {
          const double d = distance_m(position, nodes_[static_cast<std::size_t>(node)].world);
          if (d < best_d) {
            best_d = d;
            best = node;
          }
        }
        gate.position = position;
        if (best >= 0) add_external(position, nodes_[static_cast<std::size_t>(best)].world);
      }
      site_.gates.push_back(std::move(gate));
    }
  }

  [[nodiscard]] double peak_kw(const Facility& facility) const {
    const auto it = facts_.sector_elec_kwh_per_m2.find(facility.ksic);
    const double intensity = it == facts_.sector_elec_kwh_per_m2.end() ? 0.0 : it->second;
    return facility.floor_area_m2 * intensity / (kHoursPerYear * kLoadFactor);
  }

  void build_feeders() {
    // Facilities in complex order, so each complex's are one contiguous range.
    std::size_t next = 0;
    for (std::size_t c = 0; c < plans_.size(); ++c) {
      std::size_t end = next;
      while (end < site_.facilities.size() && site_.facilities[end].complex == static_cast<int>(c)) ++end;
      build_complex_feeders(static_cast<int>(c), next, end);
      next = end;
    }
  }

  void build_complex_feeders(int c, std::size_t first, std::size_t last) {
    const Net& net = nets_[static_cast<std::size_t>(c)];
    const ComplexPlan& plan = plans_[static_cast<std::size_t>(c)];
    const ComplexFacts& cf = facts_.complexes[static_cast<std::size_t>(c)];
    const Frame& frame = groups_[static_cast<std::size_t>(plan.group)].frame;
    const std::size_t n = net.nodes.size();
    const PointGrid grid(net.world, 100.0);

    std::vector<int> attach(last - first);
    double total_kw = 0.0;
    for (std::size_t f = first; f < last; ++f) {
      attach[f - first] = grid.nearest(centroid(site_.facilities[f].footprint));
      total_kw += peak_kw(site_.facilities[f]);
    }

    // Substations: one, at the street node inside the complex nearest the middle of an outer long side
    // (inside, so that no one has to guess which complex a substation on the boundary belongs to); a
    // complex whose peak exceeds one substation's firm capacity (only at large scales) gets a lattice.
    const double firm_mva = kMaxTransformers * kTransformerMva * kTransformerUtilisation;
    const int wanted = std::max(1, static_cast<int>(std::ceil(total_kw / 1000.0 / kPowerFactor / firm_mva)));
    std::vector<int> roots;  // local node indices
    Rng rng = stream(seed_, c, kStreamSubstation);
    const std::function<bool(int)> interior = [&](int i) {
      const Node& node = nodes_[static_cast<std::size_t>(net.nodes[static_cast<std::size_t>(i)])];
      return node.a > plan.rect.lo[0] && node.a < plan.rect.hi[0] && node.b > plan.rect.lo[1] &&
             node.b < plan.rect.hi[1];
    };
    const auto nearest_inside = [&](const XY& target) {
      const int inside = grid.nearest(target, interior);
      return inside >= 0 ? inside : grid.nearest(target);
    };
    if (wanted == 1) {
      const int across = plan.long_axis == 0 ? 1 : 0;  // the long sides have this coordinate fixed
      std::vector<int> sides;
      for (int s = 0; s < 2; ++s) {
        const double fixed = s == 0 ? plan.rect.lo[across] : plan.rect.hi[across];
        if (!(plan.partner >= 0 && across == 0 && fixed == 0.0)) sides.push_back(s);
      }
      const int side =
          sides[static_cast<std::size_t>(rng.uniform_int(0, static_cast<int>(sides.size()) - 1))];
      double mid[2];
      mid[across] = side == 0 ? plan.rect.lo[across] : plan.rect.hi[across];
      mid[1 - across] = (plan.rect.lo[1 - across] + plan.rect.hi[1 - across]) / 2.0;
      roots.push_back(nearest_inside(frame.to_world(mid[0], mid[1])));
    } else {
      const double w = plan.rect.size(0);
      const double h = plan.rect.size(1);
      const int ka = std::max(1, static_cast<int>(std::lround(std::sqrt(wanted * w / h))));
      const int kb = static_cast<int>(std::ceil(static_cast<double>(wanted) / ka));
      for (int j = 0; j < kb; ++j) {
        for (int i = 0; i < ka; ++i) {
          const XY target =
              frame.to_world(plan.rect.lo[0] + (i + 0.5) * w / ka, plan.rect.lo[1] + (j + 0.5) * h / kb);
          const int node = nearest_inside(target);
          if (std::find(roots.begin(), roots.end(), node) == roots.end()) roots.push_back(node);
        }
      }
    }
    std::vector<bool> is_root(n, false);
    for (const int r : roots) is_root[static_cast<std::size_t>(r)] = true;
    // A facility whose nearest node is a substation's hangs on the nearest neighbouring street node.
    for (std::size_t f = first; f < last; ++f) {
      int& node = attach[f - first];
      if (!is_root[static_cast<std::size_t>(node)]) continue;
      const XY p = centroid(site_.facilities[f].footprint);
      int best = -1;
      double best_d = std::numeric_limits<double>::max();
      for (const auto& [other, edge] : net.adj[static_cast<std::size_t>(node)]) {
        const double d = distance_m(p, net.world[static_cast<std::size_t>(other)]);
        if (!is_root[static_cast<std::size_t>(other)] && (d < best_d || (d == best_d && other < best))) {
          best_d = d;
          best = other;
        }
      }
      node = best;
    }

    // Shortest-path forest from the substations over the streets (Dijkstra; ties by node index).
    std::vector<double> dist(n, std::numeric_limits<double>::infinity());
    std::vector<int> parent(n, -1);
    std::vector<int> settled;
    settled.reserve(n);
    using Item = std::pair<double, int>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
    for (std::size_t r = 0; r < roots.size(); ++r) {
      dist[static_cast<std::size_t>(roots[r])] = 0.0;
      queue.emplace(0.0, roots[r]);
    }
    std::vector<bool> done(n, false);
    while (!queue.empty()) {
      const auto [d, u] = queue.top();
      queue.pop();
      if (done[static_cast<std::size_t>(u)]) continue;
      done[static_cast<std::size_t>(u)] = true;
      settled.push_back(u);
      for (const auto& [v, e] : net.adj[static_cast<std::size_t>(u)]) {
        const double nd = d + edges_[static_cast<std::size_t>(e)].length_m;
        if (nd < dist[static_cast<std::size_t>(v)]) {
          dist[static_cast<std::size_t>(v)] = nd;
          parent[static_cast<std::size_t>(v)] = u;
          queue.emplace(nd, v);
        }
      }
    }

    std::vector<double> load(n, 0.0);
    for (std::size_t f = first; f < last; ++f)
      load[static_cast<std::size_t>(attach[f - first])] += peak_kw(site_.facilities[f]);
    std::vector<double> subtree = load;
    for (auto it = settled.rbegin(); it != settled.rend(); ++it) {
      const int p = parent[static_cast<std::size_t>(*it)];
      if (p >= 0) subtree[static_cast<std::size_t>(p)] += subtree[static_cast<std::size_t>(*it)];
    }
    // Children with load, in a clockwise sweep relative to the incoming direction, so that consecutive
    // runs of the depth-first order are angular sectors of the network.
    std::vector<std::vector<int>> children(n);
    for (const int v : settled) {
      const int p = parent[static_cast<std::size_t>(v)];
      if (p >= 0 && subtree[static_cast<std::size_t>(v)] > 0.0)
        children[static_cast<std::size_t>(p)].push_back(v);
    }
    const auto heading = [&](int from, int to) {
      const XY& a = net.world[static_cast<std::size_t>(from)];
      const XY& b = net.world[static_cast<std::size_t>(to)];
      return std::atan2(b.y_m - a.y_m, b.x_m - a.x_m);
    };
    for (std::size_t u = 0; u < n; ++u) {
      auto& kids = children[u];
      const int p = parent[u];
      const double in = p >= 0 ? heading(p, static_cast<int>(u)) : 0.0;
      std::vector<std::pair<double, int>> keyed;
      for (const int v : kids) {
        double turn = heading(static_cast<int>(u), v) - in;
        while (turn <= -std::numbers::pi) turn += 2.0 * std::numbers::pi;
        while (turn > std::numbers::pi) turn -= 2.0 * std::numbers::pi;
        keyed.emplace_back(turn, v);
      }
      std::sort(keyed.begin(), keyed.end());
      for (std::size_t k = 0; k < kids.size(); ++k) kids[k] = keyed[k].second;
    }

    std::vector<std::string> bus_of(n);  // the bus of a load node on its own feeder
    std::vector<int> feeder_of(n, -1);
    std::vector<int> order_index(n, -1);
    std::vector<int> stamp(n, -1);
    std::vector<double> downstream(n, 0.0);
    int stamp_counter = 0;
    for (std::size_t r = 0; r < roots.size(); ++r) {
      const int root = roots[r];
      Substation substation;
      substation.substation_id =
          "ss_" + cf.complex_id + (r == 0 ? "" : numbered("_", static_cast<long>(r + 1), 2));
      substation.voltage_kv = 154.0;
      substation.position = net.world[static_cast<std::size_t>(root)];
      const double region_kw = subtree[static_cast<std::size_t>(root)];
      const int transformers =
          std::max(2, static_cast<int>(std::ceil(region_kw / 1000.0 / kPowerFactor /
                                                 (kTransformerMva * kTransformerUtilisation))));
      substation.capacity_mva = transformers * kTransformerMva;
      substation.extra = {{"transformers", std::to_string(transformers) + " x 60 MVA"},
                          {"estimated_peak_mw", fixed1(region_kw / 1000.0)},
                          {"layout", "synthetic"}};
      const int substation_index = static_cast<int>(site_.substations.size());
      const std::string substation_id = substation.substation_id;
      site_.substations.push_back(std::move(substation));

      // Depth-first order of the loaded tree.
      std::vector<int> order;
      std::vector<int> todo{root};
      while (!todo.empty()) {
        const int u = todo.back();
        todo.pop_back();
        if (u != root) {
          order_index[static_cast<std::size_t>(u)] = static_cast<int>(order.size());
          order.push_back(u);
        }
        const auto& kids = children[static_cast<std::size_t>(u)];
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) todo.push_back(*it);
      }
      // Each street leaving the substation carries its own feeders (a feeder has one exit from the
      // bus): consecutive runs of its depth-first order with about equal load near kFeederTargetKw,
      // cut early where a run would pass kFeederMaxKw.
      int k = 0;
      for (std::size_t begin = 0; begin < order.size();) {
        const int head = order[begin];
        const double head_kw = subtree[static_cast<std::size_t>(head)];
        const int parts = std::max(1, static_cast<int>(std::ceil(head_kw / kFeederTargetKw)));
        const double target = head_kw / parts;
        double cumulative = 0.0;
        int run = 0;         // current run within this street
        int extra_runs = 0;  // runs added by early cuts
        double run_kw = 0.0;
        std::size_t end = begin;
        for (; end < order.size() && (end == begin || parent[static_cast<std::size_t>(order[end])] != root);
             ++end) {
          const int u = order[end];
          const double l = load[static_cast<std::size_t>(u)];
          if (l <= 0.0) continue;
          const int balanced =
              std::min(parts - 1, static_cast<int>((cumulative + l / 2.0) / target)) + extra_runs;
          if (balanced > run) {
            run = balanced;
            run_kw = 0.0;
          }
          if (run_kw > 0.0 && run_kw + l > kFeederMaxKw) {
            ++run;
            ++extra_runs;
            run_kw = 0.0;
          }
          feeder_of[static_cast<std::size_t>(u)] = k + run;
          run_kw += l;
          cumulative += l;
        }
        k += run + 1;
        begin = end;
      }
      for (int f = 0; f < k; ++f) {
        std::vector<int> included;
        ++stamp_counter;
        double feeder_kw = 0.0;
        for (const int u : order) {
          if (feeder_of[static_cast<std::size_t>(u)] != f) continue;
          feeder_kw += load[static_cast<std::size_t>(u)];
          for (int x = u; x != root && stamp[static_cast<std::size_t>(x)] != stamp_counter;
               x = parent[static_cast<std::size_t>(x)]) {
            stamp[static_cast<std::size_t>(x)] = stamp_counter;
            included.push_back(x);
          }
        }
        if (included.empty()) continue;
        std::sort(included.begin(), included.end(), [&](int x, int y) {
          return order_index[static_cast<std::size_t>(x)] < order_index[static_cast<std::size_t>(y)];
        });
        for (const int u : included) {
          downstream[static_cast<std::size_t>(u)] =
              feeder_of[static_cast<std::size_t>(u)] == f ? load[static_cast<std::size_t>(u)] : 0.0;
        }
        for (auto it = included.rbegin(); it != included.rend(); ++it) {
          const int p = parent[static_cast<std::size_t>(*it)];
          if (p != root) downstream[static_cast<std::size_t>(p)] += downstream[static_cast<std::size_t>(*it)];
        }
        const std::string feeder_id = numbered(cf.complex_id + "_fd", ++feeder_counter_[c], 2);
        std::map<int, std::string> bus;
        bus[root] = substation_id;
        long segment = 0;
        for (const int u : included) {
          const std::string bus_id = numbered(feeder_id + "_b", static_cast<long>(bus.size()), 4);
          bus[u] = bus_id;
          FeederSegment seg;
          seg.segment_id = numbered(feeder_id + "_s", ++segment, 4);
          seg.feeder_id = feeder_id;
          seg.substation = substation_index;
          seg.from_bus = bus.at(parent[static_cast<std::size_t>(u)]);
          seg.to_bus = bus[u];
          seg.line_type = downstream[static_cast<std::size_t>(u)] >= kTrunkShare * feeder_kw
                              ? facts_.trunk_line_type
                              : facts_.branch_line_type;
          seg.geometry = {net.world[static_cast<std::size_t>(parent[static_cast<std::size_t>(u)])],
                          net.world[static_cast<std::size_t>(u)]};
          seg.length_m = length_m(seg.geometry);
          site_.feeders.push_back(std::move(seg));
          if (feeder_of[static_cast<std::size_t>(u)] == f) bus_of[static_cast<std::size_t>(u)] = bus[u];
        }
      }
    }
    for (std::size_t f = first; f < last; ++f)
      site_.facilities[f].feeder_bus = bus_of[static_cast<std::size_t>(attach[f - first])];
  }

  const SiteFacts& facts_;
  std::uint64_t seed_ = 1;
  double scale_ = 1.0;
  long total_firms_ = 0;
  std::function<XY(const XY&)> spread_;
  std::vector<ComplexPlan> plans_;
  std::vector<Group> groups_;
  std::vector<Line> lines_;
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  std::vector<Block> blocks_;
  std::vector<Net> nets_;
  std::map<std::string, long> road_counters_;
  std::map<int, long> feeder_counter_;
  long external_roads_ = 0;
  Site site_;
};

}  // namespace

Site synthesize_site(const SiteFacts& facts, const SynthOptions& options) {
  if (facts.complexes.empty()) throw Error(ErrorCode::kBadInput, "the facts name no complex to synthesise");
  return Synthesizer(facts, options).run();
}

}  // namespace sandan
