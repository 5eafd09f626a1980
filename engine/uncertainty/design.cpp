// uncertainty/design: simple random and Latin hypercube designs.
#include "uncertainty/design.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "core/rng.hpp"

namespace sandan {
namespace {

// Streams of core/rng, one per design, so that one seed gives unrelated numbers to each.
constexpr std::uint64_t kRandomDesignStream = 1;
constexpr std::uint64_t kLatinHypercubeStream = 2;

// Fisher–Yates shuffle (Knuth, TAOCP vol. 2, §3.4.2, algorithm P).
void shuffle(std::vector<std::size_t>& items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(rng, i)]);
}

// A point uniform in stratum s of n, kept strictly inside the stratum's bounds as doubles: lo + v·(hi − lo)
// may round onto a bound when n is large.
double within_stratum(std::size_t s, std::size_t n, double v) {
  const double lo = static_cast<double>(s) / static_cast<double>(n);
  const double hi = static_cast<double>(s + 1) / static_cast<double>(n);
  const double x = lo + v * (hi - lo);
  if (x <= lo) return std::nextafter(lo, hi);
  if (x >= hi) return std::nextafter(hi, lo);
  return x;
}

}  // namespace

double open_unit(Rng& rng) { return (static_cast<double>(rng.next() >> 12U) + 0.5) * 0x1.0p-52; }

std::size_t below(Rng& rng, std::size_t bound) { return static_cast<std::size_t>(rng.next() % bound); }

std::vector<double> random_design(std::size_t n, std::size_t k, std::uint64_t seed) {
  Rng rng(seed, kRandomDesignStream);
  std::vector<double> points(n * k);
  for (double& x : points) x = open_unit(rng);
  return points;
}

std::vector<double> latin_hypercube(std::size_t n, std::size_t k, std::uint64_t seed) {
  Rng rng(seed, kLatinHypercubeStream);
  std::vector<double> points(n * k);
  std::vector<std::size_t> strata(n);
  for (std::size_t j = 0; j < k; ++j) {
    std::iota(strata.begin(), strata.end(), std::size_t{0});
    shuffle(strata, rng);
    for (std::size_t i = 0; i < n; ++i) points[i * k + j] = within_stratum(strata[i], n, open_unit(rng));
  }
  return points;
}

}  // namespace sandan
