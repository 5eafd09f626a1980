// uncertainty/morris: elementary-effects screening (Morris 1991, Technometrics 33(2), 161–174), for
// finding the few inputs that matter among many at r(k + 1) model runs, before a Sobol' analysis.
//
// The design is on the grid {0, 1/(p−1), …, 1}^k of [0, 1]^k, and callers map each coordinate through
// quantile() of its input. The grid includes 0 and 1, where the quantile of an unbounded input
// (an untruncated normal or lognormal) is infinite: give such inputs truncation bounds for screening.
// Effects are per unit of the [0, 1] coordinate, so they compare inputs by the change each makes over
// its whole range of probability, whatever its physical unit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sandan {

struct MorrisDesign {
  std::size_t trajectories = 0;  // r
  std::size_t k = 0;             // inputs
  int levels = 0;                // p, even
  double delta = 0.0;            // Δ = p / (2(p − 1)), the step on [0, 1]
  // Row-major, r(k + 1) rows of k: trajectory t is rows t(k + 1) … t(k + 1) + k, each row one step of
  // ±Δ in one input from the row before.
  std::vector<double> points;
  // r·k: moved[t·k + s] is the input that step s of trajectory t moves (rows t(k+1)+s → t(k+1)+s+1).
  std::vector<std::size_t> moved;

  [[nodiscard]] std::size_t rows() const { return trajectories * (k + 1); }
  [[nodiscard]] std::span<const double> row(std::size_t r) const { return {points.data() + r * k, k}; }
};

// r seeded random trajectories by Morris' orientation matrix B* (Morris 1991): a random base point
// x* with every coordinate in {0, 1/(p−1), …, 1 − Δ}, random directions and a random order of the
// inputs, each moved once by Δ; every point stays on the grid. levels p must be even and ≥ 2 (Morris'
// choice, which makes every grid level equally likely); throws Error kBadInput otherwise.
[[nodiscard]] MorrisDesign morris_design(std::size_t trajectories, std::size_t k, int levels,
                                         std::uint64_t seed);

struct MorrisEffects {
  std::vector<double> mu;       // mean elementary effect (Morris 1991): effects of opposite sign cancel
  std::vector<double> mu_star;  // mean |elementary effect| (Campolongo, Cariboni & Saltelli 2007,
                                // Environ. Model. Softw. 22, 1509–1518): the input's overall influence
  std::vector<double> sigma;    // standard deviation of the effects (r − 1 divisor; NaN for r < 2):
                                // large for inputs in interactions or with non-linear effects
};

// Elementary effects EE_i = (f(x + Δe_i) − f(x)) / Δ, signed by the step's direction, from the outputs
// one per design row in design order (size r(k + 1); throws Error kBadInput otherwise).
[[nodiscard]] MorrisEffects morris_effects(const MorrisDesign& design, std::span<const double> outputs);

}  // namespace sandan
