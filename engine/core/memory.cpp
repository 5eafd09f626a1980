#include "core/memory.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "core/error.hpp"

namespace sandan {

std::uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
}

std::string bytes_text(double bytes) {
  char text[64];
  if (!std::isfinite(bytes)) return "more than can be counted";
  if (bytes >= 1e12) {
    std::snprintf(text, sizeof text, "%.3g TB", bytes / 1e12);
  } else if (bytes >= 1e9) {
    std::snprintf(text, sizeof text, "%.3g GB", bytes / 1e9);
  } else {
    std::snprintf(text, sizeof text, "%.3g MB", bytes / 1e6);
  }
  return text;
}

void require_memory(double bytes, const std::string& what, const std::string& fix) {
  const std::uint64_t memory = physical_memory_bytes();
  if (memory == 0) return;
  if (std::isfinite(bytes) && bytes <= static_cast<double>(memory)) return;
  throw Error(ErrorCode::kBadInput, what + " needs about " + bytes_text(bytes) +
                                        ", more than this machine's " +
                                        bytes_text(static_cast<double>(memory)) + " of memory; " + fix);
}

}  // namespace sandan
