#include <doctest/doctest.h>

#include "core/rng.hpp"

using namespace sandan;

TEST_CASE("splitmix64 matches the reference sequence") {
  // Reference: Vigna's splitmix64.c seeded with 0 yields 0xE220A8397B1DCDAF first.
  CHECK(splitmix64(0) == 0xE220A8397B1DCDAFULL);
}

TEST_CASE("the same seed and stream give the same numbers; other streams differ") {
  Rng a(42, 7);
  Rng b(42, 7);
  Rng c(42, 8);
  bool any_difference = false;
  for (int i = 0; i < 100; ++i) {
    const auto va = a.next();
    CHECK(va == b.next());
    any_difference = any_difference || va != c.next();
  }
  CHECK(any_difference);
}

TEST_CASE("uniform draws stay in [0, 1) and have mean one half") {
  Rng rng(1);
  double sum = 0.0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
  }
  // Standard error of the mean is sqrt(1/12/n) = 0.00091; 5 sigma.
  CHECK(sum / n == doctest::Approx(0.5).epsilon(0.01));
}
