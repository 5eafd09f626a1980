// The bounds every command shares: the thread count (-j) and the memory an input may ask for.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/threads.hpp"

using namespace sandan;

TEST_CASE("the thread bound is 4 × the hardware threads, at most 1024") {
  const int hardware = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  CHECK(max_threads() == std::min(1024, 4 * hardware));
}

TEST_CASE("a usable thread count passes unchanged and 0 keeps the caller's default") {
  CHECK(checked_threads(0) == 0);
  CHECK(checked_threads(1) == 1);
  CHECK(checked_threads(max_threads()) == max_threads());
}

TEST_CASE("-j 100000 and a negative count are refused as bad input naming the bound") {
  for (const int requested : {100000, max_threads() + 1, -3}) {
    CAPTURE(requested);
    try {
      (void)checked_threads(requested);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kBadInput);
      const std::string text = e.what();
      CHECK(text.find(std::to_string(requested) + " is not a usable thread count") != std::string::npos);
      CHECK(text.find("give 1 to " + std::to_string(max_threads())) != std::string::npos);
    }
  }
}

TEST_CASE("the physical memory is the one sysconf gives, and more than that is refused with both figures") {
  const std::uint64_t memory = physical_memory_bytes();
  REQUIRE(memory > 0);  // every Linux reports _SC_PHYS_PAGES
  CHECK_NOTHROW(require_memory(1e6, "a megabyte", "none needed"));
  // 20 GB for one 50,000 × 50,000 matrix of doubles (50,000² × 8 bytes), ten times that here so
  // that no test machine holds it.
  try {
    require_memory(200e9 + static_cast<double>(memory), "ten all-pairs matrices", "use fewer zones");
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kBadInput);
    const std::string text = e.what();
    CHECK(text.rfind("ten all-pairs matrices needs about ", 0) == 0);
    CHECK(text.find("more than this machine's " + bytes_text(static_cast<double>(memory))) !=
          std::string::npos);
    CHECK(text.find("; use fewer zones") != std::string::npos);
  }
  CHECK_THROWS_AS(require_memory(std::numeric_limits<double>::infinity(), "x", "y"), Error);
  CHECK_THROWS_AS(require_memory(std::nan(""), "x", "y"), Error);
}

TEST_CASE("byte counts read in MB, GB and TB") {
  CHECK(bytes_text(480e6) == "480 MB");
  CHECK(bytes_text(20e9) == "20 GB");
  CHECK(bytes_text(1.6e14) == "160 TB");
}
