// core/search_path: finding the repository's data files (gis_data/...) from where a command runs, for
// the commands whose inputs default to them.
#pragma once

#include <filesystem>
#include <string>

namespace sandan {

// The first `relative` that is a regular file in `start` or a folder above it (at most 64 levels);
// "" when none is.
[[nodiscard]] std::string find_upward(const std::filesystem::path& start,
                                      const std::filesystem::path& relative);

}  // namespace sandan
