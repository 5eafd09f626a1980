// core/rng: seeded random streams that give the same numbers on every platform and thread count.
// std::uniform_real_distribution and friends are implementation-defined, so they are not used.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>

namespace sandan {

// SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators"): used to
// derive independent stream seeds from (seed, entity id).
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

// The random stream of an entity, from its stable id (a facility id, say): FNV-1a 64 (Fowler, Noll &
// Vo; IETF draft-eastlake-fnv) of the id's bytes. Streams keyed by identity rather than by position
// keep an entity's numbers the same whatever else a run simulates.
[[nodiscard]] constexpr std::uint64_t stream_of(std::string_view id) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const char c : id) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

// xoshiro256** (Blackman & Vigna 2018), seeded through SplitMix64 as its authors recommend.
class Rng {
 public:
  explicit Rng(std::uint64_t seed, std::uint64_t stream = 0) {
    std::uint64_t x = splitmix64(seed) ^ splitmix64(stream + 0x632BE59BD9B4E019ULL);
    for (auto& word : state_) {
      x = splitmix64(x);
      word = x;
    }
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17U;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [lo, hi].
  int uniform_int(int lo, int hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<int>(next() % span);
  }
  // Standard normal by Box-Muller; one value per call keeps the stream simple to reason about.
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << static_cast<unsigned>(k)) | (x >> static_cast<unsigned>(64 - k));
  }
  std::uint64_t state_[4]{};
};

}  // namespace sandan
