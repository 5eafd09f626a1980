// uncertainty/distribution: the probability distributions of uncertain inputs, their checks and their
// inverse CDFs. Designs (design.hpp, sobol.hpp, morris.hpp) live on the unit hypercube; quantile() maps
// each coordinate u of a design point to the input's value, so one design serves every distribution.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sandan {

enum class DistributionKind { kUniform, kNormal, kTriangular, kLognormal, kDiscrete };

// One uncertain input. Only the fields of its kind are read; the others keep their defaults.
struct Distribution {
  DistributionKind kind = DistributionKind::kUniform;
  // kUniform and kTriangular: the support [min, max]; kTriangular: its mode, min ≤ mode ≤ max.
  double min = 0.0;
  double max = 1.0;
  double mode = 0.5;
  // kNormal: X ~ N(mean, sd²).
  double mean = 0.0;
  double sd = 1.0;
  // kLognormal: ln X ~ N(mu, sigma²); mu and sigma are of ln X, not of X.
  double mu = 0.0;
  double sigma = 1.0;
  // kNormal and kLognormal only: optional truncation to [lower, upper], in units of X (not ln X).
  std::optional<double> lower;
  std::optional<double> upper;
  // kDiscrete: values in increasing order, each with its probability; the probabilities sum to 1.
  std::vector<double> values;
  std::vector<double> probabilities;
};

// Every impossible parameter of d, one plain sentence each; empty when d can be sampled. Checks the
// fields of d's kind: non-finite numbers, sd or sigma ≤ 0, min > max, a mode outside [min, max],
// truncation bounds on a kind that has none, lower ≥ upper or bounds holding no probability mass that
// a double can represent, and for kDiscrete an empty list, lists of different lengths, values not in
// increasing order, a probability outside [0, 1] or probabilities not summing to 1 within 1e-9.
[[nodiscard]] std::vector<std::string> distribution_problems(const Distribution& d);

// The inverse CDF, F⁻¹(u) = inf{x : F(x) ≥ u}, for u in (0, 1); u = 0 and u = 1 give the ends of the
// support (±∞ for an unbounded normal, 0 and +∞ for a lognormal) and a NaN u gives NaN. Monotone in u,
// so stratified designs stay stratified and Morris steps keep their direction after the mapping.
// It does not check d again (it is called once per sample): for a d with problems the result is
// unspecified, NaN or out of bounds, but never undefined behaviour.
//   normal: mean + sd·Φ⁻¹(u), Φ⁻¹ by Wichura's AS241 (see standard_normal_quantile).
//   truncated normal and lognormal: u is mapped into [F(lower), F(upper)] first, counting from the
//     nearer tail so that bounds far out in a tail keep their digits.
//   lognormal: exp(mu + sigma·Φ⁻¹(u)).
//   triangular: the closed-form inverse of the piecewise-quadratic CDF.
//   discrete: the first value whose cumulative probability reaches u (probabilities rescaled to sum
//     to exactly 1, so rounding in the list never leaves u unmatched).
[[nodiscard]] double quantile(const Distribution& d, double u);

// E[X], of the truncated distribution when bounds are given; NaN when d has problems.
[[nodiscard]] double mean_of(const Distribution& d);

// Standard normal CDF Φ(z) = erfc(−z/√2)/2, accurate in both tails (erfc of a positive argument does
// not cancel).
[[nodiscard]] double standard_normal_cdf(double z);

// Φ⁻¹(p) by Wichura (1988), "Algorithm AS 241: the percentage points of the normal distribution",
// Applied Statistics 37(3), 477–484 (PPND16: about 16 correct digits, down to p = 1e-300).
// p ≤ 0 gives −∞, p ≥ 1 gives +∞, NaN gives NaN.
[[nodiscard]] double standard_normal_quantile(double p);

}  // namespace sandan
