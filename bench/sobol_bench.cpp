// Sensitivity-analysis benchmark: for the Ishigami function (a = 7, b = 0.1) at base sizes n = 2¹² … 2¹⁶,
// the time to build a Saltelli design (n(k + 2) rows, k = 3), to run the function on it and to estimate
// first-order and total Sobol' indices with 200 bootstrap resamples; then a 200 × 10 Latin hypercube.
// Each figure is the best of REPEATS runs (default 5). Prints the estimates and their distance from
// the analytic indices (Ishigami & Homma 1990; Sobol' & Levitan 1999).
//
// Usage: bench_sobol [REPEATS]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <vector>

#include "uncertainty/design.hpp"
#include "uncertainty/distribution.hpp"
#include "uncertainty/sobol.hpp"

namespace {

constexpr std::size_t kInputs = 3;
constexpr std::size_t kResamples = 200;
// Analytic first-order and total indices of Ishigami for a = 7, b = 0.1 (see tests/unit/uncertainty).
constexpr double kFirst[kInputs] = {0.31390519114781146, 0.4424111447900409, 0.0};
constexpr double kTotal[kInputs] = {0.5575888552099592, 0.4424111447900409, 0.24368366406214773};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<double> ishigami(const sandan::SaltelliDesign& design) {
  sandan::Distribution x;
  x.min = -std::numbers::pi;
  x.max = std::numbers::pi;
  std::vector<double> y(design.rows());
  for (std::size_t r = 0; r < y.size(); ++r) {
    const auto p = design.row(r);
    const double x1 = sandan::quantile(x, p[0]);
    const double x2 = sandan::quantile(x, p[1]);
    const double x3 = sandan::quantile(x, p[2]);
    y[r] = std::sin(x1) + 7.0 * std::sin(x2) * std::sin(x2) + 0.1 * std::pow(x3, 4) * std::sin(x1);
  }
  return y;
}

// Best-of-repeats seconds of each stage at one base size; prints one table row.
void bench_size(std::size_t n, int repeats) {
  double design_s = 1e300;
  double model_s = 1e300;
  double indices_s = 1e300;
  sandan::SobolIndices s;
  for (int rep = 0; rep < repeats; ++rep) {
    auto t = std::chrono::steady_clock::now();
    const sandan::SaltelliDesign design = sandan::saltelli_design(n, kInputs, 2024);
    design_s = std::min(design_s, seconds_since(t));
    t = std::chrono::steady_clock::now();
    const std::vector<double> y = ishigami(design);
    model_s = std::min(model_s, seconds_since(t));
    t = std::chrono::steady_clock::now();
    s = sandan::sobol_indices(design, y, kResamples, 1);
    indices_s = std::min(indices_s, seconds_since(t));
  }
  double worst = 0.0;
  double widest = 0.0;
  for (std::size_t i = 0; i < kInputs; ++i) {
    worst = std::max({worst, std::fabs(s.first[i] - kFirst[i]), std::fabs(s.total[i] - kTotal[i])});
    widest = std::max({widest, s.first_ci[i], s.total_ci[i]});
  }
  std::printf("%7zu %8zu %10.4f %10.4f %10.4f %10.4f %10.4f\n", n, n * (kInputs + 2), design_s, model_s,
              indices_s, worst, widest);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  if (repeats <= 0) {
    std::fprintf(stderr, "usage: bench_sobol [REPEATS]  (REPEATS > 0)\n");
    return 2;
  }
  std::printf("Ishigami, k = 3, %zu bootstrap resamples, best of %d; seconds\n", kResamples, repeats);
  std::printf("%7s %8s %10s %10s %10s %10s %10s\n", "n", "runs", "design", "model", "indices", "max|err|",
              "max CI");
  for (std::size_t e = 12; e <= 16; ++e) bench_size(std::size_t{1} << e, repeats);

  double lhs_s = 1e300;
  double checksum = 0.0;
  for (int rep = 0; rep < repeats; ++rep) {
    const auto t = std::chrono::steady_clock::now();
    const std::vector<double> points = sandan::latin_hypercube(200, 10, 7 + static_cast<unsigned>(rep));
    lhs_s = std::min(lhs_s, seconds_since(t));
    checksum += points.front();
  }
  std::printf("latin hypercube 200 x 10: %.1f us (checksum %.3f)\n", lhs_s * 1e6, checksum);
  return 0;
}
