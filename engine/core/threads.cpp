#include "core/threads.hpp"

#include <algorithm>
#include <string>
#include <thread>

#include "core/error.hpp"

namespace sandan {

int max_threads() {
  constexpr int kAbsoluteMax = 1024;
  const int hardware = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return std::min(kAbsoluteMax, 4 * hardware);
}

int checked_threads(int requested) {
  if (requested >= 0 && requested <= max_threads()) return requested;
  const int hardware = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  throw Error(ErrorCode::kBadInput,
              "threads (-j): " + std::to_string(requested) + " is not a usable thread count: give 1 to " +
                  std::to_string(max_threads()) + " (4 × this machine's " + std::to_string(hardware) +
                  " hardware threads, at most 1024), or 0 for every core");
}

}  // namespace sandan
