#include "core/search_path.hpp"

namespace sandan {

namespace fs = std::filesystem;

std::string find_upward(const fs::path& start, const fs::path& relative) {
  std::error_code ec;
  fs::path folder = fs::absolute(start, ec);
  if (ec) return "";
  for (int depth = 0; depth < 64 && !folder.empty(); ++depth) {
    // is_regular_file sets its error code for a path that does not exist: each test has its own.
    std::error_code missing;
    const fs::path candidate = folder / relative;
    if (fs::is_regular_file(candidate, missing)) return candidate.lexically_normal().string();
    if (folder == folder.parent_path()) break;
    folder = folder.parent_path();
  }
  return "";
}

}  // namespace sandan
