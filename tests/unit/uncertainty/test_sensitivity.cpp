#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "uncertainty/design.hpp"
#include "uncertainty/distribution.hpp"
#include "uncertainty/morris.hpp"
#include "uncertainty/sobol.hpp"

using namespace sandan;

namespace {

constexpr double kPi = std::numbers::pi;

// Distributions by kind; plain assignments, as designated initialisers would leave GCC warning about
// the fields a kind does not use.
Distribution of_kind(DistributionKind kind) {
  Distribution d;
  d.kind = kind;
  return d;
}
Distribution uniform(double min, double max) {
  Distribution d = of_kind(DistributionKind::kUniform);
  d.min = min;
  d.max = max;
  return d;
}
Distribution triangular(double min, double mode, double max) {
  Distribution d = of_kind(DistributionKind::kTriangular);
  d.min = min;
  d.mode = mode;
  d.max = max;
  return d;
}
Distribution normal(double mean, double sd) {
  Distribution d = of_kind(DistributionKind::kNormal);
  d.mean = mean;
  d.sd = sd;
  return d;
}
Distribution lognormal(double mu, double sigma) {
  Distribution d = of_kind(DistributionKind::kLognormal);
  d.mu = mu;
  d.sigma = sigma;
  return d;
}
Distribution discrete(std::vector<double> values, std::vector<double> probabilities) {
  Distribution d = of_kind(DistributionKind::kDiscrete);
  d.values = std::move(values);
  d.probabilities = std::move(probabilities);
  return d;
}

// Whether one of the problems contains the phrase.
bool mentions(const std::vector<std::string>& problems, const std::string& phrase) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const std::string& p) { return p.find(phrase) != std::string::npos; });
}

// Ishigami & Homma (1990), "An importance quantification technique in uncertainty analysis for computer
// models", Proc. ISUMA '90, 398–403: f = sin x1 + a sin² x2 + b x3⁴ sin x1, x_i uniform on [−π, π].
constexpr double kIshigamiA = 7.0;
constexpr double kIshigamiB = 0.1;

double ishigami(double x1, double x2, double x3) {
  return std::sin(x1) + kIshigamiA * std::sin(x2) * std::sin(x2) +
         kIshigamiB * std::pow(x3, 4) * std::sin(x1);
}

// The Ishigami outputs of a design on (0, 1)³, each coordinate mapped through the quantile of U(−π, π).
std::vector<double> ishigami_outputs(const std::vector<double>& points) {
  const Distribution x = uniform(-kPi, kPi);
  std::vector<double> outputs(points.size() / 3);
  for (std::size_t r = 0; r < outputs.size(); ++r)
    outputs[r] =
        ishigami(quantile(x, points[3 * r]), quantile(x, points[3 * r + 1]), quantile(x, points[3 * r + 2]));
  return outputs;
}

}  // namespace

TEST_CASE("the normal quantile matches published percentage points and inverts erfc to the tails") {
  // Φ⁻¹(0.975) = 1.959963984540054, the standard normal's 97.5 % point (the 95 % two-sided point);
  // checked here against the forward CDF Φ(z) = erfc(−z/√2)/2 (std::erfc, independent of AS 241).
  CHECK(0.5 * std::erfc(-1.959963984540054 / std::sqrt(2.0)) == doctest::Approx(0.975).epsilon(1e-15));
  CHECK(quantile(normal(0.0, 1.0), 0.975) == doctest::Approx(1.959963984540054).epsilon(1e-15));
  CHECK(quantile(normal(0.0, 1.0), 0.5) == 0.0);
  // X = mean + sd·Z: 10 + 2 × 1.959963984540054 = 13.919927969080108.
  CHECK(quantile(normal(10.0, 2.0), 0.975) == doctest::Approx(13.919927969080108).epsilon(1e-15));
  // Symmetry Φ⁻¹(1 − p) = −Φ⁻¹(p), with p and 1 − p exact in binary.
  CHECK(quantile(normal(0.0, 1.0), 0.125) ==
        doctest::Approx(-quantile(normal(0.0, 1.0), 0.875)).epsilon(1e-15));
  // Round trip through the forward CDF Φ(z) = erfc(−z/√2)/2 (std::erfc, an algorithm independent of
  // AS 241), in all three of AS 241's regions, down to p = 1e-300 where AS 241 stays valid.
  for (const double p : {1e-300, 1e-100, 1e-20, 1e-11, 1e-5, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99}) {
    const double z = standard_normal_quantile(p);
    CHECK(0.5 * std::erfc(-z / std::sqrt(2.0)) == doctest::Approx(p).epsilon(1e-13));
  }
  CHECK(std::isinf(standard_normal_quantile(0.0)));
  CHECK(standard_normal_quantile(0.0) < 0.0);
  CHECK(std::isnan(quantile(normal(0.0, 1.0), std::nan(""))));
  CHECK(std::isnan(quantile(normal(0.0, 1.0), 1.5)));
}

TEST_CASE("truncated normal and lognormal quantiles map u into [F(lower), F(upper)]") {
  // N(0, 1) truncated to [0, ∞) is the half-normal: its u-quantile is Φ⁻¹((1 + u)/2), so u = 0.95 gives
  // Φ⁻¹(0.975) = 1.959963984540054.
  Distribution half = normal(0.0, 1.0);
  half.lower = 0.0;
  CHECK(quantile(half, 0.95) == doctest::Approx(1.959963984540054).epsilon(1e-14));
  CHECK(quantile(half, 0.0) == 0.0);
  // Its mean is √(2/π) = 0.7978845608028654 (half-normal mean).
  CHECK(mean_of(half) == doctest::Approx(0.7978845608028654).epsilon(1e-14));

  // Far in the upper tail, where Φ(10) rounds to 1: the median of Z given Z > 10 is the z with
  // Q(z) = Q(10)/2, Q(z) = erfc(z/√2)/2 (Q(10) = 7.6e-24).
  Distribution tail = normal(0.0, 1.0);
  tail.lower = 10.0;
  const double z = quantile(tail, 0.5);
  CHECK(z > 10.0);
  CHECK(std::erfc(z / std::sqrt(2.0)) ==
        doctest::Approx(0.5 * std::erfc(10.0 / std::sqrt(2.0))).epsilon(1e-12));
  tail.upper = 10.5;
  CHECK(quantile(tail, 1.0) == 10.5);
  CHECK(quantile(tail, 0.999) < 10.5);

  // ln X ~ N(1, 0.5²) truncated to X ≥ e¹ (its median) is exp(1 + 0.5·|Z|): u = 0.95 gives
  // exp(1 + 0.5 × 1.959963984540054) = 7.242612560975397.
  Distribution upper_half = lognormal(1.0, 0.5);
  upper_half.lower = std::exp(1.0);
  CHECK(quantile(upper_half, 0.95) == doctest::Approx(7.242612560975397).epsilon(1e-13));
}

TEST_CASE("lognormal, triangular, uniform and discrete quantiles follow their closed forms") {
  // Lognormal: exp(mu + sigma Φ⁻¹(u)); the median is e^mu, u = 0.975 gives exp(1 + 0.5 × 1.959963984540054).
  CHECK(quantile(lognormal(1.0, 0.5), 0.5) == doctest::Approx(std::exp(1.0)).epsilon(1e-15));
  CHECK(quantile(lognormal(1.0, 0.5), 0.975) == doctest::Approx(7.242612560975397).epsilon(1e-14));
  // E[X] = exp(mu + sigma²/2) = exp(1.125).
  CHECK(mean_of(lognormal(1.0, 0.5)) == doctest::Approx(std::exp(1.125)).epsilon(1e-15));

  // Triangular a = 1, c = 2, b = 4: F(c) = (c − a)/(b − a) = 1/3. Below it F(x) = (x − a)²/((b − a)(c − a)),
  // so F(x) = 0.1 at x = 1 + √(0.1 × 3 × 1) = 1.547722557505166; above it 1 − F(x) = (b − x)²/((b − a)(b −
  // c)), so F(x) = 0.5 at x = 4 − √(0.5 × 3 × 2) = 2.267949192431123.
  const Distribution tri = triangular(1.0, 2.0, 4.0);
  CHECK(quantile(tri, 0.1) == doctest::Approx(1.547722557505166).epsilon(1e-15));
  CHECK(quantile(tri, 0.5) == doctest::Approx(2.267949192431123).epsilon(1e-15));
  CHECK(quantile(tri, 1.0 / 3.0) == doctest::Approx(2.0).epsilon(1e-15));
  CHECK(quantile(tri, 0.0) == 1.0);
  CHECK(quantile(tri, 1.0) == 4.0);
  CHECK(mean_of(tri) == doctest::Approx(7.0 / 3.0));  // (a + b + c)/3

  CHECK(quantile(uniform(2.0, 6.0), 0.25) == 3.0);  // 2 + 0.25 × 4
  CHECK(quantile(uniform(2.0, 6.0), 1.0) == 6.0);
  CHECK(mean_of(uniform(2.0, 6.0)) == 4.0);

  // Discrete 10, 20, 30 with 1/4, 1/2, 1/4: F = 0.25, 0.75, 1; F⁻¹(u) is the first value with F ≥ u.
  const Distribution steps = discrete({10.0, 20.0, 30.0}, {0.25, 0.5, 0.25});
  CHECK(quantile(steps, 0.1) == 10.0);
  CHECK(quantile(steps, 0.25) == 10.0);
  CHECK(quantile(steps, 0.2500001) == 20.0);
  CHECK(quantile(steps, 0.75) == 20.0);
  CHECK(quantile(steps, 0.7500001) == 30.0);
  CHECK(quantile(steps, 1.0) == 30.0);
  CHECK(mean_of(steps) == 20.0);  // 10/4 + 20/2 + 30/4
  // A value of probability 0 is never drawn, even at u = 0.
  CHECK(quantile(discrete({1.0, 2.0, 3.0}, {0.0, 0.5, 0.5}), 0.0) == 2.0);
}

TEST_CASE("distribution_problems names every impossible parameter") {
  for (const Distribution& d : {uniform(0.0, 1.0), triangular(0.0, 0.0, 1.0), normal(5.0, 2.0),
                                lognormal(0.0, 1.0), discrete({1.0, 2.0, 3.0}, {0.1, 0.2, 0.7})})
    CHECK(distribution_problems(d).empty());
  // 0.1 + 0.2 + 0.7 is 0.9999999999999999 in doubles; 1 − 5e-10 is also within 1e-9 of 1.
  CHECK(distribution_problems(discrete({1.0, 2.0}, {0.5, 0.5 - 5e-10})).empty());

  CHECK(mentions(distribution_problems(uniform(2.0, 1.0)), "min (2) is greater than max (1)"));
  CHECK(mentions(distribution_problems(uniform(std::nan(""), 1.0)), "min must be a finite number"));
  CHECK(mentions(distribution_problems(uniform(0.0, INFINITY)), "max must be a finite number"));
  CHECK(mentions(distribution_problems(triangular(0.0, 2.0, 1.0)), "mode (2) is outside [min, max]"));
  CHECK(mentions(distribution_problems(triangular(0.0, -1.0, 1.0)), "mode (-1) is outside"));
  CHECK(mentions(distribution_problems(normal(0.0, 0.0)), "sd must be a finite number greater than 0"));
  CHECK(mentions(distribution_problems(normal(0.0, -1.0)), "sd must be"));
  CHECK(mentions(distribution_problems(normal(0.0, std::nan(""))), "sd must be"));
  CHECK(mentions(distribution_problems(normal(INFINITY, 1.0)), "mean must be a finite number"));
  CHECK(mentions(distribution_problems(lognormal(0.0, 0.0)), "sigma must be"));
  CHECK(mentions(distribution_problems(lognormal(std::nan(""), 1.0)), "mu must be"));

  Distribution bounded_uniform = uniform(0.0, 1.0);
  bounded_uniform.lower = 0.5;
  CHECK(mentions(distribution_problems(bounded_uniform), "apply only to normal and lognormal"));
  Distribution crossed = normal(0.0, 1.0);
  crossed.lower = 1.0;
  crossed.upper = 1.0;
  CHECK(mentions(distribution_problems(crossed), "lower (1) must be less than upper (1)"));
  crossed.lower = std::nan("");
  CHECK(mentions(distribution_problems(crossed), "lower must be a finite number"));
  // Q(50) underflows: erfc(50/√2) ≈ 2e-545 is below the smallest double.
  Distribution empty_tail = normal(0.0, 1.0);
  empty_tail.lower = 50.0;
  empty_tail.upper = 60.0;
  CHECK(mentions(distribution_problems(empty_tail), "hold no probability mass"));
  Distribution negative_lognormal = lognormal(0.0, 1.0);
  negative_lognormal.upper = -1.0;
  CHECK(mentions(distribution_problems(negative_lognormal), "a lognormal takes only positive values"));

  CHECK(mentions(distribution_problems(discrete({}, {})), "needs at least one value"));
  CHECK(mentions(distribution_problems(discrete({1.0, 2.0}, {1.0})), "2 values but 1 probabilities"));
  CHECK(mentions(distribution_problems(discrete({1.0, 2.0}, {-0.1, 1.1})),
                 "probability 1 (-0.1) is outside [0, 1]"));
  CHECK(mentions(distribution_problems(discrete({1.0, 2.0}, {-0.1, 1.1})),
                 "probability 2 (1.1) is outside [0, 1]"));
  CHECK(mentions(distribution_problems(discrete({1.0, 2.0}, {0.5, 0.4})), "sum to 0.9, not to 1"));
  CHECK(mentions(distribution_problems(discrete({1.0, 2.0}, {0.5, 0.5 - 2e-9})), "not to 1"));
  CHECK(mentions(distribution_problems(discrete({2.0, 1.0}, {0.5, 0.5})), "value 2 (1) is not greater"));
  CHECK(mentions(distribution_problems(discrete({1.0, 1.0}, {0.5, 0.5})), "increasing order, each once"));
  CHECK(mentions(distribution_problems(discrete({1.0, NAN}, {0.5, 0.5})), "value 2 (nan) is not a finite"));
  CHECK(mentions(distribution_problems(discrete({1.0, 2.0}, {0.5, INFINITY})),
                 "probability 2 (inf) is not a finite"));
  // Every problem is listed, not only the first.
  CHECK(distribution_problems(discrete({2.0, 1.0}, {0.5, 0.4, 0.1})).size() == 2);
  CHECK(std::isnan(mean_of(uniform(2.0, 1.0))));
}

TEST_CASE("Latin hypercube: each column has one point in each of the n strata") {
  const std::size_t n = 200;
  const std::size_t k = 10;
  const std::vector<double> points = latin_hypercube(n, k, 7);
  REQUIRE(points.size() == n * k);
  for (std::size_t j = 0; j < k; ++j) {
    std::vector<double> column(n);
    for (std::size_t i = 0; i < n; ++i) column[i] = points[i * k + j];
    std::sort(column.begin(), column.end());
    // Sorted, the s-th point lies strictly inside stratum s, (s/n, (s + 1)/n).
    for (std::size_t s = 0; s < n; ++s) {
      CHECK(column[s] > static_cast<double>(s) / static_cast<double>(n));
      CHECK(column[s] < static_cast<double>(s + 1) / static_cast<double>(n));
    }
  }
  // Columns are permuted independently: the strata of columns 0 and 1 are not in the same order.
  bool differ = false;
  for (std::size_t i = 0; i < n; ++i)
    differ = differ || std::floor(points[i * k] * n) != std::floor(points[i * k + 1] * n);
  CHECK(differ);
}

TEST_CASE("designs are deterministic: the same seed gives the same bits, another seed other numbers") {
  CHECK(random_design(50, 4, 11) == random_design(50, 4, 11));
  CHECK(random_design(50, 4, 11) != random_design(50, 4, 12));
  CHECK(latin_hypercube(50, 4, 11) == latin_hypercube(50, 4, 11));
  CHECK(latin_hypercube(50, 4, 11) != latin_hypercube(50, 4, 12));
  CHECK(saltelli_design(64, 3, 5, BaseDesign::kLatinHypercube).points ==
        saltelli_design(64, 3, 5, BaseDesign::kLatinHypercube).points);
  CHECK(morris_design(10, 5, 4, 9).points == morris_design(10, 5, 4, 9).points);
  CHECK(morris_design(10, 5, 4, 9).points != morris_design(10, 5, 4, 10).points);
  // The first values for seed 42, computed independently from the published SplitMix64 (Steele, Lea &
  // Flood 2014) and xoshiro256** (Blackman & Vigna 2018) reference algorithms, stream 1, with
  // (m + ½)·2⁻⁵² for the top 52 bits m: a change here changes every recorded design.
  const std::vector<double> expected{0x1.6c37d592d3b65p-1, 0x1.3df002b32222ep-2, 0x1.bf5a8f9578f6bp-1,
                                     0x1.acc9cae509cecp-3};
  CHECK(random_design(2, 2, 42) == expected);
  for (const double u : random_design(1000, 3, 1)) {
    CHECK(u > 0.0);
    CHECK(u < 1.0);
  }
}

TEST_CASE("the Saltelli design holds A, B and each AB_i: A with column i from B") {
  const std::size_t n = 16;
  const std::size_t k = 3;
  const SaltelliDesign design = saltelli_design(n, k, 3);
  REQUIRE(design.points.size() == n * (k + 2) * k);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const auto a = design.row(j);
      const auto b = design.row(n + j);
      const auto ab = design.row((i + 2) * n + j);
      for (std::size_t c = 0; c < k; ++c) CHECK(ab[c] == (c == i ? b[c] : a[c]));
    }
  }
  CHECK_THROWS_AS((void)sobol_indices(design, std::vector<double>(design.rows() - 1), 10), Error);
  // A constant model has no variance to share out.
  const SobolIndices flat = sobol_indices(design, std::vector<double>(design.rows(), 3.0), 10);
  CHECK(std::isnan(flat.first[0]));
}

TEST_CASE("Sobol' indices of the Ishigami function match the analytic values within the bootstrap CI") {
  // Analytic indices for a = 7, b = 0.1 (Ishigami & Homma 1990; Sobol' & Levitan 1999, Comput. Phys.
  // Commun. 117, 52–61): V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2 = 13.8446, V1 = (1 + bπ⁴/5)²/2 = 4.3459,
  // V2 = a²/8 = 6.125, V3 = 0, V13 = b²π⁸(1/18 − 1/50) = 3.3737; S_i = V_i/V, ST1 = (V1 + V13)/V,
  // ST2 = S2, ST3 = V13/V.
  const double first[3] = {0.31390519114781146, 0.4424111447900409, 0.0};
  const double total[3] = {0.5575888552099592, 0.4424111447900409, 0.24368366406214773};
  for (const BaseDesign base : {BaseDesign::kRandom, BaseDesign::kLatinHypercube}) {
    const SaltelliDesign design = saltelli_design(std::size_t{1} << 14U, 3, 2024, base);
    const SobolIndices s = sobol_indices(design, ishigami_outputs(design.points), 200, 1);
    // V = 13.844587940719254 from the formula above; the variance of the 2n = 32768 outputs of A and B
    // has a relative standard error √((κ − 1)/2n) ≈ 0.9 % (Ishigami's kurtosis κ ≈ 3.5, from a Monte
    // Carlo sample of 4·10⁵ points), so 5 % is over 5 standard errors.
    CHECK(s.variance == doctest::Approx(13.844587940719254).epsilon(0.05));
    for (std::size_t i = 0; i < 3; ++i) {
      INFO("input x" << i + 1 << ": S = " << s.first[i] << " ± " << s.first_ci[i] << ", ST = " << s.total[i]
                     << " ± " << s.total_ci[i]);
      // The 95 % half-width is 1.96 bootstrap standard deviations: 3 of them are ≈ 6 standard errors,
      // and 0.01 allows for the bootstrap's own error in the standard deviation.
      CHECK(std::fabs(s.first[i] - first[i]) < 3.0 * s.first_ci[i] + 0.01);
      CHECK(std::fabs(s.total[i] - total[i]) < 3.0 * s.total_ci[i] + 0.01);
      // And the intervals are narrow enough for the check to mean something at n = 2¹⁴.
      CHECK(s.first_ci[i] < 0.05);
      CHECK(s.total_ci[i] < 0.05);
    }
  }
}

TEST_CASE("Morris trajectories step by Δ = p/(2(p − 1)) on the grid, each input once") {
  const int p = 4;
  const MorrisDesign design = morris_design(25, 6, p, 1);
  REQUIRE(design.points.size() == 25 * 7 * 6);
  CHECK(design.delta == doctest::Approx(4.0 / 6.0));  // p/(2(p − 1)) = 4/6
  for (const double x : design.points) {
    const double level = x * (p - 1);
    CHECK(level == doctest::Approx(std::round(level)).epsilon(1e-12));
    CHECK(x >= 0.0);
    CHECK(x <= 1.0);
  }
  for (std::size_t t = 0; t < 25; ++t) {
    std::vector<std::size_t> moved(design.moved.begin() + t * 6, design.moved.begin() + (t + 1) * 6);
    std::sort(moved.begin(), moved.end());
    for (std::size_t i = 0; i < 6; ++i) CHECK(moved[i] == i);
    for (std::size_t s = 0; s < 6; ++s) {
      const auto before = design.row(t * 7 + s);
      const auto after = design.row(t * 7 + s + 1);
      for (std::size_t c = 0; c < 6; ++c) {
        const double change = std::fabs(after[c] - before[c]);
        CHECK(change == doctest::Approx(c == design.moved[t * 6 + s] ? design.delta : 0.0));
      }
    }
  }
  CHECK_THROWS_AS((void)morris_design(5, 3, 3, 1), Error);
  CHECK_THROWS_AS((void)morris_effects(design, std::vector<double>(3)), Error);
}

TEST_CASE("Morris on a linear model: mu = c_i, mu* = |c_i| and sigma = 0") {
  // y = Σ c_i x_i: every elementary effect of x_i is (c_i·Δ)/Δ = c_i, whatever the point (Morris 1991).
  const std::vector<double> c{1.5, -2.0, 0.25, 0.0};
  const MorrisDesign design = morris_design(20, c.size(), 6, 3);
  std::vector<double> outputs(design.rows());
  for (std::size_t r = 0; r < outputs.size(); ++r) {
    for (std::size_t i = 0; i < c.size(); ++i) outputs[r] += c[i] * design.row(r)[i];
  }
  const MorrisEffects e = morris_effects(design, outputs);
  for (std::size_t i = 0; i < c.size(); ++i) {
    CHECK(e.mu[i] == doctest::Approx(c[i]).epsilon(1e-12));
    CHECK(e.mu_star[i] == doctest::Approx(std::fabs(c[i])).epsilon(1e-12));
    CHECK(e.sigma[i] < 1e-12);
  }
}

TEST_CASE("Morris on Ishigami: mu* finds x3, which acts only with x1 and which mu misses") {
  // With p = 4 the levels 0, 1/3, 2/3, 1 map to x = −π, −π/3, π/3, π and Δ = 2/3 (two levels), so a step
  // goes −π ↔ π/3 or −π/3 ↔ π.
  //  x2: a sin² x2 changes by a·(3/4) on every step (sin² ±π = 0, sin² ±π/3 = 3/4): |EE2| = 7·0.75/(2/3)
  //      = 63/8 on every trajectory.
  //  x3: b sin x1 · x3⁴ changes by b|sin x1|·π⁴(1 − 1/81): |EE3| = E = 0.1·(√3/2)·π⁴·(80/81)·(3/2)
  //      = 12.497592206666233 when x1 is at ±π/3 and 0 (sin ±π = 0) when at ±π. x1's level is uniform on
  //      the four levels at any step of a trajectory, so mu*3 = E·K/r with K ~ Binomial(r, 1/2), and
  //      the signed effects ±E (1/4 each) and 0 (1/2) have mean 0 and standard deviation E/√2.
  const std::size_t r = 1000;
  const MorrisDesign design = morris_design(r, 3, 4, 5);
  const MorrisEffects e = morris_effects(design, ishigami_outputs(design.points));
  CHECK(e.mu_star[1] == doctest::Approx(63.0 / 8.0).epsilon(1e-12));
  const double big_e = 12.497592206666233;
  const double se = big_e / std::sqrt(2.0) / std::sqrt(static_cast<double>(r));  // 0.28
  // 4 standard errors either way: mu*3 about E/2 (its standard error is E/2/√r, less than se).
  CHECK(std::fabs(e.mu_star[2] - big_e / 2.0) < 4.0 * se);
  CHECK(std::fabs(e.mu[2]) < 4.0 * se);
  CHECK(e.mu_star[2] > 4.0 * std::fabs(e.mu[2]));
  // Its effects spread more than their mean size: the mark of an input that acts through an interaction.
  CHECK(e.sigma[2] > e.mu_star[2]);
}
