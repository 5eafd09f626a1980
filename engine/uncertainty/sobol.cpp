// uncertainty/sobol: the Saltelli design and the first-order and total index estimators with their
// bootstrap confidence intervals.
#include "uncertainty/sobol.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "uncertainty/design.hpp"

namespace sandan {
namespace {

constexpr std::uint64_t kBootstrapStream = 4;
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
// Φ⁻¹(0.975): the half-width of a 95 % normal interval in standard deviations.
constexpr double kZ95 = 1.959963984540054;

// The outputs split by block, centred on the mean of f(A) and f(B).
struct Blocks {
  std::size_t n = 0;
  std::size_t k = 0;
  std::vector<double> centred;  // n(k + 2) values in design order

  [[nodiscard]] double a(std::size_t j) const { return centred[j]; }
  [[nodiscard]] double b(std::size_t j) const { return centred[n + j]; }
  [[nodiscard]] double ab(std::size_t i, std::size_t j) const { return centred[(i + 2) * n + j]; }
};

Blocks centred_blocks(const SaltelliDesign& design, std::span<const double> outputs) {
  Blocks blocks{design.n, design.k, std::vector<double>(outputs.begin(), outputs.end())};
  double sum = 0.0;
  for (std::size_t j = 0; j < 2 * design.n; ++j) sum += outputs[j];
  const double centre = sum / static_cast<double>(2 * design.n);
  for (double& y : blocks.centred) y -= centre;
  return blocks;
}

struct Estimate {
  std::vector<double> first;
  std::vector<double> total;
};

// The estimators with row j counted weight_of(j) times (the weights sum to n): once each for the point
// estimate, the number of times a bootstrap resample drew it otherwise. Summing over the rows in order,
// weighted, reads the outputs sequentially however the resample fell.
template <class WeightOf>
Estimate estimate(const Blocks& f, WeightOf weight_of) {
  Estimate e{std::vector<double>(f.k, 0.0), std::vector<double>(f.k, 0.0)};
  double sum = 0.0;
  double sum_squares = 0.0;
  for (std::size_t j = 0; j < f.n; ++j) {
    const double w = weight_of(j);
    const double a = f.a(j);
    const double b = f.b(j);
    sum += w * (a + b);
    sum_squares += w * (a * a + b * b);
    for (std::size_t i = 0; i < f.k; ++i) {
      const double ab = f.ab(i, j);
      e.first[i] += w * b * (ab - a);
      e.total[i] += w * (a - ab) * (a - ab);
    }
  }
  const double pooled = 2.0 * static_cast<double>(f.n);
  const double mean = sum / pooled;
  const double variance = sum_squares / pooled - mean * mean;
  const double scale = variance > 0.0 ? 1.0 / (static_cast<double>(f.n) * variance) : kNan;
  for (std::size_t i = 0; i < f.k; ++i) {
    e.first[i] *= scale;
    e.total[i] *= 0.5 * scale;
  }
  return e;
}

double pooled_variance(const Blocks& f) {
  double sum = 0.0;
  double sum_squares = 0.0;
  for (std::size_t j = 0; j < 2 * f.n; ++j) {
    sum += f.centred[j];
    sum_squares += f.centred[j] * f.centred[j];
  }
  const double pooled = 2.0 * static_cast<double>(f.n);
  return sum_squares / pooled - (sum / pooled) * (sum / pooled);
}

// 1.96 × the sample standard deviation of each index over the resamples (rows of `estimates`, k each).
std::vector<double> half_widths(const std::vector<double>& estimates, std::size_t k, std::size_t resamples) {
  std::vector<double> widths(k, kNan);
  if (resamples < 2) return widths;
  for (std::size_t i = 0; i < k; ++i) {
    double mean = 0.0;
    for (std::size_t r = 0; r < resamples; ++r) mean += estimates[r * k + i];
    mean /= static_cast<double>(resamples);
    double squares = 0.0;
    for (std::size_t r = 0; r < resamples; ++r) {
      const double deviation = estimates[r * k + i] - mean;
      squares += deviation * deviation;
    }
    widths[i] = kZ95 * std::sqrt(squares / static_cast<double>(resamples - 1));
  }
  return widths;
}

// Resamples of the n rows with replacement, each kept as how often it drew each row.
void bootstrap(const Blocks& f, std::size_t resamples, std::uint64_t seed, SobolIndices& indices) {
  Rng rng(seed, kBootstrapStream);
  std::vector<double> first(resamples * f.k);
  std::vector<double> total(resamples * f.k);
  std::vector<std::size_t> draws(f.n);
  for (std::size_t r = 0; r < resamples; ++r) {
    std::fill(draws.begin(), draws.end(), std::size_t{0});
    for (std::size_t m = 0; m < f.n; ++m) ++draws[below(rng, f.n)];
    const Estimate e = estimate(f, [&](std::size_t j) { return static_cast<double>(draws[j]); });
    for (std::size_t i = 0; i < f.k; ++i) {
      first[r * f.k + i] = e.first[i];
      total[r * f.k + i] = e.total[i];
    }
  }
  indices.first_ci = half_widths(first, f.k, resamples);
  indices.total_ci = half_widths(total, f.k, resamples);
}

}  // namespace

SaltelliDesign saltelli_design(std::size_t n, std::size_t k, std::uint64_t seed, BaseDesign base) {
  const std::vector<double> ab =
      base == BaseDesign::kLatinHypercube ? latin_hypercube(n, 2 * k, seed) : random_design(n, 2 * k, seed);
  SaltelliDesign design{n, k, std::vector<double>(n * (k + 2) * k)};
  const auto a_of = [&](std::size_t j, std::size_t c) { return ab[j * 2 * k + c]; };
  const auto b_of = [&](std::size_t j, std::size_t c) { return ab[j * 2 * k + k + c]; };
  for (std::size_t block = 0; block < k + 2; ++block) {
    for (std::size_t j = 0; j < n; ++j) {
      double* row = design.points.data() + (block * n + j) * k;
      for (std::size_t c = 0; c < k; ++c) {
        // Block 0 is A, block 1 is B, block i + 2 is AB_i (column i from B).
        const bool from_b = block == 1 || (block >= 2 && c == block - 2);
        row[c] = from_b ? b_of(j, c) : a_of(j, c);
      }
    }
  }
  return design;
}

SobolIndices sobol_indices(const SaltelliDesign& design, std::span<const double> outputs,
                           std::size_t resamples, std::uint64_t seed) {
  if (outputs.size() != design.rows() || design.n == 0) {
    throw Error(ErrorCode::kBadInput,
                "Sobol' indices: " + std::to_string(outputs.size()) + " outputs for a Saltelli design of " +
                    std::to_string(design.rows()) + " rows (n = " + std::to_string(design.n) +
                    ", k = " + std::to_string(design.k) + ")");
  }
  const Blocks f = centred_blocks(design, outputs);
  const Estimate point = estimate(f, [](std::size_t) { return 1.0; });
  SobolIndices indices{point.first, point.total, {}, {}, pooled_variance(f)};
  bootstrap(f, resamples, seed, indices);
  return indices;
}

}  // namespace sandan
