// core/files: writing output files so that a failure never leaves a partial file under a final name.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sandan {

// Writes every (path, text) pair to a temporary file next to its path first, and renames them to
// their final names only when all are written; on any failure the temporaries are removed and
// Error(kIo) names the file.
void write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace sandan
