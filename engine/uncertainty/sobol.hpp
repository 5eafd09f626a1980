// uncertainty/sobol: variance-based sensitivity. First-order and total Sobol' indices (Sobol' 1993,
// Math. Modeling Comput. Experiment 1(4), 407–414) estimated from a Saltelli design: two independent
// base samples A and B and, for each input i, the matrix AB_i (A with column i taken from B), at a cost
// of n(k + 2) model runs (Saltelli et al. 2010, Comput. Phys. Commun. 181, 259–270).
//
// Usage: build the design, map each coordinate through quantile() of its input, run the model on every
// row in order, and hand the outputs back in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sandan {

// The base sample the n × 2k matrix [A | B] is drawn as. Saltelli et al. 2010 use quasi-random Sobol'
// points; the estimators only need the rows of A and B independent, which both of these give.
enum class BaseDesign { kRandom, kLatinHypercube };

struct SaltelliDesign {
  std::size_t n = 0;  // base sample size: rows of A, of B and of each AB_i
  std::size_t k = 0;  // inputs
  // Row-major on (0, 1)^k, n(k + 2) rows: A (rows 0 … n−1), B (n … 2n−1), then AB_1 … AB_k, AB_i at
  // rows (i + 1)n … (i + 2)n − 1 (i from 1). Row j of AB_i is row j of A with coordinate i from row j of B.
  std::vector<double> points;

  [[nodiscard]] std::size_t rows() const { return n * (k + 2); }
  [[nodiscard]] std::span<const double> row(std::size_t r) const { return {points.data() + r * k, k}; }
};

// The design from a seeded n × 2k base sample (design.hpp): its first k columns are A, the last k B.
[[nodiscard]] SaltelliDesign saltelli_design(std::size_t n, std::size_t k, std::uint64_t seed,
                                             BaseDesign base = BaseDesign::kRandom);

struct SobolIndices {
  std::vector<double> first;     // S_i, first-order: the share of V that input i explains alone
  std::vector<double> total;     // ST_i, total: the share of V input i is involved in, interactions included
  std::vector<double> first_ci;  // half-width of the 95 % bootstrap confidence interval of S_i
  std::vector<double> total_ci;  // ... of ST_i
  double variance = 0.0;         // V, the output variance the indices are shares of
};

// Estimates from the outputs, one per design row in design order (size n(k + 2); throws Error
// kBadInput otherwise):
//   S_i  = mean_j[f(B)_j (f(AB_i)_j − f(A)_j)] / V          (Saltelli et al. 2010, table 2 (b))
//   ST_i = mean_j[(f(A)_j − f(AB_i)_j)²] / 2 / V             (Jansen 1999, Comput. Phys. Commun.
//                                                              117, 35–43; Saltelli et al. 2010, (f))
// with V the variance of the 2n outputs of A and B pooled. The outputs are first centred on their mean
// over A and B, which leaves both estimators unbiased and keeps S_i from losing digits when the mean is
// large beside the spread (Sobol' 2001, Math. Comput. Simul. 55, 271–280).
// Confidence: `resamples` bootstrap resamples of the n rows (the same rows of A, B and every AB_i),
// seeded; half-width = 1.96 × their standard deviation (Archer, Saltelli & Sobol' 1997, J. Stat.
// Comput. Simul. 58, 99–120). NaN with fewer than 2 resamples. A constant model (V = 0) gives NaN
// indices: there is no variance to share out. Estimates may fall slightly outside [0, 1] by sampling
// error; they are not clipped, so that the error stays visible.
[[nodiscard]] SobolIndices sobol_indices(const SaltelliDesign& design, std::span<const double> outputs,
                                         std::size_t resamples = 200, std::uint64_t seed = 0);

}  // namespace sandan
