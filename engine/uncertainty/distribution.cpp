// uncertainty/distribution: checks, inverse CDFs and means of the input distributions.
#include "uncertainty/distribution.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

namespace sandan {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
// Probabilities of a discrete distribution must sum to 1 within this.
constexpr double kProbabilitySumTolerance = 1e-9;

// Shortest text that reads back as the same double, for messages.
std::string text(double value) {
  std::array<char, 32> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return {buffer.data(), result.ptr};
}

// Σ c[i]·x^i by Horner's rule, c in ascending powers.
template <std::size_t N>
double polynomial(const std::array<double, N>& c, double x) {
  double sum = c[N - 1];
  for (std::size_t i = N - 1; i-- > 0;) sum = sum * x + c[i];
  return sum;
}

// Coefficients of AS 241's PPND16 (Wichura 1988, the paper's table), ascending powers. Its hash sums
// (sum of the coefficients' mantissas) check the transcription: 55.8831928806149014439 for A and B,
// 49.33206503301610289036 for C and D, 47.52583317549289671629 for E and F.
constexpr std::array<double, 8> kA{
    3.3871328727963666080e0,  1.3314166789178437745e+2, 1.9715909503065514427e+3, 1.3731693765509461125e+4,
    4.5921953931549871457e+4, 6.7265770927008700853e+4, 3.3430575583588128105e+4, 2.5090809287301226727e+3};
constexpr std::array<double, 8> kB{1.0,
                                   4.2313330701600911252e+1,
                                   6.8718700749205790830e+2,
                                   5.3941960214247511077e+3,
                                   2.1213794301586595867e+4,
                                   3.9307895800092710610e+4,
                                   2.8729085735721942674e+4,
                                   5.2264952788528545610e+3};
constexpr std::array<double, 8> kC{1.42343711074968357734e0,  4.63033784615654529590e0,
                                   5.76949722146069140550e0,  3.64784832476320460504e0,
                                   1.27045825245236838258e0,  2.41780725177450611770e-1,
                                   2.27238449892691845833e-2, 7.74545014278341407640e-4};
constexpr std::array<double, 8> kD{1.0,
                                   2.05319162663775882187e0,
                                   1.67638483018380384940e0,
                                   6.89767334985100004550e-1,
                                   1.48103976427480074590e-1,
                                   1.51986665636164571966e-2,
                                   5.47593808499534494600e-4,
                                   1.05075007164441684324e-9};
constexpr std::array<double, 8> kE{6.65790464350110377720e0,  5.46378491116411436990e0,
                                   1.78482653991729133580e0,  2.96560571828504891230e-1,
                                   2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                   2.71155556874348757815e-5, 2.01033439929228813265e-7};
constexpr std::array<double, 8> kF{1.0,
                                   5.99832206555887937690e-1,
                                   1.36929880922735805310e-1,
                                   1.48753612908506148525e-2,
                                   7.86869131145613259100e-4,
                                   1.84631831751005468180e-5,
                                   1.42151175831644588870e-7,
                                   2.04426310338993978564e-15};

// Q(z) = 1 − Φ(z) without the cancellation of 1 − Φ(z) in the upper tail.
double standard_normal_upper(double z) { return 0.5 * std::erfc(z * std::numbers::sqrt2 / 2.0); }

// P(alpha < Z < beta) for a standard normal Z, from the tail both bounds lie nearer to, so that bounds
// far out in the upper tail do not cancel to 0 (Φ(8) rounds to 1, Q(8) = 6.2e-16 does not).
double standard_normal_mass(double alpha, double beta) {
  if (alpha > 0.0) return standard_normal_upper(alpha) - standard_normal_upper(beta);
  return standard_normal_cdf(beta) - standard_normal_cdf(alpha);
}

// The u-quantile of a standard normal truncated to [alpha, beta] (±∞ for no bound): u is mapped into
// [F(alpha), F(beta)], counted from the upper tail when both bounds lie in it.
double truncated_standard_quantile(double alpha, double beta, double u) {
  double z = 0.0;
  if (alpha > 0.0) {
    const double q_alpha = standard_normal_upper(alpha);
    const double q_beta = standard_normal_upper(beta);
    z = -standard_normal_quantile(q_alpha - u * (q_alpha - q_beta));
  } else {
    const double p_alpha = standard_normal_cdf(alpha);
    const double p_beta = standard_normal_cdf(beta);
    z = standard_normal_quantile(p_alpha + u * (p_beta - p_alpha));
  }
  // Not std::clamp: bounds of a distribution with problems may cross, which std::clamp does not allow.
  return std::max(std::min(z, beta), alpha);
}

// Standardised truncation bounds of a normal or lognormal: (bound − centre)/scale, on ln X for a
// lognormal (where a lower bound ≤ 0 does not truncate and an upper bound ≤ 0 leaves nothing).
struct StandardBounds {
  double alpha = -kInf;
  double beta = kInf;
};

StandardBounds standard_bounds(const Distribution& d) {
  StandardBounds bounds;
  if (d.kind == DistributionKind::kNormal) {
    if (d.lower) bounds.alpha = (*d.lower - d.mean) / d.sd;
    if (d.upper) bounds.beta = (*d.upper - d.mean) / d.sd;
    return bounds;
  }
  if (d.lower && *d.lower > 0.0) bounds.alpha = (std::log(*d.lower) - d.mu) / d.sigma;
  if (d.upper) bounds.beta = *d.upper > 0.0 ? (std::log(*d.upper) - d.mu) / d.sigma : -kInf;
  return bounds;
}

// X clamped to the truncation bounds, which rounding in the mapping back from z may cross.
double within_bounds(const Distribution& d, double x) {
  if (d.lower) x = std::max(x, *d.lower);
  if (d.upper) x = std::min(x, *d.upper);
  return x;
}

// Inverse of the triangular CDF F(x) = (x − a)²/((b − a)(c − a)) for x ≤ c and
// 1 − (b − x)²/((b − a)(b − c)) above (Evans, Hastings & Peacock 2000, "Statistical Distributions",
// 3rd ed., triangular distribution), with a = min, b = max, c = mode.
double triangular_quantile(const Distribution& d, double u) {
  const double a = d.min;
  const double b = d.max;
  const double c = d.mode;
  if (!(b > a)) return a;
  if (u < (c - a) / (b - a)) return a + std::sqrt(u * (b - a) * (c - a));
  return b - std::sqrt((1.0 - u) * (b - a) * (b - c));
}

double discrete_quantile(const Distribution& d, double u) {
  const std::size_t size = std::min(d.values.size(), d.probabilities.size());
  double total = 0.0;
  for (std::size_t i = 0; i < size; ++i) total += d.probabilities[i];
  // Summed in the same order as total, so the last cumulative sum equals total exactly.
  const double target = u * total;
  double cumulative = 0.0;
  for (std::size_t i = 0; i < size; ++i) {
    cumulative += d.probabilities[i];
    if (cumulative >= target && cumulative > 0.0) return d.values[i];
  }
  return kNan;
}

void check_finite(std::vector<std::string>& problems, const char* name, double value) {
  if (!std::isfinite(value))
    problems.push_back(std::string(name) + " must be a finite number, not " + text(value));
}

void check_positive(std::vector<std::string>& problems, const char* name, double value) {
  if (!(std::isfinite(value) && value > 0.0))
    problems.push_back(std::string(name) + " must be a finite number greater than 0, not " + text(value));
}

void check_interval(std::vector<std::string>& problems, const Distribution& d) {
  check_finite(problems, "min", d.min);
  check_finite(problems, "max", d.max);
  if (d.min > d.max)
    problems.push_back("min (" + text(d.min) + ") is greater than max (" + text(d.max) + ")");
}

void check_triangular(std::vector<std::string>& problems, const Distribution& d) {
  check_interval(problems, d);
  check_finite(problems, "mode", d.mode);
  if (std::isfinite(d.mode) && (d.mode < d.min || d.mode > d.max)) {
    problems.push_back("mode (" + text(d.mode) + ") is outside [min, max] = [" + text(d.min) + ", " +
                       text(d.max) + "]");
  }
}

// Truncation bounds of a normal or lognormal whose own parameters are sound.
void check_truncation(std::vector<std::string>& problems, const Distribution& d) {
  const std::size_t before = problems.size();
  if (d.lower) check_finite(problems, "lower", *d.lower);
  if (d.upper) check_finite(problems, "upper", *d.upper);
  if (problems.size() != before || (!d.lower && !d.upper)) return;
  if (d.lower && d.upper && *d.lower >= *d.upper) {
    problems.push_back("lower (" + text(*d.lower) + ") must be less than upper (" + text(*d.upper) + ")");
    return;
  }
  const StandardBounds bounds = standard_bounds(d);
  if (standard_normal_mass(bounds.alpha, bounds.beta) > 0.0) return;
  const bool nonpositive_upper = d.kind == DistributionKind::kLognormal && d.upper && *d.upper <= 0.0;
  problems.push_back("the truncation bounds [" + text(d.lower.value_or(-kInf)) + ", " +
                     text(d.upper.value_or(kInf)) + "] hold no probability mass that a double can represent" +
                     (nonpositive_upper ? " (a lognormal takes only positive values)" : ""));
}

void check_location_scale(std::vector<std::string>& problems, const Distribution& d) {
  const bool normal = d.kind == DistributionKind::kNormal;
  const std::size_t before = problems.size();
  check_finite(problems, normal ? "mean" : "mu", normal ? d.mean : d.mu);
  check_positive(problems, normal ? "sd" : "sigma", normal ? d.sd : d.sigma);
  if (problems.size() == before) check_truncation(problems, d);
}

void check_discrete_probabilities(std::vector<std::string>& problems, const Distribution& d) {
  bool all_finite = true;
  double sum = 0.0;
  for (std::size_t i = 0; i < d.probabilities.size(); ++i) {
    const double p = d.probabilities[i];
    const std::string name = "probability " + std::to_string(i + 1) + " (" + text(p) + ")";
    all_finite = all_finite && std::isfinite(p);
    if (!std::isfinite(p))
      problems.push_back(name + " is not a finite number");
    else if (p < 0.0 || p > 1.0)
      problems.push_back(name + " is outside [0, 1]");
    sum += p;
  }
  if (all_finite && !d.probabilities.empty() && std::fabs(sum - 1.0) > kProbabilitySumTolerance)
    problems.push_back("the probabilities sum to " + text(sum) + ", not to 1 (within 1e-9)");
}

void check_discrete(std::vector<std::string>& problems, const Distribution& d) {
  if (d.values.empty()) problems.emplace_back("a discrete distribution needs at least one value");
  if (d.values.size() != d.probabilities.size()) {
    problems.push_back("there are " + std::to_string(d.values.size()) + " values but " +
                       std::to_string(d.probabilities.size()) + " probabilities");
  }
  for (std::size_t i = 0; i < d.values.size(); ++i) {
    const std::string name = "value " + std::to_string(i + 1) + " (" + text(d.values[i]) + ")";
    if (!std::isfinite(d.values[i]))
      problems.push_back(name + " is not a finite number");
    else if (i > 0 && !(d.values[i] > d.values[i - 1]))
      problems.push_back(
          name + " is not greater than the value before it: list values in increasing order, each once");
  }
  check_discrete_probabilities(problems, d);
}

double truncated_mean(const Distribution& d) {
  const StandardBounds b = standard_bounds(d);
  if (d.kind == DistributionKind::kNormal) {
    // E[X | α < Z < β] = mean + sd (φ(α) − φ(β)) / P(α < Z < β), Z = (X − mean)/sd (Johnson, Kotz &
    // Balakrishnan 1994, "Continuous Univariate Distributions" vol. 1, ch. 13).
    const auto phi = [](double z) {
      return std::isinf(z) ? 0.0 : std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
    };
    return d.mean + d.sd * (phi(b.alpha) - phi(b.beta)) / standard_normal_mass(b.alpha, b.beta);
  }
  // E[X | a < X < b] = exp(mu + sigma²/2) P(α − sigma < Z < β − sigma) / P(α < Z < β) for a lognormal
  // (ibid., vol. 1, ch. 14).
  return std::exp(d.mu + 0.5 * d.sigma * d.sigma) *
         standard_normal_mass(b.alpha - d.sigma, b.beta - d.sigma) / standard_normal_mass(b.alpha, b.beta);
}

double discrete_mean(const Distribution& d) {
  double weighted = 0.0;
  double total = 0.0;
  for (std::size_t i = 0; i < d.values.size(); ++i) {
    weighted += d.values[i] * d.probabilities[i];
    total += d.probabilities[i];
  }
  return weighted / total;
}

}  // namespace

std::vector<std::string> distribution_problems(const Distribution& d) {
  std::vector<std::string> problems;
  const bool truncatable = d.kind == DistributionKind::kNormal || d.kind == DistributionKind::kLognormal;
  if (!truncatable && (d.lower || d.upper))
    problems.emplace_back(
        "truncation bounds (lower, upper) apply only to normal and lognormal distributions");
  switch (d.kind) {
    case DistributionKind::kUniform:
      check_interval(problems, d);
      break;
    case DistributionKind::kTriangular:
      check_triangular(problems, d);
      break;
    case DistributionKind::kNormal:
    case DistributionKind::kLognormal:
      check_location_scale(problems, d);
      break;
    case DistributionKind::kDiscrete:
      check_discrete(problems, d);
      break;
  }
  return problems;
}

double quantile(const Distribution& d, double u) {
  if (!(u >= 0.0 && u <= 1.0)) return kNan;
  switch (d.kind) {
    case DistributionKind::kUniform:
      // min + u(max − min) may round past max; the bound is the true value there.
      return u >= 1.0 ? d.max : std::min(d.min + u * (d.max - d.min), d.max);
    case DistributionKind::kTriangular:
      return triangular_quantile(d, u);
    case DistributionKind::kNormal: {
      const StandardBounds b = standard_bounds(d);
      return within_bounds(d, d.mean + d.sd * truncated_standard_quantile(b.alpha, b.beta, u));
    }
    case DistributionKind::kLognormal: {
      const StandardBounds b = standard_bounds(d);
      return within_bounds(d, std::exp(d.mu + d.sigma * truncated_standard_quantile(b.alpha, b.beta, u)));
    }
    case DistributionKind::kDiscrete:
      return discrete_quantile(d, u);
  }
  return kNan;
}

double mean_of(const Distribution& d) {
  if (!distribution_problems(d).empty()) return kNan;
  switch (d.kind) {
    case DistributionKind::kUniform:
      return 0.5 * (d.min + d.max);
    case DistributionKind::kTriangular:
      return (d.min + d.mode + d.max) / 3.0;
    case DistributionKind::kNormal:
      return d.lower || d.upper ? truncated_mean(d) : d.mean;
    case DistributionKind::kLognormal:
      return d.lower || d.upper ? truncated_mean(d) : std::exp(d.mu + 0.5 * d.sigma * d.sigma);
    case DistributionKind::kDiscrete:
      return discrete_mean(d);
  }
  return kNan;
}

double standard_normal_cdf(double z) { return 0.5 * std::erfc(-z * std::numbers::sqrt2 / 2.0); }

// AS 241 splits (0, 1) into a central region |p − ½| ≤ 0.425, where Φ⁻¹ is a rational function of
// (p − ½)², and two tails, where it is one of r = √(−ln min(p, 1 − p)), for r ≤ 5 and beyond.
double standard_normal_quantile(double p) {
  if (std::isnan(p)) return kNan;
  if (p <= 0.0) return -kInf;
  if (p >= 1.0) return kInf;
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * polynomial(kA, r) / polynomial(kB, r);
  }
  const double r = std::sqrt(-std::log(q < 0.0 ? p : 1.0 - p));
  const double z = r <= 5.0 ? polynomial(kC, r - 1.6) / polynomial(kD, r - 1.6)
                            : polynomial(kE, r - 5.0) / polynomial(kF, r - 5.0);
  return q < 0.0 ? -z : z;
}

}  // namespace sandan
