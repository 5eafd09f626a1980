// uncertainty/design: seeded sampling designs on the unit hypercube (0, 1)^k. A design is n points of
// k coordinates, row-major (point i, input j at [i·k + j]); callers map coordinate j through
// quantile() of input j's distribution. The numbers come from core/rng's xoshiro256** through integer
// arithmetic and exact conversions only, so a seed gives the same bits on every platform and compiler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/rng.hpp"

namespace sandan {

// Uniform in the open interval (0, 1): (m + ½)·2⁻⁵² for m the top 52 bits of one draw, so never 0 or 1
// (the inverse CDF of an unbounded distribution is infinite there). Every value is exact in a double.
[[nodiscard]] double open_unit(Rng& rng);

// Uniform integer in [0, bound) for bound > 0, as one draw modulo bound: the bias, below bound/2⁶⁴, is
// far under anything a sample can show, and the result is the same on every platform.
[[nodiscard]] std::size_t below(Rng& rng, std::size_t bound);

// n points of independent uniforms in (0, 1)^k (simple random sampling).
[[nodiscard]] std::vector<double> random_design(std::size_t n, std::size_t k, std::uint64_t seed);

// Latin hypercube (McKay, Beckman & Conover 1979, Technometrics 21(2), 239–245): in each column the n
// points fall one in each of the n strata ((s/n, (s+1)/n), s = 0 … n−1), in a random order independent
// between columns, each uniform within its stratum and strictly inside it.
[[nodiscard]] std::vector<double> latin_hypercube(std::size_t n, std::size_t k, std::uint64_t seed);

}  // namespace sandan
