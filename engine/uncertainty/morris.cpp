// uncertainty/morris: trajectories on the p-level grid and the statistics of their elementary effects.
#include "uncertainty/morris.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "uncertainty/design.hpp"

namespace sandan {
namespace {

constexpr std::uint64_t kMorrisStream = 3;
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

// One trajectory in grid levels 0 … p − 1: the step is p/2 levels (Δ = (p/2)/(p − 1)). An input moving
// up starts at its base level in {0, …, p/2 − 1}, one moving down at base + p/2, so both stay on the grid.
void add_trajectory(MorrisDesign& design, Rng& rng) {
  const auto jump = static_cast<std::size_t>(design.levels / 2);
  const double spacing = 1.0 / static_cast<double>(design.levels - 1);
  std::vector<std::size_t> level(design.k);
  std::vector<bool> up(design.k);
  for (std::size_t i = 0; i < design.k; ++i) {
    up[i] = (rng.next() >> 63U) != 0;
    level[i] = below(rng, jump) + (up[i] ? 0 : jump);
  }
  std::vector<std::size_t> order(design.k);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[below(rng, i)]);

  const auto emit_row = [&] {
    for (const std::size_t l : level) design.points.push_back(static_cast<double>(l) * spacing);
  };
  emit_row();
  for (const std::size_t i : order) {
    level[i] = up[i] ? level[i] + jump : level[i] - jump;
    design.moved.push_back(i);
    emit_row();
  }
}

// Mean, mean absolute value and sample standard deviation of one input's effects.
void summarise(const std::vector<double>& effects, std::size_t i, MorrisEffects& out) {
  const auto r = static_cast<double>(effects.size());
  double sum = 0.0;
  double sum_abs = 0.0;
  for (const double e : effects) {
    sum += e;
    sum_abs += std::fabs(e);
  }
  const double mean = sum / r;
  double squares = 0.0;
  for (const double e : effects) squares += (e - mean) * (e - mean);
  out.mu[i] = mean;
  out.mu_star[i] = sum_abs / r;
  out.sigma[i] = effects.size() >= 2 ? std::sqrt(squares / (r - 1.0)) : kNan;
}

}  // namespace

MorrisDesign morris_design(std::size_t trajectories, std::size_t k, int levels, std::uint64_t seed) {
  if (levels < 2 || levels % 2 != 0) {
    throw Error(ErrorCode::kBadInput,
                "Morris design: levels must be even and at least 2, not " + std::to_string(levels));
  }
  MorrisDesign design{trajectories, k, levels, levels / (2.0 * (levels - 1)), {}, {}};
  design.points.reserve(trajectories * (k + 1) * k);
  design.moved.reserve(trajectories * k);
  Rng rng(seed, kMorrisStream);
  for (std::size_t t = 0; t < trajectories; ++t) add_trajectory(design, rng);
  return design;
}

MorrisEffects morris_effects(const MorrisDesign& design, std::span<const double> outputs) {
  if (outputs.size() != design.rows()) {
    throw Error(ErrorCode::kBadInput, "Morris effects: " + std::to_string(outputs.size()) +
                                          " outputs for a design of " + std::to_string(design.rows()) +
                                          " rows");
  }
  const std::size_t k = design.k;
  // effects[i] holds input i's effect from every trajectory; the step's denominator is the coordinate's
  // change as stored (±Δ up to the rounding of the grid levels), so a linear model gives its slope.
  std::vector<std::vector<double>> effects(k);
  for (std::size_t t = 0; t < design.trajectories; ++t) {
    for (std::size_t s = 0; s < k; ++s) {
      const std::size_t before = t * (k + 1) + s;
      const std::size_t i = design.moved[t * k + s];
      const double step = design.points[(before + 1) * k + i] - design.points[before * k + i];
      effects[i].push_back((outputs[before + 1] - outputs[before]) / step);
    }
  }
  MorrisEffects out{std::vector<double>(k), std::vector<double>(k), std::vector<double>(k)};
  for (std::size_t i = 0; i < k; ++i) summarise(effects[i], i, out);
  return out;
}

}  // namespace sandan
